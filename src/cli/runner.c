/*
 * runner.c - runs one shell command in its own process group with
 * posix_spawn (vfork-like: cheap even from a large MPI process), reads
 * its stdout and stderr through pipes with poll, and enforces the time
 * limit and cancellation on the whole group.
 */
#define _GNU_SOURCE /* pipe2, memfd_create */
#include "runner.h"
#include "alloc.h"

#include "clock.h"
#include "simplecmd.h"
#include "watch.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif
#include <time.h>
#include <unistd.h>

extern char **environ;

#define SLICE_MS 100         /* how often timeout and cancel are checked */
#define KILL_GRACE 2.0       /* SIGTERM, then SIGKILL this much later */
#define BACKGROUND_GRACE 1.0 /* output read after the shell exited */
#define STOP_GRACE 0.5       /* for this process's stop signal, see below */
#define HOLD_S 5.0           /* a command not started after a stop signal */

/* This process's end of the guard's socket (see start_guard), or -1;
 * and the file it reads the process group from at the end (-1: the group
 * is told on the socket instead). */
static int guard_fd = -1, guard_state = -1;

/* Set by SIGTERM, SIGINT or SIGHUP (mpirun forwards them to every rank):
 * the command running is stopped as a cancelled one is. */
static volatile sig_atomic_t stop_flag;

