/*
 * test_shm.c - the workers of the master's node reach it through channels
 * in shared memory (transport/shm.h) where MPI would take TCP, the
 * workers it spawned: once they have started, the master has one mapped
 * per spawned worker (its /proc/self/maps shows them), none for a
 * launcher's rank (MPI's own shared memory is the faster), and maps,
 * apply_async, large frames and large results (cma.h's offers, which go
 * through the channels too) come back right.  As a singleton, a second
 * pool started beside it with MPIPOOL_SHM=0 maps none and gives the
 * same.
 */
#include "offer.h"

/* The workers the pool spawned at its start (the launcher's ranks are
 * reached through MPI's own shared memory). */
static int spawned(mpipool_t *pool) {
  mpipool_node_info_t ni;
  return mpipool_node_info(pool, 0, &ni) == 0 ? ni.spawned : -1;
}

/* The channels this process has mapped. */
static int channels(void) {
  return lines_with("/proc/self/maps", "mpipool-channel");
}

static void exercise(mpipool_t *pool, const char *how) {
  int err;
  ok(map_right(pool, "double", 10000, 1, &err),
     "%s: a map of 10,000 ints in chunks of 1", how);
  enum { N = 2000 };
  mpipool_async_t *h[N];
  int good = 0;
  for (int i = 0; i < N; i++)
    if (mpipool_apply_async(pool, "double", &i, sizeof i, NULL, NULL, NULL,
                            &h[i]) != 0)
      h[i] = NULL;
  for (int i = 0; i < N; i++) {
    const void *d;
    size_t s;
    good += h[i] && mpipool_async_get(h[i], -1, &d, &s) == 0 &&
            s == sizeof(int) && *(const int *)d == 2 * i;
    mpipool_async_free(h[i]);
  }
  is_int(good, N, "apply_async: every result right");
  unsigned char *items = offer_items();
  is_int(offer_map(pool, items), OFFER_N,
         "a map of 20 items of 300 KiB (large frames and results): intact");
  free(items);
  ok(offer_big_echo(pool), "apply: a 16 MiB input comes back intact");
}

int main(void) {
  int launched = mpipool_launch_rank() >= 0;
  mpipool_t *pool = offer_pool();
  int size = mpipool_size(pool);
  is_int(wait_workers(pool, 60, NULL), size, "every worker has started");
  int n = spawned(pool);
  ok(n >= 0 && channels() == n,
     "the master maps a channel per spawned worker (%d of %d)", n, size);
  exercise(pool, "through the channels");
  if (!launched) { /* a singleton may have a second pool */
    setenv("MPIPOOL_SHM", "0", 1);
    mpipool_t *plain = offer_pool();
    is_int(wait_workers(plain, 60, NULL), mpipool_size(plain),
           "MPIPOOL_SHM=0: every worker of a second pool has started");
    is_int(channels(), n, "and it maps no channel");
    exercise(plain, "over MPI");
    finish_pool(plain);
  }
  finish_pool(pool);
  is_int(channels(), 0, "the pool's end unmaps them");
  return tap_done();
}
