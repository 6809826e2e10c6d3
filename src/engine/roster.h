/*
 * roster.h - the master's table of live workers and of the communicators
 * that reach them.  A worker is found by (endpoint, rank) when a message
 * arrives; a worker that leaves is forgotten, and its record is reused by
 * the next worker to arrive, so the table never holds more records than
 * the most workers that were alive at once.  An endpoint (a communicator)
 * is forgotten with its last worker.  Pure bookkeeping: no MPI call.
 */
#ifndef MPIPOOL_ROSTER_H
#define MPIPOOL_ROSTER_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

/* The index of no record: an empty list, a rank with no worker. */
#define MPIPOOL__NONE UINT32_MAX

/* A worker's life as the master sees it. */
enum {
  MPIPOOL__W_STARTING, /* CONFIG sent; waiting for HELLO */
  MPIPOOL__W_READY,    /* serving */
  MPIPOOL__W_STOPPING  /* STOP or TERMINATE sent; waiting for BYE */
};

/* The lists of the liveness check: the workers of the master's node
 * (watched through their processes), and the others that beat, in the
 * order they were last heard from (the first is the longest silent). */
enum {
  MPIPOOL__WATCH_NONE, /* in no list */
  MPIPOOL__WATCH_HERE,
  MPIPOOL__WATCH_HEARD,
  MPIPOOL__WATCH_LISTS
};

/* The master's record of one live worker.  The roster owns index,
 * endpoint, rank and the liveness list's fields (watch, wprev, wnext);
 * every other field belongs to the master's engine. */
typedef struct {
  uint32_t index;    /* its place in the roster */
  uint32_t endpoint; /* the endpoint it is reached through */
  int rank;          /* its rank in the endpoint's communicator */
  long id;           /* N of PoolWorker-N */
  int state;
  int failed_init;
  int retiring;        /* has been handed its last chunk */
  int parked;          /* a spare successor, not given work yet */
  int succ_requested;  /* its successor has been asked for */
  long assigned;       /* chunks handed to it */
  int node;            /* index into the plan's nodes, or
                          MPIPOOL__NODE_UNKNOWN */
  int share;           /* its share of its node for binding, or
                          MPIPOOL__SHARE_NONE */
  uint32_t place;      /* the pool slot it serves, or MPIPOOL__NONE */
  uint32_t left;       /* retired, the slot it waits at for its successor
                          (see master.c), or MPIPOOL__NONE */
  uint32_t pid;        /* from HELLO */
  int bound;           /* from HELLO */
  int beats;           /* from HELLO: it sends BEAT */
  double last_heard;   /* when a message of it last came */
  const char *host;    /* where it runs (interned by the master) */
  const char *binding; /* from HELLO: where it is bound, or why not */
  /* The dispatcher's: frames in flight (a FIFO of frame indices), and
   * the list the worker waits in (see master.c). */
  uint32_t frame_head, frame_tail;
  unsigned inflight;
  uint64_t next_seq;
  int list;
  uint32_t prev, next;
  int watch; /* the liveness list it is in (MPIPOOL__WATCH_*) */
  uint32_t wprev, wnext;
} mpipool__worker_t;

/* A communicator the master receives on, and whose ranks are workers. */
typedef struct {
  MPI_Comm comm;    /* MPI_COMM_NULL: this endpoint record is free */
  int first_rank;   /* rank of the first worker in comm */
  uint32_t nranks;  /* ranks first_rank .. first_rank + nranks - 1 */
  uint32_t live;    /* its workers still in the roster */
  int spawned;      /* an intercommunicator to spawned processes */
  uint32_t *worker; /* per rank: the worker's index, or NONE */
  uint32_t *pids;   /* its spawn's processes on this node, nranks of them
                       (not in rank order), while watched
                       (roster_set_pids); else NULL */
} mpipool__endpoint_t;

/* A liveness list: head and tail mean something only when n > 0. */
typedef struct {
  uint32_t head, tail;
  size_t n;
} mpipool__watchlist_t;

