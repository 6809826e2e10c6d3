/*
 * topology.h - what a node offers the pool, read with hwloc: its usable
 * cores (or hardware threads), and binding a worker to its share of them.
 * hwloc only: what the launcher says comes in as arguments.
 */
#ifndef MPIPOOL_TOPOLOGY_H
#define MPIPOOL_TOPOLOGY_H

#include <stddef.h>

/* One process's view of its node, as sent to the master at start.  The
 * strings are malloc'd (mpipool__node_free frees them). */
typedef struct {
  char *host;   /* the node's name (filled by the caller) */
  int status;   /* 0, or why the rest is unknown: EHWLOC, ENOMEM */
  int cores;    /* usable cores (PUs with hwthreads); 0 if unknown */
  char *cpuset; /* the usable PUs, as a list ("0-3,8"); NULL if unknown */
  char *bound;  /* launched and bound to less than that: its PUs;
                   NULL if not */
  int room;     /* workers the node's limits let this user start still
                   (placement/room.h), -1: no limit (filled by the caller) */
  int ngpus;    /* its GPUs (placement/gpus.h, filled by the caller when
                   GPUs are asked for), -1: its list is wrong */
  char *gpus;   /* their ids ("0,1"), or NULL when not probed */
} mpipool__node_t;

/*
 * Fills n for this process's node, but for its host (the caller's).  The
 * usable set is hwloc's allowed cpuset (cgroups, Slurm's allocation),
 * narrowed to the process's own CPU binding when `launched` is 0: a
 * process that no MPI launcher started (a singleton) was bound by its user
 * (taskset, srun --cpu-bind), while a launcher's per-rank binding is its
 * placement, not the job's share.  Counts cores, or PUs with hwthreads; a
 * core counts when any of its PUs is usable.  With cap > 0 (the CPUs
 * Slurm allocated to the job on this node), no more than cap.  On failure
 * n->status is MPIPOOL_EHWLOC (or ENOMEM) and why says what failed.
 * MPIPOOL_FAULT_HWLOC=1 in the environment simulates the failure (tests).
 */
void mpipool__node_probe(mpipool__node_t *n, int hwthreads, int launched,
                         int cap, char *why, size_t whylen);

/* Frees n's strings (NULL: no-op). */
void mpipool__node_free(mpipool__node_t *n);

/*
 * Binds the calling process to share `index` of `count` shares of its
 * node's usable set `node_set` (a list as in mpipool__node_t.cpuset; ""
 * or NULL for all allowed PUs) less the PUs in `avoid` (those the launcher
 * bound other workers to; "" or NULL for none), spread across packages and
 * NUMA nodes (hwloc_distrib) over cores, or PUs with hwthreads.  Returns 0
 * with *bound 1 and where in *desc ("core 2 (PU 2)"), or with *bound 0
 * when left unbound on purpose and why in *desc (no share; already bound
 * by the launcher within the node's set; more workers than cores); or
 * MPIPOOL_EHWLOC with what failed in *desc; or ENOMEM (*desc NULL).  *desc
 * is malloc'd (the caller's).  A launcher's binding outside the node's set
 * (a singleton's runtime ignores the user's taskset) is replaced.
 */
int mpipool__bind_self(int index, int count, int hwthreads,
                       const char *node_set, const char *avoid, int *bound,
                       char **desc);

/*
 * As mpipool__bind_self, with shares of `units` cores each (PUs with
 * hwthreads; units >= 1: cores per worker asked for): share i is the
 * usable cores i * units to (i + 1) * units - 1 in hwloc's logical order
 * (neighbours in the tree: a package's, a cache's cores together), and
 * "cores 2-3 (PU 2-3)" describes it; a launcher's binding is replaced.
 * units <= 0 is mpipool__bind_self.  Left unbound, saying so, when the
 * node lacks the cores for count shares.
 */
int mpipool__bind_self_units(int index, int count, int units, int hwthreads,
                             const char *node_set, const char *avoid,
                             int *bound, char **desc);

/* As mpipool__bind_self_units, for a process whose binding is its
 * parent's (the head's children: the master's, which a launcher may have
 * bound to one core): that binding is replaced, not kept as a launcher's
 * would be. */
int mpipool__bind_self_inherited(int index, int count, int units, int hwthreads,
                                 const char *node_set, const char *avoid,
                                 int *bound, char **desc);

/* Keeps hwloc's components loaded until mpipool__hwloc_release (a
 * topology initialized, not loaded): hwloc loads its plugins with the
 * first topology of a process and unloads them with the last, 2-3 ms
 * here, so a child forked while one is held loads its topology in about
 * 0.9 ms instead of 3 (the head's children bind themselves: head.h).
 * NULL when hwloc cannot. */
void *mpipool__hwloc_hold(void);
void mpipool__hwloc_release(void *held);

/* Where this process is bound ("not bound by mpipool: the launcher bound
 * it to PU 1"), or "not bound" when it may run on every PU it is allowed;
 * malloc'd, NULL if out of memory. */
char *mpipool__describe_binding(void);

#endif
