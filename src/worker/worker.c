/*
 * worker.c - a worker's life: receive CONFIG, say STARTED, run the
 * initializer, say HELLO, then run TASKS frames in arrival order and answer
 * each with a RESULTS frame, until STOP or TERMINATE; say BYE.  Replies are
 * sent without waiting, so the next frame (already queued by the master) starts
 * at once.
 */
#include "config.h"
#include "worker.h"

#include "api/pool.h"
#include "base/alloc.h"
#include "base/clock.h"
#include "base/env.h"
#include "base/hugepages.h"
#include "base/text.h"
#include "ctx.h"
#include "isolate.h"
#include "master_watch.h"
#include "placement/launcher.h"
#include "placement/gpus.h"
#include "placement/plan.h"
#include "placement/topology.h"
#include "transport/backoff.h"
#include "transport/buf.h"
#include "transport/cma.h"
#include "transport/msg.h"
#include "transport/shm.h"
#include "transport/wire.h"

#include <limits.h>
#include <signal.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct {
  mpipool_t *pool;
  int master;
  mpipool_ctx_t ctx;
  int *fnmap;           /* master's task index -> ours, or -1 */
  const char **fnnames; /* master's task names (into the config) */
  uint32_t nfn;
  mpipool__rbuild_t rb;
  mpipool__buf_t out;
  mpipool__sends_t sends;
  unsigned long tasks_done;
  uint64_t maxtasks; /* the most chunks it may be sent; 0: no limit */
  uint64_t chunks_done;
  int final;   /* stopped by the pool's end (see is_final) */
  int crowded; /* CONFIG's: more of the pool's processes than cores here */
  /* The heartbeat (CONFIG's beat_ms, on other nodes than the master's):
   * a thread sends BEAT while the worker serves, even inside a long task,
   * so that the master can tell a silent worker from a busy one. */
  int beat_ms;
  int beating, beat_stop;
  pthread_t beat_thread;
  pthread_mutex_t beat_lock;
  pthread_cond_t beat_wake;
  size_t msg_max; /* the largest RESULTS frame it sends */
  /* GPUs: the node's (CONFIG's), how many each place gets, and those of
   * its place (a slice, malloc'd), for the node place they are of. */
  const char *node_gpus;
  int gpus_per;
  char *gpus;
  long gpus_of;
  mpipool__iso_t iso; /* with isolation: the child running its tasks */
  /* Large RESULTS are offered to the master to read from memory (cma.h)
   * until it once declines. */
  int cma;
  mpipool__cma_node_t cma_node;
  uint64_t cma_check;
  mpipool__master_watch_t watch; /* a master on this node (master_watch.h) */
  /* The channel through shared memory the master took (shm.h): all but
   * the heartbeats goes through it once shm is 1. */
  mpipool__shm_chan_t chan;
  int shm;
} worker_t;

/* Whether the master is gone (mpipool__gone_fn). */
static int master_gone(void *arg) {
  worker_t *w = arg;
  return mpipool__master_watch_gone(&w->watch);
}

/* --- to and from the master: over MPI, or through the channel ---------- */

/* Sends len bytes of buf (taken) with tag.  0 or an error. */
static int w_send(worker_t *w, int tag, void *buf, size_t len) {
  if (w->shm)
    return mpipool__shm_send(&w->chan, tag, buf, len);
  return mpipool__send(&w->sends, w->pool->comm, w->master, tag, buf, len);
}

/* The one-byte answer the master waits for (cma.h's offers). */
static int w_answer(worker_t *w, int tag, int no) {
  if (w->shm)
    return mpipool__shm_answer(&w->chan, tag, no);
  return mpipool__send_answer(w->pool->comm, w->master, tag, no);
}

/* Receives the master's next message, if one waits: 1, 0 or an error. */
static int w_poll(worker_t *w, mpipool__msg_t *m) {
  if (w->shm)
    return mpipool__shm_poll(&w->chan, MPI_ANY_TAG, m);
  return mpipool__recv_poll(w->pool->comm, w->master, MPI_ANY_TAG, m);
}

