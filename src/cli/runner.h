/*
 * runner.h - runs one shell command for the mpipool program's worker:
 * '/bin/sh -c COMMAND' in its own process group, stdin from /dev/null,
 * stdout and stderr captured, a time limit enforced on the whole group,
 * and the group killed if the worker itself is told to stop.
 */
#ifndef MPIPOOL_CLI_RUNNER_H
#define MPIPOOL_CLI_RUNNER_H

#include <stddef.h>

#include "bytes.h"

typedef struct {
  int exitval;          /* exit status, -1 if it did not exit */
  int signal;           /* the signal that ended it, 0 if none */
  int timed_out;        /* the time limit killed it */
  int cancelled;        /* cancelled() said stop, and it was killed */
  double start;         /* seconds since the epoch, when it started */
  double runtime;       /* seconds it ran */
  cli_bytes_t out, err; /* what it wrote (owned by the caller) */
  unsigned long long out_bytes, err_bytes; /* how much it wrote, in all */
  int overflow; /* it wrote more than was kept: out and err are empty */
} cli_run_t;

/* cli_run's keep: every byte the command writes is kept. */
#define CLI_RUN_KEEP_ALL ((size_t)-1)

/*
 * Runs cmd (NUL-terminated) with the environment envp, waiting until it
 * ends.  At most `keep` bytes of its stdout and stderr together are kept
 * in r->out and r->err: once it has written more, both are emptied (their
 * memory freed), r->overflow is set, and the rest is read and counted in
 * r->out_bytes and r->err_bytes only, while the command runs on to its
 * end (CLI_RUN_KEEP_ALL: no bound).  With timeout > 0, after that many seconds
 * the command's process group gets SIGTERM, and SIGKILL 2 seconds later if
 * still there.  Every ~100 ms it calls cancelled(arg) (if not NULL); when that
 * returns non-zero the group is stopped as at the time limit (TERM, then
 * KILL 2 s later) and r->cancelled is set, unless the command still exits
 * 0 (it was ending, or it finished on TERM: it ran to its end, and is
 * not run again).  Once the shell has exited,
 * output still held open by processes it left in the background is read
 * for 1 more second, not waited for.  r is zeroed first; r->out and r->err
 * must be freed by the caller (cli_bytes_free) whatever is returned.
 * Returns 0 (the command ran, whatever its status), or an errno value when
 * it could not be started (no pipe, no process); out of memory while
 * capturing kills the command and returns ENOMEM.
 */
int cli_run(const char *cmd, double timeout, size_t keep, char *const envp[],
            int (*cancelled)(void *), void *arg, cli_run_t *r);

/*
 * Makes SIGTERM, SIGINT and SIGHUP stop the command running (if any), as
 * cancelled() does: its process group gets SIGTERM, SIGKILL 2 s later,
 * and cli_run returns with r->cancelled set; this process goes on (mpirun
 * forwards these signals to every rank: the worker reports the task as
 * not finished, and the master, stopping too, logs what ended).  A
 * command that fails once one of them has come is taken as stopped too
 * (r->cancelled set); one killed by TERM, INT or HUP waits 0.5 s for it
 * first (a job's time limit signals every process at once, in no order).
 * On Linux it also makes this process a child subreaper, so that what a
 * command leaves behind is reaped here (cli_run reaps any child that has
 * ended: a process using this must start no other children).
 * It also starts a guard, a small shell in a session of its own that is
 * told the process group of each command as it starts: when this process
 * dies (even of kill -9, or with its job), the guard stops that group
 * (TERM, then KILL 2 s later), so no command outlives its worker.
 * Idempotent.  Process-wide: one command runs at a time per worker.
 */
void cli_run_forward_signals(void);

#endif
