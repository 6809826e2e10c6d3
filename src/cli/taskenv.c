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
static const char *const own[] = {"MPIPOOL_SEQ=", "MPIPOOL_WORKER="};

int cli_taskenv_keep(const char *entry) {
  if (mpipool_launch_var(entry))
    return 0;
  for (size_t i = 0; i < sizeof own / sizeof *own; i++)
    if (strncmp(entry, own[i], strlen(own[i])) == 0)
      return 0;
  return 1;
}

int cli_taskenv_init(cli_taskenv_t *e, char *const *env) {
  size_t total = 0;
  memset(e, 0, sizeof *e);
  while (env && env[total])
    total++;
  e->v = cli_malloc((total + 3) * sizeof *e->v);
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
  /* 20 digits and a sign at most: both fit their 48 bytes. */
  cli_fmt(e->seq, sizeof e->seq, "MPIPOOL_SEQ=%llu", seq);
  cli_fmt(e->worker, sizeof e->worker, "MPIPOOL_WORKER=%ld", worker);
}

void cli_taskenv_free(cli_taskenv_t *e) {
  if (e == NULL)
    return;
  cli_free(e->v);
  e->v = NULL;
  e->n = 0;
}
