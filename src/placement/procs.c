/*
 * procs.c - this node's processes, as /proc shows them (see procs.h).
 */
#include "config.h"
#include "procs.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t mpipool__procs_children(pid_t parent, pid_t *out, size_t max) {
  DIR *d = opendir("/proc");
  size_t n = 0;
  struct dirent *e;
  while (d && n < max && (e = readdir(d)) != NULL) {
    char path[64], buf[512];
    char *end;
    long pid = strtol(e->d_name, &end, 10);
    if (*end != '\0' || pid <= 0)
      continue;
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    size_t got = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f)
      fclose(f);
    buf[got] = '\0';
    /* "pid (comm) state ppid ...": comm may hold anything, ')' too. */
    const char *rp = strrchr(buf, ')');
    char state;
    long ppid;
    if (rp && sscanf(rp + 1, " %c %ld", &state, &ppid) == 2 &&
        ppid == (long)parent)
      out[n++] = (pid_t)pid;
  }
  if (d)
    closedir(d);
  return n;
}
