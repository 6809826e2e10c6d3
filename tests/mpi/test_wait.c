/*
 * test_wait.c - mpipool_wait() returns once a job has finished (its
 * callback has run), times out when none does, returns at once when
 * nothing is pending; a task that polls mpipool_ctx_cancelled() stops
 * when the pool is terminated, so terminate does not wait for it.
 */
#include "common.h"

static void count_cb(mpipool_async_t *h, const void *data, size_t size,
                     void *arg) {
  (void)h;
  (void)data;
  (void)size;
  ++*(int *)arg;
}

int main(void) {
  mpipool_t *pool = start_pool(2, NULL, NULL, 0);
  int workers = mpipool_size(pool), calls = 0;

  is_int(mpipool_wait(pool, 5), 0, "wait with nothing pending: at once");
  is_int(mpipool_ctx_cancelled(NULL), 0, "ctx_cancelled(NULL) is 0");

  int ms = 400;
  mpipool_async_t *h;
  mpipool_apply_async(pool, "sleep_ms", &ms, sizeof ms, count_cb, NULL, &calls,
                      &h);
  is_int(mpipool_wait(pool, 0.01), MPIPOOL_ETIMEDOUT,
         "wait 10 ms on a 400 ms task: ETIMEDOUT");
  is_int(calls, 0, "its callback has not run");
  is_int(mpipool_wait(pool, -1), 0, "wait for ever: returns when it is done");
  is_int(calls, 1, "its callback ran before wait returned");
  is_int(mpipool_async_ready(h), 1, "its handle is ready");
  mpipool_async_free(h);

  /* Several jobs: each wait returns after at least one more finished. */
  enum { N = 6 };
  mpipool_async_t *hs[N];
  ms = 50;
  calls = 0;
  for (int i = 0; i < N; i++)
    mpipool_apply_async(pool, "sleep_ms", &ms, sizeof ms, count_cb, NULL,
                        &calls, &hs[i]);
  int waits = 0, monotone = 1, last = 0;
  while (calls < N && waits < 100) {
    if (mpipool_wait(pool, 30) != 0)
      break;
    monotone &= calls > last;
    last = calls;
    waits++;
  }
  ok(calls == N && monotone && waits <= N,
     "%d jobs, %d waits, each saw more finished", calls, waits);
  for (int i = 0; i < N; i++)
    mpipool_async_free(hs[i]);

  /* Tasks that run until cancelled: terminate stops them. */
  mpipool_async_t *c[4];
  int nc = workers < 4 ? workers : 4;
  for (int i = 0; i < nc; i++)
    mpipool_apply_async(pool, "until_cancelled", NULL, 0, NULL, NULL, NULL,
                        &c[i]);
  ms = 300;
  struct timespec ts = {0, 300000000L};
  nanosleep(&ts, NULL); /* let them start */
  mpipool_progress(pool);
  double t0 = test_now();
  is_int(mpipool_terminate(pool), 0, "terminate with tasks running");
  double took = test_now() - t0;
  ok(took < 30,
     "terminate returned in %.2f s: the tasks saw the "
     "cancellation (else 60 s)",
     took);
  int ready = 0;
  for (int i = 0; i < nc; i++) {
    ready += mpipool_async_ready(c[i]) == 1;
    mpipool_async_free(c[i]);
  }
  is_int(ready, nc, "every cancelled task's handle is ready");
  mpipool_destroy(pool);
  return tap_done();
}
