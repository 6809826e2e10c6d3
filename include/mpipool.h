/*
 * mpipool.h - a worker pool over MPI with the semantics of Python's
 * multiprocessing.Pool: map, imap_unordered, apply, apply_async,
 * initializer, close, join, terminate.
 *
 * This header is the documentation of the library.
 *
 * THE PROGRAM MODEL (SPMD)
 * ------------------------
 * Every process of an mpipool program runs the same main(): it creates a
 * pool handle, registers its task functions by name, sets options, and calls
 * mpipool_start().  Rank 0 of the pool's communicator is the master:
 * mpipool_start() returns MPIPOOL_OK there and the program goes on to submit
 * work.  On every other process mpipool_start() does NOT return: the process
 * becomes a worker, runs the initializer once, serves tasks until the
 * master closes the pool, then destroys its handle, finalizes MPI if
 * mpipool initialized it, and calls exit(0) (exit(1) if its initializer
 * failed).  Code placed before mpipool_start() therefore runs everywhere;
 * code after it runs only on the master.  Processes that mpipool spawns
 * (see "Sizing") run the same main() with the same arguments and take the
 * same path.  Under mpirun (Open MPI) such a process first forks, in
 * mpipool_start() before MPI_Init: the fork is the worker, and the process
 * mpirun started waits for it, so that a worker whose MPI_Init fails does
 * not end the MPI job (see doc/reliability.md).  Only the thread that
 * called mpipool_start() goes on in the worker: start no threads before
 * mpipool_start() that its tasks need.  A rank that mpirun started
 * forks a watcher there that holds nothing of it and ends as MPI_Init
 * returns: if the rank dies in MPI_Init and mpirun, stuck, has not ended
 * the job after MPIPOOL_INIT_WATCH seconds (default 60; 0: none), the
 * watcher kills mpirun (see doc/reliability.md).
 *
 *     mpipool_t *pool;
 *     mpipool_create(&pool);
 *     mpipool_register(pool, "double", do_double, NULL);
 *     mpipool_set_processes(pool, 4);
 *     if (mpipool_start(pool) != 0) { ...error on the master... }
 *     // master only from here
 *     mpipool_map(pool, "double", in, n, sizeof in[0], 0, &res);
 *     mpipool_close(pool); mpipool_join(pool); mpipool_destroy(pool);
 *
 * Tasks are registered by name because function pointers differ between
 * processes.  A task reads its input bytes and produces output bytes of any
 * size through its context (mpipool_ctx_*).  Registration must happen on
 * every process before mpipool_start().
 *
 * SIZING
 * ------
 * At start every launcher rank counts the usable cores of its node with
 * hwloc (see mpipool_core_count; mpipool_set_hwthreads counts hardware
 * threads) and the master plans where workers go (mpipool_node_info).
 * processes = N uses N workers.  Worker ranks already started by the
 * launcher (mpirun -n K gives K-1) are used first, in rank order; surplus
 * ranks are released at once.  If fewer than N exist (a singleton run
 * "./prog" without mpirun, or "mpirun -n 1"), the master spawns the rest
 * with MPI_Comm_spawn, each on the node with the most free cores.  With
 * Open MPI, mpipool asks the spawn to oversubscribe, so the user never
 * needs --oversubscribe for these.
 * processes = 0 (the default) means: one worker per usable core on every
 * node the job's ranks run on.  The launcher's ranks count toward their
 * node's share (all of them serve, even beyond it: the user asked for
 * them); the master spawns what each node lacks onto that node (the "host"
 * key of MPI_Comm_spawn).  The master is not counted: it sleeps while it
 * waits (measured with the mpipool program: about 12% of one core while
 * its workers ran 1,500 tiny tasks per second, far less for longer ones).
 *
 * PROGRESS
 * --------
 * The master makes progress (dispatches queued tasks, collects results,
 * runs callbacks) inside mpipool calls on the master: submissions, waits,
 * get, ready, map, join.  While tasks are short (under 0.1 s), each
 * worker keeps a few queued, so a master busy elsewhere for a while does
 * not stall them at once; a long task never has another queued behind it
 * (which would wait while a worker idles).  A master that computes for
 * long stretches between calls may call mpipool_progress() now and then.
 * Callbacks run on the master's thread, inside the mpipool call that received
 * the result; they must not call back into the pool.  Waiting processes spin
 * briefly, then back off to sleeping, so an oversubscribed node keeps its cores
 * for real work.
 *
 * MEMORY
 * ------
 * The master holds about 320 bytes per apply_async submitted and not
 * yet collected, for an input and a result of a few bytes (the job with
 * its copy of the input, the result's share of the message it came in,
 * the handle), more by the bytes of larger ones; bench/bench_pool's
 * apply_async_memory line measures it.  Where the kernel offers transparent
 * huge pages ("always" or "madvise" in
 * /sys/kernel/mm/transparent_hugepage/enabled), the master's heap (glibc's
 * malloc) grows in steps of 16 MiB (M_TOP_PAD) and is advised MADV_HUGEPAGE as
 * it grows, as glibc's own GLIBC_TUNABLES=glibc.malloc.hugetlb=1 would do: on a
 * virtual machine, where a page touched for the first time costs about 10 us,
 * 200,000 apply_async ran 1.6-3x faster.  This applies to the whole process the
 * master runs in (the program's own allocations too) from mpipool_start()
 * on; its memory then grows 2 MiB at a time.  In the master and in the
 * workers, blocks of 4 MiB and more that mpipool allocates (a big map's
 * frames and results) are advised too.  MPIPOOL_HUGEPAGES=0 in the
 * environment leaves the heap and those blocks as they are (1, the
 * default: on; another value is said on stderr, and on kept).
 *
 * LARGE MESSAGES
 * --------------
 * On Linux, a frame of 256 KiB or more between the master and a worker of
 * its node (a worker's results, the master's tasks: a big map's items, a
 * large input) is not sent through MPI: the receiver reads it from the
 * sender's memory (process_vm_readv, one copy) after a small message
 * names it, and answers.  A singleton's spawned workers would otherwise
 * get it over TCP (Open MPI's shared memory does not connect them).  This
 * needs the kernel's leave to read another process of the same user:
 * where Yama's ptrace_scope is 1 or more (Ubuntu's default) a process may
 * read only its descendants: a worker cannot read its master's frames,
 * nor, under mpirun, the master its workers'.  Such a frame is declined
 * and comes as a message, one round trip later.
 * MPIPOOL_CMA_TASKS=0 in the master's environment sends every task frame
 * as a message.
 *
 * SPAWNED WORKERS ON THE MASTER'S NODE
 * ------------------------------------
 * On Linux, a worker the pool spawned on the master's node (a singleton's
 * workers, successors under maxtasksperchild, replacements of lost
 * workers) talks to the master through a channel in shared memory that it
 * makes and passes to the master over a Unix socket, not through MPI
 * (which would take TCP between them).  A launcher's ranks stay on MPI.
 * MPIPOOL_SHM=0 in the master's environment keeps every worker on MPI.
 * A task that overwrites that memory (a stray pointer) costs its worker
 * only: the master finds what came through it is not messages, kills the
 * worker and takes it for lost (mpipool_set_crash_limit).
 *
 * SIGNALS
 * -------
 * From mpipool_start() until the last pool of the process is destroyed,
 * the master's process ignores SIGPIPE if the program left it at its
 * default.  Open MPI's TCP transport writes to a worker's socket with
 * writev(): a worker that just died (a crash, kill -9) would otherwise
 * kill the master, and with it the run, when the master writes to it
 * before it has read that it is gone.  Meanwhile a write of the program's
 * own to a closed pipe or socket fails with EPIPE instead of ending the
 * program.  A program that set SIGPIPE's disposition itself (a handler,
 * or SIG_IGN) keeps it; task processes and the mpipool program's
 * commands start with SIGPIPE at its default.
 *
 * THREADS
 * -------
 * A pool handle is used by one thread at a time.  Different pools in one
 * program are independent (each works on its own duplicate of its
 * communicator), but they share MPI itself.
 *
 * ERRORS
 * ------
 * Functions that can fail return 0 (MPIPOOL_OK) or a negative MPIPOOL_E*
 * code; mpipool_strerror() describes it.  Objects come back through
 * out-parameters, set only on success unless said otherwise.  A call that
 * fails never invokes a callback.  Ownership of every pointer argument is
 * stated: "copied" (the pool keeps its own copy), "borrowed" (must stay
 * valid for the time stated) or "taken".  Bytes the pool hands over (a
 * task's `in`, a result) are only byte-aligned: a map's results lie packed
 * one after another, so read a typed value with memcpy, not through a cast
 * pointer.
 *
 * LIMITS
 * ------
 * One task input travels in one MPI message, so it is limited to 2 GiB - 1
 * bytes (MPI counts are int); a larger one fails the submission with
 * MPIPOOL_E2BIG.  A worker answers each batch of work the master sent it
 * (one task, a map chunk, or a few short tasks sent together) with one
 * message too: a task's output of up to mpipool_result_max() bytes
 * (2147483576: 2 GiB less 72 bytes of headers) arrives whole when it
 * travels alone.  An output larger than that, or one that does not fit
 * beside the other results of its batch, fails that item only, with
 * MPIPOOL_E2BIG and a message saying its size ("output of 2348810240
 * bytes is more than one message can carry (2 GiB - 1 bytes)"), largest
 * outputs first; the other items keep their results and the worker goes
 * on serving.  For tests, MPIPOOL_FAULT_MSG_MAX=N in every process's
 * environment (N from 1024 to 2 GiB - 1) makes workers treat N bytes as
 * the largest message they send.  All processes must share byte order and
 * word size.
 */
