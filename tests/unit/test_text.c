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
#include <unistd.h>

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

  /* read_file: a file of 10,000 bytes (more than one read), one of
   * /proc (size 0 to stat), an empty one, and none. */
  char path[] = "/tmp/mpipool-test-text-XXXXXX";
  int fd = mkstemp(path);
  char big[10000];
  for (size_t i = 0; i < sizeof big; i++)
    big[i] = (char)('a' + i % 26);
  ok(fd >= 0 && write(fd, big, sizeof big) == (ssize_t)sizeof big,
     "a file of 10000 bytes");
  size_t len = 0;
  s = mpipool__read_file(path, &len);
  ok(s && len == sizeof big && memcmp(s, big, len) == 0 && s[len] == '\0',
     "read_file: all 10000 bytes, then a '\\0'");
  free(s);
  ok(ftruncate(fd, 0) == 0, "emptied");
  s = mpipool__read_file(path, &len);
  ok(s && len == 0 && s[0] == '\0', "read_file of an empty file: \"\"");
  free(s);
  close(fd);
  unlink(path);
  s = mpipool__read_file("/proc/self/status", NULL);
  ok(s && strncmp(s, "Name:", 5) == 0 && strstr(s, "\nPid:"),
     "read_file of /proc/self/status (no length asked)");
  free(s);
  ok(mpipool__read_file(path, &len) == NULL, "read_file of no file: NULL");
  return tap_done();
}
