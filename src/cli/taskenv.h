/*
 * taskenv.h - the environment a task runs with: the worker's, less the
 * variables by which the MPI launcher tells a process it is part of this
 * job (a task that is itself an MPI program must start its own, not join
 * the pool's), plus the task's own: MPIPOOL_SEQ, MPIPOOL_WORKER,
 * MPIPOOL_SLOT, and with resources per task OMP_NUM_THREADS and its GPUs.
 * Pure logic.
 */
#ifndef MPIPOOL_CLI_TASKENV_H
#define MPIPOOL_CLI_TASKENV_H

#include <stddef.h>

/* 1 if the "NAME=value" entry is passed on to tasks, 0 if it is the
 * launcher's own (mpipool_launch_var: PMIX_*, PMI_*, OMPI_COMM_WORLD_*,
 * Open MPI's internal OMPI_* and OMPI_MCA_* launch settings, MPICH's
 * HYDRA_* / MPI_LOCALRANKID and similar) or a task's own MPIPOOL_SEQ,
 * MPIPOOL_WORKER or MPIPOOL_SLOT.  User settings such as OMPI_MCA_btl
 * stay. */
int cli_taskenv_keep(const char *entry);

/* The most entries of a task's own after the kept ones. */
#define CLI_TASKENV_OWN 7

/* A task environment: the kept entries of env (borrowed) and the task's
 * own, filled by cli_taskenv_set() and cli_taskenv_resources(). */
typedef struct {
  char **v; /* NULL-terminated, for posix_spawn */
  size_t n; /* kept entries; v[n]... are ours */
  char seq[48], worker[48], slot[48];
  /* With resources: OMP_NUM_THREADS, CUDA_VISIBLE_DEVICES,
   * ROCR_VISIBLE_DEVICES, MPIPOOL_GPUS (malloc'd). */
  char *res[4];
  size_t nres;
} cli_taskenv_t;

/* Builds e from env (NULL-terminated, borrowed: must outlive e).  0 or -1
 * (out of memory). */
int cli_taskenv_init(cli_taskenv_t *e, char *const *env);

/* Sets MPIPOOL_SEQ, MPIPOOL_WORKER and MPIPOOL_SLOT (slot 0: unknown, and
 * then not set) for the next task. */
void cli_taskenv_set(cli_taskenv_t *e, unsigned long long seq, long worker,
                     long slot);

/*
 * The task's resources, for every task from now on: with cores > 0,
 * OMP_NUM_THREADS=cores unless the environment sets OMP_NUM_THREADS; with
 * gpus (a list of GPU ids, "0,1"; NULL: no GPUs asked for), the
 * environment's CUDA_VISIBLE_DEVICES, ROCR_VISIBLE_DEVICES and
 * MPIPOOL_GPUS are replaced by gpus.  0 or -1 (out of memory: e is then
 * as it was before).
 */
int cli_taskenv_resources(cli_taskenv_t *e, int cores, const char *gpus);

void cli_taskenv_free(cli_taskenv_t *e);

#endif
