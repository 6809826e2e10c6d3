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
  unsigned warm;   /* no_spin: the sleep a wait starts with (learned, see
                      mpipool__backoff_reset) */
  int yield_spins; /* it shares its core: yields where it would spin */
  /* Sleeps instead of nanosleep(us) when set: a waiter that another of
   * its threads can wake (the master with its head's hands at work). */
  void (*sleep)(void *arg, unsigned us);
  void *sleep_arg;
} mpipool__backoff_t;

/* Called after a poll that found nothing: spins, yields or sleeps (at most
 * b->max_us when set: a waiter that expects work soon, such as a master
 * whose tasks take 700 us, sleeps less than a task at a time). */
void mpipool__backoff_idle(mpipool__backoff_t *b);

/*
 * Called after a poll that found work: the next wait spins again; or,
 * with no_spin, starts with about half the sleep that found this work,
 * when that was short.  A waiter that shares its core (no_spin) and keeps
 * finding its work after the same gap then wakes about twice per gap
 * instead of about log2(gap / 10 us) times: each wake-up takes the core
 * from the process that has work (2 workers and their master on 2 cores:
 * with this and the master's not yielding at every poll, mpihints.c,
 * apply_async went from 0.28 to 0.59 M tasks/s; either alone did not move
 * it).  A wait that ran to the long sleeps (the pool was idle) teaches
 * nothing: the next starts short again.
 */
void mpipool__backoff_reset(mpipool__backoff_t *b);

/* The sleep, in microseconds, that the idle-th idle poll takes (0 for a
 * spin or a yield), by default.  Exposed for the unit test. */
unsigned mpipool__backoff_sleep_us(unsigned idle);

/* The sleep the next mpipool__backoff_idle(b) takes, with b's settings
 * (0: a spin or a yield). */
unsigned mpipool__backoff_next_us(const mpipool__backoff_t *b);

#endif