/* Waits for the master's next message with tag (or MPI_ANY_TAG), as long
 * as the master lives: 0, MPIPOOL__EGONE or an error. */
static int w_wait(worker_t *w, int tag, mpipool__msg_t *m) {
  if (w->shm)
    return mpipool__shm_wait(&w->chan, tag, m, master_gone, w);
  return mpipool__recv_wait(w->pool->comm, w->master, tag, m, master_gone, w);
}

/* Moves on what is being sent.  0 or an error. */
static int w_progress(worker_t *w) {
  if (w->shm)
    mpipool__shm_flush(&w->chan);
  return mpipool__sends_progress(&w->sends);
}

/* Waits until everything is sent, or until deadline: 0, ETIMEDOUT or an
 * error. */
static int w_drain(worker_t *w, double deadline) {
  mpipool__backoff_t b = {0};
  while (w->shm && mpipool__shm_flush(&w->chan) > 0) {
    if (mpipool__now() >= deadline)
      return MPIPOOL_ETIMEDOUT;
    mpipool__backoff_idle(&b);
  }
  return mpipool__sends_drain(&w->sends, deadline);
}

/* Offers the master a channel through shared memory when its CONFIG
 * names a socket for them (shm.h), and waits for its answer; taken, all
 * but the heartbeats goes through it from now on.  Where the channel
 * cannot be made or given (another node), or is not taken, the worker
 * stays on MPI.  0, or an error (the master gone: MPIPOOL__EGONE). */
static int offer_channel(worker_t *w, const char *socket_name) {
  int fd;
  if (socket_name[0] == '\0' ||
      mpipool__shm_chan_make(&w->chan, &fd, (size_t)INT_MAX) != 0)
    return MPIPOOL_OK;
  uint64_t nonce = mpipool__cma_random();
  int given = mpipool__shm_give(socket_name, fd, nonce) == 0;
  close(fd); /* the mapping stays */
  uint64_t *msg = given ? mpipool__malloc(sizeof *msg) : NULL;
  if (msg == NULL) {
    mpipool__shm_chan_free(&w->chan);
    return MPIPOOL_OK;
  }
  *msg = nonce;
  mpipool__msg_t m;
  int err = mpipool__send(&w->sends, w->pool->comm, w->master, MPIPOOL__TAG_SHM,
                          msg, sizeof *msg);
  if (err == 0)
    err = mpipool__recv_wait(w->pool->comm, w->master, MPIPOOL__TAG_SHM_ACK, &m,
                             master_gone, w);
  int taken = err == 0 && m.len == 1 && ((const char *)m.data)[0] == 0;
  if (err == 0)
    mpipool__free(m.data);
  if (!taken) {
    mpipool__shm_chan_free(&w->chan);
    return err;
  }
  w->shm = 1;
  /* What the master sent over MPI before its answer comes first (a
   * NOMAX): in order, it has arrived. */
  int got;
  while ((got = mpipool__recv_poll(w->pool->comm, w->master, MPI_ANY_TAG,
                                   &m)) == 1)
    if ((err = mpipool__shm_keep(&w->chan, &m)) != 0)
      return err;
  return got < 0 ? got : MPIPOOL_OK;
}

/* A STOP or TERMINATE that ends the pool (the master's shutdown says so
 * with one byte 1); other STOPs release a worker the pool goes on
 * without. */
/* Fault injection for the tests: MPIPOOL_FAULT_STOP=hang makes a worker
 * that is told to stop never leave (alive, silent), as a worker stuck in
 * the MPI runtime would: what waits for it must be bounded. */
static void stuck_at_stop(void) {
  const char *fault = getenv("MPIPOOL_FAULT_STOP");
  if (fault && strcmp(fault, "hang") == 0)
    for (;;)
      pause();
}

/* Fault injection for the tests: MPIPOOL_FAULT_CMA=die makes
 * PoolWorker-1 die (SIGKILL) once its first offer to have its results
 * read from memory is sent, before the master answers: the master may
 * find it gone when it reads. */
static void die_after_offer(worker_t *w) {
  const char *fault = getenv("MPIPOOL_FAULT_CMA");
  if (fault == NULL || strcmp(fault, "die") != 0 || w->ctx.id != 1)
    return;
  w_drain(w, mpipool__now() + 5);
  raise(SIGKILL);
}

