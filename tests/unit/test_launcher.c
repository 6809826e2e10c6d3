/*
 * test_launcher.c - what the launcher and Slurm say through the
 * environment (launcher.c), without MPI running: the node name (Slurm's
 * when set), the CPUs Slurm allocated (and the public core count they
 * cap), whether and with which rank a launcher started the process, and
 * which variables wire a process into its job.
 */
#include "config.h"

#include "../tap.h"
#include "placement/launcher.h"
#include "mpipool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_node_name(void) {
  char buf[64], host[80] = "";
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
  is_int(mpipool_node_name(small, sizeof small), MPIPOOL_ERANGE,
         "too long for the buffer: ERANGE");
  ok(strlen(small) == 2, "cut, terminated (%s)", small);
  char name[300], *dup;
  memset(name, 'n', 200);
  name[200] = '\0';
  setenv("SLURMD_NODENAME", name, 1);
  is_int(mpipool_node_name(buf, sizeof buf), MPIPOOL_ERANGE,
         "a 200-character name in 64 bytes: ERANGE");
  char big[256];
  is_int(mpipool_node_name(big, sizeof big), 0, "in 256 bytes: whole");
  ok(strlen(big) == 200, "a 200-character node name, whole");
  dup = mpipool__node_name_dup();
  ok(dup && strcmp(dup, name) == 0, "node_name_dup: whole");
  free(dup);
  setenv("SLURMD_NODENAME", "", 1);
  mpipool_node_name(buf, sizeof buf);
  ok(strcmp(buf, host) == 0, "an empty SLURMD_NODENAME: the host name");
  unsetenv("SLURMD_NODENAME");
  is_int(mpipool_node_name(NULL, 8), MPIPOOL_EINVAL, "NULL buffer: EINVAL");
  is_int(mpipool_node_name(buf, 0), MPIPOOL_EINVAL, "empty buffer: EINVAL");
}

/* mpipool_core_count's count, or its error. */
static int core_count(void) {
  int n = -1000, err = mpipool_core_count(&n);
  return err ? err : n;
}

static void test_slurm_cpus(void) {
  unsetenv("SLURM_JOB_ID");
  unsetenv("SLURM_CPUS_ON_NODE");
  int cores = core_count();
  ok(cores >= 1, "core_count: %d", cores);
  is_int(mpipool__launch_cpus_on_node(), 0, "outside Slurm: no cap");
  setenv("SLURM_JOB_ID", "42", 1);
  setenv("SLURM_CPUS_ON_NODE", "1", 1);
  is_int(mpipool__launch_cpus_on_node(), 1, "SLURM_CPUS_ON_NODE=1 in a job");
  is_int(core_count(), 1, "in a Slurm job given 1 CPU here: 1 core");
  setenv("SLURM_CPUS_ON_NODE", "999", 1);
  is_int(core_count(), cores, "given more CPUs than cores: cores");
  setenv("SLURM_CPUS_ON_NODE", "2x", 1);
  is_int(mpipool__launch_cpus_on_node(), 0, "an unreadable count: no cap");
  is_int(core_count(), cores, "an unreadable SLURM_CPUS_ON_NODE: cores");
  unsetenv("SLURM_JOB_ID");
  setenv("SLURM_CPUS_ON_NODE", "1", 1);
  is_int(core_count(), cores, "no SLURM_JOB_ID: not in a job");
  unsetenv("SLURM_CPUS_ON_NODE");
  is_int(mpipool__launch_in_srun_step(), 0, "no SLURM_STEP_ID: not srun");
  setenv("SLURM_STEP_ID", "0", 1);
  is_int(mpipool__launch_in_srun_step(), 1, "SLURM_STEP_ID: an srun step");
  unsetenv("SLURM_STEP_ID");
  setenv("MPIPOOL_FAULT_HWLOC", "1", 1);
  is_int(core_count(), MPIPOOL_EHWLOC, "hwloc failing: EHWLOC");
  unsetenv("MPIPOOL_FAULT_HWLOC");
  is_int(mpipool_core_count(NULL), MPIPOOL_EINVAL, "core_count(NULL): EINVAL");
}

static void clear_launch(void) {
  static const char *const v[] = {"OMPI_COMM_WORLD_RANK",
                                  "OMPI_COMM_WORLD_SIZE",
                                  "PMIX_RANK",
                                  "PMI_RANK",
                                  "PMI_SIZE",
                                  "PMI_FD",
                                  "SLURM_PROCID",
                                  "OMPI_PARENT_PORT",
                                  "PMI_SPAWNED"};
  for (size_t i = 0; i < sizeof v / sizeof *v; i++)
    unsetenv(v[i]);
}

static void test_rank(void) {
  clear_launch();
  is_int(mpipool__launched(), 0, "no launcher variable: a singleton");
  is_int(mpipool_launch_rank(), -1, "a singleton's rank: -1");
  setenv("SLURM_PROCID", "0", 1);
  is_int(mpipool_launch_rank(), -1,
         "SLURM_PROCID alone (a batch script): "
         "not launched");
  setenv("OMPI_COMM_WORLD_SIZE", "4", 1);
  setenv("OMPI_COMM_WORLD_RANK", "3", 1);
  is_int(mpipool__launched(), 1, "mpirun's variables: launched");
  is_int(mpipool_launch_rank(), 3, "mpirun's rank");
  clear_launch();
  setenv("PMIX_RANK", "2", 1);
  is_int(mpipool_launch_rank(), 2, "PMIx's rank (srun --mpi=pmix)");
  clear_launch();
  setenv("PMI_SIZE", "2", 1);
  setenv("SLURM_PROCID", "1", 1);
  is_int(mpipool_launch_rank(), 1, "PMI without a rank: Slurm's rank");
  clear_launch();
  setenv("PMI_RANK", "x", 1);
  is_int(mpipool_launch_rank(), 0, "an unreadable rank: as the first");
  clear_launch();
}

