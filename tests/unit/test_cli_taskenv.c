/*
 * test_cli_taskenv.c - a task's environment (cli/taskenv.c): the launcher's
 * variables dropped, MPIPOOL_SEQ and MPIPOOL_WORKER set; no MPI.
 */
#include "../tap.h"
#include "../cli_helpers.h"
#include "cli/taskenv.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define ERRLEN 512

static void test_taskenv(void) {
  const char *kept[] = {
      "PATH=/usr/bin:/bin",
      "HOME=/root",
      "OMPI_MCA_btl=self",
      "OMPI_MCA_btl_tcp_if_include=eth0",
      "OMPI_MCA_pml=ob1",
      "LD_LIBRARY_PATH=/opt/lib",
      "SLURM_JOB_ID=123",
      "MY_PMIX_RANK=1",
      "OMP_NUM_THREADS=4",
      "TERM=xterm",
      "X=",
      "MPIPOOL=1",
  };
  for (size_t i = 0; i < sizeof kept / sizeof *kept; i++)
    is_int(cli_taskenv_keep(kept[i]), 1, kept[i]);

  /* Set by Open MPI 4.1's mpirun for its ranks (checked on a real run),
   * by MPICH's hydra, and by an outer mpipool. */
  const char *dropped[] = {
      "PMIX_RANK=0",
      "PMIX_NAMESPACE=prterun-1",
      "PMIX_SERVER_URI2=x",
      "PMIX_ID=1.0",
      "PMIX_HOSTNAME=n1",
      "PMIX_SECURITY_MODE=native",
      "PMIX_MCA_mca_base_component_show_load_errors=0",
      "PMI_RANK=1",
      "PMI_FD=5",
      "PMI_SIZE=4",
      "OMPI_COMM_WORLD_RANK=1",
      "OMPI_COMM_WORLD_SIZE=4",
      "OMPI_COMM_WORLD_LOCAL_RANK=1",
      "OMPI_COMM_WORLD_LOCAL_SIZE=4",
      "OMPI_COMM_WORLD_NODE_RANK=1",
      "OMPI_UNIVERSE_SIZE=4",
      "OMPI_FIRST_RANKS=0",
      "OMPI_APP_CTX_NUM_PROCS=4",
      "OMPI_NUM_APP_CTX=1",
      "OMPI_ARGV=",
      "OMPI_COMMAND=mpipool",
      "OMPI_FILE_LOCATION=/tmp/x",
      "OMPI_MCA_ess=^singleton",
      "OMPI_MCA_ess_base_jobid=123",
      "OMPI_MCA_ess_base_vpid=1",
      "OMPI_MCA_initial_wdir=/tmp",
      "OMPI_MCA_mpi_oversubscribe=0",
      "OMPI_MCA_orte_hnp_uri=1.0;tcp://x",
      "OMPI_MCA_orte_launch=1",
      "OMPI_MCA_orte_num_nodes=1",
      "OMPI_MCA_orte_precondition_transports=abc-def",
      "OMPI_MCA_pmix=^s1,s2,cray,isolated",
      "OMPI_MCA_shmem_RUNTIME_QUERY_hint=mmap",
      "HYDRA_CONTROL_FD=4",
      "HYDI_CONTROL_FD=4",
      "MPI_LOCALRANKID=0",
      "MPI_LOCALNRANKS=2",
      "MPIPOOL_SEQ=5",
      "MPIPOOL_WORKER=3",
  };
  for (size_t i = 0; i < sizeof dropped / sizeof *dropped; i++)
    is_int(cli_taskenv_keep(dropped[i]), 0, dropped[i]);

  char *env[] = {(char *)"PATH=/bin",
                 (char *)"PMIX_RANK=0",
                 (char *)"HOME=/root",
                 (char *)"OMPI_MCA_btl=self",
                 (char *)"OMPI_COMM_WORLD_RANK=1",
                 (char *)"MPIPOOL_SEQ=99",
                 (char *)"OMPI_MCA_ess_base_jobid=7",
                 NULL};
  cli_taskenv_t e;
  is_int(cli_taskenv_init(&e, env), 0, "init from a launcher's environment");
  is_int(e.n, 3, "3 entries kept");
  if (e.n == 3) {
    ok(e.v[0] == env[0] && e.v[1] == env[2] && e.v[2] == env[3],
       "kept entries borrowed, in order");
  }
  cli_taskenv_set(&e, 7, 2, 0);
  if (e.n == 3) {
    is_str(e.v[3], "MPIPOOL_SEQ=7", "MPIPOOL_SEQ set");
    is_str(e.v[4], "MPIPOOL_WORKER=2", "MPIPOOL_WORKER set");
    ok(e.v[5] == NULL, "vector NULL-terminated");
  }
  cli_taskenv_set(&e, ULLONG_MAX, -1, 0);
  int seqs = 0, workers = 0, launcher = 0;
  size_t n = 0;
  for (; e.v[n] != NULL; n++) {
    seqs += strncmp(e.v[n], "MPIPOOL_SEQ=", 12) == 0;
    workers += strncmp(e.v[n], "MPIPOOL_WORKER=", 15) == 0;
    launcher += strncmp(e.v[n], "PMIX_", 5) == 0 ||
                strncmp(e.v[n], "OMPI_COMM_WORLD_", 16) == 0 ||
                strncmp(e.v[n], "OMPI_MCA_ess", 12) == 0;
  }
  ok(n == 5 && seqs == 1 && workers == 1 && launcher == 0,
     "set again: one MPIPOOL_SEQ, one MPIPOOL_WORKER, no launcher variable");
  if (e.n == 3) {
    is_str(e.v[3], "MPIPOOL_SEQ=18446744073709551615", "MPIPOOL_SEQ max");
    is_str(e.v[4], "MPIPOOL_WORKER=-1", "MPIPOOL_WORKER -1");
  }
  cli_taskenv_free(&e);
  ok(e.v == NULL, "free empties it");
  cli_taskenv_free(&e);
  cli_taskenv_free(NULL);
  ok(1, "free twice and free(NULL) are harmless");

  is_int(cli_taskenv_init(&e, NULL), 0, "init from no environment");
  cli_taskenv_set(&e, 1, 0, 0);
  ok(e.n == 0 && strcmp(e.v[0], "MPIPOOL_SEQ=1") == 0 &&
         strcmp(e.v[1], "MPIPOOL_WORKER=0") == 0 && e.v[2] == NULL,
     "no environment: only ours");
  cli_taskenv_free(&e);

  char *empty[] = {NULL};
  is_int(cli_taskenv_init(&e, empty), 0, "init from an empty environment");
  cli_taskenv_set(&e, 2, 1, 0);
  ok(e.n == 0 && e.v[2] == NULL && strcmp(e.v[0], "MPIPOOL_SEQ=2") == 0,
     "empty environment: only ours");
  cli_taskenv_free(&e);
}

