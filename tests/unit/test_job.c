/*
 * test_job.c - the master's bookkeeping without MPI (job.c, results.c and
 * the async-handle accessors): chunk sizes, chunking, the queue, results of
 * MAP jobs, streaming (ordered and unordered) and async callbacks, fed with
 * hand-built RESULTS frames.  Run it under valgrind: every job, received
 * buffer and results object must be freed exactly once.
 */
#include "config.h"

#include "engine/job.h"
#include "transport/wire.h"
#include "mpipool.h"
#include "../tap.h"

#include <stdlib.h>
#include <string.h>

/* ---- building RESULTS frames as a worker would ---------------------- */

static void put_int(mpipool__rbuild_t *rb, int v) {
  mpipool__rbuild_begin(rb);
  mpipool__buf_append(&rb->data, &v, sizeof v);
  mpipool__rbuild_end(rb, 0);
}

static void put_bytes(mpipool__rbuild_t *rb, const void *d, size_t n) {
  mpipool__rbuild_begin(rb);
  mpipool__buf_append(&rb->data, d, n);
  mpipool__rbuild_end(rb, 0);
}

static void put_fail(mpipool__rbuild_t *rb, int status, const char *msg) {
  mpipool__rbuild_begin(rb);
  mpipool__buf_append(&rb->data, msg, strlen(msg) + 1);
  mpipool__rbuild_end(rb, status);
}

/* Encodes n built chunks as one RESULTS frame, copies it into a malloc'd
 * buffer as a received message, wraps it (one reference, the caller's) and
 * sets views[k] to chunk k.  Frees the builders. */
static mpipool__rbuf_t *seal(mpipool__rbuild_t *rbs, size_t n,
                             mpipool__rchunk_view_t *views) {
  mpipool__buf_t b = {0};
  mpipool__wire_results_begin(&b, 1, 0);
  for (size_t k = 0; k < n; k++)
    mpipool__wire_results_add(&b, &rbs[k]);
  void *copy = malloc(b.len);
  memcpy(copy, b.data, b.len);
  size_t len = b.len;
  mpipool__buf_free(&b);
  mpipool__rbuf_t *buf = mpipool__rbuf_new(copy);
  mpipool__reader_t r;
  if (mpipool__wire_results_open(&r, buf->data, len) != 0)
    abort();
  for (size_t k = 0; k < n; k++)
    if (mpipool__wire_results_next(&r, &views[k]) != 1)
      abort();
  for (size_t k = 0; k < n; k++)
    mpipool__rbuild_free(&rbs[k]);
  return buf;
}

/* Output of item i in these tests: the int 10 * i, or, if i == fail_at, a
 * failure "item <i> failed". */
static void put_item(mpipool__rbuild_t *rb, size_t i, size_t fail_at) {
  if (i == fail_at) {
    char m[48];
    snprintf(m, sizeof m, "item %zu failed", i);
    put_fail(rb, MPIPOOL_ETASK, m);
  } else {
    put_int(rb, (int)(10 * i));
  }
}

/* The results of chunk c of job, as one frame of its own. */
static mpipool__rbuf_t *chunk_frame(const mpipool__job_t *job, size_t c,
                                    size_t fail_at,
                                    mpipool__rchunk_view_t *view) {
  mpipool__rbuild_t rb = {0};
  size_t first = mpipool__job_chunk_first(job, c);
  size_t n = mpipool__job_chunk_count(job, c);
  for (size_t j = 0; j < n; j++)
    put_item(&rb, first + j, fail_at);
  return seal(&rb, 1, view);
}

/* Delivers chunk c's results as the engine does, from worker `worker`,
 * dropping our reference to the received message; returns chunk_done's
 * answer. */
static int deliver_from(mpipool__job_t *job, size_t c, size_t fail_at,
                        long worker) {
  mpipool__rchunk_view_t v;
  mpipool__rbuf_t *buf = chunk_frame(job, c, fail_at, &v);
  int done = mpipool__job_chunk_done(job, c, buf, &v, worker);
  mpipool__rbuf_unref(buf);
  return done;
}

static int deliver(mpipool__job_t *job, size_t c, size_t fail_at) {
  return deliver_from(job, c, fail_at, 0);
}

#define NONE ((size_t)-1)

static mpipool__job_t *new_job(int kind, size_t count, size_t chunksize) {
  static int dummy[64];
  mpipool__src_t src = {(const char *)dummy, sizeof dummy[0], NULL, NULL};
  mpipool__job_t *job = NULL;
  if (mpipool__job_new(kind, 0, &src, count, chunksize, &job) != 0)
    abort();
  return job;
}

static void drop(mpipool__job_t *job) {
  mpipool__job_unref(job);
  mpipool__job_unref(job);
}

/* ---- stream recording ------------------------------------------------ */

typedef struct {
  size_t n;
  size_t idx[64];
  int st[64];
  int val[64];
  size_t size[64];
  char msg[64][64];
  int nul_ok;
} rec_t;

static void rec_cb(size_t index, int status, const void *data, size_t size,
                   void *arg) {
  rec_t *r = arg;
  size_t k = r->n++;
  r->idx[k] = index;
  r->st[k] = status;
  r->size[k] = size;
  r->val[k] = -1;
  r->msg[k][0] = '\0';
  if (status == 0 && size == sizeof(int))
    memcpy(&r->val[k], data, sizeof(int));
  else if (status != 0) {
    snprintf(r->msg[k], sizeof r->msg[k], "%.*s", (int)size,
             (const char *)data);
    if (((const char *)data)[size] != '\0')
      r->nul_ok = 0;
  }
}

/* ---- tests ------------------------------------------------------------ */

