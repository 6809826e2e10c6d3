/*
 * test_cli_output.c - where a task's output goes (cli/output.c): plain, tagged,
 * in task order, skipped tasks, write errors, --results files; no MPI.
 */
#include "../tap.h"
#include "../cli_helpers.h"
#include "cli/alloc.h"
#include "cli/output.h"
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

static void test_output_gap(void) {
  mem_t out, er;
  cli_output_t *o = NULL;
  char msg[ERRLEN] = "";
  cli_resultmsg_t r;

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
          "runtime=1.250\nhost=node7\ndropped=0\n",
          "DIR/3/status");

  r = result(NULL, NULL);
  r.exitval = -1;
  r.signal = 15;
  r.timed_out = 1;
  r.start = 1.0;
  r.runtime = 2.0004;
  r.host = "n2";
  r.out_lost = 5000; /* and its output too large to come back */
  r.err_lost = 7;
  is_int(cli_output_task(o, 0, 1, &r, msg, sizeof msg), 0,
         "write task 1: killed, no output");
  snprintf(sub, sizeof sub, "%s/1", dir);
  file_is(sub, "stdout", "", "DIR/1/stdout empty");
  file_is(sub, "stderr", "", "DIR/1/stderr empty");
  file_is(sub, "status",
          "exitval=-1\nsignal=15\ntimed_out=1\nstart=1.000\nruntime=2.000\n"
          "host=n2\ndropped=5007\n",
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

/* MPIPOOL_OUTPUT_MEMORY's sizes. */
static void test_output_parse_memory(void) {
  static const struct {
    const char *s;
    int rc;
    size_t bytes;
  } cases[] = {{"0", 0, 0},
               {"123", 0, 123},
               {"2k", 0, 2048},
               {"3K", 0, 3072},
               {"64M", 0, (size_t)64 << 20},
               {"1G", 0, (size_t)1 << 30},
               {"", -1, 0},
               {"M", -1, 0},
               {"12x", -1, 0},
               {"12MB", -1, 0},
               {"-1", -1, 0},
               {" 5", -1, 0},
               {"99999999999999999999", -1, 0},
               {"18446744073709551615G", -1, 0}};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    size_t b = 7;
    int rc = cli_output_parse_memory(cases[i].s, &b);
    ok(rc == cases[i].rc && (rc != 0 || b == cases[i].bytes),
       "MPIPOOL_OUTPUT_MEMORY='%s': %s", cases[i].s,
       cases[i].rc ? "refused" : "read");
  }
  size_t b;
  is_int(cli_output_parse_memory(NULL, &b), -1, "NULL refused");
}

/* Files named mpipool-output-* in dir. */
static int spill_files(const char *dir) {
  DIR *d = opendir(dir);
  int n = 0;
  struct dirent *de;
  while (d && (de = readdir(d)) != NULL)
    n += strncmp(de->d_name, "mpipool-output-", 15) == 0;
  if (d)
    closedir(d);
  return n;
}

/* A text of about n bytes: lines of 0 to 199 characters, the last one
 * without its newline. */
static char *lines_of(size_t n, int seed) {
  char *s = malloc(n + 1);
  size_t i = 0;
  unsigned x = (unsigned)seed;
  while (i < n) {
    x = x * 1103515245u + 12345u;
    size_t len = (x >> 8) % 200;
    for (size_t k = 0; k < len && i < n; k++)
      s[i++] = (char)('a' + (k + (size_t)seed) % 26);
    if (i < n)
      s[i++] = '\n';
  }
  s[n - 1] = 'z';
  s[n] = '\0';
  return s;
}

/* -k past the memory bound: held outputs go to a temporary file in
 * $TMPDIR, unlinked at once, and come out as they would from memory. */
