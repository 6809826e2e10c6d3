/*
 * test_head_start.c - a pool with a head start (mpipool_set_head_start):
 * where its workers are spawned (a singleton, mpirun -n 1), the master
 * has tasks run by its head (a child process of its own) until they come.
 * Every task and initializer appends to a ledger file, so the checks see
 * where each ran and how often:
 *   - start returns with the size asked for;
 *   - no task and no initializer ever runs in the master's process;
 *   - the first map's results are all right, each item ran exactly once,
 *     and the head ran some of them, after its initializer (once in
 *     each of its children);
 *   - once the workers are there, the master runs nothing;
 *   - a long task in the master does not hold the workers back: a fresh
 *     pool's first map of one long item (until a worker has run a task)
 *     and 20 short ones has the workers run the short ones while the
 *     master runs the long one;
 *   - under mpirun -n 2 and more (workers are ranks) the option changes
 *     nothing: the master runs no task and no initializer;
 *   - with isolation or without, an item that crashes in the head (the
 *     first of its chunk) fails alone (ETASK, the signal named), the
 *     others of the chunk run in a child forked again, after the
 *     initializer, and the pool goes on;
 *   - terminate stops the head's task (30 s) at once;
 *   - a tiny workload ends in the master, and no worker is spawned for
 *     it (the spawn waits until the master needs help: MPIPOOL_HEAD_ALONE
 *     is 30 s there, so that a loaded machine cannot make it need help);
 *   - the head has a hand per place: two items of 1 s run at once in
 *     the head, in two children, places 0 and 1;
 *   - a hand's tasks run on the cores its place's worker binds to (one
 *     core each, not the same two, on a node of 2 cores or more), and
 *     with binding off, on the node's CPUs, as the workers' (not on
 *     the one core a launcher bound the master to, nor on the one Open
 *     MPI bound each spawned worker to);
 *   - once the workers are there, the head's child ends;
 *   - output the master has not written when the head's child is forked
 *     is written once, even where the child flushes every stream;
 *   - with maxtasksperchild, the head's child is replaced as a worker
 *     would be (6 tasks, maxtasksperchild 2: 3 children, 3 initializers);
 *   - MPIPOOL_HEAD_ALONE=soon is said once, and the pool runs;
 *   - MPIPOOL_HEAD_START=0 takes the head start (on by default) from a
 *     pool whose program does not choose, not from one that turns it on;
 *     =maybe is said once and the default kept;
 *   - the master's initializer fails: it runs nothing, its workers all;
 *   - where spawning fails (MPIPOOL_FAULT_SPAWN=1), a second pool's start
 *     still returns, and its map of 40 items of 2 ms (work enough to ask
 *     for workers) runs in the head alone, each item once, not a hang;
 *     a chunk larger than the head takes fails with MPIPOOL_ESPAWN.
 */
#define _GNU_SOURCE /* sched_getaffinity */
#include "common.h"

#include "placement/procs.h"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <stdatomic.h>
#include <mpi.h>
#include <unistd.h>

#define ITEMS 200

/* The master's ledger, which every process learns from the initializer's
 * arguments. */
static char ledger[256];
static pid_t master_pid;   /* this process (read on the master only) */
static int fail_head_init; /* the master's initializer fails (not workers') */
static int flush_in_init;  /* the initializer flushes every stream */
static atomic_int ran_in_master; /* a task or initializer ran here */

/* Notes what ran, by whom (the worker id: 0 is the master's head), in
 * which process. */
static void note(mpipool_ctx_t *ctx, const char *what, int item) {
  char line[80];
  int n = snprintf(line, sizeof line, "%s %ld %d %ld\n", what,
                   (long)mpipool_ctx_worker_id(ctx), item, (long)getpid());
  if (getpid() == master_pid)
    atomic_store(&ran_in_master, 1);
  int fd = open(ledger, O_WRONLY | O_APPEND | O_CREAT, 0600);
  if (fd >= 0) {
    if (write(fd, line, (size_t)n) != n)
      perror("ledger");
    close(fd);
  }
}

static int init(mpipool_ctx_t *ctx, const void *args, size_t size) {
  if (size == 0 || size >= sizeof ledger)
    return mpipool_ctx_fail(ctx, "no ledger");
  memcpy(ledger, args, size);
  ledger[size] = '\0';
  if (fail_head_init && mpipool_ctx_worker_id(ctx) == 0)
    return mpipool_ctx_fail(ctx, "no head today");
  if (flush_in_init)
    fflush(NULL);
  note(ctx, "init", -1);
  return 0;
}

static void sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* The sockets this process has open (-1: unknown). */
static int sockets_open(void) {
  DIR *d = opendir("/proc/self/fd");
  struct dirent *e;
  int n = 0;
  while (d && (e = readdir(d)) != NULL) {
    char path[300], target[64];
    snprintf(path, sizeof path, "/proc/self/fd/%s", e->d_name);
    ssize_t k = readlink(path, target, sizeof target - 1);
    n += k > 0 && strncmp(target, "socket:", 7) == 0;
  }
  if (d)
    closedir(d);
  return d ? n : -1;
}

