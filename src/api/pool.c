/*
 * pool.c - the pool's lifecycle (create, options, start, close, join,
 * terminate, destroy) and the submission calls on the master, which turn
 * arguments into jobs for the engine in master.c.
 */
#include "config.h"
#include "pool.h"

#include "base/alloc.h"
#include "base/clock.h"
#include "base/env.h"
#include "base/hugepages.h"
#include "base/sigpipe.h"
#include "base/text.h"
#include "engine/job.h"
#include "engine/journal.h"
#include "engine/master.h"
#include "placement/comm_spawn.h"
#include "placement/daemon.h"
#include "placement/gpus.h"
#include "placement/init_watch.h"
#include "placement/launcher.h"
#include "placement/mpihints.h"
#include "placement/plan.h"
#include "placement/room.h"
#include "placement/topology.h"
#include "transport/backoff.h"
#include "transport/msg.h"
#include "transport/wire.h"
#include "worker/head.h"
#include "worker/start_guard.h"
#include "worker/worker.h"

#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Pools started and not yet destroyed in this process, and whether one of
 * them initialized MPI: MPI is finalized when the last of them goes.  This
 * is the one piece of process-wide state, because MPI itself is one. */
static int live_pools;
static int mpi_ours;
/* Workers the pools found dead.  When two or more died, a singleton's
 * runtime daemon has a line to print as it ends: the last MPI_Finalize
 * then ends it and waits for it, at most DAEMON_END_S seconds (see
 * daemon.h); it took 2.1-2.2 s then (4 runs).  Not otherwise: that wait
 * made 3 of 6 healthy runs 1 or 2 s longer (0.2 s without). */
static size_t lost_workers;
/* Spawns the pools gave up on (stuck).  In a singleton their processes,
 * stuck in MPI_Init, are killed before MPI is finalized (which waits for
 * those spawns to return: comm_spawn.h), and the daemon is ended after:
 * after such a spawn its PMIx server may be stuck for good (it then never
 * ends on its own, and is killed: daemon.h). */
static size_t stuck_spawns;
#define DAEMON_END_S 5.0
/* How long MPI_Finalize waits, at most, for the spawns given up to return
 * (once their processes are killed, in a singleton). */
#define SPAWN_RETURN_S 5.0
/* A singleton's workers still ending after its last MPI_Finalize are
 * waited for, this long at most (daemon.h): a few milliseconds as a
 * rule; 0.15 s when workers retired just before (they wait 0.2 s after
 * their MPI_Finalize, worker.h). */
#define DAEMON_SETTLE_S 5.0

int mpipool_create(mpipool_t **out) {
  if (out == NULL)
    return MPIPOOL_EINVAL;
  mpipool_t *pool = mpipool__calloc(1, sizeof *pool);
  if (pool == NULL)
    return MPIPOOL_ENOMEM;
  pool->user_comm = MPI_COMM_WORLD;
  pool->crash_limit = MPIPOOL__CRASH_LIMIT;
  pool->head_start = -1; /* MPIPOOL_HEAD_START's (default on), at start */
  pool->comm = MPI_COMM_NULL;
  pool->state = MPIPOOL__CREATED;
  *out = pool;
  return MPIPOOL_OK;
}

static int settable(const mpipool_t *pool) {
  if (pool == NULL)
    return MPIPOOL_EINVAL;
  return pool->state == MPIPOOL__CREATED ? MPIPOOL_OK : MPIPOOL_EBUSY;
}

int mpipool_register(mpipool_t *pool, const char *name, mpipool_task_fn fn,
                     void *data) {
  int err = settable(pool);
  return err ? err
             : mpipool__registry_add(
                   &pool->reg,
                   (mpipool__task_t){(char *)name, fn, NULL, 0, data});
}

int mpipool_register_chunk(mpipool_t *pool, const char *name,
                           mpipool_chunk_fn fn, size_t out_size, void *data) {
  int err = settable(pool);
  if (err == 0 && out_size > mpipool_result_max())
    err = MPIPOOL_EINVAL;
  return err ? err
             : mpipool__registry_add(
                   &pool->reg,
                   (mpipool__task_t){(char *)name, NULL, fn, out_size, data});
}

int mpipool_set_processes(mpipool_t *pool, int processes) {
  int err = settable(pool);
  if (err)
    return err;
  if (processes < 0 || processes > 1000000)
    return MPIPOOL_EINVAL;
  pool->processes = processes;
  return MPIPOOL_OK;
}

int mpipool_set_initializer(mpipool_t *pool, mpipool_init_fn fn,
                            const void *initargs, size_t size) {
  int err = settable(pool);
  if (err)
    return err;
  if (initargs == NULL && size)
    return MPIPOOL_EINVAL;
  if (size > (size_t)INT_MAX / 2)
    return MPIPOOL_E2BIG;
  void *copy = NULL;
  if (size && (copy = mpipool__malloc(size)) == NULL)
    return MPIPOOL_ENOMEM;
  if (size)
    memcpy(copy, initargs, size);
  mpipool__free(pool->initargs);
  pool->init = fn;
  pool->initargs = copy;
  pool->initargs_len = size;
  return MPIPOOL_OK;
}

int mpipool_set_maxtasksperchild(mpipool_t *pool, long maxtasks) {
  int err = settable(pool);
  if (err)
    return err;
  if (maxtasks < 0)
    return MPIPOOL_EINVAL;
  pool->maxtasks = maxtasks;
  return MPIPOOL_OK;
}

int mpipool_set_hwthreads(mpipool_t *pool, int hwthreads) {
  int err = settable(pool);
  if (err)
    return err;
  pool->hwthreads = hwthreads != 0;
  return MPIPOOL_OK;
}

int mpipool_set_binding(mpipool_t *pool, int bind) {
  int err = settable(pool);
  if (err)
    return err;
  pool->no_bind = bind == 0;
  return MPIPOOL_OK;
}

int mpipool_set_cores_per_worker(mpipool_t *pool, int cores) {
  int err = settable(pool);
  if (err)
    return err;
  if (cores < 0 || cores > 1000000)
    return MPIPOOL_EINVAL;
  pool->cores_per = cores;
  return MPIPOOL_OK;
}

int mpipool_set_gpus_per_worker(mpipool_t *pool, int gpus) {
  int err = settable(pool);
  if (err)
    return err;
  if (gpus < 0 || gpus > 1000000)
    return MPIPOOL_EINVAL;
  pool->gpus_per = gpus;
  return MPIPOOL_OK;
}

