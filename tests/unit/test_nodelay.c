/*
 * test_nodelay.c - TCP_NODELAY on the loopback connections opened between
 * a note and the call (nodelay.c): set on those, never on the program's
 * own sockets noted before, nor on any when the note overflowed.
 */
#include "config.h"

#include "placement/nodelay.h"
#include "../helpers.h"
#include "../tap.h"

int main(void) {
  mpipool__sockets_t before;
  int own[2], late[2];
  if (test_loopback_pair(own) != 0) {
    ok(0, "a loopback TCP connection");
    return tap_done();
  }
  mpipool__sockets_note(&before);
  ok(before.n >= 2, "the program's own connection is noted (both ends)");
  if (test_loopback_pair(late) != 0) {
    ok(0, "a second loopback TCP connection");
    return tap_done();
  }
  is_int(test_nodelay(late[0]), 0, "a new connection starts with Nagle on");
  is_int((int)mpipool__sockets_nodelay(&before), 2,
         "both ends of the connection opened after the note are set");
  is_int(test_nodelay(late[0]) + test_nodelay(late[1]), 2,
         "they have TCP_NODELAY");
  is_int(test_nodelay(own[0]) + test_nodelay(own[1]), 0,
         "the program's own connection is left as it was");

  mpipool__sockets_t full = before;
  full.n = MPIPOOL__NODELAY_NOTED + 1;
  int other[2];
  if (test_loopback_pair(other) == 0) {
    is_int((int)mpipool__sockets_nodelay(&full), 0,
           "more sockets than could be noted: none is touched");
    is_int(test_nodelay(other[0]), 0, "a new connection then keeps Nagle");
    close(other[0]);
    close(other[1]);
  }
  mpipool__sockets_t none = {0};
  int pipefd[2];
  if (pipe(pipefd) == 0) {
    is_int((int)mpipool__sockets_nodelay(&none), 4,
           "a pipe is no socket: only the four TCP ends count");
    close(pipefd[0]);
    close(pipefd[1]);
  }
  close(own[0]);
  close(own[1]);
  close(late[0]);
  close(late[1]);
  return tap_done();
}
