/*
 * test_ctx.c - a task's context on a worker (ctx.c): its identity, the
 * output calls, failures and how mpipool__ctx_run turns a task's outcome
 * into a result item.  Results are checked the way the master sees them:
 * encoded as a RESULTS frame and decoded.
 */
#include "config.h"

#include "worker/ctx.h"
#include "transport/wire.h"
#include "mpipool.h"
#include "../tap.h"

#include <stdlib.h>
#include <string.h>

/* ---- tasks ------------------------------------------------------------ */

/* output via mpipool_ctx_output: the input doubled as an int */
/* A worker-data free function that counts its calls. */
static int freed_count;
static void *freed_last;
static void count_free(void *data) {
  freed_count++;
  freed_last = data;
}

static int t_output(mpipool_ctx_t *ctx, const void *in, size_t size) {
  int v;
  if (size != sizeof v)
    return 9;
  memcpy(&v, in, sizeof v);
  int *out = mpipool_ctx_output(ctx, sizeof *out);
  if (out == NULL)
    return 1;
  *out = 2 * v;
  return 0;
}

/* output via set_output: the input reversed */
static int t_set_output(mpipool_ctx_t *ctx, const void *in, size_t size) {
  char buf[64];
  const char *s = in;
  for (size_t i = 0; i < size && i < sizeof buf; i++)
    buf[i] = s[size - 1 - i];
  return mpipool_ctx_set_output(ctx, buf, size);
}

static int t_twice(mpipool_ctx_t *ctx, const void *in, size_t size) {
  (void)in, (void)size;
  char *p = mpipool_ctx_output(ctx, 100);
  memset(p, 'A', 100);
  if (mpipool_ctx_set_output(ctx, "second", 6) != 0)
    return 1;
  return 0;
}

static int t_twice_shrink(mpipool_ctx_t *ctx, const void *in, size_t size) {
  (void)in, (void)size;
  mpipool_ctx_set_output(ctx, "a long first output", 19);
  char *p = mpipool_ctx_output(ctx, 2);
  p[0] = 'o';
  p[1] = 'k';
  return 0;
}

static int t_none(mpipool_ctx_t *ctx, const void *in, size_t size) {
  (void)ctx, (void)in, (void)size;
  return 0;
}

static int t_zero_output(mpipool_ctx_t *ctx, const void *in, size_t size) {
  (void)in, (void)size;
  return mpipool_ctx_output(ctx, 0) == NULL ? 1 : 0;
}

static int t_ret3(mpipool_ctx_t *ctx, const void *in, size_t size) {
  (void)ctx, (void)in, (void)size;
  return 3;
}

static int t_output_ret_neg(mpipool_ctx_t *ctx, const void *in, size_t size) {
  (void)in, (void)size;
  mpipool_ctx_set_output(ctx, "discarded", 9);
  return -12;
}

static int t_fail(mpipool_ctx_t *ctx, const void *in, size_t size) {
  (void)in;
  return mpipool_ctx_fail(ctx, "bad input of %zu bytes: %s", size, "nope");
}

static int t_output_then_fail(mpipool_ctx_t *ctx, const void *in, size_t size) {
  (void)in, (void)size;
  mpipool_ctx_set_output(ctx, "partial output", 14);
  mpipool_ctx_fail(ctx, "failed after output");
  return 0; /* failed, then returned 0: the failure stands */
}

static int t_fail_then_output(mpipool_ctx_t *ctx, const void *in, size_t size) {
  (void)in, (void)size;
  mpipool_ctx_fail(ctx, "a failure replaced by output");
  mpipool_ctx_set_output(ctx, "recovered", 9);
  return 0;
}

static int t_fail_twice(mpipool_ctx_t *ctx, const void *in, size_t size) {
  (void)in, (void)size;
  mpipool_ctx_fail(ctx, "first message, rather long %d", 12345);
  return mpipool_ctx_fail(ctx, "second");
}

static int t_fail_ret_other(mpipool_ctx_t *ctx, const void *in, size_t size) {
  (void)in, (void)size;
  mpipool_ctx_fail(ctx, "explained");
  return 77; /* the message explains it, not "task returned 77" */
}

static int t_fail_long(mpipool_ctx_t *ctx, const void *in, size_t size) {
  (void)in, (void)size;
  char big[3001];
  memset(big, 'x', 3000);
  big[3000] = '\0';
  return mpipool_ctx_fail(ctx, "%s!", big);
}

