/*
 * test_registry.c - the task table (registry.c), the byte buffer (buf.c),
 * the back-off schedule (backoff.c), and error strings and version
 * (error.c).
 */
#include "config.h"

#include "registry.h"
#include "buf.h"
#include "backoff.h"
#include "clock.h"
#include "mpipool.h"
#include "../tap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int task_a(mpipool_ctx_t *ctx, const void *in, size_t size) {
  (void)ctx, (void)in, (void)size;
  return 0;
}

static int task_b(mpipool_ctx_t *ctx, const void *in, size_t size) {
  (void)ctx, (void)in, (void)size;
  return 1;
}

static void test_registry(void) {
  mpipool__registry_t reg = {0};
  int data = 5;
  char *names;
  size_t len;

  is_int(mpipool__registry_names(&reg, &names, &len), 0,
         "names of an empty registry");
  ok(names != NULL && len == 0, "empty registry: no names, non-NULL block");
  free(names);
  is_int(mpipool__registry_find(&reg, "x"), MPIPOOL_ENOTASK,
         "find in an empty registry -> ENOTASK");

  is_int(mpipool__registry_add(&reg, "square", task_a, &data), 0, "add");
  is_int(mpipool__registry_add(&reg, "double", task_b, NULL), 0, "add 2nd");
  is_int(mpipool__registry_add(&reg, "square", task_b, NULL), MPIPOOL_EEXIST,
         "same name again -> EEXIST");
  is_int(mpipool__registry_add(&reg, "square", task_a, &data), MPIPOOL_EEXIST,
         "same name and function again -> EEXIST");
  is_int(mpipool__registry_add(&reg, NULL, task_a, NULL), MPIPOOL_EINVAL,
         "NULL name -> EINVAL");
  is_int(mpipool__registry_add(&reg, "x", NULL, NULL), MPIPOOL_EINVAL,
         "NULL function -> EINVAL");
  is_int(mpipool__registry_add(&reg, "", task_a, NULL), MPIPOOL_EINVAL,
         "empty name -> EINVAL");
  is_int(mpipool__registry_add(NULL, "x", task_a, NULL), MPIPOOL_EINVAL,
         "NULL registry -> EINVAL");
  char n256[257], n255[256];
  memset(n256, 'q', 256);
  n256[256] = '\0';
  memset(n255, 'r', 255);
  n255[255] = '\0';
  is_int(mpipool__registry_add(&reg, n256, task_a, NULL), MPIPOOL_EINVAL,
         "256-byte name -> EINVAL");
  is_int(mpipool__registry_add(&reg, n255, task_a, NULL), 0,
         "255-byte name is fine");
  is_int(reg.count, 3, "failed adds leave no entry");

  is_int(mpipool__registry_find(&reg, "square"), 0, "find square: index 0");
  is_int(mpipool__registry_find(&reg, "double"), 1, "find double: index 1");
  is_int(mpipool__registry_find(&reg, n255), 2, "find the long name");
  is_int(mpipool__registry_find(&reg, "squar"), MPIPOOL_ENOTASK,
         "prefix -> ENOTASK");
  is_int(mpipool__registry_find(&reg, "squares"), MPIPOOL_ENOTASK,
         "longer -> ENOTASK");
  is_int(mpipool__registry_find(&reg, "Square"), MPIPOOL_ENOTASK,
         "case matters -> ENOTASK");
  is_int(mpipool__registry_find(&reg, n256), MPIPOOL_ENOTASK,
         "rejected name -> ENOTASK");
  is_int(mpipool__registry_find(&reg, NULL), MPIPOOL_EINVAL,
         "find NULL -> EINVAL");
  is_int(mpipool__registry_find(NULL, "square"), MPIPOOL_EINVAL,
         "find in NULL registry -> EINVAL");
  ok(reg.tasks[0].fn == task_a && reg.tasks[0].data == &data &&
         reg.tasks[1].fn == task_b && reg.tasks[1].data == NULL,
     "functions and data kept");

  {
    /* the name is copied */
    char tmp[] = "temp";
    mpipool__registry_add(&reg, tmp, task_a, NULL);
    tmp[0] = 'X';
    is_int(mpipool__registry_find(&reg, "temp"), 3, "name copied on add");
  }

  is_int(mpipool__registry_names(&reg, &names, &len), 0, "names");
  is_int(len, 7 + 7 + 256 + 5, "names: total length with NULs");
  ok(strcmp(names, "square") == 0 && strcmp(names + 7, "double") == 0 &&
         strcmp(names + 14, n255) == 0 && strcmp(names + 270, "temp") == 0 &&
         names[len - 1] == '\0',
     "names: back to back, in index order");
  free(names);

  /* growth beyond the initial capacity keeps everything findable */
  int grow_ok = 1;
  for (int i = 0; i < 40; i++) {
    char nm[16];
    snprintf(nm, sizeof nm, "t%d", i);
    if (mpipool__registry_add(&reg, nm, task_b, NULL) != 0)
      grow_ok = 0;
  }
  for (int i = 0; i < 40; i++) {
    char nm[16];
    snprintf(nm, sizeof nm, "t%d", i);
    if (mpipool__registry_find(&reg, nm) != 4 + i)
      grow_ok = 0;
  }
  ok(grow_ok && mpipool__registry_find(&reg, "square") == 0,
     "44 tasks: all found at their index");
  mpipool__registry_free(&reg);
  ok(reg.count == 0 && reg.tasks == NULL && reg.cap == 0,
     "registry_free empties");
  is_int(mpipool__registry_add(&reg, "again", task_a, NULL), 0,
         "usable after free");
  mpipool__registry_free(&reg);
}

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

