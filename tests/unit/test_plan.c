/*
 * test_plan.c - where the pool's workers go (plan.c): which launcher ranks
 * serve, how many workers each node spawns, which nodes bind their workers
 * and to which share, from hand-made per-rank probes.  No MPI.
 */
#include "config.h"

#include "placement/plan.h"
#include "mpipool.h"
#include "../tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A probe as a rank on `host` would send it (the strings borrowed: the
 * plan copies what it keeps); cores < 0 is a probe that failed with that
 * status. */
static mpipool__node_t probe(const char *host, int cores, const char *cpuset,
                             const char *bound) {
  mpipool__node_t n;
  memset(&n, 0, sizeof n);
  n.host = (char *)host;
  n.status = cores < 0 ? cores : 0;
  n.cores = cores < 0 ? 0 : cores;
  n.cpuset = cores < 0 ? NULL : (char *)cpuset;
  n.bound = *bound ? (char *)bound : NULL;
  n.room = -1; /* no limit */
  return n;
}

/* workers == serve + every node's spawn. */
static int workers_add_up(const mpipool__plan_t *p) {
  int sum = p->serve;
  for (size_t i = 0; i < p->nnodes; i++)
    sum += p->nodes[i].spawn;
  return sum == p->workers;
}

/* Whether PU list `list` ("1,3,10") holds the entry `pu` exactly. */
static int list_has(const char *list, const char *pu) {
  /* A list of PUs and ranges ("0-1,4,6"): is PU number pu in it? */
  long want = atol(pu);
  for (const char *s = list; *s;) {
    char *end;
    long lo = strtol(s, &end, 10), hi = lo;
    if (*end == '-')
      hi = strtol(end + 1, &end, 10);
    if (want >= lo && want <= hi)
      return 1;
    if (*end != ',')
      break;
    s = end + 1;
  }
  return 0;
}

/* A program run without a launcher: 1 rank, its node 4 cores. */
static void test_singleton(void) {
  mpipool__node_t r[1] = {probe("a", 4, "0-3", "")};
  mpipool__plan_t p;
  is_int(mpipool__plan_make(&p, r, 1, 0, 1), MPIPOOL_OK, "singleton: plan");
  is_int(p.nnodes, 1, "singleton: 1 node");
  is_int(p.nranks, 1, "singleton: nranks 1");
  is_int(p.serve, 0, "singleton: no rank serves");
  is_int(p.nodes[0].ranks, 0, "singleton: no serving rank on node 0");
  is_int(p.nodes[0].spawn, 4, "singleton: spawns 4 on node 0");
  is_int(p.workers, 4, "singleton: 4 workers");
  is_int(p.nodes[0].bind, 0,
         "singleton: not bound (4 workers and the master on 4 cores)");
  is_int(p.nodes[0].shares, 4, "singleton: 4 shares");
  ok(p.nodes[0].avoid == NULL, "singleton: nothing to avoid");
  ok(strcmp(p.nodes[0].info.host, "a") == 0 &&
         strcmp(p.nodes[0].info.cpuset, "0-3") == 0 &&
         p.nodes[0].info.cores == 4,
     "singleton: node 0 keeps the probe");
  is_int(p.node_of[0], 0, "singleton: rank 0 on node 0");
  is_int(p.launcher_bound[0], 0, "singleton: rank 0 not launcher-bound");
  is_int(mpipool__plan_next_share(&p, 0), -1,
         "singleton: next_share -1 on an unbound node");
  mpipool__plan_free(&p);

  /* 3 workers leave the master a core: bound. */
  is_int(mpipool__plan_make(&p, r, 1, 3, 1), MPIPOOL_OK,
         "singleton, processes 3: plan");
  is_int(p.nodes[0].spawn, 3, "singleton, processes 3: spawns 3");
  is_int(p.nodes[0].bind, 1,
         "singleton, processes 3: bound (3 workers and the master on 4 "
         "cores)");
  is_int(p.nodes[0].shares, 3, "singleton, processes 3: 3 shares");
  static const int want[] = {0, 1, 2, 0, 1, 2};
  int seq_ok = 1;
  for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
    int s = mpipool__plan_next_share(&p, 0);
    if (s != want[k]) {
      printf("#   share %zu: got %d, want %d\n", k, s, want[k]);
      seq_ok = 0;
    }
  }
  ok(seq_ok, "singleton, processes 3: next_share gives 0,1,2,0,1,2");
  is_int(mpipool__plan_next_share(&p, 1), -1,
         "next_share of a node that does not exist -> -1");
  is_int(mpipool__plan_next_share(&p, (size_t)-1), -1,
         "next_share of node SIZE_MAX -> -1");
  ok(workers_add_up(&p), "singleton: workers == serve + spawns");
  mpipool__plan_free(&p);
}

