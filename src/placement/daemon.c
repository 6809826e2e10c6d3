/*
 * daemon.c - a singleton's runtime daemon, ended with the program (see
 * daemon.h).
 */
#include "config.h"
#include "daemon.h"

#include "base/clock.h"
#include "procs.h"

#include <dirent.h>
#include <errno.h>
#include <mpi.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef OPEN_MPI
/* The most children of this process looked at. */
#define MAX_CHILDREN 1024

/* Whether pid is this process's child named orted. */
static int is_daemon(pid_t pid) {
  char comm[32];
  return pid > 0 && mpipool__procs_parent(pid) == getpid() &&
         mpipool__procs_name(pid, comm, sizeof comm) == 0 &&
         strcmp(comm, "orted") == 0;
}

/* The daemon found last (any thread may look: the spawner's, the
 * master's). */
static _Atomic pid_t last_daemon;

/* The daemon: this process's child named orted, or 0.  The one found last
 * while it still is one, else a scan of every process of the node (each
 * spawn asks, and a node may run hundreds of processes). */
static pid_t find_daemon(void) {
  pid_t last = atomic_load(&last_daemon);
  if (is_daemon(last))
    return last;
  pid_t child[MAX_CHILDREN], found = 0;
  size_t n = mpipool__procs_children(getpid(), child, MAX_CHILDREN);
  for (size_t i = 0; i < n && found == 0; i++)
    if (is_daemon(child[i]))
      found = child[i];
  atomic_store(&last_daemon, found);
  return found;
}

/* The pipe the daemon watches ("pipe:[inode]", from its
 * --singleton-died-pipe argument) into what; 0, or -1 if not found. */
static int watched_pipe(pid_t pid, char *what, size_t size) {
  char path[64], args[4096];
  snprintf(path, sizeof path, "/proc/%ld/cmdline", (long)pid);
  FILE *f = fopen(path, "r");
  size_t n = f ? fread(args, 1, sizeof args - 1, f) : 0;
  if (f)
    fclose(f);
  args[n] = '\0';
  for (size_t i = 0; i < n; i += strlen(args + i) + 1) {
    if (strcmp(args + i, "--singleton-died-pipe") != 0)
      continue;
    i += strlen(args + i) + 1;
    if (i >= n)
      return -1;
    snprintf(path, sizeof path, "/proc/%ld/fd/%d", (long)pid, atoi(args + i));
    ssize_t len = readlink(path, what, size - 1);
    if (len <= 0 || strncmp(what, "pipe:", 5) != 0)
      return -1;
    what[len] = '\0';
    return 0;
  }
  return -1;
}

/* Closes this process's descriptor (above 2) for pipe `what`; 0 or -1. */
static int close_pipe(const char *what) {
  DIR *d = opendir("/proc/self/fd");
  int found = -1;
  struct dirent *e;
  while (d && found < 0 && (e = readdir(d)) != NULL) {
    char path[64], target[64];
    int fd = atoi(e->d_name);
    if (fd <= 2 || fd == dirfd(d))
      continue;
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    ssize_t len = readlink(path, target, sizeof target - 1);
    if (len <= 0)
      continue;
    target[len] = '\0';
    if (strcmp(target, what) == 0)
      found = fd;
  }
  if (d)
    closedir(d);
  return found < 0 ? -1 : close(found);
}

/* Whether the daemon pid has ended (reaped here, or not ours to wait). */
static int ended(pid_t pid) {
  pid_t r = waitpid(pid, NULL, WNOHANG);
  return r == pid || (r < 0 && errno != EINTR);
}

/* Whether none of the daemon's children lives (zombies do not). */
static int childless(pid_t pid) {
  pid_t child[MAX_CHILDREN];
  size_t n = mpipool__procs_children(pid, child, MAX_CHILDREN);
  for (size_t i = 0; i < n; i++)
    if (mpipool__procs_started(child[i]) != 0)
      return 0;
  return 1;
}

/* Looks every 5 ms until done(pid), at most `seconds`. */
static void wait_for(pid_t pid, int (*done)(pid_t), double seconds) {
  double deadline = mpipool__now() + seconds;
  const struct timespec tick = {0, 5 * 1000 * 1000};
  while (!done(pid) && mpipool__now() < deadline)
    nanosleep(&tick, NULL);
}

pid_t mpipool__daemon_end(double seconds) {
  char what[64];
  pid_t pid = find_daemon();
  if (pid == 0 || watched_pipe(pid, what, sizeof what) != 0 ||
      close_pipe(what) != 0)
    return 0;
  wait_for(pid, ended, seconds);
  if (ended(pid))
    return 0;
  kill(pid, SIGKILL);
  wait_for(pid, ended, 1.0);
  return pid;
}

/* Waits, at most `seconds`, until the daemon's children living now have
 * exited, woken as each does (one scan of the node's processes, then
 * poll): 0, or -1 where the kernel cannot say (no pidfd), having waited
 * for none. */
static int wait_children(pid_t daemon, double seconds) {
  pid_t child[MAX_CHILDREN];
  struct pollfd fds[MAX_CHILDREN];
  size_t n = mpipool__procs_children(daemon, child, MAX_CHILDREN), nfds = 0;
  int err = 0;
  for (size_t i = 0; i < n && err == 0; i++) {
    if (mpipool__procs_started(child[i]) == 0)
      continue; /* gone, or a zombie: it has exited */
    int fd = mpipool__procs_exit_fd(child[i]);
    if (fd < 0 && errno != ESRCH)
      err = -1;
    /* Still the daemon's once pinned by its descriptor (not a process
     * that took the number of one that ended since the scan). */
    else if (fd >= 0 && mpipool__procs_parent(child[i]) != daemon)
      close(fd);
    else if (fd >= 0)
      fds[nfds++] = (struct pollfd){fd, POLLIN, 0};
  }
  double deadline = mpipool__now() + seconds;
  size_t left = err ? 0 : nfds;
  while (left > 0) {
    double rest = deadline - mpipool__now();
    if (rest <= 0)
      break;
    int r = poll(fds, nfds, (int)(rest * 1000) + 1);
    if (r < 0 && errno != EINTR)
      break;
    for (size_t i = 0; r > 0 && i < nfds; i++)
      if (fds[i].fd >= 0 && fds[i].revents) {
        close(fds[i].fd);
        fds[i].fd = -1; /* poll skips it */
        left--;
      }
  }
  for (size_t i = 0; i < nfds; i++)
    if (fds[i].fd >= 0)
      close(fds[i].fd);
  return err;
}

void mpipool__daemon_settle(double seconds) {
  pid_t pid = find_daemon();
  if (pid != 0 && wait_children(pid, seconds) != 0)
    wait_for(pid, childless, seconds);
}

/* How far up the launcher's daemon is looked for: a rank started through
 * a wrapper (mpirun sh -c 'prog', a script, a tool) is its grandchild or
 * further down, but spawned processes are the daemon's own children. */
#define MAX_DEPTH 16

pid_t mpipool__daemon_local(void) {
  pid_t d = find_daemon();
  if (d)
    return d;
  pid_t p = getppid();
  for (int i = 0; i < MAX_DEPTH && p > 1; i++, p = mpipool__procs_parent(p))
    if (mpipool__procs_open_mpi_launcher(p))
      return p;
  return getppid();
}
#else
pid_t mpipool__daemon_end(double seconds) {
  (void)seconds;
  return 0;
}
void mpipool__daemon_settle(double seconds) { (void)seconds; }
pid_t mpipool__daemon_local(void) { return getppid(); }
#endif
