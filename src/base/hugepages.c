/*
 * hugepages.c - the master's heap in huge pages (see hugepages.h).
 */
#include "config.h"
#include "hugepages.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#if HAVE_MALLOPT
#include <malloc.h>
#endif
#include <sys/mman.h>
#include <unistd.h>

/* The heap grows by at least this much at a time (M_TOP_PAD). */
#define HEAP_STEP (16 << 20)

/* A transparent huge page; blocks of BLOCK_MIN bytes and more are advised
 * (their whole huge pages: a block of 4 MiB holds at least one). */
#define HUGE ((size_t)2 << 20)
#define BLOCK_MIN (2 * HUGE)

static atomic_int on;
static atomic_int blocks;       /* advise big blocks */
static _Atomic(uintptr_t) base; /* the heap's end when it was turned on */
static _Atomic(uintptr_t) seen; /* the heap's end at the last advice */

/* 1 when the kernel's transparent huge pages are "always" or "madvise". */
static int thp_available(void) {
  char line[128] = "";
  FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
  if (f == NULL)
    return 0;
  if (fgets(line, sizeof line, f) == NULL)
    line[0] = '\0';
  fclose(f);
  return strstr(line, "[always]") != NULL || strstr(line, "[madvise]") != NULL;
}

int mpipool__hugepages_on(void) {
#if HAVE_MALLOPT && defined(MADV_HUGEPAGE) && defined(M_TOP_PAD)
  if (atomic_load(&on))
    return 1;
  if (!thp_available())
    return 0;
  mallopt(M_TOP_PAD, HEAP_STEP);
  uintptr_t end = (uintptr_t)sbrk(0);
  if (end == (uintptr_t)-1)
    return 0;
  long page = sysconf(_SC_PAGESIZE);
  end = (end + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
  atomic_store(&base, end);
  atomic_store(&seen, end);
  atomic_store(&on, 1);
  atomic_store(&blocks, 1);
  return 1;
#else
  return 0;
#endif
}

/* The heap's new part, if it is on and the heap's end moved. */
static void advise_heap(void) {
#ifdef MADV_HUGEPAGE
  if (!atomic_load_explicit(&on, memory_order_relaxed))
    return;
  uintptr_t end = (uintptr_t)sbrk(0), b = atomic_load(&base);
  if (end == (uintptr_t)-1 || end == atomic_load(&seen))
    return;
  atomic_store(&seen, end);
  /* From the start each time: a part the heap gave back (trimmed) and
   * grew again is a new mapping, without the advice. */
  if (end > b)
    madvise((void *)b, end - b, MADV_HUGEPAGE);
#endif
}

void mpipool__hugepages_freed(void) {
  if (!atomic_load_explicit(&on, memory_order_relaxed))
    return;
  uintptr_t end = (uintptr_t)sbrk(0);
  if (end != (uintptr_t)-1 && end < atomic_load(&seen))
    atomic_store(&seen, end);
}

int mpipool__hugepages_blocks_on(void) {
#ifdef MADV_HUGEPAGE
  if (!atomic_load(&blocks))
    atomic_store(&blocks, thp_available());
  return atomic_load(&blocks);
#else
  return 0;
#endif
}

/* The whole huge pages of block p of n bytes, if big blocks are on and n
 * is BLOCK_MIN or more. */
static void advise_block(void *p, size_t n) {
#ifdef MADV_HUGEPAGE
  if (p == NULL || n < BLOCK_MIN ||
      !atomic_load_explicit(&blocks, memory_order_relaxed))
    return;
  uintptr_t a = ((uintptr_t)p + HUGE - 1) & ~(uintptr_t)(HUGE - 1);
  uintptr_t b = ((uintptr_t)p + n) & ~(uintptr_t)(HUGE - 1);
  if (b > a)
    madvise((void *)a, b - a, MADV_HUGEPAGE);
#else
  (void)p;
  (void)n;
#endif
}

void mpipool__hugepages_advise(void *p, size_t n) {
  advise_heap();
  advise_block(p, n);
}
