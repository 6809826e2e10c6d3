/*
 * mpihints.h - settings mpipool gives the MPI library before it starts
 * MPI itself.  They are implementation-specific (Open MPI's MCA
 * environment variables), compiled only against Open MPI, never override
 * a value the user set, and are taken back out of the environment once
 * MPI is up, so that the tasks a pool runs (an `mpirun` inside a task, say)
 * inherit the user's environment, not mpipool's.
 */
#ifndef MPIPOOL_MPIHINTS_H
#define MPIPOOL_MPIHINTS_H

#include <stddef.h>

/* Before MPI_Init.  `launched` is whether a launcher (mpirun, srun)
 * started this process; if it did not, the whole pool is one node, and
 * Open MPI is told to use its shared-memory transport (pml ob1) instead of
 * probing for network fabrics (UCX, libfabric), which costs about 0.2 s
 * in every process that starts, the spawned workers included.  `master`
 * is whether this process is likely the pool's master (see
 * mpipool__launch_first): only the master is told not to yield the core
 * at every empty poll (it waits its own way), a worker keeps Open MPI's
 * choice. */
void mpipool__hints_before_init(int launched, int master);

/* After MPI_Init, in every process (spawned workers inherit the hints):
 * removes the hints that mpipool, not the user, put in the environment. */
void mpipool__hints_after_init(void);

/* What a process spawned by this one is told (Open MPI's "env" spawn
 * key: NAME=VALUE lines): appends to buf (size bytes, NUL-terminated),
 * leaving it as it was where there is no room.  When this process runs
 * Open MPI's ob1 PML and the user chose none, "OMPI_MCA_pml=ob1": the
 * spawned process then skips probing for the fabrics of the other PMLs
 * (cm's libfabric and PSM), 0.2 s of its MPI_Init under mpirun (a
 * spawn of 2 there: 230 ms, 20 ms with it), and can only end with the
 * PML it must share with its master anyway.  That process takes the
 * setting out of its environment once MPI is up (its tasks do not see
 * it), as it does mpipool's other hints. */
void mpipool__hints_spawn_env(char *buf, size_t size);

/* The seconds after which Open MPI gives up a spawn whose processes never
 * reach MPI_Init (set before init: OMPI_MCA_pmix_base_exchange_timeout,
 * 60 unless the user chose, hence 30 s); 0 when there is no such bound or
 * it is not known (MPI initialized by the program, another MPI). */
double mpipool__hints_spawn_bound(void);

#endif
