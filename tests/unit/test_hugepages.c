/*
 * test_hugepages.c - huge pages (hugepages.c): big blocks advised once
 * turned on (the workers' way); the master's heap off until turned on;
 * then, where the kernel has transparent huge pages, the heap grows in
 * steps of 16 MiB or more, and its new part, also after it was given back
 * and grew again, is advised (smaps: VmFlags hg).
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
#define MIB ((size_t)1 << 20)

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

/* The middle of block p of n bytes: inside its whole huge pages. */
static const void *middle(const void *p, size_t n) {
  return (const char *)p + n / 2;
}

/* Big blocks, the workers' way (blocks_on: no heap advice): every block
 * of 4 MiB or more has its whole 2 MiB pages advised, whichever call made
 * it; smaller blocks and blocks made before are not. */
static void big_blocks(int thp) {
  /* Blocks of 1 MiB and more are mapped apart, whatever was freed. */
  mallopt(M_MMAP_THRESHOLD, (int)MIB);

  char *early = mpipool__malloc(16 * MIB);
  ok(early != NULL, "a block of 16 MiB");
  is_int(advised(middle(early, 16 * MIB)), 0, "not advised before it is on");

  is_int(mpipool__hugepages_blocks_on(), thp,
         "on: 1 where the kernel has them");
  is_int(mpipool__hugepages_blocks_on(), thp, "on again: the same");
  if (!thp) {
    mpipool__free(early);
    return;
  }

  char *m = mpipool__malloc(16 * MIB);
  char *c = mpipool__calloc(8, 2 * MIB);
  char *g = mpipool__malloc_given(6 * MIB);
  char *r = mpipool__malloc(MIB);
  char *small = mpipool__malloc(MIB);
  char *odd = mpipool__malloc(3 * MIB);
  ok(m && c && g && r && small && odd, "blocks of 16, 16, 6, 1, 1, 3 MiB");
  is_int(advised(middle(m, 16 * MIB)), 1, "malloc of 16 MiB: advised");
  is_int(advised(middle(c, 16 * MIB)), 1, "calloc of 16 MiB: advised");
  is_int(advised(middle(g, 6 * MIB)), 1, "malloc_given of 6 MiB: advised");
  is_int(advised(middle(small, MIB)), 0, "1 MiB: not advised");
  is_int(advised(middle(odd, 3 * MIB)), 0, "3 MiB: not advised");
  is_int(advised(middle(early, 16 * MIB)), 0, "a block made before: not");
  r = mpipool__realloc(r, 32 * MIB);
  ok(r != NULL, "realloc of 1 MiB to 32 MiB");
  is_int(advised(middle(r, 32 * MIB)), 1, "grown by realloc: advised");
  memset(m, 1, 16 * MIB); /* its pages can be touched */
  ok(m[16 * MIB - 1] == 1, "an advised block holds what is written");
  mpipool__hugepages_advise(NULL, 16 * MIB); /* failed allocation: no-op */
  ok(1, "no block (NULL): nothing done");

  free(g); /* a given block: the caller's */
  char *freed[] = {early, m, c, r, small, odd};
  for (size_t k = 0; k < sizeof freed / sizeof freed[0]; k++)
    mpipool__free(freed[k]);
  is_int((int)mpipool__alloc_live(), 0, "every block freed");
  mallopt(M_MMAP_THRESHOLD, 128 * 1024); /* back to glibc's default */
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
  big_blocks(thp);

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
