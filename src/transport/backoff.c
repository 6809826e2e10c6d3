/*
 * backoff.c - idle waiting (see backoff.h).  Busy-polling MPI processes on
 * an oversubscribed node starve the ones doing work, so after about 50
 * microseconds of spinning a waiter gives its core away.
 */
#include "config.h"
#include "backoff.h"

#include <sched.h>
#include <time.h>

#define SPINS 2000 /* polls of about 25 ns each before yielding */
#define YIELDS 200 /* then sched_yield() this many times */
#define MAX_SLEEP_US 1000
/* The longest sleep a no_spin wait starts with: 10 us << WARM_MAX. */
#define WARM_MAX 4

unsigned mpipool__backoff_sleep_us(unsigned idle) {
  if (idle < SPINS + YIELDS)
    return 0;
  unsigned step = idle - SPINS - YIELDS;
  /* 10, 20, 40 ... microseconds, capped at MAX_SLEEP_US. */
  if (step >= 7)
    return MAX_SLEEP_US;
  unsigned us = 10u << step;
  return us < MAX_SLEEP_US ? us : MAX_SLEEP_US;
}

unsigned mpipool__backoff_next_us(const mpipool__backoff_t *b) {
  unsigned idle = b->idle;
  if (b->no_spin && idle < SPINS + YIELDS)
    idle += SPINS + YIELDS + b->warm; /* straight to the sleeps */
  unsigned us = mpipool__backoff_sleep_us(idle);
  return b->max_us && us > b->max_us ? b->max_us : us;
}

void mpipool__backoff_idle(mpipool__backoff_t *b) {
  unsigned us = mpipool__backoff_next_us(b);
  int spin = !b->no_spin && b->idle < SPINS;
  if (b->idle < (unsigned)-1)
    b->idle++;
  if (spin && !b->yield_spins)
    return;
  if (us == 0) {
    sched_yield();
    return;
  }
  if (b->sleep) {
    b->sleep(b->sleep_arg, us);
    return;
  }
  struct timespec ts = {0, (long)us * 1000};
  nanosleep(&ts, NULL);
}

void mpipool__backoff_reset(mpipool__backoff_t *b) {
  if (b->no_spin && b->idle > 0 && b->idle < SPINS + YIELDS) {
    unsigned found = b->warm + b->idle - 1; /* the sleep that found work */
    b->warm = found > WARM_MAX + 1 ? 0 : found ? found - 1 : 0;
  }
  b->idle = 0;
}
