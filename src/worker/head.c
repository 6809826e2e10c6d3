/*
 * head.c - tasks run for the master by its hands, threads of its
 * process, each in a child process of its own (see head.h).  The engine
 * and the threads share small states under one mutex: each hand's chunks
 * handed over (MPIPOOL__HEAD_DEPTH slots, run in the order given), and
 * their outcomes.  A hand's context, child and buffers are its thread's
 * alone while a chunk runs.
 */
#include "config.h"
#include "head.h"

#include "base/alloc.h"
#include "base/clock.h"
#include "base/text.h"
#include "ctx.h"
#include "isolate.h"
#include "placement/topology.h"
#include "transport/buf.h"
#include "transport/msg.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { INITIALIZING, IDLE, FAILED };  /* a hand */
enum { FREE, QUEUED, RUNNING, DONE }; /* a slot: a chunk handed over */

typedef struct {
  int state;
  unsigned long order; /* the hand's count of chunks given, as given */
  uint32_t fn;
  const mpipool__src_t *src;
  size_t first, count;
  /* Its outcome. */
  mpipool__buf_t out;
  int err; /* or MPIPOOL__HEAD_UNRUN */
} slot_t;

/* One hand: a thread, and the child that runs its tasks. */
typedef struct {
  mpipool__head_t *head;
  pthread_t thread;
  int running; /* the thread runs */
  int state;   /* under the head's lock */
  int broken;  /* its initializer failed in a child forked again */
  slot_t slots[MPIPOOL__HEAD_DEPTH];
  unsigned long given;
  /* The thread's own. */
  mpipool_ctx_t ctx; /* "MainProcess", worker id 0, its place */
  mpipool__rbuild_t rb;
  mpipool__iso_t iso; /* the child that runs the tasks */
  long forks;         /* iso.children when ran was counted from 0 */
  long ran;           /* tasks run by the child that runs */
  char *init_error;   /* why its child could not start: "initializer
                         failed: ..." or "its child, binding itself, ..." */
} hand_t;

struct mpipool__head {
  mpipool_t *pool;
  pthread_mutex_t lock;
  pthread_cond_t wake; /* the threads: a chunk or the end; the engine: done */
  /* The hands' news (an initializer or a chunk done), and how many of
   * them the engine has woken up to (mpipool__head_sleep). */
  unsigned long news, news_seen;
  int ending;
  int said;     /* an initializer's failure was told */
  int failed;   /* an initializer failed (under the lock) */
  int retiring; /* no more work: the children end once idle */
  atomic_int cancelled;
  /* The results' limit (mpipool__msg_max), read as the head is made: the
   * threads read no environment, which the master's thread changes as it
   * starts MPI (mpihints.h; a getenv beside a setenv read freed memory:
   * AddressSanitizer, CI). */
  size_t msg_max;
  /* Where the hands' children run (mpipool__head_bind); binds 0: as
   * they are. */
  int binds, bind_count, bind_units, bind_hwthreads;
  char *bind_set, *bind_avoid;
  hand_t **hands;
  int nhands;
};

static int is_cancelled(void *arg) {
  hand_t *hand = arg;
  return atomic_load(&hand->head->cancelled);
}

/* The first item of a hand's child when the head binds (in the child):
 * binds it to its share of the node, as place k's worker binds itself
 * (worker.c), "share count units hwthreads" then the node's set and the
 * PUs to avoid in `in` (count 0: to the whole set).  A binding that fails
 * leaves it unbound, as on a worker; the item never fails. */
static int bind_child(mpipool_ctx_t *ctx, const void *in, size_t size) {
  (void)ctx;
  const char *spec = in, *end = spec + size;
  int share, count, units, hwthreads, bound;
  const char *set = memchr(spec, '\0', size);
  const char *avoid =
      set ? memchr(set + 1, '\0', (size_t)(end - set - 1)) : NULL;
  if (avoid == NULL ||
      memchr(avoid + 1, '\0', (size_t)(end - avoid - 1)) == NULL ||
      sscanf(spec, "%d %d %d %d", &share, &count, &units, &hwthreads) != 4)
    return 0;
  const char *fault = getenv("MPIPOOL_FAULT_HEAD");
  if (fault && strcmp(fault, "bind") == 0)
    raise(SIGKILL);
  char *desc = NULL;
  if (count == 0) /* the whole set: one share of one */
    share = 0, count = 1, units = 0;
  mpipool__bind_self_inherited(share, count, units, hwthreads, set + 1,
                               avoid + 1, &bound, &desc);
  mpipool__free(desc);
  return 0;
}

