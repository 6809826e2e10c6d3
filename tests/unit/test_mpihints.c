/*
 * test_mpihints.c - the settings mpipool gives Open MPI before it starts
 * it (mpihints.c): which process gets which, that the user's own values
 * are kept (PMIx's store too), that a spawned worker takes the master's out
 * again, and that all of mpipool's are gone from the environment once MPI is
 * up.
 */
#include "config.h"

#include "placement/mpihints.h"
#include "../tap.h"

#include <mpi.h>
#include <stdlib.h>
#include <string.h>

#define YIELD "OMPI_MCA_mpi_yield_when_idle"
#define HWLOC "HWLOC_COMPONENTS"

static int is(const char *name, const char *want) {
  const char *v = getenv(name);
  return want ? v != NULL && strcmp(v, want) == 0 : v == NULL;
}

#ifdef OPEN_MPI
static void test_yield(void) {
  unsetenv(YIELD);
  mpipool__hints_before_init(0, 1);
  ok(is(YIELD, "0"), "the master is told not to yield at every empty poll");
  ok(is("OMPI_MCA_pml", "ob1"), "a singleton is told to use shared memory");
  ok(is(HWLOC, "-pci,-linuxio"),
     "and its daemon not to discover the node's I/O devices");
  /* What a worker spawned by it inherits: the values and their list. */
  mpipool__hints_before_init(1, 0);
  ok(is(YIELD, NULL), "a spawned worker takes the master's yield setting out");
  ok(is("OMPI_MCA_async_mpi_finalize", "1"), "and keeps the others");
  mpipool__hints_after_init();
  ok(is("OMPI_MCA_pml", NULL) && is("OMPI_MCA_async_mpi_finalize", NULL) &&
         is(HWLOC, NULL) && is("MPIPOOL_MPI_HINTS", NULL),
     "once MPI is up, mpipool's settings are out of the environment");

  mpipool__hints_before_init(1, 0);
  ok(is(YIELD, NULL), "a launcher's worker rank: Open MPI's own choice");
  mpipool__hints_after_init();
  mpipool__hints_before_init(1, 1);
  ok(is(HWLOC, NULL), "a launched master: mpirun's daemons discover as they "
                      "will");
  mpipool__hints_after_init();
  setenv(HWLOC, "-x86", 1);
  mpipool__hints_before_init(0, 1);
  mpipool__hints_after_init();
  ok(is(HWLOC, "-x86"), "a singleton: the user's hwloc components are kept");
  unsetenv(HWLOC);

  setenv(YIELD, "1", 1);
  mpipool__hints_before_init(0, 1);
  ok(is(YIELD, "1"), "the master: the user's value is kept");
  mpipool__hints_before_init(1, 0);
  ok(is(YIELD, "1"), "a worker: the user's value is kept");
  mpipool__hints_after_init();
  ok(is(YIELD, "1"), "and stays after MPI is up");
  unsetenv(YIELD);

  /* PMIx's hash store in every process, launched or not (mpihints.c: a
   * spawn after deaths was lost with the shared-memory one under mpirun). */
  unsetenv("PMIX_MCA_gds");
  mpipool__hints_before_init(1, 1);
  ok(is("PMIX_MCA_gds", "hash"), "a launched master asks PMIx for its hash "
                                 "store");
  mpipool__hints_after_init();
  ok(is("PMIX_MCA_gds", NULL), "... and takes it out once MPI is up");
  mpipool__hints_before_init(1, 0);
  ok(is("PMIX_MCA_gds", "hash"), "so does a launcher's worker rank");
  mpipool__hints_after_init();
  setenv("PMIX_MCA_gds", "ds21", 1);
  mpipool__hints_before_init(1, 1);
  mpipool__hints_after_init();
  ok(is("PMIX_MCA_gds", "ds21"), "the user's store is kept");
  unsetenv("PMIX_MCA_gds");

  /* A name that only starts like a hint is not one. */
  setenv("MPIPOOL_MPI_HINTS", "OMPI_MCA_mpi_yield_when_idle_x", 1);
  setenv(YIELD, "0", 1);
  mpipool__hints_before_init(1, 0);
  ok(is(YIELD, "0"), "a worker keeps a value mpipool did not set");
  mpipool__hints_after_init();
  unsetenv(YIELD);
}

/* What a spawned process is told of the PML (mpipool__hints_spawn_env). */
static void test_spawn_env(void) {
  char buf[64] = "A=1\n";
  setenv("OMPI_MCA_pml", "cm", 1);
  mpipool__hints_spawn_env(buf, sizeof buf);
  ok(strcmp(buf, "A=1\n") == 0, "the user's PML: nothing added (mpirun "
                                "passes it on)");
  unsetenv("OMPI_MCA_pml");
  mpipool__hints_spawn_env(buf, sizeof buf);
  ok(strcmp(buf, "A=1\n") == 0,
     "no MPI up here, no PML mapped: nothing said of it");
  /* The spawned process's side. */
  setenv("OMPI_MCA_pml", "ob1", 1);
  setenv("MPIPOOL_SPAWN_PML", "1", 1);
  mpipool__hints_after_init();
  ok(is("OMPI_MCA_pml", NULL) && is("MPIPOOL_SPAWN_PML", NULL),
     "a spawned process takes the PML it was told out once MPI is up");
  setenv("OMPI_MCA_pml", "ob1", 1);
  mpipool__hints_after_init();
  ok(is("OMPI_MCA_pml", "ob1"), "the user's own PML stays");
  unsetenv("OMPI_MCA_pml");
}
#endif

int main(void) {
#ifdef OPEN_MPI
  test_yield();
  test_spawn_env();
#else
  ok(1, "no hints outside Open MPI");
#endif
  return tap_done();
}
