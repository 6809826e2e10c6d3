/*
 * worker.h - a worker's life (worker.c): receive CONFIG, run the
 * initializer, say HELLO, run TASKS frames and answer each with RESULTS
 * until told to stop, say BYE.
 */
#ifndef MPIPOOL_WORKER_H
#define MPIPOOL_WORKER_H

#include "api/pool.h"

/* Serves the master (rank master_rank of pool->comm) until told to stop.
 * Returns 0, or an error after which the process should still leave.
 * *linger says whether the pool goes on without this worker (it retired,
 * or was released), so that it leaves as mpipool__worker_linger says. */
int mpipool__worker_run(mpipool_t *pool, int master_rank, int *linger);

/* How long a worker that leaves while the pool goes on waits between
 * MPI_Finalize and its exit, in milliseconds.  Open MPI 4.1.4 with PMIx
 * 4.2 (Debian 12) loses the first request of the next process it starts
 * when a process exits within a few milliseconds of closing its PMIx
 * connection (the server closes the socket without taking it out of its
 * event loop, and the next connection gets the same descriptor): that
 * spawn then waits for ever.  Lingering lets the server see the
 * connection's end first.  Measured: 0 hangs in 110 runs with it, 13
 * without. */
#define MPIPOOL__WORKER_LINGER_MS 200
/* A spawned worker's own end (MPI_Finalize, exit) is bounded: past this
 * many seconds the process ends anyway (_exit(0)), so that a stack that
 * hangs in its finalize cannot keep a retired worker's core for ever (nor
 * mpirun waiting for it at the end). */
#define MPIPOOL__WORKER_END_S 20

#endif