static int t_fail_empty(mpipool_ctx_t *ctx, const void *in, size_t size) {
  (void)in, (void)size;
  const char *empty = "";
  return mpipool_ctx_fail(ctx, "%s", empty);
}

static int t_identity(mpipool_ctx_t *ctx, const void *in, size_t size) {
  (void)in, (void)size;
  char buf[96];
  int n = snprintf(buf, sizeof buf, "%s/%ld/%s/%s", mpipool_ctx_name(ctx),
                   mpipool_ctx_worker_id(ctx),
                   (const char *)mpipool_ctx_task_data(ctx),
                   (const char *)mpipool_ctx_worker_data(ctx));
  return mpipool_ctx_set_output(ctx, buf, (size_t)n);
}

static int t_big(mpipool_ctx_t *ctx, const void *in, size_t size) {
  (void)in, (void)size;
  unsigned char *p = mpipool_ctx_output(ctx, 100000);
  if (p == NULL)
    return 1;
  for (size_t i = 0; i < 100000; i++)
    p[i] = (unsigned char)(i * 7);
  return 0;
}

static int t_set_output_einval(mpipool_ctx_t *ctx, const void *in,
                               size_t size) {
  (void)in, (void)size;
  if (mpipool_ctx_set_output(ctx, NULL, 5) != MPIPOOL_EINVAL)
    return 1;
  if (mpipool_ctx_set_output(ctx, NULL, 0) != 0)
    return 2;
  return 0;
}

/* ---- chunk tasks --------------------------------------------------------- */

/* What the last chunk call saw. */
static size_t seen_count, seen_size;
static void *seen_data;
static int seen_output, seen_set_output;

/* count ints in -> count ints doubled out; an input of 13 fails the call
 * (with a message), one of 14 returns 5, one of 15 fails, then fails
 * again with a long message, then writes out (still a failure). */
static int c_double(mpipool_ctx_t *ctx, const void *in, size_t count,
                    size_t size, void *out) {
  seen_count = count;
  seen_size = size;
  seen_data = mpipool_ctx_task_data(ctx);
  seen_output = mpipool_ctx_output(ctx, 4) != NULL;
  seen_set_output = mpipool_ctx_set_output(ctx, "x", 1);
  for (size_t i = 0; i < count; i++) {
    int v;
    memcpy(&v, (const char *)in + i * size, sizeof v);
    if (v == 13)
      return mpipool_ctx_fail(ctx, "13 at %zu of %zu", i, count);
    if (v == 14)
      return 5;
    if (v == 15) {
      char big[2001];
      memset(big, 'y', 2000);
      big[2000] = '\0';
      mpipool_ctx_fail(ctx, "first");
      mpipool_ctx_fail(ctx, "%s", big);
      memset(out, 0x55, count * sizeof v); /* out stays writable */
      return 0;
    }
    v *= 2;
    memcpy((char *)out + i * sizeof v, &v, sizeof v);
  }
  return 0;
}

static int c_none(mpipool_ctx_t *ctx, const void *in, size_t count, size_t size,
                  void *out) {
  (void)ctx, (void)in, (void)size, (void)out;
  seen_count = count;
  return 0;
}

/* ---- decoding ------------------------------------------------------------ */

typedef struct {
  mpipool__buf_t frame;
  mpipool__rchunk_view_t v;
} decoded_t;

/* Encodes rb as a one-chunk RESULTS frame and decodes it into d. */
static int decode(const mpipool__rbuild_t *rb, decoded_t *d) {
  mpipool__reader_t r;
  mpipool__rchunk_view_t extra;
  memset(&d->frame, 0, sizeof d->frame);
  return mpipool__wire_results_begin(&d->frame, 3, 0) == 0 &&
         mpipool__wire_results_add(&d->frame, rb) == 0 &&
         mpipool__wire_results_open(&r, d->frame.data, d->frame.len) == 0 &&
         mpipool__wire_results_next(&r, &d->v) == 1 &&
         mpipool__wire_results_next(&r, &extra) == 0;
}

