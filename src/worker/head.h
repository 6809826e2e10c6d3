/*
 * head.h - the master's own hands: the tasks a pool with a head start
 * (mpipool_set_head_start) runs for the master while its first workers
 * are being spawned.  The head has up to as many hands as the pool has
 * places (HEAD_HANDS_MAX at most), so that the tasks run as many at a
 * time before the workers come as after; hand k stands in for place k.
 * Each hand is a thread of the master's.  Its tasks run in a child
 * process (isolate.h), forked by a forker (forker.h) of its own that is
 * forked when the hand is made, while the process may still have one
 * thread.  As soon as a hand's thread starts (hand 0 at
 * mpipool__head_run, another when the engine first finds work for it),
 * its child binds itself to its place's cores (mpipool__head_bind) and
 * runs the pool's initializer; then it runs the chunks the
 * engine hands it, one at a time, as an isolated worker's child would,
 * and the hand puts each chunk's results into a RESULTS frame that the
 * engine takes in as if a worker had sent it.  Task code thus never runs
 * in the master's process: a task that crashes fails its item alone, and
 * the next is run by a child forked again (its initializer run again).
 * The engine never waits for a hand: it hands a chunk over, goes on
 * serving the workers that arrive, and takes the results when they are
 * there.  Neither the hands nor their children touch MPI.
 */
#ifndef MPIPOOL_HEAD_H
#define MPIPOOL_HEAD_H

#include "api/pool.h"
#include "transport/wire.h"

/* The most hands a head has: each is a forker, a thread and a child of
 * the master's, made at the start. */
#define MPIPOOL__HEAD_HANDS_MAX 16

/* The chunks a hand holds at most: the one it runs and the next, which it
 * starts as soon as the first is done, without waiting for the engine to
 * take the results in and give it more (a hand of 1 ms commands idled
 * about a tenth of the time between them).  They run in the order
 * given. */
#define MPIPOOL__HEAD_DEPTH 2

/* The outcome of a chunk handed back unrun (mpipool__head_take): the
 * head retired, or the hand's child could not start again. */
#define MPIPOOL__HEAD_UNRUN 1

typedef struct mpipool__head mpipool__head_t;

/* Makes the head with n hands (at least 1, at most HEAD_HANDS_MAX; fewer
 * when memory runs out), and forks the forkers of their children now
 * (mpipool__iso_forker: best while the process has one thread, before
 * MPI starts, which is why they are made before the pool knows its size;
 * the children have what the process has now).  The pool (its registry,
 * options, initializer) must outlive the head.  0 or ENOMEM. */
int mpipool__head_new(mpipool__head_t **out, mpipool_t *pool, int n);

/* Keeps n of the head's hands (at least 1), ending the others' forkers
 * now.  Before mpipool__head_run.  Returns how many it has. */
int mpipool__head_hands(mpipool__head_t *h, int n);

/* Binds the hands' children from now on as the node's workers bind
 * (mpipool__bind_self_units): hand k's to share k of count shares of
 * units cores each (0: one core, or PU with hwthreads) of the node's
 * usable set node_set, less the PUs in avoid (copied).  Place k's
 * worker takes share k, so a task runs on the same cores in the head as
 * on the worker after it.  count 0: on the whole node_set (binding off,
 * where a launcher bound the master, whose binding they would inherit).
 * A child binds itself as it starts, before the initializer; one that
 * cannot runs unbound.  Before mpipool__head_run.  0 or ENOMEM (the
 * children run unbound).  The fault of the tests:
 * MPIPOOL_FAULT_HEAD=bind kills each child (SIGKILL) as it binds itself:
 * the head takes no work, and says why. */
int mpipool__head_bind(mpipool__head_t *h, int count, int units, int hwthreads,
                       const char *node_set, const char *avoid);

/* Starts hand 0's thread, which has the pool's initializer run first
 * (in its child).  0, or ESPAWN (no thread). */
int mpipool__head_run(mpipool__head_t *h);

/* 1 when hand k can take a chunk: its initializer succeeded and it holds
 * fewer than MPIPOOL__HEAD_DEPTH; 0 once an initializer has failed in any
 * hand, or the head retired.  Hand k > 0, not
 * started yet, is started now (0 until its initializer has run) when
 * hand k - 1 runs a chunk: a lone task starts one hand, not all. */
int mpipool__head_ready(mpipool__head_t *h, int k);

/* 1 once an initializer has failed in a hand (the head runs no more
 * tasks; when it failed in a child forked again, the items left of that
 * chunk failed); says so on stderr, once. */
int mpipool__head_failed(mpipool__head_t *h);

/* Hands hand k items [first, first + n) of src (which must stay valid
 * until the results are taken) for the pool's task fn (an index of its
 * registry).  Only when ready.  Returns the slot it takes (0 to
 * MPIPOOL__HEAD_DEPTH - 1), which mpipool__head_take names. */
int mpipool__head_give(mpipool__head_t *h, int k, uint32_t fn,
                       const mpipool__src_t *src, size_t first, size_t n);

/* 1 when a chunk given to hand k is back (the first given, of those
 * back): *slot says which, *data and *len are its RESULTS frame (sequence
 * number 0; taken), or *err says why there is none (ENOMEM, E2BIG; or
 * MPIPOOL__HEAD_UNRUN: none of its items ran).  0 when none is back. */
int mpipool__head_take(mpipool__head_t *h, int k, int *slot, void **data,
                       size_t *len, int *err);

/* Waits until the chunks given to hand k are back (as long as their
 * tasks take; after head_cancel, its child is stopped: 2 s at most). */
void mpipool__head_wait(mpipool__head_t *h, int k);

/* Sleeps us microseconds, or less: until a hand has news (its chunk has
 * run, its initializer too) that the engine has not woken up to yet.  The
 * engine's idle wait while hands work: a result is taken when it is
 * there, not at the engine's next poll (a hand's commands of 1 ms each
 * waited about 0.1 ms each for it). */
void mpipool__head_sleep(mpipool__head_t *h, unsigned us);

/* The head gets no more work (its workers are there): the chunks queued
 * behind the ones running are handed back unrun; each hand's child ends
 * once the chunk it runs, if any, has run, and what it holds (the
 * initializer's memory, files) goes with it; the forkers of the hands
 * that never started end now. */
void mpipool__head_retire(mpipool__head_t *h);

/* Stops the hands' tasks in progress, and fails the items left of their
 * chunks (the pool is terminated). */
void mpipool__head_cancel(mpipool__head_t *h);

/* Ends the threads (after the chunks they run; an initializer still
 * running is stopped) and their children, and frees what the head had.
 * NULL: no-op. */
void mpipool__head_free(mpipool__head_t *h);

#endif
