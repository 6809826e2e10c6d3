/*
 * job.c - jobs, their chunks and results, and the queue of waiting chunks
 * (see job.h).  Pure bookkeeping: the master's engine feeds it messages.
 */
#include "config.h"
#include "job.h"

#include "base/alloc.h"
#include "base/text.h"

#include <stdlib.h>
#include <string.h>

mpipool__rbuf_t *mpipool__rbuf_new(void *data) {
  mpipool__rbuf_t *b = mpipool__malloc(sizeof *b);
  if (b == NULL) {
    mpipool__free(data);
    return NULL;
  }
  b->refs = 1;
  b->data = data;
  return b;
}

void mpipool__rbuf_ref(mpipool__rbuf_t *b) { b->refs++; }

void mpipool__rbuf_unref(mpipool__rbuf_t *b) {
  if (b && --b->refs == 0) {
    mpipool__free(b->data);
    mpipool__free(b);
  }
}

size_t mpipool__default_chunksize(size_t count, size_t workers) {
  if (count == 0)
    return 0;
  if (workers == 0)
    workers = 1;
  size_t div = workers * 4;
  return count / div + (count % div != 0);
}

size_t mpipool__job_chunksize(size_t asked, size_t count, size_t workers) {
  size_t c = asked ? asked : mpipool__default_chunksize(count, workers);
  return c > count ? (count ? count : 1) : c;
}

/* A job with `extra` bytes after it in its allocation. */
static int job_make(int kind, uint32_t fn, const mpipool__src_t *src,
                    size_t count, size_t chunksize, size_t extra,
                    mpipool__job_t **out) {
  if (extra > SIZE_MAX - sizeof(mpipool__job_t))
    return MPIPOOL_ENOMEM;
  mpipool__job_t *job = mpipool__malloc(sizeof *job + extra);
  if (job == NULL)
    return MPIPOOL_ENOMEM;
  memset(job, 0, sizeof *job);
  job->kind = kind;
  job->refs = 2;
  job->fn = fn;
  job->src = *src;
  job->count = count;
  job->chunksize = count ? chunksize : 0;
  job->nchunks = count ? count / chunksize + (count % chunksize != 0) : 0;
  if (kind == MPIPOOL__JOB_ASYNC) {
    job->chunks = &job->one;
  } else if (job->nchunks &&
             (kind == MPIPOOL__JOB_MAP || kind == MPIPOOL__JOB_STREAM)) {
    job->chunks = mpipool__calloc(job->nchunks, sizeof *job->chunks);
    if (job->chunks == NULL) {
      mpipool__free(job);
      return MPIPOOL_ENOMEM;
    }
  }
  job->done = job->nchunks == 0;
  *out = job;
  return MPIPOOL_OK;
}

int mpipool__job_new(int kind, uint32_t fn, const mpipool__src_t *src,
                     size_t count, size_t chunksize, mpipool__job_t **out) {
  return job_make(kind, fn, src, count, chunksize, 0, out);
}

int mpipool__job_new_async(uint32_t fn, const void *in, size_t size,
                           mpipool__job_t **out) {
  mpipool__src_t none = {NULL, 0, NULL, NULL};
  int err = job_make(MPIPOOL__JOB_ASYNC, fn, &none, 1, 1, size, out);
  if (err)
    return err;
  char *copy = (char *)(*out + 1);
  if (size)
    memcpy(copy, in, size);
  (*out)->src.base = copy;
  (*out)->src.item_size = size;
  return MPIPOOL_OK;
}

size_t mpipool__job_chunk_first(const mpipool__job_t *job, size_t c) {
  if (c >= job->nchunks)
    return job->retry->units[c - job->nchunks].item;
  return c * job->chunksize;
}

size_t mpipool__job_chunk_count(const mpipool__job_t *job, size_t c) {
  if (c >= job->nchunks)
    return 1;
  size_t first = c * job->chunksize;
  size_t n = job->count - first;
  return n < job->chunksize ? n : job->chunksize;
}

/* Lets go of a chunk's message: it is then as one not in yet (its view
 * would read as a status); one that never ran keeps its status. */
static void release_chunk(mpipool__rchunk_t *c) {
  if (c->buf == NULL)
    return;
  mpipool__rbuf_unref(c->buf);
  *c = (mpipool__rchunk_t){0};
}

