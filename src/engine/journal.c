/*
 * journal.c - a map's finished items kept in a file, for a rerun to skip
 * (see journal.h).
 */
#include "config.h"
#include "journal.h"

#include "mpipool.h"
#include "base/alloc.h"
#include "base/clock.h"
#include "base/text.h"
#include "transport/buf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC "mpipool journal 1\n"
#define MAGIC_LEN (sizeof MAGIC - 1)
#define HEAD 12 /* u32 length, u64 check */
enum { REC_MAP = 1, REC_ITEM = 2 };

typedef struct {
  uint32_t map;
  uint64_t count, digest;
  char *name;
} jmap_t;

typedef struct {
  uint32_t map;
  uint64_t item;
  size_t off, size; /* its result in data */
} jitem_t;

struct mpipool__journal {
  char *path;
  int fd;           /* -1 until the first write when the file was new */
  char *data;       /* the file as read */
  size_t len, good; /* its bytes, and those of whole records */
  jmap_t *maps;     /* the maps read */
  size_t nmaps, maps_cap;
  jitem_t *items; /* the items read, by map and item, each once */
  size_t nitems, items_cap;
  uint32_t next_map;  /* the number of the program's next map */
  int ready;          /* the file is open for appends */
  int broken;         /* a write failed: no more writes */
  int dirty;          /* written since the last fdatasync */
  double written;     /* when the oldest unsynced record was written */
  size_t appended;    /* items written by this run */
  int oom;            /* encoding a record ran out of memory */
  mpipool__buf_t out; /* records being encoded */
};

static uint64_t fnv(uint64_t h, const void *p, size_t n) {
  const unsigned char *s = p;
  for (size_t i = 0; i < n; i++)
    h = (h ^ s[i]) * 0x100000001b3ULL;
  return h;
}

#define FNV_START 0xcbf29ce484222325ULL

uint64_t mpipool__journal_digest(const mpipool__src_t *src, size_t count) {
  uint64_t h = fnv(FNV_START, &(uint64_t){count}, 8);
  for (size_t i = 0; i < count; i++) {
    uint64_t size = mpipool__src_size(src, i);
    h = fnv(h, &size, sizeof size);
    h = fnv(h, mpipool__src_ptr(src, i), (size_t)size);
  }
  return h;
}

/* --- reading ----------------------------------------------------------- */

/* An n-byte little-endian number. */
static uint64_t get(const char *p, size_t n) {
  uint64_t v = 0;
  while (n--)
    v = v << 8 | (unsigned char)p[n];
  return v;
}

/* Takes in the record body b[0..n) at file offset off; 0 if malformed. */
static int take_record(mpipool__journal_t *j, const char *b, size_t n,
                       size_t off) {
  if (n >= 21 && b[0] == REC_MAP) {
    if (mpipool__grow((void **)&j->maps, &j->maps_cap, j->nmaps + 1,
                      sizeof *j->maps) != 0)
      return -1;
    jmap_t *m = &j->maps[j->nmaps];
    if ((m->name = mpipool__malloc(n - 21 + 1)) == NULL)
      return -1;
    m->map = (uint32_t)get(b + 1, 4);
    m->count = get(b + 5, 8);
    m->digest = get(b + 13, 8);
    memcpy(m->name, b + 21, n - 21);
    m->name[n - 21] = '\0';
    j->nmaps++;
    return 1;
  }
  if (n >= 13 && b[0] == REC_ITEM) {
    if (mpipool__grow((void **)&j->items, &j->items_cap, j->nitems + 1,
                      sizeof *j->items) != 0)
      return -1;
    jitem_t *it = &j->items[j->nitems++];
    it->map = (uint32_t)get(b + 1, 4);
    it->item = get(b + 5, 8);
    it->off = off + 13;
    it->size = n - 13;
    return 1;
  }
  return 0;
}

static int by_map_item(const void *a, const void *b) {
  const jitem_t *x = a, *y = b;
  if (x->map != y->map)
    return x->map < y->map ? -1 : 1;
  if (x->item != y->item)
    return x->item < y->item ? -1 : 1;
  return x->off < y->off ? -1 : x->off > y->off;
}

