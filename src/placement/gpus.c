/*
 * gpus.c - a node's GPUs as a list of ids, and a worker's share of them.
 */
#include "config.h"
#include "gpus.h"

#include "mpipool.h"
#include "base/alloc.h"
#include "base/text.h"

#include <ctype.h>
#include <errno.h>
#include <hwloc.h>
#include <stdlib.h>
#include <string.h>

/* A range is at most this long: "0-4000000000" is a typo, not GPUs. */
#define MAX_RANGE 65536
/* The most ids a list may give, ranges counted out. */
#define MAX_IDS 65536

/* A growing string. */
typedef struct {
  char *s;
  size_t len, cap;
} str_t;

static int put(str_t *b, const char *p, size_t n) {
  if (b->len + n + 2 > b->cap) {
    size_t cap = (b->len + n + 2) * 2;
    char *s = mpipool__realloc(b->s, cap);
    if (s == NULL)
      return MPIPOOL_ENOMEM;
    b->s = s;
    b->cap = cap;
  }
  if (b->len)
    b->s[b->len++] = ',';
  memcpy(b->s + b->len, p, n);
  b->len += n;
  b->s[b->len] = '\0';
  return MPIPOOL_OK;
}

/* An id of a list: n bytes at p. */
typedef struct {
  const char *p;
  size_t n;
} gpu_id_t;

static int id_cmp(const void *a, const void *b) {
  const gpu_id_t *x = a, *y = b;
  int c = memcmp(x->p, y->p, x->n < y->n ? x->n : y->n);
  return c ? c : (x->n > y->n) - (x->n < y->n);
}

/* Refuses an id given twice in the list s of count ids: sorted, so that
 * a range of tens of thousands costs n log n, not n squared. */
static int twice(const char *s, int count, char *why, size_t whylen) {
  gpu_id_t *ids = mpipool__malloc((count ? (size_t)count : 1) * sizeof *ids);
  if (ids == NULL)
    return MPIPOOL_ENOMEM;
  size_t n = 0;
  for (const char *q = s; *q && n < (size_t)count;) {
    const char *end = strchr(q, ',');
    ids[n].p = q;
    ids[n].n = end ? (size_t)(end - q) : strlen(q);
    q += ids[n++].n + (end != NULL);
  }
  qsort(ids, n, sizeof *ids, id_cmp);
  int err = MPIPOOL_OK;
  for (size_t i = 1; i < n && err == 0; i++)
    if (id_cmp(&ids[i - 1], &ids[i]) == 0) {
      mpipool__fmt(why, whylen, "the GPU '%.*s' is given twice", (int)ids[i].n,
                   ids[i].p);
      err = MPIPOOL_EINVAL;
    }
  mpipool__free(ids);
  return err;
}

/* A whole decimal number of p (n bytes) in *v. */
static int number(const char *p, size_t n, unsigned long *v) {
  if (n == 0 || n > 9)
    return 0;
  *v = 0;
  for (size_t i = 0; i < n; i++) {
    if (!isdigit((unsigned char)p[i]))
      return 0;
    *v = *v * 10 + (unsigned long)(p[i] - '0');
  }
  return 1;
}

/* Adds the id (or range) p of n bytes to b. */
static int add(str_t *b, int *count, const char *p, size_t n, char *why,
               size_t whylen) {
  const char *dash = memchr(p, '-', n);
  unsigned long lo, hi;
  if (dash && number(p, (size_t)(dash - p), &lo) &&
      number(dash + 1, n - (size_t)(dash - p) - 1, &hi)) {
    if (hi < lo || hi - lo >= MAX_RANGE) {
      mpipool__fmt(why, whylen, "the range '%.*s' is %s", (int)n, p,
                   hi < lo ? "backwards" : "too long");
      return MPIPOOL_EINVAL;
    }
    for (unsigned long v = lo; v <= hi; v++) {
      char id[16];
      mpipool__fmt(id, sizeof id, "%lu", v);
      int err = add(b, count, id, strlen(id), why, whylen);
      if (err)
        return err;
    }
    return MPIPOOL_OK;
  }
  if (*count >= MAX_IDS) {
    mpipool__fmt(why, whylen, "more than %d GPUs are given", MAX_IDS);
    return MPIPOOL_EINVAL;
  }
  (*count)++;
  return put(b, p, n);
}

