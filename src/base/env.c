/*
 * env.c - seconds from the environment (see env.h).
 */
#include "config.h"
#include "env.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

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
  if (said == NULL || !*said)
    fprintf(stderr,
            "mpipool: %s=%s is not a number of seconds from 0 to %g; "
            "using %g\n",
            name, v, max, dflt);
  if (said)
    *said = 1;
  return dflt;
}