static void test_backoff(void) {
  /* find the first sleeping poll */
  unsigned first = 0;
  while (first < 1000000 && mpipool__backoff_sleep_us(first) == 0)
    first++;
  ok(first > 0 && first < 1000000, "spins/yields first, then sleeps");
  printf("# first sleeping poll: %u\n", first);
  is_int(mpipool__backoff_sleep_us(0), 0, "poll 0: spin");
  is_int(mpipool__backoff_sleep_us(first - 1), 0, "last yield: 0");
  int zero_ok = 1;
  for (unsigned i = 0; i < first; i++)
    if (mpipool__backoff_sleep_us(i) != 0)
      zero_ok = 0;
  ok(zero_ok, "0 for every spinning or yielding poll");
  ok(mpipool__backoff_sleep_us(first) > 0 &&
         mpipool__backoff_sleep_us(first) < 1000,
     "first sleep short");
  int mono = 1, grew = 0;
  unsigned prev = 0;
  for (unsigned i = first; i < first + 100; i++) {
    unsigned us = mpipool__backoff_sleep_us(i);
    if (us < prev || us > 1000)
      mono = 0;
    if (us > prev && i > first)
      grew = 1;
    prev = us;
  }
  ok(mono, "sleeps never shrink and never exceed 1000 us");
  ok(grew, "sleeps grow");
  is_int(mpipool__backoff_sleep_us(first + 1),
         2 * mpipool__backoff_sleep_us(first), "sleep doubles");
  is_int(prev, 1000, "capped at 1000 us");
  is_int(mpipool__backoff_sleep_us(first + 1000), 1000, "still 1000 later");
  is_int(mpipool__backoff_sleep_us(UINT32_MAX), 1000,
         "1000 at the largest idle count");
  is_int(mpipool__backoff_sleep_us(first + 31), 1000,
         "no shift overflow at step 31");
  is_int(mpipool__backoff_sleep_us(first + 32), 1000,
         "no shift overflow at step 32");

  mpipool__backoff_t b = {0};
  mpipool__backoff_idle(&b);
  is_int(b.idle, 1, "idle counts polls");
  b.idle = first + 100; /* a sleeping poll: must return (about 1 ms) */
  double t0 = mpipool__now();
  mpipool__backoff_idle(&b);
  double t1 = mpipool__now();
  ok(t1 >= t0 && t1 - t0 < 1.0, "a capped sleep is short; clock monotonic");
  mpipool__backoff_reset(&b);
  is_int(b.idle, 0, "reset");
  b.idle = UINT32_MAX;
  mpipool__backoff_idle(&b);
  ok(b.idle == UINT32_MAX, "idle count saturates");
}

