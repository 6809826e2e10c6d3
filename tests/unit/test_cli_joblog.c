/*
 * test_joblog.c - GNU parallel's joblog (cli/joblog.c): the line format,
 * and loading a joblog back against a task list for --resume, with every
 * way a joblog can be refused.
 */
#include "../helpers.h"
#include "../tap.h"
#include "cli/alloc.h"
#include "cli/joblog.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define ERRLEN 512

/* A task list for the tests: the streamed list (what cli_joblog_load
 * reads) and a copy of its commands (what the tests compare with). */
typedef struct {
  cli_tasks_t *ts;
  size_t n;
  cli_task_t v[8];
} tasklist_t;

static void tasklist_free(tasklist_t *tl) {
  for (size_t i = 0; i < tl->n; i++)
    free((char *)tl->v[i].cmd);
  cli_tasks_free(tl->ts);
  *tl = (tasklist_t){0};
}

/* The task list read from text (len bytes, a task file). */
static tasklist_t tasks_of(const char *text, size_t len) {
  tasklist_t tl = {0};
  char err[ERRLEN];
  cli_task_t t;
  FILE *f = test_stream(text, len);
  if (cli_tasks_open(&tl.ts, f, "tasks", NULL, 0, err, sizeof err) != 0) {
    printf("# cannot build the task list: %s\n", err);
    exit(2);
  }
  while (tl.n < 8 && cli_tasks_next(tl.ts, &t, err, sizeof err) == 1) {
    tl.v[tl.n] = t;
    if ((tl.v[tl.n++].cmd = strdup(t.cmd)) == NULL)
      exit(2);
  }
  if (cli_tasks_rewind(tl.ts, err, sizeof err) != 0)
    exit(2);
  return tl;
}

static tasklist_t tasks(const char *text) {
  return tasks_of(text, strlen(text));
}

/* Loads the joblog text (len bytes) against tl into state (zeroed here,
 * then set from what the joblog says). */
static int load(const char *text, size_t len, const tasklist_t *tl,
                cli_job_state_t *state, char *err) {
  cli_done_t *d = NULL;
  memset(state, 0, tl->n * sizeof *state);
  err[0] = '\0';
  FILE *f = test_stream(text, len);
  int rc = cli_joblog_load(f, "j.txt", tl->ts, &d, NULL, err, ERRLEN);
  fclose(f);
  for (size_t i = 0; rc == 0 && i < tl->n; i++)
    state[i] = cli_done_state(d, i + 1);
  cli_done_free(d);
  return rc;
}

/* Whether loading text fails with exactly the message want. */
static int fails_with(const char *text, const tasklist_t *tl,
                      const char *want) {
  cli_job_state_t state[8];
  char err[ERRLEN];
  int rc = load(text, strlen(text), tl, state, err);
  if (rc == -1 && strcmp(err, want) == 0)
    return 1;
  printf("#   rc %d, err [%s]\n#   want [%s]\n", rc, err, want);
  return 0;
}

static void test_format(void) {
  ok(strcmp(cli_joblog_header, "Seq\tHost\tStarttime\tJobRuntime\tSend\t"
                               "Receive\tExitval\tSignal\tCommand\n") == 0,
     "the header line");

  static const char cmd[] = "echo\ta b";
  cli_joblog_entry_t e = {3, "node1", 1700000000.1234, 2.5, 10, 20, -1,
                          9, cmd,     sizeof cmd - 1,  0};
  char *line = NULL;
  size_t len = 0;
  is_int(cli_joblog_format(&e, &line, &len), 0, "format a line");
  static const char want[] =
      "3\tnode1\t1700000000.123\t2.500\t10\t20\t-1\t9\techo\ta b\n";
  ok(line && len == sizeof want - 1 && memcmp(line, want, len) == 0,
     "the exact line, tabs in the command kept");
  if (line && len != sizeof want - 1)
    printf("#   got %zu bytes [%.*s]\n", len, (int)len, line);
  free(line);

  static const char cmd2[] = "a\nb\rc";
  cli_joblog_entry_t e2 = {18446744073709551615u,
                           "h\tx\ny",
                           0,
                           0,
                           18446744073709551615u,
                           0,
                           0,
                           0,
                           cmd2,
                           sizeof cmd2 - 1,
                           0};
  line = NULL;
  is_int(cli_joblog_format(&e2, &line, &len), 0, "format another line");
  static const char want2[] = "18446744073709551615\th x y\t0.000\t0.000\t"
                              "18446744073709551615\t0\t0\t0\ta b\rc\n";
  ok(line && len == sizeof want2 - 1 && memcmp(line, want2, len) == 0,
     "tab and newline in the host and newline in the command become spaces");
  free(line);

  cli_joblog_entry_t e3 = {1, "h", 1.0, 0.0004, 0, 0, 0, 0, "", 0, 0};
  line = NULL;
  is_int(cli_joblog_format(&e3, &line, &len), 0, "format an empty command");
  ok(line && strcmp(line, "1\th\t1.000\t0.000\t0\t0\t0\t0\t\n") == 0 &&
         len == strlen(line),
     "an empty command ends the line right after the last tab");
  free(line);
}

