/*
 * nodelay.c - TCP_NODELAY on the loopback connections MPI_Init opened
 * (see nodelay.h).
 */
#include "config.h"
#include "nodelay.h"

#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

/* Calls fn(fd, inode, arg) for each TCP socket of the process. */
static void each_tcp(void (*fn)(int, ino_t, void *), void *arg) {
  DIR *d = opendir("/proc/self/fd");
  if (d == NULL)
    return;
  int self = dirfd(d);
  for (struct dirent *e; (e = readdir(d)) != NULL;) {
    char *end;
    long fd = strtol(e->d_name, &end, 10);
    int type = 0;
    socklen_t len = sizeof type;
    struct sockaddr_storage a;
    socklen_t alen = sizeof a;
    struct stat st;
    if (*end != '\0' || end == e->d_name || fd == self ||
        fstat((int)fd, &st) != 0 || !S_ISSOCK(st.st_mode) ||
        getsockopt((int)fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 ||
        type != SOCK_STREAM ||
        getsockname((int)fd, (struct sockaddr *)&a, &alen) != 0 ||
        (a.ss_family != AF_INET && a.ss_family != AF_INET6))
      continue;
    fn((int)fd, st.st_ino, arg);
  }
  closedir(d);
}

static void note(int fd, ino_t ino, void *arg) {
  (void)fd;
  mpipool__sockets_t *s = arg;
  if (s->n < MPIPOOL__NODELAY_NOTED)
    s->ino[s->n] = ino;
  s->n++;
}

void mpipool__sockets_note(mpipool__sockets_t *before) {
  before->n = 0;
  each_tcp(note, before);
}

static int loopback_peer(int fd) {
  struct sockaddr_storage a;
  socklen_t alen = sizeof a;
  if (getpeername(fd, (struct sockaddr *)&a, &alen) != 0)
    return 0;
  if (a.ss_family == AF_INET) {
    const struct sockaddr_in *v4 = (const struct sockaddr_in *)&a;
    return (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
  }
  const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)&a;
  return a.ss_family == AF_INET6 && IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr);
}

typedef struct {
  const mpipool__sockets_t *before;
  size_t set;
} nodelay_t;

static void set_nodelay(int fd, ino_t ino, void *arg) {
  nodelay_t *nd = arg;
  for (size_t i = 0; i < nd->before->n; i++)
    if (nd->before->ino[i] == ino)
      return; /* the program's own */
  int one = 1;
  if (loopback_peer(fd) &&
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == 0)
    nd->set++;
}

size_t mpipool__sockets_nodelay(const mpipool__sockets_t *before) {
  nodelay_t nd = {before, 0};
  if (before->n <= MPIPOOL__NODELAY_NOTED)
    each_tcp(set_nodelay, &nd);
  return nd.set;
}
