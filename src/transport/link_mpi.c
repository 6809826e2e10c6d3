/*
 * link_mpi.c - the engine's link over MPI point-to-point (see link.h):
 * msg.h's background sends and polled receives; a worker's offer to have
 * its results read from its memory (cma.h) is taken here, so that the
 * engine sees them as any RESULTS message; and large TASKS frames are
 * offered to workers of this node to read from ours (link.h's offers).
 * A worker of this node that gave a channel through shared memory
 * (shm.h) is reached through it: every message to it and from it but its
 * heartbeats, which come over MPI still.
 */
#include "config.h"
#include "link.h"

#include "base/alloc.h"
#include "base/clock.h"
#include "base/env.h"
#include "cma.h"
#include "mpipool.h"
#include "peers.h"
#include "placement/procs.h"
#include "shm.h"
#include "wire.h"

#include <limits.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

/* A TASKS frame offered to a worker, kept until it answers. */
typedef struct {
  MPI_Comm comm; /* MPI_COMM_NULL: forgotten (kept until the link's end) */
  int dest;
  void *buf;
  size_t len;
} offered_t;

/* A worker reached through a channel. */
typedef struct {
  MPI_Comm comm;
  int rank;
  pid_t pid;                  /* its process, which gave the channel */
  unsigned long long started; /* and when it started (procs.h) */
  size_t index;               /* in the link's peers */
  mpipool__shm_chan_t chan;
} peer_t;

/* Where every remote rank of a communicator has a channel, MPI is polled
 * on it (for their heartbeats) only every MPI_EVERY seconds. */
#define MPI_EVERY 0.002

typedef struct {
  mpipool__link_t link; /* first: the link is the object */
  mpipool__sends_t sends;
  mpipool__shm_listener_t listener;
  peer_t **peers; /* each malloc'd: a channel does not move */
  size_t npeers, peers_cap;
  mpipool__peers_t by_comm; /* the same, by communicator and rank */
  mpipool__cma_node_t node; /* this process's, for cma reads */
  uint64_t check;           /* what a worker reading our frames checks */
  offered_t *offered;       /* in the order offered */
  size_t noffered, offered_cap;
} link_mpi_t;

/* The channel to rank dest of comm, or NULL. */
static mpipool__shm_chan_t *chan_of(link_mpi_t *l, MPI_Comm comm, int dest) {
  peer_t *p = mpipool__peers_get(&l->by_comm, comm, dest);
  return p ? &p->chan : NULL;
}

/* Sends through the channel to dest, if it has one, else over MPI. */
static int route_send(link_mpi_t *l, MPI_Comm comm, int dest, int tag,
                      void *buf, size_t len) {
  mpipool__shm_chan_t *c = l->npeers ? chan_of(l, comm, dest) : NULL;
  return c ? mpipool__shm_send(c, tag, buf, len)
           : mpipool__send(&l->sends, comm, dest, tag, buf, len);
}

/* The one-byte answer a peer waits for, the same way. */
static int route_answer(link_mpi_t *l, MPI_Comm comm, int dest, int tag,
                        int no) {
  mpipool__shm_chan_t *c = l->npeers ? chan_of(l, comm, dest) : NULL;
  return c ? mpipool__shm_answer(c, tag, no)
           : mpipool__send_answer(comm, dest, tag, no);
}

/* Drops p's channel; returns how many messages it still had to write. */
static size_t drop_peer(link_mpi_t *l, peer_t *p) {
  size_t n = mpipool__shm_flush(&p->chan);
  mpipool__peers_take(&l->by_comm, p->comm, p->rank);
  mpipool__shm_chan_free(&p->chan);
  peer_t *last = l->peers[--l->npeers];
  l->peers[p->index] = last;
  last->index = p->index;
  mpipool__free(p);
  return n;
}

/* What the worker of p wrote into its channel is not messages (its task
 * overwrote that memory): the worker is killed, as a task that crashed
 * it would have, and its channel dropped.  MPIPOOL__EPEER, m->source its
 * rank. */
