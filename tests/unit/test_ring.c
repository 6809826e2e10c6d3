/*
 * test_ring.c - the shared-memory pipe of messages (transport/ring.c),
 * without MPI: messages come out whole, in order, with their tags, across
 * the ring's end and larger than the ring; what is not a ring is not
 * attached; a broken frame is EPROTO; out of memory, a message waits;
 * between two processes, 20,000 messages pass intact, and a writer
 * killed (SIGKILL) mid-message leaves the reader only whole messages.
 */
#include "config.h"

#include "base/alloc.h"
#include "mpipool.h"
#include "transport/ring.h"
#include "../tap.h"

#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* 1 until 60 s after the first call of a test (no wait for a process
 * may be unbounded). */
static int in_time(time_t *start) {
  if (*start == 0)
    *start = time(NULL);
  return time(NULL) - *start < 60;
}

/* Shared memory for a ring of cap bytes (and room for a second one). */
static void *shared(size_t cap) {
  void *p = mmap(NULL, 2 * mpipool__ring_size(cap), PROT_READ | PROT_WRITE,
                 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? NULL : p;
}

/* A message of n bytes, byte i being (seed + i) % 251. */
static void *message(size_t n, unsigned seed) {
  unsigned char *p = mpipool__malloc(n ? n : 1);
  for (size_t i = 0; i < n; i++)
    p[i] = (unsigned char)((seed + i) % 251);
  return p;
}

static int is_message(const void *data, size_t n, unsigned seed) {
  const unsigned char *p = data;
  for (size_t i = 0; i < n; i++)
    if (p[i] != (unsigned char)((seed + i) % 251))
      return 0;
  return 1;
}

/* A ring of 256 bytes in shared memory, its writer and a reader taking
 * messages of up to max bytes. */
typedef struct {
  char *mem;
  mpipool__ring_t *r;
  mpipool__ring_writer_t w;
  mpipool__ring_reader_t rd;
} fixture_t;

static void fixture(fixture_t *f, size_t max) {
  if (f->mem == NULL)
    f->mem = shared(256);
  f->r = mpipool__ring_init(f->mem, mpipool__ring_size(256));
  mpipool__ring_writer_init(&f->w, f->r);
  mpipool__ring_reader_init(&f->rd, f->r, max);
}

static void fixture_free(fixture_t *f) {
  mpipool__ring_writer_free(&f->w);
  mpipool__ring_reader_free(&f->rd);
  munmap(f->mem, 2 * mpipool__ring_size(256));
}

static void test_attach(void) {
  size_t size = mpipool__ring_size(4096);
  char *mem = shared(4096);
  ok(mpipool__ring_attach(mem, size) == NULL, "zeroed memory is not a ring");
  ok(mpipool__ring_init(mem, mpipool__ring_size(32)) == NULL,
     "a ring too small is not made");
  ok(mpipool__ring_init(mem + 8, size - 8) == NULL,
     "memory not aligned to 64 is refused");
  mpipool__ring_t *r = mpipool__ring_init(mem, size + 100);
  ok(r != NULL, "a ring is made");
  is_int(mpipool__ring_cap(r), 4096, "its capacity: the power of 2 that fits");
  ok(mpipool__ring_attach(mem, size) == r, "the other side attaches it");
  ok(mpipool__ring_attach(mem, size - 1) == NULL,
     "not when its capacity does not fit the mapping");
  munmap(mem, 2 * size);
}

static void test_small(void) {
  char *mem = shared(256);
  mpipool__ring_t *r = mpipool__ring_init(mem, mpipool__ring_size(256));
  mpipool__ring_writer_t w;
  mpipool__ring_reader_t rd;
  mpipool__ring_writer_init(&w, r);
  mpipool__ring_reader_init(
      &rd, mpipool__ring_attach(mem, mpipool__ring_size(256)), 1024);
  uint32_t tag;
  void *data;
  size_t len;
  is_int(mpipool__ring_recv(&rd, &tag, &data, &len), 0, "empty: no message");
  is_int(mpipool__ring_send(&w, 7, message(5, 1), 5), 0, "a message is sent");
  is_int(mpipool__ring_send(&w, 8, NULL, 0), 0, "an empty one too");
  is_int(mpipool__ring_flush(&w), 0, "both written at once: nothing waits");
  ok(mpipool__ring_recv(&rd, &tag, &data, &len) == 1 && tag == 7 && len == 5 &&
         is_message(data, 5, 1),
     "the first comes out with its tag and bytes");
  mpipool__free(data);
  ok(mpipool__ring_recv(&rd, &tag, &data, &len) == 1 && tag == 8 && len == 0 &&
         data == NULL,
     "then the empty one");
  is_int(mpipool__ring_recv(&rd, &tag, &data, &len), 0, "then none");
  /* Around the end many times, sizes 0 to 100. */
  int good = 1;
  for (unsigned i = 0; i < 2000 && good; i++) {
    size_t n = (i * 37) % 101;
    good = mpipool__ring_send(&w, i, message(n, i), n) == 0 &&
           mpipool__ring_flush(&w) == 0 &&
           mpipool__ring_recv(&rd, &tag, &data, &len) == 1 && tag == i &&
           len == n && is_message(data, n, i);
    mpipool__free(data);
  }
  ok(good, "2,000 messages of 0 to 100 bytes through 256 bytes, in turn");
  mpipool__ring_writer_free(&w);
  mpipool__ring_reader_free(&rd);
  munmap(mem, 2 * mpipool__ring_size(256));
}

/* Messages larger than the ring, and more than fit, pass in order while
 * the reader reads: each comes out whole once. */
static void test_large(void) {
  fixture_t f = {0};
  fixture(&f, 1 << 20);
  static const size_t sizes[] = {10000, 3, 0, 255, 256, 257, 70000, 1};
  const size_t nsizes = sizeof sizes / sizeof sizes[0];
  for (size_t i = 0; i < nsizes; i++)
    mpipool__ring_send(&f.w, (uint32_t)(100 + i),
                       message(sizes[i], (unsigned)i), sizes[i]);
  ok(mpipool__ring_flush(&f.w) == nsizes, "they wait while the ring is full");
  ok(mpipool__ring_pending(&f.w) >= 80000, "the writer holds their bytes");
  size_t got = 0, rounds = 0;
  int good = 1;
  while (got < nsizes && rounds++ < 100000 && good) {
    uint32_t tag;
    void *data;
    size_t len;
    mpipool__ring_flush(&f.w);
    int e = mpipool__ring_recv(&f.rd, &tag, &data, &len);
    if (e == 1) {
      good = tag == 100 + got && len == sizes[got] &&
             is_message(data, len, (unsigned)got);
      mpipool__free(data);
      got++;
    } else {
      good = e == 0;
    }
  }
  ok(good && got == nsizes, "all %zu come out whole, in order (%zu rounds)",
     nsizes, rounds);
  is_int(mpipool__ring_flush(&f.w), 0, "none waits then");
  fixture_free(&f);
}

/* A peek at the frames that arrived finds a tag and takes nothing, also
 * behind a message being read in parts. */
static void test_has(void) {
  fixture_t f = {0};
  fixture(&f, 1 << 20);
  uint32_t tag;
  void *data;
  size_t len;
  ok(!mpipool__ring_has(&f.rd, 1), "empty: no tag has arrived");
  mpipool__ring_send(&f.w, 1, message(20, 1), 20);
  mpipool__ring_send(&f.w, 2, NULL, 0);
  mpipool__ring_send(&f.w, 3, message(30, 3), 30);
  mpipool__ring_flush(&f.w);
  ok(mpipool__ring_has(&f.rd, 3) && mpipool__ring_has(&f.rd, 2) &&
         mpipool__ring_has(&f.rd, 1) && !mpipool__ring_has(&f.rd, 9),
     "the tags sent are there, no other");
  int order = 1;
  for (uint32_t t = 1; t <= 3; t++) {
    order &= mpipool__ring_recv(&f.rd, &tag, &data, &len) == 1 && tag == t;
    mpipool__free(data);
  }
  ok(order, "nothing was taken: all three come out, in order");
  ok(!mpipool__ring_has(&f.rd, 3), "none once they are read");
  /* 1,000 bytes through 256, then a message of tag 5 behind it. */
  mpipool__ring_send(&f.w, 4, message(1000, 4), 1000);
  mpipool__ring_send(&f.w, 5, message(8, 5), 8);
  mpipool__ring_flush(&f.w);
  ok(mpipool__ring_has(&f.rd, 4) && !mpipool__ring_has(&f.rd, 5),
     "a large message's header is there, the next not yet");
  int got4 = 0, rounds = 0, begun = 0;
  while (!mpipool__ring_has(&f.rd, 5) && rounds++ < 1000) {
    if (mpipool__ring_recv(&f.rd, &tag, &data, &len) == 1) {
      got4 += tag == 4 && len == 1000 && is_message(data, 1000, 4);
      mpipool__free(data);
    }
    begun |= f.rd.data != NULL;
    mpipool__ring_flush(&f.w);
  }
  ok(begun && rounds < 1000,
     "the next is seen behind the large one as it is read in parts");
  while (got4 == 0 && rounds++ < 2000) {
    if (mpipool__ring_recv(&f.rd, &tag, &data, &len) == 1) {
      got4 += tag == 4 && len == 1000 && is_message(data, 1000, 4);
      mpipool__free(data);
    }
  }
  ok(got4 == 1 && mpipool__ring_recv(&f.rd, &tag, &data, &len) == 1 &&
         tag == 5 && is_message(data, 8, 5),
     "the large one comes out whole, then the next");
  mpipool__free(data);
  /* A header that is not one: nothing is found past it. */
  mpipool__ring_send(&f.w, 6, NULL, 0);
  mpipool__ring_flush(&f.w);
  memset(f.mem + mpipool__ring_size(256) - 256, 0x5a, 256);
  ok(!mpipool__ring_has(&f.rd, 6), "a broken ring: no tag is found");
  fixture_free(&f);
}

static void test_bad(void) {
  char *mem = shared(256);
  mpipool__ring_t *r = mpipool__ring_init(mem, mpipool__ring_size(256));
  mpipool__ring_writer_t w;
  mpipool__ring_reader_t rd;
  mpipool__ring_writer_init(&w, r);
  mpipool__ring_reader_init(&rd, r, 100);
  uint32_t tag;
  void *data = NULL;
  size_t len;
  mpipool__ring_send(&w, 1, message(101, 0), 101);
  is_int(mpipool__ring_recv(&rd, &tag, &data, &len), MPIPOOL_EPROTO,
         "a message longer than the reader takes: EPROTO");
  mpipool__ring_writer_free(&w);
  r = mpipool__ring_init(mem, mpipool__ring_size(256));
  mpipool__ring_writer_init(&w, r);
  mpipool__ring_reader_init(&rd, r, 100);
  mpipool__ring_send(&w, 1, message(8, 0), 8);
  char *frame = (char *)r + (mpipool__ring_size(256) - 256);
  frame[4] ^= 1; /* the tag's complement */
  is_int(mpipool__ring_recv(&rd, &tag, &data, &len), MPIPOOL_EPROTO,
         "a header that is not one: EPROTO");
  mpipool__ring_writer_free(&w);
  /* Out of memory: the message waits for the next call. */
  r = mpipool__ring_init(mem, mpipool__ring_size(256));
  mpipool__ring_writer_init(&w, r);
  mpipool__ring_reader_init(&rd, r, 1000);
  mpipool__ring_send(&w, 2, message(40, 2), 40);
  mpipool__alloc_fail_at(1);
  is_int(mpipool__ring_recv(&rd, &tag, &data, &len), MPIPOOL_ENOMEM,
         "out of memory: ENOMEM");
  ok(mpipool__ring_recv(&rd, &tag, &data, &len) == 1 && tag == 2 &&
         is_message(data, 40, 2),
     "the next call gets it");
  mpipool__free(data);
  mpipool__ring_send(&w, 3, message(1000, 3), 1000);
  mpipool__alloc_fail_at(1);
  is_int(mpipool__ring_recv(&rd, &tag, &data, &len), MPIPOOL_ENOMEM,
         "and for a message read in parts");
  int e;
  while ((e = mpipool__ring_recv(&rd, &tag, &data, &len)) == 0)
    mpipool__ring_flush(&w);
  ok(e == 1 && tag == 3 && len == 1000 && is_message(data, 1000, 3),
     "which comes whole after");
  mpipool__free(data);
  mpipool__ring_writer_free(&w);
  /* A full ring and a writer whose queue is not made yet. */
  r = mpipool__ring_init(mem, mpipool__ring_size(256));
  mpipool__ring_writer_init(&w, r);
  static const char fill[240];
  ok(mpipool__ring_put(&w, 5, fill, sizeof fill) == 1,
     "a copy fills the ring without memory of its own");
  ok(mpipool__ring_put(&w, 5, fill, 0) == 0, "then not even an empty one fits");
  void *m = message(10, 4);
  long live = mpipool__alloc_live();
  mpipool__alloc_fail_at(1);
  is_int(mpipool__ring_send(&w, 4, m, 10), MPIPOOL_ENOMEM,
         "a send that cannot queue: ENOMEM");
  mpipool__alloc_fail_at(0);
  is_int(mpipool__alloc_live(), live - 1, "its buffer freed");
  mpipool__ring_writer_free(&w);
  mpipool__ring_reader_free(&rd);
  munmap(mem, 2 * mpipool__ring_size(256));
}

/* The child echoes each message back with its tag plus one, until tag 0;
 * or, when die_after is not 0, starts message die_after + 1 (larger than
 * the ring) and is killed midway by the parent. */
static void child(mpipool__ring_t *in, mpipool__ring_t *out) {
  mpipool__ring_writer_t w;
  mpipool__ring_reader_t rd;
  mpipool__ring_writer_init(&w, out);
  mpipool__ring_reader_init(&rd, in, 1 << 20);
  for (;;) {
    uint32_t tag;
    void *data;
    size_t len;
    int e = mpipool__ring_recv(&rd, &tag, &data, &len);
    mpipool__ring_flush(&w);
    if (e < 0)
      _exit(2);
    if (e == 0)
      continue;
    if (tag == 0)
      break;
    mpipool__ring_send(&w, tag + 1, data, len);
  }
  while (mpipool__ring_flush(&w) > 0)
    ;
  _exit(0);
}

static void test_processes(void) {
  const size_t cap = 4096;
  char *mem = shared(cap);
  mpipool__ring_t *to = mpipool__ring_init(mem, mpipool__ring_size(cap));
  mpipool__ring_t *from = mpipool__ring_init(mem + mpipool__ring_size(cap),
                                             mpipool__ring_size(cap));
  pid_t pid = fork();
  if (pid == 0)
    child(to, from);
  mpipool__ring_writer_t w;
  mpipool__ring_reader_t rd;
  mpipool__ring_writer_init(&w, to);
  mpipool__ring_reader_init(&rd, from, 1 << 20);
  unsigned sent = 0, got = 0, bad = 0;
  const unsigned total = 20000;
  time_t start = 0;
  while (got < total && !bad && in_time(&start)) {
    if (sent < total && sent - got < 64) {
      size_t n = (sent * 7919u) % 9000; /* up to twice the ring */
      mpipool__ring_send(&w, 2 * sent + 1, message(n, sent), n);
      sent++;
    }
    mpipool__ring_flush(&w);
    uint32_t tag;
    void *data;
    size_t len;
    int e = mpipool__ring_recv(&rd, &tag, &data, &len);
    if (e < 0) {
      printf("# error %d after %u\n", e, got);
      bad = 1;
    } else if (e == 1) {
      bad = tag != 2 * got + 2 || len != (got * 7919u) % 9000 ||
            !is_message(data, len, got);
      if (bad)
        printf("# message %u: tag %u, %zu bytes\n", got, (unsigned)tag, len);
      mpipool__free(data);
      got++;
    }
  }
  if (got < total) {
    const uint64_t *t = (const uint64_t *)to, *f = (const uint64_t *)from;
    printf("# sent %u got %u; to: head %llu tail %llu; from: head %llu tail "
           "%llu; writer n %zu off %zu len %zu; reader len %zu got %zu\n",
           sent, got, (unsigned long long)t[8], (unsigned long long)t[16],
           (unsigned long long)f[8], (unsigned long long)f[16], w.n,
           w.n ? w.q[w.first].off : 0, w.n ? w.q[w.first].len : 0, rd.len,
           rd.got);
  }
  ok(!bad && got == total,
     "20,000 messages of 0 to 9,000 bytes there and back between two "
     "processes (%u)",
     got);
  mpipool__ring_send(&w, 0, NULL, 0);
  start = 0;
  while (mpipool__ring_flush(&w) > 0 && in_time(&start))
    ;
  if (got < total)
    kill(pid, SIGKILL); /* it may wait for ever */
  int status = -1;
  waitpid(pid, &status, 0);
  ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child ended well");
  mpipool__ring_writer_free(&w);
  mpipool__ring_reader_free(&rd);

  /* A writer killed midway through a message larger than the ring: the
   * reader gets the messages before it, whole, then none. */
  to = mpipool__ring_init(mem, mpipool__ring_size(cap));
  from = mpipool__ring_init(mem + mpipool__ring_size(cap),
                            mpipool__ring_size(cap));
  pid = fork();
  if (pid == 0) {
    mpipool__ring_writer_t cw;
    mpipool__ring_writer_init(&cw, from);
    mpipool__ring_send(&cw, 1, message(100, 1), 100);
    mpipool__ring_send(&cw, 2, message(100000, 2), 100000);
    for (;;)
      mpipool__ring_flush(&cw); /* killed while it waits for room */
  }
  mpipool__ring_reader_init(&rd, from, 1 << 20);
  uint32_t tag;
  void *data = NULL;
  size_t len;
  int e;
  start = 0;
  while ((e = mpipool__ring_recv(&rd, &tag, &data, &len)) == 0 &&
         in_time(&start))
    ;
  ok(e == 1 && tag == 1 && len == 100 && is_message(data, 100, 1),
     "the message before it comes whole");
  mpipool__free(data);
  start = 0; /* take some of what it wrote of the large one */
  while (rd.got == 0 && in_time(&start))
    mpipool__ring_recv(&rd, &tag, &data, &len);
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  int none = 1;
  for (int i = 0; i < 100; i++)
    none &= mpipool__ring_recv(&rd, &tag, &data, &len) == 0;
  ok(none && rd.got > 0,
     "the one it was writing never comes (%zu of its bytes read)", rd.got);
  mpipool__ring_reader_free(&rd);
  munmap(mem, 2 * mpipool__ring_size(cap));
}

int main(void) {
  test_attach();
  test_small();
  test_large();
  test_has();
  test_bad();
  test_processes();
  is_int(mpipool__alloc_live(), 0, "nothing left allocated");
  return tap_done();
}
