/*
 * test_tasklist.c - the mpipool program's task list (cli/tasklist.c):
 * reading a task file, expanding a command template over an argument file,
 * and quoting for /bin/sh.
 */
#include "../cli_helpers.h"
#include "../helpers.h"
#include "../tap.h"
#include "cli/alloc.h"
#include "cli/colsep.h"
#include "cli/tasklist.h"
#include "cli/template.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ERRLEN 256

/* Every task of a list, read through: for the tests to look at. */
typedef struct {
  size_t n;
  cli_task_t *v; /* commands copied */
} tasklist_t;

static void tasklist_free(tasklist_t *tl) {
  for (size_t i = 0; i < tl->n; i++)
    cli_free((char *)tl->v[i].cmd);
  cli_free(tl->v);
  *tl = (tasklist_t){0};
}

/* Opens the list of f (tmpl NULL: a task file) and reads it through twice
 * (a second pass must give the same tasks).  Returns what
 * cli_tasks_open or cli_tasks_next returned first that was not 0 or 1;
 * tl holds the tasks of the last pass.  sep not NULL: its lines are split
 * into columns at sep (trimmed), and with header the first line names
 * them (cli_tasks_open_columns). */
static int read_columns(tasklist_t *tl, FILE *f, const char *name,
                        char *const *tmpl, int words, const char *sep,
                        int header, char *err) {
  cli_tasks_t *ts;
  cli_task_t t;
  cli_colsep_t *cs = NULL;
  int rc;
  *tl = (tasklist_t){0};
  if (sep && cli_colsep_compile(&cs, sep, 1, err, ERRLEN) != 0) {
    fclose(f);
    return -1;
  }
  rc = sep ? cli_tasks_open_columns(&ts, f, name, tmpl, words, cs, header, err,
                                    ERRLEN)
           : cli_tasks_open(&ts, f, name, tmpl, words, err, ERRLEN);
  if (rc != 0)
    return rc;
  for (int pass = 0; pass < 2 && rc == 0; pass++) {
    tasklist_free(tl);
    size_t cap = 0;
    while ((rc = cli_tasks_next(ts, &t, err, ERRLEN)) == 1) {
      char *cmd = cli_malloc(t.len + 1);
      if (cmd == NULL ||
          cli_grow((void **)&tl->v, &cap, tl->n + 1, sizeof *tl->v) != 0) {
        cli_free(cmd);
        snprintf(err, ERRLEN, "out of memory (in the test)");
        rc = -1;
        break;
      }
      memcpy(cmd, t.cmd, t.len + 1);
      tl->v[tl->n] = t;
      tl->v[tl->n++].cmd = cmd;
    }
    if (rc == 0 && cli_tasks_count(ts) != tl->n) {
      snprintf(err, ERRLEN, "counted %llu tasks, read %zu",
               (unsigned long long)cli_tasks_count(ts), tl->n);
      rc = -1;
    }
    if (rc == 0)
      rc = cli_tasks_rewind(ts, err, ERRLEN);
  }
  cli_tasks_free(ts);
  return rc;
}

/* read_columns of lines not split. */
static int read_all(tasklist_t *tl, FILE *f, const char *name,
                    char *const *tmpl, int words, char *err) {
  return read_columns(tl, f, name, tmpl, words, NULL, 0, err);
}

/* Whether task i (0-based) of tl is the command want, from line `line`. */
static int task_is(const tasklist_t *tl, size_t i, const char *want,
                   size_t line) {
  if (i >= tl->n) {
    printf("#   no task %zu (n = %zu)\n", i + 1, tl->n);
    return 0;
  }
  const cli_task_t *t = &tl->v[i];
  int same = t->len == strlen(want) && memcmp(t->cmd, want, t->len) == 0 &&
             t->cmd[t->len] == '\0' && t->line == line && t->seq == i + 1;
  if (!same)
    printf("#   task %zu: got [%s] (len %zu, line %zu, seq %llu), want [%s] "
           "line %zu\n",
           i + 1, t->cmd, t->len, t->line, (unsigned long long)t->seq, want,
           line);
  return same;
}

