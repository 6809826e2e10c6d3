/*
 * test_cli_timeline.c - the arithmetic of a run's picture
 * (cli/timeline.c): rows given greedily in start order per host, the
 * utilisation steps, the run-time histogram, axis steps.
 */
#include "../tap.h"
#include "cli/alloc.h"
#include "cli/timeline.h"

#include <math.h>
#include <string.h>

/* Whether rows got (n) are want. */
static int rows_are(const uint32_t *got, const uint32_t *want, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (got[i] != want[i]) {
      printf("#   span %zu: row %u, want %u\n", i, got[i], want[i]);
      return 0;
    }
  return 1;
}

int main(void) {
  uint32_t row[8], grows[3];

  /* One host: three slots, spans given out of start order. */
  const cli_span_t one[] = {
      {2, 5, 0},   /* third: row 0 is busy, row 1 ended at 2 -> 1 */
      {0, 3, 0},   /* first -> 0 */
      {1, 2, 0},   /* second: row 0 is busy -> 1 */
      {3, 4, 0},   /* fifth: row 0 ended at 3 -> 0 */
      {2.5, 6, 0}, /* fourth: rows 0 and 1 busy -> a new row 2 */
  };
  is_int(cli_timeline_rows(one, 5, 1, row, grows, NULL), 3, "one host: 3 rows");
  ok(rows_are(row, (const uint32_t[]){1, 0, 1, 0, 2}, 5),
     "each span on the lowest row free at its start, in start order");
  is_int(grows[0], 3, "the host has 3 rows");

  /* A span starting a millisecond before the last one of a row ends (the
   * joblog's rounding) still reuses the row. */
  const cli_span_t rounded[] = {{10.000, 11.001, 0}, {11.000, 12, 0}};
  is_int(cli_timeline_rows(rounded, 2, 1, row, grows, NULL), 1,
         "a millisecond of overlap from rounding: one row");
  const cli_span_t overlap[] = {{10.000, 11.010, 0}, {11.000, 12, 0}};
  is_int(cli_timeline_rows(overlap, 2, 1, row, grows, NULL), 2,
         "ten milliseconds of overlap: two rows");

  /* Ties in start time go by index. */
  const cli_span_t ties[] = {{0, 1, 0}, {0, 1, 0}, {0, 1, 0}};
  cli_timeline_rows(ties, 3, 1, row, grows, NULL);
  ok(rows_are(row, (const uint32_t[]){0, 1, 2}, 3), "ties: in index order");

  /* Hosts: each its own rows, group 0's first. */
  const cli_span_t hosts[] = {
      {0, 2, 1}, {0, 2, 0}, {1, 3, 1}, {2, 3, 0}, {0, 1, 2},
  };
  is_int(cli_timeline_rows(hosts, 5, 3, row, grows, NULL), 4,
         "three hosts: 1 + 2 + 1 rows");
  ok(grows[0] == 1 && grows[1] == 2 && grows[2] == 1, "the rows of each host");
  ok(rows_are(row, (const uint32_t[]){1, 0, 2, 0, 3}, 5),
     "rows numbered across hosts");
  is_int(cli_timeline_rows(NULL, 0, 0, row, grows, NULL), 0,
         "no spans: no rows");

  /* Utilisation. */
  cli_step_t *st;
  size_t ns;
  uint32_t peak;
  const cli_span_t u[] = {{0, 2, 0}, {1, 3, 0}, {2, 4, 0}, {5, 6, 0}};
  ok(cli_timeline_steps(u, 4, &st, &ns, &peak) == 0, "steps");
  const cli_step_t want[] = {{0, 1}, {1, 2}, {3, 1}, {4, 0}, {5, 1}, {6, 0}};
  int same = ns == 6;
  for (size_t k = 0; same && k < ns; k++)
    same = st[k].t == want[k].t && st[k].count == want[k].count;
  ok(same,
     "a step where the count changes; an end meeting a start counts once");
  is_int(peak, 2, "the peak");
  cli_free(st);
  /* Two slots from a joblog (times rounded to ms): the second task of
   * slot 0 starts 0.6 ms before the first one's rounded end.  The rows'
   * ends (met) count that slot once; a task shorter than the slack keeps
   * its own end. */
  cli_span_t j[] = {
      {0, 1.0006, 0}, {1.0, 2.0, 0}, {0, 2.0, 0}, {2.0, 2.0004, 0}};
  double met[4];
  is_int(cli_timeline_rows(j, 4, 1, row, grows, met), 2, "a joblog: 2 rows");
  ok(met[0] == 1.0 && met[1] == 2.0 && met[2] == 2.0 && met[3] == 2.0004,
     "an end within the slack after the next start on its row is taken "
     "there; the others are their own");
  ok(cli_timeline_steps(j, 4, &st, &ns, &peak) == 0 && peak == 3,
     "with the joblog's ends: peak 3 (one slot counted twice)");
  cli_free(st);
  for (size_t i = 0; i < 4; i++)
    j[i].end = met[i];
  ok(cli_timeline_steps(j, 4, &st, &ns, &peak) == 0 && peak == 2,
     "with the rows' ends: peak 2");
  ok(ns == 3 && st[1].t == 2.0 && st[1].count == 1 && st[2].t == 2.0004 &&
         st[2].count == 0,
     "a task shorter than the slack is still counted");
  cli_free(st);
  ok(cli_timeline_steps(u, 0, &st, &ns, &peak) == 0 && ns == 0 && !st &&
         peak == 0,
     "no spans: no steps");

  /* Histogram. */
  uint64_t c[4];
  double lo, width;
  const double v[] = {1, 2, 2.5, 4.9, 5, 3};
  cli_timeline_histogram(v, 6, 4, c, &lo, &width);
  ok(lo == 1 && width == 1, "bins from the least value, of equal width");
  ok(c[0] == 1 && c[1] == 2 && c[2] == 1 && c[3] == 2,
     "values counted in their bins, the largest in the last (%llu %llu "
     "%llu %llu)",
     (unsigned long long)c[0], (unsigned long long)c[1],
     (unsigned long long)c[2], (unsigned long long)c[3]);
  const double same_v[] = {2, 2, 2};
  cli_timeline_histogram(same_v, 3, 4, c, &lo, &width);
  ok(width == 0 && lo == 2 && c[0] == 3 && c[1] == 0,
     "equal values: all in bin 0, width 0");
  cli_timeline_histogram(NULL, 0, 4, c, &lo, &width);
  ok(lo == 0 && width == 0 && c[0] == 0 && c[3] == 0, "no values");

  /* Axis steps. */
  ok(cli_timeline_tick(10, 10) == 1, "10 s in 10 ticks: 1");
  ok(cli_timeline_tick(0.425, 10) == 0.05, "0.425 s: 0.05");
  ok(cli_timeline_tick(3600, 10) == 500, "an hour: 500");
  ok(cli_timeline_tick(0, 10) == 1, "a span of 0: 1");

  /* Out of memory: -1 and nothing leaked. */
  long live = cli_alloc_live();
  cli_alloc_fail_at(1);
  ok(cli_timeline_rows(one, 5, 1, row, grows, NULL) == (size_t)-1,
     "rows: out of memory is said");
  cli_alloc_fail_at(2);
  ok(cli_timeline_steps(u, 4, &st, &ns, &peak) == -1,
     "steps: out of memory is said");
  cli_alloc_fail_at(0);
  is_int(cli_alloc_live(), live, "nothing leaked");
  return tap_done();
}
