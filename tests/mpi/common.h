/*
 * common.h - tasks and helpers shared by the MPI integration tests.  Each
 * test is an SPMD program: every process registers these tasks and calls
 * mpipool_start(); only the master returns from it and runs the checks.
 */
#ifndef MPIPOOL_TEST_COMMON_H
#define MPIPOOL_TEST_COMMON_H

#include <mpipool.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../tap.h"

/* Monotonic seconds. */
static inline double test_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* int -> 2 * int */
static inline int t_double(mpipool_ctx_t *ctx, const void *in, size_t size) {
  int x;
  if (size != sizeof x)
    return mpipool_ctx_fail(ctx, "double: got %zu bytes", size);
  memcpy(&x, in, sizeof x);
  int *out = mpipool_ctx_output(ctx, sizeof *out);
  if (out == NULL)
    return -1;
  *out = 2 * x;
  return 0;
}

/* bytes -> the same bytes */
static inline int t_echo(mpipool_ctx_t *ctx, const void *in, size_t size) {
  return mpipool_ctx_set_output(ctx, in, size);
}

/* int -> fails with "odd N" for odd N, else N */
static inline int t_fail_odd(mpipool_ctx_t *ctx, const void *in, size_t size) {
  int x;
  memcpy(&x, in, size < sizeof x ? size : sizeof x);
  if (x % 2)
    return mpipool_ctx_fail(ctx, "odd %d", x);
  return mpipool_ctx_set_output(ctx, &x, sizeof x);
}

/* int milliseconds -> sleeps that long, returns the int */
static inline int t_sleep_ms(mpipool_ctx_t *ctx, const void *in, size_t size) {
  int ms = 0;
  memcpy(&ms, in, size < sizeof ms ? size : sizeof ms);
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
  return mpipool_ctx_set_output(ctx, &ms, sizeof ms);
}

/* anything -> the worker's name */
static inline int t_whoami(mpipool_ctx_t *ctx, const void *in, size_t size) {
  (void)in;
  (void)size;
  const char *name = mpipool_ctx_name(ctx);
  return mpipool_ctx_set_output(ctx, name, strlen(name));
}

/* int -> 1000 * the worker's id + the int */
static inline int t_who(mpipool_ctx_t *ctx, const void *in, size_t size) {
  int *out = mpipool_ctx_output(ctx, sizeof *out);
  if (out == NULL || size != sizeof(int))
    return -1;
  *out = 1000 * (int)mpipool_ctx_worker_id(ctx) + *(const int *)in;
  return 0;
}

/* uint64 n -> n bytes, byte i = (i * 7 + n) & 0xff */
static inline int t_blob(mpipool_ctx_t *ctx, const void *in, size_t size) {
  uint64_t n;
  if (size != sizeof n)
    return mpipool_ctx_fail(ctx, "blob: bad input");
  memcpy(&n, in, sizeof n);
  unsigned char *out = mpipool_ctx_output(ctx, (size_t)n);
  if (out == NULL)
    return -1;
  for (uint64_t i = 0; i < n; i++)
    out[i] = (unsigned char)((i * 7 + n) & 0xff);
  return 0;
}

static inline int blob_ok(const void *data, size_t size, uint64_t n) {
  const unsigned char *p = data;
  if (size != n)
    return 0;
  for (uint64_t i = 0; i < n; i++)
    if (p[i] != (unsigned char)((i * 7 + n) & 0xff))
      return 0;
  return 1;
}

/* anything -> runs until the pool is terminated (mpipool_ctx_cancelled),
 * at most 60 s; fails with "not cancelled" if it never was */
static inline int t_until_cancelled(mpipool_ctx_t *ctx, const void *in,
                                    size_t size) {
  (void)in;
  (void)size;
  for (int i = 0; i < 6000; i++) {
    if (mpipool_ctx_cancelled(ctx))
      return 0;
    struct timespec ts = {0, 10000000L};
    nanosleep(&ts, NULL);
  }
  return mpipool_ctx_fail(ctx, "not cancelled");
}

/* Creates a pool of `processes` workers with the common tasks, starts it,
 * and exits the test on failure.  Workers never return from here. */
