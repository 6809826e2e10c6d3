/*
 * peers.c - the link's channels by communicator and rank (peers.h).
 */
#include "config.h"
#include "peers.h"

#include <stdint.h>
#include <string.h>

#include "base/alloc.h"
#include "mpipool.h"

/* The handle's bytes mixed (a pointer in Open MPI, an int in MPICH). */
static size_t hash(MPI_Comm comm) {
  uint64_t k = 0;
  memcpy(&k, &comm, sizeof comm < sizeof k ? sizeof comm : sizeof k);
  k ^= k >> 33;
  k *= UINT64_C(0xff51afd7ed558ccd);
  k ^= k >> 33;
  return (size_t)k;
}

/* comm's place in the table (p->cap > 0): its group's, or the empty one
 * it would take. */
static size_t place(const mpipool__peers_t *p, MPI_Comm comm) {
  size_t mask = p->cap - 1, i = hash(comm) & mask;
  while (p->table[i] && p->table[i]->comm != comm)
    i = (i + 1) & mask;
  return i;
}

mpipool__group_t *mpipool__peers_group(const mpipool__peers_t *p,
                                       MPI_Comm comm) {
  return p->n ? p->table[place(p, comm)] : NULL;
}

void *mpipool__peers_get(const mpipool__peers_t *p, MPI_Comm comm, int rank) {
  mpipool__group_t *g = mpipool__peers_group(p, comm);
  return g && rank >= 0 && rank < g->remote ? g->at[rank] : NULL;
}

/* Doubles the table (or makes it): 0 or ENOMEM. */
static int grow(mpipool__peers_t *p) {
  mpipool__peers_t q = {NULL, p->cap ? 2 * p->cap : 8, 0};
  if ((q.table = mpipool__calloc(q.cap, sizeof *q.table)) == NULL)
    return MPIPOOL_ENOMEM;
  for (size_t i = 0; i < p->cap; i++)
    if (p->table[i]) {
      q.table[place(&q, p->table[i]->comm)] = p->table[i];
      q.n++;
    }
  mpipool__free(p->table);
  *p = q;
  return MPIPOOL_OK;
}

int mpipool__peers_put(mpipool__peers_t *p, MPI_Comm comm, int remote, int rank,
                       void *v) {
  mpipool__group_t *g = mpipool__peers_group(p, comm);
  int ranks = g ? g->remote : remote;
  if (v == NULL || rank < 0 || rank >= ranks || (g && g->at[rank]))
    return MPIPOOL_EINVAL;
  if (g == NULL) { /* at most half full: probes stay short */
    if (2 * (p->n + 1) > p->cap && grow(p) != 0)
      return MPIPOOL_ENOMEM;
    g = mpipool__calloc(1, sizeof *g);
    void **at = mpipool__calloc((size_t)ranks, sizeof *at);
    if (g == NULL || at == NULL) {
      mpipool__free(g);
      mpipool__free(at);
      return MPIPOOL_ENOMEM;
    }
    g->comm = comm;
    g->remote = ranks;
    g->at = at;
    p->table[place(p, comm)] = g;
    p->n++;
  }
  g->at[rank] = v;
  g->count++;
  return MPIPOOL_OK;
}

/* Empties place i, and moves back into the hole each group after it (up
 * to an empty place) whose own place is not between the hole and it: no
 * group is then past an empty place on its way from its own. */
static void remove_at(mpipool__peers_t *p, size_t i) {
  size_t mask = p->cap - 1;
  p->table[i] = NULL;
  p->n--;
  for (size_t j = (i + 1) & mask; p->table[j]; j = (j + 1) & mask) {
    size_t own = hash(p->table[j]->comm) & mask;
    if (((j - own) & mask) >= ((j - i) & mask)) {
      p->table[i] = p->table[j];
      p->table[j] = NULL;
      i = j;
    }
  }
}

void *mpipool__peers_take(mpipool__peers_t *p, MPI_Comm comm, int rank) {
  if (p->n == 0)
    return NULL;
  size_t i = place(p, comm);
  mpipool__group_t *g = p->table[i];
  if (g == NULL || rank < 0 || rank >= g->remote || g->at[rank] == NULL)
    return NULL;
  void *v = g->at[rank];
  g->at[rank] = NULL;
  if (--g->count == 0) {
    remove_at(p, i);
    mpipool__free(g->at);
    mpipool__free(g);
  }
  return v;
}

size_t mpipool__peers_bytes(const mpipool__peers_t *p) {
  size_t n = p->cap * sizeof *p->table;
  for (size_t i = 0; i < p->cap; i++)
    if (p->table[i])
      n += sizeof *p->table[i] + (size_t)p->table[i]->remote * sizeof(void *);
  return n;
}

void mpipool__peers_free(mpipool__peers_t *p) {
  for (size_t i = 0; i < p->cap; i++)
    if (p->table[i]) {
      mpipool__free(p->table[i]->at);
      mpipool__free(p->table[i]);
    }
  mpipool__free(p->table);
  memset(p, 0, sizeof *p);
}
