/*
 * test_spawn_pml.c - a worker spawned by a master that runs Open MPI's
 * ob1 PML is started with OMPI_MCA_pml=ob1 (mpipool__hints_spawn_env):
 * it skips probing the fabrics of the other PMLs (0.2 s of MPI_Init
 * under mpirun).  maxtasksperchild 2 has every launch mode spawn
 * successors (under mpirun the launcher's ranks retire too).
 */
#include "common.h"

/* Whether the process's initial environment has entry (the worker takes
 * mpipool's variables out of environ as it starts; /proc keeps them). */
static int started_with(const char *entry) {
  FILE *f = fopen("/proc/self/environ", "r");
  char buf[65536];
  size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
  if (f)
    fclose(f);
  buf[n] = '\0';
  for (size_t i = 0; i < n; i += strlen(buf + i) + 1)
    if (strcmp(buf + i, entry) == 0)
      return 1;
  return 0;
}

/* -> {spawned by the pool, started with OMPI_MCA_pml=ob1, the task sees
 * it} */
static int t_env(mpipool_ctx_t *ctx, const void *in, size_t size) {
  (void)in, (void)size;
  int c[3] = {started_with("MPIPOOL_SPAWNED=1"),
              started_with("OMPI_MCA_pml=ob1"), getenv("OMPI_MCA_pml") != NULL};
  return mpipool_ctx_set_output(ctx, c, sizeof c);
}

int main(void) {
  enum { N = 12 };
  mpipool_t *pool;
  mpipool_create(&pool);
  mpipool_register(pool, "env", t_env, NULL);
  mpipool_set_processes(pool, 2);
  mpipool_set_maxtasksperchild(pool, 2);
  mpipool_set_head_start(pool, 0); /* every item on a worker */
  if (mpipool_start(pool) != 0) {
    ok(0, "start");
    return tap_done();
  }
  int in[N] = {0};
  mpipool_results_t *res = NULL;
  is_int(mpipool_map(pool, "env", in, N, sizeof in[0], 1, &res), 0,
         "a map of 12 items, 2 per worker");
  int spawned = 0, with_ob1 = 0, seen = 0, items = 0;
  for (size_t i = 0; res && i < N; i++) {
    const void *d;
    size_t s;
    int c[3];
    if (mpipool_results_item(res, i, &d, &s) != 0 || s != sizeof c)
      continue;
    memcpy(c, d, sizeof c);
    items++;
    spawned += c[0];
    with_ob1 += c[0] && c[1];
    seen += c[2];
  }
  mpipool_results_free(res);
  is_int(items, N, "every item answered");
  ok(spawned >= N / 2 - 2, "most items ran on spawned successors");
  is_int(seen, 0, "no task sees OMPI_MCA_pml (taken out as MPI is up)");
#ifdef OPEN_MPI
  is_int(with_ob1, spawned,
         "each spawned worker started with OMPI_MCA_pml=ob1");
#else
  (void)with_ob1;
#endif
  finish_pool(pool);
  return tap_done();
}
