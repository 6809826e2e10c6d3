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

int main(void) {
  mpipool_t *pool;
  int out[ITEMS];
  int err = map_who_recycled(&pool, FIRST, init, out, ITEMS);
  int good = 0;
  for (int i = 0; err == 0 && i < ITEMS; i++)
    good += out[i] % 1000 == i && out[i] / 1000 >= 1 && out[i] / 1000 <= FIRST;
  ok(err == 0 && good == ITEMS,
     "every task ran, on a first worker: %d of %d (%s)", good, ITEMS,
     mpipool_strerror(err));
  is_int(mpipool_close(pool), 0, "close");
  is_int(mpipool_join(pool), 0, "join returns");
  mpipool_destroy(pool);
  return tap_done();
}
