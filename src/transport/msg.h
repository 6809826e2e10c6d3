/*
 * msg.h - the thin layer over MPI point-to-point that master and worker
 * share: sends that complete in the background and free their buffers, and
 * receives of messages of any size (probe, then receive exactly that).
 */
#ifndef MPIPOOL_MSG_H
#define MPIPOOL_MSG_H

#include <mpi.h>
#include <stddef.h>

#include "backoff.h"

typedef struct {
  MPI_Request *reqs;
  void **bufs;
  int *done;            /* scratch for MPI_Testsome */
  MPI_Status *statuses; /* its statuses (MPICH's header makes gcc warn
                         * about MPI_STATUSES_IGNORE) */
  size_t n;
  size_t caps[4]; /* of reqs, bufs, done, statuses */
} mpipool__sends_t;

/*
 * The largest message this process sends as a RESULTS frame: INT_MAX
 * bytes (2 GiB - 1: MPI counts are int).  For the tests,
 * MPIPOOL_FAULT_MSG_MAX=N in the environment (N from 1024 to INT_MAX)
 * lowers it to N bytes, so that results too large for one message are
 * tried without gigabytes.  Read from the environment at each call.
 */
size_t mpipool__msg_max(void);

/* Starts sending len bytes of buf (taken: freed when the send completes,
 * or at once on failure) to dest.  0, ENOMEM, E2BIG or EMPI. */
int mpipool__send(mpipool__sends_t *s, MPI_Comm comm, int dest, int tag,
                  void *buf, size_t len);

/* Completes what it can without blocking.  0 or EMPI. */
int mpipool__sends_progress(mpipool__sends_t *s);

/* Waits (backing off) until every send has completed.  0 or EMPI. */
int mpipool__sends_drain(mpipool__sends_t *s);

void mpipool__sends_free(mpipool__sends_t *s);

/* A received message. */
typedef struct {
  int source;
  int tag;
  void *data; /* malloc'd (taken by the caller); NULL if len 0 */
  size_t len;
} mpipool__msg_t;

/*
 * Receives one message from `source` (or MPI_ANY_SOURCE) with `tag` (or
 * MPI_ANY_TAG) if one is waiting: returns 1 with *m set, 0 if none, or
 * EMPI, or ENOMEM (the message is left waiting: a later poll gets it).
 * One thread only may receive on comm.
 */
int mpipool__recv_poll(MPI_Comm comm, int source, int tag, mpipool__msg_t *m);

/* As recv_poll, but waits (backing off) until a message arrives. */
int mpipool__recv_wait(MPI_Comm comm, int source, int tag, mpipool__msg_t *m);

#endif
