/*
 * wire.c - encoding and decoding of the pool's messages (see wire.h).
 * Every decoder checks every length against the message it reads, so a
 * corrupt or truncated message is an MPIPOOL_EPROTO, never a wild read.
 */
#include "config.h"
#include "wire.h"

#include "mpipool.h"
#include "base/text.h"

#include <limits.h>
#include <string.h>

#define MAGIC_TASKS 0x4d505054u   /* "MPPT" */
#define MAGIC_RESULTS 0x4d505052u /* "MPPR" */
#define CHUNK_VAR 1u

typedef struct {
  uint32_t magic;
  uint32_t nchunks;
  uint64_t seq;
  uint64_t busy_ns;
} frame_hdr_t;

typedef struct {
  uint32_t fn;
  uint32_t flags;
  uint64_t count;
  uint64_t item_size;
  uint64_t data_len;
} tchunk_hdr_t;

typedef struct {
  uint64_t count;
  uint64_t nfailed;
  uint64_t fixed;
  uint32_t flags;
  uint32_t pad;
  uint64_t data_len;
} rchunk_hdr_t;

static size_t pad8(size_t n) { return (n + 7) & ~(size_t)7; }

size_t mpipool__src_size(const mpipool__src_t *src, size_t i) {
  return src->sizes ? src->sizes[i] : src->item_size;
}

const void *mpipool__src_ptr(const mpipool__src_t *src, size_t i) {
  return src->ptrs ? src->ptrs[i] : src->base + i * src->item_size;
}

/* Checks that b still fits in one MPI message. */
static int check_fits(const mpipool__buf_t *b) {
  return b->len > (size_t)INT_MAX ? MPIPOOL_E2BIG : MPIPOOL_OK;
}

static int frame_begin(mpipool__buf_t *b, uint32_t magic, uint64_t seq,
                       uint64_t busy_ns) {
  frame_hdr_t h = {magic, 0, seq, busy_ns};
  b->len = 0;
  return mpipool__buf_append(b, &h, sizeof h);
}

static void frame_count_chunk(mpipool__buf_t *b) {
  frame_hdr_t h;
  memcpy(&h, b->data, sizeof h);
  h.nchunks++;
  memcpy(b->data, &h, sizeof h);
}

/* A TASKS frame's place and node place, in its header's last word. */
static uint64_t place_word(uint32_t place, uint32_t node_place) {
  return (uint64_t)place | (uint64_t)node_place << 32;
}

int mpipool__wire_tasks_begin(mpipool__buf_t *b, uint64_t seq) {
  return frame_begin(b, MAGIC_TASKS, seq, place_word(UINT32_MAX, UINT32_MAX));
}

void mpipool__wire_tasks_set_place(mpipool__buf_t *b, uint32_t place,
                                   uint32_t node_place) {
  frame_hdr_t h;
  memcpy(&h, b->data, sizeof h);
  h.busy_ns = place_word(place, node_place);
  memcpy(b->data, &h, sizeof h);
}

int mpipool__wire_tasks_add(mpipool__buf_t *b, uint32_t fn,
                            const mpipool__src_t *src, size_t first,
                            size_t count) {
  tchunk_hdr_t h = {fn, src->sizes ? CHUNK_VAR : 0, count, src->item_size, 0};
  size_t start = b->len;
  if (src->sizes) {
    for (size_t i = 0; i < count; i++)
      h.data_len += mpipool__src_size(src, first + i);
  } else {
    if (count && src->item_size > (size_t)INT_MAX / count)
      return MPIPOOL_E2BIG;
    h.data_len = (uint64_t)count * src->item_size;
  }
  if (h.data_len > (uint64_t)INT_MAX)
    return MPIPOOL_E2BIG;
  int err = mpipool__buf_append(b, &h, sizeof h);
  if (err == 0 && src->sizes) {
    uint64_t *sz = mpipool__buf_reserve(b, count * sizeof *sz);
    if (sz == NULL)
      err = MPIPOOL_ENOMEM;
    else {
      for (size_t i = 0; i < count; i++)
        sz[i] = src->sizes[first + i];
      b->len += count * sizeof *sz;
    }
  }
  if (err == 0) {
    char *d = mpipool__buf_reserve(b, h.data_len);
    if (d == NULL)
      err = MPIPOOL_ENOMEM;
    else if (src->ptrs) {
      for (size_t i = 0; i < count; i++) {
        size_t s = mpipool__src_size(src, first + i);
        if (s)
          memcpy(d, mpipool__src_ptr(src, first + i), s);
        d += s;
      }
      b->len += h.data_len;
    } else {
      if (h.data_len)
        memcpy(d, src->base + first * src->item_size, h.data_len);
      b->len += h.data_len;
    }
  }
  if (err == 0)
    err = mpipool__buf_align8(b);
  if (err == 0)
    err = check_fits(b);
  if (err) {
    b->len = start;
    return err;
  }
  frame_count_chunk(b);
  return MPIPOOL_OK;
}

