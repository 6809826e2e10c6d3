/*
 * test_runner.c - running one command for the mpipool program's worker
 * (cli/runner.c): exit status and signals, captured output, time limit,
 * cancellation, background processes, stdin, process group, environment,
 * direct execution of simple commands, SIGPIPE, descriptor hygiene.
 * Real processes; about 10 seconds in all.
 */
#include "config.h"

#include "cli/runner.h"
#include "cli/simplecmd.h"
#include "../helpers.h"
#include "../tap.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double mono(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double wall(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void sleep_s(double s) {
  struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
  while (nanosleep(&ts, &ts) && errno == EINTR)
    ;
}

/* Runs cmd with this process's environment, checking cli_run returns 0. */
static int run(const char *cmd, double timeout, cli_run_t *r) {
  int err = cli_run(cmd, timeout, CLI_RUN_KEEP_ALL, environ, NULL, NULL, r);
  if (!ok(err == 0, "run \"%s\": cli_run returns 0", cmd))
    printf("#   got %d (%s)\n", err, strerror(err));
  return err;
}

static void done(cli_run_t *r) {
  cli_bytes_free(&r->out);
  cli_bytes_free(&r->err);
}

static int buf_is(const cli_bytes_t *b, const char *want, size_t len) {
  return b->len == len && (len == 0 || memcmp(b->data, want, len) == 0);
}

/* Checks a buffer against a string (which may hold NULs: len given). */
static void out_is(const cli_bytes_t *b, const char *want, size_t len,
                   const char *what) {
  if (!ok(buf_is(b, want, len), "%s", what))
    printf("#   got %zu bytes \"%.*s\", want %zu bytes \"%.*s\"\n", b->len,
           (int)(b->len < 200 ? b->len : 200), b->data ? b->data : "", len,
           (int)len, want);
}

#define OUT_IS(b, lit, what) out_is((b), (lit), sizeof(lit) - 1, (what))

static int contains(const cli_bytes_t *b, const char *s) {
  size_t n = strlen(s);
  for (size_t i = 0; b->data && i + n <= b->len; i++)
    if (memcmp(b->data + i, s, n) == 0)
      return 1;
  return 0;
}

/* Copies a buffer into a NUL-terminated string (static, short). */
static const char *text(const cli_bytes_t *b) {
  static char s[512];
  size_t n = b->len < sizeof s - 1 ? b->len : sizeof s - 1;
  if (n)
    memcpy(s, b->data, n);
  s[n] = '\0';
  return s;
}

static void test_exit_status(void) {
  cli_run_t r;
  if (run("true", 0, &r) == 0) {
    is_int(r.exitval, 0, "true: exitval 0");
    is_int(r.signal, 0, "true: no signal");
    ok(!r.timed_out && !r.cancelled, "true: neither timed out nor cancelled");
    ok(r.out.len == 0 && r.err.len == 0, "true: no output");
  }
  done(&r);
  if (run("exit 3", 0, &r) == 0) {
    is_int(r.exitval, 3, "exit 3 (through sh): exitval 3");
    is_int(r.signal, 0, "exit 3: no signal");
  }
  done(&r);
  if (run("exit 255", 0, &r) == 0)
    is_int(r.exitval, 255, "exit 255: exitval 255");
  done(&r);
  if (run("false", 0, &r) == 0)
    is_int(r.exitval, 1, "false: exitval 1");
  done(&r);
}

static void test_output(void) {
  cli_run_t r;
  if (run("printf out1; printf err1 >&2; printf out2", 0, &r) == 0) {
    OUT_IS(&r.out, "out1out2", "stdout captured alone, no trailing newline");
    OUT_IS(&r.err, "err1", "stderr captured alone, no trailing newline");
    is_int(r.exitval, 0, "stdout and stderr: exitval 0");
  }
  done(&r);
  if (run("echo hello; echo oops >&2; exit 2", 0, &r) == 0) {
    OUT_IS(&r.out, "hello\n", "echo: stdout exact");
    OUT_IS(&r.err, "oops\n", "echo >&2: stderr exact");
    is_int(r.exitval, 2, "output then exit 2: exitval 2");
  }
  done(&r);
  if (run("printf 'a\\0b'; printf '\\0' >&2", 0, &r) == 0) {
    out_is(&r.out, "a\0b", 3, "a NUL byte in stdout kept (3 bytes)");
    out_is(&r.err, "\0", 1, "a lone NUL byte in stderr kept");
  }
  done(&r);
  if (run("printf abc", 0, &r) == 0) {
    OUT_IS(&r.out, "abc", "\"printf abc\" prints abc");
    is_int(r.err.len, 0, "\"printf abc\": empty stderr");
  }
  done(&r);
}

