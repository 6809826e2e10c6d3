/*
 * test_tasklist.c - the mpipool program's task list (cli/tasklist.c):
 * reading a task file, expanding a command template over an argument file,
 * and quoting for /bin/sh.
 */
#include "../helpers.h"
#include "../tap.h"
#include "cli/alloc.h"
#include "cli/tasklist.h"

#include <stdlib.h>
#include <string.h>

#define ERRLEN 256

/* Whether task i (0-based) of tl is the command want, from line `line`. */
static int task_is(const cli_tasklist_t *tl, size_t i, const char *want,
                   size_t line) {
  if (i >= tl->n) {
    printf("#   no task %zu (n = %zu)\n", i + 1, tl->n);
    return 0;
  }
  const cli_task_t *t = &tl->v[i];
  int same = t->len == strlen(want) && memcmp(t->cmd, want, t->len) == 0 &&
             t->cmd[t->len] == '\0' && t->line == line;
  if (!same)
    printf("#   task %zu: got [%s] (len %zu, line %zu), want [%s] line %zu\n",
           i + 1, t->cmd, t->len, t->line, want, line);
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
  cli_tasklist_t tl = {0};
  char err[ERRLEN] = "";
  FILE *f = test_stream(text, sizeof text - 1);
  is_int(cli_tasklist_read(&tl, f, "t.txt", err, sizeof err), 0,
         "read a task file");
  fclose(f);
  is_int(tl.n, 5, "blank, whitespace-only and # lines are skipped");
  ok(task_is(&tl, 0, "echo a", 1), "task 1: a plain line, without its \\n");
  ok(task_is(&tl, 1, "  spaced  cmd ", 7),
     "task 2: leading and trailing spaces kept exactly");
  ok(task_is(&tl, 2, "crlf\r", 8), "task 3: the CR before \\n is kept");
  ok(task_is(&tl, 3, "a # not a comment", 9),
     "task 4: a '#' after the first word is not a comment");
  ok(task_is(&tl, 4, "last", 10), "task 5: last line without its newline");

  /* A second read appends after the tasks already there. */
  f = test_stream("more\n", 5);
  is_int(cli_tasklist_read(&tl, f, "u.txt", err, sizeof err), 0,
         "a second read");
  fclose(f);
  is_int(tl.n, 6, "the second file's task is appended");
  ok(task_is(&tl, 5, "more", 1), "its line number counts in its own file");

  cli_tasklist_free(&tl);
  ok(tl.n == 0 && tl.v == NULL && tl.cap == 0, "free empties the list");
  f = test_stream("again\n", 6);
  is_int(cli_tasklist_read(&tl, f, "t.txt", err, sizeof err), 0,
         "a freed list is reusable");
  fclose(f);
  ok(task_is(&tl, 0, "again", 1), "the reused list holds the new task");
  cli_tasklist_free(&tl);
  cli_tasklist_free(NULL);
  ok(1, "free(NULL) is a no-op");

  f = test_stream("", 0);
  is_int(cli_tasklist_read(&tl, f, "e.txt", err, sizeof err), 0,
         "an empty file");
  fclose(f);
  is_int(tl.n, 0, "an empty file gives no task");
  f = test_stream("# only\n\n \n", 10);
  is_int(cli_tasklist_read(&tl, f, "e.txt", err, sizeof err), 0,
         "a file of comments and blanks");
  fclose(f);
  is_int(tl.n, 0, "a file of comments and blanks gives no task");
  cli_tasklist_free(&tl);
}

static void test_long_line(void) {
  size_t big = 1u << 20;
  char *text = malloc(big + 7);
  if (text == NULL)
    exit(2);
  memset(text, 'x', big);
  memcpy(text + big, "\nshort", 6);
  cli_tasklist_t tl = {0};
  char err[ERRLEN] = "";
  FILE *f = test_stream(text, big + 6);
  is_int(cli_tasklist_read(&tl, f, "big.txt", err, sizeof err), 0,
         "read a file with a 1 MiB line");
  fclose(f);
  is_int(tl.n, 2, "two tasks");
  ok(tl.n > 0 && tl.v[0].len == big && memcmp(tl.v[0].cmd, text, big) == 0 &&
         tl.v[0].cmd[big] == '\0',
     "the 1 MiB line is kept whole");
  ok(task_is(&tl, 1, "short", 2), "the line after it");
  cli_tasklist_free(&tl);
  free(text);
}

