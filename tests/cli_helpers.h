/*
 * cli_helpers.h - checks shared by the program's unit tests: strings and
 * byte runs compared with their differences shown escaped.
 */
#ifndef MPIPOOL_TEST_CLI_HELPERS_H
#define MPIPOOL_TEST_CLI_HELPERS_H

#include <stdio.h>
#include <string.h>

#include "tap.h"

/* Prints s on one diagnostic line, with \n, \t and control bytes
 * escaped. */
static inline void show(const char *label, const char *s, size_t len) {
  printf("#   %s '", label);
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '\n')
      printf("\\n");
    else if (c == '\t')
      printf("\\t");
    else if (c < 32 || c > 126)
      printf("\\x%02x", c);
    else
      putchar(c);
  }
  printf("'\n");
}

/* Whether got (got_len bytes) is exactly the string want. */
static inline int is_mem(const char *got, size_t got_len, const char *want,
                         const char *what) {
  size_t wl = strlen(want);
  int pass = got != NULL && got_len == wl && memcmp(got, want, wl) == 0;
  if (!ok(pass, "%s", what)) {
    if (got)
      show("got ", got, got_len);
    else
      printf("#   got  NULL\n");
    show("want", want, wl);
  }
  return pass;
}

static inline int is_str(const char *got, const char *want, const char *what) {
  return is_mem(got, got ? strlen(got) : 0, want, what);
}

/* Whether got contains want. */
static inline int has_str(const char *got, const char *want, const char *what) {
  int pass = got != NULL && strstr(got, want) != NULL;
  if (!ok(pass, "%s", what)) {
    show("got ", got ? got : "(NULL)", got ? strlen(got) : 6);
    show("missing", want, strlen(want));
  }
  return pass;
}

#endif
