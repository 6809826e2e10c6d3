/*
 * ring.c - a one-way pipe of messages through shared memory (ring.h).
 */
#include "config.h"
#include "ring.h"

#include <stdalign.h>
#include <stdatomic.h>
#include <string.h>

#include "base/alloc.h"
#include "mpipool.h"

/* "mpipoolR": what attach looks for. */
#define MARK UINT64_C(0x6d7069706f6f6c52)
#define HEADER 16 /* a frame's: tag, ~tag, length */

struct mpipool__ring {
  uint64_t mark;
  uint64_t cap;
  /* Apart, so that the writer's stores and the reader's do not share a
   * cache line. */
  alignas(64) _Atomic uint64_t head; /* bytes ever written */
  alignas(64) _Atomic uint64_t tail; /* bytes ever read */
  alignas(64) unsigned char data[];
};

size_t mpipool__ring_size(size_t cap) { return sizeof(mpipool__ring_t) + cap; }

mpipool__ring_t *mpipool__ring_init(void *mem, size_t size) {
  _Atomic uint64_t probe;
  if (!atomic_is_lock_free(&probe) || size < mpipool__ring_size(64) ||
      (uintptr_t)mem % 64 != 0)
    return NULL;
  size_t cap = 64;
  while (cap <= (size - sizeof(mpipool__ring_t)) / 2)
    cap *= 2;
  mpipool__ring_t *r = mem;
  r->cap = cap;
  atomic_init(&r->head, 0);
  atomic_init(&r->tail, 0);
  atomic_thread_fence(memory_order_release);
  r->mark = MARK;
  return r;
}

mpipool__ring_t *mpipool__ring_attach(void *mem, size_t size) {
  mpipool__ring_t *r = mem;
  if (mem == NULL || (uintptr_t)mem % 64 != 0 ||
      size < mpipool__ring_size(64) || r->mark != MARK || r->cap < 64 ||
      (r->cap & (r->cap - 1)) != 0 || r->cap > size - sizeof(mpipool__ring_t))
    return NULL;
  return r;
}

size_t mpipool__ring_cap(const mpipool__ring_t *r) { return (size_t)r->cap; }

/* The length of a frame of len bytes: its header and its bytes padded to
 * 8 (so that every header starts at a multiple of 8). */
static size_t frame_len(size_t len) {
  return HEADER + ((len + 7) & ~(size_t)7);
}

/* Copies n bytes (at most cap, the ring's capacity as this process took
 * it: never read again from the memory the other process may scribble
 * on) of p into the ring from stream offset at. */
static void put(mpipool__ring_t *r, size_t cap, uint64_t at, const void *p,
                size_t n) {
  size_t o = (size_t)(at & (cap - 1)), first = cap - o;
  if (first > n)
    first = n;
  memcpy(r->data + o, p, first);
  memcpy(r->data, (const char *)p + first, n - first);
}

/* Copies n bytes (at most cap) of the ring from stream offset at into
 * p. */
static void get(const mpipool__ring_t *r, size_t cap, uint64_t at, void *p,
                size_t n) {
  size_t o = (size_t)(at & (cap - 1)), first = cap - o;
  if (first > n)
    first = n;
  memcpy(p, r->data + o, first);
  memcpy((char *)p + first, r->data, n - first);
}

/* --- the writer ------------------------------------------------------------
 */

void mpipool__ring_writer_init(mpipool__ring_writer_t *w, mpipool__ring_t *r) {
  memset(w, 0, sizeof *w);
  w->ring = r;
  w->ring_cap = r ? (size_t)r->cap : 0;
}

/* The bytes the writer may write now, *head set to where: 0 also when
 * the reader broke the ring (nothing more goes). */
static size_t room_at(const mpipool__ring_writer_t *w, uint64_t *head) {
  mpipool__ring_t *r = w->ring;
  *head = atomic_load_explicit(&r->head, memory_order_relaxed);
  uint64_t used = *head - atomic_load_explicit(&r->tail, memory_order_acquire);
  return used > w->ring_cap ? 0 : w->ring_cap - (size_t)used;
}

