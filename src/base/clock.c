/*
 * clock.c - the monotonic clock (see clock.h).
 */
#include "config.h"
#include "clock.h"

#include <time.h>

uint64_t mpipool__clock_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct timespec mpipool__clock_deadline(double seconds) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  ts.tv_sec += (time_t)seconds;
  ts.tv_nsec += (long)((seconds - (double)(time_t)seconds) * 1e9);
  if (ts.tv_nsec >= 1000000000L) {
    ts.tv_sec++;
    ts.tv_nsec -= 1000000000L;
  }
  return ts;
}

int mpipool__clock_cond_init(pthread_cond_t *c) {
  pthread_condattr_t attr;
  int err = pthread_condattr_init(&attr);
  if (err)
    return err;
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  err = pthread_cond_init(c, &attr);
  pthread_condattr_destroy(&attr);
  return err;
}
