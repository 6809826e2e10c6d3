/*
 * simplecmd.h - recognizes a command line the shell would only split into
 * words and run (no quotes, variables, globs, redirections, operators,
 * assignments or builtins), so that the mpipool program can exec it
 * directly: the same result without starting a shell, which is most of
 * the cost of a short task.  Pure logic.
 */
#ifndef MPIPOOL_CLI_SIMPLECMD_H
#define MPIPOOL_CLI_SIMPLECMD_H

#include <stddef.h>

/*
 * If cmd (NUL-terminated) is simple, returns a malloc'd NULL-terminated
 * argv of its words (one allocation: free() it once), else NULL.  Simple
 * means: at most 64 words of bytes from [A-Za-z0-9_./,:+@%-] and '='
 * (not in the first word), separated by spaces or tabs, the first word
 * not a shell keyword or builtin that a program of the same name would
 * not replace exactly (cd, exit, export, kill, pwd, echo, ...).  NULL too
 * when out of memory: the caller then runs the shell, which is always
 * right.
 */
char **cli_simplecmd_argv(const char *cmd);

#endif