static int count(const char *what, int *per, int *mine);

/* 1 once a worker (not the head) has noted a task in the ledger. */
static int worker_ran(void) {
  int mine, n = count("task", NULL, &mine);
  return n > mine;
}

/* int -> 2 * int, after 2 ms, noted in the ledger (and, in the head's
 * child, the sockets it has, "sockets 0 N pid", and whether the master
 * forked it, "parent 0 1 pid", or its forker, "parent 0 0 pid").  2000
 * lasts until a worker has noted a task (60 s at most); -1 crashes; 3000
 * notes "long" and sleeps 30 s; 1300 notes "begin" and sleeps 1 s;
 * 4001-4020 take 200 ms in the head. */
/* count ints -> doubled, noted as "chunk" with the count. */
static int t_chunk(mpipool_ctx_t *ctx, const void *in, size_t count,
                   size_t size, void *out) {
  note(ctx, "chunk", (int)count);
  for (size_t i = 0; i < count && size == sizeof(int); i++) {
    int x;
    memcpy(&x, (const char *)in + i * size, sizeof x);
    x *= 2;
    memcpy((char *)out + i * sizeof x, &x, sizeof x);
  }
  return size == sizeof(int) ? 0 : mpipool_ctx_fail(ctx, "bad size");
}

static int t_noted(mpipool_ctx_t *ctx, const void *in, size_t size) {
  int x;
  if (size != sizeof x)
    return mpipool_ctx_fail(ctx, "bad size");
  memcpy(&x, in, sizeof x);
  if (x == -1)
    raise(SIGSEGV);
  if (x == 3000) {
    note(ctx, "long", x);
    sleep_ms(30000);
  }
  if (x == 1300) {
    note(ctx, "begin", x);
    sleep_ms(1000);
  }
  if (x == 2000) { /* however long the workers take to come */
    for (double t0 = test_now(); !worker_ran() && test_now() - t0 < 60;)
      sleep_ms(10);
    sleep_ms(300); /* while every worker but place 0's could run more */
  } else
    sleep_ms(x > 4000 && x <= 4020 && mpipool_ctx_worker_id(ctx) == 0 ? 200
                                                                      : 2);
  note(ctx, "at", (int)mpipool_ctx_place(ctx)); /* the place it ran in */
  note(ctx, "task", x);
  if (mpipool_ctx_worker_id(ctx) == 0) {
    note(ctx, "sockets", sockets_open());
    note(ctx, "parent", getppid() == master_pid); /* 1: forked by it */
  }
  int y = 2 * x;
  return mpipool_ctx_set_output(ctx, &y, sizeof y);
}

/* Counts the ledger's lines of `what`: by item into per (ITEMS), and
 * those written by the master's head into *mine. */
static int count(const char *what, int *per, int *mine) {
  FILE *f = fopen(ledger, "r");
  char w[16];
  int id, item, n = 0;
  *mine = 0;
  if (f == NULL)
    return -1;
  while (fscanf(f, "%15s %d %d %*d", w, &id, &item) == 3) {
    if (strcmp(w, what) != 0)
      continue;
    n++;
    if (id == 0)
      (*mine)++;
    if (per && item >= 0 && item < ITEMS)
      per[item]++;
  }
  fclose(f);
  return n;
}

/* The processes in which the head noted `what` (at most max, each once,
 * in the order seen); how many. */
static int head_pids(const char *what, long *pids, int max) {
  FILE *f = fopen(ledger, "r");
  char w[16];
  int id, item, n = 0;
  long pid;
  while (f && fscanf(f, "%15s %d %d %ld", w, &id, &item, &pid) == 4) {
    int seen = 0;
    for (int i = 0; i < n; i++)
      seen |= pids[i] == pid;
    if (strcmp(w, what) == 0 && id == 0 && !seen && n < max)
      pids[n++] = pid;
  }
  if (f)
    fclose(f);
  return n;
}

/* The most sockets the head's child had open when a task noted them. */
static int most_sockets(void) {
  FILE *f = fopen(ledger, "r");
  char w[16];
  int id, item, most = 0;
  while (f && fscanf(f, "%15s %d %d %*d", w, &id, &item) == 3)
    if (strcmp(w, "sockets") == 0 && item > most)
      most = item;
  if (f)
    fclose(f);
  return most;
}

static void empty_ledger(void) {
  int fd = open(ledger, O_WRONLY | O_TRUNC);
  if (fd >= 0)
    close(fd);
}

static mpipool_t *new_pool(void);

/* The head's first item (-1) crashes its child: that item fails, the
 * others of its chunk run in a child forked again (after the
 * initializer), and the pool goes on; with isolation or without. */
