/*
 * test_wire.c - the messages between master and workers as bytes (wire.c):
 * round trips of TASKS, RESULTS, CONFIG and HELLO, and MPIPOOL_EPROTO (never
 * a read outside the message) for truncated or corrupt input.
 *
 * Corrupt messages are decoded twice: from an exact-size malloc'd copy (so
 * valgrind sees any read past the end) and from a copy placed at the end of
 * a page followed by an inaccessible page (so a wild read is caught as
 * SIGSEGV and reported as a failed check even without valgrind).
 */
#include "config.h"

#define _POSIX_C_SOURCE 200809L

#include "transport/wire.h"
#include "mpipool.h"
#include "../tap.h"

#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The layout of wire.c's headers, mirrored to forge corrupt messages (the
 * round-trip tests check that the mirror matches). */
typedef struct {
  uint32_t magic, nchunks;
  uint64_t seq, busy_ns;
} frame_hdr_t;
typedef struct {
  uint32_t fn, flags;
  uint64_t count, item_size, data_len;
} tchunk_hdr_t;
typedef struct {
  uint64_t count, nfailed, fixed;
  uint32_t flags, pad;
  uint64_t data_len;
} rchunk_hdr_t;
typedef struct {
  uint64_t worker_id, maxtasks, nnames, names_len, initargs_len;
  int32_t bind_index, bind_count, hwthreads, beat_ms, crowded, share_cores;
  int32_t gpus_per, spare;
} config_hdr_t;
typedef struct {
  int32_t status;
  uint32_t pid;
  int32_t bound, pad;
} hello_hdr_t;
/* A string on the wire: a uint32 length (UINT32_MAX: NULL), the bytes, a
 * NUL. */
#define STR(n) (4 + (n) + 1)

#define FH sizeof(frame_hdr_t)
#define SEGV_SEEN 1000

enum { K_TASKS, K_RESULTS, K_CONFIG, K_HELLO, K_NODE };
static const char *kind_name[] = {"TASKS", "RESULTS", "CONFIG", "HELLO",
                                  "NODE"};

/* ---- decoding everything a message holds ---------------------------- */

static volatile unsigned sink;

static void touch(const void *p, size_t n) {
  const unsigned char *c = p;
  for (size_t i = 0; i < n; i++)
    sink += c[i];
}

/* Decodes a whole message of a kind, reading every byte it points to.
 * Returns the decoder's error, or the number of chunks (frames) / 0. */
static int decode_all(int kind, const void *msg, size_t len) {
  mpipool__reader_t r;
  int rc, n = 0;
  switch (kind) {
  case K_TASKS:
    if ((rc = mpipool__wire_tasks_open(&r, msg, len)) != 0)
      return rc;
    for (;;) {
      mpipool__tchunk_t c;
      if ((rc = mpipool__wire_tasks_next(&r, &c)) != 1)
        return rc ? rc : n;
      n++;
      size_t total = 0;
      if (c.sizes) {
        touch(c.sizes, c.count * sizeof *c.sizes);
        for (size_t i = 0; i < c.count; i++)
          total += c.sizes[i];
      } else {
        total = c.count * c.item_size;
      }
      touch(c.data, total);
    }
  case K_RESULTS:
    if ((rc = mpipool__wire_results_open(&r, msg, len)) != 0)
      return rc;
    for (;;) {
      mpipool__rchunk_view_t c;
      if ((rc = mpipool__wire_results_next(&r, &c)) != 1)
        return rc ? rc : n;
      n++;
      touch(c.data, c.data_len);
      if (c.count > 4096)
        continue;
      for (size_t i = 0; i < c.count; i++) {
        const void *d;
        size_t s;
        mpipool__rchunk_item(&c, i, &d, &s);
        touch(d, s);
      }
    }
  case K_CONFIG: {
    mpipool__config_t c;
    if ((rc = mpipool__wire_config_decode(&c, msg, len)) != 0)
      return rc;
    size_t at = 0;
    for (uint32_t i = 0; i < c.nnames; i++)
      at += strlen(c.names + at) + 1;
    touch(c.initargs, c.initargs_len);
    touch(c.node_set, strlen(c.node_set));
    touch(c.avoid, strlen(c.avoid));
    return 0;
  }
  case K_HELLO: {
    mpipool__hello_t h;
    if ((rc = mpipool__wire_hello_decode(&h, msg, len)) != 0)
      return rc;
    touch(h.host, strlen(h.host));
    touch(h.message, strlen(h.message));
    touch(h.binding, strlen(h.binding));
    return 0;
  }
  default: {
    mpipool__nodemsg_t n;
    if ((rc = mpipool__wire_node_decode(&n, msg, len)) != 0)
      return rc;
    touch(n.host, strlen(n.host));
    if (n.cpuset)
      touch(n.cpuset, strlen(n.cpuset));
    if (n.bound)
      touch(n.bound, strlen(n.bound));
    return 0;
  }
  }
}

static long pagesz;
static char *guard_mem; /* two pages: readable, then PROT_NONE */
static sigjmp_buf guard_jmp;
static volatile sig_atomic_t in_guard;

static void on_segv(int sig) {
  if (in_guard)
    siglongjmp(guard_jmp, 1);
  signal(sig, SIG_DFL);
  raise(sig);
}

static void guard_setup(void) {
  void *p;
  pagesz = sysconf(_SC_PAGESIZE);
  if (posix_memalign(&p, (size_t)pagesz, 2 * (size_t)pagesz) != 0)
    abort();
  guard_mem = p;
  if (mprotect(guard_mem + pagesz, (size_t)pagesz, PROT_NONE) != 0)
    abort();
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_segv;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGSEGV, &sa, NULL);
  sigaction(SIGBUS, &sa, NULL);
}

static void guard_teardown(void) {
  mprotect(guard_mem + pagesz, (size_t)pagesz, PROT_READ | PROT_WRITE);
  free(guard_mem);
}

/* Decodes a copy that ends (rounded up to 8) where the guard page begins:
 * SEGV_SEEN if the decoder read far past the end. */
static int decode_guarded(int kind, const void *msg, size_t len) {
  size_t room = (len + 7) & ~(size_t)7;
  if (room > (size_t)pagesz)
    return decode_all(kind, msg, len);
  char *start = guard_mem + pagesz - room;
  memset(guard_mem, 0xa5, (size_t)pagesz);
  if (len)
    memcpy(start, msg, len);
  if (sigsetjmp(guard_jmp, 1)) {
    in_guard = 0;
    return SEGV_SEEN;
  }
  in_guard = 1;
  int rc = decode_all(kind, start, len);
  in_guard = 0;
  return rc;
}

/* Decodes a possibly corrupt message, safely and precisely. */
static int decode_checked(int kind, const void *msg, size_t len) {
  int rc = decode_guarded(kind, msg, len);
  if (rc == SEGV_SEEN)
    return rc; /* do not risk the wild read on the heap */
  char *copy = malloc(len ? len : 1);
  if (len)
    memcpy(copy, msg, len);
  int rc2 = decode_all(kind, copy, len);
  free(copy);
  return rc == rc2 ? rc : -999;
}