int mpipool_set_crash_limit(mpipool_t *pool, int limit) {
  int err = settable(pool);
  if (err)
    return err;
  if (limit < 1)
    return MPIPOOL_EINVAL;
  pool->crash_limit = limit;
  return MPIPOOL_OK;
}

int mpipool_set_retries(mpipool_t *pool, int n) {
  int err = settable(pool);
  if (err)
    return err;
  if (n < 0)
    return MPIPOOL_EINVAL;
  pool->retries = n;
  return MPIPOOL_OK;
}

int mpipool_set_journal(mpipool_t *pool, const char *path) {
  int err = settable(pool);
  if (err)
    return err;
  if (path == NULL || path[0] == '\0')
    return MPIPOOL_EINVAL;
  char *copy = mpipool__strdup(path);
  if (copy == NULL)
    return MPIPOOL_ENOMEM;
  mpipool__free(pool->journal_path);
  pool->journal_path = copy;
  return MPIPOOL_OK;
}

int mpipool_set_isolation(mpipool_t *pool, int on) {
  int err = settable(pool);
  if (err)
    return err;
  pool->isolation = on != 0;
  return MPIPOOL_OK;
}

int mpipool_set_task_timeout(mpipool_t *pool, double seconds) {
  int err = settable(pool);
  if (err)
    return err;
  if (!(seconds >= 0) || seconds > 1e9)
    return MPIPOOL_EINVAL;
  pool->task_timeout = seconds;
  return MPIPOOL_OK;
}

int mpipool_set_head_start(mpipool_t *pool, int on) {
  int err = settable(pool);
  if (err)
    return err;
  pool->head_start = on != 0;
  return MPIPOOL_OK;
}

int mpipool_set_comm(mpipool_t *pool, MPI_Comm comm) {
  int err = settable(pool);
  if (err)
    return err;
  if (comm == MPI_COMM_NULL)
    return MPIPOOL_EINVAL;
  pool->user_comm = comm;
  return MPIPOOL_OK;
}

static void end_now(int sig) {
  (void)sig;
  _exit(0);
}

/* Fault injection for the tests: MPIPOOL_FAULT_STOP=slow makes a worker
 * take a second more to end once it has left (as one slow in its
 * MPI_Finalize): a singleton's end waits for it (daemon.h). */
static void slow_end(void) {
  const char *fault = getenv("MPIPOOL_FAULT_STOP");
  if (fault && strcmp(fault, "slow") == 0)
    sleep(1);
}

/* The end of a worker process: it never returns to the caller's code. */
static void worker_exit(mpipool_t *pool, int err, int linger) {
  if (err == MPIPOOL__EGONE) {
    /* Nobody is left to finalize with (master_watch.h). */
    fprintf(stderr,
            "mpipool: worker process %ld ends: its master is gone (it died "
            "or was killed)\n",
            (long)getpid());
    fflush(NULL);
    _exit(1);
  }
  if (err)
    fprintf(stderr, "mpipool: worker stopped on error: %s\n",
            mpipool_strerror(err));
  /* A spawned worker is a job of its own: nothing waits for its
   * finalize but itself.  A launcher's rank is not bounded: its finalize
   * may rightly wait for the other ranks'. */
  MPI_Comm parent = MPI_COMM_NULL;
  int up = 0, down = 0;
  MPI_Initialized(&up);
  MPI_Finalized(&down);
  if (up && !down)
    MPI_Comm_get_parent(&parent);
  if (parent != MPI_COMM_NULL) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = end_now;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    alarm(MPIPOOL__WORKER_END_S);
  }
  slow_end();
  /* Whoever initialized MPI, this process ends here, so it finalizes. */
  mpi_ours = 1;
  mpipool_destroy(pool);
  if (linger) {
    struct timespec ts = {0, MPIPOOL__WORKER_LINGER_MS * 1000000L};
    nanosleep(&ts, NULL);
  }
  exit(0);
}

int mpipool__pool_ask_again(mpipool_t *pool, int err) {
  return err == MPIPOOL_ETIMEDOUT &&
         ++pool->stuck_spawns < MPIPOOL__SPAWN_STUCK_MAX;
}

/* Spawns node i's share of the plan; on failure says so and returns the
 * error (the caller decides whether the pool can go on).  *pids: their
 * process ids (mpipool__comm_spawn; malloc'd, or NULL out of memory). */
static int spawn_node(mpipool_t *pool, const mpipool__plan_t *p, size_t i,
                      MPI_Comm *inter, uint32_t **pids) {
  const mpipool__plan_node_t *n = &p->nodes[i];
  char why[MPI_MAX_ERROR_STRING + 128];
  *inter = MPI_COMM_NULL;
  *pids = mpipool__calloc((size_t)n->spawn, sizeof **pids);
  int err;
  for (;;) {
    err =
        mpipool__comm_spawn(n->spawn, mpipool__plan_spawn_host(p, n->info.host),
                            inter, *pids, why, sizeof why);
    if (!mpipool__pool_ask_again(pool, err))
      break;
    fprintf(stderr, "mpipool: warning: %s on host %s; asking again\n", why,
            n->info.host);
  }
  if (err) {
    fprintf(stderr, "mpipool: %s on host %s\n", why, n->info.host);
    *inter = MPI_COMM_NULL;
  }
  return err;
}

/* Spawns what each node of the plan lacks; sets inter[i] for node i
 * (MPI_COMM_NULL where nothing was spawned), pids[i] to their process ids
 * (spawn_node), and *recycling off when a spawn failed.  A node whose
 * spawn failed reports 0 spawned.  ESPAWN when the pool would have no
 * worker at all. */