#ifndef MPIPOOL_H
#define MPIPOOL_H

#include <stddef.h>
#include <stdint.h>
#include <mpi.h>

#include "mpipool_version.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The error list: one X-macro generates the enum and mpipool_strerror(). */
#define MPIPOOL_ERRNO_MAP(X)                                                   \
  X(EINVAL, -1, "invalid argument")                                            \
  X(ENOMEM, -2, "out of memory")                                               \
  X(ENOTASK, -3, "no task registered under that name")                         \
  X(EEXIST, -4, "a task is already registered under that name")                \
  X(ECLOSED, -5, "the pool is closed to new work")                             \
  X(EBUSY, -6, "not allowed in the pool's current state")                      \
  X(ETASK, -7, "the task failed")                                              \
  X(ETIMEDOUT, -8, "timed out")                                                \
  X(ETERMINATED, -9, "the pool was terminated before the task ran")            \
  X(ENOTREADY, -10, "the result is not ready")                                 \
  X(EMPI, -11, "an MPI call failed")                                           \
  X(ESPAWN, -12, "could not spawn worker processes")                           \
  X(EHWLOC, -13, "could not read the machine topology with hwloc")             \
  X(E2BIG, -14, "message larger than 2 GiB - 1 bytes")                         \
  X(ENOWORKERS, -15, "the pool has no worker able to run tasks")               \
  X(EPROTO, -16, "protocol error between master and worker")                   \
  X(ERANGE, -17, "the result does not fit in the buffer given")                \
  X(ELOST, -18, "the task's worker died while running it, too many times")     \
  X(EJOURNAL, -19, "the journal cannot be used for this run")                  \
  X(ENORESOURCE, -20, "no node has the cores or GPUs one worker needs")

typedef enum {
  MPIPOOL_OK = 0,
#define MPIPOOL__ERR_ENUM(name, value, text) MPIPOOL_##name = (value),
  MPIPOOL_ERRNO_MAP(MPIPOOL__ERR_ENUM)
#undef MPIPOOL__ERR_ENUM
/* One below the last code, counted from the list (codes are -1, -2, ...
 * in list order: error.c checks it when compiling). */
#define MPIPOOL__ERR_COUNT(name, value, text) -1
      MPIPOOL_ERRNO_LAST = -1 MPIPOOL_ERRNO_MAP(MPIPOOL__ERR_COUNT)
#undef MPIPOOL__ERR_COUNT
} mpipool_errno_t;

/* A description of the error code; never NULL, also for unknown codes. */
const char *mpipool_strerror(int err);
/* The symbolic name ("MPIPOOL_EINVAL"); never NULL. */
const char *mpipool_err_name(int err);
/* The library version as "MAJOR.MINOR.PATCH"; static storage. */
const char *mpipool_version(void);
/* The largest output one task can return (see LIMITS): 2 GiB - 1 less the
 * headers of its message, or less under MPIPOOL_FAULT_MSG_MAX. */
size_t mpipool_result_max(void);

typedef struct mpipool mpipool_t;                 /* a pool (opaque) */
typedef struct mpipool_ctx mpipool_ctx_t;         /* a worker's task context */
typedef struct mpipool_async mpipool_async_t;     /* an apply_async handle */
typedef struct mpipool_results mpipool_results_t; /* results of a map */

/*
 * A task: runs on a worker with `in` (size bytes, borrowed for the call;
 * size may be 0) and produces its output through ctx
 * (mpipool_ctx_output / mpipool_ctx_set_output; no output means an empty
 * result).  Returns 0 on success.  Any other value fails this task only:
 * its result becomes an error carrying the message set with
 * mpipool_ctx_fail(), or "task returned N".
 */
typedef int (*mpipool_task_fn)(mpipool_ctx_t *ctx, const void *in, size_t size);

