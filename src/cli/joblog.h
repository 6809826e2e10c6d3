/*
 * joblog.h - GNU parallel's joblog: one tab-separated line per finished
 * task, "Seq Host Starttime JobRuntime Send Receive Exitval Signal Command",
 * after a header line naming those fields.  Formats lines to append, and
 * reads an existing joblog back to decide what --resume and
 * --resume-failed skip.  Pure logic, no MPI, no file opening.
 */
#ifndef MPIPOOL_CLI_JOBLOG_H
#define MPIPOOL_CLI_JOBLOG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "done.h"
#include "tasklist.h"

/* The header line, with its '\n'. */
extern const char cli_joblog_header[];

/* One line of a joblog. */
typedef struct {
  uint64_t seq;           /* task number, 1-based */
  const char *host;       /* the host the task ran on */
  double start;           /* seconds since the epoch */
  double runtime;         /* seconds */
  uint64_t send, receive; /* bytes sent to the task / received from it */
  int exitval;            /* exit status, or -1 when it did not exit */
  int signal;             /* the signal that ended it, 0 if none */
  const char *cmd;        /* the command */
  size_t cmd_len;
  int timed_out; /* 1: killed by --timeout (formatting only; see below) */
} cli_joblog_entry_t;

/*
 * Formats e as one joblog line, with its '\n', into a malloc'd buffer
 * (*out, *out_len, taken by the caller): Seq and the integers in decimal,
 * Starttime as "%.3f", JobRuntime as "%.3f", the command bytes as they are.
 * Tabs and newlines in host are replaced by spaces; a newline in the
 * command too (a command never holds one when it comes from a tasklist).
 * A task that timed out and still exited 0 (its TERM trap did) is logged
 * with Exitval -1, as GNU parallel logs a job it killed for --timeout:
 * a failed task never reads as a success, to --resume-failed or to
 * GNU parallel.
 * Returns 0, or -1 when out of memory.
 */
int cli_joblog_format(const cli_joblog_entry_t *e, char **out, size_t *out_len);

/*
 * Parses one joblog line (line, len bytes without its '\n', NUL-terminated
 * at len; cut up in place) into *e, whose host and cmd then point into
 * line (borrowed: valid while line is).  The rules are those of
 * cli_joblog_load: nine tab-separated fields, numbers in decimal with
 * spaces around them allowed, a NUL byte nowhere.  Returns 0, or -1 with
 * "NAME:LINENO: ..." in err saying what is wrong.
 */
int cli_joblog_parse(char *line, size_t len, cli_joblog_entry_t *e,
                     const char *name, size_t lineno, char *err, size_t errlen);

/* Whether line (len bytes, without its '\n') is the header line. */
int cli_joblog_is_header(const char *line, size_t len);

/* Where the whole lines of a joblog end: a last line without its '\n'
 * was cut short, by a run killed while writing it (or a full disk), and
 * must go before anything is appended, or the next line would be glued
 * to it. */
typedef struct {
  uint64_t whole;    /* bytes of the whole lines: where the file is cut */
  uint64_t torn;     /* bytes of the last line cut short; 0: none */
  uint64_t torn_seq; /* the task it began to log (its Seq is whole and a
                        task of the list), else 0 */
} cli_joblog_tail_t;

/*
 * Reads the joblog f (name for messages) from where it is to its end
 * against the task list ts, and returns in *done what it says of tasks
 * 1..cli_tasks_count(ts) (free it with cli_done_free).  The header line is
 * optional and skipped; an empty file is a joblog with no lines.  Every
 * other line must have the nine fields, its numbers in decimal (spaces
 * around them allowed: GNU parallel writes JobRuntime as "%10.3f"), a Seq
 * that is a task and a Command equal to that task's command byte for byte
 * (GNU parallel's for a task file run with "parallel -a FILE" is the line
 * as it is); otherwise returns -1 with "NAME:LINE: ..." in err saying what
 * is wrong (for a mismatch: the first line that differs, its task, and
 * both commands, shortened), so that a joblog of another task list is
 * never used to skip tasks; a NUL byte in a whole line is wrong too.  A
 * last line without its '\n' is not a finished task: it sets no state,
 * whatever it holds, and *tail (if tail is not NULL) says where it
 * starts, for the caller to cut it off.
 * Memory: two bits a task, and a few words for each line of a task logged
 * more than once (done.h).  ts is read through once (twice, and f again,
 * when a line does not match) and left rewound.
 */
int cli_joblog_load(FILE *f, const char *name, cli_tasks_t *ts,
                    cli_done_t **done, cli_joblog_tail_t *tail, char *err,
                    size_t errlen);

#endif