/* Item j of a stored chunk: its status, data and size. */
static int chunk_item(const mpipool__rchunk_t *c, size_t j, const void **data,
                      size_t *size) {
  int fail = mpipool__rchunk_fail(c);
  if (fail) {
    *data = c->msg ? c->msg : mpipool_strerror(fail);
    *size = strlen(*data);
    return fail;
  }
  return mpipool__rchunk_item(&c->view, j, data, size);
}

/* --- items run again ------------------------------------------------- */

/* The statuses worth running an item again for: the task failed, crashed,
 * ran out of time, or its worker died. */
static int retryable(int status) {
  return status == MPIPOOL_ETASK || status == MPIPOOL_ETIMEDOUT ||
         status == MPIPOOL_ELOST;
}

/* Item i's unit, or NULL. */
static const mpipool__unit_t *find_unit(const mpipool__retry_t *retry,
                                        size_t chunksize, size_t i) {
  if (retry == NULL)
    return NULL;
  for (size_t k = retry->first[i / chunksize]; k != MPIPOOL__NO_UNIT;
       k = retry->units[k].next)
    if (retry->units[k].item == i)
      return &retry->units[k];
  return NULL;
}

int mpipool__retry_has(const mpipool__retry_t *retry, size_t c) {
  return retry && retry->first[c] != MPIPOOL__NO_UNIT;
}

/* Item i, held in chunk rc: its last outcome. */
static int item_at(const mpipool__retry_t *retry, size_t chunksize,
                   const mpipool__rchunk_t *rc, size_t i, const void **data,
                   size_t *size) {
  const mpipool__unit_t *u = find_unit(retry, chunksize, i);
  if (u && u->settled)
    return chunk_item(&u->result, 0, data, size);
  return chunk_item(rc, i % chunksize, data, size);
}

int mpipool__attempts(const mpipool__retry_t *retry,
                      const unsigned char *crashes, size_t chunksize,
                      size_t i) {
  const mpipool__unit_t *u = find_unit(retry, chunksize, i);
  return 1 + (crashes ? crashes[i / chunksize] : 0) + (u ? u->attempts : 0);
}

int mpipool__job_attempts(const mpipool__job_t *job, size_t i) {
  return mpipool__attempts(job->retry, job->crashes, job->chunksize, i);
}

/* The job's units, made on first use; NULL if out of memory. */
static mpipool__retry_t *retry_state(mpipool__job_t *job) {
  if (job->retry)
    return job->retry;
  mpipool__retry_t *r = mpipool__calloc(1, sizeof *r);
  if (r == NULL)
    return NULL;
  r->first = mpipool__malloc(job->nchunks * sizeof *r->first);
  r->waiting = mpipool__calloc(job->nchunks, sizeof *r->waiting);
  if (r->first == NULL || r->waiting == NULL) {
    mpipool__retry_free(r);
    return NULL;
  }
  for (size_t c = 0; c < job->nchunks; c++)
    r->first[c] = MPIPOOL__NO_UNIT;
  job->retry = r;
  return r;
}

/* Puts unit k on the list of units to queue, to run away from `worker`. */
static int push_ready(mpipool__retry_t *r, size_t k, long worker) {
  if (mpipool__grow((void **)&r->ready, &r->ready_cap, r->nready + 1,
                    sizeof *r->ready) != 0)
    return MPIPOOL_ENOMEM;
  r->ready[r->nready++] = k;
  r->units[k].avoid = worker;
  return MPIPOOL_OK;
}

/* Makes item i of chunk c (failed on `worker`) a unit to run again. */
static int add_unit(mpipool__job_t *job, size_t c, size_t i, long worker) {
  mpipool__retry_t *r = retry_state(job);
  if (r == NULL || mpipool__grow((void **)&r->units, &r->cap, r->nunits + 1,
                                 sizeof *r->units) != 0)
    return MPIPOOL_ENOMEM;
  mpipool__unit_t *u = &r->units[r->nunits];
  memset(u, 0, sizeof *u);
  u->item = i;
  u->next = r->first[c];
  if (push_ready(r, r->nunits, worker) != 0)
    return MPIPOOL_ENOMEM;
  r->first[c] = r->nunits++;
  r->waiting[c]++;
  return MPIPOOL_OK;
}

/* Makes a unit of each item of chunk c that failed and may run again;
 * returns how many (out of memory: the others stay failed). */
