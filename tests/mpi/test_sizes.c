/*
 * test_sizes.c - results and inputs from 0 bytes to 16 MiB, one by one,
 * several at once, and inside a map; then results at and past the largest
 * one message carries (mpipool_result_max()): those fail with
 * MPIPOOL_E2BIG, the others arrive, and the workers go on.  That limit is
 * lowered to 64 MiB (MPIPOOL_FAULT_MSG_MAX) unless MPIPOOL_TEST_HUGE=1:
 * then results of 2 GiB and more travel (by hand: about 10 GiB of memory
 * and a few minutes per launch mode).  Large results are read from the
 * worker's memory (transport/cma.h); at the end the master declines to,
 * and they come as messages.
 */
#include "common.h"

/* The results just below, at and past the limit of one message. */
static void past_the_limit(mpipool_t *pool) {
  const uint64_t max = mpipool_result_max(), more = max + 1, small = 16;
  void *out = NULL;
  size_t s = 0;
  char want[160];
  int err;
  if (getenv("MPIPOOL_TEST_HUGE"))
    snprintf(want, sizeof want,
             "output of %llu bytes is more than one message can carry "
             "(2 GiB - 1 bytes)",
             (unsigned long long)more);
  else
    snprintf(want, sizeof want,
             "output of %llu bytes is more than one message can carry "
             "(%d bytes)",
             (unsigned long long)more, 64 << 20);
  printf("# mpipool_result_max() = %llu\n", (unsigned long long)max);

  err = mpipool_apply(pool, "blob", &max, sizeof max, &out, &s);
  ok(err == 0 && blob_ok(out, s, max),
     "apply: a result of mpipool_result_max() bytes arrives whole");
  free(out);
  out = NULL;
  err = mpipool_apply(pool, "blob", &more, sizeof more, &out, &s);
  ok(err == MPIPOOL_E2BIG && out && strcmp(out, want) == 0,
     "apply: one byte more fails with E2BIG, '%s'", want);
  if (err != MPIPOOL_E2BIG || out == NULL || strcmp(out, want) != 0)
    printf("#   got %s, '%s'\n", mpipool_err_name(err),
           out ? (char *)out : "(none)");
  free(out);
  out = NULL;
  err = mpipool_apply(pool, "blob", &small, sizeof small, &out, &s);
  ok(err == 0 && blob_ok(out, s, small), "then a small task succeeds");
  free(out);

  /* One chunk of two outputs that each fit, not both: the second fails. */
  const uint64_t three[] = {max / 8 * 5, max / 8 * 5, 8};
  mpipool_results_t *res = NULL;
  err = mpipool_map(pool, "blob", three, 3, sizeof three[0], 3, &res);
  const void *d = NULL;
  size_t ds = 0;
  ok(err == MPIPOOL_ETASK && mpipool_results_failed(res) == 1,
     "map: a chunk too large for one message, one item fails");
  ok(mpipool_results_item(res, 0, &d, &ds) == 0 && blob_ok(d, ds, three[0]),
     "map: the first large output arrives whole");
  ok(mpipool_results_item(res, 1, &d, &ds) == MPIPOOL_E2BIG &&
         strstr(d, "does not fit beside the other results") != NULL,
     "map: the second fails with E2BIG, 'does not fit beside'");
  ok(mpipool_results_item(res, 2, &d, &ds) == 0 && blob_ok(d, ds, three[2]),
     "map: the small one arrives");
  mpipool_results_free(res);

  /* In flight together (perhaps in one frame): each arrives whole or
   * fails with E2BIG; what is too large alone always fails. */
  const uint64_t mix[] = {more, small, max / 2, small, max / 2, 0};
  enum { NM = sizeof mix / sizeof mix[0] };
  mpipool_async_t *h[NM];
  for (int i = 0; i < NM; i++)
    mpipool_apply_async(pool, "blob", &mix[i], sizeof mix[i], NULL, NULL, NULL,
                        &h[i]);
  int good = 0, whole = 0;
  for (int i = 0; i < NM; i++) {
    err = mpipool_async_get(h[i], -1, &d, &ds);
    whole += err == 0;
    good += (err == 0 && blob_ok(d, ds, mix[i])) ||
            (err == MPIPOOL_E2BIG && mix[i] > small &&
             strncmp(d, "output of ", 10) == 0);
    if (i == 0 && err != MPIPOOL_E2BIG)
      good = -100;
    mpipool_async_free(h[i]);
  }
  is_int(good, NM, "apply_async: each whole, or E2BIG (too large: always)");
  ok(whole >= 4, "apply_async: the small ones and one large arrive");

  err = mpipool_apply(pool, "blob", &small, sizeof small, &out, &s);
  ok(err == 0 && blob_ok(out, s, small), "and the pool goes on");
  free(out);
}

/* A map of blobs of sizes[0..n-1] in chunks of `chunk`: every result
 * intact. */
static int map_ok(mpipool_t *pool, const uint64_t *sizes, size_t n,
                  size_t chunk) {
  mpipool_results_t *res = NULL;
  int good =
      mpipool_map(pool, "blob", sizes, n, sizeof *sizes, chunk, &res) == 0;
  for (size_t i = 0; good && i < n; i++) {
    const void *d;
    size_t s;
    good = mpipool_results_item(res, i, &d, &s) == 0 && blob_ok(d, s, sizes[i]);
  }
  mpipool_results_free(res);
  return good;
}

int main(void) {
  static const uint64_t sizes[] = {
      0, 1, 7, 4096, 65535, 65536, 1 << 20, (16 << 20) - 1, 16 << 20};
  enum { NS = sizeof sizes / sizeof sizes[0] };
  /* Every process: the workers read it. */
  if (getenv("MPIPOOL_TEST_HUGE") == NULL)
    setenv("MPIPOOL_FAULT_MSG_MAX", "67108864", 1);
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
  ok(map_ok(pool, sizes, NS, 2), "map: results of 0 B to 16 MiB in chunks "
                                 "of 2");

  /* A 16 MiB input echoed back. */
  size_t big = 16 << 20;
  unsigned char *in = malloc(big);
  for (size_t i = 0; i < big; i++)
    in[i] = (unsigned char)(i * 13);
  void *out = NULL;
  size_t s = 0;
  int err = mpipool_apply(pool, "echo", in, big, &out, &s);
  ok(err == 0 && s == big && memcmp(in, out, big) == 0,
     "apply: a 16 MiB input comes back intact");
  free(out);
  free(in);

  /* The master declines to read results from the workers' memory (as on
   * another node): each worker's first large result is sent instead, and
   * so are all after it. */
  setenv("MPIPOOL_FAULT_CMA", "refuse", 1);
  ok(map_ok(pool, sizes, NS, 1), "map: every result intact when the master "
                                 "declines to read them from memory");
  unsetenv("MPIPOOL_FAULT_CMA");

  past_the_limit(pool);
  finish_pool(pool);
  return tap_done();
}
