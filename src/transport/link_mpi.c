/*
 * link_mpi.c - the engine's link over MPI point-to-point (see link.h):
 * msg.h's background sends and polled receives; a worker's offer to have
 * its results read from its memory (cma.h) is taken here, so that the
 * engine sees them as any RESULTS message; and large TASKS frames are
 * offered to workers of this node to read from ours (link.h's offers).
 */
#include "config.h"
#include "link.h"

#include "base/alloc.h"
#include "base/clock.h"
#include "base/env.h"
#include "cma.h"
#include "mpipool.h"
#include "wire.h"

/* A TASKS frame offered to a worker, kept until it answers. */
typedef struct {
  MPI_Comm comm; /* MPI_COMM_NULL: forgotten (kept until the link's end) */
  int dest;
  void *buf;
  size_t len;
} offered_t;

typedef struct {
  mpipool__link_t link; /* first: the link is the object */
  mpipool__sends_t sends;
  mpipool__cma_node_t node; /* this process's, for cma reads */
  uint64_t check;           /* what a worker reading our frames checks */
  offered_t *offered;       /* in the order offered */
  size_t noffered, offered_cap;
} link_mpi_t;

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
    err = mpipool__send(&l->sends, comm, dest, MPIPOOL__TAG_TASKS_CMA, d,
                        sizeof *d);
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
  return mpipool__send(&l->sends, o.comm, o.dest, MPIPOOL__TAG_TASKS_BYTES,
                       o.buf, o.len);
}

static int l_send(mpipool__link_t *l, MPI_Comm comm, int dest, int tag,
                  void *buf, size_t len) {
  if (tag == MPIPOOL__TAG_TASKS_CMA)
    return offer((link_mpi_t *)l, comm, dest, buf, len);
  return mpipool__send(&((link_mpi_t *)l)->sends, comm, dest, tag, buf, len);
}

static int l_progress(mpipool__link_t *l) {
  return mpipool__sends_progress(&((link_mpi_t *)l)->sends);
}

/* Takes the answers waiting for offers: 0 or an error. */
static int take_answers(link_mpi_t *l) {
  for (size_t i = 0; i < l->noffered; i++) {
    if (l->offered[i].comm == MPI_COMM_NULL)
      continue;
    mpipool__msg_t msg;
    int got = mpipool__recv_poll(l->offered[i].comm, l->offered[i].dest,
                                 MPIPOOL__TAG_TASKS_ACK, &msg);
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
    if (err == 0)
      err = mpipool__sends_progress(&lm->sends);
    if (err)
      return err;
    if (!offers_pending(lm))
      return mpipool__sends_drain(&lm->sends, deadline);
    if (deadline >= 0 && mpipool__now() >= deadline)
      return MPIPOOL_ETIMEDOUT;
    mpipool__backoff_idle(&b);
  }
}

static size_t l_forget(mpipool__link_t *l, MPI_Comm comm, int dest) {
  link_mpi_t *lm = (link_mpi_t *)l;
  size_t n = mpipool__sends_forget(&lm->sends, comm, dest);
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
  if (mpipool__send_answer(comm, m->source, MPIPOOL__TAG_CMA_ACK, !read)) {
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
    int got = mpipool__recv_poll(comm, source, tag, m);
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
  /* Offers where this process's node is known (cma.h), and by default:
   * MPIPOOL_CMA_TASKS=0 sends every frame. */
  l->link.offers = mpipool__cma_node(&l->node) == 0 &&
                   mpipool__env_flag("MPIPOOL_CMA_TASKS", 1, NULL);
  l->check = mpipool__cma_random();
  *out = &l->link;
  return MPIPOOL_OK;
}
