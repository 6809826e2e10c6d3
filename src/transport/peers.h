/*
 * peers.h - the link's channels found by communicator and rank, in
 * constant time whatever their number: a hash table of communicators
 * (by their handles' bytes, which MPI only lets us compare), each a
 * group with a slot per remote rank.  A slot holds the caller's pointer
 * (link_mpi.c: a channel).  A group goes with its last entry.  No MPI
 * call: the caller says how many remote ranks a communicator has.
 */
#ifndef MPIPOOL_PEERS_H
#define MPIPOOL_PEERS_H

#include <mpi.h>
#include <stddef.h>

typedef struct {
  MPI_Comm comm;
  int remote;      /* its ranks: 0 .. remote - 1 */
  int count;       /* of them with an entry */
  int turn;        /* where the next look at every rank starts */
  double next_mpi; /* the caller's (link_mpi.c: when MPI is polled) */
  void **at;       /* [remote]: the entries, NULL where none */
} mpipool__group_t;

typedef struct {
  mpipool__group_t **table; /* open addressing, cap a power of two */
  size_t cap, n;
} mpipool__peers_t;

/* comm's group, or NULL when none of its ranks has an entry. */
mpipool__group_t *mpipool__peers_group(const mpipool__peers_t *p,
                                       MPI_Comm comm);

/* The entry of rank `rank` of comm, or NULL. */
void *mpipool__peers_get(const mpipool__peers_t *p, MPI_Comm comm, int rank);

/* Sets v (not NULL) as the entry of rank `rank` of comm, which has
 * `remote` remote ranks (its group's size, when the group is new).
 * 0, ENOMEM, or EINVAL (rank out of 0 .. remote - 1, or it has one). */
int mpipool__peers_put(mpipool__peers_t *p, MPI_Comm comm, int remote, int rank,
                       void *v);

/* Takes the entry of rank `rank` of comm out: it, or NULL when there was
 * none. */
void *mpipool__peers_take(mpipool__peers_t *p, MPI_Comm comm, int rank);

/* The bytes it holds. */
size_t mpipool__peers_bytes(const mpipool__peers_t *p);

/* Frees the table and the groups (not the entries).  Zeroed: no-op. */
void mpipool__peers_free(mpipool__peers_t *p);

#endif
