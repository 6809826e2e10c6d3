/*
 * report.c - the page of a run (see report.h): the joblog's tasks laid
 * out by timeline.c, written as HTML with inline SVG, each bar small
 * (a page of tens of thousands of tasks stays a few megabytes), every
 * text from the joblog escaped.
 */
#include "report.h"
#include "alloc.h"
#include "fmt.h"
#include "timeline.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The drawing's geometry, in SVG user units (pixels at 100%). */
#define WIDTH 1200.0
#define LEFT 110.0 /* room for the hosts' names */
#define RIGHT 20.0
#define PLOT (WIDTH - LEFT - RIGHT)
#define ROWS_HEIGHT 560.0 /* the timeline's rows, when they fit */
#define ROW_MAX 28.0      /* the tallest row */
#define ROW_MIN 1.0       /* the lowest: more rows make a taller picture */
#define UTIL_HEIGHT 120.0
#define HIST_HEIGHT 160.0
#define HIST_BINS 20
#define HOST_LABEL_MAX 16 /* bytes of a host's name shown */

/* Writes s escaped for HTML text and attribute values: & < > " ' as
 * entities, control characters but tab and newline as '?' (XML forbids
 * them, and a command may hold any byte). */
static void put_esc(FILE *f, const char *s) {
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    switch (c) {
    case '&':
      fputs("&amp;", f);
      break;
    case '<':
      fputs("&lt;", f);
      break;
    case '>':
      fputs("&gt;", f);
      break;
    case '"':
      fputs("&quot;", f);
      break;
    case '\'':
      fputs("&#39;", f);
      break;
    default:
      fputc(c < 0x20 && c != '\t' && c != '\n' ? '?' : c, f);
    }
  }
}

/* A duration for people: "0.250 s", "12.3 s", "4 min 05 s", "2 h 03 min". */
static void duration(char *buf, size_t len, double s) {
  if (s < 10)
    cli_fmt(buf, len, "%.3f s", s);
  else if (s < 120)
    cli_fmt(buf, len, "%.1f s", s);
  else if (s < 7200)
    cli_fmt(buf, len, "%d min %02d s", (int)(s / 60), (int)fmod(s, 60));
  else
    cli_fmt(buf, len, "%.0f h %02d min", floor(s / 3600),
            (int)fmod(s / 60, 60));
}

/* How a task ended, as its bar's class says. */
static const char *outcome(const cli_runlog_task_t *t) {
  return t->signal ? "sig" : t->exitval ? "exit" : "ok";
}

/* What the page needs of the run, computed once. */
typedef struct {
  const cli_runlog_t *log;
  size_t n;
  double t0, t1;         /* the first start, the last end */
  double busy;           /* the sum of the run times */
  size_t ok, exit, sig;  /* tasks by outcome */
  uint32_t *row, *grows; /* each task's row; each host's rows */
  size_t rows;           /* rows in all */
  cli_step_t *steps;     /* the utilisation */
  size_t nsteps;
  uint32_t peak;
} run_t;

static void run_free(run_t *r) {
  cli_free(r->row);
  cli_free(r->grows);
  cli_free(r->steps);
}

/* Fills r from log.  0, or -1 out of memory. */
static int run_of(run_t *r, const cli_runlog_t *log) {
  memset(r, 0, sizeof *r);
  r->log = log;
  r->n = cli_runlog_count(log);
  uint32_t nh = cli_runlog_nhosts(log);
  cli_span_t *sp = cli_malloc((r->n ? r->n : 1) * sizeof *sp);
  r->row = cli_malloc((r->n ? r->n : 1) * sizeof *r->row);
  r->grows = cli_malloc((nh ? nh : 1) * sizeof *r->grows);
  int rc = -1;
  if (sp == NULL || r->row == NULL || r->grows == NULL)
    goto out;
  for (size_t i = 0; i < r->n; i++) {
    const cli_runlog_task_t *t = cli_runlog_task(log, i);
    sp[i] = (cli_span_t){t->start, t->start + t->runtime, t->host};
    if (i == 0 || t->start < r->t0)
      r->t0 = t->start;
    if (i == 0 || sp[i].end > r->t1)
      r->t1 = sp[i].end;
    r->busy += t->runtime;
    *(t->signal ? &r->sig : t->exitval ? &r->exit : &r->ok) += 1;
  }
  double *met = cli_malloc((r->n ? r->n : 1) * sizeof *met);
  r->rows =
      met ? cli_timeline_rows(sp, r->n, nh, r->row, r->grows, met) : (size_t)-1;
  for (size_t i = 0; i < r->n && r->rows != (size_t)-1; i++)
    sp[i].end = met[i]; /* the utilisation's: a slot counts once */
  cli_free(met);
  if (r->rows == (size_t)-1 ||
      cli_timeline_steps(sp, r->n, &r->steps, &r->nsteps, &r->peak))
    goto out;
  rc = 0;
out:
  cli_free(sp);
  if (rc)
    run_free(r);
  return rc;
}

