/*
 * test_env.c - seconds and switches from the environment (env.c): unset
 * and empty give the default, numbers from 0 to the maximum are taken
 * (fractions too), a switch is 0 or 1, anything else gives the default
 * and a line on stderr, said once when the caller keeps the flag.
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

/* Reads VAR (set to value; NULL: unset) as seconds with default 7 and
 * maximum 100, or (flag) as a switch with default 1; stderr caught in
 * said_text. */
static double read_as(const char *value, int *said, int flag) {
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
  double s = flag ? mpipool__env_flag(VAR, 1, said)
                  : mpipool__env_seconds(VAR, 7, 100, said);
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  rewind(f);
  size_t n = fread(said_text, 1, sizeof said_text - 1, f);
  said_text[n] = '\0';
  fclose(f);
  return s;
}

static double read_var(const char *value, int *said) {
  return read_as(value, said, 0);
}

/* Switches: 0 and 1 taken, unset and empty the default (1), anything
 * else the default and said. */
static void flags(void) {
  static const struct {
    const char *value;
    double want;
  } good[] = {{NULL, 1}, {"", 1}, {"0", 0}, {"1", 1}};
  for (size_t i = 0; i < sizeof good / sizeof *good; i++)
    ok(read_as(good[i].value, NULL, 1) == good[i].want && said_text[0] == 0,
       "switch %s: %g, nothing said", good[i].value ? good[i].value : "unset",
       good[i].want);
  static const char *const bad[] = {"yes", "2", "01", "0 ", "-1"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    char want[128];
    snprintf(want, sizeof want, "mpipool: " VAR "=%s is not 0 or 1; using 1\n",
             bad[i]);
    double s = read_as(bad[i], NULL, 1);
    if (!ok(s == 1 && strcmp(said_text, want) == 0,
            "switch %s: the default, and said", bad[i]))
      printf("# got %g, said: %s", s, said_text);
  }
  int said = 0;
  read_as("no", &said, 1);
  ok(said == 1 && read_as("no", &said, 1) == 1 && said_text[0] == '\0',
     "switch, kept flag: said once");
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
  flags();
  return tap_done();
}
