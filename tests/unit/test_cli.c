/*
 * test_cli.c - the mpipool program's pure modules, without MPI: the
 * command line (cli/options.c), the progress and summary lines and the
 * exit status (cli/progress.c), the task and result messages
 * (cli/taskmsg.c), a task's environment (cli/taskenv.c) and where a
 * task's output goes (cli/output.c).
 */
#include "../tap.h"
#include "cli/options.h"
#include "cli/output.h"
#include "cli/progress.h"
#include "cli/taskenv.h"
#include "cli/taskmsg.h"

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

/* ------------------------------------------------------------------ */
/* Helpers                                                            */
/* ------------------------------------------------------------------ */

/* Prints s on one diagnostic line, with \n, \t and control bytes
 * escaped. */
static void show(const char *label, const char *s, size_t len) {
  printf("#   %s '", label);
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '\n')
      printf("\\n");
    else if (c == '\t')
      printf("\\t");
    else if (c < 32 || c > 126)
      printf("\\x%02x", c);
    else
      putchar(c);
  }
  printf("'\n");
}

/* Whether got (got_len bytes) is exactly the string want. */
static int is_mem(const char *got, size_t got_len, const char *want,
                  const char *what) {
  size_t wl = strlen(want);
  int pass = got != NULL && got_len == wl && memcmp(got, want, wl) == 0;
  if (!ok(pass, "%s", what)) {
    if (got)
      show("got ", got, got_len);
    else
      printf("#   got  NULL\n");
    show("want", want, wl);
  }
  return pass;
}

static int is_str(const char *got, const char *want, const char *what) {
  return is_mem(got, got ? strlen(got) : 0, want, what);
}

/* Whether got contains want. */
static int has_str(const char *got, const char *want, const char *what) {
  int pass = got != NULL && strstr(got, want) != NULL;
  if (!ok(pass, "%s", what)) {
    show("got ", got ? got : "(NULL)", got ? strlen(got) : 6);
    show("missing", want, strlen(want));
  }
  return pass;
}

/* ------------------------------------------------------------------ */
/* options                                                            */
/* ------------------------------------------------------------------ */

#define MAXWORDS 40

/* argv for one parse: copies of the words, which o may point into (they
 * live until the next parse). */
static char words[MAXWORDS][256];
static char *argv_[MAXWORDS + 1];
static char err[ERRLEN];
static char cmdline[2048]; /* the words, for test names */

/* Parses "mpipool" followed by the NULL-terminated list w. */
static int parse_v(cli_options_t *o, const char *const *w) {
  int argc = 0;
  snprintf(words[0], sizeof words[0], "mpipool");
  argv_[argc++] = words[0];
  snprintf(cmdline, sizeof cmdline, "mpipool");
  for (size_t i = 0; w[i] != NULL && argc < MAXWORDS; i++) {
    snprintf(words[argc], sizeof words[argc], "%s", w[i]);
    argv_[argc] = words[argc];
    size_t l = strlen(cmdline);
    snprintf(cmdline + l, sizeof cmdline - l, *w[i] ? " %s" : " ''", w[i]);
    argc++;
  }
  argv_[argc] = NULL;
  snprintf(err, sizeof err, "(untouched)");
  return cli_options_parse(o, argc, argv_, err, sizeof err);
}

#define PARSE(o, ...) parse_v((o), (const char *const[]){__VA_ARGS__, NULL})

/* Parsing the words fails with exactly the message want. */
static void fails_v(const char *want, const char *const *w) {
  cli_options_t o;
  int rc = parse_v(&o, w);
  if (!ok(rc == -1 && strcmp(err, want) == 0, "%s -> error", cmdline)) {
    printf("#   rc %d\n", rc);
    show("got ", err, strlen(err));
    show("want", want, strlen(want));
  }
}

#define FAILS(want, ...)                                                       \
  fails_v((want), (const char *const[]){__VA_ARGS__, NULL})

/* Parsing the words fails with a message that contains want. */
static void fails_has_v(const char *want, const char *const *w) {
  cli_options_t o;
  int rc = parse_v(&o, w);
  if (!ok(rc == -1 && strstr(err, want) != NULL, "%s -> error naming %s",
          cmdline, want)) {
    printf("#   rc %d\n", rc);
    show("got ", err, strlen(err));
    show("missing", want, strlen(want));
  }
}

#define FAILS_HAS(want, ...)                                                   \
  fails_has_v((want), (const char *const[]){__VA_ARGS__, NULL})

/* Parsing the words succeeds. */
static int parses_v(cli_options_t *o, const char *const *w) {
  int rc = parse_v(o, w);
  if (!ok(rc == 0, "%s parses", cmdline))
    show("err", err, strlen(err));
  return rc == 0;
}

#define PARSES(o, ...) parses_v((o), (const char *const[]){__VA_ARGS__, NULL})

/* Every field of o, as one string (for comparing two parses). */
static void snapshot(const cli_options_t *o, char *buf, size_t len) {
  int n = snprintf(
      buf, len,
      "tf=%s af=%s j=%d max=%ld k=%d tag=%d res=%s log=%s resume=%d rf=%d "
      "retries=%d timeout=%g halt=%d hf=%ld progress=%d quiet=%d help=%d "
      "version=%d cmd(%d)=",
      o->taskfile ? o->taskfile : "-NULL-", o->argfile ? o->argfile : "-NULL-",
      o->processes, o->maxtasks, o->keep_order, o->tag,
      o->results ? o->results : "-NULL-", o->joblog ? o->joblog : "-NULL-",
      o->resume, o->resume_failed, o->retries, o->timeout, (int)o->halt,
      o->halt_fail, o->progress, o->quiet, o->help, o->version, o->command_len);
  for (int i = 0; i < o->command_len && n > 0 && (size_t)n < len; i++)
    n += snprintf(buf + n, len - (size_t)n, "[%s]", o->command[i]);
}

static void test_options_defaults(void) {
  cli_options_t o;
  if (PARSES(&o, "tasks.txt")) {
    is_str(o.taskfile, "tasks.txt", "TASKFILE");
    ok(o.argfile == NULL && o.command == NULL && o.command_len == 0,
       "no -a: no argfile, no command");
    is_int(o.processes, 0, "default -j 0 (the default count)");
    is_int(o.maxtasks, 0, "default --maxtasksperchild 0 (unlimited)");
    ok(!o.keep_order && !o.tag && !o.quiet && !o.help && !o.version,
       "flags off by default");
    ok(o.results == NULL && o.joblog == NULL, "no --results, no --joblog");
    ok(!o.resume && !o.resume_failed, "no resume");
    is_int(o.retries, 0, "default --retries 0");
    ok(o.timeout == 0, "default --timeout 0 (none)");
    is_int(o.halt, CLI_HALT_NEVER, "default --halt never");
    is_int(o.halt_fail, 0, "default halt count 0");
    is_int(o.progress, -1, "default progress -1 (if stderr is a tty)");
  }
  if (PARSES(&o, "-"))
    is_str(o.taskfile, "-", "TASKFILE '-' (stdin)");
  if (PARSES(&o, "--", "-odd-name"))
    is_str(o.taskfile, "-odd-name", "-- then a TASKFILE starting with '-'");
}