/* Takes n bytes from the reader, or NULL if fewer remain. */
static const char *take(mpipool__reader_t *r, size_t n) {
  if ((size_t)(r->end - r->p) < n)
    return NULL;
  const char *p = r->p;
  r->p += n;
  return p;
}

/* Skips padding up to the next multiple of 8 from the frame start. */
static int skip_pad(mpipool__reader_t *r) {
  size_t pos = (size_t)(r->p - r->start);
  return take(r, pad8(pos) - pos) ? 0 : MPIPOOL_EPROTO;
}

static int frame_open(mpipool__reader_t *r, const void *msg, size_t len,
                      uint32_t magic) {
  frame_hdr_t h;
  r->p = r->start = msg;
  r->end = r->p + len;
  const char *p = take(r, sizeof h);
  if (p == NULL)
    return MPIPOOL_EPROTO;
  memcpy(&h, p, sizeof h);
  if (h.magic != magic)
    return MPIPOOL_EPROTO;
  r->nchunks = h.nchunks;
  r->next = 0;
  r->seq = h.seq;
  r->busy_ns = h.busy_ns;
  r->place = (uint32_t)(h.busy_ns & UINT32_MAX);
  r->node_place = (uint32_t)(h.busy_ns >> 32);
  return MPIPOOL_OK;
}

int mpipool__wire_tasks_open(mpipool__reader_t *r, const void *msg,
                             size_t len) {
  return frame_open(r, msg, len, MAGIC_TASKS);
}

int mpipool__wire_tasks_next(mpipool__reader_t *r, mpipool__tchunk_t *c) {
  tchunk_hdr_t h;
  if (r->next == r->nchunks)
    return 0;
  const char *p = take(r, sizeof h);
  if (p == NULL)
    return MPIPOOL_EPROTO;
  memcpy(&h, p, sizeof h);
  size_t avail = (size_t)(r->end - r->p);
  c->fn = h.fn;
  c->count = h.count;
  c->item_size = h.item_size;
  c->sizes = NULL;
  if (h.flags & CHUNK_VAR) {
    if (h.count > avail / sizeof(uint64_t))
      return MPIPOOL_EPROTO;
    c->sizes = (const uint64_t *)take(r, h.count * sizeof(uint64_t));
    uint64_t sum = 0;
    for (size_t i = 0; i < h.count; i++) {
      if (c->sizes[i] > h.data_len - sum)
        return MPIPOOL_EPROTO;
      sum += c->sizes[i];
    }
    if (sum != h.data_len)
      return MPIPOOL_EPROTO;
  } else if (h.item_size && h.count > h.data_len / h.item_size) {
    return MPIPOOL_EPROTO;
  } else if (h.count * h.item_size != h.data_len) {
    return MPIPOOL_EPROTO;
  }
  if (h.data_len > (uint64_t)(r->end - r->p))
    return MPIPOOL_EPROTO;
  c->data = take(r, h.data_len);
  if (skip_pad(r) != 0)
    return MPIPOOL_EPROTO;
  r->next++;
  return 1;
}

