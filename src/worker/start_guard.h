/*
 * start_guard.h - a spawned worker's start, made harmless to the MPI job
 * when it fails.
 *
 * Under mpirun (without --enable-recovery) Open MPI ends the whole job
 * when any of its processes exits with a non-zero status, spawned ones
 * included.  Open MPI 4.1 with PMIx 4 now and then fails a spawned
 * process's MPI_Init ("OPAL ERROR: Unreachable in file ext3x_client.c"),
 * and MPI_Init then exits with status 1: the job, hours of work, was
 * aborted for a worker that never started (and that abort could hang).
 * A process that exits with status 0 without having reached MPI_Init is,
 * to Open MPI, a program that ended normally.
 *
 * So a worker that the master spawns under a launcher starts in two
 * processes: the one the launcher started waits (the guard), and a fork
 * of it, taken before MPI_Init, is the worker.  When the worker's
 * MPI_Init fails, the guard says so and exits with status 0; the master's
 * spawn then fails at its bound and is asked for again.  Once MPI_Init has
 * completed, the guard ends as the worker ends: the same exit status, or
 * the same signal.  The worker dies with its guard (PR_SET_PDEATHSIG);
 * signals the launcher forwards (it signals the process group) reach the
 * worker, which handles them; the guard ignores them.  After one that
 * stops the run (TERM, INT, HUP), a guard whose worker ends waits for the
 * master to end (10 s at most) before it ends: mpirun, ending its job,
 * would take the end of one of its processes as its cue to kill the rest
 * at once, the master among them, before it had logged what ended.
 *
 * The guard also watches the start itself: a worker whose PMIx server
 * (Open MPI's launcher) leaves its first request unread, as that server
 * now and then does for good after another process ended (init_stall.h),
 * would wait in MPI_Init, and the master's spawn until Open MPI's bound
 * (30 s).  The guard kills such a worker after 2 s of unread request and
 * forks another, which connects anew (3 times at most); the master's
 * spawn then completes in about 3 s.
 *
 * Only the thread that calls mpipool_start() lives on in the worker: a
 * program's threads started before mpipool_start() stay in the guard
 * (see mpipool_start in mpipool.h).
 */
#ifndef MPIPOOL_START_GUARD_H
#define MPIPOOL_START_GUARD_H

/* The variable the master sets (through MPI_Comm_spawn's "env" info key)
 * in the processes it spawns under a launcher. */
#define MPIPOOL__START_GUARD_ENV "MPIPOOL_START_GUARD"

/*
 * Called before MPI_Init.  In a process spawned with
 * MPIPOOL__START_GUARD_ENV set, forks: this process becomes the guard and
 * never returns; the worker returns the descriptor to pass to
 * mpipool__start_guard_started.  Elsewhere (or if fork fails) returns -1
 * and nothing changes.  MPIPOOL_FAULT_INIT=unreach in the environment
 * (tests) makes the worker's MPI_Init fail as Open MPI's does when PMIx
 * loses its server: it points PMIx at a port nobody listens on;
 * MPIPOOL_FAULT_INIT=stall points the first worker at a socket that never
 * reads (a guarded worker only).
 */
int mpipool__start_guard_enter(void);

/* Called once MPI_Init has completed: tells the guard (fd from
 * mpipool__start_guard_enter; -1: nothing to do). */
void mpipool__start_guard_started(int fd);

#endif