static const char style[] =
    "body{font:14px/1.4 sans-serif;margin:1em 2em;color:#222}"
    "h1{font-size:20px}h2{font-size:16px;margin:1.2em 0 .3em}"
    "table.summary td{padding:0 1em 0 0}"
    "svg{display:block;max-width:100%;height:auto}"
    "svg text{font:11px sans-serif;fill:#444}"
    ".task{stroke:none}.task:hover{stroke:#000;stroke-width:1}"
    ".ok{fill:#3a7d44}.exit{fill:#d7263d}.sig{fill:#7b2cbf}"
    ".sw{display:inline-block;width:1em;height:1em;vertical-align:-2px;"
    "margin:0 .3em 0 1em}"
    ".axis{stroke:#999;stroke-width:.5;fill:none}"
    ".host{stroke:#ccc;stroke-width:.5}"
    ".util{fill:#9cc3e6;stroke:#2b6ca3;stroke-width:1}"
    ".bin{fill:#6c8ebf}.bin:hover{fill:#2b6ca3}"
    ".note{color:#555;max-width:60em}";

/* The unit of a time axis of span seconds: its divisor and its name. */
static double axis_unit(double span, const char **name) {
  if (span > 3 * 3600) {
    *name = "h";
    return 3600;
  }
  if (span > 180) {
    *name = "min";
    return 60;
  }
  *name = "s";
  return 1;
}

/* The time axis under a plot whose bottom is at y: ticks and labels, in
 * time since the run's start. */
static void time_axis(FILE *f, const run_t *r, double y) {
  double span = r->t1 - r->t0 > 0 ? r->t1 - r->t0 : 1;
  const char *uname;
  double unit = axis_unit(span, &uname);
  double step = cli_timeline_tick(span / unit, 10) * unit;
  fprintf(f, "<path class=\"axis\" d=\"M%.1f %.1fH%.1f\"/>\n", LEFT, y,
          LEFT + PLOT);
  for (int k = 0; k * step <= span * (1 + 1e-9) && k <= 1000; k++) {
    double x = LEFT + k * step / span * PLOT;
    fprintf(f,
            "<path class=\"axis\" d=\"M%.1f %.1fv4\"/><text x=\"%.1f\" "
            "y=\"%.1f\" text-anchor=\"middle\">%g %s</text>\n",
            x, y, x, y + 15, k * step / unit, uname);
  }
}

/* The x of time t. */
static double xof(const run_t *r, double t) {
  double span = r->t1 - r->t0 > 0 ? r->t1 - r->t0 : 1;
  return LEFT + (t - r->t0) / span * PLOT;
}

static void summary(FILE *f, const run_t *r) {
  char wall[64], busy[64], when[64] = "?";
  double span = r->t1 - r->t0;
  duration(wall, sizeof wall, span);
  duration(busy, sizeof busy, r->busy);
  time_t t = (time_t)r->t0;
  struct tm tm;
  if (localtime_r(&t, &tm))
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S %Z", &tm);
  fprintf(f,
          "<table class=\"summary\">\n"
          "<tr><td>tasks</td><td id=\"tasks\">%zu</td></tr>\n"
          "<tr><td>failed</td><td id=\"failed\">%zu (%zu with a non-zero "
          "exit status, %zu killed by a signal)</td></tr>\n"
          "<tr><td>started</td><td>%s</td></tr>\n"
          "<tr><td>wall time</td><td>%s (first start to last end)</td></tr>\n"
          "<tr><td>total task time</td><td>%s (the sum of the tasks' run "
          "times: their CPU time if each used one core)</td></tr>\n"
          "<tr><td>mean concurrency</td><td>%.2f tasks (total task time / "
          "wall time); peak %u</td></tr>\n"
          "<tr><td>job slots seen</td><td>%zu rows",
          r->n, r->exit + r->sig, r->exit, r->sig, when, wall, busy,
          span > 0 ? r->busy / span : 0.0, (unsigned)r->peak, r->rows);
  uint32_t nh = cli_runlog_nhosts(r->log);
  if (nh > 1)
    fprintf(f, " on %u hosts", (unsigned)nh);
  fputs("</td></tr>\n</table>\n", f);
}

