/*
 * comm_spawn.c - starting more worker processes with MPI_Comm_spawn (see
 * comm_spawn.h).
 */
#include "config.h"
#include "comm_spawn.h"

#include "mpipool.h"
#include "base/alloc.h"
#include "base/clock.h"
#include "base/env.h"
#include "base/text.h"
#include "daemon.h"
#include "init_watch.h"
#include "launcher.h"
#include "mpihints.h"
#include "procs.h"
#include "worker/master_watch.h"
#include "worker/start_guard.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Reads this process's arguments (without argv[0]) as a NULL-terminated
 * vector in one allocation. */
static char **own_args(void) {
  size_t len;
  char *data = mpipool__read_file("/proc/self/cmdline", &len);
  if (data == NULL)
    return NULL;
  size_t argc = 0;
  for (size_t i = 0; i < len; i++)
    argc += data[i] == '\0';
  char **argv = mpipool__malloc((argc + 1) * sizeof *argv + len);
  if (argv == NULL) {
    mpipool__free(data);
    return NULL;
  }
  char *copy = (char *)(argv + argc + 1);
  memcpy(copy, data, len);
  mpipool__free(data);
  size_t k = 0, at = 0;
  while (at < len) {
    if (k > 0) /* skip argv[0]: MPI_Comm_spawn takes the command apart */
      argv[k - 1] = copy + at;
    k++;
    at += strlen(copy + at) + 1;
  }
  argv[k ? k - 1 : 0] = NULL;
  return argv;
}

/* Processes of stuck spawns (see mpipool__comm_spawn_end_stuck): one
 * list for the process, as MPI's job is one. */
#define MAX_STUCK 64
/* The most children of the launcher's daemon looked at (its ranks and
 * spawned processes on this node). */
#define MAX_CHILDREN 4096
static pid_t stuck[MAX_STUCK];
static size_t nstuck;
static size_t nremote; /* stuck spawns on other nodes: not seen from here */
static pthread_mutex_t stuck_lock = PTHREAD_MUTEX_INITIALIZER;
/* Calls of MPI_Comm_spawn not returned yet, given up or not. */
static atomic_int inside;

/* The processes whose parent is `parent` and which run `exe` (a resolved
 * path), into out (up to max); how many. */
static size_t kin(const char *exe, pid_t parent, pid_t *out, size_t max) {
  pid_t child[MAX_CHILDREN];
  size_t nchild = mpipool__procs_children(parent, child, MAX_CHILDREN);
  size_t n = 0;
  for (size_t i = 0; i < nchild && n < max; i++) {
    char path[64], target[PATH_MAX];
    snprintf(path, sizeof path, "/proc/%ld/exe", (long)child[i]);
    ssize_t len = readlink(path, target, sizeof target - 1);
    if (len <= 0)
      continue;
    target[len] = '\0';
    if (strcmp(target, exe) == 0)
      out[n++] = child[i];
  }
  return n;
}

/* Whether host (as given to a spawn: a plan's node name) is this node:
 * none given is.  Named as the plan names nodes (mpipool__node_name_dup:
 * Slurm's name for it, else the host name). */
static int here(const char *host) {
  if (host == NULL || host[0] == '\0')
    return 1;
  char *me = mpipool__node_name_dup();
  int same = me && strcmp(host, me) == 0;
  mpipool__free(me);
  return same;
}

/* The processes of `exe` that `daemon` (mpipool__daemon_local) started
 * since `before` was taken, into out (up to max); how many. */
static size_t arrived(const char *exe, pid_t daemon, const pid_t *before,
                      size_t nbefore, pid_t *out, size_t max) {
  char real[PATH_MAX];
  pid_t now[MAX_CHILDREN];
  if (realpath(exe, real) == NULL)
    return 0;
  size_t n = kin(real, daemon, now, MAX_CHILDREN), got = 0;
  for (size_t i = 0; i < n && got < max; i++) {
    size_t k = 0;
    while (k < nbefore && before[k] != now[i])
      k++;
    if (k == nbefore)
      out[got++] = now[i];
  }
  return got;
}

