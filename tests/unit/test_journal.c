/*
 * test_journal.c - the journal of resumable maps (engine/journal.c),
 * without MPI: what is written is read back by a rerun; a map that differs
 * is refused and the file left as it was; a torn last write is dropped; a
 * file that is not a journal is refused; the last write of an item wins.
 */
#include "config.h"

#include "engine/journal.h"
#include "mpipool.h"
#include "../tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char path[64];

/* The results chunk of items first..first+n-1: the int 10 * item, or a
 * failure for item `fail`. */
static mpipool__rbuf_t *results(size_t first, size_t n, size_t fail,
                                mpipool__rchunk_view_t *v) {
  mpipool__rbuild_t rb;
  memset(&rb, 0, sizeof rb);
  for (size_t i = first; i < first + n; i++) {
    int x = 10 * (int)i;
    mpipool__rbuild_begin(&rb);
    if (i == fail)
      mpipool__buf_append(&rb.data, "broke", 6);
    else
      mpipool__buf_append(&rb.data, &x, sizeof x);
    mpipool__rbuild_end(&rb, i == fail ? MPIPOOL_ETASK : 0);
  }
  mpipool__buf_t b = {0};
  mpipool__wire_results_begin(&b, 0, 0);
  mpipool__wire_results_add(&b, &rb);
  mpipool__rbuild_free(&rb);
  size_t len = b.len;
  mpipool__rbuf_t *buf = mpipool__rbuf_new(mpipool__buf_steal(&b));
  mpipool__reader_t r;
  if (mpipool__wire_results_open(&r, buf->data, len) != 0 ||
      mpipool__wire_results_next(&r, v) != 1)
    abort();
  return buf;
}

static void put(mpipool__journal_t *j, uint32_t map, size_t first, size_t n,
                size_t fail) {
  mpipool__rchunk_view_t v;
  mpipool__rbuf_t *b = results(first, n, fail, &v);
  mpipool__journal_put(j, map, first, &v);
  mpipool__rbuf_unref(b);
}

/* Whether the journal holds items first..first+n-1 of map, right. */
static int holds(const mpipool__journal_t *j, uint32_t map, size_t first,
                 size_t n) {
  mpipool__rbuf_t *b = NULL;
  mpipool__rchunk_view_t v;
  int got = mpipool__journal_chunk(j, map, first, n, &b, &v);
  int right = got == 1 && v.count == n && v.nfailed == 0;
  for (size_t i = 0; right && i < n; i++) {
    const void *d;
    size_t s;
    right = mpipool__rchunk_item(&v, i, &d, &s) == 0 && s == sizeof(int) &&
            *(const int *)d == 10 * (int)(first + i);
  }
  mpipool__rbuf_unref(b);
  return right;
}

