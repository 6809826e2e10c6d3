/*
 * master.c - the master's engine: it hands queued chunks to workers in
 * frames, keeping up to DEPTH frames in flight per worker so that a worker
 * always has its next frame before it finishes the current one, and pairs
 * each RESULTS frame with the oldest frame in flight to that worker (MPI
 * keeps messages between two processes in order).  All communication is
 * non-blocking; the engine advances only when called.
 *
 * Workers waiting for work sit in one list per number of frames in flight,
 * so dispatch takes the next one from a list instead of scanning the
 * roster; spare successors sit in one list per node.  Frames in flight
 * come from a pool of the dispatcher's, reused as results arrive.
 *
 * A worker that has run its maxtasksperchild leaves only when told to
 * (STOP): once its place's next worker is ready.  Until then it waits at
 * the place (the place's leaver), and if no successor can be had
 * (spawning stopped) it serves on: a pool whose spawns fail keeps its
 * workers instead of failing its last tasks.
 */
#include "config.h"
#include "master.h"

#include "api/pool.h"
#include "base/alloc.h"
#include "base/clock.h"
#include "base/env.h"
#include "base/text.h"
#include "intern.h"
#include "journal.h"
#include "placement/comm_spawn.h"
#include "placement/gpus.h"
#include "placement/launcher.h"
#include "placement/topology.h"
#include "roster.h"
#include "spawn_queue.h"
#include "transport/backoff.h"
#include "transport/buf.h"
#include "transport/cma.h"
#include "transport/link.h"
#include "transport/msg.h"
#include "worker/head.h"
#include "worker/master_watch.h"

#include <errno.h>
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Most chunks one TASKS frame carries when tasks are tiny: up to
 * COALESCE_NS of work, at least SMALL_COALESCE, at most MAX_COALESCE.  A
 * singleton reaches its spawned workers over TCP, where every message
 * costs system calls on both sides: frames of 64 empty tasks held it to
 * 0.95-1.08 M tasks/s (2 workers), frames of up to 1024 give 1.40-1.57
 * M/s; under mpirun the change is within noise (doc/scaling.md). */
#define SMALL_COALESCE 64
#define MAX_COALESCE 1024
#define COALESCE_NS 1e6
/* Frames in flight per worker (its queue, so it never waits on us). */
#define DEPTH 4
/* Stop adding chunks to a coalesced frame past this many bytes. */
#define COALESCE_BYTES 65536
/* Frames per poll of one communicator, so that dispatch is not starved. */
#define RECV_BURST 64
/* Chunks shorter than this are coalesced into frames when work abounds. */
#define COALESCE_BELOW_NS 50000.0
#define LONG_CHUNK_NS 1e8
/* Seconds a message may wait for memory to receive it before the pool
 * gives up (ENOMEM). */
#define OOM_PATIENCE 10.0
/* A submission within this many seconds of the last round makes none
 * (see mpipool__master_nudge). */
#define NUDGE_GAP 20e-6
/* How often the master looks for dead workers, in seconds. */
#define LIVENESS_EVERY 0.2
/* A worker on another node than the master's sends BEAT this often (ms),
 * and is lost when none of its messages came for BEAT_SILENCE seconds
 * (workers on the master's node are watched by their process id). */
#define BEAT_MS 1000
#define BEAT_SILENCE 10.0
/* Workers that die in a row before they are ready (before HELLO, in
 * their initializer, say) after which no other is started in their place:
 * each would die as they did. */
#define START_DEATHS 3
/* The tag of the first workers' spawn (a head start's);
 * successors' carry their binding share. */
#define FIRST_SPAWN (-100)
/* With a head start, the first workers are asked for once work has waited
 * this long (seconds; MPIPOOL_HEAD_ALONE) for the head, or the work queued
 * is known to take that long: a short workload ends in the master, and
 * the program never pays for a spawn and its workers' end (0.1 s and more
 * each). */
#define HEAD_ALONE 0.02
/* Where the program says how much work is still to come
 * (mpipool_set_backlog) and MPIPOOL_HEAD_ALONE is not set: the workers
 * are asked for once the work left, at the pace timed so far, would keep
 * the hands busy this long (MPIPOOL_HEAD_WORTH sets another; or work has
 * waited this long for them); a shorter workload ends in the hands.
 * Measured (2-core VM, the program, -j 2): 100 `true` took 0.15 s with
 * the spawn, 0.06 s in the hands (xargs -P2: 0.055 s); 2,000 `true`
 * 1.09 s with it, 1.17 s without (0.25 s then); since the hands hold a
 * next chunk and the tasks' guard costs no wake-up, 2,000 `true` take
 * 0.87 s in the hands, 0.99 s with the workers spawned (at 1 s), and
 * xargs -P2 0.96 s: the hands are the cheaper on one node, and the
 * workers are worth their start only for longer work. */
#define HEAD_WORTH 2.0
/* The head runs chunks of at most this many items: it sends each item to
 * its child and back (15-35 us an item here), where a worker runs a
 * chunk of tiny items in microseconds; a larger chunk waits for the
 * workers, asked for at once (a map of a million items would otherwise
 * keep the head busy for seconds on one chunk). */
#define HEAD_CHUNK_MAX 256

/* A frame in flight: the chunks it carries, in order.  Its references
 * grow with what it carries (at most MAX_COALESCE) and are kept when the
 * frame is reused: a pool of a million workers with a frame each in
 * flight holds a million small arrays, not a million of the largest. */
typedef struct {
  mpipool__job_t *job;
  size_t chunk;
} ref_t;

typedef struct {
  uint64_t seq;
  unsigned nrefs;
  uint32_t next; /* the worker's next frame, or the free list */
  size_t cap;    /* of refs */
  ref_t *refs;
} frame_t;

/* A list of workers, linked through their prev and next. */
typedef struct {
  uint32_t head, tail;
  size_t n;
} wlist_t;

/* Which list a worker is in: none, the one of its frames in flight
 * (LEVEL + k), or its node's spares (PARKED + node + 1). */
enum { LIST_NONE = 0, LIST_LEVEL = 1, LIST_PARKED = LIST_LEVEL + DEPTH };

typedef struct {
  int node;
  int share;
  uint32_t local;
  const char *gpus; /* its GPUs, interned ("" for none) */
} place_t;

struct mpipool__master {
  mpipool_t *pool; /* borrowed: options, registry, communicator */
  mpipool__plan_t plan;
  mpipool__roster_t roster;
  mpipool__intern_t strings; /* host names and binding descriptions */
  const char *host;          /* the master's node */
  const char *self;          /* its name for its workers' watch ("" if unknown;
                                interned): worker/master_watch.h */
  /* The pool's places: the worker serving each, and those waiting for a
   * successor (a stack of places). */
  uint32_t *places;
  /* What each place stands for, fixed when the pool is sealed: its node,
   * its share of that node's cores (the binding of its first worker), and
   * its index among the node's places (its share of the node's GPUs).  A
   * place's workers all run there with that share, one at a time. */
  place_t *where;
  size_t slots; /* 0 until sealed */
  uint32_t *vacant;
  size_t nvacant;
  /* Per place, the worker that retired from it and waits there until the
   * place's next worker is ready (MPIPOOL__NONE: none). */
  uint32_t *leaver;
  long next_id;              /* N of the next PoolWorker-N */
  mpipool__spawnq_t *spawnq; /* successors; a head start's first workers */
  int recycling;             /* maxtasks > 0 and spawning still works */
  int spawning;              /* spawning works: lost workers are replaced */
  int ending;                /* in mpipool__master_shutdown */
  /* A head start (mpipool__master_head_start): the first workers are
   * being spawned, and the pool is sealed when they come; their spawn
   * waits (first_n > 0) until the head needs help (HEAD_ALONE). */
  int starting;
  int first_n;
  double head_alone;   /* HEAD_ALONE, or MPIPOOL_HEAD_ALONE */
  int alone_given;     /* MPIPOOL_HEAD_ALONE is set */
  double head_worth;   /* HEAD_WORTH, or MPIPOOL_HEAD_WORTH */
  size_t backlog;      /* tasks still to come (mpipool_set_backlog) */
  int backlog_known;   /* it was said */
  double queued_since; /* work waits for the head since then; 0: none */
  /* A head start: the master's own hands that run queued chunks until
   * a worker is ready (head_open), and the chunks handed to each and not
   * taken back yet (hand k's slot s: head_refs[k * MPIPOOL__HEAD_DEPTH +
   * s]; its job NULL: none; hands_out of them out). */
  mpipool__head_t *head;
  int head_open;
  int head_only; /* no worker could be spawned: the head runs the rest */
  int nhands, hands_out;
  ref_t *head_refs;
  /* The dispatcher. */
  wlist_t levels[DEPTH]; /* ready workers by frames in flight */
  wlist_t *parked;       /* spares, per plan node + 1 (unknown node) */
  frame_t *frames;
  size_t nframes, frames_cap;
  uint32_t free_frame;
  size_t frames_used;
  mpipool__queue_t queue;
  mpipool__link_t *link; /* to the workers (MPI's, or a simulation's) */
  mpipool__buf_t scratch;
  double chunk_ns; /* moving average of a chunk's run time */
  /* Jobs and workers, counted. */
  size_t jobs_active;     /* jobs holding an engine reference */
  uint64_t jobs_finished; /* jobs the engine let go of, ever */
  size_t nready, nstarting, nfailed_init;
  size_t start_deaths; /* workers that died before HELLO since one said it */
  char *init_error;    /* first initializer failure message */
  mpipool__backoff_t backoff;
  int broken;           /* a communication error: fail everything */
  double oom_since;     /* when receiving first lacked memory, or 0 */
  double next_liveness; /* when to look for dead workers next */
  double silence;       /* BEAT_SILENCE, unless a test sets it */
  double last_round;    /* when the last progress round began */
  int terminating;      /* terminate: lost work is not run again */
  size_t lost;          /* workers found dead, ever */
  int check;            /* MPIPOOL_CHECK: check after every round */
};

/* --- lists of workers -------------------------------------------------- */

static wlist_t *list_of(mpipool__master_t *m, int list) {
  if (list >= LIST_PARKED)
    return &m->parked[list - LIST_PARKED];
  return list >= LIST_LEVEL ? &m->levels[list - LIST_LEVEL] : NULL;
}

static void unlink_worker(mpipool__master_t *m, mpipool__worker_t *w) {
  wlist_t *l = list_of(m, w->list);
  if (l == NULL)
    return;
  if (w->prev != MPIPOOL__NONE)
    mpipool__roster_at(&m->roster, w->prev)->next = w->next;
  else
    l->head = w->next;
  if (w->next != MPIPOOL__NONE)
    mpipool__roster_at(&m->roster, w->next)->prev = w->prev;
  else
    l->tail = w->prev;
  l->n--;
  w->list = LIST_NONE;
  w->prev = w->next = MPIPOOL__NONE;
}

static void append_worker(mpipool__master_t *m, mpipool__worker_t *w,
                          int list) {
  wlist_t *l = list_of(m, list);
  w->list = list;
  w->next = MPIPOOL__NONE;
  w->prev = l->tail;
  if (l->tail != MPIPOOL__NONE)
    mpipool__roster_at(&m->roster, l->tail)->next = w->index;
  else
    l->head = w->index;
  l->tail = w->index;
  l->n++;
}

/* Hand k's slot s: the chunk handed to it there (its job NULL: none). */
static ref_t *hand_ref(const mpipool__master_t *m, int k, int s) {
  return &m->head_refs[k * MPIPOOL__HEAD_DEPTH + s];
}

/* How many chunks hand k holds. */
static int hand_holds(const mpipool__master_t *m, int k) {
  int n = 0;
  for (int s = 0; s < MPIPOOL__HEAD_DEPTH; s++)
    n += hand_ref(m, k, s)->job != NULL;
  return n;
}

/* Whether w serves place k while hand k of the head still runs its last
 * chunk (a chunk is given to a hand only while no worker is ready): no
 * work for it until that chunk is back, so that no two tasks run as one
 * place at once. */
static int held(const mpipool__master_t *m, const mpipool__worker_t *w) {
  return m->hands_out > 0 && w->place < (uint32_t)m->nhands &&
         hand_holds(m, (int)w->place) > 0;
}