/* Fault injection for the tests: MPIPOOL_FAULT_CMA=die_offered makes
 * PoolWorker-1 die (SIGKILL) as it gets its first TASKS frame to read
 * from the master's memory, before it answers: the master holds the
 * frame for a peer that is gone. */
static void die_when_offered(worker_t *w) {
  const char *fault = getenv("MPIPOOL_FAULT_CMA");
  if (fault && strcmp(fault, "die_offered") == 0 && w->ctx.id == 1)
    raise(SIGKILL);
}

static int is_final(const mpipool__msg_t *m) {
  return m->tag == MPIPOOL__TAG_TERMINATE ||
         (m->tag == MPIPOOL__TAG_STOP && m->len == 1 &&
          ((const char *)m->data)[0] == 1);
}

/* Maps the master's task names onto this process's registry. */
static int map_tasks(worker_t *w, const mpipool__config_t *cfg) {
  w->nfn = cfg->nnames;
  w->fnmap =
      mpipool__malloc((cfg->nnames ? cfg->nnames : 1) * sizeof *w->fnmap);
  w->fnnames =
      mpipool__malloc((cfg->nnames ? cfg->nnames : 1) * sizeof *w->fnnames);
  if (w->fnmap == NULL || w->fnnames == NULL)
    return MPIPOOL_ENOMEM;
  const char *name = cfg->names;
  for (uint32_t i = 0; i < cfg->nnames; i++) {
    int k = mpipool__registry_find(&w->pool->reg, name);
    w->fnmap[i] = k >= 0 ? k : -1;
    w->fnnames[i] = name;
    name += strlen(name) + 1;
  }
  return MPIPOOL_OK;
}

/* Sends h (tag HELLO or STARTED) to the master. */
static int send_hello(worker_t *w, int tag, const mpipool__hello_t *h) {
  mpipool__buf_t b = {0};
  int err = mpipool__wire_hello_encode(&b, h);
  if (err) {
    mpipool__buf_free(&b);
    return err;
  }
  return w_send(w, tag, b.data, b.len);
}

/* Fault injection for the tests: MPIPOOL_FAULT_INIT=die:K makes
 * PoolWorker-K die (SIGKILL) once it has said STARTED, before its
 * initializer runs; mute:K before it says STARTED (the master then sees
 * its death by its spawn's process only); die:K- and mute:K- every worker
 * from PoolWorker-K on.  kind: "die" or "mute". */
static void fault_init(worker_t *w, const char *kind) {
  const char *fault = getenv("MPIPOOL_FAULT_INIT");
  size_t len = strlen(kind);
  if (fault == NULL || strncmp(fault, kind, len) != 0 || fault[len] != ':')
    return;
  char *end;
  long from = strtol(fault + len + 1, &end, 10);
  if (from <= 0 || w->ctx.id < from || (w->ctx.id > from && *end != '-'))
    return;
  w_drain(w, mpipool__now() + 5);
  raise(SIGKILL);
}

/* Tells the master this process's pid and node before anything that may
 * take long or fail (binding, the initializer): from then on the master
 * sees it die.  host: the node's name. */
static int say_started(worker_t *w, const char *host) {
  mpipool__hello_t h = {0, (uint32_t)getpid(), host, "", "", 0, w->beat_ms > 0};
  fault_init(w, "mute");
  int err = send_hello(w, MPIPOOL__TAG_STARTED, &h);
  if (err == 0)
    fault_init(w, "die");
  return err;
}

/* Runs the initializer and tells the master how it went: *init_failed
 * says whether the initializer failed (the worker then waits to be
 * stopped).  host: the node's name.  Returns 0 or an error. */
