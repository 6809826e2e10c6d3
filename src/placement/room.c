/*
 * room.c - how many more workers this node lets this user start.
 */
#include "room.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "base/text.h"

/* Threads of every process whose real user is uid (what RLIMIT_NPROC
 * counts). */
static long tasks_of(uid_t uid) {
  DIR *d = opendir("/proc");
  if (d == NULL)
    return -1;
  long n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (!isdigit((unsigned char)e->d_name[0]))
      continue;
    char path[300], line[256];
    snprintf(path, sizeof path, "/proc/%s/status", e->d_name);
    FILE *f = fopen(path, "r");
    if (f == NULL)
      continue; /* gone meanwhile */
    long ruid = -1, threads = 0;
    while (fgets(line, sizeof line, f)) {
      if (sscanf(line, "Uid: %ld", &ruid) == 1)
        continue;
      if (sscanf(line, "Threads: %ld", &threads) == 1)
        break;
    }
    fclose(f);
    if (ruid == (long)uid)
      n += threads;
  }
  closedir(d);
  return n;
}

static long files_open(void) {
  DIR *d = opendir("/proc/self/fd");
  if (d == NULL)
    return -1;
  long n = 0;
  while (readdir(d) != NULL)
    n++;
  closedir(d);
  return n > 2 ? n - 2 : 0; /* less . and .. */
}

static long mem_available_kib(void) {
  FILE *f = fopen("/proc/meminfo", "r");
  char line[256];
  long kib = -1;
  while (f && fgets(line, sizeof line, f))
    if (sscanf(line, "MemAvailable: %ld kB", &kib) == 1)
      break;
  if (f)
    fclose(f);
  return kib;
}

static long limit_of(int resource) {
  struct rlimit r;
  if (getrlimit(resource, &r) != 0 || r.rlim_cur == RLIM_INFINITY ||
      r.rlim_cur > (rlim_t)(1L << 40))
    return -1;
  return (long)r.rlim_cur;
}

void mpipool__limits_read(mpipool__limits_t *l) {
  /* The kernel does not hold root to RLIMIT_NPROC. */
  l->tasks_max = getuid() == 0 ? -1 : limit_of(RLIMIT_NPROC);
  l->tasks_used = l->tasks_max < 0 ? -1 : tasks_of(getuid());
  l->files_max = limit_of(RLIMIT_NOFILE);
  l->files_used = l->files_max < 0 ? -1 : files_open();
  l->mem_kib = mem_available_kib();
}

/* Workers that fit in what is left of max, each costing `each`; -1 when
 * max is not a limit. */
static long fits(long max, long used, long each) {
  if (max < 0)
    return -1;
  long left = max - (used > 0 ? used : 0);
  return left > 0 ? left / each : 0;
}

/* The room each limit leaves, in the order of l's fields. */
static void rooms(const mpipool__limits_t *l, long r[3]) {
  r[0] = fits(l->tasks_max, l->tasks_used, MPIPOOL__ROOM_TASKS_PER_WORKER);
  r[1] =
      fits(l->files_max,
           (l->files_used > 0 ? l->files_used : 0) + MPIPOOL__ROOM_FILES_KEPT,
           MPIPOOL__ROOM_FILES_PER_WORKER);
  r[2] = fits(l->mem_kib, 0, MPIPOOL__ROOM_KIB_PER_WORKER);
}

/* The index of the tightest limit, or -1 if none limits. */
static int tightest(const long r[3]) {
  int best = -1;
  for (int i = 0; i < 3; i++)
    if (r[i] >= 0 && (best < 0 || r[i] < r[best]))
      best = i;
  return best;
}

int mpipool__room(const mpipool__limits_t *l) {
  long r[3];
  rooms(l, r);
  int i = tightest(r);
  if (i < 0)
    return -1;
  return r[i] > 1000000 ? 1000000 : (int)r[i];
}

void mpipool__room_why(const mpipool__limits_t *l, char *buf, size_t len) {
  long r[3];
  rooms(l, r);
  switch (tightest(r)) {
  case 0:
    mpipool__fmt(buf, len,
                 "the processes this user may run (ulimit -u %ld, %ld in use, "
                 "%d per worker)",
                 l->tasks_max, l->tasks_used, MPIPOOL__ROOM_TASKS_PER_WORKER);
    break;
  case 1:
    mpipool__fmt(buf, len,
                 "the files a process may open (ulimit -n %ld, %d per worker)",
                 l->files_max, MPIPOOL__ROOM_FILES_PER_WORKER);
    break;
  case 2:
    mpipool__fmt(buf, len, "the memory available (%ld MiB, %d MiB per worker)",
                 l->mem_kib / 1024, MPIPOOL__ROOM_KIB_PER_WORKER / 1024);
    break;
  default:
    mpipool__fmt(buf, len, "%s", "");
  }
}
