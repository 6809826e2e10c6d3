/*
 * launcher.c - launcher and Slurm facts read from the environment (see
 * launcher.h): one table of the variables launchers set.
 */
#include "config.h"
#include "launcher.h"

#include "mpipool.h"
#include "base/alloc.h"
#include "base/text.h"

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <unistd.h>

#ifndef HOST_NAME_MAX
#define HOST_NAME_MAX 255
#endif

enum {
  RANK = 1,     /* holds this process's rank in its launch */
  LAUNCHED = 2, /* set only in a process that a launcher started */
  WIRING = 4    /* wires the process into its job: not for its tasks */
};

/* Launcher variables: a name, or a prefix (ending in '*').  Rank holders
 * are read in this order. */
static const struct {
  const char *name;
  unsigned what;
} vars[] = {
    /* Open MPI's mpirun and spawns */
    {"OMPI_COMM_WORLD_RANK", RANK | LAUNCHED | WIRING},
    {"OMPI_COMM_WORLD_SIZE", LAUNCHED | WIRING},
    {"OMPI_COMM_WORLD_*", WIRING},
    {"OMPI_UNIVERSE_SIZE", WIRING},
    {"OMPI_FIRST_RANKS", WIRING},
    {"OMPI_APP_CTX_NUM_PROCS", WIRING},
    {"OMPI_NUM_APP_CTX", WIRING},
    {"OMPI_ARGV", WIRING},
    {"OMPI_COMMAND", WIRING},
    {"OMPI_FILE_LOCATION", WIRING},
    {"OMPI_MCA_ess*", WIRING},
    {"OMPI_MCA_orte_*", WIRING},
    {"OMPI_MCA_pmix*", WIRING},
    {"OMPI_MCA_initial_wdir", WIRING},
    {"OMPI_MCA_mpi_oversubscribe", WIRING},
    {"OMPI_MCA_async_mpi_finalize", WIRING},
    {"OMPI_MCA_shmem_RUNTIME_QUERY_hint", WIRING},
    {"OMPI_MCA_ompi_*", WIRING},
    {"OMPI_MCA_opal_*", WIRING},
    {"ORTE_*", WIRING},
    {"OPAL_*", WIRING},
    /* PMIx (Open MPI, Slurm's srun --mpi=pmix) */
    {"PMIX_RANK", RANK | LAUNCHED | WIRING},
    {"PMIX_*", WIRING},
    /* PMI-1/2 (MPICH's hydra, srun --mpi=pmi2) */
    {"PMI_RANK", RANK | LAUNCHED | WIRING},
    {"PMI_SIZE", LAUNCHED | WIRING},
    {"PMI_FD", LAUNCHED | WIRING},
    {"PMI_*", WIRING},
    {"HYDRA_*", WIRING},
    {"HYDI_*", WIRING},
    {"MPI_LOCALRANKID", WIRING},
    {"MPI_LOCALNRANKS", WIRING},
    /* Slurm: a batch script has SLURM_PROCID=0 too, so it does not mark
     * a launch; tasks keep Slurm's variables (SLURM_JOB_ID...). */
    {"SLURM_PROCID", RANK},
};

#define NVARS (sizeof vars / sizeof *vars)

/* Whether `entry` ("NAME=VALUE" or "NAME") is variable k. */
static int matches(size_t k, const char *entry) {
  const char *name = vars[k].name;
  size_t n = strlen(name);
  if (name[n - 1] == '*')
    return strncmp(entry, name, n - 1) == 0;
  return strncmp(entry, name, n) == 0 && (entry[n] == '=' || entry[n] == '\0');
}

int mpipool_launch_var(const char *entry) {
  if (entry == NULL)
    return 0;
  for (size_t k = 0; k < NVARS; k++)
    if ((vars[k].what & WIRING) && matches(k, entry))
      return 1;
  return 0;
}

int mpipool__launched(void) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  for (size_t k = 0; k < NVARS; k++) {
    if (!(vars[k].what & LAUNCHED) || getenv(vars[k].name) == NULL)
      continue;
    if (initialized && strcmp(vars[k].name, "PMIX_RANK") == 0)
      continue;
    return 1;
  }
  return 0;
}

/* Spawned by another process (its parent is in the job). */
static int spawned(void) {
  return getenv("OMPI_PARENT_PORT") || getenv("PMI_SPAWNED");
}

int mpipool__launch_alone(void) {
  if (!mpipool__launched())
    return 1;
  if (spawned())
    return 0;
  const char *n = getenv("OMPI_COMM_WORLD_SIZE");
  if (n == NULL)
    n = getenv("PMI_SIZE");
  return n && strcmp(n, "1") == 0;
}

int mpipool__launch_first(void) {
  return !mpipool__launched() || (!spawned() && mpipool_launch_rank() == 0);
}

int mpipool_launch_rank(void) {
  if (!mpipool__launched())
    return -1;
  for (size_t k = 0; k < NVARS; k++) {
    const char *v = (vars[k].what & RANK) ? getenv(vars[k].name) : NULL;
    char *end;
    long r = v ? strtol(v, &end, 10) : -1;
    if (v && *v && *end == '\0' && r >= 0 && r <= 0x7fffffff)
      return (int)r;
  }
  return 0; /* launched, rank not told: as the first */
}

int mpipool__launch_cpus_on_node(void) {
  const char *job = getenv("SLURM_JOB_ID"),
             *cpus = getenv("SLURM_CPUS_ON_NODE");
  char *end;
  if (job == NULL || cpus == NULL)
    return 0;
  long n = strtol(cpus, &end, 10);
  return *cpus && *end == '\0' && n > 0 && n <= 0x7fffffff ? (int)n : 0;
}

int mpipool__launch_in_srun_step(void) {
  return getenv("SLURM_STEP_ID") != NULL;
}

char *mpipool__node_name_dup(void) {
  const char *slurm = getenv("SLURMD_NODENAME");
  if (slurm && *slurm)
    return mpipool__strdup(slurm);
  /* Linux host names have at most HOST_NAME_MAX (64) bytes; one more
   * byte tells a name that filled the buffer from one cut to fit. */
  char host[HOST_NAME_MAX + 2];
  host[sizeof host - 1] = '\0';
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0')
    return mpipool__strdup("unknown");
  host[sizeof host - 1] = '\0';
  return mpipool__strdup(host);
}

int mpipool_node_name(char *buf, size_t len) {
  if (buf == NULL || len == 0)
    return MPIPOOL_EINVAL;
  char *name = mpipool__node_name_dup();
  if (name == NULL)
    return MPIPOOL_ENOMEM;
  size_t n = strlen(name);
  memcpy(buf, name, n < len ? n + 1 : len - 1);
  buf[len - 1] = '\0';
  mpipool__free(name);
  return n < len ? MPIPOOL_OK : MPIPOOL_ERANGE;
}