/* mpirun -n 3 on one 2-core host, processes 0. */
static void test_mpirun_fits(void) {
  mpipool__node_t r[3] = {probe("h", 2, "0-1", ""), probe("h", 2, "0-1", ""),
                          probe("h", 2, "0-1", "")};
  mpipool__plan_t p;
  is_int(mpipool__plan_make(&p, r, 3, 0, 1), MPIPOOL_OK, "3 ranks: plan");
  is_int(p.nnodes, 1, "3 ranks, 1 host: 1 node");
  is_int(p.serve, 2, "3 ranks: ranks 1,2 serve");
  is_int(p.nodes[0].ranks, 2, "3 ranks: 2 serving ranks on the node");
  is_int(p.nodes[0].spawn, 0, "3 ranks on 2 cores: no spawn");
  is_int(p.workers, 2, "3 ranks: 2 workers");
  is_int(p.nodes[0].bind, 0,
         "3 ranks: not bound (2 workers and the master on 2 cores)");
  is_int(p.nodes[0].shares, 2, "3 ranks: 2 shares");
  ok(p.node_of[0] == 0 && p.node_of[1] == 0 && p.node_of[2] == 0,
     "3 ranks: all on node 0");
  mpipool__plan_free(&p);

  /* The same 3 ranks on 3 cores, processes 2: bound. */
  for (int i = 0; i < 3; i++)
    r[i] = probe("h", 3, "0-2", "");
  is_int(mpipool__plan_make(&p, r, 3, 2, 1), MPIPOOL_OK,
         "3 ranks, 3 cores: plan");
  is_int(p.nodes[0].bind, 1,
         "3 ranks, 3 cores: bound (2 workers and the master on 3 cores)");
  is_int(mpipool__plan_next_share(&p, 0), 0, "3 ranks, 3 cores: share 0");
  is_int(mpipool__plan_next_share(&p, 0), 1, "3 ranks, 3 cores: share 1");
  is_int(mpipool__plan_next_share(&p, 0), 0,
         "3 ranks, 3 cores: share wraps to 0");
  mpipool__plan_free(&p);
}

/* mpirun -n 5 on one 2-core host, processes 0: oversubscribed. */
static void test_mpirun_oversubscribed(void) {
  mpipool__node_t r[5];
  for (int i = 0; i < 5; i++)
    r[i] = probe("h", 2, "0-1", "");
  mpipool__plan_t p;
  is_int(mpipool__plan_make(&p, r, 5, 0, 1), MPIPOOL_OK, "5 ranks: plan");
  is_int(p.serve, 4, "5 ranks: all 4 serve");
  is_int(p.nodes[0].ranks, 4, "5 ranks: 4 serving ranks on the node");
  is_int(p.nodes[0].spawn, 0, "5 ranks on 2 cores: no spawn");
  is_int(p.workers, 4, "5 ranks: 4 workers");
  is_int(p.nodes[0].bind, 0, "5 ranks: not bound (4 workers > 2 cores)");
  is_int(mpipool__plan_next_share(&p, 0), -1,
         "5 ranks: next_share -1 on an unbound node");
  mpipool__plan_free(&p);

  /* processes 2 with the same 5 ranks: ranks 1,2 serve, 3,4 leave. */
  is_int(mpipool__plan_make(&p, r, 5, 2, 1), MPIPOOL_OK,
         "processes 2, 5 ranks: plan");
  is_int(p.serve, 2, "processes 2, 5 ranks: serve 2");
  is_int(p.nodes[0].ranks, 2, "processes 2, 5 ranks: 2 ranks count");
  is_int(p.nodes[0].spawn, 0, "processes 2, 5 ranks: no spawn");
  is_int(p.workers, 2, "processes 2, 5 ranks: 2 workers");
  is_int(p.nodes[0].bind, 0,
         "processes 2, 5 ranks: not bound (2 and the master > 2 cores)");
  is_int(p.nodes[0].shares, 2, "processes 2, 5 ranks: 2 shares");
  mpipool__plan_free(&p);

  /* processes 4 == the ranks there are: all serve, nothing spawned. */
  is_int(mpipool__plan_make(&p, r, 5, 4, 1), MPIPOOL_OK,
         "processes 4, 5 ranks: plan");
  ok(p.serve == 4 && p.workers == 4 && p.nodes[0].spawn == 0,
     "processes 4, 5 ranks: serve 4, spawn 0, 4 workers");
  mpipool__plan_free(&p);
}

