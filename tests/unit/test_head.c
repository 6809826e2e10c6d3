/*
 * test_head.c - the head's hands (head.c) without MPI or an engine: a
 * chunk given to a hand runs in its child and comes back as a RESULTS
 * frame; the engine's sleep (mpipool__head_sleep) ends when a hand has
 * news, not at its deadline, and lasts its time when there is none; a
 * hand holds two chunks and runs the second as soon as the first is
 * done, and hands back unrun the one queued when the head retires, or
 * when its child cannot start again (its initializer fails).
 */
#include "config.h"

#include "api/pool.h"
#include "api/registry.h"
#include "base/clock.h"
#include "base/alloc.h"
#include "worker/head.h"
#include "mpipool.h"
#include "../tap.h"

#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

/* Sleeps the milliseconds it is given, and answers its pid. */
static int t_nap(mpipool_ctx_t *ctx, const void *in, size_t size) {
  (void)size;
  int ms = *(const int *)in;
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
  int pid = (int)getpid();
  return mpipool_ctx_set_output(ctx, &pid, sizeof pid);
}

/* The marker test_broken's crash leaves: the initializer fails once it
 * is there. */
static char marker[64];

/* -1: leaves the marker and dies (SIGKILL); else naps that many ms. */
static int t_act(mpipool_ctx_t *ctx, const void *in, size_t size) {
  if (*(const int *)in < 0) {
    close(open(marker, O_CREAT | O_WRONLY, 0600));
    raise(SIGKILL);
  }
  return t_nap(ctx, in, size);
}

static int init_until_marked(mpipool_ctx_t *ctx, const void *args,
                             size_t size) {
  (void)args;
  (void)size;
  return access(marker, F_OK) == 0 ? mpipool_ctx_fail(ctx, "marked") : 0;
}

/* Waits (1 s at most) until hand 0 can take a chunk. */
static int ready(mpipool__head_t *h) {
  double until = mpipool__now() + 1.0;
  while (!mpipool__head_ready(h, 0) && mpipool__now() < until)
    usleep(1000);
  return mpipool__head_ready(h, 0);
}

/* A pool with task `task` (and the initializer init, if not NULL), and
 * a head of one hand, started and ready: the head, its pool in *pool,
 * the task's index in *fn; NULL when it could not be made. */
static mpipool__head_t *one_hand(mpipool_t **pool, mpipool_task_fn task,
                                 mpipool_init_fn init, int *fn) {
  mpipool__head_t *h = NULL;
  *pool = NULL;
  if (!ok(mpipool_create(pool) == 0 &&
              mpipool_register(*pool, "task", task, NULL) == 0 &&
              (init == NULL ||
               mpipool_set_initializer(*pool, init, NULL, 0) == 0) &&
              mpipool__head_new(&h, *pool, 1) == 0 && mpipool__head_run(h) == 0,
          "a head with one hand%s", init ? " and an initializer" : "")) {
    mpipool__head_free(h);
    mpipool_destroy(*pool);
    return NULL;
  }
  ok(ready(h), "its hand is ready");
  *fn = mpipool__registry_find(&(*pool)->reg, "task");
  return h;
}

static void test_sleep(void) {
  mpipool_t *pool;
  int fn;
  mpipool__head_t *h = one_hand(&pool, t_nap, NULL, &fn);
  if (h == NULL)
    return;

  /* Nothing given: the sleep lasts its time (the hand's start, news
   * already, is woken up to first). */
  mpipool__head_sleep(h, 1000);
  double t0 = mpipool__now();
  mpipool__head_sleep(h, 50000);
  double slept = mpipool__now() - t0;
  ok(slept >= 0.045 && slept < 1.0, "no news: it sleeps 50 ms (%.3f s)", slept);

  /* A 100 ms item: the 5 s sleep ends when it has run. */
  int ms = 100;
  mpipool__src_t src = {(const char *)&ms, sizeof ms, NULL, NULL};
  mpipool__head_give(h, 0, (uint32_t)fn, &src, 0, 1);
  t0 = mpipool__now();
  void *data = NULL;
  size_t len = 0;
  int err = -1, took = 0, slot = -1;
  while (!took && mpipool__now() - t0 < 5.0) {
    mpipool__head_sleep(h, 5000000);
    took = mpipool__head_take(h, 0, &slot, &data, &len, &err);
  }
  slept = mpipool__now() - t0;
  ok(took && err == 0 && data != NULL && len > 0,
     "the chunk's results came back");
  ok(slept >= 0.09 && slept < 2.0,
     "the sleep ended when the hand was done, not at 5 s (%.3f s)", slept);
  mpipool__free(data);

  /* Its news woken up to, the next sleep lasts its time again. */
  t0 = mpipool__now();
  mpipool__head_sleep(h, 50000);
  slept = mpipool__now() - t0;
  ok(slept >= 0.045 && slept < 1.0, "news taken: it sleeps 50 ms (%.3f s)",
     slept);
  mpipool__head_free(h);
  mpipool_destroy(pool);
}