/* Every strict prefix of a valid message must be EPROTO. */
static void check_truncations(int kind, const void *msg, size_t len,
                              const char *what) {
  size_t bad = 0, first_bad = 0;
  int first_rc = 0;
  for (size_t l = 0; l < len; l++) {
    int rc = decode_checked(kind, msg, l);
    if (rc != MPIPOOL_EPROTO) {
      if (!bad++) {
        first_bad = l;
        first_rc = rc;
      }
    }
  }
  if (!ok(bad == 0, "%s %s: all %zu truncations are EPROTO", kind_name[kind],
          what, len))
    printf("#   %zu bad, first at length %zu -> %d\n", bad, first_bad,
           first_rc);
  /* and the whole message still decodes */
  ok(decode_checked(kind, msg, len) >= 0, "%s %s: untruncated decodes",
     kind_name[kind], what);
}

/* A corrupt variant: apply `patch` to a copy of msg, expect EPROTO. */
static void expect_eproto(int kind, const void *msg, size_t len, size_t at,
                          const void *val, size_t vlen, const char *what) {
  char *m = malloc(len);
  memcpy(m, msg, len);
  memcpy(m + at, val, vlen);
  int rc = decode_checked(kind, m, len);
  if (!ok(rc == MPIPOOL_EPROTO, "%s corrupt: %s -> EPROTO", kind_name[kind],
          what))
    printf("#   got %d%s\n", rc,
           rc == SEGV_SEEN ? " (read past the end of the message)" : "");
  free(m);
}

static void expect_eproto_u64(int kind, const void *msg, size_t len, size_t at,
                              uint64_t v, const char *what) {
  expect_eproto(kind, msg, len, at, &v, sizeof v, what);
}

static void expect_eproto_u32(int kind, const void *msg, size_t len, size_t at,
                              uint32_t v, const char *what) {
  expect_eproto(kind, msg, len, at, &v, sizeof v, what);
}

/* ---- TASKS ----------------------------------------------------------- */

static void test_src(void) {
  int arr[4] = {10, 20, 30, 40};
  mpipool__src_t fx = {(const char *)arr, sizeof arr[0], NULL, NULL};
  is_int(mpipool__src_size(&fx, 3), sizeof(int), "src_size fixed");
  ok(mpipool__src_ptr(&fx, 2) == &arr[2], "src_ptr fixed");
  const char *a = "abc", *b = "z";
  const void *ptrs[2] = {a, b};
  size_t sizes[2] = {3, 1};
  mpipool__src_t v = {NULL, 0, ptrs, sizes};
  is_int(mpipool__src_size(&v, 0), 3, "src_size var 0");
  is_int(mpipool__src_size(&v, 1), 1, "src_size var 1");
  ok(mpipool__src_ptr(&v, 1) == b, "src_ptr var");
}

