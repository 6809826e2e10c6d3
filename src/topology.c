/*
 * topology.c - what the machine offers, read with hwloc.  hwloc 2 restricts
 * the topology to the process's allowed cpuset by default (cgroups,
 * taskset, a launcher's binding), so counting its cores counts the cores
 * this job may use.
 */
#include "config.h"
#include "mpipool.h"

#include <hwloc.h>

int mpipool_core_count(void) {
  hwloc_topology_t topo;
  int n = MPIPOOL_EHWLOC;
  if (hwloc_topology_init(&topo) != 0)
    return MPIPOOL_EHWLOC;
  if (hwloc_topology_load(topo) != 0)
    goto out_with_topo;
  n = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
  if (n <= 0) /* some virtual machines expose no cores: count PUs */
    n = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
  if (n <= 0)
    n = MPIPOOL_EHWLOC;
out_with_topo:
  hwloc_topology_destroy(topo);
  return n;
}
