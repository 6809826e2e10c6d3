/*
 * ctx.h - the context a task or initializer runs in, on a worker: its
 * identity and where its output goes.
 */
#ifndef MPIPOOL_CTX_H
#define MPIPOOL_CTX_H

#include "api/registry.h"
#include "mpipool.h"
#include "transport/wire.h"

struct mpipool_ctx {
  long id;
  char name[32];
  long place;       /* the pool's place it serves, -1: none yet */
  long node_place;  /* that place's index among its node's, -1: none */
  const char *gpus; /* its place's GPUs ("0,1"), NULL: none */
  void *task_data;
  void *worker_data;
  void (*worker_data_free)(void *data);
  mpipool__rbuild_t *rb; /* the chunk being built; output goes to its end */
  int failed;            /* the current item called mpipool_ctx_fail */
  int oom;               /* an output could not be allocated */
  int chunk;             /* a chunk task runs: its output is its `out` */
  char *said; /* its mpipool_ctx_fail message (malloc'd), for its runner */
  /* Asks the worker whether the master terminated the pool (NULL: never,
   * as in unit tests, which run without MPI). */
  int (*cancelled)(void *arg);
  void *cancelled_arg;
};

/* Sets id and name ("PoolWorker-<id>"). */
void mpipool__ctx_init(mpipool_ctx_t *ctx, long id);

/*
 * Runs one item: fn(ctx, in, size) with its output appended to rb as a new
 * item, whose status follows the contract of mpipool_task_fn.  Returns 0,
 * or ENOMEM if the item could not even be recorded.
 */
int mpipool__ctx_run(mpipool_ctx_t *ctx, mpipool__rbuild_t *rb,
                     mpipool_task_fn fn, void *task_data, const void *in,
                     size_t size);

/* How task t runs one item: *fn with *task_data, for mpipool__ctx_run
 * and mpipool__iso_run (a chunk task: its call with count 1). */
void mpipool__task_item(const mpipool__task_t *t, mpipool_task_fn *fn,
                        void **task_data);

/*
 * Runs chunk task t once on `count` items of `size` bytes at `in` and
 * appends their results to rb, as count mpipool__ctx_run calls would:
 * out_size bytes each, or, when the call fails, the same failure for
 * every item.  Returns 0, or ENOMEM if the items could not be recorded.
 */
int mpipool__ctx_run_chunk(mpipool_ctx_t *ctx, mpipool__rbuild_t *rb,
                           const mpipool__task_t *t, const void *in,
                           size_t count, size_t size);

/* Frees the worker data with the function the initializer gave, once. */
void mpipool__ctx_free_worker_data(mpipool_ctx_t *ctx);

/* Records a failed item with a message, without running anything. */
int mpipool__ctx_fail_item(mpipool_ctx_t *ctx, mpipool__rbuild_t *rb,
                           int status, const char *message);

#endif
