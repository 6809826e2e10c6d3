/*
 * test_clock.c - the library's clock (base/clock.c): monotonic time, the
 * deadlines timed waits take, and the condition variables that take them.
 */
#include "config.h"

#include "base/clock.h"
#include "../tap.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static void test_now(void) {
  double a = mpipool__now(), b = mpipool__now();
  ok(a > 0 && b >= a, "monotonic seconds, never back");
}

/* The deadline `seconds` from now, as nanoseconds of the monotonic clock. */
static void test_deadline(void) {
  int whole = 1;
  for (int k = 0; k < 1000; k++) {
    struct timespec ts = mpipool__clock_deadline(k * 0.0123);
    if (ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
      whole = 0;
  }
  ok(whole, "the nanoseconds stay under a second (carried into seconds)");
  double t0 = mpipool__now();
  struct timespec ts = mpipool__clock_deadline(2.75);
  double at = (double)ts.tv_sec + ts.tv_nsec * 1e-9;
  ok(at - t0 >= 2.749 && at - t0 < 3.75, "2.75 s from now: %.4f s", at - t0);
}

/* A timed wait with such a deadline lasts its time.  With the wall
 * clock's condition variable (pthread_cond_init's default) the deadline,
 * seconds since boot, lies in 1970: the wait would end at once. */
static void test_cond(void) {
  pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
  pthread_cond_t cv;
  is_int(mpipool__clock_cond_init(&cv), 0, "the condition variable is made");
  pthread_mutex_lock(&lock);
  double t0 = mpipool__now();
  struct timespec ts = mpipool__clock_deadline(0.2);
  int err = 0;
  while (err == 0) /* 0: woken for nothing; any error ends the wait */
    err = pthread_cond_timedwait(&cv, &lock, &ts);
  double took = mpipool__now() - t0;
  pthread_mutex_unlock(&lock);
  ok(err == ETIMEDOUT && took >= 0.19 && took < 5.0,
     "a wait 0.2 s ahead times out then: %.3f s (%s)", took, strerror(err));
  pthread_cond_destroy(&cv);
}

int main(void) {
  test_now();
  test_deadline();
  test_cond();
  return tap_done();
}