static int say_hello(worker_t *w, const mpipool__config_t *cfg,
                     const char *host, int *init_failed) {
  char *binding = NULL;
  int bound = 0, err = MPIPOOL_OK;
  const char *message = "";
  *init_failed = 0;
  /* Bound first, so that what the initializer allocates lands near. */
  if (cfg->bind_index != MPIPOOL__SHARE_NONE) /* an error leaves it
                                                 unbound, as it says */
    mpipool__bind_self_units(cfg->bind_index, cfg->bind_count, cfg->share_cores,
                             cfg->hwthreads, cfg->node_set, cfg->avoid, &bound,
                             &binding);
  else
    binding = mpipool__describe_binding();
  mpipool__rbuild_reset(&w->rb);
  if (w->pool->init) {
    err = mpipool__ctx_run(&w->ctx, &w->rb, w->pool->init, NULL, cfg->initargs,
                           cfg->initargs_len);
    if (err == 0 && w->rb.nfailed) {
      *init_failed = 1;
      message = w->rb.data.data;
    }
  }
  if (err == 0) {
    mpipool__hello_t h = {*init_failed,
                          (uint32_t)getpid(),
                          host,
                          message,
                          binding ? binding : "not bound",
                          bound,
                          w->beat_ms > 0};
    err = send_hello(w, MPIPOOL__TAG_HELLO, &h);
  }
  if (*init_failed)
    fprintf(stderr, "mpipool: %s: initializer failed: %s\n", w->ctx.name,
            message);
  mpipool__free(binding);
  return err;
}

static int ctx_cancelled(void *arg);

/* Runs every item of one task chunk into w->rb (with isolation, in the
 * worker's child process). */
static int run_chunk(worker_t *w, const mpipool__tchunk_t *c) {
  int local = c->fn < w->nfn ? w->fnmap[c->fn] : -1;
  const char *p = c->data;
  char msg[MPIPOOL__NAME_MAX + 96];
  if (local < 0) /* the name is at most MPIPOOL__NAME_MAX: it fits */
    mpipool__fmt(msg, sizeof msg, "task '%s' is not registered on %s",
                 c->fn < w->nfn ? w->fnnames[c->fn] : "?", w->ctx.name);
  mpipool__task_t *t = local >= 0 ? &w->pool->reg.tasks[local] : NULL;
  /* Outputs are often about as large as inputs: room for both up front. */
  size_t in_bytes = c->sizes ? 0 : c->count * c->item_size;
  mpipool_task_fn fn = NULL;
  void *data = NULL;
  if (t)
    mpipool__task_item(t, &fn, &data);
  if (t && t->chunk && !w->pool->isolation && c->sizes == NULL) {
    int err = mpipool__ctx_run_chunk(&w->ctx, &w->rb, t, p, c->count,
                                     c->item_size); /* one call */
    if (err)
      return err;
  } else {
    if (mpipool__rbuild_reserve(&w->rb, c->count, in_bytes) != 0)
      return MPIPOOL_ENOMEM;
    for (size_t i = 0; i < c->count; i++) {
      size_t size = c->sizes ? (size_t)c->sizes[i] : c->item_size;
      int err =
          t == NULL
              ? mpipool__ctx_fail_item(&w->ctx, &w->rb, MPIPOOL_ENOTASK, msg)
          : w->pool->isolation
              ? mpipool__iso_run(&w->iso, &w->ctx, &w->rb, fn, data, p, size,
                                 w->pool->task_timeout, ctx_cancelled, w)
              : mpipool__ctx_run(&w->ctx, &w->rb, fn, data, p, size);
      if (err)
        return err;
      p += size;
    }
  }
  w->tasks_done += c->count;
  w->chunks_done++;
  return MPIPOOL_OK;
}

/* Fails every item of one task chunk into w->rb: the pool was terminated
 * before it ran. */
static int skip_chunk(worker_t *w, const mpipool__tchunk_t *c) {
  for (size_t i = 0; i < c->count; i++) {
    int err = mpipool__ctx_fail_item(&w->ctx, &w->rb, MPIPOOL_ETERMINATED,
                                     mpipool_strerror(MPIPOOL_ETERMINATED));
    if (err)
      return err;
  }
  return MPIPOOL_OK;
}

/* What the chunks of a TASKS frame from the reader's position on cost,
 * at least, in its RESULTS frame (mpipool__wire_results_min), so that
 * each chunk can be failed down to fit.  0, or the reader's error. */