/* A task killed by --timeout: Exitval -1 when it still exited 0 (its TERM
 * trap did), as GNU parallel logs it, and a failure when read back. */
static void test_timed_out(void) {
  char err[ERRLEN];
  static const char cmd[] = "trap \"exit 0\" TERM; sleep 10";
  tasklist_t tl = tasks_of(cmd, sizeof cmd - 1);
  static const struct {
    int exitval, sig;
    const char *logged;
  } cases[] = {
      {0, 0, "\t-1\t0\t"},    /* the trap exited 0: -1 */
      {3, 0, "\t3\t0\t"},     /* the trap exited 3: kept */
      {-1, 15, "\t-1\t15\t"}, /* TERM killed it */
      {-1, 9, "\t-1\t9\t"},   /* KILL, 2 s later */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    cli_joblog_entry_t e = {.seq = 1,
                            .host = "h",
                            .start = 1.0,
                            .runtime = 1.0,
                            .exitval = cases[i].exitval,
                            .signal = cases[i].sig,
                            .cmd = tl.v[0].cmd,
                            .cmd_len = tl.v[0].len,
                            .timed_out = 1};
    char *line = NULL;
    size_t len = 0;
    cli_job_state_t state[1];
    int rc = cli_joblog_format(&e, &line, &len);
    ok(rc == 0 && strstr(line, cases[i].logged) != NULL,
       "timed out, exit %d signal %d: logged as '%s'", cases[i].exitval,
       cases[i].sig, cases[i].logged + 1);
    if (rc == 0)
      printf("#   %s", line);
    ok(rc == 0 && load(line, len, &tl, state, err) == 0 &&
           state[0] == CLI_JOB_FAILED,
       "timed out, exit %d signal %d: read back as failed", cases[i].exitval,
       cases[i].sig);
    free(line);
  }
  cli_joblog_entry_t e = {
      .seq = 1, .host = "h", .cmd = tl.v[0].cmd, .cmd_len = tl.v[0].len};
  char *line = NULL;
  size_t len = 0;
  ok(cli_joblog_format(&e, &line, &len) == 0 &&
         strstr(line, "\t0\t0\ttrap") != NULL,
     "not timed out, exit 0: logged as a success");
  free(line);
  tasklist_free(&tl);
}

/* Appends the formatted line for task seq of tl to the joblog text. */
static void add_line(char *text, size_t size, const tasklist_t *tl,
                     uint64_t seq, int exitval, int sig) {
  const cli_task_t *t = &tl->v[seq - 1];
  cli_joblog_entry_t e = {seq,     "host", 1700000000.5, 1.25,   0, 0,
                          exitval, sig,    t->cmd,       t->len, 0};
  char *line;
  size_t len;
  if (cli_joblog_format(&e, &line, &len) != 0 || strlen(text) + len >= size)
    exit(2);
  strcat(text, line);
  free(line);
}