int mpipool__rbuild_reserve(mpipool__rbuild_t *rb, size_t items, size_t bytes) {
  if (items > ((size_t)-1) / sizeof(uint64_t) - 1 || bytes == (size_t)-1 ||
      mpipool__buf_reserve(&rb->off, (items + 1) * sizeof(uint64_t)) == NULL ||
      mpipool__buf_reserve(&rb->status, items + 1) == NULL ||
      mpipool__buf_reserve(&rb->data, bytes + 1) == NULL)
    return MPIPOOL_ENOMEM;
  return MPIPOOL_OK;
}

void mpipool__rbuild_reset(mpipool__rbuild_t *rb) {
  rb->data.len = rb->off.len = rb->status.len = 0;
  rb->count = rb->nfailed = 0;
  rb->same = 0;
}

void mpipool__rbuild_free(mpipool__rbuild_t *rb) {
  mpipool__buf_free(&rb->data);
  mpipool__buf_free(&rb->off);
  mpipool__buf_free(&rb->status);
  rb->count = rb->nfailed = 0;
  rb->same = 0;
}

int mpipool__wire_results_begin(mpipool__buf_t *b, uint64_t seq,
                                uint64_t busy_ns) {
  return frame_begin(b, MAGIC_RESULTS, seq, busy_ns);
}

void mpipool__wire_results_set_busy(mpipool__buf_t *b, uint64_t busy_ns) {
  frame_hdr_t h;
  memcpy(&h, b->data, sizeof h);
  h.busy_ns = busy_ns;
  memcpy(b->data, &h, sizeof h);
}

/* The common size of every item of rb, or -1 if sizes differ or any failed. */
static int64_t common_size(const mpipool__rbuild_t *rb) {
  return rb->nfailed ? -1 : rb->count ? rb->same : 0;
}

int mpipool__wire_results_add(mpipool__buf_t *b, const mpipool__rbuild_t *rb) {
  int64_t fixed = common_size(rb);
  rchunk_hdr_t h = {rb->count,
                    rb->nfailed,
                    fixed < 0 ? 0 : (uint64_t)fixed,
                    fixed < 0 ? CHUNK_VAR : 0,
                    0,
                    rb->data.len};
  size_t start = b->len;
  if (rb->data.len > (size_t)INT_MAX)
    return MPIPOOL_E2BIG;
  int err = mpipool__buf_append(b, &h, sizeof h);
  if (err == 0 && rb->nfailed) {
    err = mpipool__buf_append(b, rb->status.data, rb->count);
    if (err == 0)
      err = mpipool__buf_align8(b);
  }
  if (err == 0 && fixed < 0) {
    uint64_t end = rb->data.len;
    err = mpipool__buf_append(b, rb->off.data, rb->count * sizeof end);
    if (err == 0)
      err = mpipool__buf_append(b, &end, sizeof end);
  }
  if (err == 0)
    err = mpipool__buf_append(b, rb->data.data, rb->data.len);
  if (err == 0)
    err = mpipool__buf_align8(b);
  if (err == 0)
    err = check_fits(b);
  if (err) {
    b->len = start;
    return err;
  }
  frame_count_chunk(b);
  return MPIPOOL_OK;
}

size_t mpipool__wire_results_size(const mpipool__rbuild_t *rb) {
  size_t n = sizeof(rchunk_hdr_t);
  if (rb->nfailed)
    n += pad8(rb->count);
  if (common_size(rb) < 0)
    n += (rb->count + 1) * sizeof(uint64_t);
  return n + pad8(rb->data.len);
}

/* --- fitting a chunk into what is left of a frame ---------------------- */

/* An output too large to travel is replaced by a message saying so, of at
 * most FIT_MSG bytes with its NUL; when even those do not fit, by a bare
 * "" (its NUL).  Only outputs longer than FIT_MSG are replaced, so a
 * replacement never grows an item. */
#define FIT_MSG 128
#define TOO_BIG "output of %zu bytes is more than one message can carry (%s)"
#define NOT_BESIDE                                                             \
  "output of %zu bytes does not fit beside the other results of its frame "    \
  "in one message (%s)"

/* How a chunk is being fitted. */
typedef struct {
  size_t item_max;            /* above: more than one message can carry */
  int bare;                   /* replace with "" */
  char limit[32];             /* the message limit, in words */
  size_t too_big, not_beside; /* their texts' lengths but for the size */
} fit_t;