static void test_output_spill(void) {
  char tmpdir[] = "/tmp/test_cli_output_spill.XXXXXX";
  char msg[ERRLEN] = "";
  if (mkdtemp(tmpdir) == NULL) {
    ok(0, "mkdtemp: %s", strerror(errno));
    return;
  }
  const char *old = getenv("TMPDIR");
  char *saved = old ? strdup(old) : NULL;
  setenv("TMPDIR", tmpdir, 1);

  /* Small: a bound of 10 bytes, tasks 4, 3, 2 held, then task 1. */
  mem_t out, er;
  cli_output_t *o = NULL;
  size_t memory;
  unsigned long long file;
  mem_open(&out);
  mem_open(&er);
  cli_output_create(&o, 4, 1, 0, NULL, out.f, er.f, msg, sizeof msg);
  cli_output_set_memory(o, 10);
  cli_resultmsg_t r = result("four\n", "e4\n");
  is_int(cli_output_task(o, 3, 4, &r, msg, sizeof msg), 0, "task 4 held");
  r = result("three\n", NULL);
  is_int(cli_output_task(o, 2, 3, &r, msg, sizeof msg), 0, "task 3 held");
  r = result("two\n", "e2\n");
  is_int(cli_output_task(o, 1, 2, &r, msg, sizeof msg), 0, "task 2 held");
  cli_output_held(o, &memory, &file);
  ok(memory == 8 && file == 13,
     "bound 10: task 4's 8 bytes in memory, the 13 of 3 and 2 in the file");
  is_int(spill_files(tmpdir), 0, "the file is unlinked at once");
  r = result("one\n", NULL);
  is_int(cli_output_task(o, 0, 1, &r, msg, sizeof msg), 0, "task 1 arrives");
  is_str(mem(&out), "one\ntwo\nthree\nfour\n", "all out, in task order");
  is_str(mem(&er), "e2\ne4\n", "stderr too, from the file");
  cli_output_held(o, &memory, &file);
  ok(memory == 0 && file == 0, "nothing held any more");
  cli_output_destroy(o);
  mem_close(&out);
  mem_close(&er);

  /* Large, tagged, read back in pieces: the same bytes as from memory. */
  size_t big = 300000;
  char *t1 = lines_of(big, 1), *t2 = lines_of(big / 3, 2),
       *t3 = lines_of(big, 3);
  char *outs[2], *errs[2];
  for (int spill = 0; spill < 2; spill++) {
    for (int tag = 0; tag < 2; tag++) {
      mem_open(&out);
      mem_open(&er);
      cli_output_create(&o, 3, 1, tag, NULL, out.f, er.f, msg, sizeof msg);
      cli_output_set_memory(o, spill ? 0 : CLI_OUTPUT_MEMORY);
      r = result(t1, t2);
      cli_output_task(o, 2, 30, &r, msg, sizeof msg);
      r = result(t3, NULL);
      cli_output_task(o, 1, 20, &r, msg, sizeof msg);
      cli_output_held(o, &memory, &file);
      if (spill)
        ok(memory == 0 && file == 2 * big + big / 3,
           "bound 0%s: everything held is in the file", tag ? ", --tag" : "");
      r = result("first\n", "x");
      cli_output_task(o, 0, 10, &r, msg, sizeof msg);
      cli_output_destroy(o);
      if (spill == 0) {
        outs[tag] = strdup(mem(&out));
        errs[tag] = strdup(mem(&er));
      } else {
        ok(strcmp(mem(&out), outs[tag]) == 0 &&
               strcmp(mem(&er), errs[tag]) == 0 && strlen(outs[tag]) > 2 * big,
           "%s: 600 kB held in the file come out as from memory",
           tag ? "-k --tag" : "-k");
        free(outs[tag]);
        free(errs[tag]);
      }
      mem_close(&out);
      mem_close(&er);
    }
  }
  free(t1);
  free(t2);
  free(t3);
  is_int(spill_files(tmpdir), 0, "no file left in TMPDIR");

  /* No temporary file to be had: said, and the caller stops. */
  setenv("TMPDIR", "/nonexistent/mpipool-test", 1);
  mem_open(&out);
  mem_open(&er);
  cli_output_create(&o, 2, 1, 0, NULL, out.f, er.f, msg, sizeof msg);
  cli_output_set_memory(o, 0);
  r = result("two\n", NULL);
  is_int(cli_output_task(o, 1, 2, &r, msg, sizeof msg), -1,
         "no temporary file: -1");
  has_str(msg,
          "cannot hold the output of task 2: cannot create a temporary file "
          "in /nonexistent/mpipool-test",
          "... saying where and why");
  cli_output_destroy(o);
  mem_close(&out);
  mem_close(&er);

  if (saved) {
    setenv("TMPDIR", saved, 1);
    free(saved);
  } else {
    unsetenv("TMPDIR");
  }
  rm_rf(tmpdir);
}

