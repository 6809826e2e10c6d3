/*
 * test_backoff.c - how an idle process waits (backoff.c): spins, yields, then
 * sleeps of growing length, capped.
 */
#include "config.h"

#include "transport/backoff.h"
#include "base/clock.h"
#include "mpipool.h"
#include "../tap.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_backoff(void) {
  /* find the first sleeping poll */
  unsigned first = 0;
  while (first < 1000000 && mpipool__backoff_sleep_us(first) == 0)
    first++;
  ok(first > 0 && first < 1000000, "spins/yields first, then sleeps");
  printf("# first sleeping poll: %u\n", first);
  is_int(mpipool__backoff_sleep_us(0), 0, "poll 0: spin");
  is_int(mpipool__backoff_sleep_us(first - 1), 0, "last yield: 0");
  int zero_ok = 1;
  for (unsigned i = 0; i < first; i++)
    if (mpipool__backoff_sleep_us(i) != 0)
      zero_ok = 0;
  ok(zero_ok, "0 for every spinning or yielding poll");
  ok(mpipool__backoff_sleep_us(first) > 0 &&
         mpipool__backoff_sleep_us(first) < 1000,
     "first sleep short");
  int mono = 1, grew = 0;
  unsigned prev = 0;
  for (unsigned i = first; i < first + 100; i++) {
    unsigned us = mpipool__backoff_sleep_us(i);
    if (us < prev || us > 1000)
      mono = 0;
    if (us > prev && i > first)
      grew = 1;
    prev = us;
  }
  ok(mono, "sleeps never shrink and never exceed 1000 us");
  ok(grew, "sleeps grow");
  is_int(mpipool__backoff_sleep_us(first + 1),
         2 * mpipool__backoff_sleep_us(first), "sleep doubles");
  is_int(prev, 1000, "capped at 1000 us");
  is_int(mpipool__backoff_sleep_us(first + 1000), 1000, "still 1000 later");
  is_int(mpipool__backoff_sleep_us(UINT32_MAX), 1000,
         "1000 at the largest idle count");
  is_int(mpipool__backoff_sleep_us(first + 31), 1000,
         "no shift overflow at step 31");
  is_int(mpipool__backoff_sleep_us(first + 32), 1000,
         "no shift overflow at step 32");

  mpipool__backoff_t b = {0};
  mpipool__backoff_idle(&b);
  is_int(b.idle, 1, "idle counts polls");
  b.idle = first + 100; /* a sleeping poll: must return (about 1 ms) */
  double t0 = mpipool__now();
  mpipool__backoff_idle(&b);
  double t1 = mpipool__now();
  ok(t1 >= t0 && t1 - t0 < 1.0, "a capped sleep is short; clock monotonic");
  mpipool__backoff_reset(&b);
  is_int(b.idle, 0, "reset");
  b.idle = UINT32_MAX;
  mpipool__backoff_idle(&b);
  ok(b.idle == UINT32_MAX, "idle count saturates");
}

/* A waiter told that what it waits for is not due soon (no_spin) sleeps
 * from its first idle poll, never longer than its cap (max_us). */
static void test_settings(void) {
  mpipool__backoff_t b = {0};
  is_int(mpipool__backoff_next_us(&b), 0, "default: the first idle poll spins");
  b.no_spin = 1;
  ok(mpipool__backoff_next_us(&b) > 0, "no_spin: the first idle poll sleeps");
  b.max_us = 5;
  is_int(mpipool__backoff_next_us(&b), 5, "no_spin, max_us 5: 5 us at most");
  b.no_spin = 0;
  b.idle = 1000000;
  is_int(mpipool__backoff_next_us(&b), 5, "max_us caps the longest sleep");
  b.max_us = 0;
  is_int(mpipool__backoff_next_us(&b), 1000, "max_us 0: the default cap");
  b.idle = 0;
  b.no_spin = 1;
  b.max_us = 10;
  mpipool__backoff_idle(&b);
  is_int((int)b.idle, 1, "an idle poll counts");
}

/* A no_spin waiter starts its next wait with about half the sleep that
 * found its work, when that was short; a long wait teaches nothing. */
static void test_warm(void) {
  mpipool__backoff_t b = {0};
  b.no_spin = 1;
  unsigned first = mpipool__backoff_next_us(&b);
  ok(first > 0, "no_spin: the first wait sleeps");
  b.idle = 3; /* work came after the third sleep */
  mpipool__backoff_reset(&b);
  is_int(b.idle, 0, "reset: no idle poll");
  is_int(mpipool__backoff_next_us(&b), 2 * first,
         "work found at the third sleep: the next wait starts with the "
         "second");
  b.idle = 3;
  mpipool__backoff_reset(&b);
  is_int(mpipool__backoff_next_us(&b), 4 * first,
         "found at the third sleep again: it starts one longer");
  b.idle = 1;
  mpipool__backoff_reset(&b);
  is_int(mpipool__backoff_next_us(&b), 2 * first,
         "found at the first sleep: it starts one shorter");
  mpipool__backoff_reset(&b);
  is_int(mpipool__backoff_next_us(&b), 2 * first,
         "work found without waiting: unchanged");
  b.idle = 1;
  mpipool__backoff_reset(&b);
  b.idle = 1;
  mpipool__backoff_reset(&b);
  is_int(mpipool__backoff_next_us(&b), first, "and down to the shortest");
  unsigned longest = 0;
  for (unsigned k = 0; k < 200; k++) {
    b.idle = 1 + k % 7;
    mpipool__backoff_reset(&b);
    unsigned us = mpipool__backoff_next_us(&b);
    longest = us > longest ? us : longest;
  }
  ok(longest > 2 * first && longest <= 16 * first,
     "a wait never starts with more than 16 times the shortest sleep");
  printf("# longest first sleep: %u us\n", longest);
  b.idle = 40; /* the pool was idle: slept to the cap */
  mpipool__backoff_reset(&b);
  is_int(mpipool__backoff_next_us(&b), first,
         "a wait that reached the long sleeps: the next starts short");
  mpipool__backoff_t s = {0};
  s.idle = 3000;
  mpipool__backoff_reset(&s);
  is_int(mpipool__backoff_next_us(&s), 0, "a spinning waiter spins again");
  is_int((int)s.warm, 0, "and learns nothing");
}

/* A waiter that shares its core (yield_spins) gives it away where it
 * would spin, and sleeps no sooner. */
static void test_yield_spins(void) {
  mpipool__backoff_t b = {0};
  b.yield_spins = 1;
  is_int(mpipool__backoff_next_us(&b), 0,
         "yield_spins: the first poll does "
         "not sleep");
  double t0 = mpipool__now();
  for (int k = 0; k < 100; k++)
    mpipool__backoff_idle(&b);
  ok(mpipool__now() - t0 < 0.5 && b.idle == 100,
     "100 yielding polls count and return without sleeping");
}

int main(void) {
  test_backoff();
  test_settings();
  test_warm();
  test_yield_spins();
  return tap_done();
}
