/*
 * test_buf.c - the growable byte buffer (buf.c), and the spares kept of
 * sent buffers: only large ones, at most MPIPOOL__SPARES and
 * MPIPOOL__SPARE_MAX bytes, the largest taken first.
 */
#include "config.h"

#include "transport/buf.h"
#include "mpipool.h"
#include "../tap.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_buf(void) {
  mpipool__buf_t b = {0};
  /* 0 bytes can never be "out of memory", even before any allocation */
  is_int(mpipool__buf_append(&b, "", 0), 0,
         "append 0 bytes to a fresh buffer -> 0");
  ok(mpipool__buf_reserve(&b, 0) != NULL,
     "reserve 0 bytes of a fresh buffer -> not NULL");
  is_int(b.len, 0, "fresh buffer still empty");
  mpipool__buf_free(&b);
  is_int(mpipool__buf_append(&b, "abc", 3), 0, "append");
  ok(b.len == 3 && b.cap >= 3 && memcmp(b.data, "abc", 3) == 0,
     "append: len and bytes");
  is_int(mpipool__buf_append(&b, NULL, 0), 0, "append 0 bytes from NULL");
  is_int(b.len, 3, "0-byte append changes nothing");
  is_int(mpipool__buf_align8(&b), 0, "align8");
  is_int(b.len, 8, "align8: 3 -> 8");
  ok(memcmp(b.data + 3, "\0\0\0\0\0", 5) == 0, "align8 pads with zeros");
  is_int(mpipool__buf_align8(&b), 0, "align8 when aligned");
  is_int(b.len, 8, "align8: 8 stays 8");
  mpipool__buf_append(&b, "d", 1);
  mpipool__buf_align8(&b);
  is_int(b.len, 16, "align8: 9 -> 16");

  /* growth: many appends keep earlier bytes */
  int grow_ok = 1;
  for (int i = 0; i < 1000; i++) {
    unsigned char c = (unsigned char)i;
    if (mpipool__buf_append(&b, &c, 1) != 0)
      grow_ok = 0;
  }
  for (int i = 0; i < 1000; i++)
    if ((unsigned char)b.data[16 + i] != (unsigned char)i)
      grow_ok = 0;
  ok(grow_ok && b.len == 1016 && b.cap >= 1016 && memcmp(b.data, "abc", 3) == 0,
     "1000 appends: bytes kept across growth");

  /* reserve */
  size_t len = b.len;
  char *p = mpipool__buf_reserve(&b, 5000);
  ok(p == b.data + len && b.len == len && b.cap >= len + 5000,
     "reserve: pointer past len, len unchanged, room made");
  memcpy(p, "xyz", 3);
  b.len += 3;
  ok(memcmp(b.data + len, "xyz", 3) == 0, "reserved room is usable");
  ok(mpipool__buf_reserve(&b, 0) == b.data + b.len, "reserve 0");
  ok(mpipool__buf_reserve(&b, SIZE_MAX) == NULL,
     "reserve overflowing size_t -> NULL");
  ok(mpipool__buf_reserve(&b, SIZE_MAX - b.len + 1) == NULL,
     "reserve wrapping by one -> NULL");
  is_int(mpipool__buf_append(&b, "q", SIZE_MAX), MPIPOOL_ENOMEM,
         "append overflowing -> ENOMEM");
  is_int(b.len, len + 3, "failed calls leave the buffer");

  /* steal */
  size_t cap = b.cap;
  char *data = b.data;
  char *s = mpipool__buf_steal(&b);
  ok(s == data && cap > 0, "steal returns the storage");
  ok(b.data == NULL && b.len == 0 && b.cap == 0, "steal empties");
  ok(memcmp(s, "abc", 3) == 0, "stolen bytes intact");
  free(s);
  ok(mpipool__buf_steal(&b) == NULL, "steal of an empty buffer: NULL");
  is_int(mpipool__buf_align8(&b), 0, "align8 of an empty buffer");
  is_int(b.len, 0, "align8 of empty: 0 stays 0");
  mpipool__buf_append(&b, "z", 1);
  mpipool__buf_free(&b);
  ok(b.data == NULL && b.len == 0 && b.cap == 0, "buf_free empties");
  mpipool__buf_free(&b);
  ok(1, "buf_free twice is harmless");
}

static void test_spares(void) {
  mpipool__spares_t s = {0};
  size_t cap = 7, big = MPIPOOL__SPARE_MIN;
  ok(mpipool__spares_take(&s, &cap) == NULL && cap == 7,
     "spares: none to take at first");
  char *small = malloc(64);
  is_int(mpipool__spares_keep(&s, small, MPIPOOL__SPARE_MIN - 1), 0,
         "spares: a buffer under the minimum is not kept");
  free(small);
  is_int(mpipool__spares_keep(&s, NULL, big), 0, "spares: NULL is not kept");
  void *b[MPIPOOL__SPARES + 1];
  for (int k = 0; k <= MPIPOOL__SPARES; k++)
    b[k] = malloc(16);
  for (int k = 0; k < MPIPOOL__SPARES; k++)
    ok(mpipool__spares_keep(&s, b[k], big + (size_t)k) == 1,
       "spares: buffer %d kept", k);
  is_int(mpipool__spares_keep(&s, b[MPIPOOL__SPARES], big), 0,
         "spares: one more than MPIPOOL__SPARES is not kept");
  free(b[MPIPOOL__SPARES]);
  ok(mpipool__spares_bytes(&s) == MPIPOOL__SPARES * big + 6,
     "spares: the bytes kept");
  ok(mpipool__spares_take(&s, &cap) == b[3] && cap == big + 3,
     "spares: the largest is taken first");
  ok(mpipool__spares_take(&s, &cap) == b[2] && cap == big + 2,
     "spares: then the next largest");
  free(b[3]);
  free(b[2]);
  void *huge = malloc(16);
  is_int(mpipool__spares_keep(
             &s, huge, MPIPOOL__SPARE_MAX - mpipool__spares_bytes(&s) + 1),
         0, "spares: past MPIPOOL__SPARE_MAX in all, not kept");
  is_int(mpipool__spares_keep(&s, huge,
                              MPIPOOL__SPARE_MAX - mpipool__spares_bytes(&s)),
         1, "spares: up to MPIPOOL__SPARE_MAX in all, kept");
  ok(mpipool__spares_bytes(&s) == MPIPOOL__SPARE_MAX,
     "spares: MPIPOOL__SPARE_MAX held");
  mpipool__spares_free(&s); /* the sanitizers' build sees a leak if not */
  ok(mpipool__spares_bytes(&s) == 0 && mpipool__spares_take(&s, &cap) == NULL,
     "spares: none after free");
}

int main(void) {
  test_buf();
  test_spares();
  return tap_done();
}