static void test_read(void) {
  static const char text[] = "echo a\n"
                             "\n"
                             "   \n"
                             "\t\r\n"
                             "# a comment\n"
                             "  \t# an indented comment\n"
                             "  spaced  cmd \n"
                             "crlf\r\n"
                             "a # not a comment\n"
                             "last";
  tasklist_t tl = {0};
  char err[ERRLEN] = "";
  FILE *f = test_stream(text, sizeof text - 1);
  is_int(read_all(&tl, f, "t.txt", NULL, 0, err), 0, "read a task file");
  is_int(tl.n, 5, "blank, whitespace-only and # lines are skipped");
  ok(task_is(&tl, 0, "echo a", 1), "task 1: a plain line, without its \\n");
  ok(task_is(&tl, 1, "  spaced  cmd ", 7),
     "task 2: leading and trailing spaces kept exactly");
  ok(task_is(&tl, 2, "crlf\r", 8), "task 3: the CR before \\n is kept");
  ok(task_is(&tl, 3, "a # not a comment", 9),
     "task 4: a '#' after the first word is not a comment");
  ok(task_is(&tl, 4, "last", 10), "task 5: last line without its newline");

  tasklist_free(&tl);
  cli_tasks_free(NULL);
  ok(1, "cli_tasks_free(NULL) is a no-op");

  /* Input that cannot be read twice (a pipe: stdin from another program)
   * is copied on the first pass, and read again from the copy. */
  int fds[2];
  if (pipe(fds) != 0 || write(fds[1], text, sizeof text - 1) < 0 ||
      close(fds[1]) != 0)
    exit(2);
  f = fdopen(fds[0], "r");
  is_int(read_all(&tl, f, "(stdin)", NULL, 0, err), 0,
         "a pipe is read, and read again");
  is_int(tl.n, 5, "the same five tasks from a pipe");
  ok(task_is(&tl, 4, "last", 10), "the last task from the pipe's copy");
  tasklist_free(&tl);

  /* A copy that cannot be made: said, nothing read. */
  if (pipe(fds) != 0 || write(fds[1], "a\n", 2) < 0 || close(fds[1]) != 0)
    exit(2);
  char *tmpdir = getenv("TMPDIR") ? strdup(getenv("TMPDIR")) : NULL;
  setenv("TMPDIR", "/nonexistent/dir", 1);
  f = fdopen(fds[0], "r");
  is_int(read_all(&tl, f, "(stdin)", NULL, 0, err), -1,
         "a pipe with no room for its copy fails");
  ok(strstr(err, "cannot create a temporary file in /nonexistent/dir") != NULL,
     "message: %s", err);
  if (tmpdir)
    setenv("TMPDIR", tmpdir, 1);
  else
    unsetenv("TMPDIR");
  free(tmpdir);

  f = test_stream("", 0);
  is_int(read_all(&tl, f, "e.txt", NULL, 0, err), 0, "an empty file");
  is_int(tl.n, 0, "an empty file gives no task");
  f = test_stream("# only\n\n \n", 10);
  is_int(read_all(&tl, f, "e.txt", NULL, 0, err), 0,
         "a file of comments and blanks");
  is_int(tl.n, 0, "a file of comments and blanks gives no task");
  tasklist_free(&tl);
}

static void test_long_line(void) {
  size_t big = 1u << 20;
  char *text = malloc(big + 7);
  if (text == NULL)
    exit(2);
  memset(text, 'x', big);
  memcpy(text + big, "\nshort", 6);
  tasklist_t tl = {0};
  char err[ERRLEN] = "";
  FILE *f = test_stream(text, big + 6);
  is_int(read_all(&tl, f, "big.txt", NULL, 0, err), 0,
         "read a file with a 1 MiB line");
  is_int(tl.n, 2, "two tasks");
  ok(tl.n > 0 && tl.v[0].len == big && memcmp(tl.v[0].cmd, text, big) == 0 &&
         tl.v[0].cmd[big] == '\0',
     "the 1 MiB line is kept whole");
  ok(task_is(&tl, 1, "short", 2), "the line after it");
  tasklist_free(&tl);
  free(text);
}

