/*
 * pool_int.h - the pool object shared by the lifecycle (pool.c), the
 * master's engine (master.c), the worker's loop (worker.c) and spawning
 * (spawn.c).
 */
#ifndef MPIPOOL_POOL_INT_H
#define MPIPOOL_POOL_INT_H

#include <mpi.h>
#include <stdint.h>

#include "plan.h"

#include "backoff.h"
#include "buf.h"
#include "job.h"
#include "msg.h"
#include "registry.h"
#include "spawner.h"

/* Most chunks one TASKS frame carries when tasks are tiny. */
#define MPIPOOL__MAX_COALESCE 64
/* Frames in flight per worker (its queue, so it never waits on us). */
#define MPIPOOL__DEPTH 4
/* Stop adding chunks to a coalesced frame past this many bytes. */
#define MPIPOOL__COALESCE_BYTES 65536

enum {
  MPIPOOL__CREATED,       /* options may be set */
  MPIPOOL__RUNNING,       /* accepting work */
  MPIPOOL__CLOSED,        /* no new work; queued work goes on */
  MPIPOOL__JOINED,        /* workers stopped */
  MPIPOOL__FAILED         /* start failed: destroy only */
};

enum { MPIPOOL__ROLE_NONE, MPIPOOL__ROLE_MASTER, MPIPOOL__ROLE_WORKER };

/* A frame in flight: the chunks it carries, in order. */
typedef struct {
  uint64_t seq;
  unsigned nrefs;
  struct {
    mpipool__job_t *job;
    size_t chunk;
  } refs[MPIPOOL__MAX_COALESCE];
} mpipool__frame_t;

enum {
  MPIPOOL__W_STARTING,    /* CONFIG sent; waiting for HELLO */
  MPIPOOL__W_READY,       /* serving */
  MPIPOOL__W_STOPPING,    /* STOP or TERMINATE sent; waiting for BYE */
  MPIPOOL__W_GONE         /* said BYE */
};

/* The master's view of one worker. */
typedef struct {
  long id;                /* N of PoolWorker-N */
  MPI_Comm comm;
  int rank;               /* in comm */
  int state;
  int failed_init;
  int retiring;           /* has been handed its last chunk */
  int parked;             /* a spare successor, not given work yet */
  int succ_requested;     /* its successor has been asked for */
  long assigned;          /* chunks handed to it */
  char host[64];          /* where it runs (from HELLO) */
  int node;               /* index into the plan's nodes, or -1 */
  int share;              /* its share of its node for binding, or -1 */
  uint32_t pid;           /* from HELLO */
  char binding[96];       /* from HELLO: where it is bound, or why not */
  int bound;              /* from HELLO */
  mpipool__frame_t ring[MPIPOOL__DEPTH];
  unsigned head, inflight;
  uint64_t next_seq;
} mpipool__worker_t;

/* A communicator the master receives on, and whose ranks are workers. */
typedef struct {
  MPI_Comm comm;
  int first_rank;         /* rank of the first worker in comm */
  size_t base;            /* index of that worker in pool->workers */
  size_t nworkers;
  int spawned;            /* an intercommunicator to spawned processes */
} mpipool__endpoint_t;

struct mpipool {
  mpipool__registry_t reg;
  int processes;
  long maxtasks;
  int hwthreads;          /* count and bind hardware threads, not cores */
  int no_bind;            /* mpipool_set_binding(pool, 0) */
  int launched;           /* an MPI launcher started this process */
  mpipool__plan_t plan;   /* master: the nodes and where workers go */
  mpipool_init_fn init;
  void *initargs;
  size_t initargs_len;
  MPI_Comm user_comm;

  int state;
  int role;
  int initialized_mpi;    /* mpipool_start() called MPI_Init_thread */
  MPI_Comm comm;          /* private duplicate, or the parent intercomm */

