/*
 * master.h - the master's engine, an object of its own (defined in
 * master.c): the plan of where workers run, the roster of live workers,
 * the queue of submitted work, and the dispatcher that hands queued
 * chunks to workers and pairs their results with what was sent.  Every
 * call is made on the master, by the thread that uses the pool.
 */
#ifndef MPIPOOL_MASTER_H
#define MPIPOOL_MASTER_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#include "mpipool.h"
#include "job.h"
#include "placement/plan.h"
#include "transport/link.h"

typedef struct mpipool__master mpipool__master_t;

/*
 * Creates the engine of `pool` (borrowed: its options, registry and
 * communicator, for the engine's life), taking over the plan (*plan is
 * emptied).  Ranks of the pool's communicator beyond the plan's serving
 * ranks are told to leave.  With `recycling`, workers retire after
 * maxtasksperchild chunks and successors are spawned for them; with
 * `spawning` (spawning works here), lost workers are replaced.
 * 0 or an error (ENOMEM, EMPI); on error the plan is freed.
 */
int mpipool__master_new(mpipool__master_t **out, mpipool_t *pool,
                        mpipool__plan_t *plan, int recycling, int spawning);

/* As mpipool__master_new, on `link` (taken, even on failure) instead of
 * MPI's: the engine's simulator runs it on simulated workers.  Only
 * launcher ranks (add_ranks) and no recycling: spawning is MPI's. */
int mpipool__master_new_linked(mpipool__master_t **out, mpipool_t *pool,
                               mpipool__plan_t *plan, int recycling,
                               int spawning, mpipool__link_t *link);

/* The plan the engine runs (see plan.h); the engine's until freed. */
const mpipool__plan_t *mpipool__master_plan(const mpipool__master_t *m);

/*
 * Adds the launcher's ranks first_rank .. first_rank + n - 1 of the pool's
 * communicator as workers, named in order, and sends each its CONFIG.
 * Each runs on the node the plan says for its rank and takes its node's
 * next binding share, unless the launcher bound it.  0 or an error.
 */
int mpipool__master_add_ranks(mpipool__master_t *m, int first_rank, size_t n);

/* Adds every process reached through `inter` (the intercommunicator of a
 * spawn, taken by the engine even on failure) as workers, as add_ranks.
 * They run on plan node `node` (or MPIPOOL__NODE_UNKNOWN), each with
 * binding share `share`: a share, MPIPOOL__SHARE_NONE, or
 * MPIPOOL__SHARE_NEXT for its node's next one.  pids: their process ids
 * on this node (comm_spawn.h), or NULL or zeros when not known: with
 * them, a worker that dies before it says STARTED is seen to die. */
int mpipool__master_add_spawned(mpipool__master_t *m, MPI_Comm inter, int node,
                                int share, const uint32_t *pids);

/* Ends the start: the workers added so far are the pool (its size); any
 * added later are successors.  Starts the spawner when recycling.
 * 0 or an error. */
int mpipool__master_seal(mpipool__master_t *m);

/*
 * A head start (mpipool_set_head_start): instead of being added and
 * sealed before the pool runs, the pool's first n workers are spawned on
 * the master's node (a spawn of n, in the spawner's thread), and the pool
 * is sealed when they come (the engine's progress adopts them); until a
 * worker is ready the master's head runs queued chunks, with a hand per
 * place (n, or as many as the head has; head.h).
 * The spawn itself waits until the head needs help: work has waited
 * 20 ms for it (MPIPOOL_HEAD_ALONE), or is known to take that long, or
 * mpipool__master_want_workers.  If the spawn fails, the pool breaks with
 * ESPAWN.  MPI may not be up yet (a singleton's lazy start, pool.h): the
 * engine makes no MPI call until the first workers are wanted, which
 * starts it (mpipool__pool_mpi_up).  0 or an error.
 */
int mpipool__master_head_start(mpipool__master_t *m, int n);

