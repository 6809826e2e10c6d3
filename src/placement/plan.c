/*
 * plan.c - places the pool's workers on the job's nodes.
 */
#include "config.h"
#include "plan.h"

#include "mpipool.h"
#include "base/alloc.h"
#include "base/text.h"

#include <hwloc.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

int mpipool__plan_find(const mpipool__plan_t *p, const char *host) {
  for (size_t i = 0; i < p->nnodes; i++)
    if (strcmp(p->nodes[i].info.host, host) == 0)
      return (int)i;
  return MPIPOOL__NODE_UNKNOWN;
}

/* Groups the ranks by host, the master's node first; each node gets a
 * copy of its first rank's probe.  0 or ENOMEM. */
static int group(mpipool__plan_t *p, const mpipool__node_t *per_rank) {
  for (int r = 0; r < p->nranks; r++) {
    int i = mpipool__plan_find(p, per_rank[r].host);
    if (i < 0) {
      mpipool__node_t *info = &p->nodes[p->nnodes].info;
      info->status = per_rank[r].status;
      info->cores = per_rank[r].cores;
      info->room = per_rank[r].room;
      info->ngpus = per_rank[r].ngpus;
      info->gpus = per_rank[r].gpus ? mpipool__strdup(per_rank[r].gpus) : NULL;
      info->host = mpipool__strdup(per_rank[r].host ? per_rank[r].host : "");
      info->cpuset =
          per_rank[r].cpuset ? mpipool__strdup(per_rank[r].cpuset) : NULL;
      i = (int)p->nnodes++;
      if (info->host == NULL || (per_rank[r].cpuset && info->cpuset == NULL) ||
          (per_rank[r].gpus && info->gpus == NULL))
        return MPIPOOL_ENOMEM;
    }
    p->node_of[r] = i;
  }
  return MPIPOOL_OK;
}

/* Adds the PU list `pus` to the node's avoid list, merged into ranges
 * ("1-63").  0, -1 if it does not parse, or ENOMEM. */
static int avoid_add(mpipool__plan_node_t *n, const char *pus) {
  hwloc_bitmap_t set = hwloc_bitmap_alloc(), add = hwloc_bitmap_alloc();
  int rc = MPIPOOL_ENOMEM;
  char *list = NULL;
  if (set && add) {
    rc = -1;
    if ((n->avoid == NULL || hwloc_bitmap_list_sscanf(set, n->avoid) == 0) &&
        hwloc_bitmap_list_sscanf(add, pus) == 0) {
      hwloc_bitmap_or(set, set, add);
      char *s = NULL; /* hwloc's malloc: copied, freed with free() */
      rc = hwloc_bitmap_list_asprintf(&s, set) < 0 ||
                   (list = mpipool__strdup(s)) == NULL
               ? MPIPOOL_ENOMEM
               : 0;
      free(s);
    }
  }
  if (rc == 0) {
    mpipool__free(n->avoid);
    n->avoid = list;
  }
  hwloc_bitmap_free(add);
  hwloc_bitmap_free(set);
  return rc;
}

/* 1 if the node's limits let it start no more worker. */
static int no_room_on(const mpipool__plan_node_t *n) {
  return n->info.room >= 0 && n->spawn >= n->info.room;
}

/* 1 if the node has no cores or GPUs left for one more worker. */
static int unfit_on(const mpipool__plan_node_t *n) {
  return n->ranks + n->spawn >= n->fit;
}

static int full(const mpipool__plan_node_t *n) {
  return no_room_on(n) || unfit_on(n);
}

/* The most workers of cores_per cores and gpus_per GPUs node n takes. */
static int fit_on(const mpipool__plan_node_t *n, int cores_per, int gpus_per) {
  int fit = INT_MAX;
  if (cores_per > 0)
    fit = n->info.status == 0 ? n->info.cores / cores_per : 0;
  if (gpus_per > 0) {
    int g = n->info.ngpus > 0 ? n->info.ngpus / gpus_per : 0;
    fit = g < fit ? g : fit;
  }
  return fit;
}

/* The node with the most free cores (the first one on a tie) among those
 * not full; nnodes when all are. */
static size_t roomiest(const mpipool__plan_t *p) {
  size_t best = p->nnodes;
  int most = 0;
  for (size_t i = 0; i < p->nnodes; i++) {
    const mpipool__plan_node_t *n = &p->nodes[i];
    int room = n->fit < n->info.cores ? n->fit : n->info.cores;
    int free_cores = room - n->ranks - n->spawn;
    if (!full(n) && (best == p->nnodes || free_cores > most)) {
      best = i;
      most = free_cores;
    }
  }
  return best;
}

int mpipool__plan_make(mpipool__plan_t *p, const mpipool__node_t *per_rank,
                       int nranks, int processes, int bind) {
  return mpipool__plan_make_sized(p, per_rank, nranks, processes, bind, 0, 0);
}