static void test_errors(void) {
  int names_ok = 1, text_ok = 1, n = 0;
  const char *seen[32];
#define CHECK_ERR(name, value, text)                                           \
  do {                                                                         \
    const char *s = mpipool_strerror(MPIPOOL_##name);                          \
    const char *nm = mpipool_err_name(MPIPOOL_##name);                         \
    if (s == NULL || strcmp(s, text) != 0) {                                   \
      text_ok = 0;                                                             \
      printf("#   strerror(%d) wrong\n", value);                               \
    }                                                                          \
    if (nm == NULL || strcmp(nm, "MPIPOOL_" #name) != 0) {                     \
      names_ok = 0;                                                            \
      printf("#   err_name(%d) wrong\n", value);                               \
    }                                                                          \
    if (MPIPOOL_##name != (value))                                             \
      names_ok = 0;                                                            \
    seen[n++] = s;                                                             \
  } while (0);
  MPIPOOL_ERRNO_MAP(CHECK_ERR)
#undef CHECK_ERR
  ok(text_ok, "strerror of every code is its text");
  ok(names_ok, "err_name of every code is MPIPOOL_<NAME>");
  is_int(n, -MPIPOOL_ERRNO_LAST - 1,
         "every code from -1 to MPIPOOL_ERRNO_LAST + 1, in the list");
  int distinct = 1;
  for (int i = 0; i < n; i++)
    for (int j = i + 1; j < n; j++)
      if (strcmp(seen[i], seen[j]) == 0)
        distinct = 0;
  ok(distinct, "descriptions distinct");
  ok(strcmp(mpipool_strerror(MPIPOOL_OK), "success") == 0, "strerror(0)");
  ok(strcmp(mpipool_err_name(MPIPOOL_OK), "MPIPOOL_OK") == 0, "err_name(0)");
  static const int unknown[] = {MPIPOOL_ERRNO_LAST, 1,        42, -1000,
                                INT32_MIN,          INT32_MAX};
  int unk_ok = 1;
  for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
    const char *s = mpipool_strerror(unknown[i]);
    const char *nm = mpipool_err_name(unknown[i]);
    if (s == NULL || nm == NULL || s[0] == '\0' || nm[0] == '\0')
      unk_ok = 0;
    else if (strcmp(s, "success") == 0 || strcmp(nm, "MPIPOOL_OK") == 0)
      unk_ok = 0;
  }
  ok(unk_ok, "unknown codes: non-NULL, non-empty, not success");
  ok(strcmp(mpipool_strerror(MPIPOOL_ERRNO_LAST), "unknown mpipool error") == 0,
     "strerror(unknown) text");
  ok(strcmp(mpipool_err_name(MPIPOOL_ERRNO_LAST), "MPIPOOL_EUNKNOWN") == 0,
     "err_name(unknown)");
  char compiled[64];
  snprintf(compiled, sizeof compiled, "%d.%d.%d", MPIPOOL_VERSION_MAJOR,
           MPIPOOL_VERSION_MINOR, MPIPOOL_VERSION_PATCH);
  ok(strcmp(compiled, MPIPOOL_VERSION) == 0 &&
         strcmp(MPIPOOL_VERSION, mpipool_version()) == 0,
     "MPIPOOL_VERSION_MAJOR/MINOR/PATCH, MPIPOOL_VERSION and "
     "mpipool_version() agree (%s)",
     compiled);
  is_int(MPIPOOL_VERSION_NUMBER,
         MPIPOOL_VERSION_MAJOR * 10000 + MPIPOOL_VERSION_MINOR * 100 +
             MPIPOOL_VERSION_PATCH,
         "MPIPOOL_VERSION_NUMBER");
  const char *v = mpipool_version();
  ok(v != NULL && strcmp(v, PACKAGE_VERSION) == 0,
     "mpipool_version() is PACKAGE_VERSION (%s)", PACKAGE_VERSION);
  ok(v == mpipool_version(), "version: static storage");
  int dots = 0, digits = 1;
  for (const char *p = v; *p; p++) {
    if (*p == '.')
      dots++;
    else if (*p < '0' || *p > '9')
      digits = 0;
  }
  ok(dots == 2 && digits, "version looks like MAJOR.MINOR.PATCH");
}

int main(void) {
  test_registry();
  test_buf();
  test_backoff();
  test_errors();
  return tap_done();
}