static void test_chunksize(void) {
  static const size_t t[][3] = {
      {0, 4, 0},     {10, 4, 1}, {100, 2, 13}, {1000000, 2, 125000},
      {1, 1, 1},     {4, 1, 1},  {5, 1, 2},    {16, 4, 1},
      {17, 4, 2},    {32, 4, 2}, {33, 4, 3},   {7, 100, 1},
      {1000, 3, 84}, {0, 0, 0},
  };
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
    char what[80];
    snprintf(what, sizeof what, "default_chunksize(%zu, %zu) = %zu", t[i][0],
             t[i][1], t[i][2]);
    is_int(mpipool__default_chunksize(t[i][0], t[i][1]), t[i][2], what);
  }
  ok(mpipool__default_chunksize(5, 0) >= 1,
     "default_chunksize with 0 workers is at least 1");
  is_int(mpipool__job_chunksize(0, 100, 2), 13, "chunksize 0: the default");
  is_int(mpipool__job_chunksize(7, 100, 2), 7, "a chunksize asked is kept");
  is_int(mpipool__job_chunksize(500, 100, 2), 100, "at most the item count");
  is_int(mpipool__job_chunksize(0, 0, 2), 0, "no items: 0, as job_new takes");
}

static void test_chunking(void) {
  mpipool__job_t *job = new_job(MPIPOOL__JOB_MAP, 10, 3);
  is_int(job->refs, 2, "new job: submitter's and engine's references");
  is_int(job->nchunks, 4, "10 items by 3: 4 chunks");
  is_int(job->done, 0, "not done");
  ok(job->kind == MPIPOOL__JOB_MAP && job->count == 10 && job->chunksize == 3,
     "kind, count, chunksize");
  size_t f[4], n[4];
  for (size_t c = 0; c < 4; c++) {
    f[c] = mpipool__job_chunk_first(job, c);
    n[c] = mpipool__job_chunk_count(job, c);
  }
  ok(f[0] == 0 && f[1] == 3 && f[2] == 6 && f[3] == 9, "chunk firsts");
  ok(n[0] == 3 && n[1] == 3 && n[2] == 3 && n[3] == 1,
     "chunk counts, last one shorter");
  drop(job);

  job = new_job(MPIPOOL__JOB_MAP, 9, 3);
  ok(job->nchunks == 3 && mpipool__job_chunk_count(job, 2) == 3,
     "9 by 3: 3 full chunks");
  drop(job);
  job = new_job(MPIPOOL__JOB_MAP, 5, 5);
  ok(job->nchunks == 1 && mpipool__job_chunk_count(job, 0) == 5,
     "chunksize == count: one chunk");
  drop(job);
  job = new_job(MPIPOOL__JOB_MAP, 5, 1);
  ok(job->nchunks == 5 && mpipool__job_chunk_first(job, 4) == 4 &&
         mpipool__job_chunk_count(job, 4) == 1,
     "chunksize 1: one chunk per item");
  drop(job);
  job = new_job(MPIPOOL__JOB_MAP, 0, 0);
  ok(job->nchunks == 0 && job->done == 1 && job->chunks == NULL,
     "0 items: 0 chunks, done at once");
  drop(job);
  job = new_job(MPIPOOL__JOB_ASYNC, 1, 1);
  ok(job->nchunks == 1 && job->chunks == &job->one && !job->done,
     "async: one chunk, kept inline");
  /* A program may have millions out: each costs the master this. */
  ok(sizeof(void *) != 8 || sizeof *job <= 240,
     "an apply_async's job is at most 240 bytes (LP64), input aside");
  drop(job);

  /* apply_async's job holds its own copy of the input. */
  char in[] = "twelve bytes";
  is_int(mpipool__job_new_async(7, in, sizeof in, &job), 0, "async job made");
  memset(in, 'x', sizeof in - 1);
  ok(job->kind == MPIPOOL__JOB_ASYNC && job->fn == 7 && job->count == 1 &&
         job->nchunks == 1 && job->chunks == &job->one && !job->done,
     "async job: one item of its task, in one chunk");
  ok(job->src.base != in && job->src.item_size == sizeof in &&
         job->src.ptrs == NULL &&
         memcmp(job->src.base, "twelve bytes", sizeof in) == 0,
     "async job: its input is a copy, unchanged when the caller's is");
  drop(job);
  is_int(mpipool__job_new_async(7, NULL, 0, &job), 0, "async job of no input");
  ok(job->src.item_size == 0 && job->count == 1,
     "async job of no input: one item of 0 bytes");
  drop(job);
}

static void test_queue(void) {
  mpipool__queue_t q = {0};
  mpipool__job_t *a = new_job(MPIPOOL__JOB_MAP, 7, 3);    /* 3 chunks */
  mpipool__job_t *b = new_job(MPIPOOL__JOB_MAP, 0, 0);    /* none */
  mpipool__job_t *c = new_job(MPIPOOL__JOB_STREAM, 4, 2); /* 2 */
  mpipool__job_t *d = new_job(MPIPOOL__JOB_ASYNC, 1, 1);  /* 1 */
  mpipool__job_t *j;
  size_t ch;

  ok(q.head == NULL, "empty queue: no head");
  is_int(mpipool__queue_next(&q, &j, &ch), 0, "empty queue: next 0");
  is_int(mpipool__queue_peek(&q, &j, &ch), 0, "empty queue: peek 0");
  mpipool__queue_push(&q, a);
  mpipool__queue_push(&q, b);
  is_int(q.chunks, 3, "a job of 0 chunks is not queued");
  mpipool__queue_push(&q, c);
  is_int(q.chunks, 5, "chunks counts every waiting chunk");
  ok(q.head == a, "head: the first job");

  int order_ok = 1;
  static const size_t want_chunk[] = {0, 1, 2, 0, 1, 0};
  mpipool__job_t *want_job[] = {a, a, a, c, c, d};
  int peek_ok = 1;
  for (size_t k = 0; k < 6; k++) {
    if (k == 1)
      mpipool__queue_push(&q, d); /* arrives while a is being handed out */
    mpipool__job_t *pk = q.head, *pj = NULL;
    size_t pc = 99, left = q.chunks;
    peek_ok &= mpipool__queue_peek(&q, &pj, &pc) == 1 && q.chunks == left;
    if (!mpipool__queue_next(&q, &j, &ch) || j != want_job[k] ||
        ch != want_chunk[k] || pk != j) {
      order_ok = 0;
      printf("#   step %zu: chunk %zu\n", k, ch);
    }
    peek_ok &= pj == j && pc == ch;
  }
  ok(order_ok, "next: chunks in submission order, from the head");
  ok(peek_ok, "peek: the chunk next takes, left in the queue");
  ok(a->dispatched == 3 && c->dispatched == 2 && d->dispatched == 1,
     "dispatched counters");
  is_int(q.chunks, 0, "no chunk waiting");
  ok(q.head == NULL && q.tail == NULL, "queue empty again");
  is_int(mpipool__queue_next(&q, &j, &ch), 0, "next on the emptied queue");

  /* a job pushed after the queue emptied starts a new list */
  mpipool__job_t *e = new_job(MPIPOOL__JOB_MAP, 2, 1);
  mpipool__queue_push(&q, e);
  ok(q.head == e && q.chunks == 2, "push after empty");
  ok(mpipool__queue_next(&q, &j, &ch) && j == e && ch == 0 && q.head == e &&
         q.chunks == 1,
     "partly dispatched job stays at the head");
  ok(mpipool__queue_next(&q, &j, &ch) && j == e && ch == 1 && q.head == NULL,
     "then leaves the queue");
  /* a chunk to run again comes first, for peek as for next */
  mpipool__job_t *f = new_job(MPIPOOL__JOB_MAP, 6, 2);
  mpipool__queue_push(&q, f);
  mpipool__queue_next(&q, &j, &ch);
  mpipool__queue_again(&q, e, 1, -1);
  ok(mpipool__queue_peek(&q, &j, &ch) && j == e && ch == 1 && q.chunks == 3,
     "peek: a chunk to run again first");
  ok(mpipool__queue_next(&q, &j, &ch) && j == e && ch == 1 &&
         mpipool__queue_peek(&q, &j, &ch) && j == f && ch == 1,
     "... then the queued job's next chunk");
  while (mpipool__queue_next(&q, &j, &ch))
    ;
  drop(f);
  drop(a);
  drop(b);
  drop(c);
  drop(d);
  drop(e);
}

