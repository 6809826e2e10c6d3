/*
 * backoff.h - how a process waits for messages without burning a core: it
 * spins briefly (a reply often comes within microseconds), then yields,
 * then sleeps for growing intervals up to a millisecond.
 */
#ifndef MPIPOOL_BACKOFF_H
#define MPIPOOL_BACKOFF_H

typedef struct {
  unsigned idle;   /* consecutive idle polls */
  unsigned max_us; /* the longest sleep; 0: the default, 1000 us */
  int no_spin;     /* sleep at once: what it waits for is not due soon */
} mpipool__backoff_t;

/* Called after a poll that found nothing: spins, yields or sleeps (at most
 * b->max_us when set: a waiter that expects work soon, such as a master
 * whose tasks take 700 us, sleeps less than a task at a time). */
void mpipool__backoff_idle(mpipool__backoff_t *b);

/* Called after a poll that found work: the next wait spins again. */
static inline void mpipool__backoff_reset(mpipool__backoff_t *b) {
  b->idle = 0;
}

/* The sleep, in microseconds, that the idle-th idle poll takes (0 for a
 * spin or a yield), by default.  Exposed for the unit test. */
unsigned mpipool__backoff_sleep_us(unsigned idle);

/* The sleep the next mpipool__backoff_idle(b) takes, with b's settings
 * (0: a spin or a yield). */
unsigned mpipool__backoff_next_us(const mpipool__backoff_t *b);

#endif
