/*
 * test_gpus.c - a node's GPU list (placement/gpus.c): reading lists as
 * MPIPOOL_GPUS, CUDA_VISIBLE_DEVICES and Slurm give them, a place's slice
 * of them, where the probe finds them; and the plan's sizing by cores and
 * GPUs per worker (plan.c).  No MPI, no GPU.
 */
#include "config.h"

#include "placement/gpus.h"
#include "placement/plan.h"
#include "mpipool.h"
#include "../tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parses s: its plain list in out (or "ERR: why"), its count in *n. */
static int parse(const char *s, char *out, size_t len, int *n) {
  char *list, why[128];
  int err = mpipool__gpus_parse(s, &list, n, why, sizeof why);
  if (err)
    snprintf(out, len, "ERR: %s", why);
  else
    snprintf(out, len, "%s", list);
  free(list);
  return err;
}

static void test_parse(void) {
  char out[256];
  int n;
  static const struct {
    const char *in, *want;
    int count;
  } good[] = {
      {"0,1,2,3", "0,1,2,3", 4},
      {" 0 , 1 ", "0,1", 2},
      {"0-3", "0,1,2,3", 4},
      {"0-1,4,6-7", "0,1,4,6,7", 5},
      {"3", "3", 1},
      {"", "", 0},
      {"   ", "", 0},
      {"NoDevFiles", "", 0},
      {"GPU-8a1b-44cd,GPU-77ef", "GPU-8a1b-44cd,GPU-77ef", 2},
      {"MIG-1/2", "MIG-1/2", 1},
  };
  for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
    int err = parse(good[i].in, out, sizeof out, &n);
    ok(err == 0 && strcmp(out, good[i].want) == 0 && n == good[i].count,
       "'%s' reads as '%s' (%d GPUs): got '%s' (%d)", good[i].in, good[i].want,
       good[i].count, out, n);
  }
  static const struct {
    const char *in, *why;
  } bad[] = {
      {"0,,1", "ERR: an empty GPU id"},
      {"0,", "ERR: an empty GPU id"},
      {",0", "ERR: an empty GPU id"},
      {"0,1,0", "ERR: the GPU '0' is given twice"},
      {"0-2,1", "ERR: the GPU '1' is given twice"},
      {"3-1", "ERR: the range '3-1' is backwards"},
      {"0-999999", "ERR: the range '0-999999' is too long"},
      {"7,0-9", "ERR: the GPU '7' is given twice"},
      {"0-65535,70000", "ERR: more than 65536 GPUs are given"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    int err = parse(bad[i].in, out, sizeof out, &n);
    ok(err == MPIPOOL_EINVAL && strcmp(out, bad[i].why) == 0 && n == 0,
       "'%s' refused: %s (got '%s')", bad[i].in, bad[i].why, out);
  }
  /* The longest range: each id checked against the others by sorting
   * (against the list so far, it took 12 s). */
  char *list = NULL, why[128];
  int err = mpipool__gpus_parse("0-65535", &list, &n, why, sizeof why);
  size_t len = list ? strlen(list) : 0;
  ok(err == 0 && n == 65536 && len > 6 && strcmp(list + len - 6, ",65535") == 0,
     "'0-65535': 65536 GPUs, the last 65535");
  free(list);
}

/* The slice of list for node place k with per GPUs each, "" for NULL. */
static void slice_is(const char *list, int k, int per, const char *want) {
  char *s = mpipool__gpus_slice(list, k * per, per);
  ok(strcmp(s ? s : "(none)", want) == 0,
     "place %d of '%s', %d each: '%s' (got '%s')", k, list, per, want,
     s ? s : "(none)");
  free(s);
}

static void test_slice(void) {
  is_int(mpipool__gpus_count("0,1,2,3"), 4, "count 4");
  is_int(mpipool__gpus_count(""), 0, "count of '' is 0");
  is_int(mpipool__gpus_count(NULL), 0, "count of NULL is 0");
  slice_is("0,1,2,3", 0, 2, "0,1");
  slice_is("0,1,2,3", 1, 2, "2,3");
  slice_is("0,1,2,3", 2, 2, "(none)");
  slice_is("0,1,2,3", 3, 1, "3");
  slice_is("0,1,2,3", 0, 4, "0,1,2,3");
  slice_is("0,1,2,3", 0, 5, "(none)");
  slice_is("0,1,2", 1, 2, "(none)");
  slice_is("GPU-a,GPU-b", 1, 1, "GPU-b");
  slice_is("", 0, 1, "(none)");
  /* Every place of a node its own GPUs: no id in two slices. */
  const char *list = "0,1,2,3,4,5,6,7";
  char seen[8] = {0};
  int dup = 0;
  for (int k = 0; k < 4; k++) {
    char *s = mpipool__gpus_slice(list, k * 2, 2);
    for (char *p = s; p && *p; p++)
      if (*p >= '0' && *p <= '7')
        dup |= seen[*p - '0']++;
    free(s);
  }
  ok(!dup && memchr(seen, 0, 8) == NULL,
     "4 places of 2 GPUs of 8: each GPU in exactly one place");
}

