/*
 * progress.h - the mpipool program's progress line (done/total, failed,
 * running, rate, ETA) and its final summary line.  Pure formatting.
 */
#ifndef MPIPOOL_CLI_PROGRESS_H
#define MPIPOOL_CLI_PROGRESS_H

#include <stddef.h>

typedef struct {
  size_t total;   /* tasks to run in this run */
  size_t done;    /* finished for good (succeeded or failed) */
  size_t failed;  /* of done, failed */
  size_t running; /* handed to workers, not finished */
  size_t skipped; /* already done by a previous run (--resume) */
  size_t not_run; /* never started: halted or interrupted */
  double elapsed; /* seconds since the first task was sent */
} cli_counts_t;

/* "mpipool: 120/2000 done, 2 failed, 2 running, 48.5 tasks/s, ETA 39s"
 * into buf (always NUL-terminated); the ETA is left out until a task has
 * finished. */
void cli_progress_line(char *buf, size_t len, const cli_counts_t *c);

/* "mpipool: 2000 tasks, 1998 succeeded, 2 failed, 41.2 s, 48.5 tasks/s",
 * with ", N skipped (done before)" and ", N not run" when not zero. */
void cli_summary_line(char *buf, size_t len, const cli_counts_t *c);

/* The exit status for c: 0 if nothing failed, else the number of failed
 * tasks, 101 for more than 100 (as GNU parallel). */
int cli_exit_status(const cli_counts_t *c);

#endif