static void test_big_output(void) {
  cli_run_t r;
  size_t mib = 1024 * 1024;
  /* A simple command (direct): 1 MiB of zeros. */
  if (run("head -c 1048576 /dev/zero", 0, &r) == 0) {
    is_int(r.out.len, mib, "1 MiB of stdout: exact length");
    int zeros = 1;
    for (size_t i = 0; i < r.out.len && zeros; i++)
      zeros = r.out.data[i] == 0;
    ok(zeros, "1 MiB of stdout: all zero bytes");
    is_int(r.exitval, 0, "1 MiB: exitval 0");
  }
  done(&r);
  /* Through the shell: 8 MiB of a known pattern. */
  if (run("yes abcdefg | head -c 8388608", 0, &r) == 0) {
    is_int(r.out.len, 8 * mib, "8 MiB of stdout: exact length");
    int same = r.out.len == 8 * mib;
    for (size_t i = 0; i < r.out.len && same; i += 8)
      same = memcmp(r.out.data + i, "abcdefg\n", 8) == 0;
    ok(same, "8 MiB of stdout: content exact");
    is_int(r.err.len, 0, "8 MiB: empty stderr");
  }
  done(&r);
  /* Both pipes filled at once: no deadlock, each exact. */
  if (run("head -c 2097152 /dev/zero >&2; yes | head -c 3145728; "
          "head -c 1048576 /dev/zero >&2",
          10, &r) == 0) {
    is_int(r.out.len, 3 * mib, "3 MiB stdout between 2+1 MiB stderr");
    is_int(r.err.len, 3 * mib, "3 MiB stderr, interleaved with stdout");
    ok(!r.timed_out, "big interleaved output: no time-out");
  }
  done(&r);
}

static void test_signal(void) {
  cli_run_t r;
  if (run("kill -SEGV $$", 0, &r) == 0) {
    is_int(r.exitval, -1, "killed by SIGSEGV: exitval -1");
    is_int(r.signal, SIGSEGV, "killed by SIGSEGV: signal 11");
    ok(!r.timed_out && !r.cancelled, "SIGSEGV: not a time-out nor cancel");
  }
  done(&r);
  if (run("kill -KILL $$", 0, &r) == 0) {
    is_int(r.exitval, -1, "killed by SIGKILL: exitval -1");
    is_int(r.signal, SIGKILL, "killed by SIGKILL: signal 9");
  }
  done(&r);
  /* Exit status 128+n is an exit, not a signal. */
  if (run("exit 139", 0, &r) == 0) {
    is_int(r.exitval, 139, "exit 139: exitval 139");
    is_int(r.signal, 0, "exit 139: no signal");
  }
  done(&r);
}

