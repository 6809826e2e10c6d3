/*
 * test_master.c - the master's engine (master.c) without MPI: its real
 * code serving simulated workers on an in-memory link (bench/sim).  Maps
 * return every item's result in order at 1, 10 and 1,000 workers; tiny
 * tasks travel coalesced into frames (up to 1 ms of work, 64 to 1024
 * chunks); what the engine holds per worker
 * stays small (a frame's references sized to what it carries); a worker
 * that dies mid-map (its process killed) loses nothing: its chunks run
 * again on the others and the pool still ends; so does a worker of
 * another node that goes silent (lost after the engine's bound on
 * silence, 1 s here).
 */
#include "config.h"

#include "../../bench/sim/simpool.h"
#include "../tap.h"
#include "base/clock.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* 1 if res holds, for each of the n items, the item itself. */
static int results_right(const mpipool_results_t *res, const uint32_t *items,
                         size_t n) {
  if (res == NULL || mpipool_results_count(res) != n ||
      mpipool_results_failed(res) != 0)
    return 0;
  for (size_t i = 0; i < n; i++) {
    const void *data;
    size_t size;
    if (mpipool_results_item(res, i, &data, &size) != 0 ||
        size != sizeof *items || memcmp(data, &items[i], size) != 0)
      return 0;
  }
  return 1;
}

static uint32_t *numbers(size_t n) {
  uint32_t *v = malloc(n * sizeof *v);
  for (size_t i = 0; v && i < n; i++)
    v[i] = (uint32_t)(i * 7 + 1);
  return v;
}

/* A map of n items in chunks of chunksize on `workers` workers whose
 * tasks report task_ns each: right results, a clean end.  Returns the
 * frames the workers answered. */
static uint64_t map_on(size_t workers, size_t n, size_t chunksize,
                       uint64_t task_ns, const char *what) {
  simpool_t sp;
  uint32_t *items = numbers(n);
  ok(simpool_start(&sp, workers, task_ns, NULL) == 0, "%s: started", what);
  ok(mpipool__master_size(sp.master) == workers, "%s: %zu workers", what,
     workers);
  mpipool_results_t *res = NULL;
  ok(simpool_map(&sp, items, n, sizeof *items, chunksize, &res) == 0,
     "%s: the map ends", what);
  ok(results_right(res, items, n), "%s: every result right, in order", what);
  uint64_t frames = sp.link->frames;
  ok(sp.link->items == n, "%s: each item ran once", what);
  ok(mpipool__master_check(sp.master) == 0, "%s: bookkeeping consistent", what);
  mpipool_results_free(res);
  ok(simpool_end(&sp) == 0, "%s: every worker said BYE", what);
  free(items);
  return frames;
}

static void test_maps(void) {
  uint64_t f = map_on(1, 1000, 1, 1000000, "1 worker, 1 ms tasks");
  is_int(f, 1000, "1 ms tasks: a frame per chunk");
  map_on(10, 10000, 0, 1000000, "10 workers, default chunks");
  f = map_on(1000, 200000, 1, 1000, "1000 workers, 1 us tasks");
  ok(f < 200000 / 2, "1 us tasks travel coalesced (%llu frames for 200000)",
     (unsigned long long)f);
  /* A frame carries up to 1 ms of work: 1024 chunks of 0.1 us, 100 of
   * 10 us; never fewer than 64 (when the backlog has them). */
  f = map_on(1, 200000, 1, 100, "1 worker, 0.1 us tasks");
  ok(f < 200000 / 64 && f >= 200000 / 1024,
     "0.1 us tasks: 65 to 1024 a frame (%llu frames for 200000)",
     (unsigned long long)f);
  f = map_on(1, 100000, 1, 10000, "1 worker, 10 us tasks");
  ok(f >= 100000 / 100 && f < 100000 / 32,
     "10 us tasks: about 100 a frame, 1 ms (%llu frames for 100000)",
     (unsigned long long)f);
  f = map_on(1, 20000, 1, 40000, "1 worker, 40 us tasks");
  ok(f >= 20000 / 64 && f < 20000 / 32,
     "40 us tasks: 64 a frame, as before (%llu frames for 20000)",
     (unsigned long long)f);
}

