/*
 * output.h - where the mpipool program's master puts each finished task's
 * output: printed as one block (stdout bytes to stdout, stderr bytes to
 * stderr), never interleaved with another task's; in task order with
 * --keep-order; each line prefixed with the task number and a tab with
 * --tag (a last line without its newline then gets one); or
 * written to DIR/<n>/{stdout,stderr,status} with --results DIR.
 *
 * Outputs held back (--keep-order, waiting for an earlier task) are kept
 * in memory up to a bound for all of them together (64 MiB by default);
 * past it they go to a temporary file (in $TMPDIR, else /tmp; unlinked at
 * once, so nothing is left behind whatever happens) and are streamed from
 * it when their turn comes.  Besides, --keep-order keeps a pointer for
 * each position from the first task not yet written to the last one
 * finished, not one per task: that costs what tasks finished far ahead of
 * an unfinished one need, whatever the number of tasks.
 */
#ifndef MPIPOOL_CLI_OUTPUT_H
#define MPIPOOL_CLI_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "taskmsg.h"

typedef struct cli_output cli_output_t;

/* The bytes of held outputs kept in memory by default, all together. */
#define CLI_OUTPUT_MEMORY ((size_t)64 << 20)

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
 * (--keep-order), in memory or in the temporary file (see above).
 * Returns 0, or -1 with a message in msg when writing failed (a full
 * disk, a closed pipe, no temporary file): the caller stops then.
 */
int cli_output_task(cli_output_t *o, size_t pos, uint64_t seq,
                    const cli_resultmsg_t *r, char *msg, size_t msglen);

/* Holds at most `bytes` of outputs in memory from now on (0: none, every
 * output held goes to the temporary file). */
void cli_output_set_memory(cli_output_t *o, size_t bytes);

/*
 * Reads a size of memory as MPIPOOL_OUTPUT_MEMORY gives it: digits, then
 * perhaps k, M or G (powers of 1024; "64M"), nothing else.  0 and *bytes
 * set, or -1 if s is not that or does not fit in a size_t.
 */
int cli_output_parse_memory(const char *s, size_t *bytes);

/* What o holds now: *memory bytes in memory, *file bytes in its
 * temporary file (either may be NULL).  For tests and reports. */
void cli_output_held(const cli_output_t *o, size_t *memory,
                     unsigned long long *file);

/* Writes what --keep-order still holds (tasks after a gap, on a halted
 * run), flushes, and frees o.  NULL is a no-op. */
void cli_output_destroy(cli_output_t *o);

#endif
