/*
 * joblog.c - GNU parallel's joblog (see joblog.h): formatting the line
 * written for each finished task, and checking an existing joblog against
 * the task list before --resume trusts it to skip tasks.
 */
#include "joblog.h"
#include "alloc.h"
#include "lines.h"
#include "fmt.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NFIELDS 9
#define SHORT_MAX 60 /* commands and fields longer than this are cut */

const char cli_joblog_header[] =
    "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\t"
    "Command\n";

static const char *const field_names[NFIELDS] = {
    "Seq",     "Host",    "Starttime", "JobRuntime", "Send",
    "Receive", "Exitval", "Signal",    "Command"};

/* Copies len bytes of s to a malloc'd string with every byte of `from`
 * replaced by a space.  NULL when out of memory. */
static char *spaced(const char *s, size_t len, const char *from) {
  char *d = cli_malloc(len + 1);
  if (d == NULL)
    return NULL;
  for (size_t i = 0; i < len; i++)
    d[i] = s[i] != '\0' && strchr(from, s[i]) ? ' ' : s[i];
  d[len] = '\0';
  return d;
}

int cli_joblog_format(const cli_joblog_entry_t *e, char **out,
                      size_t *out_len) {
  const char *h = e->host ? e->host : "";
  char *host = spaced(h, strlen(h), "\t\n");
  char *cmd = spaced(e->cmd ? e->cmd : "", e->cmd ? e->cmd_len : 0, "\n");
  char *line = NULL;
  int rc = -1;
  if (host == NULL || cmd == NULL)
    goto out;
  const char *fmt =
      "%" PRIu64 "\t%s\t%.3f\t%.3f\t%" PRIu64 "\t%" PRIu64 "\t%d\t%d\t";
  int exitval = e->timed_out && e->exitval == 0 ? -1 : e->exitval;
  int n = snprintf(NULL, 0, fmt, e->seq, host, e->start, e->runtime, e->send,
                   e->receive, exitval, e->signal);
  if (n < 0)
    goto out;
  size_t cmd_len = e->cmd ? e->cmd_len : 0;
  if (cmd_len > SIZE_MAX - 2 - (size_t)n)
    goto out;
  size_t total = (size_t)n + cmd_len + 1;
  line = cli_malloc(total + 1);
  if (line == NULL)
    goto out;
  snprintf(line, (size_t)n + 1, fmt, e->seq, host, e->start, e->runtime,
           e->send, e->receive, exitval, e->signal);
  memcpy(line + n, cmd, cmd_len);
  line[total - 1] = '\n';
  line[total] = '\0';
  *out = line;
  *out_len = total;
  rc = 0;
out:
  cli_free(cmd);
  cli_free(host);
  return rc;
}

/* Writes s (len bytes) into out (at least SHORT_MAX + 1 bytes), cut to
 * SHORT_MAX bytes ending in "..." when longer, and not inside a UTF-8
 * character. */
static void shorten(const char *s, size_t len, char *out) {
  if (len <= SHORT_MAX) {
    memcpy(out, s, len);
    out[len] = '\0';
    return;
  }
  size_t cut = SHORT_MAX - 3;
  while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
    cut--;
  memcpy(out, s, cut);
  memcpy(out + cut, "...", 4);
}

/* The number in field s without the spaces around it: GNU parallel pads
 * its JobRuntime ("%10.3f"), and other writers may pad any column.  Only
 * spaces are taken off (a tab separates fields).  Returns where the
 * number starts; its length in *len. */
static const char *unpad(const char *s, size_t *len) {
  while (*s == ' ')
    s++;
  size_t n = strlen(s);
  while (n > 0 && s[n - 1] == ' ')
    n--;
  *len = n;
  return s;
}

/* Parses an unsigned decimal field: digits only, no sign, spaces around
 * them allowed. */
static int parse_u64(const char *s, uint64_t *v) {
  size_t n;
  s = unpad(s, &n);
  if (n == 0 || *s < '0' || *s > '9')
    return -1;
  char *end;
  errno = 0;
  unsigned long long x = strtoull(s, &end, 10);
  if (end != s + n || errno == ERANGE)
    return -1;
  *v = (uint64_t)x;
  return 0;
}

/* Parses a decimal int field, with an optional '-' right before its
 * digits, spaces around them allowed. */
static int parse_int(const char *s, int *v) {
  size_t n;
  s = unpad(s, &n);
  const char *d = *s == '-' ? s + 1 : s;
  if (n == 0 || *d < '0' || *d > '9')
    return -1;
  char *end;
  errno = 0;
  long x = strtol(s, &end, 10);
  if (end != s + n || errno == ERANGE || x < INT_MIN || x > INT_MAX)
    return -1;
  *v = (int)x;
  return 0;
}

/* Parses a number field as "%.3f" writes it: an optional '-', digits,
 * then optionally '.' and more digits (no exponent, hex, inf), spaces
 * around it allowed (as "%10.3f" writes it). */