static void test_timeout(void) {
  cli_run_t r;
  double t = mono();
  if (run("sleep 30", 0.5, &r) == 0) {
    t = mono() - t;
    ok(r.timed_out, "sleep 30, 0.5 s limit: timed_out");
    is_int(r.signal, SIGTERM, "sleep 30, 0.5 s limit: SIGTERM");
    is_int(r.exitval, -1, "sleep 30, 0.5 s limit: exitval -1");
    ok(!r.cancelled, "sleep 30, 0.5 s limit: not cancelled");
    ok(r.runtime >= 0.45 && r.runtime < 5, "runtime %.2f s in [0.45, 5)",
       r.runtime);
    ok(t < 5, "cli_run returned after %.2f s (< 5)", t);
  }
  done(&r);

  t = mono();
  if (run("trap '' TERM; sleep 30", 0.5, &r) == 0) {
    t = mono() - t;
    ok(r.timed_out, "SIGTERM ignored: timed_out");
    is_int(r.signal, SIGKILL, "SIGTERM ignored: SIGKILL 2 s later");
    ok(r.runtime >= 2.3 && r.runtime < 4,
       "SIGTERM ignored: runtime %.2f s in [2.3, 4)", r.runtime);
    ok(t < 4.5, "SIGTERM ignored: returned after %.2f s", t);
  }
  done(&r);

  if (run("sleep 0.1; echo in time", 5, &r) == 0) {
    ok(!r.timed_out, "within the limit: not timed out");
    is_int(r.exitval, 0, "within the limit: exitval 0");
    OUT_IS(&r.out, "in time\n", "within the limit: output");
  }
  done(&r);

  /* The time limit is on the whole group: the shell dies of SIGTERM but a
   * process it started ignores it and keeps the output open.  The group
   * is "still there", so it must get SIGKILL 2 s after the SIGTERM. */
  t = mono();
  if (run("sh -c 'trap \"\" TERM; echo $$; exec sleep 30' & wait", 0.5, &r) ==
      0) {
    ok(r.timed_out, "TERM-proof child: timed_out");
    is_int(r.signal, SIGTERM, "TERM-proof child: the shell died of SIGTERM");
    long pid = atol(text(&r.out));
    ok(pid > 1, "TERM-proof child printed its pid (%ld)", pid);
    double left = 3.0 - (mono() - t); /* SIGKILL due at ~2.5 s */
    if (left > 0)
      sleep_s(left);
    if (pid > 1) {
      int alive = test_running((pid_t)pid);
      if (!ok(!alive, "TERM-proof child in the group is SIGKILLed by 3 s"))
        printf("#   pid %ld still runs %.1f s after the SIGTERM\n", pid,
               mono() - t - 0.5);
      if (alive)
        kill((pid_t)pid, SIGKILL); /* not left behind by the test */
    }
  }
  done(&r);
}

static int calls;
static int cancel_after(void *arg) {
  calls++;
  return calls >= *(int *)arg;
}

static void test_cancel(void) {
  cli_run_t r;
  int n = 3;
  calls = 0;
  double t = mono();
  int err =
      cli_run("sleep 30", 0, CLI_RUN_KEEP_ALL, environ, cancel_after, &n, &r);
  t = mono() - t;
  is_int(err, 0, "cancel: cli_run returns 0");
  ok(r.cancelled, "cancelled after 3 calls: r.cancelled");
  is_int(r.cancelled, 1, "r.cancelled is 1");
  is_int(calls, 3, "cancelled() not called again once it said stop");
  is_int(r.signal, SIGTERM, "cancelled: stopped with SIGTERM");
  is_int(r.exitval, -1, "cancelled: exitval -1");
  ok(!r.timed_out, "cancelled: not timed out");
  ok(t < 1.5, "cancelled after 3 polls: returned after %.2f s", t);
  ok(r.runtime >= 0.1, "cancelled after 3 polls (~100 ms apart): %.2f s",
     r.runtime);
  done(&r);

  /* Cancelled, and exits 0 all the same (as a command that was ending
   * when the stop came): it ran to its end, not cancelled. */
  n = 3;
  calls = 0;
  err = cli_run("trap 'echo done; exit 0' TERM; sleep 30 & wait", 0,
                CLI_RUN_KEEP_ALL, environ, cancel_after, &n, &r);
  is_int(err, 0, "cancelled, exits 0: cli_run returns 0");
  ok(!r.cancelled && r.exitval == 0 && r.signal == 0,
     "cancelled, exits 0: ran to its end, not cancelled (%d, %d, %d)",
     r.cancelled, r.exitval, r.signal);
  OUT_IS(&r.out, "done\n", "cancelled, exits 0: its output");
  done(&r);

  /* Never cancelled: called about every 100 ms, no effect. */
  n = 1000000;
  calls = 0;
  err = cli_run("sleep 0.5; echo fine", 0, CLI_RUN_KEEP_ALL, environ,
                cancel_after, &n, &r);
  is_int(err, 0, "never cancelled: cli_run returns 0");
  ok(!r.cancelled, "never cancelled: r.cancelled 0");
  is_int(r.exitval, 0, "never cancelled: exitval 0");
  OUT_IS(&r.out, "fine\n", "never cancelled: output");
  ok(calls >= 3 && calls <= 12, "cancelled() polled %d times in 0.5 s", calls);
  done(&r);

  /* Cancelled together with a time limit, before it. */
  n = 1;
  calls = 0;
  err = cli_run("trap '' TERM; sleep 30", 10, CLI_RUN_KEEP_ALL, environ,
                cancel_after, &n, &r);
  is_int(err, 0, "cancel at once: cli_run returns 0");
  ok(r.cancelled && !r.timed_out, "cancel at once: cancelled, not timed out");
  is_int(r.signal, SIGKILL, "cancel kills even a TERM-proof command");
  ok(r.runtime >= 1.9 && r.runtime < 3.0,
     "cancel at once: TERM, then KILL 2 s later: %.2f s", r.runtime);
  done(&r);
}

