/*
 * test_error.c - the error list (error.c and mpipool.h): every code's text and
 * name, unknown codes, MPIPOOL_ERRNO_LAST, and the version.
 */
#include "config.h"

#include "mpipool.h"
#include "../tap.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_errors(void) {
  int names_ok = 1, text_ok = 1, n = 0;
  const char *seen[32];
#define CHECK_ERR(name, value, text)                                           \
  do {                                                                         \
    const char *s = mpipool_strerror(MPIPOOL_##name);                          \
    const char *nm = mpipool_err_name(MPIPOOL_##name);                         \
    if (s == NULL || strcmp(s, text) != 0) {                                   \
      text_ok = 0;                                                             \
      printf("#   strerror(%d) wrong\n", value);                               \
    }                                                                          \
    if (nm == NULL || strcmp(nm, "MPIPOOL_" #name) != 0) {                     \
      names_ok = 0;                                                            \
      printf("#   err_name(%d) wrong\n", value);                               \
    }                                                                          \
    if (MPIPOOL_##name != (value))                                             \
      names_ok = 0;                                                            \
    seen[n++] = s;                                                             \
  } while (0);
  MPIPOOL_ERRNO_MAP(CHECK_ERR)
#undef CHECK_ERR
  ok(text_ok, "strerror of every code is its text");
  ok(names_ok, "err_name of every code is MPIPOOL_<NAME>");
  is_int(n, -MPIPOOL_ERRNO_LAST - 1,
         "every code from -1 to MPIPOOL_ERRNO_LAST + 1, in the list");
  int distinct = 1;
  for (int i = 0; i < n; i++)
    for (int j = i + 1; j < n; j++)
      if (strcmp(seen[i], seen[j]) == 0)
        distinct = 0;
  ok(distinct, "descriptions distinct");
  ok(strcmp(mpipool_strerror(MPIPOOL_OK), "success") == 0, "strerror(0)");
  ok(strcmp(mpipool_err_name(MPIPOOL_OK), "MPIPOOL_OK") == 0, "err_name(0)");
  static const int unknown[] = {MPIPOOL_ERRNO_LAST, 1,        42, -1000,
                                INT32_MIN,          INT32_MAX};
  int unk_ok = 1;
  for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
    const char *s = mpipool_strerror(unknown[i]);
    const char *nm = mpipool_err_name(unknown[i]);
    if (s == NULL || nm == NULL || s[0] == '\0' || nm[0] == '\0')
      unk_ok = 0;
    else if (strcmp(s, "success") == 0 || strcmp(nm, "MPIPOOL_OK") == 0)
      unk_ok = 0;
  }
  ok(unk_ok, "unknown codes: non-NULL, non-empty, not success");
  ok(strcmp(mpipool_strerror(MPIPOOL_ERRNO_LAST), "unknown mpipool error") == 0,
     "strerror(unknown) text");
  ok(strcmp(mpipool_err_name(MPIPOOL_ERRNO_LAST), "MPIPOOL_EUNKNOWN") == 0,
     "err_name(unknown)");
  char compiled[64];
  snprintf(compiled, sizeof compiled, "%d.%d.%d", MPIPOOL_VERSION_MAJOR,
           MPIPOOL_VERSION_MINOR, MPIPOOL_VERSION_PATCH);
  ok(strcmp(compiled, MPIPOOL_VERSION) == 0 &&
         strcmp(MPIPOOL_VERSION, mpipool_version()) == 0,
     "MPIPOOL_VERSION_MAJOR/MINOR/PATCH, MPIPOOL_VERSION and "
     "mpipool_version() agree (%s)",
     compiled);
  is_int(MPIPOOL_VERSION_NUMBER,
         MPIPOOL_VERSION_MAJOR * 10000 + MPIPOOL_VERSION_MINOR * 100 +
             MPIPOOL_VERSION_PATCH,
         "MPIPOOL_VERSION_NUMBER");
  const char *v = mpipool_version();
  ok(v != NULL && strcmp(v, PACKAGE_VERSION) == 0,
     "mpipool_version() is PACKAGE_VERSION (%s)", PACKAGE_VERSION);
  ok(v == mpipool_version(), "version: static storage");
  int dots = 0, digits = 1;
  for (const char *p = v; *p; p++) {
    if (*p == '.')
      dots++;
    else if (*p < '0' || *p > '9')
      digits = 0;
  }
  ok(dots == 2 && digits, "version looks like MAJOR.MINOR.PATCH");
}

int main(void) {
  test_errors();
  return tap_done();
}
