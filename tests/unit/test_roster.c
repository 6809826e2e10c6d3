/*
 * test_roster.c - the master's table of live workers (roster.c), without
 * MPI calls: workers found by endpoint and rank, records reused after a
 * worker leaves, an endpoint forgotten with its last worker (its
 * communicator handed back to be freed), and the table never larger than
 * the most workers alive at once, however many come and go; the liveness
 * lists in the order workers were heard from, a leaving worker out of
 * its list.
 */
#include "config.h"

#include "engine/roster.h"
#include "../tap.h"

#include <string.h>

static void test_find(void) {
  mpipool__roster_t r = {0};
  uint32_t world, ep;
  is_int(mpipool__roster_add_endpoint(&r, MPI_COMM_WORLD, 1, 3, 0, &world), 0,
         "add the world endpoint (ranks 1..3)");
  mpipool__worker_t *a = mpipool__roster_add(&r, world, 1);
  mpipool__worker_t *b = mpipool__roster_add(&r, world, 3);
  ok(a && b, "two workers added");
  is_int(r.live, 2, "two live");
  uint32_t ai = a->index, bi = b->index;
  ok(mpipool__roster_find(&r, world, 1) == &r.workers[ai], "rank 1 found");
  ok(mpipool__roster_find(&r, world, 3) == &r.workers[bi], "rank 3 found");
  ok(mpipool__roster_find(&r, world, 2) == NULL, "rank 2 has no worker");
  ok(mpipool__roster_find(&r, world, 0) == NULL, "rank 0 is outside");
  ok(mpipool__roster_find(&r, world, 4) == NULL, "rank 4 is outside");
  ok(mpipool__roster_find(&r, world + 1, 1) == NULL, "no such endpoint");
  ok(mpipool__roster_add(&r, world, 1) == NULL, "rank 1 cannot be added twice");
  ok(mpipool__roster_add(&r, world, 9) == NULL, "a rank outside is refused");
  a = mpipool__roster_at(&r, ai);
  ok(a->place == MPIPOOL__NONE && a->frame_head == MPIPOOL__NONE &&
         a->prev == MPIPOOL__NONE && a->next == MPIPOOL__NONE && a->id == 0,
     "a new record is empty");
  MPI_Comm comm;
  mpipool__roster_remove(&r, a, &comm);
  ok(comm == MPI_COMM_NULL, "the world endpoint is not handed back");
  ok(!mpipool__roster_is_live(&r, ai), "the record is free");
  ok(mpipool__roster_find(&r, world, 1) == NULL, "rank 1 is gone");
  is_int(mpipool__roster_add_endpoint(&r, MPI_COMM_SELF, 0, 1, 1, &ep), 0,
         "add a spawned endpoint");
  ok(ep != world, "a new endpoint record");
  mpipool__worker_t *c = mpipool__roster_add(&r, ep, 0);
  ok(c && c->index == ai, "the freed record is reused");
  ok(mpipool__roster_find(&r, ep, 0) == c, "found through its endpoint");
  mpipool__roster_remove(&r, c, &comm);
  ok(comm == MPI_COMM_SELF, "its last worker gone, the spawned endpoint's "
                            "communicator is handed back");
  ok(r.endpoints[ep].comm == MPI_COMM_NULL, "and the endpoint is forgotten");
  uint32_t ep2;
  mpipool__roster_add_endpoint(&r, MPI_COMM_SELF, 0, 1, 1, &ep2);
  is_int(ep2, ep, "a forgotten endpoint record is reused");
  is_int(r.nendpoints, 2, "two endpoint records in all");
  mpipool__roster_free(&r);
}

/* A pool of 4 with maxtasksperchild 1: each worker leaves as its successor
 * (a spare) arrives, 10,000 times over. */
static void test_churn(void) {
  mpipool__roster_t r = {0};
  uint32_t live[8];
  size_t nlive = 0, most = 0;
  int bad = 0;
  for (int k = 0; k < 10000; k++) {
    uint32_t ep;
    if (mpipool__roster_add_endpoint(&r, MPI_COMM_SELF, 0, 1, 1, &ep) != 0) {
      bad++;
      break;
    }
    mpipool__worker_t *w = mpipool__roster_add(&r, ep, 0);
    if (w == NULL) {
      bad++;
      break;
    }
    w->id = k + 1;
    live[nlive++] = w->index;
    if (nlive > most)
      most = nlive;
    if (nlive > 4) { /* the oldest leaves */
      MPI_Comm comm;
      mpipool__worker_t *old = mpipool__roster_at(&r, live[0]);
      if (old->id != k - 3)
        bad++;
      mpipool__roster_remove(&r, old, &comm);
      if (comm != MPI_COMM_SELF)
        bad++;
      memmove(live, live + 1, --nlive * sizeof *live);
    }
  }
  is_int(bad, 0, "10,000 workers came and went, each found and handed back");
  is_int(r.live, 4, "4 live at the end");
  ok(r.nworkers <= most, "records never exceed the most alive at once");
  ok(r.nendpoints <= most, "nor do endpoint records");
  mpipool__roster_free(&r);
}

/* The ids of list `list`, first to last, as "1 2 3" (and its count is
 * checked against the walk: "!" appended if they differ). */
static const char *ids(const mpipool__roster_t *r, int list) {
  static char s[128];
  size_t n = 0, len = 0;
  s[0] = '\0';
  for (const mpipool__worker_t *w = mpipool__roster_watch_first(r, list); w;
       w = mpipool__roster_watch_next(r, w), n++)
    len +=
        (size_t)snprintf(s + len, sizeof s - len, "%s%ld", n ? " " : "", w->id);
  if (n != r->watch[list].n)
    snprintf(s + len, sizeof s - len, "!");
  return s;
}