/* The timeline: one row per job slot, hosts' rows together, one bar per
 * task, its details in a <title> (shown on hover). */
static void timeline(FILE *f, const run_t *r) {
  double rowh = ROWS_HEIGHT / (double)r->rows;
  rowh = rowh > ROW_MAX ? ROW_MAX : rowh < ROW_MIN ? ROW_MIN : rowh;
  double barh = rowh >= 4 ? rowh - 1 : rowh, top = 10;
  double height = top + rowh * (double)r->rows;
  fputs("<h2>Timeline</h2>\n<p class=\"note\">One bar per task:"
        "<span class=\"sw ok\" style=\"background:#3a7d44\"></span>exit "
        "status 0"
        "<span class=\"sw\" style=\"background:#d7263d\"></span>non-zero "
        "exit status"
        "<span class=\"sw\" style=\"background:#7b2cbf\"></span>killed by a "
        "signal. Point at a bar for its task number, command, run time and "
        "exit status.</p>\n",
        f);
  fprintf(f,
          "<svg id=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" "
          "viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\">\n",
          WIDTH, height + 30, WIDTH, height + 30);
  /* The hosts: a line above each one's rows, its name beside them. */
  uint32_t nh = cli_runlog_nhosts(r->log), first = 0;
  for (uint32_t k = 0; k < nh; k++) {
    double y = top + rowh * first;
    const char *h = cli_runlog_host(r->log, k);
    char label[HOST_LABEL_MAX + 4];
    cli_fmt(label, sizeof label, "%s", strcmp(h, ":") == 0 ? "(local)" : h);
    fprintf(f,
            "<path class=\"host\" d=\"M0 %.1fH%.1f\"/><text x=\"4\" "
            "y=\"%.1f\">",
            y, WIDTH - RIGHT, y + 11);
    put_esc(f, label);
    fprintf(f, "<title>");
    put_esc(f, h);
    fprintf(f, ": %u job slot%s</title></text>\n", (unsigned)r->grows[k],
            r->grows[k] == 1 ? "" : "s");
    first += r->grows[k];
  }
  for (size_t i = 0; i < r->n; i++) {
    const cli_runlog_task_t *t = cli_runlog_task(r->log, i);
    double x = xof(r, t->start), w = xof(r, t->start + t->runtime) - x;
    char rt[64];
    duration(rt, sizeof rt, t->runtime);
    fprintf(f,
            "<rect class=\"task %s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
            "height=\"%.1f\"><title>#%llu ",
            outcome(t), x, top + rowh * r->row[i], w < 0.3 ? 0.3 : w, barh,
            (unsigned long long)t->seq);
    if (t->signal)
      fprintf(f, "killed by signal %d", t->signal);
    else
      fprintf(f, "exit %d", t->exitval);
    fprintf(f, ", %s, at +%.3f s on ", rt, t->start - r->t0);
    put_esc(f, cli_runlog_host(r->log, t->host));
    fputc('\n', f);
    put_esc(f, t->cmd);
    fputs("</title></rect>\n", f);
  }
  time_axis(f, r, height + 2);
  fputs("</svg>\n", f);
  fputs("<p class=\"note\">A joblog has no column for the job slot a task "
        "ran in: each row here is a slot inferred from the times alone. "
        "Tasks are placed in the order they started, each on the first row "
        "(of its host's rows) whose previous task had ended by then; the "
        "rows are grouped by the joblog's Host column. The number of rows "
        "is the most tasks that ran at once on a host, not necessarily the "
        "number of workers, and a task's row is not necessarily the "
        "worker that ran it.</p>\n",
        f);
}

