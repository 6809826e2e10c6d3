/*
 * taskmsg.c - byte layouts of a task and of its result between the mpipool
 * program's master and workers.
 */
#include "taskmsg.h"
#include "alloc.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
  uint64_t seq;
  double timeout;
} task_hdr_t;

/* The header, then the host name and its NUL, stdout, stderr. */
typedef struct {
  double start, runtime;
  uint64_t host_len, out_len, err_len, out_lost, err_lost;
  int32_t exitval, signal, timed_out, cancelled;
} result_hdr_t;

int cli_taskmsg_encode(const cli_taskmsg_t *t, void **out, size_t *out_len) {
  task_hdr_t h = {t->seq, t->timeout};
  char *m = cli_malloc(sizeof h + t->cmd_len);
  if (m == NULL)
    return -1;
  memcpy(m, &h, sizeof h);
  if (t->cmd_len)
    memcpy(m + sizeof h, t->cmd, t->cmd_len);
  *out = m;
  *out_len = sizeof h + t->cmd_len;
  return 0;
}

int cli_taskmsg_decode(const void *msg, size_t size, cli_taskmsg_t *t) {
  task_hdr_t h;
  if (msg == NULL || size < sizeof h)
    return -1;
  memcpy(&h, msg, sizeof h);
  t->seq = h.seq;
  t->timeout = h.timeout;
  t->cmd = (const char *)msg + sizeof h;
  t->cmd_len = size - sizeof h;
  return 0;
}

static const char *host_of(const cli_resultmsg_t *r) {
  return r->host ? r->host : "";
}

size_t cli_resultmsg_size(const cli_resultmsg_t *r) {
  return sizeof(result_hdr_t) + strlen(host_of(r)) + 1 + r->out_len +
         r->err_len;
}

void cli_resultmsg_encode(const cli_resultmsg_t *r, void *dst) {
  result_hdr_t h;
  memset(&h, 0, sizeof h);
  h.start = r->start;
  h.runtime = r->runtime;
  h.out_len = r->out_len;
  h.err_len = r->err_len;
  h.exitval = r->exitval;
  h.signal = r->signal;
  h.timed_out = r->timed_out;
  h.cancelled = r->cancelled;
  h.out_lost = r->out_lost;
  h.err_lost = r->err_lost;
  h.host_len = strlen(host_of(r));
  char *p = dst;
  memcpy(p, &h, sizeof h);
  p += sizeof h;
  memcpy(p, host_of(r), h.host_len + 1);
  p += h.host_len + 1;
  if (r->out_len)
    memcpy(p, r->out, r->out_len);
  if (r->err_len)
    memcpy(p + r->out_len, r->err, r->err_len);
}

int cli_resultmsg_decode(const void *msg, size_t size, cli_resultmsg_t *r) {
  result_hdr_t h;
  if (msg == NULL || size < sizeof h)
    return -1;
  memcpy(&h, msg, sizeof h);
  const char *p = (const char *)msg + sizeof h;
  size_t left = size - sizeof h;
  if (h.host_len >= left || p[h.host_len] != '\0' ||
      memchr(p, '\0', (size_t)h.host_len) != NULL)
    return -1;
  r->host = p;
  p += h.host_len + 1;
  left -= (size_t)h.host_len + 1;
  if (h.out_len > left || h.err_len != left - h.out_len)
    return -1;
  if ((h.out_lost || h.err_lost) && (h.out_len || h.err_len))
    return -1; /* an output lost never comes with bytes */
  r->start = h.start;
  r->runtime = h.runtime;
  r->exitval = h.exitval;
  r->signal = h.signal;
  r->timed_out = h.timed_out;
  r->cancelled = h.cancelled;
  r->out = p;
  r->out_len = (size_t)h.out_len;
  r->err = p + h.out_len;
  r->err_len = (size_t)h.err_len;
  r->out_lost = h.out_lost;
  r->err_lost = h.err_lost;
  return 0;
}
