/*
 * plan.h - where the pool's workers go: from what every launcher rank
 * found on its node (host, usable cores), decide which ranks serve, how
 * many workers to spawn on which node, and each worker's share of its
 * node for binding.  Pure logic, no MPI (hwloc bitmaps for PU lists).
 */
#ifndef MPIPOOL_PLAN_H
#define MPIPOOL_PLAN_H

#include <stddef.h>

#include "topology.h"

/* No node of the plan: a host it does not know. */
#define MPIPOOL__NODE_UNKNOWN (-1)

/* A worker's share of its node for binding (see mpipool__bind_self): a
 * share number >= 0, or one of these. */
enum {
  MPIPOOL__SHARE_NONE = -1, /* not bound by mpipool */
  MPIPOOL__SHARE_NEXT = -2  /* (asking) the node's next share */
};

/* One node of the job. */
typedef struct {
  mpipool__node_t info; /* as probed by its first rank (the plan's copy;
                           info.bound unused) */
  int ranks;            /* launcher ranks there that serve as workers */
  int spawn;            /* workers to spawn there */
  int bind;             /* 1: one share each (workers <= cores) */
  int shares;           /* how many: its workers not bound by the launcher */
  int next_share;       /* the share of the next worker placed there */
  char *avoid;          /* PUs the launcher bound its ranks to (a list,
                           malloc'd), or NULL */
  int avoid_bad;        /* a launcher binding could not be read: no
                           binding on this node */
  int fit;              /* the most workers its cores and GPUs take (when
                           cores_per or gpus_per), else INT_MAX */
} mpipool__plan_node_t;

typedef struct {
  mpipool__plan_node_t *nodes; /* nodes[0] is the master's */
  size_t nnodes;
  int nranks;
  int *node_of;        /* per rank: index into nodes */
  int *launcher_bound; /* per rank: 1 if the launcher bound it */
  int serve;           /* ranks 1..serve are workers, the rest leave */
  int workers;         /* serve + every spawn */
  int no_room;         /* workers left out: no node's limits let it start
                          them (info.room) */
  int unfit;           /* workers left out: no node has the cores or GPUs
                          they need (cores_per, gpus_per) */
  int ranks_unfit;     /* launcher ranks left out for the same reason */
} mpipool__plan_t;

/*
 * Plans for `nranks` launcher ranks whose probes are per_rank[0..nranks-1]
 * (rank 0 the master).  processes > 0: that many workers, ranks 1..n
 * first, the rest spawned on the nodes with the most free cores (the
 * master's node on a tie), surplus ranks leave.  processes == 0: every
 * rank serves, and every node is filled up to its cores with spawned
 * workers (the master is not counted: it sleeps while it waits).  bind: 0
 * never binds; else a node's workers are bound when they are no more
 * than its cores, and on the master's node (node 0) when they leave the
 * master a core.  No node gets more spawned workers than its room
 * (info.room, when >= 0): those left out are counted in no_room.
 * Strings are copied.  0, or MPIPOOL_ENOMEM /
 * MPIPOOL_EINVAL (nranks < 1).
 */
int mpipool__plan_make(mpipool__plan_t *p, const mpipool__node_t *per_rank,
                       int nranks, int processes, int bind);

/*
 * As mpipool__plan_make, for workers that each need cores_per cores (PUs
 * with hwthreads) and gpus_per GPUs of their node (0: not asked; GPUs
 * as info.ngpus says, none when -1): a node takes at most
 * min(cores / cores_per, ngpus / gpus_per) workers, its launcher ranks
 * included.  Ranks serve in order while their nodes have room; from the
 * first that does not, the rest leave (ranks_unfit counts them) and the
 * nodes are filled by spawning.  processes == 0 fills every node to that
 * bound; processes > 0 places that many within it, those left out
 * counted in unfit.  A node binds when its workers' cores fit in its
 * own; each share is then cores_per cores.
 */
int mpipool__plan_make_sized(mpipool__plan_t *p,
                             const mpipool__node_t *per_rank, int nranks,
                             int processes, int bind, int cores_per,
                             int gpus_per);

/* The share (for mpipool__bind_self) of the next worker placed on node
 * i, or MPIPOOL__SHARE_NONE when that node is not bound.  Workers the launcher
 * bound take no share: the others are spread over the rest (avoid). */
int mpipool__plan_next_share(mpipool__plan_t *p, size_t i);

/* The host key for spawning onto `host`: the host itself when the plan
 * spans several nodes (without the key the launcher may place the
 * processes on any node with free slots: seen, all on another node); NULL
 * with one node (a singleton's runtime knows its node by the host name
 * only, which may differ from Slurm's node name). */
static inline const char *mpipool__plan_spawn_host(const mpipool__plan_t *p,
                                                   const char *host) {
  return p->nnodes > 1 ? host : NULL;
}

/* The node a host runs on, or MPIPOOL__NODE_UNKNOWN. */
int mpipool__plan_find(const mpipool__plan_t *p, const char *host);

void mpipool__plan_free(mpipool__plan_t *p);

#endif
