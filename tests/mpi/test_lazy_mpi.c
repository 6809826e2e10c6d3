/*
 * test_lazy_mpi.c - a singleton with a head start, in a program that has
 * not started MPI, starts without it (mpipool_set_head_start): MPI starts
 * when the first workers are wanted, and never for work that ends in the
 * head.  MPIPOOL_LAZY_MPI=0 starts it in mpipool_start (checked in a
 * process of its own: this one's MPI ends with its last pool).  Under a
 * launcher, MPI is up when mpipool_start returns, as always.  Two such
 * pools alive at once both end at once.
 */
#include "common.h"

#include <mpi.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static int mpi_up(void) {
  int up = 0;
  MPI_Initialized(&up);
  return up;
}

static int mpi_ended(void) {
  int down = 0;
  MPI_Finalized(&down);
  return down;
}

static mpipool_t *new_pool(void) {
  mpipool_t *pool = NULL;
  if (mpipool_create(&pool) == 0 &&
      mpipool_register(pool, "double", t_double, NULL) == 0 &&
      mpipool_register(pool, "sleep", t_sleep_ms, NULL) == 0 &&
      mpipool_set_processes(pool, 2) == 0)
    return pool;
  fprintf(stderr, "test_lazy_mpi: cannot make a pool\n");
  exit(1);
}

/* Starts a pool with stderr in a file; 1 when `says` is in it once. */
static int start_saying(mpipool_t *pool, const char *says, int *err) {
  char path[] = "/tmp/mpipool_lazy_XXXXXX";
  int fd = mkstemp(path);
  fflush(stderr);
  int saved = dup(2);
  if (fd >= 0) {
    dup2(fd, 2);
    close(fd);
  }
  *err = mpipool_start(pool);
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  int said = lines_with(path, says);
  unlink(path);
  return said == 1;
}

/* Work that ends in the head never starts MPI; a wrong MPIPOOL_LAZY_MPI
 * is said, and the default (lazy) kept. */
static void never_needed(void) {
  setenv("MPIPOOL_HEAD_ALONE", "30", 1); /* the head alone, however slow */
  setenv("MPIPOOL_LAZY_MPI", "maybe", 1);
  mpipool_t *pool = new_pool();
  int err = 0;
  ok(start_saying(pool, "MPIPOOL_LAZY_MPI=maybe is not 0 or 1; using 1", &err),
     "a wrong MPIPOOL_LAZY_MPI is said once");
  unsetenv("MPIPOOL_LAZY_MPI");
  is_int(err, 0, "start");
  ok(!mpi_up(), "start returned with MPI not started");
  is_int(mpipool_size(pool), 2, "the size asked for");
  ok(map_right(pool, "double", 10, 0, &err), "a map, run by the head (%s)",
     mpipool_strerror(err));
  is_int(mpipool_close(pool), 0, "close");
  is_int(mpipool_join(pool), 0, "join");
  mpipool_destroy(pool);
  ok(!mpi_up() && !mpi_ended(), "MPI was never started, nor ended");
  /* A pool terminated with a task in its head. */
  pool = new_pool();
  setenv("MPIPOOL_HUGEPAGES", "maybe", 1);
  ok(start_saying(pool, "MPIPOOL_HUGEPAGES=maybe is not 0 or 1; using 1", &err),
     "a wrong MPIPOOL_HUGEPAGES is said once");
  unsetenv("MPIPOOL_HUGEPAGES");
  is_int(err, 0, "a second pool starts");
  int ms = 200;
  mpipool_async_t *h = NULL;
  is_int(
      mpipool_apply_async(pool, "sleep", &ms, sizeof ms, NULL, NULL, NULL, &h),
      0, "apply_async of a 200 ms task");
  mpipool_wait(pool, 0.05);
  double t0 = test_now();
  is_int(mpipool_terminate(pool), 0, "terminate");
  ok(test_now() - t0 < 5, "at once (%.2f s)", test_now() - t0);
  mpipool_async_free(h);
  mpipool_destroy(pool);
  ok(!mpi_up(), "still no MPI");
  unsetenv("MPIPOOL_HEAD_ALONE");
}

/* Two pools alive at once, each with its head: the second's forkers,
 * forked while the first's hands ran, hold copies of their sockets; the
 * first still ends at once (it waited 2 s for each child and forker to
 * see its socket close, then killed them). */