static void test_background(void) {
  cli_run_t r;
  double t = mono();
  if (run("sleep 5 & echo hi; echo $! >&2", 0, &r) == 0) {
    t = mono() - t;
    OUT_IS(&r.out, "hi\n", "background holding stdout: output \"hi\"");
    is_int(r.exitval, 0, "background holding stdout: exitval 0");
    ok(t < 2.5, "background holding stdout: returned after %.2f s", t);
    ok(t >= 0.9, "background output read for ~1 s more (%.2f s)", t);
    long pid = atol(text(&r.err));
    if (pid > 1)
      kill((pid_t)pid, SIGKILL);
  }
  done(&r);

  /* Output written late by the background process within the second. */
  if (run("(sleep 0.3; echo late) & echo early", 0, &r) == 0)
    OUT_IS(&r.out, "early\nlate\n",
           "background output within 1 s of the shell's exit is kept");
  done(&r);

  /* A background process that closes its output does not delay. */
  t = mono();
  if (run("sleep 5 >/dev/null 2>&1 & echo $!", 0, &r) == 0) {
    t = mono() - t;
    ok(t < 0.8, "background without our output: returned after %.2f s", t);
    long pid = atol(text(&r.out));
    if (pid > 1)
      kill((pid_t)pid, SIGKILL);
  }
  done(&r);
}

static void test_stdin(void) {
  cli_run_t r;
  double t = mono();
  if (run("cat", 0, &r) == 0) {
    t = mono() - t;
    ok(t < 2, "cat: returns at once (%.2f s): stdin is not a terminal/pipe", t);
    is_int(r.out.len, 0, "cat: empty stdout");
    is_int(r.exitval, 0, "cat: exitval 0");
  }
  done(&r);
  if (run("readlink /proc/self/fd/0", 0, &r) == 0)
    OUT_IS(&r.out, "/dev/null\n", "stdin is /dev/null");
  done(&r);
  if (run("read x; echo $?", 0, &r) == 0)
    OUT_IS(&r.out, "1\n", "read in the shell: end of file at once");
  done(&r);
}

/* Field 5 of /proc/PID/stat (pgrp), and field 1 (pid). */
static int parse_stat(const char *s, long *pid, long *pgrp) {
  const char *close = strrchr(s, ')');
  char state;
  long ppid;
  if (close == NULL || sscanf(s, "%ld", pid) != 1)
    return -1;
  return sscanf(close + 1, " %c %ld %ld", &state, &ppid, pgrp) == 3 ? 0 : -1;
}