static void test_round_trip(void) {
  tasklist_t tl = tasks("echo a\necho b\t tab\necho c\ncr\r\n");
  cli_job_state_t state[4];
  char err[ERRLEN], text[1024] = "";

  strcat(text, cli_joblog_header);
  add_line(text, sizeof text, &tl, 1, 0, 0);
  add_line(text, sizeof text, &tl, 2, 1, 0);
  add_line(text, sizeof text, &tl, 4, 0, 0);
  is_int(load(text, strlen(text), &tl, state, err), 0,
         "load what format wrote");
  ok(state[0] == CLI_JOB_SUCCEEDED, "task 1 succeeded");
  ok(state[1] == CLI_JOB_FAILED, "task 2 failed (a tab in its command)");
  ok(state[2] == CLI_JOB_UNSEEN, "task 3 unseen");
  ok(state[3] == CLI_JOB_SUCCEEDED, "task 4 succeeded (a CR in its command)");

  const char *body = text + strlen(cli_joblog_header);
  is_int(load(body, strlen(body), &tl, state, err), 0,
         "the header is optional");
  ok(state[0] == CLI_JOB_SUCCEEDED && state[1] == CLI_JOB_FAILED &&
         state[2] == CLI_JOB_UNSEEN && state[3] == CLI_JOB_SUCCEEDED,
     "the same states without the header");

  is_int(load("", 0, &tl, state, err), 0, "an empty joblog");
  ok(state[0] == CLI_JOB_UNSEEN && state[3] == CLI_JOB_UNSEEN,
     "an empty joblog: every task unseen");
  is_int(load(cli_joblog_header, strlen(cli_joblog_header), &tl, state, err), 0,
         "a joblog of only the header");

  /* Several lines for one task: any success wins, in either order. */
  text[0] = '\0';
  add_line(text, sizeof text, &tl, 1, 1, 0);
  add_line(text, sizeof text, &tl, 1, 0, 0);
  add_line(text, sizeof text, &tl, 2, 0, 0);
  add_line(text, sizeof text, &tl, 2, -1, 0);
  add_line(text, sizeof text, &tl, 3, 0, 15);
  add_line(text, sizeof text, &tl, 3, 2, 0);
  add_line(text, sizeof text, &tl, 4, -1, 9);
  is_int(load(text, strlen(text), &tl, state, err), 0, "load repeated tasks");
  ok(state[0] == CLI_JOB_SUCCEEDED, "failed then succeeded: succeeded");
  ok(state[1] == CLI_JOB_SUCCEEDED, "succeeded then failed: succeeded");
  ok(state[2] == CLI_JOB_FAILED, "Exitval 0 with a Signal is a failure");
  ok(state[3] == CLI_JOB_FAILED, "Exitval -1 parses, and is a failure");

  /* A last line without its newline is a run killed while writing. */
  text[0] = '\0';
  add_line(text, sizeof text, &tl, 1, 1, 0);
  strcat(text, "1\thost\t1700000000.500\t1.250\t0\t0\t0\t0\techo a");
  is_int(load(text, strlen(text), &tl, state, err), 0,
         "a truncated last line is ignored");
  ok(state[0] == CLI_JOB_FAILED, "the truncated success does not count");
  strcpy(text, "3\tho");
  is_int(load(text, strlen(text), &tl, state, err), 0,
         "a lone truncated line is ignored, though malformed");
  strcpy(text, "2\thost\t1.000\t1.000\t0\t0\t0\t0\techo z");
  is_int(load(text, strlen(text), &tl, state, err), 0,
         "a truncated line is ignored, though it mismatches");
  ok(state[1] == CLI_JOB_UNSEEN, "and sets no state");

  tasklist_free(&tl);
}

/* Loads text (len bytes) against tl and checks where its whole lines end
 * (whole), the torn last line's length (torn) and the task it began to log
 * (seq). */
static int tail_is(const char *text, size_t len, const tasklist_t *tl,
                   uint64_t whole, uint64_t torn, uint64_t seq) {
  cli_done_t *d = NULL;
  cli_joblog_tail_t t = {7, 7, 7};
  char err[ERRLEN] = "";
  FILE *f = test_stream(text, len);
  int rc = cli_joblog_load(f, "j.txt", tl->ts, &d, &t, err, ERRLEN);
  fclose(f);
  cli_done_free(d);
  if (rc == 0 && t.whole == whole && t.torn == torn && t.torn_seq == seq)
    return 1;
  printf("#   rc %d [%s], whole %" PRIu64 " torn %" PRIu64 " seq %" PRIu64
         "; want %" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
         rc, err, t.whole, t.torn, t.torn_seq, whole, torn, seq);
  return 0;
}

/* A last line without its '\n' was cut short: where it starts (to cut the
 * file there) and which task it began to log. */
