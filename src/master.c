/*
 * master.c - the master's engine: it hands queued chunks to workers in
 * frames, keeping up to MPIPOOL__DEPTH frames in flight per worker so that
 * a worker always has its next frame before it finishes the current one,
 * and pairs each RESULTS frame with the oldest frame in flight to that
 * worker (MPI keeps messages between two processes in order).  All
 * communication is non-blocking; the engine advances only when called.
 */
#include "config.h"
#include "pool_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Frames per poll of one communicator, so that dispatch is not starved. */
#define RECV_BURST 64
/* Chunks shorter than this are coalesced into frames when work abounds. */
#define COALESCE_BELOW_NS 50000.0
#define LONG_CHUNK_NS 1e8

static mpipool__worker_t *worker_of(mpipool_t *pool,
                                    const mpipool__endpoint_t *ep,
                                    int source) {
  long k = (long)source - ep->first_rank;
  if (k < 0 || (size_t)k >= ep->nworkers)
    return NULL;
  return &pool->workers[ep->base + (size_t)k];
}

/* The engine lets go of a finished job. */
static void job_done(mpipool_t *pool, mpipool__job_t *job) {
  pool->jobs_active--;
  pool->jobs_finished++;
  mpipool__job_unref(job);
}

static void fail_chunk(mpipool_t *pool, mpipool__job_t *job, size_t c,
                       int status) {
  if (mpipool__job_chunk_fail(job, c, status))
    job_done(pool, job);
}

/* Fails every queued chunk with `status`. */
static void fail_queue(mpipool_t *pool, int status) {
  mpipool__job_t *job;
  size_t c;
  while (mpipool__queue_next(&pool->queue, &job, &c))
    fail_chunk(pool, job, c, status);
}

/* Fails every chunk in flight to w; its replies will be discarded. */
static void fail_inflight(mpipool_t *pool, mpipool__worker_t *w, int status) {
  while (w->inflight) {
    mpipool__frame_t *f = &w->ring[w->head];
    for (unsigned k = 0; k < f->nrefs; k++)
      fail_chunk(pool, f->refs[k].job, f->refs[k].chunk, status);
    w->head = (w->head + 1) % MPIPOOL__DEPTH;
    w->inflight--;
  }
}

/* Fails every chunk queued or in flight with `status`. */
static void fail_all(mpipool_t *pool, int status) {
  fail_queue(pool, status);
  for (size_t i = 0; i < pool->nworkers; i++)
    fail_inflight(pool, &pool->workers[i], status);
}

/* A communication error: nothing can be trusted to arrive any more. */
static int break_pool(mpipool_t *pool, int err) {
  if (!pool->broken) {
    pool->broken = err;
    fail_all(pool, err);
  }
  return err;
}

static int send_ctrl(mpipool_t *pool, mpipool__worker_t *w, int tag) {
  return mpipool__send(&pool->sends, w->comm, w->rank, tag, NULL, 0);
}

/* Sends CONFIG to workers [first, first + n). */
static int configure(mpipool_t *pool, size_t first, size_t n) {
  char *names;
  size_t names_len;
  int err = mpipool__registry_names(&pool->reg, &names, &names_len);
  if (err)
    return err;
  mpipool__config_t cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.maxtasks = pool->recycling ? (uint64_t)pool->maxtasks : 0;
  cfg.nnames = (uint32_t)pool->reg.count;
  cfg.names = names;
  cfg.initargs = pool->initargs;
  cfg.initargs_len = pool->initargs_len;
  cfg.hwthreads = pool->hwthreads;
  for (size_t i = first; i < first + n && err == 0; i++) {
    mpipool__worker_t *w = &pool->workers[i];
    mpipool__buf_t b = {0};
    cfg.worker_id = (uint64_t)w->id;
    cfg.bind_index = -1;
    cfg.bind_count = 0;
    cfg.node_set[0] = '\0';
    if (w->node >= 0 && (size_t)w->node < pool->plan.nnodes) {
      const mpipool__plan_node_t *nd = &pool->plan.nodes[w->node];
      cfg.bind_index = nd->bind ? w->share : -1;
      cfg.bind_count = nd->shares;
      snprintf(cfg.node_set, sizeof cfg.node_set, "%s", nd->info.cpuset);
      snprintf(cfg.avoid, sizeof cfg.avoid, "%s", nd->avoid);
    }
    err = mpipool__wire_config_encode(&b, &cfg);
    if (err == 0)
      err = mpipool__send(&pool->sends, w->comm, w->rank, MPIPOOL__TAG_CONFIG,
                          b.data, b.len);
    else
      mpipool__buf_free(&b);
  }
  free(names);
  return err;
}

