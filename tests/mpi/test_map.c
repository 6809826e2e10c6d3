/*
 * test_map.c - map, map_v, imap and imap_unordered: correctness on 0, 1, 7
 * and 100,000 items, ordering, every chunk size, task failures.
 */
#include "common.h"

static int check_double_map(mpipool_t *pool, size_t n, size_t chunksize) {
  int *in = malloc((n ? n : 1) * sizeof *in);
  int *out = malloc((n ? n : 1) * sizeof *out);
  mpipool_results_t *res = NULL;
  int good = in && out;
  for (size_t i = 0; i < n; i++)
    in[i] = (int)i - 50;
  int err = mpipool_map(pool, "double", in, n, sizeof *in, chunksize, &res);
  good = good && err == 0 && mpipool_results_count(res) == n &&
         mpipool_results_failed(res) == 0 &&
         mpipool_results_copy(res, out, sizeof *out) == 0;
  for (size_t i = 0; good && i < n; i++)
    good = out[i] == 2 * in[i];
  /* Item access agrees with the bulk copy. */
  for (size_t i = 0; good && i < n; i += (n / 13) + 1) {
    const void *d;
    size_t s;
    good = mpipool_results_item(res, i, &d, &s) == 0 && s == sizeof(int) &&
           *(const int *)d == 2 * in[i];
  }
  ok(good, "map of %zu items, chunksize %zu: every result in order (err %s)", n,
     chunksize, mpipool_err_name(err));
  mpipool_results_free(res);
  free(in);
  free(out);
  return good;
}

typedef struct {
  size_t n;
  unsigned char *seen;
  size_t calls, last, out_of_order, bad;
} stream_t;

static void on_item(size_t index, int status, const void *data, size_t size,
                    void *arg) {
  stream_t *s = arg;
  if (index >= s->n || status != 0 || size != sizeof(int) ||
      *(const int *)data != 2 * (int)index) {
    s->bad++;
    return;
  }
  if (s->calls && index < s->last)
    s->out_of_order++;
  s->last = index;
  s->seen[index]++;
  s->calls++;
}

static void check_stream(mpipool_t *pool, size_t n, int ordered) {
  int *in = malloc(n * sizeof *in);
  stream_t s = {n, calloc(n, 1), 0, 0, 0, 0};
  for (size_t i = 0; i < n; i++)
    in[i] = (int)i;
  int err =
      ordered ? mpipool_imap(pool, "double", in, n, sizeof *in, 7, on_item, &s)
              : mpipool_imap_unordered(pool, "double", in, n, sizeof *in, 7,
                                       on_item, &s);
  size_t once = 0;
  for (size_t i = 0; i < n; i++)
    once += s.seen[i] == 1;
  ok(err == 0 && s.bad == 0 && once == n && s.calls == n,
     "%s of %zu items: each result exactly once",
     ordered ? "imap" : "imap_unordered", n);
  if (ordered)
    is_int(s.out_of_order, 0, "imap delivers in input order");
  free(s.seen);
  free(in);
}

static void check_failures(mpipool_t *pool) {
  int in[10];
  mpipool_results_t *res = NULL;
  for (int i = 0; i < 10; i++)
    in[i] = i;
  int err = mpipool_map(pool, "fail_odd", in, 10, sizeof *in, 3, &res);
  is_int(err, MPIPOOL_ETASK, "map with failing items returns ETASK");
  ok(res != NULL, "and still hands back the results");
  if (res == NULL)
    return;
  is_int(mpipool_results_failed(res), 5, "five items failed");
  int good = 1;
  for (int i = 0; i < 10; i++) {
    const void *d;
    size_t s;
    int st = mpipool_results_item(res, (size_t)i, &d, &s);
    char want[16];
    snprintf(want, sizeof want, "odd %d", i);
    if (i % 2)
      good &= st == MPIPOOL_ETASK && s == strlen(want) && strcmp(d, want) == 0;
    else {
      int v = -1; /* a result's bytes need not be aligned for an int */
      if (st == 0 && s == sizeof v)
        memcpy(&v, d, sizeof v);
      good &= st == 0 && s == sizeof v && v == i;
    }
  }
  ok(good, "each failure carries its message; the others their result");
  int out[10];
  is_int(mpipool_results_copy(res, out, sizeof out[0]), MPIPOOL_ETASK,
         "results_copy refuses results with failures");
  is_int(mpipool_results_item(res, 10, NULL, NULL), MPIPOOL_EINVAL,
         "results_item out of range is EINVAL");
  mpipool_results_free(res);
}

static void check_map_v(mpipool_t *pool) {
  enum { N = 50 };
  char *bufs[N];
  const void *ptrs[N];
  size_t sizes[N];
  for (size_t i = 0; i < N; i++) {
    sizes[i] = i * 37;
    bufs[i] = malloc(sizes[i] + 1);
    for (size_t j = 0; j < sizes[i]; j++)
      bufs[i][j] = (char)(i + j);
    ptrs[i] = sizes[i] ? bufs[i] : NULL;
  }
  mpipool_results_t *res = NULL;
  int err = mpipool_map_v(pool, "echo", ptrs, sizes, N, 4, &res);
  int good = err == 0;
  for (size_t i = 0; good && i < N; i++) {
    const void *d;
    size_t s;
    good = mpipool_results_item(res, i, &d, &s) == 0 && s == sizes[i] &&
           (s == 0 || memcmp(d, bufs[i], s) == 0);
  }
  ok(good, "map_v echoes 50 items of 0 to 1813 bytes, in order");
  mpipool_results_free(res);
  for (size_t i = 0; i < N; i++)
    free(bufs[i]);
}

static void check_zero_length(mpipool_t *pool) {
  mpipool_results_t *res = NULL;
  int err = mpipool_map(pool, "echo", NULL, 5, 0, 0, &res);
  int good = err == 0 && mpipool_results_count(res) == 5;
  for (size_t i = 0; good && i < 5; i++) {
    size_t s = 99;
    good = mpipool_results_item(res, i, NULL, &s) == 0 && s == 0;
  }
  ok(good, "map of 5 zero-length items gives 5 empty results");
  mpipool_results_free(res);
}

int main(void) {
  mpipool_t *pool = start_pool(3, NULL, NULL, 0);
  is_int(mpipool_size(pool), 3, "pool has 3 workers");
  check_double_map(pool, 0, 0);
  check_double_map(pool, 1, 0);
  check_double_map(pool, 7, 0);
  check_double_map(pool, 7, 1);
  check_double_map(pool, 7, 3);
  check_double_map(pool, 7, 100); /* chunksize above count: one chunk */
  check_double_map(pool, 100000, 0);
  check_double_map(pool, 100000, 1000);
  check_double_map(pool, 20000, 1);
  check_stream(pool, 1000, 0);
  check_stream(pool, 1000, 1);
  check_failures(pool);
  check_map_v(pool);
  check_zero_length(pool);
  finish_pool(pool);
  return tap_done();
}
