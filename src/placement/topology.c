/*
 * topology.c - what a node offers, read with hwloc 2: its usable cores,
 * and each worker's share of them.
 */
#include "config.h"
#include "topology.h"

#include "mpipool.h"
#include "base/alloc.h"
#include "base/text.h"

#include <hwloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Loads this machine's topology, or says why it could not. */
static int load(hwloc_topology_t *topo, char *why, size_t whylen) {
  const char *fault = getenv("MPIPOOL_FAULT_HWLOC");
  if (fault && strcmp(fault, "1") == 0) {
    mpipool__fmt(why, whylen,
                 "hwloc could not read the topology "
                 "(simulated: MPIPOOL_FAULT_HWLOC=1)");
    return MPIPOOL_EHWLOC;
  }
  if (hwloc_topology_init(topo) != 0) {
    mpipool__fmt(why, whylen, "hwloc_topology_init failed");
    return MPIPOOL_EHWLOC;
  }
  if (hwloc_topology_load(*topo) != 0 ||
      hwloc_get_nbobjs_by_type(*topo, HWLOC_OBJ_PU) <= 0) {
    mpipool__fmt(
        why, whylen,
        "hwloc could not read this machine's topology "
        "(check HWLOC_XMLFILE / HWLOC_COMPONENTS, and /sys and /proc)");
    hwloc_topology_destroy(*topo);
    return MPIPOOL_EHWLOC;
  }
  return MPIPOOL_OK;
}

/* The unit of counting and binding: a core, or a PU with hwthreads (a
 * machine that shows no cores, as some virtual ones, counts PUs). */
static hwloc_obj_type_t unit(hwloc_topology_t topo, int hwthreads) {
  if (hwthreads || hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE) <= 0)
    return HWLOC_OBJ_PU;
  return HWLOC_OBJ_CORE;
}

/* The PUs this process may use: allowed, and (unless launched) bound. */
static hwloc_bitmap_t usable_set(hwloc_topology_t topo, int launched) {
  hwloc_bitmap_t set =
      hwloc_bitmap_dup(hwloc_topology_get_allowed_cpuset(topo));
  hwloc_bitmap_t bind = hwloc_bitmap_alloc();
  if (set && bind && !launched &&
      hwloc_get_cpubind(topo, bind, HWLOC_CPUBIND_PROCESS) == 0 &&
      hwloc_bitmap_intersects(bind, set))
    hwloc_bitmap_and(set, set, bind);
  hwloc_bitmap_free(bind);
  return set;
}

/* How many units have a PU in set. */
static int count_in(hwloc_topology_t topo, hwloc_obj_type_t type,
                    hwloc_const_bitmap_t set) {
  int n = 0;
  hwloc_obj_t o = NULL;
  while ((o = hwloc_get_next_obj_by_type(topo, type, o)) != NULL)
    n += hwloc_bitmap_intersects(o->cpuset, set);
  return n;
}

/* The PU list of set ("" for an empty set), allocated through the seam;
 * NULL if out of memory. */
static char *list_of(hwloc_const_bitmap_t set) {
  char *s = NULL; /* hwloc's malloc: copied, then freed with free() */
  if (hwloc_bitmap_list_asprintf(&s, set) < 0)
    return NULL;
  char *copy = mpipool__strdup(s);
  free(s);
  return copy;
}

void mpipool__node_probe(mpipool__node_t *n, int hwthreads, int launched,
                         int cap, char *why, size_t whylen) {
  hwloc_topology_t topo;
  n->cores = 0;
  n->cpuset = n->bound = NULL;
  n->status = load(&topo, why, whylen);
  if (n->status)
    return;
  hwloc_bitmap_t set = usable_set(topo, launched);
  hwloc_bitmap_t mine = hwloc_bitmap_alloc();
  if (set == NULL || mine == NULL || (n->cpuset = list_of(set)) == NULL) {
    mpipool__fmt(why, whylen, "out of memory reading the topology");
    n->status = MPIPOOL_ENOMEM;
  } else {
    n->cores = count_in(topo, unit(topo, hwthreads), set);
    if (cap > 0 && cap < n->cores)
      n->cores = cap;
    if (launched && hwloc_get_cpubind(topo, mine, HWLOC_CPUBIND_PROCESS) == 0 &&
        hwloc_bitmap_isincluded(mine, set) &&
        !hwloc_bitmap_isequal(mine, set) &&
        (n->bound = list_of(mine)) == NULL) {
      mpipool__fmt(why, whylen, "out of memory reading the topology");
      n->status = MPIPOOL_ENOMEM;
    }
  }
  hwloc_bitmap_free(mine);
  hwloc_bitmap_free(set);
  hwloc_topology_destroy(topo);
  if (n->status) {
    mpipool__free(n->cpuset);
    mpipool__free(n->bound);
    n->cpuset = n->bound = NULL;
    n->cores = 0;
  }
}

