/*
 * roster.c - the master's live workers and their endpoints (see
 * roster.h): records reused through a free list, endpoints forgotten with
 * their last worker.
 */
#include "config.h"
#include "roster.h"

#include "mpipool.h"
#include "base/alloc.h"

#include <stdlib.h>
#include <string.h>

int mpipool__roster_add_endpoint(mpipool__roster_t *r, MPI_Comm comm,
                                 int first_rank, uint32_t nranks, int spawned,
                                 uint32_t *ep) {
  size_t e = 0;
  while (e < r->nendpoints && r->endpoints[e].comm != MPI_COMM_NULL)
    e++;
  if (e == r->nendpoints &&
      mpipool__grow((void **)&r->endpoints, &r->endpoints_cap,
                    r->nendpoints + 1, sizeof *r->endpoints) != 0)
    return MPIPOOL_ENOMEM;
  uint32_t *map = mpipool__malloc((nranks ? nranks : 1) * sizeof *map);
  if (map == NULL)
    return MPIPOOL_ENOMEM;
  for (uint32_t k = 0; k < nranks; k++)
    map[k] = MPIPOOL__NONE;
  if (e == r->nendpoints)
    r->nendpoints++;
  mpipool__endpoint_t *p = &r->endpoints[e];
  p->comm = comm;
  p->first_rank = first_rank;
  p->nranks = nranks;
  p->live = 0;
  p->spawned = spawned;
  p->worker = map;
  p->pids = NULL;
  *ep = (uint32_t)e;
  return MPIPOOL_OK;
}

int mpipool__roster_set_pids(mpipool__roster_t *r, uint32_t ep,
                             const uint32_t *pids) {
  mpipool__endpoint_t *p = &r->endpoints[ep];
  mpipool__roster_drop_pids(r, ep);
  p->pids = mpipool__malloc((p->nranks ? p->nranks : 1) * sizeof *p->pids);
  if (p->pids == NULL)
    return MPIPOOL_ENOMEM;
  memcpy(p->pids, pids, p->nranks * sizeof *p->pids);
  r->pid_watches++;
  return MPIPOOL_OK;
}

void mpipool__roster_drop_pids(mpipool__roster_t *r, uint32_t ep) {
  mpipool__endpoint_t *p = &r->endpoints[ep];
  if (p->pids == NULL)
    return;
  mpipool__free(p->pids);
  p->pids = NULL;
  r->pid_watches--;
}

/* The slot of rank in ep's map, or NULL if it has none. */
static uint32_t *slot_of(const mpipool__roster_t *r, uint32_t ep, int rank) {
  if (ep >= r->nendpoints || r->endpoints[ep].comm == MPI_COMM_NULL)
    return NULL;
  const mpipool__endpoint_t *p = &r->endpoints[ep];
  long k = (long)rank - p->first_rank;
  if (k < 0 || (uint64_t)k >= p->nranks)
    return NULL;
  return &p->worker[k];
}

mpipool__worker_t *mpipool__roster_add(mpipool__roster_t *r, uint32_t ep,
                                       int rank) {
  uint32_t *slot = slot_of(r, ep, rank);
  if (slot == NULL || *slot != MPIPOOL__NONE)
    return NULL;
  uint32_t i = r->free_head;
  if (r->live == r->nworkers) { /* no free record: a new one */
    if (r->nworkers >= MPIPOOL__NONE ||
        mpipool__grow((void **)&r->workers, &r->cap, r->nworkers + 1,
                      sizeof *r->workers) != 0)
      return NULL;
    i = (uint32_t)r->nworkers++;
  } else {
    r->free_head = r->workers[i].next;
  }
  mpipool__worker_t *w = &r->workers[i];
  memset(w, 0, sizeof *w);
  w->index = i;
  w->endpoint = ep;
  w->rank = rank;
  w->place = w->left = MPIPOOL__NONE;
  w->frame_head = w->frame_tail = MPIPOOL__NONE;
  w->prev = w->next = MPIPOOL__NONE;
  w->wprev = w->wnext = MPIPOOL__NONE;
  *slot = i;
  r->endpoints[ep].live++;
  r->live++;
  return w;
}

mpipool__worker_t *mpipool__roster_find(const mpipool__roster_t *r, uint32_t ep,
                                        int rank) {
  uint32_t *slot = slot_of(r, ep, rank);
  return slot && *slot != MPIPOOL__NONE ? &r->workers[*slot] : NULL;
}

int mpipool__roster_is_live(const mpipool__roster_t *r, size_t i) {
  return i < r->nworkers && r->workers[i].endpoint != MPIPOOL__NONE;
}

void mpipool__roster_watch(mpipool__roster_t *r, mpipool__worker_t *w,
                           int list) {
  if (w->watch != MPIPOOL__WATCH_NONE) { /* out of the one it is in */
    mpipool__watchlist_t *l = &r->watch[w->watch];
    if (w->wprev == MPIPOOL__NONE)
      l->head = w->wnext;
    else
      r->workers[w->wprev].wnext = w->wnext;
    if (w->wnext == MPIPOOL__NONE)
      l->tail = w->wprev;
    else
      r->workers[w->wnext].wprev = w->wprev;
    l->n--;
  }
  w->watch = list;
  w->wprev = w->wnext = MPIPOOL__NONE;
  if (list == MPIPOOL__WATCH_NONE)
    return;
  mpipool__watchlist_t *l = &r->watch[list];
  if (l->n++ == 0) {
    l->head = w->index;
  } else {
    w->wprev = l->tail;
    r->workers[l->tail].wnext = w->index;
  }
  l->tail = w->index;
}

mpipool__worker_t *mpipool__roster_watch_first(const mpipool__roster_t *r,
                                               int list) {
  return r->watch[list].n ? &r->workers[r->watch[list].head] : NULL;
}

mpipool__worker_t *mpipool__roster_watch_next(const mpipool__roster_t *r,
                                              const mpipool__worker_t *w) {
  return w->wnext == MPIPOOL__NONE ? NULL : &r->workers[w->wnext];
}

void mpipool__roster_remove(mpipool__roster_t *r, mpipool__worker_t *w,
                            MPI_Comm *comm) {
  mpipool__endpoint_t *p = &r->endpoints[w->endpoint];
  mpipool__roster_watch(r, w, MPIPOOL__WATCH_NONE);
  *comm = MPI_COMM_NULL;
  *slot_of(r, w->endpoint, w->rank) = MPIPOOL__NONE;
  if (--p->live == 0 && p->spawned) {
    *comm = p->comm;
    p->comm = MPI_COMM_NULL;
    mpipool__free(p->worker);
    p->worker = NULL;
    mpipool__roster_drop_pids(r, w->endpoint);
  }
  w->endpoint = MPIPOOL__NONE;
  w->next = r->free_head;
  r->free_head = w->index;
  r->live--;
}

void mpipool__roster_free(mpipool__roster_t *r) {
  for (size_t e = 0; e < r->nendpoints; e++) {
    mpipool__free(r->endpoints[e].worker);
    mpipool__free(r->endpoints[e].pids);
  }
  mpipool__free(r->endpoints);
  mpipool__free(r->workers);
  memset(r, 0, sizeof *r);
}
