/*
 * test_isolate.c - isolated items (isolate.c) without MPI: an item runs in
 * a child process and comes back whole; a crash, exit() or abort() fails
 * the item only, saying how, and the next item gets a fresh child; a time
 * limit and a cancel stop the child.  A forker told to shut another
 * forker's socket holds no copy of it; one that holds copies (forked
 * later, for another pool) does not delay the other's end.
 */
#include "config.h"

#include "base/clock.h"
#include "worker/ctx.h"
#include "worker/forker.h"
#include "worker/isolate.h"
#include "mpipool.h"
#include "../tap.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int t_echo(mpipool_ctx_t *ctx, const void *in, size_t size) {
  return mpipool_ctx_set_output(ctx, in, size);
}
static int t_segv(mpipool_ctx_t *ctx, const void *in, size_t size) {
  (void)ctx, (void)in, (void)size;
  raise(SIGSEGV);
  return 0;
}
static int t_exit3(mpipool_ctx_t *ctx, const void *in, size_t size) {
  (void)ctx, (void)in, (void)size;
  exit(3);
}
static int t_fail(mpipool_ctx_t *ctx, const void *in, size_t size) {
  (void)in, (void)size;
  return mpipool_ctx_fail(ctx, "no %s", "luck");
}
static int t_sleep(mpipool_ctx_t *ctx, const void *in, size_t size) {
  (void)ctx, (void)in, (void)size;
  sleep(30);
  return 0;
}
static int t_pid(mpipool_ctx_t *ctx, const void *in, size_t size) {
  (void)in, (void)size;
  int pid = (int)getpid();
  return mpipool_ctx_set_output(ctx, &pid, sizeof pid);
}

static volatile sig_atomic_t termed;
static void on_term(int sig) { termed = sig; }
/* Ends on SIGTERM, saying so (as the mpipool program's command does). */
static int t_term_reply(mpipool_ctx_t *ctx, const void *in, size_t size) {
  (void)in, (void)size;
  signal(SIGTERM, on_term);
  for (int i = 0; i < 3000 && !termed; i++)
    usleep(10000);
  return mpipool_ctx_set_output(ctx, termed ? "ended on TERM" : "not", 13);
}
/* Takes no notice of SIGTERM. */
static int t_deaf(mpipool_ctx_t *ctx, const void *in, size_t size) {
  (void)ctx, (void)in, (void)size;
  signal(SIGTERM, SIG_IGN);
  sleep(30);
  return 0;
}

static int ask_count;
static int cancel_at_3(void *arg) {
  (void)arg;
  return ++ask_count >= 3;
}

/* Item i of rb: its status, its output as a string in buf. */
static int item(const mpipool__rbuild_t *rb, size_t i, char *buf, size_t len) {
  const uint64_t *off = (const uint64_t *)rb->off.data;
  size_t end = i + 1 < rb->count ? (size_t)off[i + 1] : rb->data.len;
  size_t n = end - (size_t)off[i];
  snprintf(buf, len, "%.*s", (int)n, rb->data.data + off[i]);
  return ((const int8_t *)rb->status.data)[i];
}

static int t_ppid(mpipool_ctx_t *ctx, const void *in, size_t size) {
  (void)in, (void)size;
  int pid = (int)getppid();
  return mpipool_ctx_set_output(ctx, &pid, sizeof pid);
}

/* The last item's output, an int. */
static int last_int(const mpipool__rbuild_t *rb) {
  int x = 0;
  if (rb->data.len >= sizeof x)
    memcpy(&x, rb->data.data + rb->data.len - sizeof x, sizeof x);
  return x;
}

/* The items, their crashes and limits, in children forked by this
 * process, or (forker) by a forker. */