/* The list w belongs in now. */
static int wanted_list(const mpipool__master_t *m, const mpipool__worker_t *w) {
  int alive = w->state == MPIPOOL__W_READY || w->state == MPIPOOL__W_STARTING;
  if (w->parked && alive) /* the unknown node's spares in list 0 */
    return LIST_PARKED + w->node - MPIPOOL__NODE_UNKNOWN;
  if (!w->parked && !held(m, w) && w->state == MPIPOOL__W_READY &&
      !w->retiring && w->inflight < DEPTH)
    return LIST_LEVEL + (int)w->inflight;
  return LIST_NONE;
}

/* Moves w to the list it belongs in (to the back), if it is not there. */
static void relist(mpipool__master_t *m, mpipool__worker_t *w) {
  int want = wanted_list(m, w);
  if (want == w->list)
    return;
  unlink_worker(m, w);
  if (want != LIST_NONE)
    append_worker(m, w, want);
}

/* --- jobs ------------------------------------------------------------- */

/* The engine lets go of a finished job. */
static void job_done(mpipool__master_t *m, mpipool__job_t *job) {
  m->jobs_active--;
  m->jobs_finished++;
  mpipool__job_unref(job);
}

static void fail_chunk(mpipool__master_t *m, mpipool__job_t *job, size_t c,
                       int status) {
  if (mpipool__job_chunk_fail(job, c, status, NULL))
    job_done(m, job);
}

/* Queues the job's items to run again (out of memory: they fail). */
static void queue_retries(mpipool__master_t *m, mpipool__job_t *job) {
  size_t c;
  long avoid;
  while (mpipool__job_next_retry(job, &c, &avoid))
    if (mpipool__queue_again(&m->queue, job, c, avoid) != 0 &&
        mpipool__job_chunk_fail(job, c, MPIPOOL_ENOMEM, NULL)) {
      job_done(m, job);
      return;
    }
}

/* Fails every queued chunk with `status`. */
static void fail_queue(mpipool__master_t *m, int status) {
  mpipool__job_t *job;
  size_t c;
  while (mpipool__queue_next(&m->queue, &job, &c))
    fail_chunk(m, job, c, status);
}

/* --- frames in flight ---------------------------------------------------- */

/* A free frame for w (not in flight yet: see frame_link), with its index
 * in *idx; NULL if out of memory.  Valid until the next frame_take. */
static frame_t *frame_take(mpipool__master_t *m, uint32_t *idx) {
  uint32_t f = m->free_frame;
  if (f == MPIPOOL__NONE) {
    if (m->nframes >= MPIPOOL__NONE ||
        mpipool__grow((void **)&m->frames, &m->frames_cap, m->nframes + 1,
                      sizeof *m->frames) != 0)
      return NULL;
    f = (uint32_t)m->nframes++;
    memset(&m->frames[f], 0, sizeof m->frames[f]);
    m->frames[f].next = MPIPOOL__NONE;
  }
  m->free_frame = m->frames[f].next;
  m->frames[f].next = MPIPOOL__NONE;
  m->frames[f].nrefs = 0;
  *idx = f;
  return &m->frames[f];
}

/* Makes room in f for one more reference (1, 2, 4... MAX_COALESCE).
 * 0 or ENOMEM. */
static int frame_room(frame_t *f) {
  if (f->nrefs < f->cap)
    return MPIPOOL_OK;
  size_t cap = f->cap ? 2 * f->cap : 1;
  ref_t *refs = mpipool__realloc(f->refs, cap * sizeof *refs);
  if (refs == NULL)
    return MPIPOOL_ENOMEM;
  f->refs = refs;
  f->cap = cap;
  return MPIPOOL_OK;
}

/* Gives frame f back unused. */
static void frame_give_back(mpipool__master_t *m, uint32_t f) {
  m->frames[f].next = m->free_frame;
  m->free_frame = f;
}

/* Appends frame f to w's frames in flight. */
static void frame_link(mpipool__master_t *m, mpipool__worker_t *w, uint32_t f) {
  if (w->frame_tail != MPIPOOL__NONE)
    m->frames[w->frame_tail].next = f;
  else
    w->frame_head = f;
  w->frame_tail = f;
  w->inflight++;
  m->frames_used++;
}

/* Takes w's oldest frame off its frames in flight and frees it; returns it
 * (valid until the next frame_take). */
static frame_t *frame_pop(mpipool__master_t *m, mpipool__worker_t *w) {
  uint32_t f = w->frame_head;
  frame_t *fr = &m->frames[f];
  w->frame_head = fr->next;
  if (w->frame_head == MPIPOOL__NONE)
    w->frame_tail = MPIPOOL__NONE;
  w->inflight--;
  m->frames_used--;
  frame_give_back(m, f);
  return fr;
}

/* Fails every chunk in flight to w; its replies will be discarded. */
static void fail_inflight(mpipool__master_t *m, mpipool__worker_t *w,
                          int status) {
  while (w->inflight) {
    frame_t *f = frame_pop(m, w);
    for (unsigned k = 0; k < f->nrefs; k++)
      fail_chunk(m, f->refs[k].job, f->refs[k].chunk, status);
  }
  relist(m, w);
}

/* Fails every chunk queued or in flight with `status`. */
static void fail_all(mpipool__master_t *m, int status) {
  fail_queue(m, status);
  for (size_t i = 0; i < m->roster.nworkers; i++)
    if (mpipool__roster_is_live(&m->roster, i))
      fail_inflight(m, mpipool__roster_at(&m->roster, (uint32_t)i), status);
}

static void head_finish(mpipool__master_t *m);

/* A communication error: nothing can be trusted to arrive any more. */
static int break_pool(mpipool__master_t *m, int err) {
  if (!m->broken) {
    m->broken = err;
    fail_all(m, err);
    head_finish(m);
  }
  return err;
}

static int send_ctrl(mpipool__master_t *m, const mpipool__worker_t *w,
                     int tag) {
  return m->link->send(m->link, m->roster.endpoints[w->endpoint].comm, w->rank,
                       tag, NULL, 0);
}

/* w, if it is a place's leaver, waits there no more. */
static void drop_leaver(mpipool__master_t *m, mpipool__worker_t *w) {
  if (w->left != MPIPOOL__NONE) {
    m->leaver[w->left] = MPIPOOL__NONE;
    w->left = MPIPOOL__NONE;
  }
}

/* Tells w to stop (tag STOP or TERMINATE); final: the pool ends, and the
 * message says so (one byte 1: the worker need not linger). */
static int stop_worker(mpipool__master_t *m, mpipool__worker_t *w, int tag,
                       int final) {
  drop_leaver(m, w);
  if (w->state == MPIPOOL__W_READY)
    m->nready--;
  else if (w->state == MPIPOOL__W_STARTING)
    m->nstarting--;
  w->state = MPIPOOL__W_STOPPING;
  relist(m, w);
  if (!final)
    return send_ctrl(m, w, tag);
  char *one = mpipool__malloc(1);
  if (one == NULL)
    return MPIPOOL_ENOMEM;
  one[0] = 1;
  return m->link->send(m->link, m->roster.endpoints[w->endpoint].comm, w->rank,
                       tag, one, 1);
}

/* --- adding workers ----------------------------------------------------- */

/* More of the pool's processes on node n than it has cores (the master
 * counts on its node, node 0: it polls while it waits). */
static int crowded(const mpipool__master_t *m, uint32_t n) {
  const mpipool__plan_node_t *nd = &m->plan.nodes[n];
  int procs = nd->ranks + nd->spawn + (n == 0);
  return nd->info.cores > 0 && procs > nd->info.cores;
}

/* Sends CONFIG to worker w. */
static int configure(mpipool__master_t *m, const mpipool__worker_t *w,
                     const char *names) {
  const mpipool_t *pool = m->pool;
  mpipool__config_t cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.maxtasks = m->recycling ? (uint64_t)pool->maxtasks : 0;
  cfg.nnames = (uint32_t)pool->reg.count;
  cfg.names = names;
  cfg.initargs = pool->initargs;
  cfg.initargs_len = pool->initargs_len;
  cfg.hwthreads = pool->hwthreads;
  cfg.worker_id = (uint64_t)w->id;
  cfg.master = m->self;
  /* A channel through shared memory for the workers MPI reaches over
   * TCP, a spawn's (link.h's adopt; where MPI has its own shared memory,
   * the launcher's ranks, it was the faster: apply_async 2.3 vs 1.5 M/s
   * under mpirun -n 3, doc/scaling.md). */
  cfg.shm = m->roster.endpoints[w->endpoint].comm != m->pool->comm
                ? m->link->shm_name
                : "";
  /* The master watches the processes of its own node itself. */
  cfg.beat_ms = w->node == 0 ? 0 : BEAT_MS;
  cfg.bind_index = MPIPOOL__SHARE_NONE;
  if (w->node != MPIPOOL__NODE_UNKNOWN) {
    const mpipool__plan_node_t *nd = &m->plan.nodes[w->node];
    cfg.bind_index = nd->bind ? w->share : MPIPOOL__SHARE_NONE;
    cfg.bind_count = nd->shares;
    cfg.node_set = nd->info.cpuset;
    cfg.avoid = nd->avoid;
    cfg.share_cores = pool->cores_per;
    cfg.gpus_per = pool->gpus_per;
    cfg.gpus = nd->info.gpus;
    cfg.crowded = crowded(m, w->node);
  }
  mpipool__buf_t b = {0};
  int err = mpipool__wire_config_encode(&b, &cfg);
  if (err) {
    mpipool__buf_free(&b);
    return err;
  }
  return m->link->send(m->link, m->roster.endpoints[w->endpoint].comm, w->rank,
                       MPIPOOL__TAG_CONFIG, b.data, b.len);
}

/* w takes the vacant place m->vacant[k]. */
static void take_vacant(mpipool__master_t *m, size_t k, mpipool__worker_t *w) {
  w->place = m->vacant[k];
  m->places[w->place] = w->index;
  m->vacant[k] = m->vacant[--m->nvacant];
}

/* Gives w a place of the pool: during the start the next one; later a
 * place waiting for a successor, or none (w waits as a spare). */
static void place_worker(mpipool__master_t *m, mpipool__worker_t *w) {
  if (m->slots == 0)
    return; /* sealed later: places are given then */
  /* Only a place of its node and share: two workers of one place never
   * share a core or a GPU (a vacant place of another share waits for the
   * successor asked for it, which has that share). */
  for (size_t k = m->nvacant; k-- > 0;) {
    const place_t *p = &m->where[m->vacant[k]];
    if (p->node == w->node && p->share == w->share) {
      take_vacant(m, k, w);
      return;
    }
  }
  w->parked = 1;
}

/* Adds n workers at ranks first_rank.. of comm (a spawn's
 * intercommunicator when `spawned`).  A launcher rank's node is the one the
 * plan says for it, and it takes its node's next share unless the launcher
 * bound it; a spawned worker runs on `node` with binding share `share`
 * (MPIPOOL__SHARE_NEXT: its node's next one). */
static int add_workers(mpipool__master_t *m, MPI_Comm comm, int first_rank,
                       size_t n, int spawned, int node, int share,
                       const uint32_t *pids) {
  const mpipool_t *pool = m->pool;
  uint32_t ep;
  char *names;
  size_t names_len;
  int err = mpipool__roster_add_endpoint(&m->roster, comm, first_rank,
                                         (uint32_t)n, spawned, &ep);
  if (err) {
    if (spawned) /* the engine's from now on, even when it fails */
      MPI_Comm_free(&comm);
    return err;
  }
  /* Out of memory, its workers are seen to die from STARTED on only. */
  if (pids && n > 0 && pids[0] != 0)
    (void)mpipool__roster_set_pids(&m->roster, ep, pids);
  err = mpipool__registry_names(&pool->reg, &names, &names_len);
  if (err)
    return err;
  for (size_t i = 0; i < n && err == 0; i++) {
    int rank = first_rank + (int)i;
    mpipool__worker_t *w = mpipool__roster_add(&m->roster, ep, rank);
    if (w == NULL) {
      err = MPIPOOL_ENOMEM;
      break;
    }
    w->id = m->next_id++;
    w->state = MPIPOOL__W_STARTING;
    w->host = m->host;
    w->binding = "";
    w->node = node;
    w->share = share;
    if (!spawned) {
      w->node =
          rank < m->plan.nranks ? m->plan.node_of[rank] : MPIPOOL__NODE_UNKNOWN;
      int bound_by_launcher =
          rank < m->plan.nranks && m->plan.launcher_bound[rank];
      w->share = bound_by_launcher ? MPIPOOL__SHARE_NONE : MPIPOOL__SHARE_NEXT;
    }
    if (w->share == MPIPOOL__SHARE_NEXT)
      w->share = w->node != MPIPOOL__NODE_UNKNOWN
                     ? mpipool__plan_next_share(&m->plan, (size_t)w->node)
                     : MPIPOOL__SHARE_NONE;
    m->nstarting++;
    place_worker(m, w);
    relist(m, w);
    err = configure(m, w, names);
  }
  mpipool__free(names);
  return err;
}

