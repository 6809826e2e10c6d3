/*
 * test_lost_offer.c - a worker that dies holding a TASKS frame offered
 * to be read from the master's memory (link.h's offers) loses nothing:
 * PoolWorker-1 dies (SIGKILL) as it gets its first offer, before it
 * answers (MPIPOOL_FAULT_CMA=die_offered).  The map of 300 KiB items
 * returns every result intact, PoolWorker-1 serves no more (which also
 * shows that it was offered a frame), its replacement serves, the pool
 * goes on, and it ends without waiting for the dead worker's answers.
 * Under mpirun the runner passes --enable-recovery.
 */
#include "lost.h"
#include "offer.h"

int main(void) {
  (void)t_big; /* lost.h's, not used here */
  /* Every process: the workers read it. */
  setenv("MPIPOOL_FAULT_CMA", "die_offered", 1);
  mpipool_t *pool = offer_pool();
  lost_said_t said;
  ok(lost_listen(&said) == 0, "the master's stderr is kept to be read");
  ok(wait_workers(pool, REPLACED_S, NULL) == 2, "both workers serve");
  unsigned char *items = offer_items();
  is_int(offer_map(pool, items), OFFER_N,
         "a map of 20 items of 300 KiB whose PoolWorker-1 dies as it is "
         "offered its first frame: each result intact");
  is_int(lost_serving(pool, 1, 5), 0,
         "PoolWorker-1 died and serves no more (within 5 s)");
  double t0 = test_now();
  ok(wait_all_ready(pool, REPLACED_S),
     "its replacement serves within %d s (%.2f s)", REPLACED_S,
     test_now() - t0);
  is_int(offer_map(pool, items), OFFER_N, "the pool goes on: the map again");
  free(items);
  t0 = test_now();
  finish_pool(pool);
  double took = test_now() - t0;
  ok(took < 5, "the pool ends without waiting for the dead worker (%.2f s)",
     took);
  ok_no_spawn_lost(&said);
  return tap_done();
}