static void crash(int isolation) {
  const char *how = isolation ? "isolated" : "not isolated";
  empty_ledger();
  mpipool_t *pool = new_pool();
  mpipool_set_isolation(pool, isolation);
  int err = mpipool_start(pool);
  ok(err == 0, "%s: start (%s)", how, mpipool_strerror(err));
  int in[8] = {-1, 1, 2, 3, 4, 5, 6, 7};
  mpipool_results_t *res = NULL;
  err = mpipool_map(pool, "noted", in, 8, sizeof in[0], 8, &res);
  const void *d = NULL;
  size_t sz;
  int st = res ? mpipool_results_item(res, 0, &d, &sz) : -1;
  ok(err == MPIPOOL_ETASK && st == MPIPOOL_ETASK && d && strstr(d, "signal 11"),
     "%s: the crashing item fails alone: %s", how, d ? (const char *)d : "-");
  int right = res != NULL;
  for (int i = 1; right && i < 8; i++) {
    int y = 0; /* (a result need not be aligned) */
    right = mpipool_results_item(res, (size_t)i, &d, &sz) == 0 &&
            sz == sizeof y && memcpy(&y, d, sizeof y) && y == 2 * i;
  }
  ok(right, "%s: the others are right", how);
  mpipool_results_free(res);
  int mine, inits;
  count("task", NULL, &mine);
  count("init", NULL, &inits);
  /* A worker that came first would have had the chunk (rare). */
  ok(mine == 0 || (mine == 7 && inits == 2),
     "%s: the head's child forked again, after its initializer (%d task(s), "
     "%d initializer(s) in the head)",
     how, mine, inits);
  /* Forked again by the forker, not among the master's threads. */
  int by[ITEMS] = {0};
  count("parent", by, &mine);
  ok(by[1] == 0, "%s: the head's children are its forker's (%d of %d not)", how,
     by[1], by[0] + by[1]);
  int x = 21;
  void *out = NULL;
  size_t osz = 0;
  ok(mpipool_apply(pool, "noted", &x, sizeof x, &out, &osz) == 0 &&
         osz == sizeof x && *(int *)out == 42,
     "the pool goes on");
  free(out);
  mpipool_destroy(pool);
}

/* terminate while the head runs a 30 s task (no isolation asked for):
 * it is stopped, and terminate returns long before the task would have
 * ended. */
static void terminate_head(void) {
  empty_ledger();
  mpipool_t *pool = new_pool();
  is_int(mpipool_start(pool), 0, "terminate: start");
  int x = 3000, mine = 0;
  mpipool_async_t *h = NULL;
  mpipool_apply_async(pool, "noted", &x, sizeof x, NULL, NULL, NULL, &h);
  double t0 = test_now();
  while (count("long", NULL, &mine) < 1 && test_now() - t0 < 20)
    mpipool_wait(pool, 0.01);
  ok(count("long", NULL, &mine) == 1, "the long task runs");
  t0 = test_now();
  is_int(mpipool_terminate(pool), 0, "terminate");
  double took = test_now() - t0;
  ok(took < 15, "terminate stopped it (%.1f s, the task takes 30)", took);
  const void *d;
  size_t sz;
  ok(mpipool_async_get(h, 5, &d, &sz) != 0, "its result is a failure");
  mpipool_async_free(h);
  mpipool_destroy(pool);
}

/* The victim of master_killed: a singleton whose head runs a 30 s task
 * (noted "long"), alone (MPIPOOL_HEAD_ALONE 30 s), until it is killed. */
static int victim(void) {
  setenv("MPIPOOL_HEAD_ALONE", "30", 1);
  mpipool_t *pool = new_pool();
  int x = 3000;
  void *out = NULL;
  size_t sz;
  if (mpipool_start(pool) == 0)
    mpipool_apply(pool, "noted", &x, sizeof x, &out, &sz);
  return 1; /* killed before */
}

/* kill -9 of a master whose head runs a task: the head's child and its
 * forker end with it (no orphan left running the task).  The master is
 * this program run again as a singleton of its own. */
static void master_killed(void) {
  extern char **environ;
  empty_ledger();
  size_t n = 0, k = 0;
  while (environ[n])
    n++;
  char **env = calloc(n + 1, sizeof *env);
  for (size_t i = 0; env && i < n; i++)
    if (!mpipool_launch_var(environ[i])) /* its own singleton */
      env[k++] = environ[i];
  char *argv[] = {"test_head_start", "victim", ledger, NULL};
  pid_t v = 0;
  if (env == NULL ||
      posix_spawn(&v, "/proc/self/exe", NULL, NULL, argv, env) != 0) {
    free(env);
    ok(0, "master killed: a master to kill");
    return;
  }
  free(env);
  long child = 0;
  double t0 = test_now();
  while (head_pids("long", &child, 1) == 0 && test_now() - t0 < 60)
    sleep_ms(20);
  int child_alive, forker_alive; /* running, not a zombie */
  pid_t forker = mpipool__procs_parent((pid_t)child);
  kill(v, SIGKILL);
  waitpid(v, NULL, 0);
  t0 = test_now();
  do {
    sleep_ms(20);
    child_alive = mpipool__procs_started((pid_t)child) != 0;
    forker_alive = mpipool__procs_started(forker) != 0;
  } while ((child_alive || forker_alive) && test_now() - t0 < 10);
  ok(child > 0 && forker > 0 && forker != v && !child_alive && !forker_alive,
     "master killed: its head's child (%ld) and forker (%ld) end with it%s",
     child, (long)forker,
     child_alive || forker_alive ? " (one still runs)" : "");
}