/* What the environment says before MPI starts, in each kind of launch:
 * whether the process is its job's only one, not spawned (a head start's
 * child is then forked before MPI starts), and whether it is where a
 * pool's master runs (a singleton, or the first rank of a job it was not
 * spawned into). */
static void test_alone_first(void) {
#define PORT "OMPI_PARENT_PORT=1744437249.0:242190684"
  static const struct {
    const char *env[3]; /* NAME=value, in a launch cleared first */
    int alone, first;
    const char *what;
  } cases[] = {
      {{NULL}, 1, 1, "a singleton"},
      {{"OMPI_COMM_WORLD_RANK=0", "OMPI_COMM_WORLD_SIZE=1"},
       1,
       1,
       "mpirun -n 1"},
      {{"OMPI_COMM_WORLD_RANK=0", "OMPI_COMM_WORLD_SIZE=1", PORT},
       0,
       0,
       "the first process spawned by another"},
      {{"OMPI_COMM_WORLD_RANK=0", "OMPI_COMM_WORLD_SIZE=4"},
       0,
       1,
       "mpirun -n 4, rank 0"},
      {{"OMPI_COMM_WORLD_RANK=3", "OMPI_COMM_WORLD_SIZE=4"},
       0,
       0,
       "mpirun -n 4, rank 3"},
      {{"PMI_RANK=0", "PMI_SIZE=1"}, 1, 1, "MPICH's mpiexec -n 1"},
      {{"PMI_RANK=0", "PMI_SIZE=1", "PMI_SPAWNED=1"},
       0,
       0,
       "spawned under MPICH"},
      {{"PMIX_RANK=0"}, 0, 1, "a launch of unknown size, rank 0"},
  };
#undef PORT
  for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
    clear_launch();
    for (size_t i = 0; i < 3 && cases[k].env[i]; i++) {
      char var[128];
      snprintf(var, sizeof var, "%s", cases[k].env[i]);
      char *eq = strchr(var, '=');
      *eq = '\0';
      setenv(var, eq + 1, 1);
    }
    char what[160];
    snprintf(what, sizeof what, "%s: %s", cases[k].what,
             cases[k].alone ? "alone" : "not alone");
    is_int(mpipool__launch_alone(), cases[k].alone, what);
    snprintf(what, sizeof what, "%s: %s", cases[k].what,
             cases[k].first ? "the master's process" : "a worker's");
    is_int(mpipool__launch_first(), cases[k].first, what);
  }
  clear_launch();
}

static void test_vars(void) {
  static const char *const wiring[] = {"PMIX_RANK=1",
                                       "PMIX_NAMESPACE=x",
                                       "PMI_FD=3",
                                       "PMI_RANK",
                                       "PMI_SIZE=2",
                                       "OMPI_COMM_WORLD_RANK=0",
                                       "OMPI_COMM_WORLD_LOCAL_SIZE=2",
                                       "OMPI_UNIVERSE_SIZE=2",
                                       "OMPI_MCA_ess_base_jobid=1",
                                       "OMPI_MCA_orte_hnp_uri=x",
                                       "OMPI_MCA_pmix=^s1",
                                       "OMPI_MCA_async_mpi_finalize=1",
                                       "OMPI_MCA_ompi_x=1",
                                       "OMPI_MCA_opal_x=1",
                                       "ORTE_X=1",
                                       "OPAL_PREFIX=/x",
                                       "HYDRA_X=1",
                                       "HYDI_X=1",
                                       "MPI_LOCALRANKID=0",
                                       "MPI_LOCALNRANKS=2",
                                       "OMPI_FILE_LOCATION=/tmp/x",
                                       "OMPI_ARGV=",
                                       "OMPI_COMMAND=x"};
  static const char *const user[] = {"PATH=/bin",
                                     "OMPI_MCA_btl=self,vader",
                                     "OMPI_MCA_pml=ob1",
                                     "OMPI_ALLOW_RUN_AS_ROOT=1",
                                     "SLURM_JOB_ID=4",
                                     "SLURM_PROCID=0",
                                     "PMIXX=1",
                                     "OMPI_COMM_WORLD=1",
                                     "OMPI_ARGVX=1",
                                     "MPIPOOL_SEQ=1",
                                     ""};
  for (size_t i = 0; i < sizeof wiring / sizeof *wiring; i++)
    is_int(mpipool_launch_var(wiring[i]), 1, wiring[i]);
  for (size_t i = 0; i < sizeof user / sizeof *user; i++)
    is_int(mpipool_launch_var(user[i]), 0, user[i]);
  is_int(mpipool_launch_var(NULL), 0, "NULL: not a launcher variable");
}

int main(void) {
  test_node_name();
  test_slurm_cpus();
  test_rank();
  test_alone_first();
  test_vars();
  return tap_done();
}