/* Grows an array of `size`-byte elements to hold `need`. */
static int grow(void **arr, size_t *cap, size_t need, size_t size) {
  if (need <= *cap)
    return MPIPOOL_OK;
  size_t n = *cap ? *cap : 8;
  while (n < need)
    n *= 2;
  void *p = realloc(*arr, n * size);
  if (p == NULL)
    return MPIPOOL_ENOMEM;
  *arr = p;
  *cap = n;
  return MPIPOOL_OK;
}

int mpipool__master_add_workers(mpipool_t *pool, MPI_Comm comm,
                                int first_rank, size_t n, int node,
                                int share) {
  int spawned = comm != pool->comm;
  if (grow((void **)&pool->workers, &pool->workers_cap, pool->nworkers + n,
           sizeof *pool->workers) != 0 ||
      grow((void **)&pool->endpoints, &pool->endpoints_cap,
           pool->nendpoints + 1, sizeof *pool->endpoints) != 0)
    return MPIPOOL_ENOMEM;
  if (pool->next_id == 0)
    pool->next_id = 1;
  mpipool__endpoint_t *ep = &pool->endpoints[pool->nendpoints++];
  ep->comm = comm;
  ep->first_rank = first_rank;
  ep->base = pool->nworkers;
  ep->nworkers = n;
  ep->spawned = spawned;
  for (size_t i = 0; i < n; i++) {
    mpipool__worker_t *w = &pool->workers[ep->base + i];
    memset(w, 0, sizeof *w);
    w->id = pool->next_id++;
    w->comm = comm;
    w->rank = first_rank + (int)i;
    w->state = MPIPOOL__W_STARTING;
    snprintf(w->host, sizeof w->host, "%s", pool->host);
    w->node = node >= 0 || spawned ? node
              : w->rank < pool->plan.nranks ? pool->plan.node_of[w->rank]
                                            : -1;
    int bound_rank = !spawned && w->rank < pool->plan.nranks &&
                     pool->plan.launcher_bound[w->rank];
    w->share = share >= -1 ? share
               : w->node >= 0 && !bound_rank
                   ? mpipool__plan_next_share(&pool->plan, (size_t)w->node)
                   : -1;
    /* A successor fills a slot already free, or waits as a spare. */
    if (pool->slots > 0) {
      if (pool->deficit > 0)
        pool->deficit--;
      else
        w->parked = 1;
    }
  }
  pool->nworkers += n;
  pool->nstarting += n;
  return configure(pool, ep->base, n);
}

int mpipool__master_add_spawned(mpipool_t *pool, MPI_Comm inter, int node,
                                int share) {
  int remote = 0;
  MPI_Comm_remote_size(inter, &remote);
  return mpipool__master_add_workers(pool, inter, 0, (size_t)remote, node,
                                     share);
}

int mpipool__master_begin(mpipool_t *pool) {
  /* The pool is zeroed, so the name stays terminated if truncated. */
  mpipool_node_name(pool->host, sizeof pool->host);
  if (!pool->recycling)
    return MPIPOOL_OK;
  int provided = MPI_THREAD_SINGLE;
  MPI_Query_thread(&provided);
  /* With threads, successors are spawned in the background; without, the
   * master stalls for each spawn (about 0.25 s), which still works. */
  return mpipool__spawner_new(&pool->spawner,
                              provided == MPI_THREAD_MULTIPLE);
}

/* How many chunks the next frame may carry: one, unless chunks are known to
 * be short and there are more of them than the workers' queues hold, in
 * which case a fair share of the backlog travels together. */
static unsigned coalesce_limit(const mpipool_t *pool) {
  if (pool->chunk_ns <= 0 || pool->chunk_ns > COALESCE_BELOW_NS ||
      pool->nready == 0)
    return 1;
  size_t share = pool->queue.chunks / (pool->nready * MPIPOOL__DEPTH);
  if (share < 1)
    return 1;
  return share > MPIPOOL__MAX_COALESCE ? MPIPOOL__MAX_COALESCE
                                       : (unsigned)share;
}

/* A slot is being freed by a retiring worker on `host`: a spare there
 * takes it, or the next successor to arrive will. */
