/*
 * test_two_pools.c - pools in sequence, as Python allows: a pool is
 * started, used, joined and destroyed, then a second one is started in
 * the same process and works.  Under mpirun the launcher's ranks served
 * the first pool and left with it: the second spawns its workers.  The
 * first pool's destroy must not finalize MPI (the second start would
 * abort the whole program).
 */
#include "common.h"

/* Runs a map of 20 items on a fresh pool of 2 workers; 1 if the results
 * are right.  The pool is destroyed after. */
static int one_pool(int k) {
  mpipool_t *pool;
  int good = 0, in[20], out[20];
  mpipool_create(&pool);
  mpipool_register(pool, "double", t_double, NULL);
  mpipool_set_processes(pool, 2);
  int err = mpipool_start(pool);
  if (err) {
    printf("# pool %d: start: %s\n", k, mpipool_strerror(err));
    mpipool_destroy(pool);
    return 0;
  }
  for (int i = 0; i < 20; i++)
    in[i] = i + k;
  mpipool_results_t *res = NULL;
  err = mpipool_map(pool, "double", in, 20, sizeof in[0], 2, &res);
  if (err == 0 && mpipool_results_copy(res, out, sizeof out[0]) == 0) {
    good = 1;
    for (int i = 0; i < 20; i++)
      good &= out[i] == 2 * (i + k);
  } else {
    printf("# pool %d: map: %s\n", k, mpipool_strerror(err));
  }
  mpipool_results_free(res);
  mpipool_close(pool);
  err = mpipool_join(pool);
  mpipool_destroy(pool);
  return good && err == 0;
}

int main(void) {
  ok(one_pool(1), "the first pool: map right, joined");
  ok(one_pool(2), "a second pool in the same process: starts, map right");
  ok(one_pool(3), "and a third");
  return tap_done();
}