/* A pool of 2 workers with the ledger's tasks and initializer, and a
 * head start if head is 1, none if 0, the environment's if -1. */
/* Answers its place and the CPUs it may run on (the first 64, a bit
 * each), after a nap (long enough for both hands to take one). */
static int t_cpus(mpipool_ctx_t *ctx, const void *in, size_t size) {
  (void)in, (void)size;
  sleep_ms(100);
  cpu_set_t set;
  uint64_t out[2] = {(uint64_t)mpipool_ctx_place(ctx), 0};
  if (sched_getaffinity(0, sizeof set, &set) == 0)
    for (int c = 0; c < 64; c++)
      if (CPU_ISSET(c, &set))
        out[1] |= 1ull << c;
  return mpipool_ctx_set_output(ctx, out, sizeof out);
}

static mpipool_t *pool_with(int head) {
  mpipool_t *pool;
  mpipool_create(&pool);
  mpipool_register(pool, "noted", t_noted, NULL);
  mpipool_register(pool, "double", t_double, NULL);
  mpipool_register(pool, "blob", t_blob, NULL);
  mpipool_register_chunk(pool, "chunk", t_chunk, sizeof(int), NULL);
  mpipool_register(pool, "cpus", t_cpus, NULL);
  mpipool_set_processes(pool, 2);
  mpipool_set_initializer(pool, init, ledger, strlen(ledger));
  if (head >= 0)
    mpipool_set_head_start(pool, head);
  return pool;
}

static mpipool_t *new_pool(void) { return pool_with(1); }

/* A fresh pool's first map, one long item (2000: it lasts until a
 * worker has run a task, however long their spawn takes) then 20 of
 * 2 ms (4001-4020; 200 ms in the head, whose other hand would take 4 s
 * to run them all: the workers come first): the master takes the long
 * one, and the workers that arrive meanwhile run the short ones (their
 * ledger lines come before the long one's). */
static void long_first(void) {
  empty_ledger();
  mpipool_t *pool = new_pool();
  is_int(mpipool_start(pool), 0, "a fresh pool");
  int in[21], out[21];
  in[0] = 2000;
  for (int i = 1; i < 21; i++)
    in[i] = 4000 + i;
  mpipool_results_t *res = NULL;
  int err = mpipool_map(pool, "noted", in, 21, sizeof in[0], 1, &res);
  ok(err == 0 && mpipool_results_copy(res, out, sizeof out[0]) == 0 &&
         out[0] == 4000 && out[20] == 8040,
     "its map of a long item and short ones (%s)", mpipool_strerror(err));
  mpipool_results_free(res);
  FILE *f = fopen(ledger, "r");
  char w[16];
  int id, item, before = 0, long_here = 0, seen_long = 0, after_long = 0;
  int head_place = -1, place0_before = 0;
  while (f && fscanf(f, "%15s %d %d %*d", w, &id, &item) == 3) {
    if (strcmp(w, "init") == 0)
      continue;
    if (strcmp(w, "at") == 0) { /* a task's place, noted as it ended */
      if (id == 0)
        head_place = item;
      else if (!seen_long && item == 0)
        place0_before++;
      continue;
    }
    if (item == 2000) {
      seen_long = 1;
      long_here = id == 0;
    } else if (id != 0) {
      seen_long ? after_long++ : before++;
    }
  }
  if (f)
    fclose(f);
  ok(long_here, "the master ran the long item");
  ok(before >= 1,
     "the workers ran short items while it did (%d before it ended, %d "
     "after)",
     before, after_long);
  ok(head_place == 0 && place0_before == 0,
     "it ran in place 0, whose worker ran nothing until it ended (%d tasks "
     "in place 0 ended before; the head's place %d)",
     place0_before, head_place);
  mpipool_destroy(pool);
}

/* A tiny workload (10 items of no time) ends in the master's head, and
 * no worker is ever spawned: only the master's initializer ran. */
static void tiny(void) {
  empty_ledger();
  /* However long a loaded machine keeps the head from the CPU: the spawn
   * waits 30 s for it to need help (the default is 20 ms). */
  setenv("MPIPOOL_HEAD_ALONE", "30", 1);
  mpipool_t *pool = new_pool();
  is_int(mpipool_start(pool), 0, "tiny: start");
  int err = 0;
  ok(map_right(pool, "double", 10, 0, &err), "tiny: the map (%s)",
     mpipool_strerror(err));
  is_int(mpipool_close(pool), 0, "tiny: close");
  is_int(mpipool_join(pool), 0, "tiny: join");
  mpipool_destroy(pool);
  unsetenv("MPIPOOL_HEAD_ALONE");
  int mine, inits = count("init", NULL, &mine);
  ok(inits == mine && mine >= 1 && mine <= 2,
     "tiny: no worker was spawned (%d initializer(s) ran, %d in the head's "
     "children)",
     inits, mine);
}

/* The head has as many hands as the pool has places: two items of 1 s
 * run at once in the head (each begins before either ends; two
 * children, places 0 and 1), before any worker is asked for
 * (MPIPOOL_HEAD_ALONE 30 s). */