static void items(int forker) {
  mpipool_ctx_t ctx;
  memset(&ctx, 0, sizeof ctx);
  mpipool__ctx_init(&ctx, 1);
  mpipool__rbuild_t rb = {0};
  mpipool__iso_t iso = MPIPOOL__ISO_INIT;
  char buf[256];
  static char big[1 << 20];
  memset(big, 'x', sizeof big);
  ask_count = 0;
  printf("# children forked by %s\n", forker ? "a forker" : "this process");
  if (forker)
    is_int(mpipool__iso_forker(&iso, &ctx, NULL, 0), 0, "a forker");

  is_int(mpipool__iso_run(&iso, &ctx, &rb, t_echo, NULL, "hello", 5, 0, NULL,
                          NULL),
         0, "an item runs");
  ok(item(&rb, 0, buf, sizeof buf) == 0 && strcmp(buf, "hello") == 0,
     "its output comes back: '%s'", buf);
  mpipool__iso_run(&iso, &ctx, &rb, t_echo, NULL, big, sizeof big, 0, NULL,
                   NULL);
  ok(rb.count == 2 && rb.data.len == 5 + sizeof big &&
         memcmp(rb.data.data + 5, big, sizeof big) == 0,
     "1 MiB in and out, whole");
  int pid1 = 0, pid2 = 0;
  mpipool__iso_run(&iso, &ctx, &rb, t_pid, NULL, NULL, 0, 0, NULL, NULL);
  memcpy(&pid1, rb.data.data + rb.data.len - sizeof pid1, sizeof pid1);
  ok(pid1 != (int)getpid() && iso.children == 1,
     "in a child process (%d), one child for them all", pid1);

  mpipool__iso_run(&iso, &ctx, &rb, t_fail, NULL, NULL, 0, 0, NULL, NULL);
  is_int(item(&rb, 3, buf, sizeof buf), MPIPOOL_ETASK, "a failing task: ETASK");
  ok(strcmp(buf, "no luck") == 0, "with its message: '%s'", buf);

  mpipool__iso_run(&iso, &ctx, &rb, t_segv, NULL, NULL, 0, 0, NULL, NULL);
  int st = item(&rb, 4, buf, sizeof buf);
  ok(st == MPIPOOL_ETASK &&
         strcmp(buf, "killed by signal 11 (Segmentation fault)") == 0,
     "a crash fails the item: '%s'", buf);
  mpipool__iso_run(&iso, &ctx, &rb, t_pid, NULL, NULL, 0, 0, NULL, NULL);
  memcpy(&pid2, rb.data.data + rb.data.len - sizeof pid2, sizeof pid2);
  ok(pid2 != pid1 && iso.children == 2,
     "the next item runs in a fresh child (%d)", pid2);

  mpipool__iso_run(&iso, &ctx, &rb, t_exit3, NULL, NULL, 0, 0, NULL, NULL);
  st = item(&rb, 6, buf, sizeof buf);
  ok(st == MPIPOOL_ETASK && strcmp(buf, "exited with status 3") == 0,
     "exit(3) fails the item: '%s'", buf);

  mpipool__iso_run(&iso, &ctx, &rb, t_sleep, NULL, NULL, 0, 0.3, NULL, NULL);
  st = item(&rb, 7, buf, sizeof buf);
  ok(st == MPIPOOL_ETIMEDOUT && strcmp(buf, "timed out after 0.3 s") == 0,
     "past its time limit: ETIMEDOUT, '%s'", buf);

  mpipool__iso_run(&iso, &ctx, &rb, t_sleep, NULL, NULL, 0, 0, cancel_at_3,
                   NULL);
  st = item(&rb, 8, buf, sizeof buf);
  ok(st == MPIPOOL_ETERMINATED && ask_count == 3,
     "cancelled: ETERMINATED after the 3rd ask (%d)", ask_count);

  mpipool__iso_run(&iso, &ctx, &rb, t_echo, NULL, "again", 5, 0, NULL, NULL);
  ok(item(&rb, 9, buf, sizeof buf) == 0 && strcmp(buf, "again") == 0,
     "and then items run again");
  /* A cancelled item's child gets TERM and 2 s to reply: a task that ends
   * on it is taken as it says; one that does not is killed. */
  ask_count = 0;
  mpipool__iso_run(&iso, &ctx, &rb, t_term_reply, NULL, NULL, 0, 0, cancel_at_3,
                   NULL);
  st = item(&rb, rb.count - 1, buf, sizeof buf);
  ok(st == 0 && strcmp(buf, "ended on TERM") == 0,
     "cancelled, a task that ends on TERM: its own result (%d, '%s')", st, buf);
  ask_count = 0;
  double t0 = mpipool__now();
  mpipool__iso_run(&iso, &ctx, &rb, t_deaf, NULL, NULL, 0, 0, cancel_at_3,
                   NULL);
  double took = mpipool__now() - t0;
  st = item(&rb, rb.count - 1, buf, sizeof buf);
  ok(st == MPIPOOL_ETERMINATED && took < 10,
     "cancelled, a task deaf to TERM: killed, ETERMINATED (%.1f s)", took);
  mpipool__iso_run(&iso, &ctx, &rb, t_echo, NULL, "again", 5, 0, NULL, NULL);
  ok(item(&rb, rb.count - 1, buf, sizeof buf) == 0 && strcmp(buf, "again") == 0,
     "and then items run again");
  pid_t last = iso.pid;
  mpipool__iso_stop(&iso);
  ok(iso.pid == 0 && iso.fd == -1 && kill(last, 0) != 0,
     "stop ends the child, reaped");
  mpipool__iso_stop(&iso);
  ok(1, "stop with no child: no-op");
  if (forker) {
    pid_t f = iso.forker.pid;
    /* A Ctrl-C or a job's end signals the whole process group: the forker
     * takes no notice (it dies with its caller), its children do. */
    kill(f, SIGINT);
    kill(f, SIGTERM);
    kill(f, SIGHUP);
    usleep(100000);
    ok(waitpid(f, NULL, WNOHANG) == 0, "the forker outlives INT, TERM, HUP");
    mpipool__iso_run(&iso, &ctx, &rb, t_ppid, NULL, NULL, 0, 0, NULL, NULL);
    ok(last_int(&rb) == (int)f && waitpid(iso.pid, NULL, WNOHANG) < 0,
       "the child is the forker's (%d), not this process's", last_int(&rb));
    kill(f, SIGKILL); /* its child dies with it */
    waitpid(f, NULL, 0);
    mpipool__iso_run(&iso, &ctx, &rb, t_echo, NULL, "x", 1, 0, NULL, NULL);
    ok(item(&rb, rb.count - 1, buf, sizeof buf) == MPIPOOL_ETASK,
       "the forker killed: the item its child ran fails ('%s')", buf);
    mpipool__iso_run(&iso, &ctx, &rb, t_ppid, NULL, NULL, 0, 0, NULL, NULL);
    ok(last_int(&rb) == (int)getpid() && iso.forker.pid == 0,
       "and the next runs in a child forked here");
  }
  mpipool__iso_run(&iso, &ctx, &rb, t_echo, NULL, "y", 1, 0, NULL, NULL);
  pid_t child = iso.pid;
  mpipool__iso_close(&iso);
  ok(child > 0 && iso.pid == 0 && iso.forker.pid == 0 && kill(child, 0) != 0,
     "close ends the child and the forker");
  mpipool__rbuild_free(&rb);
}

