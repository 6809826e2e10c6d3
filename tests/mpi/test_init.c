/*
 * test_init.c - the initializer: it runs once per worker, before any task,
 * with the master's initargs; workers know their names; a worker whose
 * initializer fails gets no task and the others go on.
 */
#include "common.h"

static int init(mpipool_ctx_t *ctx, const void *args, size_t size) {
  /* PoolWorker-2 refuses to start; the others keep the initargs. */
  if (mpipool_ctx_worker_id(ctx) == 2)
    return mpipool_ctx_fail(ctx, "worker 2 will not start");
  char *copy = malloc(size + 1);
  memcpy(copy, args, size);
  copy[size] = '\0';
  mpipool_ctx_set_worker_data(ctx, copy);
  mpipool_ctx_set_worker_data_free(ctx, free);
  return 0;
}

static int t_initargs(mpipool_ctx_t *ctx, const void *in, size_t size) {
  (void)in;
  (void)size;
  char buf[128];
  int n = snprintf(buf, sizeof buf, "%s@%s",
                   (const char *)mpipool_ctx_worker_data(ctx),
                   mpipool_ctx_name(ctx));
  return mpipool_ctx_set_output(ctx, buf, (size_t)n);
}

int main(void) {
  static const char args[] = "magic-42";
  mpipool_t *pool;
  mpipool_create(&pool);
  mpipool_register(pool, "initargs", t_initargs, NULL);
  /* No head start: the workers are what this tests. */
  mpipool_set_head_start(pool, 0);
  mpipool_set_processes(pool, 3);
  mpipool_set_initializer(pool, init, args, strlen(args));
  if (mpipool_start(pool) != 0) {
    printf("not ok 1 - start\n1..1\n");
    return 1;
  }
  enum { N = 40 };
  mpipool_results_t *res = NULL;
  int err = mpipool_map(pool, "initargs", NULL, N, 0, 1, &res);
  is_int(err, 0, "map over a pool with one failed worker succeeds");
  int good = 0, on1 = 0, on3 = 0;
  for (size_t i = 0; err == 0 && i < N; i++) {
    const void *d;
    size_t s;
    char buf[128] = "";
    if (mpipool_results_item(res, i, &d, &s) == 0 && s < sizeof buf)
      memcpy(buf, d, s);
    on1 += strcmp(buf, "magic-42@PoolWorker-1") == 0;
    on3 += strcmp(buf, "magic-42@PoolWorker-3") == 0;
  }
  good = on1 + on3;
  is_int(good, N, "every task saw the initargs, on PoolWorker-1 or -3 only");
  mpipool_results_free(res);
  finish_pool(pool);
  return tap_done();
}