static void test_tasks(void) {
  mpipool__buf_t b = {0};
  int arr[10];
  for (int i = 0; i < 10; i++)
    arr[i] = 100 + i;
  mpipool__src_t fx = {(const char *)arr, sizeof arr[0], NULL, NULL};
  const char *items[5] = {"a", "", "hello world", "xyz1234", NULL};
  size_t sizes[5] = {1, 0, 11, 7, 0};
  mpipool__src_t var = {NULL, 0, (const void *const *)items, sizes};
  mpipool__src_t zero = {NULL, 0, NULL, NULL}; /* 0-byte fixed items */
  const void *zptrs[3] = {NULL, NULL, NULL};
  size_t zsizes[3] = {0, 0, 0};
  mpipool__src_t zvar = {NULL, 0, zptrs, zsizes};

  is_int(mpipool__wire_tasks_begin(&b, 42), 0, "tasks_begin");
  is_int(b.len, FH, "empty frame is the header");
  frame_hdr_t fh;
  memcpy(&fh, b.data, sizeof fh);
  is_int(fh.nchunks, 0, "no chunk yet");
  is_int(mpipool__wire_tasks_add(&b, 3, &fx, 2, 5), 0, "add fixed chunk");
  is_int(b.len % 8, 0, "frame padded to 8 after fixed chunk");
  is_int(mpipool__wire_tasks_add(&b, 1, &var, 0, 5), 0, "add var chunk");
  is_int(b.len % 8, 0, "frame padded to 8 after var chunk");
  is_int(mpipool__wire_tasks_add(&b, 7, &fx, 9, 0), 0, "add 0-item chunk");
  is_int(mpipool__wire_tasks_add(&b, 2, &zero, 0, 4), 0,
         "add chunk of 0-byte items");
  is_int(mpipool__wire_tasks_add(&b, 5, &zvar, 0, 3), 0,
         "add var chunk of 0-byte items");
  is_int(mpipool__wire_tasks_add(&b, 6, &fx, 9, 1), 0, "add last single item");
  memcpy(&fh, b.data, sizeof fh);
  is_int(fh.nchunks, 6, "header counts 6 chunks");

  /* the mirror of the layout matches */
  tchunk_hdr_t th;
  memcpy(&th, b.data + FH, sizeof th);
  ok(th.fn == 3 && th.count == 5 && th.item_size == sizeof(int) &&
         th.data_len == 5 * sizeof(int),
     "chunk header layout as mirrored");

  mpipool__reader_t r;
  mpipool__tchunk_t c;
  is_int(mpipool__wire_tasks_open(&r, b.data, b.len), 0, "tasks_open");
  is_int(r.seq, 42, "seq");
  is_int(r.nchunks, 6, "nchunks");

  is_int(mpipool__wire_tasks_next(&r, &c), 1, "chunk 1");
  ok(c.fn == 3 && c.count == 5 && c.item_size == sizeof(int) && c.sizes == NULL,
     "chunk 1: fn, count, item_size, fixed");
  ok(memcmp(c.data, &arr[2], 5 * sizeof(int)) == 0, "chunk 1: data");
  ok(((uintptr_t)c.data - (uintptr_t)b.data) % 8 == 0,
     "chunk 1: data 8-aligned");

  is_int(mpipool__wire_tasks_next(&r, &c), 1, "chunk 2");
  ok(c.fn == 1 && c.count == 5 && c.sizes != NULL, "chunk 2: var, 5 items");
  {
    int good = 1;
    const char *d = c.data;
    for (int i = 0; i < 5; i++) {
      if (c.sizes[i] != sizes[i] ||
          (sizes[i] && memcmp(d, items[i], sizes[i]) != 0))
        good = 0;
      d += c.sizes[i];
    }
    ok(good, "chunk 2: sizes and bytes of every item");
    ok(((uintptr_t)c.sizes - (uintptr_t)b.data) % 8 == 0,
       "chunk 2: sizes 8-aligned");
  }
  is_int(mpipool__wire_tasks_next(&r, &c), 1, "chunk 3");
  ok(c.fn == 7 && c.count == 0 && c.sizes == NULL, "chunk 3: 0 items");
  is_int(mpipool__wire_tasks_next(&r, &c), 1, "chunk 4");
  ok(c.fn == 2 && c.count == 4 && c.item_size == 0 && c.sizes == NULL,
     "chunk 4: 4 items of 0 bytes");
  is_int(mpipool__wire_tasks_next(&r, &c), 1, "chunk 5");
  ok(c.fn == 5 && c.count == 3 && c.sizes && c.sizes[0] == 0 &&
         c.sizes[1] == 0 && c.sizes[2] == 0,
     "chunk 5: var, 3 items of 0 bytes");
  is_int(mpipool__wire_tasks_next(&r, &c), 1, "chunk 6");
  ok(c.fn == 6 && c.count == 1 && *(const int *)c.data == 109,
     "chunk 6: the last item");
  is_int(mpipool__wire_tasks_next(&r, &c), 0, "then the end");
  is_int(mpipool__wire_tasks_next(&r, &c), 0, "end stays the end");
  is_int(decode_checked(K_TASKS, b.data, b.len), 6, "whole frame decodes");

  /* a TASKS frame is not a RESULTS frame */
  is_int(mpipool__wire_results_open(&r, b.data, b.len), MPIPOOL_EPROTO,
         "TASKS frame opened as RESULTS -> EPROTO");

  /* corruptions */
  size_t len = b.len;
  char *m = b.data;
  check_truncations(K_TASKS, m, len, "6 chunks");
  expect_eproto_u32(K_TASKS, m, len, 0, 0x12345678u, "bad magic");
  expect_eproto_u32(K_TASKS, m, len, 4, 7, "nchunks one too many");
  expect_eproto_u32(K_TASKS, m, len, 4, UINT32_MAX, "nchunks huge");
  size_t c1 = FH; /* first chunk (fixed, 5 ints = 20 bytes + 4 pad) */
  expect_eproto_u64(K_TASKS, m, len, c1 + 8, 6, "fixed count too big");
  expect_eproto_u64(K_TASKS, m, len, c1 + 8, 4, "fixed count too small");
  expect_eproto_u64(K_TASKS, m, len, c1 + 16, 8, "fixed item_size wrong");
  expect_eproto_u64(K_TASKS, m, len, c1 + 24, 24,
                    "fixed data_len != count * item_size");
  expect_eproto_u64(K_TASKS, m, len, c1 + 24, 1u << 20,
                    "fixed data_len beyond the message");
  {
    /* count * item_size wraps to data_len */
    char *m2 = malloc(len);
    memcpy(m2, m, len);
    uint64_t v = 4, s = (uint64_t)1 << 62, dl = 0;
    memcpy(m2 + c1 + 8, &v, 8);
    memcpy(m2 + c1 + 16, &s, 8);
    memcpy(m2 + c1 + 24, &dl, 8);
    is_int(decode_checked(K_TASKS, m2, len), MPIPOOL_EPROTO,
           "TASKS corrupt: count * item_size overflowing to data_len");
    /* 0-byte items but a non-zero data_len */
    v = 2, s = 0, dl = 8;
    memcpy(m2 + c1 + 8, &v, 8);
    memcpy(m2 + c1 + 16, &s, 8);
    memcpy(m2 + c1 + 24, &dl, 8);
    is_int(decode_checked(K_TASKS, m2, len), MPIPOOL_EPROTO,
           "TASKS corrupt: 0-byte items with data_len 8");
    free(m2);
  }
  size_t c2 = c1 + sizeof(tchunk_hdr_t) + 24; /* second chunk (var) */
  memcpy(&th, m + c2, sizeof th);
  ok(th.fn == 1 && th.flags == 1 && th.count == 5 && th.data_len == 19,
     "var chunk header where expected");
  expect_eproto_u64(K_TASKS, m, len, c2 + 24, 18, "var data_len < sum");
  expect_eproto_u64(K_TASKS, m, len, c2 + 24, 20, "var data_len > sum");
  expect_eproto_u64(K_TASKS, m, len, c2 + 8, 6, "var count too big");
  expect_eproto_u64(K_TASKS, m, len, c2 + 8, UINT64_MAX, "var count max");
  expect_eproto_u64(K_TASKS, m, len, c2 + 8, UINT64_MAX / 8 + 1,
                    "var count * 8 wrapping");
  expect_eproto_u64(K_TASKS, m, len, c2 + sizeof th, 100,
                    "var item size > data_len");
  expect_eproto_u64(K_TASKS, m, len, c2 + sizeof th + 8, UINT64_MAX,
                    "var item size wrapping the sum");
  expect_eproto_u64(K_TASKS, m, len, c2 + sizeof th + 8, 1,
                    "var sizes summing to more than data_len");
  expect_eproto_u64(K_TASKS, m, len, c2 + 24, 1u << 20,
                    "var data_len huge (disagrees with the sizes)");
  {
    /* data_len and the sizes agree but exceed the message */
    char *m2 = malloc(len);
    memcpy(m2, m, len);
    uint64_t big = 1u << 20, dl = 1 + 0 + big + 7 + 0;
    memcpy(m2 + c2 + sizeof th + 16, &big, 8);
    memcpy(m2 + c2 + 24, &dl, 8);
    is_int(decode_checked(K_TASKS, m2, len), MPIPOOL_EPROTO,
           "TASKS corrupt: consistent sizes beyond the message -> EPROTO");
    free(m2);
  }
  mpipool__buf_free(&b);

  /* an empty frame: 0 chunks */
  is_int(mpipool__wire_tasks_begin(&b, 7), 0, "empty frame");
  is_int(mpipool__wire_tasks_open(&r, b.data, b.len), 0, "empty frame opens");
  ok(r.nchunks == 0 && r.seq == 7, "empty frame: 0 chunks, seq 7");
  is_int(mpipool__wire_tasks_next(&r, &c), 0, "empty frame: at the end");
  check_truncations(K_TASKS, b.data, b.len, "empty frame");

  /* begin empties what the buffer held */
  mpipool__wire_tasks_add(&b, 1, &fx, 0, 3);
  is_int(mpipool__wire_tasks_begin(&b, 8), 0, "begin again");
  is_int(b.len, FH, "begin empties the buffer");

  /* a single 0-item chunk and a single 0-byte-item chunk, as frames */
  mpipool__wire_tasks_add(&b, 9, &zero, 0, 0);
  check_truncations(K_TASKS, b.data, b.len, "one 0-item chunk");
  mpipool__wire_tasks_begin(&b, 9);
  mpipool__wire_tasks_add(&b, 9, &zvar, 0, 3);
  check_truncations(K_TASKS, b.data, b.len, "one var 0-byte chunk");

  /* E2BIG: too large for one MPI message, and the frame is unchanged */
  mpipool__wire_tasks_begin(&b, 10);
  mpipool__wire_tasks_add(&b, 1, &fx, 0, 1);
  size_t before = b.len;
  mpipool__src_t huge = {(const char *)arr, (size_t)INT_MAX, NULL, NULL};
  is_int(mpipool__wire_tasks_add(&b, 1, &huge, 0, 2), MPIPOOL_E2BIG,
         "fixed chunk above INT_MAX -> E2BIG");
  size_t hsizes[2] = {(size_t)INT_MAX, 2};
  const void *hptrs[2] = {arr, arr};
  mpipool__src_t hvar = {NULL, 0, hptrs, hsizes};
  is_int(mpipool__wire_tasks_add(&b, 1, &hvar, 0, 2), MPIPOOL_E2BIG,
         "var chunk above INT_MAX -> E2BIG");
  is_int(b.len, before, "E2BIG leaves the frame as it was");
  memcpy(&fh, b.data, sizeof fh);
  is_int(fh.nchunks, 1, "E2BIG does not count a chunk");
  is_int(decode_checked(K_TASKS, b.data, b.len), 1,
         "frame still decodes after E2BIG");

  /* chunks from the middle of a source, both kinds */
  mpipool__wire_tasks_begin(&b, UINT64_MAX);
  mpipool__wire_tasks_add(&b, UINT32_MAX, &var, 2, 2);
  mpipool__wire_tasks_add(&b, 0, &fx, 7, 3);
  mpipool__wire_tasks_open(&r, b.data, b.len);
  ok(r.seq == UINT64_MAX, "seq UINT64_MAX round-trips");
  ok(mpipool__wire_tasks_next(&r, &c) == 1 && c.fn == UINT32_MAX &&
         c.count == 2 && c.sizes[0] == 11 && c.sizes[1] == 7 &&
         memcmp(c.data, "hello worldxyz1234", 18) == 0,
     "var chunk of items 2..3");
  ok(mpipool__wire_tasks_next(&r, &c) == 1 && c.fn == 0 && c.count == 3 &&
         memcmp(c.data, &arr[7], 3 * sizeof(int)) == 0,
     "fixed chunk of items 7..9");
  is_int(mpipool__wire_tasks_next(&r, &c), 0, "and the end");
  mpipool__buf_free(&b);
}

