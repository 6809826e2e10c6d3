/*
 * isolate.c - a worker's tasks in a child process that never touches MPI.
 */
#define _GNU_SOURCE /* strsignal */
#include "config.h"
#include "isolate.h"

#include "base/clock.h"
#include "base/text.h"
#include "ctx.h"
#include "forker.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#ifdef __GLIBC__
#include <stdio_ext.h>
#endif

#define SLICE_MS 100   /* how often the time limit and cancel are checked */
#define KILL_GRACE 2.0 /* TERM, then KILL this much later */

/* What the worker sends for one item (the child is a fork of the worker:
 * the function and its data have the same addresses there); fn NULL: the
 * child leaves. */
typedef struct {
  mpipool_task_fn fn;
  void *data;
  uint64_t size; /* input bytes that follow */
} request_t;

/* What the child sends back: the item's status, then len output bytes. */
typedef struct {
  int32_t status;
  uint64_t len;
} reply_t;

/* Sends the n bytes at p (out), or receives n bytes into p: 0, or -1
 * when the other end is gone. */
static int transfer(int fd, void *p, size_t n, int out) {
  char *c = p;
  while (n > 0) {
    ssize_t k = out ? send(fd, c, n, MSG_NOSIGNAL) : recv(fd, c, n, 0);
    if (k < 0 && errno == EINTR)
      continue;
    if (k <= 0)
      return -1;
    c += k;
    n -= (size_t)k;
  }
  return 0;
}

static int read_all(int fd, void *p, size_t n) { return transfer(fd, p, n, 0); }

static int write_all(int fd, const void *p, size_t n) {
  return transfer(fd, (void *)p, n, 1);
}

#ifdef __GLIBC__
/* A task that calls exit() in the child: the worker's exit handlers (the
 * program's, a sanitizer's leak check of threads the child does not have)
 * are not the child's.  Registered last, this runs first and ends it. */
static void child_exit(int status, void *arg) {
  (void)arg;
  fflush(NULL);
  _exit(status);
}
#endif

/* Sends the outcome of the run just made into rb (ok: it could be made):
 * the item's status and output.  0, or -1 when the worker is gone. */
static int reply(int fd, int ok, const mpipool__rbuild_t *rb) {
  reply_t h = {MPIPOOL_ENOMEM, 0};
  if (ok) {
    h.status = ((const int8_t *)rb->status.data)[0];
    h.len = rb->data.len;
  }
  if (write_all(fd, &h, sizeof h) != 0 ||
      write_all(fd, rb->data.data, (size_t)h.len) != 0)
    return -1;
  return 0;
}

/* The child: runs items (a head's child: its binding and initializer too)
 * until the worker says so, or closes the socket.  It ends with _exit, never
 * exit: the worker's atexit handlers are not its. */
static void child_main(int fd, void *arg) {
  mpipool_ctx_t *ctx = arg;
  /* Its own signals: not the worker's handlers (MPI prints a backtrace
   * on SIGSEGV, the program stops its run on TERM). */
  static const int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGALRM, SIGPIPE,
                             SIGSEGV, SIGBUS, SIGFPE, SIGILL,  SIGABRT};
  for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
    signal(sigs[i], SIG_DFL);
#ifdef PR_SET_PDEATHSIG
  prctl(PR_SET_PDEATHSIG, SIGKILL); /* dies with its worker */
#endif
#ifdef __GLIBC__
  on_exit(child_exit, NULL);
#endif
  ctx->cancelled = NULL; /* asking would use MPI */
#ifdef __GLIBC__
  /* What another thread of the parent wrote between that flush and the
   * fork is the parent's to write. */
  __fpurge(stdout);
  __fpurge(stderr);
#endif
  mpipool__rbuild_t rb = {0};
  for (;;) {
    request_t r;
    if (read_all(fd, &r, sizeof r) != 0 || r.fn == NULL)
      _exit(0);
    char *in = malloc(r.size ? (size_t)r.size : 1);
    if (in == NULL || read_all(fd, in, (size_t)r.size) != 0)
      _exit(0);
    mpipool__rbuild_reset(&rb);
    int ok = mpipool__ctx_run(ctx, &rb, r.fn, r.data, in, (size_t)r.size) == 0;
    free(in);
    if (reply(fd, ok, &rb) != 0)
      _exit(0);
  }
}

