/*
 * test_isolate.c - isolation (mpipool_set_isolation): a map of 100 items
 * whose item 37 crashes (SIGSEGV) fails that item only, with a message
 * naming the signal, and every other item is right; a task that calls
 * exit(3) or abort() fails its item and the pool goes on; a task past its
 * time limit (mpipool_set_task_timeout) fails with MPIPOOL_ETIMEDOUT; the
 * initializer's state reaches every child; the pool serves afterwards.
 */
#include "common.h"

#include <signal.h>
#include <unistd.h>

static int init(mpipool_ctx_t *ctx, const void *args, size_t size) {
  (void)args;
  (void)size;
  static int base = 1000; /* set here, read by every child */
  mpipool_ctx_set_worker_data(ctx, &base);
  return 0;
}

/* 2 * x, plus the initializer's base; x == 37 crashes, x == 38 exits 3,
 * x == 39 aborts. */
static int t_fragile(mpipool_ctx_t *ctx, const void *in, size_t size) {
  int x;
  if (size != sizeof x)
    return mpipool_ctx_fail(ctx, "bad size");
  memcpy(&x, in, sizeof x);
  if (x == 37)
    raise(SIGSEGV);
  if (x == 38)
    exit(3);
  if (x == 39)
    abort();
  int y = 2 * x + *(int *)mpipool_ctx_worker_data(ctx);
  return mpipool_ctx_set_output(ctx, &y, sizeof y);
}

static int t_sleep(mpipool_ctx_t *ctx, const void *in, size_t size) {
  (void)in;
  (void)size;
  sleep(30);
  return mpipool_ctx_set_output(ctx, "woke", 4);
}

static int t_pid(mpipool_ctx_t *ctx, const void *in, size_t size) {
  (void)in;
  (void)size;
  int32_t pid = (int32_t)getpid();
  return mpipool_ctx_set_output(ctx, &pid, sizeof pid);
}

/* Item i of r: its status, and its message or int value. */
static int item(mpipool_results_t *r, size_t i, int *value, char *msg,
                size_t len) {
  const void *d;
  size_t s;
  int st = mpipool_results_item(r, i, &d, &s);
  msg[0] = '\0';
  if (st == 0 && s == sizeof *value)
    memcpy(value, d, sizeof *value);
  else if (st != 0)
    snprintf(msg, len, "%s", (const char *)d);
  return st;
}

int main(void) {
  mpipool_t *pool;
  mpipool_create(&pool);
  mpipool_register(pool, "fragile", t_fragile, NULL);
  mpipool_register(pool, "sleep", t_sleep, NULL);
  mpipool_register(pool, "pid", t_pid, NULL);
  mpipool_set_processes(pool, 2);
  mpipool_set_initializer(pool, init, NULL, 0);
  mpipool_set_isolation(pool, 1);
  mpipool_set_task_timeout(pool, 1.0);
  if (mpipool_start(pool) != 0) {
    ok(0, "start");
    return tap_done();
  }
  enum { N = 100 };
  int in[N];
  for (int i = 0; i < N; i++)
    in[i] = i;
  mpipool_results_t *res = NULL;
  int err = mpipool_map(pool, "fragile", in, N, sizeof in[0], 1, &res);
  is_int(err, MPIPOOL_ETASK, "map with crashing items: ETASK");
  int right = 0, v = 0;
  char msg[256], m37[256] = "", m38[256] = "", m39[256] = "";
  for (size_t i = 0; res && i < N; i++) {
    int st = item(res, i, &v, msg, sizeof msg);
    if (i == 37)
      snprintf(m37, sizeof m37, "%s", st == MPIPOOL_ETASK ? msg : "(ok?)");
    else if (i == 38)
      snprintf(m38, sizeof m38, "%s", st == MPIPOOL_ETASK ? msg : "(ok?)");
    else if (i == 39)
      snprintf(m39, sizeof m39, "%s", st == MPIPOOL_ETASK ? msg : "(ok?)");
    else
      right += st == 0 && v == 2 * (int)i + 1000;
  }
  is_int(right, N - 3, "every other item right, with the initializer's state");
  ok(strcmp(m37, "killed by signal 11 (Segmentation fault)") == 0,
     "item 37: '%s'", m37);
  ok(strcmp(m38, "exited with status 3") == 0, "item 38: '%s'", m38);
  ok(strcmp(m39, "killed by signal 6 (Aborted)") == 0, "item 39: '%s'", m39);
  mpipool_results_free(res);

  void *out = NULL;
  size_t len = 0;
  err = mpipool_apply(pool, "sleep", NULL, 0, &out, &len);
  ok(err == MPIPOOL_ETIMEDOUT && out && strcmp(out, "timed out after 1 s") == 0,
     "a task past its time limit: ETIMEDOUT, '%s'", out ? (char *)out : "");
  free(out);

  /* The pool goes on. */
  int served = 0;
  for (int i = 0; i < 8; i++) {
    out = NULL;
    served += mpipool_apply(pool, "pid", NULL, 0, &out, &len) == 0 &&
              len == sizeof(int32_t);
    free(out);
  }
  is_int(served, 8, "the pool serves after crashes and a time limit");
  finish_pool(pool);

  /* A time limit without isolation is refused. */
  mpipool_t *p2;
  mpipool_create(&p2);
  mpipool_set_task_timeout(p2, 1.0);
  is_int(mpipool_start(p2), MPIPOOL_EINVAL,
         "a time limit without isolation: start says EINVAL");
  is_int(mpipool_set_task_timeout(p2, -1), MPIPOOL_EINVAL,
         "a negative time limit: EINVAL");
  mpipool_destroy(p2);
  return tap_done();
}