void mpipool__node_free(mpipool__node_t *n) {
  if (n == NULL)
    return;
  mpipool__free(n->host);
  mpipool__free(n->cpuset);
  mpipool__free(n->bound);
  mpipool__free(n->gpus);
  n->host = n->cpuset = n->bound = n->gpus = NULL;
}

/* "not bound by mpipool: the launcher bound it to PU <mine>". */
static char *bound_by_launcher(hwloc_const_bitmap_t mine) {
  char *list = list_of(mine);
  char *desc = list ? mpipool__afmt("not bound by mpipool: the launcher "
                                    "bound it to PU %s",
                                    list)
                    : NULL;
  mpipool__free(list);
  return desc;
}

/* Binds to share `index` of `count` over the usable set of topo: 1 when
 * bound, 0 when left unbound on purpose, or an error (see bind_self). */
/* Share index of count shares of `units` units each, over the units of
 * set in logical order, into share (emptied first).  0, or -1 when set
 * has fewer than count * units units. */
static int contiguous_share(hwloc_topology_t topo, hwloc_obj_type_t type,
                            hwloc_const_bitmap_t set, int index, int count,
                            int units, hwloc_bitmap_t share) {
  hwloc_obj_t o = NULL;
  int k = 0;
  if ((long)count * units > count_in(topo, type, set))
    return -1;
  hwloc_bitmap_zero(share);
  while ((o = hwloc_get_next_obj_by_type(topo, type, o)) != NULL) {
    if (!hwloc_bitmap_intersects(o->cpuset, set))
      continue;
    if (k >= index * units && k < (index + 1) * units)
      hwloc_bitmap_or(share, share, o->cpuset);
    k++;
  }
  hwloc_bitmap_and(share, share, set);
  return 0;
}

static int bind_share(hwloc_topology_t topo, int index, int count, int units,
                      int hwthreads, const char *node_set, const char *avoid,
                      int inherited, char **desc) {
  hwloc_bitmap_t allowed = usable_set(topo, 1), mine = hwloc_bitmap_alloc();
  hwloc_bitmap_t given = hwloc_bitmap_alloc();
  hwloc_bitmap_t *shares = mpipool__calloc((size_t)count, sizeof *shares);
  char *list = NULL;
  int rc = MPIPOOL_ENOMEM;
  *desc = NULL;
  if (allowed == NULL || mine == NULL || given == NULL || shares == NULL)
    goto out;
  rc = 0;
  /* The node's share for the pool, as the master planned it. */
  if (node_set && *node_set && hwloc_bitmap_list_sscanf(given, node_set) == 0)
    hwloc_bitmap_and(allowed, allowed, given);
  /* Cores per worker asked for override the launcher's binding (Open
   * MPI binds spawned processes and small jobs' ranks to one core), as
   * does a binding inherited from the parent. */
  if (units < 1 && !inherited &&
      hwloc_get_cpubind(topo, mine, HWLOC_CPUBIND_PROCESS) == 0 &&
      hwloc_bitmap_isincluded(mine, allowed) &&
      !hwloc_bitmap_isequal(mine, allowed)) {
    *desc = bound_by_launcher(mine);
    goto out;
  }
  if (avoid && *avoid && hwloc_bitmap_list_sscanf(given, avoid) == 0)
    hwloc_bitmap_andnot(allowed, allowed, given);
  hwloc_obj_type_t type = unit(topo, hwthreads);
  if ((long)count * (units > 1 ? units : 1) > count_in(topo, type, allowed)) {
    const char *what = type == HWLOC_OBJ_CORE ? "cores" : "PUs";
    if (units > 1)
      *desc = mpipool__afmt("not bound: %d workers of %d %s on %d %s", count,
                            units, what, count_in(topo, type, allowed), what);
    else
      *desc = mpipool__afmt("not bound: %d workers on %d %s", count,
                            count_in(topo, type, allowed), what);
    goto out;
  }
  if (units >= 1) { /* neighbouring cores, units of them */
    rc = MPIPOOL_ENOMEM;
    if ((shares[index] = hwloc_bitmap_alloc()) == NULL)
      goto out;
    contiguous_share(topo, type, allowed, index, count, units, shares[index]);
    if ((list = list_of(shares[index])) == NULL)
      goto out;
    rc = MPIPOOL_EHWLOC;
    if (hwloc_set_cpubind(topo, shares[index], HWLOC_CPUBIND_PROCESS) != 0) {
      *desc = mpipool__afmt("hwloc_set_cpubind to PU %s failed", list);
      goto out;
    }
    hwloc_obj_t first =
        hwloc_get_obj_inside_cpuset_by_type(topo, shares[index], type, 0);
    unsigned f = first ? first->logical_index : 0;
    const char *what = type == HWLOC_OBJ_CORE ? "core" : "PU";
    if (units == 1)
      *desc = mpipool__afmt("%s %u (PU %s)", what, f, list);
    else
      *desc = mpipool__afmt("%ss %u-%u (PU %s)", what, f,
                            f + (unsigned)units - 1, list);
    rc = 1;
    goto out;
  }
  /* hwloc_distrib spreads the shares over the tree (packages, NUMA
   * nodes, caches) down to the unit's depth, within what is left for
   * this node's mpipool-bound workers. */
  rc = MPIPOOL_EHWLOC;
  if (hwloc_topology_restrict(topo, allowed,
                              HWLOC_RESTRICT_FLAG_REMOVE_CPULESS) != 0) {
    *desc = mpipool__afmt("hwloc_topology_restrict failed");
    goto out;
  }
  hwloc_obj_t root = hwloc_get_root_obj(topo);
  int depth = hwloc_get_type_depth(topo, type);
  if (hwloc_distrib(topo, &root, 1, shares, (unsigned)count, depth, 0) ||
      shares[index] == NULL) {
    *desc = mpipool__afmt("hwloc_distrib failed");
    goto out;
  }
  hwloc_bitmap_and(shares[index], shares[index], allowed);
  if ((list = list_of(shares[index])) == NULL) {
    rc = MPIPOOL_ENOMEM;
    goto out;
  }
  if (hwloc_set_cpubind(topo, shares[index], HWLOC_CPUBIND_PROCESS) != 0) {
    *desc = mpipool__afmt("hwloc_set_cpubind to PU %s failed", list);
    goto out;
  }
  hwloc_obj_t o =
      hwloc_get_obj_inside_cpuset_by_type(topo, shares[index], type, 0);
  *desc = mpipool__afmt("%s %u (PU %s)", type == HWLOC_OBJ_CORE ? "core" : "PU",
                        o ? o->logical_index : 0, list);
  rc = 1;
out:
  if (*desc == NULL && rc != MPIPOOL_ENOMEM)
    rc = MPIPOOL_ENOMEM; /* the description itself could not be made */
  mpipool__free(list);
  for (int i = 0; shares && i < count; i++)
    hwloc_bitmap_free(shares[i]);
  mpipool__free(shares);
  hwloc_bitmap_free(given);
  hwloc_bitmap_free(mine);
  hwloc_bitmap_free(allowed);
  return rc;
}