/* The value of NAME in e, or NULL; *count how many entries set it. */
static const char *value(const cli_taskenv_t *e, const char *name, int *count) {
  const char *v = NULL;
  size_t len = strlen(name);
  *count = 0;
  for (size_t i = 0; e->v[i]; i++)
    if (strncmp(e->v[i], name, len) == 0 && e->v[i][len] == '=') {
      v = e->v[i] + len + 1;
      (*count)++;
    }
  return v;
}

static void test_slot_and_resources(void) {
  cli_taskenv_t e;
  int k;
  char *env[] = {(char *)"PATH=/bin", (char *)"CUDA_VISIBLE_DEVICES=0,1,2,3",
                 (char *)"MPIPOOL_SLOT=9", (char *)"ROCR_VISIBLE_DEVICES=7",
                 NULL};
  is_int(cli_taskenv_init(&e, env), 0, "init with GPU variables");
  cli_taskenv_set(&e, 3, 4, 2);
  is_str(value(&e, "MPIPOOL_SLOT", &k), "2", "MPIPOOL_SLOT set");
  is_int(k, 1, "MPIPOOL_SLOT once (the worker's own dropped)");
  cli_taskenv_set(&e, 4, 4, 0);
  ok(value(&e, "MPIPOOL_SLOT", &k) == NULL && k == 0,
     "slot 0 (unknown): no MPIPOOL_SLOT");
  ok(value(&e, "OMP_NUM_THREADS", &k) == NULL, "no OMP_NUM_THREADS asked");
  is_int(cli_taskenv_resources(&e, 4, NULL), 0, "4 cores");
  is_str(value(&e, "OMP_NUM_THREADS", &k), "4", "OMP_NUM_THREADS=4");
  is_str(value(&e, "CUDA_VISIBLE_DEVICES", &k), "0,1,2,3",
         "no GPUs asked: the environment's CUDA_VISIBLE_DEVICES stays");
  is_int(cli_taskenv_resources(&e, 4, "2,3"), 0, "GPUs 2,3");
  cli_taskenv_set(&e, 5, 4, 2);
  is_str(value(&e, "CUDA_VISIBLE_DEVICES", &k), "2,3",
         "CUDA_VISIBLE_DEVICES: the task's");
  is_int(k, 1, "CUDA_VISIBLE_DEVICES once");
  is_str(value(&e, "ROCR_VISIBLE_DEVICES", &k), "2,3",
         "ROCR_VISIBLE_DEVICES: the task's");
  is_int(k, 1, "ROCR_VISIBLE_DEVICES once");
  is_str(value(&e, "MPIPOOL_GPUS", &k), "2,3", "MPIPOOL_GPUS");
  is_str(value(&e, "OMP_NUM_THREADS", &k), "4", "OMP_NUM_THREADS kept");
  is_int(k, 1, "OMP_NUM_THREADS once");
  is_str(value(&e, "MPIPOOL_SLOT", &k), "2", "slot after resources");
  is_str(value(&e, "PATH", &k), "/bin", "PATH kept");
  cli_taskenv_free(&e);

  char *user[] = {(char *)"OMP_NUM_THREADS=1", NULL};
  is_int(cli_taskenv_init(&e, user), 0, "init with OMP_NUM_THREADS=1");
  is_int(cli_taskenv_resources(&e, 8, NULL), 0, "8 cores");
  is_str(value(&e, "OMP_NUM_THREADS", &k), "1",
         "the user's OMP_NUM_THREADS wins");
  is_int(k, 1, "OMP_NUM_THREADS once");
  cli_taskenv_free(&e);
}

int main(void) {
  test_taskenv();
  test_slot_and_resources();
  return tap_done();
}
