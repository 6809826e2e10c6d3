/*
 * mpihints.c - implementation-specific settings for the MPI library (see
 * mpihints.h).
 */
#include "config.h"
#include "mpihints.h"

#include "base/alloc.h"
#include "base/text.h"
#include "nodelay.h"

#include <mpi.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef OPEN_MPI
/* Names the variables mpipool set (a space-separated list), so that
 * whoever inherits them (a spawned worker) knows to take them out again. */
#define MARK "MPIPOOL_MPI_HINTS"

/* Whether name is one of the hints mpipool set (here, or in the process
 * it inherited them from). */
static int marked(const char *name) {
  const char *mark = getenv(MARK);
  size_t n = strlen(name);
  for (const char *p = mark; p && (p = strstr(p, name)) != NULL; p += n)
    if ((p == mark || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
      return 1;
  return 0;
}

static void hint(const char *name, const char *value) {
  if (getenv(name) != NULL)
    return; /* the user's choice */
  const char *mark = getenv(MARK);
  char *list = mpipool__afmt("%s%s%s", mark ? mark : "", mark ? " " : "", name);
  if (list == NULL)
    return; /* a hint that could not be marked is not given */
  setenv(name, value, 1);
  setenv(MARK, list, 1);
  mpipool__free(list);
}

/* The bound on a spawn's wait, as Open MPI counts it: a request times
 * out after half its value, and only values of 0 or 3 modulo 4 ever fire
 * (ORTE 4.1.4's request hotel evicts every 2 s and tests the rest only
 * then), so 60 gives 30 s. */
#define EXCHANGE_TIMEOUT "60"

static double spawn_bound;

/* Marks a spawned process told its PML (mpipool__hints_spawn_env), which
 * takes both out of its environment once MPI is up. */
#define SPAWN_PML "MPIPOOL_SPAWN_PML"

/* The TCP sockets open before MPI_Init (the program's: left as they are). */
static mpipool__sockets_t before;

void mpipool__hints_before_init(int launched, int master) {
  mpipool__sockets_note(&before);
  /* Lets a process leave MPI_Finalize without waiting for the others of
   * its job. */
  hint("OMPI_MCA_async_mpi_finalize", "1");
  /* The master waits its own way (transport/backoff.h).  Where processes
   * outnumber cores, Open MPI would also sched_yield() in every poll that
   * finds nothing, and the master and a worker sharing a core then hand
   * it to each other at every poll (2 workers on 2 cores, apply_async:
   * 0.29 M tasks/s with it, 0.6 M without).  The workers keep it
   * (a spawned one takes the master's setting back out): their yields
   * pace them where many share a core (32 workers on 2 cores: 0.08 M
   * tasks/s without, 0.20 M with). */
  if (master)
    hint("OMPI_MCA_mpi_yield_when_idle", "0");
  else if (marked("OMPI_MCA_mpi_yield_when_idle"))
    unsetenv("OMPI_MCA_mpi_yield_when_idle");
  if (!launched) {
    hint("OMPI_MCA_pml", "ob1");
    /* The singleton's own runtime keeps a job going when one of its
     * processes dies (a worker killed, or crashed in a task): the pool
     * finds out and goes on without it.  (Under mpirun these are mpirun's
     * to set: --enable-recovery.) */
    hint("OMPI_MCA_orte_abort_on_non_zero_status", "0");
    /* Neither the singleton's daemon, which hwloc's discovery of the
     * node's PCI and I/O devices held up, nor its processes look at those
     * devices: on one node, with ob1's shared memory and TCP, Open MPI
     * picks no network device by its place.  A bare singleton's MPI_Init
     * went from 63-65 ms to 29-31 ms (this VM, 6 PCI devices, each read
     * of their configuration a trap to the hypervisor), and its CPU in
     * the process from 27 to 15 ms.  Spawned workers inherit it through
     * the daemon and take it out once their MPI is up, like the rest;
     * mpipool's own topologies (binding, GPUs) are loaded without it. */
    hint("HWLOC_COMPONENTS", "-pci,-linuxio");
  }
  /* PMIx's hash store, not its shared-memory one (the default), in every
   * process; the singleton's daemon inherits it too.  Under mpirun, with
   * the shared-memory store, a spawn after workers died was now and then
   * lost (its process waited in MPI_Init for the master's connection data,
   * "LOOKUP ... pmix_server_pub.c:345", until the 30 s bound): test_lost
   * under mpirun --enable-recovery -n 1, 7 runs in 10; with the hash
   * store, 0 in 120 runs (singleton, -n 1, 2, 4).  mpirun itself may keep
   * the shared one: its clients ask it instead.  It costs less memory too: PMIx
   * keeps what it learns of each spawned job for good, about 200 KiB per spawn
   * in the shared store, 70 KiB in the hash one (maxtasksperchild 1, 90
   * retirements: 16.2 -> 34.5 MiB, and 14.9 -> 21.0 MiB). */
  hint("PMIX_MCA_gds", "hash");
  /* Bounds MPI_Comm_spawn's wait for its processes' MPI_Init: Open MPI 4.1
   * with PMIx 4 now and then loses a new process's first request (see
   * mpipool__worker_linger), and the spawn would wait 600 s per try. */
  hint("OMPI_MCA_pmix_base_exchange_timeout", EXCHANGE_TIMEOUT);
  const char *t = getenv("OMPI_MCA_pmix_base_exchange_timeout");
  long v = t ? strtol(t, NULL, 10) : 0;
  spawn_bound = v > 0 && (v % 4 == 0 || v % 4 == 3) ? v / 2.0 : 0;
}

double mpipool__hints_spawn_bound(void) { return spawn_bound; }

/* 1 if the PML this process runs is ob1: once MPI is up, Open MPI has
 * closed (and unmapped) every PML component but the one it selected. */
static int runs_ob1(void) {
  FILE *f = fopen("/proc/self/maps", "r");
  char line[4096];
  int ob1 = 0, other = 0;
  while (f && fgets(line, sizeof line, f)) {
    const char *c = strstr(line, "/mca_pml_");
    if (c == NULL)
      continue;
    if (strncmp(c, "/mca_pml_ob1.so", 15) == 0)
      ob1 = 1;
    else
      other = 1;
  }
  if (f)
    fclose(f);
  return ob1 && !other;
}

void mpipool__hints_spawn_env(char *buf, size_t size) {
  static _Atomic int ob1 = -1; /* the PML is chosen once per process */
  const char *pml = getenv("OMPI_MCA_pml");
  if (pml != NULL && !marked("OMPI_MCA_pml"))
    return; /* the user's choice, which mpirun passes on */
  if (ob1 < 0)
    ob1 = runs_ob1();
  size_t len = strlen(buf);
  const char *line = "OMPI_MCA_pml=ob1\n" SPAWN_PML "=1\n";
  if (ob1 && len + strlen(line) < size)
    memcpy(buf + len, line, strlen(line) + 1);
}

void mpipool__hints_after_init(void) {
  /* PMIx's connection to its server, without Nagle's delays (nodelay.h). */
  mpipool__sockets_nodelay(&before);
  if (getenv(SPAWN_PML)) { /* not for its tasks */
    unsetenv("OMPI_MCA_pml");
    unsetenv(SPAWN_PML);
  }
  const char *mark = getenv(MARK);
  if (mark == NULL)
    return;
  char *list = mpipool__strdup(mark);
  for (char *save, *name = list ? strtok_r(list, " ", &save) : NULL; name;
       name = strtok_r(NULL, " ", &save))
    unsetenv(name);
  mpipool__free(list);
  unsetenv(MARK);
}
#else
void mpipool__hints_before_init(int launched, int master) {
  (void)launched;
  (void)master;
}
void mpipool__hints_after_init(void) {}
double mpipool__hints_spawn_bound(void) { return 0; }
void mpipool__hints_spawn_env(char *buf, size_t size) {
  (void)buf;
  (void)size;
}
#endif
