/*
 * taskenv.c - filters the launcher's variables out of a task's
 * environment and adds the task's own.
 */
#include "taskenv.h"
#include "alloc.h"
#include "fmt.h"

#include "mpipool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A task's own variables, set anew for each task. */
static const char *const own[] = {
    "MPIPOOL_SEQ=", "MPIPOOL_WORKER=", "MPIPOOL_SLOT="};

/* The variables that name a task's GPUs: replaced when GPUs are given. */
static const char *const gpu_vars[] = {"CUDA_VISIBLE_DEVICES",
                                       "ROCR_VISIBLE_DEVICES", "MPIPOOL_GPUS"};

static int named(const char *entry, const char *name) {
  size_t len = strlen(name);
  return strncmp(entry, name, len) == 0 && entry[len] == '=';
}

int cli_taskenv_keep(const char *entry) {
  if (mpipool_launch_var(entry))
    return 0;
  for (size_t i = 0; i < sizeof own / sizeof *own; i++)
    if (strncmp(entry, own[i], strlen(own[i])) == 0)
      return 0;
  return 1;
}

/* Lays out the task's own entries after the kept ones. */
static void lay_out(cli_taskenv_t *e) {
  size_t k = e->n;
  e->v[k++] = e->seq;
  e->v[k++] = e->worker;
  if (e->slot[0])
    e->v[k++] = e->slot;
  for (size_t i = 0; i < e->nres; i++)
    e->v[k++] = e->res[i];
  e->v[k] = NULL;
}

int cli_taskenv_init(cli_taskenv_t *e, char *const *env) {
  size_t total = 0;
  memset(e, 0, sizeof *e);
  while (env && env[total])
    total++;
  e->v = cli_malloc((total + CLI_TASKENV_OWN + 1) * sizeof *e->v);
  if (e->v == NULL)
    return -1;
  e->n = 0;
  for (size_t i = 0; i < total; i++)
    if (cli_taskenv_keep(env[i]))
      e->v[e->n++] = env[i];
  lay_out(e);
  return 0;
}

void cli_taskenv_set(cli_taskenv_t *e, unsigned long long seq, long worker,
                     long slot) {
  /* 20 digits and a sign at most: each fits its 48 bytes. */
  cli_fmt(e->seq, sizeof e->seq, "MPIPOOL_SEQ=%llu", seq);
  cli_fmt(e->worker, sizeof e->worker, "MPIPOOL_WORKER=%ld", worker);
  if (slot > 0)
    cli_fmt(e->slot, sizeof e->slot, "MPIPOOL_SLOT=%ld", slot);
  else
    e->slot[0] = '\0';
  lay_out(e);
}

static void free_res(cli_taskenv_t *e) {
  for (size_t i = 0; i < e->nres; i++)
    cli_free(e->res[i]);
  e->nres = 0;
}

int cli_taskenv_resources(cli_taskenv_t *e, int cores, const char *gpus) {
  char *res[4];
  size_t nres = 0;
  int omp_set = 0;
  for (size_t i = 0; i < e->n; i++)
    omp_set |= named(e->v[i], "OMP_NUM_THREADS");
  if (cores > 0 && !omp_set)
    res[nres++] = cli_afmt("OMP_NUM_THREADS=%d", cores);
  for (size_t i = 0; gpus && i < sizeof gpu_vars / sizeof *gpu_vars; i++)
    res[nres++] = cli_afmt("%s=%s", gpu_vars[i], gpus);
  for (size_t i = 0; i < nres; i++)
    if (res[i] == NULL) {
      for (size_t k = 0; k < nres; k++)
        cli_free(res[k]);
      return -1;
    }
  /* The environment's own GPU variables give way to the task's. */
  size_t kept = 0;
  for (size_t i = 0; i < e->n; i++) {
    int drop = 0;
    for (size_t k = 0; gpus && k < sizeof gpu_vars / sizeof *gpu_vars; k++)
      drop |= named(e->v[i], gpu_vars[k]);
    if (!drop)
      e->v[kept++] = e->v[i];
  }
  e->n = kept;
  free_res(e);
  memcpy(e->res, res, nres * sizeof *res);
  e->nres = nres;
  lay_out(e);
  return 0;
}

void cli_taskenv_free(cli_taskenv_t *e) {
  if (e == NULL)
    return;
  free_res(e);
  cli_free(e->v);
  e->v = NULL;
  e->n = 0;
}