static void test_process_group(void) {
  cli_run_t r;
  long pid = 0, pgrp = 0;
  /* Direct: the program is its group's leader. */
  if (run("cat /proc/self/stat", 0, &r) == 0) {
    ok(parse_stat(text(&r.out), &pid, &pgrp) == 0, "direct: stat parsed");
    ok(pid > 0 && pid == pgrp, "direct: own process group (pid %ld pgrp %ld)",
       pid, pgrp);
    ok(pgrp != (long)getpgrp(), "direct: group %ld is not ours (%ld)", pgrp,
       (long)getpgrp());
  }
  done(&r);
  /* Through the shell. */
  if (run("read a b c d e rest < /proc/$$/stat; echo $$ $e", 0, &r) == 0) {
    ok(sscanf(text(&r.out), "%ld %ld", &pid, &pgrp) == 2, "sh: pid and pgid");
    ok(pid > 0 && pid == pgrp, "sh: own process group (pid %ld pgrp %ld)", pid,
       pgrp);
    ok(pgrp != (long)getpgrp(), "sh: group %ld is not ours (%ld)", pgrp,
       (long)getpgrp());
  }
  done(&r);
  if (run("ps -o pgid= -p $$", 0, &r) == 0) {
    long g = atol(text(&r.out));
    ok(g > 0 && g != (long)getpgrp(), "ps: task group %ld, ours %ld", g,
       (long)getpgrp());
  }
  done(&r);

  /* kill 0 signals the task's group only. */
  if (run("kill 0; echo survived", 0, &r) == 0) {
    is_int(r.signal, SIGTERM, "kill 0: the task died of SIGTERM");
    is_int(r.out.len, 0, "kill 0: nothing after it ran");
  }
  done(&r);
  ok(1, "kill 0 in the task: the test process is still alive");
  if (run("sleep 30 & kill 0; wait", 0, &r) == 0)
    is_int(r.signal, SIGTERM, "kill 0 with a background sleep: SIGTERM");
  done(&r);
  ok(1, "kill 0 with a background job: the test process is still alive");
}

static void test_env(void) {
  cli_run_t r;
  char *env[] = {"FOO=bar", "PATH=/usr/local/bin:/usr/bin:/bin", NULL};
  int err = cli_run("echo $FOO", 0, CLI_RUN_KEEP_ALL, env, NULL, NULL, &r);
  is_int(err, 0, "envp: cli_run returns 0");
  OUT_IS(&r.out, "bar\n", "envp used by the shell: $FOO is bar");
  done(&r);

  err = cli_run("echo \"[$HOME]\"", 0, CLI_RUN_KEEP_ALL, env, NULL, NULL, &r);
  OUT_IS(&r.out, "[]\n", "envp replaces the environment: no HOME");
  done(&r);

  /* A simple command runs directly with exactly envp (the shell would add
   * PWD, dash does): also proves the direct path is taken.  Direct only
   * when envp's PATH is this process's (posix_spawnp searches ours). */
  char path_entry[4096];
  snprintf(path_entry, sizeof path_entry, "PATH=%s",
           getenv("PATH") ? getenv("PATH") : "");
  char *env1[] = {"FOO=bar", path_entry, NULL};
  char **words = cli_simplecmd_argv("env");
  ok(words != NULL, "\"env\" is a simple command");
  free(words);
  err = cli_run("env", 0, CLI_RUN_KEEP_ALL, env1, NULL, NULL, &r);
  is_int(err, 0, "env: cli_run returns 0");
  char want_env[4200];
  snprintf(want_env, sizeof want_env, "FOO=bar\n%s\n", path_entry);
  ok(strcmp(text(&r.out), want_env) == 0,
     "simple \"env\" runs directly, env exactly envp");
  done(&r);

  char *empty[] = {NULL};
  err = cli_run("env", 0, CLI_RUN_KEEP_ALL, empty, NULL, NULL, &r);
  ok(strstr(text(&r.out), "FOO") == NULL,
     "empty envp (no PATH: run by the shell): no FOO");
  is_int(r.exitval, 0, "empty envp: exitval 0");
  done(&r);
}

/* Under valgrind, posix_spawn's vfork-like clone becomes a fork: a failed
 * exec is no longer reported to the parent (the child just exits 127), so
 * the shell fallback for a missing program cannot be seen there. */
static int under_valgrind(void) {
  const char *p = getenv("LD_PRELOAD");
  return p != NULL && strstr(p, "vgpreload") != NULL;
}

