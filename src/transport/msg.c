/*
 * msg.c - non-blocking sends and any-size receives (see msg.h).  The pool's
 * communicators have MPI_ERRORS_RETURN set, so every failure comes back
 * here as a code instead of aborting the job.
 */
#include "config.h"
#include "msg.h"

#include "mpipool.h"
#include "base/alloc.h"
#include "base/clock.h"

#include <errno.h>
#include <limits.h>
#if HAVE_MALLOC_USABLE_SIZE
#include <malloc.h>
#endif
#include <stdlib.h>

/* Room for one more send in each of the six parallel arrays (each keeps
 * its own capacity: a failure part way leaves every array valid). */
static int grow(mpipool__sends_t *s) {
  size_t need = s->n + 1;
  if (mpipool__grow((void **)&s->reqs, &s->caps[0], need, sizeof *s->reqs) ||
      mpipool__grow((void **)&s->bufs, &s->caps[1], need, sizeof *s->bufs) ||
      mpipool__grow((void **)&s->comms, &s->caps[2], need, sizeof *s->comms) ||
      mpipool__grow((void **)&s->dests, &s->caps[3], need, sizeof *s->dests) ||
      mpipool__grow((void **)&s->done, &s->caps[4], need, sizeof *s->done) ||
      mpipool__grow((void **)&s->statuses, &s->caps[5], need,
                    sizeof *s->statuses))
    return MPIPOOL_ENOMEM;
  return MPIPOOL_OK;
}

/* Drops the requests that are MPI_REQUEST_NULL now from the arrays. */
static void compact(mpipool__sends_t *s) {
  size_t j = 0;
  for (size_t i = 0; i < s->n; i++) {
    if (s->reqs[i] == MPI_REQUEST_NULL)
      continue;
    s->reqs[j] = s->reqs[i];
    s->bufs[j] = s->bufs[i];
    s->comms[j] = s->comms[i];
    s->dests[j] = s->dests[i];
    j++;
  }
  s->n = j;
}

size_t mpipool__msg_max(void) {
  const char *v = getenv("MPIPOOL_FAULT_MSG_MAX");
  char *end;
  if (v == NULL || *v < '0' || *v > '9')
    return (size_t)INT_MAX;
  errno = 0;
  unsigned long long n = strtoull(v, &end, 10);
  if (errno || *end || n < 1024 || n > (unsigned long long)INT_MAX)
    return (size_t)INT_MAX;
  return (size_t)n;
}

int mpipool__send(mpipool__sends_t *s, MPI_Comm comm, int dest, int tag,
                  void *buf, size_t len) {
  int err = MPIPOOL_OK;
  if (len > (size_t)INT_MAX)
    err = MPIPOOL_E2BIG;
  else
    err = grow(s);
  if (err == MPIPOOL_OK && MPI_Isend(buf, (int)len, MPI_BYTE, dest, tag, comm,
                                     &s->reqs[s->n]) != MPI_SUCCESS)
    err = MPIPOOL_EMPI;
  if (err) {
    mpipool__free(buf);
    return err;
  }
  s->comms[s->n] = comm;
  s->dests[s->n] = dest;
  s->bufs[s->n++] = buf;
  return MPIPOOL_OK;
}

void mpipool__sends_recycle(mpipool__sends_t *s, void *buf) {
#if HAVE_MALLOC_USABLE_SIZE
  if (buf && mpipool__spares_keep(&s->spares, buf, malloc_usable_size(buf)))
    return;
#endif
  mpipool__free(buf);
}

void *mpipool__sends_spare(mpipool__sends_t *s, size_t *cap) {
  return mpipool__spares_take(&s->spares, cap);
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
    mpipool__sends_recycle(s, s->bufs[s->done[k]]);
    s->bufs[s->done[k]] = NULL;
  }
  compact(s); /* completed requests are MPI_REQUEST_NULL now */
  return MPIPOOL_OK;
}