static void test_options_good(void) {
  cli_options_t o;

  if (PARSES(&o, "-j", "4", "t"))
    is_int(o.processes, 4, "-j 4");
  if (PARSES(&o, "-j4", "t"))
    is_int(o.processes, 4, "-j4");
  if (PARSES(&o, "--processes", "8", "t"))
    is_int(o.processes, 8, "--processes 8");
  if (PARSES(&o, "--processes=16", "t"))
    is_int(o.processes, 16, "--processes=16");
  if (PARSES(&o, "--jobs", "3", "t"))
    is_int(o.processes, 3, "--jobs 3");
  if (PARSES(&o, "-j", "2147483647", "t"))
    is_int(o.processes, INT_MAX, "-j INT_MAX");
  if (PARSES(&o, "-j", "2", "-j", "5", "t"))
    is_int(o.processes, 5, "-j twice: the last wins");

  if (PARSES(&o, "--maxtasksperchild", "10", "t"))
    is_int(o.maxtasks, 10, "--maxtasksperchild 10");
  if (PARSES(&o, "--maxtasksperchild=1", "t"))
    is_int(o.maxtasks, 1, "--maxtasksperchild=1");

  if (PARSES(&o, "-k", "t"))
    is_int(o.keep_order, 1, "-k");
  if (PARSES(&o, "--keep-order", "t"))
    is_int(o.keep_order, 1, "--keep-order");
  if (PARSES(&o, "--tag", "t"))
    is_int(o.tag, 1, "--tag");
  if (PARSES(&o, "-k", "--tag", "t"))
    ok(o.keep_order && o.tag, "-k --tag together");

  if (PARSES(&o, "--results", "out dir", "t"))
    is_str(o.results, "out dir", "--results DIR");
  if (PARSES(&o, "--results=r", "t"))
    is_str(o.results, "r", "--results=DIR");
  if (PARSES(&o, "--joblog", "jl.txt", "t"))
    is_str(o.joblog, "jl.txt", "--joblog FILE");
  if (PARSES(&o, "--joblog", "jl", "--resume", "t"))
    ok(o.resume && !o.resume_failed, "--joblog --resume");
  if (PARSES(&o, "--resume-failed", "--joblog=jl", "t"))
    ok(!o.resume && o.resume_failed, "--resume-failed before --joblog");

  if (PARSES(&o, "--retries", "0", "t"))
    is_int(o.retries, 0, "--retries 0");
  if (PARSES(&o, "--retries", "3", "t"))
    is_int(o.retries, 3, "--retries 3");
  if (PARSES(&o, "--retries=1000000", "t"))
    is_int(o.retries, 1000000, "--retries 1000000");

  if (PARSES(&o, "--timeout", "2.5", "t"))
    ok(o.timeout == 2.5, "--timeout 2.5");
  if (PARSES(&o, "--timeout=10", "t"))
    ok(o.timeout == 10, "--timeout=10");
  if (PARSES(&o, "--timeout", "0.001", "t"))
    ok(o.timeout == 0.001, "--timeout 0.001");
  if (PARSES(&o, "--timeout", "1e3", "t"))
    ok(o.timeout == 1000, "--timeout 1e3");

  if (PARSES(&o, "--halt", "soon,fail=2", "t")) {
    is_int(o.halt, CLI_HALT_SOON, "--halt soon,fail=2: soon");
    is_int(o.halt_fail, 2, "--halt soon,fail=2: 2");
  }
  if (PARSES(&o, "--halt", "now,fail=1", "t")) {
    is_int(o.halt, CLI_HALT_NOW, "--halt now,fail=1: now");
    is_int(o.halt_fail, 1, "--halt now,fail=1: 1");
  }
  if (PARSES(&o, "--halt=now,fail=100", "t"))
    ok(o.halt == CLI_HALT_NOW && o.halt_fail == 100, "--halt=now,fail=100");
  if (PARSES(&o, "--halt", "never", "t"))
    is_int(o.halt, CLI_HALT_NEVER, "--halt never");
  if (PARSES(&o, "--halt", "now,fail=3", "--halt", "never", "t"))
    is_int(o.halt, CLI_HALT_NEVER, "--halt never after now,fail=3");

  if (PARSES(&o, "--progress", "t"))
    is_int(o.progress, 1, "--progress");
  if (PARSES(&o, "--no-progress", "t"))
    is_int(o.progress, 0, "--no-progress");
  if (PARSES(&o, "--progress", "--no-progress", "t"))
    is_int(o.progress, 0, "--progress --no-progress: the last wins");
  if (PARSES(&o, "--no-progress", "--progress", "t"))
    is_int(o.progress, 1, "--no-progress --progress: the last wins");
  if (PARSES(&o, "--quiet", "t"))
    is_int(o.quiet, 1, "--quiet");

  /* Everything at once. */
  if (PARSES(&o, "-j", "6", "--maxtasksperchild", "2", "-k", "--tag",
             "--joblog", "jl", "--resume", "--retries", "1", "--timeout", "30",
             "--halt", "soon,fail=5", "--progress", "--quiet", "tasks")) {
    char snap[1024];
    snapshot(&o, snap, sizeof snap);
    is_str(snap,
           "tf=tasks af=-NULL- j=6 max=2 k=1 tag=1 res=-NULL- log=jl "
           "resume=1 rf=0 retries=1 timeout=30 halt=1 hf=5 progress=1 "
           "quiet=1 help=0 version=0 cmd(0)=",
           "every option at once");
  }
}

static void test_options_bad_values(void) {
  FAILS("-j needs a number of processes >= 1, not '0'", "-j", "0", "t");
  FAILS("-j needs a number of processes >= 1, not 'x'", "-j", "x", "t");
  FAILS("-j needs a number of processes >= 1, not '-3'", "-j", "-3", "t");
  FAILS("-j needs a number of processes >= 1, not '3x'", "-j", "3x", "t");
  FAILS("-j needs a number of processes >= 1, not ''", "-j", "", "t");
  FAILS("-j needs a number of processes >= 1, not '2.5'", "-j", "2.5", "t");
  FAILS("-j needs a number of processes >= 1, not '2147483648'", "-j",
        "2147483648", "t");
  FAILS("-j needs a number of processes >= 1, not '99999999999999999999'", "-j",
        "99999999999999999999", "t");
  FAILS_HAS("needs a number of processes >= 1, not '0'", "--processes", "0",
            "t");
  FAILS_HAS("needs a number of processes >= 1, not 'many'", "--jobs=many", "t");

  FAILS("--maxtasksperchild needs a number >= 1, not '0'", "--maxtasksperchild",
        "0", "t");
  FAILS("--maxtasksperchild needs a number >= 1, not '-1'",
        "--maxtasksperchild", "-1", "t");
  FAILS("--maxtasksperchild needs a number >= 1, not 'ten'",
        "--maxtasksperchild=ten", "t");

  FAILS("--retries needs a number >= 0, not '-1'", "--retries", "-1", "t");
  FAILS("--retries needs a number >= 0, not 'x'", "--retries", "x", "t");
  FAILS("--retries needs a number >= 0, not '1000001'", "--retries", "1000001",
        "t");

  FAILS("--timeout needs a number of seconds > 0, not '-1'", "--timeout", "-1",
        "t");
  FAILS("--timeout needs a number of seconds > 0, not 'abc'", "--timeout",
        "abc", "t");
  FAILS("--timeout needs a number of seconds > 0, not '0'", "--timeout", "0",
        "t");
  FAILS("--timeout needs a number of seconds > 0, not ''", "--timeout", "",
        "t");
  FAILS("--timeout needs a number of seconds > 0, not '5s'", "--timeout", "5s",
        "t");
  FAILS("--timeout needs a number of seconds > 0, not 'nan'", "--timeout",
        "nan", "t");
  FAILS("--timeout needs a number of seconds > 0, not 'inf'", "--timeout",
        "inf", "t");
  FAILS("--timeout needs a number of seconds > 0, not '1e999'",
        "--timeout=1e999", "t");

  const char *halt_msg = "--halt needs 'soon,fail=N', 'now,fail=N' (N >= 1) "
                         "or 'never', not '%s'";
  const char *bad_halts[] = {
      "bad",          "soon",           "now",          "soon,fail=0",
      "now,fail=-1",  "soon,fail=",     "soon,fail=2x", "later,fail=1",
      "never,fail=1", "soon,success=1", "soonfail=2",   "",
      "SOON,fail=2",  "so,fail=2",      "nowx,fail=1"};
  for (size_t i = 0; i < sizeof bad_halts / sizeof *bad_halts; i++) {
    char want[256];
    snprintf(want, sizeof want, halt_msg, bad_halts[i]);
    FAILS(want, "--halt", bad_halts[i], "t");
  }
}