static int spawn_nodes(mpipool_t *pool, mpipool__plan_t *p, MPI_Comm *inter,
                       uint32_t **pids, int *spawning, int *recycling) {
  int spawned = 0, failed = 0;
  for (size_t i = 0; i < p->nnodes; i++) {
    inter[i] = MPI_COMM_NULL;
    if (p->nodes[i].spawn > 0 &&
        spawn_node(pool, p, i, &inter[i], &pids[i]) == 0)
      spawned += p->nodes[i].spawn;
    else if (p->nodes[i].spawn > 0) {
      failed += p->nodes[i].spawn;
      p->nodes[i].spawn = 0; /* what mpipool_node_info reports */
    }
  }
  if (failed && p->serve + spawned == 0) {
    if (!pool->launched)
      fprintf(stderr,
              "mpipool: this MPI cannot spawn processes here; start "
              "the program under a launcher instead (mpirun -n %d ...): its "
              "ranks then serve as the workers\n",
              p->workers + 1);
    return MPIPOOL_ESPAWN;
  }
  *spawning = !failed;
  if (failed) {
    /* Spawning does not work here: no recycling either.  Under srun (a
     * Slurm step, not mpirun's batch-step master), Slurm's PMIx cannot
     * spawn: say what would. */
    fprintf(stderr,
            "mpipool: warning: going on with %d worker(s) instead of %d%s%s\n",
            p->serve + spawned, p->workers,
            *recycling ? ", without maxtasksperchild" : "",
            mpipool__launch_in_srun_step()
                ? " (srun cannot spawn processes: launch "
                  "with mpirun to fill the nodes)"
                : "");
    *recycling = 0;
  }
  return MPIPOOL_OK;
}

/* Says that the plan left workers out for want of room (room.h), and
 * which limit of this node is the tightest; 1 when no worker is left. */
static int no_room(const mpipool__plan_t *p) {
  mpipool__limits_t l;
  char limit[256];
  mpipool__limits_read(&l);
  mpipool__room_why(&l, limit, sizeof limit);
  if (limit[0] == '\0' || p->nnodes > 1)
    mpipool__fmt(limit, sizeof limit, "%s%s%s",
                 "the limits of the nodes (ulimit -u, ulimit -n, memory)",
                 limit[0] ? "; here: " : "", limit);
  if (p->workers == 0) {
    fprintf(stderr, "mpipool: no worker can be started: %s\n", limit);
    return 1;
  }
  fprintf(stderr,
          "mpipool: warning: going on with %d worker(s) instead of %d: %s "
          "allow no more\n",
          p->workers, p->workers + p->no_room, limit);
  return 0;
}

/* With cores or GPUs per worker: says what the plan left out for want of
 * them (workers, launcher ranks), and returns 1 when no worker fits. */
static int unfit(const mpipool_t *pool, const mpipool__plan_t *p) {
  char need[128];
  if (pool->cores_per && pool->gpus_per)
    mpipool__fmt(need, sizeof need, "%d core%s and %d GPU%s", pool->cores_per,
                 pool->cores_per == 1 ? "" : "s", pool->gpus_per,
                 pool->gpus_per == 1 ? "" : "s");
  else if (pool->cores_per)
    mpipool__fmt(need, sizeof need, "%d core%s", pool->cores_per,
                 pool->cores_per == 1 ? "" : "s");
  else
    mpipool__fmt(need, sizeof need, "%d GPU%s", pool->gpus_per,
                 pool->gpus_per == 1 ? "" : "s");
  if (p->workers == 0) {
    fprintf(stderr, "mpipool: a worker needs %s, and no node has them:", need);
    for (size_t i = 0; i < p->nnodes; i++) {
      const mpipool__node_t *n = &p->nodes[i].info;
      fprintf(stderr, "%s %s has %d %s", i ? ";" : "", n->host, n->cores,
              pool->hwthreads ? "PUs" : "cores");
      if (pool->gpus_per)
        fprintf(stderr, n->ngpus < 0 ? ", a wrong GPU list" : " and %d GPUs",
                n->ngpus);
    }
    fputc('\n', stderr);
    return 1;
  }
  if (p->ranks_unfit)
    fprintf(stderr,
            "mpipool: warning: %d launcher rank(s) leave (ranks %d to %d): a "
            "worker needs %s, and the nodes have no room for more\n",
            p->ranks_unfit, p->serve + 1, p->serve + p->ranks_unfit, need);
  if (p->unfit)
    fprintf(stderr,
            "mpipool: warning: going on with %d worker(s) instead of %d: a "
            "worker needs %s, and the nodes have room for no more\n",
            p->workers, p->workers + p->unfit, need);
  return 0;
}

/* Whether the pool takes a head start where its workers are all spawned
 * here (mpipool_set_head_start): not with GPUs per worker (the master
 * has none of its own). */
static int head_start_wanted(const mpipool_t *pool) {
  return pool->head_start && pool->gpus_per == 0;
}

/* The start of a pool with a head start (mpipool_set_head_start) whose
 * workers are all spawned here: the engine spawns them in the
 * background; the pool is theirs when they come. */
static int start_spawning(mpipool_t *pool, mpipool__plan_t *p, int recycling) {
  int n = p->nodes[0].spawn; /* one node: spawned anywhere is here */
  int err = mpipool__master_new(&pool->master, pool, p, recycling, 1);
  return err ? err : mpipool__master_head_start(pool->master, n);
}

/* The master's start: plan from every rank's view of its node, spawn what
 * each node lacks, hand the plan to the engine (which releases surplus
 * ranks) and add every worker to it. */