static void test_read_errors(void) {
  static const char text[] = "ok1\n# x\nbad\0byte\nok4\n";
  tasklist_t tl = {0};
  char err[ERRLEN] = "";
  FILE *f = test_stream(text, sizeof text - 1);
  is_int(read_all(&tl, f, "t.txt", NULL, 0, err), -1,
         "a NUL byte in a line fails");
  ok(strcmp(err, "t.txt:3: line holds a NUL byte") == 0,
     "the message names the file and line: %s", err);
  is_int(tl.n, 0, "nothing is given when a line is bad");
  tasklist_free(&tl);

  /* A NUL byte in a line without its newline, at the end of the file. */
  f = test_stream("a\n\0", 3);
  is_int(read_all(&tl, f, "t.txt", NULL, 0, err), -1,
         "a NUL byte in an unterminated last line fails");
  ok(strcmp(err, "t.txt:2: line holds a NUL byte") == 0, "message: %s", err);
  tasklist_free(&tl);

  f = fopen("/dev/null", "w");
  if (f == NULL)
    exit(2);
  err[0] = '\0';
  is_int(read_all(&tl, f, "w.txt", NULL, 0, err), -1,
         "a stream that cannot be read fails");
  ok(strncmp(err, "w.txt:1: read error: ", 21) == 0, "message: %s", err);
  is_int(tl.n, 0, "no task from an unreadable stream");
  tasklist_free(&tl);
}

/* Writes text over the file at path (its length: exactly text's). */
static void put(const char *path, const char *text, size_t len) {
  FILE *f = fopen(path, "w");
  if (f == NULL || fwrite(text, 1, len, f) != len || fclose(f) != 0)
    exit(2);
}

/* Whether the next task of ts is refused as a change of its file. */
static int refused(cli_tasks_t *ts, const char *why) {
  char err[ERRLEN] = "";
  cli_task_t t;
  int rc = cli_tasks_next(ts, &t, err, sizeof err);
  if (rc == -1 && strstr(err, "t.txt changed while mpipool ran") != NULL)
    return 1;
  printf("#   %s: rc %d [%s]\n", why, rc, err);
  return 0;
}

/* The file changed after its first pass (edited while the run goes on):
 * another pass says so, never gives other tasks than counted. */
static void test_changed(void) {
  char path[] = "/tmp/test_cli_tasklist-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0)
    exit(2);
  close(fd);
  put(path, "a\nb\n", 4);
  char err[ERRLEN] = "";
  cli_tasks_t *ts;
  cli_task_t t;
  FILE *f = fopen(path, "r");
  is_int(f ? cli_tasks_open(&ts, f, "t.txt", NULL, 0, err, sizeof err) : -1, 0,
         "open a task file");
  is_int((int)cli_tasks_count(ts), 2, "two tasks counted");
  put(path, "a\nb\nc\n", 6);
  ok(cli_tasks_next(ts, &t, err, sizeof err) == 1 &&
         cli_tasks_next(ts, &t, err, sizeof err) == 1 &&
         refused(ts, "a line appended"),
     "a line appended since: refused at the third task");
  cli_tasks_rewind(ts, err, sizeof err);
  put(path, "a\n", 2);
  ok(cli_tasks_next(ts, &t, err, sizeof err) == 1 &&
         refused(ts, "a line taken away"),
     "a line taken away: refused at the end");
  cli_tasks_rewind(ts, err, sizeof err);
  put(path, "a\n\0\n", 4);
  ok(cli_tasks_next(ts, &t, err, sizeof err) == 1 && refused(ts, "a NUL byte"),
     "a NUL byte since: refused");
  cli_tasks_rewind(ts, err, sizeof err);
  put(path, "x\ny\n", 4);
  ok(cli_tasks_next(ts, &t, err, sizeof err) == 1 && strcmp(t.cmd, "x") == 0,
     "the same count of other commands is read as it is (the joblog's "
     "check compares commands)");
  cli_tasks_free(ts);
  unlink(path);
}

