/*
 * start_guard.c - a spawned worker's start, made harmless to the MPI job
 * when it fails (see start_guard.h).
 */
#define _GNU_SOURCE /* pipe2 */
#include "start_guard.h"

#include "base/clock.h"
#include "worker/init_stall.h"
#include "worker/master_watch.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* A worker whose PMIx server has left its request unread for STALL_S
 * seconds, looked at every STALL_TICK_MS once it has been in MPI_Init for
 * STALL_FIRST_S, is killed and forked again, STALL_TRIES times at most
 * (init_stall.h).  Its MPI_Init takes well under a second otherwise. */
#define STALL_FIRST_S 1.0
#define STALL_S 2.0
#define STALL_TICK_MS 100
#define STALL_TRIES 3

/* How long at most a guard whose worker ended after a stop signal waits
 * for the master to end (see linger). */
#define LINGER_S 10.0

/* The faults of the tests: every PMIx server address in the environment
 * becomes 127.0.0.1:port.  Port 1, where nobody listens, makes MPI_Init
 * fail ("Unreachable in file ext3x_client.c") with the status Open MPI
 * gives it. */
static void point_pmix_at(const char *port) {
  static const char *const names[] = {"PMIX_SERVER_URI41", "PMIX_SERVER_URI4",
                                      "PMIX_SERVER_URI3", "PMIX_SERVER_URI21",
                                      "PMIX_SERVER_URI2"};
  char value[256];
  for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
    const char *uri = getenv(names[i]), *semi = uri ? strchr(uri, ';') : NULL;
    if (semi == NULL)
      continue;
    snprintf(value, sizeof value, "%.*s;tcp4://127.0.0.1:%s", (int)(semi - uri),
             uri, port);
    setenv(names[i], value, 1);
  }
}

/* The fault of the tests: PMIx is pointed at a socket of this process
 * that listens and never accepts, so the connection's first bytes stay
 * unread, as when Open MPI's server stops reading a client
 * (init_stall.h). */
static void fault_stall(void) {
  struct sockaddr_in sa;
  socklen_t len = sizeof sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0)
    return;
  if (bind(s, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(s, 8) != 0 ||
      getsockname(s, (struct sockaddr *)&sa, &len) != 0) {
    close(s);
    return;
  }
  char port[32];
  snprintf(port, sizeof port, "%u", (unsigned)ntohs(sa.sin_port));
  point_pmix_at(port);
}

/* The signals mpirun forwards to the process group: the guard ignores
 * them (the worker handles them) but notes those that stop a run (see
 * linger), a worker started again gets back what the program had. */
static const int forwarded[] = {SIGINT,  SIGTERM, SIGHUP, SIGQUIT,
                                SIGUSR1, SIGUSR2, SIGPIPE};
#define NFORWARDED (sizeof forwarded / sizeof *forwarded)

/* Set in the guard by the signals that stop a run (TERM, INT, HUP). */
static volatile sig_atomic_t stop_seen;

static void on_stop(int sig) {
  (void)sig;
  stop_seen = 1;
}

/* mpirun ends its job on a signal with SIGCONT, SIGTERM, then SIGKILL,
 * odls_base_sigkill_timeout (1 s) apart; but the wait is a sleep() that
 * the end of any of its children cuts short: measured, SIGKILL came 1 ms
 * after SIGTERM when a worker ended in between.  The master needs that
 * second to take and log the results that come (a task that ended unlogged
 * runs again after --resume).  So a guard whose worker ended after a stop
 * signal waits for the master to end, LINGER_S at most (a master on
 * another node is not seen to end: mpirun's SIGKILL ends the wait). */
static void linger(void) {
  if (!stop_seen)
    return;
  mpipool__master_watch_t mw;
  mpipool__master_watch_from(&mw, getenv(MPIPOOL__MASTER_ENV));
  double until = mpipool__now() + LINGER_S;
  while (mpipool__now() < until && !mpipool__master_watch_gone(&mw))
    poll(NULL, 0, 50);
}

/* How the guard ends once its worker has (status), before or after
 * MPI_Init (started).  Never returns. */
static void end_as(pid_t worker, int status, int started) {
  if (!started && WIFEXITED(status) && WEXITSTATUS(status) != 0) {
    fprintf(stderr,
            "mpipool: a spawned worker process (pid %ld) failed in MPI_Init "
            "(exit status %d); it ends with status 0 so that the MPI job "
            "goes on, and the pool asks for another\n",
            (long)worker, WEXITSTATUS(status));
    _exit(0);
  }
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    sigset_t set;
    signal(sig, SIG_DFL);
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
    _exit(128 + sig);
  }
  _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
}

/* The guard while its worker starts: returns 0 once the worker said
 * MPI_Init completed (its byte on fd), 1 when it ended before (*status),
 * 2 when it was stuck on a server that does not read it and was killed
 * (only when `may_restart`).  It waits on the worker itself as well as on
 * the pipe: a process the worker started could hold the pipe open. */