int mpipool__master_add_ranks(mpipool__master_t *m, int first_rank, size_t n) {
  return add_workers(m, m->pool->comm, first_rank, n, 0, MPIPOOL__NODE_UNKNOWN,
                     MPIPOOL__SHARE_NONE, NULL);
}

int mpipool__master_add_spawned(mpipool__master_t *m, MPI_Comm inter, int node,
                                int share, const uint32_t *pids) {
  int remote = 0;
  MPI_Comm_remote_size(inter, &remote);
  return add_workers(m, inter, 0, (size_t)remote, 1, node, share, pids);
}

int mpipool__master_new(mpipool__master_t **out, mpipool_t *pool,
                        mpipool__plan_t *plan, int recycling, int spawning) {
  mpipool__link_t *link;
  if (mpipool__link_mpi_new(&link) != 0) {
    mpipool__plan_free(plan);
    return MPIPOOL_ENOMEM;
  }
  return mpipool__master_new_linked(out, pool, plan, recycling, spawning, link);
}

int mpipool__master_new_linked(mpipool__master_t **out, mpipool_t *pool,
                               mpipool__plan_t *plan, int recycling,
                               int spawning, mpipool__link_t *link) {
  mpipool__master_t *m = mpipool__calloc(1, sizeof *m);
  if (m == NULL) {
    mpipool__plan_free(plan);
    link->free(link);
    return MPIPOOL_ENOMEM;
  }
  m->link = link;
  m->pool = pool;
  m->plan = *plan;
  memset(plan, 0, sizeof *plan);
  m->recycling = recycling;
  m->spawning = spawning;
  m->next_id = 1;
  m->silence = BEAT_SILENCE;
  m->free_frame = MPIPOOL__NONE;
  for (int k = 0; k < DEPTH; k++)
    m->levels[k].head = m->levels[k].tail = MPIPOOL__NONE;
  const char *check = getenv("MPIPOOL_CHECK");
  m->check = check && strcmp(check, "1") == 0;
  char *host = mpipool__node_name_dup();
  m->host = host ? mpipool__intern(&m->strings, host) : NULL;
  mpipool__free(host);
  char self[320] = "";
  mpipool__master_watch_name(self, sizeof self);
  m->self = mpipool__intern(&m->strings, self);
  m->parked = mpipool__calloc(m->plan.nnodes + 1, sizeof *m->parked);
  int err = m->host && m->self && m->parked ? MPIPOOL_OK : MPIPOOL_ENOMEM;
  for (size_t i = 0; err == 0 && i <= m->plan.nnodes; i++)
    m->parked[i].head = m->parked[i].tail = MPIPOOL__NONE;
  /* Ranks beyond those that serve leave at once. */
  for (int r = m->plan.serve + 1; err == 0 && r < m->plan.nranks; r++)
    err = m->link->send(m->link, pool->comm, r, MPIPOOL__TAG_STOP, NULL, 0);
  if (err) {
    mpipool__master_free(m);
    return err;
  }
  *out = m;
  return MPIPOOL_OK;
}

void mpipool__master_set_silence(mpipool__master_t *m, double seconds) {
  m->silence = seconds;
}

const mpipool__plan_t *mpipool__master_plan(const mpipool__master_t *m) {
  return &m->plan;
}

/* Starts the queue that spawns successors and replacements. */
static int spawnq_start(mpipool__master_t *m) {
  int provided = MPI_THREAD_SINGLE;
  MPI_Query_thread(&provided);
  /* With threads, successors are spawned in the background; without, the
   * master stalls for each spawn (about 0.25 s), which still works. */
  return mpipool__spawnq_new(&m->spawnq, provided == MPI_THREAD_MULTIPLE,
                             mpipool__comm_spawn);
}

/* Numbers each node's n places 0, 1, ...: those of a binding share by
 * their share (so that a worker's cores and GPUs go together), the
 * others after them, in order.  0 or ENOMEM. */
static int number_places(mpipool__master_t *m, size_t n) {
  size_t nodes = m->plan.nnodes + 1; /* + the unknown node */
  uint32_t *next = mpipool__calloc(nodes, sizeof *next);
  if (next == NULL)
    return MPIPOOL_ENOMEM;
  for (size_t i = 0; i < n; i++) {
    const place_t *p = &m->where[i];
    size_t k = (size_t)(p->node - MPIPOOL__NODE_UNKNOWN);
    if (p->share >= 0 && (uint32_t)p->share >= next[k])
      next[k] = (uint32_t)p->share + 1;
  }
  for (size_t i = 0; i < n; i++) {
    place_t *p = &m->where[i];
    size_t k = (size_t)(p->node - MPIPOOL__NODE_UNKNOWN);
    p->local = p->share >= 0 ? (uint32_t)p->share : next[k]++;
    /* Its GPUs, as its workers find them (worker.c), for worker_info. */
    int per = m->pool->gpus_per;
    char *ids = NULL;
    if (per > 0 && p->node >= 0 && p->local <= (uint32_t)(INT_MAX / per) - 1)
      ids = mpipool__gpus_slice(m->plan.nodes[p->node].info.gpus,
                                (int)p->local * per, per);
    p->gpus = mpipool__intern(&m->strings, ids ? ids : "");
    mpipool__free(ids);
    if (p->gpus == NULL) {
      mpipool__free(next);
      return MPIPOOL_ENOMEM;
    }
  }
  mpipool__free(next);
  return MPIPOOL_OK;
}

int mpipool__master_seal(mpipool__master_t *m) {
  size_t n = m->roster.live;
  m->places = mpipool__malloc((n ? n : 1) * sizeof *m->places);
  m->vacant = mpipool__malloc((n ? n : 1) * sizeof *m->vacant);
  m->leaver = mpipool__malloc((n ? n : 1) * sizeof *m->leaver);
  m->where = mpipool__calloc(n ? n : 1, sizeof *m->where);
  if (m->places == NULL || m->vacant == NULL || m->leaver == NULL ||
      m->where == NULL)
    return MPIPOOL_ENOMEM;
  /* During the start no worker left, so records are in the order added. */
  for (size_t i = 0; i < n; i++) {
    mpipool__worker_t *w = mpipool__roster_at(&m->roster, (uint32_t)i);
    w->place = (uint32_t)i;
    m->places[i] = (uint32_t)i;
    m->leaver[i] = MPIPOOL__NONE;
    m->where[i] = (place_t){w->node, w->share, 0, NULL};
  }
  if (number_places(m, n))
    return MPIPOOL_ENOMEM;
  m->slots = n;
  return m->recycling && m->spawnq == NULL ? spawnq_start(m) : MPIPOOL_OK;
}

int mpipool__master_head_start(mpipool__master_t *m, int n) {
  int err = 0;
  m->head = m->pool->head; /* made at the start, if it could be */
  m->pool->head = NULL;
  /* Made late (MPI up, or not the program's only thread), its forkers
   * have what the process has now. */
  if (m->head == NULL)
    err = mpipool__head_new(&m->head, m->pool, n);
  /* As many hands as places (or as it has): the tasks run as many at a
   * time before the workers come as after. */
  if (err == 0) {
    m->nhands = mpipool__head_hands(m->head, n);
    /* Hand k's tasks on the cores place k's worker will bind to (share
     * k: the first workers take the node's shares in order); unbound, on
     * the node's cores, not on the one a launcher bound the master to. */
    const mpipool__plan_node_t *nd = m->plan.nnodes ? &m->plan.nodes[0] : NULL;
    if (nd && (nd->bind || m->pool->launched))
      err = mpipool__head_bind(m->head, nd->bind ? nd->shares : 0,
                               m->pool->cores_per, m->pool->hwthreads,
                               nd->info.cpuset, nd->bind ? nd->avoid : "");
  }
  if (err == 0) {
    m->head_refs = mpipool__calloc((size_t)m->nhands * MPIPOOL__HEAD_DEPTH,
                                   sizeof *m->head_refs);
    err = m->head_refs ? mpipool__head_run(m->head) : MPIPOOL_ENOMEM;
  }
  /* Where MPI is not up yet (mpipool__pool_mpi_up), the spawner starts
   * with it, when the first workers are wanted. */
  int up = 0;
  MPI_Initialized(&up);
  if (err == 0 && up)
    err = spawnq_start(m);
  m->head_open = m->starting = err == 0;
  m->first_n = n;
  m->head_alone =
      mpipool__env_seconds("MPIPOOL_HEAD_ALONE", HEAD_ALONE, 86400, NULL);
  m->alone_given = getenv("MPIPOOL_HEAD_ALONE") != NULL;
  m->head_worth =
      mpipool__env_seconds("MPIPOOL_HEAD_WORTH", HEAD_WORTH, 86400, NULL);
  return err;
}

int mpipool__master_want_workers(mpipool__master_t *m) {
  int n = m->first_n;
  if (n == 0 || m->broken)
    return m->broken;
  m->first_n = 0;
  int err = 0;
  if (m->spawnq == NULL && (err = mpipool__pool_mpi_up(m->pool)) == 0)
    err = spawnq_start(m);
  if (err == 0)
    err = mpipool__spawnq_request(m->spawnq, NULL, n, FIRST_SPAWN);
  return err ? break_pool(m, err) : MPIPOOL_OK;
}

size_t mpipool__master_size(const mpipool__master_t *m) {
  return m->starting ? (size_t)m->plan.workers : m->slots;
}

size_t mpipool__master_lost(const mpipool__master_t *m) { return m->lost; }

/* --- dispatch ------------------------------------------------------------- */

/* How many chunks the next frame may carry: one, unless chunks are known to
 * be short and there are more of them than the workers' queues hold, in
 * which case a fair share of the backlog travels together. */
static unsigned coalesce_limit(const mpipool__master_t *m) {
  if (m->chunk_ns <= 0 || m->chunk_ns > COALESCE_BELOW_NS || m->nready == 0)
    return 1;
  size_t share = m->queue.chunks / (m->nready * DEPTH);
  if (share < 1)
    return 1;
  double fit = COALESCE_NS / m->chunk_ns; /* chunks in COALESCE_NS */
  size_t most = fit < SMALL_COALESCE ? SMALL_COALESCE
                : fit > MAX_COALESCE ? MAX_COALESCE
                                     : (size_t)fit;
  return share > most ? (unsigned)most : (unsigned)share;
}

/* Place p's next worker is ready: the worker that retired from it, if
 * one waits there, leaves now. */
static int release_leaver(mpipool__master_t *m, uint32_t p) {
  if (m->leaver[p] == MPIPOOL__NONE)
    return MPIPOOL_OK;
  return stop_worker(m, mpipool__roster_at(&m->roster, m->leaver[p]),
                     MPIPOOL__TAG_STOP, 0);
}

/* Place p is vacant and no successor will come (recycling stopped): its
 * leaver takes it again and serves on, with no limit. */
static int resume_leaver(mpipool__master_t *m, uint32_t p) {
  mpipool__worker_t *w = mpipool__roster_at(&m->roster, m->leaver[p]);
  drop_leaver(m, w);
  for (size_t k = 0; k < m->nvacant; k++)
    if (m->vacant[k] == p) {
      take_vacant(m, k, w);
      break;
    }
  w->place = p; /* also when p was missing from vacant */
  m->places[p] = w->index;
  w->retiring = 0;
  relist(m, w);
  return send_ctrl(m, w, MPIPOOL__TAG_NOMAX);
}

/* A slot is being freed by w, a worker that retired (its last chunk
 * answered) or died: a spare of its node and share takes its place (a
 * ready one first), or the next such successor to arrive will.  Never
 * before w's last chunk ended: two tasks of one place never run at once
 * (the place is the job slot, and owns a share of cores and GPUs).  The
 * place's leaver, if one waits, leaves when the spare is ready, or serves
 * again when the place is left vacant and no successor will come
 * (recycling stopped). */