/* Sorts the items; of an item written twice, the last write stays. */
static void index_items(mpipool__journal_t *j) {
  qsort(j->items, j->nitems, sizeof *j->items, by_map_item);
  size_t k = 0;
  for (size_t i = 0; i < j->nitems; i++) {
    if (k && j->items[k - 1].map == j->items[i].map &&
        j->items[k - 1].item == j->items[i].item)
      k--;
    j->items[k++] = j->items[i];
  }
  j->nitems = k;
}

/* Reads the records of j->data; 0, ENOMEM, or EJOURNAL (not a journal). */
static int parse(mpipool__journal_t *j, char *why, size_t len) {
  size_t n = j->len < MAGIC_LEN ? j->len : MAGIC_LEN;
  if (memcmp(j->data, MAGIC, n) != 0) {
    mpipool__fmt(why, len, "%s is not an mpipool journal", j->path);
    return MPIPOOL_EJOURNAL;
  }
  j->good = 0;
  if (j->len < MAGIC_LEN)
    return MPIPOOL_OK; /* torn at its creation: empty */
  size_t off = MAGIC_LEN;
  while (j->len - off >= HEAD) {
    size_t body = (size_t)get(j->data + off, 4);
    if (body > j->len - off - HEAD ||
        fnv(FNV_START, j->data + off + HEAD, body) != get(j->data + off + 4, 8))
      break; /* a torn write: what follows is dropped */
    int got = take_record(j, j->data + off + HEAD, body, off + HEAD);
    if (got < 0)
      return MPIPOOL_ENOMEM;
    if (got == 0)
      break;
    off += HEAD + body;
  }
  j->good = off;
  index_items(j);
  return MPIPOOL_OK;
}

/* Reads the whole file, `size` bytes, into j->data; 0, or -1 with
 * errno. */
static int slurp(mpipool__journal_t *j, size_t size) {
  j->data = mpipool__malloc(size + 1);
  if (j->data == NULL) {
    errno = ENOMEM;
    return -1;
  }
  while (j->len < size) {
    ssize_t r = read(j->fd, j->data + j->len, size - j->len);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return r < 0 ? -1 : 0; /* shrank meanwhile: what was read */
    j->len += (size_t)r;
  }
  return 0;
}

int mpipool__journal_open(mpipool__journal_t **out, const char *path, char *why,
                          size_t len) {
  mpipool__journal_t *j = mpipool__calloc(1, sizeof *j);
  if (j == NULL || (j->path = mpipool__strdup(path)) == NULL) {
    mpipool__free(j);
    return MPIPOOL_ENOMEM;
  }
  int err = MPIPOOL_OK;
  struct stat st;
  /* O_NONBLOCK: a FIFO opens without waiting, to be refused below (a
   * regular file's reads and writes ignore it). */
  j->fd = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
  if (j->fd < 0 && errno != ENOENT) {
    mpipool__fmt(why, len, "cannot open the journal %s: %s", path,
                 strerror(errno));
    err = MPIPOOL_EJOURNAL;
  } else if (j->fd >= 0 && (fstat(j->fd, &st) != 0 || !S_ISREG(st.st_mode))) {
    /* A FIFO or a device would block the master's writes for ever. */
    mpipool__fmt(why, len, "the journal %s is not a regular file", path);
    err = MPIPOOL_EJOURNAL;
  } else if (j->fd >= 0 && slurp(j, (size_t)st.st_size) != 0) {
    mpipool__fmt(why, len, "cannot read the journal %s: %s", path,
                 strerror(errno));
    err = errno == ENOMEM ? MPIPOOL_ENOMEM : MPIPOOL_EJOURNAL;
  } else if (j->len > 0) {
    err = parse(j, why, len);
  }
  if (err) {
    mpipool__journal_close(j);
    return err;
  }
  *out = j;
  return MPIPOOL_OK;
}