/*
 * The initializer: runs once in each worker before its first task, with the
 * initargs bytes given to mpipool_set_initializer() on the master (sent to
 * every worker).  A non-zero return means the worker cannot serve: it
 * reports the message (mpipool_ctx_fail) to the master, which gives it no
 * task, and exits with status 1.  If every worker fails, tasks fail with
 * MPIPOOL_ENOWORKERS.
 */
typedef int (*mpipool_init_fn)(mpipool_ctx_t *ctx, const void *initargs,
                               size_t size);

/* ---------------------------------------------------------------------- */
/* Lifecycle                                                               */

/*
 * Creates a pool handle with default options.  Does not touch MPI.
 * Returns 0 and sets *pool, or MPIPOOL_EINVAL / MPIPOOL_ENOMEM.
 */
int mpipool_create(mpipool_t **pool);

/*
 * Registers task `fn` under `name` (copied; 1 to 255 bytes).  `data` is
 * borrowed for the pool's life and handed to the task by
 * mpipool_ctx_task_data().  Must be called identically on every process,
 * before mpipool_start().  Errors: EINVAL (NULL or bad name), EEXIST,
 * EBUSY (after start), ENOMEM.
 */
int mpipool_register(mpipool_t *pool, const char *name, mpipool_task_fn fn,
                     void *data);

/*
 * A chunk task: runs on a worker with `count` items of `size` bytes each,
 * back to back at `in`, and writes their `count` outputs, of the out_size
 * given to mpipool_register_chunk() each, back to back at `out` (room the
 * pool provides; not zeroed).  Returns 0 on success.  Any other value, or
 * mpipool_ctx_fail(), fails every item of this call with the message (or
 * "task returned N").  mpipool_ctx_output() returns NULL and
 * mpipool_ctx_set_output() EINVAL in it: `out` is the output.
 */
typedef int (*mpipool_chunk_fn)(mpipool_ctx_t *ctx, const void *in,
                                size_t count, size_t size, void *out);

/*
 * Registers chunk task `fn` under `name`, as mpipool_register() does (the
 * same rules, names and errors; EINVAL also for out_size above
 * mpipool_result_max()).  Every item's result is out_size bytes.  It is
 * a task like any other (mpipool_apply, mpipool_map_v, retries, ...);
 * what differs is how often fn is called:
 * - once per chunk of an mpipool_map / imap / imap_unordered (chunksize
 *   items) when the pool runs tasks in the worker itself (no isolation):
 *   no per-item call, so a map of tiny items runs at memory speed;
 * - once per item (count 1) otherwise: with isolation (each item alone
 *   in the child, under its time limit), in the head start, for
 *   mpipool_apply / apply_async and mpipool_map_v.
 * A failed call fails its items together; with retries they run again
 * one by one, so only those that fail alone fail in the end.
 */
int mpipool_register_chunk(mpipool_t *pool, const char *name,
                           mpipool_chunk_fn fn, size_t out_size, void *data);

/* Number of workers; 0 (default) as described under SIZING.  Before start.
 * Errors: EINVAL (NULL, or above 1,000,000), EBUSY. */
int mpipool_set_processes(mpipool_t *pool, int processes);

/*
 * The initializer and its arguments (initargs: size bytes, copied; may be
 * NULL with size 0).  Only the master's initargs matter: they are sent to
 * every worker.  Before start.  Errors: EINVAL, EBUSY, ENOMEM.
 */
int mpipool_set_initializer(mpipool_t *pool, mpipool_init_fn fn,
                            const void *initargs, size_t size);

/*
 * Maximum number of tasks a worker runs before it is replaced by a fresh
 * process (its memory, files and other resources freed); 0 (default) means
 * unlimited.  As in Python, a chunk of a map counts as one task.  The
 * master never hands a worker more tasks than it has left, and asks for its
 * successor (MPI_Comm_spawn, on the same host, from a spawner thread) as
 * soon as the worker starts, so the successor waits ready as a spare: the
 * pool may hold up to twice its size in processes, the spares idle.  A
 * spawn takes about 0.03 s on one node (more where the fabric's start is
 * slow), so keep maxtasksperchild x task time well above that (0.1 s per
 * worker kept 82% of the throughput here, under mpirun).  A worker that
 * has run its tasks leaves only once its successor is ready, and waits
 * (idle) until then.  If spawning fails, a successor's initializer
 * fails, or 3 successors in a row die before they are ready, the pool
 * warns once and goes on without recycling: its workers,
 * those waiting for a successor included, serve on; if no worker is left,
 * work fails with MPIPOOL_ENOWORKERS.
 * World ranks that retire leave MPI_Finalize early only with Open MPI's
 * async_mpi_finalize, which mpipool sets when it initializes MPI itself.
 * Before start.  Errors: EINVAL (negative), EBUSY.
 */
int mpipool_set_maxtasksperchild(mpipool_t *pool, long maxtasks);

/*
 * Counts (and binds to) hardware threads instead of physical cores: with
 * hwthreads non-zero, processes = 0 means one worker per hardware thread.
 * Before start.  Errors: EBUSY.
 */
int mpipool_set_hwthreads(mpipool_t *pool, int hwthreads);

/*
 * Whether workers bind themselves to a share of their node (default 1:
 * yes).  When a node's workers are no more than its cores (PUs with
 * hwthreads), each worker binds to its own core with hwloc, the node's
 * workers spread across packages and NUMA nodes; it stays unbound, and
 * says why in mpipool_worker_info(), when the launcher already bound it
 * or the node has more workers than cores.  On the master's node the
 * master counts (unless cores per worker were asked for): its workers
 * bind only when they leave it a core, as with processes = cores - 1; a
 * node it fills (the default) runs them unbound, so that the scheduler
 * can move a worker off the core where the master works.  A successor
 * (maxtasksperchild) takes its predecessor's core.  Tasks inherit the
 * binding: turn it off (0) for tasks that run threads of their own.
 * Before start.  Errors: EBUSY.
 */
int mpipool_set_binding(mpipool_t *pool, int bind);

/*
 * A worker that dies (killed, a crash in the task, the OOM killer) never
 * hangs the pool: the master finds out (the process is gone from the
 * master's node, or a worker on another node stays silent for 10 s), runs
 * the chunks it held again on other workers, and spawns a replacement
 * where spawning works.  A chunk whose workers died `limit` times (default
 * 5, as HyperQueue's crash limit) is not run again: its items fail with
 * MPIPOOL_ELOST and "its worker died N times".  This holds from a
 * worker's start, before and during its initializer too; after 3 workers
 * in a row died before they were ready, none is started in their place
 * (the pool warns and goes on with the workers it has).  Before start.
 * Errors: EINVAL (limit < 1), EBUSY.  Under mpirun, a rank's death ends the
 * whole job unless mpirun runs with --enable-recovery (see the README).
 */
int mpipool_set_crash_limit(mpipool_t *pool, int limit);