/* Why a hand's child could not start when even that could not be kept. */
#define NO_MEMORY "its child could not start: out of memory"

/* Forks the child that runs the tasks, and has it bind itself and run
 * the initializer first (neither: the child is forked at the first task):
 * 1 when it is ready, else 0 with why in hand->init_error (what failed,
 * then why). */
static int initialize(hand_t *hand) {
  mpipool_t *pool = hand->head->pool;
  const mpipool__head_t *h = hand->head;
  if (pool->init == NULL && !h->binds)
    return 1;
  mpipool__rbuild_t rb = {0};
  int err = 0;
  mpipool__iso_stop(&hand->iso); /* a child forked now */
  if (h->binds) {
    /* bind_child's input: its share (its place), then the node's. */
    size_t nset = strlen(h->bind_set) + 1, navoid = strlen(h->bind_avoid) + 1;
    char *spec = mpipool__malloc(64 + nset + navoid);
    size_t len = 0;
    if (spec) {
      len = (size_t)snprintf(spec, 64, "%ld %d %d %d", (long)hand->ctx.place,
                             h->bind_count, h->bind_units, h->bind_hwthreads) +
            1;
      memcpy(spec + len, h->bind_set, nset);
      memcpy(spec + len + nset, h->bind_avoid, navoid);
      len += nset + navoid;
    }
    err = spec ? mpipool__iso_run(&hand->iso, &hand->ctx, &rb, bind_child, NULL,
                                  spec, len, 0, is_cancelled, hand)
               : MPIPOOL_ENOMEM;
    mpipool__free(spec);
  }
  /* The binding never fails itself: its child died (killed) or the
   * head was cancelled. */
  const char *what = "its child, binding itself, failed";
  if (err == 0 && rb.nfailed == 0 && pool->init) {
    what = "initializer failed";
    err = mpipool__iso_run(&hand->iso, &hand->ctx, &rb, pool->init, NULL,
                           pool->initargs, pool->initargs_len, 0, is_cancelled,
                           hand);
  }
  int ready = err == 0 && rb.nfailed == 0;
  if (!ready) {
    mpipool__iso_stop(&hand->iso);
    char why[300];
    mpipool__fmt(why, sizeof why, "%s: %s", what,
                 err ? mpipool_strerror(err) : (const char *)rb.data.data);
    if (hand->init_error == NULL)
      hand->init_error = mpipool__strdup(why);
  }
  mpipool__rbuild_free(&rb);
  return ready;
}

/* Runs the chunk handed over in slot `sl` into sl->out: 0, ENOMEM or
 * E2BIG.  A child that died (a task crashed), or ran maxtasksperchild
 * tasks, is forked again with the initializer; if that fails, the items
 * left fail, and *broken is set: the head takes no more work. */
