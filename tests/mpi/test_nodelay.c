/*
 * test_nodelay.c - after the MPI_Init mpipool makes, the loopback TCP
 * connections MPI opened (PMIx's to its local server) have TCP_NODELAY
 * (nodelay.h), in the master and in its workers; a connection the
 * program had opened before keeps Nagle's algorithm.
 */
#include "common.h"
#include "../helpers.h"

/* The connection each process (master, worker) opens before the pool. */
static int own[2] = {-1, -1};

/* -> {loopback connections but its own, how many with TCP_NODELAY, how
 * many of its own} in the worker */
static int t_conns(mpipool_ctx_t *ctx, const void *in, size_t size) {
  (void)in, (void)size;
  int c[3];
  c[0] = test_loopback_conns(own, 2, &c[1]);
  c[2] = test_nodelay(own[0]) + test_nodelay(own[1]);
  return mpipool_ctx_set_output(ctx, c, sizeof c);
}

int main(void) {
  mpipool_t *pool;
  int have_own = test_loopback_pair(own) == 0;
  mpipool_create(&pool);
  mpipool_register(pool, "conns", t_conns, NULL);
  mpipool_set_processes(pool, 2);
  mpipool_set_head_start(pool, 0); /* MPI starts in mpipool_start */
  if (mpipool_start(pool) != 0) {
    ok(0, "start");
    return tap_done();
  }
  ok(have_own, "the program opened a loopback connection before the pool");
  if (have_own)
    is_int(test_nodelay(own[0]) + test_nodelay(own[1]), 0,
           "the program's own connection keeps Nagle's algorithm");
  int nodelay, n = test_loopback_conns(own, 2, &nodelay);
#ifdef OPEN_MPI /* only there does mpipool set it */
  ok(n >= 1, "Open MPI: the master has a loopback connection (PMIx's)");
  is_int(nodelay, n, "each of the master's has TCP_NODELAY");
#else
  (void)n, (void)nodelay;
#endif
  int in = 0, c[3] = {0, -1, -1};
  void *out = NULL;
  size_t got = 0;
  is_int(mpipool_apply(pool, "conns", &in, sizeof in, &out, &got), 0,
         "a task counts its worker's connections");
  if (out && got == sizeof c)
    memcpy(c, out, sizeof c);
  free(out);
#ifdef OPEN_MPI
  ok(c[0] >= 1, "Open MPI: the worker has a loopback connection (PMIx's)");
  is_int(c[1], c[0], "each of the worker's has TCP_NODELAY");
#endif
  is_int(c[2], 0, "the worker's own connection keeps Nagle's algorithm");
  finish_pool(pool);
  if (have_own) {
    close(own[0]);
    close(own[1]);
  }
  return tap_done();
}