static int room_to_keep(mpipool__reader_t r, int bare, size_t *keep) {
  mpipool__tchunk_t c;
  int got;
  *keep = 0;
  while ((got = mpipool__wire_tasks_next(&r, &c)) == 1)
    *keep += mpipool__wire_results_min(c.count, bare);
  return got;
}

/* The GPUs of the worker's place on its node (ids node_place * gpus_per
 * on), for its tasks (mpipool_ctx_gpus): a place's own, as no two tasks
 * running at once on a node have the same node place.  0 or ENOMEM. */
static int place_gpus(worker_t *w) {
  long np = w->ctx.node_place;
  if (w->gpus_per <= 0 || np < 0 || np == w->gpus_of)
    return MPIPOOL_OK;
  if (np > INT_MAX / w->gpus_per)
    return MPIPOOL_OK;
  char *ids =
      mpipool__gpus_slice(w->node_gpus, (int)np * w->gpus_per, w->gpus_per);
  if (ids == NULL &&
      mpipool__gpus_count(w->node_gpus) >= ((int)np + 1) * w->gpus_per)
    return MPIPOOL_ENOMEM;
  mpipool__free(w->gpus);
  w->gpus = ids; /* NULL: the node has none for this place */
  w->gpus_of = np;
  w->ctx.gpus = ids;
  return MPIPOOL_OK;
}

/* Offers the master to read len bytes at data from this process's
 * memory (cma.h) and waits for its answer, as long as the master lives
 * (its death ends this process: the launcher's, or the singleton's
 * daemon's doing), as the wait for work does.  Meanwhile the messages of
 * any other tag wait in MPI's queue.  1: read (data is free to go); 0:
 * declined (send it; no more offers); or an error. */
static int offer(worker_t *w, const void *data, size_t len) {
  mpipool__cma_desc_t *d =
      mpipool__cma_describe(&w->cma_node, data, len, &w->cma_check);
  if (d == NULL)
    return 0;
  int err = w_send(w, MPIPOOL__TAG_CMA, d, sizeof *d);
  if (err)
    return err;
  die_after_offer(w);
  mpipool__msg_t m;
  err = w_wait(w, MPIPOOL__TAG_CMA_ACK, &m);
  if (err)
    return err;
  int read = m.len == 1 && ((const char *)m.data)[0] == 0;
  mpipool__free(m.data);
  if (!read)
    w->cma = 0;
  return read;
}

/*
 * Runs one TASKS frame and sends its RESULTS, in one message of at most
 * w->msg_max bytes whatever the tasks return: a chunk whose results do
 * not fit in what the frame has left (less what the chunks after it need
 * at least) has its largest outputs failed with MPIPOOL_E2BIG
 * (mpipool__rbuild_fit); the items before it keep theirs.  A frame so
 * large that even that cannot be done (chunks of hundreds of millions of
 * items) is E2BIG, which stops the worker.  With skip (the pool was
 * terminated), every item fails with ETERMINATED instead of running:
 * every frame gets its answer, so that the master never waits for one.
 */