/*
 * Each worker gets `cores` cores of its node (PUs with hwthreads; 0, the
 * default: one, as before), for tasks that run threads (OpenMP): a node
 * takes at most floor(usable cores / cores) workers, launcher ranks
 * included (processes = 0 fills every node to that; processes > 0 is
 * capped by it, with a warning); with binding on, each worker binds to
 * `cores` neighbouring cores of its own (hwloc's logical order).  Launcher
 * ranks beyond what their node takes leave (from the first that does not
 * fit on; a warning says which), and the nodes are filled by spawning.
 * When no node has `cores` cores, mpipool_start() fails with
 * MPIPOOL_ENORESOURCE, saying so on stderr.  Before start.  Errors:
 * EINVAL (negative or above 1,000,000), EBUSY.
 */
int mpipool_set_cores_per_worker(mpipool_t *pool, int cores);

/*
 * Each worker gets `gpus` GPUs of its node to itself (0, the default:
 * none).  A node's GPUs are, in this order of precedence: the list in
 * MPIPOOL_GPUS (ids separated by commas, ranges "0-3" allowed: "the node
 * has these GPUs", for GPUs that hwloc cannot see, and for tests), the
 * launcher's CUDA_VISIBLE_DEVICES, Slurm's SLURM_STEP_GPUS or
 * SLURM_JOB_GPUS, else hwloc's co-processor OS devices (CUDA, ROCm, NVML,
 * OpenCL).  A node takes at most floor(its GPUs / gpus) workers (with
 * mpipool_set_cores_per_worker, the smaller bound), sized as above.  The
 * GPUs go by place (mpipool_ctx_node_place): the place numbered k on a
 * node has the node's GPUs k * gpus to (k + 1) * gpus - 1
 * (mpipool_ctx_gpus); a worker runs one task at a time and a successor
 * takes its place only once it has ended, so no two tasks running at once
 * share a GPU.  No GPUs anywhere (or a list that does not read):
 * mpipool_start() fails with MPIPOOL_ENORESOURCE, saying so.  Before
 * start.  Errors: EINVAL, EBUSY.
 */
int mpipool_set_gpus_per_worker(mpipool_t *pool, int gpus);

/*
 * Isolation (on != 0): each worker runs its tasks in a child process it
 * forks, which never touches MPI.  A task that crashes (SIGSEGV, abort),
 * calls exit() or is killed fails that item only, with MPIPOOL_ETASK and a
 * message saying how ("killed by signal 11 (Segmentation fault)", "exited
 * with status 3"); the worker forks a fresh child for its next item and
 * goes on.  The initializer runs once, in the worker: every child starts
 * from the worker's state after it (a crashed task's damage is gone).
 * maxtasksperchild keeps its meaning (the worker itself is replaced).
 * Costs a round trip through a socket per item (about 10 to 20 us) and a
 * fork after each crash: use it for tasks that may crash or hang (native
 * code, untrusted input), not for tiny trusted ones.  Off by default.
 * Set the same on every process (before start).  Errors: EBUSY.
 */
int mpipool_set_isolation(mpipool_t *pool, int on);

/*
 * A time limit for each isolated task, in seconds (0: none, the default):
 * past it the task's process is stopped (SIGTERM, SIGKILL 2 s later) and
 * the item fails with MPIPOOL_ETIMEDOUT; the worker goes on.  Needs
 * isolation: mpipool_start() returns MPIPOOL_EINVAL for a time limit
 * without it.  Errors: EINVAL (negative, not a number), EBUSY.
 */
int mpipool_set_task_timeout(mpipool_t *pool, double seconds);

