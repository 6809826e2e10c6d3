/*
 * tasklist.h - the shell commands the mpipool program runs, read as a
 * stream: from a task file (one command per line) or built from a command
 * template and an argument file (-a ARGFILE -- COMMAND {}).  Only the
 * current line and command are in memory, whatever the number of tasks
 * (10 million lines cost no more than 10): the file is read once through
 * to check and count it, then again for each pass over the tasks.  Input
 * that cannot be read again (a pipe, stdin) is copied to a temporary file
 * (tempfile.h) on that first pass.  Pure logic, no MPI.
 */
#ifndef MPIPOOL_CLI_TASKLIST_H
#define MPIPOOL_CLI_TASKLIST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "colsep.h"
#include "sources.h"

typedef struct cli_tasks cli_tasks_t;

/* One task, as cli_tasks_next gives it: its number (1-based, in file
 * order), its command (NUL-terminated, len bytes without the NUL; owned
 * by the list, valid until the next call), and the line of the file it
 * came from (1-based), for messages. */
typedef struct {
  uint64_t seq;
  const char *cmd;
  size_t len;
  size_t line;
} cli_task_t;

/*
 * Opens the task list of f (name is used in messages only), taking f (it
 * is closed by cli_tasks_free, or here on failure; stdin is never
 * closed).
 * tmpl NULL: a task file.  Lines may be of any length; the last may lack
 * its newline.  A line is skipped when it is empty, only blanks (space,
 * tab, CR), or when its first non-blank byte is '#'.  Every other line is
 * a command byte for byte, without its '\n' (a '\r' before it is kept:
 * bytes are not interpreted).
 * tmpl the words tmpl[0..words-1] (words >= 0): an argument file.  Every
 * line but an empty one (or the end of the file) is an argument, blank and
 * '#' lines too; its command is the template with GNU parallel's
 * replacement strings replaced (template.h: {} the line quoted for
 * /bin/sh, {.} without its extension, {#} the task's number...).
 * The whole of f is read here, to check it and count its tasks: returns
 * 0, or -1 with a message in err ("NAME:LINE: ...") when a line holds a
 * NUL byte (a shell command cannot), on a read error, when out of memory,
 * or when a copy of unseekable input cannot be written.
 */
int cli_tasks_open(cli_tasks_t **ts, FILE *f, const char *name,
                   char *const *tmpl, int words, char *err, size_t errlen);

/*
 * As cli_tasks_open for an argument file (tmpl not NULL), its lines split
 * into columns: colsep (colsep.h; taken, freed by cli_tasks_free or here
 * on failure; NULL: whole lines, as cli_tasks_open) splits each line, and
 * the template is one for columns (cli_template_parse_columns).  header 1
 * (--header :, with a colsep): the first line of f is no task but names
 * the columns; an empty f is then an error ("input source 'NAME' is empty: it
 * has no header line (--header :)").  Lines keep their numbers in the file.
 */
int cli_tasks_open_columns(cli_tasks_t **ts, FILE *f, const char *name,
                           char *const *tmpl, int words, cli_colsep_t *colsep,
                           int header, char *err, size_t errlen);

/*
 * Opens the task list that the product of the input sources makes
 * (sources.h; taken, freed by cli_tasks_free or here on failure), each
 * task's command the template tmpl[0..words-1] (template.h) over its
 * arguments.  colsep not NULL (taken as sources): each argument is split
 * into columns, the template's arguments are the columns of all the
 * task's arguments in source order (GNU parallel's numbering), named by
 * the sources' header lines when they were loaded with them.  Returns 0,
 * or -1 with a message in err: an empty product (which source is empty),
 * a replacement string that names no source (or no column), out of
 * memory.  Such a list's tasks have no line (0).
 */
int cli_tasks_open_sources(cli_tasks_t **ts, cli_sources_t *sources,
                           char *const *tmpl, int words, cli_colsep_t *colsep,
                           char *err, size_t errlen);

/* How many tasks the list holds. */
uint64_t cli_tasks_count(const cli_tasks_t *ts);

/* Goes back to the first task.  Returns 0, or -1 with a message in err. */
int cli_tasks_rewind(cli_tasks_t *ts, char *err, size_t errlen);

/*
 * The next task in *t: returns 1, or 0 after the last, or -1 with a
 * message in err: a read error, out of memory, or the file changed since
 * it was opened (other tasks than counted, or a NUL byte: "NAME changed
 * while mpipool ran").
 */
int cli_tasks_next(cli_tasks_t *ts, cli_task_t *t, char *err, size_t errlen);

/* Closes the file and frees ts.  NULL is a no-op. */
void cli_tasks_free(cli_tasks_t *ts);

#endif