static inline mpipool_t *start_pool(int processes, mpipool_init_fn init,
                                    const void *initargs, size_t initargs_len) {
  mpipool_t *pool;
  int err = mpipool_create(&pool);
  if (err == 0)
    err = mpipool_register(pool, "double", t_double, NULL);
  if (err == 0)
    err = mpipool_register(pool, "echo", t_echo, NULL);
  if (err == 0)
    err = mpipool_register(pool, "fail_odd", t_fail_odd, NULL);
  if (err == 0)
    err = mpipool_register(pool, "sleep_ms", t_sleep_ms, NULL);
  if (err == 0)
    err = mpipool_register(pool, "whoami", t_whoami, NULL);
  if (err == 0)
    err = mpipool_register(pool, "blob", t_blob, NULL);
  if (err == 0)
    err = mpipool_register(pool, "until_cancelled", t_until_cancelled, NULL);
  if (err == 0)
    err = mpipool_set_processes(pool, processes);
  if (err == 0 && init)
    err = mpipool_set_initializer(pool, init, initargs, initargs_len);
  if (err == 0)
    err = mpipool_start(pool);
  if (err) {
    printf("not ok 1 - pool start: %s\n1..1\n", mpipool_strerror(err));
    exit(1);
  }
  return pool;
}

/* Starts a pool of `processes` workers with initializer init and
 * maxtasksperchild 1 into *pool, and maps t_who over 0..items-1 (chunks
 * of 1) into out; the map's error.  Exits the test if the pool does not
 * start.  Workers never return from here. */
static inline int map_who_recycled(mpipool_t **pool, int processes,
                                   mpipool_init_fn init, int *out,
                                   size_t items) {
  mpipool_create(pool);
  mpipool_register(*pool, "who", t_who, NULL);
  /* No head start: the workers' recycling is what this tests. */
  mpipool_set_head_start(*pool, 0);
  mpipool_set_processes(*pool, processes);
  mpipool_set_initializer(*pool, init, NULL, 0);
  mpipool_set_maxtasksperchild(*pool, 1);
  if (mpipool_start(*pool) != 0) {
    printf("not ok 1 - pool start\n1..1\n");
    exit(1);
  }
  int *in = malloc(items * sizeof *in);
  for (size_t i = 0; in && i < items; i++)
    in[i] = (int)i;
  mpipool_results_t *res = NULL;
  int err = in ? mpipool_map(*pool, "who", in, items, sizeof *in, 1, &res)
               : MPIPOOL_ENOMEM;
  if (err == 0)
    err = mpipool_results_copy(res, out, sizeof *out);
  mpipool_results_free(res);
  free(in);
  return err;
}

/* Waits up to `seconds` for every place of the pool to have a started
 * worker; returns how many have (their facts in wi[], if not NULL). */
static inline int wait_workers(mpipool_t *pool, double seconds,
                               mpipool_worker_info_t *wi) {
  int size = mpipool_size(pool), ready = 0;
  for (double t0 = test_now(); ready < size && test_now() - t0 < seconds;) {
    ready = 0;
    for (int i = 0; i < size; i++) {
      mpipool_worker_info_t one;
      ready += mpipool_worker_info(pool, i, wi ? &wi[i] : &one) == 0;
    }
    if (ready < size) {
      struct timespec ts = {0, 20000000L};
      mpipool_wait(pool, 0);
      nanosleep(&ts, NULL);
    }
  }
  return ready;
}

/* How many lines of the file at path hold `what`. */
static inline int lines_with(const char *path, const char *what) {
  char line[512];
  int n = 0;
  FILE *f = fopen(path, "r");
  while (f && fgets(line, sizeof line, f))
    n += strstr(line, what) != NULL;
  if (f)
    fclose(f);
  return n;
}

/* Maps the ints 0..n-1 through task (which doubles them) in chunks of
 * chunksize; 1 when every result is right (*err: the map's status). */
static inline int map_right(mpipool_t *pool, const char *task, int n,
                            size_t chunksize, int *err) {
  int *in = malloc((size_t)(n ? n : 1) * sizeof *in);
  int *out = malloc((size_t)(n ? n : 1) * sizeof *out);
  mpipool_results_t *res = NULL;
  *err = MPIPOOL_ENOMEM;
  if (in && out) {
    for (int i = 0; i < n; i++)
      in[i] = i;
    *err =
        mpipool_map(pool, task, in, (size_t)n, sizeof in[0], chunksize, &res);
  }
  int right = *err == 0 && mpipool_results_copy(res, out, sizeof out[0]) == 0;
  for (int i = 0; right && i < n; i++)
    right = out[i] == 2 * i;
  mpipool_results_free(res);
  free(in);
  free(out);
  return right;
}

/* Closes, joins and destroys; checks that each step works. */
static inline void finish_pool(mpipool_t *pool) {
  is_int(mpipool_close(pool), 0, "close");
  is_int(mpipool_join(pool), 0, "join");
  mpipool_destroy(pool);
}

#endif