/* processes 6 with 2 ranks on one 4-core host. */
static void test_processes_more_than_ranks(void) {
  mpipool__node_t r[2] = {probe("h", 4, "0-3", ""), probe("h", 4, "0-3", "")};
  mpipool__plan_t p;
  is_int(mpipool__plan_make(&p, r, 2, 6, 1), MPIPOOL_OK, "processes 6: plan");
  is_int(p.serve, 1, "processes 6, 2 ranks: serve 1");
  is_int(p.nodes[0].spawn, 5, "processes 6, 2 ranks: spawn 5");
  is_int(p.workers, 6, "processes 6: 6 workers");
  is_int(p.nodes[0].bind, 0, "processes 6 on 4 cores: not bound");
  is_int(mpipool__plan_next_share(&p, 0), -1, "processes 6: next_share -1");
  ok(workers_add_up(&p), "processes 6: workers == serve + spawns");
  mpipool__plan_free(&p);
}

/* Host a: the master, 4 cores; host b: ranks 1 and 2, 2 cores. */
static void test_two_hosts(void) {
  mpipool__node_t r[3] = {probe("a", 4, "0-3", ""), probe("b", 2, "0-1", ""),
                          probe("b", 2, "4-5", "")};
  mpipool__plan_t p;
  is_int(mpipool__plan_make(&p, r, 3, 0, 1), MPIPOOL_OK, "two hosts: plan");
  is_int(p.nnodes, 2, "two hosts: 2 nodes");
  ok(strcmp(p.nodes[0].info.host, "a") == 0, "two hosts: nodes[0] is a");
  ok(strcmp(p.nodes[1].info.host, "b") == 0, "two hosts: nodes[1] is b");
  ok(strcmp(p.nodes[1].info.cpuset, "0-1") == 0,
     "two hosts: b's info is its first rank's probe");
  ok(p.node_of[0] == 0 && p.node_of[1] == 1 && p.node_of[2] == 1,
     "two hosts: node_of {0,1,1}");
  is_int(p.serve, 2, "two hosts: 2 ranks serve");
  is_int(p.nodes[0].ranks, 0, "two hosts: no serving rank on a");
  is_int(p.nodes[0].spawn, 4, "two hosts: a spawns 4");
  is_int(p.nodes[1].ranks, 2, "two hosts: 2 serving ranks on b");
  is_int(p.nodes[1].spawn, 0, "two hosts: b spawns 0");
  is_int(p.workers, 6, "two hosts: 6 workers");
  ok(!p.nodes[0].bind && p.nodes[1].bind,
     "two hosts: b bound, not a (4 workers and the master on 4 cores)");
  ok(p.nodes[0].shares == 4 && p.nodes[1].shares == 2,
     "two hosts: shares 4 and 2");
  is_int(mpipool__plan_find(&p, "a"), 0, "plan_find(a) == 0");
  is_int(mpipool__plan_find(&p, "b"), 1, "plan_find(b) == 1");
  is_int(mpipool__plan_find(&p, "c"), -1, "plan_find(c) == -1");
  is_int(mpipool__plan_find(&p, ""), -1, "plan_find(\"\") == -1");
  mpipool__plan_free(&p);
  /* processes 5: a spawns 3, leaving the master a core; shares are
   * counted per node. */
  is_int(mpipool__plan_make(&p, r, 3, 5, 1), MPIPOOL_OK,
         "two hosts, processes 5: plan");
  ok(p.nodes[0].spawn == 3 && p.nodes[0].bind && p.nodes[1].bind,
     "two hosts, processes 5: a spawns 3, both nodes bound");
  is_int(mpipool__plan_next_share(&p, 1), 0, "two hosts: b share 0");
  is_int(mpipool__plan_next_share(&p, 0), 0, "two hosts: a share 0");
  is_int(mpipool__plan_next_share(&p, 1), 1, "two hosts: b share 1");
  is_int(mpipool__plan_next_share(&p, 0), 1, "two hosts: a share 1");
  mpipool__plan_free(&p);

  /* Interleaved: the master's host stays nodes[0] whatever the order. */
  mpipool__node_t q[4] = {probe("b", 2, "0-1", ""), probe("a", 4, "0-3", ""),
                          probe("b", 2, "0-1", ""), probe("a", 4, "0-3", "")};
  is_int(mpipool__plan_make(&p, q, 4, 0, 1), MPIPOOL_OK,
         "interleaved hosts: plan");
  ok(p.nnodes == 2 && strcmp(p.nodes[0].info.host, "b") == 0 &&
         strcmp(p.nodes[1].info.host, "a") == 0,
     "interleaved: nodes[0] is the master's host b");
  ok(p.node_of[0] == 0 && p.node_of[1] == 1 && p.node_of[2] == 0 &&
         p.node_of[3] == 1,
     "interleaved: node_of {0,1,0,1}");
  ok(p.nodes[0].ranks == 1 && p.nodes[0].spawn == 1,
     "interleaved: b has 1 rank, spawns 1");
  ok(p.nodes[1].ranks == 2 && p.nodes[1].spawn == 2,
     "interleaved: a has 2 ranks, spawns 2");
  is_int(p.workers, 6, "interleaved: 6 workers");
  ok(workers_add_up(&p), "interleaved: workers == serve + spawns");
  mpipool__plan_free(&p);

  /* bind 0: no node bound, whatever fits. */
  is_int(mpipool__plan_make(&p, r, 3, 0, 0), MPIPOOL_OK,
         "two hosts, bind 0: plan");
  ok(!p.nodes[0].bind && !p.nodes[1].bind, "bind 0: no node bound");
  ok(p.nodes[0].spawn == 4 && p.workers == 6, "bind 0: placement unchanged");
  ok(mpipool__plan_next_share(&p, 0) == -1 &&
         mpipool__plan_next_share(&p, 1) == -1,
     "bind 0: next_share -1 everywhere");
  mpipool__plan_free(&p);
}