static int start_master(mpipool_t *pool, int world,
                        const mpipool__node_t *nodes, const char *why) {
  mpipool__plan_t p;
  /* Its heap in huge pages (hugepages.h), unless MPIPOOL_HUGEPAGES=0. */
  if (mpipool__env_flag("MPIPOOL_HUGEPAGES", 1, NULL))
    mpipool__hugepages_on();
  /* Not killed by a write to a dead worker's socket (sigpipe.h). */
  if (!pool->sigpipe_held)
    pool->sigpipe_held = mpipool__sigpipe_hold();
  int err =
      mpipool__plan_make_sized(&p, nodes, world, pool->processes,
                               !pool->no_bind, pool->cores_per, pool->gpus_per);
  if (err)
    return err;
  if ((pool->cores_per || pool->gpus_per) && unfit(pool, &p)) {
    mpipool__plan_free(&p);
    return MPIPOOL_ENORESOURCE;
  }
  if (nodes[0].status && pool->processes == 0 && world == 1) {
    fprintf(stderr, "mpipool: %s\n", why);
    mpipool__plan_free(&p);
    return nodes[0].status;
  }
  if (p.no_room && no_room(&p)) {
    mpipool__plan_free(&p);
    return MPIPOOL_ESPAWN;
  }
  for (size_t i = 0; i < p.nnodes; i++)
    if (p.nodes[i].info.status && pool->processes == 0)
      fprintf(stderr,
              "mpipool: warning: hwloc could not count the cores of "
              "%s; only the ranks started there serve\n",
              p.nodes[i].info.host);
  int recycling = pool->maxtasks > 0;
  if (head_start_wanted(pool) && world == 1 && p.nnodes == 1 && p.serve == 0 &&
      p.nodes[0].spawn > 0)
    return start_spawning(pool, &p, recycling);
  /* The workers are spawned now: MPI must be up (after a lazy start, it
   * starts here). */
  if ((err = mpipool__pool_mpi_up(pool)) != 0) {
    mpipool__plan_free(&p);
    return err;
  }
  size_t nnodes = p.nnodes;
  int serve = p.serve;
  MPI_Comm *inter = mpipool__calloc(nnodes, sizeof *inter);
  uint32_t **pids = mpipool__calloc(nnodes, sizeof *pids);
  if (inter == NULL || pids == NULL) {
    mpipool__free(inter);
    mpipool__free(pids);
    mpipool__plan_free(&p);
    return MPIPOOL_ENOMEM;
  }
  int spawning = 1;
  err = spawn_nodes(pool, &p, inter, pids, &spawning, &recycling);
  if (err == 0)
    err = mpipool__master_new(&pool->master, pool, &p, recycling, spawning);
  else
    mpipool__plan_free(&p);
  if (err == 0 && serve > 0)
    err = mpipool__master_add_ranks(pool->master, 1, (size_t)serve);
  for (size_t i = 0; i < nnodes; i++) { /* the engine takes them */
    if (inter[i] == MPI_COMM_NULL)
      continue;
    if (err == 0)
      err = mpipool__master_add_spawned(pool->master, inter[i], (int)i,
                                        MPIPOOL__SHARE_NEXT, pids[i]);
    else
      MPI_Comm_free(&inter[i]);
  }
  for (size_t i = 0; i < nnodes; i++)
    mpipool__free(pids[i]);
  mpipool__free(pids);
  mpipool__free(inter);
  /* The pool's size; workers added from now on are successors. */
  if (err == 0)
    err = mpipool__master_seal(pool->master);
  return err;
}

/* What this process's node offers (see mpipool__node_probe), with what
 * the launcher says: the node's name, the CPUs Slurm allocated there.
 * n's strings are the caller's to free (mpipool__node_free), also on
 * failure; ENOMEM when the name could not be had. */
static int probe_node(mpipool__node_t *n, int hwthreads, int launched, int gpus,
                      char *why, size_t whylen) {
  memset(n, 0, sizeof *n);
  mpipool__node_probe(n, hwthreads, launched, mpipool__launch_cpus_on_node(),
                      why, whylen);
  if (gpus) { /* a wrong list is said here, where it was read */
    char gwhy[512];
    const char *source;
    int err = mpipool__gpus_probe(&n->gpus, &source, gwhy, sizeof gwhy);
    if (err == MPIPOOL_ENOMEM)
      return err;
    if (err)
      fprintf(stderr, "mpipool: %s\n", gwhy);
    n->ngpus = err ? -1 : mpipool__gpus_count(n->gpus);
  }
  mpipool__limits_t l;
  mpipool__limits_read(&l);
  n->room = mpipool__room(&l);
  n->host = mpipool__node_name_dup();
  return n->host ? MPIPOOL_OK : MPIPOOL_ENOMEM;
}

int mpipool_core_count(int *cores) {
  mpipool__node_t n;
  char why[256];
  if (cores == NULL)
    return MPIPOOL_EINVAL;
  int err = probe_node(&n, 0, mpipool__launched(), 0, why, sizeof why);
  if (err == 0 && (err = n.status) == 0)
    *cores = n.cores;
  mpipool__node_free(&n);
  return err;
}

/* Gathers every rank's probe of its node to rank 0 of pool->comm: sizes,
 * then the encoded probes of any length.  On rank 0, *all holds `size`
 * probes pointing into *blob (both the caller's to free).  0 or an error
 * (the same on every rank only for MPI errors). */
static int gather_probes(mpipool_t *pool, int rank, int size,
                         const mpipool__node_t *me, mpipool__node_t **all,
                         char **blob) {
  mpipool__nodemsg_t msg = {me->status, me->cores,  me->room,  me->ngpus,
                            me->host,   me->cpuset, me->bound, me->gpus};
  mpipool__buf_t b = {0};
  int *lens = NULL, *displs = NULL;
  *all = NULL;
  *blob = NULL;
  int err = mpipool__wire_node_encode(&b, &msg);
  int len = err ? 0 : (int)b.len;
  if (rank == 0) {
    lens = mpipool__calloc((size_t)size, sizeof *lens);
    displs = mpipool__calloc((size_t)size, sizeof *displs);
    if (lens == NULL || displs == NULL)
      err = MPIPOOL_ENOMEM;
  }
  /* Every rank takes part in both collectives, even after a local error
   * (it sends nothing), so that none waits for ever. */
  if (MPI_Gather(&len, 1, MPI_INT, lens, 1, MPI_INT, 0, pool->comm) !=
      MPI_SUCCESS)
    err = MPIPOOL_EMPI;
  size_t total = 0;
  if (rank == 0 && lens) {
    for (int r = 0; r < size; r++) {
      displs[r] = (int)total;
      total += (size_t)lens[r];
      if (total > (size_t)INT_MAX)
        err = MPIPOOL_E2BIG;
    }
    if (err == 0 && (*blob = mpipool__malloc(total ? total : 1)) == NULL)
      err = MPIPOOL_ENOMEM;
  }
  if (MPI_Gatherv(b.data, len, MPI_BYTE, *blob, lens, displs, MPI_BYTE, 0,
                  pool->comm) != MPI_SUCCESS &&
      err == 0)
    err = MPIPOOL_EMPI;
  if (rank == 0 && err == 0 &&
      (*all = mpipool__calloc((size_t)size, sizeof **all)) == NULL)
    err = MPIPOOL_ENOMEM;
  for (int r = 0; rank == 0 && err == 0 && r < size; r++) {
    mpipool__nodemsg_t m;
    if (lens[r] == 0 ||
        mpipool__wire_node_decode(&m, *blob + displs[r], (size_t)lens[r])) {
      err = MPIPOOL_EPROTO;
      break;
    }
    mpipool__node_t *n = &(*all)[r];
    n->status = m.status;
    n->cores = m.cores;
    n->room = m.room;
    n->host = (char *)m.host;
    n->cpuset = (char *)m.cpuset;
    n->bound = (char *)m.bound;
    n->ngpus = m.ngpus;
    n->gpus = (char *)m.gpus;
  }
  mpipool__buf_free(&b);
  mpipool__free(lens);
  mpipool__free(displs);
  return err;
}

