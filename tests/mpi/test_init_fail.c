/*
 * test_init_fail.c - a pool whose every initializer fails: the work
 * submitted fails with MPIPOOL_ENOWORKERS, and the initializer's own
 * message reaches the caller (apply's message, an async handle's error,
 * a map item's message), not just "no worker".
 */
#include "common.h"

static int init(mpipool_ctx_t *ctx, const void *args, size_t size) {
  (void)args;
  (void)size;
  return mpipool_ctx_fail(ctx, "no licence for %s", mpipool_ctx_name(ctx));
}

/* Counts the stream callbacks it gets. */
static void count_cb(size_t index, int status, const void *data, size_t size,
                     void *arg) {
  (void)index;
  (void)status;
  (void)data;
  (void)size;
  ++*(int *)arg;
}

int main(void) {
  mpipool_t *pool;
  mpipool_create(&pool);
  mpipool_register(pool, "double", t_double, NULL);
  mpipool_set_processes(pool, 2);
  mpipool_set_initializer(pool, init, NULL, 0);
  if (mpipool_start(pool) != 0) {
    ok(0, "start");
    return tap_done();
  }
  int x = 1;
  void *out = NULL;
  int err = mpipool_apply(pool, "double", &x, sizeof x, &out, NULL);
  is_int(err, MPIPOOL_ENOWORKERS, "apply: ENOWORKERS");
  ok(out && strstr(out, "initializer failed") &&
         strstr(out, "no licence for PoolWorker-"),
     "apply's message says the initializers failed, and why: %s",
     out ? (char *)out : "(none)");
  free(out);

  mpipool_async_t *h;
  is_int(
      mpipool_apply_async(pool, "double", &x, sizeof x, NULL, NULL, NULL, &h),
      0, "apply_async submits");
  is_int(mpipool_async_wait(h, 60), 0, "and is ready");
  ok(strstr(mpipool_async_error(h), "no licence") != NULL,
     "the handle's error has the initializer's message");
  mpipool_async_free(h);

  int in[3] = {1, 2, 3};
  mpipool_results_t *res = NULL;
  err = mpipool_map(pool, "double", in, 3, sizeof in[0], 1, &res);
  is_int(err, MPIPOOL_ENOWORKERS, "map: ENOWORKERS");
  ok(res == NULL, "and no results");

  /* The header: "an error before any dispatch (cb never called)". */
  int calls = 0;
  err = mpipool_imap(pool, "double", in, 3, sizeof in[0], 1, count_cb, &calls);
  ok(err == MPIPOOL_ENOWORKERS && calls == 0,
     "imap: ENOWORKERS, the callback never called (%s, %d calls)",
     mpipool_strerror(err), calls);
  calls = 0;
  err = mpipool_imap_unordered(pool, "double", in, 3, sizeof in[0], 1, count_cb,
                               &calls);
  ok(err == MPIPOOL_ENOWORKERS && calls == 0,
     "imap_unordered: ENOWORKERS, the callback never called (%s, %d calls)",
     mpipool_strerror(err), calls);
  finish_pool(pool);
  return tap_done();
}
