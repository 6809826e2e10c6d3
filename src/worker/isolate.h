/*
 * isolate.h - a worker's tasks in a child process (mpipool_set_isolation).
 * The worker forks a child that never touches MPI; for each item it sends
 * the child the task and its input over a socket, and the child sends back
 * the item's status and output.  A child that dies (a crash, exit(), a
 * signal) or outlives the task time limit fails the item it ran, saying
 * how, and the next item gets a fresh child, forked again from the worker
 * (after its initializer: a child starts from the worker's state).
 */
#ifndef MPIPOOL_ISOLATE_H
#define MPIPOOL_ISOLATE_H

#include "mpipool.h"
#include "forker.h"
#include "transport/wire.h"

#include <sys/types.h>

typedef struct {
  pid_t pid;                /* the child, or 0 */
  int fd;                   /* the worker's end of the socket to it, or -1 */
  long children;            /* forked so far */
  int of_forker;            /* the child is the forker's, not this process's */
  mpipool__forker_t forker; /* forks the children (iso_forker), if any */
} mpipool__iso_t;

#define MPIPOOL__ISO_INIT                                                      \
  { 0, -1, 0, 0, MPIPOOL__FORKER_INIT }

/*
 * Runs fn(ctx, in, size) in the child (forked first if none runs) and
 * appends the item to rb as mpipool__ctx_run does.  timeout > 0: the
 * child is stopped after that many seconds (TERM, KILL 2 s later) and the
 * item fails with MPIPOOL_ETIMEDOUT.  cancelled(arg), asked every 0.1 s,
 * stops the child too: the item fails with MPIPOOL_ETERMINATED.  A child
 * that dies fails the item with MPIPOOL_ETASK and how it died ("killed by
 * signal 11 (Segmentation fault)", "exited with status 3").  Returns 0,
 * or ENOMEM if the item could not even be recorded.
 */
int mpipool__iso_run(mpipool__iso_t *iso, mpipool_ctx_t *ctx,
                     mpipool__rbuild_t *rb, mpipool_task_fn fn, void *task_data,
                     const void *in, size_t size, double timeout,
                     int (*cancelled)(void *), void *arg);

/*
 * Forks a forker now (forker.h), which forks the children from then on:
 * a process calls this while it has one thread (before MPI starts its
 * own), as a child forked among threads may find a lock another held (an
 * allocator's) held for ever.  ctx is the children's context (what it
 * points to now is what they have); shut, nshut: descriptors the forker
 * closes (mpipool__forker_start).  0 (one runs already, too), or errno:
 * then the children are forked by this process.
 */
int mpipool__iso_forker(mpipool__iso_t *iso, mpipool_ctx_t *ctx,
                        const int *shut, int nshut);

/* Ends the child: tells it to leave and closes its socket (it exits once
 * the item it runs, if any, has run), waits 2 s at most, then kills it.
 * No-op when none runs. */
void mpipool__iso_stop(mpipool__iso_t *iso);

/* Ends the child and the forker. */
void mpipool__iso_close(mpipool__iso_t *iso);

#endif
