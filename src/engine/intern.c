/*
 * intern.c - a string set (see intern.h): open addressing with linear
 * probing, doubled when half full.
 */
#include "config.h"
#include "intern.h"

#include "base/alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* FNV-1a. */
static size_t hash(const char *s) {
  uint64_t h = 1469598103934665603u;
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211u;
  return (size_t)h;
}

static char **probe(char **slots, size_t cap, const char *s) {
  size_t i = hash(s) & (cap - 1);
  while (slots[i] && strcmp(slots[i], s) != 0)
    i = (i + 1) & (cap - 1);
  return &slots[i];
}

static int rehash(mpipool__intern_t *t) {
  size_t cap = t->cap ? t->cap * 2 : 16;
  char **slots = mpipool__calloc(cap, sizeof *slots);
  if (slots == NULL)
    return -1;
  for (size_t i = 0; i < t->cap; i++)
    if (t->slots[i])
      *probe(slots, cap, t->slots[i]) = t->slots[i];
  mpipool__free(t->slots);
  t->slots = slots;
  t->cap = cap;
  return 0;
}

const char *mpipool__intern(mpipool__intern_t *t, const char *s) {
  if ((t->count + 1) * 2 > t->cap && rehash(t) != 0)
    return NULL;
  char **slot = probe(t->slots, t->cap, s);
  if (*slot == NULL) {
    size_t n = strlen(s) + 1;
    if ((*slot = mpipool__malloc(n)) == NULL)
      return NULL;
    memcpy(*slot, s, n);
    t->count++;
  }
  return *slot;
}

void mpipool__intern_free(mpipool__intern_t *t) {
  for (size_t i = 0; i < t->cap; i++)
    mpipool__free(t->slots[i]);
  mpipool__free(t->slots);
  memset(t, 0, sizeof *t);
}