static size_t digits(size_t n) {
  size_t d = 1;
  while (n >= 10) {
    n /= 10;
    d++;
  }
  return d;
}

/* The bytes of the message replacing an output of s bytes, its NUL too. */
static size_t fit_msg_len(const fit_t *f, size_t s) {
  if (f->bare)
    return 1;
  return (s > f->item_max ? f->too_big : f->not_beside) + digits(s) + 1;
}

/* A chunk of count items once failed: header, statuses, offsets. */
static size_t failed_overhead(size_t count) {
  return sizeof(rchunk_hdr_t) + pad8(count) + (count + 1) * sizeof(uint64_t);
}

size_t mpipool__wire_results_min(size_t count, int bare) {
  return failed_overhead(count) + pad8(count * (bare ? 1 : FIT_MSG));
}

size_t mpipool__wire_item_max(size_t msg_max) {
  size_t over = sizeof(frame_hdr_t) + sizeof(rchunk_hdr_t);
  return msg_max > over ? (msg_max - over) & ~(size_t)7 : 0;
}

static size_t item_size(const mpipool__rbuild_t *rb, size_t i) {
  const uint64_t *off = (const uint64_t *)rb->off.data;
  uint64_t end = i + 1 < rb->count ? off[i + 1] : rb->data.len;
  return (size_t)(end - off[i]);
}

/* The data bytes of rb once every output above t (and above FIT_MSG) is
 * replaced. */
static size_t data_with(const mpipool__rbuild_t *rb, const fit_t *f, size_t t) {
  size_t sum = 0;
  if (t < FIT_MSG)
    t = FIT_MSG;
  for (size_t i = 0; i < rb->count; i++) {
    size_t s = item_size(rb, i);
    sum += s > t ? fit_msg_len(f, s) : s;
  }
  return sum;
}

/* Which outputs to replace so that rb fits in room: those above *t, and
 * of those of size *t + 1 the ones from index *from on.  0, or -1 if
 * replacing all that can be is not enough. */
static int choose(const mpipool__rbuild_t *rb, const fit_t *f, size_t room,
                  size_t *t, size_t *from) {
  size_t over = failed_overhead(rb->count), smax = 0;
  for (size_t i = 0; i < rb->count; i++)
    if (item_size(rb, i) > smax)
      smax = item_size(rb, i);
  if (over > room || pad8(data_with(rb, f, FIT_MSG)) > room - over)
    return -1;
  /* The largest threshold that fits, by bisection: what is kept only
   * grows with it.  Keeping all (smax) does not fit, or no fitting would
   * have been asked for. */
  size_t lo = FIT_MSG, hi = smax > FIT_MSG ? smax : FIT_MSG;
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    if (pad8(data_with(rb, f, mid)) <= room - over)
      lo = mid;
    else
      hi = mid;
  }
  /* Outputs of size lo + 1 all went: keep those that still fit, first
   * ones first. */
  size_t data = data_with(rb, f, lo), i, s = lo + 1;
  for (i = 0; i < rb->count; i++) {
    if (item_size(rb, i) != s)
      continue;
    if (pad8(data - fit_msg_len(f, s) + s) > room - over)
      break;
    data += s - fit_msg_len(f, s);
  }
  *t = lo;
  *from = i;
  return 0;
}

