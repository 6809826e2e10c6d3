/*
 * tasklist.c - the mpipool program's shell commands, read as a stream
 * (see tasklist.h): one per line of a task file, or one per line of an
 * argument file put into a command template.
 */
#include "tasklist.h"
#include "alloc.h"
#include "colsep.h"
#include "fmt.h"
#include "lines.h"
#include "tempfile.h"
#include "template.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct cli_tasks {
  FILE *f;              /* the file, or the copy of unseekable input; NULL: the
                           tasks are the product of sources */
  off_t start;          /* where its tasks begin */
  char *name;           /* for messages */
  cli_template_t *tmpl; /* the template, or NULL: a task file */
  cli_sources_t *sources; /* with f NULL: the sources */
  cli_arg_t *row;         /* ... the arguments of the current task */
  uint64_t n;             /* tasks counted on the first pass */
  uint64_t seq;           /* tasks given on this pass */
  size_t line;            /* lines read on this pass */
  char *buf;              /* the current line */
  size_t cap;
  char *cmd; /* the current command built from tmpl */
  size_t cmd_cap;
  cli_colsep_t *colsep; /* --colsep: lines split into columns, or NULL */
  cli_arg_t *cols;      /* ... the current task's columns */
  size_t cols_cap;
  char *header; /* an argument file's header line (--header :), or NULL */
  size_t line0; /* the lines before the tasks: 1 with a header */
};

/* Whether a task file skips this line: empty, only blanks, or a comment. */
static int is_comment_or_blank(const char *s, size_t len) {
  size_t i = 0;
  while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
    i++;
  return i == len || s[i] == '#';
}

/* Says in err why getline() returned -1 without reaching the end. */
static void read_failed(const cli_tasks_t *ts, int e, char *err,
                        size_t errlen) {
  if (e == ENOMEM)
    cli_fmt(err, errlen, "%s:%zu: out of memory", ts->name, ts->line + 1);
  else
    cli_fmt(err, errlen, "%s:%zu: read error: %s", ts->name, ts->line + 1,
            strerror(e ? e : EIO));
}

/* The next line that is a task, in ts->buf (*len bytes, without its
 * '\n'), copied to spool if that is not NULL.  Returns 1, 0 at the end,
 * or with a message in err, -2 for a line holding a NUL byte, -1 for any
 * other failure. */
static int next_line(cli_tasks_t *ts, size_t *len, FILE *spool, char *err,
                     size_t errlen) {
  for (;;) {
    errno = 0;
    ssize_t got = cli_getline(&ts->buf, &ts->cap, ts->f);
    if (got < 0) {
      if (!ferror(ts->f) && feof(ts->f))
        return 0;
      read_failed(ts, errno, err, errlen);
      return -1;
    }
    ts->line++;
    if (spool && fwrite(ts->buf, 1, (size_t)got, spool) != (size_t)got) {
      cli_fmt(err, errlen, "%s: cannot keep a copy of it: %s", ts->name,
              strerror(errno ? errno : EIO));
      return -1;
    }
    size_t n = (size_t)got;
    if (n && ts->buf[n - 1] == '\n')
      n--;
    if (memchr(ts->buf, '\0', n) != NULL) {
      cli_fmt(err, errlen, "%s:%zu: line holds a NUL byte", ts->name, ts->line);
      return -2;
    }
    if (ts->tmpl ? n == 0 : is_comment_or_blank(ts->buf, n))
      continue;
    ts->buf[n] = '\0';
    *len = n;
    return 1;
  }
}

/* Closes the input, but never stdin: its descriptor would go to the next
 * file opened, which would then read as the program's input. */
static void close_input(FILE *f) {
  if (f != stdin)
    fclose(f);
}

/* Whether f can be read again from where it is: a regular file (or a
 * block device), not a pipe or a terminal; *at is where it is. */
static int seekable(FILE *f, off_t *at) {
  struct stat st;
  int fd = fileno(f);
  if (fd < 0 || fstat(fd, &st) != 0 ||
      !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode)))
    return 0;
  *at = ftello(f);
  return *at >= 0;
}

/* The first pass: checks and counts every task, copying unseekable input
 * to a temporary file, which then replaces it. */
static int first_pass(cli_tasks_t *ts, char *err, size_t errlen) {
  FILE *spool = NULL;
  if (!seekable(ts->f, &ts->start)) {
    int fd = cli_tempfile("tasks", err, errlen);
    if (fd < 0 || (spool = fdopen(fd, "w+")) == NULL) {
      if (fd >= 0) {
        cli_fmt(err, errlen, "out of memory");
        close(fd);
      }
      return -1;
    }
    ts->start = 0;
  }
  size_t len;
  int rc;
  while ((rc = next_line(ts, &len, spool, err, errlen)) == 1)
    ts->n++;
  if (rc == 0 && spool && fflush(spool) != 0) {
    cli_fmt(err, errlen, "%s: cannot keep a copy of it: %s", ts->name,
            strerror(errno));
    rc = -1;
  }
  if (spool && rc == 0) {
    close_input(ts->f);
    ts->f = spool;
  } else if (spool) {
    fclose(spool);
  }
  return rc < 0 ? -1 : 0;
}

