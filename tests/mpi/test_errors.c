/*
 * test_errors.c - every bad input the API defines a result for: NULL
 * pointers, unknown task names, a task missing on the workers, options and
 * registration after start, calls in the wrong state, zero-length inputs.
 * The program initializes MPI itself, as a user may.
 */
#include "common.h"

#include <mpi.h>

static int t_master_only(mpipool_ctx_t *ctx, const void *in, size_t size) {
  (void)in;
  (void)size;
  return mpipool_ctx_set_output(ctx, "m", 1);
}

int main(int argc, char **argv) {
  int rank, provided;
  MPI_Comm parent;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_get_parent(&parent);
  int is_master = rank == 0 && parent == MPI_COMM_NULL;

  mpipool_t *pool;
  mpipool_create(&pool);
  mpipool_register(pool, "double", t_double, NULL);
  mpipool_register(pool, "echo", t_echo, NULL);
  /* No head start: a child of the master's would know master_only. */
  mpipool_set_head_start(pool, 0);
  /* A task only the master knows: workers must report it, not crash. */
  if (is_master)
    mpipool_register(pool, "master_only", t_master_only, NULL);
  mpipool_set_processes(pool, 2);
  if (mpipool_start(pool) != 0) {
    printf("not ok 1 - start\n1..1\n");
    return 1;
  }
  is_int(mpipool_is_master(pool), 1, "only the master returns from start");

  int x = 5, err;
  mpipool_results_t *res = NULL;
  mpipool_async_t *h = NULL;
  void *out = NULL;

  /* NULL pointers. */
  is_int(mpipool_map(NULL, "double", &x, 1, sizeof x, 0, &res), MPIPOOL_EINVAL,
         "map(NULL pool): EINVAL");
  is_int(mpipool_map(pool, NULL, &x, 1, sizeof x, 0, &res), MPIPOOL_EINVAL,
         "map(NULL name): EINVAL");
  is_int(mpipool_map(pool, "double", NULL, 3, sizeof x, 0, &res),
         MPIPOOL_EINVAL, "map(NULL items, count 3): EINVAL");
  is_int(mpipool_map(pool, "double", &x, 1, sizeof x, 0, NULL), MPIPOOL_EINVAL,
         "map(NULL results): EINVAL");
  is_int(mpipool_map_v(pool, "echo", NULL, NULL, 2, 0, &res), MPIPOOL_EINVAL,
         "map_v(NULL arrays): EINVAL");
  is_int(mpipool_imap_unordered(pool, "double", &x, 1, sizeof x, 0, NULL, NULL),
         MPIPOOL_EINVAL, "imap_unordered(NULL callback): EINVAL");
  is_int(
      mpipool_apply_async(pool, "double", &x, sizeof x, NULL, NULL, NULL, NULL),
      MPIPOOL_EINVAL, "apply_async(NULL handle): EINVAL");
  is_int(mpipool_apply_async(pool, "double", NULL, 4, NULL, NULL, NULL, &h),
         MPIPOOL_EINVAL, "apply_async(NULL input, size 4): EINVAL");
  is_int(mpipool_apply(pool, "double", &x, sizeof x, NULL, NULL),
         MPIPOOL_EINVAL, "apply(NULL out): EINVAL");
  is_int(mpipool_async_get(NULL, 0, NULL, NULL), MPIPOOL_EINVAL,
         "async_get(NULL): EINVAL");
  is_int(mpipool_async_ready(NULL), MPIPOOL_EINVAL, "async_ready(NULL)");
  is_int(mpipool_async_successful(NULL), MPIPOOL_EINVAL,
         "async_successful(NULL)");
  ok(strcmp(mpipool_async_error(NULL), "") == 0, "async_error(NULL) is \"\"");
  mpipool_async_free(NULL);
  mpipool_results_free(NULL);
  ok(1, "async_free(NULL) and results_free(NULL) are no-ops");

  /* Unknown names fail on the master, before any dispatch. */
  is_int(mpipool_map(pool, "nope", &x, 1, sizeof x, 0, &res), MPIPOOL_ENOTASK,
         "map of an unknown task: ENOTASK");
  is_int(mpipool_apply_async(pool, "nope", &x, sizeof x, NULL, NULL, NULL, &h),
         MPIPOOL_ENOTASK, "apply_async of an unknown task: ENOTASK");

  /* Registered on the master only: each item fails with a clear message. */
  err = mpipool_apply(pool, "master_only", NULL, 0, &out, NULL);
  ok(err == MPIPOOL_ENOTASK && out &&
         strstr(out, "'master_only' is not registered on PoolWorker-"),
     "a task missing on the worker fails that task: %s",
     out ? (char *)out : "(none)");
  free(out);
  out = NULL;

  /* Zero-length input. */
  size_t size = 99;
  err = mpipool_apply(pool, "echo", NULL, 0, &out, &size);
  ok(err == 0 && out == NULL && size == 0, "apply of 0 bytes: empty result");

  /* Map of zero items dispatches nothing and returns an empty set. */
  err = mpipool_map(pool, "double", NULL, 0, sizeof x, 0, &res);
  ok(err == 0 && mpipool_results_count(res) == 0, "map of 0 items: empty");
  mpipool_results_free(res);

  /* Wrong state. */
  is_int(mpipool_register(pool, "late", t_echo, NULL), MPIPOOL_EBUSY,
         "register after start: EBUSY");
  is_int(mpipool_set_processes(pool, 4), MPIPOOL_EBUSY,
         "set_processes after start: EBUSY");
  is_int(mpipool_start(pool), MPIPOOL_EBUSY, "start twice: EBUSY");
  is_int(mpipool_join(pool), MPIPOOL_EBUSY, "join before close: EBUSY");
  is_int(mpipool_close(pool), 0, "close");
  is_int(mpipool_close(pool), 0, "close twice");
  is_int(mpipool_map(pool, "double", &x, 1, sizeof x, 0, &res), MPIPOOL_ECLOSED,
         "map after close: ECLOSED");
  is_int(
      mpipool_apply_async(pool, "double", &x, sizeof x, NULL, NULL, NULL, &h),
      MPIPOOL_ECLOSED, "apply_async after close: ECLOSED");
  is_int(mpipool_join(pool), 0, "join");
  is_int(mpipool_join(pool), 0, "join twice");
  is_int(mpipool_progress(pool), 0, "progress after join is harmless");
  mpipool_destroy(pool);
  MPI_Finalize();
  return tap_done();
}