static int break_peer(link_mpi_t *l, peer_t *p, mpipool__msg_t *m) {
  m->source = p->rank;
  /* (That very process: not another that has its pid since.) */
  if (p->pid > 0 && mpipool__procs_started(p->pid) == p->started)
    kill(p->pid, SIGKILL);
  drop_peer(l, p);
  return MPIPOOL__EPEER;
}

/* Takes a message with tag from p's channel: as mpipool__shm_poll, or
 * MPIPOOL__EPEER (break_peer). */
static int poll_peer(link_mpi_t *l, peer_t *p, int tag, mpipool__msg_t *m) {
  int got = mpipool__shm_poll(&p->chan, tag, m);
  if (got == 1)
    m->source = p->rank;
  return got == MPIPOOL_EPROTO ? break_peer(l, p, m) : got;
}

/* Receives from rank source of comm (MPI_ANY_SOURCE: any) with tag: from
 * the channels first, then over MPI (only now and then where every rank
 * of comm has a channel).  As mpipool__recv_poll, or MPIPOOL__EPEER
 * (break_peer). */
static int route_poll(link_mpi_t *l, MPI_Comm comm, int source, int tag,
                      mpipool__msg_t *m) {
  mpipool__group_t *g =
      l->npeers ? mpipool__peers_group(&l->by_comm, comm) : NULL;
  if (g == NULL)
    return mpipool__recv_poll(comm, source, tag, m);
  if (source != MPI_ANY_SOURCE) {
    peer_t *p = source >= 0 && source < g->remote ? g->at[source] : NULL;
    int got = p ? poll_peer(l, p, tag, m) : 0;
    if (got != 0)
      return got; /* (after EPEER, g may be gone) */
  } else {
    /* Each rank in turn, from the one after the last heard. */
    for (int k = 0, r = g->turn; k < g->remote; k++, r = (r + 1) % g->remote) {
      peer_t *p = g->at[r];
      int got = p ? poll_peer(l, p, tag, m) : 0;
      if (got == MPIPOOL__EPEER)
        return got; /* g may be gone */
      if (got != 0) {
        g->turn = (r + 1) % g->remote;
        return got;
      }
    }
  }
  if (g->count >= g->remote) {
    double now = mpipool__now();
    if (now < g->next_mpi)
      return 0;
    g->next_mpi = now + MPI_EVERY;
  }
  return mpipool__recv_poll(comm, source, tag, m);
}

/* Offers frame buf (taken) to worker dest of comm (see link.h): sends
 * the descriptor, keeps buf.  0, ENOMEM or EMPI. */
static int offer(link_mpi_t *l, MPI_Comm comm, int dest, void *buf,
                 size_t len) {
  mpipool__cma_desc_t *d = NULL;
  int err = mpipool__grow((void **)&l->offered, &l->offered_cap,
                          l->noffered + 1, sizeof *l->offered);
  if (err == 0 &&
      (d = mpipool__cma_describe(&l->node, buf, len, &l->check)) == NULL)
    err = MPIPOOL_ENOMEM;
  if (err == 0) /* d taken */
    err = route_send(l, comm, dest, MPIPOOL__TAG_TASKS_CMA, d, sizeof *d);
  if (err) {
    mpipool__free(buf);
    return err;
  }
  l->offered[l->noffered++] = (offered_t){comm, dest, buf, len};
  return MPIPOOL_OK;
}

/* The worker source of comm answered its oldest offer (answer msg, one
 * byte: 0 read, 1 not): done with its buf, or sends it.  0 or an error. */
