/*
 * test_simplecmd.c - the recognizer of command lines the shell would only
 * split into words (cli/simplecmd.c): what is simple, what is not, and the
 * exact argv it returns.
 */
#include "config.h"

#include "cli/simplecmd.h"
#include "../tap.h"

#include <stdlib.h>
#include <string.h>

/* Checks that cmd is simple and splits into exactly want (NULL-ended). */
static void argv_is(const char *cmd, const char *const *want,
                    const char *what) {
  char **argv = cli_simplecmd_argv(cmd);
  if (!ok(argv != NULL, "%s: simple", what))
    return;
  size_t n = 0;
  while (want[n] != NULL)
    n++;
  int same = 1;
  for (size_t i = 0; i < n && same; i++)
    if (argv[i] == NULL || strcmp(argv[i], want[i]) != 0) {
      printf("#   argv[%zu] = \"%s\", want \"%s\"\n", i,
             argv[i] ? argv[i] : "(null)", want[i]);
      same = 0;
    }
  ok(same, "%s: %zu words as expected", what, n);
  ok(same && argv[n] == NULL, "%s: argv[%zu] is NULL", what, n);
  free(argv); /* one allocation */
}

static void not_simple(const char *cmd, const char *what) {
  char **argv = cli_simplecmd_argv(cmd);
  if (!ok(argv == NULL, "%s: not simple", what))
    printf("#   argv[0] = \"%s\"\n", argv[0] ? argv[0] : "(null)");
  free(argv);
}

static void test_simple_words(void) {
  argv_is("true", (const char *[]){"true", NULL}, "\"true\"");
  argv_is("./prog -x 3 in.dat",
          (const char *[]){"./prog", "-x", "3", "in.dat", NULL},
          "\"./prog -x 3 in.dat\"");
  argv_is("prog a=b", (const char *[]){"prog", "a=b", NULL},
          "'=' in a later word");
  argv_is("dd if=in.dat of=out.dat bs=1M",
          (const char *[]){"dd", "if=in.dat", "of=out.dat", "bs=1M", NULL},
          "several '=' words after the program");
  argv_is("/usr/bin/env", (const char *[]){"/usr/bin/env", NULL},
          "absolute path");
  argv_is("prog _./,:+@%-=Zz09",
          (const char *[]){"prog", "_./,:+@%-=Zz09", NULL},
          "every allowed punctuation byte in a word");
  argv_is("A-Za-z0-9_./,:+@%-", (const char *[]){"A-Za-z0-9_./,:+@%-", NULL},
          "allowed punctuation in the first word");
  argv_is("x", (const char *[]){"x", NULL}, "one-letter command");
  argv_is("-x", (const char *[]){"-x", NULL}, "first word starting with '-'");
  argv_is("cdrom eject", (const char *[]){"cdrom", "eject", NULL},
          "first word starting with a builtin's name");
  argv_is("./cd", (const char *[]){"./cd", NULL},
          "path to a program named like a builtin");
  argv_is("/bin/echo hi", (const char *[]){"/bin/echo", "hi", NULL},
          "/bin/echo is not the builtin echo");
  argv_is("Echo", (const char *[]){"Echo", NULL},
          "builtin names are case-sensitive");
}

static void test_blanks(void) {
  argv_is("a\tb", (const char *[]){"a", "b", NULL}, "tab separator");
  argv_is("a  \t \t  b   c", (const char *[]){"a", "b", "c", NULL},
          "runs of spaces and tabs");
  argv_is("   prog x", (const char *[]){"prog", "x", NULL}, "leading blanks");
  argv_is("prog x   \t", (const char *[]){"prog", "x", NULL},
          "trailing blanks");
  argv_is(" \t prog \t ", (const char *[]){"prog", NULL},
          "leading and trailing blanks around one word");
  not_simple("", "empty command");
  not_simple(" ", "one space");
  not_simple(" \t  \t", "blanks only");
  not_simple("\t", "one tab");
}

static void test_metacharacters(void) {
  static const char meta[] = "'\"`$;|&<>()*?[]~#{}!\\\n";
  for (const char *m = meta; *m; m++) {
    char cmd[32], what[64];
    const char *name = *m == '\n' ? "\\n" : (char[]){*m, '\0'};
    snprintf(cmd, sizeof cmd, "prog x%cy", *m);
    snprintf(what, sizeof what, "'%s' inside a later word", name);
    not_simple(cmd, what);
    snprintf(cmd, sizeof cmd, "prog %c", *m);
    snprintf(what, sizeof what, "'%s' as a word", name);
    not_simple(cmd, what);
    snprintf(cmd, sizeof cmd, "%cprog", *m);
    snprintf(what, sizeof what, "'%s' starting the first word", name);
    not_simple(cmd, what);
  }
  not_simple("prog x\r", "carriage return");
  not_simple("prog\vx", "vertical tab");
  not_simple("prog\fx", "form feed");
  not_simple("prog \x01", "control byte");
  not_simple("prog \x7f", "DEL byte");
  not_simple("prog 'a b'", "quoted word");
  not_simple("prog $HOME", "variable");
  not_simple("prog *.dat", "glob");
  not_simple("prog > out", "redirection");
  not_simple("prog 2>&1", "fd redirection");
  not_simple("a && b", "and-list");
  not_simple("a | b", "pipeline");
  not_simple("prog # comment", "comment");
  not_simple("prog ~/x", "tilde");
  not_simple("prog a\\ b", "escaped blank");
  not_simple("prog\nprog2", "two lines");
}

