/*
 * bench_sim.c - the master's engine at 10 to 1,000,000 workers, with no
 * MPI: its real code (src/engine) serving simulated workers on an
 * in-memory link (bench/sim), which answer every frame at once.  So the
 * engine is the only bound, and what it costs per message and holds per
 * worker is measured at worker counts no machine here could start.
 *
 *   bench_sim [--csv FILE] [WORKERS...]     (default 10 1000 100000 1000000)
 *
 * For each count, two maps of 4 items per worker (at least 100,000), each
 * run twice and timed the second time (the first grows the tables):
 * "single", tasks that report 1 ms each (one chunk per frame, two frames
 * in flight per worker: apply_async's and long tasks' traffic), and
 * "coalesced", tasks of 1 us (frames of up to 64 chunks).  Prints, per
 * map: messages the engine sent and received, per second of the engine's
 * own time (the simulated workers' time taken out), microseconds of engine
 * time per task, and the engine's bytes per worker (its tables, after the
 * map: mpipool__master_bytes) and the process's peak resident size.
 * The workers are on other nodes than the master's and beat, as most of
 * a million would be: the engine keeps them in the order they were heard
 * from (their BEATs are not simulated: the engine is told to wait for
 * them longer than the run).
 */
#include "config.h"

#include "sim/simpool.h"

#include "base/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static double peak_mb(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024.0;
}

static int run(size_t workers, const char *mode, uint64_t task_ns, FILE *csv) {
  size_t n = 4 * workers < 100000 ? 100000 : 4 * workers;
  uint32_t *items = malloc(n * sizeof *items);
  if (items == NULL)
    return 1;
  for (size_t i = 0; i < n; i++)
    items[i] = (uint32_t)i;
  simpool_t sp;
  double t0 = mpipool__now();
  simpool_opts_t o = {.beats = 1, .silence = 1e9};
  int err = simpool_start(&sp, workers, task_ns, &o);
  double start_s = mpipool__now() - t0;
  if (err) {
    fprintf(stderr, "bench_sim: %zu workers: start failed (%d)\n", workers,
            err);
    free(items);
    return 1;
  }
  /* A first map touches every record and grows every table: the second
   * is timed (the engine's steady state). */
  mpipool_results_t *res = NULL;
  err = simpool_map(&sp, items, n, sizeof *items, 1, &res);
  mpipool_results_free(res);
  res = NULL;
  uint64_t f0 = sp.link->frames;
  uint64_t in0 = sp.link->msgs_in, out0 = sp.link->msgs_out;
  double sim0 = sp.link->sim_s;
  t0 = mpipool__now();
  err |= simpool_map(&sp, items, n, sizeof *items, 1, &res);
  double wall = mpipool__now() - t0;
  double engine = wall - (sp.link->sim_s - sim0);
  uint64_t msgs = sp.link->msgs_in - in0 + sp.link->msgs_out - out0;
  int bad = err != 0 || mpipool_results_count(res) != n;
  for (size_t i = 0; !bad && i < n; i += n / 97 + 1) {
    const void *d;
    size_t sz;
    bad = mpipool_results_item(res, i, &d, &sz) != 0 || sz != 4 ||
          memcmp(d, &items[i], 4) != 0;
  }
  double per_worker = (double)mpipool__master_bytes(sp.master) / workers;
  uint64_t frames = sp.link->frames - f0;
  mpipool_results_free(res);
  int end = simpool_end(&sp);
  printf("%9zu %-10s %9zu %9llu %8.2f %12.0f %8.3f %9.0f %8.0f %7.2f%s\n",
         workers, mode, n, (unsigned long long)frames, engine, msgs / engine,
         engine / n * 1e6, per_worker, peak_mb(), start_s,
         bad || end ? "  WRONG" : "");
  if (csv)
    fprintf(csv, "%zu,%s,%zu,%llu,%.4f,%.0f,%.4f,%.0f,%.1f,%.3f\n", workers,
            mode, n, (unsigned long long)frames, engine, msgs / engine,
            engine / n * 1e6, per_worker, peak_mb(), start_s);
  free(items);
  return bad || end;
}

int main(int argc, char **argv) {
  FILE *csv = NULL;
  int i = 1, bad = 0;
  if (argc > 2 && strcmp(argv[1], "--csv") == 0) {
    csv = fopen(argv[2], "w");
    if (csv == NULL) {
      perror(argv[2]);
      return 2;
    }
    fprintf(csv, "workers,mode,tasks,frames,engine_s,msgs_per_s,"
                 "us_per_task,bytes_per_worker,peak_mb,start_s\n");
    i = 3;
  }
  size_t defaults[] = {10, 1000, 100000, 1000000};
  size_t counts[64], ncounts = 0;
  for (; i < argc && ncounts < 64; i++) {
    char *end;
    unsigned long long v = strtoull(argv[i], &end, 10);
    if (*end || v == 0 || v > 100000000ULL) {
      fprintf(stderr, "bench_sim: not a worker count: %s\n", argv[i]);
      return 2;
    }
    counts[ncounts++] = (size_t)v;
  }
  if (ncounts == 0) {
    memcpy(counts, defaults, sizeof defaults);
    ncounts = 4;
  }
  printf("The engine alone (simulated workers, no MPI): messages per second "
         "of engine time\n");
  printf("%9s %-10s %9s %9s %8s %12s %8s %9s %8s %7s\n", "workers", "tasks",
         "count", "frames", "engine_s", "msgs/s", "us/task", "B/worker",
         "peak_MB", "start_s");
  for (size_t k = 0; k < ncounts; k++) {
    bad |= run(counts[k], "single", 1000000, csv);
    bad |= run(counts[k], "coalesced", 1000, csv);
  }
  if (csv)
    fclose(csv);
  return bad;
}
