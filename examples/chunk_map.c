/*
 * chunk_map.c - a map of a million tiny items with a chunk task
 * (mpipool_register_chunk): the function is called once per chunk of
 * items, not once per item, so the pool moves the items at memory speed.
 * NumPy users know the idea as a vectorized function:
 *
 *   squares = pool.map(lambda chunk: chunk * chunk, chunks)
 *
 * Every process runs main() (an SPMD program, as under mpirun); only the
 * master returns from mpipool_start() and prints.  Usage:
 *
 *   chunk_map [N]        (N items, 1,000,000 by default)
 */
#include <mpipool.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* count doubles in -> their squares out.  The items are packed back to
 * back with no alignment promise: memcpy reads and writes them (the
 * compiler makes that a plain load and store). */
static int square_chunk(mpipool_ctx_t *ctx, const void *in, size_t count,
                        size_t size, void *out) {
  if (size != sizeof(double))
    return mpipool_ctx_fail(ctx, "expected doubles, got items of %zu bytes",
                            size);
  for (size_t i = 0; i < count; i++) {
    double x;
    memcpy(&x, (const char *)in + i * sizeof x, sizeof x);
    x *= x;
    memcpy((char *)out + i * sizeof x, &x, sizeof x);
  }
  return 0;
}

int main(int argc, char **argv) {
  size_t n = 1000000;
  if (argc > 1) {
    char *end;
    unsigned long long v = strtoull(argv[1], &end, 10);
    if (argc > 2 || *argv[1] < '0' || *argv[1] > '9' || *end ||
        v > (unsigned long long)SIZE_MAX / sizeof(double)) {
      fprintf(stderr, "usage: chunk_map [N]  (N items, a whole number)\n");
      return 2;
    }
    n = (size_t)v;
  }
  mpipool_t *pool;
  int err = mpipool_create(&pool);
  if (err == 0)
    err = mpipool_register_chunk(pool, "square", square_chunk, sizeof(double),
                                 NULL);
  if (err == 0)
    err = mpipool_start(pool); /* workers serve in here, then exit */
  if (err) {
    fprintf(stderr, "chunk_map: %s\n", mpipool_strerror(err));
    return 1;
  }

  double *x = malloc((n ? n : 1) * sizeof *x);
  double *y = malloc((n ? n : 1) * sizeof *y);
  if (x == NULL || y == NULL) {
    fprintf(stderr, "chunk_map: out of memory\n");
    mpipool_destroy(pool);
    return 1;
  }
  for (size_t i = 0; i < n; i++)
    x[i] = (double)i;
  mpipool_results_t *res = NULL;
  /* chunksize 0: Python's default, about 4 chunks per worker */
  err = mpipool_map(pool, "square", x, n, sizeof *x, 0, &res);
  if (err == 0)
    err = mpipool_results_copy(res, y, sizeof *y);
  mpipool_results_free(res);
  if (err) {
    fprintf(stderr, "chunk_map: map: %s\n", mpipool_strerror(err));
    mpipool_destroy(pool);
    return 1;
  }
  double sum = 0;
  for (size_t i = 0; i < n; i++)
    sum += y[i];
  printf("Inputs  : 0, 1, 2, ... %zu (%zu doubles)\n", n ? n - 1 : 0, n);
  printf("Squares : %g, %g, %g, ...\n", n > 0 ? y[0] : 0, n > 1 ? y[1] : 0,
         n > 2 ? y[2] : 0);
  printf("Sum     : %.15g\n", sum);
  free(x);
  free(y);
  mpipool_close(pool);
  err = mpipool_join(pool);
  mpipool_destroy(pool);
  return err ? 1 : 0;
}