static int run_frame(worker_t *w, const mpipool__msg_t *m, int skip) {
  mpipool__reader_t r;
  mpipool__tchunk_t c;
  uint64_t t0 = mpipool__clock_ns();
  size_t keep;
  int bare = 0;
  int err = mpipool__wire_tasks_open(&r, m->data, m->len);
  if (err == 0 && r.place != UINT32_MAX) {
    w->ctx.place = (long)r.place;
    w->ctx.node_place = r.node_place == UINT32_MAX ? -1 : (long)r.node_place;
    err = place_gpus(w);
  }
  /* Results of all chunks go into one frame; the header's busy time is
   * patched in once the chunks have run.  A large frame sent before
   * gives its warm pages (msg.h). */
  if (w->out.data == NULL)
    w->out.data = mpipool__sends_spare(&w->sends, &w->out.cap);
  if (err == 0)
    err = mpipool__wire_results_begin(&w->out, r.seq, 0);
  if (err == 0)
    err = room_to_keep(r, 0, &keep);
  if (err == 0 && keep > w->msg_max - w->out.len) {
    bare = 1; /* failures without their messages, if it comes to that */
    err = room_to_keep(r, 1, &keep);
  }
  if (err)
    return err;
  int got;
  while (err == 0 && (got = mpipool__wire_tasks_next(&r, &c)) == 1) {
    keep -= mpipool__wire_results_min(c.count, bare);
    mpipool__rbuild_reset(&w->rb);
    err = skip ? skip_chunk(w, &c) : run_chunk(w, &c);
    size_t used = w->out.len + keep;
    if (err == 0)
      err = mpipool__rbuild_fit(
          &w->rb, used < w->msg_max ? w->msg_max - used : 0, w->msg_max);
    if (err == 0)
      err = mpipool__wire_results_add(&w->out, &w->rb);
  }
  if (err == 0 && got < 0)
    err = got;
  if (err)
    return err;
  mpipool__wire_results_set_busy(&w->out, mpipool__clock_ns() - t0);
  size_t len = w->out.len;
  void *data = mpipool__buf_steal(&w->out);
  int read = w->cma && len >= MPIPOOL__CMA_MIN ? offer(w, data, len) : 0;
  if (read != 0) { /* 1: the master has read it; or an error */
    if (read == 1) /* the master has them: a spare, as a sent frame */
      mpipool__sends_recycle(&w->sends, data);
    else
      mpipool__free(data);
    return read == 1 ? MPIPOOL_OK : read;
  }
  return w_send(w, MPIPOOL__TAG_RESULTS, data, len);
}

/* A TASKS frame the master offers to be read from its memory (m, tag
 * TASKS_CMA: link.h's offers): read and answered 0, m then the frame; or,
 * where it cannot be read, answered 1 and received as the TASKS_BYTES
 * message the master then sends (other messages wait in MPI's queue
 * meanwhile).  0 or an error (m then holds nothing). */
static int take_offer(worker_t *w, mpipool__msg_t *m) {
  die_when_offered(w);
  void *data = NULL;
  size_t len = 0;
  int read = mpipool__cma_read(m->data, m->len, &w->cma_node, &data, &len) == 0;
  mpipool__free(m->data);
  m->data = NULL;
  int err = w_answer(w, MPIPOOL__TAG_TASKS_ACK, !read);
  if (err || !read) {
    mpipool__free(data);
    return err ? err : w_wait(w, MPIPOOL__TAG_TASKS_BYTES, m);
  }
  m->tag = MPIPOOL__TAG_TASKS;
  m->data = data;
  m->len = len;
  return MPIPOOL_OK;
}

/* Is a TERMINATE waiting behind the frames?  Then queued frames are not
 * run: their items fail with ETERMINATED. */
static int terminate_pending(worker_t *w) {
  if (w->shm)
    return mpipool__shm_has(&w->chan, MPIPOOL__TAG_TERMINATE);
  int flag = 0;
  MPI_Iprobe(w->master, MPIPOOL__TAG_TERMINATE, w->pool->comm, &flag,
             MPI_STATUS_IGNORE);
  return flag;
}

/* A task's result is no longer wanted: the master terminated the pool,
 * or is gone (nothing would take it). */
static int ctx_cancelled(void *arg) {
  return terminate_pending(arg) || master_gone(arg);
}

static void *beat_main(void *arg) {
  worker_t *w = arg;
  pthread_mutex_lock(&w->beat_lock);
  while (!w->beat_stop) {
    struct timespec ts = mpipool__clock_deadline(w->beat_ms / 1000.0);
    pthread_cond_timedwait(&w->beat_wake, &w->beat_lock, &ts);
    if (w->beat_stop)
      break;
    pthread_mutex_unlock(&w->beat_lock);
    /* Empty, eager: returns at once (a dead master cannot block it). */
    MPI_Send(NULL, 0, MPI_BYTE, w->master, MPIPOOL__TAG_BEAT, w->pool->comm);
    pthread_mutex_lock(&w->beat_lock);
  }
  pthread_mutex_unlock(&w->beat_lock);
  return NULL;
}

/* Starts the heartbeat when CONFIG asks for one and MPI allows a second
 * thread; else beat_ms becomes 0 (HELLO then says it does not beat, and
 * the master watches it otherwise). */
