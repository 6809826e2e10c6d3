/*
 * test_async.c - apply_async with 1,000 handles and callbacks, get with a
 * timeout, ready and successful, error callbacks, apply, worker names,
 * callbacks that free their own handles.
 */
#include "common.h"

typedef struct {
  int ok_calls, err_calls, bad;
} counts_t;

static void on_ok(mpipool_async_t *h, const void *data, size_t size,
                  void *arg) {
  counts_t *c = arg;
  (void)h;
  if (size != sizeof(int) || *(const int *)data % 2)
    c->bad++;
  c->ok_calls++;
}

static void on_err(mpipool_async_t *h, int status, const char *msg, void *arg) {
  counts_t *c = arg;
  (void)h;
  if (status != MPIPOOL_ETASK || strncmp(msg, "odd ", 4) != 0)
    c->bad++;
  c->err_calls++;
}

static void check_thousand(mpipool_t *pool) {
  enum { N = 1000 };
  mpipool_async_t *h[N];
  counts_t c = {0, 0, 0};
  int submitted = 0;
  for (int i = 0; i < N; i++)
    submitted += mpipool_apply_async(pool, "double", &i, sizeof i, on_ok,
                                     on_err, &c, &h[i]) == 0;
  is_int(submitted, N, "1000 apply_async calls accepted");
  int good = 0;
  for (int i = 0; i < N; i++) {
    const void *d;
    size_t s;
    good += mpipool_async_get(h[i], -1, &d, &s) == 0 && s == sizeof(int) &&
            *(const int *)d == 2 * i && mpipool_async_ready(h[i]) == 1 &&
            mpipool_async_successful(h[i]) == 1;
  }
  is_int(good, N, "each of 1000 handles gets its own result");
  is_int(c.ok_calls, N, "the callback ran once per task");
  is_int(c.err_calls + c.bad, 0, "no error callback, no bad result");
  for (int i = 0; i < N; i++)
    mpipool_async_free(h[i]);
}

static void check_errors(mpipool_t *pool) {
  counts_t c = {0, 0, 0};
  mpipool_async_t *h;
  int x = 7;
  is_int(mpipool_apply_async(pool, "fail_odd", &x, sizeof x, on_ok, on_err, &c,
                             &h),
         0, "a failing task is accepted");
  const void *d = NULL;
  int err = mpipool_async_get(h, -1, &d, NULL);
  is_int(err, MPIPOOL_ETASK, "get of a failed task returns ETASK");
  ok(d && strcmp(d, "odd 7") == 0, "with the task's message as data");
  ok(strcmp(mpipool_async_error(h), "odd 7") == 0, "async_error: odd 7");
  is_int(mpipool_async_successful(h), 0, "successful() is 0");
  is_int(c.err_calls, 1, "error callback ran once");
  is_int(c.ok_calls, 0, "success callback did not run");
  mpipool_async_free(h);
  /* The pool goes on after a failure. */
  void *out = NULL;
  size_t size = 0;
  x = 21;
  err = mpipool_apply(pool, "double", &x, sizeof x, &out, &size);
  ok(err == 0 && size == sizeof(int) && *(int *)out == 42,
     "apply after a failure: 21 -> 42");
  free(out);
  err = mpipool_apply(pool, "fail_odd", &x, sizeof x, &out, &size);
  ok(err == MPIPOOL_ETASK && out && strcmp(out, "odd 21") == 0,
     "apply of a failing task: ETASK with a malloc'd message");
  free(out);
}

static void check_timeout(mpipool_t *pool) {
  mpipool_async_t *h;
  int ms = 400;
  mpipool_apply_async(pool, "sleep_ms", &ms, sizeof ms, NULL, NULL, NULL, &h);
  is_int(mpipool_async_successful(h), MPIPOOL_ENOTREADY,
         "successful() before ready is ENOTREADY");
  is_int(mpipool_async_ready(h), 0, "ready() is 0 at once");
  is_int(mpipool_async_get(h, 0.05, NULL, NULL), MPIPOOL_ETIMEDOUT,
         "get with a 50 ms timeout on a 400 ms task times out");
  is_int(mpipool_async_wait(h, 0.0), MPIPOOL_ETIMEDOUT, "wait(0) too");
  const void *d;
  size_t s;
  int err = mpipool_async_get(h, 30, &d, &s);
  ok(err == 0 && s == sizeof(int) && *(const int *)d == 400,
     "get with a long timeout then succeeds");
  mpipool_async_free(h);
  /* A handle freed before its result arrives: the result is dropped. */
  mpipool_apply_async(pool, "sleep_ms", &ms, sizeof ms, NULL, NULL, NULL, &h);
  mpipool_async_free(h);
  ok(1, "freeing a pending handle is allowed");
}

