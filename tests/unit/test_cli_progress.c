/*
 * test_cli_progress.c - the progress and summary lines and the exit status
 * (cli/progress.c); no MPI.
 */
#include "../tap.h"
#include "../cli_helpers.h"
#include "cli/progress.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define ERRLEN 512

static void test_progress(void) {
  char line[256];
  cli_counts_t c;

  c = (cli_counts_t){
      .total = 2000, .done = 97, .failed = 2, .running = 2, .elapsed = 2.0};
  cli_progress_line(line, sizeof line, &c);
  is_str(line,
         "mpipool: 97/2000 done, 2 failed, 2 running, 48.5 tasks/s, ETA 39s",
         "progress line with an ETA in seconds");

  c = (cli_counts_t){.total = 10, .done = 0, .running = 4, .elapsed = 3.0};
  cli_progress_line(line, sizeof line, &c);
  is_str(line, "mpipool: 0/10 done, 0 failed, 4 running, 0.0 tasks/s",
         "no ETA before a task finished");

  c = (cli_counts_t){.total = 10, .done = 0, .elapsed = 0};
  cli_progress_line(line, sizeof line, &c);
  is_str(line, "mpipool: 0/10 done, 0 failed, 0 running, 0.0 tasks/s",
         "at the start: elapsed 0");

  c = (cli_counts_t){.total = 10, .done = 10, .failed = 1, .elapsed = 2.0};
  cli_progress_line(line, sizeof line, &c);
  is_str(line, "mpipool: 10/10 done, 1 failed, 0 running, 5.0 tasks/s",
         "no ETA when all are done");

  c = (cli_counts_t){.total = 3600, .done = 1, .running = 1, .elapsed = 1.0};
  cli_progress_line(line, sizeof line, &c);
  is_str(line,
         "mpipool: 1/3600 done, 0 failed, 1 running, 1.0 tasks/s, "
         "ETA 3599s",
         "ETA 3599 s stays in seconds");

  c = (cli_counts_t){.total = 3601, .done = 1, .running = 1, .elapsed = 1.0};
  cli_progress_line(line, sizeof line, &c);
  is_str(line,
         "mpipool: 1/3601 done, 0 failed, 1 running, 1.0 tasks/s, "
         "ETA 1h00m",
         "ETA of an hour in hours and minutes");

  c = (cli_counts_t){.total = 10000, .done = 1, .running = 8, .elapsed = 10.0};
  cli_progress_line(line, sizeof line, &c);
  is_str(line,
         "mpipool: 1/10000 done, 0 failed, 8 running, 0.1 tasks/s, "
         "ETA 27h46m",
         "ETA of 99990 s is 27h46m");

  c = (cli_counts_t){.total = 100, .done = 50, .failed = 50, .elapsed = 5.0};
  cli_progress_line(line, sizeof line, &c);
  is_str(line,
         "mpipool: 50/100 done, 50 failed, 0 running, 10.0 tasks/s, "
         "ETA 5s",
         "ETA 5s");

  /* A finished task but no measurable time yet: the rate is 0, so the
   * ETA is unknown, never a negative or garbage number. */
  c = (cli_counts_t){.total = 2, .done = 1, .elapsed = 0};
  cli_progress_line(line, sizeof line, &c);
  ok(strstr(line, "ETA -") == NULL &&
         strncmp(line, "mpipool: 1/2 done, 0 failed, 0 running, 0.0 tasks/s",
                 51) == 0,
     "done > 0 with elapsed 0: no negative ETA");
  if (strstr(line, "ETA -"))
    show("got ", line, strlen(line));

  char small[12];
  memset(small, 'z', sizeof small);
  c = (cli_counts_t){.total = 2000, .done = 97, .elapsed = 2.0};
  cli_progress_line(small, sizeof small, &c);
  is_str(small, "mpipool:...", "progress line cut to the buffer, marked");

  /* Summary lines. */
  c = (cli_counts_t){.total = 2000, .done = 2000, .failed = 2, .elapsed = 41.2};
  cli_summary_line(line, sizeof line, &c);
  is_str(line,
         "mpipool: 2000 tasks, 1998 succeeded, 2 failed, 41.2 s, 48.5 tasks/s",
         "summary line");

  c = (cli_counts_t){.total = 4, .done = 4, .elapsed = 2.0, .skipped = 6};
  cli_summary_line(line, sizeof line, &c);
  is_str(line,
         "mpipool: 4 tasks, 4 succeeded, 0 failed, 2.0 s, 2.0 tasks/s, "
         "6 skipped (done before)",
         "summary with skipped tasks");

  c = (cli_counts_t){
      .total = 10, .done = 3, .failed = 3, .elapsed = 1.5, .not_run = 7};
  cli_summary_line(line, sizeof line, &c);
  is_str(line,
         "mpipool: 3 tasks, 0 succeeded, 3 failed, 1.5 s, 2.0 tasks/s, "
         "7 not run",
         "summary of a halted run");

  c = (cli_counts_t){.total = 10,
                     .done = 3,
                     .failed = 1,
                     .elapsed = 0.5,
                     .skipped = 2,
                     .not_run = 7};
  cli_summary_line(line, sizeof line, &c);
  is_str(line,
         "mpipool: 3 tasks, 2 succeeded, 1 failed, 0.5 s, 6.0 tasks/s, "
         "2 skipped (done before), 7 not run",
         "summary with skipped and not run");

  c = (cli_counts_t){0};
  cli_summary_line(line, sizeof line, &c);
  is_str(line, "mpipool: 0 tasks, 0 succeeded, 0 failed, 0.0 s, 0.0 tasks/s",
         "summary of nothing to do");

  char cut[70];
  c = (cli_counts_t){.total = 2000,
                     .done = 2000,
                     .failed = 2,
                     .elapsed = 41.2,
                     .skipped = 5,
                     .not_run = 3};
  cli_summary_line(cut, sizeof cut, &c);
  is_str(cut,
         "mpipool: 2000 tasks, 1998 succeeded, 2 failed, 41.2 s, 48.5 "
         "tasks/...",
         "summary cut to the buffer, marked");

  c = (cli_counts_t){0};
  is_int(cli_exit_status(&c), 0, "exit status 0: nothing failed");
  c.done = 10;
  c.not_run = 3;
  c.skipped = 2;
  is_int(cli_exit_status(&c), 0, "exit status 0: skipped and not run ok");
  c.failed = 5;
  is_int(cli_exit_status(&c), 5, "exit status 5 for 5 failed");
  c.failed = 100;
  is_int(cli_exit_status(&c), 100, "exit status 100 for 100 failed");
  c.failed = 101;
  is_int(cli_exit_status(&c), 101, "exit status 101 for 101 failed");
  c.failed = 100000;
  is_int(cli_exit_status(&c), 101, "exit status 101 for 100000 failed");
}

int main(void) {
  test_progress();
  return tap_done();
}
