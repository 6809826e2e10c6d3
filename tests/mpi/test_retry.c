/*
 * test_retry.c - retries (mpipool_set_retries): an item that fails runs
 * again, up to the limit, and only that item (its chunk's others ran
 * once); its result says how many runs it took; the runs of an item that
 * keeps failing go to different workers when the pool has several.  A
 * ledger the tasks append to (one file per item, one byte per run, and a
 * line per run naming the worker) is the proof.
 *
 * Built twice: test_retry (a failure is the task's error) and
 * test_retry_iso (ISOLATED: with isolation, the first run of item 5
 * crashes with SIGSEGV and that of item 6 runs past its time limit).
 */
#include "common.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#define N 20
#define RETRIES 2

typedef struct {
  int item;
  int fail_runs; /* its first fail_runs runs fail */
  char dir[96];  /* the ledger */
} job_t;

/* Appends one run of the item to the ledger; returns its run number. */
static int log_run(const job_t *j, long worker) {
  char path[160], line[64];
  snprintf(path, sizeof path, "%s/item.%d", j->dir, j->item);
  int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0600);
  if (fd < 0 || write(fd, "x", 1) != 1)
    return -1;
  struct stat st;
  int run = fstat(fd, &st) == 0 ? (int)st.st_size : -1;
  close(fd);
  snprintf(path, sizeof path, "%s/ledger", j->dir);
  fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0600);
  int n = snprintf(line, sizeof line, "%d %ld\n", j->item, worker);
  if (fd < 0 || write(fd, line, (size_t)n) != n)
    run = -1;
  if (fd >= 0)
    close(fd);
  return run;
}

/* The item * 10, once its first fail_runs runs failed. */
static int t_flaky(mpipool_ctx_t *ctx, const void *in, size_t size) {
  job_t j;
  if (size != sizeof j)
    return mpipool_ctx_fail(ctx, "bad size");
  memcpy(&j, in, sizeof j);
  int run = log_run(&j, mpipool_ctx_worker_id(ctx));
  if (run < 0)
    return mpipool_ctx_fail(ctx, "cannot write the ledger in %s", j.dir);
  if (run <= j.fail_runs) {
#ifdef ISOLATED
    if (j.item == 5 || j.item == 2 * N)
      raise(SIGSEGV);
    if (j.item == 6)
      sleep(30);
#endif
    return mpipool_ctx_fail(ctx, "run %d of item %d failed", run, j.item);
  }
  int y = 10 * j.item;
  return mpipool_ctx_set_output(ctx, &y, sizeof y);
}

/* Runs of item i in the ledger (the size of its file). */
static int runs_of(const char *dir, int i) {
  char path[160];
  struct stat st;
  snprintf(path, sizeof path, "%s/item.%d", dir, i);
  return stat(path, &st) == 0 ? (int)st.st_size : 0;
}

/* Distinct workers that ran item i, from the ledger. */
static int workers_of(const char *dir, int i) {
  char path[160];
  long seen[16];
  int n = 0, item;
  long w;
  snprintf(path, sizeof path, "%s/ledger", dir);
  FILE *f = fopen(path, "r");
  while (f && fscanf(f, "%d %ld", &item, &w) == 2) {
    int known = 0;
    for (int k = 0; k < n; k++)
      known |= seen[k] == w;
    if (item == i && !known && n < 16)
      seen[n++] = w;
  }
  if (f)
    fclose(f);
  return n;
}

/* Removes the ledger. */
static void clean(const char *dir) {
  char path[160];
  for (int i = 0; i <= 2 * N; i++) {
    snprintf(path, sizeof path, "%s/item.%d", dir, i);
    unlink(path);
  }
  snprintf(path, sizeof path, "%s/ledger", dir);
  unlink(path);
  rmdir(dir);
}

typedef struct {
  int calls[N];
  int bad;
  long last; /* the last index delivered */
} seen_t;

static void on_item(size_t index, int status, const void *data, size_t size,
                    void *arg) {
  seen_t *s = arg;
  int v = -1;
  if (status == 0 && size == sizeof v)
    memcpy(&v, data, sizeof v);
  if (index >= N || status != 0 || v != 10 * (N + 1 + (int)index) ||
      (long)index <= s->last)
    s->bad++;
  else
    s->calls[index]++;
  s->last = (long)index;
}