static int run(hand_t *hand, slot_t *sl, int *broken) {
  mpipool_t *pool = hand->head->pool;
  mpipool_task_fn fn;
  void *data;
  mpipool__task_item(&pool->reg.tasks[sl->fn], &fn, &data);
  uint64_t t0 = mpipool__clock_ns();
  mpipool__rbuild_reset(&hand->rb);
  int err = mpipool__wire_results_begin(&sl->out, 0, 0);
  if (err == 0)
    err = mpipool__rbuild_reserve(&hand->rb, sl->count, 0);
  for (size_t i = sl->first; err == 0 && i < sl->first + sl->count; i++) {
    const void *in = mpipool__src_ptr(sl->src, i);
    size_t size = mpipool__src_size(sl->src, i);
    if (is_cancelled(hand)) {
      err = mpipool__ctx_fail_item(&hand->ctx, &hand->rb, MPIPOOL_ETERMINATED,
                                   mpipool_strerror(MPIPOOL_ETERMINATED));
      continue;
    }
    if (pool->maxtasks > 0 && hand->ran >= pool->maxtasks)
      mpipool__iso_stop(&hand->iso); /* a fresh child, as a worker retires */
    if (hand->iso.pid == 0 && (*broken || !initialize(hand))) {
      *broken = 1;
      char msg[200];
      mpipool__fmt(msg, sizeof msg, "MainProcess: %s",
                   hand->init_error ? hand->init_error : NO_MEMORY);
      err = mpipool__ctx_fail_item(&hand->ctx, &hand->rb, MPIPOOL_ETASK, msg);
      continue;
    }
    /* The time limit is isolation's, as on a worker. */
    err = mpipool__iso_run(&hand->iso, &hand->ctx, &hand->rb, fn, data, in,
                           size, pool->isolation ? pool->task_timeout : 0,
                           is_cancelled, hand);
    if (hand->iso.children != hand->forks) { /* it ran in a child forked now */
      hand->forks = hand->iso.children;
      hand->ran = 0;
    }
    hand->ran++;
  }
  /* The limit a worker's results have (mpipool_result_max), so that an
   * item's fate does not depend on where it ran. */
  size_t max = hand->head->msg_max;
  if (err == 0)
    err = mpipool__rbuild_fit(&hand->rb,
                              max > sl->out.len ? max - sl->out.len : 0, max);
  if (err == 0)
    err = mpipool__wire_results_add(&sl->out, &hand->rb);
  if (err == 0)
    mpipool__wire_results_set_busy(&sl->out, mpipool__clock_ns() - t0);
  return err;
}

/* The slot given first of those in `state`, or -1 (under the lock). */
static int oldest(const hand_t *hand, int state) {
  int s = -1;
  for (int i = 0; i < MPIPOOL__HEAD_DEPTH; i++)
    if (hand->slots[i].state == state &&
        (s < 0 || hand->slots[i].order < hand->slots[s].order))
      s = i;
  return s;
}

/* How many of the hand's slots are in `state` (under the lock). */
static int count(const hand_t *hand, int state) {
  int n = 0;
  for (int i = 0; i < MPIPOOL__HEAD_DEPTH; i++)
    n += hand->slots[i].state == state;
  return n;
}

/* 1 while a chunk given to the hand is not back (under the lock). */
static int at_work(const hand_t *hand) {
  return count(hand, QUEUED) + count(hand, RUNNING) > 0;
}

/* A chunk queued is handed back unrun (under the lock). */
static void hand_back(hand_t *hand, int s) {
  hand->slots[s].state = DONE;
  hand->slots[s].err = MPIPOOL__HEAD_UNRUN;
  hand->head->news++;
}

/* 1 while the hand has a child, or the forker of its children. */
static int holds(const hand_t *hand) {
  return hand->iso.pid || hand->iso.forker.pid;
}

static void *hand_main(void *arg) {
  hand_t *hand = arg;
  mpipool__head_t *h = hand->head;
  int ready = initialize(hand);
  pthread_mutex_lock(&h->lock);
  hand->state = ready ? IDLE : FAILED;
  h->failed |= !ready;
  h->news++;
  pthread_cond_broadcast(&h->wake);
  for (;;) {
    while (!h->ending && oldest(hand, QUEUED) < 0 &&
           !(h->retiring && holds(hand)))
      pthread_cond_wait(&h->wake, &h->lock);
    int s = oldest(hand, QUEUED);
    if (s < 0 && h->retiring && holds(hand) && !h->ending) {
      pthread_mutex_unlock(&h->lock);
      mpipool__iso_close(&hand->iso); /* what the initializer holds goes */
      pthread_mutex_lock(&h->lock);
      continue;
    }
    if (s < 0)
      break;
    slot_t *sl = &hand->slots[s];
    if (hand->broken) { /* its child cannot start: the workers run it */
      hand_back(hand, s);
      pthread_cond_broadcast(&h->wake);
      continue;
    }
    sl->state = RUNNING;
    pthread_mutex_unlock(&h->lock);
    int broken = 0, err = run(hand, sl, &broken);
    pthread_mutex_lock(&h->lock);
    sl->err = err;
    sl->state = DONE;
    hand->broken |= broken;
    h->news++;
    pthread_cond_broadcast(&h->wake);
  }
  pthread_mutex_unlock(&h->lock);
  return NULL;
}

/* A hand at place k, its forker forked now (failed: its thread forks its
 * children), without the other hands' forkers' sockets.  NULL when out of
 * memory. */
