/*
 * pmix_cut.c - a test's fault: one rank's connection to its PMIx server
 * breaks in PMIx's handshake, as it now and then does under Open MPI 4.1
 * with PMIx 4.2.2 (see src/placement/init_watch.h).
 *
 * Preloaded into the ranks (mpirun -x LD_PRELOAD=.../libpmixcut.so).
 * PMIX_CUT_RANK=r picks the rank (OMPI_COMM_WORLD_RANK); PMIX_CUT_WHEN says
 * when its socket is closed: "before" the server can reply, right after
 * the rank's request went out (the server's replies then fail, its error
 * path runs, and mpirun hangs for ever), or "after" the first reply (0.3
 * s later: the server is done with it, and mpirun ends the job).  Either
 * way the rank's PMIx_Init fails: "Unreachable".  Only the process's
 * first handshake is cut: its request is the first send() that starts
 * with PMIx's header of 8 bytes 0xff; its wait for the reply, the first
 * recv() of 4 bytes with MSG_WAITALL.  PMIX_CUT_ONCE=path: in the first
 * such process of the run only (a singleton's spawns: each job has that
 * rank).  (Cut at that recv() instead, the
 * server had now and then replied already: no fault.)
 */
#define _GNU_SOURCE /* RTLD_NEXT */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

/* 1 if this process's handshake is to be cut `when`. */
static int cut_here(const char *when) {
  const char *rank = getenv("PMIX_CUT_RANK"),
             *me = getenv("OMPI_COMM_WORLD_RANK"), *w = getenv("PMIX_CUT_WHEN");
  if (!(rank && me && w && strcmp(rank, me) == 0 && strcmp(w, when) == 0))
    return 0;
  /* PMIX_CUT_ONCE=path: only the first such process of the run (the one
   * that creates path), not the same rank of every job spawned after. */
  const char *once = getenv("PMIX_CUT_ONCE");
  int fd = once ? open(once, O_CREAT | O_EXCL | O_WRONLY, 0600) : -1;
  if (fd >= 0)
    close(fd);
  return once == NULL || fd >= 0;
}

ssize_t send(int fd, const void *buf, size_t len, int flags) {
  static ssize_t (*real)(int, const void *, size_t, int);
  static int cut;
  static const unsigned char header[8] = {0xff, 0xff, 0xff, 0xff,
                                          0xff, 0xff, 0xff, 0xff};
  if (real == NULL)
    real = (ssize_t(*)(int, const void *, size_t, int))dlsym(RTLD_NEXT, "send");
  ssize_t n = real(fd, buf, len, flags);
  if (!cut && len >= 8 && memcmp(buf, header, 8) == 0 && cut_here("before")) {
    cut = 1;
    close(fd);
  }
  return n;
}

ssize_t recv(int fd, void *buf, size_t len, int flags) {
  static ssize_t (*real)(int, void *, size_t, int);
  static int cut;
  if (real == NULL)
    real = (ssize_t(*)(int, void *, size_t, int))dlsym(RTLD_NEXT, "recv");
  if (!cut && len == 4 && (flags & MSG_WAITALL) && cut_here("after")) {
    cut = 1;
    real(fd, buf, len, flags);
    usleep(300000);
    close(fd);
    return 0; /* as if the server had closed it */
  }
  return real(fd, buf, len, flags);
}