static void test_options_unknown_and_missing(void) {
  FAILS("unknown option '--bogus' (see --help)", "--bogus", "t");
  FAILS("unknown option '-x' (see --help)", "-x", "t");
  FAILS("unknown option '-x' (see --help)", "-kx", "t");
  FAILS_HAS("--bogus", "--bogus=1", "t");
  FAILS_HAS("--res", "--res", "r", "t"); /* ambiguous: results, resume... */
  /* A value given to an option that takes none: the message must name the
   * option the user typed. */
  FAILS_HAS("--tag", "--tag=1", "t");
  FAILS_HAS("--keep-order", "--keep-order=yes", "t");
  FAILS_HAS("--quiet", "--quiet=1", "t");

  FAILS("option '-j' needs a value", "-j");
  FAILS("option '-a' needs a value", "-a");
  FAILS("option '--timeout' needs a value", "--timeout");
  FAILS("option '--processes' needs a value", "--processes");
  FAILS("option '--joblog' needs a value", "-k", "--joblog");
  FAILS("option '--results' needs a value", "--results");
  FAILS("option '--halt' needs a value", "--halt");
  FAILS("option '--retries' needs a value", "--retries");
  FAILS("option '--maxtasksperchild' needs a value", "--maxtasksperchild");
  /* The next word is the value, even if it looks like an option. */
  FAILS("-j needs a number of processes >= 1, not '-k'", "-j", "-k", "t");

  FAILS("no TASKFILE given (use '-' to read the commands from stdin)", NULL);
  FAILS("no TASKFILE given (use '-' to read the commands from stdin)", "-k",
        "-j", "2");
  FAILS("no TASKFILE given (use '-' to read the commands from stdin)", "--");
  FAILS("unexpected argument 'b' after TASKFILE 'a' (options go before it; "
        "use -a ARGFILE -- COMMAND to run a command)",
        "a", "b");
  FAILS("unexpected argument '-k' after TASKFILE 'tasks' (options go before "
        "it; use -a ARGFILE -- COMMAND to run a command)",
        "tasks", "-k");
  FAILS("unexpected argument 'echo' after TASKFILE 'tasks' (options go "
        "before it; use -a ARGFILE -- COMMAND to run a command)",
        "-k", "tasks", "echo", "hi");

  /* The message is cut to errlen and stays a string. */
  cli_options_t o;
  char small[8];
  snprintf(words[0], sizeof words[0], "mpipool");
  snprintf(words[1], sizeof words[1], "--bogus");
  char *av[] = {words[0], words[1], NULL};
  int rc = cli_options_parse(&o, 2, av, small, sizeof small);
  ok(rc == -1 && strcmp(small, "unkn...") == 0,
     "a message longer than errlen is cut, marked with ..., terminated");
}

static void test_options_argfile(void) {
  cli_options_t o;
  if (PARSES(&o, "-a", "args.txt", "echo", "{}")) {
    is_str(o.argfile, "args.txt", "-a ARGFILE");
    ok(o.taskfile == NULL, "-a: no TASKFILE");
    is_int(o.command_len, 2, "-a: 2 command words");
    if (o.command_len == 2) {
      is_str(o.command[0], "echo", "command word 1");
      is_str(o.command[1], "{}", "command word 2");
    }
  }
  if (PARSES(&o, "-j", "2", "-a", "-", "--", "grep", "-v", "-e", "{}",
             "--tag")) {
    char snap[1024];
    snapshot(&o, snap, sizeof snap);
    is_str(snap,
           "tf=-NULL- af=- j=2 max=0 k=0 tag=0 res=-NULL- log=-NULL- "
           "resume=0 rf=0 retries=0 timeout=0 halt=0 hf=0 progress=-1 "
           "quiet=0 help=0 version=0 cmd(5)=[grep][-v][-e][{}][--tag]",
           "-a - -- COMMAND: words starting with '-' belong to the command");
  }
  if (PARSES(&o, "-a", "args", "--", "-weird", "-k")) {
    ok(o.command_len == 2 && strcmp(o.command[0], "-weird") == 0 &&
           strcmp(o.command[1], "-k") == 0 && !o.keep_order,
       "-a args -- -weird -k: both words are the command");
  }
  if (PARSES(&o, "-a", "args", "echo", "-n", "{}")) {
    ok(o.command_len == 3 && strcmp(o.command[1], "-n") == 0,
       "-a args echo -n {}: options stop at the command, without --");
  }
  if (PARSES(&o, "--arg-file", "args", "-k", "sh", "-c", "echo {#}")) {
    ok(o.keep_order && strcmp(o.argfile, "args") == 0 && o.command_len == 3 &&
           strcmp(o.command[2], "echo {#}") == 0,
       "--arg-file with -k before the command");
  }
  if (PARSES(&o, "--arg-file=a2", "cat"))
    ok(strcmp(o.argfile, "a2") == 0 && o.command_len == 1, "--arg-file=FILE");
  FAILS("-a args.txt needs a COMMAND to run for each line", "-a", "args.txt");
  FAILS("-a args.txt needs a COMMAND to run for each line", "-a", "args.txt",
        "--");
}

static void test_options_conflicts(void) {
  FAILS("--resume needs --joblog FILE", "--resume", "t");
  FAILS("--resume-failed needs --joblog FILE", "--resume-failed", "t");
  FAILS("--resume and --resume-failed exclude each other", "--joblog", "j",
        "--resume", "--resume-failed", "t");
  FAILS("--resume and --resume-failed exclude each other", "--resume",
        "--resume-failed", "t");
  FAILS("--results writes files: --keep-order and --tag do not apply",
        "--results", "r", "-k", "t");
  FAILS("--results writes files: --keep-order and --tag do not apply", "--tag",
        "--results", "r", "t");
}

static void test_options_help_version(void) {
  cli_options_t o;
  if (PARSES(&o, "--help"))
    ok(o.help && !o.version, "--help alone: help set, no TASKFILE needed");
  if (PARSES(&o, "-h"))
    ok(o.help, "-h");
  if (PARSES(&o, "--version"))
    ok(o.version && !o.help, "--version alone");
  if (PARSES(&o, "--help", "--resume", "--resume-failed", "--results", "r",
             "-k"))
    ok(o.help, "--help: conflicts are not checked");
  if (PARSES(&o, "--version", "a", "b", "c"))
    ok(o.version, "--version: extra arguments are not checked");
  if (PARSES(&o, "-a", "args", "--help"))
    ok(o.help, "-a ARGFILE --help: no COMMAND needed");

  const char *u = cli_options_usage();
  ok(u != NULL && strncmp(u, "Usage: mpipool [OPTION]... TASKFILE\n", 36) == 0,
     "usage starts with the synopsis");
  ok(u != NULL && strlen(u) > 0 && u[strlen(u) - 1] == '\n',
     "usage ends with a newline");
  const char *names[] = {"--processes",   "--maxtasksperchild",
                         "--keep-order",  "--tag",
                         "--results",     "--joblog",
                         "--resume",      "--resume-failed",
                         "--retries",     "--timeout",
                         "--halt",        "--progress",
                         "--no-progress", "--quiet",
                         "--help",        "--version",
                         "-a ARGFILE"};
  int all = 1;
  for (size_t i = 0; i < sizeof names / sizeof *names; i++)
    if (u == NULL || strstr(u, names[i]) == NULL) {
      printf("#   usage does not mention %s\n", names[i]);
      all = 0;
    }
  ok(all, "usage mentions every option");
}

