/*
 * buf.c - a growable byte buffer that doubles its capacity, so appending n
 * bytes one piece at a time costs O(n); and the spares kept of them.
 */
#include "config.h"
#include "buf.h"

#include "mpipool.h"
#include "base/alloc.h"

#include <stdlib.h>
#include <string.h>

void *mpipool__buf_grow(mpipool__buf_t *b, size_t extra) {
  if (extra > (size_t)-1 - b->len)
    return NULL;
  if (mpipool__grow((void **)&b->data, &b->cap, b->len + extra, 1) != 0)
    return NULL;
  return b->data + b->len;
}

int mpipool__buf_append(mpipool__buf_t *b, const void *data, size_t size) {
  char *p = mpipool__buf_reserve(b, size);
  if (p == NULL)
    return MPIPOOL_ENOMEM;
  if (size)
    memcpy(p, data, size);
  b->len += size;
  return MPIPOOL_OK;
}

int mpipool__buf_align8(mpipool__buf_t *b) {
  static const char zeros[8];
  size_t pad = (8 - (b->len & 7)) & 7;
  return mpipool__buf_append(b, zeros, pad);
}

void *mpipool__buf_steal(mpipool__buf_t *b) {
  void *p = b->data;
  b->data = NULL;
  b->len = b->cap = 0;
  return p;
}

void mpipool__buf_free(mpipool__buf_t *b) {
  mpipool__free(mpipool__buf_steal(b));
}

int mpipool__spares_keep(mpipool__spares_t *s, void *buf, size_t cap) {
  int slot = -1;
  for (int k = 0; k < MPIPOOL__SPARES; k++)
    if (s->bufs[k] == NULL && slot < 0)
      slot = k;
  if (buf == NULL || cap < MPIPOOL__SPARE_MIN || slot < 0 ||
      cap > MPIPOOL__SPARE_MAX - mpipool__spares_bytes(s))
    return 0;
  s->bufs[slot] = buf;
  s->caps[slot] = cap;
  return 1;
}

void *mpipool__spares_take(mpipool__spares_t *s, size_t *cap) {
  int best = -1;
  for (int k = 0; k < MPIPOOL__SPARES; k++)
    if (s->bufs[k] && (best < 0 || s->caps[k] > s->caps[best]))
      best = k;
  if (best < 0)
    return NULL;
  void *p = s->bufs[best];
  *cap = s->caps[best];
  s->bufs[best] = NULL;
  s->caps[best] = 0;
  return p;
}

size_t mpipool__spares_bytes(const mpipool__spares_t *s) {
  size_t n = 0;
  for (int k = 0; k < MPIPOOL__SPARES; k++)
    n += s->caps[k];
  return n;
}

void mpipool__spares_free(mpipool__spares_t *s) {
  for (int k = 0; k < MPIPOOL__SPARES; k++)
    mpipool__free(s->bufs[k]);
  *s = (mpipool__spares_t){0};
}