/*
 * A head start (on != 0): a pool whose workers are all spawned on the
 * master's node (a program started without a launcher, or as the only
 * rank of one) does not wait in mpipool_start() for them.  start()
 * returns at once (see "MPI starts late" below), and until the first
 * worker is ready the master has queued tasks run by its "head", which
 * has a hand per place of the pool (16 at most), so that as many tasks
 * run at once before the workers come as after; each hand runs one
 * chunk at a time: a thread of the master's hands it to a child process
 * of the hand's, while the master goes on serving the workers as they
 * arrive; a submission never waits for it.  Where chunks are short
 * (under 0.1 s, as timed), a hand also holds the next, which it starts
 * as soon as the first is done (20,000 tiny apply_async tasks in the
 * head: 0.2-0.35 s instead of 0.8 s); once a worker is ready, a chunk so
 * held and not started goes to the workers instead.  A hand other than the
 * first starts (its child and initializer) only when work waits for it and the
 * hand before it runs a task: a lone task starts one hand, not all.
 * The workers are spawned in
 * the background once the head needs help: when work has waited 20 ms
 * for it (MPIPOOL_HEAD_ALONE=seconds sets another time; 0: at once), or
 * the work queued is known (from the tasks timed so far) to take that
 * long, or mpipool_worker_info() asks about them.  A program that says
 * how many tasks are still to come (mpipool_set_backlog) gets them only
 * once that work would keep the head busy 2 s (MPIPOOL_HEAD_WORTH=
 * seconds sets another time): a short workload then ends in the head
 * (100 commands of the mpipool program in 0.07 s instead of 0.19 s;
 * 2,000 in 0.87 s instead of 0.99 s, on 2 cores: the head's hands cost
 * less per task than workers on one node, and MPI's start is saved).
 * The first
 * result then arrives in the time of a fork and the initializer instead
 * of MPI's start plus a spawn (0.015 s instead of 0.14 s, or 0.23 s
 * without a head start, on a 2-core VM), and a short workload ends in
 * the master without starting MPI or spawning anyone (a program of 10
 * tiny tasks: 0.05 s instead of 0.20 s).
 *
 * MPI starts late: in a singleton (no launcher at all) whose program has
 * not initialized MPI itself, with the pool on MPI_COMM_WORLD,
 * mpipool_start() returns before MPI is initialized, and MPI starts
 * (MPI_Init_thread, about 0.1 s, in the thread that submits or waits)
 * when the first workers are wanted; if the head runs all the work, MPI
 * never starts, and mpipool_destroy() has no MPI to finalize.  A program
 * that calls MPI itself initializes it first (MPI_Init_thread, before
 * mpipool_start(); then the pool starts with MPI up, as under a
 * launcher), or turns the head start off; MPIPOOL_LAZY_MPI=0 in the
 * environment starts MPI in mpipool_start() (1, the default: late; another
 * value is said on stderr, and late kept).  A wait (mpipool_wait, a
 * result's get) during which MPI starts may take that long more than its
 * timeout.  Where MPI cannot start (a wrong OMPI_MCA_ setting, say), Open
 * MPI ends the program then, as it would have in mpipool_start(): what
 * the pool had not handed back is lost, unless a journal holds it.
 * Once a worker is ready, the head takes no more tasks (those its hands
 * run go on to their end): each task runs exactly once, in the head or
 * on a worker.  The head takes chunks of at most 256 items (it sends each item
 * to its child and back, tens of microseconds, where a worker runs a
 * chunk of tiny items in one go): a larger chunk waits for the workers,
 * which it asks for at once.  Its results obey the same size limit as a
 * worker's (mpipool_result_max).
 *
 * What changes: some tasks run in a child process of the master's
 * ("MainProcess", mpipool_ctx_worker_id 0; hand k's in place k:
 * mpipool_ctx_place and mpipool_ctx_node_place are k, and place k's
 * worker gets no task until hand k's last one has ended), which has
 * bound itself to the cores place k's worker binds to (with binding on,
 * mpipool_set_binding) and run the initializer first (in each hand's
 * child: if it fails in any, the head runs no more tasks and the workers
 * do the rest).  Like a worker,
 * that child never shares memory with the master; unlike
 * a spawned worker, it starts from the master's state at start() (threads
 * aside), not from main(), and, like an isolated worker's child, it must not
 * call MPI (a program whose tasks do turns the head start off).  The
 * children are forked by a forker, a process of one thread the master
 * forks at start (where start() starts MPI, from the main thread: before
 * MPI does, and it holds none of MPI's connections), never among the
 * master's threads, where a lock one of them held (an allocator's) can
 * stay held in the child for ever (a hand per place the pool may have:
 * the workers asked for, else the node's processors, 16 at most; where
 * MPI was up before start(), they are forked then, after MPI).  Both end
 * with the master, even when it is killed.  No task
 * code and no initializer runs in the master's process: a task that
 * crashes the child fails its item alone (ETASK, the signal named), with
 * isolation or without, as on an isolated worker (it is not a lost
 * worker: the chunk is not run again and the crash limit does not count
 * it; retries apply), and the next item runs in a child forked again,
 * after the initializer.  The task time limit applies with isolation, as
 * on a worker; so does maxtasksperchild (the child is replaced after
 * that many tasks, the initializer run again).  Once a worker is ready,
 * the children end (after their chunks), and what their initializers
 * hold goes with them.  terminate stops the head's tasks at once; close
 * and join wait for them.  mpipool_size() gives the workers asked for
 * at once; mpipool_worker_info() says ENOTREADY until they come (for
 * place k, until hand k's last task has ended).  Where the workers'
 * spawn fails (after its retries: an MPI that cannot spawn, as Debian's
 * MPICH 4.0.2; a spawn Open MPI's PMIx broke), the pool goes on without
 * workers: the head runs every task, as many at a time as it has hands,
 * on the master's node, and stderr says why and so (mpipool_size() is
 * then 0); only a chunk larger than the head takes (256 items) fails,
 * with MPIPOOL_ESPAWN, and all the work fails so (ENOWORKERS) if the
 * head's initializer failed.  Without a head start such a pool's work
 * fails with MPIPOOL_ESPAWN.  Ignored where some workers are
 * launcher ranks or on other nodes (they are started before start()
 * returns, as without it), and with mpipool_set_gpus_per_worker (the
 * master has no GPUs of its own).  On by default; where the program
 * does not call this, MPIPOOL_HEAD_START=0 in the environment turns it
 * off (1: on; another value is said on stderr, and on kept).  The mpipool
 * program has one as a singleton, and under mpirun -n 1 only with
 * MPIPOOL_HEAD_START=1 (mpirun ends its ranks on a signal, and the
 * head's child is none of them).  On the master; before start.  Errors:
 * EBUSY.
 */
int mpipool_set_head_start(mpipool_t *pool, int on);

/*
 * Retries (n > 0): an item that failed (its task returned an error or
 * called mpipool_ctx_fail: MPIPOOL_ETASK; with isolation, a crash, an
 * exit or a time limit) runs again, up to n more times, on another worker
 * when another is ready (the worker that failed it takes it only when it
 * is the only one).  Its result is the last run's; mpipool_async_attempts
 * and mpipool_results_attempts tell how many runs it took; a streaming
 * map delivers an item's chunk once its retries are over.  The items of
 * a chunk that did not fail are not run again.  A chunk whose worker died
 * runs again up to max(crash limit - 1, n) times (see
 * mpipool_set_crash_limit).  Other failures (ENOTASK, ETERMINATED,
 * ENOMEM, E2BIG, ENOWORKERS) are not retried.  Default 0.  Matters on the
 * master; before start.  Errors: EINVAL (negative), EBUSY.
 */
int mpipool_set_retries(mpipool_t *pool, int n);

/*
 * A journal that makes the program's maps resumable (map, map_v, imap,
 * imap_unordered): the master appends each item that succeeded to the
 * file at `path` as its chunk arrives (each chunk's items in one write,
 * so a killed run loses nothing written; synced with fdatasync at most
 * 1 s later and at the end of each map).  A rerun of the
 * same program with the same journal finds each map by its order in the
 * program (the first map with a journal is map 0, ...), checks that it is
 * the same map (task name, item count and a digest of the input bytes),
 * and runs only the chunks of which an item is missing: the results (and
 * the callbacks of imap) are those of an uninterrupted run.  Items that
 * failed are not journaled: they run again.  Run twice after a kill: at
 * most the items in flight at the kill (with chunks of several items,
 * also those of a chunk the journal holds only in part).  A map that
 * differs from the journal's fails with MPIPOOL_EJOURNAL, saying how on
 * stderr, before anything runs; the journal is left as it was.  A journal
 * that cannot be written is reported once and the run goes on.  A file
 * that is not a journal, or not a regular file (a FIFO, a device):
 * EJOURNAL at the first map.  Matters on the
 * master; before start.  Errors: EINVAL (NULL or empty), ENOMEM, EBUSY.
 */
int mpipool_set_journal(mpipool_t *pool, const char *path);

/*
 * The communicator the pool runs on (borrowed during mpipool_start(), which
 * duplicates it); default MPI_COMM_WORLD.  Rank 0 of it is the master.
 * Before start.  Errors: EINVAL, EBUSY.
 */
int mpipool_set_comm(mpipool_t *pool, MPI_Comm comm);

/*
 * Starts the pool: initializes MPI if needed (MPI_THREAD_MULTIPLE
 * requested), duplicates the communicator, sizes the pool and spawns the
 * missing workers.  A program that initializes MPI itself should ask for
 * MPI_THREAD_MULTIPLE too: below it a spawn that MPI never returns from
 * cannot be given up (said once on stderr), and workers send no
 * heartbeats.  On the master returns 0, or an error (EMPI, ESPAWN,
 * EHWLOC, ENOMEM, EBUSY if already started) after which the pool can only
 * be destroyed.  On workers it never returns (see THE PROGRAM MODEL).
 */
int mpipool_start(mpipool_t *pool);