static size_t start_retries(mpipool__job_t *job, size_t c,
                            const mpipool__rchunk_t *rc, long worker) {
  size_t first = mpipool__job_chunk_first(job, c), made = 0;
  size_t n = mpipool__job_chunk_count(job, c);
  for (size_t j = 0; j < n; j++) {
    const void *d;
    size_t s;
    if (retryable(chunk_item(rc, j, &d, &s))) {
      if (add_unit(job, c, first + j, worker) != 0)
        break;
      made++;
    }
  }
  return made;
}

int mpipool__job_next_retry(mpipool__job_t *job, size_t *c, long *avoid) {
  mpipool__retry_t *r = job->retry;
  if (r == NULL || r->nready == 0)
    return 0;
  size_t k = r->ready[--r->nready];
  *c = job->nchunks + k;
  *avoid = r->units[k].avoid;
  return 1;
}

static void release_units(mpipool__retry_t *r, size_t c) {
  for (size_t k = r ? r->first[c] : MPIPOOL__NO_UNIT; k != MPIPOOL__NO_UNIT;
       k = r->units[k].next)
    release_chunk(&r->units[k].result);
}

void mpipool__retry_free(mpipool__retry_t *r) {
  if (r == NULL)
    return;
  for (size_t k = 0; k < r->nunits; k++)
    release_chunk(&r->units[k].result);
  mpipool__free(r->units);
  mpipool__free(r->first);
  mpipool__free(r->waiting);
  mpipool__free(r->ready);
  mpipool__free(r);
}

/* Hands every item of chunk c to the stream callback. */
static void stream_chunk(mpipool__job_t *job, size_t c,
                         const mpipool__rchunk_t *rc) {
  if (job->quiet)
    return;
  size_t first = mpipool__job_chunk_first(job, c);
  size_t n = mpipool__job_chunk_count(job, c);
  for (size_t j = 0; j < n; j++) {
    const void *d;
    size_t s;
    int st = item_at(job->retry, job->chunksize, rc, first + j, &d, &s);
    job->item_cb(first + j, st, d, s, job->item_arg);
  }
}

/* Runs the async callbacks of a finished single-task job. */
static void async_callbacks(mpipool__job_t *job) {
  const void *d;
  size_t s;
  int st = item_at(job->retry, 1, &job->one, 0, &d, &s);
  if (st == 0 && job->cb)
    job->cb(job, d, s, job->cb_arg);
  else if (st != 0 && job->err_cb)
    job->err_cb(job, st, d, job->cb_arg);
}

/* Whether chunk c's results are all in (none of its items to run again). */
static int chunk_in(const mpipool__job_t *job, size_t c) {
  return (job->chunks[c].buf || mpipool__rchunk_fail(&job->chunks[c])) &&
         (job->retry == NULL || job->retry->waiting[c] == 0);
}

/* Hands chunk c to the stream callback and lets go of its results. */
static void deliver(mpipool__job_t *job, size_t c, mpipool__rchunk_t *rc) {
  stream_chunk(job, c, rc);
  release_chunk(rc);
  release_units(job->retry, c);
}

/* Common tail of chunk_done and chunk_fail: rc holds chunk c's results
 * (it may be job->chunks[c]). */
static int record(mpipool__job_t *job, size_t c, mpipool__rchunk_t *rc) {
  if (job->kind == MPIPOOL__JOB_STREAM && !job->ordered) {
    deliver(job, c, rc);
  } else {
    job->chunks[c] = *rc;
    if (job->kind == MPIPOOL__JOB_STREAM) {
      /* Deliver every chunk now contiguous with the delivered prefix. */
      while (job->deliver_next < job->nchunks &&
             chunk_in(job, job->deliver_next)) {
        deliver(job, job->deliver_next, &job->chunks[job->deliver_next]);
        job->deliver_next++;
      }
    }
  }
  job->completed++;
  if (job->completed < job->nchunks)
    return 0;
  job->done = 1;
  if (job->kind == MPIPOOL__JOB_ASYNC)
    async_callbacks(job);
  return 1;
}

/* Unit k's last outcome is rc (status st): when it was its chunk's last
 * unit to settle, the chunk is recorded. */
static int settle(mpipool__job_t *job, size_t k, const mpipool__rchunk_t *rc,
                  int st) {
  mpipool__unit_t *u = &job->retry->units[k];
  u->result = *rc;
  u->settled = 1;
  if (st == 0)
    job->nfailed--; /* counted when its chunk came */
  size_t c = u->item / job->chunksize;
  if (--job->retry->waiting[c] > 0)
    return 0;
  return record(job, c, &job->chunks[c]);
}