static void two_heads(void) {
  setenv("MPIPOOL_HEAD_ALONE", "30", 1);
  mpipool_t *first = new_pool(), *second = new_pool();
  int err = 0;
  is_int(mpipool_start(first), 0, "two heads: the first pool starts");
  ok(map_right(first, "double", 10, 0, &err), "its head runs a map (%s)",
     mpipool_strerror(err));
  is_int(mpipool_start(second), 0, "the second starts beside it");
  ok(map_right(second, "double", 10, 0, &err), "its head runs a map (%s)",
     mpipool_strerror(err));
  double t0 = test_now();
  mpipool_destroy(first);
  ok(test_now() - t0 < 1.0, "the first ends at once (%.2f s)", test_now() - t0);
  ok(map_right(second, "double", 10, 0, &err), "the second runs on (%s)",
     mpipool_strerror(err));
  t0 = test_now();
  mpipool_destroy(second);
  ok(test_now() - t0 < 1.0, "and ends at once (%.2f s)", test_now() - t0);
  ok(!mpi_up(), "no MPI for either");
  unsetenv("MPIPOOL_HEAD_ALONE");
}

/* The first workers wanted start MPI; the pool then runs on them, and a
 * pool started after that finds MPI up. */
static void started_when_wanted(void) {
  setenv("MPIPOOL_HEAD_ALONE", "30", 1);
  mpipool_t *pool = new_pool();
  is_int(mpipool_start(pool), 0, "start");
  ok(!mpi_up(), "MPI not started");
  int err = 0;
  ok(map_right(pool, "double", 10, 0, &err), "a map in the head (%s)",
     mpipool_strerror(err));
  /* Asking about the workers brings them, and MPI first. */
  mpipool_worker_info_t wi;
  double t0 = test_now();
  for (int p = 0; p < 2; p++) {
    while ((err = mpipool_worker_info(pool, p, &wi)) == MPIPOOL_ENOTREADY &&
           test_now() - t0 < 60)
      mpipool_wait(pool, 0.01);
    is_int(err, 0, "a place served");
  }
  ok(mpi_up(), "MPI started when the workers were wanted");
  ok(map_right(pool, "double", 40, 0, &err), "a map on the workers (%s)",
     mpipool_strerror(err));
  unsetenv("MPIPOOL_HEAD_ALONE");

  /* Another pool, MPI up: it starts as under any program that started
   * MPI, and its end leaves MPI to the first. */
  setenv("MPIPOOL_HEAD_START", "0", 1);
  mpipool_t *other = new_pool();
  is_int(mpipool_start(other), 0, "a pool started with MPI up");
  ok(map_right(other, "double", 10, 0, &err), "runs (%s)",
     mpipool_strerror(err));
  mpipool_destroy(other);
  unsetenv("MPIPOOL_HEAD_START");
  ok(mpi_up() && !mpi_ended(), "MPI goes on: the first pool lives");
  ok(map_right(pool, "double", 10, 0, &err), "the first pool runs on (%s)",
     mpipool_strerror(err));
  is_int(mpipool_close(pool), 0, "close");
  is_int(mpipool_join(pool), 0, "join");
  mpipool_destroy(pool);
  ok(mpi_ended(), "the last pool ended MPI, which it started");
}

/* MPIPOOL_LAZY_MPI=0 (this program run again): MPI is up at return. */
static int eager_child(void) {
  mpipool_t *pool = new_pool();
  int err = mpipool_start(pool), up = mpi_up();
  int right = err == 0 && map_right(pool, "double", 10, 0, &err);
  mpipool_destroy(pool);
  return err == 0 && up && right ? 0 : 1;
}

static void eager(const char *self) {
  pid_t pid = fork();
  if (pid == 0) {
    setenv("MPIPOOL_LAZY_MPI", "0", 1);
    execl(self, self, "eager", (char *)NULL);
    _exit(127);
  }
  int status = -1;
  double t0 = test_now();
  while (pid > 0 && waitpid(pid, &status, WNOHANG) == 0) {
    if (test_now() - t0 > 60) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    usleep(10000);
  }
  ok(pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
     "MPIPOOL_LAZY_MPI=0: MPI up when start returns, and the pool runs "
     "(status %d)",
     status);
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "eager") == 0)
    return eager_child();
  int launched = getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMI_SIZE");
  if (launched) {
    mpipool_t *pool = new_pool();
    is_int(mpipool_start(pool), 0, "start under a launcher");
    ok(mpi_up(), "MPI is up when start returns");
    int err = 0;
    ok(map_right(pool, "double", 10, 0, &err), "the pool runs (%s)",
       mpipool_strerror(err));
    mpipool_destroy(pool);
    return tap_done();
  }
  eager(argv[0]);
  never_needed();
  two_heads();
  started_when_wanted();
  return tap_done();
}