static void test_assignments(void) {
  not_simple("A=1 prog", "\"A=1 prog\": assignment before the program");
  not_simple("A=1", "assignment alone");
  not_simple("A=1\tprog x", "assignment then tab");
  not_simple("prog=x y", "'=' inside the first word");
  not_simple("=x", "first word starting with '='");
  not_simple("x=", "first word ending with '='");
}

static void test_builtins(void) {
  static const char *const words[] = {
      "cd",     "exit",     "echo",     "export",  "kill",  "pwd",  "if",
      ".",      ":",        "for",      "then",    "else",  "elif", "fi",
      "while",  "until",    "do",       "done",    "case",  "esac", "in",
      "exec",   "eval",     "set",      "unset",   "shift", "trap", "return",
      "break",  "continue", "readonly", "times",   "wait",  "read", "umask",
      "ulimit", "alias",    "unalias",  "command", "type",  "hash", "getopts",
      "jobs",   "fg",       "bg",       "local",   "test",  "time", "source"};
  for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
    char cmd[64], what[96];
    not_simple(words[i], words[i]);
    snprintf(cmd, sizeof cmd, "%s arg", words[i]);
    snprintf(what, sizeof what, "\"%s\"", cmd);
    not_simple(cmd, what);
    snprintf(cmd, sizeof cmd, "  %s\targ", words[i]);
    snprintf(what, sizeof what, "\"%s\" after blanks", words[i]);
    not_simple(cmd, what);
    snprintf(cmd, sizeof cmd, "ls %s", words[i]);
    snprintf(what, sizeof what, "\"%s\" as a later word", words[i]);
    argv_is(cmd, (const char *[]){"ls", words[i], NULL}, what);
  }
  argv_is("ls cd", (const char *[]){"ls", "cd", NULL}, "\"ls cd\"");
}

static void test_non_ascii(void) {
  not_simple("caf\xc3\xa9", "UTF-8 in the first word");
  not_simple("prog caf\xc3\xa9", "UTF-8 in a later word");
  not_simple("prog \xff", "byte 0xff");
  not_simple("\x80", "byte 0x80 alone");
  not_simple("prog\xc2\xa0x", "no-break space is not a separator");
}

static void test_word_limit(void) {
  char cmd[65 * 4 + 8];
  const char *want[66];
  static char words[65][4];
  size_t len = 0;
  for (int i = 0; i < 65; i++) {
    snprintf(words[i], sizeof words[i], "w%d", i);
    want[i] = words[i];
  }
  for (int i = 0; i < 64; i++)
    len += (size_t)sprintf(cmd + len, "%s%s", i ? " " : "", words[i]);
  want[64] = NULL;
  argv_is(cmd, want, "64 words");

  char **argv = cli_simplecmd_argv(cmd);
  int n = 0;
  while (argv && argv[n])
    n++;
  is_int(n, 64, "64 words: argc");
  free(argv);

  char padded[sizeof cmd + 8];
  snprintf(padded, sizeof padded, "  %s \t ", cmd);
  argv_is(padded, want, "64 words with blanks around");

  sprintf(cmd + len, " %s", words[64]);
  not_simple(cmd, "65 words");
  strcat(cmd, " w65");
  not_simple(cmd, "66 words");
}

static void test_argv_block(void) {
  /* The words are a copy: changing the command afterwards leaves them. */
  char cmd[] = "  prog  -a\tfile.txt ";
  char **argv = cli_simplecmd_argv(cmd);
  ok(argv != NULL, "copy: simple");
  memset(cmd, 'X', sizeof cmd - 1);
  ok(argv && strcmp(argv[0], "prog") == 0 && strcmp(argv[1], "-a") == 0 &&
         strcmp(argv[2], "file.txt") == 0 && argv[3] == NULL,
     "copy: argv independent of the command string");
  free(argv);

  /* A long word. */
  size_t n = 100000;
  char *big = malloc(n + 8);
  if (!ok(big != NULL, "long word: memory"))
    return;
  memcpy(big, "prog ", 5);
  memset(big + 5, 'a', n);
  big[5 + n] = '\0';
  argv = cli_simplecmd_argv(big);
  ok(argv && strcmp(argv[0], "prog") == 0 && strlen(argv[1]) == n &&
         argv[2] == NULL,
     "a 100000-byte word");
  free(argv);
  free(big);
}

int main(void) {
  test_simple_words();
  test_blanks();
  test_metacharacters();
  test_assignments();
  test_builtins();
  test_non_ascii();
  test_word_limit();
  test_argv_block();
  return tap_done();
}
