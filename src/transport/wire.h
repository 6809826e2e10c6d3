/*
 * wire.h - the messages between master and workers, as bytes.  Pure code
 * (no MPI), so that encoding and decoding are unit-tested on their own.
 *
 * A TASKS message carries one frame of one or more chunks; each chunk is a
 * run of items for one task function.  The worker answers every TASKS frame
 * with one RESULTS frame of the same sequence number and the same chunks in
 * the same order, so the master pairs them by order alone.  All integers are
 * in the host's byte order; sections are padded to 8 bytes.
 */
#ifndef MPIPOOL_WIRE_H
#define MPIPOOL_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "mpipool.h"

/* Message tags on the pool's private communicators. */
enum {
  MPIPOOL__TAG_CONFIG = 101, /* master -> worker: identity, tasks, initargs */
  MPIPOOL__TAG_HELLO,        /* worker -> master: initializer outcome */
  MPIPOOL__TAG_TASKS,        /* master -> worker: a frame of chunks */
  MPIPOOL__TAG_RESULTS,      /* worker -> master: the frame's results */
  MPIPOOL__TAG_STOP,         /* master -> worker: no more work, leave */
  MPIPOOL__TAG_TERMINATE,    /* master -> worker: drop queued work, leave */
  MPIPOOL__TAG_BYE,          /* worker -> master: last message */
  MPIPOOL__TAG_NOMAX,        /* master -> worker: stop counting tasks */
  MPIPOOL__TAG_BEAT,         /* worker -> master: alive (empty) */
  MPIPOOL__TAG_CMA,          /* worker -> master: read my RESULTS (cma.h) */
  MPIPOOL__TAG_CMA_ACK,      /* master -> worker: 0 read, 1 send them */
  MPIPOOL__TAG_STARTED,      /* worker -> master: its pid and host, before
                                its initializer runs (HELLO's encoding;
                                status, message and binding unread) */
  MPIPOOL__TAG_TASKS_CMA,    /* master -> worker: read this TASKS frame from
                                my memory (cma.h; link.h's TASKS_CMA) */
  MPIPOOL__TAG_TASKS_ACK,    /* worker -> master: 0 read, 1 send it */
  MPIPOOL__TAG_TASKS_BYTES,  /* master -> worker: the frame it could not
                                read, as a TASKS message */
  MPIPOOL__TAG_SHM,          /* worker -> master: I gave you a channel
                                (shm.h) with this nonce */
  MPIPOOL__TAG_SHM_ACK       /* master -> worker: 0 taken (all else goes
                                by it now), 1 not */
};

/* Items to send: either `count` fixed-size items at base, or (ptrs, sizes). */
typedef struct {
  const char *base;
  size_t item_size;
  const void *const *ptrs;
  const size_t *sizes;
} mpipool__src_t;

/* Size and address of item i of a source. */
size_t mpipool__src_size(const mpipool__src_t *src, size_t i);
const void *mpipool__src_ptr(const mpipool__src_t *src, size_t i);

/* --- TASKS ----------------------------------------------------------- */

/* Starts a TASKS frame in b (emptied first), for a worker without a
 * place (see mpipool__wire_tasks_set_place).  0 or MPIPOOL_ENOMEM. */
int mpipool__wire_tasks_begin(mpipool__buf_t *b, uint64_t seq);

/* Writes into the TASKS frame begun in b the place of the pool its worker
 * serves (0..size-1) and that place's index among its node's places
 * (what a worker's share of its node's GPUs follows); MPIPOOL__NONE
 * (UINT32_MAX) for either: none.  The frame header's last word carries
 * them (a RESULTS frame's busy time). */
void mpipool__wire_tasks_set_place(mpipool__buf_t *b, uint32_t place,
                                   uint32_t node_place);

/* Appends a chunk of items [first, first+count) of src for function fn,
 * bumping the frame's chunk count.  0, MPIPOOL_ENOMEM or MPIPOOL_E2BIG
 * (frame above INT_MAX bytes). */
int mpipool__wire_tasks_add(mpipool__buf_t *b, uint32_t fn,
                            const mpipool__src_t *src, size_t first,
                            size_t count);

/* A decoded task chunk, pointing into the message. */
typedef struct {
  uint32_t fn;
  size_t count;
  size_t item_size;      /* fixed size, when sizes == NULL */
  const uint64_t *sizes; /* per-item sizes, or NULL */
  const char *data;
} mpipool__tchunk_t;

/* A cursor over a received frame (TASKS or RESULTS). */
typedef struct {
  const char *start, *p, *end;
  uint32_t nchunks, next;
  uint64_t seq;
  uint64_t busy_ns;
  uint32_t place, node_place; /* of a TASKS frame (see above) */
} mpipool__reader_t;

/* Opens a TASKS frame: 0 or MPIPOOL_EPROTO (truncated, bad magic). */
int mpipool__wire_tasks_open(mpipool__reader_t *r, const void *msg, size_t len);

