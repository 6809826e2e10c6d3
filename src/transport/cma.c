/*
 * cma.c - large results read from a worker's memory (see cma.h).
 */
#define _GNU_SOURCE /* process_vm_readv */
#include "config.h"
#include "cma.h"

#include "base/alloc.h"
#include "base/clock.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

int mpipool__cma_node(mpipool__cma_node_t *n) {
  memset(n, 0, sizeof *n);
#ifdef __linux__
  char id[64];
  FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");
  size_t got = f ? fread(id, 1, sizeof id - 1, f) : 0;
  if (f)
    fclose(f);
  struct stat st;
  if (got < 32 || stat("/proc/self/ns/pid", &st) != 0)
    return -1; /* unknown: never matches */
  /* The boot id's 32 hex digits, packed; then the namespace's inode. */
  size_t k = 0;
  for (size_t i = 0; i < got && k < 32; i++) {
    char c = id[i];
    int v = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                   : -1;
    if (v < 0)
      continue;
    n->bytes[k / 2] |= (uint8_t)(k % 2 ? v : v << 4);
    k++;
  }
  uint64_t ino = (uint64_t)st.st_ino;
  memcpy(n->bytes + 16, &ino, sizeof ino);
  return k == 32 ? 0 : -1;
#else
  return -1;
#endif
}

uint64_t mpipool__cma_random(void) {
  uint64_t v = 0;
  int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd < 0 || read(fd, &v, sizeof v) != (ssize_t)sizeof v)
    v = 0;
  if (fd >= 0)
    close(fd);
  /* Never 0 (a zeroed word would match it), mixed with what differs. */
  v ^= mpipool__clock_ns() * 0x9e3779b97f4a7c15ull ^ (uint64_t)getpid();
  return v ? v : 1;
}

mpipool__cma_desc_t *mpipool__cma_describe(const mpipool__cma_node_t *node,
                                           const void *data, size_t len,
                                           const uint64_t *check) {
  mpipool__cma_desc_t *d = mpipool__calloc(1, sizeof *d);
  if (d == NULL)
    return NULL;
  d->node = *node;
  d->pid = (uint64_t)getpid();
  d->addr = (uint64_t)(uintptr_t)data;
  d->len = len;
  d->check_addr = (uint64_t)(uintptr_t)check;
  d->check = *check;
  return d;
}

int mpipool__cma_read(const void *msg, size_t len,
                      const mpipool__cma_node_t *here, void **out,
                      size_t *out_len) {
  static const mpipool__cma_node_t unknown;
  mpipool__cma_desc_t d;
  const char *fault = getenv("MPIPOOL_FAULT_CMA");
  if (len != sizeof d || (fault && strcmp(fault, "refuse") == 0))
    return -1;
  memcpy(&d, msg, sizeof d);
  if (memcmp(&d.node, here, sizeof d.node) != 0 ||
      memcmp(here, &unknown, sizeof unknown) == 0 || d.len == 0 ||
      d.len > (uint64_t)SIZE_MAX / 2 || d.pid == 0 || d.pid > INT32_MAX)
    return -1;
#ifdef __linux__
  char *buf = mpipool__malloc((size_t)d.len);
  if (buf == NULL)
    return -1;
  uint64_t check = 0;
  struct iovec local[2] = {{&check, sizeof check}, {buf, (size_t)d.len}};
  struct iovec remote[2] = {{(void *)(uintptr_t)d.check_addr, sizeof check},
                            {(void *)(uintptr_t)d.addr, (size_t)d.len}};
  ssize_t n = process_vm_readv((pid_t)d.pid, local, 2, remote, 2, 0);
  if (n != (ssize_t)(sizeof check + d.len) || check != d.check) {
    mpipool__free(buf);
    return -1;
  }
  *out = buf;
  *out_len = (size_t)d.len;
  return 0;
#else
  (void)out;
  (void)out_len;
  return -1;
#endif
}