/* ---- RESULTS --------------------------------------------------------- */

static void rb_item(mpipool__rbuild_t *rb, const void *d, size_t n,
                    int status) {
  mpipool__rbuild_begin(rb);
  mpipool__buf_append(&rb->data, d, n);
  mpipool__rbuild_end(rb, status);
}

static int item_is(const mpipool__rchunk_view_t *c, size_t i, int status,
                   const void *want, size_t n) {
  const void *d = NULL;
  size_t s = (size_t)-1;
  int st = mpipool__rchunk_item(c, i, &d, &s);
  if (st != status || s != n || (n && memcmp(d, want, n) != 0)) {
    printf("#   item %zu: status %d size %zu\n", i, st, s);
    return 0;
  }
  return 1;
}

static void test_results(void) {
  mpipool__buf_t b = {0};
  mpipool__rbuild_t fixed = {0}, mixed = {0}, failed = {0}, empty = {0},
                    zeros = {0}, one = {0};
  uint64_t v[3] = {11, 22, 33};
  for (int i = 0; i < 3; i++)
    rb_item(&fixed, &v[i], sizeof v[i], 0);
  is_int(fixed.count, 3, "rbuild counts items");
  is_int(fixed.nfailed, 0, "rbuild: none failed");
  rb_item(&mixed, "a", 1, 0);
  rb_item(&mixed, "", 0, 0);
  rb_item(&mixed, "hello", 5, 0);
  rb_item(&failed, "xy", 2, 0);
  rb_item(&failed, "boom", 5, MPIPOOL_ETASK);
  rb_item(&failed, "terminated!", 12, MPIPOOL_ETERMINATED);
  rb_item(&failed, "", 0, 0);
  is_int(failed.nfailed, 2, "rbuild counts failures");
  rb_item(&zeros, "", 0, 0);
  rb_item(&zeros, "", 0, 0);
  /* rewind: the item's first output is replaced */
  mpipool__rbuild_begin(&one);
  mpipool__buf_append(&one.data, "first output", 12);
  mpipool__rbuild_rewind(&one);
  mpipool__buf_append(&one.data, "2nd", 3);
  mpipool__rbuild_end(&one, 0);
  is_int(one.data.len, 3, "rewind drops the item's output");

  is_int(mpipool__wire_results_begin(&b, 99, 5), 0, "results_begin");
  is_int(mpipool__wire_results_add(&b, &fixed), 0, "add same-size chunk");
  is_int(mpipool__wire_results_add(&b, &mixed), 0, "add mixed chunk");
  is_int(mpipool__wire_results_add(&b, &failed), 0, "add failed chunk");
  is_int(mpipool__wire_results_add(&b, &empty), 0, "add 0-item chunk");
  is_int(mpipool__wire_results_add(&b, &zeros), 0, "add 0-byte chunk");
  is_int(mpipool__wire_results_add(&b, &one), 0, "add rewound chunk");
  is_int(b.len % 8, 0, "results frame padded to 8");

  mpipool__reader_t r;
  mpipool__rchunk_view_t c;
  is_int(mpipool__wire_results_open(&r, b.data, b.len), 0, "results_open");
  ok(r.seq == 99 && r.busy_ns == 5 && r.nchunks == 6, "seq, busy_ns, nchunks");

  is_int(mpipool__wire_results_next(&r, &c), 1, "same-size chunk");
  ok(c.off == NULL && c.fixed == 8 && c.status == NULL && c.count == 3 &&
         c.nfailed == 0 && c.data_len == 24,
     "same size: fixed path, off NULL, fixed 8");
  ok(item_is(&c, 0, 0, &v[0], 8) && item_is(&c, 2, 0, &v[2], 8),
     "same size: items");
  is_int(mpipool__wire_results_next(&r, &c), 1, "mixed chunk");
  ok(c.off != NULL && c.status == NULL && c.count == 3, "mixed: offsets");
  ok(item_is(&c, 0, 0, "a", 1) && item_is(&c, 1, 0, "", 0) &&
         item_is(&c, 2, 0, "hello", 5),
     "mixed: items");
  is_int(mpipool__wire_results_next(&r, &c), 1, "failed chunk");
  ok(c.off != NULL && c.status != NULL && c.nfailed == 2 && c.count == 4,
     "failed: status array and offsets");
  ok(item_is(&c, 0, 0, "xy", 2), "failed chunk: ok item");
  ok(item_is(&c, 1, MPIPOOL_ETASK, "boom", 4),
     "failed item: ETASK, message without its NUL in size");
  {
    const void *d;
    size_t s;
    mpipool__rchunk_item(&c, 1, &d, &s);
    ok(((const char *)d)[s] == '\0', "failed item: message NUL-terminated");
  }
  ok(item_is(&c, 2, MPIPOOL_ETERMINATED, "terminated!", 11),
     "failed item: ETERMINATED with its message");
  ok(item_is(&c, 3, 0, "", 0), "failed chunk: empty ok item");
  is_int(mpipool__wire_results_next(&r, &c), 1, "0-item chunk");
  ok(c.count == 0 && c.data_len == 0 && c.nfailed == 0, "0 items");
  is_int(mpipool__wire_results_next(&r, &c), 1, "0-byte chunk");
  ok(c.count == 2 && c.off == NULL && c.fixed == 0,
     "0-byte items: fixed path of size 0");
  ok(item_is(&c, 1, 0, "", 0), "0-byte item");
  is_int(mpipool__wire_results_next(&r, &c), 1, "rewound chunk");
  ok(c.count == 1 && item_is(&c, 0, 0, "2nd", 3), "rewound item");
  is_int(mpipool__wire_results_next(&r, &c), 0, "end of results");
  is_int(mpipool__wire_tasks_open(&r, b.data, b.len), MPIPOOL_EPROTO,
         "RESULTS frame opened as TASKS -> EPROTO");

  /* set_busy rewrites only the busy time */
  mpipool__wire_results_set_busy(&b, 123456789012345ull);
  is_int(mpipool__wire_results_open(&r, b.data, b.len), 0,
         "opens after set_busy");
  ok(r.busy_ns == 123456789012345ull && r.seq == 99 && r.nchunks == 6,
     "set_busy: busy_ns set, seq and nchunks kept");
  is_int(decode_checked(K_RESULTS, b.data, b.len), 6,
         "whole results frame decodes");

  /* corruptions */
  size_t len = b.len;
  char *m = b.data;
  check_truncations(K_RESULTS, m, len, "6 chunks");
  expect_eproto_u32(K_RESULTS, m, len, 0, 0x4d505054u,
                    "TASKS magic on RESULTS");
  expect_eproto_u32(K_RESULTS, m, len, 4, 7, "nchunks one too many");
  size_t c1 = FH; /* fixed chunk: 3 x 8 bytes */
  rchunk_hdr_t rh;
  memcpy(&rh, m + c1, sizeof rh);
  ok(rh.count == 3 && rh.fixed == 8 && rh.flags == 0 && rh.data_len == 24,
     "results chunk header layout as mirrored");
  expect_eproto_u64(K_RESULTS, m, len, c1, 4, "fixed count too big");
  expect_eproto_u64(K_RESULTS, m, len, c1 + 8, 4, "nfailed > count");
  expect_eproto_u64(K_RESULTS, m, len, c1 + 16, 7, "fixed size wrong");
  expect_eproto_u64(K_RESULTS, m, len, c1 + 16, 0, "fixed size 0 with data");
  expect_eproto_u64(K_RESULTS, m, len, c1 + 32, 1u << 20,
                    "data_len beyond the message");
  {
    char *m2 = malloc(len);
    memcpy(m2, m, len);
    uint64_t cnt = 2, fx = (uint64_t)1 << 63, dl = 0;
    memcpy(m2 + c1, &cnt, 8);
    memcpy(m2 + c1 + 16, &fx, 8);
    memcpy(m2 + c1 + 32, &dl, 8);
    is_int(decode_checked(K_RESULTS, m2, len), MPIPOOL_EPROTO,
           "RESULTS corrupt: count * fixed overflowing to data_len");
    free(m2);
  }
  size_t c2 = c1 + sizeof rh + 24; /* mixed chunk: 4 offsets, 6 bytes */
  memcpy(&rh, m + c2, sizeof rh);
  ok(rh.count == 3 && rh.flags == 1 && rh.data_len == 6,
     "mixed chunk header where expected");
  size_t o2 = c2 + sizeof rh;
  expect_eproto_u64(K_RESULTS, m, len, o2, 1, "first offset not 0");
  expect_eproto_u64(K_RESULTS, m, len, o2 + 8, 2, "offsets decreasing");
  expect_eproto_u64(K_RESULTS, m, len, o2 + 24, 5, "last offset != data_len");
  expect_eproto_u64(K_RESULTS, m, len, o2 + 24, 1u << 20,
                    "last offset beyond the data");
  expect_eproto_u64(K_RESULTS, m, len, c2 + 32, 1u << 20,
                    "var data_len beyond the message");
  expect_eproto_u64(K_RESULTS, m, len, c2, 1000, "var count too big");
  expect_eproto_u64(K_RESULTS, m, len, c2, UINT64_MAX / 8,
                    "var count * 8 wrapping");
  expect_eproto_u64(K_RESULTS, m, len, c2, UINT64_MAX,
                    "var count UINT64_MAX (count + 1 wraps to 0)");
  size_t c3 = o2 + 32 + 8; /* failed chunk: status (4, pad 8), 5 offsets */
  memcpy(&rh, m + c3, sizeof rh);
  ok(rh.count == 4 && rh.nfailed == 2 && rh.flags == 1,
     "failed chunk header where expected");
  expect_eproto_u64(K_RESULTS, m, len, c3, UINT64_MAX,
                    "failed chunk: count huge (status array)");
  expect_eproto_u64(K_RESULTS, m, len, c3 + 8, 5, "failed: nfailed > count");
  {
    /* the smallest forged message: header + a var chunk of huge count */
    struct {
      frame_hdr_t f;
      rchunk_hdr_t c;
    } msg = {{0x4d505052u, 1, 1, 0}, {UINT64_MAX, 0, 0, 1, 0, 0}};
    int rc = decode_checked(K_RESULTS, &msg, sizeof msg);
    if (!ok(rc == MPIPOOL_EPROTO,
            "RESULTS forged: var chunk of count UINT64_MAX, no offsets "
            "-> EPROTO without reading past the message"))
      printf("#   got %d%s\n", rc,
             rc == SEGV_SEEN ? " (read past the end of the message)" : "");
  }
  mpipool__buf_free(&b);

  /* a frame of 0 chunks */
  mpipool__wire_results_begin(&b, 1, 0);
  is_int(decode_checked(K_RESULTS, b.data, b.len), 0, "empty results frame");
  check_truncations(K_RESULTS, b.data, b.len, "empty frame");
  /* one chunk each, alone, truncated */
  mpipool__wire_results_begin(&b, 1, 0);
  mpipool__wire_results_add(&b, &failed);
  check_truncations(K_RESULTS, b.data, b.len, "failed chunk alone");
  mpipool__wire_results_begin(&b, 1, 0);
  mpipool__wire_results_add(&b, &zeros);
  check_truncations(K_RESULTS, b.data, b.len, "0-byte chunk alone");

  /* reset keeps memory and starts over */
  char *keep = mixed.data.data;
  mpipool__rbuild_reset(&mixed);
  ok(mixed.count == 0 && mixed.nfailed == 0 && mixed.data.len == 0 &&
         mixed.off.len == 0 && mixed.status.len == 0 && mixed.data.data == keep,
     "rbuild_reset empties, keeps memory");
  rb_item(&mixed, "q", 1, MPIPOOL_ETASK);
  mpipool__wire_results_begin(&b, 2, 0);
  mpipool__wire_results_add(&b, &mixed);
  mpipool__wire_results_open(&r, b.data, b.len);
  ok(mpipool__wire_results_next(&r, &c) == 1 && c.count == 1 &&
         c.nfailed == 1 && c.off != NULL,
     "after reset: one failed item (var path even if alone)");
  const void *d;
  size_t s;
  is_int(mpipool__rchunk_item(&c, 0, &d, &s), MPIPOOL_ETASK,
         "after reset: status");
  is_int(s, 0, "after reset: a 1-byte message (its NUL only) has size 0");

  /* rbuild_reserve: room up front, so that items do not move memory */
  {
    mpipool__rbuild_t rr = {0};
    is_int(mpipool__rbuild_reserve(&rr, 10, 40), 0, "rbuild_reserve");
    char *d0 = rr.data.data, *o0 = rr.off.data, *s0 = rr.status.data;
    for (int i = 0; i < 10; i++)
      rb_item(&rr, &i, sizeof i, 0);
    ok(rr.count == 10 && rr.data.data == d0 && rr.off.data == o0 &&
           rr.status.data == s0,
       "reserved items and bytes fit without reallocation");
    is_int(mpipool__rbuild_reserve(&rr, (size_t)-1, 0), MPIPOOL_ENOMEM,
           "rbuild_reserve of SIZE_MAX items -> ENOMEM");
    is_int(mpipool__rbuild_reserve(&rr, (size_t)-1 / 8, 0), MPIPOOL_ENOMEM,
           "rbuild_reserve of SIZE_MAX / 8 items -> ENOMEM");
    is_int(mpipool__rbuild_reserve(&rr, 0, (size_t)-1), MPIPOOL_ENOMEM,
           "rbuild_reserve of SIZE_MAX bytes -> ENOMEM");
    is_int(mpipool__rbuild_reserve(&rr, 0, 0), 0, "rbuild_reserve(0, 0)");
    mpipool__rbuild_free(&rr);
  }

  mpipool__buf_free(&b);
  mpipool__rbuild_free(&fixed);
  mpipool__rbuild_free(&mixed);
  mpipool__rbuild_free(&failed);
  mpipool__rbuild_free(&empty);
  mpipool__rbuild_free(&zeros);
  mpipool__rbuild_free(&one);
  ok(one.count == 0 && one.data.data == NULL, "rbuild_free empties");
}