static void test_options_twice(void) {
  cli_options_t o;
  char first[1024], second[1024];
  PARSES(&o, "-j", "3", "-k", "--tag", "--timeout", "1.5", "--halt",
         "now,fail=2", "--retries", "2", "--joblog", "log", "--resume-failed",
         "--quiet", "--no-progress", "tasks");
  snapshot(&o, first, sizeof first);
  /* An error in the middle of a cluster leaves getopt half-way. */
  FAILS("unknown option '-x' (see --help)", "-xk", "t");
  PARSES(&o, "-a", "args", "--", "cmd", "-k");
  PARSES(&o, "-j", "3", "-k", "--tag", "--timeout", "1.5", "--halt",
         "now,fail=2", "--retries", "2", "--joblog", "log", "--resume-failed",
         "--quiet", "--no-progress", "tasks");
  snapshot(&o, second, sizeof second);
  is_str(second, first, "the same words parsed again give the same options");
  if (PARSES(&o, "t"))
    ok(o.processes == 0 && !o.keep_order && o.argfile == NULL &&
           o.command == NULL && o.progress == -1 && o.timeout == 0,
       "a later parse starts from the defaults");
  if (PARSES(&o, "-k", "t2"))
    ok(o.keep_order && strcmp(o.taskfile, "t2") == 0,
       "a parse after a short one starts at argv[1]");
  FAILS("-j needs a number of processes >= 1, not '0'", "-kj0", "t");
  if (PARSES(&o, "-j", "7", "t"))
    is_int(o.processes, 7, "parse after a failed cluster -kj0");
}

/* ------------------------------------------------------------------ */
/* progress                                                           */
/* ------------------------------------------------------------------ */

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

/* ------------------------------------------------------------------ */
/* taskmsg                                                            */
/* ------------------------------------------------------------------ */

static void test_taskmsg(void) {
  void *m = NULL;
  size_t len = 0, hdr;
  cli_taskmsg_t t = {0}, d;

  /* The header alone: an empty command. */
  is_int(cli_taskmsg_encode(&t, &m, &len), 0, "encode an empty command");
  hdr = len;
  ok(hdr >= sizeof(uint64_t) + sizeof(double), "header holds seq and timeout");
  memset(&d, 0xa5, sizeof d);
  is_int(cli_taskmsg_decode(m, len, &d), 0, "decode an empty command");
  ok(d.seq == 0 && d.timeout == 0 && d.cmd_len == 0, "empty command back");
  int all = 1;
  for (size_t n = 0; n < hdr; n++)
    if (cli_taskmsg_decode(m, n, &d) != -1) {
      printf("#   a task of %zu bytes (header %zu) was accepted\n", n, hdr);
      all = 0;
    }
  ok(all, "every length shorter than the header is rejected");
  is_int(cli_taskmsg_decode(NULL, 0, &d), -1, "NULL message rejected");
  free(m);

  const char cmd[] = "echo 'a b' && ls -l | wc -l";
  t = (cli_taskmsg_t){42, 2.5, cmd, strlen(cmd)};
  is_int(cli_taskmsg_encode(&t, &m, &len), 0, "encode a command");
  is_int(len, hdr + strlen(cmd), "size: header + command");
  is_int(cli_taskmsg_decode(m, len, &d), 0, "decode it");
  ok(d.seq == 42 && d.timeout == 2.5 && d.cmd_len == strlen(cmd) &&
         memcmp(d.cmd, cmd, d.cmd_len) == 0,
     "round trip: seq, timeout, command");
  ok(d.cmd == (const char *)m + hdr, "the command is borrowed from the msg");
  /* Decoding a copy at an odd address (no alignment needed). */
  char *odd = malloc(len + 1);
  memcpy(odd + 1, m, len);
  ok(cli_taskmsg_decode(odd + 1, len, &d) == 0 && d.seq == 42 &&
         d.timeout == 2.5 && memcmp(d.cmd, cmd, d.cmd_len) == 0,
     "decode at an unaligned address");
  /* Shorter: still a task (the command is what is left). */
  ok(cli_taskmsg_decode(m, len - 3, &d) == 0 && d.cmd_len == strlen(cmd) - 3,
     "a shorter message has a shorter command");
  free(odd);
  free(m);

  const char bin[] = {'a', '\0', 'b', '\n', '\xff'};
  t = (cli_taskmsg_t){UINT64_MAX, 1e9, bin, sizeof bin};
  ok(cli_taskmsg_encode(&t, &m, &len) == 0 &&
         cli_taskmsg_decode(m, len, &d) == 0 && d.seq == UINT64_MAX &&
         d.timeout == 1e9 && d.cmd_len == sizeof bin &&
         memcmp(d.cmd, bin, sizeof bin) == 0,
     "round trip: seq UINT64_MAX, binary command bytes");
  free(m);

  /* Results. */
  cli_resultmsg_t r, back;
  memset(&r, 0, sizeof r);
  size_t rhdr = cli_resultmsg_size(&r);
  ok(rhdr >= 2 * sizeof(double) + 1, "result header holds times and host");
  char *buf = malloc(rhdr);
  cli_resultmsg_encode(&r, buf);
  memset(&back, 0xa5, sizeof back);
  is_int(cli_resultmsg_decode(buf, rhdr, &back), 0, "decode empty outputs");
  ok(back.out_len == 0 && back.err_len == 0 && back.exitval == 0 &&
         back.signal == 0 && back.timed_out == 0 && back.cancelled == 0 &&
         back.host[0] == '\0',
     "empty result back");
  all = 1;
  for (size_t n = 0; n < rhdr; n++)
    if (cli_resultmsg_decode(buf, n, &back) != -1) {
      printf("#   a result of %zu bytes (header %zu) was accepted\n", n, rhdr);
      all = 0;
    }
  ok(all, "every result length shorter than the header is rejected");
  is_int(cli_resultmsg_decode(NULL, 0, &back), -1, "NULL result rejected");
  is_int(cli_resultmsg_decode(buf, rhdr + 1, &back), -1,
         "a byte more than the lengths say is rejected");
  free(buf);

  r.exitval = 3;
  r.signal = 0;
  r.start = 1700000000.25;
  r.runtime = 1.5;
  r.host = "node01";
  r.out = "hello\n";
  r.out_len = 6;
  r.err = "warn\n";
  r.err_len = 5;
  size_t sz = cli_resultmsg_size(&r);
  is_int(sz, rhdr + 6 + 11, "result size: header + host + stdout + stderr");
  buf = malloc(sz);
  cli_resultmsg_encode(&r, buf);
  memset(&back, 0, sizeof back);
  is_int(cli_resultmsg_decode(buf, sz, &back), 0, "decode a result");
  ok(back.exitval == 3 && back.signal == 0 && back.timed_out == 0 &&
         back.cancelled == 0 && back.start == 1700000000.25 &&
         back.runtime == 1.5 && strcmp(back.host, "node01") == 0,
     "round trip: exit value, times, host");
  ok(back.out_len == 6 && memcmp(back.out, "hello\n", 6) == 0 &&
         back.err_len == 5 && memcmp(back.err, "warn\n", 5) == 0,
     "round trip: stdout and stderr");
  ok((const char *)back.out == buf + rhdr + 6 &&
         (const char *)back.err == buf + rhdr + 12,
     "outputs are borrowed from the message");
  is_int(cli_resultmsg_decode(buf, sz - 1, &back), -1,
         "a byte short of the lengths is rejected");
  is_int(cli_resultmsg_decode(buf, rhdr + 12, &back), -1,
         "stderr missing is rejected");
  is_int(cli_resultmsg_decode(buf, rhdr + 9, &back), -1,
         "stdout cut is rejected");
  is_int(cli_resultmsg_decode(buf, rhdr + 3, &back), -1,
         "host cut is rejected");
  char *odd2 = malloc(sz + 1);
  memcpy(odd2 + 1, buf, sz);
  ok(cli_resultmsg_decode(odd2 + 1, sz, &back) == 0 && back.exitval == 3 &&
         back.out_len == 6 && memcmp(back.err, "warn\n", 5) == 0,
     "decode a result at an unaligned address");
  free(odd2);
  free(buf);

  /* Killed by a signal, timed out, cancelled, a host of 200 chars. */
  char longhost[201];
  memset(longhost, 'h', 200);
  longhost[200] = '\0';
  longhost[199] = 'z';
  memset(&r, 0, sizeof r);
  r.exitval = -1;
  r.signal = 9;
  r.timed_out = 1;
  r.cancelled = 1;
  r.host = longhost;
  r.err = "x";
  r.err_len = 1;
  sz = cli_resultmsg_size(&r);
  buf = malloc(sz);
  cli_resultmsg_encode(&r, buf);
  ok(cli_resultmsg_decode(buf, sz, &back) == 0 && back.exitval == -1 &&
         back.signal == 9 && back.timed_out == 1 && back.cancelled == 1 &&
         back.out_len == 0 && back.err_len == 1,
     "round trip: exitval -1, signal 9, timed out, cancelled, stdout empty");
  ok(strcmp(back.host, longhost) == 0, "a 200-character host comes back whole");
  free(buf);

  /* 1 MiB of stdout and of stderr. */
  size_t big = (size_t)1 << 20;
  char *o1 = malloc(big), *e1 = malloc(big);
  for (size_t i = 0; i < big; i++) {
    o1[i] = (char)(i * 7 + 1);
    e1[i] = (char)(i * 13 + 5);
  }
  memset(&r, 0, sizeof r);
  r.exitval = 0;
  r.out = o1;
  r.out_len = big;
  r.err = e1;
  r.err_len = big;
  r.host = "big";
  sz = cli_resultmsg_size(&r);
  is_int(sz, rhdr + 3 + 2 * big, "1 MiB + 1 MiB result size");
  buf = malloc(sz);
  cli_resultmsg_encode(&r, buf);
  ok(cli_resultmsg_decode(buf, sz, &back) == 0 && back.out_len == big &&
         back.err_len == big && memcmp(back.out, o1, big) == 0 &&
         memcmp(back.err, e1, big) == 0 && strcmp(back.host, "big") == 0,
     "round trip: 1 MiB stdout and 1 MiB stderr");
  is_int(cli_resultmsg_decode(buf, sz - big, &back), -1,
         "1 MiB result missing its stderr is rejected");
  free(buf);
  free(o1);
  free(e1);

  /* Inconsistent lengths in the header itself: find the stdout length
   * (100, a value nothing else in this header has) and make it huge. */
  char payload[100];
  memset(payload, 'p', sizeof payload);
  for (int which = 0; which < 2; which++) {
    memset(&r, 0, sizeof r);
    r.exitval = 7;
    r.start = 0.5;
    r.runtime = 0.25;
    r.host = "n";
    if (which == 0) {
      r.out = payload;
      r.out_len = sizeof payload;
    } else {
      r.err = payload;
      r.err_len = sizeof payload;
    }
    sz = cli_resultmsg_size(&r);
    buf = malloc(sz);
    cli_resultmsg_encode(&r, buf);
    size_t at = 0, found = 0;
    for (size_t off = 0; off + 8 <= rhdr; off++) {
      uint64_t v;
      memcpy(&v, buf + off, 8);
      if (v == 100) {
        at = off;
        found++;
      }
    }
    if (found == 1) {
      uint64_t huge = UINT64_MAX;
      memcpy(buf + at, &huge, 8);
      is_int(cli_resultmsg_decode(buf, sz, &back), -1,
             which ? "stderr length UINT64_MAX is rejected"
                   : "stdout length UINT64_MAX is rejected");
      huge = UINT64_MAX - 50;
      memcpy(buf + at, &huge, 8);
      is_int(cli_resultmsg_decode(buf, sz, &back), -1,
             which ? "stderr length that wraps around is rejected"
                   : "stdout length that wraps around is rejected");
    } else {
      ok(0, "cannot find the length field in the result header (%zu)", found);
    }
    free(buf);
  }
}

