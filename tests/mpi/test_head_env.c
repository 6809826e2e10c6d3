/*
 * test_head_env.c - the head's thread reads no environment: the master's
 * thread changes it as it starts MPI (mpihints.h), and a getenv beside a
 * setenv can read freed memory (AddressSanitizer caught the head's, in
 * CI).  This program's own getenv stands in for the C library's and
 * counts the calls made from any thread but the main one while a
 * singleton's head runs a map, with MPI not started (the workers are
 * never wanted: MPIPOOL_HEAD_ALONE is a day).  Under mpirun, MPI's own
 * threads read it: there only the map is checked.
 */
#include "common.h"

#include <pthread.h>
#include <stdatomic.h>

extern char **environ;

static pthread_t main_thread;
static atomic_int others; /* calls from other threads */

char *getenv(const char *name) {
  if (!pthread_equal(pthread_self(), main_thread))
    atomic_fetch_add(&others, 1);
  size_t n = strlen(name);
  for (char **e = environ; e && *e; e++)
    if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
      return *e + n + 1;
  return NULL;
}

int main(void) {
  enum { N = 50 };
  main_thread = pthread_self();
  setenv("MPIPOOL_HEAD_ALONE", "86400", 1);
  mpipool_t *pool = start_pool(2, NULL, NULL, 0);
  int launched = mpipool_launch_rank() >= 0;
  atomic_store(&others, 0);
  int err = 0;
  ok(map_right(pool, "double", N, 1, &err), "a map of 50 items, run by the "
                                            "head: every result right");
  if (!launched)
    is_int(atomic_load(&others), 0,
           "no thread but the main one read the environment meanwhile");
  finish_pool(pool);
  return tap_done();
}