static void hands(void) {
  empty_ledger();
  setenv("MPIPOOL_HEAD_ALONE", "30", 1);
  mpipool_t *pool = new_pool();
  is_int(mpipool_start(pool), 0, "hands: start");
  int in[2] = {1300, 1300}, err = 0;
  mpipool_results_t *res = NULL;
  err = mpipool_map(pool, "noted", in, 2, sizeof in[0], 1, &res);
  mpipool_results_free(res);
  mpipool_destroy(pool);
  unsetenv("MPIPOOL_HEAD_ALONE");
  long pids[3];
  int mine, ran = count("task", NULL, &mine), nt = head_pids("task", pids, 3);
  int places = 0, begun = 0, begun_first = 0, id, item;
  char w[16];
  FILE *f = fopen(ledger, "r");
  while (f && fscanf(f, "%15s %d %d %*d", w, &id, &item) == 3) {
    if (strcmp(w, "at") == 0 && id == 0 && item >= 0 && item < 2)
      places |= 1 << item;
    begun += strcmp(w, "begin") == 0;
    if (strcmp(w, "task") == 0 && begun_first == 0)
      begun_first = begun; /* begun when the first ended */
  }
  if (f)
    fclose(f);
  ok(err == 0 && ran == 2 && mine == 2 && nt == 2 && places == 3,
     "hands: the head ran both items, in 2 children, places 0 and 1 (%s; %d "
     "of %d, %d children, places mask %d)",
     mpipool_strerror(err), mine, ran, nt, places);
  ok(begun_first == 2, "hands: at once (%d begun when the first ended)",
     begun_first);
}

/* Runs n items of t_cpus (chunks of 1): the CPUs seen at places 0 and
 * 1 into cpus[], 0 where no item ran.  1 when the map ran. */
static int cpus_by_place(mpipool_t *pool, int n, uint64_t cpus[2]) {
  int in[8] = {0};
  mpipool_results_t *res = NULL;
  cpus[0] = cpus[1] = 0;
  if (mpipool_map(pool, "cpus", in, (size_t)n, sizeof *in, 1, &res) != 0)
    return 0;
  for (int i = 0; i < n; i++) {
    const uint64_t *o;
    size_t size;
    if (mpipool_results_item(res, (size_t)i, (const void **)&o, &size) == 0 &&
        size == 2 * sizeof *o && o[0] < 2)
      cpus[o[0]] = o[1];
  }
  mpipool_results_free(res);
  return 1;
}

/* A hand binds its children as place k's worker binds itself: the
 * head's tasks (the spawn held back) see the CPUs the workers' tasks see
 * after them, place by place: one each, two places apart; with binding
 * off, every CPU allowed.  Bound workers must leave the master a CPU
 * (plan.c): on 2 CPUs, 1 place, whose share is the node. */
static void head_bound(void) {
  cpu_set_t all; /* this process's: a launcher may have bound it */
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  if (sched_getaffinity(0, sizeof all, &all) != 0 || cpus < 2 || cpus > 64) {
    ok(1, "# SKIP head bound: needs 2 to 64 CPUs");
    return;
  }
  for (int bind = 1; bind >= 0; bind--) {
    int places = bind && cpus < 3 ? 1 : 2;
    setenv("MPIPOOL_HEAD_ALONE", "30", 1);
    mpipool_t *pool = new_pool();
    mpipool_set_binding(pool, bind);
    mpipool_set_processes(pool, places);
    is_int(mpipool_start(pool), 0, "head bound: start");
    uint64_t head[2], workers[2];
    int ran = cpus_by_place(pool, places, head);
    unsetenv("MPIPOOL_HEAD_ALONE");
    double t0 = test_now();
    mpipool_worker_info_t wi;
    for (int p = 0; p < places; p++) /* the workers come (asked for) */
      while (mpipool_worker_info(pool, p, &wi) == MPIPOOL_ENOTREADY &&
             test_now() - t0 < 60)
        mpipool_wait(pool, 0.01);
    ran = ran && cpus_by_place(pool, 8, workers);
    mpipool_destroy(pool);
    uint64_t every = 0;
    for (int c = 0; c < 64; c++)
      if (CPU_ISSET(c, &all))
        every |= 1ull << c;
    /* (One place's share is the whole node: hwloc_distrib.) */
    int one_each = ran && (places == 1 || head[0] != head[1]);
    for (int k = 0; k < places; k++)
      one_each &= head[k] && head[k] == workers[k] &&
                  (places == 1 || !(head[k] & (head[k] - 1)));
    if (bind)
      ok(one_each,
         "head bound: hand k's tasks on place k's worker's core (%d "
         "places; CPUs %#llx %#llx in the head, %#llx %#llx on the "
         "workers)",
         places, (unsigned long long)head[0], (unsigned long long)head[1],
         (unsigned long long)workers[0], (unsigned long long)workers[1]);
    else
      ok(ran && head[0] == head[1] && (head[0] & (head[0] - 1)) &&
             workers[0] == head[0] && workers[1] == head[0],
         "binding off: the head's and the workers' tasks on the node's "
         "CPUs, not bound to one (%#llx %#llx in the head, %#llx %#llx on "
         "the workers, the master %#llx)",
         (unsigned long long)head[0], (unsigned long long)head[1],
         (unsigned long long)workers[0], (unsigned long long)workers[1],
         (unsigned long long)every);
  }
}

