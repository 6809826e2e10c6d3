/*
 * runlog.c - a joblog read whole for a report (see runlog.h): its lines
 * parsed by joblog.c, its hosts interned, its commands kept short.
 */
#include "runlog.h"
#include "alloc.h"
#include "fmt.h"
#include "joblog.h"
#include "lines.h"

#include <errno.h>
#include <string.h>

struct cli_runlog {
  cli_runlog_task_t *tasks;
  size_t n, cap;
  char **hosts;
  uint32_t nhosts;
  size_t hosts_cap;
};

void cli_runlog_free(cli_runlog_t *log) {
  if (log == NULL)
    return;
  for (size_t i = 0; i < log->n; i++)
    cli_free(log->tasks[i].cmd);
  for (uint32_t k = 0; k < log->nhosts; k++)
    cli_free(log->hosts[k]);
  cli_free(log->tasks);
  cli_free(log->hosts);
  cli_free(log);
}

size_t cli_runlog_count(const cli_runlog_t *log) { return log->n; }

const cli_runlog_task_t *cli_runlog_task(const cli_runlog_t *log, size_t i) {
  return &log->tasks[i];
}

uint32_t cli_runlog_nhosts(const cli_runlog_t *log) { return log->nhosts; }

const char *cli_runlog_host(const cli_runlog_t *log, uint32_t k) {
  return log->hosts[k];
}

/* The index of host in log's hosts, added if new; -1 out of memory.  The
 * last one found is tried first: a joblog's lines come in runs of few
 * hosts, and most have one. */
static long intern_host(cli_runlog_t *log, const char *host, uint32_t *last) {
  if (*last < log->nhosts && strcmp(log->hosts[*last], host) == 0)
    return *last;
  for (uint32_t k = 0; k < log->nhosts; k++)
    if (strcmp(log->hosts[k], host) == 0)
      return *last = k;
  if (log->nhosts == UINT32_MAX ||
      cli_grow((void **)&log->hosts, &log->hosts_cap, log->nhosts + 1,
               sizeof *log->hosts))
    return -1;
  if ((log->hosts[log->nhosts] = cli_strdup(host)) == NULL)
    return -1;
  return *last = log->nhosts++;
}

/* A malloc'd copy of cmd (len bytes), cut to CLI_RUNLOG_CMD_MAX bytes
 * ending in "..." when longer, never inside a UTF-8 character. */
static char *short_copy(const char *cmd, size_t len) {
  size_t keep = len;
  if (len > CLI_RUNLOG_CMD_MAX) {
    keep = CLI_RUNLOG_CMD_MAX - 3;
    while (keep > 0 && ((unsigned char)cmd[keep] & 0xC0) == 0x80)
      keep--;
  }
  char *s = cli_malloc(keep + 4);
  if (s == NULL)
    return NULL;
  memcpy(s, cmd, keep);
  memcpy(s + keep, keep < len ? "..." : "", keep < len ? 4 : 1);
  return s;
}

/* Adds the parsed line e to log.  0, or -1 out of memory. */
static int add(cli_runlog_t *log, const cli_joblog_entry_t *e, uint32_t *last) {
  long host = intern_host(log, e->host, last);
  if (host < 0 ||
      cli_grow((void **)&log->tasks, &log->cap, log->n + 1, sizeof *log->tasks))
    return -1;
  cli_runlog_task_t *t = &log->tasks[log->n];
  *t = (cli_runlog_task_t){.seq = e->seq,
                           .start = e->start,
                           .runtime = e->runtime < 0 ? 0 : e->runtime,
                           .exitval = e->exitval,
                           .signal = e->signal,
                           .host = (uint32_t)host};
  if ((t->cmd = short_copy(e->cmd, e->cmd_len)) == NULL)
    return -1;
  log->n++;
  return 0;
}

int cli_runlog_read(FILE *f, const char *name, cli_runlog_t **out, int *torn,
                    char *err, size_t errlen) {
  cli_runlog_t *log = cli_calloc(1, sizeof *log);
  char *buf = NULL;
  size_t cap = 0, line = 0;
  uint32_t last = 0;
  int header = 0, rc = -1;
  if (torn)
    *torn = 0;
  if (log == NULL) {
    cli_fmt(err, errlen, "%s: out of memory", name);
    return -1;
  }
  for (;;) {
    ssize_t got = cli_getline_said(&buf, &cap, f, name, line, err, errlen);
    if (got == -2)
      goto out;
    if (got < 0)
      break;
    line++;
    size_t len = (size_t)got;
    int whole = buf[len - 1] == '\n';
    if (whole)
      buf[--len] = '\0';
    if (line == 1 && cli_joblog_is_header(buf, len)) {
      header = 1;
      continue;
    }
    cli_joblog_entry_t e;
    char why[512];
    if (cli_joblog_parse(buf, len, &e, name, line, why, sizeof why) != 0) {
      if (!whole) { /* a torn last line: left out */
        if (torn)
          *torn = 1;
        break;
      }
      if (line == 1 && !header)
        cli_fmt(err, errlen,
                "%s (%s:1 is not the joblog header 'Seq Host Starttime "
                "JobRuntime Send Receive Exitval Signal Command' either: is "
                "it a joblog?)",
                why, name);
      else
        cli_fmt(err, errlen, "%s", why);
      goto out;
    }
    if (add(log, &e, &last) != 0) {
      cli_fmt(err, errlen, "%s:%zu: out of memory", name, line);
      goto out;
    }
    if (!whole)
      break;
  }
  *out = log;
  log = NULL;
  rc = 0;
out:
  cli_free(buf);
  cli_runlog_free(log);
  return rc;
}