/* After a stuck spawn: the processes that arrived on this node since
 * `before` are its.  A spawn on another node is counted, as not known. */
static void note_stuck(const char *exe, const char *host, pid_t daemon,
                       const pid_t *before, size_t nbefore) {
  pid_t now[MAX_STUCK];
  if (!here(host)) {
    pthread_mutex_lock(&stuck_lock);
    nremote++;
    pthread_mutex_unlock(&stuck_lock);
    return;
  }
  size_t n = arrived(exe, daemon, before, nbefore, now, MAX_STUCK);
  pthread_mutex_lock(&stuck_lock);
  for (size_t i = 0; i < n && nstuck < MAX_STUCK; i++)
    stuck[nstuck++] = now[i];
  pthread_mutex_unlock(&stuck_lock);
}

/* After a spawn of n processes that worked: their process ids on this
 * node into pids (n of them), when exactly n arrived since `before`;
 * else zeros (another node, or others arrived too: not told apart). */
static void note_found(const char *exe, const char *host, pid_t daemon,
                       const pid_t *before, size_t nbefore, int n,
                       uint32_t *pids) {
  pid_t *now = mpipool__malloc(((size_t)n + 1) * sizeof *now);
  size_t got = now && here(host)
                   ? arrived(exe, daemon, before, nbefore, now, (size_t)n + 1)
                   : 0;
  for (int i = 0; i < n; i++)
    pids[i] = got == (size_t)n ? (uint32_t)now[i] : 0;
  mpipool__free(now);
}

size_t mpipool__comm_spawn_stuck_left(void) {
  pthread_mutex_lock(&stuck_lock);
  size_t n = nremote;
  for (size_t i = 0; i < nstuck; i++)
    n += kill(stuck[i], 0) == 0;
  pthread_mutex_unlock(&stuck_lock);
  return n;
}

int mpipool__comm_spawn_calls_left(double seconds) {
  double deadline = mpipool__now() + seconds;
  const struct timespec tick = {0, 10 * 1000 * 1000};
  while (atomic_load(&inside) > 0 && mpipool__now() < deadline)
    nanosleep(&tick, NULL);
  return atomic_load(&inside);
}

size_t mpipool__comm_spawn_end_stuck(void) {
  pthread_mutex_lock(&stuck_lock);
  size_t n = nstuck;
  for (size_t i = 0; i < nstuck; i++)
    kill(stuck[i], SIGKILL);
  nstuck = 0;
  pthread_mutex_unlock(&stuck_lock);
  return n;
}

/* One MPI_Comm_spawn call, shared by the thread that makes it and the
 * caller that waits for it (spawn_bounded).  A call given up belongs to
 * its thread, which frees its memory when (if ever) MPI returns, and
 * leaves its MPI objects: MPI may be finalized by then. */
typedef struct {
  pthread_mutex_t lock;
  pthread_cond_t cv;
  int finished, abandoned, rc, n;
  char exe[PATH_MAX];
  char **argv;
  int *codes;
  MPI_Info info;
  MPI_Comm self, inter;
} call_t;

static void call_free(call_t *c) {
  pthread_cond_destroy(&c->cv);
  pthread_mutex_destroy(&c->lock);
  mpipool__free(c->argv);
  mpipool__free(c->codes);
  mpipool__free(c);
}

/* A call with its lock, and a condition that waits on the monotonic
 * clock; NULL when out of memory. */
static call_t *call_new(void) {
  call_t *c = mpipool__calloc(1, sizeof *c);
  if (c == NULL || mpipool__clock_cond_init(&c->cv) != 0) {
    mpipool__free(c);
    return NULL;
  }
  pthread_mutex_init(&c->lock, NULL);
  c->info = MPI_INFO_NULL;
  c->self = c->inter = MPI_COMM_NULL;
  return c;
}