static void fill_slot(mpipool_t *pool, const char *host) {
  mpipool__worker_t *best = NULL;
  for (size_t i = 0; i < pool->nworkers; i++) {
    mpipool__worker_t *w = &pool->workers[i];
    if (!w->parked || strcmp(w->host, host) != 0 ||
        (w->state != MPIPOOL__W_READY && w->state != MPIPOOL__W_STARTING))
      continue;
    if (best == NULL || (w->state == MPIPOOL__W_READY &&
                         best->state != MPIPOOL__W_READY))
      best = w;
  }
  if (best)
    best->parked = 0;
  else
    pool->deficit++;
}

/* Sends w one frame of queued chunks. */
static int send_frame(mpipool_t *pool, mpipool__worker_t *w) {
  unsigned limit = coalesce_limit(pool);
  /* A worker that recycles never gets more chunks than it has left. */
  if (pool->recycling && pool->maxtasks - w->assigned < (long)limit)
    limit = (unsigned)(pool->maxtasks - w->assigned);
  mpipool__frame_t *f =
      &w->ring[(w->head + w->inflight) % MPIPOOL__DEPTH];
  mpipool__job_t *job;
  size_t c;
  f->seq = w->next_seq;
  f->nrefs = 0;
  int err = mpipool__wire_tasks_begin(&pool->scratch, f->seq);
  if (err)
    return err;
  while (f->nrefs < limit && pool->scratch.len < MPIPOOL__COALESCE_BYTES &&
         mpipool__queue_next(&pool->queue, &job, &c)) {
    err = mpipool__wire_tasks_add(&pool->scratch, job->fn, &job->src,
                                  mpipool__job_chunk_first(job, c),
                                  mpipool__job_chunk_count(job, c));
    if (err == MPIPOOL_E2BIG) {
      fail_chunk(pool, job, c, err); /* this chunk alone cannot travel */
      continue;
    }
    if (err) {
      fail_chunk(pool, job, c, err);
      return err;
    }
    f->refs[f->nrefs].job = job;
    f->refs[f->nrefs].chunk = c;
    f->nrefs++;
  }
  if (f->nrefs == 0)
    return MPIPOOL_OK;
  size_t len = pool->scratch.len;
  void *data = mpipool__buf_steal(&pool->scratch);
  w->next_seq++;
  w->inflight++;
  w->assigned += f->nrefs;
  err = mpipool__send(&pool->sends, w->comm, w->rank, MPIPOOL__TAG_TASKS,
                      data, len);
  if (err == 0 && pool->recycling && !w->succ_requested &&
      w->assigned >= 1) {
    /* Its first task is out: start its successor now, on its node, so
     * that it waits ready (a spare) when this worker leaves.  Measured
     * (bench/recycle.sh, 1 ms tasks, 2 workers): asking this early gave 90%
     * of unlimited throughput at maxtasksperchild 500, asking at a quarter
     * of the quota 78%: a spawn takes about 0.25 s here. */
    w->succ_requested = 1;
    err = mpipool__spawner_request(
        pool->spawner, mpipool__spawn_host(pool, w->host), 1, w->share);
  }
  if (err == 0 && pool->recycling && w->assigned >= pool->maxtasks) {
    w->retiring = 1; /* its last chunk is on the way */
    fill_slot(pool, w->host);
  }
  return err;
}

/* How many frames each worker may have in flight.  A chunk of 0.1 s or
 * more gets none waiting behind it: the round trip to the master (tens of
 * microseconds) is lost in it, and a chunk queued behind a long one would
 * wait while another worker idles (or, when the pool drains, still run).
 * Shorter chunks get one waiting, which hides the round trip; very short
 * ones more.  Until a chunk's time is known, assume it is long. */
static unsigned depth_limit(const mpipool_t *pool) {
  if (pool->chunk_ns <= 0 || pool->chunk_ns > LONG_CHUNK_NS)
    return 1;
  if (pool->chunk_ns > COALESCE_BELOW_NS)
    return 2;
  return MPIPOOL__DEPTH;
}

int mpipool__master_queues_ahead(const mpipool_t *pool) {
  return depth_limit(pool) > 1;
}

/* Fills the ready workers' queues level by level (every worker with no
 * frame first, then every worker with one...), so work spreads evenly. */
