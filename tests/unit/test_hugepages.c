/*
 * test_hugepages.c - the master's heap in huge pages (hugepages.c): off
 * until turned on; then, where the kernel has transparent huge pages, the
 * heap grows in steps of 16 MiB or more, and its new part, also after it
 * was given back and grew again, is advised (smaps: VmFlags hg).
 */
#include "config.h"

#include "base/alloc.h"
#include "base/hugepages.h"
#include "../tap.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <malloc.h>

#define BLOCKS (256 * 1024) /* of 256 bytes: 64 MiB */

static void *before[BLOCKS], *blocks[BLOCKS], *more[BLOCKS];

/* The kernel's mode: "always", "madvise", "never", or "" (none). */
static void thp_mode(char *mode, size_t len) {
  char line[128] = "";
  FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
  if (f && fgets(line, sizeof line, f) == NULL)
    line[0] = '\0';
  if (f)
    fclose(f);
  char *a = strchr(line, '['), *b = a ? strchr(a, ']') : NULL;
  snprintf(mode, len, "%.*s", a && b ? (int)(b - a - 1) : 0, a ? a + 1 : "");
}

/* Whether the mapping holding p is advised huge (smaps: "hg" among its
 * VmFlags): 0, 1, or -1 (not found). */
static int advised(const void *p) {
  FILE *f = fopen("/proc/self/smaps", "r");
  char line[512];
  int in = 0, got = -1;
  while (f && got < 0 && fgets(line, sizeof line, f)) {
    unsigned long lo, hi;
    char perms[8];
    if (sscanf(line, "%lx-%lx %7s ", &lo, &hi, perms) == 3)
      in = (uintptr_t)p >= lo && (uintptr_t)p < hi;
    else if (in && strncmp(line, "VmFlags:", 8) == 0)
      got = strstr(line, " hg") != NULL;
  }
  if (f)
    fclose(f);
  return got;
}

/* Allocates b's blocks; returns how many times the heap's end moved. */
static int fill(void **b) {
  int moves = 0;
  void *end = sbrk(0);
  for (int i = 0; i < BLOCKS; i++) {
    b[i] = mpipool__malloc(256);
    memset(b[i], 1, 256);
    if (sbrk(0) != end)
      moves++;
    end = sbrk(0);
  }
  return moves;
}

static void empty(void **b) {
  for (int i = BLOCKS - 1; i >= 0; i--)
    mpipool__free(b[i]);
}

int main(void) {
  char mode[32];
  thp_mode(mode, sizeof mode);
  int thp = strcmp(mode, "always") == 0 || strcmp(mode, "madvise") == 0;
  printf("# transparent huge pages: %s\n", mode[0] ? mode : "none");

  /* Off: nothing advised. */
  char *start = sbrk(0);
  fill(before);
  if ((char *)sbrk(0) - start < BLOCKS * 256 / 2) {
    /* A sanitizer's allocator, say: not on the heap. */
    ok(1, "# SKIP the allocator does not grow the heap with brk");
    empty(before);
    ok(mpipool__hugepages_on() == thp, "on: 1 where the kernel has them");
    return tap_done();
  }
  is_int(advised(before[BLOCKS - 1]), 0, "off: the heap is not advised");

  is_int(mpipool__hugepages_on(), thp, "on: 1 where the kernel has them");
  if (!thp) {
    empty(before);
    return tap_done();
  }
  is_int(mpipool__hugepages_on(), 1, "on again: no-op, 1");
  int moves = fill(blocks);
  ok(moves >= 1 && moves <= 8,
     "the heap grew in steps of 16 MiB or more (%d for 64 MiB)", moves);
  is_int(advised(blocks[BLOCKS - 1]), 1, "its new part is advised");
  is_int(advised(blocks[BLOCKS / 4]), 1, "all of it");
  is_int(advised(before[BLOCKS - 1]), 0, "not what it was before");
  /* Given back to the kernel, then grown again past where it was. */
  char *high = sbrk(0);
  empty(blocks);
  malloc_trim(0);
  char *low = sbrk(0);
  fill(blocks);
  fill(more);
  ok(low < high && (char *)sbrk(0) > high,
     "the heap was given back (%td MiB) and grew past where it was",
     (high - low) >> 20);
  ok(advised(blocks[BLOCKS - 1]) == 1 && advised(more[BLOCKS - 1]) == 1,
     "its new part is advised again");
  empty(more);
  empty(blocks);
  empty(before);
  return tap_done();
}