static void *call_run(void *arg) {
  call_t *c = arg;
  atomic_fetch_add(&inside, 1);
  int rc = MPI_Comm_spawn(c->exe, c->argv, c->n, c->info, 0, c->self, &c->inter,
                          c->codes);
  atomic_fetch_sub(&inside, 1);
  pthread_mutex_lock(&c->lock);
  c->rc = rc;
  c->finished = 1;
  int orphan = c->abandoned;
  pthread_cond_signal(&c->cv);
  pthread_mutex_unlock(&c->lock);
  if (orphan)
    call_free(c);
  return NULL;
}

/* How long a spawn may take before mpipool gives it up itself: Open MPI
 * gives a stuck spawn up at its bound (mpipool__hints_spawn_bound), but a
 * spawn was seen never to return (CI, a sanitized build: a new process's
 * MPI_Init failed, and the master's MPI_Comm_spawn waited 300 s until
 * killed).  MPIPOOL_SPAWN_TIMEOUT (seconds) sets it; 0: no bound.  Where
 * MPI's bound is not known (the program initialized MPI itself, so
 * mpipool set none, and Open MPI's default is 600 s; or another MPI), the
 * default is what it is with the bound mpipool sets. */
#define SPAWN_LIMIT_DEFAULT 50.0
static int limit_said; /* a bad value is said once in the process */
static double spawn_limit(void) {
  double bound = mpipool__hints_spawn_bound();
  return mpipool__env_seconds("MPIPOOL_SPAWN_TIMEOUT",
                              bound > 0 ? bound * 1.5 + 5 : SPAWN_LIMIT_DEFAULT,
                              86400, &limit_said);
}

/* Makes the call c in a thread of its own and waits at most `limit`
 * seconds for it: 1 when it returned (c->rc set), 0 when it was given up
 * (c is then its thread's).  Without MPI_THREAD_MULTIPLE, or with no
 * limit, the call is made here and waited for. */
static int single_said; /* said once in the process */
static int spawn_bounded(call_t *c, double limit) {
  int level = MPI_THREAD_SINGLE;
  pthread_t t;
  MPI_Query_thread(&level);
  if (limit > 0 && level != MPI_THREAD_MULTIPLE && !single_said) {
    single_said = 1;
    fprintf(stderr, "mpipool: warning: MPI runs without "
                    "MPI_THREAD_MULTIPLE (the program initialized it): a "
                    "spawn that MPI never returns from cannot be given up\n");
  }
  if (limit <= 0 || level != MPI_THREAD_MULTIPLE ||
      pthread_create(&t, NULL, call_run, c) != 0) {
    call_run(c);
    return 1;
  }
  pthread_detach(t);
  struct timespec until = mpipool__clock_deadline(limit);
  pthread_mutex_lock(&c->lock);
  while (!c->finished &&
         pthread_cond_timedwait(&c->cv, &c->lock, &until) != ETIMEDOUT)
    ;
  int finished = c->finished;
  c->abandoned = !finished;
  pthread_mutex_unlock(&c->lock);
  return finished;
}

/* Whether fault ("KIND:K" or "KIND:K-", kind with its colon) names the
 * nth spawn: the Kth, or with "-" the Kth and every later one. */
static int fault_hits(const char *fault, const char *kind, int nth) {
  size_t len = strlen(kind);
  if (fault == NULL || strncmp(fault, kind, len) != 0)
    return 0;
  char *end;
  long from = strtol(fault + len, &end, 10);
  return from > 0 && (nth == from || (*end == '-' && nth > from));
}

