/*
 * link_mpi.c - the engine's link over MPI point-to-point (see link.h):
 * msg.h's background sends and polled receives; a worker's offer to have
 * its results read from its memory (cma.h) is taken here, so that the
 * engine sees them as any RESULTS message.
 */
#include "config.h"
#include "link.h"

#include "base/alloc.h"
#include "cma.h"
#include "mpipool.h"
#include "wire.h"

typedef struct {
  mpipool__link_t link; /* first: the link is the object */
  mpipool__sends_t sends;
  mpipool__cma_node_t node; /* this process's, for cma reads */
} link_mpi_t;

static int l_send(mpipool__link_t *l, MPI_Comm comm, int dest, int tag,
                  void *buf, size_t len) {
  return mpipool__send(&((link_mpi_t *)l)->sends, comm, dest, tag, buf, len);
}

static int l_progress(mpipool__link_t *l) {
  return mpipool__sends_progress(&((link_mpi_t *)l)->sends);
}

static int l_drain(mpipool__link_t *l, double deadline) {
  return mpipool__sends_drain(&((link_mpi_t *)l)->sends, deadline);
}

static size_t l_forget(mpipool__link_t *l, MPI_Comm comm, int dest) {
  return mpipool__sends_forget(&((link_mpi_t *)l)->sends, comm, dest);
}

/* Reads the results a CMA descriptor names (tag RESULTS then) and
 * answers the worker, which waits for it: 0 they were read, 1 it sends
 * them.  1 with *m the results, 0 (they will come as a message), or EMPI.
 * The answer needs no memory of ours (a static byte, its request freed at
 * once: MPI completes it), so that a worker is never left waiting. */
static int take_cma(link_mpi_t *l, MPI_Comm comm, mpipool__msg_t *m) {
  static const char answers[2] = {0, 1};
  void *data = NULL;
  size_t len = 0;
  int read = mpipool__cma_read(m->data, m->len, &l->node, &data, &len) == 0;
  mpipool__free(m->data);
  m->data = NULL;
  MPI_Request r;
  if (MPI_Isend(&answers[read ? 0 : 1], 1, MPI_BYTE, m->source,
                MPIPOOL__TAG_CMA_ACK, comm, &r) != MPI_SUCCESS) {
    mpipool__free(data);
    return MPIPOOL_EMPI;
  }
  MPI_Request_free(&r);
  if (!read)
    return 0;
  m->tag = MPIPOOL__TAG_RESULTS;
  m->data = data;
  m->len = len;
  return 1;
}

static int l_poll(mpipool__link_t *l, MPI_Comm comm, int source, int tag,
                  mpipool__msg_t *m) {
  int got = mpipool__recv_poll(comm, source, tag, m);
  if (got == 1 && m->tag == MPIPOOL__TAG_CMA)
    got = take_cma((link_mpi_t *)l, comm, m);
  return got;
}

static void *l_spare(mpipool__link_t *l, size_t *cap) {
  return mpipool__sends_spare(&((link_mpi_t *)l)->sends, cap);
}

static size_t l_bytes(const mpipool__link_t *l) {
  const mpipool__sends_t *s = &((const link_mpi_t *)l)->sends;
  size_t n = sizeof(link_mpi_t);
  for (int k = 0; k < 4; k++)
    n += s->caps[k] * sizeof(void *); /* about: a pointer each */
  return n + mpipool__spares_bytes(&s->spares);
}

static void l_free(mpipool__link_t *l) {
  if (l == NULL)
    return;
  mpipool__sends_free(&((link_mpi_t *)l)->sends);
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
  mpipool__cma_node(&l->node);
  *out = &l->link;
  return MPIPOOL_OK;
}