/* The utilisation: how many tasks ran at each moment, as a step area. */
static void utilisation(FILE *f, const run_t *r) {
  double top = 10, base = top + UTIL_HEIGHT;
  double scale = UTIL_HEIGHT / (r->peak ? r->peak : 1);
  fputs("<h2>Utilisation</h2>\n", f);
  fprintf(f,
          "<svg id=\"utilisation\" xmlns=\"http://www.w3.org/2000/svg\" "
          "viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\">\n",
          WIDTH, base + 30, WIDTH, base + 30);
  fprintf(f, "<path class=\"util\" d=\"M%.1f %.1f", LEFT, base);
  for (size_t k = 0; k < r->nsteps; k++)
    fprintf(f, "H%.1fV%.1f", xof(r, r->steps[k].t),
            base - scale * r->steps[k].count);
  fprintf(f,
          "H%.1fZ\"><title>tasks running over time (peak %u)</title>"
          "</path>\n",
          LEFT + PLOT, (unsigned)r->peak);
  fprintf(f,
          "<path class=\"axis\" d=\"M%.1f %.1fV%.1f\"/>"
          "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%u</text>"
          "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">0</text>"
          "<text x=\"4\" y=\"%.1f\">tasks running</text>\n",
          LEFT, top, base, LEFT - 4, top + 8, (unsigned)r->peak, LEFT - 4, base,
          top + UTIL_HEIGHT / 2);
  time_axis(f, r, base);
  fputs("</svg>\n", f);
}

/* The histogram of run times. */
static int histogram(FILE *f, const run_t *r) {
  double *v = cli_malloc(r->n * sizeof *v);
  if (v == NULL)
    return -1;
  for (size_t i = 0; i < r->n; i++)
    v[i] = cli_runlog_task(r->log, i)->runtime;
  size_t nbins = r->n < HIST_BINS ? r->n : HIST_BINS;
  uint64_t counts[HIST_BINS], max = 0;
  double lo, width;
  cli_timeline_histogram(v, r->n, nbins, counts, &lo, &width);
  cli_free(v);
  if (width == 0)
    nbins = 1; /* all the same: one bar */
  for (size_t b = 0; b < nbins; b++)
    max = counts[b] > max ? counts[b] : max;
  double top = 10, base = top + HIST_HEIGHT, bw = PLOT / (double)nbins;
  fputs("<h2>Run times</h2>\n", f);
  fprintf(f,
          "<svg id=\"histogram\" xmlns=\"http://www.w3.org/2000/svg\" "
          "viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\">\n",
          WIDTH, base + 30, WIDTH, base + 30);
  for (size_t b = 0; b < nbins; b++) {
    double h = HIST_HEIGHT * (double)counts[b] / (double)(max ? max : 1);
    char a[64], z[64];
    duration(a, sizeof a, lo + width * (double)b);
    duration(z, sizeof z, lo + width * (double)(b + 1));
    fprintf(f,
            "<rect class=\"bin\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
            "height=\"%.1f\"><title>%s to %s: %llu task%s</title></rect>\n",
            LEFT + bw * (double)b + 1, base - h, bw - 2, h, a, z,
            (unsigned long long)counts[b], counts[b] == 1 ? "" : "s");
  }
  char a[64], z[64];
  duration(a, sizeof a, lo);
  duration(z, sizeof z, lo + width * (double)nbins);
  fprintf(f,
          "<path class=\"axis\" d=\"M%.1f %.1fH%.1fM%.1f %.1fV%.1f\"/>"
          "<text x=\"%.1f\" y=\"%.1f\">%s</text>"
          "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>"
          "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%llu</text>"
          "<text x=\"4\" y=\"%.1f\">tasks</text>\n</svg>\n",
          LEFT, base, LEFT + PLOT, LEFT, top, base, LEFT, base + 15, a,
          LEFT + PLOT, base + 15, z, LEFT - 4, top + 8, (unsigned long long)max,
          top + HIST_HEIGHT / 2);
  return 0;
}