static void test_read_errors(void) {
  static const char text[] = "ok1\n# x\nbad\0byte\nok4\n";
  cli_tasklist_t tl = {0};
  char err[ERRLEN] = "";
  FILE *f = test_stream(text, sizeof text - 1);
  is_int(cli_tasklist_read(&tl, f, "t.txt", err, sizeof err), -1,
         "a NUL byte in a line fails");
  fclose(f);
  ok(strcmp(err, "t.txt:3: line holds a NUL byte") == 0,
     "the message names the file and line: %s", err);
  is_int(tl.n, 1, "the tasks before the bad line are kept");
  ok(task_is(&tl, 0, "ok1", 1), "the kept task");
  cli_tasklist_free(&tl);

  /* A NUL byte in a line without its newline, at the end of the file. */
  f = test_stream("a\n\0", 3);
  is_int(cli_tasklist_read(&tl, f, "t.txt", err, sizeof err), -1,
         "a NUL byte in an unterminated last line fails");
  fclose(f);
  ok(strcmp(err, "t.txt:2: line holds a NUL byte") == 0, "message: %s", err);
  cli_tasklist_free(&tl);

  f = fopen("/dev/null", "w");
  if (f == NULL)
    exit(2);
  err[0] = '\0';
  is_int(cli_tasklist_read(&tl, f, "w.txt", err, sizeof err), -1,
         "a stream that cannot be read fails");
  fclose(f);
  ok(strncmp(err, "w.txt:1: read error: ", 21) == 0, "message: %s", err);
  is_int(tl.n, 0, "no task from an unreadable stream");
  cli_tasklist_free(&tl);
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
  cli_tasklist_t tl = {0};
  char err[ERRLEN] = "";
  FILE *f = test_stream(args, sizeof args - 1);
  is_int(cli_tasklist_expand(&tl, f, "a.txt", echo, 2, err, sizeof err), 0,
         "expand echo {}");
  fclose(f);
  is_int(tl.n, 6, "only the empty line is skipped");
  ok(task_is(&tl, 0, "echo 'my file.txt'", 1), "a line with a space");
  ok(task_is(&tl, 1, "echo 'it'\\''s'", 2), "a line with a single quote");
  ok(task_is(&tl, 2, "echo '# not a comment'", 4), "a '#' line is an argument");
  ok(task_is(&tl, 3, "echo '  '", 5), "a blank line is an argument");
  ok(task_is(&tl, 4, "echo 'cr\r'", 6), "the CR is kept in the argument");
  ok(task_is(&tl, 5, "echo 'last'", 7), "last line without its newline");
  cli_tasklist_free(&tl);

  /* {#} counts the tasks the list already holds. */
  f = test_stream("t1\nt2\n", 6);
  is_int(cli_tasklist_read(&tl, f, "t.txt", err, sizeof err), 0,
         "two tasks first");
  fclose(f);
  char *cp[] = {"cp", "{}", "out{#}.txt"};
  f = test_stream("a\nb c\n", 6);
  is_int(cli_tasklist_expand(&tl, f, "a.txt", cp, 3, err, sizeof err), 0,
         "expand cp {} out{#}.txt");
  fclose(f);
  is_int(tl.n, 4, "two tasks added");
  ok(task_is(&tl, 2, "cp 'a' out3.txt", 1), "{#} is 3 after two tasks");
  ok(task_is(&tl, 3, "cp 'b c' out4.txt", 2), "{#} is 4 next");
  cli_tasklist_free(&tl);

  char *diff[] = {"diff", "{}", "{}.bak", "#{#}{#}"};
  f = test_stream("x y\n", 4);
  is_int(cli_tasklist_expand(&tl, f, "a.txt", diff, 4, err, sizeof err), 0,
         "several {} and {#}");
  fclose(f);
  ok(task_is(&tl, 0, "diff 'x y' 'x y'.bak #11", 1),
     "every {} and {#} is replaced");
  cli_tasklist_free(&tl);

  char *gzip[] = {"gzip", "-9", "{#}"};
  f = test_stream("f 1\n", 4);
  is_int(cli_tasklist_expand(&tl, f, "a.txt", gzip, 3, err, sizeof err), 0,
         "a template without {}");
  fclose(f);
  ok(task_is(&tl, 0, "gzip -9 1 'f 1'", 1),
     "without {} the quoted line is appended after a space");
  cli_tasklist_free(&tl);

  char *odd[] = {"echo", "{{}}", "{", "}", "{#"};
  f = test_stream("q\n", 2);
  is_int(cli_tasklist_expand(&tl, f, "a.txt", odd, 5, err, sizeof err), 0,
         "stray braces");
  fclose(f);
  ok(task_is(&tl, 0, "echo {'q'} { } {#", 1),
     "only {} and {#} are replaced; '{ }' across words is not {}");
  cli_tasklist_free(&tl);

  char *sh[] = {"sh -c 'echo \"$0\"'"};
  f = test_stream("z\n", 2);
  is_int(cli_tasklist_expand(&tl, f, "a.txt", sh, 1, err, sizeof err), 0,
         "a one-word template holding spaces");
  fclose(f);
  ok(task_is(&tl, 0, "sh -c 'echo \"$0\"' 'z'", 1),
     "template words are not quoted");
  cli_tasklist_free(&tl);

  f = test_stream("a\nb\0\n", 5);
  is_int(cli_tasklist_expand(&tl, f, "args", echo, 2, err, sizeof err), -1,
         "a NUL byte in an argument fails");
  fclose(f);
  ok(strcmp(err, "args:2: line holds a NUL byte") == 0, "message: %s", err);
  is_int(tl.n, 1, "the task before the bad line is kept");
  cli_tasklist_free(&tl);

  f = test_stream("a\n", 2);
  is_int(cli_tasklist_expand(&tl, f, "args", echo, 0, err, sizeof err), -1,
         "an empty template fails");
  fclose(f);
  is_int(tl.n, 0, "and adds no task");
  cli_tasklist_free(&tl);
}