/* ---- CONFIG, HELLO and NODE --------------------------------------------- */

/* "0,2,4,...,254": a cyclic set of 128 CPUs, as Slurm gives out (malloc'd). */
static char *cyclic_set(void) {
  char *s = malloc(1024);
  s[0] = '\0';
  for (int i = 0; i < 128; i++)
    sprintf(s + strlen(s), "%s%d", i ? "," : "", 2 * i);
  return s;
}

/* A host name of 200 characters (malloc'd). */
static char *long_host(void) {
  char *h = malloc(201);
  for (int i = 0; i < 200; i++)
    h[i] = (char)('a' + i % 26);
  h[200] = '\0';
  return h;
}

static void test_config(void) {
  mpipool__buf_t b = {0};
  const char names[] = "square\0double\0x";
  const char initargs[] = {1, 2, 3, 4, 5};
  mpipool__config_t in = {7, 1000, 3, names, initargs,  sizeof initargs,
                          2, 4,    1, "0-3", "1,5",     1000,
                          1, 2,    1, "g0",  "12:34@n", "mpipool-1-ab"};
  mpipool__config_t out;
  const size_t H = sizeof(config_hdr_t),
               NAMES = H + STR(3) + STR(3) + STR(2) + STR(7) + STR(12);
  is_int(mpipool__wire_config_encode(&b, &in), 0, "config_encode");
  is_int(b.len, NAMES + 16 + 5, "config size");
  is_int(mpipool__wire_config_decode(&out, b.data, b.len), 0, "config_decode");
  ok(out.worker_id == 7 && out.maxtasks == 1000 && out.nnames == 3,
     "config: id, maxtasks, nnames");
  ok(out.names && memcmp(out.names, names, 16) == 0, "config: names");
  ok(out.initargs_len == 5 && memcmp(out.initargs, initargs, 5) == 0,
     "config: initargs");
  ok(out.bind_index == 2 && out.bind_count == 4 && out.hwthreads == 1 &&
         strcmp(out.node_set, "0-3") == 0 && strcmp(out.avoid, "1,5") == 0,
     "config: binding share, count, hwthreads, node set, avoid");
  is_int(out.beat_ms, 1000, "config: beat_ms");
  is_int(out.crowded, 1, "config: crowded");
  ok(out.share_cores == 2 && out.gpus_per == 1 && strcmp(out.gpus, "g0") == 0,
     "config: cores per share, GPUs per place, the node's GPUs");
  ok(strcmp(out.master, "12:34@n") == 0, "config: the master's name");
  ok(strcmp(out.shm, "mpipool-1-ab") == 0,
     "config: the master's socket for channels");

  size_t len = b.len;
  char *m = malloc(len);
  memcpy(m, b.data, len);
  check_truncations(K_CONFIG, m, len, "3 names");
  expect_eproto_u64(K_CONFIG, m, len, 24, 17, "names_len too long");
  expect_eproto_u64(K_CONFIG, m, len, 24, 1u << 30,
                    "names_len beyond the message");
  expect_eproto_u64(K_CONFIG, m, len, 24, 15,
                    "names_len short (last name unterminated)");
  expect_eproto_u64(K_CONFIG, m, len, 32, 4, "initargs_len too long");
  expect_eproto_u64(K_CONFIG, m, len, 32, UINT64_MAX, "initargs_len max");
  expect_eproto_u64(K_CONFIG, m, len, 16, 2, "nnames too few");
  expect_eproto_u64(K_CONFIG, m, len, 16, 4, "nnames too many");
  expect_eproto_u64(K_CONFIG, m, len, 16, (uint64_t)UINT32_MAX + 4,
                    "nnames above 32 bits");
  expect_eproto(K_CONFIG, m, len, NAMES + 15, "y", 1,
                "last name not NUL-terminated");
  expect_eproto_u32(K_CONFIG, m, len, H, 4, "node set's length too long");
  expect_eproto_u32(K_CONFIG, m, len, H, 2, "node set's length short");
  expect_eproto_u32(K_CONFIG, m, len, H, UINT32_MAX, "node set NULL");
  expect_eproto_u32(K_CONFIG, m, len, H, 1u << 30, "node set beyond the end");
  expect_eproto(K_CONFIG, m, len, H + 4 + 3, "x", 1,
                "node set not NUL-terminated");
  expect_eproto(K_CONFIG, m, len, H + 4 + 1, "", 1,
                "a NUL inside the node set");
  expect_eproto_u32(K_CONFIG, m, len, H + STR(3), UINT32_MAX, "avoid NULL");
  expect_eproto_u32(K_CONFIG, m, len, H + STR(3) + STR(3) + STR(2), UINT32_MAX,
                    "the master's name NULL");
  expect_eproto_u32(K_CONFIG, m, len, H + STR(3) + STR(3) + STR(2) + STR(7),
                    UINT32_MAX, "the socket's name NULL");
  {
    char *m2 = malloc(len + 1);
    memcpy(m2, m, len);
    m2[len] = 9;
    is_int(decode_checked(K_CONFIG, m2, len + 1), MPIPOOL_EPROTO,
           "CONFIG corrupt: a trailing byte -> EPROTO");
    free(m2);
  }
  free(m);

  /* no names, no initargs, no sets (NULL goes as "") */
  mpipool__config_t none = {1,    0,  0, NULL, NULL, 0, -1,   0,    0,
                            NULL, "", 0, 0,    0,    0, NULL, NULL, NULL};
  is_int(mpipool__wire_config_encode(&b, &none), 0, "empty config encodes");
  is_int(b.len, H + STR(0) + STR(0) + STR(0) + STR(0) + STR(0),
         "empty config: the header, five \"\"");
  out.nnames = 99;
  is_int(mpipool__wire_config_decode(&out, b.data, b.len), 0,
         "empty config decodes");
  ok(out.worker_id == 1 && out.nnames == 0 && out.initargs_len == 0 &&
         strcmp(out.node_set, "") == 0 && strcmp(out.avoid, "") == 0 &&
         strcmp(out.master, "") == 0 && strcmp(out.shm, "") == 0,
     "empty config fields");
  check_truncations(K_CONFIG, b.data, b.len, "empty");
  /* a name-less config with a byte of names: bad */
  {
    char *m2 = malloc(b.len + 1);
    memcpy(m2, b.data, b.len);
    uint64_t one = 1;
    memcpy(m2 + 24, &one, 8);
    m2[b.len] = '\0';
    is_int(decode_checked(K_CONFIG, m2, b.len + 1), MPIPOOL_EPROTO,
           "CONFIG corrupt: 0 names but names_len 1");
    free(m2);
  }
  /* an empty name among others is still nnames strings */
  mpipool__config_t e = {2,  0,  2, "a\0", "", 0, -1, 0,  0,
                         "", "", 0, 0,     0,  0, "", "", ""};
  mpipool__wire_config_encode(&b, &e);
  ok(mpipool__wire_config_decode(&out, b.data, b.len) == 0 && out.nnames == 2 &&
         strcmp(out.names, "a") == 0 && out.names[2] == '\0',
     "config with an empty second name round-trips");

  /* A node's set of 128 cyclic CPUs and as long an avoid list: whole. */
  char *set = cyclic_set(), *avoid = cyclic_set();
  avoid[0] = '1';
  mpipool__config_t big = {3,   0,     0, NULL, NULL, 0, 5,    128,  1,
                           set, avoid, 0, 0,    0,    0, NULL, NULL, NULL};
  is_int(mpipool__wire_config_encode(&b, &big), 0,
         "config with a 128-CPU cyclic set encodes");
  ok(mpipool__wire_config_decode(&out, b.data, b.len) == 0 &&
         strcmp(out.node_set, set) == 0 && strcmp(out.avoid, avoid) == 0 &&
         out.bind_count == 128,
     "a 128-CPU cyclic set (%zu characters) and avoid list survive the "
     "round trip",
     strlen(set));
  check_truncations(K_CONFIG, b.data, b.len, "128-CPU set");
  free(set);
  free(avoid);
  mpipool__buf_free(&b);
}

