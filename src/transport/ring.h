/*
 * ring.h - a one-way pipe of messages through memory that two processes
 * share: one writes, the other reads, and neither makes a system call or
 * takes a lock.  A master's channel to a worker of its node is two of
 * them (shm.h).
 *
 * The ring is a byte stream of `cap` bytes (a power of two) with two
 * counters: `head`, the bytes ever written, which only the writer
 * stores, and `tail`, the bytes ever read, which only the reader stores.
 * Bytes reach the reader only when head moves past them (a release store
 * after the copy, an acquire load before it), so a writer that dies
 * mid-message leaves the reader at most a message begun and not ended,
 * which it never delivers: a reader gets whole messages or none.
 *
 * A message is a frame: a 16-byte header (its tag, the tag's complement,
 * its length) and its bytes, padded to 8.  A message larger than the
 * ring's free room is written in parts as the reader makes room (the
 * writer keeps what it could not write yet, in the order sent), and read
 * into a buffer of its length: any size passes through any ring.
 *
 * One writer (a process, or a thread at a time) per ring, one reader per
 * ring.  The memory is the caller's: an anonymous shared mapping, or a
 * memory file (memfd) mapped in both processes.
 */
#ifndef MPIPOOL_RING_H
#define MPIPOOL_RING_H

#include <stddef.h>
#include <stdint.h>

typedef struct mpipool__ring mpipool__ring_t;

/* The bytes a ring of data capacity cap (a power of two, at least 64)
 * takes in shared memory. */
size_t mpipool__ring_size(size_t cap);

/* Makes a ring in the size bytes at mem (aligned to 64 bytes): its
 * capacity is the largest power of two that fits.  NULL when size is too
 * small (less than mpipool__ring_size(64)), or where 64-bit atomics are
 * not lock-free (they could not be shared between processes). */
mpipool__ring_t *mpipool__ring_init(void *mem, size_t size);

/* The ring another process made at mem (mapped here, size bytes): NULL
 * unless it is one (its mark) whose capacity fits in size. */
mpipool__ring_t *mpipool__ring_attach(void *mem, size_t size);

/* The ring's data capacity in bytes. */
size_t mpipool__ring_cap(const mpipool__ring_t *r);

/* --- the writer's side ---------------------------------------------------- */

/* A message sent and not wholly written yet. */
typedef struct {
  void *buf;
  size_t len;
  size_t off; /* bytes of its frame written (header included) */
  uint32_t tag;
} mpipool__ring_out_t;

typedef struct {
  mpipool__ring_t *ring;
  size_t ring_cap;        /* its capacity, as taken at init */
  mpipool__ring_out_t *q; /* waiting, oldest first: q[first..first+n) */
  size_t first, n, cap;
} mpipool__ring_writer_t;

/* A writer of ring r (r NULL: none yet). */
void mpipool__ring_writer_init(mpipool__ring_writer_t *w, mpipool__ring_t *r);

/* Sends len bytes of buf (malloc'd, taken: freed once written, or at once
 * on failure; NULL if len is 0) with tag: writes as much of it as fits,
 * keeps the rest for mpipool__ring_flush.  0 or MPIPOOL_ENOMEM. */
int mpipool__ring_send(mpipool__ring_writer_t *w, uint32_t tag, void *buf,
                       size_t len);

/* Writes a copy of len bytes at p with tag if nothing waits and the
 * ring has room for all of it: 1; else 0 (nothing written).  It needs no
 * memory. */
int mpipool__ring_put(mpipool__ring_writer_t *w, uint32_t tag, const void *p,
                      size_t len);

/* Writes what fits of the messages waiting.  Returns how many still
 * wait (0: all written). */
size_t mpipool__ring_flush(mpipool__ring_writer_t *w);

/* The bytes the writer holds for messages waiting. */
size_t mpipool__ring_pending(const mpipool__ring_writer_t *w);

/* Frees the messages still waiting (unwritten) and what the writer has. */
void mpipool__ring_writer_free(mpipool__ring_writer_t *w);

/* --- the reader's side ---------------------------------------------------- */

typedef struct {
  mpipool__ring_t *ring;
  size_t ring_cap; /* its capacity, as taken at init */
  size_t max;      /* the longest message taken; a longer one is EPROTO */
  /* A message being read in parts (data NULL: none). */
  void *data;
  size_t len, got;
  uint32_t tag;
} mpipool__ring_reader_t;

/* A reader of ring r taking messages of up to max bytes. */
void mpipool__ring_reader_init(mpipool__ring_reader_t *rd, mpipool__ring_t *r,
                               size_t max);

/* Takes the next message if it has wholly arrived: 1 with *tag, *data
 * (malloc'd, taken; NULL when *len is 0) and *len set; 0 when none has
 * (what has arrived of one is kept); MPIPOOL_ENOMEM (it waits: a later
 * call gets it); MPIPOOL_EPROTO when the ring holds no frame where one
 * must start, or a message longer than max (the ring is then useless). */
int mpipool__ring_recv(mpipool__ring_reader_t *rd, uint32_t *tag, void **data,
                       size_t *len);

/* 1 when a frame with tag has begun to arrive behind what was taken
 * (its header is there), 0 if none has or the ring is broken.  Nothing
 * is taken: it reads the frames' headers only. */
int mpipool__ring_has(const mpipool__ring_reader_t *rd, uint32_t tag);

/* Frees a message read in part. */
void mpipool__ring_reader_free(mpipool__ring_reader_t *rd);

#endif