static void test_map(void) {
  /* 10 items by 3, results arriving out of order */
  mpipool__job_t *job = new_job(MPIPOOL__JOB_MAP, 10, 3);
  int d3 = deliver(job, 3, NONE);
  int d1 = deliver(job, 1, NONE);
  int d0 = deliver(job, 0, NONE);
  ok(d3 == 0 && d1 == 0 && d0 == 0 && !job->done && job->completed == 3,
     "map: not done before the last chunk");
  is_int(deliver(job, 2, NONE), 1, "map: last chunk completes the job");
  ok(job->done && job->nfailed == 0 && job->fail == 0, "map: done, no fail");
  mpipool_results_t *res = NULL;
  is_int(mpipool__job_take_results(job, &res), 0, "take_results");
  drop(job); /* results outlive the job */
  is_int(mpipool_results_count(res), 10, "results_count");
  is_int(mpipool_results_failed(res), 0, "results_failed");
  int all = 1;
  for (size_t i = 0; i < 10; i++) {
    const void *d;
    size_t s;
    int v = -1;
    int st = mpipool_results_item(res, i, &d, &s);
    if (st == 0 && s == sizeof v)
      memcpy(&v, d, sizeof v);
    if (st != 0 || v != (int)(10 * i))
      all = 0;
  }
  ok(all, "results_item: every item in input order");
  is_int(mpipool_results_item(res, 10, NULL, NULL), MPIPOOL_EINVAL,
         "results_item out of range -> EINVAL");
  is_int(mpipool_results_item(res, (size_t)-1, NULL, NULL), MPIPOOL_EINVAL,
         "results_item huge index -> EINVAL");
  is_int(mpipool_results_item(res, 4, NULL, NULL), 0,
         "results_item with NULL data and size");
  int out[10] = {0};
  is_int(mpipool_results_copy(res, out, sizeof(int)), 0, "results_copy");
  ok(out[0] == 0 && out[4] == 40 && out[9] == 90, "results_copy values");
  long wide[10];
  is_int(mpipool_results_copy(res, wide, sizeof(long)), MPIPOOL_EINVAL,
         "results_copy with wrong item_size -> EINVAL");
  is_int(mpipool_results_copy(res, NULL, sizeof(int)), MPIPOOL_EINVAL,
         "results_copy to NULL -> EINVAL");
  mpipool_results_free(res);

  /* a failed item: ETASK from item and copy, others fine */
  job = new_job(MPIPOOL__JOB_MAP, 4, 2);
  deliver(job, 1, 3);
  deliver(job, 0, NONE);
  ok(job->done && job->nfailed == 1, "map with a failed item: nfailed 1");
  mpipool__job_take_results(job, &res);
  drop(job);
  is_int(mpipool_results_failed(res), 1, "results_failed 1");
  {
    const void *d;
    size_t s;
    int st = mpipool_results_item(res, 3, &d, &s);
    is_int(st, MPIPOOL_ETASK, "failed item -> ETASK");
    ok(s == strlen("item 3 failed") && memcmp(d, "item 3 failed", s) == 0 &&
           ((const char *)d)[s] == '\0',
       "failed item: message, NUL-terminated, size without NUL");
    is_int(mpipool_results_item(res, 2, &d, &s), 0, "neighbour ok");
  }
  is_int(mpipool_results_copy(res, out, sizeof(int)), MPIPOOL_ETASK,
         "results_copy with a failed item -> ETASK");
  mpipool_results_free(res);

  /* a chunk that never ran, and a chunk of mixed sizes */
  job = new_job(MPIPOOL__JOB_MAP, 5, 2);
  is_int(mpipool__job_chunk_fail(job, 1, MPIPOOL_ETERMINATED, NULL), 0,
         "chunk_fail: not done yet");
  {
    mpipool__rbuild_t rb = {0};
    mpipool__rchunk_view_t v;
    put_bytes(&rb, "abcd", 4);
    put_bytes(&rb, "xy", 2);
    mpipool__rbuf_t *buf = seal(&rb, 1, &v);
    mpipool__job_chunk_done(job, 0, buf, &v, 0);
    mpipool__rbuf_unref(buf);
  }
  is_int(deliver(job, 2, NONE), 1, "done after the third chunk");
  ok(job->fail == MPIPOOL_ETERMINATED && job->nfailed == 2,
     "chunk_fail: job->fail and its items counted failed");
  mpipool__job_take_results(job, &res);
  drop(job);
  {
    const void *d;
    size_t s;
    is_int(mpipool_results_item(res, 2, &d, &s), MPIPOOL_ETERMINATED,
           "item of a failed chunk -> its status");
    ok(strcmp(d, mpipool_strerror(MPIPOOL_ETERMINATED)) == 0 && s == strlen(d),
       "item of a failed chunk: the status's description");
    is_int(mpipool_results_item(res, 3, &d, &s), MPIPOOL_ETERMINATED,
           "second item of the failed chunk");
    ok(mpipool_results_item(res, 1, &d, &s) == 0 && s == 2 &&
           memcmp(d, "xy", 2) == 0,
       "mixed-size chunk item");
    ok(mpipool_results_item(res, 4, &d, &s) == 0 && s == 4,
       "item of the last chunk");
  }
  is_int(mpipool_results_copy(res, out, sizeof(int)), MPIPOOL_EINVAL,
         "copy: mixed sizes seen first -> EINVAL");
  is_int(mpipool_results_failed(res), 2, "results_failed 2");
  mpipool_results_free(res);

  /* copy through the per-item path: varying-size chunk all of item_size
   * is impossible from a worker, but a chunk whose sizes differ can still
   * be read; and a fixed path with item_size mismatch */
  job = new_job(MPIPOOL__JOB_MAP, 3, 3);
  {
    mpipool__rbuild_t rb = {0};
    mpipool__rchunk_view_t v;
    put_bytes(&rb, "aa", 2);
    put_bytes(&rb, "bb", 2);
    put_bytes(&rb, "cc", 2);
    mpipool__rbuf_t *buf = seal(&rb, 1, &v);
    ok(v.off == NULL && v.fixed == 2, "same-size chunk uses the fixed path");
    mpipool__job_chunk_done(job, 0, buf, &v, 0);
    is_int(buf->refs, 2, "a kept chunk holds a reference to its message");
    mpipool__rbuf_unref(buf);
  }
  mpipool__job_take_results(job, &res);
  drop(job);
  char three[6];
  is_int(mpipool_results_copy(res, three, 2), 0, "copy of 2-byte items");
  ok(memcmp(three, "aabbcc", 6) == 0, "copy bytes");
  is_int(mpipool_results_copy(res, three, 1), MPIPOOL_EINVAL,
         "copy of fixed chunk with item_size 1 -> EINVAL");
  mpipool_results_free(res);

  /* two chunks sharing one received frame */
  job = new_job(MPIPOOL__JOB_MAP, 4, 2);
  {
    mpipool__rbuild_t rb[2];
    memset(rb, 0, sizeof rb);
    mpipool__rchunk_view_t v[2];
    for (size_t i = 0; i < 4; i++)
      put_item(&rb[i / 2], i, NONE);
    mpipool__rbuf_t *buf = seal(rb, 2, v);
    mpipool__job_chunk_done(job, 0, buf, &v[0], 0);
    is_int(mpipool__job_chunk_done(job, 1, buf, &v[1], 0), 1,
           "two chunks of one frame complete the job");
    is_int(buf->refs, 3, "shared frame: one reference per chunk + ours");
    mpipool__rbuf_unref(buf);
    mpipool__job_take_results(job, &res);
    drop(job);
    is_int(buf->refs, 2, "the results keep the chunks' references");
    int o[4];
    ok(mpipool_results_copy(res, o, sizeof(int)) == 0 && o[3] == 30,
       "shared frame: copy");
    mpipool_results_free(res); /* frees the frame (valgrind checks) */
  }

  /* a map job dropped without taking its results frees them */
  job = new_job(MPIPOOL__JOB_MAP, 4, 2);
  deliver(job, 0, NONE);
  drop(job);
  ok(1, "unref of an unfinished map job with kept results (valgrind)");

  /* 0 items */
  job = new_job(MPIPOOL__JOB_MAP, 0, 0);
  is_int(mpipool__job_take_results(job, &res), 0, "take_results of 0 items");
  drop(job);
  ok(mpipool_results_count(res) == 0 && mpipool_results_failed(res) == 0,
     "empty results");
  is_int(mpipool_results_item(res, 0, NULL, NULL), MPIPOOL_EINVAL,
         "empty results: item 0 -> EINVAL");
  is_int(mpipool_results_copy(res, NULL, sizeof(int)), 0,
         "empty results: copy to NULL ok");
  mpipool_results_free(res);

  /* NULL */
  ok(mpipool_results_count(NULL) == 0 && mpipool_results_failed(NULL) == 0,
     "NULL results: count and failed 0");
  is_int(mpipool_results_item(NULL, 0, NULL, NULL), MPIPOOL_EINVAL,
         "NULL results: item -> EINVAL");
  is_int(mpipool_results_copy(NULL, out, 4), MPIPOOL_EINVAL,
         "NULL results: copy -> EINVAL");
  mpipool_results_free(NULL);
  ok(1, "results_free(NULL) is a no-op");
}