/* Every rank probes its node; the master gets all the probes and starts
 * the pool, the others serve. */
static int start_ranks(mpipool_t *pool, int rank, int size) {
  mpipool__node_t me, *all = NULL;
  char why[256] = "", *blob = NULL;
  int err = probe_node(&me, pool->hwthreads, pool->launched, pool->gpus_per > 0,
                       why, sizeof why);
  int gerr = gather_probes(pool, rank, size, &me, &all, &blob);
  mpipool__node_free(&me);
  if (rank != 0) {
    pool->role = MPIPOOL__ROLE_WORKER;
    int linger = 1;
    worker_exit(pool,
                gerr == MPIPOOL_EMPI ? gerr
                                     : mpipool__worker_run(pool, 0, &linger),
                linger);
  }
  pool->role = MPIPOOL__ROLE_MASTER;
  if (err == 0)
    err = gerr;
  if (err == 0)
    err = start_master(pool, size, all, why);
  mpipool__free(all); /* its strings point into blob */
  mpipool__free(blob);
  return err;
}

/* 1 when the caller is the process's first thread (a child it forks
 * dies with it: PR_SET_PDEATHSIG). */
static int first_thread(void) {
#ifdef SYS_gettid
  return syscall(SYS_gettid) == getpid();
#else
  return 0;
#endif
}

/* The hands a head start may want, before the pool knows its size: the
 * workers asked for, else the node's processors (the pool has no more
 * places by default, and the head keeps as many hands as places). */
static int hands_wanted(const mpipool_t *pool) {
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  return pool->processes > 0 ? pool->processes : cpus > 0 ? (int)cpus : 1;
}

/* Ends the head made at the start that the engine did not take. */
static void drop_head(mpipool_t *pool) {
  mpipool__head_free(pool->head);
  pool->head = NULL;
}

/* Initializes MPI for the process, with mpipool's settings (mpihints.h)
 * and the watches on its start (init_watch.h, start_guard.h). */
static int init_mpi(mpipool_t *pool) {
  int provided, watch = mpipool__init_watch_start();
  int guard = mpipool__start_guard_enter();
  mpipool__hints_before_init(pool->launched, mpipool__launch_first());
  if (MPI_Init_thread(NULL, NULL, MPI_THREAD_MULTIPLE, &provided) !=
      MPI_SUCCESS)
    return MPIPOOL_EMPI;
  mpipool__init_watch_done(watch);
  mpipool__start_guard_started(guard);
  mpipool__hints_after_init();
  mpi_ours = 1;
  pool->initialized_mpi = 1;
  return MPIPOOL_OK;
}

int mpipool__pool_mpi_up(mpipool_t *pool) {
  int up = 0, err;
  if (pool->comm != MPI_COMM_NULL)
    return MPIPOOL_OK;
  if (MPI_Initialized(&up) != MPI_SUCCESS)
    return MPIPOOL_EMPI;
  if (!up && (err = init_mpi(pool)) != 0)
    return err;
  if (MPI_Comm_dup(pool->user_comm, &pool->comm) != MPI_SUCCESS) {
    pool->comm = MPI_COMM_NULL;
    return MPIPOOL_EMPI;
  }
  MPI_Comm_set_errhandler(pool->comm, MPI_ERRORS_RETURN);
  return MPIPOOL_OK;
}

/* Whether the pool starts lazily (pool.h): a singleton (no launcher) with
 * a head start, on MPI_COMM_WORLD, in a program that has not started MPI,
 * unless MPIPOOL_LAZY_MPI=0. */
static int lazy(const mpipool_t *pool) {
  return head_start_wanted(pool) && !pool->launched &&
         pool->user_comm == MPI_COMM_WORLD &&
         mpipool__env_flag("MPIPOOL_LAZY_MPI", 1, NULL);
}

/* A lazy start: the master plans from its own node's probe, as a
 * singleton's start_ranks would, and MPI starts only if the plan gives
 * the pool no head start after all. */
static int start_lazily(mpipool_t *pool) {
  mpipool__node_t me;
  char why[256] = "";
  live_pools++;
  pool->role = MPIPOOL__ROLE_MASTER;
  int err = probe_node(&me, pool->hwthreads, 0, 0, why, sizeof why);
  if (err == 0)
    err = start_master(pool, 1, &me, why);
  mpipool__node_free(&me);
  drop_head(pool); /* the engine took it, or the pool has no head start */
  if (err)
    return err;
  pool->state = MPIPOOL__RUNNING;
  return MPIPOOL_OK;
}

int mpipool_start(mpipool_t *pool) {
  int flag = 0, rank = 0, size = 1;
  MPI_Comm parent = MPI_COMM_NULL;
  int err = settable(pool);
  if (err)
    return err;
  if (pool->task_timeout > 0 && !pool->isolation)
    return MPIPOOL_EINVAL;       /* only an isolated task can be stopped */
  pool->state = MPIPOOL__FAILED; /* until proven otherwise */
  int fin = 0;
  if (MPI_Finalized(&fin) != MPI_SUCCESS || fin) {
    fprintf(stderr, "mpipool: MPI was finalized (mpipool finalizes it when "
                    "the last pool is destroyed): no pool can start after "
                    "that\n");
    return MPIPOOL_EMPI;
  }
  if (MPI_Initialized(&flag) != MPI_SUCCESS)
    return MPIPOOL_EMPI;
  pool->launched = mpipool__launched();
  /* The program's choice, else the environment's (on by default). */
  if (pool->head_start < 0)
    pool->head_start = mpipool__env_flag("MPIPOOL_HEAD_START", 1, NULL);
  if (!flag) {
    /* A head start's forker (worker/forker.h) is forked while the
     * process has one thread, before MPI starts its own; where the pool
     * turns out to get no head start, it ends unused (failed: it is
     * made later). */
    if (head_start_wanted(pool) && mpipool__launch_alone() && first_thread()) {
      pool->hwloc_held = mpipool__hwloc_hold(); /* before the forkers */
      mpipool__head_new(&pool->head, pool, hands_wanted(pool));
    }
    if (lazy(pool))
      return start_lazily(pool);
    if ((err = init_mpi(pool)) != 0)
      return err;
  }
  live_pools++;
  if (MPI_Comm_get_parent(&parent) != MPI_SUCCESS)
    return MPIPOOL_EMPI;
  if (parent != MPI_COMM_NULL) {
    /* Spawned by a master: serve it through the parent intercomm. */
    drop_head(pool);
    pool->role = MPIPOOL__ROLE_WORKER;
    pool->comm = parent;
    MPI_Comm_set_errhandler(parent, MPI_ERRORS_RETURN);
    int linger = 1;
    int err = mpipool__worker_run(pool, 0, &linger);
    worker_exit(pool, err, linger);
  }
  if ((err = mpipool__pool_mpi_up(pool)) != 0)
    return err;
  MPI_Comm_rank(pool->comm, &rank);
  MPI_Comm_size(pool->comm, &size);
  err = start_ranks(pool, rank, size);
  drop_head(pool); /* the engine took it, or the pool has no head start */
  if (err)
    return err;
  pool->state = MPIPOOL__RUNNING;
  return MPIPOOL_OK;
}

