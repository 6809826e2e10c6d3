/*
 * master_watch.h - a spawned worker does not wait for ever for a master
 * that is gone.
 *
 * Open MPI 4.1 has no ULFM: a receive from a process that died never
 * completes.  Most of the time the master's death still ends its
 * workers: mpirun ends the job, a singleton's daemon its processes, and
 * a worker whose TCP connection to the master breaks aborts.  But under
 * mpirun --enable-recovery (or orte_abort_on_non_zero_status 0) nothing
 * ends a worker on the master's node that talks to it through shared
 * memory, or that has not exchanged a message with it yet (a replacement
 * waiting for its first CONFIG): it waited for ever, and mpirun with it
 * (seen in test_lost: the master killed by a SIGPIPE, see sigpipe.h).
 *
 * So the master names itself in the environment of the processes it
 * spawns (MPI_Comm_spawn's "env" key, Open MPI's): its pid, its start
 * time (a pid can be reused; the pair cannot) and its node.  A worker on
 * that node looks, at most every MPIPOOL__MASTER_WATCH_MS while it waits,
 * whether that process still exists; once it does not, the wait gives up
 * and the worker ends.  Workers on other nodes, launcher's ranks and
 * other MPI libraries have no such watch (their launcher's or their
 * connection's end ends them).
 */
#ifndef MPIPOOL_MASTER_WATCH_H
#define MPIPOOL_MASTER_WATCH_H

#include <stddef.h>
#include <sys/types.h>

/* The variable: "PID:START@NODE". */
#define MPIPOOL__MASTER_ENV "MPIPOOL_MASTER"

/* How often a waiting worker looks. */
#define MPIPOOL__MASTER_WATCH_MS 200

typedef struct {
  pid_t pid;                /* 0: not watched */
  unsigned long long start; /* its start time (procs.h) */
  double next;              /* when to look again (mpipool__now) */
} mpipool__master_watch_t;

/* The master: writes "MPIPOOL_MASTER=PID:START@NODE\n" for this process
 * into buf (size bytes); 0, or -1 (not known, or it does not fit). */
int mpipool__master_watch_env(char *buf, size_t size);

/* A worker: reads the variable (and takes it out of the environment, not
 * for its tasks) and watches the master it names if it is on this node;
 * else (none, malformed, another node) watches nothing. */
void mpipool__master_watch_init(mpipool__master_watch_t *mw);

/* 1 when the watched master is known gone (looked at most every
 * MPIPOOL__MASTER_WATCH_MS; cheap between looks), else 0. */
int mpipool__master_watch_gone(mpipool__master_watch_t *mw);

#endif
