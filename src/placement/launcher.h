/*
 * launcher.h - what the MPI launcher (mpirun, mpiexec, srun) and Slurm
 * tell a process through its environment: whether a launcher started it
 * and with which rank, which variables wire it into its job, the node's
 * name and the CPUs Slurm allocated there.  The one list of launcher
 * variables; the public calls (mpipool_launch_rank, mpipool_launch_var,
 * mpipool_node_name) are documented in mpipool.h.
 */
#ifndef MPIPOOL_LAUNCHER_H
#define MPIPOOL_LAUNCHER_H

/* 1 if an MPI launcher (mpirun, srun, a spawn) started this process, 0
 * for a singleton.  Once MPI is initialized PMIX_RANK no longer tells (a
 * singleton's runtime sets it), so it is read only before. */
int mpipool__launched(void);

/* 1 when this process is, as far as the environment tells before MPI
 * starts, its job's only process, not spawned by another: a singleton,
 * or the one rank of mpirun -n 1. */
int mpipool__launch_alone(void);

/* 1 when this process, as far as the environment tells before MPI
 * starts, is where a pool's master runs: not spawned by another, and a
 * singleton or its job's first rank. */
int mpipool__launch_first(void);

/* The CPUs Slurm allocated to the job on this node (SLURM_CPUS_ON_NODE,
 * inside a Slurm job), or 0 when not known. */
int mpipool__launch_cpus_on_node(void);

/* This node's name (see mpipool_node_name), whole and malloc'd; NULL if
 * out of memory. */
char *mpipool__node_name_dup(void);

/* 1 inside a Slurm job step started by srun (SLURM_STEP_ID set): Slurm's
 * PMIx cannot spawn processes there. */
int mpipool__launch_in_srun_step(void);

#endif
