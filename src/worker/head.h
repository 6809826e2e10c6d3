/*
 * head.h - the master's own hands: the tasks a pool with a head start
 * (mpipool_set_head_start) runs for the master while its first workers
 * are being spawned.  The head is a thread of the master's.  Its tasks
 * run in a child process (isolate.h), forked by a forker (forker.h) that
 * the head forks when it is made, while the process may still have one
 * thread.  As soon as the thread starts, a child runs the pool's
 * initializer; then it runs the chunks the engine hands the head, one at
 * a time, as an isolated worker's child would, and the head puts each
 * chunk's results into a RESULTS frame that the engine takes in as if a
 * worker had sent it.  Task code thus never runs in the master's process:
 * a task that crashes fails its item alone, and the next is run by a
 * child forked again (its initializer run again).  The engine never
 * waits for the head: it hands a chunk over, goes on serving the workers
 * that arrive, and takes the results when they are there.  Neither the
 * head nor its child touches MPI.
 */
#ifndef MPIPOOL_HEAD_H
#define MPIPOOL_HEAD_H

#include "api/pool.h"
#include "transport/wire.h"

typedef struct mpipool__head mpipool__head_t;

/* Makes the head, and forks the forker of its children now
 * (mpipool__iso_forker: best while the process has one thread, before
 * MPI starts; the children have what the process has now).  The pool
 * (its registry, options, initializer) must outlive the head.  0 or
 * ENOMEM. */
int mpipool__head_new(mpipool__head_t **out, mpipool_t *pool);

/* Starts the head's thread, which has the pool's initializer run first
 * (in its child).  0, or ESPAWN (no thread). */
int mpipool__head_run(mpipool__head_t *h);

/* 1 when the head can take a chunk: its initializer succeeded and it runs
 * none.  Once the initializer has failed, says so on stderr (once) and
 * stays 0. */
int mpipool__head_ready(mpipool__head_t *h);

/* 1 once its initializer has failed (the head runs no more tasks; when it
 * failed in a child forked again, the items left of that chunk failed). */
int mpipool__head_failed(mpipool__head_t *h);

/* Hands the head items [first, first + count) of src (which must stay
 * valid until the results are taken) for the pool's task fn (an index of
 * its registry).  Only when ready. */
void mpipool__head_give(mpipool__head_t *h, uint32_t fn,
                        const mpipool__src_t *src, size_t first, size_t count);

/* 1 when the chunk given has run: *data and *len are its RESULTS frame
 * (sequence number 0; taken), or *err says why there is none (ENOMEM,
 * E2BIG).  0 while it runs or when none was given. */
int mpipool__head_take(mpipool__head_t *h, void **data, size_t *len, int *err);

/* Waits until the chunk given has run (as long as its tasks take; after
 * head_cancel, its child is stopped: 2 s at most). */
void mpipool__head_wait(mpipool__head_t *h);

/* The head gets no more work (its workers are there): its child ends once
 * the chunk it runs, if any, has run, and what it holds (the
 * initializer's memory, files) goes with it. */
void mpipool__head_retire(mpipool__head_t *h);

/* Stops the head's task in progress, and fails the items left of its
 * chunk (the pool is terminated). */
void mpipool__head_cancel(mpipool__head_t *h);

/* Ends the thread (after the chunk it runs; an initializer still running
 * is stopped) and its child, and frees what the head had.  NULL: no-op. */
void mpipool__head_free(mpipool__head_t *h);

#endif