int mpipool_is_master(const mpipool_t *pool) {
  return pool && pool->role == MPIPOOL__ROLE_MASTER &&
         pool->state != MPIPOOL__FAILED;
}

int mpipool_size(const mpipool_t *pool) {
  return pool && pool->master ? (int)mpipool__master_size(pool->master) : 0;
}

/* Checks that the master may make progress. */
static int master_only(const mpipool_t *pool);

int mpipool_submit_window(const mpipool_t *pool) {
  if (master_only(pool))
    return 0;
  size_t workers = mpipool__master_size(pool->master);
  size_t n =
      workers + (mpipool__master_queues_ahead(pool->master) ? workers + 2 : 0);
  return n > 0x7fffffff ? 0x7fffffff : (int)n;
}

/* Checks that the master may make progress. */
static int master_only(const mpipool_t *pool) {
  if (pool == NULL)
    return MPIPOOL_EINVAL;
  if (pool->role != MPIPOOL__ROLE_MASTER || pool->state == MPIPOOL__FAILED)
    return MPIPOOL_EBUSY;
  return MPIPOOL_OK;
}

int mpipool_set_backlog(mpipool_t *pool, size_t n) {
  int err = master_only(pool);
  if (err == 0)
    mpipool__master_set_backlog(pool->master, n);
  return err;
}

int mpipool_progress(mpipool_t *pool) {
  int busy = 0, err = master_only(pool);
  if (err || pool->state == MPIPOOL__JOINED)
    return err;
  return mpipool__master_progress(pool->master, &busy);
}

int mpipool_wait(mpipool_t *pool, double timeout) {
  int err = master_only(pool);
  if (err || pool->state == MPIPOOL__JOINED)
    return err;
  double deadline = timeout < 0 ? -1 : mpipool__now() + timeout;
  return mpipool__master_wait_any(pool->master, deadline);
}

int mpipool_close(mpipool_t *pool) {
  int err = master_only(pool);
  if (err)
    return err;
  if (pool->state == MPIPOOL__RUNNING)
    pool->state = MPIPOOL__CLOSED;
  return MPIPOOL_OK;
}

int mpipool_join(mpipool_t *pool) {
  int err = master_only(pool);
  if (err)
    return err;
  if (pool->state == MPIPOOL__JOINED)
    return MPIPOOL_OK;
  if (pool->state != MPIPOOL__CLOSED)
    return MPIPOOL_EBUSY;
  err = mpipool__master_shutdown(pool->master, 0);
  pool->state = MPIPOOL__JOINED;
  return err;
}

int mpipool_terminate(mpipool_t *pool) {
  int err = master_only(pool);
  if (err)
    return err;
  if (pool->state == MPIPOOL__JOINED)
    return MPIPOOL_OK;
  err = mpipool__master_shutdown(pool->master, 1);
  pool->state = MPIPOOL__JOINED;
  return err;
}

/* A spawn Open MPI gave up on left its processes stuck in MPI_Init (Open
 * MPI 4.1 with PMIx 4); mpirun would wait for them for ever once the
 * program ends.  Everything the pool did is done: the MPI job is ended
 * with MPI_Abort, exit status 255, and the program says why. */
static void end_stuck_job(const mpipool_t *pool) {
  /* With --enable-recovery mpirun outlives a killed process (and ignores
   * MPI_Abort): the stuck ones are killed.  Else killing one would end
   * the job with a signal's status: MPI_Abort ends it with ours. */
  const char *recovery = getenv("OMPI_MCA_orte_enable_recovery");
  size_t killed = recovery && strcmp(recovery, "1") == 0
                      ? mpipool__comm_spawn_end_stuck()
                      : 0;
  if (killed > 0) {
    fprintf(stderr,
            "mpipool: %d spawn(s) of worker processes never completed; their "
            "%zu process(es), stuck in MPI_Init (Open MPI 4.1 with PMIx 4), "
            "are killed so that the launcher does not wait for them\n",
            pool->stuck_spawns, killed);
    return;
  }
  fprintf(stderr,
          "mpipool: %d spawn(s) of worker processes never completed: their "
          "processes are stuck in MPI_Init (Open MPI 4.1 with PMIx 4), and "
          "the launcher would wait for them for ever; ending the MPI job "
          "(exit status 255)\n",
          pool->stuck_spawns);
  fflush(NULL);
  MPI_Abort(MPI_COMM_WORLD, 255);
}