/* Item i has this status and output (or message, for a failure). */
static int item_is(const decoded_t *d, size_t i, int status, const void *want,
                   size_t n) {
  const void *data = NULL;
  size_t size = (size_t)-1;
  if (i >= d->v.count) {
    printf("#   item %zu of %zu\n", i, d->v.count);
    return 0;
  }
  int st = mpipool__rchunk_item(&d->v, i, &data, &size);
  int good = st == status && size == n && (!n || memcmp(data, want, n) == 0);
  if (good && status)
    good = ((const char *)data)[size] == '\0';
  if (!good)
    printf("#   item %zu: status %d size %zu \"%.*s\"\n", i, st, size,
           (int)(size < 80 ? size : 80), (const char *)data);
  return good;
}

/* Runs chunk task t once over the n ints at v into a fresh rb, decoded
 * into d. */
static int run_chunk(mpipool_ctx_t *ctx, mpipool__rbuild_t *rb,
                     const mpipool__task_t *t, const int *v, size_t n,
                     decoded_t *d) {
  mpipool__rbuild_reset(rb);
  seen_count = 0;
  return mpipool__ctx_run_chunk(ctx, rb, t, v, n, sizeof *v) == 0 &&
         decode(rb, d);
}

/* Item i of d is the int want. */
static int int_is(const decoded_t *d, size_t i, int want) {
  return item_is(d, i, 0, &want, sizeof want);
}

static int run(mpipool_ctx_t *ctx, mpipool__rbuild_t *rb, mpipool_task_fn fn,
               const void *in, size_t size) {
  return mpipool__ctx_run(ctx, rb, fn, NULL, in, size);
}

