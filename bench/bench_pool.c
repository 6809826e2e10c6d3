/*
 * bench_pool.c - throughput of an mpipool pool on three workloads, the
 * same ones bench/pool_bench.py runs with Python's multiprocessing.Pool:
 *
 *   map_chunked     mpipool_map of N ints (task x*2), default chunksize,
 *                   results copied out with mpipool_results_copy; then
 *                   once more, reported as map_chunked_again
 *   map_chunk_fn    the same map (and again) with the task as a chunk task
 *                   (mpipool_register_chunk: one call per chunk)
 *   apply_async     T single-int mpipool_apply_async calls, all submitted,
 *                   then mpipool_async_get on each in order, handles freed
 *   map_chunksize1  mpipool_map of min(T, 20000) ints with chunksize 1
 *                   (all T with --sleep-us or --spin-us)
 *   map_bytes       (only when named) mpipool_map of 8 items per worker
 *                   whose results are 10 MiB each, chunksize 1; a second
 *                   line gives bytes/s beside memcpy's (warm, and into
 *                   fresh memory)
 *
 * Usage: mpirun -n W+1 bench/bench_pool [--workers W] [--items N]
 *            [--tasks T] [--only map_chunked,map_chunk_fn,apply_async,...]
 *            [--maxtasks M] [--sleep-us U] [--spin-us U] [--isolation 0|1]
 *            [--settle 0|1] [--head-start 0|1]
 * --maxtasks sets maxtasksperchild; --sleep-us makes every task sleep U
 * microseconds first (bench/recycle.sh uses both), --spin-us compute
 * for U microseconds of CPU time (bench/oversubscribe.sh); --isolation 1 runs
 * every task in the worker's child process (bench/isolation.sh); --settle 1
 * waits before each workload until every place of the pool is served (a
 * recycling pool's successors start in the background, while the next
 * workload would run: without it, that workload's figures include their
 * start, on fewer workers), and says how long that took ("settle" lines);
 * --head-start 1 lets the master run tasks while its workers are spawned
 * (mpipool_set_head_start).
 * (a singleton run spawns the workers itself; --only may list several
 * workloads separated by commas).  Each workload is timed on the master
 * with CLOCK_MONOTONIC, pool start-up excluded; start-up is reported on a
 * line of its own ("startup", n = workers), and so is the time from before
 * the start to the first result of one mpipool_apply ("first_result",
 * n = 1); then it waits until every place of the pool is served (a
 * worker says HELLO after its initializer, in the background), saying how
 * long ("settle" line), so that every workload runs on the whole pool.  Output
 * lines, one each:
 *
 *   mpipool <workload> workers=<W> n=<count> seconds=<s> rate=<per second>
 *           master_cpu_us_per_task=<the master's CPU time per task, us>
 *
 * and after apply_async, on Linux, what the master held per task
 * outstanding: its peak resident memory over the workload (the peak is
 * reset first) less its resident memory before, over T (the jobs, their
 * results and the handles; bench/scaling.sh prints it):
 *
 *   mpipool apply_async_memory workers=<W> n=<T> bytes_per_task=<bytes>
 *
 * Every result is checked; the exit status is 1 on any error or wrong
 * result, 2 on a usage error.
 */
#include <mpipool.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>

#define TASK "double"
#define CHUNK_TASK "double_chunk"

/* --sleep-us: every task first sleeps this long (a stand-in for real work,
 * for the maxtasksperchild benchmark).  Set before mpipool_start on every
 * process, so workers see it too. */
static long sleep_us;

/* --spin-us: every task first computes for this long (its CPU time). */
static long spin_us;

static double cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void spin(void) {
  double end = cpu_now() + (double)spin_us * 1e-6;
  volatile unsigned long x = 0;
  while (cpu_now() < end)
    for (int i = 0; i < 1000; i++)
      x += (unsigned long)i;
}

