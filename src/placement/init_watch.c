/*
 * init_watch.c - a launcher's rank whose MPI_Init fails does not leave
 * the launcher hanging for ever (see init_watch.h).
 */
#include "config.h"
#include "init_watch.h"

#include "base/env.h"
#include "procs.h"

#include <mpi.h>

#ifdef OPEN_MPI
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_LIMIT 60

/* The seconds MPIPOOL_INIT_WATCH gives (0: no watcher), rounded up. */
static long watch_limit(void) {
  double s =
      mpipool__env_seconds("MPIPOOL_INIT_WATCH", DEFAULT_LIMIT, 86400, NULL);
  long whole = (long)s;
  return whole < s ? whole + 1 : whole;
}

/* The watcher holds nothing of the rank's: its output pipes held open
 * would keep the launcher waiting for their end. */
static void let_go(int keep) {
  int null = open("/dev/null", O_RDWR);
  for (int fd = 0; fd < 3 && null >= 0; fd++)
    dup2(null, fd);
  DIR *d = opendir("/proc/self/fd");
  if (d == NULL)
    return;
  int fds[256], n = 0, self = dirfd(d);
  for (struct dirent *e; (e = readdir(d)) != NULL && n < 256;) {
    int fd = atoi(e->d_name);
    if (e->d_name[0] != '.' && fd > 2 && fd != keep && fd != self)
      fds[n++] = fd;
  }
  closedir(d);
  while (n > 0)
    close(fds[--n]);
}

/* The watcher: never returns. */
static void watch(int fd, pid_t launcher, unsigned long long since,
                  long limit) {
  setsid(); /* out of the rank's process group and its signals */
  let_go(fd);
  char b;
  ssize_t n;
  do
    n = read(fd, &b, 1);
  while (n < 0 && errno == EINTR);
  if (n == 1)
    _exit(0); /* MPI_Init returned */
  struct timespec tick = {0, 100000000};
  for (long i = 0; i < limit * 10; i++) {
    if (mpipool__procs_started(launcher) != since)
      _exit(0); /* the launcher ended the job */
    nanosleep(&tick, NULL);
  }
  if (mpipool__procs_started(launcher) != since)
    _exit(0);
  char path[64];
  snprintf(path, sizeof path, "/proc/%ld/fd/2", (long)launcher);
  int err = open(path, O_WRONLY | O_APPEND | O_NOCTTY);
  if (err >= 0) {
    dprintf(err,
            "mpipool: a rank of this job died in MPI_Init and its launcher "
            "(pid %ld) has not ended the job in %ld s: its PMIx server is "
            "stuck (a known fault of PMIx 4.2.2 when a process's connection "
            "breaks in PMIx's handshake); killing the launcher so that the "
            "job ends (nothing had run yet; set MPIPOOL_INIT_WATCH to wait "
            "longer)\n",
            (long)launcher, limit);
    close(err);
  }
  kill(launcher, SIGKILL);
  _exit(0);
}

int mpipool__init_watch_start(void) {
  int spawned = getenv(MPIPOOL__SPAWNED_ENV) != NULL;
  unsetenv(MPIPOOL__SPAWNED_ENV); /* not for the worker's tasks */
  pid_t launcher = getppid();
  unsigned long long since = mpipool__procs_started(launcher);
  long limit;
  if (spawned || since == 0 || !mpipool__procs_open_mpi_launcher(launcher) ||
      (limit = watch_limit()) == 0)
    return -1;
  /* A socket, not a pipe: the rank's word to a watcher that is gone
   * must not raise SIGPIPE. */
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    return -1;
  fflush(NULL);
  /* Twice forked: the watcher is no child of the rank's, which a
   * program's waitpid(-1, ...) could reap. */
  pid_t mid = fork();
  if (mid == 0) {
    close(fds[1]);
    if (fork() == 0)
      watch(fds[0], launcher, since, limit);
    _exit(0);
  }
  close(fds[0]);
  if (mid < 0) {
    close(fds[1]);
    return -1;
  }
  while (waitpid(mid, NULL, 0) < 0 && errno == EINTR)
    ;
  return fds[1];
}

void mpipool__init_watch_done(int fd) {
  if (fd < 0)
    return;
  ssize_t n;
  do
    n = send(fd, "", 1, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  close(fd);
}
#else
int mpipool__init_watch_start(void) { return -1; }
void mpipool__init_watch_done(int fd) { (void)fd; }
#endif
