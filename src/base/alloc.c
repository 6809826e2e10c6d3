/*
 * alloc.c - the allocation seam and the growth rule (see alloc.h).  The
 * counters are atomic: the spawn queue's thread allocates too.  Each
 * allocation lets the heap's new part, and a big block, be advised huge
 * (hugepages.h).
 */
#include "config.h"
#include "alloc.h"

#include "hugepages.h"
#include "mpipool.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

static atomic_ulong made;    /* allocations attempted */
static atomic_ulong fail_at; /* the attempt that fails; 0: none */
static atomic_long live;

/* Counts an attempt; 1 if this one is to fail. */
static int attempt(void) {
  unsigned long k = atomic_fetch_add(&made, 1) + 1;
  unsigned long f = atomic_load(&fail_at);
  return f != 0 && k == f && atomic_compare_exchange_strong(&fail_at, &f, 0);
}

void *mpipool__malloc(size_t n) {
  void *p = attempt() ? NULL : malloc(n ? n : 1);
  mpipool__hugepages_advise(p, n);
  if (p)
    atomic_fetch_add(&live, 1);
  return p;
}

void *mpipool__calloc(size_t n, size_t size) {
  void *p = attempt() ? NULL : calloc(n ? n : 1, size ? size : 1);
  mpipool__hugepages_advise(p, n * size); /* p NULL if n * size overflows */
  if (p)
    atomic_fetch_add(&live, 1);
  return p;
}

void *mpipool__realloc(void *p, size_t n) {
  void *q = attempt() ? NULL : realloc(p, n ? n : 1);
  mpipool__hugepages_advise(q, n);
  if (q && p == NULL)
    atomic_fetch_add(&live, 1);
  return q;
}

void mpipool__free(void *p) {
  if (p) {
    atomic_fetch_sub(&live, 1);
    free(p);
    mpipool__hugepages_freed();
  }
}

void *mpipool__malloc_given(size_t n) {
  void *p = attempt() ? NULL : malloc(n ? n : 1);
  mpipool__hugepages_advise(p, n);
  return p;
}

int mpipool__grow(void **arr, size_t *cap, size_t need, size_t size) {
  if (need <= *cap && *arr != NULL)
    return MPIPOOL_OK;
  size_t n = *cap ? *cap : 8;
  while (n < need) {
    if (n > SIZE_MAX / 2)
      return MPIPOOL_ENOMEM;
    n *= 2;
  }
  if (size && n > SIZE_MAX / size)
    return MPIPOOL_ENOMEM;
  void *p = mpipool__realloc(*arr, n * size);
  if (p == NULL)
    return MPIPOOL_ENOMEM;
  *arr = p;
  *cap = n;
  return MPIPOOL_OK;
}

void mpipool__alloc_fail_at(unsigned long n) {
  atomic_store(&fail_at, n ? atomic_load(&made) + n : 0);
}

unsigned long mpipool__alloc_count(void) { return atomic_load(&made); }

long mpipool__alloc_live(void) { return atomic_load(&live); }
