/*
 * test_sigpipe.c - the master ignores SIGPIPE while its pool lives
 * (sigpipe.h): a write to a closed pipe then fails with EPIPE, as a write
 * of Open MPI's to a dead worker's socket does, instead of ending the
 * master and the run.  The processes that run tasks (workers, the head's
 * child) have SIGPIPE at its default; the pool's end gives the master's
 * default back.
 */
#include "common.h"
#include "../helpers.h"

#include <errno.h>
#include <signal.h>
#include <unistd.h>

static int ignored(void) {
  struct sigaction sa;
  return sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN;
}

/* int -> 1 when SIGPIPE is at its default where the task runs; 5 ms. */
static int t_sigpipe(mpipool_ctx_t *ctx, const void *in, size_t size) {
  (void)in, (void)size;
  struct sigaction sa;
  int dfl = sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL;
  struct timespec ts = {0, 5000000L};
  nanosleep(&ts, NULL);
  return mpipool_ctx_set_output(ctx, &dfl, sizeof dfl);
}

int main(void) {
  enum { N = 40 };
  mpipool_t *pool;
  signal(SIGPIPE, SIG_DFL);
  mpipool_create(&pool);
  mpipool_register(pool, "sigpipe", t_sigpipe, NULL);
  mpipool_set_processes(pool, 2);
  if (mpipool_start(pool) != 0) {
    ok(0, "start");
    return tap_done();
  }
  ok(ignored(), "the master ignores SIGPIPE once its pool started");
  is_int(test_write_closed_pipe(), EPIPE,
         "a write to a closed pipe fails with EPIPE, the master lives");
  int in[N], dfl = 0;
  for (int i = 0; i < N; i++)
    in[i] = i;
  mpipool_results_t *res = NULL;
  int err = mpipool_map(pool, "sigpipe", in, N, sizeof in[0], 1, &res);
  is_int(err, 0, "a map of 40 items");
  for (int i = 0; err == 0 && i < N; i++) {
    const void *d;
    size_t s;
    int v = 0;
    if (mpipool_results_item(res, (size_t)i, &d, &s) == 0 && s == sizeof v)
      memcpy(&v, d, sizeof v);
    dfl += v == 1;
  }
  is_int(dfl, N, "every item ran with SIGPIPE at its default");
  mpipool_results_free(res);
  finish_pool(pool);
  ok(!ignored(), "the pool's end gives the master SIGPIPE's default back");
  return tap_done();
}