/* processes > ranks: spawns go, one by one, to the roomiest node. */
static void test_greedy(void) {
  mpipool__plan_t p;
  mpipool__node_t r[2] = {probe("a", 8, "0-7", ""), probe("b", 4, "0-3", "")};
  is_int(mpipool__plan_make(&p, r, 2, 5, 1), MPIPOOL_OK, "greedy: plan");
  is_int(p.serve, 1, "greedy: rank 1 serves");
  is_int(p.nodes[1].ranks, 1, "greedy: b has its rank");
  is_int(p.nodes[0].spawn, 4, "greedy: a (8 free) gets all 4 spawns");
  is_int(p.nodes[1].spawn, 0, "greedy: b (3 free) gets none");
  is_int(p.workers, 5, "greedy: 5 workers");
  ok(p.nodes[0].bind && p.nodes[1].bind, "greedy: both nodes bound");
  mpipool__plan_free(&p);

  /* a 2 cores (master), b 4 cores with rank 1: b 3 free, a 2 free. */
  r[0] = probe("a", 2, "0-1", "");
  is_int(mpipool__plan_make(&p, r, 2, 5, 1), MPIPOOL_OK,
         "greedy alternating: plan");
  is_int(p.nodes[0].spawn, 2, "greedy alternating: a spawns 2");
  is_int(p.nodes[1].spawn, 2, "greedy alternating: b spawns 2");
  ok(!p.nodes[0].bind && p.nodes[1].bind,
     "greedy alternating: b bound, not a (2 workers and the master on 2 "
     "cores)");
  mpipool__plan_free(&p);

  /* A tie (3 free each) goes to the master's node. */
  r[0] = probe("a", 3, "0-2", "");
  is_int(mpipool__plan_make(&p, r, 2, 2, 1), MPIPOOL_OK, "greedy tie: plan");
  ok(p.nodes[0].spawn == 1 && p.nodes[1].spawn == 0,
     "greedy tie: the master's node spawns");
  mpipool__plan_free(&p);

  /* A tie between two other nodes goes to the first of them. */
  mpipool__node_t t[3] = {probe("a", 1, "0", ""), probe("b", 4, "0-3", ""),
                          probe("c", 4, "0-3", "")};
  is_int(mpipool__plan_make(&p, t, 3, 3, 1), MPIPOOL_OK,
         "greedy 3 nodes: plan");
  ok(p.nodes[0].spawn == 0 && p.nodes[1].spawn == 1 && p.nodes[2].spawn == 0,
     "greedy 3 nodes: b and c tie at 3 free, b (first) spawns");
  mpipool__plan_free(&p);
}

