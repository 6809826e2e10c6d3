/*
 * head.c - tasks run for a thread of the master's process, in a child
 * process it forks (see head.h).  The engine and the thread share one
 * small state under a mutex: the chunk handed over, and its outcome.  The
 * context, the child and the buffers are the thread's alone while a chunk
 * runs.
 */
#include "config.h"
#include "head.h"

#include "base/alloc.h"
#include "base/clock.h"
#include "base/text.h"
#include "ctx.h"
#include "isolate.h"
#include "transport/buf.h"
#include "transport/msg.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

enum { INITIALIZING, IDLE, GIVEN, DONE, FAILED };

struct mpipool__head {
  mpipool_t *pool;
  pthread_t thread;
  int running; /* the thread runs (mpipool__head_run) */
  pthread_mutex_t lock;
  pthread_cond_t wake; /* the thread: a chunk or the end; the engine: done */
  int state;
  int ending;
  int said;     /* the initializer's failure was told */
  int broken;   /* it failed in a child forked again: no more work */
  int retiring; /* no more work: its child ends once idle */
  atomic_int cancelled;
  /* The chunk handed over. */
  uint32_t fn;
  const mpipool__src_t *src;
  size_t first, count;
  /* Its outcome. */
  mpipool__buf_t out;
  int err;
  /* The thread's own. */
  mpipool_ctx_t ctx; /* "MainProcess", worker id 0 */
  mpipool__rbuild_t rb;
  mpipool__iso_t iso; /* the child that runs the tasks */
  long forks;         /* iso.children when ran was counted from 0 */
  long ran;           /* tasks run by the child that runs */
  /* The results' limit (mpipool__msg_max), read as the head is made: the
   * thread reads no environment, which the master's thread changes as it
   * starts MPI (mpihints.h; a getenv beside a setenv read freed memory:
   * AddressSanitizer, CI). */
  size_t msg_max;
  char *init_error; /* why the initializer failed */
};

static int is_cancelled(void *arg) {
  mpipool__head_t *h = arg;
  return atomic_load(&h->cancelled);
}

/* Forks the child that runs the tasks, and has it run the initializer
 * first (none: the child is forked at the first task): 1 when it is
 * ready, else 0 with why in h->init_error. */
static int initialize(mpipool__head_t *h) {
  mpipool_t *pool = h->pool;
  if (pool->init == NULL)
    return 1;
  mpipool__iso_init_t init = {pool->init, pool->initargs, pool->initargs_len};
  mpipool__rbuild_t rb = {0};
  int err = mpipool__iso_start(&h->iso, &h->ctx, &rb, &init, is_cancelled, h);
  int ready = err == 0 && rb.nfailed == 0;
  if (!ready) {
    mpipool__iso_stop(&h->iso);
    if (h->init_error == NULL)
      h->init_error = mpipool__strdup(err ? mpipool_strerror(err)
                                          : (const char *)rb.data.data);
  }
  mpipool__rbuild_free(&rb);
  return ready;
}

/* Runs the chunk handed over into h->out: 0, ENOMEM or E2BIG.  A child
 * that died (a task crashed), or ran maxtasksperchild tasks, is forked
 * again with the initializer; if that fails, the items left fail, and
 * *broken is set: the head takes no more work. */
static int run(mpipool__head_t *h, int *broken) {
  mpipool_t *pool = h->pool;
  mpipool_task_fn fn;
  void *data;
  mpipool__task_item(&pool->reg.tasks[h->fn], &fn, &data);
  uint64_t t0 = mpipool__clock_ns();
  mpipool__rbuild_reset(&h->rb);
  int err = mpipool__wire_results_begin(&h->out, 0, 0);
  if (err == 0)
    err = mpipool__rbuild_reserve(&h->rb, h->count, 0);
  for (size_t i = h->first; err == 0 && i < h->first + h->count; i++) {
    const void *in = mpipool__src_ptr(h->src, i);
    size_t size = mpipool__src_size(h->src, i);
    if (atomic_load(&h->cancelled)) {
      err = mpipool__ctx_fail_item(&h->ctx, &h->rb, MPIPOOL_ETERMINATED,
                                   mpipool_strerror(MPIPOOL_ETERMINATED));
      continue;
    }
    if (pool->maxtasks > 0 && h->ran >= pool->maxtasks)
      mpipool__iso_stop(&h->iso); /* a fresh child, as a worker retires */
    if (h->iso.pid == 0 && (*broken || !initialize(h))) {
      *broken = 1;
      char msg[200];
      mpipool__fmt(msg, sizeof msg, "MainProcess: initializer failed: %s",
                   h->init_error ? h->init_error : "out of memory");
      err = mpipool__ctx_fail_item(&h->ctx, &h->rb, MPIPOOL_ETASK, msg);
      continue;
    }
    /* The time limit is isolation's, as on a worker. */
    err = mpipool__iso_run(&h->iso, &h->ctx, &h->rb, fn, data, in, size,
                           pool->isolation ? pool->task_timeout : 0,
                           is_cancelled, h);
    if (h->iso.children != h->forks) { /* it ran in a child forked now */
      h->forks = h->iso.children;
      h->ran = 0;
    }
    h->ran++;
  }
  /* The limit a worker's results have (mpipool_result_max), so that an
   * item's fate does not depend on where it ran. */
  size_t max = h->msg_max;
  if (err == 0)
    err = mpipool__rbuild_fit(&h->rb, max > h->out.len ? max - h->out.len : 0,
                              max);
  if (err == 0)
    err = mpipool__wire_results_add(&h->out, &h->rb);
  if (err == 0)
    mpipool__wire_results_set_busy(&h->out, mpipool__clock_ns() - t0);
  return err;
}

