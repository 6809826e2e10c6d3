/*
 * cma.h - large results read straight from a worker's memory when it runs
 * on the master's node (Linux's cross-memory attach, process_vm_readv):
 * one copy, at about memcpy's speed, where MPI would move them over TCP
 * (a singleton's spawned workers are another MPI job: Open MPI's shared
 * memory transport does not connect them).  The same way, the other
 * way round: a worker reads a large TASKS frame from the master's memory
 * (link.h's offers: tags TASKS_CMA, TASKS_ACK, TASKS_BYTES).
 *
 * The worker sends a small descriptor (tag MPIPOOL__TAG_CMA) naming its
 * frame's bytes and waits for the master's one-byte answer (tag
 * MPIPOOL__TAG_CMA_ACK): 0, the master has read them (the worker frees
 * them); 1, it could not (another node, no permission, a fault): the
 * worker sends them as a plain RESULTS message and stops offering.  The
 * master reads only a worker of its own node (the same kernel boot and
 * pid namespace) and checks a random value the worker keeps beside the
 * bytes, so that it never takes another process's memory for them.
 * Elsewhere (not Linux) the descriptor is always answered 1.
 */
#ifndef MPIPOOL_CMA_H
#define MPIPOOL_CMA_H

#include <stddef.h>
#include <stdint.h>

/* Frames of at least this many bytes are offered. */
#define MPIPOOL__CMA_MIN (256u << 10)

/* What identifies a node and pid namespace: the kernel's boot id and the
 * namespace's inode (all zero: unknown, never matches). */
typedef struct {
  uint8_t bytes[24];
} mpipool__cma_node_t;

/* The descriptor, as sent (plain bytes: master and workers run the same
 * program). */
typedef struct {
  mpipool__cma_node_t node;
  uint64_t pid;
  uint64_t addr, len;  /* the frame's bytes */
  uint64_t check_addr; /* where the worker keeps `check` */
  uint64_t check;      /* a random value */
} mpipool__cma_desc_t;

/* This process's node (see above): 0, or -1 when it cannot be known
 * (then n is all zero). */
int mpipool__cma_node(mpipool__cma_node_t *n);

/* A random value for mpipool__cma_desc_t.check. */
uint64_t mpipool__cma_random(void);

/* The descriptor (malloc'd) of this process's len bytes at data, on
 * node, with the value at *check to be checked; NULL if out of memory. */
mpipool__cma_desc_t *mpipool__cma_describe(const mpipool__cma_node_t *node,
                                           const void *data, size_t len,
                                           const uint64_t *check);

/*
 * Reads the bytes d (msg, len bytes: a received descriptor) names, on
 * node `here`, into a malloc'd buffer: 0 with *out and *out_len set, or
 * -1 (not a descriptor, another node, the process gone or not readable,
 * the check not matching, out of memory).  MPIPOOL_FAULT_CMA=refuse in
 * the environment makes every read fail (tests; =die and =die_offered
 * are the worker's, see worker.c).
 */
int mpipool__cma_read(const void *msg, size_t len,
                      const mpipool__cma_node_t *here, void **out,
                      size_t *out_len);

#endif
