/*
 * test_master_watch.c - a spawned worker's watch of its master
 * (master_watch.c): the master names itself ("PID:START@NODE"), a worker
 * on its node watches it and finds it gone once the process has ended
 * (reaped or a zombie) or its pid names another process; elsewhere, or
 * with a malformed name, nothing is watched; the variable does not reach
 * the worker's tasks; between looks the answer costs no system call.
 */
#include "config.h"

#include "base/alloc.h"
#include "placement/launcher.h"
#include "placement/procs.h"
#include "worker/master_watch.h"
#include "../tap.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Watches what `value` names (NULL: the variable unset). */
static void watch(mpipool__master_watch_t *mw, const char *value) {
  if (value)
    setenv(MPIPOOL__MASTER_ENV, value, 1);
  else
    unsetenv(MPIPOOL__MASTER_ENV);
  mpipool__master_watch_init(mw);
}

static void nap_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

int main(void) {
  mpipool__master_watch_t mw;
  char v[512] = "", line[512], other[600];
  is_int(mpipool__master_watch_name(v, sizeof v), 0, "the master's name");
  char *node = mpipool__node_name_dup();
  char want[512];
  snprintf(want, sizeof want, "%ld:", (long)getpid());
  ok(strncmp(v, want, strlen(want)) == 0 && node && strchr(v, '@') &&
         strcmp(strchr(v, '@') + 1, node) == 0,
     "... its pid, start time and node (%s)", v);
  char env[600], want_env[600];
  snprintf(want_env, sizeof want_env, "%s=%s\n", MPIPOOL__MASTER_ENV, v);
  ok(mpipool__master_watch_env(env, sizeof env) == 0 &&
         strcmp(env, want_env) == 0,
     "its line for the spawn's env: MPIPOOL_MASTER=name, a newline");
  strcpy(line, "x");
  is_int(mpipool__master_watch_env(line, 8), -1,
         "a buffer too small for it: -1");
  ok(strcmp(line, "x") == 0, "... and the buffer left as it was");

  watch(&mw, v);
  ok(mw.pid == getpid(), "a master on this node is watched");
  ok(getenv(MPIPOOL__MASTER_ENV) == NULL,
     "the variable is taken out of the environment (not for tasks)");
  is_int(mpipool__master_watch_gone(&mw), 0, "a live master is not gone");

  /* A master that ends: as a zombie first, then reaped. */
  pid_t child = fork();
  if (child == 0) {
    pause();
    _exit(0);
  }
  nap_ms(50);
  char cv[512];
  unsigned long long start = mpipool__procs_started(child);
  mpipool__master_watch_t probe;
  snprintf(cv, sizeof cv, "%ld:%llu@%s", (long)child, start + 1, node);
  watch(&probe, cv);
  ok(start && probe.pid == child && mpipool__master_watch_gone(&probe) == 1,
     "a pid whose start time is not the one named is gone (a pid reused)");
  snprintf(cv, sizeof cv, "%ld:%llu@%s", (long)child, start, node);
  watch(&mw, cv);
  is_int(mpipool__master_watch_gone(&mw), 0, "a live child master: not gone");
  kill(child, SIGKILL);
  nap_ms(50);
  is_int(
      mpipool__master_watch_gone(&mw), 0,
      "asked again within the watch's interval: the last answer, not looked");
  nap_ms(MPIPOOL__MASTER_WATCH_MS + 20);
  is_int(mpipool__master_watch_gone(&mw), 1, "killed, not reaped: gone");
  waitpid(child, NULL, 0);
  watch(&mw, cv);
  is_int(mpipool__master_watch_gone(&mw), 1, "reaped: gone");

  snprintf(other, sizeof other, "%ld:%llu@not-%s", (long)child, start, node);
  watch(&mw, other);
  ok(mw.pid == 0 && mpipool__master_watch_gone(&mw) == 0,
     "a master on another node: not watched, never gone");
  static const char *const bad[] = {"",      "12",    "12:",    "12:34",
                                    "x:1@n", "0:1@n", "-5:1@n", "5:0@n"};
  int none = 1;
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    watch(&mw, bad[i]);
    none = none && mw.pid == 0 && mpipool__master_watch_gone(&mw) == 0;
  }
  ok(none, "malformed names: nothing watched, never gone");
  watch(&mw, NULL);
  ok(mw.pid == 0 && mpipool__master_watch_gone(&mw) == 0,
     "no variable (a launcher's rank, another MPI): nothing watched");
  mpipool__free(node);
  return tap_done();
}
