/*
 * clock.h - the library's one clock: monotonic time, for deadlines,
 * backoff and the workers' busy times.
 */
#ifndef MPIPOOL_CLOCK_H
#define MPIPOOL_CLOCK_H

#include <stdint.h>

/* Monotonic nanoseconds (CLOCK_MONOTONIC). */
uint64_t mpipool__clock_ns(void);

/* The same in seconds. */
static inline double mpipool__now(void) {
  return (double)mpipool__clock_ns() * 1e-9;
}

#endif
