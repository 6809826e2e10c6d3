/*
 * start_guard.c - a spawned worker's start, made harmless to the MPI job
 * when it fails (see start_guard.h).
 */
#define _GNU_SOURCE /* pipe2 */
#include "start_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* The fault of the tests: every PMIx server address in the environment
 * becomes a port on which nobody listens, so MPI_Init fails ("Unreachable
 * in file ext3x_client.c"), with the status Open MPI gives it. */
static void fault_unreachable(void) {
  static const char *const names[] = {"PMIX_SERVER_URI41", "PMIX_SERVER_URI4",
                                      "PMIX_SERVER_URI3", "PMIX_SERVER_URI21",
                                      "PMIX_SERVER_URI2"};
  char value[256];
  for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
    const char *uri = getenv(names[i]), *semi = uri ? strchr(uri, ';') : NULL;
    if (semi == NULL)
      continue;
    snprintf(value, sizeof value, "%.*s;tcp4://127.0.0.1:1", (int)(semi - uri),
             uri);
    setenv(names[i], value, 1);
  }
}

/* The guard: waits for the worker's end, then ends as the start guard's
 * rules say.  Never returns.  It waits on the worker itself, not on the
 * pipe's end: a process the worker started could hold the pipe open; the
 * worker's byte, if written, is in the pipe by then (read without
 * blocking). */
static void guard(pid_t worker, int fd) {
  static const int forwarded[] = {SIGINT,  SIGTERM, SIGHUP, SIGQUIT,
                                  SIGUSR1, SIGUSR2, SIGPIPE};
  for (size_t i = 0; i < sizeof forwarded / sizeof *forwarded; i++)
    signal(forwarded[i], SIG_IGN);
  int status = 0;
  while (waitpid(worker, &status, 0) < 0 && errno == EINTR)
    ;
  char b;
  ssize_t n;
  fcntl(fd, F_SETFL, O_NONBLOCK);
  do
    n = read(fd, &b, 1);
  while (n < 0 && errno == EINTR);
  if (n != 1 && WIFEXITED(status) && WEXITSTATUS(status) != 0) {
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

/* Forks the worker off this process, which becomes its guard; the
 * worker's end of the pipe to the guard, or -1. */
static int fork_worker(void) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0)
    return -1;
  pid_t me = getpid();
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return -1;
  }
  if (pid > 0) {
    close(fds[1]);
    guard(pid, fds[0]);
  }
  close(fds[0]);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != me) /* the guard is gone already */
    _exit(1);
  return fds[1];
}

int mpipool__start_guard_enter(void) {
  int fd = -1;
  if (getenv(MPIPOOL__START_GUARD_ENV)) {
    unsetenv(MPIPOOL__START_GUARD_ENV); /* not for the worker's tasks */
    fd = fork_worker();
  }
  const char *fault = getenv("MPIPOOL_FAULT_INIT");
  if (fault && strcmp(fault, "unreach") == 0) {
    fault_unreachable();
    unsetenv("MPIPOOL_FAULT_INIT");
  }
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