typedef struct {
  mpipool__worker_t *workers; /* records, live or free */
  size_t nworkers;            /* records in use or freed (the high mark) */
  size_t cap;
  uint32_t free_head; /* freed records, chained through next */
  size_t live;        /* records in use */
  mpipool__endpoint_t *endpoints;
  size_t nendpoints, endpoints_cap;
  mpipool__watchlist_t watch[MPIPOOL__WATCH_LISTS]; /* [0] unused */
  size_t pid_watches; /* endpoints whose pids are set */
} mpipool__roster_t;

/*
 * Adds an endpoint for ranks first_rank .. first_rank + nranks - 1 of comm
 * (not freed by the roster), reusing a forgotten one's record.  Sets *ep
 * to its index.  0 or ENOMEM.
 */
int mpipool__roster_add_endpoint(mpipool__roster_t *r, MPI_Comm comm,
                                 int first_rank, uint32_t nranks, int spawned,
                                 uint32_t *ep);

/*
 * Endpoint ep's spawn's processes on this node (nranks ids, copied): its
 * workers are known to be dead when none of them lives, before any of
 * them said where it runs.  0 or ENOMEM.  drop_pids forgets them.
 */
int mpipool__roster_set_pids(mpipool__roster_t *r, uint32_t ep,
                             const uint32_t *pids);
void mpipool__roster_drop_pids(mpipool__roster_t *r, uint32_t ep);

/*
 * Adds a worker for `rank` of endpoint ep, every field but the roster's
 * zeroed (lists and frames empty).  The pointer is valid until the next
 * roster_add; the index for good.  NULL if out of memory.
 */
mpipool__worker_t *mpipool__roster_add(mpipool__roster_t *r, uint32_t ep,
                                       int rank);

/* The worker at `rank` of endpoint ep, or NULL (no such rank, or it has
 * left). */
mpipool__worker_t *mpipool__roster_find(const mpipool__roster_t *r, uint32_t ep,
                                        int rank);

/* The worker with index i (must be live). */
static inline mpipool__worker_t *mpipool__roster_at(const mpipool__roster_t *r,
                                                    uint32_t i) {
  return &r->workers[i];
}

/* 1 if record i holds a live worker. */
int mpipool__roster_is_live(const mpipool__roster_t *r, size_t i);

/*
 * Puts worker w last in liveness list `list` (taking it out of the one
 * it was in), or in none (MPIPOOL__WATCH_NONE).  O(1): the liveness
 * check visits the workers of the master's node and the silent ones
 * only, not every worker.
 */
void mpipool__roster_watch(mpipool__roster_t *r, mpipool__worker_t *w,
                           int list);

/* Worker w was heard from: last in the HEARD list, if it is in it.  Once
 * per message, so inline, and nothing to do for the last one. */
static inline void mpipool__roster_heard(mpipool__roster_t *r,
                                         mpipool__worker_t *w) {
  if (w->watch == MPIPOOL__WATCH_HEARD && w->wnext != MPIPOOL__NONE)
    mpipool__roster_watch(r, w, MPIPOOL__WATCH_HEARD);
}

/* The first worker of liveness list `list`, or NULL. */
mpipool__worker_t *mpipool__roster_watch_first(const mpipool__roster_t *r,
                                               int list);

/* The worker after w in its liveness list, or NULL. */
mpipool__worker_t *mpipool__roster_watch_next(const mpipool__roster_t *r,
                                              const mpipool__worker_t *w);

/*
 * Forgets worker w (out of its liveness list too): its record goes back
 * to the free list.  When it was
 * the last worker of its endpoint, the endpoint is forgotten too, and its
 * communicator is returned through *comm for the caller to free (else
 * *comm is MPI_COMM_NULL).
 */
void mpipool__roster_remove(mpipool__roster_t *r, mpipool__worker_t *w,
                            MPI_Comm *comm);

void mpipool__roster_free(mpipool__roster_t *r);

#endif
