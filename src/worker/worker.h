/*
 * worker.h - a worker's life (worker.c): receive CONFIG, run the
 * initializer, say HELLO, run TASKS frames and answer each with RESULTS
 * until told to stop, say BYE.
 */
#ifndef MPIPOOL_WORKER_H
#define MPIPOOL_WORKER_H

#include "api/pool.h"

/* Serves the master (rank master_rank of pool->comm) until told to stop.
 * Returns 0, or an error after which the process should still leave. */
int mpipool__worker_run(mpipool_t *pool, int master_rank);

#endif