static void test_probe(void) {
  char *list, why[256];
  const char *source = "";
  setenv("MPIPOOL_GPUS", "0-1", 1);
  setenv("CUDA_VISIBLE_DEVICES", "5", 1);
  ok(mpipool__gpus_probe(&list, &source, why, sizeof why) == 0 &&
         strcmp(list, "0,1") == 0 && strcmp(source, "MPIPOOL_GPUS") == 0,
     "MPIPOOL_GPUS first");
  free(list);
  unsetenv("MPIPOOL_GPUS");
  ok(mpipool__gpus_probe(&list, &source, why, sizeof why) == 0 &&
         strcmp(list, "5") == 0 && strcmp(source, "CUDA_VISIBLE_DEVICES") == 0,
     "then CUDA_VISIBLE_DEVICES");
  free(list);
  unsetenv("CUDA_VISIBLE_DEVICES");
  setenv("SLURM_JOB_GPUS", "2,3", 1);
  ok(mpipool__gpus_probe(&list, &source, why, sizeof why) == 0 &&
         strcmp(list, "2,3") == 0 && strcmp(source, "SLURM_JOB_GPUS") == 0,
     "then Slurm's");
  free(list);
  setenv("SLURM_JOB_GPUS", "2,,3", 1);
  is_int(mpipool__gpus_probe(&list, &source, why, sizeof why), MPIPOOL_EINVAL,
         "a wrong list");
  ok(strcmp(why, "SLURM_JOB_GPUS='2,,3' is not a list of GPU ids: an empty "
                 "GPU id") == 0,
     "says which variable (%s)", why);
  unsetenv("SLURM_JOB_GPUS");
}

static mpipool__node_t probe(const char *host, int cores, int ngpus,
                             const char *gpus) {
  mpipool__node_t n;
  memset(&n, 0, sizeof n);
  n.host = (char *)host;
  n.cores = cores;
  n.cpuset = (char *)"0-63";
  n.room = -1;
  n.ngpus = ngpus;
  n.gpus = (char *)gpus;
  return n;
}

static void test_sizing(void) {
  mpipool__plan_t p;
  mpipool__node_t one[1] = {probe("a", 8, 4, "0,1,2,3")};
  is_int(mpipool__plan_make_sized(&p, one, 1, 0, 1, 2, 0), 0, "8 cores / 2");
  ok(p.workers == 4 && p.nodes[0].bind, "4 workers of 2 cores, bound");
  mpipool__plan_free(&p);
  is_int(mpipool__plan_make_sized(&p, one, 1, 0, 1, 3, 0), 0, "8 cores / 3");
  is_int(p.workers, 2, "floor(8 / 3) = 2 workers");
  mpipool__plan_free(&p);
  is_int(mpipool__plan_make_sized(&p, one, 1, 0, 1, 1, 2), 0, "4 GPUs / 2");
  is_int(p.workers, 2, "GPUs the smaller bound: 2 workers");
  mpipool__plan_free(&p);
  is_int(mpipool__plan_make_sized(&p, one, 1, 6, 1, 0, 2), 0, "-j 6, 2 GPUs");
  ok(p.workers == 2 && p.unfit == 4, "-j 6: 2 workers, 4 left out (unfit)");
  mpipool__plan_free(&p);
  is_int(mpipool__plan_make_sized(&p, one, 1, 0, 1, 9, 0), 0, "9 cores of 8");
  is_int(p.workers, 0, "no worker fits");
  mpipool__plan_free(&p);
  is_int(mpipool__plan_make_sized(&p, one, 1, 0, 1, 0, 5), 0, "5 GPUs of 4");
  is_int(p.workers, 0, "no worker fits");
  mpipool__plan_free(&p);
  mpipool__node_t bad[1] = {probe("a", 8, -1, NULL)};
  is_int(mpipool__plan_make_sized(&p, bad, 1, 0, 1, 0, 1), 0, "a wrong list");
  is_int(p.workers, 0, "a wrong GPU list: no worker");
  mpipool__plan_free(&p);
  /* mpirun -n 5 on two 4-core nodes, 2 cores each (the master not
   * counted): ranks 1-2 fill a, rank 3 does not fit, so it and rank 4
   * (on b, where it would fit) leave; b is filled by spawning. */
  mpipool__node_t r[5] = {probe("a", 4, 0, NULL), probe("a", 4, 0, NULL),
                          probe("a", 4, 0, NULL), probe("a", 4, 0, NULL),
                          probe("b", 4, 0, NULL)};
  is_int(mpipool__plan_make_sized(&p, r, 5, 0, 1, 2, 0), 0, "ranks, 2 cores");
  ok(p.serve == 2 && p.ranks_unfit == 2 && p.nodes[1].spawn == 2 &&
         p.workers == 4,
     "ranks 1-2 serve, ranks 3-4 leave, node b spawns 2 (serve %d, unfit "
     "%d, workers %d)",
     p.serve, p.ranks_unfit, p.workers);
  mpipool__plan_free(&p);
  mpipool__node_t r3[3] = {probe("a", 2, 0, NULL), probe("a", 2, 0, NULL),
                           probe("a", 2, 0, NULL)};
  is_int(mpipool__plan_make_sized(&p, r3, 3, 0, 1, 2, 0), 0,
         "mpirun -n 3 on 2 cores, 2 each");
  ok(p.serve == 1 && p.ranks_unfit == 1 && p.workers == 1,
     "one rank serves, one leaves");
  mpipool__plan_free(&p);
}

int main(void) {
  test_parse();
  test_slice();
  test_probe();
  test_sizing();
  return tap_done();
}