/* Reads the header line of an argument file into ts->header. */
static int read_header(cli_tasks_t *ts, char *err, size_t errlen) {
  errno = 0;
  ssize_t got = cli_getline(&ts->buf, &ts->cap, ts->f);
  if (got < 0) {
    if (!ferror(ts->f) && feof(ts->f))
      cli_fmt(err, errlen,
              "input source '%s' is empty: it has no header line "
              "(--header :)",
              ts->name);
    else
      read_failed(ts, errno, err, errlen);
    return -1;
  }
  size_t n = (size_t)got;
  if (n && ts->buf[n - 1] == '\n')
    n--;
  if (memchr(ts->buf, '\0', n) != NULL) {
    cli_fmt(err, errlen, "%s:1: line holds a NUL byte", ts->name);
    return -1;
  }
  if ((ts->header = cli_malloc(n + 1)) == NULL) {
    cli_fmt(err, errlen, "%s: out of memory", ts->name);
    return -1;
  }
  memcpy(ts->header, ts->buf, n);
  ts->header[n] = '\0';
  ts->line = ts->line0 = 1;
  return 0;
}

/* Appends the names of the columns a header line (h, len bytes) gives to
 * ts->cols (*n counting them): its columns, as Perl's split() gives them,
 * without the empty ones at its end. */
static int add_names(cli_tasks_t *ts, const char *h, size_t len, size_t *n) {
  size_t before = *n;
  if (cli_colsep_split(ts->colsep, h, len, &ts->cols, &ts->cols_cap, n))
    return -1;
  while (*n > before && ts->cols[*n - 1].len == 0)
    (*n)--;
  return 0;
}

/* Parses the template for columns, named by the header lines in ts->cols
 * (nnames of them; -1: no header). */
static int parse_columns(cli_tasks_t *ts, char *const *tmpl, int words,
                         size_t nnames, int header, char *err, size_t errlen) {
  if (nnames > INT_MAX) {
    cli_fmt(err, errlen, "the header lines name too many columns");
    return -1;
  }
  return cli_template_parse_columns(&ts->tmpl, tmpl, words, ts->cols,
                                    header ? (int)nnames : -1, err, errlen);
}

int cli_tasks_open(cli_tasks_t **out, FILE *f, const char *name,
                   char *const *tmpl, int words, char *err, size_t errlen) {
  return cli_tasks_open_columns(out, f, name, tmpl, words, NULL, 0, err,
                                errlen);
}

int cli_tasks_open_columns(cli_tasks_t **out, FILE *f, const char *name,
                           char *const *tmpl, int words, cli_colsep_t *colsep,
                           int header, char *err, size_t errlen) {
  cli_tasks_t *ts = cli_calloc(1, sizeof *ts);
  if (ts == NULL) {
    close_input(f);
    cli_colsep_free(colsep);
    cli_fmt(err, errlen, "%s: out of memory", name);
    return -1;
  }
  ts->f = f;
  ts->colsep = colsep;
  if ((ts->name = cli_strdup(name)) == NULL) {
    cli_fmt(err, errlen, "%s: out of memory", name);
    goto fail;
  }
  if (tmpl && header && read_header(ts, err, errlen))
    goto fail;
  if (tmpl && colsep) {
    size_t nnames = 0;
    if (header && add_names(ts, ts->header, strlen(ts->header), &nnames)) {
      cli_fmt(err, errlen, "%s: out of memory", name);
      goto fail;
    }
    if (parse_columns(ts, tmpl, words, nnames, header, err, errlen))
      goto fail;
  } else if (tmpl &&
             cli_template_parse(&ts->tmpl, tmpl, words, 1, err, errlen)) {
    goto fail;
  }
  if (first_pass(ts, err, errlen) || cli_tasks_rewind(ts, err, errlen))
    goto fail;
  *out = ts;
  return 0;
fail:
  cli_tasks_free(ts);
  return -1;
}

uint64_t cli_tasks_count(const cli_tasks_t *ts) { return ts->n; }

