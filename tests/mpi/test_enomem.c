/*
 * test_enomem.c - a live pool whose master runs out of memory at each of
 * the allocations a map and an apply_async make, in turn (the seam of
 * alloc.h): the call returns 0, or ENOMEM, or results whose items each
 * are right or failed with ENOMEM; nothing crashes or hangs; nothing the
 * pool allocated is left once the results are freed; and with memory back
 * the pool serves a map in full.
 */
#include "common.h"

#include "base/alloc.h"

#define N 24

/* Lets sends complete and their buffers go, until live blocks are back
 * to `live` (or ten seconds pass): a send is freed once MPI says it is
 * done, which may take a few rounds of progress, and longer when the
 * worker that takes it in waits for a core (CI's sanitizer stage, 2
 * cores, many processes: 2 s was once too little). */
static long settle(mpipool_t *pool, long live) {
  double end = test_now() + 10;
  do
    mpipool_wait(pool, 0.002);
  while (mpipool__alloc_live() != live && test_now() < end);
  return mpipool__alloc_live();
}

/* One map of N items (chunksize 1) and one apply_async; 0 if everything
 * that came back is right or ENOMEM. */
static int cycle(mpipool_t *pool, int *map_rc, int *async_rc) {
  int in[N], bad = 0;
  for (int i = 0; i < N; i++)
    in[i] = i;
  mpipool_results_t *res = NULL;
  *map_rc = mpipool_map(pool, "double", in, N, sizeof in[0], 1, &res);
  if (*map_rc == 0 || *map_rc == MPIPOOL_ETASK) {
    for (int i = 0; i < N; i++) {
      const void *d;
      size_t s;
      int st = mpipool_results_item(res, (size_t)i, &d, &s);
      if (st == 0 && (s != sizeof(int) || *(const int *)d != 2 * i))
        bad++;
      else if (st != 0 && st != MPIPOOL_ENOMEM)
        bad++;
    }
    if (*map_rc == MPIPOOL_ETASK && mpipool_results_failed(res) == 0)
      bad++;
  } else if (*map_rc != MPIPOOL_ENOMEM) {
    bad++;
  }
  mpipool_results_free(res);
  mpipool_async_t *h = NULL;
  int x = 21;
  *async_rc =
      mpipool_apply_async(pool, "double", &x, sizeof x, NULL, NULL, NULL, &h);
  if (*async_rc == 0) {
    const void *d;
    size_t s;
    *async_rc = mpipool_async_get(h, 60, &d, &s);
    if (*async_rc == 0 && (s != sizeof(int) || *(const int *)d != 42))
      bad++;
    else if (*async_rc != 0 && *async_rc != MPIPOOL_ENOMEM)
      bad++;
    mpipool_async_free(h);
  } else if (*async_rc != MPIPOOL_ENOMEM) {
    bad++;
  }
  return bad;
}

int main(void) {
  mpipool_t *pool;
  mpipool_create(&pool);
  mpipool_register(pool, "double", t_double, NULL);
  mpipool_set_processes(pool, 2);
  if (mpipool_start(pool) != 0) {
    ok(0, "start");
    return tap_done();
  }
  int mrc, arc;
  /* A head start returns before the workers are there: the engine's
   * tables grow when they come, which would look like a leak. */
  is_int(wait_workers(pool, 60, NULL), 2, "the 2 workers are there");
  /* A clean cycle first: the engine's tables reach their size, and it
   * counts the allocations to fail. */
  is_int(cycle(pool, &mrc, &arc), 0, "a clean map and apply_async");
  ok(mrc == 0 && arc == 0, "both succeed");
  long live = settle(pool, -1);
  unsigned long before = mpipool__alloc_count();
  cycle(pool, &mrc, &arc);
  settle(pool, live);
  unsigned long per_cycle = mpipool__alloc_count() - before;
  ok(per_cycle > 2 * N, "a cycle makes %lu allocations", per_cycle);
  int wrong = 0, leaks = 0, failed = 0;
  for (unsigned long k = 1; k <= per_cycle + 10; k++) {
    live = mpipool__alloc_live();
    mpipool__alloc_fail_at(k);
    wrong += cycle(pool, &mrc, &arc);
    mpipool__alloc_fail_at(0);
    failed += mrc != 0 || arc != 0;
    if (settle(pool, live) != live) {
      printf("# allocation %lu failing: %ld blocks left over\n", k,
             mpipool__alloc_live() - live);
      leaks++;
    }
  }
  is_int(wrong, 0,
         "each allocation failing in turn: every result right or "
         "ENOMEM, every call 0 or ENOMEM");
  ok(failed > 0, "the failures showed (%d cycles saw ENOMEM)", failed);
  is_int(leaks, 0, "nothing left over after any of them");
  is_int(cycle(pool, &mrc, &arc), 0,
         "with memory back, a map and an "
         "apply_async");
  ok(mrc == 0 && arc == 0, "succeed in full");
  mpipool_close(pool);
  is_int(mpipool_join(pool), 0, "join");
  mpipool_destroy(pool);
  return tap_done();
}