/* Writes up to room bytes more of o's frame at *head: returns how many. */
static size_t write_some(mpipool__ring_t *r, size_t cap, mpipool__ring_out_t *o,
                         uint64_t *head, size_t room) {
  size_t total = frame_len(o->len), done = 0;
  if (o->off < HEADER && room > 0) {
    uint32_t h32[2] = {o->tag, ~o->tag};
    unsigned char h[HEADER];
    uint64_t len = o->len;
    memcpy(h, h32, sizeof h32);
    memcpy(h + 8, &len, sizeof len);
    size_t n = HEADER - o->off < room ? HEADER - o->off : room;
    put(r, cap, *head, h + o->off, n);
    *head += n, o->off += n, done += n;
  }
  if (o->off >= HEADER && o->off < HEADER + o->len && done < room) {
    size_t at = o->off - HEADER, n = o->len - at;
    if (n > room - done)
      n = room - done;
    put(r, cap, *head, (const char *)o->buf + at, n);
    *head += n, o->off += n, done += n;
  }
  if (o->off >= HEADER + o->len && o->off < total && done < room) {
    static const unsigned char zero[8];
    size_t n = total - o->off;
    if (n > room - done)
      n = room - done;
    put(r, cap, *head, zero, n);
    *head += n, o->off += n, done += n;
  }
  return done;
}

size_t mpipool__ring_flush(mpipool__ring_writer_t *w) {
  if (w->n == 0 || w->ring == NULL)
    return w->n;
  mpipool__ring_t *r = w->ring;
  uint64_t head;
  size_t room = room_at(w, &head), before = (size_t)head;
  while (w->n > 0 && room > 0) {
    mpipool__ring_out_t *o = &w->q[w->first];
    room -= write_some(r, w->ring_cap, o, &head, room);
    if (o->off < frame_len(o->len))
      break; /* the rest when the reader has made room */
    mpipool__free(o->buf);
    w->first++, w->n--;
  }
  if (w->n == 0)
    w->first = 0;
  if ((size_t)head != before)
    atomic_store_explicit(&r->head, head, memory_order_release);
  return w->n;
}

int mpipool__ring_put(mpipool__ring_writer_t *w, uint32_t tag, const void *p,
                      size_t len) {
  mpipool__ring_t *r = w->ring;
  uint64_t head;
  if (w->n > 0 || r == NULL || frame_len(len) > room_at(w, &head))
    return 0;
  mpipool__ring_out_t o = {(void *)p, len, 0, tag};
  write_some(r, w->ring_cap, &o, &head, frame_len(len));
  atomic_store_explicit(&r->head, head, memory_order_release);
  return 1;
}

int mpipool__ring_send(mpipool__ring_writer_t *w, uint32_t tag, void *buf,
                       size_t len) {
  if (mpipool__ring_put(w, tag, buf, len)) { /* the common case */
    mpipool__free(buf);
    return MPIPOOL_OK;
  }
  if (w->first + w->n == w->cap && w->first > 0) { /* room at the front */
    memmove(w->q, w->q + w->first, w->n * sizeof *w->q);
    w->first = 0;
  }
  if (mpipool__grow((void **)&w->q, &w->cap, w->first + w->n + 1,
                    sizeof *w->q) != 0) {
    mpipool__free(buf);
    return MPIPOOL_ENOMEM;
  }
  w->q[w->first + w->n++] = (mpipool__ring_out_t){buf, len, 0, tag};
  mpipool__ring_flush(w);
  return MPIPOOL_OK;
}

size_t mpipool__ring_pending(const mpipool__ring_writer_t *w) {
  size_t n = w->cap * sizeof *w->q;
  for (size_t i = 0; i < w->n; i++)
    n += w->q[w->first + i].len;
  return n;
}

void mpipool__ring_writer_free(mpipool__ring_writer_t *w) {
  for (size_t i = 0; i < w->n; i++)
    mpipool__free(w->q[w->first + i].buf);
  mpipool__free(w->q);
  memset(w, 0, sizeof *w);
}

/* --- the reader ------------------------------------------------------------
 */