char *mpipool__describe_binding(void) {
  hwloc_topology_t topo;
  char why[256];
  char *desc = NULL;
  if (load(&topo, why, sizeof why) == 0) {
    hwloc_bitmap_t mine = hwloc_bitmap_alloc();
    if (mine && hwloc_get_cpubind(topo, mine, HWLOC_CPUBIND_PROCESS) == 0 &&
        !hwloc_bitmap_isincluded(hwloc_topology_get_allowed_cpuset(topo), mine))
      desc = bound_by_launcher(mine);
    hwloc_bitmap_free(mine);
    hwloc_topology_destroy(topo);
  }
  return desc ? desc : mpipool__strdup("not bound");
}

int mpipool__bind_self(int index, int count, int hwthreads,
                       const char *node_set, const char *avoid, int *bound,
                       char **desc) {
  return mpipool__bind_self_units(index, count, 0, hwthreads, node_set, avoid,
                                  bound, desc);
}

void *mpipool__hwloc_hold(void) {
  hwloc_topology_t topo;
  return hwloc_topology_init(&topo) == 0 ? (void *)topo : NULL;
}

void mpipool__hwloc_release(void *held) {
  if (held)
    hwloc_topology_destroy((hwloc_topology_t)held);
}

static int bind_self(int index, int count, int units, int hwthreads,
                     const char *node_set, const char *avoid, int inherited,
                     int *bound, char **desc) {
  hwloc_topology_t topo;
  char why[256];
  *bound = 0;
  *desc = NULL;
  if (index < 0 || count <= 0 || index >= count) {
    *desc = mpipool__strdup("not bound");
    return *desc ? MPIPOOL_OK : MPIPOOL_ENOMEM;
  }
  int rc = load(&topo, why, sizeof why);
  if (rc < 0) {
    *desc = mpipool__strdup(why);
    return *desc ? rc : MPIPOOL_ENOMEM;
  }
  rc = bind_share(topo, index, count, units, hwthreads, node_set, avoid,
                  inherited, desc);
  hwloc_topology_destroy(topo);
  if (rc < 0)
    return rc;
  *bound = rc;
  return MPIPOOL_OK;
}

int mpipool__bind_self_units(int index, int count, int units, int hwthreads,
                             const char *node_set, const char *avoid,
                             int *bound, char **desc) {
  return bind_self(index, count, units, hwthreads, node_set, avoid, 0, bound,
                   desc);
}

int mpipool__bind_self_inherited(int index, int count, int units, int hwthreads,
                                 const char *node_set, const char *avoid,
                                 int *bound, char **desc) {
  return bind_self(index, count, units, hwthreads, node_set, avoid, 1, bound,
                   desc);
}