/* 1 while the head has a child, or the forker of its children. */
static int holds(const mpipool__head_t *h) {
  return h->iso.pid || h->iso.forker.pid;
}

static void *head_main(void *arg) {
  mpipool__head_t *h = arg;
  int ready = initialize(h);
  pthread_mutex_lock(&h->lock);
  h->state = ready ? IDLE : FAILED;
  for (;;) {
    while (!h->ending && h->state != GIVEN && !(h->retiring && holds(h)))
      pthread_cond_wait(&h->wake, &h->lock);
    if (h->state != GIVEN && h->retiring && holds(h) && !h->ending) {
      pthread_mutex_unlock(&h->lock);
      mpipool__iso_close(&h->iso); /* what the initializer holds goes */
      pthread_mutex_lock(&h->lock);
      continue;
    }
    if (h->state != GIVEN)
      break;
    pthread_mutex_unlock(&h->lock);
    int broken = 0, err = run(h, &broken);
    pthread_mutex_lock(&h->lock);
    h->err = err;
    h->state = DONE;
    h->broken = broken;
    pthread_cond_broadcast(&h->wake);
  }
  pthread_mutex_unlock(&h->lock);
  return NULL;
}

int mpipool__head_new(mpipool__head_t **out, mpipool_t *pool) {
  mpipool__head_t *h = mpipool__calloc(1, sizeof *h);
  if (h == NULL)
    return MPIPOOL_ENOMEM;
  h->pool = pool;
  h->msg_max = mpipool__msg_max();
  h->iso = (mpipool__iso_t)MPIPOOL__ISO_INIT;
  atomic_init(&h->cancelled, 0);
  mpipool__ctx_init(&h->ctx, 0);
  snprintf(h->ctx.name, sizeof h->ctx.name, "MainProcess");
  /* It stands in for place 0 until that place's worker comes (which the
   * master holds back until the head's last chunk is done). */
  h->ctx.place = h->ctx.node_place = 0;
  h->ctx.cancelled = is_cancelled;
  h->ctx.cancelled_arg = h;
  pthread_mutex_init(&h->lock, NULL);
  pthread_cond_init(&h->wake, NULL);
  mpipool__iso_forker(&h->iso, &h->ctx); /* failed: the head forks them */
  *out = h;
  return MPIPOOL_OK;
}

int mpipool__head_run(mpipool__head_t *h) {
  if (pthread_create(&h->thread, NULL, head_main, h) != 0)
    return MPIPOOL_ESPAWN;
  h->running = 1;
  return MPIPOOL_OK;
}

/* The head's state, as the engine sees it; a failed initializer is said
 * the first time it is seen. */
static int state_of(mpipool__head_t *h) {
  pthread_mutex_lock(&h->lock);
  int state = h->state;
  pthread_mutex_unlock(&h->lock);
  if (state == FAILED && !h->said) {
    h->said = 1;
    fprintf(stderr,
            "mpipool: MainProcess: initializer failed: %s; the master runs "
            "no task, its workers do\n",
            h->init_error ? h->init_error : "out of memory");
  }
  return state;
}

int mpipool__head_ready(mpipool__head_t *h) { return state_of(h) == IDLE; }

int mpipool__head_failed(mpipool__head_t *h) { return state_of(h) == FAILED; }

void mpipool__head_give(mpipool__head_t *h, uint32_t fn,
                        const mpipool__src_t *src, size_t first, size_t count) {
  pthread_mutex_lock(&h->lock);
  h->fn = fn;
  h->src = src;
  h->first = first;
  h->count = count;
  h->state = GIVEN;
  pthread_cond_broadcast(&h->wake);
  pthread_mutex_unlock(&h->lock);
}

int mpipool__head_take(mpipool__head_t *h, void **data, size_t *len, int *err) {
  pthread_mutex_lock(&h->lock);
  int done = h->state == DONE;
  if (done) {
    *err = h->err;
    *len = h->out.len;
    *data = h->err ? NULL : mpipool__buf_steal(&h->out);
    mpipool__buf_free(&h->out);
    h->state = h->broken ? FAILED : IDLE;
  }
  pthread_mutex_unlock(&h->lock);
  return done;
}

void mpipool__head_wait(mpipool__head_t *h) {
  pthread_mutex_lock(&h->lock);
  while (h->state == GIVEN)
    pthread_cond_wait(&h->wake, &h->lock);
  pthread_mutex_unlock(&h->lock);
}

void mpipool__head_retire(mpipool__head_t *h) {
  pthread_mutex_lock(&h->lock);
  h->retiring = 1;
  pthread_cond_broadcast(&h->wake);
  pthread_mutex_unlock(&h->lock);
}

void mpipool__head_cancel(mpipool__head_t *h) {
  atomic_store(&h->cancelled, 1);
}

void mpipool__head_free(mpipool__head_t *h) {
  if (h == NULL)
    return;
  atomic_store(&h->cancelled, 1); /* an initializer still running ends */
  pthread_mutex_lock(&h->lock);
  h->ending = 1;
  pthread_cond_broadcast(&h->wake);
  pthread_mutex_unlock(&h->lock);
  if (h->running)
    pthread_join(h->thread, NULL);
  mpipool__iso_close(&h->iso);
  mpipool__rbuild_free(&h->rb);
  mpipool__buf_free(&h->out);
  mpipool__free(h->init_error);
  pthread_cond_destroy(&h->wake);
  pthread_mutex_destroy(&h->lock);
  mpipool__free(h);
}
