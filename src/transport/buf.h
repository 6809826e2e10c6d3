/*
 * buf.h - a growable byte buffer, the building block of outgoing messages
 * and of a worker's task outputs.
 */
#ifndef MPIPOOL_BUF_H
#define MPIPOOL_BUF_H

#include <stddef.h>

typedef struct {
  char *data;
  size_t len;
  size_t cap;
} mpipool__buf_t;

/* The slow path of mpipool__buf_reserve: grows the storage. */
void *mpipool__buf_grow(mpipool__buf_t *b, size_t extra);

/* Makes room for `extra` more bytes past len and returns a pointer to
 * them (len is unchanged), or NULL on overflow or out of memory.  Inline:
 * workers call it several times per task. */
static inline void *mpipool__buf_reserve(mpipool__buf_t *b, size_t extra) {
  if (b->data != NULL && extra <= b->cap - b->len)
    return b->data + b->len;
  return mpipool__buf_grow(b, extra);
}

/* Appends `size` bytes (copied) and returns 0, or MPIPOOL_ENOMEM. */
int mpipool__buf_append(mpipool__buf_t *b, const void *data, size_t size);

/* Appends zero bytes until len is a multiple of 8; 0 or MPIPOOL_ENOMEM. */
int mpipool__buf_align8(mpipool__buf_t *b);

/* Hands the storage to the caller (to free()) and empties b. */
void *mpipool__buf_steal(mpipool__buf_t *b);

/* Frees the storage and empties b. */
void mpipool__buf_free(mpipool__buf_t *b);

/*
 * Spares: large buffers of messages already sent, kept to encode the next
 * ones into.  Touching fresh memory costs a page fault per page (measured
 * on the project's VM: memcpy into fresh pages 0.4 GB/s, into warm ones
 * 33 GB/s), so a process that sends large frames one after another writes
 * them into pages it has. At most MPIPOOL__SPARES buffers are kept, each
 * of at least MPIPOOL__SPARE_MIN bytes, MPIPOOL__SPARE_MAX in all.
 */
#define MPIPOOL__SPARES 4
#define MPIPOOL__SPARE_MIN ((size_t)256 << 10)
#define MPIPOOL__SPARE_MAX ((size_t)32 << 20)

typedef struct {
  void *bufs[MPIPOOL__SPARES];
  size_t caps[MPIPOOL__SPARES];
} mpipool__spares_t;

/* Keeps buf (cap bytes usable) if it is large enough and there is room:
 * 1 (then s owns it), else 0 (the caller still does). */
int mpipool__spares_keep(mpipool__spares_t *s, void *buf, size_t cap);

/* Takes the largest buffer kept (the caller's now), its capacity in
 * *cap; NULL if none. */
void *mpipool__spares_take(mpipool__spares_t *s, size_t *cap);

/* The bytes kept. */
size_t mpipool__spares_bytes(const mpipool__spares_t *s);

/* Frees every buffer kept. */
void mpipool__spares_free(mpipool__spares_t *s);

#endif