static int parse_double(const char *s, double *v) {
  static const char digits[] = "0123456789";
  size_t n;
  s = unpad(s, &n);
  const char *p = s + (*s == '-');
  size_t int_digits = strspn(p, digits);
  p += int_digits;
  if (*p == '.')
    p += 1 + strspn(p + 1, digits);
  if (int_digits == 0 || p != s + n)
    return -1;
  errno = 0;
  double x = strtod(s, NULL); /* stops where the checked number ends */
  if (errno == ERANGE || !isfinite(x))
    return -1;
  *v = x;
  return 0;
}

/* Splits line (len bytes, NUL-terminated) in place on its first eight
 * tabs: f[0..7] become NUL-terminated fields, f[8] the command of *cmd_len
 * bytes.  Returns the number of fields found, NFIELDS when all are. */
static int split(char *line, size_t len, char **f, size_t *cmd_len) {
  char *p = line, *end = line + len;
  int i = 0;
  for (; i < NFIELDS - 1; i++) {
    char *tab = memchr(p, '\t', (size_t)(end - p));
    if (tab == NULL)
      return i + 1;
    f[i] = p;
    *tab = '\0';
    p = tab + 1;
  }
  f[i] = p;
  *cmd_len = (size_t)(end - p);
  return NFIELDS;
}

/* Fills e from the fields f, or says in err which one is not a number. */
static int parse_fields(char **f, cli_joblog_entry_t *e, const char *name,
                        size_t line, char *err, size_t errlen) {
  int bad = -1;
  if (parse_u64(f[0], &e->seq))
    bad = 0;
  else if (parse_double(f[2], &e->start))
    bad = 2;
  else if (parse_double(f[3], &e->runtime))
    bad = 3;
  else if (parse_u64(f[4], &e->send))
    bad = 4;
  else if (parse_u64(f[5], &e->receive))
    bad = 5;
  else if (parse_int(f[6], &e->exitval))
    bad = 6;
  else if (parse_int(f[7], &e->signal))
    bad = 7;
  if (bad < 0)
    return 0;
  char s[SHORT_MAX + 1];
  shorten(f[bad], strlen(f[bad]), s);
  cli_fmt(err, errlen, "%s:%zu: %s '%s' is not a valid number", name, line,
          field_names[bad], s);
  return -1;
}

int cli_joblog_parse(char *line, size_t len, cli_joblog_entry_t *e,
                     const char *name, size_t lineno, char *err,
                     size_t errlen) {
  char *f[NFIELDS];
  memset(e, 0, sizeof *e);
  if (memchr(line, '\0', len) != NULL) {
    cli_fmt(err, errlen, "%s:%zu: line holds a NUL byte", name, lineno);
    return -1;
  }
  int nf = split(line, len, f, &e->cmd_len);
  if (nf < NFIELDS) {
    cli_fmt(err, errlen, "%s:%zu: too few fields: %d instead of %d", name,
            lineno, nf, NFIELDS);
    return -1;
  }
  if (parse_fields(f, e, name, lineno, err, errlen) != 0)
    return -1;
  e->host = f[1];
  e->cmd = f[8];
  return 0;
}

int cli_joblog_is_header(const char *line, size_t len) {
  return len + 1 == sizeof cli_joblog_header - 1 &&
         memcmp(line, cli_joblog_header, len) == 0;
}

/* Checks one complete joblog line s (len bytes, without its '\n'), line
 * number `line` of the joblog `name`, and adds what it says to d; its
 * command is compared with its task's later (cli_done_check). */
static int load_line(char *s, size_t len, const char *name, size_t line,
                     cli_done_t *d, char *err, size_t errlen) {
  char *f[NFIELDS];
  cli_joblog_entry_t e = {0};
  int nf = split(s, len, f, &e.cmd_len);
  if (nf < NFIELDS) {
    cli_fmt(err, errlen, "%s:%zu: too few fields: %d instead of %d", name, line,
            nf, NFIELDS);
    return -1;
  }
  if (parse_fields(f, &e, name, line, err, errlen) != 0)
    return -1;
  uint64_t n = cli_done_count(d);
  if (e.seq < 1 || e.seq > n) {
    cli_fmt(err, errlen,
            "%s:%zu: Seq %" PRIu64 " is not a task: the task"
            " list has %" PRIu64,
            name, line, e.seq, n);
    return -1;
  }
  if (cli_done_add(d, e.seq, e.exitval == 0 && e.signal == 0, f[8], e.cmd_len,
                   line) != 0) {
    cli_fmt(err, errlen, "%s:%zu: out of memory", name, line);
    return -1;
  }
  return 0;
}

/* The task a line cut short (len bytes, without '\n') began to log: its
 * Seq, when that field is whole (a tab follows it), a number, and a task
 * 1..n; else 0. */
static uint64_t torn_seq(char *s, size_t len, uint64_t n) {
  char *tab = memchr(s, '\t', len);
  uint64_t seq;
  if (tab == NULL || memchr(s, '\0', (size_t)(tab - s)) != NULL)
    return 0;
  *tab = '\0';
  if (parse_u64(s, &seq) != 0 || seq < 1 || seq > n)
    return 0;
  return seq;
}

