/*
 * init_stall.h - whether a process starting MPI waits on a PMIx server
 * that does not read what it sent.
 *
 * Open MPI 4.1's launcher (mpirun, or a singleton's orted) with PMIx 4.2
 * now and then stops reading one client's connection for good: when it
 * learns that a process ended before its PMIx server has seen that
 * process's connection close, the server closes the socket without taking
 * it out of its event loop (pmix_server.c, _deregister_client); the next
 * client whose connection gets the same descriptor is never read.  That
 * client, a newly spawned worker, waits in MPI_Init for the answer to its
 * first request, and the master's MPI_Comm_spawn waits for it until Open
 * MPI's bound (30 s).  Measured: about 1 spawn in 10 after a worker rank's
 * kill -9, under mpirun -n 4 on 2 loaded cores (doc/reliability.md).
 *
 * What tells it from outside: the server's end of the client's loopback
 * connection holds bytes that nobody reads (its receive queue in
 * /proc/net/tcp).  A server that is only slow reads them within moments.
 */
#ifndef MPIPOOL_INIT_STALL_H
#define MPIPOOL_INIT_STALL_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Reads the text of /proc/net/tcp (or tcp6), `tcp`: among the
 * connections whose own end is one of the n socket inodes, one whose
 * other end is also in the text (on this host) and holds unread bytes: 1;
 * some such connection, all read: 0; none: -1.
 */
int mpipool__init_stall_parse(const char *tcp, const unsigned long *inodes,
                              size_t n);

/* The same for the sockets of process pid (a child of the caller, or one
 * it may read in /proc), over TCP on IPv4 and IPv6. */
int mpipool__init_stall_unread(pid_t pid);

#endif
