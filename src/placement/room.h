/*
 * room.h - how many more workers the operating system lets this user
 * start on this node: the processes (threads count) of `ulimit -u`, the
 * open files of `ulimit -n` (the launcher's daemon holds pipes to each
 * process it starts), and the memory available.  A pool asked for more
 * workers than that (mpipool -j 1000000) starts what fits and says so,
 * instead of asking MPI for processes it cannot start: Open MPI 4.1 then
 * waits for ever in MPI_Comm_spawn, and the processes it did start stay.
 */
#ifndef MPIPOOL_ROOM_H
#define MPIPOOL_ROOM_H

#include <stddef.h>

/* What a worker costs, with room to spare: an MPI process runs 3 threads,
 * a program worker adds its task guard and a task its shell and command;
 * the launcher's daemon holds 3 pipes per process and the master a
 * connection; a worker's own memory is about 3 MiB. */
#define MPIPOOL__ROOM_TASKS_PER_WORKER 6
#define MPIPOOL__ROOM_FILES_PER_WORKER 4
#define MPIPOOL__ROOM_FILES_KEPT 64 /* for everything else */
#define MPIPOOL__ROOM_KIB_PER_WORKER (8 * 1024)

/* The node's limits, as read (-1: no limit, or unknown). */
typedef struct {
  long tasks_max;  /* RLIMIT_NPROC (-1 for root: not enforced) */
  long tasks_used; /* threads of every process of this user */
  long files_max;  /* RLIMIT_NOFILE */
  long files_used; /* open by this process */
  long mem_kib;    /* MemAvailable */
} mpipool__limits_t;

/* Reads this node's limits for this process's user. */
void mpipool__limits_read(mpipool__limits_t *l);

/* How many more workers fit within l (0 or more), or -1 when nothing
 * limits them. */
int mpipool__room(const mpipool__limits_t *l);

/* Writes which limit is the tightest, for a message ("ulimit -u 150 with
 * 12 in use"); "" when none limits. */
void mpipool__room_why(const mpipool__limits_t *l, char *buf, size_t len);

#endif
