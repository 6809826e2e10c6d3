/*
 * lines.c - line reading through the allocation seam (see lines.h).
 */
#include "lines.h"

#include "alloc.h"

#include <errno.h>

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
