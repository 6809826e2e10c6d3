/*
 * runlog.h - a whole joblog read into memory for a report (report.h): one
 * record per line, any joblog of mpipool or GNU parallel, not checked
 * against a task list (joblog.h does that for --resume).  Pure logic, no
 * MPI, no file opening.
 */
#ifndef MPIPOOL_CLI_RUNLOG_H
#define MPIPOOL_CLI_RUNLOG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Commands longer than this many bytes are kept shortened, ending in
 * "...": a report shows them, and a page of many tasks must stay small. */
#define CLI_RUNLOG_CMD_MAX 200

/* What one line of the joblog says of a task. */
typedef struct {
  uint64_t seq;
  double start, runtime; /* seconds since the epoch; seconds */
  int exitval, signal;
  uint32_t host; /* the index of its host (cli_runlog_host) */
  char *cmd;     /* the command, perhaps shortened; owned by the log */
} cli_runlog_task_t;

typedef struct cli_runlog cli_runlog_t;

/*
 * Reads the joblog f (name for messages) from where it is to its end into
 * *log (taken by the caller; free it with cli_runlog_free).  The header
 * line is optional; an empty file, or one with only the header, is a log
 * of no tasks.  Every other line must be a joblog line (cli_joblog_parse);
 * otherwise returns -1 with "NAME:LINE: ..." in err, and when the first
 * line is not the header, it says that NAME does not look like a joblog.
 * A last line without its '\n' (a run killed while writing it) is taken
 * when it is a whole line and left out otherwise: *torn (if not NULL) is
 * then 1.  Returns 0, or -1 (also on a read error or out of memory).
 */
int cli_runlog_read(FILE *f, const char *name, cli_runlog_t **log, int *torn,
                    char *err, size_t errlen);

/* Frees log and its tasks; NULL is a no-op. */
void cli_runlog_free(cli_runlog_t *log);

/* The number of tasks (lines) of log, and the i-th of them in the order of
 * the joblog (borrowed: valid until cli_runlog_free). */
size_t cli_runlog_count(const cli_runlog_t *log);
const cli_runlog_task_t *cli_runlog_task(const cli_runlog_t *log, size_t i);

/* The distinct hosts of log, in the order they first appear, and the k-th
 * of them (borrowed). */
uint32_t cli_runlog_nhosts(const cli_runlog_t *log);
const char *cli_runlog_host(const cli_runlog_t *log, uint32_t k);

#endif