static int fill_slot(mpipool__master_t *m, mpipool__worker_t *w) {
  if (w->place == MPIPOOL__NONE)
    return MPIPOOL_OK; /* a spare that never served (recycling stopped) */
  uint32_t p = w->place;
  int list = LIST_PARKED + w->node - MPIPOOL__NODE_UNKNOWN;
  int share = m->where[w->place].share;
  mpipool__worker_t *best = NULL;
  for (uint32_t i = list_of(m, list)->head; i != MPIPOOL__NONE;) {
    mpipool__worker_t *s = mpipool__roster_at(&m->roster, i);
    if (s->share != share) {
      i = s->next;
      continue;
    }
    if (best == NULL ||
        (s->state == MPIPOOL__W_READY && best->state != MPIPOOL__W_READY))
      best = s;
    if (best->state == MPIPOOL__W_READY)
      break;
    i = s->next;
  }
  w->place = MPIPOOL__NONE;
  if (best) {
    best->parked = 0;
    best->place = p;
    m->places[p] = best->index;
    relist(m, best);
    return best->state == MPIPOOL__W_READY ? release_leaver(m, p) : 0;
  }
  m->places[p] = MPIPOOL__NONE;
  m->vacant[m->nvacant++] = p;
  int coming = m->recycling && m->spawning;
  return !coming && m->leaver[p] != MPIPOOL__NONE ? resume_leaver(m, p) : 0;
}

/* w has answered its last chunk (maxtasksperchild): it becomes its
 * place's leaver, and the place goes to a spare (fill_slot), which
 * releases w at once when ready; else w waits until the place's next
 * worker is ready (release_leaver), or serves again if spawning stops
 * first (resume_leaver). */
static int retire(mpipool__master_t *m, mpipool__worker_t *w) {
  if (w->place == MPIPOOL__NONE)
    return stop_worker(m, w, MPIPOOL__TAG_STOP, 0);
  m->leaver[w->place] = w->index;
  w->left = w->place;
  return fill_slot(m, w);
}

static int stop_recycling(mpipool__master_t *m, const char *why);

/* Out of memory before a chunk could be taken: the next queued chunk
 * fails with ENOMEM, so that a job still ends when memory never comes
 * back (and the pool goes on when it does). */
static void fail_next(mpipool__master_t *m) {
  mpipool__job_t *job;
  size_t c;
  if (mpipool__queue_next(&m->queue, &job, &c))
    fail_chunk(m, job, c, MPIPOOL_ENOMEM);
}

/* Sends w one frame of queued chunks; *sent tells whether one went.  Out
 * of memory fails the chunks it concerns (ENOMEM), not the pool: returns
 * 0 then, or EMPI. */
static int send_frame(mpipool__master_t *m, mpipool__worker_t *w, int *sent) {
  mpipool_t *pool = m->pool;
  unsigned limit = coalesce_limit(m);
  /* A worker that recycles never gets more chunks than it has left. */
  if (m->recycling && pool->maxtasks - w->assigned < (long)limit)
    limit = (unsigned)(pool->maxtasks - w->assigned);
  mpipool__job_t *job;
  size_t c;
  uint32_t fi;
  frame_t *f;
  *sent = 0;
  if (m->scratch.data == NULL && m->link->spare) /* warm pages, if any */
    m->scratch.data = m->link->spare(m->link, &m->scratch.cap);
  if (mpipool__wire_tasks_begin(&m->scratch, w->next_seq) != 0 ||
      (f = frame_take(m, &fi)) == NULL) {
    fail_next(m);
    return MPIPOOL_OK;
  }
  f->seq = w->next_seq;
  if (w->place != MPIPOOL__NONE)
    mpipool__wire_tasks_set_place(&m->scratch, w->place,
                                  m->where[w->place].local);
  /* An item to run again goes to another worker when one is ready. */
  long self = m->nready > 1 ? w->id : -1;
  while (f->nrefs < limit && m->scratch.len < COALESCE_BYTES) {
    if (frame_room(f) != 0) {
      if (f->nrefs == 0)
        fail_next(m);
      break;
    }
    if (!mpipool__queue_next_for(&m->queue, self, &job, &c))
      break;
    int err = mpipool__wire_tasks_add(&m->scratch, job->fn, &job->src,
                                      mpipool__job_chunk_first(job, c),
                                      mpipool__job_chunk_count(job, c));
    if (err) { /* E2BIG: this chunk alone cannot travel; ENOMEM */
      fail_chunk(m, job, c, err);
      continue;
    }
    f->refs[f->nrefs].job = job;
    f->refs[f->nrefs].chunk = c;
    f->nrefs++;
  }
  size_t len = m->scratch.len;
  int err = MPIPOOL_OK;
  /* A large frame to a worker of this node: read from our memory. */
  int tag = m->link->offers && w->node == 0 && len >= MPIPOOL__CMA_MIN
                ? MPIPOOL__TAG_TASKS_CMA
                : MPIPOOL__TAG_TASKS;
  if (f->nrefs > 0)
    err = m->link->send(m->link, m->roster.endpoints[w->endpoint].comm, w->rank,
                        tag, mpipool__buf_steal(&m->scratch), len);
  if (f->nrefs == 0 || err) {
    /* Not sent: its chunks fail (the worker never saw them); the frame
     * and the encoding go back. */
    for (unsigned k = 0; k < f->nrefs; k++)
      fail_chunk(m, f->refs[k].job, f->refs[k].chunk, err);
    frame_give_back(m, fi);
    mpipool__buf_free(&m->scratch);
    return err == MPIPOOL_ENOMEM ? MPIPOOL_OK : err;
  }
  frame_link(m, w, fi);
  w->next_seq++;
  w->assigned += f->nrefs;
  *sent = 1;
  if (m->recycling && !w->succ_requested && w->assigned >= 1) {
    /* Its first task is out: start its successor now, on its node, so
     * that it waits ready (a spare) when this worker leaves.  Measured
     * (bench/recycle.sh, 1 ms tasks, 2 workers): asking this early gave 90%
     * of unlimited throughput at maxtasksperchild 500, asking at a quarter
     * of the quota 78%: a spawn takes about 0.25 s here. */
    w->succ_requested = 1;
    if (mpipool__spawnq_request(m->spawnq,
                                mpipool__plan_spawn_host(&m->plan, w->host), 1,
                                w->share) != 0)
      err = stop_recycling(m, "out of memory");
  }
  if (m->recycling && w->assigned >= pool->maxtasks) {
    w->retiring = 1; /* its last chunk is on the way; its place is
                        handed over once it is answered (on_results) */
  }
  relist(m, w);
  return err;
}

/* How many frames each worker may have in flight.  A chunk of 0.1 s or
 * more gets none waiting behind it: the round trip to the master (tens of
 * microseconds) is lost in it, and a chunk queued behind a long one would
 * wait while another worker idles (or, when the pool drains, still run).
 * Shorter chunks get one waiting, which hides the round trip; very short
 * ones more.  Until a chunk's time is known, assume it is long. */
static unsigned depth_limit(const mpipool__master_t *m) {
  if (m->chunk_ns <= 0 || m->chunk_ns > LONG_CHUNK_NS)
    return 1;
  if (m->chunk_ns > COALESCE_BELOW_NS)
    return 2;
  return DEPTH;
}

int mpipool__master_queues_ahead(const mpipool__master_t *m) {
  return depth_limit(m) > 1;
}

/* Fills the ready workers' queues level by level (every worker with no
 * frame first, then every worker with one...), so work spreads evenly: a
 * worker that gets a frame moves to the back of the next level's list. */
static int dispatch(mpipool__master_t *m, int *busy) {
  unsigned depth = depth_limit(m);
  for (unsigned level = 0; level < depth && m->queue.chunks; level++) {
    wlist_t *l = &m->levels[level];
    /* A worker that got nothing (what is left avoids it) goes to the
     * back; the level is done when each of them got nothing. */
    size_t passed = 0;
    while (m->queue.chunks && l->head != MPIPOOL__NONE && passed < l->n) {
      mpipool__worker_t *w = mpipool__roster_at(&m->roster, l->head);
      int sent;
      int err = send_frame(m, w, &sent);
      if (err)
        return err;
      if (sent) {
        *busy = 1;
        passed = 0;
      } else if (w->list == LIST_LEVEL + (int)level) {
        unlink_worker(m, w);
        append_worker(m, w, LIST_LEVEL + (int)level);
        passed++;
      } else {
        break;
      }
    }
  }
  return MPIPOOL_OK;
}

/* Whether the head runs the pool's tasks for good: no worker could be
 * spawned, and its hands still can (their initializer did not fail). */
static int head_carries_on(const mpipool__master_t *m) {
  return m->head_only && !mpipool__head_failed(m->head);
}

/* No worker serves, none starts, none is being spawned, and the head does
 * not run tasks in their stead: the queued work fails, saying why when
 * initializers failed. */
static void no_workers_left(mpipool__master_t *m) {
  if (head_carries_on(m) || m->starting || m->nready != 0 ||
      m->nstarting != 0 || mpipool__spawnq_pending(m->spawnq) != 0 ||
      m->queue.chunks == 0)
    return;
  char *why = NULL;
  if (m->init_error)
    why = mpipool__afmt("%s: every worker's initializer failed (%zu); the "
                        "first: %s",
                        mpipool_strerror(MPIPOOL_ENOWORKERS), m->nfailed_init,
                        m->init_error);
  mpipool__job_t *job;
  size_t c;
  while (mpipool__queue_next(&m->queue, &job, &c))
    if (mpipool__job_chunk_fail(job, c, MPIPOOL_ENOWORKERS, why))
      job_done(m, job);
  mpipool__free(why);
}

/* w, gone (BYE) or dead, is forgotten: its record goes back to the
 * roster, and its spawn's intercommunicator, when w was the last worker
 * through it, is freed (a local call; a dead one's sends were forgotten
 * first).  Kept, Open MPI's MPI_Finalize would disconnect from its
 * processes, and with two dead ones left, sends on their way to each, it
 * waited for ever (test_lost_sends).  Then the queued work fails if no
 * worker is left. */
static void remove_worker(mpipool__master_t *m, mpipool__worker_t *w) {
  MPI_Comm comm;
  if (m->link->gone)
    m->link->gone(m->link, m->roster.endpoints[w->endpoint].comm, w->rank);
  mpipool__roster_remove(&m->roster, w, &comm);
  if (comm != MPI_COMM_NULL)
    MPI_Comm_free(&comm);
  no_workers_left(m);
}

/* Spawning failed: keep the workers we have from retiring. */
static int stop_recycling(mpipool__master_t *m, const char *why) {
  int err = MPIPOOL_OK;
  if (!m->recycling && m->spawning)
    fprintf(stderr,
            "mpipool: warning: cannot start a worker in place of a lost one "
            "(%s); the pool goes on with the workers it has\n",
            why);
  m->spawning = 0;
  if (m->recycling) {
    fprintf(stderr,
            "mpipool: warning: cannot start a fresh worker (%s); "
            "maxtasksperchild is now off and the pool goes on with the "
            "workers it has\n",
            why);
    m->recycling = 0;
    m->spawning = 0;
    for (size_t i = 0; i < m->roster.nworkers && err == 0; i++) {
      if (!mpipool__roster_is_live(&m->roster, i))
        continue;
      mpipool__worker_t *w = mpipool__roster_at(&m->roster, (uint32_t)i);
      int alive =
          w->state == MPIPOOL__W_READY || w->state == MPIPOOL__W_STARTING;
      if (!alive || w->left != MPIPOOL__NONE)
        continue;      /* leavers: below */
      if (w->parked) { /* spares already there now serve... */
        w->parked = 0;
        if (m->nvacant > 0) {
          take_vacant(m, m->nvacant - 1, w);
          if (w->state == MPIPOOL__W_READY)
            err = release_leaver(m, w->place);
        }
      }
      /* ...and so does a worker whose last chunk is on its way. */
      w->retiring = 0;
      relist(m, w);
      if (err == 0)
        err = send_ctrl(m, w, MPIPOOL__TAG_NOMAX);
    }
    /* Workers that retired and wait for a successor serve again, unless
     * one starts in their place (it may still fail: fill_slot). */
    for (uint32_t p = 0; p < m->slots && err == 0; p++)
      if (m->leaver[p] != MPIPOOL__NONE && m->places[p] == MPIPOOL__NONE)
        err = resume_leaver(m, p);
  }
  no_workers_left(m);
  return err;
}

/* The first workers' spawn has ended (s): they are the pool, sealed now;
 * or, when it failed, the head goes on alone where it can still run
 * tasks, else the pool breaks (ESPAWN) as its start would have. */
