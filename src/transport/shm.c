/*
 * shm.c - a master's and a worker's channel through shared memory
 * (shm.h).
 */
#define _GNU_SOURCE /* memfd_create, accept4, SO_PEERCRED */
#include "config.h"
#include "shm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/alloc.h"
#include "cma.h"
#include "mpipool.h"

/* The mapping: the ring to the worker, then the ring to the master. */
static size_t ring_bytes(void) { return mpipool__ring_size(MPIPOOL__SHM_RING); }

/* Sets up c's writer and reader on the mapping: the worker writes the
 * second ring and reads the first, the master the other way. */
static int open_rings(mpipool__shm_chan_t *c, int worker, int make,
                      size_t max) {
  char *at = c->mem;
  mpipool__ring_t *rings[2];
  for (int k = 0; k < 2; k++) {
    void *p = at + (size_t)k * ring_bytes();
    rings[k] = make ? mpipool__ring_init(p, ring_bytes())
                    : mpipool__ring_attach(p, ring_bytes());
    if (rings[k] == NULL)
      return MPIPOOL_EPROTO;
  }
  mpipool__ring_writer_init(&c->out, rings[worker ? 1 : 0]);
  mpipool__ring_reader_init(&c->in, rings[worker ? 0 : 1], max);
  /* The capacities they took are the channel's: not read again from
   * memory the peer could have changed since the rings were checked. */
  if (c->out.ring_cap != MPIPOOL__SHM_RING ||
      c->in.ring_cap != MPIPOOL__SHM_RING)
    return MPIPOOL_EPROTO;
  return MPIPOOL_OK;
}

int mpipool__shm_chan_make(mpipool__shm_chan_t *c, int *fd, size_t max) {
  memset(c, 0, sizeof *c);
  *fd = -1;
#if defined(__linux__)
  size_t size = 2 * ring_bytes();
  int f = memfd_create("mpipool-channel", MFD_CLOEXEC);
  if (f < 0)
    return MPIPOOL_EMPI;
  if (ftruncate(f, (off_t)size) != 0) {
    close(f);
    return MPIPOOL_ENOMEM;
  }
  void *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, f, 0);
  if (mem == MAP_FAILED) {
    close(f);
    return MPIPOOL_ENOMEM;
  }
  c->mem = mem;
  c->size = size;
  int err = open_rings(c, 1, 1, max);
  if (err) {
    mpipool__shm_chan_free(c);
    close(f);
    return err;
  }
  *fd = f;
  return MPIPOOL_OK;
#else
  (void)max;
  return MPIPOOL_EMPI;
#endif
}

int mpipool__shm_chan_adopt(mpipool__shm_chan_t *c, int fd, size_t max) {
  memset(c, 0, sizeof *c);
  size_t size = 2 * ring_bytes();
  struct stat st;
  /* A memory file (a regular file, never a device) of the size made. */
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
      (uint64_t)st.st_size != (uint64_t)size)
    return MPIPOOL_EPROTO;
  void *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (mem == MAP_FAILED)
    return MPIPOOL_ENOMEM;
  c->mem = mem;
  c->size = size;
  int err = open_rings(c, 0, 0, max);
  if (err)
    mpipool__shm_chan_free(c);
  return err;
}

int mpipool__shm_send(mpipool__shm_chan_t *c, int tag, void *buf, size_t len) {
  return mpipool__ring_send(&c->out, (uint32_t)tag, buf, len);
}

int mpipool__shm_answer(mpipool__shm_chan_t *c, int tag, int no) {
  char answer = no ? 1 : 0;
  if (mpipool__ring_put(&c->out, (uint32_t)tag, &answer, 1))
    return MPIPOOL_OK;
  char *b = mpipool__malloc(1);
  if (b == NULL)
    return MPIPOOL_ENOMEM;
  *b = answer;
  return mpipool__ring_send(&c->out, (uint32_t)tag, b, 1);
}

size_t mpipool__shm_flush(mpipool__shm_chan_t *c) {
  return mpipool__ring_flush(&c->out);
}

/* Takes the next message off the ring into the stash: 1, 0 (none), or
 * an error. */
static int pull(mpipool__shm_chan_t *c) {
  if (mpipool__grow((void **)&c->stash, &c->stash_cap, c->nstash + 1,
                    sizeof *c->stash) != 0)
    return MPIPOOL_ENOMEM;
  mpipool__msg_t *m = &c->stash[c->nstash];
  uint32_t tag;
  int got = mpipool__ring_recv(&c->in, &tag, &m->data, &m->len);
  if (got == 1) {
    m->source = 0;
    m->tag = (int)tag;
    c->nstash++;
  }
  return got;
}

