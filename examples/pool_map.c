/*
 * pool_map.c - Python's classic Pool.map example, in C over MPI:
 *
 *   def do_calculation(data): return data * 2
 *   def start_process(): print('Starting', current_process().name)
 *   pool = Pool(processes=cpu_count() * 2, initializer=start_process)
 *   pool_outputs = pool.map(do_calculation, inputs)
 *
 * Run it as ./examples/pool_map (mpipool spawns the workers) or as
 * mpirun -n 8 ./examples/pool_map.  "-p N" sets the pool size.  Where
 * the workers are spawned, the master's head start (a child process of
 * its own, "MainProcess") runs these 10 tiny tasks before any worker
 * would be up, so none is spawned: Python would print a Starting line
 * for each of its workers, this prints "Starting MainProcess".
 *
 * Compiled with MAXTASKSPERCHILD defined (examples/maxtasks.c), it is the
 * second seed program: Pool(..., maxtasksperchild=2).
 */
#include <mpipool.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int do_calculation(mpipool_ctx_t *ctx, const void *in, size_t size) {
  int x;
  if (size != sizeof x)
    return mpipool_ctx_fail(ctx, "expected an int, got %zu bytes", size);
  memcpy(&x, in, sizeof x);
  int *out = mpipool_ctx_output(ctx, sizeof *out);
  if (out == NULL)
    return -1;
  *out = x * 2;
  return 0;
}

static int start_process(mpipool_ctx_t *ctx, const void *args, size_t size) {
  (void)args;
  (void)size;
  printf("Starting %s\n", mpipool_ctx_name(ctx));
  fflush(stdout);
  return 0;
}

static void print_list(const char *label, const int *v, size_t n) {
  printf("%s [", label);
  for (size_t i = 0; i < n; i++)
    printf("%s%d", i ? ", " : "", v[i]);
  printf("]\n");
  fflush(stdout);
}

int main(int argc, char **argv) {
  mpipool_t *pool;
  mpipool_results_t *res;
  int inputs[10], builtin[10], outputs[10], err;
  int size = 0;

  if (argc == 3 && strcmp(argv[1], "-p") == 0)
    size = atoi(argv[2]);
  if ((err = mpipool_create(&pool)) != 0 ||
      (err = mpipool_register(pool, "do_calculation", do_calculation, NULL)) !=
          0 ||
      (err = mpipool_set_initializer(pool, start_process, NULL, 0)) != 0)
    goto fail;
#ifdef MAXTASKSPERCHILD
  /* No head start: the workers' recycling is what this one shows. */
  if ((err = mpipool_set_maxtasksperchild(pool, MAXTASKSPERCHILD)) != 0 ||
      (err = mpipool_set_head_start(pool, 0)) != 0)
    goto fail;
#endif
  if (size <= 0) {
    int cores = 1;
    mpipool_core_count(&cores); /* stays 1 if hwloc cannot tell */
    size = 2 * cores;           /* Python: cpu_count() * 2 */
  }
  if ((err = mpipool_set_processes(pool, size)) != 0 ||
      (err = mpipool_start(pool)) != 0)
    goto fail;

  /* Only the master gets here. */
  for (int i = 0; i < 10; i++) {
    inputs[i] = i;
    builtin[i] = i * 2;
  }
  print_list("Inputs  :", inputs, 10);
  print_list("Build-In :", builtin, 10);
  err = mpipool_map(pool, "do_calculation", inputs, 10, sizeof inputs[0], 0,
                    &res);
  if (err)
    goto fail;
  err = mpipool_results_copy(res, outputs, sizeof outputs[0]);
  mpipool_results_free(res);
  if (err)
    goto fail;
  if ((err = mpipool_close(pool)) != 0 || (err = mpipool_join(pool)) != 0)
    goto fail;
  print_list("Pool  :", outputs, 10);
  mpipool_destroy(pool);
  return 0;
fail:
  fprintf(stderr, "%s: %s\n", argv[0], mpipool_strerror(err));
  mpipool_destroy(pool);
  return 1;
}
