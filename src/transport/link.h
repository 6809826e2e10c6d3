/*
 * link.h - how the master's engine reaches its workers: messages sent in
 * the background, messages received by polling, never blocking.  The pool
 * runs the engine on MPI's link (mpipool__link_mpi_new, over msg.h); the
 * engine's simulator (bench/sim) runs it on an in-memory link with
 * simulated workers, with no MPI at all.  A peer is a rank of a
 * communicator, as MPI names it; a link that is not MPI's only compares
 * the handles.
 */
#ifndef MPIPOOL_LINK_H
#define MPIPOOL_LINK_H

#include <mpi.h>
#include <stddef.h>

#include "msg.h"

typedef struct mpipool__link mpipool__link_t;

/* A peer's channel broke (poll). */
#define MPIPOOL__EPEER (MPIPOOL_ERRNO_LAST - 2)

struct mpipool__link {
  /* Starts sending len bytes of buf (taken: freed when sent, or at once
   * on failure) to rank dest of comm.  0, ENOMEM, E2BIG or EMPI. */
  int (*send)(mpipool__link_t *l, MPI_Comm comm, int dest, int tag, void *buf,
              size_t len);
  /* Completes what it can of the sends.  0 or EMPI. */
  int (*progress)(mpipool__link_t *l);
  /* Waits until every send completed or mpipool__now() reaches deadline.
   * 0, EMPI, or ETIMEDOUT with sends still pending. */
  int (*drain)(mpipool__link_t *l, double deadline);
  /* Gives up the sends pending to rank dest of comm (comm MPI_COMM_NULL:
   * to anyone), a peer that is gone.  Returns how many. */
  size_t (*forget)(mpipool__link_t *l, MPI_Comm comm, int dest);
  /* Receives a message of comm from source (or MPI_ANY_SOURCE) with tag
   * (or MPI_ANY_TAG) if one waits: 1 and *m set, 0 if none, EMPI or
   * ENOMEM (the message waits), or MPIPOOL__EPEER: what rank m->source
   * sent through its channel (shm.h) is not messages, its task overwrote
   * that memory; the link killed it (it is on this node) and dropped the
   * channel: it is lost. */
  int (*poll)(mpipool__link_t *l, MPI_Comm comm, int source, int tag,
              mpipool__msg_t *m);
  /* A buffer of an earlier send, whose pages are in memory already, to
   * encode a large message into (taken, with its capacity in *cap), or
   * NULL.  May be NULL itself: the link keeps none. */
  void *(*spare)(mpipool__link_t *l, size_t *cap);
  /* The bytes the link holds for its sends in flight (about). */
  size_t (*bytes)(const mpipool__link_t *l);
  void (*free)(mpipool__link_t *l);
  /* 1 when send takes tag MPIPOOL__TAG_TASKS_CMA: a TASKS frame the peer,
   * a worker of this node, reads from this process's memory (cma.h) in
   * one copy instead of receiving it (over TCP, for a singleton's spawned
   * workers).  The link sends a descriptor and keeps buf until the
   * worker answers (tag TASKS_ACK, taken by poll): read, buf is done
   * with; not read, buf goes as a TASKS_BYTES message.  Where Yama's
   * ptrace_scope is 1 or more a worker may not read its master (only an
   * ancestor may read a descendant): it declines, and each such frame
   * costs a round trip more.  forget() keeps the bufs of a peer that is
   * gone until free() (it might be reading them).  Links without it (0)
   * are sent TASKS. */
  int offers;
  /* Channels through shared memory (shm.h), or NULL: the link has none.
   * A worker offered one (tag SHM, the message msg of len bytes, from
   * rank dest of comm): adopt takes it or not, and answers the worker
   * (SHM_ACK).  From then on the link reaches that worker through it,
   * and poll takes from it what the worker sends.  0 or an error (EMPI,
   * ENOMEM). */
  int (*adopt)(mpipool__link_t *l, MPI_Comm comm, int dest, const void *msg,
               size_t len);
  /* Rank dest of comm has left for good (said BYE, or was lost): what
   * the link holds for it goes (its channel).  May be NULL. */
  void (*gone)(mpipool__link_t *l, MPI_Comm comm, int dest);
  /* The socket its workers give their channels to (CONFIG's), or "". */
  const char *shm_name;
};

/* MPI's link (msg.h), with channels through shared memory for the
 * workers of this node unless MPIPOOL_SHM=0: 0 or ENOMEM. */
int mpipool__link_mpi_new(mpipool__link_t **out);

#endif
