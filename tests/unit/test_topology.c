/*
 * test_topology.c - counting and binding with hwloc, without MPI running:
 * the node name (Slurm's when set), the core count (narrowed by taskset
 * and by Slurm's allocation), binding a process to its share, and the
 * simulated hwloc failure.
 */
#define _GNU_SOURCE /* sched_getaffinity */
#include "config.h"

#include "../tap.h"
#include "mpipool.h"
#include "topology.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int cpus_allowed(void) {
  cpu_set_t set;
  return sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : -1;
}

static void test_node_name(void) {
  char buf[64], host[64] = "";
  gethostname(host, sizeof host - 1);
  unsetenv("SLURMD_NODENAME");
  is_int(mpipool_node_name(buf, sizeof buf), 0, "node_name");
  ok(strcmp(buf, host) == 0, "outside Slurm: the host name (%s)", buf);
  setenv("SLURMD_NODENAME", "n7", 1);
  mpipool_node_name(buf, sizeof buf);
  ok(strcmp(buf, "n7") == 0, "inside Slurm: SLURMD_NODENAME (%s)", buf);
  char small[3];
  mpipool_node_name(small, sizeof small);
  ok(strcmp(small, "n7") == 0, "fits exactly");
  setenv("SLURMD_NODENAME", "node-with-a-long-name", 1);
  mpipool_node_name(small, sizeof small);
  ok(strlen(small) == 2, "truncated, terminated (%s)", small);
  setenv("SLURMD_NODENAME", "", 1);
  mpipool_node_name(buf, sizeof buf);
  ok(strcmp(buf, host) == 0, "an empty SLURMD_NODENAME: the host name");
  unsetenv("SLURMD_NODENAME");
  is_int(mpipool_node_name(NULL, 8), MPIPOOL_EINVAL, "NULL buffer: EINVAL");
  is_int(mpipool_node_name(buf, 0), MPIPOOL_EINVAL, "empty buffer: EINVAL");
}

static void test_count(void) {
  int cores = mpipool_core_count();
  ok(cores >= 1, "core_count: %d", cores);
  ok(cores <= cpus_allowed(), "no more than the CPUs this process may use");
  setenv("SLURM_JOB_ID", "42", 1);
  setenv("SLURM_CPUS_ON_NODE", "1", 1);
  is_int(mpipool_core_count(), 1, "in a Slurm job given 1 CPU here: 1");
  setenv("SLURM_CPUS_ON_NODE", "999", 1);
  is_int(mpipool_core_count(), cores, "given more CPUs than cores: cores");
  setenv("SLURM_CPUS_ON_NODE", "2x", 1);
  is_int(mpipool_core_count(), cores, "an unreadable SLURM_CPUS_ON_NODE: cores");
  unsetenv("SLURM_JOB_ID");
  setenv("SLURM_CPUS_ON_NODE", "1", 1);
  is_int(mpipool_core_count(), cores, "no SLURM_JOB_ID: not in a job");
  unsetenv("SLURM_CPUS_ON_NODE");

  mpipool__node_t n;
  char why[256] = "";
  mpipool__node_probe(&n, 1, 0, why, sizeof why);
  ok(n.cores >= cores, "hardware threads (%d) >= cores (%d)", n.cores, cores);
  ok(n.cpuset[0] != '\0', "the usable PUs as a list (%s)", n.cpuset);
  ok(n.bound[0] == '\0', "a process that is not launched is never 'bound'");

  setenv("MPIPOOL_FAULT_HWLOC", "1", 1);
  is_int(mpipool_core_count(), MPIPOOL_EHWLOC, "hwloc failing: EHWLOC");
  mpipool__node_probe(&n, 0, 0, why, sizeof why);
  ok(n.cores == MPIPOOL_EHWLOC && strstr(why, "hwloc could not read"),
     "probe says why: %s", why);
  unsetenv("MPIPOOL_FAULT_HWLOC");
}

static void test_bind(void) {
  char desc[96], why[256];
  int cores = mpipool_core_count();
  /* The node's set as the master passes it: what the probe found. */
  mpipool__node_t n;
  mpipool__node_probe(&n, 0, 0, why, sizeof why);
  const char *set = n.cpuset;
  is_int(mpipool__bind_self(-1, 2, 0, set, "", desc, sizeof desc), 0,
         "no share: not bound");
  is_int(mpipool__bind_self(3, 2, 0, set, "", desc, sizeof desc), 0,
         "share out of range: not bound");
  is_int(mpipool__bind_self(0, cores + 1, 0, set, "", desc, sizeof desc), 0,
         "more shares than cores: not bound");
  ok(strstr(desc, "workers on") != NULL, "and says why (%s)", desc);
  int before = cpus_allowed();
  int rc = mpipool__bind_self(cores - 1, cores, 0, set, "", desc, sizeof desc);
  ok(rc == 1, "the last of %d shares: bound (%s)", cores, desc);
  ok(cpus_allowed() >= 1 && cpus_allowed() <= before,
     "now on %d of %d CPUs", cpus_allowed(), before);
  char again[96];
  mpipool__describe_binding(again, sizeof again);
  ok(cores == 1 || strstr(again, "bound") != NULL, "describe: %s", again);
  /* Bound now to less than the node: a second binding is the launcher's
   * (this process's own) and is kept. */
  if (cores > 1) {
    is_int(mpipool__bind_self(0, cores, 0, set, "", desc, sizeof desc), 0,
           "already bound to less than the node: kept");
    ok(strstr(desc, "launcher bound it") != NULL, "and says so (%s)", desc);
  }
}

int main(void) {
  test_node_name();
  test_count();
  test_bind();
  return tap_done();
}
