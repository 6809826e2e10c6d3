/*
 * simpool.h - the master's engine (src/engine/master.c, unchanged) serving
 * simulated workers (simlink.h) in one process, with no MPI: a pool of
 * 10 or 1,000,000 workers, all launcher ranks on one node, no recycling.
 * For the engine's tests without MPI and for bench/bench_sim.
 */
#ifndef MPIPOOL_SIMPOOL_H
#define MPIPOOL_SIMPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "api/pool.h"
#include "engine/master.h"
#include "simlink.h"

typedef struct {
  mpipool_t pool; /* the options the engine reads */
  mpipool__master_t *master;
  simlink_t *link; /* the engine's: freed with it */
  char *host;
} simpool_t;

/* What the workers do besides answering: faults (rank 0: none), beats. */
typedef struct {
  int die_rank; /* dies after die_after frames (simlink_die) */
  uint64_t die_after;
  int mute_rank; /* goes silent after mute_after frames (simlink_mute) */
  uint64_t mute_after;
  double silence; /* the engine's bound on a silence, s (0: its own) */
  int beats;      /* every worker says it beats (the engine's HEARD list) */
} simpool_opts_t;

/* Starts an engine serving `workers` simulated workers that report
 * task_ns of work per item, with the options o (NULL: none).  Every worker
 * is ready (HELLO taken in) on return.  0 or an error (the pool is then
 * freed). */
int simpool_start(simpool_t *sp, size_t workers, uint64_t task_ns,
                  const simpool_opts_t *o);

/* Maps `count` items of item_size bytes at items through the engine in
 * chunks of chunksize (0: Python's default), as mpipool_map does.
 * 0, ETASK (with *res) or an error. */
int simpool_map(simpool_t *sp, const void *items, size_t count,
                size_t item_size, size_t chunksize, mpipool_results_t **res);

/* Stops the workers (STOP, then every BYE) and frees everything.
 * Returns the shutdown's status. */
int simpool_end(simpool_t *sp);

#endif