static int do_double(mpipool_ctx_t *ctx, const void *in, size_t size) {
  int x;
  if (sleep_us > 0) {
    struct timespec ts = {sleep_us / 1000000, (sleep_us % 1000000) * 1000};
    nanosleep(&ts, NULL);
  }
  if (spin_us > 0)
    spin();
  if (size != sizeof x)
    return mpipool_ctx_fail(ctx, "expected an int, got %zu bytes", size);
  memcpy(&x, in, sizeof x);
  int *out = mpipool_ctx_output(ctx, sizeof *out);
  if (out == NULL)
    return -1;
  *out = x * 2;
  return 0;
}

/* do_double as a chunk task: count ints in, count ints out. */
static int double_chunk(mpipool_ctx_t *ctx, const void *in, size_t count,
                        size_t size, void *out) {
  if (size != sizeof(int))
    return mpipool_ctx_fail(ctx, "expected ints, got %zu bytes", size);
  const char *p = in;
  char *q = out;
  for (size_t i = 0; i < count; i++) {
    int x;
    memcpy(&x, p + i * sizeof x, sizeof x);
    x *= 2;
    memcpy(q + i * sizeof x, &x, sizeof x);
  }
  return 0;
}

/* map_bytes: an int n -> RESULT_BYTES bytes, each n & 0xff. */
#define RESULT_BYTES (10u << 20)

static int do_bytes(mpipool_ctx_t *ctx, const void *in, size_t size) {
  int x = 0;
  memcpy(&x, in, size < sizeof x ? size : sizeof x);
  unsigned char *out = mpipool_ctx_output(ctx, RESULT_BYTES);
  if (out == NULL)
    return -1;
  memset(out, x & 0xff, RESULT_BYTES);
  return 0;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The master process's CPU time so far (all its threads), in seconds. */
static double master_cpu(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

/* A line of /proc/self/status ("VmRSS:", "VmHWM:"), in bytes; 0 where
 * there is none. */
static double status_bytes(const char *key) {
  char line[256];
  double kb = 0;
  FILE *f = fopen("/proc/self/status", "r");
  if (f == NULL)
    return 0;
  while (fgets(line, sizeof line, f))
    if (strncmp(line, key, strlen(key)) == 0)
      kb = strtod(line + strlen(key), NULL);
  fclose(f);
  return kb * 1024;
}

/* Resets the process's peak resident memory (VmHWM) to what it holds now:
 * 0, or -1 where the kernel cannot. */
static int reset_peak(void) {
  FILE *f = fopen("/proc/self/clear_refs", "w");
  if (f == NULL)
    return -1;
  int bad = fputs("5", f) < 0;
  return fclose(f) != 0 || bad ? -1 : 0;
}

/* cpu: the master's CPU seconds over the workload. */
static void report(const char *workload, int workers, size_t n, double seconds,
                   double cpu) {
  printf("mpipool %s workers=%d n=%zu seconds=%.6f rate=%.1f "
         "master_cpu_us_per_task=%.3f\n",
         workload, workers, n, seconds, seconds > 0 ? (double)n / seconds : 0.0,
         n ? cpu * 1e6 / (double)n : 0.0);
  fflush(stdout);
}

static int usage(const char *msg) {
  fprintf(stderr,
          "bench_pool: %s\n"
          "usage: bench_pool [--workers N] [--items N] [--tasks N] "
          "[--only map_chunked,map_chunk_fn,apply_async,map_chunksize1] "
          "[--maxtasks M] "
          "[--sleep-us U] [--spin-us U] [--isolation 0|1] [--settle 0|1] "
          "[--head-start 0|1]\n",
          msg);
  return 2;
}

static int parse_long(const char *s, long min, long max, long *out) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || end == s || *end != '\0' || v < min || v > max)
    return -1;
  *out = v;
  return 0;
}

