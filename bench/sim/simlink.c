/*
 * simlink.c - simulated workers behind an in-memory link (simlink.h).
 */
#include "config.h"
#include "simlink.h"

#include "mpipool.h"
#include "base/alloc.h"
#include "base/clock.h"
#include "transport/buf.h"
#include "transport/wire.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Queues a message from rank `source` for the engine (data taken). */
static int deliver(simlink_t *s, int source, int tag, void *data, size_t len) {
  if (s->len == s->cap) {
    size_t cap = s->cap ? 2 * s->cap : 1024;
    mpipool__msg_t *ring = mpipool__malloc(cap * sizeof *ring);
    if (ring == NULL) {
      mpipool__free(data);
      return MPIPOOL_ENOMEM;
    }
    for (size_t i = 0; i < s->len; i++)
      ring[i] = s->ring[(s->head + i) % s->cap];
    mpipool__free(s->ring);
    s->ring = ring;
    s->cap = cap;
    s->head = 0;
  }
  mpipool__msg_t *m = &s->ring[(s->head + s->len++) % s->cap];
  m->source = source;
  m->tag = tag;
  m->data = data;
  m->len = len;
  if (s->len > s->peak)
    s->peak = s->len;
  return MPIPOOL_OK;
}

static int hello(simlink_t *s, int rank) {
  int dying = rank == s->die_rank;
  mpipool__hello_t h = {0};
  h.pid = dying ? (uint32_t)s->die_pid : 0; /* 0: not watched by pid */
  h.host = dying ? s->host : rank == s->mute_rank ? "sim-far" : "sim";
  h.beats = s->beats || rank == s->mute_rank;
  h.message = "";
  h.binding = "";
  mpipool__buf_t b = {0};
  int err = mpipool__wire_hello_encode(&b, &h);
  if (err) {
    mpipool__buf_free(&b);
    return err;
  }
  size_t len = b.len;
  return deliver(s, rank, MPIPOOL__TAG_HELLO, mpipool__buf_steal(&b), len);
}

/* Runs a TASKS frame: each item's result is its own bytes. */
static int results(simlink_t *s, int rank, const void *msg, size_t len) {
  mpipool__reader_t r;
  mpipool__tchunk_t c;
  mpipool__rbuild_t rb = {0};
  mpipool__buf_t out = {0};
  uint64_t items = 0;
  int err = mpipool__wire_tasks_open(&r, msg, len);
  if (err == 0)
    err = mpipool__wire_results_begin(&out, r.seq, 0);
  int got;
  while (err == 0 && (got = mpipool__wire_tasks_next(&r, &c)) == 1) {
    mpipool__rbuild_reset(&rb);
    const char *p = c.data;
    for (size_t i = 0; i < c.count && err == 0; i++) {
      size_t size = c.sizes ? (size_t)c.sizes[i] : c.item_size;
      err = mpipool__rbuild_begin(&rb);
      if (err == 0)
        err = mpipool__buf_append(&rb.data, p, size);
      if (err == 0)
        err = mpipool__rbuild_end(&rb, 0);
      p += size;
    }
    items += c.count;
    if (err == 0)
      err = mpipool__wire_results_add(&out, &rb);
  }
  if (err == 0 && got < 0)
    err = got;
  mpipool__rbuild_free(&rb);
  if (err) {
    mpipool__buf_free(&out);
    return err;
  }
  mpipool__wire_results_set_busy(&out, items * s->task_ns);
  s->frames++;
  s->items += items;
  size_t n = out.len;
  return deliver(s, rank, MPIPOOL__TAG_RESULTS, mpipool__buf_steal(&out), n);
}

