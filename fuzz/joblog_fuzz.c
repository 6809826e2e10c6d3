/*
 * joblog_fuzz.c - libFuzzer target: arbitrary bytes as a joblog, read by
 * cli_joblog_load against a small fixed task list (the one the seed
 * corpus was written for: fuzz/joblog_tasks.txt).  Besides what
 * the sanitizers catch, it checks the loader's contract: a success
 * accounts for every byte (whole lines, then a torn one), a torn line's
 * task is a task, each task's state is what its lines say (worked out
 * here the plain way), a failure says why, nothing leaks; and a line the
 * program formats (cli_joblog_format, from the input's first bytes) loads
 * back with its state.
 */
#include "cli/alloc.h"
#include "cli/joblog.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ERRLEN 512

/* The task list of fuzz/joblog_tasks.txt. */
static const char task_text[] = "echo 1\n"
                                "echo 2\n"
                                "exit 3\n"
                                "echo 'a  b' | tr a x\n"
                                "printf \"%s\\n\" x{1,2}\n"
                                "trap \"exit 0\" TERM; sleep 10\n"
                                "kill -9 $$\n"
                                "true\n";

static cli_tasks_t *tasks;
static cli_task_t task[8]; /* its tasks, commands copied */
static size_t ntasks;

static void check(int cond, const char *what) {
  if (!cond) {
    fprintf(stderr, "joblog_fuzz: broken contract: %s\n", what);
    abort();
  }
}

/* A stream of the n bytes of data (fmemopen refuses n == 0). */
static FILE *stream(const uint8_t *data, size_t n) {
  return n ? fmemopen((void *)data, n, "r") : fopen("/dev/null", "r");
}

/* What a joblog that loaded says of each task, worked out the plain way
 * from its whole lines (data, whole bytes): a task succeeded when one of
 * its lines has Exitval and Signal 0, failed when it has lines, none
 * succeeding. */
static void expected_states(const uint8_t *data, size_t whole,
                            cli_job_state_t *want) {
  size_t line = 0;
  for (size_t at = 0; at < whole;) {
    const uint8_t *nl = memchr(data + at, '\n', whole - at);
    check(nl != NULL, "whole lines end in a newline");
    size_t len = (size_t)(nl - (data + at));
    char *buf = malloc(len + 1);
    check(buf != NULL, "memory for the check");
    memcpy(buf, data + at, len);
    buf[len] = '\0';
    at += len + 1;
    if (++line == 1 && strncmp(buf, "Seq\t", 4) == 0) {
      free(buf); /* the header (a Seq of "Seq" would have failed) */
      continue;
    }
    char *f[8], *p = buf;
    for (int i = 0; i < 8; i++) {
      f[i] = p;
      p = strchr(p, '\t');
      check(p != NULL, "a line that loaded has nine fields");
      *p++ = '\0';
    }
    unsigned long long seq = strtoull(f[0], NULL, 10);
    long exitval = strtol(f[6], NULL, 10), sig = strtol(f[7], NULL, 10);
    check(seq >= 1 && seq <= ntasks, "a line that loaded is of a task");
    if (exitval == 0 && sig == 0)
      want[seq - 1] = CLI_JOB_SUCCEEDED;
    else if (want[seq - 1] != CLI_JOB_SUCCEEDED)
      want[seq - 1] = CLI_JOB_FAILED;
    free(buf);
  }
}

/* Anything the program logs, it reads back: a line formatted from the
 * first bytes of data (task, times, exit, signal, timeout; the host is
 * the bytes after them, up to a NUL) loads, whole, with the state its
 * exit says. */
