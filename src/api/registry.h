/*
 * registry.h - the table of task functions, by name.  Function pointers
 * differ between processes, so tasks travel as indices into the master's
 * table; each worker maps the master's names onto its own table.
 */
#ifndef MPIPOOL_REGISTRY_H
#define MPIPOOL_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "mpipool.h"

typedef struct {
  char *name;
  mpipool_task_fn fn;     /* NULL for a chunk task */
  mpipool_chunk_fn chunk; /* NULL for a task */
  size_t out_size;        /* a chunk task's output per item */
  void *data;
} mpipool__task_t;

typedef struct {
  mpipool__task_t *tasks;
  size_t count, cap;
} mpipool__registry_t;

#define MPIPOOL__NAME_MAX 255

/* Adds task t (t->name copied): exactly one of fn and chunk set.  0,
 * EINVAL (neither or both, NULL name, empty name or one longer than
 * MPIPOOL__NAME_MAX bytes), EEXIST or ENOMEM. */
int mpipool__registry_add(mpipool__registry_t *reg, mpipool__task_t t);

/* Index of `name`, or MPIPOOL_ENOTASK (EINVAL for NULL). */
int mpipool__registry_find(const mpipool__registry_t *reg, const char *name);

/* All names, NUL-terminated and back to back, in index order, into a
 * malloc'd block (*names, *len).  0 or ENOMEM. */
int mpipool__registry_names(const mpipool__registry_t *reg, char **names,
                            size_t *len);

void mpipool__registry_free(mpipool__registry_t *reg);

#endif
