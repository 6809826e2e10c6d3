/*
 * simplecmd.c - splits a command line into words when no shell is needed
 * to run it.
 */
#include "simplecmd.h"
#include "alloc.h"

#include <stdlib.h>
#include <string.h>

#define MAX_WORDS 64

/* Words the shell treats itself: keywords, and builtins whose program of
 * the same name (if any) differs, such as echo (dash's interprets
 * backslashes; none can appear here, but the list stays conservative). */
static const char *const shell_words[] = {
    ".",        ":",        "alias",  "bg",       "break",   "case",   "cd",
    "command",  "continue", "do",     "done",     "echo",    "elif",   "else",
    "esac",     "eval",     "exec",   "exit",     "export",  "false",  "fc",
    "fg",       "fi",       "for",    "function", "getopts", "hash",   "if",
    "in",       "jobs",     "kill",   "local",    "printf",  "pwd",    "read",
    "readonly", "return",   "select", "set",      "shift",   "source", "test",
    "then",     "time",     "times",  "trap",     "type",    "ulimit", "umask",
    "unalias",  "unset",    "until",  "wait",     "while"};

static int word_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || strchr("_./,:+@%-=", c) != NULL;
}

static int shell_word(const char *w, size_t len) {
  for (size_t i = 0; i < sizeof shell_words / sizeof *shell_words; i++)
    if (strlen(shell_words[i]) == len && memcmp(shell_words[i], w, len) == 0)
      return 1;
  return 0;
}

char **cli_simplecmd_argv(const char *cmd) {
  size_t words = 0, len = strlen(cmd);
  const char *p = cmd;
  /* First pass: check every byte, count the words. */
  while (*p) {
    while (*p == ' ' || *p == '\t')
      p++;
    if (*p == '\0')
      break;
    const char *w = p;
    while (*p && *p != ' ' && *p != '\t') {
      if (*p == '\0' || !word_byte((unsigned char)*p) ||
          (words == 0 && *p == '='))
        return NULL;
      p++;
    }
    if (words == 0 && shell_word(w, (size_t)(p - w)))
      return NULL;
    if (++words > MAX_WORDS)
      return NULL;
  }
  if (words == 0)
    return NULL;
  /* One block: the pointers, then a copy of the text cut into words. */
  char **argv = cli_malloc((words + 1) * sizeof *argv + len + 1);
  if (argv == NULL)
    return NULL;
  char *text = (char *)(argv + words + 1);
  memcpy(text, cmd, len + 1);
  size_t k = 0;
  for (char *q = text; *q;) {
    while (*q == ' ' || *q == '\t')
      *q++ = '\0';
    if (*q == '\0')
      break;
    argv[k++] = q;
    while (*q && *q != ' ' && *q != '\t')
      q++;
  }
  argv[k] = NULL;
  return argv;
}
