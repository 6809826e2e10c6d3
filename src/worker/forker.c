/*
 * forker.c - a one-thread process that forks children on request (see
 * forker.h).  The caller sends it a request; it answers a FORK with the
 * child's pid and, over SCM_RIGHTS, the caller's end of the child's
 * socket, and an END with the child's wait status once it is reaped.
 */
#include "config.h"
#include "forker.h"

#include "base/clock.h"
#include "placement/procs.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#ifdef __GLIBC__
#include <stdio_ext.h>
#endif

#ifndef MSG_CMSG_CLOEXEC /* Linux's; elsewhere the descriptor is set so */
#define MSG_CMSG_CLOEXEC 0
#endif

enum { FORK = 1, END = 2, QUIT = 3 };

/* The longest the caller waits for an answer (an END waits out the
 * child's grace): a forker that gives none is ended. */
#define ANSWER_S 30

typedef struct {
  int32_t op;
  int32_t pid;  /* END: the child */
  int32_t term; /* END: TERM first */
  double grace; /* END: KILL after this many seconds */
} request_t;

/* FORK's answer: the child's pid (-1: none, err says why); END's: the
 * child's wait status in err. */
typedef struct {
  int32_t pid;
  int32_t err;
} answer_t;

void mpipool__reap(pid_t pid, int term, double grace, int *ws) {
  *ws = -1;
  if (pid <= 0)
    return;
  if (term)
    kill(pid, SIGTERM);
  /* Woken as it exits where the kernel can say (a child that ends at
   * once, as most do, was found 10 ms late: the end of every head start
   * waited for that twice); else it is looked at every 10 ms. */
  int fd = mpipool__procs_exit_fd(pid);
  double deadline = mpipool__now() + grace;
  while (waitpid(pid, ws, WNOHANG) == 0) {
    double left = deadline - mpipool__now();
    if (left < 0) {
      kill(pid, SIGKILL);
      waitpid(pid, ws, 0);
      break;
    }
    if (fd >= 0) {
      struct pollfd p = {fd, POLLIN, 0};
      poll(&p, 1, (int)(left * 1000) + 1);
    } else {
      struct timespec ts = {0, 10 * 1000000L};
      nanosleep(&ts, NULL);
    }
  }
  if (fd >= 0)
    close(fd);
}

/* An answer's message: the answer, and room for one descriptor. */
typedef struct {
  struct iovec iov;
  union {
    struct cmsghdr h;
    char space[CMSG_SPACE(sizeof(int))];
  } c;
  struct msghdr m;
} envelope_t;

static void envelope(envelope_t *e, answer_t *a) {
  memset(e, 0, sizeof *e);
  e->iov.iov_base = a;
  e->iov.iov_len = sizeof *a;
  e->m.msg_iov = &e->iov;
  e->m.msg_iovlen = 1;
  e->m.msg_control = e->c.space;
  e->m.msg_controllen = sizeof e->c.space;
}

/* Sends a (and, when fd >= 0, that descriptor) over sock: 0, or -1. */
static int send_answer(int sock, answer_t *a, int fd) {
  envelope_t e;
  envelope(&e, a);
  if (fd >= 0) {
    struct cmsghdr *h = CMSG_FIRSTHDR(&e.m);
    h->cmsg_level = SOL_SOCKET;
    h->cmsg_type = SCM_RIGHTS;
    h->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(h), &fd, sizeof fd);
  } else {
    e.m.msg_control = NULL;
    e.m.msg_controllen = 0;
  }
  ssize_t k;
  while ((k = sendmsg(sock, &e.m, MSG_NOSIGNAL)) < 0 && errno == EINTR)
    ;
  return k == (ssize_t)sizeof *a ? 0 : -1;
}

/* Receives an answer into *a, and the descriptor it carries (if any)
 * into *fd (-1: none): 0, or -1 when the forker is gone. */