/* Ranks the launcher bound take no share; their PUs are avoided. */
static void test_launcher_bound(void) {
  mpipool__plan_t p;
  mpipool__node_t r[2] = {probe("a", 2, "0-1", ""), probe("a", 2, "0-1", "1")};
  is_int(mpipool__plan_make(&p, r, 2, 2, 1), MPIPOOL_OK, "bound 1: plan");
  is_int(p.serve, 1, "bound 1: rank 1 serves");
  is_int(p.nodes[0].spawn, 1, "bound 1: 1 spawn");
  is_int(p.launcher_bound[1], 1, "bound 1: rank 1 launcher-bound");
  is_int(p.launcher_bound[0], 0, "bound 1: rank 0 not");
  is_int(p.nodes[0].shares, 1, "bound 1: only the spawn takes a share");
  ok(strcmp(p.nodes[0].avoid, "1") == 0, "bound 1: avoid \"1\" (got \"%s\")",
     p.nodes[0].avoid);
  is_int(p.nodes[0].bind, 0,
         "bound 1: node not bound (2 workers and the master on 2 cores)");
  mpipool__plan_free(&p);
  /* On 3 cores it is. */
  r[0] = probe("a", 3, "0-2", "");
  r[1] = probe("a", 3, "0-2", "1");
  is_int(mpipool__plan_make(&p, r, 2, 2, 1), MPIPOOL_OK,
         "bound 1, 3 cores: plan");
  is_int(p.nodes[0].bind, 1, "bound 1, 3 cores: node bound (3 <= 3 cores)");
  is_int(mpipool__plan_next_share(&p, 0), 0, "bound 1: share 0");
  is_int(mpipool__plan_next_share(&p, 0), 0, "bound 1: share 0 again");
  mpipool__plan_free(&p);

  /* Four ranks on a 4-core host, 1 and 3 bound, 2 not; 1 spawn. */
  mpipool__node_t q[4] = {probe("a", 4, "0-3", ""), probe("a", 4, "0-3", "1"),
                          probe("a", 4, "0-3", ""), probe("a", 4, "0-3", "3")};
  is_int(mpipool__plan_make(&p, q, 4, 0, 1), MPIPOOL_OK, "bound 1,3: plan");
  is_int(p.nodes[0].bind, 0,
         "bound 1,3: not bound (4 workers and the master on 4 cores)");
  mpipool__plan_free(&p);
  for (int i = 0; i < 4; i++)
    q[i].cores = 5;
  is_int(mpipool__plan_make(&p, q, 4, 4, 1), MPIPOOL_OK,
         "bound 1,3, 5 cores, processes 4: plan");
  is_int(p.nodes[0].ranks, 3, "bound 1,3: 3 serving ranks");
  is_int(p.nodes[0].spawn, 1, "bound 1,3: 1 spawn");
  is_int(p.nodes[0].shares, 2, "bound 1,3: rank 2 and the spawn share");
  ok(strcmp(p.nodes[0].avoid, "1,3") == 0,
     "bound 1,3: avoid \"1,3\" (got \"%s\")", p.nodes[0].avoid);
  ok(p.launcher_bound[1] && !p.launcher_bound[2] && p.launcher_bound[3],
     "bound 1,3: launcher_bound {_,1,0,1}");
  is_int(p.nodes[0].bind, 1, "bound 1,3: node bound (4 and the master <= 5)");
  is_int(mpipool__plan_next_share(&p, 0), 0, "bound 1,3: share 0");
  is_int(mpipool__plan_next_share(&p, 0), 1, "bound 1,3: share 1");
  is_int(mpipool__plan_next_share(&p, 0), 0, "bound 1,3: wraps to 0");
  mpipool__plan_free(&p);

  /* Multi-PU lists are joined as given. */
  mpipool__node_t m[3] = {probe("a", 8, "0-7", ""), probe("a", 8, "0-7", "0-1"),
                          probe("a", 8, "0-7", "4,6")};
  is_int(mpipool__plan_make(&p, m, 3, 0, 1), MPIPOOL_OK, "bound lists: plan");
  ok(strcmp(p.nodes[0].avoid, "0-1,4,6") == 0,
     "bound lists: avoid \"0-1,4,6\" (got \"%s\")", p.nodes[0].avoid);
  mpipool__plan_free(&p);

  /* Every serving rank bound, nothing spawned: no share to hand out. */
  mpipool__node_t all[3] = {probe("a", 2, "0-1", ""), probe("a", 2, "0-1", "0"),
                            probe("a", 2, "0-1", "1")};
  is_int(mpipool__plan_make(&p, all, 3, 0, 1), MPIPOOL_OK, "all bound: plan");
  is_int(p.nodes[0].spawn, 0, "all bound: no spawn");
  is_int(p.nodes[0].shares, 0, "all bound: 0 shares");
  is_int(p.nodes[0].bind, 0, "all bound: node not bound");
  is_int(mpipool__plan_next_share(&p, 0), -1, "all bound: next_share -1");
  mpipool__plan_free(&p);

  /* A bound rank that leaves (surplus) is not avoided. */
  is_int(mpipool__plan_make(&p, all, 3, 1, 1), MPIPOOL_OK,
         "bound surplus: plan");
  is_int(p.serve, 1, "bound surplus: rank 1 serves only");
  ok(strcmp(p.nodes[0].avoid, "0") == 0,
     "bound surplus: avoid \"0\" only (got \"%s\")", p.nodes[0].avoid);
  is_int(p.launcher_bound[2], 0, "bound surplus: rank 2 not marked");
  mpipool__plan_free(&p);
}

