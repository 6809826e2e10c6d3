/*
 * test_successor_init.c - maxtasksperchild 1 where every successor's
 * initializer fails (the first workers' succeeds): recycling stops, as
 * when spawning fails, and the first workers serve on, those that had
 * already run their task and waited for a successor included.  Every
 * task runs, once, on a first worker; nothing hangs.  (Before, the first
 * workers left one by one and the map failed with MPIPOOL_ENOWORKERS.)
 */
#include "common.h"

#define FIRST 2 /* the pool's size: workers 1 and 2 are the first */
#define ITEMS 8

static int init(mpipool_ctx_t *ctx, const void *args, size_t size) {
  (void)args;
  (void)size;
  if (mpipool_ctx_worker_id(ctx) > FIRST)
    return mpipool_ctx_fail(ctx, "no licence left for %s",
                            mpipool_ctx_name(ctx));
  return 0;
}

/* int -> 1000 * the worker's id + the int */
static int t_who(mpipool_ctx_t *ctx, const void *in, size_t size) {
  int *out = mpipool_ctx_output(ctx, sizeof *out);
  if (out == NULL || size != sizeof(int))
    return -1;
  *out = 1000 * (int)mpipool_ctx_worker_id(ctx) + *(const int *)in;
  return 0;
}

int main(void) {
  mpipool_t *pool;
  mpipool_create(&pool);
  mpipool_register(pool, "who", t_who, NULL);
  mpipool_set_processes(pool, FIRST);
  mpipool_set_initializer(pool, init, NULL, 0);
  mpipool_set_maxtasksperchild(pool, 1);
  if (mpipool_start(pool) != 0) {
    ok(0, "start");
    return tap_done();
  }
  int in[ITEMS], out[ITEMS];
  for (int i = 0; i < ITEMS; i++)
    in[i] = i;
  mpipool_results_t *res = NULL;
  int err = mpipool_map(pool, "who", in, ITEMS, sizeof in[0], 1, &res);
  int good = 0;
  if (err == 0 && mpipool_results_copy(res, out, sizeof out[0]) == 0)
    for (int i = 0; i < ITEMS; i++)
      good +=
          out[i] % 1000 == i && out[i] / 1000 >= 1 && out[i] / 1000 <= FIRST;
  ok(err == 0 && good == ITEMS,
     "every task ran, on a first worker: %d of %d (%s)", good, ITEMS,
     mpipool_strerror(err));
  mpipool_results_free(res);
  is_int(mpipool_close(pool), 0, "close");
  is_int(mpipool_join(pool), 0, "join returns");
  mpipool_destroy(pool);
  return tap_done();
}