void mpipool_destroy(mpipool_t *pool) {
  if (pool == NULL)
    return;
  if (pool->role == MPIPOOL__ROLE_MASTER &&
      (pool->state == MPIPOOL__RUNNING || pool->state == MPIPOOL__CLOSED))
    mpipool_terminate(pool);
  if (pool->master)
    lost_workers += mpipool__master_lost(pool->master);
  if (pool->role == MPIPOOL__ROLE_MASTER)
    stuck_spawns += (size_t)pool->stuck_spawns;
  mpipool__master_free(pool->master);
  pool->master = NULL;
  if (pool->role == MPIPOOL__ROLE_MASTER && pool->stuck_spawns &&
      pool->launched && mpipool__comm_spawn_stuck_left() > 0)
    end_stuck_job(pool);
  /* A private duplicate, or a spawned worker's parent intercommunicator:
   * freed, not disconnected (see on_bye in master.c). */
  if (pool->comm != MPI_COMM_NULL)
    MPI_Comm_free(&pool->comm);
  if (pool->role != MPIPOOL__ROLE_NONE || pool->state == MPIPOOL__FAILED) {
    int up = 0, fin = 0;
    MPI_Initialized(&up);
    MPI_Finalized(&fin);
    if (live_pools > 0 && --live_pools == 0 && mpi_ours && up && !fin) {
      /* A singleton's master: its runtime daemon started the workers. */
      int singleton = !pool->launched && pool->role == MPIPOOL__ROLE_MASTER;
      /* A spawn given up may still be inside MPI: its processes go first,
       * and MPI is finalized only once it has returned (comm_spawn.h). */
      if (singleton && stuck_spawns)
        mpipool__comm_spawn_end_stuck();
      if (mpipool__comm_spawn_calls_left(stuck_spawns ? SPAWN_RETURN_S : 0) ==
          0)
        MPI_Finalize();
      else
        fprintf(stderr,
                "mpipool: warning: MPI is not finalized: a spawn given up "
                "has not returned from MPI_Comm_spawn, and Open MPI 4.1 "
                "crashes when it returns during MPI_Finalize\n");
      if (singleton) {
        mpipool__daemon_settle(DAEMON_SETTLE_S);
        pid_t killed = lost_workers >= 2 || stuck_spawns
                           ? mpipool__daemon_end(DAEMON_END_S)
                           : 0;
        if (killed)
          fprintf(stderr,
                  "mpipool: warning: MPI's runtime daemon (orted, pid %ld) "
                  "had not ended %.0f s after the program's end of MPI (its "
                  "PMIx server stuck, Open MPI 4.1 with PMIx 4): killed\n",
                  (long)killed, DAEMON_END_S);
      }
    }
  }
  if (pool->sigpipe_held)
    mpipool__sigpipe_release();
  drop_head(pool);
  mpipool__hwloc_release(pool->hwloc_held);
  mpipool__journal_close(pool->journal);
  mpipool__free(pool->journal_path);
  mpipool__registry_free(&pool->reg);
  mpipool__free(pool->initargs);
  mpipool__free(pool);
}

/* --- what the pool is made of ------------------------------------------ */

int mpipool_node_count(const mpipool_t *pool) {
  if (master_only(pool))
    return 0;
  return (int)mpipool__master_plan(pool->master)->nnodes;
}

int mpipool_node_info(const mpipool_t *pool, int i, mpipool_node_info_t *info) {
  int err = master_only(pool);
  if (err)
    return err;
  const mpipool__plan_t *p = mpipool__master_plan(pool->master);
  if (info == NULL || i < 0 || (size_t)i >= p->nnodes)
    return MPIPOOL_EINVAL;
  const mpipool__plan_node_t *n = &p->nodes[i];
  memset(info, 0, sizeof *info);
  info->host = n->info.host;
  info->status = n->info.status;
  info->cpuset = n->info.cpuset ? n->info.cpuset : "";
  info->cores = n->info.cores;
  info->ranks = n->ranks;
  info->spawned = n->spawn;
  info->bound = n->bind;
  info->gpus = n->info.gpus ? n->info.gpus : "";
  info->ngpus = n->info.ngpus;
  return MPIPOOL_OK;
}

int mpipool_worker_info(const mpipool_t *pool, int i,
                        mpipool_worker_info_t *info) {
  int err = master_only(pool);
  if (err)
    return err;
  if (info == NULL)
    return MPIPOOL_EINVAL;
  /* Asking about the workers brings them (a head start may not have yet). */
  err = mpipool__master_want_workers(pool->master);
  return err ? err : mpipool__master_worker_info(pool->master, i, info);
}

/* --- submissions ---------------------------------------------------- */

/* Checks that work may be submitted and finds the task. */
static int submittable(mpipool_t *pool, const char *name, uint32_t *fn) {
  int err = master_only(pool);
  if (err)
    return err;
  if (pool->state != MPIPOOL__RUNNING)
    return MPIPOOL_ECLOSED;
  int k = mpipool__registry_find(&pool->reg, name);
  if (k < 0)
    return k;
  *fn = (uint32_t)k;
  return MPIPOOL_OK;
}

/* A map of a pool with a journal: checked against the journal's map of
 * the same number (or recorded), and its chunks the journal holds whole
 * taken from it. */
static int attach_journal(mpipool_t *pool, const char *name,
                          const mpipool__src_t *src, mpipool__job_t *job) {
  char why[768] = "";
  uint32_t map = 0;
  int err = MPIPOOL_OK;
  if (pool->journal == NULL)
    err = mpipool__journal_open(&pool->journal, pool->journal_path, why,
                                sizeof why);
  if (err == 0)
    err = mpipool__journal_map(pool->journal, name, job->count,
                               mpipool__journal_digest(src, job->count), &map,
                               why, sizeof why);
  if (err) {
    if (why[0])
      fprintf(stderr, "mpipool: %s\n", why);
    return err;
  }
  job->journal = pool->journal;
  job->jmap = map;
  for (size_t c = 0; c < job->nchunks && err >= 0; c++) {
    mpipool__rbuf_t *buf;
    mpipool__rchunk_view_t v;
    err = mpipool__journal_chunk(pool->journal, map,
                                 mpipool__job_chunk_first(job, c),
                                 mpipool__job_chunk_count(job, c), &buf, &v);
    if (err == 1) {
      err = mpipool__job_preset(job, c, buf, &v);
      mpipool__rbuf_unref(buf);
    }
  }
  return err < 0 ? err : MPIPOOL_OK;
}

/* The common path of every map flavour. */
static int run_map(mpipool_t *pool, const char *name, const mpipool__src_t *src,
                   size_t count, size_t chunksize, int kind, int ordered,
                   mpipool_item_cb cb, void *arg, mpipool_results_t **results) {
  uint32_t fn;
  mpipool__job_t *job;
  int err = submittable(pool, name, &fn);
  if (err)
    return err;
  if (kind == MPIPOOL__JOB_MAP && results == NULL)
    return MPIPOOL_EINVAL;
  if (kind == MPIPOOL__JOB_STREAM && cb == NULL)
    return MPIPOOL_EINVAL;
  chunksize = mpipool__job_chunksize(chunksize, count,
                                     mpipool__master_size(pool->master));
  err = mpipool__job_new(kind, fn, src, count, chunksize, &job);
  if (err)
    return err;
  job->ordered = ordered;
  job->item_cb = cb;
  job->item_arg = arg;
  if (pool->journal_path && (err = attach_journal(pool, name, src, job)) != 0) {
    mpipool__job_unref(job); /* never submitted: the engine's reference */
    mpipool__job_unref(job);
    return err;
  }
  mpipool__master_submit(pool->master, job);
  err = mpipool__master_wait_job(pool->master, job, -1);
  mpipool__journal_sync(pool->journal, 1);
  if (err == 0)
    err = mpipool__job_outcome(job, kind == MPIPOOL__JOB_MAP ? results : NULL);
  mpipool__job_unref(job);
  return err;
}

