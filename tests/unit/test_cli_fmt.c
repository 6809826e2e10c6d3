/*
 * test_cli_fmt.c - the program's formatting (cli/fmt.c): text that fits,
 * text cut visibly ("..."), appending, buffers of 1 to 4 bytes, allocated
 * text of any length.
 */
#include "../tap.h"
#include "cli/alloc.h"
#include "cli/fmt.h"

#include <string.h>

int main(void) {
  char buf[16];
  is_int(cli_fmt(buf, sizeof buf, "%s %d", "abc", 42), 0, "fits: 0");
  ok(strcmp(buf, "abc 42") == 0, "fits: the text");
  is_int(cli_fmt(buf, 7, "%s", "abcdefg"), 1, "a byte too long: 1");
  ok(strcmp(buf, "abc...") == 0, "cut, marked: %s", buf);
  is_int(cli_fmt(buf, 4, "%s", "abcdefg"), 1, "4 bytes: cut");
  ok(strcmp(buf, "...") == 0, "4 bytes: \"...\"");
  is_int(cli_fmt(buf, 1, "%s", "abcdefg"), 1, "1 byte: cut");
  ok(buf[0] == '\0', "1 byte: empty, terminated");
  static const struct {
    unsigned long long n;
    const char *want;
  } sizes[] = {{0, "0 B"},
               {999, "999 B"},
               {1000, "1.0 kB"},
               {1500, "1.5 kB"},
               {999949, "999.9 kB"},
               {999950, "1.0 MB"},
               {200000000, "200.0 MB"},
               {2200000000ull, "2.2 GB"},
               {18446744073709551615ull, "18.4 EB"}};
  for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
    cli_fmt_size(buf, sizeof buf, sizes[i].n);
    ok(strcmp(buf, sizes[i].want) == 0, "size %llu: %s", sizes[i].n, buf);
  }
  cli_fmt(buf, sizeof buf, "a");
  is_int(cli_fmt_append(buf, sizeof buf, "%s", "bc"), 0, "append: fits");
  ok(strcmp(buf, "abc") == 0, "append: abc");
  is_int(cli_fmt_append(buf, sizeof buf, "%s", "defghijklmnopq"), 1,
         "append: too long");
  ok(strcmp(buf, "abcdefghijkl...") == 0 && strlen(buf) == 15,
     "append: the whole buffer cut and marked: %s", buf);
  is_int(cli_fmt_append(buf, sizeof buf, "x"), 1, "append to a full buffer");
  ok(strcmp(buf, "abcdefghijkl...") == 0, "still marked");
  long live = cli_alloc_live();
  char *s = cli_afmt("%s-%0500d", "host", 7);
  ok(s && strlen(s) == 505 && s[504] == '7', "afmt: 505 characters, whole");
  cli_free(s);
  cli_alloc_fail_at(1);
  ok(cli_afmt("x") == NULL, "afmt out of memory: NULL");
  is_int(cli_alloc_live(), live, "nothing left allocated");
  return tap_done();
}