static void test_stream(void) {
  rec_t rec;
  /* unordered: each chunk is delivered as it arrives */
  memset(&rec, 0, sizeof rec);
  rec.nul_ok = 1;
  mpipool__job_t *job = new_job(MPIPOOL__JOB_STREAM, 7, 3);
  job->item_cb = rec_cb;
  job->item_arg = &rec;
  deliver(job, 2, NONE);
  ok(rec.n == 1 && rec.idx[0] == 6 && rec.val[0] == 60 && rec.st[0] == 0,
     "unordered: last chunk delivered at once");
  deliver(job, 0, 1);
  ok(rec.n == 4 && rec.idx[1] == 0 && rec.idx[2] == 1 && rec.idx[3] == 2,
     "unordered: chunk 0 delivered next, in item order");
  ok(rec.st[2] == MPIPOOL_ETASK && strcmp(rec.msg[2], "item 1 failed") == 0 &&
         rec.size[2] == strlen("item 1 failed") && rec.nul_ok,
     "unordered: failed item with its message (size without NUL)");
  is_int(mpipool__job_chunk_fail(job, 1, MPIPOOL_ETERMINATED, NULL), 1,
         "unordered: chunk_fail completes the job");
  ok(rec.n == 7 && rec.idx[4] == 3 && rec.idx[6] == 5 &&
         rec.st[5] == MPIPOOL_ETERMINATED &&
         strcmp(rec.msg[5], mpipool_strerror(MPIPOOL_ETERMINATED)) == 0,
     "unordered: failed chunk's items get its status");
  ok(job->done && job->nfailed == 4, "unordered: done, 4 failed");
  drop(job);

  /* ordered: only in input order */
  memset(&rec, 0, sizeof rec);
  rec.nul_ok = 1;
  job = new_job(MPIPOOL__JOB_STREAM, 10, 3);
  job->ordered = 1;
  job->item_cb = rec_cb;
  job->item_arg = &rec;
  mpipool__rchunk_view_t v;
  mpipool__rbuf_t *b2 = chunk_frame(job, 2, NONE, &v);
  mpipool__job_chunk_done(job, 2, b2, &v, 0);
  ok(rec.n == 0, "ordered: chunk 2 first: nothing delivered");
  is_int(b2->refs, 2, "ordered: an undelivered chunk keeps its message");
  deliver(job, 3, NONE);
  ok(rec.n == 0, "ordered: chunk 3: still nothing");
  deliver(job, 0, NONE);
  int good = rec.n == 3;
  for (size_t k = 0; good && k < 3; k++)
    good = rec.idx[k] == k && rec.val[k] == (int)(10 * k);
  ok(good, "ordered: chunk 0 delivers items 0..2 only");
  is_int(b2->refs, 2, "ordered: chunk 2 still held");
  is_int(deliver(job, 1, 4), 1, "ordered: the missing chunk completes the job");
  good = rec.n == 10;
  for (size_t k = 0; good && k < 10; k++)
    good = rec.idx[k] == k &&
           (k == 4 ? rec.st[k] == MPIPOOL_ETASK : rec.val[k] == (int)(10 * k));
  ok(good, "ordered: then items 3..9 in order, item 4 failed");
  is_int(b2->refs, 1, "ordered: delivered chunks release their message");
  mpipool__rbuf_unref(b2);
  drop(job);

  /* ordered with a chunk that never ran, arriving before its predecessor */
  memset(&rec, 0, sizeof rec);
  rec.nul_ok = 1;
  job = new_job(MPIPOOL__JOB_STREAM, 4, 2);
  job->ordered = 1;
  job->item_cb = rec_cb;
  job->item_arg = &rec;
  mpipool__job_chunk_fail(job, 1, MPIPOOL_ENOWORKERS, NULL);
  ok(rec.n == 0, "ordered: failed chunk 1 waits for chunk 0");
  deliver(job, 0, NONE);
  ok(rec.n == 4 && rec.idx[2] == 2 && rec.st[2] == MPIPOOL_ENOWORKERS &&
         rec.st[3] == MPIPOOL_ENOWORKERS && rec.st[1] == 0,
     "ordered: then 0, 1 ok and 2, 3 with the chunk's status");
  ok(job->done && job->fail == MPIPOOL_ENOWORKERS, "ordered: done, fail");
  drop(job);

  /* no worker could serve: the first chunk fails before any result, and
   * the callback is never called (the call returns ENOWORKERS) */
  for (int ordered = 0; ordered < 2; ordered++) {
    memset(&rec, 0, sizeof rec);
    job = new_job(MPIPOOL__JOB_STREAM, 4, 2);
    job->ordered = ordered;
    job->item_cb = rec_cb;
    job->item_arg = &rec;
    mpipool__job_chunk_fail(job, 0, MPIPOOL_ENOWORKERS, NULL);
    ok(mpipool__job_chunk_fail(job, 1, MPIPOOL_ENOWORKERS, NULL) == 1,
       "%s, no worker: done", ordered ? "ordered" : "unordered");
    ok(rec.n == 0 && job->fail == MPIPOOL_ENOWORKERS,
       "%s, no worker: ENOWORKERS, the callback never called (%zu calls)",
       ordered ? "ordered" : "unordered", (size_t)rec.n);
    drop(job);
  }
}

