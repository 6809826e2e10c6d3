/*
 * test_first_init.c - maxtasksperchild 1 where one of the pool's first
 * workers (PoolWorker-1) fails its initializer and every other worker's
 * succeeds: the pool goes on without that worker and keeps recycling the
 * others (its successors serve).  Before, any initializer failure once the
 * pool had started turned recycling off for the whole pool.
 */
#include "common.h"

#define FIRST 2 /* the pool's size: workers 1 and 2 are the first */
#define ITEMS 6

static int init(mpipool_ctx_t *ctx, const void *args, size_t size) {
  (void)args;
  (void)size;
  if (mpipool_ctx_worker_id(ctx) == 1)
    return mpipool_ctx_fail(ctx, "no licence for %s", mpipool_ctx_name(ctx));
  return 0;
}

int main(void) {
  mpipool_t *pool;
  int out[ITEMS];
  int err = map_who_recycled(&pool, FIRST, init, out, ITEMS);
  int good = 0, on_first = 0, on_successor = 0;
  for (int i = 0; err == 0 && i < ITEMS; i++) {
    int id = out[i] / 1000;
    good += out[i] % 1000 == i && id >= 2;
    on_first += id == 1;
    on_successor += id > FIRST;
  }
  ok(err == 0 && good == ITEMS, "every task ran: %d of %d (%s)", good, ITEMS,
     mpipool_strerror(err));
  is_int(on_first, 0, "none on the worker whose initializer failed");
  /* One task per worker: worker 2 runs one, successors run the rest. */
  is_int(on_successor, ITEMS - 1, "recycling went on: tasks on successors");
  is_int(mpipool_close(pool), 0, "close");
  is_int(mpipool_join(pool), 0, "join returns");
  mpipool_destroy(pool);
  return tap_done();
}
