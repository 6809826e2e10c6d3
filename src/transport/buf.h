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

#endif