/* 1 on the master of a started pool, 0 otherwise (also for NULL). */
int mpipool_is_master(const mpipool_t *pool);

/* Number of workers serving the pool (after start; 0 before). */
int mpipool_size(const mpipool_t *pool);

/*
 * How many submitted, unfinished tasks keep every worker busy without
 * making any task wait needlessly: one per worker while tasks are long
 * (0.1 s or more on average, or none timed yet), so that no task waits
 * behind another while a worker idles; twice the workers plus two while
 * tasks are short, so that each worker has its next task at hand.  A
 * program that feeds the pool from a long list (apply_async after
 * apply_async) keeps at most this many tasks unfinished, and submits the
 * next as one finishes.  It changes as tasks are timed: ask again each
 * time.  0 when not the master of a started pool.
 */
int mpipool_submit_window(const mpipool_t *pool);

/*
 * Tells the pool how many more tasks the program will submit after those
 * submitted so far (say it again as it submits them; the default: not
 * known).  A head start uses it: once tasks are timed, its workers are
 * spawned only when the work left would keep the head busy 2 s or more
 * (or work has waited that long for it), since a spawn and the workers'
 * start cost more than they save on less; without it,
 * once work has waited 20 ms.  Not with maxtasksperchild, nor where
 * MPIPOOL_HEAD_ALONE is set.  EBUSY when not the master of a started
 * pool, EINVAL for NULL.
 */
int mpipool_set_backlog(mpipool_t *pool, size_t n);

/*
 * Lets the pool dispatch and collect without blocking, running any
 * callbacks due.  Returns 0, or EBUSY if the pool is not started on this
 * process, EMPI on a communication failure.
 */
int mpipool_progress(mpipool_t *pool);

/*
 * Makes progress like mpipool_progress(), waiting up to `timeout` seconds
 * (negative: for ever) until at least one submitted job (an apply_async,
 * a map, ...) has finished and its callbacks have run.  Returns 0 when one
 * did or when no job is pending, ETIMEDOUT when none finished in time,
 * EBUSY if the pool is not started on this process, EMPI on a
 * communication failure.  For programs that drive the pool from their own
 * loop: idle waiting spins briefly, then sleeps, like every wait here.
 */
int mpipool_wait(mpipool_t *pool, double timeout);

/* No more submissions; queued work still completes.  Idempotent. */
int mpipool_close(mpipool_t *pool);

/*
 * Waits for every submitted task to finish, then stops the workers (spawned
 * ones exit).  The pool must be closed or terminated first (EBUSY
 * otherwise).  Idempotent.
 */
int mpipool_join(mpipool_t *pool);

/*
 * Stops at once: tasks not yet started finish with MPIPOOL_ETERMINATED,
 * handles become ready, and the workers are stopped.  A task already
 * running on a worker is asked to stop (mpipool_ctx_cancelled() turns 1)
 * but cannot be interrupted: terminate returns when the running tasks end,
 * and their results are delivered (a result computed is never thrown
 * away).  Then join is a no-op.  A spawn of workers in progress (a
 * successor, say) is not waited for once no task and no worker is left:
 * mpipool_destroy() waits for it (MPI cannot cancel a spawn; at most
 * its 30 s bound) and stops its workers, so a program can say how its
 * run ended before a launcher that is ending the job ends it.
 */
int mpipool_terminate(mpipool_t *pool);

/*
 * Frees the pool (NULL: no-op).  On a master that was not joined, it
 * terminates first.  Outstanding async handles stay valid until freed,
 * ready with MPIPOOL_ETERMINATED if they had not finished.  Finalizes
 * MPI if mpipool_start() initialized it and this was the last pool: MPI
 * cannot start twice in a process, so a pool started after that (or after
 * the program finalized MPI) returns MPIPOOL_EMPI from mpipool_start(),
 * saying why, and never aborts.  (Pools one after another in a process
 * would each spawn after the last one's workers left, which on Open MPI
 * 4.1 with PMIx 4 now and then loses the spawn.)  In a singleton, that
 * last MPI_Finalize then waits until the worker processes have ended (5 s
 * at most; a few milliseconds as a rule), so none outlives the program.
 */
void mpipool_destroy(mpipool_t *pool);

/* ---------------------------------------------------------------------- */
/* Submitting work (master only; EBUSY elsewhere, ECLOSED after close)     */

/*
 * Ordered map: applies task `name` to `count` items of `item_size` bytes
 * each, stored contiguously at `items` (borrowed for the call; may be NULL
 * only if count or item_size is 0).  Items are sent in chunks of
 * `chunksize` items; 0 chooses Python's default (count / (4 * workers),
 * rounded up); a chunksize above count makes one chunk.  Blocks until all
 * results are in.  Returns 0 if every item succeeded, MPIPOOL_ETASK if some
 * failed (the results still come back: inspect them per item), or an error
 * without results (ENOTASK, EINVAL, ECLOSED, ENOWORKERS, ETERMINATED, ...).
 * On 0 and ETASK, *results is set; free it with mpipool_results_free().
 * count = 0 returns an empty result set without dispatching anything.
 */
int mpipool_map(mpipool_t *pool, const char *name, const void *items,
                size_t count, size_t item_size, size_t chunksize,
                mpipool_results_t **results);

/* As mpipool_map(), for items of varying sizes: item i is sizes[i] bytes at
 * ptrs[i] (both arrays and the items borrowed for the call). */
int mpipool_map_v(mpipool_t *pool, const char *name, const void *const *ptrs,
                  const size_t *sizes, size_t count, size_t chunksize,
                  mpipool_results_t **results);

/*
 * A streaming result: item `index` finished with `status` (0, or
 * MPIPOOL_ETASK with `data` the NUL-terminated error message, or
 * MPIPOOL_ETERMINATED).  `data` is borrowed for the call only.
 */
typedef void (*mpipool_item_cb)(size_t index, int status, const void *data,
                                size_t size, void *arg);

/*
 * imap_unordered: like mpipool_map() but hands each result to `cb` as soon
 * as its chunk arrives, in completion order, and keeps no results.  Blocks
 * until every item has been delivered.  Returns 0, ETASK if any item failed
 * (cb saw each), or an error before any dispatch (cb never called).
 */
int mpipool_imap_unordered(mpipool_t *pool, const char *name, const void *items,
                           size_t count, size_t item_size, size_t chunksize,
                           mpipool_item_cb cb, void *arg);

/* imap: as mpipool_imap_unordered(), but cb sees results in input order,
 * each as soon as it and all results before it have arrived. */
int mpipool_imap(mpipool_t *pool, const char *name, const void *items,
                 size_t count, size_t item_size, size_t chunksize,
                 mpipool_item_cb cb, void *arg);

/* Callbacks of an async handle (borrowed data, valid during the call). */
typedef void (*mpipool_async_cb)(mpipool_async_t *h, const void *data,
                                 size_t size, void *arg);