static int adopt_first(mpipool__master_t *m, mpipool__spawned_t *s) {
  m->starting = 0;
  if (s->err) {
    fprintf(stderr, "mpipool: %s on host %s\n", s->why,
            s->host ? s->host : m->host);
    if (!m->pool->launched)
      fprintf(stderr,
              "mpipool: this MPI cannot spawn processes here; start "
              "the program under a launcher instead (mpirun -n %d ...): its "
              "ranks then serve as the workers\n",
              m->plan.workers + 1);
    if (!m->head_open || mpipool__head_failed(m->head))
      return MPIPOOL_ESPAWN;
    fprintf(stderr,
            "mpipool: warning: no worker could be spawned; the pool goes on "
            "without workers: its head runs the tasks, %d at a time, on "
            "this node\n",
            m->nhands);
    m->head_only = 1;
    return MPIPOOL_OK;
  }
  int err =
      mpipool__master_add_spawned(m, s->inter, 0, MPIPOOL__SHARE_NEXT, s->pids);
  return err ? err : mpipool__master_seal(m);
}

/* Takes in the workers the spawner has started. */
static int adopt_spawns(mpipool__master_t *m, int *busy) {
  mpipool__spawned_t s;
  int err = MPIPOOL_OK;
  while (err == 0 && mpipool__spawnq_poll(m->spawnq, &s)) {
    *busy = 1;
    if (mpipool__pool_ask_again(m->pool, s.err) && m->spawning) {
      fprintf(stderr, "mpipool: warning: %s; asking again\n", s.why);
      err = mpipool__spawnq_request(m->spawnq, s.host, s.n, s.tag);
      if (err)
        err = s.tag == FIRST_SPAWN ? err : stop_recycling(m, "out of memory");
    } else if (s.err && m->ending) {
      /* Workers that did not come as the pool ends: not asked for again
       * (that took another spawn, and with it stuck another 30 s).  A
       * stuck spawn's processes are dealt with at the end (comm_spawn.h). */
      fprintf(stderr, "mpipool: warning: %s, as the pool ended\n", s.why);
      if (s.tag == FIRST_SPAWN)
        m->starting = 0;
    } else if (s.tag == FIRST_SPAWN) {
      err = adopt_first(m, &s);
    } else if (s.err) {
      err = stop_recycling(m, s.why);
    } else {
      int node = mpipool__plan_find(&m->plan, s.host ? s.host : m->host);
      err = mpipool__master_add_spawned(m, s.inter, node, s.tag, s.pids);
    }
    mpipool__free(s.host);
    mpipool__free(s.pids);
  }
  return err;
}

/* --- messages from workers ----------------------------------------------- */

/* The liveness list w belongs in: the master's node's workers are
 * watched by their process, the others by their silence if they beat.
 * (Before its HELLO, pid and beats are 0: in none.) */
static int watch_list(const mpipool__master_t *m, const mpipool__worker_t *w) {
  return w->pid && w->host == m->host ? MPIPOOL__WATCH_HERE
         : w->beats                   ? MPIPOOL__WATCH_HEARD
                                      : MPIPOOL__WATCH_NONE;
}

/* w said where it runs (STARTED, then HELLO): it is watched from now
 * on.  Out of memory, the master's host stands in. */
static void identify(mpipool__master_t *m, mpipool__worker_t *w,
                     const mpipool__hello_t *h) {
  const char *host = mpipool__intern(&m->strings, h->host);
  w->host = host ? host : m->host;
  w->beats = h->beats;
  w->pid = h->pid;
  mpipool__roster_watch(&m->roster, w, watch_list(m, w));
}

/* STARTED: w is about to run its initializer, which may take long or
 * kill it: its death is seen from now on, not only after HELLO. */
static int on_started(mpipool__master_t *m, mpipool__worker_t *w,
                      const mpipool__msg_t *msg) {
  mpipool__hello_t h;
  if (mpipool__wire_hello_decode(&h, msg->data, msg->len) != 0)
    return MPIPOOL_EPROTO;
  if (w->state == MPIPOOL__W_STARTING)
    identify(m, w, &h);
  return MPIPOOL_OK;
}

static int on_hello(mpipool__master_t *m, mpipool__worker_t *w,
                    const mpipool__msg_t *msg) {
  mpipool__hello_t h;
  if (mpipool__wire_hello_decode(&h, msg->data, msg->len) != 0)
    return MPIPOOL_EPROTO;
  if (w->state != MPIPOOL__W_STARTING)
    return MPIPOOL_OK; /* stopped before it was ready */
  identify(m, w, &h);
  /* Out of memory, no description stands in. */
  const char *binding = mpipool__intern(&m->strings, h.binding);
  w->binding = binding ? binding : "";
  w->bound = h.bound;
  m->nstarting--;
  if (h.status == 0) {
    if (m->head_open) /* a worker is ready: the head runs no more */
      mpipool__head_retire(m->head);
    m->head_open = 0;
    m->start_deaths = 0;
    w->state = MPIPOOL__W_READY;
    m->nready++;
    relist(m, w);
    return w->place != MPIPOOL__NONE ? release_leaver(m, w->place) : 0;
  }
  w->failed_init = 1;
  m->nfailed_init++;
  if (m->init_error == NULL)
    m->init_error = mpipool__afmt("PoolWorker-%ld: %s", w->id, h.message);
  /* Its place waits for a spare; no successor is asked for it, so a
   * worker that retired from it serves again. */
  int err = fill_slot(m, w);
  w->state = MPIPOOL__W_STOPPING;
  relist(m, w);
  if (err == 0 && m->recycling && m->slots && w->id > (long)m->slots) {
    /* A successor that cannot start (ids 1..slots are the pool's first
     * workers): recycling stops, as when spawning fails, and the workers
     * waiting for one serve on.  A first worker's failure takes only its
     * place away; the next successor's tells whether they fail too. */
    char *why = mpipool__afmt("PoolWorker-%ld's initializer failed: %s", w->id,
                              h.message);
    err = stop_recycling(m, why ? why : "an initializer failed");
    mpipool__free(why);
  }
  no_workers_left(m);
  return err ? err : send_ctrl(m, w, MPIPOOL__TAG_STOP);
}

/* Takes in the RESULTS frame (data, len; taken) that answers the chunks
 * refs[0..nrefs) of frame seq, run by worker `id`: each chunk is done,
 * queued again for its retries, or failed when the frame does not match. */
static void take_results(mpipool__master_t *m, const ref_t *refs,
                         unsigned nrefs, uint64_t seq, void *data, size_t len,
                         long id) {
  mpipool__reader_t r;
  mpipool__rchunk_view_t v;
  int err = mpipool__wire_results_open(&r, data, len);
  if (err == 0 && (r.seq != seq || r.nchunks != nrefs))
    err = MPIPOOL_EPROTO;
  mpipool__rbuf_t *buf = mpipool__rbuf_new(data);
  if (buf == NULL && err == 0)
    err = MPIPOOL_ENOMEM;
  if (err == 0 && nrefs) {
    double ns = (double)r.busy_ns / nrefs;
    m->chunk_ns = m->chunk_ns > 0 ? 0.8 * m->chunk_ns + 0.2 * ns : ns;
  }
  for (unsigned k = 0; k < nrefs; k++) {
    mpipool__job_t *job = refs[k].job;
    size_t c = refs[k].chunk;
    if (err == 0 && mpipool__wire_results_next(&r, &v) != 1)
      err = MPIPOOL_EPROTO;
    if (err == 0 && v.count != mpipool__job_chunk_count(job, c))
      err = MPIPOOL_EPROTO;
    if (err) {
      fail_chunk(m, job, c, err);
      continue;
    }
    if (mpipool__job_journal(job))
      mpipool__journal_put(job->journal, job->jmap,
                           mpipool__job_chunk_first(job, c), &v);
    if (mpipool__job_chunk_done(job, c, buf, &v, id))
      job_done(m, job);
    else
      queue_retries(m, job);
  }
  mpipool__rbuf_unref(buf);
}

static int on_results(mpipool__master_t *m, mpipool__worker_t *w,
                      mpipool__msg_t *msg) {
  if (w->inflight == 0) {
    /* Work we failed already (terminate): the results are not wanted. */
    mpipool__free(msg->data);
    return w->state == MPIPOOL__W_STOPPING ? MPIPOOL_OK : MPIPOOL_EPROTO;
  }
  frame_t *f = frame_pop(m, w);
  take_results(m, f->refs, f->nrefs, f->seq, msg->data, msg->len, w->id);
  int err = MPIPOOL_OK;
  if (w->retiring && w->inflight == 0)
    err = w->state == MPIPOOL__W_READY ? retire(m, w) : fill_slot(m, w);
  relist(m, w);
  return err;
}

/* A worker said BYE: it is forgotten.  When it was the last one reached
 * through a spawn's intercommunicator, that is freed.  Both sides free
 * rather than disconnect: MPI_Comm_disconnect is collective, and a
 * departing process waiting in it for the master (or the master for it)
 * is what recycling must avoid. */
static int on_bye(mpipool__master_t *m, mpipool__worker_t *w) {
  if (w->state == MPIPOOL__W_READY)
    m->nready--;
  else if (w->state == MPIPOOL__W_STARTING)
    m->nstarting--;
  w->state = MPIPOOL__W_STOPPING;
  fail_inflight(m, w, MPIPOOL_ENOWORKERS);
  unlink_worker(m, w);
  drop_leaver(m, w);
  int err = w->retiring ? fill_slot(m, w) : MPIPOOL_OK;
  if (w->place != MPIPOOL__NONE && m->places[w->place] == w->index)
    m->places[w->place] = MPIPOOL__NONE;
  remove_worker(m, w);
  return err;
}

static int on_message(mpipool__master_t *m, uint32_t ep, mpipool__msg_t *msg);

/* Whether process pid runs on this node (not gone, not a zombie). */
static int process_alive(uint32_t pid) {
  char path[64], buf[256];
  if (pid == 0 || kill((pid_t)pid, 0) != 0)
    return pid == 0 || errno == EPERM;
  snprintf(path, sizeof path, "/proc/%u/stat", (unsigned)pid);
  FILE *f = fopen(path, "r");
  if (f == NULL)
    return 0;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  const char *rp = strrchr(buf, ')');
  return !(rp && rp[1] == ' ' && (rp[2] == 'Z' || rp[2] == 'X'));
}

/* Worker w died (or went silent): its chunks in flight run again on
 * other workers, or fail with ELOST once their workers died crash_limit
 * times; its place waits for a successor, asked for now if none was. */
static int lose_worker(mpipool__master_t *m, mpipool__worker_t *w,
                       const char *how) {
  size_t again = 0;
  int starting = w->state == MPIPOOL__W_STARTING;
  char pid[32] = "";
  if (w->pid)
    snprintf(pid, sizeof pid, "pid %u ", (unsigned)w->pid);
  fprintf(stderr, "mpipool: PoolWorker-%ld (%son %s) %s%s", w->id, pid, w->host,
          how,
          starting ? " before it was ready (in its start or initializer)" : "");
  if (w->state == MPIPOOL__W_READY)
    m->nready--;
  else if (starting)
    m->nstarting--;
  w->state = MPIPOOL__W_STOPPING;
  m->lost++;
  /* What was on its way to it is given up: a send to a dead peer may
   * never complete (seen under the sanitizers: a 512 KiB frame), and the
   * pool's end would wait for it. */
  m->link->forget(m->link, m->roster.endpoints[w->endpoint].comm, w->rank);
  while (w->inflight) {
    frame_t *f = frame_pop(m, w);
    for (unsigned k = 0; k < f->nrefs; k++) {
      mpipool__job_t *job = f->refs[k].job;
      size_t c = f->refs[k].chunk;
      if (m->terminating) { /* not run again: the pool ends */
        fail_chunk(m, job, c, MPIPOOL_ETERMINATED);
        continue;
      }
      if (c >= job->nchunks) { /* an item run again (retries) */
        char *why =
            mpipool__afmt("its worker died (PoolWorker-%ld, %s)", w->id, how);
        int r = mpipool__job_unit_lost(job, c, w->id, why);
        mpipool__free(why);
        if (r == 2)
          job_done(m, job);
        if (r == 1) {
          again++;
          queue_retries(m, job);
        }
        continue;
      }
      int n = mpipool__job_chunk_crashed(job, c);
      int limit = m->pool->crash_limit > job->retries ? m->pool->crash_limit
                                                      : job->retries + 1;
      if (n > 0 && n < limit &&
          mpipool__queue_again(&m->queue, job, c, w->id) == 0) {
        again++;
        continue;
      }
      char *why = mpipool__afmt("its worker died %d times (the last: "
                                "PoolWorker-%ld, %s)",
                                n, w->id, how);
      if (mpipool__job_chunk_fail(job, c, MPIPOOL_ELOST, why))
        job_done(m, job);
      mpipool__free(why);
    }
  }
  fprintf(stderr, "; %zu chunk(s) it ran go to other workers\n", again);
  unlink_worker(m, w);
  /* A spare stood for a successor asked for: another is asked for in its
   * stead, or the worker it was to follow would wait for ever (retire). */
  int replace =
      !w->retiring &&
      (w->parked || (w->place != MPIPOOL__NONE && !w->succ_requested));
  drop_leaver(m, w);
  int err = fill_slot(m, w);
  if (starting && ++m->start_deaths >= START_DEATHS && m->spawning) {
    char *why = mpipool__afmt("%zu workers in a row died before they were "
                              "ready; the last: PoolWorker-%ld",
                              m->start_deaths, w->id);
    int e = stop_recycling(m, why ? why : "workers die before they are ready");
    mpipool__free(why);
    if (err == 0)
      err = e;
  }
  if (replace && m->spawning && m->spawnq == NULL && spawnq_start(m) != 0)
    m->spawning = 0;
  if (replace && m->spawning &&
      mpipool__spawnq_request(m->spawnq,
                              mpipool__plan_spawn_host(&m->plan, w->host), 1,
                              w->share) != 0)
    stop_recycling(m, "out of memory");
  remove_worker(m, w);
  return err;
}