static int dispatch(mpipool_t *pool, int *busy) {
  unsigned depth = depth_limit(pool);
  for (unsigned level = 0; level < depth && pool->queue.chunks; level++) {
    for (size_t i = 0; i < pool->nworkers && pool->queue.chunks; i++) {
      mpipool__worker_t *w =
          &pool->workers[(pool->rr + i) % pool->nworkers];
      if (w->state != MPIPOOL__W_READY || w->retiring || w->parked ||
          w->inflight > level)
        continue;
      int err = send_frame(pool, w);
      if (err)
        return err;
      *busy = 1;
    }
  }
  pool->rr++;
  return MPIPOOL_OK;
}

static void no_workers_left(mpipool_t *pool) {
  if (pool->nready == 0 && pool->nstarting == 0 &&
      mpipool__spawner_pending(pool->spawner) == 0)
    fail_queue(pool, MPIPOOL_ENOWORKERS);
}

/* Spawning failed: keep the workers we have from retiring. */
static int stop_recycling(mpipool_t *pool, const char *why) {
  int err = MPIPOOL_OK;
  if (pool->recycling) {
    fprintf(stderr,
            "mpipool: warning: cannot start a fresh worker (%s); "
            "maxtasksperchild is now off and the pool goes on with the "
            "workers it has\n",
            why);
    pool->recycling = 0;
    pool->deficit = 0;
    for (size_t i = 0; i < pool->nworkers && err == 0; i++) {
      mpipool__worker_t *w = &pool->workers[i];
      w->parked = 0; /* spares already there now serve */
      if ((w->state == MPIPOOL__W_READY ||
           w->state == MPIPOOL__W_STARTING) && !w->retiring)
        err = send_ctrl(pool, w, MPIPOOL__TAG_NOMAX);
    }
  }
  no_workers_left(pool);
  return err;
}

/* Takes in the successors the spawner has started. */
static int adopt_spawns(mpipool_t *pool, int *busy) {
  mpipool__spawned_t s;
  int err = MPIPOOL_OK;
  while (err == 0 && mpipool__spawner_poll(pool->spawner, &s)) {
    *busy = 1;
    if (s.err) {
      err = stop_recycling(pool, s.why);
      continue;
    }
    int node = mpipool__plan_find(&pool->plan,
                                  s.host[0] ? s.host : pool->host);
    err = mpipool__master_add_spawned(pool, s.inter, node, s.tag);
  }
  return err;
}

static int on_hello(mpipool_t *pool, mpipool__worker_t *w,
                    const mpipool__msg_t *m) {
  mpipool__hello_t h;
  if (mpipool__wire_hello_decode(&h, m->data, m->len) != 0)
    return MPIPOOL_EPROTO;
  if (w->state != MPIPOOL__W_STARTING)
    return MPIPOOL_OK; /* stopped before it was ready */
  snprintf(w->host, sizeof w->host, "%s", h.host);
  snprintf(w->binding, sizeof w->binding, "%s", h.binding);
  w->bound = h.bound;
  w->pid = h.pid;
  pool->nstarting--;
  if (h.status == 0) {
    w->state = MPIPOOL__W_READY;
    pool->nready++;
    return MPIPOOL_OK;
  }
  w->failed_init = 1;
  pool->nfailed_init++;
  if (pool->init_error == NULL) {
    size_t n = strlen(h.message) + 64;
    pool->init_error = malloc(n);
    if (pool->init_error)
      snprintf(pool->init_error, n, "PoolWorker-%ld: %s", w->id, h.message);
  }
  w->state = MPIPOOL__W_STOPPING;
  no_workers_left(pool);
  return send_ctrl(pool, w, MPIPOOL__TAG_STOP);
}