static hand_t *hand_new(mpipool__head_t *h, int k) {
  int shut[MPIPOOL__HEAD_HANDS_MAX], nshut = 0;
  for (int j = 0; j < k; j++)
    if (h->hands[j]->iso.forker.fd >= 0)
      shut[nshut++] = h->hands[j]->iso.forker.fd;
  hand_t *hand = mpipool__calloc(1, sizeof *hand);
  if (hand == NULL)
    return NULL;
  hand->head = h;
  hand->iso = (mpipool__iso_t)MPIPOOL__ISO_INIT;
  mpipool__ctx_init(&hand->ctx, 0);
  snprintf(hand->ctx.name, sizeof hand->ctx.name, "MainProcess");
  /* It stands in for place k until that place's worker comes (which the
   * master holds back until the hand's last chunk is done). */
  hand->ctx.place = hand->ctx.node_place = k;
  hand->ctx.cancelled = is_cancelled;
  hand->ctx.cancelled_arg = hand;
  mpipool__iso_forker(&hand->iso, &hand->ctx, shut, nshut);
  return hand;
}

/* Ends the hand's thread (the head is ending) and its child. */
static void hand_free(hand_t *hand) {
  if (hand->running)
    pthread_join(hand->thread, NULL);
  mpipool__iso_close(&hand->iso);
  mpipool__rbuild_free(&hand->rb);
  for (int s = 0; s < MPIPOOL__HEAD_DEPTH; s++)
    mpipool__buf_free(&hand->slots[s].out);
  mpipool__free(hand->init_error);
  mpipool__free(hand);
}

int mpipool__head_new(mpipool__head_t **out, mpipool_t *pool, int n) {
  mpipool__head_t *h = mpipool__calloc(1, sizeof *h);
  n = n < 1 ? 1 : n > MPIPOOL__HEAD_HANDS_MAX ? MPIPOOL__HEAD_HANDS_MAX : n;
  if (h == NULL ||
      (h->hands = mpipool__calloc((size_t)n, sizeof *h->hands)) == NULL) {
    mpipool__free(h);
    return MPIPOOL_ENOMEM;
  }
  h->pool = pool;
  h->msg_max = mpipool__msg_max();
  atomic_init(&h->cancelled, 0);
  pthread_mutex_init(&h->lock, NULL);
  mpipool__clock_cond_init(&h->wake); /* head_sleep's deadline */
  while (h->nhands < n && (h->hands[h->nhands] = hand_new(h, h->nhands)))
    h->nhands++;
  if (h->nhands == 0) {
    mpipool__head_free(h);
    return MPIPOOL_ENOMEM;
  }
  *out = h;
  return MPIPOOL_OK;
}

int mpipool__head_hands(mpipool__head_t *h, int n) {
  while (h->nhands > 1 && h->nhands > n)
    hand_free(h->hands[--h->nhands]);
  return h->nhands;
}

/* Starts hand k's thread: 0, or ESPAWN. */
static int start_hand(hand_t *hand) {
  if (pthread_create(&hand->thread, NULL, hand_main, hand) != 0)
    return MPIPOOL_ESPAWN;
  hand->running = 1;
  return MPIPOOL_OK;
}

int mpipool__head_run(mpipool__head_t *h) { return start_hand(h->hands[0]); }

int mpipool__head_ready(mpipool__head_t *h, int k) {
  hand_t *hand = h->hands[k];
  pthread_mutex_lock(&h->lock);
  int ready = hand->running && hand->state == IDLE && !h->failed &&
              !hand->broken && !h->retiring && count(hand, FREE) > 0;
  /* A hand starts once the one before it runs a chunk (past its
   * initializer, and busy: one initializer at a time, and a lone task
   * starts one hand, not all). */
  const hand_t *before = k > 0 ? h->hands[k - 1] : NULL;
  int start = before && !hand->running && !h->ending && !h->retiring &&
              !h->failed && before->running && at_work(before);
  pthread_mutex_unlock(&h->lock);
  if (start)
    start_hand(hand); /* failed: the hand takes no work */
  return ready;
}

