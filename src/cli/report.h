/*
 * report.h - a picture of a run: one self-contained HTML page (inline CSS
 * and SVG, nothing fetched) drawn from a joblog, mpipool's or GNU
 * parallel's.  It shows a summary, a timeline with one bar per task on
 * rows that stand for job slots, the utilisation over time, and a
 * histogram of run times.  Pure logic but for the files it writes; no MPI.
 */
#ifndef MPIPOOL_CLI_REPORT_H
#define MPIPOOL_CLI_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "runlog.h"

/*
 * Writes the page for log (borrowed) to page.  name is the joblog's name,
 * shown in the page; torn: 1 when the joblog's last line was cut short
 * and left out (the page says so).  An empty log gives a page saying that
 * the joblog holds no tasks.  Returns 0, or -1 when writing failed or
 * memory ran out (errno says which).
 */
int cli_report_html(FILE *page, const cli_runlog_t *log, const char *name,
                    int torn);

/*
 * Reads the joblog (an open stream, read from where it is; name for
 * messages) and writes its page to the file out, or to stdout when out is
 * "-".  A file is written whole or not at all: the page goes to a
 * temporary file beside out, renamed to out once complete, removed on any
 * failure; out is never the joblog itself.  Returns 0, or -1 with a
 * message naming the file (and the joblog's line) in err, and no page
 * written (to stdout, perhaps part of one).
 */
int cli_report_write(FILE *joblog, const char *name, const char *out, char *err,
                     size_t errlen);

#endif