/* Whether process pid has a descriptor open on the file fd is open on
 * here (-1: cannot tell). */
static int holds(pid_t pid, int fd) {
  struct stat mine, st;
  char dir[64], path[400];
  if (fstat(fd, &mine) != 0)
    return -1;
  snprintf(dir, sizeof dir, "/proc/%ld/fd", (long)pid);
  DIR *d = opendir(dir);
  if (d == NULL)
    return -1;
  int found = 0;
  for (struct dirent *e; (e = readdir(d)) != NULL;) {
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    found |= e->d_name[0] != '.' && stat(path, &st) == 0 &&
             st.st_dev == mine.st_dev && st.st_ino == mine.st_ino;
  }
  closedir(d);
  return found;
}

/* Has forker f fork a child and end it: once it has answered, it is past
 * what it does as it starts (its closes run after the fork returned
 * here). */
static int answered(mpipool__forker_t *f) {
  pid_t pid;
  int fd, ws;
  if (mpipool__forker_fork(f, &pid, &fd) != 0)
    return 0;
  close(fd); /* the child sees its socket close and leaves */
  mpipool__forker_end(f, pid, 1, 2.0, &ws);
  return 1;
}

/* Three forkers: the second is told to shut the first's socket, the
 * third is not. */
static void shut(void) {
  mpipool_ctx_t ctx;
  mpipool__ctx_init(&ctx, 1);
  mpipool__iso_t a = MPIPOOL__ISO_INIT, b = MPIPOOL__ISO_INIT,
                 c = MPIPOOL__ISO_INIT;
  is_int(mpipool__iso_forker(&a, &ctx, NULL, 0), 0, "shut: the first forker");
  is_int(mpipool__iso_forker(&b, &ctx, &a.forker.fd, 1), 0,
         "shut: a second, told to shut the first's socket");
  is_int(mpipool__iso_forker(&c, &ctx, NULL, 0), 0, "shut: a third, not told");
  ok(answered(&b.forker) && answered(&c.forker), "shut: both answer");
  is_int(holds(b.forker.pid, a.forker.fd), 0,
         "the second holds no copy of the first's socket");
  is_int(holds(c.forker.pid, a.forker.fd), 1,
         "the third does (the check can fail)");
  is_int(holds(b.forker.pid, b.forker.fd), 0, "nor of its own caller's end");
  mpipool__iso_close(&c);
  double t0 = mpipool__now();
  mpipool__iso_close(&a);
  /* Its forker saw its socket close and left: no 2 s wait, no kill. */
  ok(mpipool__now() - t0 < 1.5, "the first ends at once (%.2f s)",
     mpipool__now() - t0);
  mpipool__iso_close(&b);
}