/* Unit k ran (or its worker died, with status ELOST): it runs again while
 * it has runs left and memory allows; returns 1 then. */
static int run_again(mpipool__job_t *job, size_t k, int status, long worker) {
  mpipool__unit_t *u = &job->retry->units[k];
  u->attempts++;
  return status && retryable(status) && u->attempts < job->retries &&
         push_ready(job->retry, k, worker) == 0;
}

int mpipool__job_chunk_done(mpipool__job_t *job, size_t c, mpipool__rbuf_t *buf,
                            const mpipool__rchunk_view_t *view, long worker) {
  mpipool__rchunk_t rc = {.buf = buf, .view = *view};
  if (c >= job->nchunks) {
    const void *d;
    size_t s;
    int st = chunk_item(&rc, 0, &d, &s);
    if (run_again(job, c - job->nchunks, st, worker))
      return 0;
    mpipool__rbuf_ref(buf);
    return settle(job, c - job->nchunks, &rc, st);
  }
  mpipool__rbuf_ref(buf);
  job->nfailed += view->nfailed;
  if (view->nfailed && job->retries > 0 &&
      start_retries(job, c, &rc, worker) > 0) {
    job->chunks[c] = rc; /* kept while its items run again */
    return 0;
  }
  return record(job, c, &rc);
}

int mpipool__job_preset(mpipool__job_t *job, size_t c, mpipool__rbuf_t *buf,
                        const mpipool__rchunk_view_t *view) {
  if (job->preset == NULL &&
      (job->preset = mpipool__calloc(job->nchunks, 1)) == NULL)
    return MPIPOOL_ENOMEM;
  job->preset[c] = 1;
  return mpipool__job_chunk_done(job, c, buf, view, -1);
}

int mpipool__job_unit_lost(mpipool__job_t *job, size_t c, long worker,
                           const char *msg) {
  if (run_again(job, c - job->nchunks, MPIPOOL_ELOST, worker))
    return 1;
  return mpipool__job_chunk_fail(job, c, MPIPOOL_ELOST, msg) ? 2 : 0;
}

int mpipool__job_chunk_fail(mpipool__job_t *job, size_t c, int status,
                            const char *msg) {
  if (msg && job->fail_msg == NULL)
    job->fail_msg = mpipool__strdup(msg);
  mpipool__rchunk_t rc = {.buf = NULL,
                          .fail = status,
                          .msg = msg && job->fail_msg &&
                                         strcmp(msg, job->fail_msg) == 0
                                     ? job->fail_msg
                                     : NULL};
  if (c >= job->nchunks)
    return settle(job, c - job->nchunks, &rc, status);
  if (!job->fail)
    job->fail = status;
  if (job->kind == MPIPOOL__JOB_STREAM && status == MPIPOOL_ENOWORKERS &&
      c == 0 && job->completed == 0)
    job->quiet = 1;
  job->nfailed += mpipool__job_chunk_count(job, c);
  return record(job, c, &rc);
}

void mpipool__job_unref(mpipool__job_t *job) {
  if (job == NULL || --job->refs > 0)
    return;
  if (job->kind == MPIPOOL__JOB_ASYNC) {
    release_chunk(&job->one);
  } else {
    for (size_t c = 0; job->chunks && c < job->nchunks; c++)
      release_chunk(&job->chunks[c]);
    mpipool__free(job->chunks);
    mpipool__free(job->preset);
  }
  mpipool__retry_free(job->retry);
  mpipool__free(job->fail_msg);
  mpipool__free(job->crashes);
  mpipool__free(job);
}

int mpipool__job_take_results(mpipool__job_t *job, mpipool_results_t **out) {
  mpipool_results_t *r = mpipool__malloc(sizeof *r);
  if (r == NULL)
    return MPIPOOL_ENOMEM;
  r->count = job->count;
  r->chunksize = job->chunksize;
  r->nchunks = job->nchunks;
  r->nfailed = job->nfailed;
  r->chunks = job->chunks;
  r->fail_msg = job->fail_msg; /* the chunks point to it */
  r->retry = job->retry;
  r->crashes = job->crashes;
  job->fail_msg = NULL;
  job->retry = NULL;
  job->crashes = NULL;
  job->chunks = NULL;
  job->nchunks = 0;
  *out = r;
  return MPIPOOL_OK;
}