/* Worker w is dead or silent (`how`): what it sent before it went is
 * taken in first (one that left after saying BYE is not lost), then it is
 * lost. */
static int dead_worker(mpipool__master_t *m, mpipool__worker_t *w,
                       const char *how) {
  uint32_t ep = w->endpoint, index = w->index;
  int rank = w->rank;
  for (;;) {
    mpipool__msg_t msg;
    int got = m->link->poll(m->link, m->roster.endpoints[ep].comm, rank,
                            MPI_ANY_TAG, &msg);
    if (got <= 0)
      break;
    int err = on_message(m, ep, &msg);
    if (err)
      return err;
    if (!mpipool__roster_is_live(&m->roster, index) ||
        mpipool__roster_at(&m->roster, index) != w || w->endpoint != ep)
      return MPIPOOL_OK; /* it said BYE */
  }
  if (mpipool__roster_is_live(&m->roster, index) && w->endpoint == ep &&
      w->rank == rank)
    return lose_worker(m, w, how);
  return MPIPOOL_OK;
}

/* The link found what the worker at rank `rank` of endpoint ep wrote
 * into its channel broken, and killed it: it is lost. */
static int broken_channel(mpipool__master_t *m, uint32_t ep, int rank) {
  mpipool__worker_t *w = mpipool__roster_find(&m->roster, ep, rank);
  return w ? lose_worker(m, w,
                         "overwrote its channel to the master (shared "
                         "memory, by a task?) and was killed")
           : MPIPOOL_OK;
}

/* A worker that has not said STARTED (its pid is not known yet), though
 * it may have been told to stop since. */
static int unstarted(const mpipool__worker_t *w) { return w->pid == 0; }

/* Workers that have not said STARTED (a spawned process runs its program
 * from the top, and may run the user's code long before mpipool_start)
 * are seen to die by their spawn's processes on this node
 * (roster_set_pids): when none of those lives, every worker of the spawn
 * that has not said STARTED is dead.  The cost: the spawns still
 * starting, not the pool. */
static int check_unstarted(mpipool__master_t *m) {
  for (size_t e = 0; e < m->roster.nendpoints && m->roster.pid_watches; e++) {
    const mpipool__endpoint_t *p = &m->roster.endpoints[e];
    if (p->pids == NULL)
      continue;
    size_t waiting = 0, alive = 0;
    for (uint32_t k = 0; k < p->nranks; k++) {
      uint32_t i = p->worker[k];
      waiting +=
          i != MPIPOOL__NONE && unstarted(mpipool__roster_at(&m->roster, i));
      alive += process_alive(p->pids[k]);
    }
    if (waiting == 0 || alive == 0)
      mpipool__roster_drop_pids(&m->roster, (uint32_t)e);
    for (uint32_t k = 0; waiting && !alive && k < p->nranks; k++) {
      p = &m->roster.endpoints[e];
      if (p->worker == NULL) /* its last worker went */
        break;
      uint32_t i = p->worker[k];
      if (i == MPIPOOL__NONE || !unstarted(mpipool__roster_at(&m->roster, i)))
        continue;
      int err = dead_worker(m, mpipool__roster_at(&m->roster, i), "died");
      if (err)
        return err;
    }
  }
  return MPIPOOL_OK;
}

/* Looks for dead workers: those of the master's node by their process
 * (every one), the others by their silence (only the first of the HEARD
 * list, the longest silent, until one was heard from recently): the cost
 * is the node's workers, not the pool's. */
static int check_liveness(mpipool__master_t *m, double now) {
  if (now < m->next_liveness)
    return MPIPOOL_OK;
  m->next_liveness = now + LIVENESS_EVERY;
  int err = check_unstarted(m);
  if (err)
    return err;
  mpipool__worker_t *w =
      mpipool__roster_watch_first(&m->roster, MPIPOOL__WATCH_HERE);
  uint32_t i = w ? w->index : MPIPOOL__NONE;
  while (i != MPIPOOL__NONE) { /* by index: records may move */
    w = mpipool__roster_at(&m->roster, i);
    i = w->wnext;
    if (process_alive(w->pid))
      continue;
    int err = dead_worker(m, w, "died");
    if (err)
      return err;
    /* Taking its messages in may have changed the list: from the start
     * again if the one after it left it (the live are visited twice). */
    if (i != MPIPOOL__NONE &&
        (!mpipool__roster_is_live(&m->roster, i) ||
         mpipool__roster_at(&m->roster, i)->watch != MPIPOOL__WATCH_HERE)) {
      w = mpipool__roster_watch_first(&m->roster, MPIPOOL__WATCH_HERE);
      i = w ? w->index : MPIPOOL__NONE;
    }
  }
  /* Each turn takes the first out of the list (lost, or said BYE) or
   * puts it last (its messages came): at most once per worker. */
  for (size_t k = m->roster.watch[MPIPOOL__WATCH_HEARD].n; k > 0; k--) {
    w = mpipool__roster_watch_first(&m->roster, MPIPOOL__WATCH_HEARD);
    if (w == NULL || now - w->last_heard <= m->silence)
      break;
    char how[64];
    snprintf(how, sizeof how, "was silent for %.0f s", now - w->last_heard);
    int err = dead_worker(m, w, how);
    if (err)
      return err;
  }
  return MPIPOOL_OK;
}

/* Worker w offers a channel through shared memory (link.h's adopt): taken
 * while it starts, where the link has channels and w is a spawn's (as
 * CONFIG says); else answered no (over MPI: the worker waits there). */
static int on_shm(mpipool__master_t *m, mpipool__worker_t *w,
                  const mpipool__msg_t *msg) {
  MPI_Comm comm = m->roster.endpoints[w->endpoint].comm;
  if (w->state == MPIPOOL__W_STARTING && m->link->adopt &&
      comm != m->pool->comm)
    return m->link->adopt(m->link, comm, w->rank, msg->data, msg->len);
  char *no = mpipool__malloc(1);
  if (no == NULL)
    return MPIPOOL_ENOMEM;
  *no = 1;
  return m->link->send(m->link, comm, w->rank, MPIPOOL__TAG_SHM_ACK, no, 1);
}

static int on_message(mpipool__master_t *m, uint32_t ep, mpipool__msg_t *msg) {
  mpipool__worker_t *w = mpipool__roster_find(&m->roster, ep, msg->source);
  int err = MPIPOOL_OK;
  if (w == NULL) {
    /* A worker already given up for lost (silent too long): what it
     * still sends is not wanted, its chunks run elsewhere. */
    mpipool__free(msg->data);
    return MPIPOOL_OK;
  }
  w->last_heard = m->last_round; /* a clock read per round, not per message */
  mpipool__roster_heard(&m->roster, w);
  switch (msg->tag) {
  case MPIPOOL__TAG_BEAT:
    break;
  case MPIPOOL__TAG_RESULTS:
    return on_results(m, w, msg); /* takes msg->data */
  case MPIPOOL__TAG_STARTED:
    err = on_started(m, w, msg);
    break;
  case MPIPOOL__TAG_HELLO:
    err = on_hello(m, w, msg);
    break;
  case MPIPOOL__TAG_BYE:
    err = on_bye(m, w);
    break;
  case MPIPOOL__TAG_SHM:
    err = on_shm(m, w, msg);
    break;
  default:
    err = MPIPOOL_EPROTO;
  }
  mpipool__free(msg->data);
  return err;
}

/* A message could not be received for want of memory: it waits, and the
 * pool goes on, unless memory stays short for OOM_PATIENCE seconds. */
static int out_of_memory(mpipool__master_t *m) {
  double now = mpipool__now();
  if (m->oom_since == 0)
    m->oom_since = now;
  return now - m->oom_since > OOM_PATIENCE ? MPIPOOL_ENOMEM : MPIPOOL_OK;
}

static void run_check(const mpipool__master_t *m) {
  if (mpipool__master_check(m) != 0) {
    fprintf(stderr, "mpipool: the engine's bookkeeping is inconsistent "
                    "(MPIPOOL_CHECK=1)\n");
    abort();
  }
}

/* --- the head (a head start) -------------------------------------------- */

/* Takes in the chunks hand k has run (or handed back unrun: they are
 * queued again, first). */
static void head_collect(mpipool__master_t *m, int k, int *busy) {
  void *data;
  size_t len;
  int s, err, took = 0;
  while (hand_holds(m, k) > 0 &&
         mpipool__head_take(m->head, k, &s, &data, &len, &err)) {
    ref_t ref = *hand_ref(m, k, s);
    hand_ref(m, k, s)->job = NULL;
    m->hands_out--;
    took = 1;
    if (err == MPIPOOL__HEAD_UNRUN) {
      int gone = m->broken        ? m->broken
                 : m->terminating ? MPIPOOL_ETERMINATED
                                  : 0;
      if (gone || mpipool__queue_again(&m->queue, ref.job, ref.chunk, -1))
        fail_chunk(m, ref.job, ref.chunk, gone ? gone : MPIPOOL_ENOMEM);
    } else if (err) { /* ENOMEM, E2BIG: the chunk fails, as on a worker */
      fail_chunk(m, ref.job, ref.chunk, err);
    } else {
      take_results(m, &ref, 1, 0, data, len, 0);
    }
  }
  if (!took)
    return;
  *busy = 1;
  uint32_t pk = (size_t)k < m->slots ? m->places[k] : MPIPOOL__NONE;
  if (pk != MPIPOOL__NONE && hand_holds(m, k) == 0) /* held for the hand */
    relist(m, mpipool__roster_at(&m->roster, pk));
}

void mpipool__master_set_backlog(mpipool__master_t *m, size_t n) {
  m->backlog = n;
  m->backlog_known = 1;
}

/* Asks for the first workers once the head needs help: work has waited
 * for it HEAD_ALONE seconds, or the work queued is known to take that
 * long, or it cannot run tasks (its initializer failed).  With the work
 * to come known, tasks timed, no recycling (its fresh processes are the
 * workers') and no MPIPOOL_HEAD_ALONE: once the work left would keep the
 * hands busy head_worth seconds (judged also while none is queued: the
 * hands, holding two chunks each, often take all a program submits
 * ahead; the sanitized run of 4,000 commands then never asked for
 * workers), or has waited that long. */
static int head_needs_help(mpipool__master_t *m) {
  if (m->first_n == 0)
    return MPIPOOL_OK;
  if (mpipool__head_failed(m->head))
    return mpipool__master_want_workers(m);
  int by_backlog =
      m->backlog_known && m->chunk_ns > 0 && !m->recycling && !m->alone_given;
  double alone = by_backlog ? m->head_worth : m->head_alone;
  double left = by_backlog ? (double)(m->queue.chunks + m->backlog) /
                                 (m->nhands > 0 ? m->nhands : 1)
                           : (double)m->queue.chunks;
  if (left > 0 && m->chunk_ns * left >= alone * 1e9)
    return mpipool__master_want_workers(m);
  if (m->queue.chunks == 0) {
    m->queued_since = 0;
    return MPIPOOL_OK;
  }
  double now = mpipool__now();
  if (m->queued_since == 0)
    m->queued_since = now;
  if (now - m->queued_since >= alone)
    return mpipool__master_want_workers(m);
  return MPIPOOL_OK;
}