int mpipool__plan_make_sized(mpipool__plan_t *p,
                             const mpipool__node_t *per_rank, int nranks,
                             int processes, int bind, int cores_per,
                             int gpus_per) {
  memset(p, 0, sizeof *p);
  if (nranks < 1 || processes < 0)
    return MPIPOOL_EINVAL;
  p->nranks = nranks;
  p->nodes = mpipool__calloc((size_t)nranks, sizeof *p->nodes);
  p->node_of = mpipool__calloc((size_t)nranks, sizeof *p->node_of);
  p->launcher_bound =
      mpipool__calloc((size_t)nranks, sizeof *p->launcher_bound);
  if (p->nodes == NULL || p->node_of == NULL || p->launcher_bound == NULL) {
    mpipool__plan_free(p);
    return MPIPOOL_ENOMEM;
  }
  int err = group(p, per_rank);
  if (err) {
    mpipool__plan_free(p);
    return err;
  }
  for (size_t i = 0; i < p->nnodes; i++)
    p->nodes[i].fit = fit_on(&p->nodes[i], cores_per, gpus_per);
  int have = nranks - 1;
  p->serve = processes > 0 && processes < have ? processes : have;
  for (int r = 1; r <= p->serve; r++) {
    mpipool__plan_node_t *n = &p->nodes[p->node_of[r]];
    if (unfit_on(n)) { /* this rank and those after it leave */
      p->ranks_unfit = p->serve - r + 1;
      p->serve = r - 1;
      break;
    }
    n->ranks++;
    /* Cores per worker replace a launcher's binding. */
    if (cores_per == 0 && per_rank[r].bound && per_rank[r].bound[0]) {
      p->launcher_bound[r] = 1;
      err = avoid_add(n, per_rank[r].bound);
      if (err == MPIPOOL_ENOMEM) {
        mpipool__plan_free(p);
        return err;
      }
      if (err)
        n->avoid_bad = 1;
    } else {
      n->shares++;
    }
  }
  if (processes > 0) {
    for (int k = p->serve; k < processes; k++) {
      size_t i = roomiest(p);
      if (i == p->nnodes) {
        int unfit = 1;
        for (size_t j = 0; j < p->nnodes; j++)
          unfit &= unfit_on(&p->nodes[j]);
        *(unfit ? &p->unfit : &p->no_room) = processes - k;
        break;
      }
      p->nodes[i].spawn++;
    }
  } else {
    for (size_t i = 0; i < p->nnodes; i++) {
      mpipool__plan_node_t *n = &p->nodes[i];
      int cores = n->info.status == 0 ? n->info.cores : 0;
      if (n->fit < cores)
        cores = n->fit;
      if (cores > n->ranks)
        n->spawn = cores - n->ranks;
      if (n->info.room >= 0 && n->spawn > n->info.room) {
        p->no_room += n->spawn - n->info.room;
        n->spawn = n->info.room;
      }
    }
  }
  p->workers = p->serve;
  for (size_t i = 0; i < p->nnodes; i++) {
    mpipool__plan_node_t *n = &p->nodes[i];
    p->workers += n->spawn;
    n->shares += n->spawn;
    /* Not when a launcher's binding could not be read: a worker could
     * then land on a PU a launcher-bound rank uses.  On the master's node
     * (node 0, rank 0's) the master counts too, unless cores per worker
     * were asked for: a worker bound to the core the master runs on can
     * go nowhere else while the master works, and the master, which
     * works hard for short tasks, shares that core with it (rounds of
     * 20,000 apply_async, 2 workers on 2 cores, singleton: 2.7-3.0 M/s
     * bound, 4.5-4.7 M/s not). */
    int unit = cores_per > 0 ? cores_per : 1;
    int master = i == 0 && cores_per <= 0;
    n->bind =
        bind &&
        (long)(n->ranks + n->spawn + master) * unit <= (long)n->info.cores &&
        n->shares > 0 && !n->avoid_bad;
  }
  return MPIPOOL_OK;
}

int mpipool__plan_next_share(mpipool__plan_t *p, size_t i) {
  if (i >= p->nnodes || !p->nodes[i].bind)
    return MPIPOOL__SHARE_NONE;
  mpipool__plan_node_t *n = &p->nodes[i];
  int share = n->next_share;
  n->next_share = (n->next_share + 1) % n->shares;
  return share;
}

void mpipool__plan_free(mpipool__plan_t *p) {
  if (p == NULL)
    return;
  for (size_t i = 0; p->nodes && i < p->nnodes; i++) {
    mpipool__node_free(&p->nodes[i].info);
    mpipool__free(p->nodes[i].avoid);
  }
  mpipool__free(p->nodes);
  mpipool__free(p->node_of);
  mpipool__free(p->launcher_bound);
  memset(p, 0, sizeof *p);
}
