/*
 * forker.h - a process that forks children for another, as Python's
 * forkserver does.  A child forked by a process with several threads
 * gets one thread, and whatever lock another thread held at the fork (an
 * allocator's, a library's) stays held in the child for ever; so a
 * process that will have threads (MPI starts its own) forks a forker
 * while it has one, and from then on asks it for its children.  The
 * forker has one thread and does nothing else, so its children start
 * with no lock held.  Each child is handed back with the caller's end of
 * a socket to it; the forker reaps it (a child of the forker is not the
 * caller's) and tells how it ended.  The forker dies with the thread
 * that forked it, and its children with it; it ignores SIGTERM, SIGINT
 * and SIGHUP (a Ctrl-C reaches the whole process group: the caller
 * decides what its children do), which its children start with at
 * their defaults.
 */
#ifndef MPIPOOL_FORKER_H
#define MPIPOOL_FORKER_H

#include <sys/types.h>

typedef struct {
  pid_t pid; /* the forker, or 0 */
  int fd;    /* the caller's end of the socket to it, or -1 */
} mpipool__forker_t;

#define MPIPOOL__FORKER_INIT                                                   \
  { 0, -1 }

/* What a child runs: fd is its end of its socket to the caller.  It must
 * not return (it ends with _exit). */
typedef void (*mpipool__child_fn)(int fd, void *arg);

/* Forks the forker now, whose children will run child(fd, arg) (arg as
 * it is now: the forker has a copy of the process as it is).  The forker
 * closes the nshut descriptors at shut: the caller's ends of its other
 * forkers, which are none of its business.
 * 0, or errno. */
int mpipool__forker_start(mpipool__forker_t *f, mpipool__child_fn child,
                          void *arg, const int *shut, int nshut);

/* Has the forker fork a child: its pid in *pid, the caller's end of its
 * socket (close-on-exec) in *fd.  0, or -1 when no forker is there (or
 * it is gone, or gave no answer in 30 s: then it is ended). */
int mpipool__forker_fork(mpipool__forker_t *f, pid_t *pid, int *fd);

/* Ends child pid of the forker as mpipool__reap does; its wait status in
 * *ws (-1: unknown, as when the forker is gone). */
void mpipool__forker_end(mpipool__forker_t *f, pid_t pid, int term,
                         double grace, int *ws);

/* Ends the forker, telling it to leave (a copy of its socket held by a
 * process forked since keeps it from seeing the socket close); its
 * children die with it.  No-op when none runs. */
void mpipool__forker_stop(mpipool__forker_t *f);

/* Ends child pid of this process and reaps it: SIGTERM first if term,
 * SIGKILL once grace seconds have passed; its wait status in *ws (-1:
 * unknown). */
void mpipool__reap(pid_t pid, int term, double grace, int *ws);

#endif