/*
 * Many launcher-bound ranks on one node: mpirun -n 64 --bind-to core on a
 * 256-PU node (hwthreads) whose job may use the even PUs only (a cyclic
 * Slurm set "0,2,4,...,254", 128 PUs).  Processes 0 fills the node, the
 * master too: not bound.  With 127, ranks 1..63 are bound to PUs 2..126
 * and 64 workers are spawned over the rest but one (the master's), so
 * each of those 63 PUs must be in avoid, or a spawned worker may be bound
 * onto a rank's core; and the node's set must be kept whole.
 */
static void test_launcher_bound_many(void) {
  enum { N = 64 };
  mpipool__node_t *r = calloc(N, sizeof *r);
  char(*pus)[8] = calloc(N, sizeof *pus);
  char cyclic[1024] = "";
  mpipool__plan_t p;
  if (!ok(r != NULL && pus != NULL, "many bound: calloc"))
    return;
  for (int i = 0; i < 128; i++)
    snprintf(cyclic + strlen(cyclic), sizeof cyclic - strlen(cyclic), "%s%d",
             i ? "," : "", 2 * i);
  r[0] = probe("big", 128, cyclic, "");
  for (int i = 1; i < N; i++) {
    snprintf(pus[i], sizeof pus[i], "%d", 2 * i);
    r[i] = probe("big", 128, cyclic, pus[i]);
  }
  is_int(mpipool__plan_make(&p, r, N, 0, 1), MPIPOOL_OK, "many bound: plan");
  is_int(p.nodes[0].spawn, 65, "many bound: 65 spawns");
  is_int(p.nodes[0].bind, 0,
         "many bound: not bound (128 workers and the master on 128 PUs)");
  mpipool__plan_free(&p);
  /* 127 workers leave the master a PU. */
  is_int(mpipool__plan_make(&p, r, N, 127, 1), MPIPOOL_OK,
         "many bound, processes 127: plan");
  is_int(p.nodes[0].ranks, 63, "many bound: 63 serving ranks");
  is_int(p.nodes[0].spawn, 64, "many bound: 64 spawns");
  is_int(p.nodes[0].shares, 64, "many bound: 64 shares");
  is_int(p.nodes[0].bind, 1,
         "many bound: node bound (127 workers and the master on 128 PUs)");
  ok(strlen(cyclic) > 400 && strcmp(p.nodes[0].info.cpuset, cyclic) == 0,
     "many bound: the node's cyclic set of 128 PUs (%zu characters) is kept "
     "whole",
     strlen(cyclic));
  int missing = 0, first_missing = 0;
  for (int i = 1; i < N; i++) {
    if (!list_has(p.nodes[0].avoid, pus[i]) && missing++ == 0)
      first_missing = i;
  }
  ok(!list_has(p.nodes[0].avoid, "1") && !list_has(p.nodes[0].avoid, "0") &&
         !list_has(p.nodes[0].avoid, "128"),
     "many bound: and no other PU");
  if (!ok(missing == 0,
          "many bound: every launcher-bound PU is in avoid (63 ranks)"))
    printf("#   %d of 63 PUs missing, from rank %d on; avoid \"%s\"\n", missing,
           first_missing, p.nodes[0].avoid);
  mpipool__plan_free(&p);
  free(pus);
  free(r);
}

