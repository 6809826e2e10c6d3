/*
 * test_enomem.c - the library's main paths with each allocation failing
 * in turn (through the seam, alloc.h), without MPI running: creating a
 * pool, registering tasks and setting the initializer (the public calls),
 * planning the start, a map's and an apply_async's bookkeeping, the
 * messages' encoders, the roster and the string set.  Every failure must
 * come back as MPIPOOL_ENOMEM (or NULL), leave nothing allocated once the
 * objects are freed, and never crash; the last round, with nothing left
 * to fail, must succeed.
 */
#include "config.h"

#include "base/alloc.h"
#include "engine/intern.h"
#include "engine/job.h"
#include "mpipool.h"
#include "placement/plan.h"
#include "engine/roster.h"
#include "transport/wire.h"
#include "../tap.h"

#include <stdio.h>
#include <string.h>

static int task(mpipool_ctx_t *ctx, const void *in, size_t size) {
  (void)ctx, (void)in, (void)size;
  return 0;
}

/* A path under test: does its work, frees all it made, returns 0 or
 * ENOMEM. */
typedef int (*path_fn)(void);

static int pool_calls(void) {
  mpipool_t *pool = NULL;
  int err = mpipool_create(&pool);
  if (err == 0)
    err = mpipool_register(pool, "first", task, NULL);
  if (err == 0)
    err = mpipool_register(pool, "second", task, NULL);
  if (err == 0)
    err = mpipool_set_initializer(pool, NULL, "args", 4);
  mpipool_destroy(pool);
  return err;
}

static int planning(void) {
  char set[] = "0-3", one[] = "1";
  mpipool__node_t r[3];
  memset(r, 0, sizeof r);
  r[0] = (mpipool__node_t){"a", 0, 4, set, NULL, -1, 0, NULL};
  r[1] = (mpipool__node_t){"a", 0, 4, set, one, -1, 0, NULL};
  r[2] = (mpipool__node_t){"b", 0, 4, set, NULL, -1, 0, NULL};
  mpipool__plan_t p;
  int err = mpipool__plan_make(&p, r, 3, 0, 1);
  if (err == 0)
    mpipool__plan_free(&p);
  return err;
}

/* A map's bookkeeping: the job, its chunks, results arriving, the result
 * set handed over. */
static int map_job(void) {
  int items[20];
  mpipool__src_t src = {(const char *)items, sizeof items[0], NULL, NULL};
  mpipool__job_t *job;
  int err = mpipool__job_new(MPIPOOL__JOB_MAP, 0, &src, 20, 7, &job);
  if (err)
    return err;
  mpipool__job_unref(job); /* the engine's reference */
  for (size_t c = 0; c < job->nchunks; c++)
    mpipool__job_chunk_fail(job, c, MPIPOOL_ETASK, NULL);
  mpipool_results_t *res = NULL;
  err = mpipool__job_take_results(job, &res);
  mpipool__job_unref(job);
  mpipool_results_free(res);
  return err;
}

/* An apply_async's bookkeeping: one chunk, a copied input. */
static int async_job(void) {
  char in[16] = "sixteen bytes";
  mpipool__job_t *job;
  int err = mpipool__job_new_async(0, in, sizeof in, &job);
  if (err)
    return err;
  mpipool__job_chunk_fail(job, 0, MPIPOOL_ETERMINATED, NULL);
  mpipool__job_unref(job);
  mpipool__job_unref(job);
  return 0;
}

static int encoders(void) {
  mpipool__buf_t b = {0};
  mpipool__config_t c = {1,     0,   2, "a\0b", "xy", 2, 0,     2,       0,
                         "0-7", "3", 0, 0,      2,    1, "0,1", "1:2@h", "s"};
  mpipool__hello_t h = {0, 7, "host", "", "core 0", 1, 0};
  mpipool__nodemsg_t n = {0, 2, -1, 2, "host", "0-1", NULL, "0,1"};
  int err = mpipool__wire_config_encode(&b, &c);
  if (err == 0)
    err = mpipool__wire_hello_encode(&b, &h);
  if (err == 0)
    err = mpipool__wire_node_encode(&b, &n);
  mpipool__buf_free(&b);
  return err;
}

static int roster(void) {
  mpipool__roster_t r = {0};
  uint32_t ep;
  int err = mpipool__roster_add_endpoint(&r, MPI_COMM_WORLD, 1, 4, 0, &ep);
  for (int k = 1; err == 0 && k <= 4; k++)
    if (mpipool__roster_add(&r, ep, k) == NULL)
      err = MPIPOOL_ENOMEM;
  mpipool__roster_free(&r);
  return err;
}

static int strings(void) {
  mpipool__intern_t t = {0};
  int err = 0;
  char s[32];
  for (int i = 0; i < 20 && err == 0; i++) {
    snprintf(s, sizeof s, "core %d", i);
    if (mpipool__intern(&t, s) == NULL)
      err = MPIPOOL_ENOMEM;
  }
  mpipool__intern_free(&t);
  return err;
}

static void each_failure(const char *what, path_fn fn) {
  int bad = 0, tried = 0;
  for (unsigned long k = 1;; k++) {
    long live = mpipool__alloc_live();
    unsigned long before = mpipool__alloc_count();
    mpipool__alloc_fail_at(k);
    int err = fn();
    int reached = mpipool__alloc_count() - before >= k;
    mpipool__alloc_fail_at(0);
    if (mpipool__alloc_live() != live) {
      printf("#   %s, allocation %lu failing: %ld blocks leaked\n", what, k,
             mpipool__alloc_live() - live);
      bad++;
    }
    if (!reached) { /* nothing failed: the path must have worked */
      if (err != 0) {
        printf("#   %s with no failure: %s\n", what, mpipool_strerror(err));
        bad++;
      }
      break;
    }
    tried++;
    if (err != MPIPOOL_ENOMEM) {
      printf("#   %s, allocation %lu failing: %s, not ENOMEM\n", what, k,
             mpipool_strerror(err));
      bad++;
    }
  }
  ok(tried > 0 && bad == 0,
     "%s: each of %d allocations failing in turn gives ENOMEM, leaks "
     "nothing",
     what, tried);
}

int main(void) {
  each_failure("create, register, set_initializer", pool_calls);
  each_failure("start's planning", planning);
  each_failure("a map's bookkeeping", map_job);
  each_failure("an apply_async's bookkeeping", async_job);
  each_failure("CONFIG, HELLO and NODE encoders", encoders);
  each_failure("the roster", roster);
  each_failure("the string set", strings);
  return tap_done();
}