static void test_direct_and_fallback(void) {
  cli_run_t r;
  int vg = under_valgrind();
  if (run("no-such-program-xyz arg", 0, &r) == 0) {
    is_int(r.exitval, 127, "missing program: exitval 127 (from sh)");
    if (vg)
      ok(1, "missing program: message # SKIP exec errors lost under valgrind");
    else if (!ok(contains(&r.err, "not found"),
                 "missing program: \"not found\" on stderr"))
      printf("#   stderr: %s\n", text(&r.err));
    if (vg)
      ok(1, "missing program: name # SKIP exec errors lost under valgrind");
    else
      ok(contains(&r.err, "no-such-program-xyz"),
         "missing program: its name on stderr");
  }
  done(&r);
  if (run("/no/such/dir/prog", 0, &r) == 0) {
    is_int(r.exitval, 127, "missing path: exitval 127 (from sh)");
    if (vg)
      ok(1, "missing path: message # SKIP exec errors lost under valgrind");
    else
      ok(r.err.len > 0, "missing path: message on stderr");
  }
  done(&r);
  if (run("/dev/null", 0, &r) == 0) {
    if (vg)
      ok(1, "not executable: 126 # SKIP exec errors lost under valgrind");
    else
      is_int(r.exitval, 126, "not executable: exitval 126 (from sh)");
  }
  done(&r);
  if (run("/usr/bin/printf %s-%s a b", 0, &r) == 0)
    OUT_IS(&r.out, "a-b", "simple command with arguments: output");
  done(&r);
  if (run("ls /proc/self/fd/0", 0, &r) == 0)
    OUT_IS(&r.out, "/proc/self/fd/0\n", "simple ls: output");
  done(&r);

  /* Direct execution must give what the shell would: the program is
   * looked up in envp's PATH, as sh -c would, not in the worker's. */
  char *env[] = {"PATH=/nonexistent", NULL};
  int err = cli_run("cat", 0, CLI_RUN_KEEP_ALL, env, NULL, NULL, &r);
  is_int(err, 0, "PATH from envp: cli_run returns 0");
  if (!ok(r.exitval == 127, "\"cat\" with envp PATH=/nonexistent: 127, as "
                            "sh -c cat would"))
    printf("#   got exitval %d, stderr \"%s\"\n", r.exitval, text(&r.err));
  done(&r);
}

static void test_sigpipe(void) {
  cli_run_t r;
  signal(SIGPIPE, SIG_IGN); /* MPI libraries may do this */
  double t = mono();
  if (run("yes | head -1", 5, &r) == 0) {
    t = mono() - t;
    OUT_IS(&r.out, "y\n", "SIGPIPE ignored by us: yes | head -1 prints y");
    is_int(r.err.len, 0, "SIGPIPE default in the task: yes dies silently");
    ok(!r.timed_out && t < 2, "yes | head -1 ends promptly (%.2f s)", t);
    is_int(r.exitval, 0, "yes | head -1: exitval 0");
  }
  done(&r);
  /* No standard signal (1-31) ignored in the task.  glibc's posix_spawn
   * itself leaves its internal signals 32 and 33 ignored: not checked. */
  if (run("grep SigIgn /proc/self/status", 0, &r) == 0) {
    unsigned long long mask = ~0ull;
    ok(sscanf(text(&r.out), "SigIgn: %llx", &mask) == 1,
       "SigIgn of the task read");
    if (!ok((mask & 0x7fffffffull) == 0, "no signal 1-31 ignored in the task"))
      printf("#   SigIgn %016llx\n", mask);
  }
  done(&r);
}

static void test_start(void) {
  cli_run_t r;
  double before = wall();
  if (run("sleep 0.2", 0, &r) == 0) {
    double after = wall();
    ok(r.start >= before - 0.01 && r.start <= after,
       "start %.3f within the call [%.3f, %.3f]", r.start, before, after);
    ok(r.start - (double)time(NULL) < 2 && (double)time(NULL) - r.start < 2,
       "start close to time(NULL)");
    ok(r.runtime >= 0.19 && r.runtime < 1.5, "sleep 0.2: runtime %.2f s",
       r.runtime);
  }
  done(&r);
}

static int count_fds(void) {
  DIR *d = opendir("/proc/self/fd");
  int n = 0;
  if (d == NULL)
    return -1;
  while (readdir(d) != NULL)
    n++;
  closedir(d);
  return n;
}

