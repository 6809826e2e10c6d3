/*
 * test_offer_declined.c - large TASKS frames to the workers of the
 * master's node are offered to be read from the master's memory (link.h's
 * offers).  Here every read fails (MPIPOOL_FAULT_CMA=refuse in every
 * process, as where Yama forbids a worker to read its master): each worker
 * declines, and the frame comes as a message.  A map of 300 KiB items and
 * a 16 MiB input arrive intact; the pool ends at once (no frame is left
 * waiting for an answer).
 */
#include "offer.h"

int main(void) {
  /* Every process: the workers read it. */
  setenv("MPIPOOL_FAULT_CMA", "refuse", 1);
  mpipool_t *pool = offer_pool();
  unsigned char *items = offer_items();
  is_int(offer_map(pool, items), OFFER_N,
         "a map of 20 items of 300 KiB, every frame declined: each result "
         "intact");
  is_int(offer_map(pool, items), OFFER_N, "and again");

  ok(offer_big_echo(pool),
     "apply: a 16 MiB input, declined, comes back intact");
  free(items);

  double t0 = test_now();
  finish_pool(pool);
  double took = test_now() - t0;
  ok(took < 5, "the pool ends at once (%.2f s)", took);
  return tap_done();
}
