/*
 * output.h - where the mpipool program's master puts each finished task's
 * output: printed as one block (stdout bytes to stdout, stderr bytes to
 * stderr), never interleaved with another task's; in task order with
 * --keep-order; each line prefixed with the task number and a tab with
 * --tag (a last line without its newline then gets one); or
 * written to DIR/<n>/{stdout,stderr,status} with --results DIR.
 */
#ifndef MPIPOOL_CLI_OUTPUT_H
#define MPIPOOL_CLI_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "taskmsg.h"

typedef struct cli_output cli_output_t;

/*
 * Creates the output for `count` tasks to run, numbered by their position
 * 0..count-1 (the order --keep-order prints in).  out and err are
 * borrowed.  With results_dir set, the directory is created if missing
 * and a file is written in it and removed, so that an unwritable
 * directory fails here, before any task runs.  Returns 0 or -1 with a
 * message in msg.
 */
int cli_output_create(cli_output_t **o, size_t count, int keep_order, int tag,
                      const char *results_dir, FILE *out, FILE *err, char *msg,
                      size_t msglen);

/*
 * Takes the final result r of the task at position pos, number seq:
 * writes it now, or holds a copy until every task before it is written
 * (--keep-order).  Returns 0, or -1 with a message in msg when writing
 * failed (a full disk, a closed pipe): the caller stops then.
 */
int cli_output_task(cli_output_t *o, size_t pos, uint64_t seq,
                    const cli_resultmsg_t *r, char *msg, size_t msglen);

/* Marks the task at position pos as having no output (it did not run:
 * halted), so that --keep-order goes on past it. */
void cli_output_skip(cli_output_t *o, size_t pos);

/* Writes what --keep-order still holds (tasks after a gap, on a halted
 * run), flushes, and frees o.  NULL is a no-op. */
void cli_output_destroy(cli_output_t *o);

#endif