static void test_quote(void) {
  static const struct {
    const char *in, *want;
  } cases[] = {
      {"", "''"},
      {"abc", "'abc'"},
      {"my file.txt", "'my file.txt'"},
      {"it's", "'it'\\''s'"},
      {"'", "''\\'''"},
      {"''", "''\\'''\\'''"},
      {"$HOME `id` \"x\" \\ * ; | &", "'$HOME `id` \"x\" \\ * ; | &'"},
      {"tab\there\r", "'tab\there\r'"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *q = cli_shell_quote(cases[i].in, strlen(cases[i].in));
    if (!ok(q != NULL && strcmp(q, cases[i].want) == 0, "quote case %zu",
            i + 1))
      printf("#   got [%s], want [%s]\n", q ? q : "(null)", cases[i].want);
    free(q);
  }
  char *q = cli_shell_quote("abcdef", 3);
  ok(q != NULL && strcmp(q, "'abc'") == 0, "quote stops at len");
  free(q);

  /* /bin/sh itself must read the quoted word back as the original bytes. */
  static const char nasty[] = "a b'c\"d$e`f`\\g\th;i|j*k'";
  q = cli_shell_quote(nasty, sizeof nasty - 1);
  char cmd[256], got[256] = "";
  snprintf(cmd, sizeof cmd, "printf '%%s' %s", q ? q : "");
  free(q);
  FILE *p = popen(cmd, "r");
  size_t n = p ? fread(got, 1, sizeof got - 1, p) : 0;
  got[n] = '\0';
  if (!ok(p != NULL && pclose(p) == 0 && strcmp(got, nasty) == 0,
          "/bin/sh reads the quoted word back unchanged"))
    printf("#   got [%s]\n", got);
}

static void test_expand(void) {
  static const char args[] = "my file.txt\n"
                             "it's\n"
                             "\n"
                             "# not a comment\n"
                             "  \n"
                             "cr\r\n"
                             "last";
  char *echo[] = {"echo", "{}"};
  tasklist_t tl = {0};
  char err[ERRLEN] = "";
  FILE *f = test_stream(args, sizeof args - 1);
  is_int(read_all(&tl, f, "a.txt", echo, 2, err), 0, "expand echo {}");
  is_int(tl.n, 6, "only the empty line is skipped");
  ok(task_is(&tl, 0, "echo 'my file.txt'", 1), "a line with a space");
  ok(task_is(&tl, 1, "echo 'it'\\''s'", 2), "a line with a single quote");
  ok(task_is(&tl, 2, "echo '# not a comment'", 4), "a '#' line is an argument");
  ok(task_is(&tl, 3, "echo '  '", 5), "a blank line is an argument");
  ok(task_is(&tl, 4, "echo 'cr\r'", 6), "the CR is kept in the argument");
  ok(task_is(&tl, 5, "echo 'last'", 7), "last line without its newline");
  tasklist_free(&tl);

  /* {#} is the task's number: empty lines are not tasks. */
  char *cp[] = {"cp", "{}", "out{#}.txt"};
  f = test_stream("a\n\nb c\n", 7);
  is_int(read_all(&tl, f, "a.txt", cp, 3, err), 0, "expand cp {} out{#}.txt");
  is_int(tl.n, 2, "two tasks");
  ok(task_is(&tl, 0, "cp 'a' out1.txt", 1), "{#} is 1 first");
  ok(task_is(&tl, 1, "cp 'b c' out2.txt", 3), "{#} is 2 next (line 3)");
  tasklist_free(&tl);

  char *diff[] = {"diff", "{}", "{}.bak", "#{#}{#}"};
  f = test_stream("x y\n", 4);
  is_int(read_all(&tl, f, "a.txt", diff, 4, err), 0, "several {} and {#}");
  ok(task_is(&tl, 0, "diff 'x y' 'x y'.bak #11", 1),
     "every {} and {#} is replaced");
  tasklist_free(&tl);

  char *gzip[] = {"gzip", "-9", "{#}"};
  f = test_stream("f 1\n", 4);
  is_int(read_all(&tl, f, "a.txt", gzip, 3, err), 0, "a template without {}");
  ok(task_is(&tl, 0, "gzip -9 1 'f 1'", 1),
     "without {} the quoted line is appended after a space");
  tasklist_free(&tl);

  char *odd[] = {"echo", "{{}}", "{", "}", "{#"};
  f = test_stream("q\n", 2);
  is_int(read_all(&tl, f, "a.txt", odd, 5, err), 0, "stray braces");
  ok(task_is(&tl, 0, "echo {'q'} { } {#", 1),
     "only {} and {#} are replaced; '{ }' across words is not {}");
  tasklist_free(&tl);

  char *sh[] = {"sh -c 'echo \"$0\"'"};
  f = test_stream("z\n", 2);
  is_int(read_all(&tl, f, "a.txt", sh, 1, err), 0,
         "a one-word template holding spaces");
  ok(task_is(&tl, 0, "sh -c 'echo \"$0\"' 'z'", 1),
     "template words are not quoted");
  tasklist_free(&tl);

  f = test_stream("a\nb\0\n", 5);
  is_int(read_all(&tl, f, "args", echo, 2, err), -1,
         "a NUL byte in an argument fails");
  ok(strcmp(err, "args:2: line holds a NUL byte") == 0, "message: %s", err);
  is_int(tl.n, 0, "no task is given");
  tasklist_free(&tl);

  f = test_stream("echo a\n\nls 'b c'\n", 16);
  is_int(read_all(&tl, f, "args", echo, 0, err), 0, "an empty template");
  ok(task_is(&tl, 0, "echo a", 1) && task_is(&tl, 1, "ls 'b c'", 3),
     "an empty template: each line is a command, as it is");
  tasklist_free(&tl);

  char *names[] = {"mv", "{}", "{//}/{/.}.bak", "{.}"};
  f = test_stream("d/x.tar.gz\n", 11);
  is_int(read_all(&tl, f, "args", names, 4, err), 0, "{//} {/.} {.}");
  ok(task_is(&tl, 0, "mv 'd/x.tar.gz' 'd'/'x.tar'.bak 'd/x.tar'", 1),
     "an argument file's line through {//}, {/.} and {.}");
  tasklist_free(&tl);
}

/* The product of input sources, as GNU parallel orders it. */
static void test_product(void) {
  char *a[] = {"a", "b"}, *n[] = {"1", "2", "3"};
  cli_source_spec_t spec[] = {{NULL, a, 2, 0}, {NULL, n, 3, 0}};
  cli_sources_t *src;
  cli_tasks_t *ts;
  char err[ERRLEN] = "";
  cli_task_t t;
  char *tmpl[] = {"echo", "{2}{1}", "{#}"};
  is_int(cli_sources_load(&src, spec, 2, 0, err, sizeof err), 0, "two sources");
  is_int(cli_tasks_open_sources(&ts, src, tmpl, 3, NULL, err, sizeof err), 0,
         "their product");
  is_int((int)cli_tasks_count(ts), 6, "2 x 3 tasks");
  char got[256] = "";
  for (int pass = 0; pass < 2; pass++) {
    got[0] = '\0';
    while (cli_tasks_next(ts, &t, err, sizeof err) == 1)
      snprintf(got + strlen(got), sizeof got - strlen(got), "%s|", t.cmd);
    cli_tasks_rewind(ts, err, sizeof err);
  }
  is_str(got,
         "echo '1''a' 1|echo '2''a' 2|echo '3''a' 3|echo '1''b' 4|echo "
         "'2''b' 5|echo '3''b' 6|",
         "the first source varies slowest; read again after a rewind");
  cli_tasks_free(ts);

  spec[1].linked = 1;
  cli_sources_load(&src, spec, 2, 0, err, sizeof err);
  is_int(cli_tasks_open_sources(&ts, src, tmpl, 0, NULL, err, sizeof err), 0,
         "linked, no template");
  got[0] = '\0';
  while (cli_tasks_next(ts, &t, err, sizeof err) == 1)
    snprintf(got + strlen(got), sizeof got - strlen(got), "%s|", t.cmd);
  is_str(got, "a 1|b 2|", "linked: in pairs, as many as the shorter has");
  cli_tasks_free(ts);

  spec[1].linked = 0;
  spec[1].nwords = 0;
  cli_sources_load(&src, spec, 2, 0, err, sizeof err);
  is_int(cli_tasks_open_sources(&ts, src, tmpl, 3, NULL, err, sizeof err), -1,
         "an empty source: no task");
  is_str(err, "input source 2 (:::) has no arguments: no task",
         "... says which");
  spec[1].nwords = 3;
  char *three[] = {"echo", "{3}"};
  cli_sources_load(&src, spec, 2, 0, err, sizeof err);
  is_int(cli_tasks_open_sources(&ts, src, three, 2, NULL, err, sizeof err), -1,
         "{3} of two sources: refused");
  is_str(err,
         "the replacement string {3} names input source 3, but there are 2",
         "... saying so");
}

/* --colsep and --header: an argument file's lines and the sources'
 * arguments split into columns, named by their first line. */
static void test_columns(void) {
  tasklist_t tl = {0};
  char err[ERRLEN] = "";
  char *tmpl[] = {"echo", "{2}", "{1}", "{3}", "{}"};
  FILE *f = test_stream("a,b\n 1 , 2 \n3\n", 14);
  is_int(read_columns(&tl, f, "c.csv", tmpl, 5, ",", 0, err), 0,
         "--colsep , over an argument file");
  is_int(tl.n, 3, "every line a task");
  ok(task_is(&tl, 0, "echo 'b' 'a'  'a' 'b'", 1),
     "{n} the n-th column; a column the line lacks is nothing, not ''");
  ok(task_is(&tl, 1, "echo '2' '1'  '1' '2'", 2),
     "columns trimmed; {} every column, each quoted");
  ok(task_is(&tl, 2, "echo  '3'  '3'", 3), "a line of one column");
  tasklist_free(&tl);

  char *named[] = {"sim",  "--a",     "{alpha}", "{beta.}",
                   "{2/}", "${HOME}", "{a,b}"};
  f = test_stream("alpha\tbeta\nx y\tf.txt\n", 21);
  is_int(read_columns(&tl, f, "p.tsv", named, 7, "\\t", 1, err), 0,
         "--header : --colsep '\\t'");
  is_int(tl.n, 1, "the header line is no task");
  ok(task_is(&tl, 0, "sim --a 'x y' 'f' 'f.txt' ${HOME} {a,b}", 2),
     "{name} and {name.} are the named columns; the shell's braces stay");
  tasklist_free(&tl);

  char *unknown[] = {"echo", "{gamma}"};
  f = test_stream("alpha,beta\n1,2\n", 15);
  is_int(read_columns(&tl, f, "p.csv", unknown, 2, ",", 1, err), -1,
         "an unknown {name} is refused");
  is_str(err,
         "the replacement string {gamma} names no column of the input "
         "sources' header lines (--header :): they are {alpha} {beta}",
         "... naming it and the columns there are");
  f = test_stream("", 0);
  is_int(read_columns(&tl, f, "e.csv", unknown, 2, ",", 1, err), -1,
         "--header : over an empty file is refused");
  is_str(err,
         "input source 'e.csv' is empty: it has no header line (--header :)",
         "... saying so");

  /* Sources: every source's columns in turn, named by their headers
   * (the first word of a :::). */
  char *xy[] = {"x,y", "1,2", "3"}, *z[] = {"z", "a.b"};
  cli_source_spec_t spec[] = {{NULL, xy, 3, 0}, {NULL, z, 2, 0}};
  cli_sources_t *src;
  cli_tasks_t *ts;
  cli_colsep_t *cs;
  cli_task_t t;
  char *both[] = {"echo", "{z.}{x}{y}", "{3}"};
  is_int(cli_sources_load(&src, spec, 2, 1, err, sizeof err), 0,
         "two sources with headers");
  is_int(cli_colsep_compile(&cs, ",", 1, err, sizeof err), 0, "colsep ,");
  is_int(cli_tasks_open_sources(&ts, src, both, 3, cs, err, sizeof err), 0,
         "their product, in columns");
  is_int((int)cli_tasks_count(ts), 2, "2 x 1 tasks: headers are not");
  char got[256] = "";
  while (cli_tasks_next(ts, &t, err, sizeof err) == 1)
    snprintf(got + strlen(got), sizeof got - strlen(got), "%s|", t.cmd);
  is_str(got, "echo 'a''1''2' 'a.b'|echo '3''a.b' |",
         "a {name} is the number of its column in the headers (z: 3), "
         "counted across the row's columns as GNU parallel does");
  cli_tasks_free(ts);
  spec[1].nwords = 0;
  is_int(cli_sources_load(&src, spec, 2, 1, err, sizeof err), -1,
         "--header : with an empty ::: source is refused");
  is_str(err,
         "input source 2 (:::) is empty: it has no header word "
         "(--header :)",
         "... saying so");
}

/* Every allocation of reading a task file and of expanding an argument
 * file fails in turn: each says "out of memory", keeps what it read
 * before, and leaks nothing once the list is freed. */
static void test_out_of_memory(void) {
  const char text[] = "echo one\n# c\necho two\necho three\n";
  int bad = 0, tried = 0;
  for (unsigned long k = 1;; k++) {
    tasklist_t tl = {0};
    char err[256] = "";
    FILE *f = test_stream(text, sizeof text - 1);
    long live = cli_alloc_live();
    unsigned long before = cli_alloc_count();
    cli_alloc_fail_at(k);
    int rc = read_all(&tl, f, "t.txt", NULL, 0, err);
    int reached = cli_alloc_count() - before >= k;
    cli_alloc_fail_at(0);
    if (!reached) { /* every allocation has failed once */
      bad += rc != 0 || tl.n != 3;
      tasklist_free(&tl);
      bad += cli_alloc_live() != live;
      break;
    }
    tried++;
    if (rc != -1 || strstr(err, "out of memory") == NULL || tl.n > 3) {
      printf("#   read, allocation %lu: rc %d, %zu tasks, [%s]\n", k, rc, tl.n,
             err);
      bad++;
    }
    tasklist_free(&tl);
    if (cli_alloc_live() != live) {
      printf("#   read, allocation %lu failed: %ld blocks leaked\n", k,
             cli_alloc_live() - live);
      bad++;
    }
  }
  ok(tried > 0 && bad == 0,
     "read: each of %d allocations failing in turn: out of memory, no leak",
     tried);
  const char args[] = "a b\nc\n";
  char *tmpl[] = {"echo", "{#}", "{}"};
  bad = tried = 0;
  for (unsigned long k = 1;; k++) {
    tasklist_t tl = {0};
    char err[256] = "";
    FILE *f = test_stream(args, sizeof args - 1);
    long live = cli_alloc_live();
    unsigned long before = cli_alloc_count();
    cli_alloc_fail_at(k);
    int rc = read_all(&tl, f, "a.txt", tmpl, 3, err);
    int reached = cli_alloc_count() - before >= k;
    cli_alloc_fail_at(0);
    if (!reached) {
      bad += rc != 0 || tl.n != 2;
      tasklist_free(&tl);
      bad += cli_alloc_live() != live;
      break;
    }
    tried++;
    if (rc != -1 || strstr(err, "out of memory") == NULL) {
      printf("#   expand, allocation %lu: rc %d, [%s]\n", k, rc, err);
      bad++;
    }
    tasklist_free(&tl);
    bad += cli_alloc_live() != live;
  }
  ok(tried > 0 && bad == 0,
     "expand: each of %d allocations failing in turn: out of memory, no "
     "leak",
     tried);
}

int main(void) {
  test_read();
  test_long_line();
  test_read_errors();
  test_changed();
  test_product();
  test_quote();
  test_expand();
  test_columns();
  test_out_of_memory();
  return tap_done();
}
