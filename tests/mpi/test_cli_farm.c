/*
 * test_cli_farm.c - the program's master loop (cli/farm.c) on a live pool
 * whose workers run the program's task (cli/work.c): every task of a list
 * runs, its output is written, it is logged once in the joblog with its
 * real status, a failing task is retried, the counts add up; and with
 * --halt now a failure stops the rest, which are counted as not run.
 */
#include "common.h"

#include "cli/farm.h"
#include "cli/joblog.h"
#include "cli/output.h"
#include "cli/tasklist.h"
#include "cli/work.h"
#include "../helpers.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

/* The farm's stop request (SIGTERM in the program), never set here:
 * tests/cli/cli.sh and faults.sh stop real runs. */
static volatile sig_atomic_t stop;

/* Runs the tasks of text (a task file) through the farm with options o;
 * the joblog's lines go to *log (malloc'd), stdout to *out. */
static int farm(mpipool_t *pool, const char *text, const cli_options_t *o,
                cli_counts_t *c, char **log, char **out) {
  cli_tasks_t *ts;
  char err[256];
  FILE *f = test_stream(text, strlen(text));
  if (cli_tasks_open(&ts, f, "t", NULL, 0, err, sizeof err))
    return -1;
  size_t n = cli_tasks_count(ts);
  char logpath[] = "/tmp/farm-joblog-XXXXXX";
  int fd = mkstemp(logpath);
  FILE *o_out = tmpfile(), *o_err = tmpfile();
  cli_output_t *output;
  if (cli_output_create(&output, n, 1, 0, NULL, o_out, o_err, err, sizeof err))
    return -1;
  cli_farm_t fm = {o, ts, NULL, n, fd, output, NULL, &stop};
  memset(c, 0, sizeof *c);
  int rc = cli_farm_run(pool, &fm, c);
  cli_output_destroy(output);
  close(fd);
  f = fopen(logpath, "r");
  *log = calloc(1, 65536);
  fread(*log, 1, 65535, f);
  fclose(f);
  unlink(logpath);
  *out = calloc(1, 65536);
  rewind(o_out);
  fread(*out, 1, 65535, o_out);
  fclose(o_out);
  fclose(o_err);
  cli_tasks_free(ts);
  return rc;
}

static int lines(const char *s) {
  int n = 0;
  for (; *s; s++)
    n += *s == '\n';
  return n;
}

int main(void) {
  mpipool_t *pool;
  mpipool_create(&pool);
  mpipool_register(pool, CLI_TASK_NAME, cli_work_run, NULL);
  mpipool_set_initializer(pool, cli_work_init, NULL, 0);
  mpipool_set_processes(pool, 2);
  if (mpipool_start(pool) != 0) {
    ok(0, "start");
    return tap_done();
  }
  cli_options_t o;
  memset(&o, 0, sizeof o);
  o.retries = 1;
  o.joblog = "joblog";
  cli_counts_t c;
  char *log, *out;
  /* The 4th task fails on its first attempt and succeeds on the retry. */
  char flag[] = "/tmp/farm-flag-XXXXXX";
  close(mkstemp(flag));
  unlink(flag);
  char text[512];
  snprintf(text, sizeof text,
           "echo a\nexit 3\necho c\n"
           "[ -e %s ] && echo retried || { touch %s; exit 1; }\n",
           flag, flag);
  is_int(farm(pool, text, &o, &c, &log, &out), 0, "a run of 4 tasks");
  ok(c.total == 4 && c.done == 4 && c.failed == 1 && c.not_run == 0,
     "counts: 4 done, 1 failed (%zu, %zu)", c.done, c.failed);
  ok(strcmp(out, "a\nc\nretried\n") == 0, "outputs in task order");
  is_int(lines(log), 4, "one joblog line per task (the retry logged once)");
  ok(strstr(log, "\t3\t0\texit 3\n") != NULL, "exit 3 logged as exit 3");
  free(log);
  free(out);
  unlink(flag);

  /* Many quick failures, each retried twice: a retry is often submitted
   * while the farm is still handing out (its attempt's callback runs in
   * the submit's progress); under the sanitizers no handle may leak. */
  o.retries = 2;
  char many[40 * 7 + 1] = "";
  for (int i = 0; i < 40; i++)
    strcat(many, "exit 1\n");
  is_int(farm(pool, many, &o, &c, &log, &out), 0, "40 failing tasks");
  ok(c.done == 40 && c.failed == 40, "each failed after its retries (%zu)",
     c.failed);
  is_int(lines(log), 40, "each logged once");
  free(log);
  free(out);

  o.retries = 0;
  o.halt = CLI_HALT_NOW;
  o.halt_fail = 1;
  is_int(
      farm(pool, "exit 1\nsleep 30\nsleep 30\nsleep 30\n", &o, &c, &log, &out),
      0, "--halt now,fail=1");
  ok(c.failed == 1 && c.done >= 1 && c.done + c.not_run == 4,
     "the failure counted, the rest not run or stopped (%zu done, %zu not "
     "run)",
     c.done, c.not_run);
  free(log);
  free(out);

  finish_pool(pool);
  return tap_done();
}