int main(void) {
  mpipool_ctx_t ctx;
  memset(&ctx, 0, sizeof ctx);
  mpipool__ctx_init(&ctx, 7);
  ok(strcmp(mpipool_ctx_name(&ctx), "PoolWorker-7") == 0,
     "ctx_init: name PoolWorker-7");
  is_int(mpipool_ctx_worker_id(&ctx), 7, "ctx_init: id 7");
  {
    mpipool_ctx_t big;
    memset(&big, 0, sizeof big);
    mpipool__ctx_init(&big, 1234567890123L);
    ok(strcmp(mpipool_ctx_name(&big), "PoolWorker-1234567890123") == 0,
       "ctx_init: a large id fits the name");
  }
  ok(mpipool_ctx_task_data(&ctx) == NULL, "no task data outside a task");
  int wd = 1;
  mpipool_ctx_set_worker_data(&ctx, &wd);
  ok(mpipool_ctx_worker_data(&ctx) == &wd, "worker data set and read");
  mpipool_ctx_set_worker_data(&ctx, NULL);
  freed_count = 0;
  mpipool__ctx_free_worker_data(&ctx);
  is_int(freed_count, 0, "no free function: nothing to free");
  mpipool_ctx_set_worker_data_free(&ctx, count_free);
  mpipool__ctx_free_worker_data(&ctx);
  is_int(freed_count, 0, "worker data NULL: the free function is not called");
  mpipool_ctx_set_worker_data(&ctx, &wd);
  mpipool__ctx_free_worker_data(&ctx);
  mpipool__ctx_free_worker_data(&ctx);
  ok(freed_count == 1 && freed_last == &wd,
     "the worker data is freed once, with the free function given");
  ok(mpipool_ctx_worker_data(&ctx) == NULL, "no worker data once freed");
  mpipool_ctx_set_worker_data_free(&ctx, NULL);
  mpipool_ctx_set_worker_data_free(NULL, count_free);

  /* NULL and outside-a-task behaviour */
  ok(strcmp(mpipool_ctx_name(NULL), "") == 0 &&
         mpipool_ctx_worker_id(NULL) == 0 &&
         mpipool_ctx_task_data(NULL) == NULL &&
         mpipool_ctx_worker_data(NULL) == NULL,
     "NULL ctx accessors");
  mpipool_ctx_set_worker_data(NULL, &wd);
  ok(mpipool_ctx_output(NULL, 4) == NULL, "output on NULL ctx -> NULL");
  ok(mpipool_ctx_output(&ctx, 4) == NULL, "output outside a task -> NULL");
  is_int(mpipool_ctx_set_output(NULL, "x", 1), MPIPOOL_EINVAL,
         "set_output on NULL ctx -> EINVAL");
  is_int(mpipool_ctx_fail(NULL, "x"), MPIPOOL_ETASK,
         "fail on NULL ctx -> ETASK");
  is_int(mpipool_ctx_fail(&ctx, "x %d", 1), MPIPOOL_ETASK,
         "fail outside a task -> ETASK");

  /* one chunk of many items, each task kind */
  mpipool__rbuild_t rb = {0};
  int in = 21;
  int rcs = 0;
  rcs |= run(&ctx, &rb, t_output, &in, sizeof in);    /* 0 */
  rcs |= run(&ctx, &rb, t_set_output, "abc", 3);      /* 1 */
  rcs |= run(&ctx, &rb, t_twice, NULL, 0);            /* 2 */
  rcs |= run(&ctx, &rb, t_twice_shrink, NULL, 0);     /* 3 */
  rcs |= run(&ctx, &rb, t_none, "ignored", 7);        /* 4 */
  rcs |= run(&ctx, &rb, t_zero_output, NULL, 0);      /* 5 */
  rcs |= run(&ctx, &rb, t_ret3, NULL, 0);             /* 6 */
  rcs |= run(&ctx, &rb, t_output_ret_neg, NULL, 0);   /* 7 */
  rcs |= run(&ctx, &rb, t_fail, "12345", 5);          /* 8 */
  rcs |= run(&ctx, &rb, t_output_then_fail, NULL, 0); /* 9 */
  rcs |= run(&ctx, &rb, t_fail_then_output, NULL, 0); /* 10 */
  rcs |= run(&ctx, &rb, t_fail_twice, NULL, 0);       /* 11 */
  rcs |= run(&ctx, &rb, t_fail_ret_other, NULL, 0);   /* 12 */
  rcs |= run(&ctx, &rb, t_fail_long, NULL, 0);        /* 13 */
  rcs |= run(&ctx, &rb, t_fail_empty, NULL, 0);       /* 14 */
  rcs |= mpipool__ctx_fail_item(&ctx, &rb, MPIPOOL_ETERMINATED,
                                "never ran");                  /* 15 */
  rcs |= run(&ctx, &rb, t_big, NULL, 0);                       /* 16 */
  rcs |= run(&ctx, &rb, t_set_output_einval, NULL, 0);         /* 17 */
  rcs |= mpipool__ctx_fail_item(&ctx, &rb, MPIPOOL_ETASK, ""); /* 18 */
  rcs |= run(&ctx, &rb, t_output, &in, sizeof in);             /* 19 */
  is_int(rcs, 0, "ctx_run and ctx_fail_item return 0");
  is_int(rb.count, 20, "20 items recorded");
  is_int(rb.nfailed, 10, "10 of them failed");
  ok(ctx.rb == NULL && ctx.task_data == NULL,
     "ctx_run leaves the context detached");

  decoded_t d;
  ok(decode(&rb, &d), "the chunk encodes and decodes");
  is_int(d.v.count, 20, "decoded count");
  is_int(d.v.nfailed, 10, "decoded nfailed");
  int forty_two = 42;
  ok(item_is(&d, 0, 0, &forty_two, sizeof forty_two),
     "mpipool_ctx_output: the task's output");
  ok(item_is(&d, 1, 0, "cba", 3), "mpipool_ctx_set_output: copied output");
  ok(item_is(&d, 2, 0, "second", 6), "output set twice: second replaces");
  ok(item_is(&d, 3, 0, "ok", 2),
     "output set twice, shorter second: only the second");
  ok(item_is(&d, 4, 0, "", 0), "no output: empty result");
  ok(item_is(&d, 5, 0, "", 0), "output of 0 bytes: non-NULL, empty result");
  ok(item_is(&d, 6, MPIPOOL_ETASK, "task returned 3", 15),
     "returned 3 without message: \"task returned 3\"");
  ok(item_is(&d, 7, MPIPOOL_ETASK, "task returned -12", 17),
     "output then returned -12: message replaces output");
  {
    const char *m = "bad input of 5 bytes: nope";
    ok(item_is(&d, 8, MPIPOOL_ETASK, m, strlen(m)),
       "mpipool_ctx_fail: formatted message");
  }
  ok(item_is(&d, 9, MPIPOOL_ETASK, "failed after output", 19),
     "output then fail, return 0: failure with its message");
  ok(item_is(&d, 10, 0, "recovered", 9),
     "fail then set output, return 0: output wins, success");
  ok(item_is(&d, 11, MPIPOOL_ETASK, "second", 6),
     "failed twice: the second message");
  ok(item_is(&d, 12, MPIPOOL_ETASK, "explained", 9),
     "fail then return 77: the message, not \"task returned 77\"");
  {
    char want[3002];
    memset(want, 'x', 3000);
    want[3000] = '!';
    want[3001] = '\0';
    ok(item_is(&d, 13, MPIPOOL_ETASK, want, 3001),
       "a 3001-character failure message kept whole");
  }
  ok(item_is(&d, 14, MPIPOOL_ETASK, "", 0), "an empty failure message");
  ok(item_is(&d, 15, MPIPOOL_ETERMINATED, "never ran", 9),
     "ctx_fail_item: status and message");
  {
    const void *data;
    size_t size;
    int st = mpipool__rchunk_item(&d.v, 16, &data, &size);
    int good = st == 0 && size == 100000;
    for (size_t i = 0; good && i < size; i++)
      good = ((const unsigned char *)data)[i] == (unsigned char)(i * 7);
    ok(good, "a 100000-byte output");
  }
  ok(item_is(&d, 17, 0, "", 0),
     "set_output(NULL, 5) -> EINVAL, (NULL, 0) -> empty output");
  ok(item_is(&d, 18, MPIPOOL_ETASK, "", 0),
     "ctx_fail_item with an empty message");
  ok(item_is(&d, 19, 0, &forty_two, sizeof forty_two),
     "a task after all of these still runs clean");
  mpipool__buf_free(&d.frame);

  /* a chunk of successes of one size takes the fixed path */
  mpipool__rbuild_reset(&rb);
  for (int i = 0; i < 5; i++) {
    in = i;
    run(&ctx, &rb, t_output, &in, sizeof in);
  }
  ok(decode(&rb, &d) && d.v.off == NULL && d.v.fixed == sizeof(int) &&
         d.v.status == NULL,
     "5 int outputs: fixed path");
  {
    int good = 1;
    for (int i = 0; i < 5; i++) {
      int want = 2 * i;
      good &= item_is(&d, (size_t)i, 0, &want, sizeof want);
    }
    ok(good, "5 int outputs: values");
  }
  mpipool__buf_free(&d.frame);

  /* a chunk of empty results */
  mpipool__rbuild_reset(&rb);
  run(&ctx, &rb, t_none, NULL, 0);
  run(&ctx, &rb, t_zero_output, NULL, 0);
  ok(decode(&rb, &d) && d.v.count == 2 && d.v.fixed == 0 && d.v.data_len == 0 &&
         item_is(&d, 1, 0, "", 0),
     "chunk of empty results");
  mpipool__buf_free(&d.frame);

  /* a single failure with the task's data and worker data */
  mpipool__rbuild_reset(&rb);
  mpipool_ctx_set_worker_data(&ctx, "wdata");
  mpipool__ctx_run(&ctx, &rb, t_identity, "tdata", NULL, 0);
  ok(decode(&rb, &d) && item_is(&d, 0, 0, "PoolWorker-7/7/tdata/wdata", 26),
     "a task sees its name, id, task data and worker data");
  ok(mpipool_ctx_task_data(&ctx) == NULL, "task data cleared after the run");
  mpipool__buf_free(&d.frame);

  /* chunk tasks: one call for a chunk */
  int tdata = 0;
  mpipool__task_t ct = {"double", NULL, c_double, sizeof(int), &tdata};
  int v[6] = {1, 2, 3, 4, 5, 6};
  ok(run_chunk(&ctx, &rb, &ct, v, 6, &d), "a chunk task over 6 items");
  ok(seen_count == 6 && seen_size == sizeof(int) && seen_data == &tdata,
     "one call: count 6, the item size, the task data");
  ok(!seen_output && seen_set_output == MPIPOOL_EINVAL,
     "in a chunk task ctx_output is NULL and ctx_set_output EINVAL");
  ok(d.v.count == 6 && d.v.nfailed == 0 && d.v.fixed == sizeof(int) &&
         int_is(&d, 0, 2) && int_is(&d, 5, 12),
     "6 results of out_size each, in order, on the fixed path");
  ok(ctx.rb == NULL && ctx.task_data == NULL && !ctx.chunk && !ctx.said,
     "the context detached after the call");
  mpipool__buf_free(&d.frame);
  v[3] = 13;
  ok(run_chunk(&ctx, &rb, &ct, v, 6, &d) && d.v.count == 6 &&
         d.v.nfailed == 6 &&
         item_is(&d, 0, MPIPOOL_ETASK, "13 at 3 of 6", 12) &&
         item_is(&d, 5, MPIPOOL_ETASK, "13 at 3 of 6", 12),
     "a call that fails: every item of it fails with its message");
  mpipool__buf_free(&d.frame);
  v[3] = 14;
  ok(run_chunk(&ctx, &rb, &ct, v, 6, &d) && d.v.nfailed == 6 &&
         item_is(&d, 2, MPIPOOL_ETASK, "task returned 5", 15),
     "a call that returns 5: every item \"task returned 5\"");
  mpipool__buf_free(&d.frame);
  v[3] = 15;
  {
    char want[2001];
    memset(want, 'y', 2000);
    want[2000] = '\0';
    ok(run_chunk(&ctx, &rb, &ct, v, 6, &d) && d.v.nfailed == 6 &&
           item_is(&d, 4, MPIPOOL_ETASK, want, 2000),
       "failed twice, out written after, return 0: the last message, "
       "longer than the outputs");
  }
  mpipool__buf_free(&d.frame);
  v[3] = 4;
  mpipool__task_t none = {"none", NULL, c_none, 0, NULL};
  ok(run_chunk(&ctx, &rb, &none, v, 3, &d) && seen_count == 3 &&
         d.v.count == 3 && d.v.nfailed == 0 && item_is(&d, 2, 0, "", 0),
     "out_size 0: empty results");
  mpipool__buf_free(&d.frame);
  {
    /* a chunk call beside items of other sizes: the variable path */
    mpipool__rbuild_reset(&rb);
    run(&ctx, &rb, t_set_output, "abcdefgh", 8);
    mpipool__ctx_run_chunk(&ctx, &rb, &ct, v, 2, sizeof *v);
    ok(decode(&rb, &d) && d.v.off != NULL && d.v.count == 3 &&
           item_is(&d, 0, 0, "hgfedcba", 8) && int_is(&d, 2, 4),
       "8 bytes, then a call of 2 ints: sizes differ, each item its own");
    mpipool__buf_free(&d.frame);
    mpipool__rbuild_reset(&rb);
    mpipool__ctx_run_chunk(&ctx, &rb, &ct, v, 2, sizeof *v);
    run(&ctx, &rb, t_output, &v[2], sizeof *v);
    run(&ctx, &rb, t_set_output, "ab", 2);
    ok(decode(&rb, &d) && d.v.off != NULL && int_is(&d, 2, 6) &&
           item_is(&d, 3, 0, "ba", 2),
       "a call of 2 ints, an int, 2 bytes: the variable path");
    mpipool__buf_free(&d.frame);
  }
  ok(run_chunk(&ctx, &rb, &ct, v, 0, &d) && seen_count == 0 && d.v.count == 0,
     "no items: no call");
  mpipool__buf_free(&d.frame);

  /* chunk tasks one item at a time, as isolation and apply run them */
  mpipool_task_fn fn;
  void *fdata;
  mpipool__task_t plain = {"plain", t_output, NULL, 0, &tdata};
  mpipool__task_item(&plain, &fn, &fdata);
  ok(fn == t_output && fdata == &tdata, "task_item: a task is itself");
  mpipool__task_item(&ct, &fn, &fdata);
  mpipool__rbuild_reset(&rb);
  int one[4] = {7, 13, 14, 15};
  for (int i = 0; i < 4; i++)
    mpipool__ctx_run(&ctx, &rb, fn, fdata, &one[i], sizeof one[i]);
  ok(seen_count == 1 && seen_data == &tdata && decode(&rb, &d) &&
         d.v.count == 4 && int_is(&d, 0, 14) &&
         item_is(&d, 1, MPIPOOL_ETASK, "13 at 0 of 1", 12) &&
         item_is(&d, 2, MPIPOOL_ETASK, "task returned 5", 15),
     "task_item: a chunk task called with count 1 per item, "
     "its failures per item");
  {
    const void *data;
    size_t size;
    ok(mpipool__rchunk_item(&d.v, 3, &data, &size) == MPIPOOL_ETASK &&
           size == 2000,
       "count 1: out written after the failure, the message stands");
  }
  ok(ctx.rb == NULL && !ctx.chunk && !ctx.said,
     "count 1: the context detached after");
  mpipool__buf_free(&d.frame);

  mpipool__rbuild_free(&rb);
  return tap_done();
}