/* Asks for the first workers now if their spawn waits (a head start):
 * someone asked about them.  Starts MPI first where it is not up (this
 * blocks for MPI_Init: about 0.1 s).  0, or the pool's error. */
int mpipool__master_want_workers(mpipool__master_t *m);

/* The tasks the program will still submit (mpipool_set_backlog). */
void mpipool__master_set_backlog(mpipool__master_t *m, size_t n);

/* The number of workers the pool runs at once (0 before seal; while the
 * first workers are being spawned, the number asked for). */
size_t mpipool__master_size(const mpipool__master_t *m);

/* One non-blocking round: complete sends, receive, dispatch.  Sets *busy
 * if anything happened.  0 or EMPI/ENOMEM/EPROTO. */
int mpipool__master_progress(mpipool__master_t *m, int *busy);

/* A round of progress for a submission, skipped when one began less than
 * 20 us ago and no worker waits idle: in a burst of apply_async calls a
 * round (a system call per poll on TCP) per call made the master, not the
 * workers, the bound.  0 or as mpipool__master_progress. */
int mpipool__master_nudge(mpipool__master_t *m);

/* Adds a new job to the queue (the engine's reference is in the job). */
void mpipool__master_submit(mpipool__master_t *m, mpipool__job_t *job);

/* Makes progress until job is done or `deadline` (mpipool__now() seconds,
 * negative: none) passes.  0, ETIMEDOUT or a communication error. */
int mpipool__master_wait_job(mpipool__master_t *m, mpipool__job_t *job,
                             double deadline);

/* Makes progress until some job finishes (its callbacks have run) or no
 * job is active, or the deadline passes.  0, ETIMEDOUT or a communication
 * error. */
int mpipool__master_wait_any(mpipool__master_t *m, double deadline);

/* 1 while the pool sends workers more than the chunk they run (chunks
 * shorter than 0.1 s on average), 0 while each worker gets one chunk at a
 * time (long chunks, or none timed yet). */
int mpipool__master_queues_ahead(const mpipool__master_t *m);

/*
 * Worker `place` of the pool (0 <= place < size): fills info as
 * mpipool_worker_info() documents.  ENOTREADY while the worker of that
 * place starts (or while the place waits for a successor), EINVAL for a
 * bad place.
 */
int mpipool__master_worker_info(const mpipool__master_t *m, int place,
                                mpipool_worker_info_t *info);

/* How many workers were found dead (or silent) so far. */
size_t mpipool__master_lost(const mpipool__master_t *m);

/* Sets how long a worker of another node may be silent before it is lost
 * (default 10 s): for the tests and the simulation. */
void mpipool__master_set_silence(mpipool__master_t *m, double seconds);

/* Waits until no job is active, then stops every worker (STOP), or, with
 * terminate, fails all work at once and sends TERMINATE; then waits for
 * every BYE.  0 or an error. */
int mpipool__master_shutdown(mpipool__master_t *m, int terminate);

/* Frees the engine (NULL: no-op): fails what is left, frees the spawner,
 * the spawned workers' intercommunicators and the plan. */
void mpipool__master_free(mpipool__master_t *m);

/*
 * Checks the engine's bookkeeping against itself: the counts of ready
 * and starting workers, each worker's place in the dispatch lists, the
 * frames in flight, the pool's places, the queue's chunk count.  Returns
 * 0, or EPROTO after printing what is wrong to stderr.  With MPIPOOL_CHECK=1
 * in the environment at start, every progress round runs it and aborts
 * the program when it fails (the test suite sets it).
 */
int mpipool__master_check(const mpipool__master_t *m);

/* How many worker records the roster holds (live or reusable): at most
 * the most workers alive at once. */
size_t mpipool__master_records(const mpipool__master_t *m);

/* The bytes the engine holds in its own tables (roster, endpoints,
 * frames, lists, places, strings, buffers): what grows with the workers
 * it knows, not the jobs' data. */
size_t mpipool__master_bytes(const mpipool__master_t *m);

#endif
