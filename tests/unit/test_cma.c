/*
 * test_cma.c - reading a result from another process's memory
 * (transport/cma.c): a forked child describes a buffer it holds; the
 * parent reads it whole, and refuses a descriptor of another node, with a
 * wrong check value, of a process that is gone, of a truncated size, or
 * when MPIPOOL_FAULT_CMA=refuse; no MPI.
 */
#include "../tap.h"
#include "transport/cma.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define LEN (3u << 20)

static uint64_t check;

/* The child: fills a buffer, sends its descriptor down fd, then waits to
 * be killed. */
static void child(int fd) {
  unsigned char *buf = malloc(LEN);
  if (buf == NULL)
    _exit(1);
  for (size_t i = 0; i < LEN; i++)
    buf[i] = (unsigned char)(i * 7 + 1);
  mpipool__cma_desc_t d;
  memset(&d, 0, sizeof d);
  mpipool__cma_node(&d.node);
  d.pid = (uint64_t)getpid();
  d.addr = (uint64_t)(uintptr_t)buf;
  d.len = LEN;
  d.check_addr = (uint64_t)(uintptr_t)&check;
  d.check = check = mpipool__cma_random();
  if (write(fd, &d, sizeof d) != (ssize_t)sizeof d)
    _exit(1);
  for (;;)
    pause();
}

static int intact(const unsigned char *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i] != (unsigned char)(i * 7 + 1))
      return 0;
  return 1;
}

/* Reads what d names, on node here: 1 if it came back whole and right,
 * 0 if refused, -1 if it came back wrong. */
static int read_back(const mpipool__cma_desc_t *d,
                     const mpipool__cma_node_t *here) {
  void *out = NULL;
  size_t len = 0;
  if (mpipool__cma_read(d, sizeof *d, here, &out, &len) != 0)
    return 0;
  int right = len == d->len && intact(out, len);
  free(out);
  return right ? 1 : -1;
}

int main(void) {
  mpipool__cma_node_t here;
  int known = mpipool__cma_node(&here) == 0;
#ifndef __linux__
  printf("1..0 # SKIP cross-memory attach is Linux's\n");
  return 0;
#endif
  ok(known, "this node's identity is known");
  int p[2];
  if (pipe(p) != 0)
    return 1;
  pid_t pid = fork();
  if (pid == 0) {
    close(p[0]);
    child(p[1]);
  }
  close(p[1]);
  mpipool__cma_desc_t d;
  int got = read(p[0], &d, sizeof d) == (ssize_t)sizeof d;
  ok(got, "the child describes its buffer");
  if (!got)
    return tap_done();

  is_int(read_back(&d, &here), 1, "3 MiB read whole from the child");
  mpipool__cma_desc_t bad = d;
  bad.check ^= 1;
  is_int(read_back(&bad, &here), 0, "refused: the check value differs");
  mpipool__cma_node_t other = here;
  other.bytes[3] ^= 0x10;
  is_int(read_back(&d, &other), 0, "refused: another node");
  mpipool__cma_node_t zero;
  memset(&zero, 0, sizeof zero);
  bad = d;
  bad.node = zero;
  is_int(read_back(&bad, &zero), 0, "refused: a node that is not known");
  void *out = NULL;
  size_t len = 0;
  is_int(mpipool__cma_read(&d, sizeof d - 1, &here, &out, &len), -1,
         "refused: a descriptor of the wrong size");
  bad = d;
  bad.len = LEN + (64u << 20); /* past what the child has mapped */
  is_int(read_back(&bad, &here), 0, "refused: bytes the child does not have");
  setenv("MPIPOOL_FAULT_CMA", "refuse", 1);
  is_int(read_back(&d, &here), 0, "refused: MPIPOOL_FAULT_CMA=refuse");
  unsetenv("MPIPOOL_FAULT_CMA");
  is_int(read_back(&d, &here), 1, "read again without it");

  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
  is_int(read_back(&d, &here), 0, "refused: the process is gone");
  return tap_done();
}
