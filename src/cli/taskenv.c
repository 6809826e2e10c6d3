/*
 * taskenv.c - filters the launcher's variables out of a task's
 * environment and adds the task's own.
 */
#include "taskenv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Prefixes of variables that belong to the launch of this MPI job. */
static const char *const dropped[] = {
    "PMIX_", "PMI_", "OMPI_COMM_WORLD_", "OMPI_UNIVERSE_SIZE=",
    "OMPI_FIRST_RANKS=", "OMPI_APP_CTX_NUM_PROCS=", "OMPI_NUM_APP_CTX=",
    "OMPI_ARGV=", "OMPI_COMMAND=", "OMPI_FILE_LOCATION=", "OMPI_MCA_ess",
    "OMPI_MCA_orte_", "OMPI_MCA_pmix", "OMPI_MCA_initial_wdir=",
    "OMPI_MCA_mpi_oversubscribe=", "OMPI_MCA_async_mpi_finalize=",
    "OMPI_MCA_shmem_RUNTIME_QUERY_hint=", "OMPI_MCA_ompi_", "OMPI_MCA_opal_",
    "ORTE_", "OPAL_", "HYDRA_", "HYDI_", "MPI_LOCALRANKID=",
    "MPI_LOCALNRANKS=", "MPIPOOL_SEQ=", "MPIPOOL_WORKER="};

int cli_taskenv_keep(const char *entry) {
  for (size_t i = 0; i < sizeof dropped / sizeof *dropped; i++)
    if (strncmp(entry, dropped[i], strlen(dropped[i])) == 0)
      return 0;
  return 1;
}

int cli_taskenv_init(cli_taskenv_t *e, char *const *env) {
  size_t total = 0;
  memset(e, 0, sizeof *e);
  while (env && env[total])
    total++;
  e->v = malloc((total + 3) * sizeof *e->v);
  if (e->v == NULL)
    return -1;
  e->n = 0;
  for (size_t i = 0; i < total; i++)
    if (cli_taskenv_keep(env[i]))
      e->v[e->n++] = env[i];
  e->seq[0] = e->worker[0] = '\0';
  e->v[e->n] = e->seq;
  e->v[e->n + 1] = e->worker;
  e->v[e->n + 2] = NULL;
  return 0;
}

void cli_taskenv_set(cli_taskenv_t *e, unsigned long long seq, long worker) {
  snprintf(e->seq, sizeof e->seq, "MPIPOOL_SEQ=%llu", seq);
  snprintf(e->worker, sizeof e->worker, "MPIPOOL_WORKER=%ld", worker);
}

void cli_taskenv_free(cli_taskenv_t *e) {
  if (e == NULL)
    return;
  free(e->v);
  e->v = NULL;
  e->n = 0;
}
