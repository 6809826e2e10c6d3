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

/* Process pid's parent (a zombie's too), or 0 if it cannot be read
 * (gone). */
pid_t mpipool__procs_parent(pid_t pid);

/* Process pid's name (/proc/pid/comm, its newline taken off) into name
 * (size bytes); 0, or -1 if it cannot be read (gone). */
int mpipool__procs_name(pid_t pid, char *name, size_t size);

/* Process pid's start time (clock ticks after boot), or 0 if it is gone
 * or a zombie: with the pid, it names one process for good. */
unsigned long long mpipool__procs_started(pid_t pid);

/* A descriptor (close-on-exec) that polls readable once process pid has
 * exited (a pidfd: Linux 5.3 on), or -1 where the kernel has none. */
int mpipool__procs_exit_fd(pid_t pid);

/* 1 if process pid runs one of Open MPI's launchers or their daemons
 * (mpirun, mpiexec, orterun, orted; prterun, prted in Open MPI 5), by
 * its name; else 0. */
int mpipool__procs_open_mpi_launcher(pid_t pid);

#endif