/* Waits (5 s at most) for a chunk of hand 0 to come back: 1 with *slot
 * and *err set (its results freed). */
static int take(mpipool__head_t *h, int *slot, int *err) {
  void *data = NULL;
  size_t len = 0;
  double until = mpipool__now() + 5.0;
  int took = 0;
  while (!took && mpipool__now() < until) {
    mpipool__head_sleep(h, 100000);
    took = mpipool__head_take(h, 0, slot, &data, &len, err);
  }
  mpipool__free(data);
  return took;
}

static void test_depth(void) {
  mpipool_t *pool;
  int fn;
  mpipool__head_t *h = one_hand(&pool, t_nap, NULL, &fn);
  if (h == NULL)
    return;
  int ms[2] = {200, 200};
  mpipool__src_t src = {(const char *)ms, sizeof *ms, NULL, NULL};

  /* Two chunks given at once: ready for the second, not for a third;
   * both run, one after the other, before either is taken. */
  double t0 = mpipool__now();
  int s0 = mpipool__head_give(h, 0, (uint32_t)fn, &src, 0, 1);
  ok(mpipool__head_ready(h, 0), "holding one chunk, the hand takes another");
  int s1 = mpipool__head_give(h, 0, (uint32_t)fn, &src, 1, 1);
  ok(s0 != s1 && !mpipool__head_ready(h, 0),
     "holding two (slots %d, %d), it takes no third", s0, s1);
  mpipool__head_wait(h, 0);
  double both = mpipool__now() - t0;
  ok(both >= 0.38 && both < 2.0, "both ran, one after the other (%.3f s)",
     both);
  int slot = -1, err = -1;
  ok(take(h, &slot, &err) && slot == s0 && err == 0,
     "the first given comes back first (slot %d, err %d)", slot, err);
  ok(take(h, &slot, &err) && slot == s1 && err == 0,
     "then the second (slot %d, err %d)", slot, err);

  /* Retired while one runs and one waits: the one waiting comes back
   * unrun, at once; the one running runs to its end. */
  t0 = mpipool__now();
  s0 = mpipool__head_give(h, 0, (uint32_t)fn, &src, 0, 1);
  s1 = mpipool__head_give(h, 0, (uint32_t)fn, &src, 1, 1);
  usleep(50000);
  mpipool__head_retire(h);
  ok(take(h, &slot, &err) && slot == s1 && err == MPIPOOL__HEAD_UNRUN,
     "retired: the chunk waiting comes back unrun (slot %d, err %d)", slot,
     err);
  ok(mpipool__now() - t0 < 0.19, "at once, not after the one running");
  ok(take(h, &slot, &err) && slot == s0 && err == 0,
     "the one running came back with its results (slot %d, err %d)", slot, err);
  ok(!mpipool__head_ready(h, 0), "retired, the hand takes no more");
  mpipool__head_free(h);
  mpipool_destroy(pool);
}

/* A chunk whose first item crashes the hand's child, and whose second
 * finds the initializer failing in the child forked again: the chunk
 * queued behind it comes back unrun (for the workers), and the head says
 * it failed. */
static void test_broken(void) {
  mpipool_t *pool;
  int fn;
  snprintf(marker, sizeof marker, "/tmp/test_head.%d", (int)getpid());
  unlink(marker);
  mpipool__head_t *h = one_hand(&pool, t_act, init_until_marked, &fn);
  if (h == NULL)
    return;
  int in[3] = {-1, 0, 0};
  mpipool__src_t src = {(const char *)in, sizeof *in, NULL, NULL};
  int s0 = mpipool__head_give(h, 0, (uint32_t)fn, &src, 0, 2);
  int s1 = mpipool__head_give(h, 0, (uint32_t)fn, &src, 2, 1);
  int slot = -1, err = -1;
  ok(take(h, &slot, &err) && slot == s0 && err == 0,
     "the chunk that broke the hand comes back with its items' failures "
     "(slot %d, err %d)",
     slot, err);
  ok(take(h, &slot, &err) && slot == s1 && err == MPIPOOL__HEAD_UNRUN,
     "the one behind it comes back unrun (slot %d, err %d)", slot, err);
  ok(mpipool__head_failed(h) && !mpipool__head_ready(h, 0),
     "the head says it failed, and takes no more");
  mpipool__head_free(h);
  mpipool_destroy(pool);
  unlink(marker);
}

int main(void) {
  test_sleep();
  test_depth();
  test_broken();
  return tap_done();
}