static int on_results(mpipool_t *pool, mpipool__worker_t *w,
                      mpipool__msg_t *m) {
  if (w->inflight == 0) {
    /* Work we failed already (terminate): the results are not wanted. */
    free(m->data);
    return w->state == MPIPOOL__W_STOPPING ? MPIPOOL_OK : MPIPOOL_EPROTO;
  }
  mpipool__frame_t *f = &w->ring[w->head];
  w->head = (w->head + 1) % MPIPOOL__DEPTH;
  w->inflight--;
  mpipool__reader_t r;
  mpipool__rchunk_view_t v;
  int err = mpipool__wire_results_open(&r, m->data, m->len);
  if (err == 0 && (r.seq != f->seq || r.nchunks != f->nrefs))
    err = MPIPOOL_EPROTO;
  mpipool__rbuf_t *buf = mpipool__rbuf_new(m->data);
  if (buf == NULL && err == 0)
    err = MPIPOOL_ENOMEM;
  if (err == 0 && f->nrefs) {
    double ns = (double)r.busy_ns / f->nrefs;
    pool->chunk_ns = pool->chunk_ns > 0 ? 0.8 * pool->chunk_ns + 0.2 * ns : ns;
  }
  for (unsigned k = 0; k < f->nrefs; k++) {
    mpipool__job_t *job = f->refs[k].job;
    size_t c = f->refs[k].chunk;
    if (err == 0 && mpipool__wire_results_next(&r, &v) != 1)
      err = MPIPOOL_EPROTO;
    if (err == 0 && v.count != mpipool__job_chunk_count(job, c))
      err = MPIPOOL_EPROTO;
    if (err) {
      fail_chunk(pool, job, c, err);
      continue;
    }
    if (mpipool__job_chunk_done(job, c, buf, &v))
      job_done(pool, job);
  }
  mpipool__rbuf_unref(buf);
  return MPIPOOL_OK;
}

/* A worker said BYE.  When it was the last one reached through a spawn's
 * intercommunicator, free that.  Both sides free rather than disconnect:
 * MPI_Comm_disconnect is collective, and a departing process waiting in it
 * for the master (or the master for it) is what recycling must avoid. */
static void on_bye(mpipool_t *pool, mpipool__endpoint_t *ep,
                   mpipool__worker_t *w) {
  if (w->state == MPIPOOL__W_READY)
    pool->nready--;
  else if (w->state == MPIPOOL__W_STARTING)
    pool->nstarting--;
  w->state = MPIPOOL__W_GONE;
  fail_inflight(pool, w, MPIPOOL_ENOWORKERS);
  no_workers_left(pool);
  if (!ep->spawned)
    return;
  for (size_t i = 0; i < ep->nworkers; i++)
    if (pool->workers[ep->base + i].state != MPIPOOL__W_GONE)
      return;
  MPI_Comm_free(&ep->comm);
  ep->comm = MPI_COMM_NULL;
}

static int on_message(mpipool_t *pool, mpipool__endpoint_t *ep,
                      mpipool__msg_t *m) {
  mpipool__worker_t *w = worker_of(pool, ep, m->source);
  int err = MPIPOOL_OK;
  if (w == NULL) {
    free(m->data);
    return MPIPOOL_EPROTO;
  }
  switch (m->tag) {
  case MPIPOOL__TAG_RESULTS:
    return on_results(pool, w, m); /* takes m->data */
  case MPIPOOL__TAG_HELLO:
    err = on_hello(pool, w, m);
    break;
  case MPIPOOL__TAG_BYE:
    on_bye(pool, ep, w);
    break;
  default:
    err = MPIPOOL_EPROTO;
  }
  free(m->data);
  return err;
}

int mpipool__master_progress(mpipool_t *pool, int *busy) {
  if (pool->broken)
    return pool->broken;
  int err = mpipool__sends_progress(&pool->sends);
  if (err == 0 && pool->spawner)
    err = adopt_spawns(pool, busy);
  for (size_t e = 0; e < pool->nendpoints && err == 0; e++) {
    mpipool__endpoint_t *ep = &pool->endpoints[e];
    /* A spawned endpoint is freed once its processes have left. */
    for (int k = 0; k < RECV_BURST && err == 0 && ep->comm != MPI_COMM_NULL;
         k++) {
      mpipool__msg_t m;
      int got = mpipool__recv_poll(ep->comm, MPI_ANY_SOURCE, MPI_ANY_TAG, &m);
      if (got <= 0) {
        err = got;
        break;
      }
      *busy = 1;
      err = on_message(pool, ep, &m);
    }
  }
  if (err == 0)
    err = dispatch(pool, busy);
  return err ? break_pool(pool, err) : MPIPOOL_OK;
}

void mpipool__master_submit(mpipool_t *pool, mpipool__job_t *job) {
  pool->jobs_active++;
  job->pool = pool;
  if (job->done) { /* nothing to run */
    job_done(pool, job);
    return;
  }
  if (pool->broken) {
    mpipool__queue_push(&pool->queue, job);
    fail_queue(pool, pool->broken);
    return;
  }
  mpipool__queue_push(&pool->queue, job);
  no_workers_left(pool);
}

