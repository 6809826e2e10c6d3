/*
 * test_arrive.c - spawned workers arrive after mpipool_start (SIZING in
 * mpipool.h): the start spawns one worker, the others come in blocks
 * (1, 2, 4, ...) while the pool serves.  A pool of 6 places; under
 * mpirun -n N its N - 1 ranks serve first (with 8 processes none is
 * spawned):
 *   - right after the start, the places of the later blocks are not
 *     served yet (ENOTREADY: nothing is taken in before a progress call);
 *   - tasks submitted at once (apply_async), the program then computing
 *     without calling the pool, each run meanwhile by a worker of its own;
 *   - a map submitted at once completes, every result right;
 *   - every place gets a worker of its own (distinct ids and pids) within
 *     60 s, and node_info counts the spawned ones;
 *   - join stops them all.
 * With FAIL, MPIPOOL_FAULT_SPAWN=fail:2 makes the first later block fail
 * (the master's second spawn): its places say ESPAWN, the others are
 * served, the map completes, node_info counts the block out.
 */
#include "common.h"

#include <mpi.h>

#define PLACES 6

/* The blocks mpipool_start leaves for later when it spawns n: the first
 * of them, the one FAIL makes fail (see mpipool__master_expect). */
static int first_block(int spawn) {
  int rest = spawn - 1;
  if (rest <= 0)
    return 0;
  return rest - 1 < 2 ? rest : 1;
}

int main(int argc, char **argv) {
  int size = 1, provided;
#ifdef FAIL
  setenv("MPIPOOL_FAULT_SPAWN", "fail:2", 1);
#endif
  MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  mpipool_t *pool;
  mpipool_create(&pool);
  mpipool_register(pool, "double", t_double, NULL);
  mpipool_register(pool, "sleep_ms", t_sleep_ms, NULL);
  mpipool_set_processes(pool, PLACES);
  mpipool_set_binding(pool, 0);
  is_int(mpipool_start(pool), 0, "start");
  int ranks = size - 1 < PLACES ? size - 1 : PLACES;
  int spawn = PLACES - ranks;
#ifdef FAIL
  int gone = first_block(spawn);
#else
  int gone = 0 * first_block(spawn);
#endif
  ok(mpipool_size(pool) == PLACES, "the pool has its %d places at once (%d)",
     PLACES, mpipool_size(pool));
  /* The ranks and the first spawned worker are the start's; then come
   * the blocks' places, not served before the master takes them in. */
  int later = spawn > 1 ? spawn - 1 : 0, waiting = 0;
  for (int i = PLACES - later; i < PLACES; i++) {
    mpipool_worker_info_t info;
    waiting += mpipool_worker_info(pool, i, &info) == MPIPOOL_ENOTREADY;
  }
  ok(waiting == later,
     "right after the start, %d place(s) wait for workers spawned later (%d)",
     later, waiting);

  /* Tasks submitted at once, then the program computes without calling
   * the pool: each submission that finds no worker with room while
   * workers are on their way waits for them, so every task runs
   * meanwhile on a worker of its own, none queued behind the first. */
  int ms = 1000, tasks = PLACES - gone;
  mpipool_async_t *h[PLACES];
  for (int i = 0; i < tasks; i++)
    mpipool_apply_async(pool, "sleep_ms", &ms, sizeof ms, NULL, NULL, NULL,
                        &h[i]);
  struct timespec ts = {1, 500000000L};
  nanosleep(&ts, NULL);
  double t0 = test_now();
  int good = 0;
  for (int i = 0; i < tasks; i++) {
    good += mpipool_async_get(h[i], 30, NULL, NULL) == 0;
    mpipool_async_free(h[i]);
  }
  double waited = test_now() - t0;
  ok(good == tasks && waited < 0.8,
     "%d tasks of 1 s submitted at once ran while the program slept 1.5 s "
     "(then waited %.2f s)",
     tasks, waited);

  enum { N = 200 };
  int in[N], out[N];
  for (int i = 0; i < N; i++)
    in[i] = i;
  mpipool_results_t *res = NULL;
  int err = mpipool_map(pool, "double", in, N, sizeof in[0], 1, &res);
  int right = err == 0 && mpipool_results_copy(res, out, sizeof out[0]) == 0;
  for (int i = 0; right && i < N; i++)
    right = out[i] == 2 * i;
  ok(right, "a map submitted at once: every result right (err %s)",
     mpipool_strerror(err));
  mpipool_results_free(res);

  /* Every place gets its worker (or, with FAIL, says it never will). */
  mpipool_worker_info_t w[PLACES];
  int served = 0, espawn = 0;
  double end = test_now() + 60;
  while (test_now() < end) {
    served = espawn = 0;
    for (int i = 0; i < PLACES; i++) {
      int e = mpipool_worker_info(pool, i, &w[i]);
      served += e == 0;
      espawn += e == MPIPOOL_ESPAWN;
    }
    if (served + espawn == PLACES)
      break;
    mpipool_wait(pool, 0.05);
  }
  ok(served == PLACES - gone, "%d place(s) served (%d)", PLACES - gone, served);
  ok(espawn == gone, "%d place(s) whose worker could not start: ESPAWN (%d)",
     gone, espawn);
  int distinct = 1;
  for (int i = 0; i < PLACES; i++)
    for (int j = 0; j < i; j++)
      if (w[i].id && w[j].id && (w[i].id == w[j].id || w[i].pid == w[j].pid))
        distinct = 0;
  ok(distinct, "each served place has a worker of its own");
  mpipool_node_info_t nd = {0};
  err = mpipool_node_info(pool, 0, &nd);
  ok(err == 0 && nd.ranks == ranks && nd.spawned == spawn - gone,
     "node_info: %d rank(s) + %d spawned (says %d + %d)", ranks, spawn - gone,
     nd.ranks, nd.spawned);

  /* The pool goes on with what it has. */
  err = mpipool_map(pool, "double", in, N, sizeof in[0], 7, &res);
  right = err == 0 && mpipool_results_copy(res, out, sizeof out[0]) == 0 &&
          out[N - 1] == 2 * (N - 1);
  ok(right, "a second map on every worker there (err %s)",
     mpipool_strerror(err));
  mpipool_results_free(res);
  is_int(mpipool_close(pool), 0, "close");
  is_int(mpipool_join(pool), 0, "join");
  mpipool_destroy(pool);
  MPI_Finalize();
  return tap_done();
}