/* Next chunk: 1 and *c set, 0 at the end, or MPIPOOL_EPROTO. */
int mpipool__wire_tasks_next(mpipool__reader_t *r, mpipool__tchunk_t *c);

/* --- RESULTS --------------------------------------------------------- */

/*
 * The results of one chunk as a worker builds them: outputs appended to
 * `data`, one start offset and one status per item.
 */
typedef struct {
  mpipool__buf_t data;
  mpipool__buf_t off;    /* uint64_t per item: start in data */
  mpipool__buf_t status; /* int8_t per item: 0 or a negative MPIPOOL_E* */
  size_t count;
  size_t nfailed;
  int64_t same; /* the outputs' common size (0 for none), -1: they differ */
} mpipool__rbuild_t;

/* Makes room for `items` more items and `bytes` more output, so that the
 * per-item calls below do not allocate.  0 or ENOMEM. */
int mpipool__rbuild_reserve(mpipool__rbuild_t *rb, size_t items, size_t bytes);
/* The three calls a worker makes per item are inline (a map of tiny
 * items makes millions). */

/* Starts item `count`: records where its output begins.  0 or ENOMEM. */
static inline int mpipool__rbuild_begin(mpipool__rbuild_t *rb) {
  uint64_t *off = mpipool__buf_reserve(&rb->off, sizeof *off);
  if (off == NULL)
    return MPIPOOL_ENOMEM;
  *off = rb->data.len; /* off's length is a multiple of 8: aligned */
  rb->off.len += sizeof *off;
  return MPIPOOL_OK;
}

/* Drops what the current item wrote so far (its output is replaced). */
static inline void mpipool__rbuild_rewind(mpipool__rbuild_t *rb) {
  rb->data.len = (size_t)((const uint64_t *)(void *)rb->off.data)[rb->count];
}

/* Ends the current item with `status`.  0 or ENOMEM. */
static inline int mpipool__rbuild_end(mpipool__rbuild_t *rb, int status) {
  int8_t *s = mpipool__buf_reserve(&rb->status, 1);
  if (s == NULL)
    return MPIPOOL_ENOMEM;
  *s = (int8_t)status;
  rb->status.len++;
  int64_t size = (int64_t)(rb->data.len -
                           ((const uint64_t *)(void *)rb->off.data)[rb->count]);
  rb->same = rb->count == 0 || rb->same == size ? size : -1;
  rb->count++;
  if (status)
    rb->nfailed++;
  return MPIPOOL_OK;
}
/* Ends `count` items at once that all succeeded with outputs of `each`
 * bytes, back to back from where the data ends, written already (room
 * made by mpipool__rbuild_reserve).  A chunk task's call. */
static inline void mpipool__rbuild_fixed(mpipool__rbuild_t *rb, size_t count,
                                         size_t each) {
  uint64_t *off = (uint64_t *)(void *)(rb->off.data + rb->off.len);
  size_t at = rb->data.len - count * each;
  for (size_t i = 0; i < count; i++)
    off[i] = at + i * each;
  rb->off.len += count * sizeof *off;
  memset(rb->status.data + rb->status.len, 0, count);
  rb->status.len += count;
  rb->same = rb->count == 0 || rb->same == (int64_t)each ? (int64_t)each : -1;
  rb->count += count;
}

/* Empties rb for the next chunk, keeping its memory. */
void mpipool__rbuild_reset(mpipool__rbuild_t *rb);
void mpipool__rbuild_free(mpipool__rbuild_t *rb);

/* Starts a RESULTS frame in b (emptied first). */
int mpipool__wire_results_begin(mpipool__buf_t *b, uint64_t seq,
                                uint64_t busy_ns);
/* Sets the busy time of a RESULTS frame begun in b. */
void mpipool__wire_results_set_busy(mpipool__buf_t *b, uint64_t busy_ns);
/* Appends a built chunk.  0, ENOMEM or E2BIG. */
int mpipool__wire_results_add(mpipool__buf_t *b, const mpipool__rbuild_t *rb);

/* The bytes mpipool__wire_results_add(b, rb) appends to a frame. */
size_t mpipool__wire_results_size(const mpipool__rbuild_t *rb);

/*
 * The bytes a chunk of `count` items costs in a frame at most once
 * mpipool__rbuild_fit has failed every output it can: with bare != 0 when
 * it had to drop even the messages (each failure then carries "").  What
 * a worker keeps free in a frame for the chunks it has yet to run.
 */
size_t mpipool__wire_results_min(size_t count, int bare);

/* The largest output one item can have and still travel in a RESULTS
 * frame of at most msg_max bytes, alone in its frame. */
size_t mpipool__wire_item_max(size_t msg_max);