  /* master */
  mpipool__worker_t *workers;
  size_t nworkers, workers_cap;
  mpipool__endpoint_t *endpoints;
  size_t nendpoints, endpoints_cap;
  long next_id;           /* N of the next PoolWorker-N */
  mpipool__spawner_t *spawner; /* successors of retiring workers */
  int recycling;          /* maxtasks > 0 and spawning still works */
  size_t slots;           /* workers the pool runs at once */
  size_t deficit;         /* retired slots waiting for a successor */
  char host[64];          /* the master's host */
  size_t rr;              /* round-robin start of dispatch */
  mpipool__queue_t queue;
  mpipool__sends_t sends;
  size_t jobs_active;     /* jobs holding an engine reference */
  uint64_t jobs_finished;  /* jobs the engine let go of, ever */
  size_t nready, nstarting, nfailed_init;
  char *init_error;       /* first initializer failure message */
  double chunk_ns;        /* moving average of a chunk's run time */
  mpipool__backoff_t backoff;
  mpipool__buf_t scratch;
  int broken;             /* a communication error: fail everything */
};

/* --- master.c -------------------------------------------------------- */

/* Adds n workers at ranks first_rank.. of comm (the pool's communicator,
 * or an intercommunicator to spawned processes), named in order, and
 * sends each its CONFIG.  They run on plan node `node` (-1: the node the
 * plan says for each rank of the pool's communicator, or unknown); each
 * gets binding share `share`, or with -2 the node's next share.  0 or an
 * error. */
int mpipool__master_add_workers(mpipool_t *pool, MPI_Comm comm,
                                int first_rank, size_t n, int node,
                                int share);

/* Adds every process reached through `inter`, the intercommunicator of a
 * spawn onto plan node `node`, as workers (as mpipool__master_add_workers). */
int mpipool__master_add_spawned(mpipool_t *pool, MPI_Comm inter, int node,
                                int share);

/* Readies recycling (maxtasksperchild) once the first workers exist. */
int mpipool__master_begin(mpipool_t *pool);

/* One non-blocking round: complete sends, receive, dispatch.  Sets *busy
 * if anything happened.  0 or EMPI/ENOMEM. */
int mpipool__master_progress(mpipool_t *pool, int *busy);

/* Adds a new job to the queue (the engine's reference is in the job). */
void mpipool__master_submit(mpipool_t *pool, mpipool__job_t *job);

/* Makes progress until job is done or `deadline` (mpipool__now() seconds,
 * negative: none) passes.  0, ETIMEDOUT or a communication error. */
int mpipool__master_wait_job(mpipool_t *pool, mpipool__job_t *job,
                             double deadline);

/* Makes progress until some job finishes (its callbacks have run) or no
 * job is active, or the deadline passes.  0, ETIMEDOUT or a communication
 * error. */
int mpipool__master_wait_any(mpipool_t *pool, double deadline);

/* 1 while the pool sends workers more than the chunk they run (chunks
 * shorter than 0.1 s on average), 0 while each worker gets one chunk at a
 * time (long chunks, or none timed yet).  A caller that limits what it has
 * handed out (the mpipool program) follows this rule. */
int mpipool__master_queues_ahead(const mpipool_t *pool);

/* Waits until no job is active, then stops every worker (STOP), or, with
 * terminate, fails all work at once and sends TERMINATE; then waits for
 * every BYE.  0 or an error.  (Intercommunicators left are freed by
 * mpipool__master_free.) */
int mpipool__master_shutdown(mpipool_t *pool, int terminate);

/* Frees the master's state: fails what is left, frees the spawner and the
 * spawned workers' intercommunicators. */
void mpipool__master_free(mpipool_t *pool);

/* --- worker.c -------------------------------------------------------- */

/* Serves the master on pool->comm until told to stop.  Returns 0, or an
 * error after which the process should still leave. */
int mpipool__worker_run(mpipool_t *pool, int master_rank);

/* --- spawn.c --------------------------------------------------------- */

/* The host key for spawning onto `host`: the host itself when the pool
 * spans several nodes (without the key the launcher may place the
 * processes on any node with free slots: seen, all on another node); NULL
 * with one node (a singleton's runtime knows its node by the host name
 * only, which may differ from Slurm's node name). */
static inline const char *mpipool__spawn_host(const mpipool_t *pool,
                                              const char *host) {
  return pool->plan.nnodes > 1 ? host : NULL;
}

/* Spawns n processes running this program with its arguments, on `host`
 * (NULL: wherever MPI chooses); on success *inter is the
 * intercommunicator to them.  On failure returns ESPAWN (or EMPI/ENOMEM)
 * with a message in why (size whylen). */
int mpipool__spawn(int n, const char *host, MPI_Comm *inter, char *why,
                   size_t whylen);

#endif
