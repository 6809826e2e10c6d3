/*
 * lost.h - what the tests of dead workers share (test_lost,
 * test_lost_sends, test_lost_channel): a task that kills its worker with
 * large items on their way to it, a wait for every place's worker to
 * serve, and the master's stderr kept to be checked (a replacement's
 * spawn lost).
 */
#ifndef MPIPOOL_TEST_LOST_H
#define MPIPOOL_TEST_LOST_H

#include "common.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

/* A pool of 2 workers whose chunks may lose 3 workers before they fail
 * (ELOST), and no head start: workers' deaths are what these test (a
 * task that kills the head's child fails its item: test_head_start).
 * The caller registers its tasks and starts it. */
static inline mpipool_t *lost_pool(void) {
  mpipool_t *pool = NULL;
  if (mpipool_create(&pool) == 0) {
    mpipool_set_processes(pool, 2);
    mpipool_set_crash_limit(pool, 3);
    mpipool_set_head_start(pool, 0);
  }
  return pool;
}

/* The marker file of key k: it exists once item 5 of key k killed. */
static inline void lost_marker(char *buf, size_t size, int k) {
  snprintf(buf, size, "/tmp/mpipool-lost-%d", k);
}

/* Items of 256 KiB (sent by rendezvous: the send completes only when
 * the worker takes it), short, the first int of each (k << 8) | i: item 5
 * kills its worker 0.3 s in, once per key k (a marker file tells), with
 * items queued for it on their way.  Returns its first int. */
enum { BIG = 256 * 1024 };
static inline int t_big(mpipool_ctx_t *ctx, const void *in, size_t size) {
  int x;
  char marker[64];
  if (size != BIG)
    return -1;
  memcpy(&x, in, sizeof x);
  lost_marker(marker, sizeof marker, x >> 8);
  if ((x & 0xff) == 5 && access(marker, F_OK) != 0) {
    FILE *f = fopen(marker, "w");
    if (f)
      fclose(f);
    /* Short items before it: the master queues more for this worker. */
    struct timespec ts = {0, 300000000L};
    nanosleep(&ts, NULL);
    raise(SIGKILL);
  }
  return mpipool_ctx_set_output(ctx, &x, sizeof x);
}

/* What the master says on stderr from now on goes to a file instead
 * (its path told in a TAP comment; left behind if the test is killed),
 * so that the test can check it; lost_said passes it on. */
typedef struct {
  char path[64];
  int saved; /* the real stderr */
} lost_said_t;
static inline int lost_listen(lost_said_t *s) {
  snprintf(s->path, sizeof s->path, "/tmp/mpipool-lost-said-%ld",
           (long)getpid());
  fflush(stderr);
  int fd = open(s->path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
  s->saved = fd < 0 ? -1 : dup(2);
  if (s->saved < 0 || dup2(fd, 2) < 0) {
    if (fd >= 0)
      close(fd);
    return -1;
  }
  close(fd);
  printf("# the master's stderr goes to %s until the end\n", s->path);
  return 0;
}

/* Ends lost_listen: what was said goes on to the real stderr, the file
 * is removed; 1 if it holds `needle`, 0 if not, -1 if it was not kept. */
static inline int lost_said(lost_said_t *s, const char *needle) {
  fflush(stderr);
  if (s->saved < 0)
    return -1;
  dup2(s->saved, 2);
  close(s->saved);
  FILE *f = fopen(s->path, "r");
  int found = f ? 0 : -1;
  char line[4096];
  while (f && fgets(line, sizeof line, f)) {
    fputs(line, stderr);
    found |= strstr(line, needle) != NULL;
  }
  if (f)
    fclose(f);
  unlink(s->path);
  return found;
}

/* The check both tests end with (it ends lost_listen): no replacement's
 * spawn was lost.  Under mpirun, with PMIx's shared-memory store, one
 * came back failed at Open MPI's 30 s bound now and then, and the master
 * said it "did not complete" (mpihints.c). */
static inline void ok_no_spawn_lost(lost_said_t *s) {
  ok(lost_said(s, "did not complete") == 0,
     "no replacement's spawn was lost (none \"did not complete\")");
}

/* The seconds in which a dead worker's replacement must serve: a spawn
 * takes under 1 s here, and Open MPI's bound on one that PMIx lost is
 * 30 s (such a loss is a failure: mpihints.c avoids it). */
enum { REPLACED_S = 20 };

/* Waits, `seconds` at most, until the worker of id `id` serves no more
 * (found dead, in the pool's progress); 1 if it still serves then. */
static inline int lost_serving(mpipool_t *pool, long id, double seconds) {
  int serving = 1;
  for (double until = test_now() + seconds; serving && test_now() < until;) {
    serving = 0;
    for (int p = 0; p < mpipool_size(pool); p++) {
      mpipool_worker_info_t wi;
      serving += mpipool_worker_info(pool, p, &wi) == 0 && wi.id == id;
    }
    if (serving) {
      struct timespec ts = {0, 10000000L};
      nanosleep(&ts, NULL);
      mpipool_progress(pool);
    }
  }
  return serving;
}

/* Waits, `seconds` at most, until every place's worker serves (a dead
 * one's replacement too); 1 when they do. */
static inline int wait_all_ready(mpipool_t *pool, double seconds) {
  for (double until = test_now() + seconds; test_now() < until;) {
    int ready = 0;
    for (int p = 0; p < mpipool_size(pool); p++) {
      mpipool_worker_info_t wi;
      ready += mpipool_worker_info(pool, p, &wi) == 0;
    }
    if (ready == mpipool_size(pool))
      return 1;
    struct timespec ts = {0, 10000000L};
    nanosleep(&ts, NULL);
    mpipool_progress(pool);
  }
  return 0;
}

#endif
