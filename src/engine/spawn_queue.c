/*
 * spawn_queue.c - spawn requests served by a thread (see spawn_queue.h).  The
 * thread only ever calls MPI_Comm_spawn (on its own communicator), and the
 * main thread only reads the resulting intercommunicators after the
 * hand-over through the mutex, so MPI_THREAD_MULTIPLE is all it needs.
 */
#include "config.h"
#include "spawn_queue.h"

#include "mpipool.h"
#include "base/alloc.h"
#include "base/text.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct request {
  struct request *next;
  int n, tag;
  char *host; /* NULL: anywhere */
} request_t;

typedef struct done {
  struct done *next;
  mpipool__spawned_t s;
} done_t;

struct mpipool__spawnq {
  int threaded;
  mpipool__spawn_fn spawn;
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t wake;
  int stopping;
  int ended;           /* the thread has left its loop (spawnq_end) */
  request_t *requests; /* FIFO */
  done_t *done, **done_tail;
  int pending; /* processes requested, not yet polled */
};

/* Runs one spawn of r->n processes and queues its outcome.  Called with
 * the lock released. */
static done_t *do_spawn(mpipool__spawnq_t *sp, const request_t *r) {
  done_t *d = mpipool__calloc(1, sizeof *d);
  if (d == NULL)
    return NULL;
  d->s.n = r->n;
  d->s.tag = r->tag;
  d->s.host = r->host; /* handed on */
  d->s.inter = MPI_COMM_NULL;
  d->s.pids = mpipool__calloc((size_t)r->n, sizeof *d->s.pids);
  d->s.err = sp->spawn(r->n, r->host, &d->s.inter, d->s.pids, d->s.why,
                       sizeof d->s.why);
  return d;
}

static void push_done(mpipool__spawnq_t *sp, done_t *d) {
  *sp->done_tail = d;
  sp->done_tail = &d->next;
}

/* Takes the first request.  Requests are not merged into one spawn call:
 * processes of one spawn are one MPI job, and a retiring process could
 * then wait in MPI_Finalize for a sibling that is still a parked spare
 * (measured here: merging did not raise the spawn rate anyway). */
static request_t *take_first(mpipool__spawnq_t *sp) {
  request_t *first = sp->requests;
  if (first)
    sp->requests = first->next;
  return first;
}

static void *spawner_main(void *arg) {
  mpipool__spawnq_t *sp = arg;
  pthread_mutex_lock(&sp->lock);
  for (;;) {
    while (!sp->stopping && sp->requests == NULL)
      pthread_cond_wait(&sp->wake, &sp->lock);
    if (sp->requests == NULL) /* stopping, nothing left to do */
      break;
    request_t *r = take_first(sp);
    pthread_mutex_unlock(&sp->lock);
    done_t *d = do_spawn(sp, r);
    pthread_mutex_lock(&sp->lock);
    if (d) {
      push_done(sp, d);
    } else {
      sp->pending -= r->n;
      mpipool__free(r->host);
    }
    mpipool__free(r);
  }
  sp->ended = 1;
  pthread_mutex_unlock(&sp->lock);
  return NULL;
}

int mpipool__spawnq_new(mpipool__spawnq_t **out, int threaded,
                        mpipool__spawn_fn spawn) {
  mpipool__spawnq_t *sp = mpipool__calloc(1, sizeof *sp);
  if (sp == NULL)
    return MPIPOOL_ENOMEM;
  sp->threaded = threaded;
  sp->spawn = spawn;
  sp->done_tail = &sp->done;
  pthread_mutex_init(&sp->lock, NULL);
  pthread_cond_init(&sp->wake, NULL);
  if (threaded && pthread_create(&sp->thread, NULL, spawner_main, sp) != 0) {
    pthread_cond_destroy(&sp->wake);
    pthread_mutex_destroy(&sp->lock);
    mpipool__free(sp);
    return MPIPOOL_ESPAWN;
  }
  *out = sp;
  return MPIPOOL_OK;
}

int mpipool__spawnq_request(mpipool__spawnq_t *sp, const char *host, int n,
                            int tag) {
  request_t *r = mpipool__calloc(1, sizeof *r);
  if (r == NULL)
    return MPIPOOL_ENOMEM;
  r->n = n;
  r->tag = tag;
  if (host && (r->host = mpipool__strdup(host)) == NULL) {
    mpipool__free(r);
    return MPIPOOL_ENOMEM;
  }
  if (!sp->threaded) {
    done_t *d = do_spawn(sp, r);
    if (d == NULL) {
      mpipool__free(r->host);
      mpipool__free(r);
      return MPIPOOL_ENOMEM;
    }
    mpipool__free(r);
    sp->pending += n;
    push_done(sp, d);
    return MPIPOOL_OK;
  }
  pthread_mutex_lock(&sp->lock);
  request_t **pp = &sp->requests;
  while (*pp)
    pp = &(*pp)->next;
  *pp = r;
  sp->pending += n;
  pthread_cond_signal(&sp->wake);
  pthread_mutex_unlock(&sp->lock);
  return MPIPOOL_OK;
}

int mpipool__spawnq_poll(mpipool__spawnq_t *sp, mpipool__spawned_t *out) {
  done_t *d;
  if (sp == NULL)
    return 0;
  pthread_mutex_lock(&sp->lock);
  d = sp->done;
  if (d) {
    sp->done = d->next;
    if (sp->done == NULL)
      sp->done_tail = &sp->done;
    sp->pending -= d->s.n;
  }
  pthread_mutex_unlock(&sp->lock);
  if (d == NULL)
    return 0;
  *out = d->s;
  mpipool__free(d);
  return 1;
}

int mpipool__spawnq_pending(mpipool__spawnq_t *sp) {
  if (sp == NULL)
    return 0;
  pthread_mutex_lock(&sp->lock);
  int n = sp->pending;
  pthread_mutex_unlock(&sp->lock);
  return n;
}

int mpipool__spawnq_end(mpipool__spawnq_t *sp, int finish) {
  if (sp == NULL || !sp->threaded)
    return 1;
  pthread_mutex_lock(&sp->lock);
  sp->stopping = 1;
  while (sp->requests && !finish) {
    request_t *r = sp->requests;
    sp->requests = r->next;
    sp->pending -= r->n;
    mpipool__free(r->host);
    mpipool__free(r);
  }
  pthread_cond_signal(&sp->wake);
  int ended = sp->ended;
  pthread_mutex_unlock(&sp->lock);
  return ended;
}

void mpipool__spawnq_stop(mpipool__spawnq_t *sp, int finish) {
  if (sp == NULL || !sp->threaded)
    return;
  mpipool__spawnq_end(sp, finish);
  pthread_join(sp->thread, NULL);
  sp->threaded = 0;
}

void mpipool__spawnq_free(mpipool__spawnq_t *sp) {
  if (sp == NULL)
    return;
  mpipool__spawnq_stop(sp, 0);
  while (sp->done) {
    done_t *d = sp->done;
    sp->done = d->next;
    if (d->s.err == 0 && d->s.inter != MPI_COMM_NULL)
      MPI_Comm_free(&d->s.inter);
    mpipool__free(d->s.host);
    mpipool__free(d->s.pids);
    mpipool__free(d);
  }
  pthread_cond_destroy(&sp->wake);
  pthread_mutex_destroy(&sp->lock);
  mpipool__free(sp);
}
