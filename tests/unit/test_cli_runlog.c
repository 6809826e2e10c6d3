/*
 * test_cli_runlog.c - a joblog read whole for a report (cli/runlog.c):
 * mpipool's and GNU parallel's lines, hosts interned, long commands
 * shortened, a torn last line, and what is not a joblog.
 */
#include "../cli_helpers.h"
#include "../helpers.h"
#include "../tap.h"
#include "cli/alloc.h"
#include "cli/runlog.h"

#include <string.h>

#define H                                                                      \
  "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand"  \
  "\n"

/* Reads text as the joblog "j.log"; its status, the log in *log. */
static int read_text(const char *text, cli_runlog_t **log, int *torn, char *err,
                     size_t errlen) {
  FILE *f = test_stream(text, strlen(text));
  *log = NULL;
  err[0] = '\0';
  int rc = cli_runlog_read(f, "j.log", log, torn, err, errlen);
  fclose(f);
  return rc;
}

int main(void) {
  cli_runlog_t *log;
  char err[1024];
  int torn;

  ok(read_text("", &log, &torn, err, sizeof err) == 0 &&
         cli_runlog_count(log) == 0,
     "an empty file is a log of no tasks");
  cli_runlog_free(log);
  ok(read_text(H, &log, &torn, err, sizeof err) == 0 &&
         cli_runlog_count(log) == 0 && torn == 0,
     "a header alone is a log of no tasks");
  cli_runlog_free(log);

  /* mpipool's lines, then GNU parallel's padded JobRuntime and ':' host. */
  const char *mixed = H "2\tnode1\t100.500\t0.250\t0\t4\t3\t0\texit 3\n"
                        "1\tnode2\t100.000\t1.000\t0\t0\t-1\t9\tkill -9 $$\n"
                        "3\tnode1\t101.000\t     2.125\t0\t0\t0\t0\ta\tb\n";
  if (ok(read_text(mixed, &log, &torn, err, sizeof err) == 0,
         "mpipool's and GNU parallel's lines are read")) {
    is_int(cli_runlog_count(log), 3, "three tasks");
    is_int(cli_runlog_nhosts(log), 2, "two hosts");
    is_str(cli_runlog_host(log, 0), "node1", "hosts in order of appearance");
    const cli_runlog_task_t *t = cli_runlog_task(log, 0);
    ok(t->seq == 2 && t->start == 100.5 && t->runtime == 0.25 &&
           t->exitval == 3 && t->signal == 0 && t->host == 0,
       "the first line's fields");
    t = cli_runlog_task(log, 1);
    ok(t->exitval == -1 && t->signal == 9 && t->host == 1,
       "a task killed by a signal");
    t = cli_runlog_task(log, 2);
    ok(t->runtime == 2.125 && t->host == 0, "a padded JobRuntime");
    is_str(t->cmd, "a\tb", "a command keeps its tabs");
  }
  cli_runlog_free(log);

  /* A long command is kept short, not inside a UTF-8 character. */
  char big[600];
  char cmd[400];
  memset(cmd, 'x', sizeof cmd);
  memcpy(cmd + 195, "\xc3\xa9\xc3\xa9", 4); /* éé across the cut */
  cmd[sizeof cmd - 1] = '\0';
  snprintf(big, sizeof big, H "1\th\t1.0\t1.0\t0\t0\t0\t0\t%s\n", cmd);
  if (ok(read_text(big, &log, &torn, err, sizeof err) == 0,
         "a long command is read")) {
    const char *c = cli_runlog_task(log, 0)->cmd;
    size_t len = strlen(c);
    ok(len <= CLI_RUNLOG_CMD_MAX && strcmp(c + len - 3, "...") == 0 &&
           ((unsigned char)c[len - 4] & 0xC0) != 0xC0,
       "it is shortened to %d bytes, ending in '...', on a character's "
       "boundary (%zu bytes)",
       CLI_RUNLOG_CMD_MAX, len);
  }
  cli_runlog_free(log);

  /* A torn last line: taken when whole, left out when not. */
  ok(read_text(H "1\th\t1.0\t1.0\t0\t0\t0\t0\ttrue", &log, &torn, err,
               sizeof err) == 0 &&
         cli_runlog_count(log) == 1 && torn == 0,
     "a whole last line without its newline is taken");
  cli_runlog_free(log);
  ok(read_text(H "1\th\t1.0\t1.0\t0\t0\t0\t0\ttrue\n2\th\t1.", &log, &torn, err,
               sizeof err) == 0 &&
         cli_runlog_count(log) == 1 && torn == 1,
     "a torn last line is left out, and said");
  cli_runlog_free(log);

  /* Not joblogs. */
  ok(read_text("hello world\n", &log, &torn, err, sizeof err) == -1 &&
         log == NULL,
     "a text file is refused");
  has_str(err, "j.log:1: too few fields", "it names the file and line");
  has_str(err, "is it a joblog?", "it says it does not look like a joblog");
  ok(read_text(H "1\th\t1.0\t1.0\t0\t0\t0\t0\ttrue\n2\th\tsoon\t1\t0\t0\t0\t"
                 "0\tx\n",
               &log, &torn, err, sizeof err) == -1,
     "a bad number is refused");
  is_str(err, "j.log:3: Starttime 'soon' is not a valid number",
         "it names the line and field");
  ok(read_text(H "1\th\t1.0\t1.0\t0\t0\t0\n", &log, &torn, err, sizeof err) ==
         -1,
     "a short line is refused");
  is_str(err, "j.log:2: too few fields: 7 instead of 9", "it says so");
  ok(read_text("1\th\t1.0\t1.0\t0\t0\t0\t0\ttrue\n", &log, &torn, err,
               sizeof err) == 0 &&
         cli_runlog_count(log) == 1,
     "a joblog without its header is read");
  cli_runlog_free(log);

  /* Running out of memory, at each allocation in turn: an error, no
   * leak. */
  unsigned long before = cli_alloc_count();
  read_text(mixed, &log, &torn, err, sizeof err);
  cli_runlog_free(log);
  unsigned long allocs = cli_alloc_count() - before;
  int all = 1;
  for (unsigned long k = 1; k <= allocs; k++) {
    long live = cli_alloc_live();
    cli_alloc_fail_at(k);
    int rc = read_text(mixed, &log, &torn, err, sizeof err);
    cli_alloc_fail_at(0);
    cli_runlog_free(log);
    if (rc != -1 || strstr(err, "out of memory") == NULL ||
        cli_alloc_live() != live) {
      printf("#   allocation %lu: rc %d, err [%s]\n", k, rc, err);
      all = 0;
    }
  }
  ok(all && allocs > 0,
     "each of %lu allocations failing: an error, nothing leaked", allocs);
  return tap_done();
}
