/*
 * daemon.h - a singleton's runtime daemon, ended with the program.
 *
 * An Open MPI singleton (a program started without mpirun) forks its own
 * runtime daemon (orted) in MPI_Init, and hands it the read end of a pipe
 * (--singleton-died-pipe) whose other end it keeps: the daemon ends when
 * that pipe closes, that is when the program exits.  As it ends, when two
 * or more of its processes (workers) died by a signal, it prints "N total
 * processes killed" on its standard output, which is the program's
 * (the mpipool program gives it its stderr: src/cli/main.c), about 2 s
 * after the program ended: into whatever took that file over (seen: the
 * next command's output file).  So after its
 * last MPI_Finalize the program closes its end of that pipe and waits
 * for the daemon to end, a bounded time: what it prints comes before the
 * program's end.
 */
#ifndef MPIPOOL_DAEMON_H
#define MPIPOOL_DAEMON_H

#include <sys/types.h>

/* Call after this process's last MPI_Finalize, in a singleton: ends its
 * runtime daemon (see above) and waits for it, at most `seconds`.  A
 * daemon still there then is killed (SIGKILL): after a client's broken
 * handshake, PMIx 4.2.2's server (PMIx_server_finalize) waits for ever on
 * a lock in freed memory, deaf to SIGTERM, and the daemon, with its
 * children, outlived the program (seen after a spawn given up: see
 * comm_spawn.h).  Returns the pid of a daemon it killed, else 0.  Does
 * nothing where there is none (launched, not Open MPI, no /proc). */
pid_t mpipool__daemon_end(double seconds);

/* Call after this process's last MPI_Finalize, in a singleton: waits, at
 * most `seconds`, until the processes the daemon started (the spawned
 * workers, in their own MPI_Finalize) have ended, woken as they end
 * (pidfds; looking every 5 ms on kernels before Linux 5.3).  A worker
 * still in PMIx_Finalize when the program exits waits for the daemon,
 * which ends its children only as it ends itself (about 2 s after the
 * program), so the program ended with a worker process still there (4 of
 * 90 runs whose worker was killed and replaced).  Does nothing where
 * there is no daemon. */
void mpipool__daemon_settle(double seconds);

/* The process that starts this one's spawned processes on this node: a
 * singleton's runtime daemon (its child; found by a scan of the node's
 * processes, then remembered while it lives), else the launcher's
 * daemon: the nearest ancestor named as Open MPI's are (orted, mpirun,
 * ...), which is the parent unless the rank was started through a
 * wrapper; else the parent. */
pid_t mpipool__daemon_local(void);

#endif
