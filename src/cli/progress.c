/*
 * progress.c - formats the progress and summary lines, and the exit
 * status they imply.
 */
#include "progress.h"

#include "fmt.h"

static double rate(const cli_counts_t *c) {
  return c->elapsed > 0 ? (double)c->done / c->elapsed : 0;
}

void cli_progress_line(char *buf, size_t len, const cli_counts_t *c) {
  cli_fmt(buf, len,
          "mpipool: %zu/%zu done, %zu failed, %zu running, %.1f tasks/s",
          c->done, c->total, c->failed, c->running, rate(c));
  if (c->done > 0 && c->done < c->total && rate(c) > 0) {
    double eta = (double)(c->total - c->done) / rate(c);
    long s = (long)(eta + 0.5);
    if (s < 3600)
      cli_fmt_append(buf, len, ", ETA %lds", s);
    else
      cli_fmt_append(buf, len, ", ETA %ldh%02ldm", s / 3600, s % 3600 / 60);
  }
}

void cli_summary_line(char *buf, size_t len, const cli_counts_t *c) {
  cli_fmt(buf, len,
          "mpipool: %zu task%s, %zu succeeded, %zu failed, %.1f s, "
          "%.1f tasks/s",
          c->done, c->done == 1 ? "" : "s", c->done - c->failed, c->failed,
          c->elapsed, rate(c));
  if (c->skipped)
    cli_fmt_append(buf, len, ", %zu skipped (done before)", c->skipped);
  if (c->not_run)
    cli_fmt_append(buf, len, ", %zu not run", c->not_run);
}

int cli_exit_status(const cli_counts_t *c) {
  return c->failed > 100 ? 101 : (int)c->failed;
}
