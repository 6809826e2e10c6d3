/*
 * test_cli_taskmsg.c - the task and result messages between the program's
 * master and workers (cli/taskmsg.c); no MPI.
 */
#include "../tap.h"
#include "../cli_helpers.h"
#include "cli/taskmsg.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define ERRLEN 512

static void test_taskmsg(void) {
  void *m = NULL;
  size_t len = 0, hdr;
  cli_taskmsg_t t = {0}, d;

  /* The header alone: an empty command. */
  is_int(cli_taskmsg_encode(&t, &m, &len), 0, "encode an empty command");
  hdr = len;
  ok(hdr >= sizeof(uint64_t) + sizeof(double), "header holds seq and timeout");
  memset(&d, 0xa5, sizeof d);
  is_int(cli_taskmsg_decode(m, len, &d), 0, "decode an empty command");
  ok(d.seq == 0 && d.timeout == 0 && d.cmd_len == 0, "empty command back");
  int all = 1;
  for (size_t n = 0; n < hdr; n++)
    if (cli_taskmsg_decode(m, n, &d) != -1) {
      printf("#   a task of %zu bytes (header %zu) was accepted\n", n, hdr);
      all = 0;
    }
  ok(all, "every length shorter than the header is rejected");
  is_int(cli_taskmsg_decode(NULL, 0, &d), -1, "NULL message rejected");
  free(m);

  const char cmd[] = "echo 'a b' && ls -l | wc -l";
  t = (cli_taskmsg_t){42, 2.5, cmd, strlen(cmd)};
  is_int(cli_taskmsg_encode(&t, &m, &len), 0, "encode a command");
  is_int(len, hdr + strlen(cmd), "size: header + command");
  is_int(cli_taskmsg_decode(m, len, &d), 0, "decode it");
  ok(d.seq == 42 && d.timeout == 2.5 && d.cmd_len == strlen(cmd) &&
         memcmp(d.cmd, cmd, d.cmd_len) == 0,
     "round trip: seq, timeout, command");
  ok(d.cmd == (const char *)m + hdr, "the command is borrowed from the msg");
  /* Decoding a copy at an odd address (no alignment needed). */
  char *odd = malloc(len + 1);
  memcpy(odd + 1, m, len);
  ok(cli_taskmsg_decode(odd + 1, len, &d) == 0 && d.seq == 42 &&
         d.timeout == 2.5 && memcmp(d.cmd, cmd, d.cmd_len) == 0,
     "decode at an unaligned address");
  /* Shorter: still a task (the command is what is left). */
  ok(cli_taskmsg_decode(m, len - 3, &d) == 0 && d.cmd_len == strlen(cmd) - 3,
     "a shorter message has a shorter command");
  free(odd);
  free(m);

  const char bin[] = {'a', '\0', 'b', '\n', '\xff'};
  t = (cli_taskmsg_t){UINT64_MAX, 1e9, bin, sizeof bin};
  ok(cli_taskmsg_encode(&t, &m, &len) == 0 &&
         cli_taskmsg_decode(m, len, &d) == 0 && d.seq == UINT64_MAX &&
         d.timeout == 1e9 && d.cmd_len == sizeof bin &&
         memcmp(d.cmd, bin, sizeof bin) == 0,
     "round trip: seq UINT64_MAX, binary command bytes");
  free(m);

  /* Results. */
  cli_resultmsg_t r, back;
  memset(&r, 0, sizeof r);
  size_t rhdr = cli_resultmsg_size(&r);
  ok(rhdr >= 2 * sizeof(double) + 1, "result header holds times and host");
  char *buf = malloc(rhdr);
  cli_resultmsg_encode(&r, buf);
  memset(&back, 0xa5, sizeof back);
  is_int(cli_resultmsg_decode(buf, rhdr, &back), 0, "decode empty outputs");
  ok(back.out_len == 0 && back.err_len == 0 && back.exitval == 0 &&
         back.signal == 0 && back.timed_out == 0 && back.cancelled == 0 &&
         back.host[0] == '\0',
     "empty result back");
  all = 1;
  for (size_t n = 0; n < rhdr; n++)
    if (cli_resultmsg_decode(buf, n, &back) != -1) {
      printf("#   a result of %zu bytes (header %zu) was accepted\n", n, rhdr);
      all = 0;
    }
  ok(all, "every result length shorter than the header is rejected");
  is_int(cli_resultmsg_decode(NULL, 0, &back), -1, "NULL result rejected");
  is_int(cli_resultmsg_decode(buf, rhdr + 1, &back), -1,
         "a byte more than the lengths say is rejected");
  free(buf);

  r.exitval = 3;
  r.signal = 0;
  r.start = 1700000000.25;
  r.runtime = 1.5;
  r.host = "node01";
  r.out = "hello\n";
  r.out_len = 6;
  r.err = "warn\n";
  r.err_len = 5;
  size_t sz = cli_resultmsg_size(&r);
  is_int(sz, rhdr + 6 + 11, "result size: header + host + stdout + stderr");
  buf = malloc(sz);
  cli_resultmsg_encode(&r, buf);
  memset(&back, 0, sizeof back);
  is_int(cli_resultmsg_decode(buf, sz, &back), 0, "decode a result");
  ok(back.exitval == 3 && back.signal == 0 && back.timed_out == 0 &&
         back.cancelled == 0 && back.start == 1700000000.25 &&
         back.runtime == 1.5 && strcmp(back.host, "node01") == 0,
     "round trip: exit value, times, host");
  ok(back.out_len == 6 && memcmp(back.out, "hello\n", 6) == 0 &&
         back.err_len == 5 && memcmp(back.err, "warn\n", 5) == 0,
     "round trip: stdout and stderr");
  ok((const char *)back.out == buf + rhdr + 6 &&
         (const char *)back.err == buf + rhdr + 12,
     "outputs are borrowed from the message");
  is_int(cli_resultmsg_decode(buf, sz - 1, &back), -1,
         "a byte short of the lengths is rejected");
  is_int(cli_resultmsg_decode(buf, rhdr + 12, &back), -1,
         "stderr missing is rejected");
  is_int(cli_resultmsg_decode(buf, rhdr + 9, &back), -1,
         "stdout cut is rejected");
  is_int(cli_resultmsg_decode(buf, rhdr + 3, &back), -1,
         "host cut is rejected");
  char *odd2 = malloc(sz + 1);
  memcpy(odd2 + 1, buf, sz);
  ok(cli_resultmsg_decode(odd2 + 1, sz, &back) == 0 && back.exitval == 3 &&
         back.out_len == 6 && memcmp(back.err, "warn\n", 5) == 0,
     "decode a result at an unaligned address");
  free(odd2);
  free(buf);

  /* Killed by a signal, timed out, cancelled, a host of 200 chars. */
  char longhost[201];
  memset(longhost, 'h', 200);
  longhost[200] = '\0';
  longhost[199] = 'z';
  memset(&r, 0, sizeof r);
  r.exitval = -1;
  r.signal = 9;
  r.timed_out = 1;
  r.cancelled = 1;
  r.host = longhost;
  r.err = "x";
  r.err_len = 1;
  sz = cli_resultmsg_size(&r);
  buf = malloc(sz);
  cli_resultmsg_encode(&r, buf);
  ok(cli_resultmsg_decode(buf, sz, &back) == 0 && back.exitval == -1 &&
         back.signal == 9 && back.timed_out == 1 && back.cancelled == 1 &&
         back.out_len == 0 && back.err_len == 1,
     "round trip: exitval -1, signal 9, timed out, cancelled, stdout empty");
  ok(strcmp(back.host, longhost) == 0, "a 200-character host comes back whole");
  free(buf);

  /* An output too large to come back: its sizes, no bytes. */
  memset(&r, 0, sizeof r);
  r.host = "h";
  r.out_lost = 2200000000ull;
  r.err_lost = 5;
  sz = cli_resultmsg_size(&r);
  is_int(sz, rhdr + 1, "lost output: header and host only");
  buf = malloc(sz + 1);
  cli_resultmsg_encode(&r, buf);
  ok(cli_resultmsg_decode(buf, sz, &back) == 0 &&
         back.out_lost == 2200000000ull && back.err_lost == 5 &&
         back.out_len == 0 && back.err_len == 0,
     "round trip: the sizes of an output lost");
  buf[sz] = 'x';
  is_int(cli_resultmsg_decode(buf, sz + 1, &back), -1,
         "an output said lost that comes with bytes is rejected");
  free(buf);

  /* 1 MiB of stdout and of stderr. */
  size_t big = (size_t)1 << 20;
  char *o1 = malloc(big), *e1 = malloc(big);
  for (size_t i = 0; i < big; i++) {
    o1[i] = (char)(i * 7 + 1);
    e1[i] = (char)(i * 13 + 5);
  }
  memset(&r, 0, sizeof r);
  r.exitval = 0;
  r.out = o1;
  r.out_len = big;
  r.err = e1;
  r.err_len = big;
  r.host = "big";
  sz = cli_resultmsg_size(&r);
  is_int(sz, rhdr + 3 + 2 * big, "1 MiB + 1 MiB result size");
  buf = malloc(sz);
  cli_resultmsg_encode(&r, buf);
  ok(cli_resultmsg_decode(buf, sz, &back) == 0 && back.out_len == big &&
         back.err_len == big && memcmp(back.out, o1, big) == 0 &&
         memcmp(back.err, e1, big) == 0 && strcmp(back.host, "big") == 0,
     "round trip: 1 MiB stdout and 1 MiB stderr");
  is_int(cli_resultmsg_decode(buf, sz - big, &back), -1,
         "1 MiB result missing its stderr is rejected");
  free(buf);
  free(o1);
  free(e1);

  /* Inconsistent lengths in the header itself: find the stdout length
   * (100, a value nothing else in this header has) and make it huge. */
  char payload[100];
  memset(payload, 'p', sizeof payload);
  for (int which = 0; which < 2; which++) {
    memset(&r, 0, sizeof r);
    r.exitval = 7;
    r.start = 0.5;
    r.runtime = 0.25;
    r.host = "n";
    if (which == 0) {
      r.out = payload;
      r.out_len = sizeof payload;
    } else {
      r.err = payload;
      r.err_len = sizeof payload;
    }
    sz = cli_resultmsg_size(&r);
    buf = malloc(sz);
    cli_resultmsg_encode(&r, buf);
    size_t at = 0, found = 0;
    for (size_t off = 0; off + 8 <= rhdr; off++) {
      uint64_t v;
      memcpy(&v, buf + off, 8);
      if (v == 100) {
        at = off;
        found++;
      }
    }
    if (found == 1) {
      uint64_t huge = UINT64_MAX;
      memcpy(buf + at, &huge, 8);
      is_int(cli_resultmsg_decode(buf, sz, &back), -1,
             which ? "stderr length UINT64_MAX is rejected"
                   : "stdout length UINT64_MAX is rejected");
      huge = UINT64_MAX - 50;
      memcpy(buf + at, &huge, 8);
      is_int(cli_resultmsg_decode(buf, sz, &back), -1,
             which ? "stderr length that wraps around is rejected"
                   : "stdout length that wraps around is rejected");
    } else {
      ok(0, "cannot find the length field in the result header (%zu)", found);
    }
    free(buf);
  }
}

int main(void) {
  test_taskmsg();
  return tap_done();
}
