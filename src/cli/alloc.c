/*
 * alloc.c - the program's allocation seam (see alloc.h).  One thread
 * allocates in the program, so plain counters do.
 */
#include "alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static unsigned long made, fail_at;
static long live;

static int attempt(void) {
  if (++made != fail_at)
    return 0;
  fail_at = 0;
  return 1;
}

void *cli_malloc(size_t n) {
  void *p = attempt() ? NULL : malloc(n ? n : 1);
  live += p != NULL;
  return p;
}

void *cli_calloc(size_t n, size_t size) {
  void *p = attempt() ? NULL : calloc(n ? n : 1, size ? size : 1);
  live += p != NULL;
  return p;
}

void *cli_realloc(void *p, size_t n) {
  void *q = attempt() ? NULL : realloc(p, n ? n : 1);
  live += q != NULL && p == NULL;
  return q;
}

void cli_free(void *p) {
  if (p) {
    live--;
    free(p);
  }
}

char *cli_strdup(const char *s) {
  size_t n = strlen(s) + 1;
  char *p = cli_malloc(n);
  if (p)
    memcpy(p, s, n);
  return p;
}

int cli_grow(void **arr, size_t *cap, size_t need, size_t size) {
  if (need <= *cap && *arr != NULL)
    return 0;
  size_t n = *cap ? *cap : 8;
  while (n < need) {
    if (n > SIZE_MAX / 2)
      return -1;
    n *= 2;
  }
  if (size && n > SIZE_MAX / size)
    return -1;
  void *p = cli_realloc(*arr, n * size);
  if (p == NULL)
    return -1;
  *arr = p;
  *cap = n;
  return 0;
}

void cli_alloc_fail_at(unsigned long n) { fail_at = n ? made + n : 0; }

unsigned long cli_alloc_count(void) { return made; }

long cli_alloc_live(void) { return live; }