/* The first message of the stash with tag, or -1. */
static long stashed(const mpipool__shm_chan_t *c, int tag) {
  for (size_t i = 0; i < c->nstash; i++)
    if (tag == MPI_ANY_TAG || c->stash[i].tag == tag)
      return (long)i;
  return -1;
}

int mpipool__shm_poll(mpipool__shm_chan_t *c, int tag, mpipool__msg_t *m) {
  if (c->nstash == 0 && tag == MPI_ANY_TAG) { /* the common case */
    uint32_t t;
    int got = mpipool__ring_recv(&c->in, &t, &m->data, &m->len);
    if (got == 1) {
      m->source = 0;
      m->tag = (int)t;
    }
    return got;
  }
  long i = stashed(c, tag);
  while (i < 0) {
    int got = pull(c);
    if (got != 1)
      return got;
    if (tag == MPI_ANY_TAG || c->stash[c->nstash - 1].tag == tag)
      i = (long)c->nstash - 1;
  }
  *m = c->stash[i];
  memmove(c->stash + i, c->stash + i + 1,
          (c->nstash - (size_t)i - 1) * sizeof *c->stash);
  c->nstash--;
  return 1;
}

int mpipool__shm_keep(mpipool__shm_chan_t *c, const mpipool__msg_t *m) {
  if (mpipool__grow((void **)&c->stash, &c->stash_cap, c->nstash + 1,
                    sizeof *c->stash) != 0) {
    mpipool__free(m->data);
    return MPIPOOL_ENOMEM;
  }
  c->stash[c->nstash++] = *m;
  return MPIPOOL_OK;
}

int mpipool__shm_has(const mpipool__shm_chan_t *c, int tag) {
  return stashed(c, tag) >= 0 || mpipool__ring_has(&c->in, (uint32_t)tag);
}

int mpipool__shm_wait(mpipool__shm_chan_t *c, int tag, mpipool__msg_t *m,
                      mpipool__gone_fn gone, void *arg) {
  mpipool__backoff_t b = {0};
  for (;;) {
    int got = mpipool__shm_poll(c, tag, m);
    mpipool__shm_flush(c); /* what the peer waits for, to answer */
    if (got != 0)
      return got < 0 ? got : MPIPOOL_OK;
    if (gone && gone(arg))
      return MPIPOOL__EGONE;
    mpipool__backoff_idle(&b);
  }
}

size_t mpipool__shm_bytes(const mpipool__shm_chan_t *c) {
  size_t n = mpipool__ring_pending(&c->out) + c->stash_cap * sizeof *c->stash;
  for (size_t i = 0; i < c->nstash; i++)
    n += c->stash[i].len;
  return n + c->in.len;
}

void mpipool__shm_chan_free(mpipool__shm_chan_t *c) {
  if (c->mem)
    munmap(c->mem, c->size);
  mpipool__ring_writer_free(&c->out);
  mpipool__ring_reader_free(&c->in);
  for (size_t i = 0; i < c->nstash; i++)
    mpipool__free(c->stash[i].data);
  mpipool__free(c->stash);
  memset(c, 0, sizeof *c);
}

/* --- the rendezvous --------------------------------------------------------
 */

/* The socket address of name, in the abstract namespace (a NUL first);
 * *len its length. */
static struct sockaddr_un address(const char *name, socklen_t *len) {
  struct sockaddr_un a;
  memset(&a, 0, sizeof a);
  a.sun_family = AF_UNIX;
  size_t n = strlen(name);
  if (n > sizeof a.sun_path - 1)
    n = sizeof a.sun_path - 1;
  memcpy(a.sun_path + 1, name, n);
  *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
  return a;
}

int mpipool__shm_listen(mpipool__shm_listener_t *l) {
  memset(l, 0, sizeof *l);
  l->fd = -1;
#if defined(__linux__)
  snprintf(l->name, sizeof l->name, "mpipool-%ld-%016llx", (long)getpid(),
           (unsigned long long)mpipool__cma_random());
  socklen_t len;
  struct sockaddr_un a = address(l->name, &len);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0)
    return MPIPOOL_EMPI;
  if (bind(fd, (struct sockaddr *)&a, len) != 0 || listen(fd, 1024) != 0) {
    close(fd);
    return MPIPOOL_EMPI;
  }
  l->fd = fd;
  return MPIPOOL_OK;
