/*
 * test_sizes.c - results and inputs from 0 bytes to 16 MiB, one by one,
 * several at once, and inside a map.
 */
#include "common.h"

int main(void) {
  static const uint64_t sizes[] = {
      0, 1, 7, 4096, 65535, 65536, 1 << 20, (16 << 20) - 1, 16 << 20};
  enum { NS = sizeof sizes / sizeof sizes[0] };
  mpipool_t *pool = start_pool(3, NULL, NULL, 0);

  for (int i = 0; i < NS; i++) {
    void *out = NULL;
    size_t s = 0;
    int err = mpipool_apply(pool, "blob", &sizes[i], sizeof sizes[i], &out, &s);
    ok(err == 0 && blob_ok(out, s, sizes[i]), "apply: a %llu-byte result",
       (unsigned long long)sizes[i]);
    free(out);
  }

  /* All sizes in flight at once. */
  mpipool_async_t *h[NS];
  for (int i = 0; i < NS; i++)
    mpipool_apply_async(pool, "blob", &sizes[i], sizeof sizes[i], NULL, NULL,
                        NULL, &h[i]);
  int good = 0;
  for (int i = 0; i < NS; i++) {
    const void *d;
    size_t s;
    good += mpipool_async_get(h[i], -1, &d, &s) == 0 && blob_ok(d, s, sizes[i]);
    mpipool_async_free(h[i]);
  }
  is_int(good, NS, "apply_async: every size at once, each result intact");

  /* In a map, with chunks mixing sizes. */
  mpipool_results_t *res = NULL;
  int err = mpipool_map(pool, "blob", sizes, NS, sizeof sizes[0], 2, &res);
  good = err == 0;
  for (int i = 0; good && i < NS; i++) {
    const void *d;
    size_t s;
    good = mpipool_results_item(res, (size_t)i, &d, &s) == 0 &&
           blob_ok(d, s, sizes[i]);
  }
  ok(good, "map: results of 0 B to 16 MiB in chunks of 2");
  mpipool_results_free(res);

  /* A 16 MiB input echoed back. */
  size_t big = 16 << 20;
  unsigned char *in = malloc(big);
  for (size_t i = 0; i < big; i++)
    in[i] = (unsigned char)(i * 13);
  void *out = NULL;
  size_t s = 0;
  err = mpipool_apply(pool, "echo", in, big, &out, &s);
  ok(err == 0 && s == big && memcmp(in, out, big) == 0,
     "apply: a 16 MiB input comes back intact");
  free(out);
  free(in);
  finish_pool(pool);
  return tap_done();
}