int mpipool__rbuild_fit(mpipool__rbuild_t *rb, size_t room, size_t msg_max) {
  fit_t f = {mpipool__wire_item_max(msg_max), 0, "", 0, 0};
  size_t t, from;
  if (mpipool__wire_results_size(rb) <= room)
    return MPIPOOL_OK;
  if (msg_max == (size_t)INT_MAX)
    mpipool__fmt(f.limit, sizeof f.limit, "2 GiB - 1 bytes");
  else
    mpipool__fmt(f.limit, sizeof f.limit, "%zu bytes", msg_max);
  /* The texts less their "%zu" and "%s", plus the limit. */
  f.too_big = strlen(TOO_BIG) - 5 + strlen(f.limit);
  f.not_beside = strlen(NOT_BESIDE) - 5 + strlen(f.limit);
  if (choose(rb, &f, room, &t, &from) != 0) {
    f.bare = 1;
    if (choose(rb, &f, room, &t, &from) != 0)
      return MPIPOOL_E2BIG;
  }
  /* Compact in place: every output replaced is longer than what replaces
   * it, so the write cursor never passes what is yet to be read. */
  uint64_t *off = (uint64_t *)rb->off.data;
  int8_t *status = (int8_t *)rb->status.data;
  size_t w = 0, nfailed = 0;
  for (size_t i = 0; i < rb->count; i++) {
    size_t s = item_size(rb, i), start = (size_t)off[i];
    off[i] = w;
    if (s > t && s > FIT_MSG && (s != t + 1 || i >= from)) {
      char m[FIT_MSG] = "";
      if (!f.bare && s > f.item_max)
        mpipool__fmt(m, sizeof m, TOO_BIG, s, f.limit);
      else if (!f.bare)
        mpipool__fmt(m, sizeof m, NOT_BESIDE, s, f.limit);
      size_t n = strlen(m) + 1;
      memcpy(rb->data.data + w, m, n);
      w += n;
      status[i] = (int8_t)MPIPOOL_E2BIG;
    } else {
      if (s && w != start)
        memmove(rb->data.data + w, rb->data.data + start, s);
      w += s;
    }
    nfailed += status[i] != 0;
  }
  rb->data.len = w;
  rb->nfailed = nfailed;
  rb->same = -1; /* some output was replaced */
  return MPIPOOL_OK;
}

int mpipool__wire_results_open(mpipool__reader_t *r, const void *msg,
                               size_t len) {
  return frame_open(r, msg, len, MAGIC_RESULTS);
}

int mpipool__wire_results_next(mpipool__reader_t *r,
                               mpipool__rchunk_view_t *c) {
  rchunk_hdr_t h;
  if (r->next == r->nchunks)
    return 0;
  const char *p = take(r, sizeof h);
  if (p == NULL)
    return MPIPOOL_EPROTO;
  memcpy(&h, p, sizeof h);
  if (h.nfailed > h.count)
    return MPIPOOL_EPROTO;
  c->count = h.count;
  c->nfailed = h.nfailed;
  c->status = NULL;
  c->off = NULL;
  c->fixed = h.fixed;
  if (h.nfailed) {
    c->status = (const int8_t *)take(r, h.count);
    if (c->status == NULL || skip_pad(r))
      return MPIPOOL_EPROTO;
  }
  if (h.flags & CHUNK_VAR) {
    /* count + 1 offsets must fit; written so that count + 1 cannot wrap. */
    if (h.count >= (size_t)(r->end - r->p) / sizeof(uint64_t))
      return MPIPOOL_EPROTO;
    c->off = (const uint64_t *)take(r, (h.count + 1) * sizeof(uint64_t));
    for (size_t i = 0; i < h.count; i++)
      if (c->off[i] > c->off[i + 1])
        return MPIPOOL_EPROTO;
    if (c->off[0] != 0 || c->off[h.count] != h.data_len)
      return MPIPOOL_EPROTO;
  } else if (h.fixed && h.count > h.data_len / h.fixed) {
    return MPIPOOL_EPROTO;
  } else if (h.count * h.fixed != h.data_len) {
    return MPIPOOL_EPROTO;
  }
  if (h.data_len > (uint64_t)(r->end - r->p))
    return MPIPOOL_EPROTO;
  c->data = take(r, h.data_len);
  c->data_len = h.data_len;
  if (skip_pad(r))
    return MPIPOOL_EPROTO;
  r->next++;
  return 1;
}

int mpipool__rchunk_item(const mpipool__rchunk_view_t *c, size_t i,
                         const void **data, size_t *size) {
  int status = c->status ? c->status[i] : 0;
  if (c->off) {
    *data = c->data + c->off[i];
    *size = c->off[i + 1] - c->off[i];
  } else {
    *data = c->data + i * c->fixed;
    *size = c->fixed;
  }
  if (status && *size > 0)
    (*size)--; /* a message is stored with its NUL */
  return status;
}

/* --- strings ----------------------------------------------------------- */