static double wall(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void on_stop_signal(int sig) {
  (void)sig;
  stop_flag = 1;
}

/* Reaps the processes that commands left behind and that died: they are
 * this process's children when it is a subreaper. */
static void reap_orphans(void) {
  while (waitpid(-1, NULL, WNOHANG) > 0)
    ;
}

/* The guard: a shell in a session of its own that knows the process
 * group of the command running (0 when none) and, when this process ends
 * (it died, even of kill -9), kills that group at once.  So a task never
 * outlives its worker: once the worker is gone nothing can take its
 * result, and a command that ran on to its end then would run again (on
 * another worker, or after --resume).  A grace (TERM, then KILL 2 s
 * later, as before) let a command that ignores TERM end unlogged: under
 * mpirun, which kills its job a second or two after a stop signal, one
 * that ended 4 s after the signal was in the tasks' ledger and not in the
 * joblog.  It ignores the signals that stop a run: what it guards is
 * stopped by the worker itself then.
 *
 * The group is written into a memory file (memfd) the guard holds as its
 * descriptor 3 and reads once its stdin ends: a write per command, where
 * a line on its stdin for each start and end woke the shell (which reads
 * a byte at a time) 3 or 4 times a command, a tenth of a 'true' command's
 * cost.  Where no memory file can be made the lines are sent, and the
 * last one read wins. */
static const char guard_script[] =
    "trap '' TERM INT HUP; pg=0 told=\n"
    "while read -r p; do pg=$p told=1; done\n"
    "[ -z \"$told\" ] && { read -r s <&3; } 2>/dev/null && pg=$s\n"
    "[ \"$pg\" -gt 0 ] 2>/dev/null && kill -KILL -$pg 2>/dev/null; exit 0\n";

static void start_guard(void) {
  if (guard_fd >= 0)
    return;
#ifdef MFD_CLOEXEC
  /* Above the descriptors the watcher's are laid on (0 to 3).  (The
   * lines alone with MPIPOOL_FAULT_GUARD=lines: a test's.) */
  const char *fault = getenv("MPIPOOL_FAULT_GUARD");
  int fd = fault && strcmp(fault, "lines") == 0
               ? -1
               : memfd_create("mpipool-guard", MFD_CLOEXEC);
  guard_state = fd >= 0 && fd < 4 ? fcntl(fd, F_DUPFD_CLOEXEC, 4) : fd;
  if (fd >= 0 && fd != guard_state)
    close(fd);
#endif
  guard_fd = cli_watch_start(guard_script, 0, guard_state);
  if (guard_fd < 0 && guard_state >= 0) {
    close(guard_state);
    guard_state = -1;
  }
}

/* Tells the guard the process group running now (0: none). */
static void guard(pid_t pgid) {
  char line[32];
  /* A fixed width: a shorter group's number covers a longer one's. */
  int n = snprintf(line, sizeof line, "%-11d\n", (int)pgid);
  if (guard_state >= 0) {
    if (pwrite(guard_state, line, (size_t)n, 0) == n)
      return;
    close(guard_state); /* lines from now on: the guard takes the last */
    guard_state = -1;
  }
  line[n - 1] = '\0';
  cli_watch_say(&guard_fd, line);
}

void cli_run_forward_signals(void) {
  static const int sigs[] = {SIGTERM, SIGINT, SIGHUP};
#ifdef PR_SET_CHILD_SUBREAPER
  /* What a command leaves in the background is re-parented here, not to
   * init (which, in some containers, never reaps it): a process group
   * then ends when its processes do. */
  prctl(PR_SET_CHILD_SUBREAPER, 1);
#endif
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_stop_signal;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
    sigaction(sigs[i], &sa, NULL);
  start_guard();
}

/* The signals this process ignores: an ignored signal stays ignored
 * across exec, so the command gets them back to their default (MPI may
 * ignore SIGPIPE, say).  Handled ones are reset by exec itself. */
static void ignored_signals(sigset_t *set) {
  sigemptyset(set);
  for (int sig = 1; sig < NSIG; sig++) {
    struct sigaction sa;
    if (sig != SIGKILL && sig != SIGSTOP && sigaction(sig, NULL, &sa) == 0 &&
        sa.sa_handler == SIG_IGN)
      sigaddset(set, sig);
  }
}

static int same_path(char *const envp[]) {
  const char *mine = getenv("PATH");
  for (size_t i = 0; envp && envp[i]; i++)
    if (strncmp(envp[i], "PATH=", 5) == 0)
      return mine && strcmp(envp[i] + 5, mine) == 0;
  return 0;
}

/* Starts cmd in a new process group, its stdout and stderr on the write
 * ends of the two pipes: directly when it is a simple command that exists,
 * else as /bin/sh -c cmd. */
static int start(const char *cmd, char *const envp[], int outp[2], int errp[2],
                 pid_t *pid) {
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t at;
  sigset_t ign, none;
  int err;
  ignored_signals(&ign);
  sigemptyset(&none);
  if ((err = posix_spawn_file_actions_init(&fa)))
    return err;
  if ((err = posix_spawnattr_init(&at)))
    goto out_with_fa;
  if ((err = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP |
                                               POSIX_SPAWN_SETSIGDEF |
                                               POSIX_SPAWN_SETSIGMASK)) ||
      (err = posix_spawnattr_setpgroup(&at, 0)) ||
      (err = posix_spawnattr_setsigdefault(&at, &ign)) ||
      (err = posix_spawnattr_setsigmask(&at, &none)) ||
      (err = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY,
                                              0)) ||
      (err = posix_spawn_file_actions_adddup2(&fa, outp[1], 1)) ||
      (err = posix_spawn_file_actions_adddup2(&fa, errp[1], 2)))
    goto out_with_at;
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 34)
  /* Nothing of the worker's (MPI sockets, shared memory) reaches the
   * command, nor outlives it in what it leaves in the background. */
  if ((err = posix_spawn_file_actions_addclosefrom_np(&fa, 3)))
    goto out_with_at;
#endif
  /* posix_spawnp searches this process's PATH: direct only when the
   * command's is the same. */
  char **words = same_path(envp) ? cli_simplecmd_argv(cmd) : NULL;
  err = ENOENT;
  if (words)
    err = posix_spawnp(pid, words[0], &fa, &at, words, envp);
  cli_free(words);
  if (err) { /* not simple, or not found: the shell runs it (or says why) */
    char *argv[] = {"sh", "-c", (char *)cmd, NULL};
    err = posix_spawn(pid, "/bin/sh", &fa, &at, argv, envp);
  }
out_with_at:
  posix_spawnattr_destroy(&at);
out_with_fa:
  posix_spawn_file_actions_destroy(&fa);
  return err;
}

/* Reads what fd has into b (one of r->out, r->err), counting it in
 * *count, and empties both once they hold more than keep bytes; 1 at end
 * of file, 0 if more may come, -1 with errno on failure. */
