/*
 * shm.h - a master's and a worker's channel through shared memory: two
 * rings (ring.h), one each way, in a memory file (memfd) the worker makes
 * and passes to the master over a Unix socket.  Open MPI 4.1's shared
 * memory connects only the processes of one job, so a singleton's
 * spawned workers, and every worker spawned in place of another, would
 * reach the master over TCP, a system call or more per message and per
 * poll; on a channel a message is a copy into the ring and one out.
 *
 * The rendezvous.  The master listens on a socket of Linux's abstract
 * namespace whose name is random (mpipool__shm_listen), and names it in
 * every worker's CONFIG.  A worker makes its channel
 * (mpipool__shm_chan_make) and gives the file to the socket with a
 * random nonce (mpipool__shm_give: connect, SCM_RIGHTS, close), then
 * says over MPI that it offers a channel (tag SHM, the nonce) and waits
 * for the answer over MPI (tag SHM_ACK, one byte: 0 yes, 1 no).  The
 * master takes the file given with that nonce (mpipool__shm_take: the
 * connection was made before the MPI message was sent, so it waits in
 * the socket's queue), maps it (mpipool__shm_chan_adopt) and answers.
 * The answer is the last MPI message of the master to the worker and the
 * offer the last of the worker's to the master (but its heartbeats,
 * which overtake work on purpose): from then on both send and receive
 * on the channel, so no message overtakes another.  A worker of another
 * node, or of another network namespace, finds no such socket; one of
 * another user is refused (SO_PEERCRED); either way MPI stays.
 *
 * A peer that dies leaves the channel's whole messages to be read (ring.h);
 * the file goes with the last of the two mappings.  Linux only: elsewhere
 * listen and make fail, and MPI stays.
 */
#ifndef MPIPOOL_SHM_H
#define MPIPOOL_SHM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "msg.h"
#include "ring.h"

/* Each ring's capacity (its pages are touched as it is used). */
#define MPIPOOL__SHM_RING (1u << 20)

/* The longest socket name (without the abstract namespace's NUL). */
#define MPIPOOL__SHM_NAME_MAX 64

typedef struct {
  void *mem; /* the mapping: the master's ring (to the worker) first */
  size_t size;
  mpipool__ring_writer_t out;
  mpipool__ring_reader_t in;
  /* Messages taken off the ring while a wait looked for another tag,
   * oldest first: stash[0..nstash). */
  mpipool__msg_t *stash;
  size_t nstash, stash_cap;
} mpipool__shm_chan_t;

/* The worker's side: makes the memory file and its two rings; *fd is the
 * file's (close-on-exec; the caller's, to give and close).  Messages of
 * up to max bytes are taken.  0, ENOMEM, or EMPI (no memory file: not
 * Linux, or out of descriptors). */
int mpipool__shm_chan_make(mpipool__shm_chan_t *c, int *fd, size_t max);

/* The master's side: maps the file fd (a worker's; not closed here) and
 * checks it holds the two rings.  0, ENOMEM, or EPROTO (not a channel). */
int mpipool__shm_chan_adopt(mpipool__shm_chan_t *c, int fd, size_t max);

/* Sends len bytes of buf (malloc'd, taken) with tag: written into the
 * ring as room allows (mpipool__shm_flush writes the rest).  0 or
 * ENOMEM. */
int mpipool__shm_send(mpipool__shm_chan_t *c, int tag, void *buf, size_t len);

/* Sends one byte, 0 (yes) or 1 (no), with tag: the answer a peer waits
 * for (cma.h's offers).  Needs no memory when nothing waits before it
 * and the ring has room (else as mpipool__shm_send).  0 or ENOMEM. */
int mpipool__shm_answer(mpipool__shm_chan_t *c, int tag, int no);

/* Writes what room allows of what waits; returns how many messages
 * still wait. */
size_t mpipool__shm_flush(mpipool__shm_chan_t *c);

/* Takes the oldest message with tag (or MPI_ANY_TAG) that has arrived
 * (those of other tags before it are kept, in order, for later): 1 and
 * *m set (m->source 0), 0 if none, ENOMEM (it waits), or EPROTO (the
 * ring is broken). */
int mpipool__shm_poll(mpipool__shm_chan_t *c, int tag, mpipool__msg_t *m);

/* Keeps message m (taken) for mpipool__shm_poll, after those kept
 * before: a message that came another way before the channel was
 * there.  0 or ENOMEM (m then freed). */
int mpipool__shm_keep(mpipool__shm_chan_t *c, const mpipool__msg_t *m);

/* 1 when a message with tag has arrived, or begun to (nothing is
 * taken). */
int mpipool__shm_has(const mpipool__shm_chan_t *c, int tag);

/* As mpipool__shm_poll, but waits (backing off) until one arrives, or
 * until gone(arg) says the peer is gone: then MPIPOOL__EGONE. */
int mpipool__shm_wait(mpipool__shm_chan_t *c, int tag, mpipool__msg_t *m,
                      mpipool__gone_fn gone, void *arg);

/* The bytes the channel holds beside its mapping (messages waiting to be
 * written or kept for a later poll). */
size_t mpipool__shm_bytes(const mpipool__shm_chan_t *c);

/* Unmaps it and frees what it holds.  A zeroed channel: no-op. */
void mpipool__shm_chan_free(mpipool__shm_chan_t *c);

/* --- the rendezvous ------------------------------------------------------- */

typedef struct {
  uint64_t nonce;
  int fd;
  pid_t pid; /* the process that gave it (SO_PEERCRED) */
} mpipool__shm_given_t;

typedef struct {
  int fd; /* the listening socket; -1: none */
  char name[MPIPOOL__SHM_NAME_MAX + 1];
  mpipool__shm_given_t *given; /* files given, not taken yet */
  size_t ngiven, given_cap;
} mpipool__shm_listener_t;

/* Listens on a new socket of the abstract namespace with a random name
 * (l->name).  0, or EMPI (l->fd -1: no channels). */
int mpipool__shm_listen(mpipool__shm_listener_t *l);

/* The file given with nonce (taken: the caller's to close), *pid the
 * process that gave it; or -1 when none was: reads the files waiting on
 * the socket. */
int mpipool__shm_take(mpipool__shm_listener_t *l, uint64_t nonce, pid_t *pid);

void mpipool__shm_listener_free(mpipool__shm_listener_t *l);

/* Gives file fd, with nonce, to the socket named name.  0, or EMPI (no
 * such socket here: another node). */
int mpipool__shm_give(const char *name, int fd, uint64_t nonce);

#endif