static void test_hello(void) {
  mpipool__buf_t b = {0};
  mpipool__hello_t in = {
      -7, 4242, "node-17.example", "init failed: x", "core 3 (PU 3,7)", 1, 1};
  mpipool__hello_t out;
  const size_t H = sizeof(hello_hdr_t);
  is_int(mpipool__wire_hello_encode(&b, &in), 0, "hello_encode");
  is_int(b.len, H + STR(15) + STR(14) + STR(15), "hello size");
  is_int(mpipool__wire_hello_decode(&out, b.data, b.len), 0, "hello_decode");
  ok(out.status == -7 && out.pid == 4242, "hello: status, pid");
  ok(strcmp(out.host, in.host) == 0 && strcmp(out.message, in.message) == 0,
     "hello: host, message");
  ok(strcmp(out.binding, in.binding) == 0 && out.bound == 1 && out.beats == 1,
     "hello: binding, bound, beats");

  size_t len = b.len;
  char *m = malloc(len);
  memcpy(m, b.data, len);
  check_truncations(K_HELLO, m, len, "full");
  expect_eproto_u32(K_HELLO, m, len, H, 0, "host_len 0 (the rest shifted)");
  expect_eproto_u32(K_HELLO, m, len, H, 16, "host_len one long");
  expect_eproto_u32(K_HELLO, m, len, H, UINT32_MAX, "host NULL");
  expect_eproto_u32(K_HELLO, m, len, H, UINT32_MAX - 1, "host_len huge");
  expect_eproto_u32(K_HELLO, m, len, H + STR(15), UINT32_MAX, "message NULL");
  expect_eproto_u32(K_HELLO, m, len, H + STR(15) + STR(14), 100,
                    "binding_len beyond the end");
  expect_eproto(K_HELLO, m, len, H + 4 + 15, "!", 1, "host not NUL-terminated");
  expect_eproto(K_HELLO, m, len, len - 1, "!", 1, "binding not NUL-terminated");
  {
    char *m2 = malloc(len + 1);
    memcpy(m2, m, len);
    m2[len] = '\0';
    is_int(decode_checked(K_HELLO, m2, len + 1), MPIPOOL_EPROTO,
           "HELLO corrupt: a trailing byte -> EPROTO");
    free(m2);
  }
  free(m);

  /* empty strings, NULL binding sent as "" */
  mpipool__hello_t e = {0, 1, "", "", NULL, 0, 0};
  mpipool__wire_hello_encode(&b, &e);
  ok(mpipool__wire_hello_decode(&out, b.data, b.len) == 0 && out.status == 0 &&
         out.host[0] == '\0' && out.message[0] == '\0' &&
         out.binding[0] == '\0',
     "hello with empty strings round-trips");
  check_truncations(K_HELLO, b.data, b.len, "empty strings");

  /* long strings arrive whole: a 200-character host, a 70,000-character
   * message */
  char *host = long_host(), *msg = malloc(70000);
  memset(msg, 'm', 69999);
  msg[69999] = '\0';
  mpipool__hello_t l = {1, 2, host, msg, "", 0, 0};
  is_int(mpipool__wire_hello_encode(&b, &l), 0, "long hello encodes");
  ok(mpipool__wire_hello_decode(&out, b.data, b.len) == 0 &&
         strcmp(out.host, host) == 0 && strlen(out.message) == 69999,
     "long hello: a 200-character host and a 69,999-character message, "
     "whole");
  free(host);
  free(msg);
  mpipool__buf_free(&b);
}

