/*
 * test_sigpipe.c - the master ignores SIGPIPE while it runs a pool
 * (sigpipe.c): the first hold ignores it where the program left the
 * default, the last release gives the default back; a program's own
 * disposition is kept, and one it set meanwhile is not undone; a write to
 * a closed pipe then fails with EPIPE instead of ending the process.
 */
#include "config.h"

#include "base/sigpipe.h"
#include "../helpers.h"
#include "../tap.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static void set(void (*handler)(int)) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = handler;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGPIPE, &sa, NULL);
}

static void (*now(void))(int) {
  struct sigaction sa;
  sigaction(SIGPIPE, NULL, &sa);
  return sa.sa_handler;
}

static volatile sig_atomic_t caught;
static void on_pipe(int sig) { caught = sig; }

int main(void) {
  set(SIG_DFL);
  ok(mpipool__sigpipe_hold() == 1, "a hold is taken");
  ok(now() == SIG_IGN, "... and SIGPIPE, at its default, is ignored");
  is_int(test_write_closed_pipe(), EPIPE,
         "a write to a closed pipe fails with EPIPE, the process lives");
  ok(mpipool__sigpipe_hold() == 1, "a second hold (a second pool)");
  mpipool__sigpipe_release();
  ok(now() == SIG_IGN, "its release leaves SIGPIPE ignored: one hold is left");
  mpipool__sigpipe_release();
  ok(now() == SIG_DFL, "the last release gives the default back");

  set(on_pipe);
  ok(mpipool__sigpipe_hold() == 1, "a hold, with the program's handler set");
  ok(now() == on_pipe, "... keeps the program's handler");
  test_write_closed_pipe();
  is_int(caught, SIGPIPE, "... which still runs");
  mpipool__sigpipe_release();
  ok(now() == on_pipe, "its release leaves the program's handler");

  set(SIG_IGN);
  mpipool__sigpipe_hold();
  mpipool__sigpipe_release();
  ok(now() == SIG_IGN, "a program's SIG_IGN is kept after the release");

  set(SIG_DFL);
  mpipool__sigpipe_hold();
  set(on_pipe);
  mpipool__sigpipe_release();
  ok(now() == on_pipe,
     "a handler the program set while held is not undone by the release");
  set(SIG_DFL);
  return tap_done();
}
