/*
 * test_peers.c - the link's channels by communicator and rank
 * (transport/peers.h): entries found by handle and rank, none where none
 * was put, a group going with its last entry, every entry still found
 * while thousands of groups come and go (a hash table without tombstones
 * must move groups back as others leave), bad ranks refused, nothing
 * left allocated.  No MPI call: the handles are made up.
 */
#include "config.h"

#include "base/alloc.h"
#include "mpipool.h"
#include "transport/peers.h"
#include "../tap.h"

#include <stdint.h>
#include <string.h>

/* A made-up handle, never given to MPI: only compared. */
static MPI_Comm handle(unsigned i) {
  MPI_Comm c;
  uint64_t v = (uint64_t)(i + 1) * 64;
  memset(&c, 0, sizeof c);
  memcpy(&c, &v, sizeof c < sizeof v ? sizeof c : sizeof v);
  return c;
}

/* What test_many stores for rank r of handle i. */
static void *entry(unsigned i, int r) {
  return (void *)(uintptr_t)(((uintptr_t)i << 8) | (uintptr_t)(r + 1));
}

static void test_basic(void) {
  mpipool__peers_t p = {0};
  int a = 1, b = 2, c = 3;
  ok(mpipool__peers_group(&p, handle(0)) == NULL &&
         mpipool__peers_get(&p, handle(0), 0) == NULL &&
         mpipool__peers_take(&p, handle(0), 0) == NULL,
     "empty: no group, no entry, nothing taken");
  is_int(mpipool__peers_put(&p, handle(0), 4, 2, &a), 0, "rank 2 of 4 is put");
  is_int(mpipool__peers_put(&p, handle(0), 4, 0, &b), 0, "rank 0 too");
  ok(mpipool__peers_get(&p, handle(0), 2) == &a &&
         mpipool__peers_get(&p, handle(0), 0) == &b &&
         mpipool__peers_get(&p, handle(0), 1) == NULL &&
         mpipool__peers_get(&p, handle(1), 2) == NULL,
     "each is found by its handle and rank, nothing else");
  mpipool__group_t *g = mpipool__peers_group(&p, handle(0));
  ok(g && g->remote == 4 && g->count == 2, "its group: 4 ranks, 2 entries");
  is_int(mpipool__peers_put(&p, handle(0), 4, 2, &c), MPIPOOL_EINVAL,
         "a rank that has one: EINVAL");
  is_int(mpipool__peers_put(&p, handle(0), 4, 4, &c), MPIPOOL_EINVAL,
         "a rank past the group's: EINVAL");
  is_int(mpipool__peers_put(&p, handle(0), 9, 5, &c), MPIPOOL_EINVAL,
         "the group's size is the one it was made with");
  is_int(mpipool__peers_put(&p, handle(1), 2, -1, &c), MPIPOOL_EINVAL,
         "a negative rank: EINVAL");
  ok(mpipool__peers_group(&p, handle(1)) == NULL, "which made no group");
  ok(mpipool__peers_take(&p, handle(0), 2) == &a &&
         mpipool__peers_take(&p, handle(0), 2) == NULL,
     "an entry is taken once");
  ok(mpipool__peers_group(&p, handle(0)) != NULL, "its group stays");
  ok(mpipool__peers_take(&p, handle(0), 0) == &b &&
         mpipool__peers_group(&p, handle(0)) == NULL,
     "and goes with its last entry");
  mpipool__peers_free(&p);
}

/* 3,000 groups put, two of every three taken out, the rest found; put
 * back and taken again in another order. */
static void test_many(void) {
  enum { N = 3000 };
  mpipool__peers_t p = {0};
  long before = mpipool__alloc_live();
  int put = 1;
  for (unsigned i = 0; i < N; i++)
    for (int r = 0; r < (int)(i % 3) + 1; r++)
      put &= mpipool__peers_put(&p, handle(i), 3, r, entry(i, r)) == 0;
  ok(put && p.n == N, "3,000 groups of 1 to 3 entries put");
  size_t full = mpipool__peers_bytes(&p);
  int taken = 1;
  for (unsigned i = 0; i < N; i++)
    if (i % 3 != 0)
      for (int r = 0; r < (int)(i % 3) + 1; r++)
        taken &= mpipool__peers_take(&p, handle(i), r) == entry(i, r);
  ok(taken && p.n == N / 3, "two in three taken out, each once");
  int found = 1;
  for (unsigned i = 0; i < N; i++)
    found &= mpipool__peers_get(&p, handle(i), 0) ==
             (i % 3 == 0 ? entry(i, 0) : NULL);
  ok(found, "the others are all found, the taken none");
  for (unsigned i = N; i-- > 0;)
    if (i % 3 != 0)
      put &= mpipool__peers_put(&p, handle(i), 3, 0, entry(i, 0)) == 0;
  for (unsigned i = 0; i < N; i++)
    found &= mpipool__peers_get(&p, handle(i), 0) == entry(i, 0);
  ok(put && found, "put back (backwards): every group found");
  ok(mpipool__peers_bytes(&p) <= full, "in no more memory than before");
  for (unsigned i = 0; i < N; i += 2)
    taken &= mpipool__peers_take(&p, handle(i), 0) == entry(i, 0);
  for (unsigned i = 1; i < N; i += 2)
    taken &= mpipool__peers_take(&p, handle(i), 0) == entry(i, 0);
  ok(taken && p.n == 0, "all taken again, evens first: no group left");
  mpipool__peers_free(&p);
  is_int(mpipool__alloc_live(), before, "nothing left allocated");
}

/* Out of memory: the put fails and changes nothing. */
static void test_enomem(void) {
  mpipool__peers_t p = {0};
  int a = 1;
  int oom = 1;
  for (unsigned long n = 1; n <= 3; n++) { /* the table, group, ranks */
    mpipool__peers_free(&p);
    mpipool__alloc_fail_at(n);
    oom &= mpipool__peers_put(&p, handle(7), 2, 1, &a) == MPIPOOL_ENOMEM &&
           mpipool__peers_get(&p, handle(7), 1) == NULL;
  }
  mpipool__alloc_fail_at(0);
  ok(oom, "each allocation failing in turn: ENOMEM, no entry");
  ok(mpipool__peers_put(&p, handle(7), 2, 1, &a) == 0 &&
         mpipool__peers_get(&p, handle(7), 1) == &a,
     "then it is put");
  mpipool__peers_free(&p);
}

int main(void) {
  test_basic();
  test_many();
  test_enomem();
  return tap_done();
}
