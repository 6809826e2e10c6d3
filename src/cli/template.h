/*
 * template.h - a command template with GNU parallel's replacement
 * strings, expanded for each task from its arguments (one per input
 * source).  Pure logic, no MPI.
 *
 *   {}     the arguments, each quoted, separated by spaces
 *   {.}    ... each without its extension ("dir/a.tar.gz" -> "dir/a.tar")
 *   {/}    ... each without its directory ("dir/a.c" -> "a.c")
 *   {//}   ... each one's directory, as dirname(1) says ("dir/a.c" ->
 *          "dir", "a.c" -> ".")
 *   {/.}   ... each without directory or extension ("dir/a.c" -> "a")
 *   {#}    the task's number
 *   {%}    the job slot (1 to the number of workers, no two tasks running
 *          at once with the same), known only where the task runs: it
 *          becomes CLI_TEMPLATE_SLOT, which the task's shell expands from
 *          its environment (MPIPOOL_SLOT); like {#}, no argument string
 *   {n} {n.} {n/} {n//} {n/.}   the same of the n-th argument only
 *
 * A template for columns (cli_template_parse_columns: --colsep, --header)
 * takes the columns of a task's lines as its arguments, as many as they
 * are: {} is every column, {n} the n-th, nothing at all (not even '')
 * when the lines have fewer; and {name} (with the same suffixes: {name.},
 * {name/}...) is the column whose header line gives it that name.
 *
 * Every argument put in is quoted for /bin/sh (single quotes, see
 * cli_shell_quote), so "my file.txt" stays one word, inside the
 * template's own quotes too, as GNU parallel does ("[{}]" gives ['my
 * file.txt']).  A {%} inside the template's single quotes closes them
 * before it and opens them again after it ('slot {%}' becomes 'slot
 * '${MPIPOOL_SLOT}''), so that the shell expands it there too.  A template
 * without any argument string ({}, {.}, ... {n}) gets the quoted arguments
 * appended after a space, like xargs; an empty template (no words) runs
 * each argument as a command, as it is.  Other braces ({a,b}, ${HOME},
 * { cmd; }) are the shell's and stay as they are.
 */
#ifndef MPIPOOL_CLI_TEMPLATE_H
#define MPIPOOL_CLI_TEMPLATE_H

#include <stddef.h>
#include <stdint.h>

typedef struct cli_template cli_template_t;

/* What {%} becomes in a command. */
#define CLI_TEMPLATE_SLOT "${MPIPOOL_SLOT}"

/* One argument: len bytes at s (not NUL-terminated). */
typedef struct {
  const char *s;
  size_t len;
} cli_arg_t;

/*
 * Parses the template words[0..n-1] (joined by single spaces; n may be 0)
 * for tasks of nargs arguments (nargs >= 1).  Returns 0, or -1 with a
 * message in err for a replacement string that names no input source
 * ({0}, or {3} with two sources), or when out of memory.
 */
int cli_template_parse(cli_template_t **t, char *const *words, int n, int nargs,
                       char *err, size_t errlen);

/*
 * Parses a template for columns (see above): names[0..nnames-1] name the
 * columns 1..nnames (borrowed for the call; an empty one names none); nnames <
 * 0: there is no header.  Returns 0, or -1 with a message in err for {0},
 * or, with a header, a {word} (a word of letters, digits and '_', with or
 * without a suffix) that no column is named, or when out of memory.
 */
int cli_template_parse_columns(cli_template_t **t, char *const *words, int n,
                               const cli_arg_t *names, int nnames, char *err,
                               size_t errlen);

/*
 * The command for arguments args[0..nargs-1] (nargs as parsed; for
 * columns, any number), task number seq: written to *buf (capacity *cap, grown
 * with cli_grow; free it with cli_free), NUL-terminated, its length in *len.
 * Returns 0, or -1 when out of memory.
 */
int cli_template_expand(const cli_template_t *t, const cli_arg_t *args,
                        int nargs, uint64_t seq, char **buf, size_t *cap,
                        size_t *len);

/* Frees t.  NULL is a no-op. */
void cli_template_free(cli_template_t *t);

/* Quotes s (len bytes) for /bin/sh into a malloc'd NUL-terminated string:
 * 'it'\''s' style; an empty string becomes ''.  NULL when out of memory. */
char *cli_shell_quote(const char *s, size_t len);

#endif
