/*
 * tasklist.h - the list of shell commands the mpipool program runs: read
 * from a task file (one command per line) or built from a command template
 * and an argument file (-a ARGFILE -- COMMAND {}).  Pure logic, no MPI.
 */
#ifndef MPIPOOL_CLI_TASKLIST_H
#define MPIPOOL_CLI_TASKLIST_H

#include <stddef.h>
#include <stdio.h>

/* One task: its command (NUL-terminated, len bytes without the NUL) and
 * the line of its source it came from (1-based), for messages. */
typedef struct {
  char *cmd;
  size_t len;
  size_t line;
} cli_task_t;

/* The tasks, numbered 1..n in order (task i is v[i - 1]). */
typedef struct {
  cli_task_t *v;
  size_t n, cap;
} cli_tasklist_t;

/*
 * Appends one command per line of f (name is used in messages only) to tl.
 * Lines may be of any length; the last may lack its newline.  A line is
 * skipped when it is empty, only blanks (space, tab, CR), or when its first
 * non-blank byte is '#'.  Every other line is kept byte for byte, without
 * its '\n' (a '\r' before it is kept: bytes are not interpreted).
 * Returns 0, or -1 with a message in err ("FILE:LINE: ...") when a line
 * holds a NUL byte (a shell command cannot), on a read error, or when out
 * of memory.  On failure tl keeps the tasks appended before the bad line.
 */
int cli_tasklist_read(cli_tasklist_t *tl, FILE *f, const char *name, char *err,
                      size_t errlen);

/*
 * Appends one command per line of argfile (lines kept as by
 * cli_tasklist_read, except that only the empty line and a line ending the
 * file are skipped: blank and '#' lines are arguments too) built from the
 * template words argv[0..argc-1] joined by single spaces: every "{}" is
 * replaced by the line quoted for /bin/sh (single quotes, as GNU parallel
 * does, so "my file.txt" stays one word), every "{#}" by the task's number
 * (1-based, counting the tasks tl already holds).  When the template holds
 * no "{}", the quoted line is appended after a space, like xargs.
 * argc must be >= 1.  Returns 0 or -1 with a message in err, as above.
 */
int cli_tasklist_expand(cli_tasklist_t *tl, FILE *argfile, const char *name,
                        char *const *argv, int argc, char *err, size_t errlen);

/* Quotes s (len bytes) for /bin/sh into a malloc'd NUL-terminated string:
 * 'it'\''s' style; an empty string becomes ''.  NULL when out of memory. */
char *cli_shell_quote(const char *s, size_t len);

/* Frees every task; tl is then empty and reusable.  NULL is a no-op. */
void cli_tasklist_free(cli_tasklist_t *tl);

#endif