/* ---- async ------------------------------------------------------------ */

typedef struct {
  int ncb, nerr, status, value;
  char msg[64];
  mpipool_async_t *h;
} acount_t;

static void a_cb(mpipool_async_t *h, const void *data, size_t size, void *arg) {
  acount_t *a = arg;
  a->ncb++;
  a->h = h;
  if (size == sizeof(int))
    memcpy(&a->value, data, sizeof(int));
}

static void a_err(mpipool_async_t *h, int status, const char *message,
                  void *arg) {
  acount_t *a = arg;
  a->nerr++;
  a->h = h;
  a->status = status;
  snprintf(a->msg, sizeof a->msg, "%s", message);
}

static mpipool__job_t *new_async(acount_t *a) {
  mpipool__job_t *job = NULL;
  if (mpipool__job_new_async(0, "sixteen bytes in", 16, &job) != 0)
    abort();
  job->cb = a_cb;
  job->err_cb = a_err;
  job->cb_arg = a;
  return job;
}

static void test_async(void) {
  acount_t a;
  const void *d;
  size_t s;

  memset(&a, 0, sizeof a);
  mpipool__job_t *job = new_async(&a);
  is_int(mpipool_async_successful(job), MPIPOOL_ENOTREADY,
         "async not done: successful -> ENOTREADY");
  is_int(mpipool_async_ready(job), 0, "async not done: ready 0");
  ok(strcmp(mpipool_async_error(job), "") == 0, "async not done: error \"\"");
  is_int(mpipool_async_wait(job, 0), MPIPOOL_EBUSY,
         "async not done, no pool: wait -> EBUSY");
  ok(a.ncb == 0 && a.nerr == 0, "no callback before the result");
  /* item 0 of the job is the int 0: make it 42 */
  {
    mpipool__rbuild_t rb = {0};
    mpipool__rchunk_view_t v;
    put_int(&rb, 42);
    mpipool__rbuf_t *buf = seal(&rb, 1, &v);
    is_int(mpipool__job_chunk_done(job, 0, buf, &v, 0), 1,
           "async: its one chunk completes it");
    mpipool__rbuf_unref(buf);
  }
  ok(a.ncb == 1 && a.nerr == 0 && a.value == 42 && a.h == job,
     "async success: cb once with the result, err_cb never");
  is_int(mpipool_async_ready(job), 1, "ready");
  is_int(mpipool_async_successful(job), 1, "successful");
  ok(mpipool_async_get(job, 0, &d, &s) == 0 && s == sizeof(int) &&
         *(const int *)d == 42,
     "async_get: the result");
  is_int(mpipool_async_get(job, -1, NULL, NULL), 0, "async_get NULL outs");
  mpipool__job_unref(job); /* the engine's */
  is_int(mpipool_async_wait(job, 1), 0, "handle outlives the engine");
  mpipool_async_free(job); /* the submitter's */
  ok(a.ncb == 1 && a.nerr == 0, "callbacks ran exactly once");

  /* failure */
  memset(&a, 0, sizeof a);
  job = new_async(&a);
  {
    mpipool__rbuild_t rb = {0};
    mpipool__rchunk_view_t v;
    put_fail(&rb, MPIPOOL_ETASK, "it broke: 7");
    mpipool__rbuf_t *buf = seal(&rb, 1, &v);
    mpipool__job_chunk_done(job, 0, buf, &v, 0);
    mpipool__rbuf_unref(buf);
  }
  ok(a.ncb == 0 && a.nerr == 1 && a.status == MPIPOOL_ETASK &&
         strcmp(a.msg, "it broke: 7") == 0,
     "async failure: err_cb once with status and message");
  is_int(mpipool_async_successful(job), 0, "failed: successful 0");
  ok(strcmp(mpipool_async_error(job), "it broke: 7") == 0,
     "async_error: the message");
  ok(mpipool_async_get(job, 0, &d, &s) == MPIPOOL_ETASK &&
         strcmp(d, "it broke: 7") == 0 && s == strlen("it broke: 7"),
     "async_get: ETASK with the message");
  /* Its result shares its place with a map's bookkeeping (job.h): a
   * failed item's status must not read as chunks taken from the journal,
   * nor be freed as them (drop). */
  is_int((int)mpipool__job_waiting(job), 1,
         "failed async: its result not read as a map's preset chunks");
  drop(job);

  /* never ran */
  memset(&a, 0, sizeof a);
  job = new_async(&a);
  is_int(mpipool__job_chunk_fail(job, 0, MPIPOOL_ETERMINATED, NULL), 1,
         "async chunk_fail completes it");
  ok(a.ncb == 0 && a.nerr == 1 && a.status == MPIPOOL_ETERMINATED &&
         strcmp(a.msg, mpipool_strerror(MPIPOOL_ETERMINATED)) == 0,
     "async never ran: err_cb once with ETERMINATED");
  is_int(mpipool_async_get(job, 0, NULL, NULL), MPIPOOL_ETERMINATED,
         "async_get -> ETERMINATED");
  ok(job->fail == MPIPOOL_ETERMINATED && job->nfailed == 1,
     "async never ran: fail, nfailed");
  drop(job);

  /* no callbacks at all */
  job = new_job(MPIPOOL__JOB_ASYNC, 1, 1);
  {
    mpipool__rbuild_t rb = {0};
    mpipool__rchunk_view_t v;
    put_bytes(&rb, "", 0);
    mpipool__rbuf_t *buf = seal(&rb, 1, &v);
    mpipool__job_chunk_done(job, 0, buf, &v, 0);
    mpipool__rbuf_unref(buf);
  }
  ok(job->done && mpipool_async_get(job, 0, &d, &s) == 0 && s == 0,
     "async without callbacks: empty result");
  drop(job);
  job = new_job(MPIPOOL__JOB_ASYNC, 1, 1);
  mpipool__job_chunk_fail(job, 0, MPIPOOL_ENOWORKERS, NULL);
  ok(job->done, "async failure without err_cb");
  drop(job);

  /* NULL handles */
  ok(mpipool_async_ready(NULL) == MPIPOOL_EINVAL &&
         mpipool_async_successful(NULL) == MPIPOOL_EINVAL &&
         mpipool_async_wait(NULL, 0) == MPIPOOL_EINVAL &&
         mpipool_async_get(NULL, 0, NULL, NULL) == MPIPOOL_EINVAL &&
         strcmp(mpipool_async_error(NULL), "") == 0,
     "NULL async handle: EINVAL, error \"\"");
  mpipool_async_free(NULL);
  ok(1, "async_free(NULL) is a no-op");
}

