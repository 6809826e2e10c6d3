/*
 * job.h - the master's bookkeeping of submitted work, without MPI: a job is
 * one submission (an apply_async, a map or a streaming map) cut into
 * chunks; the queue hands chunks out in submission order; results come back
 * per chunk and are kept, streamed or handed to callbacks.
 */
#ifndef MPIPOOL_JOB_H
#define MPIPOOL_JOB_H

#include <stddef.h>
#include <stdint.h>

#include "mpipool.h"
#include "transport/wire.h"

/* A received message, shared by the chunks whose results it holds. */
typedef struct {
  size_t refs;
  void *data;
} mpipool__rbuf_t;

/* Wraps data (taken) with one reference; NULL if out of memory (data is
 * then freed). */
mpipool__rbuf_t *mpipool__rbuf_new(void *data);
void mpipool__rbuf_ref(mpipool__rbuf_t *b);
void mpipool__rbuf_unref(mpipool__rbuf_t *b);

/* The results of one chunk: a view into a received message (buf), or,
 * when the chunk never ran, a status for all its items.  The two share
 * their place: read fail through mpipool__rchunk_fail. */
typedef struct {
  mpipool__rbuf_t *buf; /* the message the view is into, or NULL */
  union {
    mpipool__rchunk_view_t view; /* with buf */
    struct {                     /* without */
      int fail;                  /* non-zero: every item has this status
                                    (0: not in yet) */
      const char *msg; /* with fail: why, or NULL for the status's text
                          (the job's fail_msg, owned with the results) */
    };
  };
} mpipool__rchunk_t;

/* The status every item of c has (it never ran), or 0. */
static inline int mpipool__rchunk_fail(const mpipool__rchunk_t *c) {
  return c->buf ? 0 : c->fail;
}

enum { MPIPOOL__JOB_ASYNC, MPIPOOL__JOB_MAP, MPIPOOL__JOB_STREAM };

/* No unit (see mpipool__unit_t). */
#define MPIPOOL__NO_UNIT SIZE_MAX

/* An item run again after it failed (retries): a chunk of that one item,
 * dispatched as the job's chunk nchunks + its index among the units. */
typedef struct {
  size_t item;              /* its index in the job */
  size_t next;              /* the next unit of its chunk, or NO_UNIT */
  long avoid;               /* the worker that failed it last, or -1 */
  int attempts;             /* runs so far (the first in its chunk's) */
  int settled;              /* result holds its last outcome */
  mpipool__rchunk_t result; /* a chunk of one item, once settled */
} mpipool__unit_t;

/* A job's units, made when its first item fails with retries left. */
typedef struct {
  mpipool__unit_t *units;
  size_t nunits, cap;
  size_t *first;   /* per chunk: its first unit, or NO_UNIT */
  size_t *waiting; /* per chunk: its units not settled yet */
  size_t *ready;   /* units to queue (mpipool__job_next_retry) */
  size_t nready, ready_cap;
} mpipool__retry_t;

/* A job.  Kept small: a program may have millions of apply_async out at
 * once, each its own job (sizeof is 240 bytes on LP64, with its input
 * after it).  What only maps use shares its place with what only an
 * apply_async uses (see the union): code that reads either checks
 * kind first. */
struct mpipool_async {
  uint8_t kind;
  uint8_t done;
  uint8_t ordered; /* STREAM: deliver in input order */
  uint8_t quiet;   /* STREAM: failed for want of workers before any result:
                      its caller hears it from the call's status, cb is not
                      called */
  int refs;        /* the submitter's + the engine's until done */
  uint32_t fn;
  int fail;        /* first status of a chunk that never ran */
  int retries;     /* runs again a failed item this many times */
  uint32_t jmap;   /* MAP: its number in the journal */
  mpipool_t *pool; /* for progress while waiting; NULL once detached */
  mpipool__src_t src;
  size_t count, chunksize, nchunks;
  size_t dispatched;         /* chunks handed out by the queue */
  size_t completed;          /* chunks whose results are in */
  size_t nfailed;            /* items that failed */
  char *fail_msg;            /* why chunks never ran, when the engine knew
                                more than the status (owned) */
  mpipool__rchunk_t *chunks; /* kept results (MAP, ordered STREAM; ASYNC:
                                &one) */
  mpipool_async_cb cb;
  mpipool_async_err_cb err_cb;
  void *cb_arg;
  struct mpipool_async *qnext;
  unsigned char *crashes;  /* per chunk: its workers that died (or NULL) */
  mpipool__retry_t *retry; /* its items run again, or NULL */
  union {
    mpipool__rchunk_t one; /* ASYNC: its single chunk */
    struct {               /* MAP and STREAM (mpipool__job_preset etc.) */
      size_t deliver_next; /* ordered STREAM: next chunk to deliver */
      mpipool_item_cb item_cb;
      void *item_arg;
      unsigned char *preset; /* per chunk: taken from the journal (or NULL) */
      struct mpipool__journal *journal; /* where its results go, or NULL */
    };
  };
  /* ASYNC: its copy of the input follows, in the same allocation */
};
typedef struct mpipool_async mpipool__job_t;