/* Gives the task at pos (number pos + 1) the output "<pos>\n". */
static int task_numbered(cli_output_t *o, size_t pos, char *msg,
                         size_t msglen) {
  char text[32];
  snprintf(text, sizeof text, "%zu\n", pos);
  cli_resultmsg_t r = result(text, NULL);
  return cli_output_task(o, pos, pos + 1, &r, msg, msglen);
}

/* -k keeps a window of positions, not a slot per task: 10,000 tasks
 * finished last first (after 37 in order, so that the window does not
 * start at 0) make it grow, and still come out in order. */
static void test_output_window_reverse(void) {
  enum { N = 10000 };
  mem_t out, er;
  cli_output_t *o = NULL;
  char msg[ERRLEN] = "";
  long live = cli_alloc_live();
  mem_open(&out);
  mem_open(&er);
  cli_output_create(&o, N, 1, 0, NULL, out.f, er.f, msg, sizeof msg);
  int bad = 0;
  for (size_t pos = 0; pos < 37; pos++)
    bad += task_numbered(o, pos, msg, sizeof msg) != 0;
  char *want = malloc((size_t)N * 6 + 1), *w = want;
  for (size_t pos = 0; pos < 37; pos++)
    w += sprintf(w, "%zu\n", pos);
  is_str(mem(&out), want, "-k: 37 tasks in order, written at once");
  for (size_t pos = N - 1; pos > 37; pos--)
    bad += task_numbered(o, pos, msg, sizeof msg) != 0;
  is_int(bad, 0, "-k: then 9,962 tasks held, last first");
  is_str(mem(&out), want, "... none written before the 38th");
  size_t memory;
  cli_output_held(o, &memory, NULL);
  ok(memory > 0, "... all held");
  is_int(task_numbered(o, 37, msg, sizeof msg), 0, "the 38th task");
  for (size_t pos = 37; pos < N; pos++)
    w += sprintf(w, "%zu\n", pos);
  ok(strcmp(mem(&out), want) == 0, "-k: 10,000 tasks written in order");
  free(want);
  cli_output_held(o, &memory, NULL);
  is_int(memory, 0, "... nothing held any more");
  is_int(task_numbered(o, N - 1, msg, sizeof msg), -1,
         "... a written position given again is rejected");
  cli_output_destroy(o);
  is_int(cli_alloc_live(), live, "... and nothing left allocated");
  mem_close(&out);
  mem_close(&er);
}

/* Tasks finished in order but for one, early: the window grows again and
 * again with all it holds laid out anew, which comes out in order. */
static void test_output_window_ascending(void) {
  enum { N = 10000 };
  mem_t out, er;
  cli_output_t *o = NULL;
  char msg[ERRLEN] = "";
  mem_open(&out);
  mem_open(&er);
  cli_output_create(&o, N, 1, 1, NULL, out.f, er.f, msg, sizeof msg);
  int bad = 0;
  for (size_t pos = 0; pos < N; pos++)
    if (pos != 37)
      bad += task_numbered(o, pos, msg, sizeof msg) != 0;
  is_int(bad, 0, "-k --tag: all tasks but the 38th, in order");
  char *want = malloc((size_t)N * 12 + 1), *w = want;
  for (size_t pos = 0; pos < 37; pos++)
    w += sprintf(w, "%zu\t%zu\n", pos + 1, pos);
  is_str(mem(&out), want, "... 37 written, the rest held");
  is_int(task_numbered(o, 37, msg, sizeof msg), 0, "the 38th task");
  for (size_t pos = 37; pos < N; pos++)
    w += sprintf(w, "%zu\t%zu\n", pos + 1, pos);
  ok(strcmp(mem(&out), want) == 0, "-k --tag: 10,000 tasks written in order");
  free(want);
  cli_output_destroy(o);
  mem_close(&out);
  mem_close(&er);
}

/* A task far past the window, after others, and tasks numbered up to
 * SIZE_MAX / 2: nothing is allocated by the number of tasks (a slot each
 * would not fit), and destroy passes over the rest without a step each
 * (a halted run: those tasks never ran). */