/* Every allocation of reading a task file and of expanding an argument
 * file fails in turn: each says "out of memory", keeps what it read
 * before, and leaks nothing once the list is freed. */
static void test_out_of_memory(void) {
  const char text[] = "echo one\n# c\necho two\necho three\n";
  int bad = 0, tried = 0;
  for (unsigned long k = 1;; k++) {
    cli_tasklist_t tl = {0};
    char err[256] = "";
    FILE *f = test_stream(text, sizeof text - 1);
    long live = cli_alloc_live();
    unsigned long before = cli_alloc_count();
    cli_alloc_fail_at(k);
    int rc = cli_tasklist_read(&tl, f, "t.txt", err, sizeof err);
    int reached = cli_alloc_count() - before >= k;
    cli_alloc_fail_at(0);
    fclose(f);
    if (!reached) { /* every allocation has failed once */
      bad += rc != 0 || tl.n != 3;
      cli_tasklist_free(&tl);
      bad += cli_alloc_live() != live;
      break;
    }
    tried++;
    if (rc != -1 || strstr(err, "out of memory") == NULL || tl.n > 3) {
      printf("#   read, allocation %lu: rc %d, %zu tasks, [%s]\n", k, rc, tl.n,
             err);
      bad++;
    }
    cli_tasklist_free(&tl);
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
    cli_tasklist_t tl = {0};
    char err[256] = "";
    FILE *f = test_stream(args, sizeof args - 1);
    long live = cli_alloc_live();
    unsigned long before = cli_alloc_count();
    cli_alloc_fail_at(k);
    int rc = cli_tasklist_expand(&tl, f, "a.txt", tmpl, 3, err, sizeof err);
    int reached = cli_alloc_count() - before >= k;
    cli_alloc_fail_at(0);
    fclose(f);
    if (!reached) {
      bad += rc != 0 || tl.n != 2;
      cli_tasklist_free(&tl);
      bad += cli_alloc_live() != live;
      break;
    }
    tried++;
    if (rc != -1 || strstr(err, "out of memory") == NULL) {
      printf("#   expand, allocation %lu: rc %d, [%s]\n", k, rc, err);
      bad++;
    }
    cli_tasklist_free(&tl);
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
  test_quote();
  test_expand();
  test_out_of_memory();
  return tap_done();
}