/* --- maps and items ---------------------------------------------------- */

/* Stores v as n little-endian bytes at p. */
static void set_u(char *p, uint64_t v, size_t n) {
  for (size_t i = 0; i < n; i++, v >>= 8)
    p[i] = (char)(unsigned char)v;
}

/* Appends v as n little-endian bytes (out of memory: j->oom). */
static void put_u(mpipool__journal_t *j, uint64_t v, size_t n) {
  char b[8];
  set_u(b, v, n);
  j->oom |= mpipool__buf_append(&j->out, b, n) != 0;
}

/* Starts a record in j->out; returns its start. */
static size_t begin_record(mpipool__journal_t *j, int kind, uint32_t map,
                           uint64_t v) {
  size_t at = j->out.len;
  put_u(j, 0, 4);
  put_u(j, 0, 8);
  put_u(j, (uint64_t)kind, 1);
  put_u(j, map, 4);
  put_u(j, v, 8);
  return at;
}

/* Fills in the length and check of the record started at `at`. */
static void end_record(mpipool__journal_t *j, size_t at) {
  if (j->oom)
    return; /* flush() says so */
  size_t body = j->out.len - at - HEAD;
  set_u(j->out.data + at, body, 4);
  set_u(j->out.data + at + 4, fnv(FNV_START, j->out.data + at + HEAD, body), 8);
}

/* Gives up writing, saying why once. */
static void give_up(mpipool__journal_t *j, const char *what) {
  if (!j->broken)
    fprintf(stderr,
            "mpipool: journal %s: cannot %s (%s); the run goes on without "
            "writing it\n",
            j->path, what, strerror(errno));
  j->broken = 1;
}

/* Opens the file for appends: created with its magic, or cut to its whole
 * records. */
static int prepare(mpipool__journal_t *j) {
  if (j->fd < 0)
    j->fd = open(j->path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (j->fd < 0 || ftruncate(j->fd, (off_t)j->good) != 0 ||
      lseek(j->fd, 0, SEEK_END) < 0) {
    give_up(j, "open it for writing");
    return -1;
  }
  if (j->good == 0 && write(j->fd, MAGIC, MAGIC_LEN) != (ssize_t)MAGIC_LEN) {
    give_up(j, "write it");
    return -1;
  }
  j->ready = 1;
  return 0;
}

/* Writes j->out in one write (as far as the system allows), empties it. */
static void flush(mpipool__journal_t *j) {
  if (j->oom) {
    errno = ENOMEM;
    give_up(j, "encode a record");
    j->oom = 0;
  }
  if (!j->broken && j->out.len && (j->ready || prepare(j) == 0)) {
    for (size_t done = 0; done < j->out.len;) {
      ssize_t w = write(j->fd, j->out.data + done, j->out.len - done);
      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0) {
        give_up(j, "write it");
        break;
      }
      done += (size_t)w;
    }
    if (!j->dirty)
      j->written = mpipool__now();
    j->dirty = 1;
  }
  j->out.len = 0;
  mpipool__journal_sync(j, 0);
}

int mpipool__journal_map(mpipool__journal_t *j, const char *name, size_t count,
                         uint64_t digest, uint32_t *map, char *why,
                         size_t len) {
  uint32_t k = j->next_map;
  for (size_t i = 0; i < j->nmaps; i++) {
    const jmap_t *m = &j->maps[i];
    if (m->map != k)
      continue;
    if (strcmp(m->name, name) != 0 || m->count != count ||
        m->digest != digest) {
      mpipool__fmt(why, len,
                   "the journal %s does not belong to this run: its map %u "
                   "is of task '%s' on %llu items, this run's is of '%s' on "
                   "%zu items%s; it is left as it was (give another path, or "
                   "remove it to start afresh)",
                   j->path, (unsigned)k, m->name, (unsigned long long)m->count,
                   name, count,
                   strcmp(m->name, name) == 0 && m->count == count
                       ? " with other input"
                       : "");
      return MPIPOOL_EJOURNAL;
    }
    j->next_map++;
    *map = k;
    return MPIPOOL_OK;
  }
  size_t at = begin_record(j, REC_MAP, k, count);
  put_u(j, digest, 8);
  j->oom |= mpipool__buf_append(&j->out, name, strlen(name)) != 0;
  end_record(j, at);
  flush(j);
  j->next_map++;
  *map = k;
  return MPIPOOL_OK;
}