typedef void (*mpipool_async_err_cb)(mpipool_async_t *h, int status,
                                     const char *message, void *arg);

/*
 * apply_async: queues one call of task `name` on `in` (size bytes, copied)
 * and returns at once with a handle in *handle (free it with
 * mpipool_async_free(), before or after it is ready).  When the result
 * arrives, `cb` (if not NULL) gets it on success, `err_cb` (if not NULL)
 * on failure, each with `arg`.  The task goes to a worker at once when
 * one is idle; in a burst of calls while every worker has work, a call
 * makes progress only when the last round was over 20 us ago (a round
 * per call made the master the bottleneck), so after a burst, call
 * mpipool_progress(), mpipool_wait() or a get as usual to keep results
 * flowing.  Errors: EINVAL, ENOTASK, ECLOSED, EBUSY, ENOMEM, E2BIG.
 */
int mpipool_apply_async(mpipool_t *pool, const char *name, const void *in,
                        size_t size, mpipool_async_cb cb,
                        mpipool_async_err_cb err_cb, void *arg,
                        mpipool_async_t **handle);

/*
 * apply: runs one task and waits.  On 0, *out (malloc'd, taken by the
 * caller; NULL for an empty result) and *out_size are set.  When the task
 * failed (ETASK, ENOTASK for a task missing on the worker, ETERMINATED,
 * ENOWORKERS), *out is the malloc'd NUL-terminated message (taken).  On
 * other errors *out is NULL.  out_size may be NULL.
 */
int mpipool_apply(mpipool_t *pool, const char *name, const void *in,
                  size_t size, void **out, size_t *out_size);

/* ---------------------------------------------------------------------- */
/* Async handles                                                           */

/*
 * Waits up to `timeout` seconds (negative: for ever) for the result.
 * Returns 0 with *data and *size set to the result (borrowed until the handle
 * is freed; data may be NULL when size is 0), MPIPOOL_ETASK with *data the
 * NUL-terminated error message, or another failure of the task
 * (MPIPOOL_ENOTASK if the worker lacks the task, MPIPOOL_ETERMINATED,
 * MPIPOOL_ENOWORKERS) with *data a NUL-terminated message, or
 * MPIPOOL_ETIMEDOUT (data untouched).  data and size may be NULL.
 */
int mpipool_async_get(mpipool_async_t *h, double timeout, const void **data,
                      size_t *size);

/* Waits like get, without the result: 0 once ready, or ETIMEDOUT. */
int mpipool_async_wait(mpipool_async_t *h, double timeout);

/* 1 if the result is in, 0 if not (makes progress first); EINVAL on NULL. */
int mpipool_async_ready(mpipool_async_t *h);

/* 1 if ready and successful, 0 if ready and failed, ENOTREADY if not
 * ready (as Python's successful() raises ValueError), EINVAL on NULL. */
int mpipool_async_successful(mpipool_async_t *h);

/* The error message of a failed handle, "" otherwise; never NULL. */
const char *mpipool_async_error(mpipool_async_t *h);

/* How many times the task ran (1, more after retries or a death of its
 * worker) once ready; ENOTREADY before, EINVAL on NULL. */
int mpipool_async_attempts(const mpipool_async_t *h);

/* Releases the handle (NULL: no-op).  A result that arrives later is
 * discarded; callbacks still run.  A callback may release its own handle
 * (the pool holds the job until the callback returns). */
void mpipool_async_free(mpipool_async_t *h);

/* ---------------------------------------------------------------------- */
/* Map results                                                             */

/* Number of items. */
size_t mpipool_results_count(const mpipool_results_t *r);

/* Number of items that failed. */
size_t mpipool_results_failed(const mpipool_results_t *r);

/*
 * Result of item i: 0 with *data and *size (borrowed until the results are
 * freed), MPIPOOL_ETASK with *data the NUL-terminated error message,
 * MPIPOOL_ETERMINATED, or MPIPOOL_EINVAL if i is out of range.
 */
int mpipool_results_item(const mpipool_results_t *r, size_t i,
                         const void **data, size_t *size);

/*
 * Copies every result, each exactly `item_size` bytes, into dst (count *
 * item_size bytes).  Returns 0, ETASK if an item failed, or EINVAL if an
 * item's size differs (dst then partly written).
 */
int mpipool_results_copy(const mpipool_results_t *r, void *dst,
                         size_t item_size);

/* How many times item i ran: 1, more after retries (mpipool_set_retries)
 * or a death of its worker; EINVAL if i is out of range. */
int mpipool_results_attempts(const mpipool_results_t *r, size_t i);

/* Frees the results (NULL: no-op). */
void mpipool_results_free(mpipool_results_t *r);

/* ---------------------------------------------------------------------- */
/* Inside a task or the initializer (worker side)                         */

/* "PoolWorker-N", N counting from 1 in start order; never NULL. */
const char *mpipool_ctx_name(const mpipool_ctx_t *ctx);

/* N of the name above. */
long mpipool_ctx_worker_id(const mpipool_ctx_t *ctx);

/*
 * The place of the pool this worker serves (0 <= place < mpipool_size, as
 * mpipool_worker_info numbers them), known from its first task on; -1
 * before (in the initializer, and in a spare).  A successor
 * (maxtasksperchild) or a replacement takes the place of the worker it
 * replaces, and only once that worker's last task has ended, so no two
 * tasks running at once have the same place: it is GNU parallel's job
 * slot (counted from 0); a head start's tasks run in the places of its
 * hands (see mpipool_set_head_start).  With isolation, the child process that
 * runs the tasks sees the place its worker had when the child was forked.
 */
long mpipool_ctx_place(const mpipool_ctx_t *ctx);

/* That place's index among the places of its node (0, 1, ...; -1 as
 * above): on each node, places with binding shares are numbered by their
 * share, so two tasks running at once on one node never have the same
 * index.  What a worker's share of its node's GPUs follows. */
long mpipool_ctx_node_place(const mpipool_ctx_t *ctx);

/* The GPUs of this worker's place (mpipool_set_gpus_per_worker): their
 * ids on its node, separated by commas ("2,3"), as the node's list gives
 * them; "" without GPUs per worker, or before the first task.  Never
 * NULL; valid until the next task. */
const char *mpipool_ctx_gpus(const mpipool_ctx_t *ctx);

/* The `data` given to mpipool_register() for the running task (NULL in
 * the initializer). */
void *mpipool_ctx_task_data(const mpipool_ctx_t *ctx);

/* Per-worker state: set (borrowed) typically by the initializer, read by
 * tasks; lives as long as the worker process. */
void mpipool_ctx_set_worker_data(mpipool_ctx_t *ctx, void *data);
void *mpipool_ctx_worker_data(const mpipool_ctx_t *ctx);