static void test_torn(void) {
  tasklist_t tl = tasks("echo a\necho b\necho c\n");
  const char *h = cli_joblog_header;
  size_t hl = strlen(h);
  const char *l1 = "1\th\t1.000\t1.000\t0\t0\t0\t0\techo a\n";
  size_t l1l = strlen(l1);
  char text[1024];

  ok(tail_is("", 0, &tl, 0, 0, 0), "an empty joblog: nothing torn");
  snprintf(text, sizeof text, "%s%s", h, l1);
  ok(tail_is(text, strlen(text), &tl, hl + l1l, 0, 0),
     "whole lines only: all of it is whole, nothing torn");
  ok(tail_is(h, hl - 4, &tl, 0, hl - 4, 0), "a torn header: cut at 0");
  snprintf(text, sizeof text, "%s%s2\th\t1.000\t1.000\t0\t0\t0\t0\techo b", h,
           l1);
  ok(tail_is(text, strlen(text), &tl, hl + l1l, strlen(text) - hl - l1l, 2),
     "a line whole but for its newline: torn, task 2");
  snprintf(text, sizeof text, "%s%s3\tho", h, l1);
  ok(tail_is(text, strlen(text), &tl, hl + l1l, 4, 3),
     "a line torn after its Seq: task 3");
  snprintf(text, sizeof text, "%s%s  2 \t", h, l1);
  ok(tail_is(text, strlen(text), &tl, hl + l1l, 5, 2),
     "a padded Seq, then the tab: task 2");
  snprintf(text, sizeof text, "%s%s3", h, l1);
  ok(tail_is(text, strlen(text), &tl, hl + l1l, 1, 0),
     "a Seq without its tab may be cut short: no task");
  snprintf(text, sizeof text, "%s%s4\th", h, l1);
  ok(tail_is(text, strlen(text), &tl, hl + l1l, 3, 0),
     "a Seq that is no task: no task");
  snprintf(text, sizeof text, "%s%sx\th", h, l1);
  ok(tail_is(text, strlen(text), &tl, hl + l1l, 3, 0),
     "a Seq that is no number: no task");
  static const char nul[] = "1\th\t1.000\t1.000\t0\t0\t0\t0\techo a\n\0\0\0";
  ok(tail_is(nul, sizeof nul - 1, &tl, l1l, 3, 0),
     "NUL bytes after the last newline (a crash's unwritten block): torn");
  static const char nul_seq[] = "1\0\th";
  ok(tail_is(nul_seq, sizeof nul_seq - 1, &tl, 0, 4, 0),
     "a NUL byte in the torn Seq: no task");

  /* Whatever follows, a line in the middle is still checked. */
  cli_job_state_t state[3];
  char err[ERRLEN];
  static const char mid_nul[] = "1\th\t1.000\t1.000\t0\t0\t0\t0\techo\0a\n"
                                "2\th\t1.000";
  is_int(load(mid_nul, sizeof mid_nul - 1, &tl, state, err), -1,
         "a NUL byte in a whole line before a torn one: refused");
  snprintf(text, sizeof text, "%s1\th\t1.000\n%s2\th", h, l1);
  ok(fails_with(text, &tl, "j.txt:2: too few fields: 3 instead of 9"),
     "a bad line before a torn one: refused");

  /* A tail of NULL is allowed; the torn line sets no state. */
  snprintf(text, sizeof text, "%s%s2\th\t1.000\t1.000\t0\t0\t0\t0\techo b", h,
           l1);
  is_int(load(text, strlen(text), &tl, state, err), 0, "tail NULL: loaded");
  ok(state[0] == CLI_JOB_SUCCEEDED && state[1] == CLI_JOB_UNSEEN,
     "the torn line's task stays unseen");
  tasklist_free(&tl);
}