static int l_send(mpipool__link_t *l, MPI_Comm comm, int dest, int tag,
                  void *buf, size_t len) {
  simlink_t *s = (simlink_t *)l;
  double t0 = mpipool__now();
  int err = MPIPOOL_OK;
  s->msgs_out++;
  if (comm != s->comm) {
    err = MPIPOOL_EMPI;
  } else if ((dest == s->die_rank && s->die_pid == 0) ||
             (dest == s->mute_rank && s->mute_after == 0)) {
    s->dropped += tag == MPIPOOL__TAG_TASKS; /* dead, or silent */
  } else if (tag == MPIPOOL__TAG_CONFIG) {
    err = hello(s, dest);
  } else if (tag == MPIPOOL__TAG_TASKS) {
    err = results(s, dest, buf, len);
    if (err == 0 && dest == s->die_rank && --s->die_after == 0) {
      /* Its last answer is out; it dies before the next. */
      kill(s->die_pid, SIGKILL);
      waitpid(s->die_pid, NULL, 0);
      s->die_pid = 0;
    }
    if (err == 0 && dest == s->mute_rank)
      s->mute_after--; /* silent from now on when 0 */
  } else if (tag == MPIPOOL__TAG_STOP || tag == MPIPOOL__TAG_TERMINATE) {
    err = deliver(s, dest, MPIPOOL__TAG_BYE, NULL, 0);
  }
  mpipool__free(buf);
  s->sim_s += mpipool__now() - t0;
  return err;
}

static int l_progress(mpipool__link_t *l) {
  (void)l;
  return MPIPOOL_OK; /* sends complete at once */
}

static int l_drain(mpipool__link_t *l, double deadline) {
  (void)l;
  (void)deadline;
  return MPIPOOL_OK;
}

static size_t l_forget(mpipool__link_t *l, MPI_Comm comm, int dest) {
  (void)l;
  (void)comm;
  (void)dest;
  return 0;
}

static int l_poll(mpipool__link_t *l, MPI_Comm comm, int source, int tag,
                  mpipool__msg_t *m) {
  simlink_t *s = (simlink_t *)l;
  if (comm != s->comm || s->len == 0)
    return 0;
  size_t i = 0;
  for (; i < s->len; i++) { /* the oldest that matches */
    const mpipool__msg_t *q = &s->ring[(s->head + i) % s->cap];
    if ((source == MPI_ANY_SOURCE || q->source == source) &&
        (tag == MPI_ANY_TAG || q->tag == tag))
      break;
  }
  if (i == s->len)
    return 0;
  *m = s->ring[(s->head + i) % s->cap];
  for (; i > 0; i--) /* close the gap (only a source's poll leaves one) */
    s->ring[(s->head + i) % s->cap] = s->ring[(s->head + i - 1) % s->cap];
  s->head = (s->head + 1) % s->cap;
  s->len--;
  s->msgs_in++;
  return 1;
}

size_t simlink_bytes(const simlink_t *s) {
  return sizeof *s + s->cap * sizeof *s->ring;
}

static size_t l_bytes(const mpipool__link_t *l) {
  (void)l;
  return 0; /* the simulation's memory is not the engine's */
}

static void l_free(mpipool__link_t *l) {
  simlink_t *s = (simlink_t *)l;
  if (s == NULL)
    return;
  for (size_t i = 0; i < s->len; i++)
    mpipool__free(s->ring[(s->head + i) % s->cap].data);
  mpipool__free(s->ring);
  if (s->die_pid > 0) {
    kill(s->die_pid, SIGKILL);
    waitpid(s->die_pid, NULL, 0);
  }
  mpipool__free(s);
}

int simlink_new(simlink_t **out, MPI_Comm comm, const char *host,
                uint64_t task_ns) {
  simlink_t *s = mpipool__calloc(1, sizeof *s);
  if (s == NULL)
    return MPIPOOL_ENOMEM;
  s->link.send = l_send;
  s->link.progress = l_progress;
  s->link.drain = l_drain;
  s->link.forget = l_forget;
  s->link.poll = l_poll;
  s->link.bytes = l_bytes;
  s->link.free = l_free;
  s->comm = comm;
  s->host = host;
  s->task_ns = task_ns;
  *out = s;
  return MPIPOOL_OK;
}

int simlink_die(simlink_t *s, int rank, uint64_t after) {
  pid_t pid = fork();
  if (pid < 0)
    return -1;
  if (pid == 0) {
    for (;;)
      pause();
  }
  s->die_rank = rank;
  s->die_after = after ? after : 1;
  s->die_pid = (int)pid;
  return 0;
}

void simlink_mute(simlink_t *s, int rank, uint64_t after) {
  s->mute_rank = rank;
  s->mute_after = after ? after : 1;
}
