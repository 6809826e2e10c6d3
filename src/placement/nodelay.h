/*
 * nodelay.h - TCP_NODELAY on the loopback connections MPI_Init opened.
 *
 * PMIx 4.2 (Open MPI 4.1's runtime on Debian 12) connects each process to
 * its local server (a singleton's orted, mpirun, a node's daemon) over
 * loopback TCP and leaves Nagle's algorithm on: a request of several
 * small writes then waits for the server's delayed acknowledgement, 40 ms
 * (strace: three writes of 18-24 bytes read by the server 39 ms later).
 * MPI_Finalize takes 45 ms in every process for it (3 ms with
 * TCP_NODELAY), as do exchanges such as a spawn's.  The socket is
 * opened inside MPI_Init, so the option is set right after it, on the
 * TCP sockets to a loopback address that were not open before (never
 * one of the program's own).  TCP_NODELAY changes when bytes leave, never
 * which.
 */
#ifndef MPIPOOL_NODELAY_H
#define MPIPOOL_NODELAY_H

#include <stddef.h>
#include <sys/types.h>

/* The most sockets noted before MPI_Init; beyond them, none is touched
 * (a program with that many open stays as it was). */
#define MPIPOOL__NODELAY_NOTED 64

typedef struct {
  size_t n; /* TCP sockets open before; > NOTED: too many to note */
  ino_t ino[MPIPOOL__NODELAY_NOTED];
} mpipool__sockets_t;

/* Before MPI_Init: notes the process's TCP sockets. */
void mpipool__sockets_note(mpipool__sockets_t *before);

/* After MPI_Init: sets TCP_NODELAY on the TCP sockets connected to a
 * loopback address (127.0.0.0/8, ::1) that were not in `before`; returns
 * how many (0 without /proc, or when `before` overflowed). */
size_t mpipool__sockets_nodelay(const mpipool__sockets_t *before);

#endif