static void test_errors(void) {
  tasklist_t tl = tasks("echo a\necho b\necho c\n");
  const char *ok_line = "1\th\t1.000\t1.000\t0\t0\t0\t0\techo a\n";
  char text[1024];

  snprintf(text, sizeof text, "%s%s2\th\t1.000\t1.000\t0\t0\t0\t0\techo x\n",
           cli_joblog_header, ok_line);
  ok(fails_with(text, &tl,
                "j.txt:3: task 2 is 'echo x' in the joblog but 'echo b' in "
                "the task list"),
     "a mismatch names the line, the task and both commands");
  ok(fails_with("2\th\t1.000\t1.000\t0\t0\t0\t0\techo b \n", &tl,
                "j.txt:1: task 2 is 'echo b ' in the joblog but 'echo b' in "
                "the task list"),
     "a trailing space is a mismatch");
  ok(fails_with("2\th\t1.000\t1.000\t0\t0\t0\t0\techo\tb\n", &tl,
                "j.txt:1: task 2 is 'echo\tb' in the joblog but 'echo b' in "
                "the task list"),
     "a tab for a space is a mismatch");

  char longer[200];
  snprintf(longer, sizeof longer, "echo %0100d\n", 7);
  tasklist_t tl2 = tasks(longer);
  snprintf(text, sizeof text, "1\th\t1.000\t1.000\t0\t0\t0\t0\techo %0100d\n",
           8);
  char want[ERRLEN];
  snprintf(want, sizeof want,
           "j.txt:1: task 1 is 'echo %052d...' in the joblog but "
           "'echo %052d...' in the task list",
           0, 0);
  ok(fails_with(text, &tl2, want), "long commands are shortened with ...");
  tasklist_free(&tl2);

  ok(fails_with("0\th\t1.000\t1.000\t0\t0\t0\t0\techo a\n", &tl,
                "j.txt:1: Seq 0 is not a task: the task list has 3"),
     "Seq 0 is refused");
  snprintf(text, sizeof text, "%s4\th\t1.000\t1.000\t0\t0\t0\t0\techo a\n",
           ok_line);
  ok(fails_with(text, &tl, "j.txt:2: Seq 4 is not a task: the task list has 3"),
     "Seq past the last task is refused");

  ok(fails_with("1\th\t1.000\n", &tl,
                "j.txt:1: too few fields: 3 instead of 9"),
     "too few fields");
  ok(fails_with("1\th\t1.000\t1.000\t0\t0\t0\techo a\n", &tl,
                "j.txt:1: too few fields: 8 instead of 9"),
     "eight fields are too few");
  ok(fails_with("\n", &tl, "j.txt:1: too few fields: 1 instead of 9"),
     "an empty line");
  snprintf(text, sizeof text, "%s%s", ok_line, cli_joblog_header);
  ok(fails_with(text, &tl, "j.txt:2: Seq 'Seq' is not a valid number"),
     "a header after the first line is refused");

  tasklist_free(&tl);
}

/* Every numeric field refuses what a strict parse must refuse. */
static void test_bad_numbers(void) {
  tasklist_t tl = tasks("echo a\n");
  static const char *const names[] = {"Seq",        "Host",  "Starttime",
                                      "JobRuntime", "Send",  "Receive",
                                      "Exitval",    "Signal"};
  static const struct {
    int field;
    const char *value;
  } bad[] = {
      {0, ""},
      {0, "x"},
      {0, "1x"},
      {0, " "},
      {0, "1 2"},
      {0, "\r1"},
      {0, "+1"},
      {0, "-1"},
      {0, "1.0"},
      {0, "0x1"},
      {0, "99999999999999999999999"},
      {2, ""},
      {2, "abc"},
      {2, "nan"},
      {2, "inf"},
      {2, "1.5s"},
      {2, "1 .5"},
      {2, "1. 5"},
      {2, " - 1.5"},
      {2, "1e999"},
      {2, "1e3"},
      {2, "0x1p3"},
      {3, "."},
      {3, "-"},
      {4, "1.5"},
      {4, "-1"},
      {5, "18446744073709551616"},
      {6, "1.0"},
      {6, ""},
      {6, "2147483648"},
      {6, "- 1"},
      {6, " -"},
      {6, "1\r"},
      {7, ""},
      {7, "9x"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    const char *f[8] = {"1", "h", "1.000", "1.000", "0", "0", "0", "0"};
    f[bad[i].field] = bad[i].value;
    char text[256], want[256];
    snprintf(text, sizeof text, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\techo a\n",
             f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7]);
    snprintf(want, sizeof want, "j.txt:1: %s '%s' is not a valid number",
             names[bad[i].field], bad[i].value);
    ok(fails_with(text, &tl, want), "bad number %zu: %s '%s'", i + 1,
       names[bad[i].field], bad[i].value);
  }

  /* What a strict parse must still accept. */
  cli_job_state_t state[1];
  char err[ERRLEN];
  static const char good[] =
      "1\tany host\t-1.5\t0\t18446744073709551615\t0\t-2147483648\t"
      "2147483647\techo a\n"
      "1\th\t1700000000\t3.25\t1\t2\t0\t0\techo a\n";
  is_int(load(good, sizeof good - 1, &tl, state, err), 0,
         "negative and integral times, extreme integers");
  ok(state[0] == CLI_JOB_SUCCEEDED, "the second line succeeded");

  /* GNU parallel's joblog: JobRuntime padded to 10 columns, and padding
   * anywhere around a number is allowed. */
  static const char padded[] =
      "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\t"
      "Command\n"
      "1\t:\t1700000000.123\t     0.001\t0\t4\t0\t0\techo a\n";
  is_int(load(padded, sizeof padded - 1, &tl, state, err), 0,
         "GNU parallel's line: JobRuntime '     0.001'");
  ok(state[0] == CLI_JOB_SUCCEEDED, "and it succeeded");
  static const char padded_fail[] =
      "  1 \t:\t 1700000000.123 \t  12.500  \t 0\t4 \t  -1 \t 15\techo a\n";
  is_int(load(padded_fail, sizeof padded_fail - 1, &tl, state, err), 0,
         "spaces before and after every number");
  ok(state[0] == CLI_JOB_FAILED, "Exitval '  -1 ', Signal ' 15': failed");
  static const char padded_zero[] =
      "1\th\t1.000\t1.000\t0\t0\t  0  \t    0\techo a\n";
  is_int(load(padded_zero, sizeof padded_zero - 1, &tl, state, err), 0,
         "Exitval '  0  ', Signal '    0'");
  ok(state[0] == CLI_JOB_SUCCEEDED, "padded zeros: succeeded");

  static const char nul[] = "1\th\t1.000\t1.000\t0\t0\t0\t0\techo\0a\n";
  is_int(load(nul, sizeof nul - 1, &tl, state, err), -1,
         "a NUL byte in a line fails");
  ok(strcmp(err, "j.txt:1: line holds a NUL byte") == 0, "message: %s", err);
  tasklist_free(&tl);
}