/* ------------------------------------------------------------------ */
/* taskenv                                                            */
/* ------------------------------------------------------------------ */

static void test_taskenv(void) {
  const char *kept[] = {
      "PATH=/usr/bin:/bin",
      "HOME=/root",
      "OMPI_MCA_btl=self",
      "OMPI_MCA_btl_tcp_if_include=eth0",
      "OMPI_MCA_pml=ob1",
      "LD_LIBRARY_PATH=/opt/lib",
      "SLURM_JOB_ID=123",
      "MY_PMIX_RANK=1",
      "OMP_NUM_THREADS=4",
      "TERM=xterm",
      "X=",
      "MPIPOOL=1",
  };
  for (size_t i = 0; i < sizeof kept / sizeof *kept; i++)
    is_int(cli_taskenv_keep(kept[i]), 1, kept[i]);

  /* Set by Open MPI 4.1's mpirun for its ranks (checked on a real run),
   * by MPICH's hydra, and by an outer mpipool. */
  const char *dropped[] = {
      "PMIX_RANK=0",
      "PMIX_NAMESPACE=prterun-1",
      "PMIX_SERVER_URI2=x",
      "PMIX_ID=1.0",
      "PMIX_HOSTNAME=n1",
      "PMIX_SECURITY_MODE=native",
      "PMIX_MCA_mca_base_component_show_load_errors=0",
      "PMI_RANK=1",
      "PMI_FD=5",
      "PMI_SIZE=4",
      "OMPI_COMM_WORLD_RANK=1",
      "OMPI_COMM_WORLD_SIZE=4",
      "OMPI_COMM_WORLD_LOCAL_RANK=1",
      "OMPI_COMM_WORLD_LOCAL_SIZE=4",
      "OMPI_COMM_WORLD_NODE_RANK=1",
      "OMPI_UNIVERSE_SIZE=4",
      "OMPI_FIRST_RANKS=0",
      "OMPI_APP_CTX_NUM_PROCS=4",
      "OMPI_NUM_APP_CTX=1",
      "OMPI_ARGV=",
      "OMPI_COMMAND=mpipool",
      "OMPI_FILE_LOCATION=/tmp/x",
      "OMPI_MCA_ess=^singleton",
      "OMPI_MCA_ess_base_jobid=123",
      "OMPI_MCA_ess_base_vpid=1",
      "OMPI_MCA_initial_wdir=/tmp",
      "OMPI_MCA_mpi_oversubscribe=0",
      "OMPI_MCA_orte_hnp_uri=1.0;tcp://x",
      "OMPI_MCA_orte_launch=1",
      "OMPI_MCA_orte_num_nodes=1",
      "OMPI_MCA_orte_precondition_transports=abc-def",
      "OMPI_MCA_pmix=^s1,s2,cray,isolated",
      "OMPI_MCA_shmem_RUNTIME_QUERY_hint=mmap",
      "HYDRA_CONTROL_FD=4",
      "HYDI_CONTROL_FD=4",
      "MPI_LOCALRANKID=0",
      "MPI_LOCALNRANKS=2",
      "MPIPOOL_SEQ=5",
      "MPIPOOL_WORKER=3",
  };
  for (size_t i = 0; i < sizeof dropped / sizeof *dropped; i++)
    is_int(cli_taskenv_keep(dropped[i]), 0, dropped[i]);

  char *env[] = {(char *)"PATH=/bin",
                 (char *)"PMIX_RANK=0",
                 (char *)"HOME=/root",
                 (char *)"OMPI_MCA_btl=self",
                 (char *)"OMPI_COMM_WORLD_RANK=1",
                 (char *)"MPIPOOL_SEQ=99",
                 (char *)"OMPI_MCA_ess_base_jobid=7",
                 NULL};
  cli_taskenv_t e;
  is_int(cli_taskenv_init(&e, env), 0, "init from a launcher's environment");
  is_int(e.n, 3, "3 entries kept");
  if (e.n == 3) {
    ok(e.v[0] == env[0] && e.v[1] == env[2] && e.v[2] == env[3],
       "kept entries borrowed, in order");
  }
  cli_taskenv_set(&e, 7, 2);
  if (e.n == 3) {
    is_str(e.v[3], "MPIPOOL_SEQ=7", "MPIPOOL_SEQ set");
    is_str(e.v[4], "MPIPOOL_WORKER=2", "MPIPOOL_WORKER set");
    ok(e.v[5] == NULL, "vector NULL-terminated");
  }
  cli_taskenv_set(&e, ULLONG_MAX, -1);
  int seqs = 0, workers = 0, launcher = 0;
  size_t n = 0;
  for (; e.v[n] != NULL; n++) {
    seqs += strncmp(e.v[n], "MPIPOOL_SEQ=", 12) == 0;
    workers += strncmp(e.v[n], "MPIPOOL_WORKER=", 15) == 0;
    launcher += strncmp(e.v[n], "PMIX_", 5) == 0 ||
                strncmp(e.v[n], "OMPI_COMM_WORLD_", 16) == 0 ||
                strncmp(e.v[n], "OMPI_MCA_ess", 12) == 0;
  }
  ok(n == 5 && seqs == 1 && workers == 1 && launcher == 0,
     "set again: one MPIPOOL_SEQ, one MPIPOOL_WORKER, no launcher variable");
  if (e.n == 3) {
    is_str(e.v[3], "MPIPOOL_SEQ=18446744073709551615", "MPIPOOL_SEQ max");
    is_str(e.v[4], "MPIPOOL_WORKER=-1", "MPIPOOL_WORKER -1");
  }
  cli_taskenv_free(&e);
  ok(e.v == NULL, "free empties it");
  cli_taskenv_free(&e);
  cli_taskenv_free(NULL);
  ok(1, "free twice and free(NULL) are harmless");

  is_int(cli_taskenv_init(&e, NULL), 0, "init from no environment");
  cli_taskenv_set(&e, 1, 0);
  ok(e.n == 0 && strcmp(e.v[0], "MPIPOOL_SEQ=1") == 0 &&
         strcmp(e.v[1], "MPIPOOL_WORKER=0") == 0 && e.v[2] == NULL,
     "no environment: only ours");
  cli_taskenv_free(&e);

  char *empty[] = {NULL};
  is_int(cli_taskenv_init(&e, empty), 0, "init from an empty environment");
  cli_taskenv_set(&e, 2, 1);
  ok(e.n == 0 && e.v[2] == NULL && strcmp(e.v[0], "MPIPOOL_SEQ=2") == 0,
     "empty environment: only ours");
  cli_taskenv_free(&e);
}