static int answered(link_mpi_t *l, MPI_Comm comm, const mpipool__msg_t *msg) {
  size_t i = 0;
  while (i < l->noffered &&
         (l->offered[i].comm != comm || l->offered[i].dest != msg->source))
    i++;
  if (i == l->noffered)
    return MPIPOOL_OK; /* to an offer forgotten: its peer was taken for gone */
  offered_t o = l->offered[i];
  memmove(l->offered + i, l->offered + i + 1,
          (l->noffered - i - 1) * sizeof *l->offered);
  l->noffered--;
  int read = msg->len == 1 && ((const char *)msg->data)[0] == 0;
  if (read) {
    mpipool__sends_recycle(&l->sends, o.buf); /* warm pages, a spare */
    return MPIPOOL_OK;
  }
  return route_send(l, o.comm, o.dest, MPIPOOL__TAG_TASKS_BYTES, o.buf, o.len);
}

static int l_send(mpipool__link_t *l, MPI_Comm comm, int dest, int tag,
                  void *buf, size_t len) {
  if (tag == MPIPOOL__TAG_TASKS_CMA)
    return offer((link_mpi_t *)l, comm, dest, buf, len);
  return route_send((link_mpi_t *)l, comm, dest, tag, buf, len);
}

/* Writes what the channels have room for; returns how many messages
 * still wait. */
static size_t flush_peers(link_mpi_t *l) {
  size_t n = 0;
  for (size_t i = 0; i < l->npeers; i++)
    n += mpipool__shm_flush(&l->peers[i]->chan);
  return n;
}

static int l_progress(mpipool__link_t *l) {
  flush_peers((link_mpi_t *)l);
  return mpipool__sends_progress(&((link_mpi_t *)l)->sends);
}

/* Takes the answers waiting for offers: 0 or an error. */
static int take_answers(link_mpi_t *l) {
  for (size_t i = 0; i < l->noffered; i++) {
    if (l->offered[i].comm == MPI_COMM_NULL)
      continue;
    mpipool__msg_t msg;
    int got = route_poll(l, l->offered[i].comm, l->offered[i].dest,
                         MPIPOOL__TAG_TASKS_ACK, &msg);
    if (got == MPIPOOL__EPEER) { /* it will not answer: its offers go */
      l->link.forget(&l->link, l->offered[i].comm, l->offered[i].dest);
      continue;
    }
    if (got < 0)
      return got;
    if (got == 1) {
      int err = answered(l, l->offered[i].comm, &msg);
      mpipool__free(msg.data);
      if (err)
        return err;
      i = (size_t)-1; /* the list moved: from its start again */
    }
  }
  return MPIPOOL_OK;
}

/* Offers not answered by a peer still there. */
static int offers_pending(const link_mpi_t *l) {
  for (size_t i = 0; i < l->noffered; i++)
    if (l->offered[i].comm != MPI_COMM_NULL)
      return 1;
  return 0;
}

static int l_drain(mpipool__link_t *l, double deadline) {
  link_mpi_t *lm = (link_mpi_t *)l;
  mpipool__backoff_t b = {0};
  for (;;) { /* the offers' answers, then what they send */
    int err = take_answers(lm);
    size_t waiting = flush_peers(lm);
    if (err == 0)
      err = mpipool__sends_progress(&lm->sends);
    if (err)
      return err;
    if (!offers_pending(lm) && waiting == 0)
      return mpipool__sends_drain(&lm->sends, deadline);
    if (deadline >= 0 && mpipool__now() >= deadline)
      return MPIPOOL_ETIMEDOUT;
    mpipool__backoff_idle(&b);
  }
}

/* Drops the channel of rank dest of comm (comm MPI_COMM_NULL: all);
 * returns how many messages it still had to write. */
static size_t drop_peers(link_mpi_t *l, MPI_Comm comm, int dest) {
  if (comm != MPI_COMM_NULL) {
    peer_t *p = mpipool__peers_get(&l->by_comm, comm, dest);
    return p ? drop_peer(l, p) : 0;
  }
  size_t n = 0;
  while (l->npeers)
    n += drop_peer(l, l->peers[l->npeers - 1]);
  return n;
}

static void l_gone(mpipool__link_t *l, MPI_Comm comm, int dest) {
  drop_peers((link_mpi_t *)l, comm, dest);
}

