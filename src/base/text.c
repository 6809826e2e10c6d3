/*
 * text.c - formatting with known outcomes (see text.h).
 */
#include "config.h"
#include "text.h"

#include "alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mpipool__fmt(char *buf, size_t len, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, len, fmt, ap);
  va_end(ap);
  if (n >= 0 && (size_t)n < len)
    return 0;
  if (n < 0) /* an encoding error: an empty text, said to be cut */
    memset(buf, ' ', len - 1);
  /* Cut: mark it. */
  size_t dots = len > 3 ? 3 : len - 1;
  memset(buf + len - 1 - dots, '.', dots);
  buf[len - 1] = '\0';
  return 1;
}

char *mpipool__vafmt(const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  char *s = n >= 0 ? mpipool__malloc((size_t)n + 1) : NULL;
  if (s && vsnprintf(s, (size_t)n + 1, fmt, ap2) != n) {
    mpipool__free(s);
    s = NULL;
  }
  va_end(ap2);
  return s;
}

char *mpipool__afmt(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *s = mpipool__vafmt(fmt, ap);
  va_end(ap);
  return s;
}

char *mpipool__strdup(const char *s) {
  if (s == NULL)
    return NULL;
  size_t n = strlen(s) + 1;
  char *p = mpipool__malloc(n);
  if (p)
    memcpy(p, s, n);
  return p;
}

char *mpipool__read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "r");
  if (f == NULL)
    return NULL;
  char *text = NULL;
  size_t cap = 0, n = 0, got = 1;
  while (got > 0) {
    if (mpipool__grow((void **)&text, &cap, n + 4097, 1) != 0) {
      mpipool__free(text);
      fclose(f);
      return NULL;
    }
    got = fread(text + n, 1, cap - n - 1, f);
    n += got;
  }
  fclose(f);
  text[n] = '\0';
  if (len)
    *len = n;
  return text;
}
