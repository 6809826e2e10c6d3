/*
 * backoff.h - how a process waits for messages without burning a core: it
 * spins briefly (a reply often comes within microseconds), then yields,
 * then sleeps for growing intervals up to a millisecond.
 */
#ifndef MPIPOOL_BACKOFF_H
#define MPIPOOL_BACKOFF_H

typedef struct {
  unsigned idle; /* consecutive idle polls */
} mpipool__backoff_t;

/* Called after a poll that found nothing: spins, yields or sleeps. */
void mpipool__backoff_idle(mpipool__backoff_t *b);

/* Called after a poll that found work: the next wait spins again. */
static inline void mpipool__backoff_reset(mpipool__backoff_t *b) {
  b->idle = 0;
}

/* The sleep, in microseconds, that the idle-th idle poll takes (0 for a
 * spin or a yield).  Exposed for the unit test. */
unsigned mpipool__backoff_sleep_us(unsigned idle);

#endif