static void test_fd_leaks(void) {
  static const char *const cmds[] = {"true", "exit 1", "no-such-program-xyz",
                                     "echo x; echo y >&2", "sleep 1 & echo bg"};
  int before = count_fds(), failed = 0;
  for (int i = 0; i < 50; i++) {
    cli_run_t r;
    const char *cmd = cmds[i % 4];
    if (cli_run(cmd, 5, CLI_RUN_KEEP_ALL, environ, NULL, NULL, &r) != 0)
      failed++;
    done(&r);
  }
  is_int(failed, 0, "50 runs: all started");
  /* One that is timed out, one cancelled, one with a lingering child. */
  cli_run_t r;
  cli_run("sleep 30", 0.2, CLI_RUN_KEEP_ALL, environ, NULL, NULL, &r);
  done(&r);
  int n = 1;
  calls = 0;
  cli_run("sleep 30", 0, CLI_RUN_KEEP_ALL, environ, cancel_after, &n, &r);
  done(&r);
  cli_run(cmds[4], 0, CLI_RUN_KEEP_ALL, environ, NULL, NULL, &r);
  done(&r);
  int after = count_fds();
  ok(before > 0, "counted %d descriptors", before);
  is_int(after, before, "no descriptor leaked after 53 runs");

  /* And the task inherits none of the runner's descriptors: only 0, 1, 2
   * and whatever this process has without close-on-exec (the test's
   * launcher may have left some). */
  char want[1024] = {0}, got[1024] = {0};
  want[0] = want[1] = want[2] = 1;
#if !(defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 34))
  DIR *d = opendir("/proc/self/fd"); /* no closefrom: inheritable ones go */
  struct dirent *e;
  while (d && (e = readdir(d)) != NULL) {
    int fd = atoi(e->d_name);
    if (e->d_name[0] >= '0' && e->d_name[0] <= '9' && fd > 2 && fd < 1024 &&
        fd != dirfd(d) && !(fcntl(fd, F_GETFD) & FD_CLOEXEC))
      want[fd] = 1;
  }
  if (d)
    closedir(d);
#endif
  if (run("ls /proc/$$/fd", 0, &r) == 0) {
    const char *p = text(&r.out);
    int bad = 0;
    while (*p) {
      char *end;
      long fd = strtol(p, &end, 10);
      if (end == p || fd < 0 || fd >= 1024) {
        bad = 1;
        break;
      }
      got[fd] = 1;
      p = end + (*end == '\n');
    }
    ok(!bad && memcmp(got, want, sizeof want) == 0,
       "the task has 0, 1, 2 and none of the worker's descriptors");
    if (bad || memcmp(got, want, sizeof want) != 0)
      printf("#   task's descriptors: %s", text(&r.out));
  }
  done(&r);
}

/* keep: what is kept of stdout and stderr together, and past it only
 * counted, the command running to its end. */
static void test_keep(void) {
  cli_run_t r;
  int err =
      cli_run("printf 12345; printf 678 >&2", 0, 8, environ, NULL, NULL, &r);
  ok(err == 0 && !r.overflow && r.out.len == 5 && r.err.len == 3 &&
         r.out_bytes == 5 && r.err_bytes == 3,
     "keep 8: 5 + 3 bytes are kept, exactly the bound");
  done(&r);
  err = cli_run("head -c 3000000 /dev/zero; echo tail >&2; exit 4", 0, 1000000,
                environ, NULL, NULL, &r);
  ok(err == 0 && r.overflow && r.out.len == 0 && r.err.len == 0 &&
         r.out.data == NULL && r.err.data == NULL,
     "keep 1 MB, 3 MB of stdout: overflow, both emptied and freed");
  ok(r.out_bytes == 3000000 && r.err_bytes == 5,
     "past the bound every byte is still counted, stdout and stderr");
  is_int(r.exitval, 4, "and the command ran to its end");
  done(&r);
  err = cli_run("echo out; head -c 3000000 /dev/zero >&2", 0, 1000000, environ,
                NULL, NULL, &r);
  ok(err == 0 && r.overflow && r.out.len == 0 && r.out_bytes == 4 &&
         r.err_bytes == 3000000 && r.exitval == 0,
     "3 MB of stderr: overflow the same way");
  done(&r);
}

/* With cli_run_forward_signals: a command killed by TERM is a failure,
 * unless this process gets its stop signal too (as when a job's time
 * limit signals every process): then it was stopped, not failed. */
