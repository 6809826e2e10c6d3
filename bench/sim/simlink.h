/*
 * simlink.h - simulated workers behind an in-memory link (see
 * src/transport/link.h): the master's engine runs in one process with no
 * MPI.  Each simulated worker answers at once: CONFIG with HELLO, a TASKS
 * frame with its RESULTS (each item's result is the item's bytes, and the
 * frame reports `task_ns` of work per item), STOP and TERMINATE with BYE.
 * So the engine runs as fast as it can: what it costs per message, and
 * what it holds per worker, at any worker count.
 *
 * One worker may be made to die: it answers its first `die_after` frames,
 * then its process (a child that only waits) is killed and it answers
 * nothing more, as a worker killed with kill -9; the engine finds it by
 * its process id, as it finds its node's workers.
 *
 * One worker may be made to go silent: it runs on another node (it says
 * it beats), answers its first `mute_after` frames, then nothing more,
 * not even BYE, as one whose node was lost; the engine finds it by its
 * silence.  The others say they beat only when `beats` is set (then
 * the engine must be told to wait longer than the run for a silence: no
 * BEAT ever comes).
 */
#ifndef MPIPOOL_SIMLINK_H
#define MPIPOOL_SIMLINK_H

#include <stddef.h>
#include <stdint.h>

#include "transport/link.h"

typedef struct {
  mpipool__link_t link; /* first: what the engine is given */
  MPI_Comm comm;        /* the communicator the workers are ranks of */
  const char *host;     /* the master's node: the dying worker runs there */
  uint64_t task_ns;     /* work reported per item */
  int die_rank;         /* the worker that dies (0: none) */
  uint64_t die_after;   /* frames it answers first */
  int die_pid;          /* its process */
  int mute_rank;        /* the worker that goes silent (0: none) */
  uint64_t mute_after;  /* frames it answers first (0: it is silent) */
  int beats;            /* every worker says it beats (none does) */
  /* Counts. */
  uint64_t frames;            /* TASKS frames answered */
  uint64_t items;             /* items in them */
  uint64_t dropped;           /* frames sent to the dead worker */
  uint64_t msgs_in, msgs_out; /* the engine's messages received, sent */
  double sim_s;               /* seconds spent simulating the workers */
  /* The engine's inbox: a ring of messages. */
  mpipool__msg_t *ring;
  size_t head, len, cap;
  size_t peak; /* most messages waiting at once */
} simlink_t;

/* Makes a link whose workers are ranks of comm; host is the master's
 * node's name (borrowed).  0 or ENOMEM. */
int simlink_new(simlink_t **out, MPI_Comm comm, const char *host,
                uint64_t task_ns);

/* Makes worker `rank` die after answering `after` frames (call before the
 * engine starts).  0, or -1 if its stand-in process cannot start. */
int simlink_die(simlink_t *s, int rank, uint64_t after);

/* Makes worker `rank` go silent after answering `after` frames (call
 * before the engine starts). */
void simlink_mute(simlink_t *s, int rank, uint64_t after);

/* The bytes the link holds (its inbox), not the engine's. */
size_t simlink_bytes(const simlink_t *s);

#endif
