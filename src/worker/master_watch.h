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
 * and the worker ends.  Every worker (a launcher's rank too, and under
 * any MPI) also finds the master's name in its CONFIG, and watches from
 * then on if it had none.  Workers on other nodes have no such watch
 * (their launcher's, or their connection's end, ends them), nor has a
 * launcher's rank before its first CONFIG.
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

/* The master: writes this process's name, "PID:START@NODE", into buf
 * (size bytes); 0, or -1 (not known, or it does not fit: buf untouched). */
int mpipool__master_watch_name(char *buf, size_t size);

/* The master: writes "MPIPOOL_MASTER=PID:START@NODE\n" into buf, as
 * mpipool__master_watch_name. */
int mpipool__master_watch_env(char *buf, size_t size);

/* A worker: watches the master that `name` names if it is on this node;
 * else (NULL, "", malformed, another node) watches nothing. */
void mpipool__master_watch_from(mpipool__master_watch_t *mw, const char *name);

/* A spawned worker, first thing: mpipool__master_watch_from the
 * variable, which it takes out of the environment (not for its tasks). */
void mpipool__master_watch_init(mpipool__master_watch_t *mw);

/* 1 when the watched master is known gone (looked at most every
 * MPIPOOL__MASTER_WATCH_MS; cheap between looks), else 0. */
int mpipool__master_watch_gone(mpipool__master_watch_t *mw);

#endif