/* ------------------------------------------------------------------ */
/* output                                                             */
/* ------------------------------------------------------------------ */

typedef struct {
  FILE *f;
  char *buf;
  size_t len;
} mem_t;

static void mem_open(mem_t *m) {
  m->buf = NULL;
  m->len = 0;
  m->f = open_memstream(&m->buf, &m->len);
  if (m->f == NULL) {
    perror("open_memstream");
    exit(2);
  }
}

/* What was written so far. */
static const char *mem(mem_t *m) {
  fflush(m->f);
  return m->buf ? m->buf : "";
}

static void mem_close(mem_t *m) {
  fclose(m->f);
  free(m->buf);
}

static cli_resultmsg_t result(const char *out, const char *err_) {
  cli_resultmsg_t r;
  memset(&r, 0, sizeof r);
  r.out = out;
  r.out_len = out ? strlen(out) : 0;
  r.err = err_;
  r.err_len = err_ ? strlen(err_) : 0;
  r.host = "host";
  return r;
}

/* The whole file at path, NUL-terminated (malloc'd), or NULL. */
static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    return NULL;
  size_t cap = 256, len = 0;
  char *s = malloc(cap);
  size_t n;
  while ((n = fread(s + len, 1, cap - len - 1, f)) > 0) {
    len += n;
    if (cap - len - 1 == 0)
      s = realloc(s, cap *= 2);
  }
  s[len] = '\0';
  fclose(f);
  return s;
}

static void file_is(const char *dir, const char *name, const char *want,
                    const char *what) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  char *s = slurp(path);
  if (s == NULL)
    ok(0, "%s (cannot read %s: %s)", what, path, strerror(errno));
  else
    is_str(s, want, what);
  free(s);
}

/* Removes path and everything under it. */
static void rm_rf(const char *path) {
  struct stat st;
  if (lstat(path, &st) != 0)
    return;
  if (S_ISDIR(st.st_mode)) {
    DIR *d = opendir(path);
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) {
      if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
        continue;
      char sub[1024];
      snprintf(sub, sizeof sub, "%s/%s", path, de->d_name);
      rm_rf(sub);
    }
    if (d)
      closedir(d);
    rmdir(path);
  } else {
    unlink(path);
  }
}

/* The number of entries in dir (without . and ..), -1 if unreadable. */
static int entries(const char *dir) {
  DIR *d = opendir(dir);
  if (d == NULL)
    return -1;
  int n = 0;
  struct dirent *de;
  while ((de = readdir(d)) != NULL)
    n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
  closedir(d);
  return n;
}

static void test_output_plain(void) {
  mem_t out, er;
  cli_output_t *o = NULL;
  char msg[ERRLEN] = "";
  mem_open(&out);
  mem_open(&er);
  is_int(cli_output_create(&o, 3, 0, 0, NULL, out.f, er.f, msg, sizeof msg), 0,
         "create a plain output");
  cli_resultmsg_t r = result("a\nb\n", "e1\n");
  is_int(cli_output_task(o, 1, 2, &r, msg, sizeof msg), 0, "task 2 first");
  is_str(mem(&out), "a\nb\n", "plain: stdout block written at once");
  is_str(mem(&er), "e1\n", "plain: stderr block written at once");
  r = result("c", NULL);
  is_int(cli_output_task(o, 0, 1, &r, msg, sizeof msg), 0, "task 1 then");
  is_str(mem(&out), "a\nb\nc", "plain: as they come, bytes as they are");
  r = result(NULL, "only err\n");
  is_int(cli_output_task(o, 2, 3, &r, msg, sizeof msg), 0, "task 3");
  is_str(mem(&out), "a\nb\nc", "stderr-only task adds nothing to stdout");
  is_str(mem(&er), "e1\nonly err\n", "its stderr block");
  cli_output_skip(o, 0); /* no effect without --keep-order */
  cli_output_destroy(o);
  is_str(mem(&out), "a\nb\nc", "destroy adds nothing");
  mem_close(&out);
  mem_close(&er);
  cli_output_destroy(NULL);
  ok(1, "destroy(NULL) is a no-op");
}

static void test_output_tag(void) {
  mem_t out, er;
  cli_output_t *o = NULL;
  char msg[ERRLEN] = "";
  mem_open(&out);
  mem_open(&er);
  is_int(cli_output_create(&o, 3, 0, 1, NULL, out.f, er.f, msg, sizeof msg), 0,
         "create a tagged output");
  cli_resultmsg_t r = result("x\ny\nlast", "warn\n");
  cli_output_task(o, 0, 7, &r, msg, sizeof msg);
  is_str(mem(&out), "7\tx\n7\ty\n7\tlast\n",
         "--tag: every stdout line; the last, without one, gets a newline");
  is_str(mem(&er), "7\twarn\n", "--tag: stderr lines tagged too");
  r = result("\n\n", "");
  cli_output_task(o, 1, 18446744073709551615ULL, &r, msg, sizeof msg);
  is_str(mem(&out),
         "7\tx\n7\ty\n7\tlast\n18446744073709551615\t\n"
         "18446744073709551615\t\n",
         "--tag: empty lines tagged, a big task number");
  r = result("", "e1\ne2");
  cli_output_task(o, 2, 3, &r, msg, sizeof msg);
  is_str(mem(&er), "7\twarn\n3\te1\n3\te2\n",
         "--tag: a last stderr line without newline gets one");
  cli_output_destroy(o);
  mem_close(&out);
  mem_close(&er);
}