static void beat_start(worker_t *w) {
  int provided = MPI_THREAD_SINGLE;
  MPI_Query_thread(&provided);
  if (w->beat_ms <= 0 || provided != MPI_THREAD_MULTIPLE) {
    w->beat_ms = 0;
    return;
  }
  pthread_mutex_init(&w->beat_lock, NULL);
  /* Monotonic: a wall clock set back an hour would hold the beats back
   * an hour, and the master would take this worker for lost. */
  if (mpipool__clock_cond_init(&w->beat_wake) != 0) {
    pthread_mutex_destroy(&w->beat_lock);
    w->beat_ms = 0;
    return;
  }
  w->beating = pthread_create(&w->beat_thread, NULL, beat_main, w) == 0;
  if (!w->beating) {
    pthread_cond_destroy(&w->beat_wake);
    pthread_mutex_destroy(&w->beat_lock);
    w->beat_ms = 0;
  }
}

/* Stops the heartbeat: before BYE, so that no BEAT follows it. */
static void beat_stop(worker_t *w) {
  if (!w->beating)
    return;
  pthread_mutex_lock(&w->beat_lock);
  w->beat_stop = 1;
  pthread_cond_signal(&w->beat_wake);
  pthread_mutex_unlock(&w->beat_lock);
  pthread_join(w->beat_thread, NULL);
  pthread_cond_destroy(&w->beat_wake);
  pthread_mutex_destroy(&w->beat_lock);
  w->beating = 0;
}

/* Serves frames until STOP or TERMINATE.  A worker that has run its
 * maxtasks chunks (Python counts a map's chunk as one task) gets no more
 * from the master, which tells it to stop once its successor is ready, or
 * lifts the limit (NOMAX) when no successor can be had: a chunk past the
 * limit is a protocol error. */
static int serve(worker_t *w) {
  mpipool__backoff_t b = {0};
  /* On a crowded node a spinning worker takes the core of one that has
   * work (or of the master): it sleeps at once. */
  b.no_spin = w->crowded;
  for (;;) {
    mpipool__msg_t m;
    int got = w_poll(w, &m);
    if (got < 0)
      return got;
    if (got == 0) {
      int err = w_progress(w);
      if (err)
        return err;
      if (master_gone(w))
        return MPIPOOL__EGONE;
      mpipool__backoff_idle(&b);
      continue;
    }
    mpipool__backoff_reset(&b);
    int err = MPIPOOL_OK, stop = 0;
    if (m.tag == MPIPOOL__TAG_TASKS_CMA && (err = take_offer(w, &m)) != 0)
      return err;
    if (m.tag == MPIPOOL__TAG_TASKS || m.tag == MPIPOOL__TAG_TASKS_BYTES) {
      err = run_frame(w, &m, terminate_pending(w));
      if (err == 0 && w->maxtasks && w->chunks_done > w->maxtasks)
        err = MPIPOOL_EPROTO;
    } else if (m.tag == MPIPOOL__TAG_STOP || m.tag == MPIPOOL__TAG_TERMINATE) {
      stop = 1;
      w->final = is_final(&m);
      stuck_at_stop();
    } else if (m.tag == MPIPOOL__TAG_NOMAX) {
      w->maxtasks = 0;
    } else {
      err = MPIPOOL_EPROTO;
    }
    mpipool__free(m.data);
    if (err)
      return err;
    if (stop)
      return MPIPOOL_OK;
    err = w_progress(w);
    if (err)
      return err;
  }
}

/* Waits for the master's STOP or TERMINATE, ignoring anything else. */
static int wait_stop(worker_t *w) {
  for (;;) {
    mpipool__msg_t m;
    int err = w_wait(w, MPI_ANY_TAG, &m);
    if (err)
      return err;
    if (m.tag == MPIPOOL__TAG_TASKS_CMA) /* not run: let the master go on */
      err = w_answer(w, MPIPOOL__TAG_TASKS_ACK, 1);
    int stop = m.tag == MPIPOOL__TAG_STOP || m.tag == MPIPOOL__TAG_TERMINATE;
    w->final = stop && is_final(&m);
    mpipool__free(m.data);
    if (err)
      return err;
    if (stop) {
      stuck_at_stop();
      return MPIPOOL_OK;
    }
  }
}

