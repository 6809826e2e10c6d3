/*
 * test_cli_colsep.c - lines split into columns (cli/colsep.c): as Perl's
 * split(/sep/, line, -1) splits them, with Perl's escapes, trimming,
 * matches of no bytes, bad expressions, out of memory.
 */
#include "../tap.h"
#include "cli/alloc.h"
#include "cli/colsep.h"

#include <string.h>

#define ERRLEN 256

/* The columns of line split at sep, joined as "[a][b]..." into out;
 * "(bad)" when sep does not compile, "(oom)" when out of memory. */
static void split(const char *sep, int trim, const char *line, size_t len,
                  char *out, size_t outlen) {
  cli_colsep_t *cs;
  char err[ERRLEN];
  cli_arg_t *cols = NULL;
  size_t cap = 0, n = 0;
  out[0] = '\0';
  if (cli_colsep_compile(&cs, sep, trim, err, sizeof err)) {
    strncat(out, "(bad)", outlen - 1);
    return;
  }
  if (cli_colsep_split(cs, line, len, &cols, &cap, &n)) {
    strncat(out, "(oom)", outlen - 1);
  } else {
    for (size_t i = 0; i < n; i++) {
      size_t at = strlen(out);
      if (at + cols[i].len + 3 > outlen)
        break;
      out[at] = '[';
      memcpy(out + at + 1, cols[i].s, cols[i].len);
      out[at + 1 + cols[i].len] = ']';
      out[at + 2 + cols[i].len] = '\0';
    }
  }
  cli_free(cols);
  cli_colsep_free(cs);
}

/* Passes when line split at sep gives want. */
static void splits(const char *sep, int trim, const char *line,
                   const char *want) {
  char got[512];
  split(sep, trim, line, strlen(line), got, sizeof got);
  if (!ok(strcmp(got, want) == 0, "split /%s/ '%s' -> %s", sep, line, want))
    printf("#   got %s\n", got);
}

int main(void) {
  long live = cli_alloc_live();
  /* Perl: perl -e 'print map {"[$_]"} split /SEP/, "LINE", -1' */
  splits(",", 0, "a,b,c", "[a][b][c]");
  splits(",", 0, ",a,,b,", "[][a][][b][]");
  splits(",", 0, "abc", "[abc]");
  splits(",", 0, "", "[]");
  splits(",+", 0, "a,,b", "[a][b]");
  splits(", *", 0, "a, b,c", "[a][b][c]");
  splits("\\t", 0, "a\tb c\td", "[a][b c][d]");
  splits("\t", 0, "a\tb", "[a][b]");
  splits("\\s+", 0, "a  b\t c", "[a][b][c]");
  splits("[\\t,]", 0, "a\tb,c", "[a][b][c]");
  splits("\\d", 0, "a1b2c", "[a][b][c]");
  splits("[\\d]", 0, "a1b2c", "[a][b][c]");
  splits("\\W+", 0, "ab-+cd", "[ab][cd]");
  splits("[.]", 0, "a.b", "[a][b]");
  splits("\\.", 0, "a.b.", "[a][b][]");
  splits("[[:digit:]]", 0, "x1y", "[x][y]");
  splits("^a", 0, "aXa", "[][Xa]");
  /* Matches of no bytes split between bytes, never loop. */
  splits("", 0, "abc", "[a][b][c][]");
  splits("x*", 0, "abc", "[a][b][c][]");
  splits(",*", 0, "a,,b", "[a][b][]");
  splits(",*", 0, ",a,,b,", "[][a][b][]");
  /* --colsep trims each column, as GNU parallel's --trim lr. */
  splits(",", 1, " a b , c\t,", "[a b][c][]");
  splits(",", 0, " a , c", "[ a ][ c]");
  /* A line of len bytes, whatever follows it. */
  char got[64];
  split(",", 0, "a,b,c", 3, got, sizeof got);
  is_int(strcmp(got, "[a][b]"), 0, "only the line's len bytes are split");
  /* A bad expression names itself. */
  cli_colsep_t *cs = NULL;
  char err[ERRLEN];
  is_int(cli_colsep_compile(&cs, "a(", 0, err, sizeof err), -1,
         "an unbalanced ( is refused");
  ok(strstr(err, "--colsep 'a(' is not a valid (POSIX extended) regular "
                 "expression: ") == err,
     "the message names the expression: %s", err);
  is_int(cli_colsep_compile(&cs, "[", 0, err, sizeof err), -1,
         "an unclosed [ is refused");
  /* Two repetition operators in a row are refused (undefined in POSIX;
   * glibc's regcomp doubles the expression for each); escaped, inside
   * brackets or apart, they are not. */
  const char *twice[] = {"x++",     "a*?",   "a+*",
                         "b{2}{3}", "\\s+?", "x++++++++++++++++++++++++++++++"};
  for (size_t i = 0; i < sizeof twice / sizeof *twice; i++) {
    int rc = cli_colsep_compile(&cs, twice[i], 0, err, sizeof err);
    ok(rc == -1 && strstr(err, "two repetition operators in a row"),
       "'%s' refused: %s", twice[i], err);
  }
  const char *once[] = {"\\+\\+", "[+*]+",  "a+b*",
                        "(a+)+",  "x{2}y+", "[[:space:]+]+"};
  for (size_t i = 0; i < sizeof once / sizeof *once; i++) {
    int rc = cli_colsep_compile(&cs, once[i], 0, err, sizeof err);
    ok(rc == 0, "'%s' compiles", once[i]);
    if (rc == 0)
      cli_colsep_free(cs);
  }
  /* Out of memory: at the compile, at the split. */
  cli_alloc_fail_at(1);
  is_int(cli_colsep_compile(&cs, ",", 0, err, sizeof err), -1,
         "out of memory at the compile: -1");
  ok(strcmp(err, "out of memory") == 0, "... said");
  cli_alloc_fail_at(0);
  if (cli_colsep_compile(&cs, ",", 0, err, sizeof err) == 0) {
    cli_arg_t *cols = NULL;
    size_t cap = 0, n = 0;
    cli_alloc_fail_at(1);
    is_int(cli_colsep_split(cs, "a,b", 3, &cols, &cap, &n), -1,
           "out of memory at the split: -1");
    cli_alloc_fail_at(0);
    cli_free(cols);
    cli_colsep_free(cs);
  }
  cli_colsep_free(NULL);
  is_int(cli_alloc_live(), live, "nothing left allocated");
  return tap_done();
}
