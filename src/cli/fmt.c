/*
 * fmt.c - formatting with known outcomes (see fmt.h).
 */
#include "fmt.h"
#include "alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Marks the full buffer as cut: its last characters become "...". */
static int mark_cut(char *buf, size_t len) {
  size_t dots = len > 3 ? 3 : len - 1;
  memset(buf + len - 1 - dots, '.', dots);
  buf[len - 1] = '\0';
  return 1;
}

int cli_vfmt(char *buf, size_t len, const char *fmt, va_list ap) {
  int n = vsnprintf(buf, len, fmt, ap);
  if (n >= 0 && (size_t)n < len)
    return 0;
  if (n < 0) /* an encoding error: an empty text, said to be cut */
    memset(buf, ' ', len - 1);
  return mark_cut(buf, len);
}

int cli_fmt(char *buf, size_t len, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int cut = cli_vfmt(buf, len, fmt, ap);
  va_end(ap);
  return cut;
}

int cli_fmt_append(char *buf, size_t len, const char *fmt, ...) {
  size_t used = strlen(buf);
  if (used + 1 >= len)
    return mark_cut(buf, len);
  va_list ap;
  va_start(ap, fmt);
  int cut = cli_vfmt(buf + used, len - used, fmt, ap);
  va_end(ap);
  return cut ? mark_cut(buf, len) : 0;
}

int cli_fmt_size(char *buf, size_t len, unsigned long long bytes) {
  static const char *const units[] = {"kB", "MB", "GB", "TB", "PB", "EB"};
  if (bytes < 1000)
    return cli_fmt(buf, len, "%llu B", bytes);
  double v = (double)bytes / 1000;
  size_t u = 0;
  /* 999.95 and up prints as 1000.0: the next unit says it better. */
  while (v >= 999.95 && u + 1 < sizeof units / sizeof *units) {
    v /= 1000;
    u++;
  }
  return cli_fmt(buf, len, "%.1f %s", v, units[u]);
}

char *cli_afmt(const char *fmt, ...) {
  va_list ap, ap2;
  va_start(ap, fmt);
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *s = n >= 0 ? cli_malloc((size_t)n + 1) : NULL;
  if (s && vsnprintf(s, (size_t)n + 1, fmt, ap2) != n) {
    cli_free(s);
    s = NULL;
  }
  va_end(ap2);
  return s;
}
