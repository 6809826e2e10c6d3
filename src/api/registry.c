/*
 * registry.c - task functions by name.  A linear search is fine: a program
 * registers a handful of tasks, and the lookup happens once per submission
 * on the master and once per name on each worker at start-up.
 */
#include "config.h"
#include "registry.h"

#include "base/alloc.h"

#include <stdlib.h>
#include <string.h>

int mpipool__registry_add(mpipool__registry_t *reg, mpipool__task_t t) {
  const char *name = t.name;
  if (reg == NULL || name == NULL || (t.fn == NULL) == (t.chunk == NULL))
    return MPIPOOL_EINVAL;
  size_t len = strlen(name);
  if (len == 0 || len > MPIPOOL__NAME_MAX)
    return MPIPOOL_EINVAL;
  if (mpipool__registry_find(reg, name) >= 0)
    return MPIPOOL_EEXIST;
  if (mpipool__grow((void **)&reg->tasks, &reg->cap, reg->count + 1,
                    sizeof *reg->tasks) != 0)
    return MPIPOOL_ENOMEM;
  char *copy = mpipool__malloc(len + 1);
  if (copy == NULL)
    return MPIPOOL_ENOMEM;
  memcpy(copy, name, len + 1);
  t.name = copy;
  reg->tasks[reg->count++] = t;
  return MPIPOOL_OK;
}

int mpipool__registry_find(const mpipool__registry_t *reg, const char *name) {
  if (reg == NULL || name == NULL)
    return MPIPOOL_EINVAL;
  for (size_t i = 0; i < reg->count; i++)
    if (strcmp(reg->tasks[i].name, name) == 0)
      return (int)i;
  return MPIPOOL_ENOTASK;
}

int mpipool__registry_names(const mpipool__registry_t *reg, char **names,
                            size_t *len) {
  size_t total = 0;
  for (size_t i = 0; i < reg->count; i++)
    total += strlen(reg->tasks[i].name) + 1;
  char *p = mpipool__malloc(total ? total : 1);
  if (p == NULL)
    return MPIPOOL_ENOMEM;
  size_t at = 0;
  for (size_t i = 0; i < reg->count; i++) {
    size_t l = strlen(reg->tasks[i].name) + 1;
    memcpy(p + at, reg->tasks[i].name, l);
    at += l;
  }
  *names = p;
  *len = total;
  return MPIPOOL_OK;
}

void mpipool__registry_free(mpipool__registry_t *reg) {
  for (size_t i = 0; i < reg->count; i++)
    mpipool__free(reg->tasks[i].name);
  mpipool__free(reg->tasks);
  reg->tasks = NULL;
  reg->count = reg->cap = 0;
}