int mpipool__comm_spawn(int n, const char *host, MPI_Comm *inter,
                        uint32_t *pids, char *why, size_t whylen) {
  int err = MPIPOOL_OK;
  for (int i = 0; pids && i < n; i++)
    pids[i] = 0;
  /* Fault injection for the tests: MPIPOOL_FAULT_SPAWN=1 makes every
   * spawn fail, as on a system without dynamic processes;
   * MPIPOOL_FAULT_SPAWN=hang:K makes the Kth spawn of this process start
   * a program that never calls MPI_Init (sleep), so that MPI_Comm_spawn
   * waits as it does when Open MPI 4.1 with PMIx 4 loses a new process's
   * first request; MPIPOOL_FAULT_SPAWN=hang:K- makes the Kth and every
   * later spawn stick; slow:K (or slow:K-) makes it begin a second late,
   * as a spawn slow to come back. */
  static atomic_int spawns;
  int nth = atomic_fetch_add(&spawns, 1) + 1;
  const char *fault = getenv("MPIPOOL_FAULT_SPAWN");
  if (fault && strcmp(fault, "1") == 0) {
    mpipool__fmt(why, whylen, "spawning disabled by MPIPOOL_FAULT_SPAWN=1");
    return MPIPOOL_ESPAWN;
  }
  int hang = fault_hits(fault, "hang:", nth);
  if (fault_hits(fault, "slow:", nth))
    sleep(1);
  call_t *c = call_new();
  if (c == NULL) {
    mpipool__fmt(why, whylen, "out of memory");
    return MPIPOOL_ENOMEM;
  }
  ssize_t len = readlink("/proc/self/exe", c->exe, sizeof c->exe - 1);
  if (len <= 0) {
    call_free(c);
    mpipool__fmt(why, whylen, "cannot find this program's path");
    return MPIPOOL_ESPAWN;
  }
  c->exe[len] = '\0';
  c->n = n;
  c->argv = own_args();
  static char *sleep_argv[] = {"600", NULL};
  if (hang) {
    snprintf(c->exe, sizeof c->exe, "/bin/sleep");
    mpipool__free(c->argv);
    c->argv = mpipool__malloc(sizeof sleep_argv);
    if (c->argv)
      memcpy(c->argv, sleep_argv, sizeof sleep_argv);
  }
  /* Who runs the program here before, to tell the spawn's own (exe: a
   * given-up call is not ours to read). */
  char exe[PATH_MAX], real[PATH_MAX];
  snprintf(exe, sizeof exe, "%s", c->exe);
  pid_t daemon = mpipool__daemon_local();
  pid_t *before = mpipool__malloc(MAX_CHILDREN * sizeof *before);
  size_t nbefore = before && realpath(exe, real)
                       ? kin(real, daemon, before, MAX_CHILDREN)
                       : 0;
  double t0 = mpipool__now();
  c->codes = mpipool__malloc((size_t)n * sizeof *c->codes);
  if (c->argv == NULL || c->codes == NULL) {
    err = MPIPOOL_ENOMEM;
    mpipool__fmt(why, whylen, "out of memory");
    goto out;
  }
  /* Spawn through a private copy of MPI_COMM_SELF that returns errors, so a
   * refused spawn is reported instead of aborting the job. */
  if (MPI_Comm_dup(MPI_COMM_SELF, &c->self) != MPI_SUCCESS ||
      MPI_Comm_set_errhandler(c->self, MPI_ERRORS_RETURN) != MPI_SUCCESS ||
      MPI_Info_create(&c->info) != MPI_SUCCESS) {
    err = MPIPOOL_EMPI;
    mpipool__fmt(why, whylen, "MPI setup for spawning failed");
    goto out;
  }
#ifdef OPEN_MPI
  /* Open MPI refuses to place processes beyond the slots of the job (a
   * singleton or mpirun -n N on N cores has none left); this key lets it
   * oversubscribe, so that users need not know --oversubscribe. */
  MPI_Info_set(c->info, "map_by", "slot:OVERSUBSCRIBE");
  /* The pool binds its workers itself (topology.h), or with binding off
   * leaves them on the node's cores: Open MPI's own default bound each
   * spawned worker to one core, which a pool with binding off kept (its
   * threaded tasks had one core each).  A policy the user set stays. */
  if (getenv("OMPI_MCA_hwloc_base_binding_policy") == NULL)
    MPI_Info_set(c->info, "bind_to", "none");
  /* Under mpirun, a worker whose MPI_Init fails would end the whole job:
   * its start is guarded (start_guard.h).  A singleton's own runtime
   * keeps its job (mpihints.c).  Every spawned process is marked, so
   * that it forks no watcher of its launcher (init_watch.h).
   * MPIPOOL_FAULT_SPAWN=unreach:K makes the
   * Kth spawn's MPI_Init fail, as PMIx 4 now and then does, stall:K its
   * PMIx server leave it unread (tests). */
  char env[MPI_MAX_INFO_VAL]; /* a longer value is refused (fatal) */
  snprintf(env, sizeof env, "%s=1\n", MPIPOOL__SPAWNED_ENV);
  if (mpipool__launched())
    snprintf(env + strlen(env), sizeof env - strlen(env), "%s=1\n",
             MPIPOOL__START_GUARD_ENV);
  if (fault && strncmp(fault, "unreach:", 8) == 0 && atoi(fault + 8) == nth)
    strcat(env, "MPIPOOL_FAULT_INIT=unreach\n");
  if (fault && strncmp(fault, "stall:", 6) == 0 && atoi(fault + 6) == nth)
    strcat(env, "MPIPOOL_FAULT_INIT=stall\n");
  /* Names the master, so that a worker on its node never waits for it
   * once it is gone (master_watch.h); where the rest of env has no room
   * for it, it is left out.  Then the PML, where there is room left (a
   * 200-character node name leaves none). */
  mpipool__master_watch_env(env + strlen(env), sizeof env - strlen(env));
  mpipool__hints_spawn_env(env, sizeof env);
  MPI_Info_set(c->info, "env", env);
#endif
  /* "host" is a key the MPI standard reserves for MPI_Comm_spawn. */
  if (host && host[0])
    MPI_Info_set(c->info, "host", host);
  const char *on = host && host[0] ? " on " : "";
  double limit = spawn_limit();
  if (!spawn_bounded(c, limit)) {
    /* The call is its thread's now; its processes are treated as those
     * of any stuck spawn. */
    if (before)
      note_stuck(exe, host, daemon, before, nbefore);
    mpipool__free(before);
    mpipool__fmt(why, whylen,
                 "MPI_Comm_spawn of %d process(es)%s%s given up after %.0f s "
                 "(MPI never returned from it)",
                 n, on, host ? host : "", limit);
    return MPIPOOL_ETIMEDOUT;
  }
  if (c->rc != MPI_SUCCESS) {
    char msg[MPI_MAX_ERROR_STRING];
    int mlen = 0;
    MPI_Error_string(c->rc, msg, &mlen);
    double took = mpipool__now() - t0;
    double bound = mpipool__hints_spawn_bound();
    int stuck = bound > 0 && took >= 0.9 * bound;
    if (stuck && before)
      note_stuck(exe, host, daemon, before, nbefore);
    if (stuck)
      mpipool__fmt(why, whylen,
                   "MPI_Comm_spawn of %d process(es)%s%s did not complete in "
                   "%.0f s (%s): its process%s never reached MPI_Init",
                   n, on, host ? host : "", took, msg, n == 1 ? "" : "es");
    else
      mpipool__fmt(why, whylen,
                   "MPI_Comm_spawn of %d process(es)%s%s failed: %s", n, on,
                   host ? host : "", msg);
    err = stuck ? MPIPOOL_ETIMEDOUT : MPIPOOL_ESPAWN;
    goto out;
  }
  *inter = c->inter;
  MPI_Comm_set_errhandler(*inter, MPI_ERRORS_RETURN);
  if (pids && before)
    note_found(exe, host, daemon, before, nbefore, n, pids);
out:
  mpipool__free(before);
  if (c->info != MPI_INFO_NULL)
    MPI_Info_free(&c->info);
  if (c->self != MPI_COMM_NULL)
    MPI_Comm_free(&c->self);
  call_free(c);
  return err;
}