static int recv_answer(int sock, answer_t *a, int *fd) {
  envelope_t e;
  envelope(&e, a);
  ssize_t k;
  while ((k = recvmsg(sock, &e.m, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
    ;
  *fd = -1;
  struct cmsghdr *h = k > 0 ? CMSG_FIRSTHDR(&e.m) : NULL;
  if (h && h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS) {
    memcpy(fd, CMSG_DATA(h), sizeof *fd);
    fcntl(*fd, F_SETFD, FD_CLOEXEC);
  }
  return k == (ssize_t)sizeof *a ? 0 : -1;
}

static int send_request(int sock, const request_t *r) {
  ssize_t k;
  while ((k = send(sock, r, sizeof *r, MSG_NOSIGNAL)) < 0 && errno == EINTR)
    ;
  return k == (ssize_t)sizeof *r ? 0 : -1;
}

/* What SIGTERM, SIGINT and SIGHUP do. */
static void set_stops(void (*what)(int)) {
  signal(SIGTERM, what);
  signal(SIGINT, what);
  signal(SIGHUP, what);
}

/* Forks a child that runs child(its end, arg); answers with its pid and
 * the other end. */
static int fork_one(int sock, mpipool__child_fn child, void *arg) {
  answer_t a = {-1, 0};
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    a.err = errno;
    return send_answer(sock, &a, -1);
  }
  pid_t pid = fork();
  if (pid == 0) {
    close(sock);
    close(sv[0]);
    set_stops(SIG_DFL); /* its own, as a child of the caller would have */
    child(sv[1], arg);
    _exit(0);
  }
  close(sv[1]);
  a.pid = pid;
  a.err = pid < 0 ? errno : 0;
  int rc = send_answer(sock, &a, pid < 0 ? -1 : sv[0]);
  close(sv[0]);
  return rc;
}

/* The forker: forks and ends children as asked, until the caller says
 * so, closes its socket or dies.  It ignores the signals that stop a run (TERM,
 * INT, HUP): they come to a whole process group (Ctrl-C) or job at once, and
 * its caller decides what its children do then; a forker killed first
 * took its children with it, and their tasks failed ("its forker is
 * gone").  It dies with its caller all the same. */
static void forker_main(int sock, mpipool__child_fn child, void *arg,
                        pid_t parent) {
  signal(SIGPIPE, SIG_DFL);
  signal(SIGCHLD, SIG_DFL);
  set_stops(SIG_IGN);
#ifdef PR_SET_PDEATHSIG
  prctl(PR_SET_PDEATHSIG, SIGKILL); /* dies with its caller */
  if (getppid() != parent)
    _exit(0); /* it died before that */
#endif
#ifdef __GLIBC__
  __fpurge(stdout); /* what the caller wrote after its flush is its own */
  __fpurge(stderr);
#endif
  for (;;) {
    request_t r;
    ssize_t k = recv(sock, &r, sizeof r, MSG_WAITALL);
    if (k < 0 && errno == EINTR)
      continue;
    if (k != (ssize_t)sizeof r || r.op == QUIT)
      _exit(0);
    int ws = -1;
    if (r.op == FORK && fork_one(sock, child, arg) != 0)
      _exit(0);
    if (r.op == END) {
      mpipool__reap((pid_t)r.pid, r.term, r.grace, &ws);
      answer_t a = {r.pid, ws};
      if (send_answer(sock, &a, -1) != 0)
        _exit(0);
    }
  }
}

int mpipool__forker_start(mpipool__forker_t *f, mpipool__child_fn child,
                          void *arg, const int *shut, int nshut) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    return errno;
  fflush(NULL); /* or the children would write it again */
  pid_t parent = getpid(), pid = fork();
  if (pid < 0) {
    int err = errno;
    close(sv[0]);
    close(sv[1]);
    return err;
  }
  if (pid == 0) {
    close(sv[0]);
    for (int i = 0; i < nshut; i++)
      close(shut[i]);
    forker_main(sv[1], child, arg, parent);
  }
  close(sv[1]);
  struct timeval tv = {ANSWER_S, 0};
  setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  f->pid = pid;
  f->fd = sv[0];
  return 0;
}

int mpipool__forker_fork(mpipool__forker_t *f, pid_t *pid, int *fd) {
  request_t r = {FORK, 0, 0, 0};
  answer_t a;
  if (f->pid == 0)
    return -1;
  if (send_request(f->fd, &r) != 0 || recv_answer(f->fd, &a, fd) != 0) {
    mpipool__forker_stop(f); /* gone: the caller forks its own */
    return -1;
  }
  if (a.pid <= 0 || *fd < 0) {
    errno = a.err ? a.err : EAGAIN;
    return -1;
  }
  *pid = (pid_t)a.pid;
  return 0;
}

void mpipool__forker_end(mpipool__forker_t *f, pid_t pid, int term,
                         double grace, int *ws) {
  request_t r = {END, (int32_t)pid, term, grace};
  answer_t a;
  int fd;
  *ws = -1;
  if (f->pid == 0 || send_request(f->fd, &r) != 0 ||
      recv_answer(f->fd, &a, &fd) != 0) {
    kill(pid, SIGKILL); /* its forker is gone: so is it, by now */
    mpipool__forker_stop(f);
    return;
  }
  *ws = a.err;
}

void mpipool__forker_stop(mpipool__forker_t *f) {
  int ws;
  if (f->fd >= 0) {
    /* Told, not only closed: a copy of the socket in a process forked
     * since (another pool's forker) would keep the close from showing. */
    request_t quit = {QUIT, 0, 0, 0};
    send_request(f->fd, &quit);
    close(f->fd);
  }
  f->fd = -1;
  mpipool__reap(f->pid, 0, 2.0, &ws);
  f->pid = 0;
}
