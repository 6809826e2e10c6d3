/*
 * lines.h - reading a file line by line, lines of any length, the buffer
 * grown through the program's allocation seam (alloc.h), so that running
 * out of memory while reading can be tested.
 */
#ifndef MPIPOOL_CLI_LINES_H
#define MPIPOOL_CLI_LINES_H

#include <stdio.h>
#include <sys/types.h>

/*
 * As POSIX getline(): reads the next line of f, its '\n' included if
 * there is one, into *buf (capacity *cap, grown with cli_grow; free it
 * with cli_free), NUL-terminated; returns its length (NUL bytes inside
 * count), or -1 at the end of f, on a read error (ferror(f)), or out of
 * memory (errno ENOMEM; what was read of the line is lost).
 */
ssize_t cli_getline(char **buf, size_t *cap, FILE *f);

/*
 * As cli_getline, for a reader that says what went wrong: the next line of
 * f, line `line` + 1 of `name`.  Returns its length, -1 at the end of f,
 * or -2 after a read error or out of memory, said in err as
 * "NAME:LINE: why".
 */
ssize_t cli_getline_said(char **buf, size_t *cap, FILE *f, const char *name,
                         size_t line, char *err, size_t errlen);

#endif