static void test_output_keep_order(void) {
  mem_t out, er;
  cli_output_t *o = NULL;
  char msg[ERRLEN] = "";
  mem_open(&out);
  mem_open(&er);
  is_int(cli_output_create(&o, 3, 1, 0, NULL, out.f, er.f, msg, sizeof msg), 0,
         "create a keep-order output");
  cli_resultmsg_t r = result("three\n", "err3\n");
  is_int(cli_output_task(o, 2, 3, &r, msg, sizeof msg), 0, "task 3 arrives");
  is_str(mem(&out), "", "-k: task 3 held");
  is_str(mem(&er), "", "-k: its stderr held too");
  r = result("one\n", "err1\n");
  is_int(cli_output_task(o, 0, 1, &r, msg, sizeof msg), 0, "task 1 arrives");
  is_str(mem(&out), "one\n", "-k: task 1 printed, 3 still held");
  r = result("two\n", NULL);
  is_int(cli_output_task(o, 1, 2, &r, msg, sizeof msg), 0, "task 2 arrives");
  is_str(mem(&out), "one\ntwo\nthree\n", "-k: 3,1,2 printed as 1,2,3");
  is_str(mem(&er), "err1\nerr3\n", "-k: stderr in task order");
  is_int(cli_output_task(o, 3, 4, &r, msg, sizeof msg), -1,
         "-k: position past count rejected");
  has_str(msg, "internal", "... with an internal message");
  cli_output_destroy(o);
  is_str(mem(&out), "one\ntwo\nthree\n", "destroy after all: nothing more");
  mem_close(&out);
  mem_close(&er);

  /* With --tag, tasks numbered apart from their position (--resume). */
  mem_open(&out);
  mem_open(&er);
  cli_output_create(&o, 3, 1, 1, NULL, out.f, er.f, msg, sizeof msg);
  r = result("c\n", NULL);
  cli_output_task(o, 2, 9, &r, msg, sizeof msg);
  r = result("b\n", NULL);
  cli_output_task(o, 1, 5, &r, msg, sizeof msg);
  is_int(cli_output_task(o, 1, 5, &r, msg, sizeof msg), -1,
         "-k: a held position given twice is rejected");
  r = result("a\n", NULL);
  cli_output_task(o, 0, 2, &r, msg, sizeof msg);
  is_str(mem(&out), "2\ta\n5\tb\n9\tc\n", "-k --tag: task numbers, in order");
  cli_output_destroy(o);
  mem_close(&out);
  mem_close(&er);
}

static void test_output_skip_and_gap(void) {
  mem_t out, er;
  cli_output_t *o = NULL;
  char msg[ERRLEN] = "";

  /* skip lets later positions through. */
  mem_open(&out);
  mem_open(&er);
  cli_output_create(&o, 4, 1, 0, NULL, out.f, er.f, msg, sizeof msg);
  cli_resultmsg_t r = result("B\n", NULL);
  cli_output_task(o, 1, 2, &r, msg, sizeof msg);
  r = result("D\n", NULL);
  cli_output_task(o, 3, 4, &r, msg, sizeof msg);
  is_str(mem(&out), "", "-k: 2 and 4 held behind 1");
  cli_output_skip(o, 0);
  is_str(mem(&out), "B\n", "skip 1: 2 goes through, 4 waits for 3");
  cli_output_skip(o, 1); /* already written: no effect */
  cli_output_skip(o, 9); /* out of range: no effect */
  cli_output_skip(o, 2);
  is_str(mem(&out), "B\nD\n", "skip 3: 4 goes through");
  cli_output_destroy(o);
  is_str(mem(&out), "B\nD\n", "destroy: nothing more");
  mem_close(&out);
  mem_close(&er);

  /* skip of a held position keeps its output. */
  mem_open(&out);
  mem_open(&er);
  cli_output_create(&o, 2, 1, 0, NULL, out.f, er.f, msg, sizeof msg);
  r = result("second\n", NULL);
  cli_output_task(o, 1, 2, &r, msg, sizeof msg);
  cli_output_skip(o, 1);
  r = result("first\n", NULL);
  cli_output_task(o, 0, 1, &r, msg, sizeof msg);
  is_str(mem(&out), "first\nsecond\n",
         "skip of a held position does not drop its output");
  cli_output_destroy(o);
  mem_close(&out);
  mem_close(&er);

  /* destroy flushes what waits behind a gap (a halted run). */
  mem_open(&out);
  mem_open(&er);
  cli_output_create(&o, 5, 1, 0, NULL, out.f, er.f, msg, sizeof msg);
  r = result("b\n", "eb\n");
  cli_output_task(o, 1, 2, &r, msg, sizeof msg);
  r = result("d\n", NULL);
  cli_output_task(o, 3, 4, &r, msg, sizeof msg);
  is_str(mem(&out), "", "-k: held behind gaps at 1 and 3");
  cli_output_destroy(o);
  is_str(mem(&out), "b\nd\n", "destroy writes the held ones, in order");
  is_str(mem(&er), "eb\n", "... and their stderr");
  mem_close(&out);
  mem_close(&er);

  /* A result with empty outputs, held (NULL outputs: in a child, see
   * keep_order_null_outputs). */
  mem_open(&out);
  mem_open(&er);
  cli_output_create(&o, 2, 1, 0, NULL, out.f, er.f, msg, sizeof msg);
  r = result("", "");
  is_int(cli_output_task(o, 1, 2, &r, msg, sizeof msg), 0,
         "-k: a result without output (held)");
  r = result("x\n", NULL);
  cli_output_task(o, 0, 1, &r, msg, sizeof msg);
  is_str(mem(&out), "x\n", "-k: an empty result in order");
  cli_output_destroy(o);
  mem_close(&out);
  mem_close(&er);

  /* count 0. */
  mem_open(&out);
  mem_open(&er);
  is_int(cli_output_create(&o, 0, 1, 1, NULL, out.f, er.f, msg, sizeof msg), 0,
         "create for 0 tasks");
  cli_output_destroy(o);
  is_str(mem(&out), "", "0 tasks: no output");
  mem_close(&out);
  mem_close(&er);

  /* A position given again after it was written is rejected too (else
   * the copy is held for ever: lost and leaked). */
  mem_open(&out);
  mem_open(&er);
  cli_output_create(&o, 2, 1, 0, NULL, out.f, er.f, msg, sizeof msg);
  r = result("once\n", NULL);
  cli_output_task(o, 0, 1, &r, msg, sizeof msg);
  is_int(cli_output_task(o, 0, 1, &r, msg, sizeof msg), -1,
         "-k: a written position given again is rejected");
  cli_output_destroy(o);
  mem_close(&out);
  mem_close(&er);
}

static void test_output_write_errors(void) {
  FILE *full = fopen("/dev/full", "w");
  if (full == NULL) {
    ok(1, "# SKIP no /dev/full");
    return;
  }
  mem_t er;
  cli_output_t *o = NULL;
  char msg[ERRLEN] = "";
  mem_open(&er);
  cli_output_create(&o, 2, 0, 0, NULL, full, er.f, msg, sizeof msg);
  cli_resultmsg_t r = result("data\n", NULL);
  is_int(cli_output_task(o, 0, 4, &r, msg, sizeof msg), -1,
         "stdout cannot be written: -1");
  has_str(msg, "cannot write the output of task 4", "... the task in msg");
  cli_output_destroy(o);
  clearerr(full);

  /* With -k, a failure while destroy writes held results is reported on
   * the error stream. */
  cli_output_create(&o, 2, 1, 0, NULL, full, er.f, msg, sizeof msg);
  cli_output_task(o, 1, 2, &r, msg, sizeof msg);
  cli_output_destroy(o);
  has_str(mem(&er), "mpipool: cannot write the output of task 2",
          "-k: destroy reports a failed write of a held result");
  fclose(full);
  mem_close(&er);
}

