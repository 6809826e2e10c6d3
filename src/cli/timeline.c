/*
 * timeline.c - the arithmetic of a run's picture (see timeline.h): rows
 * for the tasks, the utilisation steps, the run-time histogram, axis
 * steps.
 */
#include "timeline.h"
#include "alloc.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

/* The spans' indexes sorted by start, then index: qsort with the spans as
 * context would need qsort_r; a pair carries what the order needs. */
typedef struct {
  double start;
  size_t i;
} order_t;

static int by_start(const void *a, const void *b) {
  const order_t *x = a, *y = b;
  if (x->start != y->start)
    return x->start < y->start ? -1 : 1;
  return x->i < y->i ? -1 : x->i > y->i;
}

/* The rows of one group: when each one's last span ends so far, and
 * which span that is; the number of its first row across groups. */
typedef struct {
  double *end;
  size_t *last;
  size_t n, cap, lcap;
  size_t first;
} slots_t;

size_t cli_timeline_rows(const cli_span_t *s, size_t n, uint32_t ngroups,
                         uint32_t *row, uint32_t *group_rows, double *met) {
  size_t total = (size_t)-1;
  order_t *ord = cli_malloc((n ? n : 1) * sizeof *ord);
  slots_t *g = cli_calloc(ngroups ? ngroups : 1, sizeof *g);
  if (ord == NULL || g == NULL)
    goto out;
  for (size_t i = 0; i < n; i++)
    ord[i] = (order_t){s[i].start, i};
  qsort(ord, n, sizeof *ord, by_start);
  /* Each span takes the lowest free row of its group: a linear scan of
   * the group's rows, as many as the run had slots on that host. */
  for (size_t k = 0; k < n; k++) {
    const cli_span_t *sp = &s[ord[k].i];
    slots_t *sl = &g[sp->group];
    size_t r = 0;
    while (r < sl->n && sl->end[r] > sp->start + CLI_TIMELINE_SLACK)
      r++;
    if (r == sl->n &&
        (cli_grow((void **)&sl->end, &sl->cap, sl->n + 1, sizeof *sl->end) ||
         cli_grow((void **)&sl->last, &sl->lcap, sl->n + 1, sizeof *sl->last)))
      goto out;
    if (r == sl->n)
      sl->n++;
    else if (met && met[sl->last[r]] > sp->start) /* met within the slack */
      met[sl->last[r]] =
          sp->start > s[sl->last[r]].start ? sp->start : s[sl->last[r]].start;
    if (met)
      met[ord[k].i] = sp->end;
    sl->end[r] = sp->end;
    sl->last[r] = ord[k].i;
    row[ord[k].i] = (uint32_t)r; /* within its group, for now */
  }
  /* Numbered across groups: each group's rows after the ones before. */
  total = 0;
  for (uint32_t k = 0; k < ngroups; k++) {
    group_rows[k] = (uint32_t)g[k].n;
    g[k].first = total;
    total += g[k].n;
  }
  for (size_t i = 0; i < n; i++)
    row[i] += (uint32_t)g[s[i].group].first;
out:
  for (uint32_t k = 0; g && k < ngroups; k++) {
    cli_free(g[k].end);
    cli_free(g[k].last);
  }
  cli_free(g);
  cli_free(ord);
  return total;
}

/* A change of the number of tasks running: +1 at a start, -1 at an end. */
typedef struct {
  double t;
  int delta;
} event_t;

/* By time; at the same time, ends before starts, so that a task ending
 * when another starts is not counted twice there. */
static int by_time(const void *a, const void *b) {
  const event_t *x = a, *y = b;
  if (x->t != y->t)
    return x->t < y->t ? -1 : 1;
  return x->delta - y->delta;
}

int cli_timeline_steps(const cli_span_t *s, size_t n, cli_step_t **steps,
                       size_t *nsteps, uint32_t *peak) {
  *steps = NULL;
  *nsteps = 0;
  *peak = 0;
  if (n == 0)
    return 0;
  if (n > SIZE_MAX / 2 / sizeof(event_t))
    return -1;
  event_t *ev = cli_malloc(2 * n * sizeof *ev);
  cli_step_t *st = cli_malloc(2 * n * sizeof *st);
  if (ev == NULL || st == NULL) {
    cli_free(ev);
    cli_free(st);
    return -1;
  }
  for (size_t i = 0; i < n; i++) {
    ev[2 * i] = (event_t){s[i].start, 1};
    ev[2 * i + 1] = (event_t){s[i].end, -1};
  }
  qsort(ev, 2 * n, sizeof *ev, by_time);
  size_t m = 0;
  long count = 0;
  for (size_t k = 0; k < 2 * n; k++) {
    count += ev[k].delta;
    if (k + 1 < 2 * n && ev[k + 1].t == ev[k].t)
      continue; /* the count at a time is the one after all its events */
    if (m > 0 && st[m - 1].count == (uint32_t)count)
      continue; /* no change */
    st[m++] = (cli_step_t){ev[k].t, (uint32_t)count};
    if ((uint32_t)count > *peak)
      *peak = (uint32_t)count;
  }
  cli_free(ev);
  *steps = st;
  *nsteps = m;
  return 0;
}

void cli_timeline_histogram(const double *v, size_t n, size_t nbins,
                            uint64_t *counts, double *lo, double *width) {
  for (size_t b = 0; b < nbins; b++)
    counts[b] = 0;
  *lo = *width = 0;
  if (n == 0)
    return;
  double min = v[0], max = v[0];
  for (size_t i = 1; i < n; i++) {
    min = v[i] < min ? v[i] : min;
    max = v[i] > max ? v[i] : max;
  }
  *lo = min;
  *width = (max - min) / (double)nbins;
  for (size_t i = 0; i < n; i++) {
    size_t b = 0;
    if (*width > 0) {
      double x = floor((v[i] - min) / *width);
      b = x < 0 ? 0 : x >= (double)nbins ? nbins - 1 : (size_t)x;
    }
    counts[b]++;
  }
}

double cli_timeline_tick(double span, int ticks) {
  if (!(span > 0) || ticks < 1)
    return 1;
  double raw = span / ticks;
  double p = pow(10, floor(log10(raw)));
  double f = raw / p;
  return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p;
}