int mpipool__gpus_parse(const char *list, char **out, int *count, char *why,
                        size_t whylen) {
  str_t b = {0};
  int err = MPIPOOL_OK;
  *out = NULL;
  *count = 0;
  while (list && isspace((unsigned char)*list))
    list++;
  /* Slurm sets CUDA_VISIBLE_DEVICES=NoDevFiles in a job without GPUs. */
  if (list && *list && strcmp(list, "NoDevFiles") != 0) {
    for (const char *p = list;;) {
      const char *end = strchr(p, ',');
      size_t n = end ? (size_t)(end - p) : strlen(p);
      const char *q = p;
      while (n && isspace((unsigned char)*q))
        q++, n--;
      while (n && isspace((unsigned char)q[n - 1]))
        n--;
      if (n == 0) {
        mpipool__fmt(why, whylen, "an empty GPU id");
        err = MPIPOOL_EINVAL;
      } else {
        err = add(&b, count, q, n, why, whylen);
      }
      if (err || end == NULL)
        break;
      p = end + 1;
    }
  }
  if (err == 0 && b.s == NULL && (b.s = mpipool__strdup("")) == NULL)
    err = MPIPOOL_ENOMEM;
  if (err == 0)
    err = twice(b.s, *count, why, whylen);
  if (err) {
    mpipool__free(b.s);
    *count = 0;
    return err;
  }
  *out = b.s;
  return MPIPOOL_OK;
}

int mpipool__gpus_count(const char *list) {
  if (list == NULL || *list == '\0')
    return 0;
  int n = 1;
  for (; *list; list++)
    n += *list == ',';
  return n;
}

char *mpipool__gpus_slice(const char *list, int first, int n) {
  if (list == NULL || *list == '\0' || first < 0 || n < 1)
    return NULL;
  const char *start = NULL, *p = list;
  for (int i = 0;; i++) { /* p: the start of id i */
    if (i == first)
      start = p;
    const char *end = strchr(p, ',');
    if (i == first + n - 1) {
      size_t len = end ? (size_t)(end - start) : strlen(start);
      char *s = mpipool__malloc(len + 1);
      if (s) {
        memcpy(s, start, len);
        s[len] = '\0';
      }
      return s;
    }
    if (end == NULL)
      return NULL; /* fewer ids than first + n */
    p = end + 1;
  }
}

/* The co-processors hwloc sees, one backend's worth (a GPU shows once per
 * backend: cuda0, nvml0, opencl0d0): the first of CUDA, ROCm (rsmi),
 * NVML, OpenCL that has any, their numbers as ids. */
static int from_hwloc(char **out) {
  static const char *const prefixes[] = {"cuda", "rsmi", "nvml", "opencl"};
  hwloc_topology_t topo;
  str_t b = {0};
  int err = MPIPOOL_OK;
  *out = NULL;
  if (hwloc_topology_init(&topo) != 0)
    return MPIPOOL_OK;
  hwloc_topology_set_io_types_filter(topo, HWLOC_TYPE_FILTER_KEEP_IMPORTANT);
  if (hwloc_topology_load(topo) == 0) {
    for (size_t k = 0; k < 4 && b.len == 0 && err == 0; k++) {
      hwloc_obj_t o = NULL;
      size_t plen = strlen(prefixes[k]);
      while (err == 0 && (o = hwloc_get_next_osdev(topo, o)) != NULL) {
        if (o->name == NULL || strncmp(o->name, prefixes[k], plen) != 0 ||
            !isdigit((unsigned char)o->name[plen]) ||
            (o->attr->osdev.type != HWLOC_OBJ_OSDEV_COPROC &&
             o->attr->osdev.type != HWLOC_OBJ_OSDEV_GPU))
          continue;
        /* "opencl0d1": platform 0, device 1; the others: the number. */
        const char *id = o->name + plen;
        if (k == 3 && strchr(id, 'd'))
          id = strchr(id, 'd') + 1;
        err = put(&b, id, strlen(id));
      }
    }
  }
  hwloc_topology_destroy(topo);
  if (err == 0 && b.s == NULL && (b.s = mpipool__strdup("")) == NULL)
    err = MPIPOOL_ENOMEM;
  if (err)
    mpipool__free(b.s);
  else
    *out = b.s;
  return err;
}

int mpipool__gpus_probe(char **out, const char **source, char *why,
                        size_t whylen) {
  static const char *const vars[] = {"MPIPOOL_GPUS", "CUDA_VISIBLE_DEVICES",
                                     "SLURM_STEP_GPUS", "SLURM_JOB_GPUS"};
  int count;
  *out = NULL;
  for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) {
    const char *v = getenv(vars[i]);
    if (v == NULL)
      continue;
    *source = vars[i];
    char inner[200];
    int err = mpipool__gpus_parse(v, out, &count, inner, sizeof inner);
    if (err == MPIPOOL_EINVAL)
      mpipool__fmt(why, whylen, "%s='%s' is not a list of GPU ids: %s", vars[i],
                   v, inner);
    return err;
  }
  *source = "hwloc";
  int err = from_hwloc(out);
  if (err == 0 && **out == '\0')
    *source = "none";
  return err;
}