/* The head's results obey what a worker's do: the result limit (lowered
 * by MPIPOOL_FAULT_MSG_MAX), and a chunk task runs an item a call; it
 * leaves chunks of more than 256 items to the workers. */
static void head_like_worker(void) {
  empty_ledger();
  setenv("MPIPOOL_HEAD_ALONE", "30", 1);
  setenv("MPIPOOL_FAULT_MSG_MAX", "4194304", 1);
  mpipool_t *pool = new_pool();
  is_int(mpipool_start(pool), 0, "head like a worker: start");
  uint64_t more = (uint64_t)mpipool_result_max() + 1;
  void *out = NULL;
  size_t size;
  int err = mpipool_apply(pool, "blob", &more, sizeof more, &out, &size);
  ok(err == MPIPOOL_E2BIG && out && strstr(out, "more than one message"),
     "the head: a result above mpipool_result_max() fails with E2BIG, "
     "as on a worker ('%s')",
     out ? (char *)out : "");
  free(out);
  int in[10], got[10], right;
  for (int i = 0; i < 10; i++)
    in[i] = i;
  mpipool_results_t *res = NULL;
  err = mpipool_map(pool, "chunk", in, 10, sizeof *in, 5, &res);
  right = err == 0 && mpipool_results_copy(res, got, sizeof *got) == 0;
  for (int i = 0; right && i < 10; i++)
    right = got[i] == 2 * i;
  mpipool_results_free(res);
  int per[ITEMS] = {0}, mine, calls = count("chunk", per, &mine);
  ok(right && calls == 10 && per[1] == 10 && mine == 10,
     "the head: a chunk task's map right, one call an item (%d calls, %d "
     "in the head)",
     calls, mine);
  /* A chunk of more than 256 items is left to the workers, asked for at
   * once (not after MPIPOOL_HEAD_ALONE's 30 s). */
  empty_ledger();
  int *big = calloc(1000, sizeof *big);
  double t0 = test_now();
  err = big ? mpipool_map(pool, "chunk", big, 1000, sizeof *big, 1000, &res)
            : MPIPOOL_ENOMEM;
  double took = test_now() - t0;
  mpipool_results_free(res);
  free(big);
  calls = count("chunk", NULL, &mine);
  ok(err == 0 && calls == 1 && mine == 0 && took < 20,
     "a chunk of 1000 items: a worker's, in one call, in %.2f s (%d calls, "
     "%d in the head; %s)",
     took, calls, mine, mpipool_strerror(err));
  is_int(mpipool_close(pool), 0, "head like a worker: close");
  is_int(mpipool_join(pool), 0, "head like a worker: join");
  mpipool_destroy(pool);
  unsetenv("MPIPOOL_FAULT_MSG_MAX");
  unsetenv("MPIPOOL_HEAD_ALONE");
}

/* Output the master had not written when the head's child was forked is
 * written once, even by a child whose initializer flushes every stream
 * (as one that prints does). */
static void unflushed(void) {
  char path[300];
  snprintf(path, sizeof path, "%s.out", ledger);
  FILE *f = fopen(path, "w");
  if (f == NULL || setvbuf(f, NULL, _IOFBF, 4096) != 0) {
    ok(0, "unflushed: a file to write");
    return;
  }
  fprintf(f, "written once\n"); /* in the buffer, not yet in the file */
  flush_in_init = 1;
  mpipool_t *pool = new_pool();
  int err = mpipool_start(pool);
  if (err == 0)
    map_right(pool, "noted", 10, 0, &err);
  mpipool_destroy(pool);
  flush_in_init = 0;
  fclose(f);
  char line[64];
  int n = 0;
  f = fopen(path, "r");
  while (f && fgets(line, sizeof line, f))
    n += strcmp(line, "written once\n") == 0;
  if (f)
    fclose(f);
  unlink(path);
  ok(err == 0 && n == 1,
     "the master's unwritten output is written once (%d time(s); %s)", n,
     mpipool_strerror(err));
}

/* maxtasksperchild 2, a workload the head runs alone (MPIPOOL_HEAD_ALONE
 * 30 s) with one hand (a pool of 1): its 6 tasks run in 3 children, 2
 * each, each after the initializer, as on workers that retire. */
static void head_maxtasks(void) {
  empty_ledger();
  setenv("MPIPOOL_HEAD_ALONE", "30", 1);
  mpipool_t *pool = new_pool();
  mpipool_set_processes(pool, 1);
  mpipool_set_maxtasksperchild(pool, 2);
  is_int(mpipool_start(pool), 0, "maxtasks: start");
  int err = 0;
  ok(map_right(pool, "noted", 6, 1, &err), "maxtasks: the map (%s)",
     mpipool_strerror(err));
  mpipool_destroy(pool);
  unsetenv("MPIPOOL_HEAD_ALONE");
  long tasks[8], inits[8];
  int mine, nt = head_pids("task", tasks, 8), ni = head_pids("init", inits, 8);
  int ran = count("task", NULL, &mine);
  ok(ran == 6 && mine == 6 && nt == 3 && ni == 3,
     "maxtasks: the head's 6 tasks ran in 3 children, each after its "
     "initializer (%d of %d in the head, %d children, %d initializers)",
     mine, ran, nt, ni);
}

