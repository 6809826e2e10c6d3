/*
 * link_mpi.c - the engine's link over MPI point-to-point (see link.h):
 * msg.h's background sends and polled receives.
 */
#include "config.h"
#include "link.h"

#include "base/alloc.h"
#include "mpipool.h"

typedef struct {
  mpipool__link_t link; /* first: the link is the object */
  mpipool__sends_t sends;
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

static int l_poll(mpipool__link_t *l, MPI_Comm comm, int source, int tag,
                  mpipool__msg_t *m) {
  (void)l;
  return mpipool__recv_poll(comm, source, tag, m);
}

static size_t l_bytes(const mpipool__link_t *l) {
  const mpipool__sends_t *s = &((const link_mpi_t *)l)->sends;
  size_t n = sizeof(link_mpi_t);
  for (int k = 0; k < 4; k++)
    n += s->caps[k] * sizeof(void *); /* about: a pointer each */
  return n;
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
  l->link.bytes = l_bytes;
  l->link.free = l_free;
  *out = &l->link;
  return MPIPOOL_OK;
}
