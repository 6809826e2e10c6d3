/*
 * taskenv.h - the environment a task runs with: the worker's, less the
 * variables by which the MPI launcher tells a process it is part of this
 * job (a task that is itself an MPI program must start its own, not join
 * the pool's), plus MPIPOOL_SEQ and MPIPOOL_WORKER.  Pure logic.
 */
#ifndef MPIPOOL_CLI_TASKENV_H
#define MPIPOOL_CLI_TASKENV_H

#include <stddef.h>

/* 1 if the "NAME=value" entry is passed on to tasks, 0 if it is the
 * launcher's own (mpipool_launch_var: PMIX_*, PMI_*, OMPI_COMM_WORLD_*,
 * Open MPI's internal OMPI_* and OMPI_MCA_* launch settings, MPICH's
 * HYDRA_* / MPI_LOCALRANKID and similar) or a task's own MPIPOOL_SEQ or
 * MPIPOOL_WORKER.  User settings such as OMPI_MCA_btl stay. */
int cli_taskenv_keep(const char *entry);

/* A task environment: the kept entries of env (borrowed) and two slots
 * for MPIPOOL_SEQ and MPIPOOL_WORKER, filled by cli_taskenv_set(). */
typedef struct {
  char **v; /* NULL-terminated, for posix_spawn */
  size_t n; /* kept entries; v[n], v[n + 1] are ours */
  char seq[48], worker[48];
} cli_taskenv_t;

/* Builds e from env (NULL-terminated, borrowed: must outlive e).  0 or -1
 * (out of memory). */
int cli_taskenv_init(cli_taskenv_t *e, char *const *env);

/* Sets MPIPOOL_SEQ and MPIPOOL_WORKER for the next task. */
void cli_taskenv_set(cli_taskenv_t *e, unsigned long long seq, long worker);

void cli_taskenv_free(cli_taskenv_t *e);

#endif