/* A setting var=value that is not one (a pool made by pool_with(head)):
 * said once on stderr (in a line holding `says`), the default kept, and
 * the pool runs; how many of its map's 10 tasks the head ran. */
static int bad_setting(const char *var, const char *value, const char *says,
                       int head) {
  char path[300];
  snprintf(path, sizeof path, "%s.err", ledger);
  setenv(var, value, 1);
  fflush(stderr);
  int saved = dup(2), fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd >= 0) {
    dup2(fd, 2);
    close(fd);
  }
  mpipool_t *pool = pool_with(head);
  int err = mpipool_start(pool);
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  unsetenv(var);
  ok(err == 0, "%s=%s: start (%s)", var, value, mpipool_strerror(err));
  empty_ledger();
  ok(map_right(pool, "noted", 10, 0, &err), "and the pool runs (%s)",
     mpipool_strerror(err));
  mpipool_destroy(pool);
  char line[256] = "";
  FILE *f = fopen(path, "r");
  int said = 0, mine = 0;
  while (f && fgets(line, sizeof line, f))
    said += strstr(line, says) != NULL;
  if (f)
    fclose(f);
  unlink(path);
  is_int(said, 1, "the bad value is said once");
  count("task", NULL, &mine);
  return mine;
}

/* MPIPOOL_HEAD_START: the head start of a program that does not choose;
 * its choice wins; a value not 0 or 1 is said, and the default (on)
 * kept. */
static void head_start_env(void) {
  setenv("MPIPOOL_HEAD_ALONE", "30", 1); /* the head alone, unless off */
  setenv("MPIPOOL_HEAD_START", "0", 1);
  int mine[2] = {-1, -1}, err = 0;
  for (int head = -1; head <= 0; head++) {
    empty_ledger();
    mpipool_t *pool = pool_with(head == -1 ? -1 : 1);
    mpipool_start(pool);
    ok(map_right(pool, "noted", 10, 0, &err), "MPIPOOL_HEAD_START=0: map (%s)",
       mpipool_strerror(err));
    count("task", NULL, &mine[head + 1]);
    mpipool_destroy(pool);
  }
  unsetenv("MPIPOOL_HEAD_START");
  ok(mine[0] == 0 && mine[1] == 10,
     "MPIPOOL_HEAD_START=0: no head start where the program does not choose "
     "(%d of 10 in the head), one where it turns it on (%d)",
     mine[0], mine[1]);
  mine[0] = bad_setting("MPIPOOL_HEAD_START", "maybe",
                        "MPIPOOL_HEAD_START=maybe is not 0 or 1; using 1", -1);
  is_int(mine[0], 10, "and the default, a head start");
  unsetenv("MPIPOOL_HEAD_ALONE");
}

/* The master's initializer fails: it runs no task, its workers are
 * spawned at once and run them all. */
static void head_init_fails(void) {
  empty_ledger();
  fail_head_init = 1;
  mpipool_t *pool = new_pool();
  is_int(mpipool_start(pool), 0, "failing head: start");
  int err = 0, mine;
  ok(map_right(pool, "noted", 50, 1, &err), "failing head: the map (%s)",
     mpipool_strerror(err));
  int n = count("task", NULL, &mine);
  ok(n == 50 && mine == 0, "the workers ran all %d, the master none (%d)", n,
     mine);
  mpipool_destroy(pool);
  fail_head_init = 0;
}

/* Where spawning fails, the second pool's start returns and its head
 * runs the work alone; a chunk too large for the head fails (ESPAWN). */
static void spawn_fails(void) {
  setenv("MPIPOOL_FAULT_SPAWN", "1", 1);
  empty_ledger();
  mpipool_t *pool = new_pool();
  is_int(mpipool_start(pool), 0,
         "spawning fails: start returns all the same (the spawn is later)");
  double t0 = test_now();
  int err, mine, per[ITEMS] = {0};
  ok(map_right(pool, "noted", 40, 1, &err),
     "and the head runs its map alone (%s)", mpipool_strerror(err));
  int n = count("task", per, &mine), once = 1;
  for (int i = 0; i < 40; i++)
    once = once && per[i] == 1;
  ok(n == 40 && mine == 40 && once,
     "each item once, all in the head (%d noted, %d there)", n, mine);
  ok(test_now() - t0 < 30, "at once, not by a time limit (%.1f s)",
     test_now() - t0);
  map_right(pool, "noted", 300, 300, &err);
  is_int(err, MPIPOOL_ESPAWN,
         "a chunk of 300 items (the head takes 256 at most) fails: ESPAWN");
  finish_pool(pool);
  unsetenv("MPIPOOL_FAULT_SPAWN");
}

