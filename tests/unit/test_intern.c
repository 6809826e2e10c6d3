/*
 * test_intern.c - the string set (intern.c): equal strings share one
 * copy, different ones do not, and copies survive the set's growth.
 */
#include "config.h"

#include "engine/intern.h"
#include "../tap.h"

#include <stdio.h>
#include <string.h>

int main(void) {
  mpipool__intern_t t = {0};
  char buf[32];
  const char *a = mpipool__intern(&t, "node-a");
  snprintf(buf, sizeof buf, "node-%c", 'a');
  ok(a && strcmp(a, "node-a") == 0 && a != buf, "a copy");
  ok(mpipool__intern(&t, buf) == a, "an equal string: the same copy");
  ok(mpipool__intern(&t, "node-b") != a, "another string: another copy");
  ok(mpipool__intern(&t, "") != NULL, "the empty string");
  int bad = 0;
  for (int i = 0; i < 1000; i++) {
    snprintf(buf, sizeof buf, "core %d (PU %d)", i, i);
    const char *s = mpipool__intern(&t, buf);
    if (s == NULL || strcmp(s, buf) != 0)
      bad++;
  }
  is_int(bad, 0, "1000 strings interned");
  ok(mpipool__intern(&t, "node-a") == a, "the first copy survives growth");
  is_int(t.count, 1003, "1003 distinct strings kept");
  mpipool__intern_free(&t);
  ok(t.count == 0 && t.slots == NULL, "freed");
  return tap_done();
}