/*
 * Makes the built chunk rb take at most `room` bytes of a RESULTS frame
 * whose limit is msg_max: when its encoding (mpipool__wire_results_size)
 * is larger, its largest outputs are replaced, in place, by MPIPOOL_E2BIG
 * failures whose message says the output's size ("output of N bytes is
 * more than one message can carry (2 GiB - 1 bytes)", or "... does not
 * fit beside the other results of its frame ..." for one that would fit
 * alone), as few as will do, largest first, ties from the last item; the
 * other items keep their results.  When failing every output with its
 * message is not enough (millions of items in one chunk), the failures
 * carry "" instead.  Returns 0 (rb fits, perhaps unchanged), or
 * MPIPOOL_E2BIG, rb unchanged, when even that does not fit (room below
 * mpipool__wire_results_min(rb->count, 1)).
 */
int mpipool__rbuild_fit(mpipool__rbuild_t *rb, size_t room, size_t msg_max);

/* A decoded results chunk, pointing into the message. */
typedef struct {
  size_t count;
  size_t nfailed;
  const int8_t *status; /* NULL when nfailed == 0 */
  const uint64_t *off;  /* count + 1 offsets, or NULL if fixed */
  size_t fixed;         /* every item's size, when off == NULL */
  const char *data;
  size_t data_len;
} mpipool__rchunk_view_t;

int mpipool__wire_results_open(mpipool__reader_t *r, const void *msg,
                               size_t len);
int mpipool__wire_results_next(mpipool__reader_t *r, mpipool__rchunk_view_t *c);

/* Item i of a results chunk: returns its status; sets *data and *size
 * (for a failure: the NUL-terminated message and its length). */
int mpipool__rchunk_item(const mpipool__rchunk_view_t *c, size_t i,
                         const void **data, size_t *size);

/* --- CONFIG and HELLO ------------------------------------------------ */

typedef struct {
  uint64_t worker_id;
  uint64_t maxtasks;
  uint32_t nnames;
  const char *names; /* nnames NUL-terminated names, back to back */
  const void *initargs;
  size_t initargs_len;
  int32_t bind_index;   /* this worker's share of its node, or
                           MPIPOOL__SHARE_NONE (-1): not bound */
  int32_t bind_count;   /* how many shares the node is cut into */
  int32_t hwthreads;    /* shares of hardware threads, not cores */
  const char *node_set; /* the node's PUs for the pool ("" or NULL: all) */
  const char *avoid;    /* PUs the launcher bound other workers to ("" or
                           NULL: none) */
  int32_t beat_ms;      /* send BEAT this often (0: never) */
  int32_t crowded;      /* 1: its node runs more of the pool's processes
                           than it has cores: wait without spinning */
  int32_t share_cores;  /* cores (PUs with hwthreads) in a share; 0: one
                           unit spread over the node (hwloc_distrib) */
  int32_t gpus_per;     /* GPUs of each place of the node (0: none) */
  const char *gpus;     /* the node's GPU ids ("" or NULL: none) */
  const char *master;   /* the master's name for its workers' watch
                           (worker/master_watch.h; "" or NULL: none) */
  const char *shm;      /* the master's socket for channels (shm.h; "" or
                           NULL: none) */
} mpipool__config_t;

/* Encodes c into b (emptied first); names is read as c->nnames strings.
 * 0, ENOMEM or E2BIG. */
int mpipool__wire_config_encode(mpipool__buf_t *b, const mpipool__config_t *c);
/* Decodes, pointing into msg (node_set, avoid, gpus, master and shm are
 * never NULL): 0 or MPIPOOL_EPROTO. */
int mpipool__wire_config_decode(mpipool__config_t *c, const void *msg,
                                size_t len);

typedef struct {
  int32_t status; /* 0: ready; else the initializer failed */
  uint32_t pid;
  const char *host;    /* NUL-terminated */
  const char *message; /* NUL-terminated, "" if none */
  const char *binding; /* NUL-terminated: where it is bound, or why not
                          (NULL is sent as "") */
  int32_t bound;       /* 1 if it bound itself to its share */
  int32_t beats;       /* 1 if it sends BEAT as CONFIG asked */
} mpipool__hello_t;

/* Encodes h into b (emptied first), its strings whole.  0, ENOMEM or
 * E2BIG. */
int mpipool__wire_hello_encode(mpipool__buf_t *b, const mpipool__hello_t *h);
/* Decodes, pointing into msg: 0 or MPIPOOL_EPROTO. */
int mpipool__wire_hello_decode(mpipool__hello_t *h, const void *msg,
                               size_t len);

/* --- NODE: a rank's probe of its node, gathered at start ------------- */

/* The probe as it travels (the strings NUL-terminated, NULL for none). */
typedef struct {
  int32_t status;
  int32_t cores;
  int32_t room;
  int32_t ngpus;
  const char *host;
  const char *cpuset;
  const char *bound;
  const char *gpus;
} mpipool__nodemsg_t;

/* Encodes n into b (emptied first).  0, ENOMEM or E2BIG. */
int mpipool__wire_node_encode(mpipool__buf_t *b, const mpipool__nodemsg_t *n);
/* Decodes, pointing into msg (a string sent as NULL comes back NULL):
 * 0 or MPIPOOL_EPROTO. */
int mpipool__wire_node_decode(mpipool__nodemsg_t *n, const void *msg,
                              size_t len);

#endif
