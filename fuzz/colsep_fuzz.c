/*
 * colsep_fuzz.c - libFuzzer target: the --colsep splitter (colsep.c).
 * The input's first line is the separator (at most 32 bytes, without '{':
 * bounded repetitions make glibc's regcomp build automata of any size,
 * which is regcomp's cost, not ours), the rest a line to split, with and
 * without trimming.  Besides what the sanitizers catch, it checks that a
 * separator that compiles always splits: at least one column, columns in
 * order, inside the line and not overlapping, and (trimming) no column
 * begins or ends with white space; an invalid separator is said, with
 * its text; nothing leaks.
 */
#include "cli/alloc.h"
#include "cli/colsep.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check(int cond, const char *what) {
  if (!cond) {
    fprintf(stderr, "colsep_fuzz: broken contract: %s\n", what);
    abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n) {
  const uint8_t *nl = memchr(data, '\n', n);
  size_t seplen = nl ? (size_t)(nl - data) : n;
  if (seplen > 32 || memchr(data, '{', seplen) || memchr(data, 0, seplen))
    return 0;
  char sep[33];
  memcpy(sep, data, seplen);
  sep[seplen] = '\0';
  /* A line as the program has it: NUL-terminated (see colsep.h). */
  size_t len = nl ? n - seplen - 1 : 0;
  char *s = malloc(len + 1);
  check(s != NULL, "memory for the line");
  if (len)
    memcpy(s, nl + 1, len);
  s[len] = '\0';
  for (int trim = 0; trim < 2; trim++) {
    cli_colsep_t *cs;
    char err[512];
    if (cli_colsep_compile(&cs, sep, trim, err, sizeof err) != 0) {
      check(strstr(err, "--colsep") != NULL, "a refusal says --colsep");
      break;
    }
    cli_arg_t *cols = NULL;
    size_t cap = 0, ncols = 0;
    if (cli_colsep_split(cs, s, len, &cols, &cap, &ncols) == 0) {
      check(ncols >= 1, "at least one column");
      const char *at = s;
      for (size_t i = 0; i < ncols; i++) {
        check(cols[i].s >= at && cols[i].s + cols[i].len <= s + len,
              "columns in order, inside the line, not overlapping");
        at = cols[i].s + cols[i].len;
        if (trim && cols[i].len)
          check(!isspace((unsigned char)cols[i].s[0]) &&
                    !isspace((unsigned char)cols[i].s[cols[i].len - 1]),
                "a trimmed column has no outer white space");
      }
    }
    cli_free(cols);
    cli_colsep_free(cs);
  }
  free(s);
  return 0;
}