/* Strings travel as a uint32 length (UINT32_MAX: NULL) then the bytes and
 * a NUL, so that any length arrives whole and a decoder can check it. */
#define NULL_STRING UINT32_MAX

static int put_string(mpipool__buf_t *b, const char *s) {
  size_t n = s ? strlen(s) : 0;
  if (n >= NULL_STRING)
    return MPIPOOL_E2BIG;
  uint32_t len = s ? (uint32_t)n : NULL_STRING;
  int err = mpipool__buf_append(b, &len, sizeof len);
  if (err == 0 && s)
    err = mpipool__buf_append(b, s, n + 1);
  return err;
}

/* Takes a string put by put_string: 0 with *s pointing into the message
 * (NULL if sent as NULL), or EPROTO. */
static int take_string(mpipool__reader_t *r, const char **s) {
  uint32_t len;
  const char *p = take(r, sizeof len);
  if (p == NULL)
    return MPIPOOL_EPROTO;
  memcpy(&len, p, sizeof len);
  if (len == NULL_STRING) {
    *s = NULL;
    return MPIPOOL_OK;
  }
  if ((size_t)(r->end - r->p) <= len || r->p[len] != '\0' ||
      memchr(r->p, '\0', len) != NULL)
    return MPIPOOL_EPROTO;
  *s = take(r, (size_t)len + 1);
  return MPIPOOL_OK;
}

static void reader_init(mpipool__reader_t *r, const void *msg, size_t len) {
  memset(r, 0, sizeof *r);
  r->start = r->p = msg;
  r->end = r->p + len;
}

/* --- CONFIG and HELLO ------------------------------------------------ */

typedef struct {
  uint64_t worker_id;
  uint64_t maxtasks;
  uint64_t nnames;
  uint64_t names_len;
  uint64_t initargs_len;
  int32_t bind_index, bind_count, hwthreads, beat_ms;
  int32_t crowded, share_cores, gpus_per, spare; /* spare: 0 (no padding
                                                    goes on the wire) */
} config_hdr_t;

int mpipool__wire_config_encode(mpipool__buf_t *b, const mpipool__config_t *c) {
  size_t names_len = 0;
  for (uint32_t i = 0; i < c->nnames; i++)
    names_len += strlen(c->names + names_len) + 1;
  config_hdr_t h = {c->worker_id,
                    c->maxtasks,
                    c->nnames,
                    names_len,
                    c->initargs_len,
                    c->bind_index,
                    c->bind_count,
                    c->hwthreads,
                    c->beat_ms,
                    c->crowded,
                    c->share_cores,
                    c->gpus_per,
                    0};
  b->len = 0;
  int err = mpipool__buf_append(b, &h, sizeof h);
  if (err == 0)
    err = put_string(b, c->node_set ? c->node_set : "");
  if (err == 0)
    err = put_string(b, c->avoid ? c->avoid : "");
  if (err == 0)
    err = put_string(b, c->gpus ? c->gpus : "");
  if (err == 0)
    err = put_string(b, c->master ? c->master : "");
  if (err == 0)
    err = put_string(b, c->shm ? c->shm : "");
  if (err == 0)
    err = mpipool__buf_append(b, c->names, names_len);
  if (err == 0)
    err = mpipool__buf_append(b, c->initargs, c->initargs_len);
  if (err == 0)
    err = check_fits(b);
  return err;
}

