/*
 * test_shm.c - a master's and a worker's channel through shared memory
 * (transport/shm.c), without MPI: a file given to the master's socket is
 * taken by its nonce only; what is not a channel is refused; messages go
 * both ways, a wait for one tag keeps the others in order; an answer needs
 * no memory; a socket nobody listens on cannot be given to; a worker
 * process gives its channel, sends, and is killed: the master reads what
 * it sent whole.
 */
#define _GNU_SOURCE /* memfd_create */
#include "config.h"

#include "base/alloc.h"
#include "mpipool.h"
#include "transport/shm.h"
#include "../tap.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void *copy(const char *s) {
  size_t n = strlen(s) + 1;
  char *p = mpipool__malloc(n);
  memcpy(p, s, n);
  return p;
}

static int never_gone(void *arg) {
  (void)arg;
  return 0;
}

static int gone(void *arg) {
  (void)arg;
  return 1;
}

static void test_rendezvous(void) {
  mpipool__shm_listener_t l;
  mpipool__shm_chan_t worker, master;
  int fd = -1;
  ok(mpipool__shm_listen(&l) == 0 && l.fd >= 0 &&
         strncmp(l.name, "mpipool-", 8) == 0,
     "the master listens (%s)", l.name);
  is_int(mpipool__shm_give("mpipool-nobody-listens", 0, 1), MPIPOOL_EMPI,
         "a socket nobody listens on: EMPI");
  is_int(mpipool__shm_chan_make(&worker, &fd, 1 << 20), 0,
         "the worker makes its channel");
  is_int(mpipool__shm_give(l.name, fd, 42), 0, "and gives it");
  close(fd);
  pid_t giver = 0;
  is_int(mpipool__shm_take(&l, 41, &giver), -1, "another nonce takes nothing");
  int got = mpipool__shm_take(&l, 42, &giver);
  ok(got >= 0, "its nonce takes the file");
  is_int((int)giver, (int)getpid(), "and names the process that gave it");
  is_int(mpipool__shm_take(&l, 42, &giver), -1, "once");
  is_int(mpipool__shm_chan_adopt(&master, got, 1 << 20), 0,
         "the master maps it");
  close(got);

  mpipool__msg_t m;
  is_int(mpipool__shm_poll(&master, MPI_ANY_TAG, &m), 0, "nothing yet");
  mpipool__shm_send(&worker, 5, copy("started"), 8);
  ok(mpipool__shm_poll(&master, MPI_ANY_TAG, &m) == 1 && m.tag == 5 &&
         strcmp(m.data, "started") == 0,
     "the worker's message reaches the master");
  mpipool__free(m.data);
  mpipool__shm_send(&master, 7, copy("seven"), 6);
  mpipool__shm_send(&master, 8, copy("eight"), 6);
  mpipool__shm_send(&master, 9, NULL, 0);
  ok(mpipool__shm_has(&worker, 9), "a TERMINATE behind the frames is seen");
  ok(!mpipool__shm_has(&worker, 10), "one not sent is not");
  ok(mpipool__shm_wait(&worker, 8, &m, never_gone, NULL) == 0 && m.tag == 8 &&
         strcmp(m.data, "eight") == 0,
     "a wait for tag 8 gets it");
  mpipool__free(m.data);
  ok(mpipool__shm_poll(&worker, MPI_ANY_TAG, &m) == 1 && m.tag == 7 &&
         strcmp(m.data, "seven") == 0,
     "then the 7 it passed, first");
  mpipool__free(m.data);
  ok(mpipool__shm_poll(&worker, MPI_ANY_TAG, &m) == 1 && m.tag == 9 &&
         m.len == 0,
     "then the 9");
  is_int(mpipool__shm_wait(&worker, 3, &m, gone, NULL), MPIPOOL__EGONE,
         "a wait for a peer that is gone: EGONE");
  mpipool__msg_t early = {0, 11, copy("nomax"), 6};
  mpipool__shm_keep(&worker, &early);
  mpipool__shm_send(&master, 12, NULL, 0);
  ok(mpipool__shm_poll(&worker, MPI_ANY_TAG, &m) == 1 && m.tag == 11,
     "a message kept from before the channel comes first");
  mpipool__free(m.data);
  ok(mpipool__shm_poll(&worker, MPI_ANY_TAG, &m) == 1 && m.tag == 12,
     "then the channel's");
  long live = mpipool__alloc_live();
  mpipool__alloc_fail_at(1);
  is_int(mpipool__shm_answer(&master, 13, 1), 0, "an answer needs no memory");
  mpipool__alloc_fail_at(0);
  is_int(mpipool__alloc_live(), live, "none taken");
  ok(mpipool__shm_poll(&worker, MPI_ANY_TAG, &m) == 1 && m.tag == 13 &&
         m.len == 1 && ((char *)m.data)[0] == 1,
     "the answer arrives");
  mpipool__free(m.data);
  mpipool__shm_chan_free(&master);
  mpipool__shm_chan_free(&worker);

  /* What is not a channel. */
  int other = memfd_create("not-a-channel", MFD_CLOEXEC);
  ok(other >= 0 && ftruncate(other, 4096) == 0, "a memory file of 4 KiB");
  is_int(mpipool__shm_chan_adopt(&master, other, 1 << 20), MPIPOOL_EPROTO,
         "of the wrong size: EPROTO");
  ok(ftruncate(other, 2 * (off_t)mpipool__ring_size(MPIPOOL__SHM_RING)) == 0,
     "a zeroed file of a channel's size");
  is_int(mpipool__shm_chan_adopt(&master, other, 1 << 20), MPIPOOL_EPROTO,
         "without the rings' marks: EPROTO");
  size_t ring = mpipool__ring_size(MPIPOOL__SHM_RING);
  char *p = mmap(NULL, 2 * ring, PROT_READ | PROT_WRITE, MAP_SHARED, other, 0);
  ok(p != MAP_FAILED && mpipool__ring_init(p, mpipool__ring_size(4096)) &&
         mpipool__ring_init(p + ring, mpipool__ring_size(4096)),
     "rings of 4 KiB where the channel's are");
  is_int(mpipool__shm_chan_adopt(&master, other, 1 << 20), MPIPOOL_EPROTO,
         "rings of another capacity: EPROTO");
  munmap(p, 2 * ring);
  close(other);
  mpipool__shm_listener_free(&l);
}

