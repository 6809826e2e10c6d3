/*
 * test_daemon.c - a singleton's runtime daemon (daemon.c) and the /proc
 * reading under it (procs.c), with a child of this process named "orted"
 * standing in for Open MPI's: it is found, found again after it was
 * remembered, and not once it has ended (another is found then); the
 * settle after MPI_Finalize waits for the daemon's children to end, wakes
 * when they do, and gives up at its bound; the end closes the pipe the
 * daemon watches (a shell script named orted, with Open MPI's
 * --singleton-died-pipe argument, stands in), waits for it, and kills
 * one that does not end (as PMIx 4.2.2's stuck server leaves orted).
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
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
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

/* A script named orted, run with "--singleton-died-pipe 3" and the read
 * end of a pipe as its descriptor 3, whose write end this process keeps:
 * `body` is what it does.  Its pid, or -1. */
static pid_t script_daemon(const char *dir, const char *body) {
  char path[256];
  snprintf(path, sizeof path, "%s/orted", dir);
  FILE *f = fopen(path, "w");
  if (f == NULL)
    return -1;
  fprintf(f, "#!/bin/sh\n%s\n", body);
  fclose(f);
  chmod(path, 0700);
  int fds[2];
  if (pipe(fds) != 0)
    return -1;
  fcntl(fds[1], F_SETFD, FD_CLOEXEC);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[0], 3);
    execl(path, "orted", "--singleton-died-pipe", "3", (char *)NULL);
    _exit(127);
  }
  close(fds[0]);
  /* Once it runs the script (its name then orted), it can be found. */
  char name[32] = "";
  for (int i = 0; i < 200 && strcmp(name, "orted") != 0; i++) {
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
    mpipool__procs_name(pid, name, sizeof name);
  }
  return pid;
}

static void test_end(void) {
  char dir[] = "/tmp/test_daemon.XXXXXX";
  if (mkdtemp(dir) == NULL) {
    ok(0, "a scratch directory");
    return;
  }
  pid_t d = script_daemon(dir, "read x <&3; exit 0");
  double t0 = mpipool__now();
  pid_t killed = mpipool__daemon_end(3);
  double took = mpipool__now() - t0;
  ok(d > 0 && killed == 0 && took < 2 && mpipool__procs_started(d) == 0,
     "the end closes the daemon's pipe, and it ends (%.3f s), not killed",
     took);

  d = script_daemon(dir, "trap '' TERM; while :; do sleep 0.05; done");
  t0 = mpipool__now();
  killed = mpipool__daemon_end(0.5);
  took = mpipool__now() - t0;
  ok(d > 0 && killed == d && took >= 0.45 && took < 3 &&
         mpipool__procs_started(d) == 0,
     "one that does not end is killed at the bound (%.3f s of 0.5)", took);
  ok(mpipool__daemon_end(0.5) == 0, "no daemon: nothing to end");
  char path[300];
  snprintf(path, sizeof path, "%s/orted", dir);
  unlink(path);
  rmdir(dir);
}
#endif

int main(void) {
#ifdef OPEN_MPI
  test_found();
  test_settle();
  test_end();
#else
  ok(1, "a singleton's daemon is Open MPI's alone");
#endif
  return tap_done();
}