void mpipool__ring_reader_init(mpipool__ring_reader_t *rd, mpipool__ring_t *r,
                               size_t max) {
  memset(rd, 0, sizeof *rd);
  rd->ring = r;
  rd->ring_cap = r ? (size_t)r->cap : 0;
  rd->max = max;
}

/* The frame header at `at` (there, whole): 0 with its tag and length, or
 * -1 when it is not one (its tag's complement wrong, or longer than the
 * reader takes). */
static int header_at(const mpipool__ring_reader_t *rd, uint64_t at,
                     uint32_t *tag, size_t *len) {
  unsigned char h[HEADER];
  uint32_t h32[2];
  uint64_t n64;
  get(rd->ring, rd->ring_cap, at, h, HEADER);
  memcpy(h32, h, sizeof h32);
  memcpy(&n64, h + 8, sizeof n64);
  if (h32[1] != ~h32[0] || n64 > rd->max)
    return -1;
  *tag = h32[0];
  *len = (size_t)n64;
  return 0;
}

int mpipool__ring_recv(mpipool__ring_reader_t *rd, uint32_t *tag, void **data,
                       size_t *len) {
  mpipool__ring_t *r = rd->ring;
  if (r == NULL)
    return 0;
  uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
  uint64_t head = atomic_load_explicit(&r->head, memory_order_acquire);
  size_t avail = (size_t)(head - tail), cap = rd->ring_cap;
  if (head - tail > cap)
    return MPIPOOL_EPROTO;                /* the writer broke the ring */
  if (rd->data == NULL && rd->len == 0) { /* a frame starts here */
    uint32_t t;
    size_t n;
    if (avail < HEADER)
      return 0;
    if (header_at(rd, tail, &t, &n) != 0)
      return MPIPOOL_EPROTO;
    size_t frame = frame_len(n);
    void *d = n ? mpipool__malloc(n) : NULL;
    if (n && d == NULL)
      return MPIPOOL_ENOMEM;
    if (avail >= frame) { /* all here: the common case */
      get(r, cap, tail + HEADER, d, n);
      atomic_store_explicit(&r->tail, tail + frame, memory_order_release);
      *tag = t, *data = d, *len = n;
      return 1;
    }
    /* In parts (n > 0 here: an empty frame is its header): the header
     * is taken, the bytes follow as they come. */
    rd->data = d, rd->len = n, rd->got = 0, rd->tag = t;
    tail += HEADER, avail -= HEADER;
  }
  size_t body = (rd->len + 7) & ~(size_t)7, n = body - rd->got;
  if (n > avail)
    n = avail;
  if (rd->got < rd->len) {
    size_t copy = rd->len - rd->got < n ? rd->len - rd->got : n;
    get(r, cap, tail, (char *)rd->data + rd->got, copy);
  }
  rd->got += n;
  atomic_store_explicit(&r->tail, tail + n, memory_order_release);
  if (rd->got < body)
    return 0;
  *tag = rd->tag, *data = rd->data, *len = rd->len;
  rd->data = NULL, rd->len = rd->got = 0;
  return 1;
}

int mpipool__ring_has(const mpipool__ring_reader_t *rd, uint32_t tag) {
  const mpipool__ring_t *r = rd->ring;
  if (r == NULL)
    return 0;
  uint64_t at = atomic_load_explicit(&r->tail, memory_order_relaxed);
  uint64_t head = atomic_load_explicit(&r->head, memory_order_acquire);
  if (rd->data) /* past the rest of the message being read */
    at += ((rd->len + 7) & ~(size_t)7) - rd->got;
  /* (A frame not wholly there leaves at past head: head - at wraps.) */
  while (head - at >= HEADER && head - at <= rd->ring_cap) {
    uint32_t t;
    size_t n;
    if (header_at(rd, at, &t, &n) != 0)
      return 0; /* broken: recv says so */
    if (t == tag)
      return 1;
    at += frame_len(n);
  }
  return 0;
}

void mpipool__ring_reader_free(mpipool__ring_reader_t *rd) {
  mpipool__free(rd->data);
  rd->data = NULL;
  rd->len = rd->got = 0;
}
