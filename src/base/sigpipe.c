/*
 * sigpipe.c - the master ignores SIGPIPE while it runs a pool (see
 * sigpipe.h).
 */
#include "sigpipe.h"

#include <pthread.h>
#include <signal.h>
#include <stddef.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int holds;
static int ours; /* the first hold set SIG_IGN */

int mpipool__sigpipe_hold(void) {
  struct sigaction now;
  int held = 0;
  pthread_mutex_lock(&lock);
  if (holds > 0) {
    held = 1;
  } else if (sigaction(SIGPIPE, NULL, &now) == 0) {
    held = 1;
    ours = 0;
    if (now.sa_handler == SIG_DFL && !(now.sa_flags & SA_SIGINFO)) {
      struct sigaction ign = {0};
      ign.sa_handler = SIG_IGN;
      sigemptyset(&ign.sa_mask);
      ours = sigaction(SIGPIPE, &ign, NULL) == 0;
    }
  }
  holds += held;
  pthread_mutex_unlock(&lock);
  return held;
}

void mpipool__sigpipe_release(void) {
  struct sigaction now;
  pthread_mutex_lock(&lock);
  if (holds > 0 && --holds == 0 && ours) {
    ours = 0;
    if (sigaction(SIGPIPE, NULL, &now) == 0 && now.sa_handler == SIG_IGN &&
        !(now.sa_flags & SA_SIGINFO)) {
      struct sigaction dfl = {0};
      dfl.sa_handler = SIG_DFL;
      sigemptyset(&dfl.sa_mask);
      sigaction(SIGPIPE, &dfl, NULL);
    }
  }
  pthread_mutex_unlock(&lock);
}