/* A node whose probe failed (status EHWLOC). */
static void test_failed_probe(void) {
  mpipool__plan_t p;
  mpipool__node_t r[3] = {probe("a", 4, "0-3", ""),
                          probe("b", MPIPOOL_EHWLOC, "", ""),
                          probe("b", MPIPOOL_EHWLOC, "", "")};
  is_int(mpipool__plan_make(&p, r, 3, 0, 1), MPIPOOL_OK, "failed b: plan");
  is_int(p.nodes[0].spawn, 4, "failed b: a spawns 4");
  is_int(p.nodes[1].ranks, 2, "failed b: b's 2 ranks serve");
  is_int(p.nodes[1].spawn, 0, "failed b: b spawns none");
  is_int(p.nodes[1].bind, 0, "failed b: b not bound");
  is_int(p.nodes[0].bind, 0,
         "failed b: a not bound (4 workers and the master on 4 cores)");
  is_int(mpipool__plan_next_share(&p, 1), -1, "failed b: next_share(b) -1");
  is_int(p.workers, 6, "failed b: 6 workers");
  mpipool__plan_free(&p);

  /* processes > ranks: spawns avoid the node that could not count. */
  is_int(mpipool__plan_make(&p, r, 3, 4, 1), MPIPOOL_OK,
         "failed b, processes 4: plan");
  ok(p.nodes[0].spawn == 2 && p.nodes[1].spawn == 0,
     "failed b, processes 4: both spawns on a");
  is_int(p.nodes[1].bind, 0, "failed b, processes 4: b not bound");
  mpipool__plan_free(&p);

  /* A singleton that could not count: nothing to spawn, not bound. */
  mpipool__node_t s[1] = {probe("a", MPIPOOL_EHWLOC, "", "")};
  is_int(mpipool__plan_make(&p, s, 1, 0, 1), MPIPOOL_OK,
         "failed singleton: plan");
  ok(p.nodes[0].spawn == 0 && p.workers == 0 && !p.nodes[0].bind,
     "failed singleton: no spawn, no worker, not bound");
  mpipool__plan_free(&p);

  /* ... but with processes 3 it spawns them, unbound. */
  is_int(mpipool__plan_make(&p, s, 1, 3, 1), MPIPOOL_OK,
         "failed singleton, processes 3: plan");
  ok(p.nodes[0].spawn == 3 && p.workers == 3 && !p.nodes[0].bind,
     "failed singleton, processes 3: spawns 3, not bound");
  mpipool__plan_free(&p);
}

