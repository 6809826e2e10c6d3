/*
 * resumable_map.c - a long parameter map that survives what ends long
 * runs: a task that crashes on some inputs fails only that input
 * (isolation), a failed input runs once more (retries), and a run killed
 * by a time limit or a signal resumes where it stopped (a journal).
 *
 *   resumable_map [JOURNAL [ITEMS]]      (default: resumable_map.journal 200)
 *
 * Run it again with the same journal after a kill (in a Slurm job: submit
 * slurm/library.sbatch again, or requeue it): the items the journal holds
 * are not run again, and the output is that of one uninterrupted run.
 * Remove the journal to start afresh.
 *
 *   sbatch slurm/library.sbatch _build/examples/resumable_map
 * $PWD/sweep.journal
 */
#include <mpipool.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* One "simulation": 20 ms of work; the model has a bug that crashes it on
 * inputs divisible by 50 (a stand-in for native code meeting bad input). */
static int simulate(mpipool_ctx_t *ctx, const void *in, size_t size) {
  int x;
  if (size != sizeof x)
    return mpipool_ctx_fail(ctx, "expected an int");
  memcpy(&x, in, sizeof x);
  struct timespec ts = {0, 20000000L};
  nanosleep(&ts, NULL);
  if (x > 0 && x % 50 == 0)
    raise(SIGSEGV);
  double y = 0.5 * x * x;
  return mpipool_ctx_set_output(ctx, &y, sizeof y);
}

int main(int argc, char **argv) {
  const char *journal = argc > 1 ? argv[1] : "resumable_map.journal";
  int n = argc > 2 ? atoi(argv[2]) : 200;
  mpipool_t *pool;
  mpipool_create(&pool);
  mpipool_register(pool, "simulate", simulate, NULL);
  mpipool_set_isolation(pool, 1); /* a crash fails its item only */
  mpipool_set_task_timeout(pool, 60);
  mpipool_set_retries(pool, 1); /* a failed item runs once more */
  mpipool_set_journal(pool, journal);
  if (mpipool_start(pool) != 0) /* workers serve inside, then exit */
    return 1;

  int *in = malloc((size_t)n * sizeof *in);
  for (int i = 0; i < n; i++)
    in[i] = i;
  mpipool_results_t *res = NULL;
  int err = mpipool_map(pool, "simulate", in, (size_t)n, sizeof *in, 1, &res);
  if (err != 0 && err != MPIPOOL_ETASK) {
    fprintf(stderr, "resumable_map: %s\n", mpipool_strerror(err));
    return 1;
  }
  double sum = 0;
  for (int i = 0; i < n; i++) {
    const void *d;
    size_t s;
    if (mpipool_results_item(res, (size_t)i, &d, &s) == 0) {
      double y;
      memcpy(&y, d, sizeof y);
      sum += y;
    } else {
      printf("input %d failed after %d runs: %s\n", i,
             mpipool_results_attempts(res, (size_t)i), (const char *)d);
    }
  }
  printf("sum of the %zu results: %.1f\n",
         (size_t)n - mpipool_results_failed(res), sum);
  mpipool_results_free(res);
  free(in);
  mpipool_close(pool);
  mpipool_join(pool);
  mpipool_destroy(pool);
  return 0;
}