static int await_start(pid_t worker, int fd, int may_restart, int *status) {
  struct pollfd p = {.fd = fd, .events = POLLIN};
  double t0 = mpipool__now(), unread_since = -1;
  for (;;) {
    pid_t r = waitpid(worker, status, WNOHANG);
    if (r == worker || (r < 0 && errno != EINTR)) {
      char b;
      fcntl(fd, F_SETFL, O_NONBLOCK);
      return read(fd, &b, 1) == 1 ? 0 : 1;
    }
    if (p.fd >= 0 && poll(&p, 1, STALL_TICK_MS) > 0) {
      char b;
      ssize_t n = read(fd, &b, 1);
      if (n == 1)
        return 0;
      if (n == 0)
        p.fd = -1; /* the worker's end is closed: it ends */
    } else if (p.fd < 0) {
      poll(NULL, 0, STALL_TICK_MS);
    }
    double now = mpipool__now();
    if (!may_restart || now - t0 < STALL_FIRST_S)
      continue;
    if (mpipool__init_stall_unread(worker) != 1) {
      unread_since = -1;
    } else if (unread_since < 0) {
      unread_since = now;
    } else if (now - unread_since >= STALL_S) {
      fprintf(stderr,
              "mpipool: a spawned worker process (pid %ld) waited %.0f s in "
              "MPI_Init on its PMIx server, which left its request unread "
              "for %.0f s (Open MPI 4.1 with PMIx 4, after another process "
              "ended); it is started again\n",
              (long)worker, now - t0, STALL_S);
      kill(worker, SIGKILL);
      while (waitpid(worker, status, 0) < 0 && errno == EINTR)
        ;
      return 2;
    }
  }
}

/* Forks the worker off this process, which becomes its guard and never
 * returns from here; the worker's end of the pipe to the guard, or -1
 * when the first fork fails (nothing changed then).  A worker stuck on a
 * server that does not read it is killed and forked again, up to
 * STALL_TRIES times; `fault` (tests) applies to the first worker only. */
static int fork_worker(const char *fault) {
  struct sigaction program[NFORWARDED], ignore, note;
  memset(&ignore, 0, sizeof ignore);
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  note = ignore;
  note.sa_handler = on_stop;
  note.sa_flags = SA_RESTART;
  pid_t me = getpid();
  for (int tries = 0;; tries++) {
    int fds[2];
    pid_t pid = -1;
    if (pipe2(fds, O_CLOEXEC) == 0) {
      fflush(NULL);
      pid = fork();
      if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
      }
    }
    if (pid < 0 && tries == 0)
      return -1;
    if (pid < 0) {
      fprintf(stderr, "mpipool: a spawned worker could not be started again "
                      "(fork failed); the pool asks for another\n");
      _exit(0);
    }
    if (pid == 0) {
      close(fds[0]);
      for (size_t i = 0; tries > 0 && i < NFORWARDED; i++)
        sigaction(forwarded[i], &program[i], NULL);
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != me) /* the guard is gone already */
        _exit(1);
      if (tries == 0 && fault && strcmp(fault, "stall") == 0)
        fault_stall();
      return fds[1];
    }
    close(fds[1]);
    for (size_t i = 0; tries == 0 && i < NFORWARDED; i++) {
      int sig = forwarded[i];
      int stops = sig == SIGTERM || sig == SIGINT || sig == SIGHUP;
      sigaction(sig, stops ? &note : &ignore, &program[i]);
    }
    int status = 0;
    int how = await_start(pid, fds[0], tries < STALL_TRIES, &status);
    if (how != 2) {
      if (how == 0)
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
          ;
      linger();
      end_as(pid, status, how == 0);
    }
    close(fds[0]);
  }
}

int mpipool__start_guard_enter(void) {
  int fd = -1;
  /* Only the faults of the start are this module's (the worker's own
   * stay in the environment for it). */
  const char *fault = getenv("MPIPOOL_FAULT_INIT");
  char kind[16] = "";
  if (fault && (strcmp(fault, "unreach") == 0 || strcmp(fault, "stall") == 0)) {
    snprintf(kind, sizeof kind, "%s", fault);
    unsetenv("MPIPOOL_FAULT_INIT");
  }
  if (getenv(MPIPOOL__START_GUARD_ENV)) {
    unsetenv(MPIPOOL__START_GUARD_ENV); /* not for the worker's tasks */
    fd = fork_worker(kind);
  }
  if (strcmp(kind, "unreach") == 0)
    point_pmix_at("1");
  return fd;
}

void mpipool__start_guard_started(int fd) {
  if (fd < 0)
    return;
  ssize_t n;
  do
    n = write(fd, "", 1);
  while (n < 0 && errno == EINTR);
  close(fd);
}
