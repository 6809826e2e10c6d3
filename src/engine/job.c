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

int mpipool__job_new(int kind, uint32_t fn, const mpipool__src_t *src,
                     size_t count, size_t chunksize, mpipool__job_t **out) {
  mpipool__job_t *job = mpipool__calloc(1, sizeof *job);
  if (job == NULL)
    return MPIPOOL_ENOMEM;
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

size_t mpipool__job_chunk_first(const mpipool__job_t *job, size_t c) {
  return c * job->chunksize;
}

size_t mpipool__job_chunk_count(const mpipool__job_t *job, size_t c) {
  size_t first = c * job->chunksize;
  size_t n = job->count - first;
  return n < job->chunksize ? n : job->chunksize;
}

static void release_chunk(mpipool__rchunk_t *c) {
  mpipool__rbuf_unref(c->buf);
  c->buf = NULL;
}

/* Item j of a stored chunk: its status, data and size. */
static int chunk_item(const mpipool__rchunk_t *c, size_t j, const void **data,
                      size_t *size) {
  if (c->fail) {
    *data = c->msg ? c->msg : mpipool_strerror(c->fail);
    *size = strlen(*data);
    return c->fail;
  }
  return mpipool__rchunk_item(&c->view, j, data, size);
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
    int st = chunk_item(rc, j, &d, &s);
    job->item_cb(first + j, st, d, s, job->item_arg);
  }
}

/* Runs the async callbacks of a finished single-task job. */
static void async_callbacks(mpipool__job_t *job) {
  const void *d;
  size_t s;
  int st = chunk_item(&job->one, 0, &d, &s);
  if (st == 0 && job->cb)
    job->cb(job, d, s, job->cb_arg);
  else if (st != 0 && job->err_cb)
    job->err_cb(job, st, d, job->cb_arg);
}

/* Common tail of chunk_done and chunk_fail: rc holds chunk c's results. */
static int record(mpipool__job_t *job, size_t c, mpipool__rchunk_t *rc) {
  if (job->kind == MPIPOOL__JOB_STREAM && !job->ordered) {
    stream_chunk(job, c, rc);
    release_chunk(rc);
  } else {
    job->chunks[c] = *rc;
    if (job->kind == MPIPOOL__JOB_STREAM) {
      /* Deliver every chunk now contiguous with the delivered prefix. */
      while (job->deliver_next < job->nchunks &&
             (job->chunks[job->deliver_next].buf ||
              job->chunks[job->deliver_next].fail)) {
        stream_chunk(job, job->deliver_next, &job->chunks[job->deliver_next]);
        release_chunk(&job->chunks[job->deliver_next]);
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

int mpipool__job_chunk_done(mpipool__job_t *job, size_t c, mpipool__rbuf_t *buf,
                            const mpipool__rchunk_view_t *view) {
  mpipool__rchunk_t rc = {buf, *view, 0, NULL};
  mpipool__rbuf_ref(buf);
  job->nfailed += view->nfailed;
  return record(job, c, &rc);
}

int mpipool__job_chunk_fail(mpipool__job_t *job, size_t c, int status,
                            const char *msg) {
  if (msg && job->fail_msg == NULL)
    job->fail_msg = mpipool__strdup(msg);
  mpipool__rchunk_t rc = {
      NULL,
      {0},
      status,
      msg && job->fail_msg && strcmp(msg, job->fail_msg) == 0 ? job->fail_msg
                                                              : NULL};
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
  if (job->chunks && job->chunks != &job->one) {
    for (size_t c = 0; c < job->nchunks; c++)
      release_chunk(&job->chunks[c]);
    mpipool__free(job->chunks);
  }
  release_chunk(&job->one);
  mpipool__free(job->input);
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
  job->fail_msg = NULL;
  job->chunks = NULL;
  job->nchunks = 0;
  *out = r;
  return MPIPOOL_OK;
}

int mpipool__rchunks_item(const mpipool__rchunk_t *chunks, size_t chunksize,
                          size_t i, const void **data, size_t *size) {
  return chunk_item(&chunks[i / chunksize], i % chunksize, data, size);
}

/* --- queue ----------------------------------------------------------- */

void mpipool__queue_push(mpipool__queue_t *q, mpipool__job_t *job) {
  if (job->nchunks == job->dispatched)
    return;
  job->qnext = NULL;
  if (q->tail)
    q->tail->qnext = job;
  else
    q->head = job;
  q->tail = job;
  q->chunks += job->nchunks - job->dispatched;
}

int mpipool__queue_next(mpipool__queue_t *q, mpipool__job_t **job,
                        size_t *chunk) {
  mpipool__requeued_t *r = q->again;
  if (r) {
    q->again = r->next;
    if (q->again == NULL)
      q->again_tail = NULL;
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
  q->chunks--;
  if (j->dispatched == j->nchunks) {
    q->head = j->qnext;
    if (q->head == NULL)
      q->tail = NULL;
    j->qnext = NULL;
  }
  return 1;
}

int mpipool__queue_again(mpipool__queue_t *q, mpipool__job_t *job, size_t c) {
  mpipool__requeued_t *r = mpipool__malloc(sizeof *r);
  if (r == NULL)
    return MPIPOOL_ENOMEM;
  r->next = NULL;
  r->job = job;
  r->chunk = c;
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