int mpipool__wire_config_decode(mpipool__config_t *c, const void *msg,
                                size_t len) {
  mpipool__reader_t r;
  config_hdr_t h;
  reader_init(&r, msg, len);
  const char *p = take(&r, sizeof h);
  if (p == NULL)
    return MPIPOOL_EPROTO;
  memcpy(&h, p, sizeof h);
  if (take_string(&r, &c->node_set) || take_string(&r, &c->avoid) ||
      take_string(&r, &c->gpus) || take_string(&r, &c->master) ||
      take_string(&r, &c->shm) || c->node_set == NULL || c->avoid == NULL ||
      c->gpus == NULL || c->master == NULL || c->shm == NULL)
    return MPIPOOL_EPROTO;
  if (h.names_len > (size_t)(r.end - r.p) ||
      h.initargs_len != (size_t)(r.end - r.p) - h.names_len ||
      h.nnames > h.names_len || h.nnames > UINT32_MAX)
    return MPIPOOL_EPROTO;
  c->worker_id = h.worker_id;
  c->maxtasks = h.maxtasks;
  c->bind_index = h.bind_index;
  c->bind_count = h.bind_count;
  c->hwthreads = h.hwthreads;
  c->beat_ms = h.beat_ms;
  c->crowded = h.crowded;
  c->share_cores = h.share_cores;
  c->gpus_per = h.gpus_per;
  c->nnames = (uint32_t)h.nnames;
  c->names = take(&r, h.names_len);
  /* The names must be exactly nnames NUL-terminated strings. */
  uint32_t n = 0;
  for (size_t i = 0; i < h.names_len; i++)
    n += c->names[i] == '\0';
  if (n != h.nnames || (h.names_len && c->names[h.names_len - 1] != '\0'))
    return MPIPOOL_EPROTO;
  c->initargs = take(&r, h.initargs_len);
  c->initargs_len = h.initargs_len;
  return MPIPOOL_OK;
}

typedef struct {
  int32_t status;
  uint32_t pid;
  int32_t bound;
  int32_t beats;
} hello_hdr_t;

int mpipool__wire_hello_encode(mpipool__buf_t *b, const mpipool__hello_t *h) {
  hello_hdr_t hh = {h->status, h->pid, h->bound, h->beats};
  b->len = 0;
  int err = mpipool__buf_append(b, &hh, sizeof hh);
  if (err == 0)
    err = put_string(b, h->host ? h->host : "");
  if (err == 0)
    err = put_string(b, h->message ? h->message : "");
  if (err == 0)
    err = put_string(b, h->binding ? h->binding : "");
  if (err == 0)
    err = check_fits(b);
  return err;
}

int mpipool__wire_hello_decode(mpipool__hello_t *h, const void *msg,
                               size_t len) {
  mpipool__reader_t r;
  hello_hdr_t hh;
  reader_init(&r, msg, len);
  const char *p = take(&r, sizeof hh);
  if (p == NULL)
    return MPIPOOL_EPROTO;
  memcpy(&hh, p, sizeof hh);
  h->status = hh.status;
  h->pid = hh.pid;
  h->bound = hh.bound;
  h->beats = hh.beats;
  if (take_string(&r, &h->host) || take_string(&r, &h->message) ||
      take_string(&r, &h->binding) || h->host == NULL || h->message == NULL ||
      h->binding == NULL || r.p != r.end)
    return MPIPOOL_EPROTO;
  return MPIPOOL_OK;
}

/* --- NODE ---------------------------------------------------------------- */

int mpipool__wire_node_encode(mpipool__buf_t *b, const mpipool__nodemsg_t *n) {
  int32_t hdr[4] = {n->status, n->cores, n->room, n->ngpus};
  b->len = 0;
  int err = mpipool__buf_append(b, hdr, sizeof hdr);
  if (err == 0)
    err = put_string(b, n->host);
  if (err == 0)
    err = put_string(b, n->cpuset);
  if (err == 0)
    err = put_string(b, n->bound);
  if (err == 0)
    err = put_string(b, n->gpus);
  if (err == 0)
    err = check_fits(b);
  return err;
}

int mpipool__wire_node_decode(mpipool__nodemsg_t *n, const void *msg,
                              size_t len) {
  mpipool__reader_t r;
  int32_t hdr[4];
  reader_init(&r, msg, len);
  const char *p = take(&r, sizeof hdr);
  if (p == NULL)
    return MPIPOOL_EPROTO;
  memcpy(hdr, p, sizeof hdr);
  n->status = hdr[0];
  n->cores = hdr[1];
  n->room = hdr[2];
  n->ngpus = hdr[3];
  if (take_string(&r, &n->host) || take_string(&r, &n->cpuset) ||
      take_string(&r, &n->bound) || take_string(&r, &n->gpus) ||
      n->host == NULL || r.p != r.end)
    return MPIPOOL_EPROTO;
  return MPIPOOL_OK;
}