int mpipool__worker_run(mpipool_t *pool, int master_rank, int *linger) {
  worker_t w = {0};
  w.iso = (mpipool__iso_t)MPIPOOL__ISO_INIT;
  *linger = 1;
  mpipool__msg_t m;
  mpipool__config_t cfg;
  w.pool = pool;
  w.master = master_rank;
  /* Its big blocks (a map's frames) in huge pages (hugepages.h); a bad
   * value is the master's to say. */
  int said = 1;
  if (mpipool__env_flag("MPIPOOL_HUGEPAGES", 1, &said))
    mpipool__hugepages_blocks_on();
  mpipool__master_watch_init(&w.watch);
  int err = mpipool__recv_wait(pool->comm, master_rank, MPI_ANY_TAG, &m,
                               master_gone, &w);
  if (err)
    return err;
  if (m.tag == MPIPOOL__TAG_STOP) {
    /* A surplus rank: the pool does not need it. */
    *linger = !is_final(&m);
    mpipool__free(m.data);
    return MPIPOOL_OK;
  }
  if (m.tag != MPIPOOL__TAG_CONFIG ||
      mpipool__wire_config_decode(&cfg, m.data, m.len) != 0) {
    err = MPIPOOL_EPROTO;
    goto out_with_msg;
  }
  if (w.watch.pid == 0) /* not named at its spawn: a launcher's rank */
    mpipool__master_watch_from(&w.watch, cfg.master);
  mpipool__ctx_init(&w.ctx, (long)cfg.worker_id);
  w.ctx.cancelled = ctx_cancelled;
  w.ctx.cancelled_arg = &w;
  w.maxtasks = cfg.maxtasks;
  w.crowded = cfg.crowded;
  w.msg_max = mpipool__msg_max();
  w.node_gpus = cfg.gpus;
  w.gpus_per = cfg.gpus_per;
  w.gpus_of = -1;
  w.cma = mpipool__cma_node(&w.cma_node) == 0;
  w.cma_check = mpipool__cma_random();
  err = map_tasks(&w, &cfg);
  if (err)
    goto out_with_map;
  int init_failed;
  err = offer_channel(&w, cfg.shm);
  if (err)
    goto out_with_map;
  w.beat_ms = cfg.beat_ms;
  beat_start(&w);
  char *host = mpipool__node_name_dup();
  err = host ? say_started(&w, host) : MPIPOOL_ENOMEM;
  if (err == 0)
    err = say_hello(&w, &cfg, host, &init_failed);
  mpipool__free(host);
  if (err == 0)
    err = init_failed ? wait_stop(&w) : serve(&w);
  *linger = !w.final;
  beat_stop(&w);
  if (err == 0) {
    uint64_t *done = mpipool__malloc(sizeof *done);
    if (done == NULL) {
      err = MPIPOOL_ENOMEM;
    } else {
      *done = w.tasks_done;
      err = w_send(&w, MPIPOOL__TAG_BYE, done, sizeof *done);
    }
  }
  {
    /* Bounded only by the master's life: it is there to take them
     * (results may be large); if it is gone, so is the job (mpirun ends
     * it, a singleton's orted takes its workers with it), or the watch
     * sees it (master_watch.h). */
    int derr;
    while ((derr = w_drain(&w, mpipool__now() + 0.2)) == MPIPOOL_ETIMEDOUT &&
           !master_gone(&w))
      ;
    if (err == 0)
      err = derr == MPIPOOL_ETIMEDOUT ? MPIPOOL__EGONE : derr;
  }
out_with_map:
  mpipool__free(w.gpus);
  mpipool__iso_stop(&w.iso);
  mpipool__ctx_free_worker_data(&w.ctx);
  mpipool__free(w.fnmap);
  mpipool__free(w.fnnames);
out_with_msg:
  mpipool__free(m.data);
  mpipool__rbuild_free(&w.rb);
  mpipool__buf_free(&w.out);
  mpipool__sends_free(&w.sends);
  mpipool__shm_chan_free(&w.chan);
  return err;
}
