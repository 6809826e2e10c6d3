/*
 * topology.c - what a node offers, read with hwloc 2: its usable cores,
 * and each worker's share of them.
 */
#include "config.h"
#include "topology.h"

#include "mpipool.h"

#include <hwloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Loads this machine's topology, or says why it could not. */
static int load(hwloc_topology_t *topo, char *why, size_t whylen) {
  const char *fault = getenv("MPIPOOL_FAULT_HWLOC");
  if (fault && strcmp(fault, "1") == 0) {
    snprintf(why, whylen, "hwloc could not read the topology "
             "(simulated: MPIPOOL_FAULT_HWLOC=1)");
    return MPIPOOL_EHWLOC;
  }
  if (hwloc_topology_init(topo) != 0) {
    snprintf(why, whylen, "hwloc_topology_init failed");
    return MPIPOOL_EHWLOC;
  }
  if (hwloc_topology_load(*topo) != 0 ||
      hwloc_get_nbobjs_by_type(*topo, HWLOC_OBJ_PU) <= 0) {
    snprintf(why, whylen, "hwloc could not read this machine's topology "
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
  hwloc_bitmap_t set = hwloc_bitmap_dup(hwloc_topology_get_allowed_cpuset(topo));
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

void mpipool__node_probe(mpipool__node_t *n, int hwthreads, int launched,
                         int cap, char *why, size_t whylen) {
  hwloc_topology_t topo;
  n->cores = load(&topo, why, whylen);
  if (n->cores < 0)
    return;
  hwloc_bitmap_t set = usable_set(topo, launched);
  if (set == NULL) {
    snprintf(why, whylen, "out of memory reading the topology");
    n->cores = MPIPOOL_ENOMEM;
  } else {
    n->cores = count_in(topo, unit(topo, hwthreads), set);
    if (cap > 0 && cap < n->cores)
      n->cores = cap;
    hwloc_bitmap_list_snprintf(n->cpuset, sizeof n->cpuset, set);
    hwloc_bitmap_t mine = hwloc_bitmap_alloc();
    if (mine && launched &&
        hwloc_get_cpubind(topo, mine, HWLOC_CPUBIND_PROCESS) == 0 &&
        hwloc_bitmap_isincluded(mine, set) && !hwloc_bitmap_isequal(mine, set))
      hwloc_bitmap_list_snprintf(n->bound, sizeof n->bound, mine);
    hwloc_bitmap_free(mine);
  }
  hwloc_bitmap_free(set);
  hwloc_topology_destroy(topo);
}

/* Binds to share `index` of `count` over the usable set of topo. */
static int bind_share(hwloc_topology_t topo, int index, int count,
                      int hwthreads, const char *node_set, const char *avoid,
                      char *desc, size_t desclen) {
  hwloc_bitmap_t allowed = usable_set(topo, 1), mine = hwloc_bitmap_alloc();
  hwloc_bitmap_t given = hwloc_bitmap_alloc();
  hwloc_bitmap_t *shares = calloc((size_t)count, sizeof *shares);
  int rc = MPIPOOL_ENOMEM;
  char list[64];
  if (allowed == NULL || mine == NULL || given == NULL || shares == NULL)
    goto out;
  rc = 0;
  /* The node's share for the pool, as the master planned it. */
  if (node_set && *node_set && hwloc_bitmap_list_sscanf(given, node_set) == 0)
    hwloc_bitmap_and(allowed, allowed, given);
  if (hwloc_get_cpubind(topo, mine, HWLOC_CPUBIND_PROCESS) == 0 &&
      hwloc_bitmap_isincluded(mine, allowed) &&
      !hwloc_bitmap_isequal(mine, allowed)) {
    hwloc_bitmap_list_snprintf(list, sizeof list, mine);
    snprintf(desc, desclen, "not bound by mpipool: the launcher bound it "
             "to PU %s", list);
    goto out;
  }
  if (avoid && *avoid && hwloc_bitmap_list_sscanf(given, avoid) == 0)
    hwloc_bitmap_andnot(allowed, allowed, given);
  hwloc_obj_type_t type = unit(topo, hwthreads);
  if (count > count_in(topo, type, allowed)) {
    snprintf(desc, desclen, "not bound: %d workers on %d %s", count,
             count_in(topo, type, allowed),
             type == HWLOC_OBJ_CORE ? "cores" : "PUs");
    goto out;
  }
  /* hwloc_distrib spreads the shares over the tree (packages, NUMA
   * nodes, caches) down to the unit's depth, within what is left for
   * this node's mpipool-bound workers. */
  if (hwloc_topology_restrict(topo, allowed,
                              HWLOC_RESTRICT_FLAG_REMOVE_CPULESS) != 0) {
    snprintf(desc, desclen, "hwloc_topology_restrict failed");
    rc = MPIPOOL_EHWLOC;
    goto out;
  }
  hwloc_obj_t root = hwloc_get_root_obj(topo);
  int depth = hwloc_get_type_depth(topo, type);
  if (hwloc_distrib(topo, &root, 1, shares, (unsigned)count, depth, 0) ||
      shares[index] == NULL) {
    snprintf(desc, desclen, "hwloc_distrib failed");
    rc = MPIPOOL_EHWLOC;
    goto out;
  }
  hwloc_bitmap_and(shares[index], shares[index], allowed);
  hwloc_bitmap_list_snprintf(list, sizeof list, shares[index]);
  if (hwloc_set_cpubind(topo, shares[index], HWLOC_CPUBIND_PROCESS) != 0) {
    snprintf(desc, desclen, "hwloc_set_cpubind to PU %s failed", list);
    rc = MPIPOOL_EHWLOC;
    goto out;
  }
  hwloc_obj_t o = hwloc_get_obj_inside_cpuset_by_type(topo, shares[index],
                                                      type, 0);
  snprintf(desc, desclen, "%s %u (PU %s)",
           type == HWLOC_OBJ_CORE ? "core" : "PU",
           o ? o->logical_index : 0, list);
  rc = 1;
out:
  for (int i = 0; shares && i < count; i++)
    hwloc_bitmap_free(shares[i]);
  free(shares);
  hwloc_bitmap_free(given);
  hwloc_bitmap_free(mine);
  hwloc_bitmap_free(allowed);
  return rc;
}

void mpipool__describe_binding(char *desc, size_t desclen) {
  hwloc_topology_t topo;
  char why[128], list[64];
  snprintf(desc, desclen, "not bound");
  if (load(&topo, why, sizeof why) < 0)
    return;
  hwloc_bitmap_t mine = hwloc_bitmap_alloc();
  if (mine && hwloc_get_cpubind(topo, mine, HWLOC_CPUBIND_PROCESS) == 0 &&
      !hwloc_bitmap_isincluded(hwloc_topology_get_allowed_cpuset(topo),
                               mine)) {
    hwloc_bitmap_list_snprintf(list, sizeof list, mine);
    snprintf(desc, desclen, "not bound by mpipool: the launcher bound it "
             "to PU %s", list);
  }
  hwloc_bitmap_free(mine);
  hwloc_topology_destroy(topo);
}

int mpipool__bind_self(int index, int count, int hwthreads,
                       const char *node_set, const char *avoid, char *desc,
                       size_t desclen) {
  hwloc_topology_t topo;
  if (index < 0 || count <= 0 || index >= count) {
    snprintf(desc, desclen, "not bound");
    return 0;
  }
  int rc = load(&topo, desc, desclen);
  if (rc < 0)
    return rc;
  rc = bind_share(topo, index, count, hwthreads, node_set, avoid, desc,
                  desclen);
  hwloc_topology_destroy(topo);
  return rc;
}
