/*
 * sigpipe.h - the master ignores SIGPIPE while it runs a pool.
 *
 * Open MPI's TCP transport writes to its peers with writev(), which
 * raises SIGPIPE when the peer's end is closed.  A worker that dies (a
 * task that crashed it, kill -9, maxtasksperchild with a socket still
 * open) can leave the master writing to its socket before the master has
 * read its end: by default SIGPIPE then kills the master, the whole
 * run's work with it (measured: mpirun --enable-recovery -n 1 test_lost,
 * the master ended with status 141 in about 1 run of 20, its workers
 * left waiting for it).  So while a pool lives, a master whose program
 * left SIGPIPE at its default ignores it: such a write fails with EPIPE,
 * which MPI handles as the peer's loss.  A program that set its own
 * disposition (a handler, or SIG_IGN) keeps it.  What the pool forks
 * (task processes, the CLI's commands) gets the default back.
 *
 * The disposition is the process's, so this state is too: a count of the
 * pools that hold it, under a lock.
 */
#ifndef MPIPOOL_SIGPIPE_H
#define MPIPOOL_SIGPIPE_H

/* Takes a hold: the first makes SIGPIPE ignored if it was at its default.
 * Returns 1 (a hold to release), or 0 if sigaction failed (none). */
int mpipool__sigpipe_hold(void);

/* Gives a hold back: the last restores the default, if SIGPIPE is still
 * ignored as the first hold left it (not if the program changed it
 * since). */
void mpipool__sigpipe_release(void);

#endif
