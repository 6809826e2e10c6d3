/*
 * head.h - the master's own hands: the tasks a pool with a head start
 * (mpipool_set_head_start) runs in the master's process while its first
 * workers are being spawned.  The head runs the pool's initializer once,
 * before its first task, and then chunks one at a time, as a worker
 * would (in a child process with mpipool_set_isolation), into a RESULTS
 * frame that the engine takes in as if a worker had sent it.  No MPI.
 */
#ifndef MPIPOOL_HEAD_H
#define MPIPOOL_HEAD_H

#include "api/pool.h"
#include "ctx.h"
#include "isolate.h"
#include "transport/buf.h"
#include "transport/wire.h"

typedef struct {
  mpipool_ctx_t ctx; /* "MainProcess", worker id 0 */
  mpipool__rbuild_t rb;
  mpipool__iso_t iso;
  int initialized; /* the initializer ran (or there is none) */
  int failed;      /* it failed: the head runs nothing */
} mpipool__head_t;

void mpipool__head_init(mpipool__head_t *h);

/* Runs the pool's initializer if it has not run yet; 1 when the head can
 * run tasks, 0 when the initializer failed (said on stderr, once). */
int mpipool__head_ready(mpipool__head_t *h, mpipool_t *pool);

/* Runs items [first, first + count) of src with the pool's task fn (an
 * index of its registry) into a RESULTS frame begun in out (emptied
 * first) with sequence number seq.  0, ENOMEM or E2BIG. */
int mpipool__head_run(mpipool__head_t *h, mpipool_t *pool, uint32_t fn,
                      const mpipool__src_t *src, size_t first, size_t count,
                      uint64_t seq, mpipool__buf_t *out);

/* Ends the isolation child and frees the initializer's worker data. */
void mpipool__head_free(mpipool__head_t *h);

#endif
