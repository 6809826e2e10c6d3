/*
 * tasklist_fuzz.c - libFuzzer target: arbitrary bytes as a task file
 * and as an argument file (cli_tasks_open over the template "echo {}
 * {#}", and over the template that the input's first line is, when its
 * only replacement strings are {} and {#}), each read
 * through twice (the second pass must give the same).  Besides what the
 * sanitizers catch, it checks the results against the lines it splits itself:
 * the kept lines byte for byte, the skipped ones blank or comments, each
 * argument quoted so that /bin/sh's single-quote rules give it back, numbered
 * in order, each command the one a plain reference expansion builds; a failure
 * only for a NUL byte; nothing leaks.
 */
#include "cli/alloc.h"
#include "cli/tasklist.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ERRLEN 512

static void check(int cond, const char *what) {
  if (!cond) {
    fprintf(stderr, "tasklist_fuzz: broken contract: %s\n", what);
    abort();
  }
}

/* A stream of the n bytes of data (fmemopen refuses n == 0). */
static FILE *stream(const uint8_t *data, size_t n) {
  return n ? fmemopen((void *)data, n, "r") : fopen("/dev/null", "r");
}

/* Every task of a list, read through. */
typedef struct {
  size_t n;
  cli_task_t *v; /* commands copied */
} tasklist_t;

static void tasklist_free(tasklist_t *tl) {
  for (size_t i = 0; i < tl->n; i++)
    free((char *)tl->v[i].cmd);
  free(tl->v);
  *tl = (tasklist_t){0};
}

/* Opens the list of f (tmpl NULL: a task file), reads it through twice,
 * the tasks of the second pass in tl (which must be those of the first,
 * counted by the open).  Returns what cli_tasks_open returned. */
static int read_all(tasklist_t *tl, FILE *f, char *const *tmpl, int words,
                    char *err) {
  cli_tasks_t *ts;
  cli_task_t t;
  *tl = (tasklist_t){0};
  if (cli_tasks_open(&ts, f, "fuzz", tmpl, words, err, ERRLEN) != 0)
    return -1;
  for (int pass = 0; pass < 2; pass++) {
    int rc;
    tasklist_free(tl);
    tl->v = malloc((cli_tasks_count(ts) + 1) * sizeof *tl->v);
    check(tl->v != NULL, "memory for the tasks");
    while ((rc = cli_tasks_next(ts, &t, err, ERRLEN)) == 1) {
      check(tl->n < cli_tasks_count(ts), "no more tasks than counted");
      check(t.seq == tl->n + 1, "tasks numbered in order");
      tl->v[tl->n] = t;
      tl->v[tl->n].cmd = strdup(t.cmd);
      check(tl->v[tl->n++].cmd != NULL, "memory for a command");
    }
    check(rc == 0 && tl->n == cli_tasks_count(ts), "as many tasks as counted");
    check(cli_tasks_rewind(ts, err, ERRLEN) == 0, "a list rewinds");
  }
  cli_tasks_free(ts);
  return 0;
}

/* Whether a task file skips the line s (len bytes): blank or a comment. */
static int skipped(const uint8_t *s, size_t len) {
  size_t i = 0;
  while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
    i++;
  return i == len || s[i] == '#';
}

/* Undoes /bin/sh single quoting of the word at *p (as 'a'\''b'), up to
 * the first unquoted space or the end; the bytes go to out (*out_len).
 * Returns 0, or -1 when the word is not quoted that way. */
static int unquote(const char **p, const char *end, char *out,
                   size_t *out_len) {
  const char *s = *p;
  size_t n = 0;
  if (s == end || *s != '\'')
    return -1;
  while (s < end && *s != ' ') {
    if (*s == '\'') {
      const char *close = memchr(s + 1, '\'', (size_t)(end - s - 1));
      if (close == NULL)
        return -1;
      memcpy(out + n, s + 1, (size_t)(close - s - 1));
      n += (size_t)(close - s - 1);
      s = close + 1;
    } else if (*s == '\\' && s + 1 < end && s[1] == '\'') {
      out[n++] = '\'';
      s += 2;
    } else {
      return -1;
    }
  }
  *p = s;
  *out_len = n;
  return 0;
}

/* Checks tl (from read, or from expand when expanded) against the lines
 * of data. */
static void check_tasks(const tasklist_t *tl, const uint8_t *data, size_t size,
                        int expanded) {
  size_t k = 0, line = 0;
  char *arg = malloc(size + 1);
  check(arg != NULL, "memory for the check");
  for (size_t at = 0; at < size;) {
    const uint8_t *nl = memchr(data + at, '\n', size - at);
    size_t len = nl ? (size_t)(nl - (data + at)) : size - at;
    const uint8_t *s = data + at;
    at += len + (nl != NULL);
    line++;
    if (expanded ? len == 0 : skipped(s, len))
      continue;
    check(k < tl->n, "a task for each kept line");
    const cli_task_t *t = &tl->v[k++];
    check(t->line == line, "a task knows its line");
    check(t->cmd[t->len] == '\0' && strlen(t->cmd) == t->len,
          "a command is a string of its length");
    if (!expanded) {
      check(t->len == len && memcmp(t->cmd, s, len) == 0,
            "a task is its line byte for byte");
      continue;
    }
    const char *p = t->cmd, *end = t->cmd + t->len;
    size_t arg_len = 0;
    check(t->len > 5 && memcmp(p, "echo ", 5) == 0, "the template's start");
    p += 5;
    check(unquote(&p, end, arg, &arg_len) == 0, "{} is one quoted word");
    check(arg_len == len && memcmp(arg, s, len) == 0,
          "the quoted word is the line");
    char num[32];
    snprintf(num, sizeof num, " %zu", k);
    check((size_t)(end - p) == strlen(num) && memcmp(p, num, strlen(num)) == 0,
          "{#} is the task's number");
  }
  check(k == tl->n, "no task but for a kept line");
  free(arg);
}

