/*
 * colsep.h - GNU parallel's --colsep for the mpipool program: a line of an
 * input source split into columns at the matches of a regular expression.
 * The expression is a POSIX extended one (regcomp, REG_EXTENDED), not
 * Perl's as in GNU parallel; Perl's escapes \t \n \r \f \v, \s \S \d \D
 * \w \W are read as Perl reads them, so the usual separators (",", "\t",
 * "\s+", ";") mean the same in both.  Pure logic, no MPI.
 */
#ifndef MPIPOOL_CLI_COLSEP_H
#define MPIPOOL_CLI_COLSEP_H

#include <stddef.h>

#include "template.h"

typedef struct cli_colsep cli_colsep_t;

/*
 * Compiles the separator sep (copied).  trim 1: each column loses its
 * leading and trailing white space (as GNU parallel's --colsep implies
 * --trim lr).  Returns 0, or -1 with a message in err naming sep when it
 * is not a valid expression, or when out of memory.
 */
int cli_colsep_compile(cli_colsep_t **cs, const char *sep, int trim, char *err,
                       size_t errlen);

/*
 * Splits s (len bytes, borrowed: the columns point into it) as Perl's
 * split(/sep/, s, -1) does: every match ends a column (a match at the
 * very start makes an empty first column), the column after the last
 * match is kept even when empty, and a match of no bytes splits between
 * two bytes but never makes an empty column (so "" splits "abc" into a,
 * b, c; and no match loops).  The columns are appended to *cols (capacity
 * *cap, grown with cli_grow; free it with cli_free), *n counting them.
 * A NUL must follow the line in its buffer (at s[len] or later, as in
 * getline's lines and in argv): regexec reads only len bytes
 * (REG_STARTEND), but the sanitizers' regexec reads up to the NUL.
 * Returns 0, or -1 when out of memory.
 */
int cli_colsep_split(const cli_colsep_t *cs, const char *s, size_t len,
                     cli_arg_t **cols, size_t *cap, size_t *n);

/* Frees cs.  NULL is a no-op. */
void cli_colsep_free(cli_colsep_t *cs);

#endif
