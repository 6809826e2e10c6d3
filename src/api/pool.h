/*
 * pool.h - the pool object: its options and its lifecycle, shared by the
 * lifecycle (pool.c), the master's engine (engine/master.c, which keeps
 * its own state in an object of its own) and the worker's loop
 * (worker/worker.c).
 */
#ifndef MPIPOOL_POOL_H
#define MPIPOOL_POOL_H

#include <mpi.h>
#include <stddef.h>

#include "mpipool.h"
#include "registry.h"

typedef struct mpipool__master mpipool__master_t;
typedef struct mpipool__journal mpipool__journal_t;

/* The default of mpipool_set_crash_limit (HyperQueue's). */
#define MPIPOOL__CRASH_LIMIT 5

enum {
  MPIPOOL__CREATED, /* options may be set */
  MPIPOOL__RUNNING, /* accepting work */
  MPIPOOL__CLOSED,  /* no new work; queued work goes on */
  MPIPOOL__JOINED,  /* workers stopped */
  MPIPOOL__FAILED   /* start failed: destroy only */
};

enum { MPIPOOL__ROLE_NONE, MPIPOOL__ROLE_MASTER, MPIPOOL__ROLE_WORKER };

struct mpipool {
  /* Options, set before start. */
  mpipool__registry_t reg;
  int processes;
  long maxtasks;
  int hwthreads;       /* count and bind hardware threads, not cores */
  int no_bind;         /* mpipool_set_binding(pool, 0) */
  int cores_per;       /* mpipool_set_cores_per_worker, 0: not set */
  int gpus_per;        /* mpipool_set_gpus_per_worker, 0: not set */
  int crash_limit;     /* a chunk's workers may die this many times */
  int retries;         /* a failed item runs again this many times */
  char *journal_path;  /* mpipool_set_journal, or NULL */
  int isolation;       /* tasks run in a child process (isolate.h) */
  double task_timeout; /* seconds an isolated task may run; 0: no limit */
  int head_start;      /* mpipool_set_head_start; -1: not set */
  mpipool_init_fn init;
  void *initargs;
  size_t initargs_len;
  MPI_Comm user_comm;

  /* Lifecycle. */
  int state;
  int role;
  int launched;                /* an MPI launcher started this process */
  int initialized_mpi;         /* the pool called MPI_Init_thread */
  MPI_Comm comm;               /* private duplicate, or the parent intercomm;
                                  MPI_COMM_NULL until MPI is up (lazy) */
  mpipool__master_t *master;   /* the engine, on the master */
  struct mpipool__head *head;  /* a head start's head, made before MPI
                                  starts (head.h), until the engine takes it */
  void *hwloc_held;            /* a head start: hwloc kept loaded, for the
                                  hands' children (mpipool__hwloc_hold) */
  mpipool__journal_t *journal; /* opened at the first map (master) */
  int stuck_spawns;            /* spawns Open MPI gave up on (ETIMEDOUT): their
                                  processes may be stuck in MPI_Init */
  int sigpipe_held;            /* the master ignores SIGPIPE (sigpipe.h) */
};

/* A stuck spawn (ETIMEDOUT) is Open MPI's loss, not this node's refusal:
 * the pool asks for the same processes again, until this many spawns of
 * its life got stuck (then it goes on without spawning).  On Debian 12's
 * Open MPI 4.1.4 with PMIx 4, test_lost under mpirun -n 4 (workers
 * killed and replaced in a row) lost one spawn in 5 of 48 runs under
 * load, in 10 of 26 on an idle machine. */
#define MPIPOOL__SPAWN_STUCK_MAX 3

/* Counts a spawn that ended with err; 1 when it got stuck and the pool
 * may ask for the same processes again. */
int mpipool__pool_ask_again(mpipool_t *pool, int err);

/*
 * A lazy start: a singleton with a head start, in a program that has not
 * started MPI, starts without it (MPI_Init takes about 0.1 s of a 0.2 s
 * start, and finalize 0.05 s more; work that ends in the head never needs
 * MPI).  MPI starts when the first workers are wanted.  Brings MPI up for
 * the pool (initializes it if no one has, with mpipool's settings;
 * duplicates the pool's communicator) if it is not.  Call from the thread
 * that called mpipool_start (it finalizes MPI).  0 or EMPI.
 */
int mpipool__pool_mpi_up(mpipool_t *pool);

#endif
