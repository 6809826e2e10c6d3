/*
 * test_init_stall.c - telling a PMIx server that does not read its client
 * (init_stall.c): the table's text read as /proc/net/tcp writes it (the
 * client's end found by inode, the server's end by the two addresses
 * swapped, its receive queue), and the same live on a loopback
 * connection of this process whose other end reads, or never does (one
 * listening and never accepting, as MPIPOOL_FAULT_INIT=stall makes).
 */
#include "config.h"

#include "worker/init_stall.h"
#include "../tap.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define HEAD                                                                   \
  "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when "        \
  "retrnsmt   uid  timeout inode\n"
/* The client (inode 111) at port 0xA5B2 talks to a server at 0xBC13. */
#define CLIENT                                                                 \
  "   1: 0100007F:A5B2 0100007F:BC13 01 00000000:00000000 00:00000000 "        \
  "00000000     0        0 111 1 0000000000000000 20 4 30 10 -1\n"
#define SERVER(rx)                                                             \
  "   2: 0100007F:BC13 0100007F:A5B2 01 00000000:" rx " 00:00000000 "          \
  "00000000     0        0 222 1 0000000000000000 20 4 30 10 -1\n"
#define OTHER                                                                  \
  "   3: 0100007F:1F90 0100007F:C001 01 00000000:00000040 00:00000000 "        \
  "00000000     0        0 333 1 0000000000000000 20 4 30 10 -1\n"

/* A loopback connection: *client's end connected to a listening socket;
 * when accepted, *server is the other end (else -1). */
static int connect_loopback(int *listener, int *client, int *server,
                            int accept_it) {
  struct sockaddr_in sa;
  socklen_t len = sizeof sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  *listener = socket(AF_INET, SOCK_STREAM, 0);
  *client = socket(AF_INET, SOCK_STREAM, 0);
  *server = -1;
  if (*listener < 0 || *client < 0 ||
      bind(*listener, (struct sockaddr *)&sa, sizeof sa) != 0 ||
      listen(*listener, 4) != 0 ||
      getsockname(*listener, (struct sockaddr *)&sa, &len) != 0 ||
      connect(*client, (struct sockaddr *)&sa, sizeof sa) != 0)
    return -1;
  if (accept_it && (*server = accept(*listener, NULL, NULL)) < 0)
    return -1;
  return 0;
}

int main(void) {
  unsigned long client = 111, server = 222, none = 999;
  is_int(mpipool__init_stall_parse(HEAD CLIENT SERVER("00000002"), &client, 1),
         1, "the server's end holds 2 unread bytes: unread");
  is_int(mpipool__init_stall_parse(HEAD SERVER("00000002") CLIENT, &client, 1),
         1, "... whatever the order of the lines");
  is_int(mpipool__init_stall_parse(HEAD CLIENT SERVER("00000000") OTHER,
                                   &client, 1),
         0,
         "all read (another connection's unread bytes are not the client's)");
  is_int(mpipool__init_stall_parse(HEAD CLIENT, &client, 1), -1,
         "the other end not in the table (another host): not known");
  is_int(mpipool__init_stall_parse(HEAD CLIENT SERVER("00000002"), &none, 1),
         -1, "no socket of the process in the table: not known");
  is_int(mpipool__init_stall_parse(HEAD CLIENT SERVER("00000002"), &server, 1),
         0, "from the server's side, the client has read all it was sent");
  is_int(mpipool__init_stall_parse("", &client, 1), -1, "an empty table");
  is_int(mpipool__init_stall_parse(HEAD "garbage\n\n 9: x y\n", &client, 1), -1,
         "lines that are not entries are skipped");

  int l, c, s;
  ok(connect_loopback(&l, &c, &s, 1) == 0, "a loopback connection");
  is_int(mpipool__init_stall_unread(getpid()), 0,
         "live: nothing sent, nothing unread");
  ok(write(c, "hello", 5) == 5, "the client sends 5 bytes");
  usleep(20000);
  is_int(mpipool__init_stall_unread(getpid()), 1,
         "live: the server has not read them: unread");
  char buf[8];
  ok(read(s, buf, sizeof buf) == 5, "the server reads them");
  is_int(mpipool__init_stall_unread(getpid()), 0, "live: all read");
  close(s);
  close(c);
  close(l);

  ok(connect_loopback(&l, &c, &s, 0) == 0,
     "a connection to a socket that listens and never accepts");
  ok(write(c, "hello", 5) == 5, "the client sends 5 bytes");
  usleep(20000);
  is_int(mpipool__init_stall_unread(getpid()), 1,
         "live: never accepted, never read: unread");
  close(c);
  close(l);
  is_int(mpipool__init_stall_unread(getpid()), -1,
         "live: no connection left: not known");
  return tap_done();
}
