/*
 * msg.h - the thin layer over MPI point-to-point that master and worker
 * share: sends that complete in the background and free their buffers, and
 * receives of messages of any size (probe, then receive exactly that).
 */
#ifndef MPIPOOL_MSG_H
#define MPIPOOL_MSG_H

#include <mpi.h>
#include <stddef.h>

#include "mpipool.h"
#include "backoff.h"
#include "buf.h"

typedef struct {
  MPI_Request *reqs;
  void **bufs;
  MPI_Comm *comms; /* where each goes: comms[i], rank dests[i] */
  int *dests;
  int *done;            /* scratch for MPI_Testsome */
  MPI_Status *statuses; /* its statuses (MPICH's header makes gcc warn
                         * about MPI_STATUSES_IGNORE) */
  size_t n;
  size_t caps[6];  /* of reqs, bufs, comms, dests, done, statuses */
  void **given_up; /* buffers of sends given up (mpipool__sends_forget) */
  size_t ngiven_up, given_up_cap;
  mpipool__spares_t spares; /* of completed sends (buf.h) */
} mpipool__sends_t;

/* How long the sends still pending at the end may take: a send to a peer
 * that died may never complete (Open MPI 4.1 has no ULFM). */
#define MPIPOOL__DRAIN_S 10.0

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

/* The largest buffer kept from completed sends (buf.h's spares; taken:
 * the caller's to fill and send, or free), its capacity in *cap; NULL if
 * none (or where malloc_usable_size is not had). */
void *mpipool__sends_spare(mpipool__sends_t *s, size_t *cap);

/* Keeps buf (a sent message's, malloc'd, the caller's no more) as a
 * spare if buf.h's spares take it, else frees it.  Completed sends go
 * this way. */
void mpipool__sends_recycle(mpipool__sends_t *s, void *buf);

/* Completes what it can without blocking.  0 or EMPI. */
int mpipool__sends_progress(mpipool__sends_t *s);

/* Waits (backing off) until every send has completed, or until
 * mpipool__now() reaches deadline (< 0: no deadline).  0, EMPI, or
 * ETIMEDOUT with sends still pending. */
int mpipool__sends_drain(mpipool__sends_t *s, double deadline);

/* Gives up the sends still pending to rank dest of comm (comm
 * MPI_COMM_NULL: to anyone), a peer that is gone: their requests are
 * freed (MPI completes them, or not, in the background); their buffers
 * are kept until mpipool__sends_free (a peer that is gone reads none).
 * Returns how many. */
size_t mpipool__sends_forget(mpipool__sends_t *s, MPI_Comm comm, int dest);

void mpipool__sends_free(mpipool__sends_t *s);

/* Sends one byte, 0 (yes) or 1 (no), to dest: the answer to a peer that
 * waits for it (cma.h's offers).  It needs no memory (a static byte, its
 * request freed at once: MPI completes it), so that a peer is never left
 * waiting for want of it.  0 or EMPI. */
int mpipool__send_answer(MPI_Comm comm, int dest, int tag, int no);

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

/* The answer of a wait given up because its peer is gone. */
#define MPIPOOL__EGONE (MPIPOOL_ERRNO_LAST - 1)

/* Tells whether the peer a wait is for is gone: 1 or 0. */
typedef int (*mpipool__gone_fn)(void *arg);

/* As recv_poll, but waits (backing off) until a message arrives, or until
 * gone(arg), asked between polls, says the sender is gone: then
 * MPIPOOL__EGONE (gone NULL: waits for ever). */
int mpipool__recv_wait(MPI_Comm comm, int source, int tag, mpipool__msg_t *m,
                       mpipool__gone_fn gone, void *arg);

#endif
