/*
 * test_spawn_queue.c - spawn requests served in order (spawn_queue.c),
 * with a stand-in for MPI_Comm_spawn, so no MPI runs: at once in the
 * caller, or by the queue's thread while the caller goes on; what comes
 * back (host, tag, count, a failure's reason); what is pending; stopping
 * after the queued requests or dropping them.
 */
#include "config.h"

#include "engine/spawn_queue.h"
#include "mpipool.h"
#include "../tap.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int calls, fail_host_b;
static char seen[16][32];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* The stand-in: takes 20 ms, records the host, fails on host "b" when
 * told to; its processes' ids are 4200 + i. */
static int fake_spawn(int n, const char *host, MPI_Comm *inter, uint32_t *pids,
                      char *why, size_t whylen) {
  for (int i = 0; pids && i < n; i++)
    pids[i] = 4200 + (uint32_t)i;
  struct timespec ts = {0, 20000000L};
  nanosleep(&ts, NULL);
  pthread_mutex_lock(&lock);
  if (calls < 16)
    snprintf(seen[calls], sizeof seen[calls], "%s", host ? host : "(any)");
  calls++;
  pthread_mutex_unlock(&lock);
  if (fail_host_b && host && strcmp(host, "b") == 0) {
    snprintf(why, whylen, "no slots on b");
    return MPIPOOL_ESPAWN;
  }
  *inter = MPI_COMM_NULL; /* stands for an intercommunicator */
  return 0;
}

/* Polls until a spawn is handed over (or 5 s pass). */
static int poll_wait(mpipool__spawnq_t *sp, mpipool__spawned_t *s) {
  for (int i = 0; i < 500; i++) {
    if (mpipool__spawnq_poll(sp, s))
      return 1;
    struct timespec ts = {0, 10000000L};
    nanosleep(&ts, NULL);
  }
  return 0;
}

static void test_inline(void) {
  mpipool__spawnq_t *sp;
  mpipool__spawned_t s;
  calls = 0;
  fail_host_b = 1;
  is_int(mpipool__spawnq_new(&sp, 0, fake_spawn), 0, "inline queue");
  is_int(mpipool__spawnq_request(sp, "a", 2, 7), 0, "request 2 on a");
  is_int(calls, 1, "served at once, in the caller");
  is_int(mpipool__spawnq_pending(sp), 2, "2 pending until polled");
  ok(mpipool__spawnq_poll(sp, &s) == 1 && s.err == 0 && s.n == 2 &&
         s.tag == 7 && s.host && strcmp(s.host, "a") == 0 && s.pids &&
         s.pids[0] == 4200 && s.pids[1] == 4201,
     "polled: 2 on a, tag 7, their process ids");
  free(s.host);
  free(s.pids);
  is_int(mpipool__spawnq_pending(sp), 0, "nothing pending");
  mpipool__spawnq_request(sp, "b", 1, 3);
  ok(mpipool__spawnq_poll(sp, &s) == 1 && s.err == MPIPOOL_ESPAWN &&
         strcmp(s.why, "no slots on b") == 0 && s.tag == 3,
     "a failed spawn: ESPAWN, why, tag");
  free(s.host);
  free(s.pids);
  mpipool__spawnq_request(sp, NULL, 1, -1);
  ok(mpipool__spawnq_poll(sp, &s) == 1 && s.host == NULL &&
         strcmp(seen[2], "(any)") == 0,
     "no host: anywhere");
  is_int(s.pids ? (int)s.pids[0] : -1, 4200,
         "a spawn of 1: its process id handed over");
  free(s.pids);
  is_int(mpipool__spawnq_poll(sp, &s), 0, "nothing more");
  mpipool__spawnq_stop(sp, 1);
  mpipool__spawnq_free(sp);
  mpipool__spawnq_free(NULL);
}

static void test_threaded(void) {
  mpipool__spawnq_t *sp;
  mpipool__spawned_t s;
  calls = 0;
  fail_host_b = 0;
  is_int(mpipool__spawnq_new(&sp, 1, fake_spawn), 0, "threaded queue");
  static const char *const hosts[] = {"h0", "h1", "h2", "h3"};
  for (int i = 0; i < 4; i++)
    mpipool__spawnq_request(sp, hosts[i], 1, i);
  ok(calls < 4, "requests return before they are served (%d served)", calls);
  is_int(mpipool__spawnq_pending(sp), 4, "4 pending");
  int in_order = 1;
  for (int i = 0; i < 4; i++)
    if (!poll_wait(sp, &s) || s.tag != i || strcmp(s.host, hosts[i]) != 0)
      in_order = 0;
    else {
      free(s.host);
      free(s.pids);
    }
  ok(in_order, "served in the order asked");
  is_int(mpipool__spawnq_pending(sp), 0, "none pending");

  /* Stop with finish: every queued request is served first. */
  for (int i = 0; i < 3; i++)
    mpipool__spawnq_request(sp, "x", 1, i);
  mpipool__spawnq_stop(sp, 1);
  is_int(calls, 7, "stop(finish): the 3 queued were served");
  int got = 0;
  while (mpipool__spawnq_poll(sp, &s)) {
    got++;
    free(s.host);
    free(s.pids);
  }
  is_int(got, 3, "and stay to be polled after the stop");
  mpipool__spawnq_free(sp);

  /* Stop without finish: only the spawn in progress completes. */
  calls = 0;
  mpipool__spawnq_new(&sp, 1, fake_spawn);
  for (int i = 0; i < 5; i++)
    mpipool__spawnq_request(sp, "y", 1, i);
  mpipool__spawnq_stop(sp, 0);
  ok(calls <= 2, "stop: the queued requests dropped (%d served)", calls);
  is_int(mpipool__spawnq_pending(sp), calls, "pending: only those served");
  mpipool__spawnq_free(sp); /* frees what was not polled */

  /* end: says, without waiting, whether the thread has ended (the master
   * takes results meanwhile). */
  calls = 0;
  mpipool__spawnq_new(&sp, 1, fake_spawn);
  for (int i = 0; i < 3; i++)
    mpipool__spawnq_request(sp, "z", 1, i);
  is_int(mpipool__spawnq_end(sp, 1), 0,
         "end(finish) with 3 queued: not ended yet, returns at once");
  int polls = 0;
  while (!mpipool__spawnq_end(sp, 1) && polls < 500) {
    struct timespec ts = {0, 10000000L};
    nanosleep(&ts, NULL);
    polls++;
  }
  ok(calls == 3 && polls > 0 && polls < 500,
     "then ended, after the 3 were served (%d served, %d polls)", calls, polls);
  mpipool__spawnq_stop(sp, 1);
  ok(1, "stop after it ended: joins at once");
  mpipool__spawnq_free(sp);
  mpipool__spawnq_new(&sp, 0, fake_spawn);
  is_int(mpipool__spawnq_end(sp, 0), 1, "end with no thread: ended");
  mpipool__spawnq_free(sp);
}

int main(void) {
  test_inline();
  test_threaded();
  return tap_done();
}