/* Callbacks that free their own handle (what cli/farm.c does). */
static void free_ok(mpipool_async_t *h, const void *data, size_t size,
                    void *arg) {
  on_ok(h, data, size, arg);
  mpipool_async_free(h);
}

static void free_err(mpipool_async_t *h, int status, const char *msg,
                     void *arg) {
  on_err(h, status, msg, arg);
  mpipool_async_free(h);
}

static void check_self_free(mpipool_t *pool) {
  enum { N = 200 };
  counts_t c = {0, 0, 0};
  int accepted = 0;
  for (int i = 0; i < N; i++) {
    mpipool_async_t *h;
    accepted +=
        mpipool_apply_async(pool, i % 4 == 1 ? "fail_odd" : "double", &i,
                            sizeof i, free_ok, free_err, &c, &h) == 0;
  }
  is_int(accepted, N, "200 tasks whose callbacks free their handles");
  double deadline = test_now() + 60;
  int e = 0;
  while (c.ok_calls + c.err_calls < N && test_now() < deadline &&
         (e == 0 || e == MPIPOOL_ETIMEDOUT))
    e = mpipool_wait(pool, 1);
  is_int(c.ok_calls + c.err_calls, N, "they all finish (60 s)");
  ok(c.ok_calls == 150 && c.err_calls == 50 && c.bad == 0,
     "150 results, 50 failures, each called back once (%d, %d, %d bad)",
     c.ok_calls, c.err_calls, c.bad);
}

/* A burst of submissions to idle workers starts each task at once: the
 * program may then compute without calling the pool (a submission skips
 * its round of progress only while no worker is idle). */
static void check_started(mpipool_t *pool) {
  mpipool_async_t *h[3];
  int ms = 1000;
  /* A head start returns before the workers are there: a task queued
   * for one that has not come waits for a round of progress. */
  is_int(wait_workers(pool, 60, NULL), 3, "the 3 workers are there");
  for (int i = 0; i < 3; i++)
    mpipool_apply_async(pool, "sleep_ms", &ms, sizeof ms, NULL, NULL, NULL,
                        &h[i]);
  struct timespec ts = {1, 500000000L}; /* no call into the pool */
  nanosleep(&ts, NULL);
  double t0 = test_now();
  int good = 0;
  for (int i = 0; i < 3; i++) {
    good += mpipool_async_get(h[i], 30, NULL, NULL) == 0;
    mpipool_async_free(h[i]);
  }
  double waited = test_now() - t0;
  ok(good == 3 && waited < 0.8,
     "3 tasks of 1 s submitted to 3 idle workers ran while the program "
     "slept 1.5 s (then waited %.2f s)",
     waited);
}

static void check_names(mpipool_t *pool) {
  enum { N = 60 };
  mpipool_async_t *h[N];
  int seen[4] = {0}, bad = 0;
  for (int i = 0; i < N; i++)
    mpipool_apply_async(pool, "whoami", NULL, 0, NULL, NULL, NULL, &h[i]);
  for (int i = 0; i < N; i++) {
    const void *d;
    size_t s;
    char name[64] = "";
    if (mpipool_async_get(h[i], -1, &d, &s) == 0 && s < sizeof name)
      memcpy(name, d, s);
    int k = 0;
    if (sscanf(name, "PoolWorker-%d", &k) == 1 && k >= 1 && k <= 3)
      seen[k]++;
    else
      bad++;
    mpipool_async_free(h[i]);
  }
  is_int(bad, 0, "every task ran on PoolWorker-1, -2 or -3");
}

int main(void) {
  mpipool_t *pool = start_pool(3, NULL, NULL, 0);
  check_thousand(pool);
  check_errors(pool);
  check_timeout(pool);
  check_self_free(pool);
  check_started(pool);
  check_names(pool);
  finish_pool(pool);
  return tap_done();
}
