/*
 * test_late_spawn.c - a successor whose spawn ends after the pool's
 * terminate and join, before its destroy: destroy takes its worker in and
 * tells it to stop, and it ends well.  It was left waiting for a
 * configuration that never came, until the master was gone; then it ended
 * with an error, which under mpirun failed the job (seen about 1 run in
 * 200 of test_recycle_m1 under mpirun -n 5), and a singleton's end waited
 * out its bound for it.
 *
 * Every spawn here begins a second late (MPIPOOL_FAULT_SPAWN=slow:1-), so
 * the successor the first task asks for is still being spawned when
 * terminate returns; the program then waits for that spawn to end before
 * destroy.  As a singleton it also checks that no process of this program
 * outlives destroy.  Built with HEAD (test_late_first): the same with a
 * head start's first workers, asked for (mpipool_worker_info) after the
 * head ran the task (only where a pool gets a head start: a singleton,
 * mpirun -n 1).
 */
#include "common.h"

#include <dirent.h>
#include <limits.h>
#include <unistd.h>

/* The processes other than this one that run this program. */
static int others_alive(void) {
  char self[PATH_MAX], path[64], exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0)
    return -1;
  self[n] = '\0';
  DIR *d = opendir("/proc");
  if (d == NULL)
    return -1;
  int count = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    long pid = strtol(e->d_name, NULL, 10);
    if (pid <= 0 || pid == (long)getpid())
      continue;
    snprintf(path, sizeof path, "/proc/%ld/exe", pid);
    ssize_t k = readlink(path, exe, sizeof exe - 1);
    if (k > 0) {
      exe[k] = '\0';
      count += strcmp(exe, self) == 0;
    }
  }
  closedir(d);
  return count;
}

int main(void) {
  setenv("MPIPOOL_FAULT_SPAWN", "slow:1-", 1);
  int singleton =
      getenv("OMPI_COMM_WORLD_SIZE") == NULL && getenv("PMI_SIZE") == NULL;
  mpipool_t *pool;
  mpipool_create(&pool);
  mpipool_register(pool, "double", t_double, NULL);
#ifdef HEAD
  mpipool_set_head_start(pool, 1);
#else
  mpipool_set_head_start(pool, 0);
  mpipool_set_maxtasksperchild(pool, 1);
#endif
  mpipool_set_processes(pool, 1);
  if (mpipool_start(pool) != 0) {
    printf("not ok 1 - start\n1..1\n");
    return 1;
  }
  int x = 21;
  void *out = NULL;
  size_t size = 0;
  int err = mpipool_apply(pool, "double", &x, sizeof x, &out, &size);
  ok(err == 0 && size == sizeof(int) && *(int *)out == 42, "the first task: %s",
     mpipool_err_name(err));
  free(out);
#ifdef HEAD
  mpipool_worker_info_t wi;
  mpipool_worker_info(pool, 0, &wi); /* asks for the first workers */
#endif
  is_int(mpipool_terminate(pool), 0, "terminate during the spawn");
  is_int(mpipool_join(pool), 0, "join");
  /* The spawn (a second late, then MPI's) ends meanwhile. */
  sleep(3);
  double t0 = test_now();
  mpipool_destroy(pool);
  double took = test_now() - t0;
  printf("# destroy took %.2f s\n", took);
  if (singleton)
    is_int(others_alive(), 0, "no worker of this program outlives destroy");
  return tap_done();
}