int mpipool__sends_drain(mpipool__sends_t *s, double deadline) {
  mpipool__backoff_t b = {0};
  while (s->n) {
    size_t before = s->n;
    int err = mpipool__sends_progress(s);
    if (err)
      return err;
    if (s->n < before)
      continue;
    if (deadline >= 0 && mpipool__now() >= deadline)
      return MPIPOOL_ETIMEDOUT;
    mpipool__backoff_idle(&b);
  }
  return MPIPOOL_OK;
}

size_t mpipool__sends_forget(mpipool__sends_t *s, MPI_Comm comm, int dest) {
  size_t n = 0;
  for (size_t i = 0; i < s->n; i++)
    if (comm == MPI_COMM_NULL || (s->comms[i] == comm && s->dests[i] == dest)) {
      MPI_Request_free(&s->reqs[i]); /* MPI_REQUEST_NULL now */
      /* Kept for sends_free; if even that cannot be had, left to MPI. */
      if (mpipool__grow((void **)&s->given_up, &s->given_up_cap,
                        s->ngiven_up + 1, sizeof *s->given_up) == 0)
        s->given_up[s->ngiven_up++] = s->bufs[i];
      s->bufs[i] = NULL;
      n++;
    }
  compact(s);
  return n;
}

void mpipool__sends_free(mpipool__sends_t *s) {
  for (size_t i = 0; i < s->n; i++)
    mpipool__free(s->bufs[i]);
  for (size_t i = 0; i < s->ngiven_up; i++)
    mpipool__free(s->given_up[i]);
  mpipool__free(s->given_up);
  mpipool__spares_free(&s->spares);
  mpipool__free(s->reqs);
  mpipool__free(s->bufs);
  mpipool__free(s->comms);
  mpipool__free(s->dests);
  mpipool__free(s->done);
  mpipool__free(s->statuses);
  *s = (mpipool__sends_t){0};
}

int mpipool__recv_poll(MPI_Comm comm, int source, int tag, mpipool__msg_t *m) {
  int flag, count;
  MPI_Status st;
  /* Probe, then receive that very message: one thread receives on each
   * communicator, and messages from one source with one tag arrive in
   * order, so the first that matches (source, tag) is the one probed.  A
   * message whose buffer cannot be had stays where it is, for the next
   * poll: out of memory costs time, not the message. */
  if (MPI_Iprobe(source, tag, comm, &flag, &st) != MPI_SUCCESS)
    return MPIPOOL_EMPI;
  if (!flag)
    return 0;
  if (MPI_Get_count(&st, MPI_BYTE, &count) != MPI_SUCCESS || count < 0)
    return MPIPOOL_EMPI;
  void *data = NULL;
  if (count > 0 && (data = mpipool__malloc((size_t)count)) == NULL)
    return MPIPOOL_ENOMEM;
  if (MPI_Recv(data, count, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, comm,
               MPI_STATUS_IGNORE) != MPI_SUCCESS) {
    mpipool__free(data);
    return MPIPOOL_EMPI;
  }
  m->source = st.MPI_SOURCE;
  m->tag = st.MPI_TAG;
  m->data = data;
  m->len = (size_t)count;
  return 1;
}

int mpipool__recv_wait(MPI_Comm comm, int source, int tag, mpipool__msg_t *m,
                       mpipool__gone_fn gone, void *arg) {
  mpipool__backoff_t b = {0};
  for (;;) {
    int got = mpipool__recv_poll(comm, source, tag, m);
    if (got != 0)
      return got < 0 ? got : MPIPOOL_OK;
    if (gone && gone(arg))
      return MPIPOOL__EGONE;
    mpipool__backoff_idle(&b);
  }
}

int mpipool__send_answer(MPI_Comm comm, int dest, int tag, int no) {
  static const char answers[2] = {0, 1};
  MPI_Request r;
  if (MPI_Isend(&answers[no ? 1 : 0], 1, MPI_BYTE, dest, tag, comm, &r) !=
      MPI_SUCCESS)
    return MPIPOOL_EMPI;
  MPI_Request_free(&r);
  return MPIPOOL_OK;
}