static void test_rbuf(void) {
  mpipool__rbuf_t *b = mpipool__rbuf_new(malloc(8));
  ok(b && b->refs == 1, "rbuf_new: one reference");
  mpipool__rbuf_ref(b);
  is_int(b->refs, 2, "rbuf_ref");
  mpipool__rbuf_unref(b);
  is_int(b->refs, 1, "rbuf_unref");
  mpipool__rbuf_unref(b);
  mpipool__rbuf_unref(NULL);
  ok(1, "rbuf freed at zero; unref(NULL) no-op");
}

/* Chunks that never ran carry the engine's message when it gave one: in
 * a map's results (after the job is gone) and in an async handle. */
static void test_fail_message(void) {
  mpipool__job_t *job = new_job(MPIPOOL__JOB_MAP, 6, 2); /* 3 chunks */
  mpipool__job_unref(job); /* the engine lets go when done */
  mpipool__job_chunk_fail(job, 0, MPIPOOL_ENOWORKERS, "no worker: init");
  mpipool__job_chunk_fail(job, 1, MPIPOOL_ENOWORKERS, "no worker: other");
  is_int(mpipool__job_chunk_fail(job, 2, MPIPOOL_ETERMINATED, NULL), 1,
         "three chunks failed: done");
  mpipool_results_t *res = NULL;
  is_int(mpipool__job_take_results(job, &res), 0, "take the results");
  mpipool__job_unref(job); /* the submitter's */
  const void *d;
  size_t s;
  ok(mpipool_results_item(res, 1, &d, &s) == MPIPOOL_ENOWORKERS &&
         strcmp(d, "no worker: init") == 0 && s == strlen(d),
     "item 1: ENOWORKERS with the message, after the job is gone");
  ok(mpipool_results_item(res, 2, &d, &s) == MPIPOOL_ENOWORKERS &&
         strcmp(d, mpipool_strerror(MPIPOOL_ENOWORKERS)) == 0,
     "item 2: another message than the kept one: the status's text");
  ok(mpipool_results_item(res, 5, &d, &s) == MPIPOOL_ETERMINATED &&
         strcmp(d, mpipool_strerror(MPIPOOL_ETERMINATED)) == 0,
     "item 5: no message: the status's text");
  mpipool_results_free(res);
  mpipool__job_t *a = new_job(MPIPOOL__JOB_ASYNC, 1, 1);
  mpipool__job_chunk_fail(a, 0, MPIPOOL_ENOWORKERS, "init failed: x");
  ok(a->done && strcmp(mpipool_async_error(a), "init failed: x") == 0,
     "an async handle's error is the message");
  drop(a);
}