/* What the engine holds per worker, with frames in flight to each. */
static void test_bytes_per_worker(void) {
  simpool_t sp;
  size_t workers = 10000, n = 40000;
  uint32_t *items = numbers(n);
  is_int(simpool_start(&sp, workers, 1000000, NULL), 0, "10000 workers");
  mpipool_results_t *res = NULL;
  is_int(simpool_map(&sp, items, n, sizeof *items, 1, &res), 0,
         "a map of 4 items each");
  ok(results_right(res, items, n), "its results right");
  size_t per = mpipool__master_bytes(sp.master) / workers;
  /* A worker record (about 140 bytes), its rank's index, a frame with a
   * reference or two: under 512 (a frame of 64 references alone was
   * 1,040 bytes, and a worker had up to 4). */
  ok(per < 512, "the engine holds %zu bytes per worker (< 512)", per);
  mpipool_results_free(res);
  is_int(simpool_end(&sp), 0, "ended");
  free(items);
}

static void test_worker_dies(void) {
  simpool_t sp;
  size_t n = 3000;
  uint32_t *items = numbers(n);
  simpool_opts_t f = {.die_rank = 2, .die_after = 5};
  is_int(simpool_start(&sp, 4, 1000000, &f), 0,
         "4 workers, the second dies after 5 frames");
  mpipool_results_t *res = NULL;
  is_int(simpool_map(&sp, items, n, sizeof *items, 1, &res), 0, "the map ends");
  ok(results_right(res, items, n), "every result right: nothing lost");
  ok(sp.link->dropped > 0, "frames were sent to the dead worker (%llu)",
     (unsigned long long)sp.link->dropped);
  ok(sp.link->items == n,
     "each item ran once (%llu): the dead worker ran none of the frames it "
     "was sent after dying, they ran elsewhere",
     (unsigned long long)sp.link->items);
  is_int(mpipool__master_size(sp.master), 4, "the pool keeps its size");
  mpipool_results_free(res);
  is_int(simpool_map(&sp, items, 100, sizeof *items, 1, &res), 0,
         "a second map on the 3 left");
  ok(results_right(res, items, 100), "its results right");
  mpipool_results_free(res);
  is_int(simpool_end(&sp), 0, "the pool ends");
  free(items);
}

static void test_worker_silent(void) {
  simpool_t sp;
  size_t n = 400;
  uint32_t *items = numbers(n);
  simpool_opts_t f = {.mute_rank = 3, .mute_after = 4, .silence = 1.0};
  is_int(simpool_start(&sp, 4, 1000000, &f), 0,
         "4 workers, the third goes silent after 4 frames");
  mpipool_results_t *res = NULL;
  double t0 = mpipool__now();
  is_int(simpool_map(&sp, items, n, sizeof *items, 1, &res), 0, "the map ends");
  double t = mpipool__now() - t0;
  ok(t >= 1.0, "not before the silence's bound (%.1f s)", t);
  ok(results_right(res, items, n), "every result right: nothing lost");
  ok(sp.link->dropped > 0, "frames were sent to the silent worker (%llu)",
     (unsigned long long)sp.link->dropped);
  ok(sp.link->items == n, "each item ran once (%llu)",
     (unsigned long long)sp.link->items);
  is_int(mpipool__master_check(sp.master), 0, "bookkeeping consistent");
  mpipool_results_free(res);
  is_int(simpool_end(&sp), 0, "the pool ends (the silent one is not awaited)");
  free(items);
}

int main(void) {
  test_maps();
  test_bytes_per_worker();
  test_worker_dies();
  test_worker_silent();
  return tap_done();
}
