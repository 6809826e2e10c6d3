/*
 * test_cli_options.c - the command line (cli/options.c): defaults, every
 * option, bad values, unknown and missing options, the argument file form,
 * conflicts, help and version, options given twice; no MPI.
 */
#include "../tap.h"
#include "../cli_helpers.h"
#include "cli/options.h"

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

/* The file of the first input source (-a FILE), or NULL. */
static const char *argfile_of(const cli_options_t *o) {
  return o->nsources ? o->sources[0].path : NULL;
}

/* Every field of o, as one string (for comparing two parses). */
static void snapshot(const cli_options_t *o, char *buf, size_t len) {
  int n = snprintf(
      buf, len,
      "tf=%s af=%s j=%d max=%ld k=%d tag=%d res=%s log=%s resume=%d rf=%d "
      "retries=%d timeout=%g halt=%d hf=%ld progress=%d quiet=%d help=%d "
      "version=%d cmd(%d)=",
      o->taskfile ? o->taskfile : "-NULL-",
      argfile_of(o) ? argfile_of(o) : "-NULL-", o->processes, o->maxtasks,
      o->keep_order, o->tag, o->results ? o->results : "-NULL-",
      o->joblog ? o->joblog : "-NULL-", o->resume, o->resume_failed, o->retries,
      o->timeout, (int)o->halt, o->halt_fail, o->progress, o->quiet, o->help,
      o->version, o->command_len);
  for (int i = 0; i < o->command_len && n > 0 && (size_t)n < len; i++)
    n += snprintf(buf + n, len - (size_t)n, "[%s]", o->command[i]);
}