/* Where a job's results go (the journal of a MAP or STREAM), or NULL: an
 * apply_async has none (its place holds its result). */
static inline struct mpipool__journal *
mpipool__job_journal(const mpipool__job_t *job) {
  return job->kind == MPIPOOL__JOB_ASYNC ? NULL : job->journal;
}

struct mpipool_results {
  size_t count, chunksize, nchunks, nfailed;
  mpipool__rchunk_t *chunks;
  char *fail_msg; /* the job's, which chunks' msg point to */
  mpipool__retry_t *retry;
  unsigned char *crashes;
};

/* Python's default chunk size for `count` items on `workers` workers:
 * ceil(count / (4 * workers)), at least 1 (0 when count is 0). */
size_t mpipool__default_chunksize(size_t count, size_t workers);

/* The chunk size a map of `count` items asked with `asked` runs with on
 * `workers` workers: asked, or the default for 0; at most count, at
 * least 1 unless count is 0 (then 0 when none was asked). */
size_t mpipool__job_chunksize(size_t asked, size_t count, size_t workers);

/*
 * Makes a job of `count` items of src for task fn, cut in chunks of
 * `chunksize` (already resolved, >= 1 unless count is 0), with the
 * submitter's and the engine's references.  0 or ENOMEM.
 */
int mpipool__job_new(int kind, uint32_t fn, const mpipool__src_t *src,
                     size_t count, size_t chunksize, mpipool__job_t **job);

/* Makes the job of one apply_async of task fn, with a copy of its `size`
 * bytes of input in the same allocation (one allocation per task, and no
 * pointer to follow).  0 or ENOMEM. */
int mpipool__job_new_async(uint32_t fn, const void *in, size_t size,
                           mpipool__job_t **job);

/* First item and item count of chunk c (a unit's: its item, 1). */
size_t mpipool__job_chunk_first(const mpipool__job_t *job, size_t c);
size_t mpipool__job_chunk_count(const mpipool__job_t *job, size_t c);

/*
 * Records the results of chunk c, run by worker `worker`: keeps a
 * reference to buf (MAP, ASYNC, ordered STREAM) or hands each item to the
 * callback (STREAM), and runs the async callbacks when the job completes.
 * With retries, an item that failed (MPIPOOL_ETASK, ETIMEDOUT, ELOST) with
 * runs left becomes a unit to run again (mpipool__job_next_retry), and
 * its chunk waits for it.  Returns 1 if the job is now done, else 0.
 */
int mpipool__job_chunk_done(mpipool__job_t *job, size_t c, mpipool__rbuf_t *buf,
                            const mpipool__rchunk_view_t *view, long worker);

/* Records chunk c's results, read from the journal, before the job is
 * submitted: the queue never hands it out.  Returns 1 if the job is now
 * done, 0, or ENOMEM. */
int mpipool__job_preset(mpipool__job_t *job, size_t c, mpipool__rbuf_t *buf,
                        const mpipool__rchunk_view_t *view);

/* Takes a unit to queue: 1 with *c (its chunk number) and *avoid (the
 * worker to avoid, or -1) set, or 0 when there is none. */
int mpipool__job_next_retry(mpipool__job_t *job, size_t *c, long *avoid);

/* How many times item i ran (1 + runs again, after a failure or a death
 * of its worker). */
int mpipool__job_attempts(const mpipool__job_t *job, size_t i);