int main(int argc, char **argv) {
  int size = 1;
  master_pid = getpid();
  if (argc == 3 && strcmp(argv[1], "victim") == 0) { /* master_killed's */
    snprintf(ledger, sizeof ledger, "%s", argv[2]);
    return victim();
  }
  snprintf(ledger, sizeof ledger, "%s/head_ledger.%ld",
           getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (long)master_pid);
  /* mpipool starts MPI, as in a user's program (its settings, the bound
   * on a spawn, apply), and ends it with the last pool: this one, kept
   * until the end. */
  mpipool_t *pool = new_pool();
  is_int(mpipool_start(pool), 0, "start");
  /* A singleton starts lazily: MPI is not up yet (test_lazy_mpi). */
  int up = 0;
  MPI_Initialized(&up);
  if (up)
    MPI_Comm_size(MPI_COMM_WORLD, &size);
  int spawned = size == 1; /* the workers are spawned: a head start */
  is_int(mpipool_size(pool), 2, "the size asked for, at once");

  int x = 1000;
  mpipool_async_t *h = NULL;
  is_int(mpipool_apply_async(pool, "noted", &x, sizeof x, NULL, NULL, NULL, &h),
         0, "apply_async");
  const void *d;
  size_t s;
  ok(mpipool_async_get(h, 60, &d, &s) == 0 && s == sizeof x &&
         *(const int *)d == 2000,
     "its result");
  mpipool_async_free(h);

  /* The first map: every item once, right; the master ran some. */
  int per[ITEMS] = {0}, mine, err = 0;
  long head_child = 0;
  ok(map_right(pool, "noted", ITEMS, 1, &err),
     "the map's results are right (%s)", mpipool_strerror(err));
  int n = count("task", per, &mine);
  int once = 1;
  for (int i = 0; i < ITEMS; i++)
    once = once && per[i] == 1;
  ok(n == ITEMS + 1 && once, "each item ran exactly once (%d runs)", n);
  if (spawned) {
    ok(mine >= 1, "the head ran some while its workers came (%d)", mine);
    /* Each hand's child ran the initializer once (a pool of 2: 2 hands
     * at most). */
    int inits_here;
    long head_children[3];
    count("init", NULL, &inits_here);
    int nhc = head_pids("init", head_children, 3);
    ok(inits_here == nhc && nhc >= 1 && nhc <= 2,
       "after its initializer, run once in each of the head's children (%d "
       "run(s) in %d)",
       inits_here, nhc);
    head_child = head_children[nhc - 1];
    /* The first pool's head child was forked before MPI started: it has
     * none of MPI's connections, only its own socket to the head. */
    int most = most_sockets();
    ok(most == 1, "the head's child has one socket, not MPI's (%d)", most);
  } else {
    is_int(mine, 0, "workers are ranks: the master ran none");
    int inits_here;
    count("init", NULL, &inits_here);
    is_int(inits_here, 0, "nor the initializer");
  }

  /* Once every place is served, the master runs nothing. */
  double t0 = test_now();
  for (int p = 0; p < 2; p++) {
    mpipool_worker_info_t wi;
    while ((err = mpipool_worker_info(pool, p, &wi)) == MPIPOOL_ENOTREADY &&
           test_now() - t0 < 60)
      mpipool_wait(pool, 0.01);
    is_int(err, 0, "place served");
  }
  if (spawned) {
    /* The workers are there: the head's child ends, and with it what its
     * initializer holds. */
    while (head_child > 0 && kill((pid_t)head_child, 0) == 0 &&
           test_now() - t0 < 60)
      mpipool_wait(pool, 0.01);
    ok(head_child > 0 && kill((pid_t)head_child, 0) != 0,
       "the head's child (%ld) ended once the workers came", head_child);
  }
  empty_ledger();
  int right = map_right(pool, "noted", ITEMS, 4, &err);
  n = count("task", NULL, &mine);
  ok(right && n == ITEMS && mine == 0,
     "workers there: they ran all %d, the master none (%d)", n, mine);
  is_int(mpipool_close(pool), 0, "close");
  is_int(mpipool_join(pool), 0, "join");
  if (spawned) {
    /* The other pools that spawn workers run as a singleton only: under
     * mpirun -n 1, Open MPI 4.1.4 with PMIx 4 now and then loses a spawn
     * of a job whose earlier spawned workers have just left (the new
     * processes wait in PMIx_Init, the master in MPI_Comm_spawn; seen in
     * 1 run of 7 at its 4th spawn); mpipool gives such a spawn up after
     * 50 s and asks again, too long for this test's time limit. */
    if (getenv("OMPI_COMM_WORLD_SIZE") == NULL) {
      long_first();
      crash(0);
      crash(1);
      head_maxtasks();
      head_start_env();
      unflushed();
      head_init_fails();
      master_killed();
    }
    terminate_head();
    tiny();
    hands();
    head_bound();
    head_like_worker();
    bad_setting("MPIPOOL_HEAD_ALONE", "soon",
                "MPIPOOL_HEAD_ALONE=soon is not a number of seconds", 1);
    spawn_fails();
  }
  ok(!atomic_load(&ran_in_master),
     "no task and no initializer ran in the master's process");
  unlink(ledger);
  mpipool_destroy(pool); /* the last pool: MPI ends */
  return tap_done();
}
