/*
 * timeline.h - the arithmetic of a run's picture (report.h), with no
 * drawing in it: which row of the timeline each task goes on, how many
 * tasks ran at each moment, a histogram of run times, and round steps for
 * an axis.  Pure logic, no MPI, no I/O.
 */
#ifndef MPIPOOL_CLI_TIMELINE_H
#define MPIPOOL_CLI_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

/* A task as the timeline sees it: when it ran, and its group (its host). */
typedef struct {
  double start, end; /* seconds; end >= start */
  uint32_t group;    /* 0..ngroups-1 */
} cli_span_t;

/* Two tasks whose times differ by less than this are taken to meet: a
 * joblog rounds Starttime and JobRuntime to milliseconds each, so a task
 * that started right after another on the same slot may appear to start
 * up to a millisecond before it ended. */
#define CLI_TIMELINE_SLACK 0.0015

/*
 * Assigns each of the n spans a row, in *row (n entries, given by the
 * caller): within each group, rows are job slots, given greedily in
 * start order (ties by index): a span takes the lowest row of its group
 * whose last span ended by its start (within CLI_TIMELINE_SLACK), else a
 * new row of its group.  Rows are then numbered across groups, group 0's
 * first; group_rows (ngroups entries) receives how many rows each group
 * has.  Returns the number of rows in all, or 0 when n is 0; (size_t)-1
 * out of memory.  With met (n entries, or NULL), each span's end as the
 * utilisation should take it: the start of the next span on its row when
 * that came first (within the slack: the joblog's rounding), else its end.
 */
size_t cli_timeline_rows(const cli_span_t *s, size_t n, uint32_t ngroups,
                         uint32_t *row, uint32_t *group_rows, double *met);

/* One step of the utilisation: from time t on (to the next step's),
 * count tasks ran. */
typedef struct {
  double t;
  uint32_t count;
} cli_step_t;

/*
 * The utilisation of the n spans: a step each time the number of tasks
 * running changes, in time order, the last one back to 0; in *steps
 * (malloc'd, taken by the caller: cli_free), *nsteps of them (0 for no
 * spans).  A task that ends when another starts counts once there.
 * *peak receives the highest count.  Returns 0, or -1 out of memory.
 */
int cli_timeline_steps(const cli_span_t *s, size_t n, cli_step_t **steps,
                       size_t *nsteps, uint32_t *peak);

/*
 * Counts the n values v into nbins (>= 1) bins of equal width from the
 * smallest value to the largest, in counts (nbins entries, zeroed here);
 * the largest value goes in the last bin.  *lo receives the smallest
 * value and *width each bin's width (0 when all values are equal: then
 * they are all in bin 0).  n may be 0 (*lo, *width 0).
 */
void cli_timeline_histogram(const double *v, size_t n, size_t nbins,
                            uint64_t *counts, double *lo, double *width);

/* A round step (1, 2 or 5 times a power of ten) for an axis of length
 * span (> 0) to have about `ticks` (>= 1) marks; 1 for a span <= 0. */
double cli_timeline_tick(double span, int ticks);

#endif