static void test_options_defaults(void) {
  cli_options_t o;
  if (PARSES(&o, "tasks.txt")) {
    is_str(o.taskfile, "tasks.txt", "TASKFILE");
    ok(argfile_of(&o) == NULL && o.command == NULL && o.command_len == 0,
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
  if (PARSES(&o, "--report", "r.html", "t"))
    ok(strcmp(o.report, "r.html") == 0 && o.joblog == NULL,
       "--report FILE, without --joblog");
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
    is_str(argfile_of(&o), "args.txt", "-a ARGFILE");
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
    ok(o.keep_order && strcmp(argfile_of(&o), "args") == 0 &&
           o.command_len == 3 && strcmp(o.command[2], "echo {#}") == 0,
       "--arg-file with -k before the command");
  }
  if (PARSES(&o, "--arg-file=a2", "cat"))
    ok(strcmp(argfile_of(&o), "a2") == 0 && o.command_len == 1,
       "--arg-file=FILE");
  if (PARSES(&o, "-a", "args.txt"))
    ok(o.command_len == 0 && o.nsources == 1,
       "-a without a command: each line is one (as GNU parallel runs it)");
  if (PARSES(&o, "-a", "a1", "-a", "a2", "cat"))
    ok(o.nsources == 2 && strcmp(o.sources[1].path, "a2") == 0 &&
           !o.sources[1].linked && o.command_len == 1,
       "two -a: two sources, crossed");
}

/* GNU parallel's input sources after the command. */
static void test_options_sources(void) {
  cli_options_t o;
  if (PARSES(&o, "echo", "{1}", ":::", "a", "b", ":::+", "1", "2", "::::", "f1",
             "f2", "::::+", "f3", ":::", "x")) {
    is_int(o.command_len, 2, "the command before the first :::");
    is_int(o.nsources, 6, "six sources");
    const cli_source_spec_t *v = o.sources;
    ok(v[0].path == NULL && v[0].nwords == 2 && !v[0].linked &&
           strcmp(v[0].words[1], "b") == 0,
       "::: a b: two words");
    ok(v[1].path == NULL && v[1].nwords == 2 && v[1].linked,
       ":::+ 1 2: linked to the one before");
    ok(strcmp(v[2].path, "f1") == 0 && strcmp(v[3].path, "f2") == 0 &&
           !v[2].linked && !v[3].linked,
       ":::: f1 f2: two file sources, crossed");
    ok(strcmp(v[4].path, "f3") == 0 && v[4].linked, "::::+ f3: linked");
    ok(v[5].nwords == 1 && !v[5].linked, "::: x");
    ok(o.taskfile == NULL, "no TASKFILE");
  }
  if (PARSES(&o, "::: ", ":::", "echo a", "echo b"))
    ok(o.command_len == 1 && strcmp(o.command[0], "::: ") == 0 &&
           o.nsources == 1 && o.sources[0].nwords == 2,
       "only the exact word ':::' separates");
  if (PARSES(&o, ":::", "echo a", "echo b"))
    ok(o.command_len == 0 && o.nsources == 1,
       "no command: each argument is one");
  if (PARSES(&o, "echo", ":::"))
    ok(o.nsources == 1 && o.sources[0].nwords == 0,
       "::: with no word: an empty source (refused when the tasks are "
       "read)");
  if (PARSES(&o, "-a", "f", "echo", ":::", "x"))
    ok(o.nsources == 2 && strcmp(o.sources[0].path, "f") == 0 &&
           o.sources[1].nwords == 1 && o.command_len == 1,
       "-a FILE first, then the ::: sources");
  if (PARSES(&o, "--dry-run", "echo", ":::", "x"))
    ok(o.dry_run, "--dry-run");
  if (PARSES(&o, "--colsep", "\\t", "--header", ":", "-a", "p.tsv", "echo"))
    ok(o.colsep && strcmp(o.colsep, "\\t") == 0 && o.header == 1 &&
           o.nsources == 1,
       "--colsep REGEXP and --header :");
  if (PARSES(&o, "-C", ",", "echo", ":::", "a,b"))
    ok(o.colsep && strcmp(o.colsep, ",") == 0 && o.header == 0,
       "-C is --colsep, as in GNU parallel");
  if (PARSES(&o, "--colsep=", "echo", ":::", "ab"))
    ok(o.colsep && *o.colsep == '\0', "--colsep '': split between bytes");
  FAILS("option '--colsep' needs a value", "--colsep");
  FAILS("option '--header' needs a value", "--header");
  FAILS("--header takes ':' (the first line of each input source names its "
        "columns), not '0'",
        "--header", "0", "echo", ":::", "a");
  FAILS("--colsep splits the arguments of input sources (-a, :::, ::::) "
        "into columns, not the commands of a TASKFILE",
        "--colsep", ",", "tasks.txt");
  FAILS("--header splits the arguments of input sources (-a, :::, ::::) "
        "into columns, not the commands of a TASKFILE",
        "--header", ":", "tasks.txt");
  FAILS(":::: needs a file name", "echo", "::::", ":::", "x");
  FAILS(":::: needs a file name", "echo", "::::");
  FAILS(":::+ links the first input source to none before it", "echo", ":::+",
        "a");
  FAILS("::::+ links the first input source to none before it", "echo", "::::+",
        "f");
  /* 65 sources: one too many. */
  const char *many[2 + 2 * 65 + 1] = {"mpipool", "echo"};
  for (int i = 0; i < 65; i++) {
    many[2 + 2 * i] = ":::";
    many[3 + 2 * i] = "w";
  }
  char msg[256] = "";
  is_int(cli_options_parse(&o, 2 + 2 * 65, (char **)many, msg, sizeof msg), -1,
         "65 input sources: refused");
  is_str(msg, "more than 64 input sources", "... saying so");
}

static void test_options_conflicts(void) {
  FAILS("--resume needs --joblog FILE", "--resume", "t");
  FAILS("--report needs a file name, not ''", "--report", "", "t");
  FAILS("--report 'j' is the joblog: writing the report would destroy it",
        "--joblog", "j", "--report", "j", "t");
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
  const char *names[] = {
      "--processes", "--maxtasksperchild", "--keep-order", "--tag",
      "--results",   "--joblog",           "--resume",     "--resume-failed",
      "--retries",   "--timeout",          "--halt",       "--progress",
      "--report",    "--no-progress",      "--quiet",      "--help",
      "--version",   "-a ARGFILE"};
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
    ok(o.processes == 0 && !o.keep_order && argfile_of(&o) == NULL &&
           o.command == NULL && o.progress == -1 && o.timeout == 0,
       "a later parse starts from the defaults");
  if (PARSES(&o, "-k", "t2"))
    ok(o.keep_order && strcmp(o.taskfile, "t2") == 0,
       "a parse after a short one starts at argv[1]");
  FAILS("-j needs a number of processes >= 1, not '0'", "-kj0", "t");
  if (PARSES(&o, "-j", "7", "t"))
    is_int(o.processes, 7, "parse after a failed cluster -kj0");
}

int main(void) {
  test_options_defaults();
  test_options_good();
  test_options_bad_values();
  test_options_unknown_and_missing();
  test_options_argfile();
  test_options_sources();
  test_options_conflicts();
  test_options_help_version();
  test_options_twice();
  return tap_done();
}
