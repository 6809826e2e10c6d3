/*
 * done.h - what a joblog says is done, for --resume and --resume-failed,
 * in memory that does not grow with the joblog: two bits per task for its
 * state, and a check that every line's command is its task's, made while
 * the task list streams past (tasklist.h) instead of by holding either.
 *
 * Each joblog line (seq, command) goes in as it is read.  The first line
 * of a task adds a 64-bit digest of (seq, command) to a sum; a later line
 * of the same task (a --resume-failed run logs a task again) is kept
 * (seq, digest, line), as is every line in exact mode.  Then each task of
 * the list whose seq has a line goes past in order: its digest is added
 * to a second sum and compared with the kept lines of its seq.  The
 * joblog matches the tasks when both sums are equal and no kept line
 * differs.  Exact mode (memory per line, for naming the first line that
 * differs once a mismatch is known) keeps every line.  Pure logic.
 */
#ifndef MPIPOOL_CLI_DONE_H
#define MPIPOOL_CLI_DONE_H

#include <stddef.h>
#include <stdint.h>

/* What a joblog says about each task, for resuming. */
typedef enum {
  CLI_JOB_UNSEEN = 0, /* no line for it */
  CLI_JOB_FAILED,     /* lines for it, none succeeded */
  CLI_JOB_SUCCEEDED   /* a line with Exitval 0 and Signal 0 */
} cli_job_state_t;

typedef struct cli_done cli_done_t;

/* A set for tasks 1..n, all unseen.  exact: keep every line (see above).
 * Returns 0, or -1 when out of memory. */
int cli_done_create(cli_done_t **d, uint64_t n, int exact);

/* The number of tasks the set is for. */
uint64_t cli_done_count(const cli_done_t *d);

/* A joblog line, number `line`, for task seq (1..n) with command cmd (len
 * bytes): it succeeded or not.  Returns 0, or -1 when out of memory. */
int cli_done_add(cli_done_t *d, uint64_t seq, int succeeded, const char *cmd,
                 size_t len, size_t line);

cli_job_state_t cli_done_state(const cli_done_t *d, uint64_t seq);

/* Whether a run skips task seq: it succeeded, or it failed and failed
 * ones are skipped too (--resume, not --resume-failed). */
int cli_done_skips(const cli_done_t *d, uint64_t seq, int skip_failed);

/*
 * Compares task seq's command (cmd, len bytes) with the lines of seq;
 * called for every task in ascending seq once all lines are in (tasks
 * without a line are passed over).  Returns 0, or the joblog line number
 * of a kept line that differs (exact mode: of every differing line).
 */
size_t cli_done_check(cli_done_t *d, uint64_t seq, const char *cmd, size_t len);

/* After every task went past cli_done_check: whether the joblog's
 * commands are the tasks' (1) or not (0). */
int cli_done_matches(const cli_done_t *d);

/* Frees d.  NULL is a no-op. */
void cli_done_free(cli_done_t *d);

#endif