int cli_report_html(FILE *f, const cli_runlog_t *log, const char *name,
                    int torn) {
  run_t r;
  if (run_of(&r, log) != 0) {
    errno = ENOMEM;
    return -1;
  }
  int rc = 0;
  fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta "
        "charset=\"utf-8\">\n<title>mpipool report: ",
        f);
  put_esc(f, name);
  fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>Run of ",
          style);
  put_esc(f, name);
  fputs("</h1>\n", f);
  if (torn)
    fputs("<p class=\"note\">The joblog's last line was cut short (the run "
          "was killed while writing it, or is still running): it is left "
          "out.</p>\n",
          f);
  if (r.n == 0) {
    fputs("<p id=\"empty\">No tasks: the joblog holds no task lines (only "
          "its header, or nothing).</p>\n",
          f);
  } else {
    summary(f, &r);
    timeline(f, &r);
    utilisation(f, &r);
    rc = histogram(f, &r);
  }
  fputs("<p class=\"note\">Made by mpipool-report from a joblog "
        "(mpipool's or GNU parallel's --joblog). Times are from the "
        "joblog, to the millisecond.</p>\n</body>\n</html>\n",
        f);
  run_free(&r);
  if (rc)
    errno = ENOMEM;
  return rc || ferror(f) ? -1 : 0;
}

/* Whether the file at path is the one open as f (by any name or link). */
static int same_file(FILE *f, const char *path) {
  struct stat a, b;
  return fstat(fileno(f), &a) == 0 && stat(path, &b) == 0 &&
         a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* Writes the page of log to the file out, whole or not at all: into a
 * temporary file beside it, then renamed. */
static int write_file(const cli_runlog_t *log, const char *name, int torn,
                      const char *out, char *err, size_t errlen) {
  char *tmp = cli_afmt("%s.XXXXXX", out);
  if (tmp == NULL) {
    cli_fmt(err, errlen, "%s: out of memory", out);
    return -1;
  }
  int fd = mkstemp(tmp), rc = -1;
  FILE *f = NULL;
  if (fd < 0) {
    cli_fmt(err, errlen, "cannot write '%s': %s", out, strerror(errno));
    cli_free(tmp);
    return -1;
  }
  /* mkstemp makes it 0600: a page is as readable as any file made. */
  mode_t mask = umask(0);
  umask(mask);
  fchmod(fd, 0666 & ~mask);
  if ((f = fdopen(fd, "w")) == NULL) {
    cli_fmt(err, errlen, "cannot write '%s': %s", out, strerror(errno));
    close(fd);
    goto out;
  }
  errno = 0;
  int e = cli_report_html(f, log, name, torn);
  int saved = errno ? errno : EIO;
  if (fclose(f) != 0 && e == 0) {
    e = -1;
    saved = errno;
  }
  if (e == 0 && rename(tmp, out) != 0) {
    e = -1;
    saved = errno;
  }
  if (e) {
    cli_fmt(err, errlen, "cannot write '%s': %s", out,
            saved == ENOMEM ? "out of memory" : strerror(saved));
    goto out;
  }
  rc = 0;
out:
  if (rc)
    unlink(tmp);
  cli_free(tmp);
  return rc;
}

int cli_report_write(FILE *joblog, const char *name, const char *out, char *err,
                     size_t errlen) {
  cli_runlog_t *log = NULL;
  int torn = 0, rc = -1;
  int to_stdout = strcmp(out, "-") == 0;
  if (!to_stdout && same_file(joblog, out)) {
    cli_fmt(err, errlen,
            "the report '%s' is the joblog '%s' itself: writing it would "
            "destroy the joblog",
            out, name);
    return -1;
  }
  if (cli_runlog_read(joblog, name, &log, &torn, err, errlen) != 0)
    return -1;
  if (to_stdout) {
    errno = 0;
    if (cli_report_html(stdout, log, name, torn) != 0 || fflush(stdout) != 0)
      cli_fmt(err, errlen, "cannot write the report to stdout: %s",
              errno == ENOMEM ? "out of memory"
                              : strerror(errno ? errno : EIO));
    else
      rc = 0;
  } else {
    rc = write_file(log, name, torn, out, err, errlen);
  }
  cli_runlog_free(log);
  return rc;
}
