/*
 * intern.h - a set of strings kept once each for the life of their owner:
 * the master's host names and binding descriptions, which many workers
 * share and which callers of mpipool_worker_info() may hold on to.
 */
#ifndef MPIPOOL_INTERN_H
#define MPIPOOL_INTERN_H

#include <stddef.h>

typedef struct {
  char **slots; /* open addressing; NULL: empty */
  size_t cap, count;
} mpipool__intern_t;

/* The set's copy of s (a string equal to s, valid until intern_free), or
 * NULL if out of memory. */
const char *mpipool__intern(mpipool__intern_t *t, const char *s);

/* Frees every string of the set. */
void mpipool__intern_free(mpipool__intern_t *t);

#endif
