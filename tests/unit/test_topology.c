/*
 * test_topology.c - counting and binding with hwloc (topology.c), without
 * MPI running: the core count (narrowed by taskset and by a cap), binding
 * a process to its share, and the simulated hwloc failure.
 */
#define _GNU_SOURCE /* sched_getaffinity */
#include "config.h"

#include "../tap.h"
#include "mpipool.h"
#include "placement/topology.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int cpus_allowed(void) {
  cpu_set_t set;
  return sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : -1;
}

static void test_count(void) {
  mpipool__node_t n;
  char why[256] = "";
  memset(&n, 0, sizeof n);
  mpipool__node_probe(&n, 0, 0, 0, why, sizeof why);
  int cores = n.cores;
  ok(cores >= 1, "cores: %d", cores);
  ok(cores <= cpus_allowed(), "no more than the CPUs this process may use");
  is_int(n.status, 0, "status 0");
  mpipool__node_free(&n);
  mpipool__node_probe(&n, 0, 0, 1, why, sizeof why);
  is_int(n.cores, 1, "capped at 1: 1");
  mpipool__node_free(&n);
  mpipool__node_probe(&n, 0, 0, 999, why, sizeof why);
  is_int(n.cores, cores, "a cap above the cores: the cores");
  mpipool__node_free(&n);
  mpipool__node_probe(&n, 1, 0, 0, why, sizeof why);
  ok(n.cores >= cores, "hardware threads (%d) >= cores (%d)", n.cores, cores);
  ok(n.cpuset && n.cpuset[0] != '\0', "the usable PUs as a list (%s)",
     n.cpuset ? n.cpuset : "(null)");
  ok(n.bound == NULL, "a process that is not launched is never 'bound'");
  mpipool__node_free(&n);

  setenv("MPIPOOL_FAULT_HWLOC", "1", 1);
  mpipool__node_probe(&n, 0, 0, 0, why, sizeof why);
  ok(n.status == MPIPOOL_EHWLOC && n.cores == 0 && n.cpuset == NULL &&
         strstr(why, "hwloc could not read"),
     "probe: status EHWLOC, no count, and says why: %s", why);
  unsetenv("MPIPOOL_FAULT_HWLOC");
}

/* mpipool__bind_self, its description freed. */
static int bind_self(int index, int count, const char *set, char *desc,
                     size_t len) {
  char *d = NULL;
  int bound = -1;
  int rc = mpipool__bind_self(index, count, 0, set, "", &bound, &d);
  snprintf(desc, len, "%s", d ? d : "(none)");
  free(d);
  return rc ? rc : bound;
}

static void test_bind(void) {
  char desc[256], why[256];
  /* The node's set as the master passes it: what the probe found. */
  mpipool__node_t n;
  memset(&n, 0, sizeof n);
  mpipool__node_probe(&n, 0, 0, 0, why, sizeof why);
  int cores = n.cores;
  const char *set = n.cpuset;
  is_int(bind_self(-1, 2, set, desc, sizeof desc), 0, "no share: not bound");
  is_int(bind_self(3, 2, set, desc, sizeof desc), 0,
         "share out of range: not bound");
  is_int(bind_self(0, cores + 1, set, desc, sizeof desc), 0,
         "more shares than cores: not bound");
  ok(strstr(desc, "workers on") != NULL, "and says why (%s)", desc);
  int before = cpus_allowed();
  int rc = bind_self(cores - 1, cores, set, desc, sizeof desc);
  ok(rc == 1, "the last of %d shares: bound (%s)", cores, desc);
  ok(cpus_allowed() >= 1 && cpus_allowed() <= before, "now on %d of %d CPUs",
     cpus_allowed(), before);
  char *again = mpipool__describe_binding();
  ok(again && (cores == 1 || strstr(again, "bound") != NULL), "describe: %s",
     again ? again : "(null)");
  free(again);
  /* Bound now to less than the node: a second binding is the launcher's
   * (this process's own) and is kept. */
  if (cores > 1) {
    is_int(bind_self(0, cores, set, desc, sizeof desc), 0,
           "already bound to less than the node: kept");
    ok(strstr(desc, "launcher bound it") != NULL, "and says so (%s)", desc);
  }
  mpipool__node_free(&n);
}

int main(void) {
  test_count();
  test_bind();
  return tap_done();
}