int cli_tasks_open_sources(cli_tasks_t **out, cli_sources_t *sources,
                           char *const *tmpl, int words, cli_colsep_t *colsep,
                           char *err, size_t errlen) {
  cli_tasks_t *ts = cli_calloc(1, sizeof *ts);
  if (ts == NULL) {
    cli_sources_free(sources);
    cli_colsep_free(colsep);
    cli_fmt(err, errlen, "out of memory");
    return -1;
  }
  ts->sources = sources;
  ts->colsep = colsep;
  int width = cli_sources_width(sources);
  ts->n = cli_sources_count(sources, err, errlen);
  if (ts->n == 0)
    goto fail;
  if (ts->n == UINT64_MAX) {
    cli_fmt(err, errlen,
            "the input sources make more tasks than can be "
            "counted");
    goto fail;
  }
  if (colsep) { /* the columns of every source, named by their headers */
    size_t nnames = 0;
    int header = 0;
    for (int i = 0; i < width; i++) {
      const cli_arg_t *h = cli_sources_header(sources, i);
      if (h && add_names(ts, h->s, h->len, &nnames)) {
        cli_fmt(err, errlen, "out of memory");
        goto fail;
      }
      header |= h != NULL;
    }
    if (parse_columns(ts, tmpl, words, nnames, header, err, errlen))
      goto fail;
  } else if (cli_template_parse(&ts->tmpl, tmpl, words, width, err, errlen)) {
    goto fail;
  }
  if ((ts->row = cli_calloc((size_t)width, sizeof *ts->row)) == NULL) {
    cli_fmt(err, errlen, "out of memory");
    goto fail;
  }
  *out = ts;
  return 0;
fail:
  cli_tasks_free(ts);
  return -1;
}

int cli_tasks_rewind(cli_tasks_t *ts, char *err, size_t errlen) {
  ts->seq = 0;
  ts->line = ts->line0;
  if (ts->f == NULL)
    return 0;
  clearerr(ts->f);
  /* fflush drops what stdio holds of the file, else fseeko could keep a
   * buffer read before the file changed. */
  if (fflush(ts->f) != 0 || fseeko(ts->f, ts->start, SEEK_SET) != 0) {
    cli_fmt(err, errlen, "%s: cannot read it again: %s", ts->name,
            strerror(errno));
    return -1;
  }
  return 0;
}

/* Says that the file is not what the first pass read. */
static int changed(const cli_tasks_t *ts, char *err, size_t errlen) {
  cli_fmt(err, errlen,
          "%s changed while mpipool ran (line %zu; it held %llu tasks): "
          "stopping",
          ts->name, ts->line, (unsigned long long)ts->n);
  return -1;
}

/* The command of the current task over its arguments args[0..nargs-1],
 * or with --colsep over their columns, in ts->cmd (*len bytes). */
static int expand(cli_tasks_t *ts, const cli_arg_t *args, int nargs,
                  size_t *len) {
  size_t ncols = 0;
  if (ts->colsep == NULL)
    return cli_template_expand(ts->tmpl, args, nargs, ts->seq, &ts->cmd,
                               &ts->cmd_cap, len);
  for (int i = 0; i < nargs; i++)
    if (cli_colsep_split(ts->colsep, args[i].s, args[i].len, &ts->cols,
                         &ts->cols_cap, &ncols))
      return -1;
  if (ncols > INT_MAX)
    return -1;
  return cli_template_expand(ts->tmpl, ts->cols, (int)ncols, ts->seq, &ts->cmd,
                             &ts->cmd_cap, len);
}

/* The next task of the sources' product. */
static int next_row(cli_tasks_t *ts, cli_task_t *t, char *err, size_t errlen) {
  size_t len;
  if (ts->seq == ts->n)
    return 0;
  cli_sources_row(ts->sources, ts->seq, ts->row);
  ts->seq++;
  if (expand(ts, ts->row, cli_sources_width(ts->sources), &len)) {
    cli_fmt(err, errlen, "task %llu: out of memory",
            (unsigned long long)ts->seq);
    return -1;
  }
  *t = (cli_task_t){ts->seq, ts->cmd, len, 0};
  return 1;
}

int cli_tasks_next(cli_tasks_t *ts, cli_task_t *t, char *err, size_t errlen) {
  size_t len;
  if (ts->f == NULL)
    return next_row(ts, t, err, errlen);
  int rc = next_line(ts, &len, NULL, err, errlen);
  if (rc < 0) /* a NUL byte the first pass did not see */
    return rc == -2 ? changed(ts, err, errlen) : -1;
  if (rc == 0)
    return ts->seq == ts->n ? 0 : changed(ts, err, errlen);
  if (ts->seq == ts->n)
    return changed(ts, err, errlen);
  ts->seq++;
  t->seq = ts->seq;
  t->line = ts->line;
  if (ts->tmpl == NULL) {
    t->cmd = ts->buf;
    t->len = len;
    return 1;
  }
  cli_arg_t arg = {ts->buf, len};
  if (expand(ts, &arg, 1, &t->len) != 0) {
    cli_fmt(err, errlen, "%s:%zu: out of memory", ts->name, ts->line);
    return -1;
  }
  t->cmd = ts->cmd;
  return 1;
}

void cli_tasks_free(cli_tasks_t *ts) {
  if (ts == NULL)
    return;
  if (ts->f)
    close_input(ts->f);
  cli_free(ts->name);
  cli_template_free(ts->tmpl);
  cli_sources_free(ts->sources);
  cli_free(ts->row);
  cli_free(ts->buf);
  cli_free(ts->cmd);
  cli_colsep_free(ts->colsep);
  cli_free(ts->cols);
  cli_free(ts->header);
  cli_free(ts);
}