int mpipool_map(mpipool_t *pool, const char *name, const void *items,
                size_t count, size_t item_size, size_t chunksize,
                mpipool_results_t **results) {
  mpipool__src_t src = {items, item_size, NULL, NULL};
  if (items == NULL && count && item_size)
    return MPIPOOL_EINVAL;
  return run_map(pool, name, &src, count, chunksize, MPIPOOL__JOB_MAP, 1, NULL,
                 NULL, results);
}

int mpipool_map_v(mpipool_t *pool, const char *name, const void *const *ptrs,
                  const size_t *sizes, size_t count, size_t chunksize,
                  mpipool_results_t **results) {
  mpipool__src_t src = {NULL, 0, ptrs, sizes};
  if (count && (ptrs == NULL || sizes == NULL))
    return MPIPOOL_EINVAL;
  for (size_t i = 0; i < count; i++)
    if (ptrs[i] == NULL && sizes[i])
      return MPIPOOL_EINVAL;
  return run_map(pool, name, &src, count, chunksize, MPIPOOL__JOB_MAP, 1, NULL,
                 NULL, results);
}

static int stream(mpipool_t *pool, const char *name, const void *items,
                  size_t count, size_t item_size, size_t chunksize, int ordered,
                  mpipool_item_cb cb, void *arg) {
  mpipool__src_t src = {items, item_size, NULL, NULL};
  if (items == NULL && count && item_size)
    return MPIPOOL_EINVAL;
  return run_map(pool, name, &src, count, chunksize, MPIPOOL__JOB_STREAM,
                 ordered, cb, arg, NULL);
}

int mpipool_imap_unordered(mpipool_t *pool, const char *name, const void *items,
                           size_t count, size_t item_size, size_t chunksize,
                           mpipool_item_cb cb, void *arg) {
  return stream(pool, name, items, count, item_size, chunksize, 0, cb, arg);
}

int mpipool_imap(mpipool_t *pool, const char *name, const void *items,
                 size_t count, size_t item_size, size_t chunksize,
                 mpipool_item_cb cb, void *arg) {
  return stream(pool, name, items, count, item_size, chunksize, 1, cb, arg);
}

int mpipool_apply_async(mpipool_t *pool, const char *name, const void *in,
                        size_t size, mpipool_async_cb cb,
                        mpipool_async_err_cb err_cb, void *arg,
                        mpipool_async_t **handle) {
  uint32_t fn;
  mpipool__job_t *job;
  if (handle == NULL || (in == NULL && size))
    return MPIPOOL_EINVAL;
  int err = submittable(pool, name, &fn);
  if (err)
    return err;
  if (size > (size_t)INT_MAX - 1024)
    return MPIPOOL_E2BIG;
  err = mpipool__job_new_async(fn, in, size, &job);
  if (err)
    return err;
  job->cb = cb;
  job->err_cb = err_cb;
  job->cb_arg = arg;
  mpipool__master_submit(pool->master, job);
  *handle = job;
  /* Start it on its way; a communication failure shows in the handle. */
  mpipool__master_nudge(pool->master);
  return MPIPOOL_OK;
}

int mpipool_apply(mpipool_t *pool, const char *name, const void *in,
                  size_t size, void **out, size_t *out_size) {
  mpipool_async_t *h;
  const void *data = NULL;
  size_t len = 0;
  if (out == NULL)
    return MPIPOOL_EINVAL;
  *out = NULL;
  int err = mpipool_apply_async(pool, name, in, size, NULL, NULL, NULL, &h);
  if (err)
    return err;
  err = mpipool_async_get(h, -1, &data, &len);
  if (err == 0 || data != NULL) { /* a result, or a failure's message */
    size_t n = len + (err != 0);  /* a message keeps its NUL */
    if (n && (*out = mpipool__malloc_given(n)) == NULL)
      err = MPIPOOL_ENOMEM;
    else if (n)
      memcpy(*out, data, n);
    if (out_size)
      *out_size = len;
  }
  mpipool_async_free(h);
  return err;
}

/* --- async handles -------------------------------------------------- */

int mpipool_async_wait(mpipool_async_t *h, double timeout) {
  if (h == NULL)
    return MPIPOOL_EINVAL;
  if (h->done)
    return MPIPOOL_OK;
  if (h->pool == NULL)
    return MPIPOOL_EBUSY;
  double deadline = timeout < 0 ? -1 : mpipool__now() + timeout;
  return mpipool__master_wait_job(h->pool->master, h, deadline);
}

int mpipool_async_get(mpipool_async_t *h, double timeout, const void **data,
                      size_t *size) {
  int err = mpipool_async_wait(h, timeout);
  if (err)
    return err;
  const void *d;
  size_t s;
  err = mpipool__rchunks_item(&h->one, 1, h->retry, 0, &d, &s);
  if (data)
    *data = d;
  if (size)
    *size = s;
  return err;
}

int mpipool_async_ready(mpipool_async_t *h) {
  if (h == NULL)
    return MPIPOOL_EINVAL;
  if (!h->done && h->pool) {
    int busy = 0;
    mpipool__master_progress(h->pool->master, &busy);
  }
  return h->done;
}

int mpipool_async_successful(mpipool_async_t *h) {
  if (h == NULL)
    return MPIPOOL_EINVAL;
  if (!h->done)
    return MPIPOOL_ENOTREADY;
  return h->nfailed == 0;
}

const char *mpipool_async_error(mpipool_async_t *h) {
  const void *d;
  size_t s;
  if (h == NULL || !h->done || h->nfailed == 0)
    return "";
  mpipool__rchunks_item(&h->one, 1, h->retry, 0, &d, &s);
  return d;
}

int mpipool_async_attempts(const mpipool_async_t *h) {
  if (h == NULL)
    return MPIPOOL_EINVAL;
  if (!h->done)
    return MPIPOOL_ENOTREADY;
  return mpipool__job_attempts(h, 0);
}

void mpipool_async_free(mpipool_async_t *h) { mpipool__job_unref(h); }
