/*
 * tasklist.c - the mpipool program's list of shell commands (see
 * tasklist.h): one per line of a task file, or one per line of an argument
 * file put into a command template.
 */
#include "tasklist.h"
#include "alloc.h"
#include "lines.h"
#include "fmt.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A growable NUL-terminated string, for building commands. */
typedef struct {
  char *s;
  size_t len, cap;
} str_t;

/* Appends n bytes of p to b.  Returns 0, or -1 on overflow or out of
 * memory (b is then unchanged). */
static int str_add(str_t *b, const char *p, size_t n) {
  if (n > SIZE_MAX - 1 - b->len)
    return -1;
  if (cli_grow((void **)&b->s, &b->cap, b->len + n + 1, 1) != 0)
    return -1;
  if (n)
    memcpy(b->s + b->len, p, n);
  b->len += n;
  b->s[b->len] = '\0';
  return 0;
}

/* Appends a task, taking cmd.  Returns 0, or -1 when out of memory (cmd is
 * then still the caller's). */
static int append(cli_tasklist_t *tl, char *cmd, size_t len, size_t line) {
  if (cli_grow((void **)&tl->v, &tl->cap, tl->n + 1, sizeof *tl->v) != 0)
    return -1;
  tl->v[tl->n++] = (cli_task_t){cmd, len, line};
  return 0;
}

/* Whether a task file skips this line: empty, only blanks, or a comment. */
static int is_comment_or_blank(const char *s, size_t len) {
  size_t i = 0;
  while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
    i++;
  return i == len || s[i] == '#';
}

char *cli_shell_quote(const char *s, size_t len) {
  size_t quotes = 0;
  for (size_t i = 0; i < len; i++)
    quotes += s[i] == '\'';
  /* Each ' becomes the four bytes '\'' ; add the two quotes and the NUL. */
  if (len > (SIZE_MAX - 3) / 4)
    return NULL;
  char *q = cli_malloc(len + 3 * quotes + 3);
  if (q == NULL)
    return NULL;
  char *p = q;
  *p++ = '\'';
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '\'') {
      memcpy(p, "'\\''", 4);
      p += 4;
    } else {
      *p++ = s[i];
    }
  }
  *p++ = '\'';
  *p = '\0';
  return q;
}

/* The command for one argument line: tmpl with "{}" replaced by the quoted
 * line and "{#}" by num, or with the quoted line appended when tmpl holds
 * no "{}".  Returns a malloc'd string (its length in *out_len), or NULL
 * when out of memory. */
static char *build(const char *tmpl, const char *line, size_t len, size_t num,
                   size_t *out_len) {
  char *q = cli_shell_quote(line, len);
  if (q == NULL)
    return NULL;
  size_t qlen = strlen(q);
  char nbuf[32];
  cli_fmt(nbuf, sizeof nbuf, "%zu", num); /* 20 digits at most: fits */
  size_t nlen = strlen(nbuf);
  str_t b = {0};
  int rc = 0;
  const char *p = tmpl;
  while (*p && rc == 0) {
    if (p[0] == '{' && p[1] == '}') {
      rc = str_add(&b, q, qlen);
      p += 2;
    } else if (strncmp(p, "{#}", 3) == 0) {
      rc = str_add(&b, nbuf, nlen);
      p += 3;
    } else {
      size_t run = 1 + strcspn(p + 1, "{");
      rc = str_add(&b, p, run);
      p += run;
    }
  }
  if (rc == 0 && strstr(tmpl, "{}") == NULL)
    rc = str_add(&b, " ", 1) || str_add(&b, q, qlen);
  cli_free(q);
  if (rc) {
    cli_free(b.s);
    return NULL;
  }
  *out_len = b.len;
  return b.s;
}

/* Copies len bytes of s into a malloc'd NUL-terminated string, or NULL. */
static char *dup_bytes(const char *s, size_t len) {
  char *d = cli_malloc(len + 1);
  if (d == NULL)
    return NULL;
  memcpy(d, s, len);
  d[len] = '\0';
  return d;
}

/* Says in err why getline() returned -1 without reaching the end. */
static void read_failed(const char *name, size_t line, int e, char *err,
                        size_t errlen) {
  if (e == ENOMEM)
    cli_fmt(err, errlen, "%s:%zu: out of memory", name, line);
  else
    cli_fmt(err, errlen, "%s:%zu: read error: %s", name, line,
            strerror(e ? e : EIO));
}

/* The loop behind cli_tasklist_read (tmpl NULL) and cli_tasklist_expand
 * (tmpl the joined template words): one task per kept line of f. */
static int read_lines(cli_tasklist_t *tl, FILE *f, const char *name,
                      const char *tmpl, char *err, size_t errlen) {
  char *buf = NULL;
  size_t cap = 0, line = 0;
  int rc = -1;
  for (;;) {
    errno = 0;
    ssize_t got = cli_getline(&buf, &cap, f);
    if (got < 0) {
      if (!ferror(f) && feof(f))
        rc = 0;
      else
        read_failed(name, line + 1, errno, err, errlen);
      break;
    }
    line++;
    size_t len = (size_t)got;
    if (len && buf[len - 1] == '\n')
      len--;
    if (memchr(buf, '\0', len) != NULL) {
      cli_fmt(err, errlen, "%s:%zu: line holds a NUL byte", name, line);
      break;
    }
    if (tmpl ? len == 0 : is_comment_or_blank(buf, len))
      continue;
    size_t cmd_len = len;
    char *cmd =
        tmpl ? build(tmpl, buf, len, tl->n + 1, &cmd_len) : dup_bytes(buf, len);
    if (cmd == NULL || append(tl, cmd, cmd_len, line) != 0) {
      cli_free(cmd);
      cli_fmt(err, errlen, "%s:%zu: out of memory", name, line);
      break;
    }
  }
  cli_free(buf);
  return rc;
}

int cli_tasklist_read(cli_tasklist_t *tl, FILE *f, const char *name, char *err,
                      size_t errlen) {
  return read_lines(tl, f, name, NULL, err, errlen);
}

/* The template words joined by single spaces, malloc'd, or NULL. */
static char *join(char *const *argv, int argc) {
  str_t b = {0};
  for (int i = 0; i < argc; i++)
    if ((i > 0 && str_add(&b, " ", 1) != 0) ||
        str_add(&b, argv[i], strlen(argv[i])) != 0) {
      cli_free(b.s);
      return NULL;
    }
  return b.s ? b.s : dup_bytes("", 0);
}

int cli_tasklist_expand(cli_tasklist_t *tl, FILE *argfile, const char *name,
                        char *const *argv, int argc, char *err, size_t errlen) {
  if (argc < 1) {
    cli_fmt(err, errlen, "%s: no command template", name);
    return -1;
  }
  char *tmpl = join(argv, argc);
  if (tmpl == NULL) {
    cli_fmt(err, errlen, "%s: out of memory", name);
    return -1;
  }
  int rc = read_lines(tl, argfile, name, tmpl, err, errlen);
  cli_free(tmpl);
  return rc;
}

void cli_tasklist_free(cli_tasklist_t *tl) {
  if (tl == NULL)
    return;
  for (size_t i = 0; i < tl->n; i++)
    cli_free(tl->v[i].cmd);
  cli_free(tl->v);
  *tl = (cli_tasklist_t){0};
}