/* Records that chunk c will never run: all its items get `status`, and
 * as their message `msg` (copied; NULL, or out of memory: the status's
 * text).  The job keeps one message: the first given.  A stream whose
 * first chunk fails with MPIPOOL_ENOWORKERS before any result came (no
 * worker could serve it) becomes quiet: its callback is never called, the
 * call returns the error.  Returns 1 if the job is now done, else 0. */
int mpipool__job_chunk_fail(mpipool__job_t *job, size_t c, int status,
                            const char *msg);

/* A unit's worker died running it (c >= nchunks): it runs again while it
 * has runs left (1 is returned then, as for a queued chunk: see
 * mpipool__job_next_retry), else fails with MPIPOOL_ELOST and msg; then
 * returns 2 if the job is now done, else 0. */
int mpipool__job_unit_lost(mpipool__job_t *job, size_t c, long worker,
                           const char *msg);

/* Drops one reference; frees the job at zero. */
void mpipool__job_unref(mpipool__job_t *job);

/* Moves the kept results of a done MAP job into a results object.
 * 0 or ENOMEM. */
int mpipool__job_take_results(mpipool__job_t *job, mpipool_results_t **res);

/* How a done job went: its failure, MPIPOOL_ETASK when an item failed,
 * else 0; on 0 and ETASK a MAP's results are taken into *res when res is
 * not NULL (ENOMEM when they cannot be). */
int mpipool__job_outcome(mpipool__job_t *job, mpipool_results_t **res);

/* The result of item i of a chunk array and its units (retry, or NULL),
 * see mpipool_results_item. */
int mpipool__rchunks_item(const mpipool__rchunk_t *chunks, size_t chunksize,
                          const mpipool__retry_t *retry, size_t i,
                          const void **data, size_t *size);

/* Whether chunk c has units (its items are read one by one). */
int mpipool__retry_has(const mpipool__retry_t *retry, size_t c);

/* Runs of item i (see mpipool__job_attempts) from a chunk array's parts. */
int mpipool__attempts(const mpipool__retry_t *retry,
                      const unsigned char *crashes, size_t chunksize, size_t i);

/* Frees units (their results' references too). */
void mpipool__retry_free(mpipool__retry_t *retry);

/* --- the queue of chunks waiting for a worker ------------------------ */

/* A chunk handed out before, to run again (its worker died, or a unit). */
typedef struct mpipool__requeued {
  struct mpipool__requeued *next;
  mpipool__job_t *job;
  size_t chunk;
  long avoid; /* a worker that should not run it when another can, or -1 */
} mpipool__requeued_t;

typedef struct {
  mpipool__job_t *head, *tail;
  mpipool__requeued_t *again, *again_tail; /* served first */
  size_t chunks; /* chunks waiting, over all queued jobs and again */
} mpipool__queue_t;

/* The job's chunks not handed out yet, but those preset. */
size_t mpipool__job_waiting(const mpipool__job_t *job);

/* Appends a job whose chunks all wait but those preset (a job with none
 * waiting is not queued). */
void mpipool__queue_push(mpipool__queue_t *q, mpipool__job_t *job);

/* Takes the next chunk: one to run again first, else in submission order.
 * 1 with *job and *chunk set, or 0 if the queue is empty. */
int mpipool__queue_next(mpipool__queue_t *q, mpipool__job_t **job,
                        size_t *chunk);

/* The chunk mpipool__queue_next would take, left in the queue: 1 with
 * *job and *chunk set, or 0 if the queue is empty. */
int mpipool__queue_peek(const mpipool__queue_t *q, mpipool__job_t **job,
                        size_t *chunk);

/* The same for worker `worker`: chunks to run again that avoid it are
 * passed over (left for another worker). */
int mpipool__queue_next_for(mpipool__queue_t *q, long worker,
                            mpipool__job_t **job, size_t *chunk);

/* Puts chunk c of job (handed out before) back, to be taken before any
 * other, by a worker other than `avoid` (-1: any) when one asks.  0 or
 * ENOMEM. */
int mpipool__queue_again(mpipool__queue_t *q, mpipool__job_t *job, size_t c,
                         long avoid);

/* Counts a death of the worker that ran chunk c of job: returns how many
 * times that chunk's workers died, or ENOMEM. */
int mpipool__job_chunk_crashed(mpipool__job_t *job, size_t c);

#endif