/* ---- retries ---------------------------------------------------------- */

/* The next unit to queue: its chunk number, or NONE; *avoid its worker. */
static size_t next_retry(mpipool__job_t *job, long *avoid) {
  size_t c;
  return mpipool__job_next_retry(job, &c, avoid) ? c : NONE;
}

static void test_retry_map(void) {
  mpipool__job_t *job = new_job(MPIPOOL__JOB_MAP, 10, 3); /* 4 chunks */
  job->retries = 2;
  long avoid = 0;
  is_int(deliver_from(job, 0, 1, 7), 0, "item 1 failed: chunk 0 waits");
  size_t u = next_retry(job, &avoid);
  ok(u == 4 && avoid == 7, "item 1 is a unit (chunk 4), away from worker 7");
  ok(mpipool__job_chunk_first(job, u) == 1 &&
         mpipool__job_chunk_count(job, u) == 1,
     "the unit is item 1 alone");
  is_int(next_retry(job, &avoid), NONE, "one unit only");
  is_int(job->nfailed, 1, "counted failed meanwhile");
  ok(deliver(job, 1, NONE) == 0 && deliver(job, 2, NONE) == 0 &&
         deliver(job, 3, NONE) == 0,
     "the other chunks in: not done while a unit runs");
  is_int(deliver_from(job, u, 1, 8), 0, "the unit fails again: runs again");
  ok(next_retry(job, &avoid) == u && avoid == 8, "queued again, away from 8");
  is_int(deliver_from(job, u, NONE, 9), 1, "the unit succeeds: done");
  is_int(job->nfailed, 0, "nothing failed in the end");
  is_int(mpipool__job_attempts(job, 1), 3, "item 1 ran 3 times");
  is_int(mpipool__job_attempts(job, 0), 1, "item 0 once");
  is_int(mpipool__job_attempts(job, 2), 1, "item 2 (same chunk) once");
  mpipool_results_t *res = NULL;
  mpipool__job_take_results(job, &res);
  int all[10], good = 1;
  is_int(mpipool_results_copy(res, all, sizeof(int)), 0,
         "results_copy: every item, the retried one from its unit");
  for (int i = 0; i < 10; i++)
    good &= all[i] == 10 * i;
  ok(good, "the values are right");
  ok(mpipool_results_attempts(res, 1) == 3 &&
         mpipool_results_attempts(res, 9) == 1 &&
         mpipool_results_attempts(res, 10) == MPIPOOL_EINVAL,
     "results_attempts (EINVAL out of range)");
  is_int(mpipool_results_failed(res), 0, "results_failed 0");
  mpipool_results_free(res);
  drop(job);

  /* out of runs: the last failure stays */
  job = new_job(MPIPOOL__JOB_MAP, 4, 2);
  job->retries = 1;
  deliver(job, 1, 3);
  u = next_retry(job, &avoid);
  deliver(job, 0, NONE);
  is_int(deliver(job, u, 3), 1, "the one run again fails too: done");
  is_int(next_retry(job, &avoid), NONE, "no run beyond the retries");
  const void *d;
  size_t sz;
  ok(job->nfailed == 1 &&
         mpipool__rchunks_item(job->chunks, 2, job->retry, 3, &d, &sz) ==
             MPIPOOL_ETASK &&
         strcmp(d, "item 3 failed") == 0,
     "item 3: ETASK with the last run's message");
  is_int(mpipool__job_attempts(job, 3), 2, "item 3 ran twice");
  drop(job);

  /* no retries, or a status not worth one */
  job = new_job(MPIPOOL__JOB_MAP, 2, 2);
  is_int(deliver(job, 0, 0), 1, "retries 0: a failure completes the chunk");
  drop(job);
  job = new_job(MPIPOOL__JOB_MAP, 1, 1);
  job->retries = 3;
  {
    mpipool__rbuild_t rb = {0};
    mpipool__rchunk_view_t v;
    put_fail(&rb, MPIPOOL_ENOTASK, "no such task");
    mpipool__rbuf_t *buf = seal(&rb, 1, &v);
    is_int(mpipool__job_chunk_done(job, 0, buf, &v, 0), 1,
           "ENOTASK is not run again");
    mpipool__rbuf_unref(buf);
  }
  drop(job);
}

