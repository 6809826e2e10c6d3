/*
 * helpers.h - small helpers shared by tests: a stream holding given bytes,
 * whether a process still runs, a write to a closed pipe, a loopback TCP
 * connection and what the process's such connections have.
 */
#ifndef MPIPOOL_TEST_HELPERS_H
#define MPIPOOL_TEST_HELPERS_H

#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

/* A read-only stream holding len bytes of data (NUL bytes included);
 * exits the test (status 2) if it cannot be made. */
static inline FILE *test_stream(const char *data, size_t len) {
  FILE *f = tmpfile();
  if (f == NULL) {
    perror("tmpfile");
    exit(2);
  }
  if (fwrite(data, 1, len, f) != len || fseek(f, 0, SEEK_SET) != 0) {
    perror("tmpfile write");
    exit(2);
  }
  return f;
}

/* Reads /proc/PID/FILE into buf (NUL-terminated, cut to size - 1 bytes);
 * returns the bytes read, -1 if the file cannot be opened. */
static inline long test_read_proc(pid_t pid, const char *file, char *buf,
                                  size_t size) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
  FILE *f = fopen(path, "r");
  size_t n = f ? fread(buf, 1, size - 1, f) : 0;
  if (f)
    fclose(f);
  buf[n] = '\0';
  return f ? (long)n : -1;
}

/* This process's resident memory (VmRSS) in KiB, -1 if unknown. */
static inline long test_rss_kib(void) {
  char buf[4096];
  long kib = -1;
  const char *at = test_read_proc(getpid(), "status", buf, sizeof buf) > 0
                       ? strstr(buf, "VmRSS:")
                       : NULL;
  if (at)
    sscanf(at, "VmRSS: %ld kB", &kib);
  return kib;
}

/* 1 if pid runs: it exists and is not a zombie (an orphan's zombie stays
 * when nothing reaps it, as in some containers). */
static inline int test_running(pid_t pid) {
  char buf[512];
  if (kill(pid, 0) != 0 || test_read_proc(pid, "stat", buf, sizeof buf) < 0)
    return 0;
  char *rp = strrchr(buf, ')');
  return !(rp && rp[1] == ' ' && rp[2] == 'Z');
}

/* A write to a pipe whose read end is closed: its errno, 0 if it
 * succeeded, or -1 if no pipe (where SIGPIPE is at its default, the
 * process ends instead). */
static inline int test_write_closed_pipe(void) {
  int fds[2];
  if (pipe(fds) != 0)
    return -1;
  close(fds[0]);
  errno = 0;
  int e = write(fds[1], "x", 1) < 0 ? errno : 0;
  close(fds[1]);
  return e;
}

/* A TCP connection over 127.0.0.1: fd[0] the connecting end, fd[1] the
 * accepted one; 0, or -1 (none made). */
static inline int test_loopback_pair(int fd[2]) {
  struct sockaddr_in a = {.sin_family = AF_INET};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int lst = socket(AF_INET, SOCK_STREAM, 0);
  fd[0] = fd[1] = -1;
  if (lst >= 0 && bind(lst, (struct sockaddr *)&a, sizeof a) == 0 &&
      listen(lst, 1) == 0 &&
      getsockname(lst, (struct sockaddr *)&a, &len) == 0 &&
      (fd[0] = socket(AF_INET, SOCK_STREAM, 0)) >= 0 &&
      connect(fd[0], (struct sockaddr *)&a, sizeof a) == 0)
    fd[1] = accept(lst, NULL, NULL);
  if (lst >= 0)
    close(lst);
  if (fd[1] < 0 && fd[0] >= 0)
    close(fd[0]);
  return fd[1] >= 0 ? 0 : -1;
}

/* Whether fd has TCP_NODELAY set (0 or 1; -1: not a TCP socket). */
static inline int test_nodelay(int fd) {
  int v = 0;
  socklen_t len = sizeof v;
  if (getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, &len) != 0)
    return -1;
  return v != 0;
}

/* The process's TCP connections to a loopback address, but for the fds
 * in skip[0..nskip): how many; *nodelay: how many of them have
 * TCP_NODELAY. */
static inline int test_loopback_conns(const int *skip, int nskip,
                                      int *nodelay) {
  int n = 0;
  DIR *d = opendir("/proc/self/fd");
  *nodelay = 0;
  for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
    int fd = atoi(e->d_name), skipped = fd == dirfd(d) || e->d_name[0] == '.';
    for (int i = 0; i < nskip; i++)
      skipped |= fd == skip[i];
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    if (skipped || getpeername(fd, (struct sockaddr *)&a, &len) != 0 ||
        a.sin_family != AF_INET || (ntohl(a.sin_addr.s_addr) >> 24) != 127)
      continue;
    n++;
    *nodelay += test_nodelay(fd) == 1;
  }
  if (d)
    closedir(d);
  return n;
}

#endif
