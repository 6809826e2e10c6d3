/*
 * test_own_mpi.c - a program that initializes MPI itself, before its pool:
 * mpipool then sets none of its hints for Open MPI, the bound on a spawn's
 * wait among them, yet every wait stays bounded.
 *   - singleton (MPI_THREAD_MULTIPLE): the start's spawn never returns
 *     (MPIPOOL_FAULT_SPAWN=hang:1); mpipool gives it up after its default
 *     bound (50 s, with Open MPI's own at 600 s), asks again, and the pool
 *     runs;
 *   - mpirun -n 1 (MPI_THREAD_SERIALIZED): the pool spawns and runs, and
 *     says once that a stuck spawn could not be given up;
 *   - mpirun -n 2 and more (MPI_THREAD_MULTIPLE): the pool runs, and says
 *     nothing.
 */
#include "common.h"

#include <fcntl.h>
#include <mpi.h>
#include <unistd.h>

int main(int argc, char **argv) {
  int size = 1, provided = 0;
  int singleton =
      getenv("OMPI_COMM_WORLD_SIZE") == NULL && getenv("PMI_SIZE") == NULL;
  /* Under mpirun -n 1 the master asks for less than MULTIPLE (the
   * workers it spawns run this too, in a world of their own, and ask for
   * MULTIPLE). */
  int serialized = !singleton && getenv("OMPI_COMM_WORLD_SIZE") &&
                   strcmp(getenv("OMPI_COMM_WORLD_SIZE"), "1") == 0 &&
                   getenv("MPIPOOL_SPAWNED") == NULL;
  if (singleton && getenv("MPIPOOL_SPAWNED") == NULL)
    setenv("MPIPOOL_FAULT_SPAWN", "hang:1", 1);
  /* No head start: the start's own spawn is what this tests. */
  setenv("MPIPOOL_HEAD_START", "0", 1);
  MPI_Init_thread(&argc, &argv,
                  serialized ? MPI_THREAD_SERIALIZED : MPI_THREAD_MULTIPLE,
                  &provided);
  MPI_Comm_size(MPI_COMM_WORLD, &size);

  char path[64];
  snprintf(path, sizeof path, "/tmp/test_own_mpi.%d.err", (int)getpid());
  fflush(stderr);
  int saved = dup(2), fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd >= 0) {
    dup2(fd, 2);
    close(fd);
  }
  double t0 = test_now();
  mpipool_t *pool = start_pool(size > 1 ? size - 1 : 2, NULL, NULL, 0);
  double took = test_now() - t0;
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  printf("# world %d, thread level %d, start took %.1f s\n", size, provided,
         took);

  int in[100], out[100], good = 1;
  for (int i = 0; i < 100; i++)
    in[i] = i;
  mpipool_results_t *res = NULL;
  int err = mpipool_map(pool, "double", in, 100, sizeof in[0], 0, &res);
  if (err == 0)
    err = mpipool_results_copy(res, out, sizeof out[0]);
  for (int i = 0; err == 0 && i < 100; i++)
    good &= out[i] == 2 * i;
  ok(err == 0 && good, "the map is whole (%s)", mpipool_strerror(err));
  mpipool_results_free(res);

  int given_up = lines_with(path, "given up after 50 s (MPI never returned "
                                  "from it)");
  int single = lines_with(path, "MPI runs without MPI_THREAD_MULTIPLE");
  if (singleton) {
    ok(given_up == 1 && took >= 45 && took < 100,
       "the start's stuck spawn: given up after mpipool's default bound, "
       "50 s, and asked again (start took %.1f s; said %d time(s))",
       took, given_up);
  } else {
    is_int(given_up, 0, "no spawn given up");
  }
  if (serialized)
    is_int(single, 1,
           "below MPI_THREAD_MULTIPLE: the unbounded spawn is "
           "said once");
  else
    is_int(single, 0, "at MPI_THREAD_MULTIPLE: nothing said of it");
  unlink(path);
  is_int(mpipool_close(pool), 0, "close");
  is_int(mpipool_join(pool), 0, "join");
  mpipool_destroy(pool);
  MPI_Finalize();
  return tap_done();
}
