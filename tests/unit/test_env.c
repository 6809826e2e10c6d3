/*
 * test_env.c - seconds from the environment (env.c): unset and empty give
 * the default, numbers from 0 to the maximum are taken (fractions too),
 * anything else gives the default and a line on stderr, said once when
 * the caller keeps the flag.
 */
#include "config.h"

#include "base/env.h"
#include "../tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define VAR "MPIPOOL_TEST_SECONDS"

static char said_text[4096];

/* Reads VAR with default 7 and maximum 100, stderr caught in said_text. */
static double read_var(const char *value, int *said) {
  if (value)
    setenv(VAR, value, 1);
  else
    unsetenv(VAR);
  fflush(stderr);
  FILE *f = tmpfile();
  int saved = dup(2);
  if (f == NULL || saved < 0)
    return -1;
  dup2(fileno(f), 2);
  double s = mpipool__env_seconds(VAR, 7, 100, said);
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  rewind(f);
  size_t n = fread(said_text, 1, sizeof said_text - 1, f);
  said_text[n] = '\0';
  fclose(f);
  return s;
}

int main(void) {
  static const struct {
    const char *value;
    double want;
  } good[] = {{NULL, 7},    {"", 7},          {"0", 0},  {"2.5", 2.5},
              {"100", 100}, {"0.001", 0.001}, {"12", 12}};
  for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
    double s = read_var(good[i].value, NULL);
    ok(s == good[i].want && said_text[0] == '\0', "%s: %g, nothing said (%g)",
       good[i].value ? good[i].value : "unset", good[i].want, s);
  }
  static const char *const bad[] = {"soon", "-1",  "100.5", "1x",
                                    "inf",  "nan", "1e999", "5 s"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    char want[256];
    snprintf(want, sizeof want,
             "mpipool: " VAR "=%s is not a number of seconds from 0 to 100; "
             "using 7\n",
             bad[i]);
    double s = read_var(bad[i], NULL);
    if (!ok(s == 7 && strcmp(said_text, want) == 0, "%s: the default, and said",
            bad[i]))
      printf("# got %g, said: %s", s, said_text);
  }
  int said = 0;
  read_var("later", &said);
  ok(said == 1 && strstr(said_text, "=later is not") != NULL,
     "kept flag: said the first time");
  double s = read_var("later", &said);
  ok(s == 7 && said_text[0] == '\0', "kept flag: not said again, the default");
  s = read_var("3", &said);
  ok(s == 3, "kept flag: a good value is still read");
  return tap_done();
}
