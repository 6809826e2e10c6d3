/*
 * procs.h - this node's processes, as /proc shows them (Linux).
 */
#ifndef MPIPOOL_PROCS_H
#define MPIPOOL_PROCS_H

#include <stddef.h>
#include <sys/types.h>

/* The processes whose parent is `parent`, into out (up to max); how many
 * (0 without /proc). */
size_t mpipool__procs_children(pid_t parent, pid_t *out, size_t max);

#endif
