/*
 * tap.h - the tests' tiny harness: TAP output ("ok N - what"), a plan at
 * the end, and an exit status that tells whether everything passed.
 */
#ifndef MPIPOOL_TAP_H
#define MPIPOOL_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_count, tap_failed;

static inline int tap_ok(int pass, const char *file, int line, const char *fmt,
                         ...) {
  va_list ap;
  tap_count++;
  if (!pass)
    tap_failed++;
  printf("%sok %d - ", pass ? "" : "not ", tap_count);
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
  if (!pass)
    printf("# failed at %s:%d\n", file, line);
  fflush(stdout);
  return pass;
}

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, what)                                                \
  do {                                                                         \
    long long g_ = (long long)(got), w_ = (long long)(want);                   \
    if (!ok(g_ == w_, "%s", what))                                             \
      printf("#   got %lld, want %lld\n", g_, w_);                             \
  } while (0)

static inline int tap_done(void) {
  printf("1..%d\n", tap_count);
  fflush(stdout);
  return tap_failed ? 1 : 0;
}

#endif
