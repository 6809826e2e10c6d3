/*
 * offer.h - what the tests of TASKS frames read from the master's memory
 * share (test_offer_declined, test_lost_offer, test_shm; link.h's
 * offers): items of 300 KiB, each frame of them large enough to be
 * offered, echoed back after a short sleep, and a check of a map of them;
 * a 16 MiB input echoed.
 */
#ifndef MPIPOOL_TEST_OFFER_H
#define MPIPOOL_TEST_OFFER_H

#include "common.h"

#include <stdlib.h>

enum { OFFER_ITEM = 300 * 1024, OFFER_N = 20 };

/* Sleeps 10 ms, then returns its input. */
static inline int t_slow_echo(mpipool_ctx_t *ctx, const void *in, size_t size) {
  struct timespec ts = {0, 10000000L};
  nanosleep(&ts, NULL);
  return mpipool_ctx_set_output(ctx, in, size);
}

/* OFFER_N items of OFFER_ITEM bytes, each its own pattern (malloc'd). */
static inline unsigned char *offer_items(void) {
  unsigned char *items = malloc((size_t)OFFER_N * OFFER_ITEM);
  for (size_t i = 0; items && i < (size_t)OFFER_N * OFFER_ITEM; i++)
    items[i] = (unsigned char)(i * 7 + i / OFFER_ITEM);
  return items;
}

/* Maps slow_echo over the items in chunks of 1: how many came back
 * intact (-1: the map failed). */
static inline int offer_map(mpipool_t *pool, const unsigned char *items) {
  mpipool_results_t *res = NULL;
  if (items == NULL || mpipool_map(pool, "slow_echo", items, OFFER_N,
                                   OFFER_ITEM, 1, &res) != 0) {
    mpipool_results_free(res);
    return -1;
  }
  int good = 0;
  for (size_t i = 0; i < OFFER_N; i++) {
    const void *d;
    size_t s;
    good += mpipool_results_item(res, i, &d, &s) == 0 && s == OFFER_ITEM &&
            memcmp(d, items + i * OFFER_ITEM, OFFER_ITEM) == 0;
  }
  mpipool_results_free(res);
  return good;
}

/* Echoes a 16 MiB input through the pool: 1 when it comes back
 * intact. */
static inline int offer_big_echo(mpipool_t *pool) {
  size_t big = 16 << 20;
  unsigned char *in = malloc(big);
  for (size_t i = 0; in && i < big; i++)
    in[i] = (unsigned char)(i * 13);
  void *out = NULL;
  size_t s = 0;
  int err = in ? mpipool_apply(pool, "echo", in, big, &out, &s) : -1;
  int intact = err == 0 && s == big && memcmp(in, out, big) == 0;
  free(out);
  free(in);
  return intact;
}

/* A pool of 2 workers with slow_echo, echo and double, no head start (the
 * workers are what is tested), started; exits the test if it does not start. */
static inline mpipool_t *offer_pool(void) {
  mpipool_t *pool;
  int err = mpipool_create(&pool);
  if (err == 0)
    err = mpipool_register(pool, "slow_echo", t_slow_echo, NULL);
  if (err == 0)
    err = mpipool_register(pool, "echo", t_echo, NULL);
  if (err == 0)
    err = mpipool_register(pool, "double", t_double, NULL);
  if (err == 0)
    err = mpipool_set_processes(pool, 2);
  if (err == 0)
    err = mpipool_set_head_start(pool, 0);
  if (err == 0)
    err = mpipool_start(pool);
  if (err) {
    printf("not ok 1 - pool start: %s\n1..1\n", mpipool_strerror(err));
    exit(1);
  }
  return pool;
}

#endif