static long file_size(void) {
  struct stat st;
  return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* The whole file, malloc'd; *n its size. */
static char *file_bytes(size_t *n) {
  FILE *f = fopen(path, "rb");
  char *b = malloc(1 << 16);
  *n = f ? fread(b, 1, 1 << 16, f) : 0;
  if (f)
    fclose(f);
  return b;
}

static mpipool__journal_t *open_ok(void) {
  mpipool__journal_t *j = NULL;
  char why[256] = "";
  if (mpipool__journal_open(&j, path, why, sizeof why) != 0) {
    printf("# open: %s\n", why);
    return NULL;
  }
  return j;
}

static uint64_t digest_of(const int *items, size_t n) {
  mpipool__src_t src = {(const char *)items, sizeof *items, NULL, NULL};
  return mpipool__journal_digest(&src, n);
}

int main(void) {
  int in[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  uint64_t d = digest_of(in, 10);
  char why[512];
  uint32_t map = 99;
  snprintf(path, sizeof path, "/tmp/mpipool-journal-%ld", (long)getpid());
  unlink(path);

  /* A first run: map 0 of 10 items, 7 of them finished. */
  mpipool__journal_t *j = open_ok();
  ok(j != NULL && file_size() == -1, "open: a new journal, no file yet");
  is_int(mpipool__journal_map(j, "square", 10, d, &map, why, sizeof why), 0,
         "map 0 recorded");
  is_int(map, 0, "its number");
  put(j, 0, 0, 4, 3); /* 0, 1, 2 right; 3 failed */
  put(j, 0, 6, 4, 99);
  is_int(mpipool__journal_items(j), 7, "7 items written");
  mpipool__journal_close(j);

  /* The rerun reads them back. */
  j = open_ok();
  is_int(mpipool__journal_map(j, "square", 10, d, &map, why, sizeof why), 0,
         "the rerun's map 0 is the journal's");
  ok(holds(j, 0, 0, 3) && holds(j, 0, 6, 4), "items 0-2 and 6-9 read back");
  mpipool__rbuf_t *b = NULL;
  mpipool__rchunk_view_t v;
  ok(mpipool__journal_chunk(j, 0, 2, 2, &b, &v) == 0 && b == NULL,
     "a chunk with a failed item (3) is not in the journal");
  ok(mpipool__journal_chunk(j, 1, 0, 1, &b, &v) == 0, "nor is map 1");
  is_int(mpipool__journal_map(j, "cube", 3, digest_of(in, 3), &map, why,
                              sizeof why),
         0, "map 1, new: recorded");
  is_int(map, 1, "numbered 1");
  put(j, 1, 0, 3, 99);
  put(j, 0, 3, 3, 99); /* items 3 (failed before), 4 and 5 of map 0 */
  mpipool__journal_close(j);
  j = open_ok();
  mpipool__journal_map(j, "square", 10, d, &map, why, sizeof why);
  ok(holds(j, 0, 0, 10), "all of map 0 after the second run");
  ok(mpipool__journal_map(j, "cube", 3, digest_of(in, 3), &map, why,
                          sizeof why) == 0 &&
         holds(j, 1, 0, 3),
     "and map 1");
  mpipool__journal_close(j);

  /* Another map: refused, the file left as it was. */
  size_t n0, n1;
  char *before = file_bytes(&n0);
  j = open_ok();
  is_int(mpipool__journal_map(j, "cube", 10, d, &map, why, sizeof why),
         MPIPOOL_EJOURNAL, "another task name: EJOURNAL");
  ok(strstr(why, "'square' on 10 items") && strstr(why, "'cube' on 10 items"),
     "saying which: %s", why);
  mpipool__journal_close(j);
  j = open_ok();
  in[4] = 40;
  is_int(mpipool__journal_map(j, "square", 10, digest_of(in, 10), &map, why,
                              sizeof why),
         MPIPOOL_EJOURNAL, "other input bytes: EJOURNAL");
  ok(strstr(why, "with other input") != NULL, "saying so: %s", why);
  in[4] = 4;
  is_int(mpipool__journal_map(j, "square", 11, d, &map, why, sizeof why),
         MPIPOOL_EJOURNAL, "another item count: EJOURNAL");
  mpipool__journal_close(j);
  char *after = file_bytes(&n1);
  ok(n0 == n1 && memcmp(before, after, n0) == 0,
     "the refused journal is byte for byte as it was");
  free(before);
  free(after);

  /* A torn last write: dropped, and cut before the next append. */
  FILE *f = fopen(path, "ab");
  fwrite("\x30\x00\x00\x00garbage", 1, 11, f);
  fclose(f);
  long torn = file_size();
  j = open_ok();
  ok(j &&
         mpipool__journal_map(j, "square", 10, d, &map, why, sizeof why) == 0 &&
         holds(j, 0, 0, 10),
     "a torn tail: what came before is read");
  mpipool__journal_map(j, "cube", 3, digest_of(in, 3), &map, why, sizeof why);
  mpipool__journal_map(j, "third", 1, digest_of(in, 1), &map, why, sizeof why);
  put(j, 2, 0, 1, 99);
  mpipool__journal_close(j);
  ok(file_size() < torn + 64, "the torn bytes were cut (%ld -> %ld)", torn,
     file_size());
  j = open_ok();
  for (int k = 0; k < 3; k++)
    mpipool__journal_map(j,
                         k == 0   ? "square"
                         : k == 1 ? "cube"
                                  : "third",
                         k == 0   ? 10
                         : k == 1 ? 3
                                  : 1,
                         digest_of(in, k == 0   ? 10
                                       : k == 1 ? 3
                                                : 1),
                         &map, why, sizeof why);
  ok(holds(j, 0, 0, 10) && holds(j, 1, 0, 3) && holds(j, 2, 0, 1),
     "every map whole after the append past the cut");
  mpipool__journal_close(j);

  /* A file that is not a journal: refused, untouched. */
  f = fopen(path, "wb");
  fputs("hello, world\n", f);
  fclose(f);
  j = NULL;
  is_int(mpipool__journal_open(&j, path, why, sizeof why), MPIPOOL_EJOURNAL,
         "not a journal: EJOURNAL");
  ok(strstr(why, "is not an mpipool journal") && file_size() == 13,
     "saying so, the file untouched: %s", why);

  /* A FIFO (or a device): refused, it would block the master's writes. */
  unlink(path);
  ok(mkfifo(path, 0600) == 0, "a FIFO where the journal goes");
  j = NULL;
  is_int(mpipool__journal_open(&j, path, why, sizeof why), MPIPOOL_EJOURNAL,
         "a FIFO: EJOURNAL, at once");
  ok(strstr(why, "is not a regular file") != NULL, "saying so: %s", why);
  unlink(path);

  /* A journal cut inside its first line: empty. */
  f = fopen(path, "wb");
  fputs("mpipool jou", f);
  fclose(f);
  j = open_ok();
  ok(j && mpipool__journal_map(j, "square", 10, d, &map, why, sizeof why) == 0,
     "a journal torn at its creation is empty");
  mpipool__journal_close(j);

  /* The digest sees sizes and bytes. */
  const void *ptrs[2] = {"ab", "c"};
  const size_t s1[2] = {2, 1}, s2[2] = {1, 2};
  mpipool__src_t v1 = {NULL, 0, ptrs, s1};
  const void *ptrs2[2] = {"a", "bc"};
  mpipool__src_t v2 = {NULL, 0, ptrs2, s2};
  ok(mpipool__journal_digest(&v1, 2) != mpipool__journal_digest(&v2, 2),
     "digest: the same bytes cut otherwise differ");
  ok(digest_of(in, 10) == d && digest_of(in, 9) != d,
     "digest: the same input agrees, a shorter one differs");

  /* A journal that cannot be written: the run goes on. */
  unlink(path);
  j = NULL;
  is_int(mpipool__journal_open(&j, "/proc/mpipool-nowhere", why, sizeof why), 0,
         "a journal in a place that cannot be written opens");
  is_int(mpipool__journal_map(j, "square", 10, d, &map, why, sizeof why), 0,
         "its map is accepted (the write failure is said on stderr)");
  put(j, 0, 0, 2, 99);
  ok(1, "and items put go nowhere, without harm");
  mpipool__journal_close(j);
  mpipool__journal_close(NULL);
  return tap_done();
}