/* A worker process gives its channel, sends n messages of 10 KiB (the
 * ring holds 1 MiB: all are written before the master reads) and is
 * killed while it writes a larger one. */
static void test_worker_killed(void) {
  mpipool__shm_listener_t l;
  mpipool__shm_listen(&l);
  int ready[2];
  ok(pipe(ready) == 0, "a pipe");
  const int n = 50;
  pid_t pid = fork();
  if (pid == 0) {
    mpipool__shm_chan_t c;
    int fd;
    if (mpipool__shm_chan_make(&c, &fd, 1 << 20) != 0 ||
        mpipool__shm_give(l.name, fd, 7) != 0)
      _exit(1);
    for (int i = 0; i < n; i++) {
      char *b = mpipool__malloc(10240);
      memset(b, i, 10240);
      mpipool__shm_send(&c, 100 + i, b, 10240);
    }
    mpipool__shm_send(&c, 1, mpipool__calloc(1, 4 << 20), 4 << 20);
    if (write(ready[1], "x", 1) != 1)
      _exit(1);
    for (;;)
      pause();
  }
  char x;
  ok(read(ready[0], &x, 1) == 1, "the worker has sent");
  pid_t giver = 0;
  int fd = mpipool__shm_take(&l, 7, &giver);
  is_int((int)giver, (int)pid, "the file's giver is the child");
  mpipool__shm_chan_t c;
  ok(fd >= 0 && mpipool__shm_chan_adopt(&c, fd, 8 << 20) == 0,
     "the master takes its channel");
  close(fd);
  kill(pid, SIGKILL);
  int status;
  waitpid(pid, &status, 0);
  int good = 0, more = 0;
  mpipool__msg_t m;
  for (int i = 0; i < n; i++) {
    if (mpipool__shm_poll(&c, MPI_ANY_TAG, &m) != 1)
      break;
    good += m.tag == 100 + i && m.len == 10240 &&
            ((unsigned char *)m.data)[10239] == (unsigned char)i;
    mpipool__free(m.data);
  }
  for (int i = 0; i < 10; i++)
    more += mpipool__shm_poll(&c, MPI_ANY_TAG, &m) != 0;
  is_int(good, n, "every whole message of the dead worker is read");
  is_int(more, 0, "the one it was writing never comes");
  mpipool__shm_chan_free(&c);
  mpipool__shm_listener_free(&l);
  close(ready[0]);
  close(ready[1]);
}

int main(void) {
  test_rendezvous();
  test_worker_killed();
  is_int(mpipool__alloc_live(), 0, "nothing left allocated");
  return tap_done();
}
