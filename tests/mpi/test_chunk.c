/*
 * test_chunk.c - chunk tasks (mpipool_register_chunk): a map calls the
 * function once per chunk, every item gets its out_size result, in order;
 * a failed call fails its items together, and with retries they run again
 * one by one, so only the bad one fails in the end; apply and map_v call
 * it per item.  A ledger the calls append to (one line per call: its
 * first item and its count) proves how often each item ran.
 *
 * Built twice: test_chunk, and test_chunk_iso (ISOLATED: with isolation,
 * every item runs alone in the worker's child, so every call has count 1).
 */
#include "common.h"

#include <fcntl.h>
#include <unistd.h>

#define N 1000
#define CHUNK 100
#define BAD 513         /* this item may be marked bad: */
#define MARK 0x40000000 /* a call with an item so marked fails */

static char ledger[64]; /* the master's name, sent to each worker */

static int init_ledger(mpipool_ctx_t *ctx, const void *args, size_t size) {
  if (size == 0 || size > sizeof ledger)
    return mpipool_ctx_fail(ctx, "bad ledger name");
  memcpy(ledger, args, size);
  return 0;
}

/* Appends "first count" to the ledger in one write. */
static int log_call(int first, size_t count) {
  char line[64];
  int n = snprintf(line, sizeof line, "%d %zu\n", first, count);
  int fd = open(ledger, O_WRONLY | O_APPEND | O_CREAT, 0600);
  int good = fd >= 0 && write(fd, line, (size_t)n) == n;
  if (fd >= 0)
    close(fd);
  return good;
}

/* count ints -> count ints * 3; a call with a marked item fails. */
static int c_triple(mpipool_ctx_t *ctx, const void *in, size_t count,
                    size_t size, void *out) {
  int first;
  if (size != sizeof first)
    return mpipool_ctx_fail(ctx, "expected ints, got %zu bytes", size);
  memcpy(&first, in, sizeof first);
  if (!log_call(first & ~MARK, count))
    return mpipool_ctx_fail(ctx, "cannot write the ledger %s", ledger);
  if (mpipool_ctx_output(ctx, 4) != NULL ||
      mpipool_ctx_set_output(ctx, "x", 1) != MPIPOOL_EINVAL)
    return mpipool_ctx_fail(ctx, "ctx_output works in a chunk task");
  for (size_t i = 0; i < count; i++) {
    int x;
    memcpy(&x, (const char *)in + i * size, sizeof x);
    if (x & MARK)
      return mpipool_ctx_fail(ctx, "bad item %d", x & ~MARK);
    x *= 3;
    memcpy((char *)out + i * sizeof x, &x, sizeof x);
  }
  return 0;
}

/* No output at all. */
static int c_none(mpipool_ctx_t *ctx, const void *in, size_t count, size_t size,
                  void *out) {
  (void)ctx, (void)in, (void)count, (void)size, (void)out;
  return 0;
}

/* Runs of each item in the ledger into runs[N]; the calls' count into
 * *calls and how many had count 1 into *ones; the ledger is emptied. */
static void read_ledger(int *runs, int *calls, int *ones) {
  memset(runs, 0, N * sizeof *runs);
  *calls = *ones = 0;
  FILE *f = fopen(ledger, "r");
  int first;
  size_t count;
  while (f && fscanf(f, "%d %zu", &first, &count) == 2) {
    (*calls)++;
    *ones += count == 1;
    for (size_t i = 0; i < count; i++)
      if (first >= 0 && (size_t)first + i < N)
        runs[(size_t)first + i]++;
  }
  if (f)
    fclose(f);
  unlink(ledger);
}

