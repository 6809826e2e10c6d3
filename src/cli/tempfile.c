/*
 * tempfile.c - the program's unlinked temporary files (see tempfile.h).
 */
#include "tempfile.h"
#include "alloc.h"
#include "fmt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_tempfile(const char *what, char *msg, size_t msglen) {
  const char *dir = getenv("TMPDIR");
  if (dir == NULL || *dir == '\0')
    dir = "/tmp";
  char *path = cli_afmt("%s/mpipool-%s-XXXXXX", dir, what);
  if (path == NULL) {
    cli_fmt(msg, msglen, "out of memory");
    return -1;
  }
  int fd = mkstemp(path);
  int e = errno;
  if (fd >= 0)
    unlink(path);
  cli_free(path);
  if (fd < 0) {
    cli_fmt(msg, msglen, "cannot create a temporary file in %s: %s", dir,
            strerror(e));
    return -1;
  }
  fcntl(fd, F_SETFD, FD_CLOEXEC);
  return fd;
}