static int start_child(mpipool__iso_t *iso, mpipool_ctx_t *ctx) {
  iso->children++;
  iso->of_forker = 1;
  if (mpipool__forker_fork(&iso->forker, &iso->pid, &iso->fd) == 0)
    return 0;
  iso->of_forker = 0; /* none, or gone: forked here */
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    return -1;
  /* Output the process has not written yet is its own: written now, it
   * is not in the child's copy of the buffers too, to be written again
   * when the child flushes (an initializer that prints, a task's exit). */
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) {
    close(sv[0]);
    close(sv[1]);
    iso->children--;
    return -1;
  }
  if (pid == 0) {
    close(sv[0]);
    child_main(sv[1], ctx);
  }
  close(sv[1]);
  iso->pid = pid;
  iso->fd = sv[0];
  return 0;
}

/* How a child ended, from its wait status ("killed by signal 9 (Killed)",
 * "exited with status 3"). */
static void describe(int ws, char *buf, size_t len) {
  if (WIFSIGNALED(ws))
    mpipool__fmt(buf, len, "killed by signal %d (%s)", WTERMSIG(ws),
                 strsignal(WTERMSIG(ws)));
  else if (WIFEXITED(ws))
    mpipool__fmt(buf, len, "exited with status %d", WEXITSTATUS(ws));
  else if (ws == -1)
    mpipool__fmt(buf, len, "ended, how is not known (its forker is gone)");
  else
    mpipool__fmt(buf, len, "ended (wait status %d)", ws);
}

/* Reaps the child, TERM (if term) then KILL after the grace; its wait
 * status in *ws (-1 if unknown). */
static void end_child(mpipool__iso_t *iso, int term, int *ws) {
  *ws = -1;
  if (iso->fd >= 0) {
    /* Told, not only closed: a copy of the socket in a process forked
     * since (another pool's forker) would keep the close from showing. */
    request_t quit = {NULL, NULL, 0};
    if (!term)
      write_all(iso->fd, &quit, sizeof quit);
    close(iso->fd);
  }
  iso->fd = -1;
  if (iso->pid <= 0)
    return;
  if (iso->of_forker)
    mpipool__forker_end(&iso->forker, iso->pid, term, KILL_GRACE, ws);
  else
    mpipool__reap(iso->pid, term, KILL_GRACE, ws);
  iso->pid = 0;
}

void mpipool__iso_stop(mpipool__iso_t *iso) {
  int ws;
  end_child(iso, 0, &ws);
}

/* Waits for the child's reply to be readable: 0, or the status the item
 * fails with (ETIMEDOUT, ETERMINATED) when it is stopped first. */
static int await_reply(mpipool__iso_t *iso, double timeout,
                       int (*cancelled)(void *), void *arg) {
  double t0 = mpipool__now();
  for (;;) {
    struct pollfd p = {iso->fd, POLLIN, 0};
    int k = poll(&p, 1, SLICE_MS);
    if (k > 0)
      return 0; /* a reply, or the end of a dead child */
    if (k < 0 && errno != EINTR)
      return 0; /* the read says what went wrong */
    if (timeout > 0 && mpipool__now() - t0 >= timeout)
      return MPIPOOL_ETIMEDOUT;
    if (cancelled && cancelled(arg))
      return MPIPOOL_ETERMINATED;
  }
}

/* A child whose item is cancelled gets SIGTERM, and the grace to reply:
 * 1 when it did, or died (its reply, if any, is there to read), 0 when
 * it did neither (then it is killed).  A task that ends on TERM is taken
 * as it says: the mpipool program's command that had run to its end is
 * not run again. */