static void test_output_window_far(void) {
  mem_t out, er;
  cli_output_t *o = NULL;
  char msg[ERRLEN] = "";
  long live = cli_alloc_live();
  mem_open(&out);
  mem_open(&er);
  is_int(cli_output_create(&o, SIZE_MAX / 2, 1, 0, NULL, out.f, er.f, msg,
                           sizeof msg),
         0, "-k: create for SIZE_MAX / 2 tasks");
  if (o == NULL) {
    printf("#   %s\n", msg);
    mem_close(&out);
    mem_close(&er);
    return;
  }
  task_numbered(o, 5, msg, sizeof msg);
  task_numbered(o, 3, msg, sizeof msg);
  is_int(task_numbered(o, 100000, msg, sizeof msg), 0,
         "a task far past the window, after others: held");
  task_numbered(o, 2, msg, sizeof msg);
  is_str(mem(&out), "", "... all wait for 0");
  task_numbered(o, 0, msg, sizeof msg);
  task_numbered(o, 1, msg, sizeof msg);
  is_str(mem(&out), "0\n1\n2\n3\n", "0 to 3 written");
  task_numbered(o, 4, msg, sizeof msg);
  is_str(mem(&out), "0\n1\n2\n3\n4\n5\n", "4 and 5 too");
  task_numbered(o, 100001, msg, sizeof msg);
  is_int(task_numbered(o, 250000, msg, sizeof msg), 0,
         "another far past the window");
  is_int(task_numbered(o, SIZE_MAX / 2, msg, sizeof msg), -1,
         "position count rejected");
  /* A step per position would take for ever: killed rather than hung. */
  alarm(60);
  cli_output_destroy(o);
  alarm(0);
  is_str(mem(&out), "0\n1\n2\n3\n4\n5\n100000\n100001\n250000\n",
         "destroy writes it, skipping the rest");
  is_int(cli_alloc_live(), live, "... and nothing left allocated");
  mem_close(&out);
  mem_close(&er);
}

/* Out of memory widening the window: the task is refused with a message
 * (and can be given again). */
static void test_output_window_oom(void) {
  mem_t out, er;
  cli_output_t *o = NULL;
  char msg[ERRLEN] = "";
  long live = cli_alloc_live();
  mem_open(&out);
  mem_open(&er);
  cli_output_create(&o, 1000, 1, 0, NULL, out.f, er.f, msg, sizeof msg);
  task_numbered(o, 1, msg, sizeof msg);
  cli_alloc_fail_at(1);
  msg[0] = '\0';
  is_int(task_numbered(o, 500, msg, sizeof msg), -1,
         "-k: out of memory widening the window: -1");
  has_str(msg, "out of memory", "... saying so");
  is_int(task_numbered(o, 500, msg, sizeof msg), 0,
         "... the same task given again: held");
  is_int(task_numbered(o, 800, msg, sizeof msg), 0, "task at 800 held");
  task_numbered(o, 0, msg, sizeof msg);
  is_str(mem(&out), "0\n1\n", "written up to the first gap");
  cli_output_destroy(o);
  is_str(mem(&out), "0\n1\n500\n800\n", "destroy writes the rest, in order");
  is_int(cli_alloc_live(), live, "... and nothing left allocated");
  mem_close(&out);
  mem_close(&er);
}

/* A failed write while destroy writes what -k holds: what is left in the
 * window (grown) is freed all the same. */
static void test_output_window_write_error(void) {
  FILE *full = fopen("/dev/full", "w");
  if (full == NULL) {
    ok(1, "# SKIP no /dev/full");
    return;
  }
  mem_t er;
  cli_output_t *o = NULL;
  char msg[ERRLEN] = "";
  long live = cli_alloc_live();
  mem_open(&er);
  cli_output_create(&o, 1000, 1, 0, NULL, full, er.f, msg, sizeof msg);
  task_numbered(o, 1, msg, sizeof msg);
  is_int(task_numbered(o, 700, msg, sizeof msg), 0,
         "-k: tasks at 1 and 700 held");
  cli_output_destroy(o);
  has_str(mem(&er), "mpipool: cannot write the output of task 2",
          "destroy reports the failed write");
  is_int(cli_alloc_live(), live, "... and frees what it did not write");
  fclose(full);
  mem_close(&er);
}

int main(void) {
  /* First: the children must not inherit a leak or a sanitizer's memory
   * of reports already made. */
  test_output_in_child();
  test_output_plain();
  test_output_tag();
  test_output_keep_order();
  test_output_gap();
  test_output_write_errors();
  test_output_results();
  test_output_parse_memory();
  test_output_spill();
  test_output_window_reverse();
  test_output_window_ascending();
  test_output_window_far();
  test_output_window_oom();
  test_output_window_write_error();
  return tap_done();
}
