/*
 * init_watch.h - a launcher's rank whose MPI_Init fails does not leave
 * the launcher hanging for ever.
 *
 * Open MPI 4.1 with PMIx 4.2.2 (Debian 12) now and then fails a rank's
 * MPI_Init ("OPAL ERROR: Unreachable in file ext3x_client.c"): the rank
 * exits with status 1 and mpirun ends the job.  When the rank's connection
 * broke in the middle of PMIx's handshake, after the server had found the
 * rank, the server's error path frees an object that the rank's record
 * still holds (PMIx's ptl_base_connection_hdlr.c, fixed upstream after
 * 4.2.9).  Its event thread then waits on a lock in that freed memory:
 * no other rank gets past MPI_Init, mpirun kills them, then waits for
 * ever in PMIx_server_finalize, deaf to SIGTERM.  Measured here by cutting
 * one rank's handshake (tests/tools/pmix_cut.c): every time.
 *
 * So before MPI_Init a rank that Open MPI's launcher (mpirun, or its orted
 * on another node) started forks a watcher, which ends as soon as
 * MPI_Init returns.  If the rank ends before that, the watcher waits for
 * the launcher to end the job; if the launcher is still there after
 * MPIPOOL_INIT_WATCH seconds (default 60; 0: no watcher), the watcher
 * says so on the launcher's standard error and kills it (SIGKILL), which
 * ends the job: a run that failed at its start fails within a minute
 * instead of holding its allocation until the batch system's time limit.
 * Nothing ran yet, so nothing is lost.
 *
 * Processes the pool spawns (marked MPIPOOL__SPAWNED_ENV), singletons,
 * other launchers (Slurm's srun, MPICH's hydra) and other MPI libraries
 * get no watcher.
 */
#ifndef MPIPOOL_INIT_WATCH_H
#define MPIPOOL_INIT_WATCH_H

/* The variable the master sets in every process it spawns. */
#define MPIPOOL__SPAWNED_ENV "MPIPOOL_SPAWNED"

/* Called before MPI_Init.  Forks the watcher where one is due (see
 * above) and returns the descriptor to pass to mpipool__init_watch_done;
 * elsewhere -1.  Takes MPIPOOL__SPAWNED_ENV out of the environment. */
int mpipool__init_watch_start(void);

/* Called once MPI_Init has returned: the watcher ends (fd -1: nothing to
 * do). */
void mpipool__init_watch_done(int fd);

#endif
