/*
 * test_cli_lines.c - reading lines (cli/lines.c): lines of any length,
 * with or without a last newline, NUL bytes kept, the end, out of memory.
 */
#include "../helpers.h"
#include "../tap.h"
#include "cli/alloc.h"
#include "cli/lines.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
  const char text[] = "one\n\ntwo\0x\nlast";
  FILE *f = test_stream(text, sizeof text - 1);
  char *buf = NULL;
  size_t cap = 0;
  long live = cli_alloc_live();
  ok(cli_getline(&buf, &cap, f) == 4 && strcmp(buf, "one\n") == 0,
     "a line with its newline");
  ok(cli_getline(&buf, &cap, f) == 1 && strcmp(buf, "\n") == 0,
     "an empty line");
  ok(cli_getline(&buf, &cap, f) == 6 && memcmp(buf, "two\0x\n", 6) == 0,
     "a NUL byte inside is kept and counted");
  ok(cli_getline(&buf, &cap, f) == 4 && strcmp(buf, "last") == 0,
     "a last line without its newline");
  ok(cli_getline(&buf, &cap, f) == -1 && feof(f) && !ferror(f),
     "then the end: -1");
  fclose(f);
  size_t n = 100000;
  char *big = malloc(n + 1);
  memset(big, 'b', n);
  big[n] = '\n';
  f = test_stream(big, n + 1);
  ok(cli_getline(&buf, &cap, f) == (ssize_t)n + 1 && buf[n - 1] == 'b' &&
         buf[n] == '\n' && cap >= n + 2,
     "a line of 100,000 bytes, whole");
  fclose(f);
  cli_free(buf);
  buf = NULL;
  cap = 0;
  f = test_stream(big, n + 1);
  cli_alloc_fail_at(3);
  errno = 0;
  ok(cli_getline(&buf, &cap, f) == -1 && errno == ENOMEM && !feof(f),
     "out of memory while the buffer grows: -1, errno ENOMEM");
  cli_alloc_fail_at(0);
  fclose(f);
  /* cli_getline_said: lines as cli_getline, -1 at the end, -2 with the
   * file and line named when reading fails. */
  char err[256] = "";
  f = test_stream("a\nb\n", 4);
  ok(cli_getline_said(&buf, &cap, f, "x.txt", 0, err, sizeof err) == 2 &&
         cli_getline_said(&buf, &cap, f, "x.txt", 1, err, sizeof err) == 2 &&
         cli_getline_said(&buf, &cap, f, "x.txt", 2, err, sizeof err) == -1 &&
         err[0] == '\0',
     "said: two lines, then -1 at the end, nothing said");
  fclose(f);
  f = test_stream(big, n + 1);
  cli_alloc_fail_at(1);
  ok(cli_getline_said(&buf, &cap, f, "x.txt", 6, err, sizeof err) == -2 &&
         strcmp(err, "x.txt:7: out of memory") == 0,
     "said: out of memory is -2, \"%s\"", err);
  cli_alloc_fail_at(0);
  fclose(f);
  f = fopen(".", "r"); /* a directory: reading it fails (EISDIR) */
  if (f != NULL) {
    ok(cli_getline_said(&buf, &cap, f, "dir", 0, err, sizeof err) == -2 &&
           strncmp(err, "dir:1: ", 7) == 0,
       "said: a read error is -2, \"%s\"", err);
    fclose(f);
  }
  free(big);
  cli_free(buf);
  is_int(cli_alloc_live(), live, "nothing left allocated");
  return tap_done();
}