/* How the worker data is freed: the worker calls free_fn(data) once, as it
 * leaves (after its last task, or after its initializer failed), if the
 * data is not NULL then.  NULL (the default): the data is not freed. */
void mpipool_ctx_set_worker_data_free(mpipool_ctx_t *ctx,
                                      void (*free_fn)(void *data));

/*
 * Reserves the task's output: `size` bytes to fill before the task returns.
 * Replaces any output set before.  Returns the buffer (valid until the
 * task returns or the next output call), or NULL if out of memory (the
 * task then fails with "out of memory" whatever it returns).  A size of 0
 * returns a non-NULL pointer to nothing.
 */
void *mpipool_ctx_output(mpipool_ctx_t *ctx, size_t size);

/* Copies size bytes from data as the task's output.  Returns 0 or ENOMEM. */
int mpipool_ctx_set_output(mpipool_ctx_t *ctx, const void *data, size_t size);

/*
 * 1 if the master has terminated the pool (mpipool_terminate(), or
 * destroy before join) while this task runs, or is gone (a master on the
 * worker's node that died: looked at every 0.2 s), so its result is no
 * longer wanted; 0 otherwise (also for NULL).  A task that runs long, or
 * waits for a child process, polls it to stop early: terminate waits for
 * running tasks.  A cheap, non-blocking MPI probe.
 */
int mpipool_ctx_cancelled(mpipool_ctx_t *ctx);

/*
 * Marks the task (or initializer) failed with a printf-formatted message and
 * returns MPIPOOL_ETASK, so a task can `return mpipool_ctx_fail(ctx, ...)`.
 * The message replaces any output.
 */
int mpipool_ctx_fail(mpipool_ctx_t *ctx, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* ---------------------------------------------------------------------- */
/* Launch facts: what the MPI launcher told this process                   */

/*
 * This process's rank as the MPI launcher (mpirun, mpiexec, srun) numbered
 * it, read from the launcher's environment; -1 when no launcher started it
 * (a singleton: "./prog").  Call it before mpipool_start(): in a singleton,
 * MPI's own runtime sets some of these variables once it is up.  For
 * programs that must do something once per job before the pool starts
 * (report a mistake in the command line: rank -1 or 0), or only in a
 * singleton (read stdin before MPI starts: rank -1).
 */
int mpipool_launch_rank(void);

/*
 * 1 if `entry` ("NAME=VALUE", or "NAME") is one of the variables by which
 * the MPI launcher wires this process into its job (PMIX_*, PMI_*,
 * OMPI_COMM_WORLD_*, Open MPI's internal OMPI_MCA_* launch settings,
 * MPICH's HYDRA_*, ...), else 0 (also for NULL).  A task that starts
 * another program leaves these out of its environment: an MPI program
 * started with them would take itself for a rank of the pool's job.  User
 * settings such as OMPI_MCA_btl are not launcher variables.
 */
int mpipool_launch_var(const char *entry);

/* ---------------------------------------------------------------------- */
/* Machine facts                                                           */

/*
 * Sets *cores to the physical cores of this node usable by this process:
 * hwloc's allowed cpuset (cgroups, Slurm's allocation), narrowed to the
 * process's CPU binding (taskset) when no MPI launcher started it (a
 * launcher's per-rank binding is its placement, not the job's share),
 * counting a core when any of its hardware threads is usable; inside a
 * Slurm job, no more than the CPUs Slurm allocated on this node.  Returns
 * 0, or EHWLOC (hwloc could not read the machine), ENOMEM, EINVAL (NULL
 * cores); *cores is then untouched.
 */
int mpipool_core_count(int *cores);

/*
 * The name of this node as mpipool reports it and places workers by:
 * Slurm's node name inside a Slurm job (SLURMD_NODENAME: several Slurm
 * nodes may share a host), else the host name.  Copies it into buf (len
 * bytes, always terminated).  0; ERANGE when it does not fit (buf then
 * holds as much as fits); EINVAL for a NULL or empty buf.
 */
int mpipool_node_name(char *buf, size_t len);

/*
 * Where the pool runs (master only; see mpipool_set_processes for the
 * sizing).  At start every launcher rank reads its node with hwloc; the
 * master groups them by host into nodes, the master's first.  A node's
 * usable set is its allowed cpuset, narrowed to the process's binding for
 * a singleton (a launcher's per-rank binding is its placement, not the
 * job's share of the node).
 */
typedef struct {
  const char *host;   /* its name, whole (borrowed: valid until the pool
                         is destroyed) */
  int status;         /* 0, or MPIPOOL_EHWLOC: hwloc could not read the
                         node, so cores and cpuset are unknown */
  int cores;          /* usable cores (PUs with hwthreads); 0 if unknown */
  const char *cpuset; /* the usable PUs, as a list: "0-3,8"; "" if unknown
                         (borrowed, as host) */
  int ranks;          /* launcher ranks there serving as workers */
  int spawned;        /* workers spawned there at start */
  int bound;          /* 1: its workers bind one core (or PU) each, or
                         their cores per worker */
  const char *gpus;   /* its GPUs' ids ("0,1"), "" when none or not asked
                         for (mpipool_set_gpus_per_worker) (borrowed) */
  int ngpus;          /* how many; -1: its list does not read */
} mpipool_node_info_t;

typedef struct {
  long id; /* N of PoolWorker-N */
  long pid;
  int node;            /* index for mpipool_node_info, -1 if unknown */
  const char *host;    /* as the worker reported it (borrowed: valid until
                          the pool is destroyed) */
  int bound;           /* 1 if it bound itself (mpipool_set_binding) */
  const char *binding; /* where it is bound ("core 1 (PU 1)"), or why not
                          (borrowed, as host) */
  int node_place;      /* its place's index on its node, -1 if unknown */
  const char *gpus;    /* its place's GPUs ("0,1"), "" for none
                          (mpipool_set_gpus_per_worker; borrowed) */
} mpipool_worker_info_t;

/* The number of nodes the pool spans (0 when not the master). */
int mpipool_node_count(const mpipool_t *pool);

/* Node i (0 <= i < mpipool_node_count).  Errors: EINVAL, EBUSY. */
int mpipool_node_info(const mpipool_t *pool, int i, mpipool_node_info_t *info);

/*
 * The worker serving place i of the pool (0 <= i < mpipool_size): each
 * worker has a place, and a successor (maxtasksperchild) takes its
 * predecessor's; spares waiting to succeed a worker have none.  ENOTREADY
 * while the worker of that place starts (its initializer has not run
 * yet: wait with mpipool_wait or mpipool_progress), or while the place
 * waits for a successor; EINVAL for a bad i or NULL info; EBUSY when not
 * the master.
 */
int mpipool_worker_info(const mpipool_t *pool, int i,
                        mpipool_worker_info_t *info);

#ifdef __cplusplus
}
#endif
#endif /* MPIPOOL_H */