static int drain(int fd, cli_bytes_t *b, unsigned long long *count, size_t keep,
                 cli_run_t *r) {
  char scratch[65536]; /* what is read past keep, and dropped */
  for (;;) {
    char *p = scratch;
    if (!r->overflow && (p = cli_bytes_reserve(b, sizeof scratch)) == NULL) {
      errno = ENOMEM;
      return -1;
    }
    ssize_t n = read(fd, p, sizeof scratch);
    if (n > 0) {
      *count += (unsigned long long)n;
      if (!r->overflow) {
        b->len += (size_t)n;
        if (r->out.len + r->err.len > keep) {
          r->overflow = 1;
          cli_bytes_free(&r->out);
          cli_bytes_free(&r->err);
        }
      }
      continue;
    }
    if (n == 0)
      return 1;
    if (errno == EINTR)
      continue;
    return errno == EAGAIN ? 0 : -1;
  }
}

static void ended(cli_run_t *r, int status) {
  if (WIFEXITED(status)) {
    r->exitval = WEXITSTATUS(status);
  } else {
    r->exitval = -1;
    r->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  }
}

/* A descriptor that polls readable when process pid (a child not reaped
 * yet) exits, or -1 where the kernel has none (Linux before 5.3).  A
 * pidfd is close-on-exec from the start. */
static int exit_fd(pid_t pid) {
#if defined(__linux__) && defined(SYS_pidfd_open)
  return (int)syscall(SYS_pidfd_open, pid, 0);
#else
  (void)pid;
  return -1;
#endif
}

/* Reads both pipes until the shell has exited and its output is closed
 * (or held open only by processes it left behind), enforcing the time
 * limit and cancellation.  Its exit wakes the poll (through exit_fd): a
 * short command costs no sleep.  Returns 0 or an errno value. */
static int supervise(pid_t pid, int fd_out, int fd_err, double timeout,
                     size_t keep, int (*cancelled)(void *), void *arg,
                     cli_run_t *r) {
  int pidfd = exit_fd(pid);
  struct pollfd fds[3] = {
      {fd_out, POLLIN, 0}, {fd_err, POLLIN, 0}, {pidfd, POLLIN, 0}};
  cli_bytes_t *bufs[2] = {&r->out, &r->err};
  unsigned long long *counts[2] = {&r->out_bytes, &r->err_bytes};
  double t0 = cli_now(), term_at = 0, exited_at = 0, next_check = t0;
  int open_fds = 2, done = 0, wait_us = 20, err = 0, status = 0;
  while (!done || open_fds) {
    if (open_fds || fds[2].fd >= 0) {
      if (poll(fds, 3, SLICE_MS) < 0 && errno != EINTR) {
        err = errno;
        break;
      }
      for (int i = 0; i < 2; i++) {
        if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
          continue;
        int e = drain(fds[i].fd, bufs[i], counts[i], keep, r);
        if (e < 0 && errno == ENOMEM && err == 0) {
          err = ENOMEM;
          kill(-pid, SIGKILL);
        }
        if (e != 0) {
          fds[i].fd = -1; /* poll skips negative descriptors */
          open_fds--;
        }
      }
    } else {
      /* Output closed, no exit_fd: the shell is exiting (or closed it
       * early). */
      struct timespec ts = {0, wait_us * 1000L};
      nanosleep(&ts, NULL);
      if (wait_us < 10000)
        wait_us *= 2;
    }
    double now = cli_now();
    if (!done && waitpid(pid, &status, WNOHANG) == pid) {
      done = 1;
      exited_at = now;
      ended(r, status);
      fds[2].fd = -1; /* reaped: it would poll readable for ever */
    }
    if (done) {
      if (open_fds && now - exited_at > BACKGROUND_GRACE)
        break;
      continue;
    }
    if (timeout > 0 && !r->timed_out && now - t0 >= timeout) {
      r->timed_out = 1;
      term_at = now;
      kill(-pid, SIGTERM);
    } else if (term_at > 0 && now - term_at >= KILL_GRACE) {
      kill(-pid, SIGKILL);
      term_at = 0;
    }
    if (!r->cancelled && (stop_flag || (cancelled && now >= next_check))) {
      next_check = now + SLICE_MS / 1000.0;
      if (stop_flag || cancelled(arg)) {
        /* Stopped as a time limit stops it: TERM, KILL if still there
         * KILL_GRACE later. */
        r->cancelled = 1;
        term_at = now;
        kill(-pid, SIGTERM);
      }
    }
  }
  /* TERM was sent at the time limit and the shell is gone: what is left
   * of its group gets the rest of the grace period, then KILL. */
  while (term_at > 0 && done && (reap_orphans(), kill(-pid, 0) == 0)) {
    if (cli_now() - term_at >= KILL_GRACE) {
      kill(-pid, SIGKILL);
      break;
    }
    struct timespec ts = {0, 10000000L};
    nanosleep(&ts, NULL);
  }
  if (!done) { /* poll failed: never leave the command behind */
    kill(-pid, SIGKILL);
    waitpid(pid, &status, 0);
    ended(r, status);
  }
  r->runtime = cli_now() - t0;
  if (done)
    reap_orphans();
  /* Exited 0 all the same: it was ending when the stop came (its work
   * done), or it caught the TERM and says it finished.  Either way it ran
   * to its end; taken as cancelled, --resume would run it twice. */
  if (r->cancelled && done && r->exitval == 0 && r->signal == 0)
    r->cancelled = 0;
  if (pidfd >= 0)
    close(pidfd);
  return err;
}