static void test_stopped_by_the_run(void) {
  cli_run_t r;
  cli_run_forward_signals();
  double t = mono();
  if (run("kill -TERM $$", 0, &r) == 0) {
    is_int(r.signal, SIGTERM, "killed by TERM alone: signal 15");
    ok(!r.cancelled, "killed by TERM alone: a failure, not cancelled");
    t = mono() - t;
    ok(t >= 0.4 && t < 3, "killed by TERM alone: waited %.2f s for a stop", t);
  }
  done(&r);
  if (run("(sleep 0.2; kill -TERM $PPID) & kill -TERM $$", 0, &r) == 0) {
    is_int(r.signal, SIGTERM, "TERM to it, then to this process: signal 15");
    ok(r.cancelled, "TERM to it, then to this process: cancelled");
  }
  done(&r);
  if (run("sleep 0.2; kill -TERM $PPID; kill -TERM $$", 0, &r) == 0)
    ok(r.cancelled, "TERM to this process first, then to it: cancelled");
  done(&r);
  if (run("sleep 0.2; kill -TERM $$", 0, &r) == 0)
    ok(!r.cancelled, "a stop of an earlier command is not this one's");
  done(&r);
}

static int cancel_flag(void *arg) { return *(int *)arg; }

/* After a stop signal, a command about to start waits for cancelled() (the
 * master's TERMINATE under mpirun, which kills the job soon after): it is
 * not started if that comes, and starts after 5 s if it never does. */
static void test_held_by_a_stop(void) {
  cli_run_t r;
  int yes = 1, no = 0;
  cli_run_forward_signals();
  unlink("held.mark");
  /* The signal comes while a command runs: it is stopped, and the next
   * one is held, then cancelled without being started. */
  int err = cli_run("kill -TERM $PPID; sleep 30", 0, CLI_RUN_KEEP_ALL, environ,
                    cancel_flag, &no, &r);
  ok(err == 0 && r.cancelled && r.signal == SIGTERM,
     "a stop signal during a command: stopped, cancelled (%d, %d)", r.cancelled,
     r.signal);
  done(&r);
  double t = mono();
  err = cli_run("touch held.mark", 0, CLI_RUN_KEEP_ALL, environ, cancel_flag,
                &yes, &r);
  t = mono() - t;
  ok(err == 0 && r.cancelled && r.exitval == 0 && r.signal == 0,
     "held, then cancelled: reported cancelled (%d, %d, %d)", r.cancelled,
     r.exitval, r.signal);
  ok(access("held.mark", F_OK) != 0, "held, then cancelled: never started");
  ok(t < 0.5, "held, then cancelled: returned after %.2f s", t);
  done(&r);
  /* Still held (no command started since the stop): cancelled() never
   * says so, and the command starts after the hold. */
  t = mono();
  err = cli_run("touch held.mark", 0, CLI_RUN_KEEP_ALL, environ, cancel_flag,
                &no, &r);
  t = mono() - t;
  ok(err == 0 && !r.cancelled && r.exitval == 0,
     "held, not cancelled: ran (%d, %d)", r.cancelled, r.exitval);
  ok(access("held.mark", F_OK) == 0, "held, not cancelled: it ran");
  ok(t >= 4.9 && t < 8, "held, not cancelled: started after %.2f s", t);
  done(&r);
  /* The hold is over: the next command starts at once. */
  t = mono();
  err = cli_run("true", 0, CLI_RUN_KEEP_ALL, environ, cancel_flag, &yes, &r);
  t = mono() - t;
  ok(err == 0 && !r.cancelled && t < 1,
     "after the hold, a command starts at once (%.2f s)", t);
  done(&r);
  unlink("held.mark");
}

int main(void) {
  /* kill -SEGV must not leave a core file behind. */
  struct rlimit nocore = {0, 0};
  setrlimit(RLIMIT_CORE, &nocore);
  double t0 = mono();
  test_exit_status();
  test_output();
  test_big_output();
  test_keep();
  test_signal();
  test_timeout();
  test_cancel();
  test_background();
  test_stdin();
  test_process_group();
  test_env();
  test_direct_and_fallback();
  test_sigpipe();
  test_start();
  test_fd_leaks();
  test_stopped_by_the_run();
  test_held_by_a_stop();
  printf("# %.1f s\n", mono() - t0);
  return tap_done();
}