int main(void) {
  mpipool_t *pool;
  mpipool_create(&pool);
  mpipool_register(pool, "double", t_double, NULL);
  ok(mpipool_register_chunk(pool, "triple", c_triple, sizeof(int), NULL) == 0 &&
         mpipool_register_chunk(pool, "none", c_none, 0, NULL) == 0,
     "register_chunk");
  ok(mpipool_register_chunk(pool, "double", c_none, 4, NULL) ==
             MPIPOOL_EEXIST &&
         mpipool_register_chunk(pool, "big", c_none, mpipool_result_max() + 1,
                                NULL) == MPIPOOL_EINVAL &&
         mpipool_register_chunk(pool, "nofn", NULL, 4, NULL) ==
             MPIPOOL_EINVAL &&
         mpipool_register_chunk(pool, "", c_none, 4, NULL) == MPIPOOL_EINVAL &&
         mpipool_register_chunk(NULL, "x", c_none, 4, NULL) == MPIPOOL_EINVAL,
     "register_chunk: a name taken EEXIST; out_size above the result "
     "limit, no function, an empty name, no pool EINVAL");
  mpipool_set_processes(pool, 2);
  mpipool_set_retries(pool, 1);
  mpipool_set_head_start(pool, 0); /* every call on a worker */
#ifdef ISOLATED
  mpipool_set_isolation(pool, 1);
#endif
  snprintf(ledger, sizeof ledger, "/tmp/mpipool-chunk-%ld", (long)getpid());
  unlink(ledger);
  mpipool_set_initializer(pool, init_ledger, ledger, strlen(ledger) + 1);
  if (mpipool_start(pool) != 0) {
    ok(0, "start");
    return tap_done();
  }
  is_int(mpipool_register_chunk(pool, "late", c_none, 4, NULL), MPIPOOL_EBUSY,
         "register_chunk after start: EBUSY");

  static int in[N], out[N], runs[N];
  int calls, ones;
  for (int i = 0; i < N; i++)
    in[i] = i;
  mpipool_results_t *res = NULL;
  int err = mpipool_map(pool, "triple", in, N, sizeof *in, CHUNK, &res);
  int right = err == 0 && mpipool_results_failed(res) == 0 &&
              mpipool_results_copy(res, out, sizeof *out) == 0;
  for (int i = 0; right && i < N; i++)
    right = out[i] == 3 * in[i];
  ok(right, "map of %d ints in chunks of %d: every result, in order (%s)", N,
     CHUNK, mpipool_err_name(err));
  mpipool_results_free(res);
  read_ledger(runs, &calls, &ones);
  int once = 1;
  for (int i = 0; i < N; i++)
    once &= runs[i] == 1;
  ok(once, "every item ran once");
#ifdef ISOLATED
  ok(calls == N && ones == N, "isolated: one call per item (%d calls)", calls);
#else
  ok(calls == N / CHUNK && ones == 0, "one call per chunk (%d calls)", calls);
#endif

  /* A call with BAD fails; the retries run its items one by one. */
  in[BAD] = BAD | MARK;
  err = mpipool_map(pool, "triple", in, N, sizeof *in, CHUNK, &res);
  is_int(err, MPIPOOL_ETASK, "a map with a bad item: ETASK");
  is_int(mpipool_results_failed(res), 1, "only the bad item failed in the end");
  const void *d = NULL;
  size_t s = 0;
  int st = mpipool_results_item(res, BAD, &d, &s);
  ok(st == MPIPOOL_ETASK && strcmp(d, "bad item 513") == 0 &&
         mpipool_results_attempts(res, BAD) == 2,
     "the bad item: its message after 2 runs ('%s')", d ? (const char *)d : "");
  right = 1;
  for (int i = 0; i < N; i++) {
    if (i == BAD)
      continue;
    int twice = i / CHUNK == BAD / CHUNK;
#ifdef ISOLATED
    twice = 0; /* failed alone */
#endif
    right &= mpipool_results_item(res, (size_t)i, &d, &s) == 0 &&
             s == sizeof(int) && *(const int *)d == 3 * i &&
             mpipool_results_attempts(res, (size_t)i) == 1 + twice;
  }
  ok(right, "every other item's result; those of the failed call in 2 runs");
  mpipool_results_free(res);
  read_ledger(runs, &calls, &ones);
  once = 1;
  for (int i = 0; i < N; i++) {
    int want = i == BAD ? 2 : 1;
#ifndef ISOLATED
    if (i / CHUNK == BAD / CHUNK)
      want = 2;
#endif
    once &= runs[i] == want;
  }
#ifdef ISOLATED
  ok(once && calls == N + 1 && ones == N + 1,
     "the ledger: each item once, the bad one twice (%d calls)", calls);
#else
  ok(once && calls == N / CHUNK + CHUNK && ones == CHUNK,
     "the ledger: the failed call's items ran again one by one, the "
     "others once (%d calls, %d of 1 item)",
     calls, ones);
#endif

  /* apply and map_v: one item a call */
  int x = 14;
  void *o = NULL;
  err = mpipool_apply(pool, "triple", &x, sizeof x, &o, &s);
  ok(err == 0 && s == sizeof x && *(int *)o == 42, "apply: 14 -> 42");
  free(o);
  const void *ptrs[3] = {&in[7], &in[8], &in[9]};
  size_t sizes[3] = {sizeof(int), sizeof(int), sizeof(int)};
  err = mpipool_map_v(pool, "triple", ptrs, sizes, 3, 0, &res);
  ok(err == 0 && mpipool_results_copy(res, out, sizeof *out) == 0 &&
         out[0] == 21 && out[2] == 27,
     "map_v: 7, 8, 9 -> 21, 24, 27");
  mpipool_results_free(res);
  read_ledger(runs, &calls, &ones);
  ok(calls == 4 && ones == 4 && runs[14] == 1 && runs[8] == 1,
     "apply and map_v: a call per item (%d calls)", calls);

  /* a short input fails the call, and out_size 0 gives empty results */
  short h[4] = {1, 2, 3, 4};
  err = mpipool_map(pool, "triple", h, 4, sizeof *h, 0, &res);
  st = mpipool_results_item(res, 3, &d, &s);
  ok(err == MPIPOOL_ETASK && mpipool_results_failed(res) == 4 &&
         st == MPIPOOL_ETASK && strcmp(d, "expected ints, got 2 bytes") == 0,
     "items of 2 bytes: every one fails with the task's message");
  mpipool_results_free(res);
  err = mpipool_map(pool, "none", in, 50, sizeof *in, 7, &res);
  st = mpipool_results_item(res, 49, &d, &s);
  ok(err == 0 && mpipool_results_count(res) == 50 && st == 0 && s == 0,
     "out_size 0: 50 empty results");
  mpipool_results_free(res);

  is_int(mpipool_close(pool), 0, "close");
  is_int(mpipool_join(pool), 0, "join");
  mpipool_destroy(pool);
  unlink(ledger);
  return tap_done();
}
