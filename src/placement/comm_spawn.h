/*
 * comm_spawn.h - starting more processes of this very program with one
 * MPI_Comm_spawn call: the children run /proc/self/exe with this
 * process's arguments, so they register the same tasks and reach
 * mpipool_start(), where the parent intercommunicator makes them workers.
 */
#ifndef MPIPOOL_COMM_SPAWN_H
#define MPIPOOL_COMM_SPAWN_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

/* Spawns n processes running this program with its arguments, on `host`
 * (NULL: wherever MPI chooses); on success *inter is the
 * intercommunicator to them, and pids (room for n, or NULL) their process
 * ids when they run on this node and were told apart from any other new
 * process of this program here (else zeros; the order is not their
 * ranks').  On failure returns ESPAWN (or EMPI/ENOMEM),
 * or ETIMEDOUT when Open MPI gave up the spawn at its bound
 * (mpipool__hints_spawn_bound), or when it did not return within
 * MPIPOOL_SPAWN_TIMEOUT seconds (default 1.5 times that bound + 5, or 50
 * where the bound is not known; with MPI_THREAD_MULTIPLE the call is made
 * in a thread of its own, left to it then, and without it the wait is not
 * bounded, which is said once on stderr): its processes never reached MPI_Init
 * and may live on, stuck; with a message in why (size whylen).
 * MPIPOOL_FAULT_SPAWN=1 in the environment makes every spawn fail,
 * MPIPOOL_FAULT_SPAWN=hang:K makes the Kth spawn stick, hang:K- every spawn
 * from the Kth on, unreach:K the Kth spawn's MPI_Init fail, stall:K the Kth
 * spawn's PMIx server leave its first worker unread (start_guard.h) (tests;
 * Open MPI only). */
int mpipool__comm_spawn(int n, const char *host, MPI_Comm *inter,
                        uint32_t *pids, char *why, size_t whylen);

/*
 * How many processes of the spawns that got stuck (ETIMEDOUT) are still
 * there: those on this node that still live, and every stuck spawn on
 * another node (not seen from here).  0 when a stuck spawn's processes
 * ended on their own (a worker whose MPI_Init failed, start_guard.h).
 */
size_t mpipool__comm_spawn_stuck_left(void);

/*
 * Kills the processes of the spawns that got stuck (ETIMEDOUT) on this
 * node, found as the program's processes that the launcher's daemon here
 * started during the spawn: they sit in MPI_Init for ever, and the
 * launcher would wait for them.  Call it once the pool is done.  Returns
 * how many it killed (0: none known, or they ran on another node).
 */
size_t mpipool__comm_spawn_end_stuck(void);

/*
 * Waits, at most `seconds`, until no thread of this process is inside
 * MPI_Comm_spawn (a spawn given up goes on in its own thread); returns
 * how many still are.  MPI_Finalize must not run beside one: such a call,
 * returning as Open MPI 4.1 finalized (its processes gone), crashed the
 * program (SIGSEGV in libmpi, 3 of 10 singleton runs whose first spawn's
 * PMIx handshake broke, the pool ending before the spawn's bound).
 */
int mpipool__comm_spawn_calls_left(double seconds);

#endif
