/*
 * test_spawnfail.c - a system where spawning fails (simulated with
 * MPIPOOL_FAULT_SPAWN=1), with maxtasksperchild 2:
 *   - no worker rank at all (singleton, mpirun -n 1): start fails with
 *     MPIPOOL_ESPAWN instead of hanging;
 *   - one worker rank, two processes wanted (mpirun -n 2): the pool warns
 *     and goes on with the one it has, without recycling; the map
 *     completes;
 *   - one process wanted and worker ranks enough (mpirun -n 4, 8): the
 *     worker's successor cannot start.  The master turns maxtasksperchild
 *     off and the worker serves on: the map completes.  A worker that has
 *     run its tasks leaves only when the master tells it to, once its
 *     successor is ready, so this holds even when the master learns of
 *     the failure after the worker's last task (before, the worker had
 *     then retired, and the map failed with MPIPOOL_ENOWORKERS).
 */
#include "common.h"

#include <mpi.h>

int main(int argc, char **argv) {
  int size = 1, provided;
  setenv("MPIPOOL_FAULT_SPAWN", "1", 1);
  MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  mpipool_t *pool;
  mpipool_create(&pool);
  mpipool_register(pool, "double", t_double, NULL);
  /* No head start: start itself must fail (with one, the work does:
   * test_head_start). */
  mpipool_set_head_start(pool, 0);
  mpipool_set_processes(pool, size == 2 ? 2 : 1);
  mpipool_set_maxtasksperchild(pool, 2);
  int err = mpipool_start(pool);
  if (size == 1) {
    is_int(err, MPIPOOL_ESPAWN, "no worker can start: start says ESPAWN");
    mpipool_destroy(pool);
    MPI_Finalize();
    return tap_done();
  }
  is_int(err, 0, "start with the worker ranks there are");
  int in[10], out[10];
  for (int i = 0; i < 10; i++)
    in[i] = i;
  mpipool_results_t *res = NULL;
  err = mpipool_map(pool, "double", in, 10, sizeof in[0], 1, &res);
  if (size == 2) {
    ok(err == 0 && mpipool_results_copy(res, out, sizeof out[0]) == 0 &&
           out[9] == 18,
       "one worker, no recycling: the map completes");
  } else {
    ok(err == 0 && mpipool_results_copy(res, out, sizeof out[0]) == 0 &&
           out[9] == 18,
       "no successor: the worker serves on, the map completes (%s)",
       mpipool_strerror(err));
  }
  mpipool_results_free(res);
  is_int(mpipool_close(pool), 0, "close");
  is_int(mpipool_join(pool), 0, "join returns");
  mpipool_destroy(pool);
  MPI_Finalize();
  return tap_done();
}