int mpipool__rchunks_item(const mpipool__rchunk_t *chunks, size_t chunksize,
                          const mpipool__retry_t *retry, size_t i,
                          const void **data, size_t *size) {
  return item_at(retry, chunksize, &chunks[i / chunksize], i, data, size);
}

/* --- queue ----------------------------------------------------------- */

/* The job's chunks taken from the journal, or NULL (an apply_async has
 * none: its place holds its result). */
static const unsigned char *presets(const mpipool__job_t *job) {
  return job->kind == MPIPOOL__JOB_ASYNC ? NULL : job->preset;
}

size_t mpipool__job_waiting(const mpipool__job_t *job) {
  const unsigned char *preset = presets(job);
  size_t n = job->nchunks - job->dispatched;
  for (size_t c = job->dispatched; preset && c < job->nchunks; c++)
    n -= preset[c];
  return n;
}

/* Moves the job's next chunk to hand out past those preset. */
static void skip_preset(mpipool__job_t *job) {
  const unsigned char *preset = presets(job);
  while (preset && job->dispatched < job->nchunks && preset[job->dispatched])
    job->dispatched++;
}

void mpipool__queue_push(mpipool__queue_t *q, mpipool__job_t *job) {
  skip_preset(job);
  if (job->nchunks == job->dispatched)
    return;
  job->qnext = NULL;
  if (q->tail)
    q->tail->qnext = job;
  else
    q->head = job;
  q->tail = job;
  q->chunks += mpipool__job_waiting(job);
}

int mpipool__queue_next(mpipool__queue_t *q, mpipool__job_t **job,
                        size_t *chunk) {
  return mpipool__queue_next_for(q, -1, job, chunk);
}

int mpipool__queue_peek(const mpipool__queue_t *q, mpipool__job_t **job,
                        size_t *chunk) {
  if (q->again) {
    *job = q->again->job;
    *chunk = q->again->chunk;
    return 1;
  }
  if (q->head == NULL)
    return 0;
  *job = q->head;
  *chunk = q->head->dispatched; /* past the preset ones already */
  return 1;
}

int mpipool__queue_next_for(mpipool__queue_t *q, long worker,
                            mpipool__job_t **job, size_t *chunk) {
  mpipool__requeued_t *prev = NULL, *r = q->again;
  while (r && worker >= 0 && r->avoid == worker) {
    prev = r;
    r = r->next;
  }
  if (r) {
    *(prev ? &prev->next : &q->again) = r->next;
    if (q->again_tail == r)
      q->again_tail = prev;
    *job = r->job;
    *chunk = r->chunk;
    q->chunks--;
    mpipool__free(r);
    return 1;
  }
  mpipool__job_t *j = q->head;
  if (j == NULL)
    return 0;
  *job = j;
  *chunk = j->dispatched++;
  skip_preset(j);
  q->chunks--;
  if (j->dispatched == j->nchunks) {
    q->head = j->qnext;
    if (q->head == NULL)
      q->tail = NULL;
    j->qnext = NULL;
  }
  return 1;
}

int mpipool__queue_again(mpipool__queue_t *q, mpipool__job_t *job, size_t c,
                         long avoid) {
  mpipool__requeued_t *r = mpipool__malloc(sizeof *r);
  if (r == NULL)
    return MPIPOOL_ENOMEM;
  r->next = NULL;
  r->job = job;
  r->chunk = c;
  r->avoid = avoid;
  if (q->again_tail)
    q->again_tail->next = r;
  else
    q->again = r;
  q->again_tail = r;
  q->chunks++;
  return MPIPOOL_OK;
}

int mpipool__job_chunk_crashed(mpipool__job_t *job, size_t c) {
  if (job->crashes == NULL &&
      (job->crashes = mpipool__calloc(job->nchunks, 1)) == NULL)
    return MPIPOOL_ENOMEM;
  if (job->crashes[c] < 255)
    job->crashes[c]++;
  return job->crashes[c];
}

int mpipool__job_outcome(mpipool__job_t *job, mpipool_results_t **res) {
  int err = job->fail ? job->fail : job->nfailed ? MPIPOOL_ETASK : 0;
  if (res && (err == 0 || err == MPIPOOL_ETASK)) {
    int e = mpipool__job_take_results(job, res);
    if (e)
      err = e;
  }
  return err;
}
