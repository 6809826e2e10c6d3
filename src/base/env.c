/*
 * env.c - seconds and switches from the environment (see env.h).
 */
#include "config.h"
#include "env.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Says once (as *said keeps) that name=v is not what it should be. */
static void bad(const char *name, const char *v, const char *what,
                const char *dflt, int *said) {
  if (said == NULL || !*said)
    fprintf(stderr, "mpipool: %s=%s is not %s; using %s\n", name, v, what,
            dflt);
  if (said)
    *said = 1;
}

double mpipool__env_seconds(const char *name, double dflt, double max,
                            int *said) {
  const char *v = getenv(name);
  if (v == NULL || *v == '\0')
    return dflt;
  char *end;
  errno = 0;
  double s = strtod(v, &end);
  if (errno == 0 && end != v && *end == '\0' && isfinite(s) && s >= 0 &&
      s <= max)
    return s;
  char what[64], d[32];
  snprintf(what, sizeof what, "a number of seconds from 0 to %g", max);
  snprintf(d, sizeof d, "%g", dflt);
  bad(name, v, what, d, said);
  return dflt;
}

int mpipool__env_flag(const char *name, int dflt, int *said) {
  const char *v = getenv(name);
  if (v == NULL || *v == '\0')
    return dflt;
  if (strcmp(v, "0") == 0 || strcmp(v, "1") == 0)
    return v[0] == '1';
  bad(name, v, "0 or 1", dflt ? "1" : "0", said);
  return dflt;
}