static void test_retry_stream(void) {
  for (int ordered = 0; ordered < 2; ordered++) {
    rec_t r;
    memset(&r, 0, sizeof r);
    mpipool__job_t *job = new_job(MPIPOOL__JOB_STREAM, 4, 2);
    job->ordered = ordered;
    job->item_cb = rec_cb;
    job->item_arg = &r;
    job->retries = 1;
    long avoid;
    deliver(job, 0, 1);
    size_t u = next_retry(job, &avoid);
    ok(r.n == 0, ordered ? "ordered: chunk 0 waits for its unit"
                         : "unordered: chunk 0 waits for its unit");
    deliver(job, 1, NONE);
    is_int(r.n, ordered ? 0 : 2,
           ordered ? "ordered: chunk 1 waits behind chunk 0"
                   : "unordered: chunk 1 delivered at once");
    is_int(deliver(job, u, NONE), 1, "the unit's success ends the stream");
    int good = r.n == 4;
    for (size_t k = 0; good && k < 4; k++)
      good = r.st[k] == 0 && r.val[k] == 10 * (int)r.idx[k] &&
             (!ordered || r.idx[k] == k);
    ok(good, ordered ? "ordered: 4 items, in order, item 1 succeeded"
                     : "unordered: 4 items, item 1 succeeded");
    drop(job);
  }
}

static void test_retry_lost(void) {
  mpipool__job_t *job = new_job(MPIPOOL__JOB_MAP, 2, 1);
  job->retries = 2;
  long avoid;
  deliver(job, 1, NONE);
  deliver_from(job, 0, 0, 3);
  size_t u = next_retry(job, &avoid);
  is_int(mpipool__job_unit_lost(job, u, 4, "died"), 1,
         "a unit whose worker died runs again");
  ok(next_retry(job, &avoid) == u && avoid == 4, "queued away from worker 4");
  is_int(mpipool__job_unit_lost(job, u, 5, "died twice"), 2,
         "out of runs: it fails and the job is done");
  const void *d;
  size_t sz;
  ok(mpipool__rchunks_item(job->chunks, 1, job->retry, 0, &d, &sz) ==
             MPIPOOL_ELOST &&
         strcmp(d, "died twice") == 0 && mpipool__job_attempts(job, 0) == 3,
     "item 0: ELOST with the message, 3 runs");
  drop(job);

  /* a unit that never runs again: the pool ended */
  job = new_job(MPIPOOL__JOB_ASYNC, 1, 1);
  job->retries = 2;
  deliver(job, 0, 0);
  u = next_retry(job, &avoid);
  is_int(mpipool__job_chunk_fail(job, u, MPIPOOL_ETERMINATED, NULL), 1,
         "async: its unit failed for good completes it");
  ok(mpipool_async_get(job, 0, NULL, NULL) == MPIPOOL_ETERMINATED &&
         mpipool_async_attempts(job) == 1,
     "async_get: the unit's status; it ran once");
  drop(job);
  job = new_job(MPIPOOL__JOB_ASYNC, 1, 1);
  job->retries = 1;
  is_int(mpipool_async_attempts(job), MPIPOOL_ENOTREADY,
         "async_attempts before the result: ENOTREADY");
  deliver(job, 0, 0);
  u = next_retry(job, &avoid);
  deliver(job, u, NONE);
  ok(job->done && mpipool_async_successful(job) == 1 &&
         mpipool_async_attempts(job) == 2,
     "async: failed, then succeeded: successful, 2 runs");
  drop(job);
  is_int(mpipool_async_attempts(NULL), MPIPOOL_EINVAL, "async_attempts(NULL)");
}

/* Chunks taken from the journal are never handed out. */
static void test_preset(void) {
  mpipool__queue_t q = {0};
  mpipool__job_t *job = new_job(MPIPOOL__JOB_MAP, 8, 2); /* 4 chunks */
  mpipool__job_t *j;
  size_t ch;
  mpipool__rchunk_view_t v;
  for (size_t c = 0; c < 4; c += 3) { /* chunks 0 and 3 */
    mpipool__rbuf_t *b = chunk_frame(job, c, NONE, &v);
    is_int(mpipool__job_preset(job, c, b, &v), 0, "preset a chunk");
    mpipool__rbuf_unref(b);
  }
  mpipool__queue_push(&q, job);
  is_int(q.chunks, 2, "two chunks wait, two were preset");
  ok(mpipool__queue_next(&q, &j, &ch) && ch == 1 &&
         mpipool__queue_next(&q, &j, &ch) && ch == 2 && q.chunks == 0 &&
         q.head == NULL,
     "the queue hands out chunks 1 and 2 only, then lets the job go");
  deliver(job, 1, NONE);
  is_int(deliver(job, 2, NONE), 1, "their results complete the job");
  const void *d;
  size_t s;
  ok(mpipool__rchunks_item(job->chunks, 2, NULL, 7, &d, &s) == 0 &&
         *(const int *)d == 70,
     "an item of a preset chunk reads as any other");
  drop(job);

  job = new_job(MPIPOOL__JOB_MAP, 2, 2);
  mpipool__rbuf_t *b = chunk_frame(job, 0, NONE, &v);
  is_int(mpipool__job_preset(job, 0, b, &v), 1, "all preset: done at once");
  mpipool__rbuf_unref(b);
  mpipool__queue_push(&q, job);
  ok(q.chunks == 0 && q.head == NULL, "and not queued");
  drop(job);
}

static void test_queue_avoid(void) {
  mpipool__queue_t q = {0};
  mpipool__job_t *a = new_job(MPIPOOL__JOB_MAP, 3, 1);
  mpipool__job_t *j;
  size_t ch;
  mpipool__queue_again(&q, a, 0, 5);
  mpipool__queue_again(&q, a, 1, 6);
  ok(mpipool__queue_next_for(&q, 5, &j, &ch) && ch == 1 && q.chunks == 1,
     "worker 5 passes over what avoids it");
  is_int(mpipool__queue_next_for(&q, 5, &j, &ch), 0,
         "and gets nothing when only that is left");
  ok(mpipool__queue_next_for(&q, 6, &j, &ch) && ch == 0 && q.chunks == 0 &&
         q.again == NULL && q.again_tail == NULL,
     "another worker takes it");
  mpipool__queue_again(&q, a, 2, 5);
  ok(mpipool__queue_next(&q, &j, &ch) && ch == 2, "queue_next takes anything");
  drop(a);
}

int main(void) {
  test_chunksize();
  test_chunking();
  test_queue();
  test_map();
  test_stream();
  test_async();
  test_rbuf();
  test_fail_message();
  test_retry_map();
  test_retry_stream();
  test_retry_lost();
  test_queue_avoid();
  test_preset();
  return tap_done();
}
