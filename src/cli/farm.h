/*
 * farm.h - the master side of the mpipool program: hands tasks to the
 * pool a few at a time, and as each finishes writes its output, logs it
 * in the joblog, retries it or counts it, and halts when told to.
 */
#ifndef MPIPOOL_CLI_FARM_H
#define MPIPOOL_CLI_FARM_H

#include <signal.h>
#include <stddef.h>

#include "mpipool.h"
#include "options.h"
#include "output.h"
#include "progress.h"
#include "done.h"
#include "tasklist.h"

typedef struct {
  const cli_options_t *opt; /* borrowed */
  cli_tasks_t *tasks;       /* borrowed, rewound: read through once */
  /* What a joblog says is done (borrowed; NULL: nothing): the tasks it
   * skips (cli_done_skips with opt->resume) are not run. */
  const cli_done_t *done;
  size_t ntodo;         /* the tasks to run: those not skipped */
  int joblog_fd;        /* opened for appending, or -1 */
  cli_output_t *output; /* borrowed */
  /* Set (by a signal handler) to drain: start nothing more, let the
   * tasks already handed out finish and be logged.  NULL: never. */
  volatile sig_atomic_t *drain;
  /* Set (by a signal handler) to the signal that asks to stop: start
   * nothing more, stop the running tasks (TERM, then KILL 2 s later), log
   * every task that ended, as it ends.  NULL: never. */
  volatile sig_atomic_t *stop;
} cli_farm_t;

/*
 * Runs the tasks of f on the started pool (master) and fills *counts
 * (skipped is left to the caller).  Returns 0 when the run went to its
 * end (tasks may have failed: see counts), or -1 after printing why
 * mpipool itself could not go on (output or joblog unwritable, a pool
 * error); the joblog then holds every task finished so far.
 */
int cli_farm_run(mpipool_t *pool, const cli_farm_t *f, cli_counts_t *counts);

#endif