/* A command that failed while the run is being stopped was stopped by it:
 * Slurm's time limit (or a kill of the whole job) sends SIGTERM to every
 * process at once, the command's may land a moment before this
 * process's.  So a command killed by TERM, INT or HUP waits STOP_GRACE
 * for this process's own; it is then a cancelled one (run again by
 * --resume), not a failure. */
static void stopped_by_the_run(cli_run_t *r) {
  if (r->cancelled || r->timed_out || (r->exitval == 0 && r->signal == 0))
    return;
  int stop_sig =
      r->signal == SIGTERM || r->signal == SIGINT || r->signal == SIGHUP;
  double until = cli_now() + (stop_sig ? STOP_GRACE : 0);
  while (!stop_flag && cli_now() < until) {
    struct timespec ts = {0, 10000000L};
    nanosleep(&ts, NULL);
  }
  if (stop_flag)
    r->cancelled = 1;
}

/* Whether a command about to start is held back by a stop signal that
 * came since the last one started.  mpirun, killing its job, signals every
 * process of it, and kills them soon after: a command started then (the
 * worker had it already) would run unlogged by a master that is gone, and
 * run again by --resume.  The master, stopping too, cancels what it
 * handed out (cancelled() says so), or is gone: the command is not
 * started.  A stop that cancels nothing in HOLD_S (a signal to this
 * process alone), or with no cancelled(), lets the command start.
 * Returns 1 if held back. */
static int held_by_a_stop(int (*cancelled)(void *), void *arg) {
  if (!stop_flag)
    return 0;
  if (cancelled == NULL) { /* no master to wait for */
    stop_flag = 0;
    return 0;
  }
  double until = cli_now() + HOLD_S;
  while (!cancelled(arg)) {
    if (cli_now() >= until) {
      stop_flag = 0;
      return 0;
    }
    struct timespec ts = {0, 10000000L};
    nanosleep(&ts, NULL);
  }
  return 1;
}

int cli_run(const char *cmd, double timeout, size_t keep, char *const envp[],
            int (*cancelled)(void *), void *arg, cli_run_t *r) {
  int outp[2], errp[2], err;
  pid_t pid;
  memset(r, 0, sizeof *r);
  if (held_by_a_stop(cancelled, arg)) { /* not started: cancelled */
    r->start = wall();
    r->cancelled = 1;
    return 0;
  }
  if (pipe2(outp, O_CLOEXEC))
    return errno;
  if (pipe2(errp, O_CLOEXEC)) {
    err = errno;
    goto out_with_outp;
  }
  r->start = wall();
  err = start(cmd, envp, outp, errp, &pid);
  if (err) {
    r->exitval = -1;
    close(errp[1]);
    goto out_with_errp;
  }
  /* Only the command writes to the pipes: EOF when it is done with them. */
  close(outp[1]);
  close(errp[1]);
  outp[1] = -1;
  fcntl(outp[0], F_SETFL, O_NONBLOCK);
  fcntl(errp[0], F_SETFL, O_NONBLOCK);
  guard(pid);
  err = supervise(pid, outp[0], errp[0], timeout, keep, cancelled, arg, r);
  guard(0);
  stopped_by_the_run(r);
out_with_errp:
  close(errp[0]);
out_with_outp:
  close(outp[0]);
  if (outp[1] >= 0)
    close(outp[1]);
  return err;
}