static void test_node(void) {
  mpipool__buf_t b = {0};
  char *host = long_host(), *set = cyclic_set();
  mpipool__nodemsg_t in = {0, 128, 37, 0, host, set, NULL, NULL}, out;
  is_int(mpipool__wire_node_encode(&b, &in), 0, "node_encode");
  is_int(b.len, 16 + STR(200) + STR(strlen(set)) + 4 + 4, "node size");
  is_int(mpipool__wire_node_decode(&out, b.data, b.len), 0, "node_decode");
  is_int(out.room, 37, "node_decode: the node's room for workers");
  ok(out.status == 0 && out.cores == 128 && strcmp(out.host, host) == 0 &&
         strcmp(out.cpuset, set) == 0 && out.bound == NULL,
     "a 200-character host and a 128-CPU cyclic set survive the round trip");
  size_t len = b.len;
  char *m = malloc(len);
  memcpy(m, b.data, len);
  check_truncations(K_NODE, m, len, "long host, cyclic set");
  expect_eproto_u32(K_NODE, m, len, 16, UINT32_MAX, "host NULL");
  expect_eproto_u32(K_NODE, m, len, 16, 201, "host_len one long");
  expect_eproto_u32(K_NODE, m, len, 16, 199, "host_len one short");
  expect_eproto(K_NODE, m, len, len - 8, "\x01", 1, "bound's length wrong");
  expect_eproto(K_NODE, m, len, len - 4, "\x01", 1, "gpus' length wrong");
  free(m);
  mpipool__nodemsg_t failed = {MPIPOOL_EHWLOC, 0,   -1,       4, "b",
                               NULL,           "3", "0,1,2,3"};
  mpipool__wire_node_encode(&b, &failed);
  ok(mpipool__wire_node_decode(&out, b.data, b.len) == 0 &&
         out.status == MPIPOOL_EHWLOC && out.room == -1 && out.cpuset == NULL &&
         strcmp(out.bound, "3") == 0 && out.ngpus == 4 &&
         strcmp(out.gpus, "0,1,2,3") == 0,
     "a failed probe: status, no set, a binding, GPUs");
  check_truncations(K_NODE, b.data, b.len, "failed probe");
  free(host);
  free(set);
  mpipool__buf_free(&b);
}

/* ---- fitting a chunk into what is left of a frame --------------------- */

/* An item of n bytes, byte k = (k + n) & 0xff, to check it intact. */
static void rb_fill(mpipool__rbuild_t *rb, size_t n, int status) {
  mpipool__rbuild_begin(rb);
  char *p = mpipool__buf_reserve(&rb->data, n ? n : 1);
  for (size_t k = 0; k < n; k++)
    p[k] = (char)((k + n) & 0xff);
  rb->data.len += n;
  mpipool__rbuild_end(rb, status);
}

static int filled(const void *d, size_t s, size_t n) {
  const unsigned char *p = d;
  if (s != n)
    return 0;
  for (size_t k = 0; k < n; k++)
    if (p[k] != ((k + n) & 0xff))
      return 0;
  return 1;
}

/* Encodes rb alone in a frame and opens its chunk into *c (b keeps it). */
static int encode_one(mpipool__buf_t *b, const mpipool__rbuild_t *rb,
                      mpipool__rchunk_view_t *c) {
  mpipool__reader_t r;
  if (mpipool__wire_results_begin(b, 1, 0) ||
      mpipool__wire_results_add(b, rb) ||
      mpipool__wire_results_open(&r, b->data, b->len))
    return -1;
  return mpipool__wire_results_next(&r, c) == 1 ? 0 : -1;
}