enum {
  W_MAP = 1,
  W_ASYNC = 2,
  W_MAP1 = 4,
  W_BYTES = 8,
  W_CHUNK = 16,
  W_ALL = W_MAP | W_ASYNC | W_MAP1 | W_CHUNK
};

static int parse_only(const char *s, int *mask) {
  char buf[256];
  if (strlen(s) >= sizeof buf)
    return -1;
  strcpy(buf, s);
  *mask = 0;
  for (char *save = NULL, *t = strtok_r(buf, ",", &save); t;
       t = strtok_r(NULL, ",", &save)) {
    if (strcmp(t, "map_chunked") == 0)
      *mask |= W_MAP;
    else if (strcmp(t, "apply_async") == 0)
      *mask |= W_ASYNC;
    else if (strcmp(t, "map_chunksize1") == 0)
      *mask |= W_MAP1;
    else if (strcmp(t, "map_chunk_fn") == 0)
      *mask |= W_CHUNK;
    else if (strcmp(t, "map_bytes") == 0)
      *mask |= W_BYTES;
    else if (strcmp(t, "all") == 0)
      *mask |= W_ALL;
    else
      return -1;
  }
  return *mask ? 0 : -1;
}

/* mpipool_map of in[0..n) with `chunksize`; checks out[i] == 2 * in[i]. */
static int run_map(mpipool_t *pool, const char *label, const char *task,
                   int workers, const int *in, int *out, size_t n,
                   size_t chunksize) {
  mpipool_results_t *res = NULL;
  memset(out, 0, n * sizeof *out);
  double c0 = master_cpu(), t0 = now();
  int err = mpipool_map(pool, task, in, n, sizeof *in, chunksize, &res);
  if (err == 0)
    err = mpipool_results_copy(res, out, sizeof *out);
  mpipool_results_free(res);
  double t1 = now();
  if (err) {
    fprintf(stderr, "bench_pool: %s: %s\n", label, mpipool_strerror(err));
    return 1;
  }
  for (size_t i = 0; i < n; i++)
    if (out[i] != 2 * in[i]) {
      fprintf(stderr, "bench_pool: %s: item %zu is %d, expected %d\n", label, i,
              out[i], 2 * in[i]);
      return 1;
    }
  report(label, workers, n, t1 - t0, master_cpu() - c0);
  return 0;
}

static int run_async(mpipool_t *pool, int workers, const int *in, int *out,
                     size_t n) {
  int peak = reset_peak() == 0;
  double rss0 = status_bytes("VmRSS:");
  mpipool_async_t **h = calloc(n ? n : 1, sizeof *h);
  int err = 0, bad = 0;
  size_t submitted = 0;
  if (h == NULL) {
    fprintf(stderr, "bench_pool: apply_async: out of memory\n");
    return 1;
  }
  double c0 = master_cpu(), t0 = now();
  for (; submitted < n; submitted++) {
    err = mpipool_apply_async(pool, TASK, &in[submitted], sizeof in[0], NULL,
                              NULL, NULL, &h[submitted]);
    if (err)
      break;
  }
  for (size_t i = 0; i < submitted && !err; i++) {
    const void *data;
    size_t size;
    err = mpipool_async_get(h[i], -1, &data, &size);
    if (err)
      break;
    if (size != sizeof out[i]) {
      fprintf(stderr, "bench_pool: apply_async: task %zu returned %zu bytes\n",
              i, size);
      bad = 1;
      break;
    }
    memcpy(&out[i], data, sizeof out[i]);
    mpipool_async_free(h[i]);
    h[i] = NULL;
  }
  double t1 = now();
  double held = status_bytes("VmHWM:") - rss0;
  for (size_t i = 0; i < submitted; i++)
    mpipool_async_free(h[i]);
  free(h);
  if (err) {
    fprintf(stderr, "bench_pool: apply_async: %s\n", mpipool_strerror(err));
    return 1;
  }
  if (bad)
    return 1;
  for (size_t i = 0; i < n; i++)
    if (out[i] != 2 * in[i]) {
      fprintf(stderr,
              "bench_pool: apply_async: task %zu gave %d, expected %d\n", i,
              out[i], 2 * in[i]);
      return 1;
    }
  report("apply_async", workers, n, t1 - t0, master_cpu() - c0);
  if (peak && rss0 > 0 && n) {
    printf("mpipool apply_async_memory workers=%d n=%zu bytes_per_task=%.0f\n",
           workers, n, held > 0 ? held / (double)n : 0.0);
    fflush(stdout);
  }
  return 0;
}

