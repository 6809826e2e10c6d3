/*
 * clock.h - the mpipool program's clock: monotonic seconds, for time
 * limits, run times and the progress line.
 */
#ifndef MPIPOOL_CLI_CLOCK_H
#define MPIPOOL_CLI_CLOCK_H

#include <time.h>

static inline double cli_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#endif