/* Takes in what the hands ran, and while no worker has been ready yet
 * hands each that is ready the next queued chunk (a hand not started yet
 * starts when work waits for it); then, to hands that run one, a chunk
 * to run next, as a worker gets one queued (depth_limit: short chunks
 * only, each hand holding one first). */
static int head_step(mpipool__master_t *m, int *busy) {
  mpipool__job_t *job;
  size_t c;
  for (int k = 0; k < m->nhands && m->hands_out > 0; k++)
    head_collect(m, k, busy);
  if (!m->head_open || m->broken || m->terminating)
    return MPIPOOL_OK;
  if (m->head_only && mpipool__head_failed(m->head)) {
    no_workers_left(m); /* its initializer failed meanwhile */
    return MPIPOOL_OK;
  }
  /* A chunk too large for the head, with no worker to come, fails. */
  while (m->head_only && mpipool__queue_peek(&m->queue, &job, &c) &&
         mpipool__job_chunk_count(job, c) > HEAD_CHUNK_MAX) {
    mpipool__queue_next(&m->queue, &job, &c);
    fail_chunk(m, job, c, MPIPOOL_ESPAWN);
    *busy = 1;
  }
  if (mpipool__queue_peek(&m->queue, &job, &c) &&
      mpipool__job_chunk_count(job, c) > HEAD_CHUNK_MAX)
    return mpipool__master_want_workers(m); /* not for the head */
  int depth = depth_limit(m) > 1 ? MPIPOOL__HEAD_DEPTH : 1;
  for (int held_now = 0; held_now < depth; held_now++)
    for (int k = 0; k < m->nhands && m->queue.chunks; k++)
      if (hand_holds(m, k) == held_now && mpipool__head_ready(m->head, k) &&
          mpipool__queue_next(&m->queue, &job, &c)) {
        *busy = 1;
        m->hands_out++;
        int s = mpipool__head_give(m->head, k, job->fn, &job->src,
                                   mpipool__job_chunk_first(job, c),
                                   mpipool__job_chunk_count(job, c));
        *hand_ref(m, k, s) = (ref_t){job, c};
      }
  return head_needs_help(m);
}

/* Waits until the hands' chunks have run and takes them in (the pool
 * ends or breaks: the chunks' items, the caller's, must not be read
 * after). */
static void head_finish(mpipool__master_t *m) {
  int busy = 0;
  for (int k = 0; k < m->nhands && m->hands_out > 0; k++)
    if (hand_holds(m, k) > 0) {
      mpipool__head_wait(m->head, k);
      head_collect(m, k, &busy);
    }
}

int mpipool__master_progress(mpipool__master_t *m, int *busy) {
  if (m->broken)
    return m->broken;
  double now = m->last_round = mpipool__now();
  int err = m->link->progress(m->link);
  mpipool__journal_sync(m->pool->journal, 0); /* a bounded interval */
  if (err == 0 && m->spawnq)
    err = adopt_spawns(m, busy);
  for (size_t e = 0; e < m->roster.nendpoints && err == 0; e++) {
    /* An endpoint is forgotten (its comm NULL) once its workers left. */
    for (int k = 0; k < RECV_BURST && err == 0 &&
                    m->roster.endpoints[e].comm != MPI_COMM_NULL;
         k++) {
      mpipool__msg_t msg;
      int got = m->link->poll(m->link, m->roster.endpoints[e].comm,
                              MPI_ANY_SOURCE, MPI_ANY_TAG, &msg);
      if (got == MPIPOOL_ENOMEM) { /* the message waits: try again later */
        err = out_of_memory(m);
        break;
      }
      if (got == MPIPOOL__EPEER) {
        *busy = 1;
        err = broken_channel(m, (uint32_t)e, msg.source);
        continue;
      }
      if (got <= 0) {
        err = got;
        break;
      }
      m->oom_since = 0;
      *busy = 1;
      err = on_message(m, (uint32_t)e, &msg);
    }
  }
  if (err == 0)
    err = check_liveness(m, now);
  if (err == 0)
    err = dispatch(m, busy);
  if (err == 0 && m->head)
    err = head_step(m, busy);
  if (m->check)
    run_check(m);
  return err ? break_pool(m, err) : MPIPOOL_OK;
}

int mpipool__master_nudge(mpipool__master_t *m) {
  int busy = 0;
  /* (While a place's worker may wait for its hand's last chunk, a round
   * may free it.) */
  int may_free = m->hands_out > 0 && m->nready > 0;
  if (m->levels[0].n == 0 && !may_free &&
      mpipool__now() - m->last_round < NUDGE_GAP)
    return m->broken;
  return mpipool__master_progress(m, &busy);
}

void mpipool__master_submit(mpipool__master_t *m, mpipool__job_t *job) {
  m->jobs_active++;
  job->pool = m->pool;
  job->retries = m->pool->retries;
  if (job->done) { /* nothing to run */
    job_done(m, job);
    return;
  }
  mpipool__queue_push(&m->queue, job);
  if (m->broken)
    fail_queue(m, m->broken);
  else
    no_workers_left(m);
}

/* --- waiting ----------------------------------------------------------------
 */

/* How the master waits while work is out (with workers or the head):
 * when chunks are known to take longer than COALESCE_BELOW_NS, it sleeps
 * at once (spinning for a result due in hundreds of microseconds took a
 * whole core from the workers' tasks on a full node; while only the head
 * had work it yielded 2,200 times a wait, beside the head's tasks and the
 * workers' start) for at most an eighth of a chunk's time (a result of a
 * 700 us task then waits about 90 us for the master, not 1 ms), at least
 * 10 us; otherwise as usual. */
static void head_sleep(void *head, unsigned us) {
  mpipool__head_sleep(head, us);
}

static void pace(mpipool__master_t *m) {
  int out = m->frames_used > 0 || m->hands_out > 0;
  int long_chunks = out && m->chunk_ns > COALESCE_BELOW_NS;
  double us = m->chunk_ns / 8000.0;
  m->backoff.no_spin = long_chunks;
  /* Sharing a core with workers, it gives the core away while it polls. */
  m->backoff.yield_spins = m->plan.nnodes > 0 && crowded(m, 0);
  m->backoff.max_us = !long_chunks ? 0
                      : us < 10    ? 10
                      : us > 1000  ? 0
                                   : (unsigned)us;
  /* A hand that is done wakes it. */
  m->backoff.sleep = m->hands_out > 0 ? head_sleep : NULL;
  m->backoff.sleep_arg = m->head;
}

/* Progress until done() or the deadline. */
static int wait_until(mpipool__master_t *m,
                      int (*done)(const mpipool__master_t *, const void *),
                      const void *arg, double deadline) {
  mpipool__backoff_reset(&m->backoff);
  while (!done(m, arg)) {
    pace(m);
    int busy = 0;
    int err = mpipool__master_progress(m, &busy);
    if (err)
      return err;
    if (busy) {
      mpipool__backoff_reset(&m->backoff);
    } else {
      if (deadline >= 0 && mpipool__now() >= deadline)
        return MPIPOOL_ETIMEDOUT;
      mpipool__backoff_idle(&m->backoff);
    }
  }
  return MPIPOOL_OK;
}

static int some_job_finished(const mpipool__master_t *m, const void *arg) {
  return m->jobs_active == 0 || m->jobs_finished != *(const uint64_t *)arg;
}

int mpipool__master_wait_any(mpipool__master_t *m, double deadline) {
  uint64_t seen = m->jobs_finished;
  int busy = 0;
  /* At least once, even with nothing pending: workers may be starting. */
  int err = mpipool__master_progress(m, &busy);
  if (err)
    return err;
  return wait_until(m, some_job_finished, &seen, deadline);
}

static int job_is_done(const mpipool__master_t *m, const void *arg) {
  (void)m;
  return ((const mpipool__job_t *)arg)->done;
}

int mpipool__master_wait_job(mpipool__master_t *m, mpipool__job_t *job,
                             double deadline) {
  return wait_until(m, job_is_done, job, deadline);
}

static int all_idle(const mpipool__master_t *m, const void *arg) {
  (void)arg;
  return m->jobs_active == 0;
}

/* arg: the spawner's `finish` (mpipool__spawnq_end). */
static int spawner_ended(const mpipool__master_t *m, const void *arg) {
  return mpipool__spawnq_end(m->spawnq, *(const int *)arg);
}

static int all_gone(const mpipool__master_t *m, const void *arg) {
  (void)arg;
  return m->roster.live == 0;
}

/* Terminating, the spawn in progress is waited for only while something
 * else is out: once no frame is and every worker is gone, the program
 * goes on (and says how its run ended) while mpipool__master_free
 * finishes the spawn. */
static int spawner_ended_or_idle(const mpipool__master_t *m, const void *arg) {
  return spawner_ended(m, arg) || (m->frames_used == 0 && all_gone(m, NULL));
}

/* Waits (taking results meanwhile) until done(m, &finish); if the spawner
 * has ended by then, stops it and takes in the workers it brought.  The
 * first error. */
static int end_spawner(mpipool__master_t *m,
                       int (*done)(const mpipool__master_t *, const void *),
                       int finish) {
  int busy = 0, e = wait_until(m, done, &finish, -1);
  if (spawner_ended(m, &finish)) {
    mpipool__spawnq_stop(m->spawnq, finish); /* at once */
    if (e == 0)
      e = adopt_spawns(m, &busy);
  }
  return e;
}

/* --- the end ----------------------------------------------------------------
 */

/* Tells every worker that is ready or starting to stop, as the pool ends
 * (TERMINATE if terminate, else STOP).  Returns err, or the first error if
 * err is 0. */
static int stop_all(mpipool__master_t *m, int terminate, int err) {
  int tag = terminate ? MPIPOOL__TAG_TERMINATE : MPIPOOL__TAG_STOP;
  for (size_t i = 0; i < m->roster.nworkers && !m->broken; i++) {
    if (!mpipool__roster_is_live(&m->roster, i))
      continue;
    mpipool__worker_t *w = mpipool__roster_at(&m->roster, (uint32_t)i);
    if (w->state == MPIPOOL__W_READY || w->state == MPIPOOL__W_STARTING) {
      int e = stop_worker(m, w, tag, 1);
      if (e && err == 0)
        err = e;
    }
  }
  return err;
}

int mpipool__master_shutdown(mpipool__master_t *m, int terminate) {
  int err = MPIPOOL_OK;
  if (!terminate && !m->broken)
    err = wait_until(m, all_idle, NULL, -1);
  /* Terminate fails what no worker has; what workers have comes back:
   * what ran is delivered, what they had not started yet fails with
   * ETERMINATED (every frame gets its answer). */
  if (terminate) {
    m->terminating = 1;
    fail_queue(m, MPIPOOL_ETERMINATED);
    if (m->head)
      mpipool__head_cancel(m->head);
  }
  if (err)
    fail_all(m, MPIPOOL_ETERMINATED);
  /* Terminate tells the workers at once, not after the spawn in progress
   * (below; up to its 30 s bound): a worker starts no frame it holds once
   * it sees TERMINATE, and stops the task it runs.  Under mpirun, told
   * after the spawn, they started tasks that ended after mpirun had ended
   * the job (within a second of its SIGTERM): never logged, and run again
   * by --resume. */
  if (terminate)
    err = stop_all(m, 1, err);
  /* A worker lost from now on is not replaced: its successor would come
   * after every worker was told to stop, and the pool's end wait for it. */
  m->spawning = 0;
  m->ending = 1;
  /* Successors: join lets the ones asked for start (as Python replaces
   * every worker that leaves), terminate drops those not started yet;
   * all are then told to stop like every other worker.  A spawn in
   * progress is waited for: MPI_Comm_spawn cannot be cancelled, and one
   * left to return after MPI_Finalize crashes the process (Open MPI 4.1,
   * measured); a stuck one returns at its bound (30 s). */
  if (m->spawnq) {
    /* Meanwhile the results that come are taken (and the program logs
     * them): a launcher that ends the job first (mpirun, a second or so
     * after it forwards a SIGTERM) must not take with it tasks that had
     * ended, which --resume would run again. */
    int e = end_spawner(m, terminate ? spawner_ended_or_idle : spawner_ended,
                        !terminate);
    if (e && err == 0)
      err = e;
  }
  err = stop_all(m, terminate, err); /* and those spawned meanwhile */
  if (!m->broken) {
    int e = wait_until(m, all_gone, NULL, -1);
    if (e && err == 0)
      err = e;
    /* Every worker is gone: a send still pending is to one that died
     * without being seen to (its messages may never complete). */
    e = m->link->drain(m->link, mpipool__now() + MPIPOOL__DRAIN_S);
    if (e == MPIPOOL_ETIMEDOUT) {
      size_t n = m->link->forget(m->link, MPI_COMM_NULL, 0);
      fprintf(stderr,
              "mpipool: warning: %zu message(s) to workers that are gone "
              "did not complete in %.0f s; given up\n",
              n, MPIPOOL__DRAIN_S);
      e = MPIPOOL_OK;
    }
    if (e && err == 0)
      err = e;
  }
  head_finish(m);
  return err;
}