static size_t l_forget(mpipool__link_t *l, MPI_Comm comm, int dest) {
  link_mpi_t *lm = (link_mpi_t *)l;
  size_t n = mpipool__sends_forget(&lm->sends, comm, dest);
  n += drop_peers(lm, comm, dest);
  for (size_t i = 0; i < lm->noffered; i++) {
    offered_t *o = &lm->offered[i];
    if (o->comm != MPI_COMM_NULL &&
        (comm == MPI_COMM_NULL || (o->comm == comm && o->dest == dest))) {
      o->comm = MPI_COMM_NULL; /* its buf kept: the peer may be reading */
      n++;
    }
  }
  return n;
}

/* Reads the results a CMA descriptor names (tag RESULTS then) and
 * answers the worker, which waits for it: 0 they were read, 1 it sends
 * them.  1 with *m the results, 0 (they will come as a message), or EMPI.
 * The answer needs no memory of ours (a static byte, its request freed at
 * once: MPI completes it), so that a worker is never left waiting. */
static int take_cma(link_mpi_t *l, MPI_Comm comm, mpipool__msg_t *m) {
  void *data = NULL;
  size_t len = 0;
  int read = mpipool__cma_read(m->data, m->len, &l->node, &data, &len) == 0;
  mpipool__free(m->data);
  m->data = NULL;
  if (route_answer(l, comm, m->source, MPIPOOL__TAG_CMA_ACK, !read)) {
    mpipool__free(data);
    return MPIPOOL_EMPI;
  }
  if (!read)
    return 0;
  m->tag = MPIPOOL__TAG_RESULTS;
  m->data = data;
  m->len = len;
  return 1;
}

static int l_poll(mpipool__link_t *l, MPI_Comm comm, int source, int tag,
                  mpipool__msg_t *m) {
  link_mpi_t *lm = (link_mpi_t *)l;
  for (;;) {
    int got = route_poll(lm, comm, source, tag, m);
    if (got == 1 && m->tag == MPIPOOL__TAG_CMA)
      got = take_cma(lm, comm, m);
    if (got != 1 || m->tag != MPIPOOL__TAG_TASKS_ACK)
      return got;
    int err = answered(lm, comm, m); /* the link's, not the engine's */
    mpipool__free(m->data);
    if (err)
      return err;
  }
}

/* The ranks of comm this process may hear from. */
static int remote_ranks(MPI_Comm comm) {
  int inter = 0, n = 0;
  MPI_Comm_test_inter(comm, &inter);
  if (inter)
    MPI_Comm_remote_size(comm, &n);
  else
    MPI_Comm_size(comm, &n), n--;
  return n;
}

/* Maps the channel given with nonce and adds it for rank dest of comm:
 * 0, or why not. */
static int add_peer(link_mpi_t *l, MPI_Comm comm, int dest, uint64_t nonce) {
  if (chan_of(l, comm, dest))
    return MPIPOOL_EPROTO; /* it has one */
  if (mpipool__grow((void **)&l->peers, &l->peers_cap, l->npeers + 1,
                    sizeof *l->peers) != 0)
    return MPIPOOL_ENOMEM;
  peer_t *p = mpipool__calloc(1, sizeof *p);
  if (p == NULL)
    return MPIPOOL_ENOMEM;
  int fd = mpipool__shm_take(&l->listener, nonce, &p->pid);
  int err = fd < 0 ? MPIPOOL_EPROTO
                   : mpipool__shm_chan_adopt(&p->chan, fd, (size_t)INT_MAX);
  if (fd >= 0)
    close(fd); /* the mapping stays */
  if (err == 0) {
    err = mpipool__peers_put(&l->by_comm, comm, remote_ranks(comm), dest, p);
    if (err == MPIPOOL_EINVAL)
      err = MPIPOOL_EPROTO; /* no such rank */
    if (err)
      mpipool__shm_chan_free(&p->chan);
  }
  if (err) {
    mpipool__free(p);
    return err;
  }
  p->comm = comm;
  p->rank = dest;
  p->started = p->pid > 0 ? mpipool__procs_started(p->pid) : 0;
  p->index = l->npeers;
  l->peers[l->npeers++] = p;
  return MPIPOOL_OK;
}