/* memcpy's bandwidth on this machine, bytes/s, the best of 5 copies of
 * RESULT_BYTES: into a buffer already touched (warm) when fresh is 0, else
 * into pages mapped for it and unmapped after (what landing a result in
 * new memory costs: its pages are faulted in; malloc could reuse). */
static double memcpy_rate(int fresh) {
  unsigned char *a = malloc(RESULT_BYTES),
                *b = fresh ? NULL : malloc(RESULT_BYTES);
  double best = 0;
  if (a == NULL || (!fresh && b == NULL)) {
    free(a);
    free(b);
    return 0;
  }
  memset(a, 1, RESULT_BYTES);
  if (b)
    memset(b, 2, RESULT_BYTES);
  for (int k = 0; k < 5; k++) {
    double t0 = now();
    unsigned char *d = b;
    if (fresh && (d = mmap(NULL, RESULT_BYTES, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) == MAP_FAILED)
      break;
    memcpy(d, a, RESULT_BYTES);
    a[k] = d[RESULT_BYTES - 1 - k]; /* the copy is used */
    if (fresh)
      munmap(d, RESULT_BYTES);
    double t = now() - t0;
    if (t > 0 && RESULT_BYTES / t > best)
      best = RESULT_BYTES / t;
  }
  free(a);
  free(b);
  return best;
}

/* map_bytes: a map of n items whose results are RESULT_BYTES each; the
 * rate is in items/s, and a second line gives bytes/s beside memcpy's. */
static int run_bytes(mpipool_t *pool, int workers, const int *in, size_t n) {
  mpipool_results_t *res = NULL;
  double c0 = master_cpu(), t0 = now();
  int err = mpipool_map(pool, "bytes", in, n, sizeof *in, 1, &res);
  double t1 = now(), c1 = master_cpu();
  size_t bad = 0;
  for (size_t i = 0; err == 0 && i < n; i++) {
    const void *d;
    size_t size;
    if (mpipool_results_item(res, i, &d, &size) != 0 || size != RESULT_BYTES ||
        ((const unsigned char *)d)[size - 1] != (in[i] & 0xff))
      bad++;
  }
  mpipool_results_free(res);
  if (err || bad) {
    fprintf(stderr, "bench_pool: map_bytes: %s, %zu bad results\n",
            mpipool_strerror(err), bad);
    return 1;
  }
  report("map_bytes", workers, n, t1 - t0, c1 - c0);
  double rate = (double)n * RESULT_BYTES / (t1 - t0);
  double warm = memcpy_rate(0), fresh = memcpy_rate(1);
  printf("mpipool map_bytes_bandwidth bytes_per_s=%.0f memcpy_warm=%.0f "
         "memcpy_fresh=%.0f ratio_warm=%.3f ratio_fresh=%.3f\n",
         rate, warm, fresh, warm > 0 ? rate / warm : 0.0,
         fresh > 0 ? rate / fresh : 0.0);
  fflush(stdout);
  return 0;
}

/* --settle 1: waits until every place of the pool is served (60 s at
 * most), and says how long it took.  1 if it gave up or failed. */
static int settle(mpipool_t *pool, long on) {
  if (!on)
    return 0;
  double t0 = now();
  for (int p = 0; p < mpipool_size(pool); p++) {
    mpipool_worker_info_t wi;
    int err;
    while ((err = mpipool_worker_info(pool, p, &wi)) == MPIPOOL_ENOTREADY &&
           now() - t0 < 60)
      mpipool_wait(pool, 0.01);
    if (err) {
      fprintf(stderr, "bench_pool: place %d of the pool: %s\n", p,
              mpipool_strerror(err));
      return 1;
    }
  }
  printf("settle seconds=%.3f\n", now() - t0);
  return 0;
}

int main(int argc, char **argv) {
  long workers = 2, items = 1000000, tasks = 20000, maxtasks = 0;
  long isolation = 0, settle_opt = 0, head = 0;
  int only = W_ALL;

  /* Every process parses the same argv, so a usage error stops them all
   * before mpipool_start(). */
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (i + 1 >= argc)
      return usage("missing value or unknown option");
    const char *v = argv[++i];
    if (strcmp(a, "--workers") == 0) {
      if (parse_long(v, 1, 1000000, &workers))
        return usage("--workers wants an integer from 1 to 1000000");
    } else if (strcmp(a, "--items") == 0) {
      if (parse_long(v, 0, INT_MAX / 2, &items))
        return usage("--items wants an integer from 0 to INT_MAX/2");
    } else if (strcmp(a, "--tasks") == 0) {
      if (parse_long(v, 0, INT_MAX / 2, &tasks))
        return usage("--tasks wants an integer from 0 to INT_MAX/2");
    } else if (strcmp(a, "--maxtasks") == 0) {
      if (parse_long(v, 0, LONG_MAX, &maxtasks))
        return usage("--maxtasks wants an integer >= 0 (0: unlimited)");
    } else if (strcmp(a, "--sleep-us") == 0) {
      if (parse_long(v, 0, 60000000, &sleep_us))
        return usage("--sleep-us wants microseconds from 0 to 60000000");
    } else if (strcmp(a, "--spin-us") == 0) {
      if (parse_long(v, 0, 60000000, &spin_us))
        return usage("--spin-us wants microseconds from 0 to 60000000");
    } else if (strcmp(a, "--isolation") == 0) {
      if (parse_long(v, 0, 1, &isolation))
        return usage("--isolation wants 0 or 1");
    } else if (strcmp(a, "--head-start") == 0) {
      if (parse_long(v, 0, 1, &head))
        return usage("--head-start wants 0 or 1");
    } else if (strcmp(a, "--settle") == 0) {
      if (parse_long(v, 0, 1, &settle_opt))
        return usage("--settle wants 0 or 1");
    } else if (strcmp(a, "--only") == 0) {
      if (parse_only(v, &only))
        return usage("--only wants map_chunked, map_chunk_fn, apply_async, "
                     "map_chunksize1, map_bytes");
    } else {
      return usage("unknown option");
    }
  }

  mpipool_t *pool;
  int err;
  if ((err = mpipool_create(&pool)) != 0) {
    fprintf(stderr, "bench_pool: %s\n", mpipool_strerror(err));
    return 1;
  }
  if ((err = mpipool_register(pool, TASK, do_double, NULL)) != 0 ||
      (err = mpipool_register(pool, "bytes", do_bytes, NULL)) != 0 ||
      (err = mpipool_register_chunk(pool, CHUNK_TASK, double_chunk, sizeof(int),
                                    NULL)) != 0 ||
      (err = mpipool_set_processes(pool, (int)workers)) != 0 ||
      (err = mpipool_set_maxtasksperchild(pool, maxtasks)) != 0 ||
      (err = mpipool_set_isolation(pool, (int)isolation)) != 0 ||
      (err = mpipool_set_head_start(pool, (int)head)) != 0) {
    fprintf(stderr, "bench_pool: %s\n", mpipool_strerror(err));
    mpipool_destroy(pool);
    return 1;
  }
  double c0 = master_cpu(), t0 = now();
  err = mpipool_start(pool);
  double t1 = now();
  if (err) {
    fprintf(stderr, "bench_pool: mpipool_start: %s\n", mpipool_strerror(err));
    mpipool_destroy(pool);
    return 1;
  }
  /* Master only from here. */
  int w = mpipool_size(pool);
  if (w != (int)workers) {
    fprintf(stderr, "bench_pool: pool has %d workers, asked for %ld\n", w,
            workers);
    mpipool_destroy(pool);
    return 1;
  }
  report("startup", w, (size_t)w, t1 - t0, master_cpu() - c0);
  /* The first result, timed from before the start (what a program that
   * starts a pool to run one task waits). */
  int one = 21;
  void *out1 = NULL;
  size_t size1 = 0;
  err = mpipool_apply(pool, TASK, &one, sizeof one, &out1, &size1);
  double t2 = now();
  int got = err == 0 && size1 == sizeof one ? *(int *)out1 : 0;
  free(out1);
  if (got != 42) {
    fprintf(stderr, "bench_pool: first apply: %s, gave %d, expected 42\n",
            mpipool_strerror(err), got);
    mpipool_destroy(pool);
    return 1;
  }
  report("first_result", w, 1, t2 - t0, master_cpu() - c0);
  /* Workers become ready in the background: the workloads are timed on
   * the whole pool. */
  if (settle(pool, 1)) {
    mpipool_destroy(pool);
    return 1;
  }

  size_t n1 =
      (size_t)tasks < 20000 || sleep_us || spin_us ? (size_t)tasks : 20000;
  size_t cap = (size_t)items;
  if ((size_t)tasks > cap)
    cap = (size_t)tasks;
  int *in = malloc((cap ? cap : 1) * sizeof *in);
  int *out = malloc((cap ? cap : 1) * sizeof *out);
  if (in == NULL || out == NULL) {
    fprintf(stderr, "bench_pool: out of memory\n");
    free(in);
    free(out);
    mpipool_destroy(pool);
    return 1;
  }
  for (size_t i = 0; i < cap; i++)
    in[i] = (int)i;

  int fail = 0;
  if (!fail && (only & W_MAP) && !(fail = settle(pool, settle_opt)))
    fail = run_map(pool, "map_chunked", TASK, w, in, out, (size_t)items, 0);
  /* The same map again (a program that maps again and again: the
   * master's and the workers' large buffers are warm now, msg.h). */
  if (!fail && (only & W_MAP))
    fail =
        run_map(pool, "map_chunked_again", TASK, w, in, out, (size_t)items, 0);
  if (!fail && (only & W_CHUNK) && !(fail = settle(pool, settle_opt)))
    fail =
        run_map(pool, "map_chunk_fn", CHUNK_TASK, w, in, out, (size_t)items, 0);
  if (!fail && (only & W_CHUNK))
    fail = run_map(pool, "map_chunk_fn_again", CHUNK_TASK, w, in, out,
                   (size_t)items, 0);
  if (!fail && (only & W_ASYNC) && !(fail = settle(pool, settle_opt)))
    fail = run_async(pool, w, in, out, (size_t)tasks);
  if (!fail && (only & W_MAP1) && !(fail = settle(pool, settle_opt)))
    fail = run_map(pool, "map_chunksize1", TASK, w, in, out, n1, 1);
  if (!fail && (only & W_BYTES) && !(fail = settle(pool, settle_opt)))
    fail = run_bytes(pool, w, in, (size_t)(8 * w));

  free(in);
  free(out);
  if (fail) {
    mpipool_terminate(pool);
  } else if ((err = mpipool_close(pool)) != 0 ||
             (err = mpipool_join(pool)) != 0) {
    fprintf(stderr, "bench_pool: close/join: %s\n", mpipool_strerror(err));
    fail = 1;
  }
  mpipool_destroy(pool);
  return fail ? 1 : 0;
}
