/*
 * test_text.c - formatting with known outcomes (text.c): text that fits,
 * text cut visibly ("..."), buffers of 1 to 4 bytes, allocated text of
 * any length.
 */
#include "config.h"

#include "base/text.h"
#include "../tap.h"

#include <stdlib.h>
#include <string.h>

int main(void) {
  char buf[16];
  is_int(mpipool__fmt(buf, sizeof buf, "%s %d", "abc", 42), 0, "fits: 0");
  ok(strcmp(buf, "abc 42") == 0, "fits: the text");
  is_int(mpipool__fmt(buf, 7, "%s", "abcdef"), 0, "exactly fits: 0");
  ok(strcmp(buf, "abcdef") == 0, "exactly fits: the text");
  is_int(mpipool__fmt(buf, 7, "%s", "abcdefg"), 1, "a byte too long: 1");
  ok(strcmp(buf, "abc...") == 0, "cut, marked: %s", buf);
  is_int(mpipool__fmt(buf, 4, "%s", "abcdefg"), 1, "4 bytes: cut");
  ok(strcmp(buf, "...") == 0, "4 bytes: \"...\"");
  is_int(mpipool__fmt(buf, 2, "%s", "abcdefg"), 1, "2 bytes: cut");
  ok(strcmp(buf, ".") == 0, "2 bytes: \".\"");
  is_int(mpipool__fmt(buf, 1, "%s", "abcdefg"), 1, "1 byte: cut");
  ok(buf[0] == '\0', "1 byte: empty, terminated");
  char *s = mpipool__afmt("%s-%0500d", "host", 7);
  ok(s && strlen(s) == 505 && strncmp(s, "host-000", 8) == 0 && s[504] == '7',
     "afmt: 505 characters, whole");
  free(s);
  s = mpipool__strdup("copy");
  ok(s && strcmp(s, "copy") == 0, "strdup");
  free(s);
  ok(mpipool__strdup(NULL) == NULL, "strdup(NULL): NULL");
  return tap_done();
}