int mpipool__head_failed(mpipool__head_t *h) {
  pthread_mutex_lock(&h->lock);
  int failed = h->failed;
  const char *why = NULL;
  for (int k = 0; failed && k < h->nhands && why == NULL; k++)
    if (h->hands[k]->state == FAILED)
      why = h->hands[k]->init_error;
  pthread_mutex_unlock(&h->lock);
  if (failed && !h->said) {
    h->said = 1;
    fprintf(stderr,
            "mpipool: MainProcess: %s; the master runs no task, its workers "
            "do\n",
            why ? why : NO_MEMORY);
  }
  return failed;
}

int mpipool__head_give(mpipool__head_t *h, int k, uint32_t fn,
                       const mpipool__src_t *src, size_t first, size_t n) {
  hand_t *hand = h->hands[k];
  pthread_mutex_lock(&h->lock);
  int s = oldest(hand, FREE);
  slot_t *sl = &hand->slots[s];
  sl->fn = fn;
  sl->src = src;
  sl->first = first;
  sl->count = n;
  sl->order = hand->given++;
  sl->state = QUEUED;
  pthread_cond_broadcast(&h->wake);
  pthread_mutex_unlock(&h->lock);
  return s;
}

int mpipool__head_take(mpipool__head_t *h, int k, int *slot, void **data,
                       size_t *len, int *err) {
  hand_t *hand = h->hands[k];
  pthread_mutex_lock(&h->lock);
  int s = oldest(hand, DONE);
  if (s >= 0) {
    slot_t *sl = &hand->slots[s];
    *slot = s;
    *err = sl->err;
    *len = sl->out.len;
    *data = sl->err ? NULL : mpipool__buf_steal(&sl->out);
    mpipool__buf_free(&sl->out);
    sl->state = FREE;
    if (hand->broken)
      hand->state = FAILED;
    h->failed |= hand->broken;
  }
  pthread_mutex_unlock(&h->lock);
  return s >= 0;
}

void mpipool__head_wait(mpipool__head_t *h, int k) {
  pthread_mutex_lock(&h->lock);
  while (at_work(h->hands[k]))
    pthread_cond_wait(&h->wake, &h->lock);
  pthread_mutex_unlock(&h->lock);
}

int mpipool__head_bind(mpipool__head_t *h, int count, int units, int hwthreads,
                       const char *node_set, const char *avoid) {
  char *set = mpipool__strdup(node_set ? node_set : "");
  char *skip = mpipool__strdup(avoid ? avoid : "");
  if (set == NULL || skip == NULL) {
    mpipool__free(set);
    mpipool__free(skip);
    return MPIPOOL_ENOMEM;
  }
  mpipool__free(h->bind_set);
  mpipool__free(h->bind_avoid);
  h->bind_set = set;
  h->bind_avoid = skip;
  h->bind_count = count;
  h->bind_units = units;
  h->bind_hwthreads = hwthreads;
  h->binds = 1;
  return MPIPOOL_OK;
}

void mpipool__head_sleep(mpipool__head_t *h, unsigned us) {
  struct timespec until = mpipool__clock_deadline(us * 1e-6);
  pthread_mutex_lock(&h->lock);
  while (h->news == h->news_seen &&
         pthread_cond_timedwait(&h->wake, &h->lock, &until) == 0)
    ;
  h->news_seen = h->news;
  pthread_mutex_unlock(&h->lock);
}

void mpipool__head_retire(mpipool__head_t *h) {
  pthread_mutex_lock(&h->lock);
  h->retiring = 1;
  for (int k = 0; k < h->nhands; k++) /* not started: the workers run it */
    for (int s; (s = oldest(h->hands[k], QUEUED)) >= 0;)
      hand_back(h->hands[k], s);
  pthread_cond_broadcast(&h->wake);
  pthread_mutex_unlock(&h->lock);
  /* The forkers of hands that never started go now (no thread of theirs
   * touches them, and none will start). */
  for (int k = 0; k < h->nhands; k++)
    if (!h->hands[k]->running)
      mpipool__iso_close(&h->hands[k]->iso);
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
  for (int k = 0; k < h->nhands; k++)
    hand_free(h->hands[k]);
  mpipool__free(h->hands);
  mpipool__free(h->bind_set);
  mpipool__free(h->bind_avoid);
  pthread_cond_destroy(&h->wake);
  pthread_mutex_destroy(&h->lock);
  mpipool__free(h);
}
