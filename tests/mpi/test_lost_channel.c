/*
 * test_lost_channel.c - a task that overwrites its worker's channel to the
 * master (transport/shm.h: the shared memory through which a spawned
 * worker of the master's node talks to it) costs that worker only, as a
 * task that crashes it would: the master finds that what came through
 * the channel is not messages, kills the worker, says so, runs its chunk
 * again on another worker and spawns a replacement; the pool goes on.  A
 * task that does so on every worker fails with MPIPOOL_ELOST after the
 * crash limit.  Where no worker has a channel (mpirun -n 4: every worker
 * is a launcher's rank) the task finds none and the map simply returns.
 */
#include "lost.h"

#include <stdatomic.h>
#include <stdint.h>

/* ring.c's layout: a header of 192 bytes, the writer's counter at 64;
 * shm.c's: two rings of 1 MiB, the worker's to the master second. */
enum { RING_HEAD = 64, RING_DATA = 192, RING_CAP = 1 << 20 };

/* This process's channel to the master (the start of its mapping), or
 * NULL: none. */
static unsigned char *channel(void) {
  FILE *f = fopen("/proc/self/maps", "r");
  char line[512];
  unsigned long lo = 0;
  while (f && lo == 0 && fgets(line, sizeof line, f))
    if (strstr(line, "mpipool-channel") == NULL ||
        sscanf(line, "%lx-", &lo) != 1)
      lo = 0;
  if (f)
    fclose(f);
  return (unsigned char *)(uintptr_t)lo;
}

/* Writes into the ring to the master, as a stray store of a task could,
 * a frame whose header is not one (its tag's complement wrong): 1, or 0
 * when this worker has no channel. */
static int scribble(void) {
  unsigned char *mem = channel();
  if (mem == NULL)
    return 0;
  unsigned char *ring = mem + RING_DATA + RING_CAP;
  _Atomic uint64_t *head = (_Atomic uint64_t *)(void *)(ring + RING_HEAD);
  uint64_t at = atomic_load(head);
  uint32_t bad[4] = {5, 5, 8, 0};
  for (size_t i = 0; i < sizeof bad; i++)
    ring[RING_DATA + (at + i) % RING_CAP] = ((unsigned char *)bad)[i];
  atomic_store(head, at + sizeof bad);
  return 1;
}

/* The marker file of key k: it exists once a task of key k overwrote
 * a channel. */
static void marker_of(char *buf, size_t size, int k) {
  snprintf(buf, size, "/tmp/mpipool-lost-channel-%d", k);
}

/* (k << 8) | i -> 2 * i, after 50 ms; the first of key k to run on a
 * worker with a channel (the marker file tells) overwrites the channel
 * first. */
static int t_once(mpipool_ctx_t *ctx, const void *in, size_t size) {
  int x;
  char marker[64];
  if (size != sizeof x)
    return -1;
  memcpy(&x, in, sizeof x);
  marker_of(marker, sizeof marker, x >> 8);
  if (channel() && access(marker, F_OK) != 0) {
    FILE *f = fopen(marker, "w");
    if (f)
      fclose(f);
    scribble();
  }
  struct timespec ts = {0, 50000000L};
  nanosleep(&ts, NULL);
  x = 2 * (x & 0xff);
  return mpipool_ctx_set_output(ctx, &x, sizeof x);
}

/* Overwrites the channel of every worker it runs on. */
static int t_always(mpipool_ctx_t *ctx, const void *in, size_t size) {
  (void)in, (void)size;
  return scribble() ? 0 : mpipool_ctx_fail(ctx, "no channel here");
}

/* The workers the pool spawned (each has a channel). */
static int spawned(mpipool_t *pool) {
  mpipool_node_info_t ni;
  return mpipool_node_info(pool, 0, &ni) == 0 ? ni.spawned : -1;
}

int main(void) {
  mpipool_t *pool = lost_pool();
  mpipool_register(pool, "once", t_once, NULL);
  mpipool_register(pool, "always", t_always, NULL);
  mpipool_register(pool, "double", t_double, NULL);
  if (mpipool_start(pool) != 0) {
    ok(0, "start");
    return tap_done();
  }
  char marker[64];
  int key = (int)getpid() & 0xffffff;
  marker_of(marker, sizeof marker, key);
  unlink(marker);
  int size = mpipool_size(pool);
  is_int(wait_workers(pool, 60, NULL), size, "every worker has started");
  int n = spawned(pool);
  printf("# %d of %d workers spawned, with channels\n", n, size);
  lost_said_t said;
  ok(lost_listen(&said) == 0, "the master's stderr is kept to be read");

  enum { N = 8 };
  int in[N];
  for (int i = 0; i < N; i++)
    in[i] = (key << 8) | i;
  mpipool_results_t *res = NULL;
  int err = mpipool_map(pool, "once", in, N, sizeof in[0], 1, &res);
  is_int(err, 0, "a map one of whose tasks overwrites its channel returns");
  int good = 0;
  for (int i = 0; err == 0 && i < N; i++) {
    const void *d;
    size_t s;
    good += mpipool_results_item(res, (size_t)i, &d, &s) == 0 &&
            s == sizeof(int) && *(const int *)d == 2 * i;
  }
  is_int(good, N, "... with every result right");
  mpipool_results_free(res);
  int scribbled = access(marker, F_OK) == 0;
  ok(scribbled == (n > 0),
     "a task overwrote a channel where a worker has one (%d spawned)", n);
  ok(map_right(pool, "double", 1000, 1, &err), "the pool goes on");
  if (n > 0) /* (a replacement has a channel of its own) */
    is_int(wait_workers(pool, REPLACED_S, NULL), size,
           "a replacement serves in the lost worker's place");
  if (n == size) { /* every worker has a channel */
    void *out = NULL;
    err = mpipool_apply(pool, "always", NULL, 0, &out, NULL);
    is_int(err, MPIPOOL_ELOST, "a task that overwrites every worker's: ELOST");
    ok(out && strstr(out, "its worker died 3 times") &&
           strstr(out, "overwrote its channel"),
       "after the crash limit, said so: %s", out ? (char *)out : "(none)");
    free(out);
    ok(map_right(pool, "double", 1000, 1, &err), "the pool goes on again");
  }
  int said_it = lost_said(&said, "overwrote its channel to the master");
  ok(said_it == scribbled, "the master said it killed the worker (%s)",
     scribbled ? "it did" : "none had a channel");
  unlink(marker);
  finish_pool(pool);
  return tap_done();
}
