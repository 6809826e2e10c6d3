/*
 * taskmsg.h - what the mpipool program's master sends a worker for one
 * task (number, time limit, command) and what comes back (how it ended,
 * when, where, and its captured stdout and stderr).  Plain byte layouts
 * copied with memcpy: master and workers run the same binary.  Pure logic.
 */
#ifndef MPIPOOL_CLI_TASKMSG_H
#define MPIPOOL_CLI_TASKMSG_H

#include <stddef.h>
#include <stdint.h>

/* A task as sent: cmd is not NUL-terminated in the message. */
typedef struct {
  uint64_t seq;
  double timeout;  /* seconds, 0 = none */
  const char *cmd; /* borrowed from the message */
  size_t cmd_len;
} cli_taskmsg_t;

/* Encodes t into a malloc'd message (*out, *out_len, taken).  0 or -1
 * (out of memory). */
int cli_taskmsg_encode(const cli_taskmsg_t *t, void **out, size_t *out_len);

/* Decodes msg (size bytes, borrowed: t->cmd points into it).  0, or -1 if
 * it is too short to be a task. */
int cli_taskmsg_decode(const void *msg, size_t size, cli_taskmsg_t *t);

/* How a task ended, as sent back. */
typedef struct {
  int exitval;      /* exit status, -1 if it did not exit */
  int signal;       /* the signal that ended it, else 0 */
  int timed_out;    /* killed by --timeout */
  int cancelled;    /* killed because the pool was terminated */
  double start;     /* seconds since the epoch */
  double runtime;   /* seconds */
  const char *host; /* where it ran, NUL-terminated (borrowed; NULL is
                       sent as "") */
  const void *out;  /* stdout bytes (borrowed) */
  size_t out_len;
  const void *err; /* stderr bytes (borrowed) */
  size_t err_len;
  /* Non-zero: the task wrote more than one result can carry (this many
   * bytes to stdout, to stderr), none of it came back (out_len and
   * err_len are 0), and the task failed. */
  uint64_t out_lost, err_lost;
} cli_resultmsg_t;

/* The size of r encoded. */
size_t cli_resultmsg_size(const cli_resultmsg_t *r);

/* Encodes r into dst, which has cli_resultmsg_size(r) bytes. */
void cli_resultmsg_encode(const cli_resultmsg_t *r, void *dst);

/* Decodes msg (borrowed: out and err point into it).  0, or -1 if the
 * sizes do not add up, or an output said lost comes with bytes. */
int cli_resultmsg_decode(const void *msg, size_t size, cli_resultmsg_t *r);

#endif
