/*
 * sources.c - input sources and their product (see sources.h).
 */
#include "sources.h"
#include "alloc.h"
#include "fmt.h"
#include "lines.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* One source: its arguments (each its own allocation, or argv's). */
typedef struct {
  cli_arg_t *args;
  size_t n, cap;
  int owned; /* the arguments' bytes are ours to free */
  int linked;
  int has_header;   /* with --header: */
  cli_arg_t header; /* ... its first line or word (owned as the args) */
  const char *name;
} source_t;

struct cli_sources {
  source_t *v;
  int n;
};

static int add_arg(source_t *src, const char *s, size_t len) {
  if (cli_grow((void **)&src->args, &src->cap, src->n + 1, sizeof *src->args))
    return -1;
  src->args[src->n++] = (cli_arg_t){s, len};
  return 0;
}

/* Reads every non-empty line of the file path into src; with header,
 * its first line (even empty) into src->header. */
static int read_file(source_t *src, const char *path, int header, char *err,
                     size_t errlen) {
  int from_stdin = strcmp(path, "-") == 0;
  FILE *f = from_stdin ? stdin : fopen(path, "r");
  char *buf = NULL;
  size_t cap = 0, line = 0;
  int rc = 0;
  if (f == NULL) {
    cli_fmt(err, errlen, "cannot read input source '%s': %s", path,
            strerror(errno));
    return -1;
  }
  for (;;) {
    ssize_t got = cli_getline_said(&buf, &cap, f, src->name, line, err, errlen);
    if (got < 0) {
      rc = got == -2 ? -1 : rc;
      break;
    }
    line++;
    size_t len = (size_t)got;
    if (len && buf[len - 1] == '\n')
      len--;
    if (memchr(buf, '\0', len) != NULL) {
      cli_fmt(err, errlen, "%s:%zu: line holds a NUL byte", src->name, line);
      rc = -1;
      break;
    }
    if (len == 0 && !(header && line == 1))
      continue;
    char *copy = cli_malloc(len + 1);
    if (copy != NULL && header && line == 1) {
      src->header = (cli_arg_t){copy, len};
      src->has_header = 1;
    } else if (copy == NULL || add_arg(src, copy, len)) {
      cli_free(copy);
      cli_fmt(err, errlen, "%s:%zu: out of memory", src->name, line);
      rc = -1;
      break;
    }
    memcpy(copy, buf, len);
    copy[len] = '\0';
  }
  cli_free(buf);
  if (!from_stdin)
    fclose(f);
  if (rc == 0 && header && !src->has_header) {
    cli_fmt(err, errlen,
            "input source '%s' is empty: it has no header line (--header :)",
            src->name);
    rc = -1;
  }
  return rc;
}

int cli_sources_load(cli_sources_t **out, const cli_source_spec_t *spec, int n,
                     int header, char *err, size_t errlen) {
  cli_sources_t *s = cli_calloc(1, sizeof *s);
  if (s == NULL || (s->v = cli_calloc((size_t)n + 1, sizeof *s->v)) == NULL) {
    cli_free(s);
    cli_fmt(err, errlen, "out of memory");
    return -1;
  }
  for (int i = 0; i < n; i++) {
    source_t *src = &s->v[s->n++];
    src->linked = spec[i].linked;
    src->name = spec[i].path && strcmp(spec[i].path, "-") == 0 ? "(stdin)"
                                                               : spec[i].path;
    if (spec[i].path) {
      src->owned = 1;
      if (read_file(src, spec[i].path, header, err, errlen))
        goto fail;
      continue;
    }
    int k = 0;
    if (header && spec[i].nwords == 0) {
      cli_fmt(err, errlen,
              "input source %d (:::) is empty: it has no header word "
              "(--header :)",
              i + 1);
      goto fail;
    }
    if (header) {
      src->header = (cli_arg_t){spec[i].words[0], strlen(spec[i].words[0])};
      src->has_header = 1;
      k = 1;
    }
    for (; k < spec[i].nwords; k++)
      if (add_arg(src, spec[i].words[k], strlen(spec[i].words[k]))) {
        cli_fmt(err, errlen, "out of memory");
        goto fail;
      }
  }
  *out = s;
  return 0;
fail:
  cli_sources_free(s);
  return -1;
}

int cli_sources_width(const cli_sources_t *s) { return s->n; }

const cli_arg_t *cli_sources_header(const cli_sources_t *s, int i) {
  return s->v[i].has_header ? &s->v[i].header : NULL;
}

/* The number of rows of the group of linked sources that starts at
 * source i (the shortest's), and in *end the source after it. */
static size_t group_rows(const cli_sources_t *s, int i, int *end) {
  size_t rows = s->v[i].n;
  int k = i + 1;
  for (; k < s->n && s->v[k].linked; k++)
    if (s->v[k].n < rows)
      rows = s->v[k].n;
  *end = k;
  return rows;
}

uint64_t cli_sources_count(const cli_sources_t *s, char *err, size_t errlen) {
  uint64_t count = 1;
  for (int i = 0, end; i < s->n; i = end) {
    size_t rows = group_rows(s, i, &end);
    if (rows == 0) {
      int empty = i;
      while (s->v[empty].n > 0)
        empty++;
      if (s->v[empty].name)
        cli_fmt(err, errlen, "input source %d (%s) has no arguments: no task",
                empty + 1, s->v[empty].name);
      else
        cli_fmt(err, errlen, "input source %d (:::) has no arguments: no task",
                empty + 1);
      return 0;
    }
    if (count > UINT64_MAX / rows)
      return UINT64_MAX;
    count *= rows;
  }
  return count;
}

void cli_sources_row(const cli_sources_t *s, uint64_t i, cli_arg_t *args) {
  /* Mixed radix, the last group the fastest digit. */
  int starts[64], ngroups = 0;
  for (int g = 0, end; g < s->n && ngroups < 64; g = end) {
    group_rows(s, g, &end);
    starts[ngroups++] = g;
  }
  for (int k = ngroups; k-- > 0;) {
    int end;
    size_t rows = group_rows(s, starts[k], &end);
    size_t r = (size_t)(i % rows);
    i /= rows;
    for (int src = starts[k]; src < end; src++)
      args[src] = s->v[src].args[r];
  }
}

void cli_sources_free(cli_sources_t *s) {
  if (s == NULL)
    return;
  for (int i = 0; i < s->n; i++) {
    if (s->v[i].owned) {
      for (size_t k = 0; k < s->v[i].n; k++)
        cli_free((char *)s->v[i].args[k].s);
      cli_free((char *)s->v[i].header.s);
    }
    cli_free(s->v[i].args);
  }
  cli_free(s->v);
  cli_free(s);
}