/* How long mpipool__master_free waits for the workers of a spawn that
 * ended after the pool (told TERMINATE, they end at once). */
#define LATE_SPAWN_S 5.0

/* The spawn terminate left in progress: waited for (its own bound: 30 s)
 * if it still runs, its workers taken in and told to stop, also when it
 * ended after the pool's shutdown: a worker left waiting for its
 * configuration waits until the master is gone, then ends with an error
 * (under mpirun, the job's: seen 1 run in 200 of test_recycle_m1). */
static void finish_late_spawn(mpipool__master_t *m) {
  if (m->broken || !m->ending || m->spawnq == NULL)
    return;
  if (end_spawner(m, spawner_ended, 0) == 0 && stop_all(m, 1, 0) == 0)
    wait_until(m, all_gone, NULL, mpipool__now() + LATE_SPAWN_S);
}

void mpipool__master_free(mpipool__master_t *m) {
  if (m == NULL)
    return;
  finish_late_spawn(m);
  mpipool__spawnq_free(m->spawnq);
  m->spawnq = NULL;
  if (m->head) {
    mpipool__head_cancel(m->head);
    head_finish(m);
    mpipool__head_free(m->head);
  }
  mpipool__free(m->head_refs);
  fail_all(m, MPIPOOL_ETERMINATED);
  for (size_t e = 0; e < m->roster.nendpoints; e++) {
    mpipool__endpoint_t *ep = &m->roster.endpoints[e];
    if (ep->spawned && ep->comm != MPI_COMM_NULL)
      MPI_Comm_free(&ep->comm);
  }
  mpipool__roster_free(&m->roster);
  m->link->free(m->link);
  mpipool__buf_free(&m->scratch);
  mpipool__intern_free(&m->strings);
  mpipool__plan_free(&m->plan);
  for (size_t f = 0; f < m->nframes; f++)
    mpipool__free(m->frames[f].refs);
  mpipool__free(m->frames);
  mpipool__free(m->parked);
  mpipool__free(m->places);
  mpipool__free(m->where);
  mpipool__free(m->vacant);
  mpipool__free(m->leaver);
  mpipool__free(m->init_error);
  mpipool__free(m);
}

/* --- what the pool is made of ------------------------------------------ */

int mpipool__master_worker_info(const mpipool__master_t *m, int place,
                                mpipool_worker_info_t *info) {
  if (m->starting && place >= 0 && place < m->plan.workers)
    return MPIPOOL_ENOTREADY; /* its worker is being spawned */
  if (place < 0 || (size_t)place >= m->slots)
    return MPIPOOL_EINVAL;
  uint32_t i = m->places[place];
  if (i == MPIPOOL__NONE)
    return MPIPOOL_ENOTREADY;
  const mpipool__worker_t *w = mpipool__roster_at(&m->roster, i);
  if (w->state == MPIPOOL__W_STARTING || held(m, w))
    return MPIPOOL_ENOTREADY; /* held: the head still runs in its place */
  memset(info, 0, sizeof *info);
  info->id = w->id;
  info->pid = (long)w->pid;
  info->node = w->node;
  info->bound = w->bound;
  info->host = w->host;
  info->binding = w->binding;
  info->node_place = (int)m->where[place].local;
  info->gpus = m->where[place].gpus;
  return MPIPOOL_OK;
}

size_t mpipool__master_records(const mpipool__master_t *m) {
  return m->roster.nworkers;
}

static size_t frame_refs_bytes(const mpipool__master_t *m) {
  size_t n = 0;
  for (size_t f = 0; f < m->nframes; f++)
    n += m->frames[f].cap * sizeof *m->frames[f].refs;
  return n;
}

size_t mpipool__master_bytes(const mpipool__master_t *m) {
  const mpipool__roster_t *r = &m->roster;
  size_t n = sizeof *m + r->cap * sizeof *r->workers +
             r->endpoints_cap * sizeof *r->endpoints +
             m->frames_cap * sizeof *m->frames + frame_refs_bytes(m) +
             (m->plan.nnodes + 1) * sizeof *m->parked +
             3 * m->slots * sizeof *m->places + m->scratch.cap +
             m->strings.cap * sizeof *m->strings.slots;
  for (size_t e = 0; e < r->nendpoints; e++)
    if (r->endpoints[e].comm != MPI_COMM_NULL)
      n += r->endpoints[e].nranks * sizeof *r->endpoints[e].worker;
  for (size_t i = 0; i < m->strings.cap; i++)
    if (m->strings.slots[i])
      n += strlen(m->strings.slots[i]) + 1;
  n += m->link ? m->link->bytes(m->link) : 0;
  return n;
}

/* --- self-check ----------------------------------------------------------- */

#define EXPECT(cond, ...)                                                      \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "mpipool: check failed: " __VA_ARGS__);                  \
      fputc('\n', stderr);                                                     \
      return MPIPOOL_EPROTO;                                                   \
    }                                                                          \
  } while (0)

/* Walks list l: every member is live, says it is in `list`, and links
 * back to its predecessor. */
static int check_list(const mpipool__master_t *m, const wlist_t *l, int list) {
  size_t n = 0;
  uint32_t prev = MPIPOOL__NONE;
  for (uint32_t i = l->head; i != MPIPOOL__NONE;
       i = m->roster.workers[i].next) {
    EXPECT(mpipool__roster_is_live(&m->roster, i) && n < m->roster.live,
           "list %d holds a record that is not live", list);
    const mpipool__worker_t *w = &m->roster.workers[i];
    EXPECT(w->list == list && w->prev == prev,
           "PoolWorker-%ld is linked into list %d wrongly", w->id, list);
    prev = i;
    n++;
  }
  EXPECT(l->tail == prev && l->n == n, "list %d: tail or count wrong", list);
  return MPIPOOL_OK;
}

int mpipool__master_check(const mpipool__master_t *m) {
  size_t ready = 0, starting = 0, frames = 0, live = 0, placed = 0;
  size_t leavers = 0;
  for (size_t i = 0; i < m->roster.nworkers; i++) {
    if (!mpipool__roster_is_live(&m->roster, i))
      continue;
    const mpipool__worker_t *w = &m->roster.workers[i];
    live++;
    ready += w->state == MPIPOOL__W_READY;
    starting += w->state == MPIPOOL__W_STARTING;
    EXPECT(w->list == wanted_list(m, w),
           "PoolWorker-%ld is in list %d, belongs in %d", w->id, w->list,
           wanted_list(m, w));
    unsigned n = 0;
    for (uint32_t f = w->frame_head; f != MPIPOOL__NONE; f = m->frames[f].next)
      EXPECT(++n <= w->inflight && f < m->nframes,
             "PoolWorker-%ld: more frames than in flight", w->id);
    EXPECT(n == w->inflight, "PoolWorker-%ld: %u frames, %u in flight", w->id,
           n, w->inflight);
    frames += n;
    if (w->place != MPIPOOL__NONE) {
      EXPECT(w->place < m->slots && m->places[w->place] == w->index,
             "PoolWorker-%ld: place %u not its own", w->id, w->place);
      placed++;
    }
    EXPECT(!w->parked || w->place == MPIPOOL__NONE,
           "PoolWorker-%ld: a spare with a place", w->id);
    if (w->left != MPIPOOL__NONE) {
      EXPECT(w->left < m->slots && m->leaver[w->left] == w->index &&
                 w->place == MPIPOOL__NONE && w->retiring && !w->inflight &&
                 w->state == MPIPOOL__W_READY,
             "PoolWorker-%ld: not the leaver of place %u", w->id, w->left);
      leavers++;
    }
    EXPECT(w->watch == watch_list(m, w),
           "PoolWorker-%ld in liveness list %d, not %d", w->id, w->watch,
           watch_list(m, w));
  }
  for (int l = MPIPOOL__WATCH_HERE; l < MPIPOOL__WATCH_LISTS; l++) {
    size_t n = 0;
    double last = -1;
    for (const mpipool__worker_t *w =
             mpipool__roster_watch_first(&m->roster, l);
         w && n <= m->roster.live;
         w = mpipool__roster_watch_next(&m->roster, w)) {
      n++;
      EXPECT(w->watch == l, "PoolWorker-%ld in liveness list %d says %d", w->id,
             l, w->watch);
      EXPECT(l != MPIPOOL__WATCH_HEARD || w->last_heard >= last,
             "the HEARD list is out of order at PoolWorker-%ld", w->id);
      last = w->last_heard;
    }
    EXPECT(n == m->roster.watch[l].n,
           "liveness list %d: %zu workers, %zu counted", l, n,
           m->roster.watch[l].n);
  }
  EXPECT(live == m->roster.live, "%zu live workers, roster says %zu", live,
         m->roster.live);
  EXPECT(ready == m->nready, "%zu ready workers, counted %zu", ready,
         m->nready);
  EXPECT(starting == m->nstarting, "%zu starting workers, counted %zu",
         starting, m->nstarting);
  EXPECT(frames == m->frames_used, "%zu frames in flight, counted %zu", frames,
         m->frames_used);
  size_t nfree = 0;
  for (uint32_t f = m->free_frame; f != MPIPOOL__NONE; f = m->frames[f].next)
    EXPECT(++nfree <= m->nframes, "the free frames loop");
  EXPECT(nfree + m->frames_used == m->nframes,
         "%zu free + %zu used frames of %zu", nfree, m->frames_used,
         m->nframes);
  size_t filled = 0;
  for (size_t p = 0; p < m->slots; p++)
    if (m->places[p] != MPIPOOL__NONE) {
      EXPECT(mpipool__roster_is_live(&m->roster, m->places[p]) &&
                 m->roster.workers[m->places[p]].place == p,
             "place %zu holds a worker that is not there", p);
      filled++;
    }
  EXPECT(filled == placed, "%zu places filled, %zu workers placed", filled,
         placed);
  for (size_t p = 0; p < m->slots; p++)
    if (m->leaver[p] != MPIPOOL__NONE) {
      EXPECT(mpipool__roster_is_live(&m->roster, m->leaver[p]) &&
                 m->roster.workers[m->leaver[p]].left == p,
             "place %zu's leaver is not there", p);
      EXPECT(m->places[p] == MPIPOOL__NONE ||
                 m->roster.workers[m->places[p]].state != MPIPOOL__W_READY,
             "place %zu has a ready worker and a leaver", p);
      leavers--;
    }
  EXPECT(leavers == 0, "leavers and places disagree");
  for (size_t k = 0; k < m->nvacant; k++)
    EXPECT(m->vacant[k] < m->slots && m->places[m->vacant[k]] == MPIPOOL__NONE,
           "vacant place %u is filled", m->vacant[k]);
  for (int k = 0; k < DEPTH; k++)
    if (check_list(m, &m->levels[k], LIST_LEVEL + k))
      return MPIPOOL_EPROTO;
  for (size_t i = 0; i <= m->plan.nnodes && m->parked; i++)
    if (check_list(m, &m->parked[i], LIST_PARKED + (int)i))
      return MPIPOOL_EPROTO;
  size_t queued = 0;
  for (const mpipool__job_t *j = m->queue.head; j; j = j->qnext)
    queued += mpipool__job_waiting(j);
  for (const mpipool__requeued_t *r = m->queue.again; r; r = r->next)
    queued++;
  EXPECT(queued == m->queue.chunks, "%zu chunks queued, counted %zu", queued,
         m->queue.chunks);
  return MPIPOOL_OK;
}