static int l_adopt(mpipool__link_t *l, MPI_Comm comm, int dest, const void *msg,
                   size_t len) {
  link_mpi_t *lm = (link_mpi_t *)l;
  uint64_t nonce = 0;
  int taken = len == sizeof nonce;
  if (taken) {
    memcpy(&nonce, msg, sizeof nonce);
    taken = add_peer(lm, comm, dest, nonce) == 0;
  }
  /* Over MPI: the worker waits there, and it is the last message of ours
   * there (shm.h). */
  return mpipool__send_answer(comm, dest, MPIPOOL__TAG_SHM_ACK, !taken);
}

static void *l_spare(mpipool__link_t *l, size_t *cap) {
  return mpipool__sends_spare(&((link_mpi_t *)l)->sends, cap);
}

static size_t l_bytes(const mpipool__link_t *l) {
  const mpipool__sends_t *s = &((const link_mpi_t *)l)->sends;
  size_t n = sizeof(link_mpi_t);
  for (int k = 0; k < 4; k++)
    n += s->caps[k] * sizeof(void *); /* about: a pointer each */
  const link_mpi_t *lm = (const link_mpi_t *)l;
  n += lm->offered_cap * sizeof *lm->offered;
  for (size_t i = 0; i < lm->noffered; i++)
    n += lm->offered[i].len;
  /* Channels by the table's room, not by how many are open now (that
   * comes and goes with every successor). */
  n += lm->peers_cap * (sizeof *lm->peers + sizeof **lm->peers) +
       mpipool__peers_bytes(&lm->by_comm);
  for (size_t i = 0; i < lm->npeers; i++)
    n += mpipool__shm_bytes(&lm->peers[i]->chan);
  return n + mpipool__spares_bytes(&s->spares);
}

static void l_free(mpipool__link_t *l) {
  if (l == NULL)
    return;
  link_mpi_t *lm = (link_mpi_t *)l;
  mpipool__sends_free(&lm->sends);
  for (size_t i = 0; i < lm->noffered; i++)
    mpipool__free(lm->offered[i].buf);
  mpipool__free(lm->offered);
  drop_peers(lm, MPI_COMM_NULL, 0);
  mpipool__free(lm->peers);
  mpipool__peers_free(&lm->by_comm);
  mpipool__shm_listener_free(&lm->listener);
  mpipool__free(l);
}

int mpipool__link_mpi_new(mpipool__link_t **out) {
  link_mpi_t *l = mpipool__calloc(1, sizeof *l);
  if (l == NULL)
    return MPIPOOL_ENOMEM;
  l->link.send = l_send;
  l->link.progress = l_progress;
  l->link.drain = l_drain;
  l->link.forget = l_forget;
  l->link.poll = l_poll;
  l->link.spare = l_spare;
  l->link.bytes = l_bytes;
  l->link.free = l_free;
  l->link.gone = l_gone;
  l->link.shm_name = "";
  l->listener.fd = -1;
  /* Channels where a socket can be had, and by default: MPIPOOL_SHM=0
   * keeps every worker on MPI. */
  if (mpipool__env_flag("MPIPOOL_SHM", 1, NULL) &&
      mpipool__shm_listen(&l->listener) == 0) {
    l->link.adopt = l_adopt;
    l->link.shm_name = l->listener.name;
  }
  /* Offers where this process's node is known (cma.h), and by default:
   * MPIPOOL_CMA_TASKS=0 sends every frame. */
  l->link.offers = mpipool__cma_node(&l->node) == 0 &&
                   mpipool__env_flag("MPIPOOL_CMA_TASKS", 1, NULL);
  l->check = mpipool__cma_random();
  *out = &l->link;
  return MPIPOOL_OK;
}
