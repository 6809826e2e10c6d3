/*
 * test_daemon.c - a singleton's runtime daemon (daemon.c) and the /proc
 * reading under it (procs.c), with a child of this process named "orted"
 * standing in for Open MPI's: it is found, found again after it was
 * remembered, and not once it has ended (another is found then); the
 * settle after MPI_Finalize waits for the daemon's children to end, wakes
 * when they do, and gives up at its bound.
 */
#include "config.h"

#include "base/clock.h"
#include "placement/daemon.h"
#include "placement/procs.h"
#include "../tap.h"

#include <mpi.h> /* OPEN_MPI */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef OPEN_MPI
/* A child named orted that starts a child of its own which lives `life`
 * seconds (0: none), then waits to be killed.  Its pid; the grandchild's
 * into *grand (0: none) once it runs. */
static pid_t fake_daemon(double life, pid_t *grand) {
  int fds[2];
  if (pipe(fds) != 0)
    return -1;
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    prctl(PR_SET_NAME, "orted");
    pid_t g = 0;
    if (life > 0 && (g = fork()) == 0) {
      struct timespec ts = {(time_t)life, (long)((life - (time_t)life) * 1e9)};
      nanosleep(&ts, NULL);
      _exit(0);
    }
    if (write(fds[1], &g, sizeof g) != (ssize_t)sizeof g)
      _exit(1);
    for (;;) {
      pause();
      while (waitpid(-1, NULL, WNOHANG) > 0) /* its child, as orted reaps */
        ;
    }
  }
  close(fds[1]);
  pid_t g = 0;
  if (pid < 0 || read(fds[0], &g, sizeof g) != (ssize_t)sizeof g)
    g = -1;
  close(fds[0]);
  *grand = g;
  return pid;
}

static void end(pid_t pid) {
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
}

static void test_found(void) {
  pid_t grand;
  pid_t d = fake_daemon(0, &grand);
  ok(d > 0 && mpipool__procs_parent(d) == getpid(),
     "/proc says whose child the stand-in is");
  char name[32] = "";
  ok(mpipool__procs_name(d, name, sizeof name) == 0 &&
         strcmp(name, "orted") == 0,
     "... and its name: %s", name);
  ok(mpipool__daemon_local() == d, "this process's child orted is its daemon");
  ok(mpipool__daemon_local() == d, "... found again once remembered");
  end(d);
  ok(mpipool__procs_started(d) == 0, "an ended process has no start time");
  ok(mpipool__daemon_local() != d, "an ended daemon is not found");
  pid_t d2 = fake_daemon(0, &grand);
  ok(mpipool__daemon_local() == d2, "the next one is");
  end(d2);
}

static void test_settle(void) {
  pid_t grand;
  pid_t d = fake_daemon(0.3, &grand);
  ok(grand > 0 && mpipool__procs_parent(grand) == d,
     "the stand-in started a process, as orted starts the workers");
  double t0 = mpipool__now();
  mpipool__daemon_settle(5);
  double took = mpipool__now() - t0;
  ok(took >= 0.2 && took < 1.5 && mpipool__procs_started(grand) == 0,
     "the settle waits until the daemon's children have ended (%.3f s)", took);
  end(d);

  d = fake_daemon(30, &grand);
  t0 = mpipool__now();
  mpipool__daemon_settle(0.4);
  took = mpipool__now() - t0;
  ok(took >= 0.35 && took < 2 && mpipool__procs_started(grand) != 0,
     "... at most its bound (%.3f s of 0.4), the child still there", took);
  kill(grand, SIGKILL);
  end(d);

  t0 = mpipool__now();
  mpipool__daemon_settle(5);
  ok(mpipool__now() - t0 < 0.5, "no daemon, no wait");
}
#endif

int main(void) {
#ifdef OPEN_MPI
  test_found();
  test_settle();
#else
  ok(1, "a singleton's daemon is Open MPI's alone");
#endif
  return tap_done();
}