static int answers_term(mpipool__iso_t *iso) {
  kill(iso->pid, SIGTERM);
  double t0 = mpipool__now();
  for (;;) {
    double left = KILL_GRACE - (mpipool__now() - t0);
    struct pollfd p = {iso->fd, POLLIN, 0};
    int k = left > 0 ? poll(&p, 1, (int)(left * 1000) + 1) : 0;
    if (k > 0)
      return 1;
    if (k == 0 || errno != EINTR) {
      kill(iso->pid, SIGKILL);
      return 0;
    }
  }
}

/* Takes the child's reply to what it was sent (sent: the sending
 * worked) into rb as an item; a child that dies or is stopped first fails
 * it, saying how (a cancelled one that replies on TERM: as it says). */
static int take_reply(mpipool__iso_t *iso, mpipool_ctx_t *ctx,
                      mpipool__rbuild_t *rb, int sent, double timeout,
                      int (*cancelled)(void *), void *arg) {
  char msg[160];
  reply_t h;
  int stopped = sent ? await_reply(iso, timeout, cancelled, arg) : 0;
  int termed = stopped == MPIPOOL_ETERMINATED && answers_term(iso);
  if (termed)
    stopped = 0; /* its reply, if there is one */
  if (sent && !stopped && read_all(iso->fd, &h, sizeof h) == 0) {
    char *out = mpipool__buf_reserve(&rb->data, (size_t)h.len);
    if (out == NULL)
      return MPIPOOL_ENOMEM;
    if (read_all(iso->fd, out, (size_t)h.len) == 0) {
      if (mpipool__rbuild_begin(rb) != 0)
        return MPIPOOL_ENOMEM;
      rb->data.len += (size_t)h.len;
      return mpipool__rbuild_end(rb, h.status);
    }
  }
  /* The child died, or is stopped: the item fails, saying how. */
  int ws;
  if (termed)
    stopped = MPIPOOL_ETERMINATED;
  end_child(iso, stopped != 0, &ws);
  if (stopped == MPIPOOL_ETIMEDOUT)
    mpipool__fmt(msg, sizeof msg, "timed out after %g s", timeout);
  else if (stopped == MPIPOOL_ETERMINATED)
    mpipool__fmt(msg, sizeof msg, "%s", mpipool_strerror(stopped));
  else
    describe(ws, msg, sizeof msg);
  return mpipool__ctx_fail_item(ctx, rb, stopped ? stopped : MPIPOOL_ETASK,
                                msg);
}

int mpipool__iso_forker(mpipool__iso_t *iso, mpipool_ctx_t *ctx,
                        const int *shut, int nshut) {
  return iso->forker.pid ? 0
                         : mpipool__forker_start(&iso->forker, child_main, ctx,
                                                 shut, nshut);
}

void mpipool__iso_close(mpipool__iso_t *iso) {
  mpipool__iso_stop(iso);
  mpipool__forker_stop(&iso->forker);
}

/* Forks the child: 1, or 0 when it could not be, an item failed into rb
 * saying why (*err: that item's outcome). */
static int fork_child(mpipool__iso_t *iso, mpipool_ctx_t *ctx,
                      mpipool__rbuild_t *rb, int *err) {
  if (start_child(iso, ctx) == 0)
    return 1;
  char msg[160];
  mpipool__fmt(msg, sizeof msg, "cannot start the task's process: %s",
               strerror(errno));
  *err = mpipool__ctx_fail_item(ctx, rb, MPIPOOL_ETASK, msg);
  return 0;
}

int mpipool__iso_run(mpipool__iso_t *iso, mpipool_ctx_t *ctx,
                     mpipool__rbuild_t *rb, mpipool_task_fn fn, void *task_data,
                     const void *in, size_t size, double timeout,
                     int (*cancelled)(void *), void *arg) {
  int err;
  if (iso->pid == 0 && !fork_child(iso, ctx, rb, &err))
    return err;
  request_t r = {fn, task_data, size};
  int sent = write_all(iso->fd, &r, sizeof r) == 0 &&
             write_all(iso->fd, in, size) == 0;
  return take_reply(iso, ctx, rb, sent, timeout, cancelled, arg);
}
