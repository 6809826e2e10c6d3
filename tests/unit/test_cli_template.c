/*
 * test_cli_template.c - command templates (cli/template.c): what {} and
 * {%} become, outside and inside the template's own quotes, and what
 * /bin/sh then reads (with MPIPOOL_SLOT=7); no MPI.
 */
#include "../tap.h"
#include "cli/alloc.h"
#include "cli/template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ERRLEN 256

/* The command template `text` (one word) makes of args for task seq. */
static char *expand(const char *text, const char *const *args, int nargs,
                    uint64_t seq) {
  cli_template_t *t = NULL;
  char err[ERRLEN];
  char *words[] = {(char *)text};
  if (cli_template_parse(&t, words, 1, nargs, err, sizeof err) != 0) {
    printf("# parse of %s: %s\n", text, err);
    return NULL;
  }
  cli_arg_t a[4];
  for (int i = 0; i < nargs; i++)
    a[i] = (cli_arg_t){args[i], strlen(args[i])};
  char *buf = NULL;
  size_t cap = 0, len = 0;
  if (cli_template_expand(t, a, nargs, seq, &buf, &cap, &len) != 0) {
    cli_free(buf);
    buf = NULL;
  }
  cli_template_free(t);
  return buf;
}

/* What /bin/sh prints for cmd (MPIPOOL_SLOT=7), its words in brackets
 * when cmd starts with `printf '[%s]'`. */
static const char *shell(const char *cmd) {
  static char out[512];
  char *line = NULL;
  size_t n = strlen(cmd) + 64;
  out[0] = '\0';
  if ((line = malloc(n)) == NULL)
    return out;
  snprintf(line, n, "MPIPOOL_SLOT=7; export MPIPOOL_SLOT; %s", cmd);
  FILE *f = fopen("template.sh", "w");
  if (f) {
    fputs(line, f);
    fclose(f);
    FILE *p = popen("/bin/sh template.sh", "r");
    if (p) {
      size_t got = fread(out, 1, sizeof out - 1, p);
      out[got] = '\0';
      pclose(p);
    }
    remove("template.sh");
  }
  free(line);
  return out;
}

typedef struct {
  const char *text, *want, *words;
} case_t;

int main(void) {
  const char *args[] = {"it's a b"};
  /* Each template against the argument "it's a b" (task 3): the command,
   * then the words the shell makes of it.  (A template without {} gets
   * the argument appended.) */
  static const case_t cases[] = {
      {"printf '[%s]' {}", "printf '[%s]' 'it'\\''s a b'", "[it's a b]"},
      /* An argument inside the template's quotes: as it is, quoted, as
       * GNU parallel does. */
      {"printf '[%s]' \"<{}>\"", "printf '[%s]' \"<'it'\\''s a b'>\"",
       "[<'it'\\''s a b'>]"},
      {"printf '[%s]' {%}", "printf '[%s]' ${MPIPOOL_SLOT} 'it'\\''s a b'",
       "[7][it's a b]"},
      {"printf '[%s]' '{%}'",
       "printf '[%s]' ''${MPIPOOL_SLOT}'' 'it'\\''s a b'", "[7][it's a b]"},
      {"printf '[%s]' 'slot {%} of {#}' {}",
       "printf '[%s]' 'slot '${MPIPOOL_SLOT}' of 3' 'it'\\''s a b'",
       "[slot 7 of 3][it's a b]"},
      {"printf '[%s]' \"{%}\"",
       "printf '[%s]' \"${MPIPOOL_SLOT}\" 'it'\\''s a b'", "[7][it's a b]"},
      /* Quotes that do not open or close: escaped, or of the other kind. */
      {"printf '[%s]' \"it's {%}\"",
       "printf '[%s]' \"it's ${MPIPOOL_SLOT}\" 'it'\\''s a b'",
       "[it's 7][it's a b]"},
      {"printf '[%s]' '\"' {%}",
       "printf '[%s]' '\"' ${MPIPOOL_SLOT} 'it'\\''s a b'",
       "[\"][7][it's a b]"},
      {"printf '[%s]' \\'{%}",
       "printf '[%s]' \\'${MPIPOOL_SLOT} 'it'\\''s a b'", "['7][it's a b]"},
      {"printf '[%s]' \"a\\\"'{%}'\"",
       "printf '[%s]' \"a\\\"'${MPIPOOL_SLOT}'\" 'it'\\''s a b'",
       "[a\"'7'][it's a b]"},
      {"printf '[%s]' x\\{#}", "printf '[%s]' x\\3 'it'\\''s a b'",
       "[x3][it's a b]"},
      {"printf '[%s]' 'a\\' {%}",
       "printf '[%s]' 'a\\' ${MPIPOOL_SLOT} 'it'\\''s a b'",
       "[a\\][7][it's a b]"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    const case_t *c = &cases[i];
    char *cmd = expand(c->text, args, 1, 3);
    ok(cmd && strcmp(cmd, c->want) == 0, "%s -> %s", c->text,
       cmd ? cmd : "(failed)");
    if (cmd && strcmp(cmd, c->want) != 0)
      printf("#   want %s\n", c->want);
    const char *words = cmd ? shell(cmd) : "";
    ok(strcmp(words, c->words) == 0, "the shell reads %s", words);
    if (strcmp(words, c->words) != 0)
      printf("#   want %s\n", c->words);
    cli_free(cmd);
  }
  return tap_done();
}
