/*
 * msg.c - non-blocking sends and any-size receives (see msg.h).  The pool's
 * communicators have MPI_ERRORS_RETURN set, so every failure comes back
 * here as a code instead of aborting the job.
 */
#include "config.h"
#include "msg.h"
#include "mpipool.h"

#include <limits.h>
#include <stdlib.h>

static int grow(mpipool__sends_t *s) {
  size_t cap = s->cap ? s->cap * 2 : 16;
  MPI_Request *r = realloc(s->reqs, cap * sizeof *r);
  if (r == NULL)
    return MPIPOOL_ENOMEM;
  s->reqs = r;
  void **b = realloc(s->bufs, cap * sizeof *b);
  if (b == NULL)
    return MPIPOOL_ENOMEM;
  s->bufs = b;
  int *d = realloc(s->done, cap * sizeof *d);
  if (d == NULL)
    return MPIPOOL_ENOMEM;
  s->done = d;
  MPI_Status *st = realloc(s->statuses, cap * sizeof *st);
  if (st == NULL)
    return MPIPOOL_ENOMEM;
  s->statuses = st;
  s->cap = cap;
  return MPIPOOL_OK;
}

int mpipool__send(mpipool__sends_t *s, MPI_Comm comm, int dest, int tag,
                  void *buf, size_t len) {
  int err = MPIPOOL_OK;
  if (len > (size_t)INT_MAX)
    err = MPIPOOL_E2BIG;
  else if (s->n == s->cap)
    err = grow(s);
  if (err == MPIPOOL_OK &&
      MPI_Isend(buf, (int)len, MPI_BYTE, dest, tag, comm, &s->reqs[s->n]) !=
          MPI_SUCCESS)
    err = MPIPOOL_EMPI;
  if (err) {
    free(buf);
    return err;
  }
  s->bufs[s->n++] = buf;
  return MPIPOOL_OK;
}

int mpipool__sends_progress(mpipool__sends_t *s) {
  int outcount;
  if (s->n == 0)
    return MPIPOOL_OK;
  if (MPI_Testsome((int)s->n, s->reqs, &outcount, s->done, s->statuses) !=
      MPI_SUCCESS)
    return MPIPOOL_EMPI;
  if (outcount == MPI_UNDEFINED || outcount == 0)
    return MPIPOOL_OK;
  for (int k = 0; k < outcount; k++) {
    free(s->bufs[s->done[k]]);
    s->bufs[s->done[k]] = NULL;
  }
  /* Compact: completed requests are MPI_REQUEST_NULL now. */
  size_t j = 0;
  for (size_t i = 0; i < s->n; i++) {
    if (s->reqs[i] == MPI_REQUEST_NULL)
      continue;
    s->reqs[j] = s->reqs[i];
    s->bufs[j] = s->bufs[i];
    j++;
  }
  s->n = j;
  return MPIPOOL_OK;
}

int mpipool__sends_drain(mpipool__sends_t *s) {
  mpipool__backoff_t b = {0};
  while (s->n) {
    size_t before = s->n;
    int err = mpipool__sends_progress(s);
    if (err)
      return err;
    if (s->n == before)
      mpipool__backoff_idle(&b);
  }
  return MPIPOOL_OK;
}

void mpipool__sends_free(mpipool__sends_t *s) {
  for (size_t i = 0; i < s->n; i++)
    free(s->bufs[i]);
  free(s->reqs);
  free(s->bufs);
  free(s->done);
  free(s->statuses);
  *s = (mpipool__sends_t){0};
}

int mpipool__recv_poll(MPI_Comm comm, int source, int tag, mpipool__msg_t *m) {
  int flag, count;
  MPI_Message handle;
  MPI_Status st;
  if (MPI_Improbe(source, tag, comm, &flag, &handle, &st) != MPI_SUCCESS)
    return MPIPOOL_EMPI;
  if (!flag)
    return 0;
  if (MPI_Get_count(&st, MPI_BYTE, &count) != MPI_SUCCESS || count < 0)
    return MPIPOOL_EMPI;
  void *data = NULL;
  if (count > 0 && (data = malloc((size_t)count)) == NULL) {
    /* Still take the message off the wire, into a smaller buffer that
     * cannot hold it, so the caller sees an error rather than a hang. */
    char tiny;
    MPI_Mrecv(&tiny, 0, MPI_BYTE, &handle, MPI_STATUS_IGNORE);
    return MPIPOOL_ENOMEM;
  }
  if (MPI_Mrecv(data, count, MPI_BYTE, &handle, MPI_STATUS_IGNORE) !=
      MPI_SUCCESS) {
    free(data);
    return MPIPOOL_EMPI;
  }
  m->source = st.MPI_SOURCE;
  m->tag = st.MPI_TAG;
  m->data = data;
  m->len = (size_t)count;
  return 1;
}

int mpipool__recv_wait(MPI_Comm comm, int source, int tag, mpipool__msg_t *m) {
  mpipool__backoff_t b = {0};
  for (;;) {
    int got = mpipool__recv_poll(comm, source, tag, m);
    if (got != 0)
      return got < 0 ? got : MPIPOOL_OK;
    mpipool__backoff_idle(&b);
  }
}