static void test_output_results(void) {
  char tmpl[] = "/tmp/test_cli.XXXXXX";
  char *top = mkdtemp(tmpl);
  if (top == NULL) {
    ok(0, "mkdtemp: %s", strerror(errno));
    return;
  }
  char dir[512], sub[600], path[700];
  snprintf(dir, sizeof dir, "%s/res/deeper", top);
  mem_t out, er;
  cli_output_t *o = NULL;
  char msg[ERRLEN] = "";
  mem_open(&out);
  mem_open(&er);
  is_int(cli_output_create(&o, 3, 1, 1, dir, out.f, er.f, msg, sizeof msg), 0,
         "--results: a missing directory (and parent) is created");
  if (o == NULL) {
    printf("#   %s\n", msg);
    mem_close(&out);
    mem_close(&er);
    rm_rf(top);
    return;
  }
  struct stat st;
  ok(stat(dir, &st) == 0 && S_ISDIR(st.st_mode), "the directory exists");
  is_int(entries(dir), 0, "the probe file is removed");

  cli_resultmsg_t r = result("hello\n", "oops\n");
  r.exitval = 2;
  r.start = 1700000000.5;
  r.runtime = 1.25;
  r.host = "node7";
  is_int(cli_output_task(o, 2, 3, &r, msg, sizeof msg), 0,
         "write task 3 (position 2, first: no waiting with --results)");
  snprintf(sub, sizeof sub, "%s/3", dir);
  file_is(sub, "stdout", "hello\n", "DIR/3/stdout");
  file_is(sub, "stderr", "oops\n", "DIR/3/stderr");
  file_is(sub, "status",
          "exitval=2\nsignal=0\ntimed_out=0\nstart=1700000000.500\n"
          "runtime=1.250\nhost=node7\n",
          "DIR/3/status");

  r = result(NULL, NULL);
  r.exitval = -1;
  r.signal = 15;
  r.timed_out = 1;
  r.start = 1.0;
  r.runtime = 2.0004;
  r.host = "n2";
  is_int(cli_output_task(o, 0, 1, &r, msg, sizeof msg), 0,
         "write task 1: killed, no output");
  snprintf(sub, sizeof sub, "%s/1", dir);
  file_is(sub, "stdout", "", "DIR/1/stdout empty");
  file_is(sub, "stderr", "", "DIR/1/stderr empty");
  file_is(sub, "status",
          "exitval=-1\nsignal=15\ntimed_out=1\nstart=1.000\nruntime=2.000\n"
          "host=n2\n",
          "DIR/1/status of a timed-out task");
  is_str(mem(&out), "", "--results: nothing printed on stdout");
  is_str(mem(&er), "", "--results: nothing printed on stderr");

  /* Written again (a new run into the same directory): replaced. */
  r = result("new\n", NULL);
  r.host = "n3";
  is_int(cli_output_task(o, 2, 3, &r, msg, sizeof msg), 0, "task 3 again");
  snprintf(sub, sizeof sub, "%s/3", dir);
  file_is(sub, "stdout", "new\n", "DIR/3/stdout replaced");
  file_is(sub, "stderr", "", "DIR/3/stderr truncated");
  cli_output_destroy(o);
  is_int(entries(dir), 2, "DIR holds 1/ and 3/ only");

  /* An existing directory is fine. */
  o = NULL;
  is_int(cli_output_create(&o, 1, 0, 0, dir, out.f, er.f, msg, sizeof msg), 0,
         "--results: an existing directory");
  /* The directory turns into a file: writing a task fails. */
  rm_rf(dir);
  FILE *f = fopen(dir, "w");
  if (f)
    fclose(f);
  r = result("x\n", NULL);
  msg[0] = '\0';
  is_int(cli_output_task(o, 0, 5, &r, msg, sizeof msg), -1,
         "--results: a task that cannot be written: -1");
  has_str(msg, "--results: cannot write", "... with a message");
  has_str(msg, "/5", "... naming the task's path");
  cli_output_destroy(o);

  /* Unwritable: under a regular file (root ignores permissions). */
  snprintf(path, sizeof path, "%s/x", dir); /* dir is a file now */
  o = NULL;
  msg[0] = '\0';
  is_int(cli_output_create(&o, 1, 0, 0, path, out.f, er.f, msg, sizeof msg), -1,
         "--results under a regular file: -1");
  ok(o == NULL, "... and no output made");
  has_str(msg, "cannot create the directory", "... cannot create");
  has_str(msg, path, "... naming the directory");
  snprintf(path, sizeof path, "%s/x/y/z", dir);
  is_int(cli_output_create(&o, 1, 0, 0, path, out.f, er.f, msg, sizeof msg), -1,
         "--results deeper under a regular file: -1");
  is_int(cli_output_create(&o, 1, 0, 0, dir, out.f, er.f, msg, sizeof msg), -1,
         "--results naming a regular file: -1");
  has_str(msg, "cannot write in the directory", "... cannot write in it");
  is_int(cli_output_create(&o, 1, 0, 0, "/etc/passwd/x", out.f, er.f, msg,
                           sizeof msg),
         -1, "--results /etc/passwd/x: -1");
  has_str(msg, "--results /etc/passwd/x: cannot create the directory",
          "... message");

  mem_close(&out);
  mem_close(&er);
  rm_rf(top);
}

/* Runs fn in a child process with its stderr captured, so that a
 * sanitizer's report (or abort) there fails one check, not the whole
 * test.  Passes if fn returns 0 and nothing on stderr says "runtime
 * error" or "ERROR:" (UBSan, ASan, valgrind). */
static void in_child(int (*fn)(void), const char *what) {
  int fds[2];
  fflush(stdout);
  fflush(stderr);
  if (pipe(fds) != 0) {
    ok(0, "%s: pipe: %s", what, strerror(errno));
    return;
  }
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    dup2(fds[1], 2);
    close(fds[1]);
    int rc = fn();
    fflush(stderr);
    _exit(rc);
  }
  close(fds[1]);
  char buf[8192];
  size_t len = 0;
  ssize_t n;
  for (;;) {
    char tmp[4096];
    n = read(fds[0], tmp, sizeof tmp);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    size_t take =
        (size_t)n < sizeof buf - 1 - len ? (size_t)n : sizeof buf - 1 - len;
    memcpy(buf + len, tmp, take);
    len += take;
  }
  buf[len] = '\0';
  close(fds[0]);
  int st = 0;
  if (pid < 0 || waitpid(pid, &st, 0) != pid) {
    ok(0, "%s: fork failed", what);
    return;
  }
  int pass = WIFEXITED(st) && WEXITSTATUS(st) == 0 &&
             strstr(buf, "runtime error") == NULL &&
             strstr(buf, "ERROR:") == NULL;
  if (!ok(pass, "%s", what)) {
    printf("#   child %s %d\n", WIFEXITED(st) ? "exit" : "signal",
           WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
    char *line = strtok(buf, "\n");
    for (int i = 0; line != NULL && i < 12; i++, line = strtok(NULL, "\n"))
      printf("#   | %s\n", line);
  }
}

/* --results "" (what `--results ""` or `--results $UNSET` gives) must
 * fail cleanly, without reading past the copy of the empty string. */
static int results_empty_dir(void) {
  cli_output_t *o = NULL;
  char msg[ERRLEN] = "";
  FILE *null = fopen("/dev/null", "w");
  int rc = cli_output_create(&o, 1, 0, 0, "", null, null, msg, sizeof msg);
  if (rc == 0)
    cli_output_destroy(o);
  fclose(null);
  return rc == -1 && msg[0] != '\0' ? 0 : 1;
}

/* -k with a result that has no output at all (out and err NULL, as the
 * master builds for a task that could not run): no undefined behaviour
 * (memcpy from NULL). */
static int keep_order_null_outputs(void) {
  cli_output_t *o = NULL;
  char msg[ERRLEN] = "";
  FILE *null = fopen("/dev/null", "w");
  if (cli_output_create(&o, 2, 1, 0, NULL, null, null, msg, sizeof msg))
    return 2;
  cli_resultmsg_t r = result(NULL, NULL);
  int rc = cli_output_task(o, 1, 2, &r, msg, sizeof msg);
  cli_output_destroy(o);
  fclose(null);
  return rc == 0 ? 0 : 1;
}

static void test_output_in_child(void) {
  in_child(results_empty_dir,
           "--results '': -1 with a message, no out-of-bounds read");
  in_child(keep_order_null_outputs,
           "-k: a held result with NULL outputs, no undefined behaviour");
}

int main(void) {
  /* First: the children must not inherit a leak or a sanitizer's memory
   * of reports already made. */
  test_output_in_child();
  test_options_defaults();
  test_options_good();
  test_options_bad_values();
  test_options_unknown_and_missing();
  test_options_argfile();
  test_options_conflicts();
  test_options_help_version();
  test_options_twice();
  test_progress();
  test_taskmsg();
  test_taskenv();
  test_output_plain();
  test_output_tag();
  test_output_keep_order();
  test_output_skip_and_gap();
  test_output_write_errors();
  test_output_results();
  return tap_done();
}
