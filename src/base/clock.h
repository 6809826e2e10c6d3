/*
 * clock.h - the library's one clock: monotonic time, for deadlines,
 * backoff and the workers' busy times.
 */
#ifndef MPIPOOL_CLOCK_H
#define MPIPOOL_CLOCK_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

/* Monotonic nanoseconds (CLOCK_MONOTONIC). */
uint64_t mpipool__clock_ns(void);

/* The same in seconds. */
static inline double mpipool__now(void) {
  return (double)mpipool__clock_ns() * 1e-9;
}

/* The monotonic time `seconds` from now, as pthread_cond_timedwait takes
 * it (a condition variable with pthread_condattr_setclock's
 * CLOCK_MONOTONIC). */
struct timespec mpipool__clock_deadline(double seconds);

/* Initializes c as a condition variable whose timed waits take such a
 * deadline: a step of the wall clock (NTP, an administrator) neither
 * lengthens nor ends them.  0 or pthread_cond_init's error. */
int mpipool__clock_cond_init(pthread_cond_t *c);

#endif