/* A growable byte string, for the reference expansion. */
typedef struct {
  char *s;
  size_t len, cap;
} ref_t;

static void ref_add(ref_t *r, const void *p, size_t n) {
  if (r->len + n + 1 > r->cap) {
    r->cap = 2 * (r->len + n + 1);
    r->s = realloc(r->s, r->cap);
    check(r->s != NULL, "memory for the reference");
  }
  memcpy(r->s + r->len, p, n);
  r->len += n;
  r->s[r->len] = '\0';
}

/* The command tasklist.h promises for the argument line s (len bytes),
 * task num, and the template tmpl, built the plain way: "{}" is the line
 * in single quotes (each ' as '\''), "{#}" the number, left to right;
 * no "{}": the quoted line after a space. */
static void reference(ref_t *r, const char *tmpl, const uint8_t *s, size_t len,
                      size_t num) {
  ref_t q = {0};
  char nbuf[32];
  snprintf(nbuf, sizeof nbuf, "%zu", num);
  ref_add(&q, "'", 1);
  for (size_t i = 0; i < len; i++)
    ref_add(&q, s[i] == '\'' ? "'\\''" : (const char *)&s[i],
            s[i] == '\'' ? 4 : 1);
  ref_add(&q, "'", 1);
  r->len = 0;
  ref_add(r, "", 0);
  for (const char *p = tmpl; *p;) {
    if (strncmp(p, "{}", 2) == 0) {
      ref_add(r, q.s, q.len);
      p += 2;
    } else if (strncmp(p, "{#}", 3) == 0) {
      ref_add(r, nbuf, strlen(nbuf));
      p += 3;
    } else {
      ref_add(r, p++, 1);
    }
  }
  if (strstr(tmpl, "{}") == NULL) {
    ref_add(r, " ", 1);
    ref_add(r, q.s, q.len);
  }
  free(q.s);
}

/* The first line of data as a template (its words split on single
 * spaces, as a shell would pass them), the rest as the argument file:
 * each command must be the reference one. */
static void with_template(const uint8_t *data, size_t size) {
  const uint8_t *nl = memchr(data, '\n', size);
  if (nl == NULL || memchr(data, '\0', (size_t)(nl - data)) != NULL)
    return;
  size_t tlen = (size_t)(nl - data);
  char *tmpl = malloc(tlen + 1);
  char **argv = malloc((tlen + 1) * sizeof *argv);
  check(tmpl && argv, "memory for the template");
  memcpy(tmpl, data, tlen);
  tmpl[tlen] = '\0';
  /* The reference knows {} and {#}; the other replacement strings
   * ({.} {/} {//} {/.} {n}..., {%}) are GNU parallel's, compared with it
   * in tests/cli/input.sh: such a template is not checked here. */
  for (const char *b = strchr(tmpl, '{'); b; b = strchr(b + 1, '{'))
    if (strchr("./%0123456789", b[1]) && b[1] != '\0') {
      free(tmpl);
      free(argv);
      return;
    }
  int argc = 0;
  char *words = strdup(tmpl);
  check(words != NULL, "memory for the words");
  for (char *w = words;; w++) {
    argv[argc++] = w;
    w = strchr(w, ' ');
    if (w == NULL)
      break;
    *w = '\0';
  }
  const uint8_t *args = nl + 1;
  size_t nargs = size - tlen - 1;
  tasklist_t tl = {0};
  char err[ERRLEN] = "";
  FILE *f = stream(args, nargs);
  if (f != NULL) {
    int rc = read_all(&tl, f, argv, argc, err);
    check(rc == 0 || memchr(args, '\0', nargs) != NULL,
          "only a NUL byte fails");
    ref_t r = {0};
    size_t k = 0;
    for (size_t at = 0; rc == 0 && at < nargs;) {
      const uint8_t *e = memchr(args + at, '\n', nargs - at);
      size_t len = e ? (size_t)(e - (args + at)) : nargs - at;
      const uint8_t *s = args + at;
      at += len + (e != NULL);
      if (len == 0)
        continue;
      check(k < tl.n, "a task for each argument line");
      reference(&r, tmpl, s, len, k + 1);
      const cli_task_t *t = &tl.v[k++];
      check(t->len == r.len && memcmp(t->cmd, r.s, r.len) == 0,
            "the command is the template with {} and {#} replaced");
    }
    check(rc != 0 || k == tl.n, "no task but for an argument line");
    free(r.s);
    tasklist_free(&tl);
  }
  free(words);
  free(argv);
  free(tmpl);
}

static void one(const uint8_t *data, size_t size, int expand) {
  static char *const tmpl[] = {"echo", "{}", "{#}"};
  tasklist_t tl = {0};
  char err[ERRLEN] = "";
  FILE *f = stream(data, size);
  if (f == NULL)
    return;
  long live = cli_alloc_live();
  int rc = read_all(&tl, f, expand ? tmpl : NULL, 3, err);
  int nul = memchr(data, '\0', size) != NULL;
  if (rc == 0) {
    check(!nul, "a NUL byte fails");
    check_tasks(&tl, data, size, expand);
  } else {
    check(rc == -1 && nul, "only a NUL byte fails");
    check(strstr(err, "line holds a NUL byte") != NULL, "and says so");
  }
  tasklist_free(&tl);
  check(cli_alloc_live() == live, "every allocation freed");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  one(data, size, 0);
  one(data, size, 1);
  with_template(data, size);
  return 0;
}