/* Passes when list `list` holds the ids `want`, first to last. */
static void is_list(const mpipool__roster_t *r, int list, const char *want,
                    const char *what) {
  const char *got = ids(r, list);
  if (!ok(strcmp(got, want) == 0, "%s", what))
    printf("#   got \"%s\", want \"%s\"\n", got, want);
}

static void test_watch(void) {
  mpipool__roster_t r = {0};
  uint32_t ep;
  mpipool__roster_add_endpoint(&r, MPI_COMM_WORLD, 1, 5, 0, &ep);
  uint32_t at[6];
  for (int k = 1; k <= 5; k++) {
    mpipool__worker_t *w = mpipool__roster_add(&r, ep, k);
    w->id = k;
    at[k] = w->index;
    is_int(w->watch, MPIPOOL__WATCH_NONE, "a new worker is in no list");
  }
  is_list(&r, MPIPOOL__WATCH_HEARD, "", "the lists start empty");
  for (int k = 1; k <= 4; k++)
    mpipool__roster_watch(&r, mpipool__roster_at(&r, at[k]),
                          MPIPOOL__WATCH_HEARD);
  mpipool__roster_watch(&r, mpipool__roster_at(&r, at[5]), MPIPOOL__WATCH_HERE);
  is_list(&r, MPIPOOL__WATCH_HEARD, "1 2 3 4", "HEARD in the order put");
  is_list(&r, MPIPOOL__WATCH_HERE, "5", "HERE apart");
  mpipool__roster_heard(&r, mpipool__roster_at(&r, at[2]));
  is_list(&r, MPIPOOL__WATCH_HEARD, "1 3 4 2", "one heard from goes last");
  mpipool__roster_heard(&r, mpipool__roster_at(&r, at[1]));
  is_list(&r, MPIPOOL__WATCH_HEARD, "3 4 2 1", "the first too");
  mpipool__roster_heard(&r, mpipool__roster_at(&r, at[1]));
  is_list(&r, MPIPOOL__WATCH_HEARD, "3 4 2 1", "the last stays last");
  mpipool__roster_heard(&r, mpipool__roster_at(&r, at[5]));
  is_list(&r, MPIPOOL__WATCH_HERE, "5", "heard: HERE is not reordered");
  is_list(&r, MPIPOOL__WATCH_HEARD, "3 4 2 1", "nor moved to HEARD");
  MPI_Comm comm;
  mpipool__roster_remove(&r, mpipool__roster_at(&r, at[4]), &comm);
  is_list(&r, MPIPOOL__WATCH_HEARD, "3 2 1", "one leaving is out of it");
  mpipool__roster_remove(&r, mpipool__roster_at(&r, at[3]), &comm);
  mpipool__roster_remove(&r, mpipool__roster_at(&r, at[1]), &comm);
  is_list(&r, MPIPOOL__WATCH_HEARD, "2", "first and last leave");
  mpipool__roster_watch(&r, mpipool__roster_at(&r, at[5]),
                        MPIPOOL__WATCH_HEARD);
  is_list(&r, MPIPOOL__WATCH_HEARD, "2 5", "moved from HERE to HEARD");
  is_list(&r, MPIPOOL__WATCH_HERE, "", "HERE is empty");
  mpipool__worker_t *w = mpipool__roster_add(&r, ep, 4);
  ok(w && w->watch == MPIPOOL__WATCH_NONE && w->wprev == MPIPOOL__NONE &&
         w->wnext == MPIPOOL__NONE,
     "a reused record is in no list");
  mpipool__roster_watch(&r, mpipool__roster_at(&r, at[2]), MPIPOOL__WATCH_NONE);
  is_list(&r, MPIPOOL__WATCH_HEARD, "5", "taken out of its list");
  mpipool__roster_free(&r);
}

/* A spawn's process ids: kept while set, forgotten when dropped or when
 * the spawn's last worker leaves (its endpoint is freed). */
static void test_pids(void) {
  mpipool__roster_t r = {0};
  uint32_t ep, ep2;
  const uint32_t pids[2] = {101, 102};
  MPI_Comm comm;
  mpipool__roster_add_endpoint(&r, MPI_COMM_SELF, 0, 2, 1, &ep);
  ok(r.endpoints[ep].pids == NULL && r.pid_watches == 0, "no pids at first");
  is_int(mpipool__roster_set_pids(&r, ep, pids), 0, "set");
  ok(r.pid_watches == 1 && r.endpoints[ep].pids[0] == 101 &&
         r.endpoints[ep].pids[1] == 102,
     "kept, copied, counted");
  is_int(mpipool__roster_set_pids(&r, ep, pids), 0, "set again");
  is_int(r.pid_watches, 1, "counted once");
  mpipool__roster_drop_pids(&r, ep);
  ok(r.endpoints[ep].pids == NULL && r.pid_watches == 0, "dropped");
  mpipool__roster_drop_pids(&r, ep);
  is_int(r.pid_watches, 0, "dropped twice: still 0");
  mpipool__roster_add_endpoint(&r, MPI_COMM_SELF, 0, 1, 1, &ep2);
  mpipool__roster_set_pids(&r, ep2, pids);
  mpipool__worker_t *w = mpipool__roster_add(&r, ep2, 0);
  mpipool__roster_remove(&r, w, &comm);
  ok(r.endpoints[ep2].pids == NULL && r.pid_watches == 0,
     "its last worker gone: its pids too");
  mpipool__roster_set_pids(&r, ep, pids);
  mpipool__roster_free(&r); /* frees them (the sanitizers would say) */
}

int main(void) {
  test_find();
  test_churn();
  test_watch();
  test_pids();
  return tap_done();
}
