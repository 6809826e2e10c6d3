/*
 * procs.c - this node's processes, as /proc shows them (see procs.h).
 */
#include "config.h"
#include "procs.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Reads /proc/pid/stat into buf (size bytes): what follows the process's
 * name ("pid (comm) state ppid ...": comm may hold anything, ')' too), or
 * NULL if it cannot be read. */
static const char *stat_fields(long pid, char *buf, size_t size) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%ld/stat", pid);
  /* One read: the kernel makes the whole line at once (stdio's fopen
   * and fread cost five calls where three do, and a scan of /proc reads
   * every process's). */
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  ssize_t got = fd >= 0 ? read(fd, buf, size - 1) : 0;
  if (fd >= 0)
    close(fd);
  buf[got > 0 ? got : 0] = '\0';
  const char *rp = strrchr(buf, ')');
  return rp ? rp + 1 : NULL;
}

pid_t mpipool__procs_parent(pid_t pid) {
  char buf[512], state;
  long ppid;
  const char *rest = stat_fields((long)pid, buf, sizeof buf);
  return rest && sscanf(rest, " %c %ld", &state, &ppid) == 2 ? (pid_t)ppid : 0;
}

size_t mpipool__procs_children(pid_t parent, pid_t *out, size_t max) {
  DIR *d = opendir("/proc");
  size_t n = 0;
  struct dirent *e;
  while (d && n < max && (e = readdir(d)) != NULL) {
    char *end;
    long pid = strtol(e->d_name, &end, 10);
    if (*end == '\0' && pid > 0 && mpipool__procs_parent((pid_t)pid) == parent)
      out[n++] = (pid_t)pid;
  }
  if (d)
    closedir(d);
  return n;
}

int mpipool__procs_name(pid_t pid, char *name, size_t size) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%ld/comm", (long)pid);
  FILE *f = fopen(path, "re");
  if (f == NULL)
    return -1;
  int got = fgets(name, (int)size, f) != NULL;
  fclose(f);
  if (!got)
    return -1;
  name[strcspn(name, "\n")] = '\0';
  return 0;
}

unsigned long long mpipool__procs_started(pid_t pid) {
  char buf[1024], state = 0;
  unsigned long long t = 0;
  const char *rest = stat_fields((long)pid, buf, sizeof buf);
  if (rest == NULL ||
      sscanf(rest,
             " %c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d "
             "%*d %*d %*d %*d %llu",
             &state, &t) != 2 ||
      state == 'Z')
    return 0;
  return t;
}

int mpipool__procs_open_mpi_launcher(pid_t pid) {
  static const char *const names[] = {"mpirun", "mpiexec", "orterun",
                                      "orted",  "prterun", "prted"};
  char comm[32];
  if (mpipool__procs_name(pid, comm, sizeof comm) != 0)
    return 0;
  for (size_t i = 0; i < sizeof names / sizeof *names; i++)
    if (strcmp(comm, names[i]) == 0)
      return 1;
  return 0;
}

int mpipool__procs_exit_fd(pid_t pid) {
#if defined(SYS_pidfd_open)
  return (int)syscall(SYS_pidfd_open, pid, 0);
#else
  (void)pid;
  return -1;
#endif
}