static void round_trip(const uint8_t *data, size_t size) {
  uint64_t seq, receive;
  double start, runtime;
  int32_t exitval, sig;
  if (size < 41)
    return;
  memcpy(&seq, data, 8);
  memcpy(&start, data + 8, 8);
  memcpy(&runtime, data + 16, 8);
  memcpy(&receive, data + 24, 8);
  memcpy(&exitval, data + 32, 4);
  memcpy(&sig, data + 36, 4);
  char *host = strndup((const char *)data + 41, size - 41);
  check(host != NULL, "memory for the host");
  const cli_task_t *t = &task[seq % ntasks];
  cli_joblog_entry_t e = {.seq = seq % ntasks + 1,
                          .host = host,
                          .start = isfinite(start) ? start : 0,
                          .runtime = isfinite(runtime) ? runtime : 0,
                          .receive = receive,
                          .exitval = exitval,
                          .signal = sig,
                          .cmd = t->cmd,
                          .cmd_len = t->len,
                          .timed_out = data[40] & 1};
  char *line, err[ERRLEN];
  size_t len;
  check(cli_joblog_format(&e, &line, &len) == 0, "a line formats");
  check(len > 0 && line[len - 1] == '\n' && memchr(line, '\n', len - 1) == NULL,
        "a formatted line is one line");
  FILE *f = fmemopen(line, len, "r");
  check(f != NULL, "a stream of the line");
  cli_done_t *done = NULL;
  cli_joblog_tail_t tail;
  int rc = cli_joblog_load(f, "fuzz", tasks, &done, &tail, err, sizeof err);
  fclose(f);
  if (rc != 0)
    fprintf(stderr, "joblog_fuzz: %s\n", err);
  check(rc == 0 && tail.whole == len && tail.torn == 0,
        "a formatted line loads back, whole");
  int ok = e.exitval == 0 && e.signal == 0 && !e.timed_out;
  check(rc == 0 && cli_done_state(done, e.seq) ==
                       (ok ? CLI_JOB_SUCCEEDED : CLI_JOB_FAILED),
        "a formatted line reads back with its state");
  cli_done_free(done);
  cli_free(line);
  free(host);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char err[ERRLEN];
  if (ntasks == 0) {
    FILE *f = stream((const uint8_t *)task_text, sizeof task_text - 1);
    check(f &&
              cli_tasks_open(&tasks, f, "tasks", NULL, 0, err, sizeof err) ==
                  0 &&
              cli_tasks_count(tasks) == 8,
          "the fixed task list reads");
    cli_task_t t;
    while (cli_tasks_next(tasks, &t, err, sizeof err) == 1) {
      task[ntasks] = t;
      task[ntasks++].cmd = strdup(t.cmd);
    }
    check(ntasks == 8 && cli_tasks_rewind(tasks, err, sizeof err) == 0,
          "the fixed task list's eight tasks");
  }
  round_trip(data, size);
  FILE *f = stream(data, size);
  if (f == NULL)
    return 0;
  cli_done_t *done = NULL;
  cli_joblog_tail_t tail = {1, 1, 1};
  long live = cli_alloc_live();
  err[0] = '\0';
  int rc = cli_joblog_load(f, "fuzz", tasks, &done, &tail, err, sizeof err);
  fclose(f);
  cli_job_state_t state[8] = {0};
  for (size_t i = 0; rc == 0 && i < ntasks; i++)
    state[i] = cli_done_state(done, i + 1);
  cli_done_free(done);
  check(cli_alloc_live() == live, "every allocation freed");
  if (rc != 0) {
    check(rc == -1, "fails with -1");
    check(err[0] != '\0' && memchr(err, '\0', sizeof err) != NULL,
          "a failure says why");
    check(strncmp(err, "fuzz:", 5) == 0, "its message names the joblog");
    return 0;
  }
  check(tail.whole + tail.torn == size, "whole lines and torn line: all");
  check(tail.whole == 0 || data[tail.whole - 1] == '\n',
        "whole lines end in a newline");
  check(tail.torn == 0 || memchr(data + tail.whole, '\n', tail.torn) == NULL,
        "the torn line has no newline");
  check(tail.torn_seq <= ntasks && (tail.torn_seq == 0 || tail.torn > 0),
        "the torn line's task is a task");
  check(memchr(data, '\0', tail.whole) == NULL, "no NUL in a whole line");
  cli_job_state_t want[8] = {0};
  expected_states(data, tail.whole, want);
  for (size_t i = 0; i < ntasks; i++)
    check(state[i] == want[i], "each task's state is what its lines say");
  return 0;
}