/* Every allocation of formatting a joblog line and of loading a joblog
 * fails in turn: -1 (load: "out of memory"), nothing leaked. */
static void test_out_of_memory(void) {
  tasklist_t tl = tasks("echo a\necho b\n");
  cli_joblog_entry_t e = {2, "node\t1", 1.5, 0.25, 0, 3, 0, 0, "echo b", 6, 0};
  int bad = 0, tried = 0;
  for (unsigned long k = 1;; k++) {
    char *line = NULL;
    size_t len;
    long live = cli_alloc_live();
    unsigned long before = cli_alloc_count();
    cli_alloc_fail_at(k);
    int rc = cli_joblog_format(&e, &line, &len);
    int reached = cli_alloc_count() - before >= k;
    cli_alloc_fail_at(0);
    cli_free(line);
    bad += cli_alloc_live() != live;
    if (!reached) {
      bad += rc != 0;
      break;
    }
    tried++;
    bad += rc != -1;
  }
  ok(tried > 0 && bad == 0,
     "format: each of %d allocations failing in turn: -1, no leak", tried);
  const char text[] = "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\t"
                      "Exitval\tSignal\tCommand\n"
                      "2\tn\t1.000\t0.500\t0\t0\t0\t0\techo b\n"
                      "1\tn\t1.000\t0.500\t0\t0\t1\t0\techo a\n";
  bad = tried = 0;
  for (unsigned long k = 1;; k++) {
    cli_job_state_t state[2];
    char err[ERRLEN] = "";
    long live = cli_alloc_live();
    unsigned long before = cli_alloc_count();
    cli_alloc_fail_at(k);
    int rc = load(text, sizeof text - 1, &tl, state, err);
    int reached = cli_alloc_count() - before >= k;
    cli_alloc_fail_at(0);
    bad += cli_alloc_live() != live;
    if (!reached) {
      bad += rc != 0 || state[1] != CLI_JOB_SUCCEEDED ||
             state[0] != CLI_JOB_FAILED;
      break;
    }
    tried++;
    if (rc != -1 || strstr(err, "out of memory") == NULL) {
      printf("#   load, allocation %lu: rc %d [%s]\n", k, rc, err);
      bad++;
    }
  }
  ok(tried > 0 && bad == 0,
     "load: each of %d allocations failing in turn: out of memory, no leak",
     tried);
  tasklist_free(&tl);
}

int main(void) {
  test_format();
  test_timed_out();
  test_round_trip();
  test_torn();
  test_errors();
  test_bad_numbers();
  test_out_of_memory();
  return tap_done();
}
