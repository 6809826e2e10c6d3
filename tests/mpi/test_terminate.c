/*
 * test_terminate.c - terminate with work queued and running: it returns,
 * every handle becomes ready (a result or ETERMINATED), nothing hangs, and
 * the pool refuses new work.
 */
#include "common.h"

int main(void) {
  enum { N = 200 };
  mpipool_t *pool = start_pool(3, NULL, NULL, 0);
  mpipool_async_t *h[N];
  int ms = 20;
  for (int i = 0; i < N; i++)
    mpipool_apply_async(pool, "sleep_ms", &ms, sizeof ms, NULL, NULL, NULL,
                        &h[i]);
  /* Let a few finish. */
  mpipool_async_get(h[0], -1, NULL, NULL);
  is_int(mpipool_terminate(pool), 0, "terminate with 199 tasks pending");
  int done = 0, terminated = 0, other = 0;
  for (int i = 0; i < N; i++) {
    int ready = mpipool_async_ready(h[i]);
    int err = mpipool_async_get(h[i], 0, NULL, NULL);
    if (ready != 1)
      other++;
    else if (err == 0)
      done++;
    else if (err == MPIPOOL_ETERMINATED)
      terminated++;
    else
      other++;
    mpipool_async_free(h[i]);
  }
  is_int(other, 0, "every handle is ready: a result or ETERMINATED");
  ok(done >= 1 && terminated >= 100,
     "some finished (%d), most were cancelled (%d)", done, terminated);
  mpipool_async_t *late;
  is_int(mpipool_apply_async(pool, "double", &ms, sizeof ms, NULL, NULL, NULL,
                             &late),
         MPIPOOL_ECLOSED, "apply_async after terminate: ECLOSED");
  mpipool_results_t *res;
  is_int(mpipool_map(pool, "double", &ms, 1, sizeof ms, 0, &res),
         MPIPOOL_ECLOSED, "map after terminate: ECLOSED");
  is_int(mpipool_join(pool), 0, "join after terminate is a no-op");
  is_int(mpipool_terminate(pool), 0, "terminate twice is a no-op");
  mpipool_destroy(pool);
  return tap_done();
}
