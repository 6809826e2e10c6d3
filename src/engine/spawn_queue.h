/*
 * spawn_queue.h - starting replacement workers ahead of time.  MPI_Comm_spawn
 * blocks for about a quarter of a second, so when MPI allows threads
 * (MPI_THREAD_MULTIPLE) a spawner thread does it while the master goes on
 * dispatching; otherwise requests are served at once, in the caller.
 */
#ifndef MPIPOOL_SPAWN_QUEUE_H
#define MPIPOOL_SPAWN_QUEUE_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mpipool__spawnq mpipool__spawnq_t;

/* A finished spawn. */
typedef struct {
  int err;        /* 0, or ESPAWN/EMPI/ENOMEM with why */
  MPI_Comm inter; /* to the n new processes, when err == 0 */
  int n;
  char *host;     /* where they were asked to run (malloc'd, the
                     poller's to free), or NULL: anywhere */
  int tag;        /* the requester's tag, as given */
  uint32_t *pids; /* their n process ids, 0 where unknown (on another
                     node); malloc'd, the poller's to free; NULL when
                     out of memory */
  char why[MPI_MAX_ERROR_STRING + 128];
} mpipool__spawned_t;

/* How a request is served: as mpipool__comm_spawn (comm_spawn.h), which
 * the engine gives; tests give a stand-in. */
typedef int (*mpipool__spawn_fn)(int n, const char *host, MPI_Comm *inter,
                                 uint32_t *pids, char *why, size_t whylen);

/* Creates a spawner that serves requests with `spawn`; with `threaded`
 * its work runs in its own thread.  0, ENOMEM or ESPAWN (the thread could
 * not start). */
int mpipool__spawnq_new(mpipool__spawnq_t **sp, int threaded,
                        mpipool__spawn_fn spawn);

/* Asks for n more processes on `host` (copied; NULL: anywhere), in one
 * MPI_Comm_spawn call; `tag` comes back with them.  0 or ENOMEM. */
int mpipool__spawnq_request(mpipool__spawnq_t *sp, const char *host, int n,
                            int tag);

/* Hands over one finished spawn: 1 with *out set (out->host is the
 * caller's to free), or 0 if none is ready. */
int mpipool__spawnq_poll(mpipool__spawnq_t *sp, mpipool__spawned_t *out);

/* Processes requested and not yet handed over by poll. */
int mpipool__spawnq_pending(mpipool__spawnq_t *sp);

/* Tells the thread to end, without waiting: after every queued request
 * with `finish`, else after the spawn in progress (requests not started
 * are dropped).  1 once it has ended (at once without a thread), else 0:
 * the caller goes on with its work and asks again (a spawn takes up to
 * its bound). */
int mpipool__spawnq_end(mpipool__spawnq_t *sp, int finish);

/* Stops the thread as spawnq_end says, and waits for it.  Finished
 * spawns stay available to poll.  spawnq_free then frees everything,
 * intercommunicators of spawns not polled included (NULL: no-op). */
void mpipool__spawnq_stop(mpipool__spawnq_t *sp, int finish);
void mpipool__spawnq_free(mpipool__spawnq_t *sp);

#endif