static void test_invalid_and_free(void) {
  mpipool__plan_t p;
  mpipool__node_t r[1] = {probe("a", 4, "0-3", "")};
  memset(&p, 0x5a, sizeof p);
  is_int(mpipool__plan_make(&p, r, 0, 0, 1), MPIPOOL_EINVAL,
         "nranks 0 -> EINVAL");
  ok(p.nodes == NULL && p.node_of == NULL && p.launcher_bound == NULL &&
         p.nnodes == 0,
     "nranks 0: plan left zeroed");
  mpipool__plan_free(&p);
  is_int(mpipool__plan_make(&p, r, -1, 0, 1), MPIPOOL_EINVAL,
         "nranks -1 -> EINVAL");
  is_int(mpipool__plan_make(&p, r, 1, -1, 1), MPIPOOL_EINVAL,
         "processes -1 -> EINVAL");
  ok(p.nodes == NULL && p.nnodes == 0, "processes -1: plan left zeroed");
  mpipool__plan_free(&p);

  mpipool__plan_t z;
  memset(&z, 0, sizeof z);
  mpipool__plan_free(&z);
  mpipool__plan_free(&z);
  mpipool__plan_free(NULL);
  ok(1, "plan_free on a zeroed plan, twice, and on NULL");

  is_int(mpipool__plan_make(&p, r, 1, 0, 1), MPIPOOL_OK, "plan to free");
  mpipool__plan_free(&p);
  ok(p.nodes == NULL && p.node_of == NULL && p.launcher_bound == NULL &&
         p.nnodes == 0 && p.workers == 0,
     "plan_free zeroes the plan");
  mpipool__plan_free(&p);
  ok(1, "plan_free twice");
  is_int(mpipool__plan_find(&p, "a"), -1, "plan_find on a freed plan -> -1");
  is_int(mpipool__plan_next_share(&p, 0), -1,
         "next_share on a freed plan -> -1");
}

/* Nodes whose limits (ulimit -u, -n, memory) leave room for fewer
 * workers than asked: each spawns what fits, the rest are counted. */
static void test_no_room(void) {
  mpipool__node_t one[1] = {probe("a", 4, "0-3", "")};
  mpipool__plan_t p;
  one[0].room = 2;
  is_int(mpipool__plan_make(&p, one, 1, 0, 1), MPIPOOL_OK, "room 2: plan");
  ok(p.nodes[0].spawn == 2 && p.workers == 2 && p.no_room == 2,
     "room 2, 4 cores: 2 spawned, 2 left out (%d, %d)", p.nodes[0].spawn,
     p.no_room);
  mpipool__plan_free(&p);
  one[0].room = 5;
  is_int(mpipool__plan_make(&p, one, 1, 1000000, 1), MPIPOOL_OK,
         "-j 1000000, room 5: plan");
  ok(p.nodes[0].spawn == 5 && p.workers == 5 && p.no_room == 999995,
     "-j 1000000, room 5: 5 spawned, 999995 left out");
  ok(workers_add_up(&p), "room 5: workers == serve + spawns");
  mpipool__plan_free(&p);
  one[0].room = 0;
  is_int(mpipool__plan_make(&p, one, 1, 3, 1), MPIPOOL_OK, "room 0: plan");
  ok(p.workers == 0 && p.no_room == 3, "room 0: no worker, 3 left out");
  mpipool__plan_free(&p);

  /* mpirun -n 2 over hosts a (8 cores, room 1) and b (2 cores, room 3):
   * the roomiest host by cores fills first, then the other. */
  mpipool__node_t two[2] = {probe("a", 8, "0-7", ""), probe("b", 2, "0-1", "")};
  two[0].room = 1;
  two[1].room = 3;
  is_int(mpipool__plan_make(&p, two, 2, 10, 1), MPIPOOL_OK, "two hosts: plan");
  ok(p.serve == 1 && p.nodes[0].spawn == 1 && p.nodes[1].spawn == 3 &&
         p.workers == 5 && p.no_room == 5,
     "two hosts, rooms 1 and 3, -j 10: 1 rank + 1 + 3 spawned, 5 left out");
  mpipool__plan_free(&p);
  two[0].room = two[1].room = -1;
  is_int(mpipool__plan_make(&p, two, 2, 10, 1), MPIPOOL_OK,
         "two hosts, no limit: plan");
  ok(p.workers == 10 && p.no_room == 0, "no limit: all 10, none left out");
  mpipool__plan_free(&p);
}

int main(void) {
  test_singleton();
  test_mpirun_fits();
  test_mpirun_oversubscribed();
  test_processes_more_than_ranks();
  test_two_hosts();
  test_greedy();
  test_launcher_bound();
  test_launcher_bound_many();
  test_failed_probe();
  test_invalid_and_free();
  test_no_room();
  return tap_done();
}