/* A forker forked while another's child runs holds copies of both
 * sockets (another pool's, made later): the first's child and forker
 * still end at once, told to, not waiting for their sockets to close
 * (2 s each, then SIGKILL). */
static void copies(void) {
  mpipool_ctx_t ctx;
  memset(&ctx, 0, sizeof ctx);
  mpipool__ctx_init(&ctx, 1);
  mpipool__rbuild_t rb = {0};
  mpipool__iso_t a = MPIPOOL__ISO_INIT, b = MPIPOOL__ISO_INIT;
  is_int(mpipool__iso_forker(&a, &ctx, NULL, 0), 0, "copies: a forker");
  mpipool__iso_run(&a, &ctx, &rb, t_pid, NULL, NULL, 0, 0, NULL, NULL);
  pid_t child = a.pid;
  is_int(mpipool__iso_forker(&b, &ctx, NULL, 0), 0,
         "copies: a second, forked while the first's child runs");
  ok(answered(&b.forker) && holds(b.forker.pid, a.forker.fd) == 1 &&
         holds(b.forker.pid, a.fd) == 1,
     "it holds both sockets of the first (the check can fail)");
  pid_t forker = a.forker.pid;
  double t0 = mpipool__now();
  mpipool__iso_close(&a);
  double took = mpipool__now() - t0;
  ok(took < 1.0, "the first's child and forker end at once (%.2f s)", took);
  ok(child > 0 && kill(child, 0) != 0 && kill(forker, 0) != 0, "both are gone");
  mpipool__iso_close(&b);
  mpipool__rbuild_free(&rb);
}

/* A child that waits for a signal, ignoring TERM if deaf; returned once
 * it is set so. */
static pid_t sleeper(int deaf) {
  int p[2];
  char c = 0;
  if (pipe(p) != 0)
    return -1;
  pid_t pid = fork();
  if (pid == 0) {
    if (deaf)
      signal(SIGTERM, SIG_IGN);
    if (write(p[1], &c, 1) != 1)
      _exit(1);
    for (;;)
      pause();
  }
  close(p[1]);
  if (pid > 0 && read(p[0], &c, 1) != 1)
    pid = -1;
  close(p[0]);
  return pid;
}

/* mpipool__reap: a child that ends on TERM, one deaf to it (KILL after
 * the grace), one that has exited already, one that ends by itself
 * within the grace. */
static void reaps(void) {
  int ws;
  pid_t pid = sleeper(0);
  mpipool__reap(pid, 1, 5.0, &ws);
  ok(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGTERM && kill(pid, 0) != 0,
     "reap: TERM ends a child, reaped");
  pid = sleeper(1);
  double t0 = mpipool__now();
  mpipool__reap(pid, 1, 0.3, &ws);
  double took = mpipool__now() - t0;
  ok(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL && took >= 0.3,
     "reap: one deaf to TERM is killed after the grace (%.2f s)", took);
  pid = fork();
  if (pid == 0)
    _exit(7);
  usleep(20000);
  mpipool__reap(pid, 0, 5.0, &ws);
  ok(WIFEXITED(ws) && WEXITSTATUS(ws) == 7, "reap: one that has exited");
  pid = fork();
  if (pid == 0) {
    usleep(200000);
    _exit(3);
  }
  mpipool__reap(pid, 0, 5.0, &ws);
  ok(WIFEXITED(ws) && WEXITSTATUS(ws) == 3,
     "reap: one that ends by itself within the grace");
}

int main(void) {
  reaps();
  items(0);
  items(1);
  shut();
  copies();
  return tap_done();
}