/* The index of the first item of map at or after `item`. */
static size_t lower_bound(const mpipool__journal_t *j, uint32_t map,
                          uint64_t item) {
  size_t lo = 0, hi = j->nitems;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    const jitem_t *it = &j->items[mid];
    if (it->map < map || (it->map == map && it->item < item))
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

int mpipool__journal_chunk(const mpipool__journal_t *j, uint32_t map,
                           size_t first, size_t n, mpipool__rbuf_t **buf,
                           mpipool__rchunk_view_t *view) {
  size_t k = lower_bound(j, map, first);
  if (n > j->nitems - k)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (j->items[k + i].map != map || j->items[k + i].item != first + i)
      return 0;
  mpipool__rbuild_t rb;
  memset(&rb, 0, sizeof rb);
  mpipool__buf_t b = {0};
  int err = MPIPOOL_OK;
  for (size_t i = 0; i < n && err == 0; i++) {
    const jitem_t *it = &j->items[k + i];
    err = mpipool__rbuild_begin(&rb);
    if (err == 0)
      err = mpipool__buf_append(&rb.data, j->data + it->off, it->size);
    if (err == 0)
      err = mpipool__rbuild_end(&rb, 0);
  }
  if (err == 0)
    err = mpipool__wire_results_begin(&b, 0, 0);
  if (err == 0)
    err = mpipool__wire_results_add(&b, &rb);
  mpipool__rbuild_free(&rb);
  size_t blen = b.len;
  mpipool__rbuf_t *rbuf =
      err ? NULL : mpipool__rbuf_new(mpipool__buf_steal(&b));
  mpipool__buf_free(&b);
  mpipool__reader_t r;
  if (rbuf == NULL || mpipool__wire_results_open(&r, rbuf->data, blen) != 0 ||
      mpipool__wire_results_next(&r, view) != 1) {
    mpipool__rbuf_unref(rbuf);
    return MPIPOOL_ENOMEM;
  }
  *buf = rbuf;
  return 1;
}

void mpipool__journal_put(mpipool__journal_t *j, uint32_t map, size_t first,
                          const mpipool__rchunk_view_t *view) {
  if (j->broken)
    return;
  for (size_t i = 0; i < view->count; i++) {
    const void *d;
    size_t s;
    if (mpipool__rchunk_item(view, i, &d, &s) != 0)
      continue; /* a failure runs again in a rerun */
    size_t at = begin_record(j, REC_ITEM, map, first + i);
    j->oom |= mpipool__buf_append(&j->out, d, s) != 0;
    end_record(j, at);
    j->appended++;
  }
  flush(j);
}

void mpipool__journal_sync(mpipool__journal_t *j, int force) {
  if (j == NULL || !j->dirty || j->broken)
    return;
  if (!force && mpipool__now() - j->written < MPIPOOL__JOURNAL_SYNC_S)
    return;
  if (fdatasync(j->fd) != 0)
    give_up(j, "sync it");
  j->dirty = 0;
}

size_t mpipool__journal_items(const mpipool__journal_t *j) {
  return j ? j->nitems + j->appended : 0;
}

void mpipool__journal_close(mpipool__journal_t *j) {
  if (j == NULL)
    return;
  mpipool__journal_sync(j, 1);
  if (j->fd >= 0)
    close(j->fd);
  for (size_t i = 0; i < j->nmaps; i++)
    mpipool__free(j->maps[i].name);
  mpipool__free(j->maps);
  mpipool__free(j->items);
  mpipool__free(j->data);
  mpipool__free(j->path);
  mpipool__buf_free(&j->out);
  mpipool__free(j);
}
