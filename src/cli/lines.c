/*
 * lines.c - line reading through the allocation seam (see lines.h).
 */
#include "lines.h"

#include "alloc.h"
#include "fmt.h"

#include <errno.h>
#include <string.h>

ssize_t cli_getline(char **buf, size_t *cap, FILE *f) {
  size_t len = 0;
  int c = EOF;
  flockfile(f);
  while ((c = getc_unlocked(f)) != EOF) {
    if (cli_grow((void **)buf, cap, len + 2, 1) != 0) {
      funlockfile(f);
      errno = ENOMEM;
      return -1;
    }
    (*buf)[len++] = (char)c;
    if (c == '\n')
      break;
  }
  funlockfile(f);
  if (len == 0)
    return -1; /* the end, or a read error: ferror(f) tells */
  (*buf)[len] = '\0';
  return (ssize_t)len;
}

ssize_t cli_getline_said(char **buf, size_t *cap, FILE *f, const char *name,
                         size_t line, char *err, size_t errlen) {
  errno = 0;
  ssize_t got = cli_getline(buf, cap, f);
  if (got >= 0 || (!ferror(f) && feof(f)))
    return got;
  int e = errno ? errno : EIO;
  cli_fmt(err, errlen, "%s:%zu: %s", name, line + 1,
          e == ENOMEM ? "out of memory" : strerror(e));
  return -2;
}
