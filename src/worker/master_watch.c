/*
 * master_watch.c - a spawned worker does not wait for ever for a master
 * that is gone (see master_watch.h).
 */
#include "master_watch.h"

#include "base/alloc.h"
#include "base/clock.h"
#include "placement/launcher.h"
#include "placement/procs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int mpipool__master_watch_name(char *buf, size_t size) {
  unsigned long long start = mpipool__procs_started(getpid());
  char *node = mpipool__node_name_dup();
  int n = -1;
  if (node && start)
    n = snprintf(NULL, 0, "%ld:%llu@%s", (long)getpid(), start, node);
  if (n >= 0 && (size_t)n < size)
    snprintf(buf, size, "%ld:%llu@%s", (long)getpid(), start, node);
  mpipool__free(node);
  return n >= 0 && (size_t)n < size ? 0 : -1;
}

int mpipool__master_watch_env(char *buf, size_t size) {
  char name[320];
  size_t k = strlen(MPIPOOL__MASTER_ENV);
  if (mpipool__master_watch_name(name, sizeof name) != 0 ||
      k + strlen(name) + 2 >= size)
    return -1;
  snprintf(buf, size, "%s=%s\n", MPIPOOL__MASTER_ENV, name);
  return 0;
}

void mpipool__master_watch_from(mpipool__master_watch_t *mw, const char *name) {
  *mw = (mpipool__master_watch_t){0};
  long pid = 0;
  unsigned long long start = 0;
  int at = 0;
  if (name == NULL || sscanf(name, "%ld:%llu@%n", &pid, &start, &at) != 2 ||
      at == 0 || pid <= 0 || start == 0)
    return;
  char *node = mpipool__node_name_dup();
  /* Where /proc cannot be read, every process would look gone. */
  if (node && strcmp(node, name + at) == 0 &&
      mpipool__procs_started(getpid()) != 0) {
    mw->pid = (pid_t)pid;
    mw->start = start;
  }
  mpipool__free(node);
}

void mpipool__master_watch_init(mpipool__master_watch_t *mw) {
  mpipool__master_watch_from(mw, getenv(MPIPOOL__MASTER_ENV));
  unsetenv(MPIPOOL__MASTER_ENV);
}

int mpipool__master_watch_gone(mpipool__master_watch_t *mw) {
  if (mw->pid == 0)
    return 0;
  double now = mpipool__now();
  if (now < mw->next)
    return 0;
  mw->next = now + MPIPOOL__MASTER_WATCH_MS / 1000.0;
  /* Gone, a zombie (0), or another process under its pid. */
  return mpipool__procs_started(mw->pid) != mw->start;
}