/* Item i is an E2BIG failure whose message begins with want. */
static int is_e2big(const mpipool__rchunk_view_t *c, size_t i,
                    const char *want) {
  const void *d;
  size_t s;
  int st = mpipool__rchunk_item(c, i, &d, &s);
  if (st != MPIPOOL_E2BIG || strncmp(d, want, strlen(want)) != 0 ||
      strlen(d) != s) {
    printf("#   item %zu: status %d, '%.*s'\n", i, st, (int)s,
           st ? (const char *)d : "");
    return 0;
  }
  return 1;
}

static void test_fit(void) {
  mpipool__buf_t b = {0};
  mpipool__rchunk_view_t c;
  const size_t max = 4096; /* a lowered message limit */
  const size_t item_max = mpipool__wire_item_max(max);
  is_int(item_max, (max - FH - sizeof(rchunk_hdr_t)) & ~(size_t)7,
         "item_max: the limit less a frame's and a chunk's headers");
  is_int(mpipool__wire_item_max(INT_MAX), 2147483576,
         "item_max of one MPI message: 2 GiB less 72");
  is_int(mpipool__wire_item_max(16), 0, "item_max of a tiny limit: 0");

  /* An item of item_max bytes alone fills a frame of max bytes exactly. */
  {
    mpipool__rbuild_t rb = {0};
    rb_fill(&rb, item_max, 0);
    is_int(FH + mpipool__wire_results_size(&rb), max,
           "results_size: its header and data, the whole frame");
    is_int(mpipool__rbuild_fit(&rb, max - FH, max), 0, "item_max fits");
    ok(encode_one(&b, &rb, &c) == 0 && b.len <= max,
       "item_max: encoded within the limit");
    const void *d;
    size_t s;
    ok(mpipool__rchunk_item(&c, 0, &d, &s) == 0 && filled(d, s, item_max),
       "item_max: arrives intact");
    /* One byte more does not fit: failed, with its size said. */
    mpipool__rbuild_reset(&rb);
    rb_fill(&rb, item_max + 1, 0);
    is_int(mpipool__rbuild_fit(&rb, max - FH, max), 0, "item_max + 1: fitted");
    ok(encode_one(&b, &rb, &c) == 0 && b.len <= max, "within the limit");
    char want[128];
    snprintf(want, sizeof want,
             "output of %zu bytes is more than one message can carry "
             "(4096 bytes)",
             item_max + 1);
    ok(is_e2big(&c, 0, want), "item_max + 1: E2BIG, '%s'", want);
    is_int(c.nfailed, 1, "nfailed counted");
    mpipool__rbuild_free(&rb);
  }

  /* Several items: the largest go, the rest arrive intact. */
  {
    mpipool__rbuild_t rb = {0};
    size_t sizes[] = {100, 3000, 5, 5000, 0, 1500, 1500, 1500};
    enum { N = sizeof sizes / sizeof sizes[0] };
    for (int i = 0; i < N; i++)
      rb_fill(&rb, sizes[i], i == 2 ? MPIPOOL_ETASK : 0);
    size_t before = mpipool__wire_results_size(&rb);
    is_int(mpipool__rbuild_fit(&rb, before, max), 0, "fits as it is");
    is_int(mpipool__wire_results_size(&rb), before, "then left unchanged");
    is_int(mpipool__rbuild_fit(&rb, max - FH, max), 0, "fitted into 4096");
    ok(mpipool__wire_results_size(&rb) <= max - FH,
       "its size is within the room");
    ok(encode_one(&b, &rb, &c) == 0 && b.len <= max && c.count == N,
       "encodes and decodes, every item there");
    ok(is_e2big(&c, 3, "output of 5000 bytes is more than one message"),
       "5000 bytes, above item_max: more than one message can carry");
    ok(is_e2big(&c, 1,
                "output of 3000 bytes does not fit beside the other "
                "results of its frame in one message (4096 bytes)"),
       "3000 bytes: does not fit beside the others");
    const void *d;
    size_t s;
    int intact = 1;
    for (int i = 0; i < N; i++) {
      if (i == 1 || i == 3 || i == 7)
        continue;
      int st = mpipool__rchunk_item(&c, (size_t)i, &d, &s);
      intact &= i == 2 ? st == MPIPOOL_ETASK && s == 4
                       : st == 0 && filled(d, s, sizes[i]);
    }
    ok(intact, "the others keep their results, the task's own failure too");
    ok(is_e2big(&c, 7, "output of 1500 bytes does not fit"),
       "of three equal outputs, the last goes");
    is_int(c.nfailed, 4, "nfailed: the task's failure and 3 E2BIG");
    mpipool__rbuild_free(&rb);
  }

  /* The room left by earlier chunks: a small room fails more. */
  {
    mpipool__rbuild_t rb = {0};
    for (int i = 0; i < 4; i++)
      rb_fill(&rb, 400, 0);
    /* 88 bytes of headers, 400 + 400 kept and two messages of 101 */
    is_int(mpipool__rbuild_fit(&rb, 1100, max), 0, "fitted into 1100 bytes");
    ok(mpipool__wire_results_size(&rb) <= 1100 && rb.nfailed == 2,
       "two of four 400-byte outputs kept");
    ok(encode_one(&b, &rb, &c) == 0 && c.count == 4, "encodes");
    const void *d;
    size_t s;
    ok(mpipool__rchunk_item(&c, 0, &d, &s) == 0 && filled(d, s, 400) &&
           mpipool__rchunk_item(&c, 1, &d, &s) == 0 && filled(d, s, 400) &&
           is_e2big(&c, 2, "output of 400 bytes") &&
           is_e2big(&c, 3, "output of 400 bytes"),
       "the first two kept, the last two failed");
    mpipool__rbuild_free(&rb);
  }

  /* Messages dropped when even they do not fit; E2BIG when nothing can. */
  {
    mpipool__rbuild_t rb = {0};
    for (int i = 0; i < 8; i++)
      rb_fill(&rb, 300, 0);
    size_t bare = mpipool__wire_results_min(8, 1);
    ok(bare < mpipool__wire_results_min(8, 0), "min: bare is smaller");
    is_int(mpipool__rbuild_fit(&rb, bare, max), 0,
           "fitted into its bare minimum");
    ok(mpipool__wire_results_size(&rb) <= bare && rb.nfailed == 8,
       "every output failed");
    ok(encode_one(&b, &rb, &c) == 0 && is_e2big(&c, 0, "") &&
           is_e2big(&c, 7, ""),
       "each an E2BIG with an empty message");
    mpipool__rbuild_reset(&rb);
    for (int i = 0; i < 8; i++)
      rb_fill(&rb, 300, 0);
    size_t len = rb.data.len;
    is_int(mpipool__rbuild_fit(&rb, bare - 8, max), MPIPOOL_E2BIG,
           "below the bare minimum: E2BIG");
    ok(rb.data.len == len && rb.nfailed == 0, "and rb unchanged");
    mpipool__rbuild_reset(&rb);
    is_int(mpipool__rbuild_fit(&rb, mpipool__wire_results_min(0, 0), max), 0,
           "an empty chunk fits its minimum");
    mpipool__rbuild_free(&rb);
  }
  mpipool__buf_free(&b);
}

int main(void) {
  guard_setup();
  test_src();
  test_tasks();
  test_results();
  test_fit();
  test_config();
  test_hello();
  test_node();
  guard_teardown();
  return tap_done();
}