int main(void) {
  mpipool_t *pool;
  mpipool_create(&pool);
  mpipool_register(pool, "flaky", t_flaky, NULL);
  mpipool_set_processes(pool, 2);
  mpipool_set_retries(pool, RETRIES);
#ifdef ISOLATED
  mpipool_set_isolation(pool, 1);
  mpipool_set_task_timeout(pool, 1.0);
#endif
  if (mpipool_start(pool) != 0) {
    ok(0, "start");
    return tap_done();
  }
  is_int(mpipool_set_retries(pool, 1), MPIPOOL_EBUSY, "retries after start");
  mpipool_t *unstarted;
  mpipool_create(&unstarted);
  ok(mpipool_set_retries(unstarted, -1) == MPIPOOL_EINVAL &&
         mpipool_set_retries(unstarted, 0) == 0 &&
         mpipool_set_retries(NULL, 1) == MPIPOOL_EINVAL,
     "retries -1 or a NULL pool: EINVAL; 0: accepted");
  mpipool_destroy(unstarted);
  char dir[] = "/tmp/mpipool-retry-XXXXXX";
  if (mkdtemp(dir) == NULL) {
    ok(0, "a ledger directory");
    return tap_done();
  }

  /* Every worker ready: a failed item has another worker to go to. */
  is_int(wait_workers(pool, 60, NULL), mpipool_size(pool),
         "every worker started");

  /* A map in chunks of 2: items 3 and 11 fail once, 5 and 6 once (a crash
   * and a time limit when isolated), 7 always. */
  job_t in[N];
  for (int i = 0; i < N; i++) {
    memset(&in[i], 0, sizeof in[i]);
    in[i].item = i;
    in[i].fail_runs = i == 3 || i == 11 || i == 5 || i == 6 ? 1
                      : i == 7                              ? 99
                                                            : 0;
    snprintf(in[i].dir, sizeof in[i].dir, "%s", dir);
  }
  mpipool_results_t *res = NULL;
  double t0 = test_now();
  int err = mpipool_map(pool, "flaky", in, N, sizeof in[0], 2, &res);
  double took = test_now() - t0;
  is_int(err, MPIPOOL_ETASK, "the map fails (item 7 always fails)");
  is_int(mpipool_results_failed(res), 1, "one item failed in the end");
  int right = 0, once = 0;
  for (int i = 0; i < N; i++) {
    const void *d;
    size_t s;
    int st = mpipool_results_item(res, (size_t)i, &d, &s);
    int want_runs = in[i].fail_runs == 0 ? 1 : i == 7 ? RETRIES + 1 : 2;
    if (i != 7)
      right += st == 0 && s == sizeof(int) && *(const int *)d == 10 * i;
    once += runs_of(dir, i) == want_runs &&
            mpipool_results_attempts(res, (size_t)i) == want_runs;
    if (runs_of(dir, i) != want_runs)
      printf("# item %d ran %d times, not %d\n", i, runs_of(dir, i), want_runs);
  }
  is_int(right, N - 1, "every other item right, the retried ones too");
  is_int(once, N,
         "each item ran as often as its result says: once, twice when it "
         "failed once, 3 times for item 7; its chunk's others once");
  const void *d = NULL;
  size_t s;
  int st = mpipool_results_item(res, 7, &d, &s);
  ok(st == MPIPOOL_ETASK && strcmp(d, "run 3 of item 7 failed") == 0,
     "item 7: ETASK with its last run's message: '%s'",
     d ? (const char *)d : "");
  if (mpipool_size(pool) >= 2)
    ok(workers_of(dir, 7) >= 2, "item 7's runs went to %d workers",
       workers_of(dir, 7));
  printf("# map of %d items with %d retried: %.2f s\n", N, 5, took);
  mpipool_results_free(res);

  /* apply_async: fails once, then succeeds */
  job_t one = in[0];
  one.item = N;
  one.fail_runs = 1;
  mpipool_async_t *h = NULL;
  mpipool_apply_async(pool, "flaky", &one, sizeof one, NULL, NULL, NULL, &h);
  int v = 0;
  err = mpipool_async_get(h, 60, &d, &s);
  if (err == 0 && s == sizeof v)
    memcpy(&v, d, sizeof v);
  ok(err == 0 && v == 10 * N && mpipool_async_attempts(h) == 2 &&
         runs_of(dir, N) == 2,
     "apply_async: failed once, then its result, 2 runs");
  mpipool_async_free(h);
#ifdef ISOLATED
  /* the time to find a crashed item and run it again */
  one.item = 2 * N;
  t0 = test_now();
  void *out = NULL;
  err = mpipool_apply(pool, "flaky", &one, sizeof one, &out, &s);
  ok(err == 0 && runs_of(dir, 2 * N) == 2,
     "a task that crashed once: its result from the second run");
  printf("# crashed, found and run again in %.1f ms\n",
         (test_now() - t0) * 1e3);
  free(out);
#endif

  /* imap: every fourth item fails once; each index arrives once, in
   * order, with its value (items N + 1 + i in the ledger) */
  for (int i = 0; i < N; i++) {
    in[i].item = N + 1 + i;
    in[i].fail_runs = i % 4 == 1;
  }
  seen_t seen;
  memset(&seen, 0, sizeof seen);
  seen.last = -1;
  err = mpipool_imap(pool, "flaky", in, N, sizeof in[0], 3, on_item, &seen);
  int each_once = seen.bad == 0;
  for (int i = 0; i < N; i++)
    each_once &= seen.calls[i] == 1;
  is_int(err, 0, "imap with items failing once: 0");
  ok(each_once, "imap: each item once, in order, with its value (%d bad)",
     seen.bad);
  finish_pool(pool);
  clean(dir);
  return tap_done();
}
