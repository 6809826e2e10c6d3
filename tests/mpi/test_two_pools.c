/*
 * test_two_pools.c - pools in sequence, as Python allows: a pool is
 * started, used, joined and destroyed, which finalizes MPI (mpipool
 * initialized it); a second pool in the same process cannot start MPI
 * again: its start returns MPIPOOL_EMPI, and the program goes on and
 * ends cleanly (before, Open MPI aborted the whole job there).  (A
 * singleton's first pool would run this map in its head and never start
 * MPI, test_lazy_mpi: MPI is started in mpipool_start here.)
 */
#include "common.h"

int main(void) {
  mpipool_t *pool;
  int in[20], out[20];
  setenv("MPIPOOL_LAZY_MPI", "0", 1);
  mpipool_create(&pool);
  mpipool_register(pool, "double", t_double, NULL);
  mpipool_set_processes(pool, 2);
  if (mpipool_start(pool) != 0) {
    ok(0, "start");
    return tap_done();
  }
  for (int i = 0; i < 20; i++)
    in[i] = i;
  mpipool_results_t *res = NULL;
  int good = mpipool_map(pool, "double", in, 20, sizeof in[0], 2, &res) == 0 &&
             mpipool_results_copy(res, out, sizeof out[0]) == 0;
  for (int i = 0; good && i < 20; i++)
    good = out[i] == 2 * i;
  ok(good, "the first pool: map right");
  mpipool_results_free(res);
  finish_pool(pool);

  mpipool_create(&pool);
  mpipool_register(pool, "double", t_double, NULL);
  is_int(mpipool_start(pool), MPIPOOL_EMPI,
         "a second pool after the first was destroyed: start says EMPI");
  is_int(mpipool_is_master(pool), 0, "and it is no master");
  mpipool_destroy(pool);
  ok(1, "the program goes on after it");
  return tap_done();
}