/* Reads the joblog f from where it is to its end into d (d NULL: only to
 * line `upto`, whose command is then shortened into cmd).  Lines are
 * numbered from 1 where reading starts. */
static int read_log(FILE *f, const char *name, cli_done_t *d,
                    cli_joblog_tail_t *tail, size_t upto, char *cmd, char *err,
                    size_t errlen) {
  char *buf = NULL;
  size_t cap = 0, line = 0;
  cli_joblog_tail_t t = {0};
  int rc = 0;
  for (;;) {
    ssize_t got = cli_getline_said(&buf, &cap, f, name, line, err, errlen);
    if (got < 0) {
      rc = got == -2 ? -1 : rc;
      break;
    }
    line++;
    size_t len = (size_t)got;
    if (buf[len - 1] != '\n') { /* only the last line can lack it */
      t.torn = len;
      t.torn_seq = d ? torn_seq(buf, len, cli_done_count(d)) : 0;
      break;
    }
    t.whole += len;
    buf[--len] = '\0';
    if (d == NULL && line == upto) {
      char *fields[NFIELDS];
      size_t cmd_len;
      if (split(buf, len, fields, &cmd_len) == NFIELDS)
        shorten(fields[8], cmd_len, cmd);
      break;
    }
    if (d == NULL)
      continue;
    if (memchr(buf, '\0', len) != NULL) {
      cli_fmt(err, errlen, "%s:%zu: line holds a NUL byte", name, line);
      rc = -1;
      break;
    }
    if (line == 1 && cli_joblog_is_header(buf, len))
      continue;
    rc = load_line(buf, len, name, line, d, err, errlen);
    if (rc != 0)
      break;
  }
  cli_free(buf);
  if (rc == 0 && tail)
    *tail = t;
  return rc;
}

/* Streams the tasks of ts past d (cli_done_check): the first joblog line
 * that differs from its task in *line (0: none found), that task in *seq
 * and its command shortened into cmd.  Returns 0, or -1 with a message
 * when the task list could not be read. */
static int compare(cli_tasks_t *ts, cli_done_t *d, size_t *line, uint64_t *seq,
                   char *cmd, char *err, size_t errlen) {
  cli_task_t t;
  int rc;
  *line = 0;
  if (cli_tasks_rewind(ts, err, errlen))
    return -1;
  while ((rc = cli_tasks_next(ts, &t, err, errlen)) == 1) {
    size_t l = cli_done_check(d, t.seq, t.cmd, t.len);
    if (l && (*line == 0 || l < *line)) {
      *line = l;
      *seq = t.seq;
      shorten(t.cmd, t.len, cmd);
    }
  }
  return rc < 0 || cli_tasks_rewind(ts, err, errlen) ? -1 : 0;
}

/* Once the joblog (read from `at` in f) is known not to match ts: names
 * its first line that differs from its task, in err, by reading both
 * again with every line kept (cli_done_create's exact mode). */
static void name_mismatch(FILE *f, off_t at, const char *name, cli_tasks_t *ts,
                          char *err, size_t errlen) {
  cli_done_t *d = NULL;
  char got[SHORT_MAX + 1] = "", want[SHORT_MAX + 1];
  size_t line = 0;
  uint64_t seq = 0;
  if (cli_done_create(&d, cli_tasks_count(ts), 1) == 0 &&
      fseeko(f, at, SEEK_SET) == 0 &&
      read_log(f, name, d, NULL, 0, NULL, err, errlen) == 0 &&
      compare(ts, d, &line, &seq, want, err, errlen) == 0 && line &&
      fseeko(f, at, SEEK_SET) == 0 &&
      read_log(f, name, NULL, NULL, line, got, err, errlen) == 0)
    cli_fmt(err, errlen,
            "%s:%zu: task %" PRIu64 " is '%s' in the joblog"
            " but '%s' in the task list",
            name, line, seq, got, want);
  else
    cli_fmt(err, errlen,
            "%s: a task's command in it is not the task list's (which one "
            "could not be found again)",
            name);
  cli_done_free(d);
}

int cli_joblog_load(FILE *f, const char *name, cli_tasks_t *ts,
                    cli_done_t **done, cli_joblog_tail_t *tail, char *err,
                    size_t errlen) {
  cli_done_t *d = NULL;
  char want[SHORT_MAX + 1];
  size_t line;
  uint64_t seq;
  off_t at = ftello(f);
  if (cli_done_create(&d, cli_tasks_count(ts), 0) != 0) {
    cli_fmt(err, errlen, "%s: out of memory", name);
    return -1;
  }
  if (read_log(f, name, d, tail, 0, NULL, err, errlen) != 0 ||
      compare(ts, d, &line, &seq, want, err, errlen) != 0)
    goto fail;
  if (!cli_done_matches(d)) {
    name_mismatch(f, at, name, ts, err, errlen);
    goto fail;
  }
  *done = d;
  return 0;
fail:
  cli_done_free(d);
  return -1;
}
