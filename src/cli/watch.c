/*
 * watch.c - a shell that outlives this process and acts when it ends.
 */
#define _GNU_SOURCE /* POSIX_SPAWN_SETSID, addclosefrom_np */
#include "watch.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

extern char **environ;

int cli_watch_start(const char *script, int keep_stderr, int state_fd) {
  int sv[2];
  pid_t pid;
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t at;
  sigset_t none;
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
    return -1;
  sigemptyset(&none);
  int err = posix_spawn_file_actions_init(&fa);
  if (err == 0 && (err = posix_spawnattr_init(&at)) != 0)
    posix_spawn_file_actions_destroy(&fa);
  if (err == 0) {
    char *argv[] = {"sh", "-c", (char *)script, NULL};
    /* Not this process's stdout: a launcher, or a $(...), waits for it to
     * close when this process ends. */
    posix_spawn_file_actions_adddup2(&fa, sv[1], 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    if (!keep_stderr)
      posix_spawn_file_actions_adddup2(&fa, 1, 2);
    /* (sv[1], already on 0, may be descriptor 3.) */
    if (state_fd >= 0)
      posix_spawn_file_actions_adddup2(&fa, state_fd, 3);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 34)
    posix_spawn_file_actions_addclosefrom_np(&fa, state_fd >= 0 ? 4 : 3);
#endif
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK);
    posix_spawnattr_setsigmask(&at, &none);
    err = posix_spawn(&pid, "/bin/sh", &fa, &at, argv, environ);
    posix_spawnattr_destroy(&at);
    posix_spawn_file_actions_destroy(&fa);
  }
  close(sv[1]);
  if (err) {
    close(sv[0]);
    return -1;
  }
  return sv[0];
}

void cli_watch_say(int *fd, const char *line) {
  char buf[256];
  size_t n = strlen(line);
  if (*fd < 0)
    return;
  if (n >= sizeof buf) /* (no caller's line is this long) */
    n = sizeof buf - 1;
  memcpy(buf, line, n);
  buf[n++] = '\n';
  if (send(*fd, buf, n, MSG_NOSIGNAL) != (ssize_t)n) {
    close(*fd);
    *fd = -1;
  }
}
