/*
 * pmix_cut.c - a test's fault: one rank's connection to its PMIx server
 * breaks in PMIx's handshake, as it now and then does under Open MPI 4.1
 * with PMIx 4.2.2 (see src/placement/init_watch.h).
 *
 * Preloaded into the ranks (mpirun -x LD_PRELOAD=.../libpmixcut.so).
 * PMIX_CUT_RANK=r picks the rank (OMPI_COMM_WORLD_RANK); PMIX_CUT_WHEN says
 * when its socket is closed: "before" it reads the server's first reply
 * (the server's error path runs and mpirun hangs for ever), or "after"
 * it (0.3 s later: the server is done with it, and mpirun ends the job).
 * Either way the rank's PMIx_Init fails: "Unreachable".  Only the
 * process's first handshake is cut: the first recv of 4 bytes with
 * MSG_WAITALL, which is PMIx's wait for that reply.
 */
#define _GNU_SOURCE /* RTLD_NEXT */
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

ssize_t recv(int fd, void *buf, size_t len, int flags) {
  static ssize_t (*real)(int, void *, size_t, int);
  static int cut;
  if (real == NULL)
    real = (ssize_t(*)(int, void *, size_t, int))dlsym(RTLD_NEXT, "recv");
  const char *rank = getenv("PMIX_CUT_RANK"),
             *me = getenv("OMPI_COMM_WORLD_RANK"),
             *when = getenv("PMIX_CUT_WHEN");
  if (!cut && rank && me && when && strcmp(rank, me) == 0 && len == 4 &&
      (flags & MSG_WAITALL)) {
    cut = 1;
    if (strcmp(when, "after") == 0) {
      real(fd, buf, len, flags);
      usleep(300000);
    }
    close(fd);
    return 0; /* as if the server had closed it */
  }
  return real(fd, buf, len, flags);
}
