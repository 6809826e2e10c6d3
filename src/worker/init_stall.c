/*
 * init_stall.c - whether a process starting MPI waits on a PMIx server
 * that does not read what it sent (see init_stall.h).
 */
#include "worker/init_stall.h"

#include "base/alloc.h"
#include "base/text.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum {
  MAX_SOCKETS = 64, /* of the process, looked up */
  MAX_OWN = 16      /* of its connections, followed to their other end */
};

/* The two ends of a connection, as the table writes them (address:port
 * in hexadecimal). */
typedef struct {
  char local[64], remote[64];
} ends_t;

/* Reads one line of the table: 1 for a connection's entry (the header
 * line is not one). */
static int entry(const char *line, ends_t *e, unsigned long *rx,
                 unsigned long *inode) {
  unsigned state;
  unsigned long tx;
  return sscanf(line, "%*s %63s %63s %x %lx:%lx %*s %*s %*s %*s %lu", e->local,
                e->remote, &state, &tx, rx, inode) == 6;
}

static const char *next_line(const char *line) {
  const char *nl = strchr(line, '\n');
  return nl ? nl + 1 : NULL;
}

static int listed(const unsigned long *inodes, size_t n, unsigned long inode) {
  for (size_t i = 0; inode != 0 && i < n; i++)
    if (inodes[i] == inode)
      return 1;
  return 0;
}

int mpipool__init_stall_parse(const char *tcp, const unsigned long *inodes,
                              size_t n) {
  ends_t own[MAX_OWN], e;
  size_t nown = 0;
  unsigned long rx, inode;
  for (const char *l = tcp; l && *l && nown < MAX_OWN; l = next_line(l))
    if (entry(l, &e, &rx, &inode) && listed(inodes, n, inode))
      own[nown++] = e;
  int seen = -1;
  for (const char *l = tcp; l && *l; l = next_line(l)) {
    if (!entry(l, &e, &rx, &inode))
      continue;
    for (size_t k = 0; k < nown; k++) {
      if (strcmp(e.local, own[k].remote) != 0 ||
          strcmp(e.remote, own[k].local) != 0)
        continue;
      if (rx > 0)
        return 1;
      seen = 0;
    }
  }
  return seen;
}

/* The inodes of process pid's sockets (at most max); how many. */
static size_t socket_inodes(pid_t pid, unsigned long *out, size_t max) {
  char dir[64], path[320], link[64];
  snprintf(dir, sizeof dir, "/proc/%ld/fd", (long)pid);
  DIR *d = opendir(dir);
  if (d == NULL)
    return 0;
  size_t n = 0;
  for (struct dirent *de; n < max && (de = readdir(d)) != NULL;) {
    snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
    ssize_t len = readlink(path, link, sizeof link - 1);
    if (len <= 0)
      continue;
    link[len] = '\0';
    if (sscanf(link, "socket:[%lu]", &out[n]) == 1)
      n++;
  }
  closedir(d);
  return n;
}

int mpipool__init_stall_unread(pid_t pid) {
  static const char *const tables[] = {"/proc/net/tcp", "/proc/net/tcp6"};
  unsigned long inodes[MAX_SOCKETS];
  size_t n = socket_inodes(pid, inodes, MAX_SOCKETS);
  int found = -1;
  for (size_t i = 0; n > 0 && i < sizeof tables / sizeof *tables; i++) {
    char *text = mpipool__read_file(tables[i], NULL);
    if (text == NULL)
      continue;
    int r = mpipool__init_stall_parse(text, inodes, n);
    mpipool__free(text);
    if (r > found)
      found = r;
  }
  return found;
}