/* Progress until done() or the deadline. */
static int wait_until(mpipool_t *pool, int (*done)(mpipool_t *, void *),
                      void *arg, double deadline) {
  mpipool__backoff_reset(&pool->backoff);
  while (!done(pool, arg)) {
    int busy = 0;
    int err = mpipool__master_progress(pool, &busy);
    if (err)
      return err;
    if (busy) {
      mpipool__backoff_reset(&pool->backoff);
    } else {
      if (deadline >= 0 && mpipool__now() >= deadline)
        return MPIPOOL_ETIMEDOUT;
      mpipool__backoff_idle(&pool->backoff);
    }
  }
  return MPIPOOL_OK;
}

static int some_job_finished(mpipool_t *pool, void *arg) {
  return pool->jobs_active == 0 || pool->jobs_finished != *(uint64_t *)arg;
}

int mpipool__master_wait_any(mpipool_t *pool, double deadline) {
  uint64_t seen = pool->jobs_finished;
  int busy = 0;
  /* At least once, even with nothing pending: workers may be starting. */
  int err = mpipool__master_progress(pool, &busy);
  if (err)
    return err;
  return wait_until(pool, some_job_finished, &seen, deadline);
}

static int job_is_done(mpipool_t *pool, void *arg) {
  (void)pool;
  return ((mpipool__job_t *)arg)->done;
}

int mpipool__master_wait_job(mpipool_t *pool, mpipool__job_t *job,
                             double deadline) {
  return wait_until(pool, job_is_done, job, deadline);
}

static int all_idle(mpipool_t *pool, void *arg) {
  (void)arg;
  return pool->jobs_active == 0;
}

static int all_gone(mpipool_t *pool, void *arg) {
  (void)arg;
  for (size_t i = 0; i < pool->nworkers; i++)
    if (pool->workers[i].state != MPIPOOL__W_GONE)
      return 0;
  return 1;
}

int mpipool__master_shutdown(mpipool_t *pool, int terminate) {
  int err = MPIPOOL_OK;
  if (!terminate && !pool->broken)
    err = wait_until(pool, all_idle, NULL, -1);
  if (terminate || err)
    fail_all(pool, MPIPOOL_ETERMINATED);
  /* Successors: join lets the ones asked for start (as Python replaces
   * every worker that leaves), terminate drops those not started yet;
   * all are then told to stop like every other worker. */
  if (pool->spawner) {
    int busy = 0;
    mpipool__spawner_stop(pool->spawner, !terminate);
    int e = adopt_spawns(pool, &busy);
    if (e && err == 0)
      err = e;
  }
  int tag = terminate ? MPIPOOL__TAG_TERMINATE : MPIPOOL__TAG_STOP;
  for (size_t i = 0; i < pool->nworkers && !pool->broken; i++) {
    mpipool__worker_t *w = &pool->workers[i];
    if (w->state == MPIPOOL__W_READY || w->state == MPIPOOL__W_STARTING) {
      if (w->state == MPIPOOL__W_READY)
        pool->nready--;
      else
        pool->nstarting--;
      w->state = MPIPOOL__W_STOPPING;
      /* A retiring worker leaves after its last chunk by itself, and
       * may already be gone: a send to it might never complete.  Its
       * results, if any, are discarded. */
      if (w->retiring)
        continue;
      int e = send_ctrl(pool, w, tag);
      if (e && err == 0)
        err = e;
    }
  }
  if (!pool->broken) {
    int e = wait_until(pool, all_gone, NULL, -1);
    if (e && err == 0)
      err = e;
    e = mpipool__sends_drain(&pool->sends);
    if (e && err == 0)
      err = e;
  }
  return err;
}

void mpipool__master_free(mpipool_t *pool) {
  mpipool__spawner_free(pool->spawner);
  pool->spawner = NULL;
  fail_all(pool, MPIPOOL_ETERMINATED);
  for (size_t e = 0; e < pool->nendpoints; e++) {
    mpipool__endpoint_t *ep = &pool->endpoints[e];
    if (ep->spawned && ep->comm != MPI_COMM_NULL)
      MPI_Comm_free(&ep->comm);
  }
  mpipool__sends_free(&pool->sends);
  mpipool__buf_free(&pool->scratch);
  free(pool->workers);
  free(pool->endpoints);
  free(pool->init_error);
  pool->workers = NULL;
  pool->endpoints = NULL;
  pool->nworkers = pool->nendpoints = 0;
}