#else
  return MPIPOOL_EMPI;
#endif
}

#if defined(__linux__)
/* Room for one file descriptor passed with a message. */
typedef union {
  char bytes[CMSG_SPACE(sizeof(int))];
  struct cmsghdr align;
} control_t;

/* A message of the nonce at *nonce (iov, the caller's) with room for one
 * file descriptor in control. */
static struct msghdr nonce_message(uint64_t *nonce, struct iovec *iov,
                                   control_t *control) {
  struct msghdr mh;
  memset(&mh, 0, sizeof mh);
  memset(control, 0, sizeof *control);
  *iov = (struct iovec){nonce, sizeof *nonce};
  mh.msg_iov = iov;
  mh.msg_iovlen = 1;
  mh.msg_control = control->bytes;
  mh.msg_controllen = sizeof control->bytes;
  return mh;
}

/* Reads the nonce and the file a connection carries (it was sent before
 * the connection was accepted, so it is there).  -1 if it does not. */
static int receive_file(int conn, uint64_t *nonce) {
  control_t control;
  struct iovec iov;
  struct msghdr mh = nonce_message(nonce, &iov, &control);
  ssize_t n;
  while ((n = recvmsg(conn, &mh, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
    ;
  struct cmsghdr *cm = n == (ssize_t)sizeof *nonce ? CMSG_FIRSTHDR(&mh) : NULL;
  if (cm == NULL || cm->cmsg_level != SOL_SOCKET ||
      cm->cmsg_type != SCM_RIGHTS || cm->cmsg_len != CMSG_LEN(sizeof(int)))
    return -1;
  int fd;
  memcpy(&fd, CMSG_DATA(cm), sizeof fd);
  return fd;
}

/* Accepts the connections waiting and keeps the files they carry from
 * processes of this user. */
static void accept_all(mpipool__shm_listener_t *l) {
  int conn;
  while ((conn = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
    struct ucred cred;
    socklen_t clen = sizeof cred;
    uint64_t nonce = 0;
    int fd = -1;
    if (getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0 &&
        cred.uid == geteuid())
      fd = receive_file(conn, &nonce);
    close(conn);
    if (fd < 0)
      continue;
    if (mpipool__grow((void **)&l->given, &l->given_cap, l->ngiven + 1,
                      sizeof *l->given) != 0) {
      close(fd); /* its worker is answered no */
      continue;
    }
    l->given[l->ngiven++] = (mpipool__shm_given_t){nonce, fd, cred.pid};
  }
}
#endif

int mpipool__shm_take(mpipool__shm_listener_t *l, uint64_t nonce, pid_t *pid) {
  if (l->fd < 0)
    return -1;
#if defined(__linux__)
  accept_all(l);
#endif
  for (size_t i = 0; i < l->ngiven; i++)
    if (l->given[i].nonce == nonce) {
      int fd = l->given[i].fd;
      *pid = l->given[i].pid;
      l->given[i] = l->given[--l->ngiven];
      return fd;
    }
  return -1;
}

void mpipool__shm_listener_free(mpipool__shm_listener_t *l) {
  if (l->fd >= 0)
    close(l->fd);
  for (size_t i = 0; i < l->ngiven; i++)
    close(l->given[i].fd);
  mpipool__free(l->given);
  memset(l, 0, sizeof *l);
  l->fd = -1;
}

int mpipool__shm_give(const char *name, int fd, uint64_t nonce) {
#if defined(__linux__)
  socklen_t len;
  struct sockaddr_un a = address(name, &len);
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (s < 0)
    return MPIPOOL_EMPI;
  control_t control;
  struct iovec iov;
  struct msghdr mh = nonce_message(&nonce, &iov, &control);
  struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cm), &fd, sizeof fd);
  ssize_t n = -1;
  if (connect(s, (struct sockaddr *)&a, len) == 0)
    while ((n = sendmsg(s, &mh, MSG_NOSIGNAL)) < 0 && errno == EINTR)
      ;
  close(s);
  return n == (ssize_t)sizeof nonce ? MPIPOOL_OK : MPIPOOL_EMPI;
#else
  (void)name, (void)fd, (void)nonce;
  return MPIPOOL_EMPI;
#endif
}
