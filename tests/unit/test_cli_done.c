/*
 * test_cli_done.c - what a joblog says is done (cli/done.c): two bits a
 * task, and the check that the joblog's commands are the tasks', kept in
 * sums and for repeated lines only.
 */
#include "../tap.h"
#include "cli/alloc.h"
#include "cli/done.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Streams the commands cmds[0..n-1] (tasks 1..n) past d; the first line
 * cli_done_check named, or 0. */
static size_t stream(cli_done_t *d, const char *const *cmds, size_t n) {
  size_t first = 0;
  for (size_t i = 0; i < n; i++) {
    size_t l = cli_done_check(d, i + 1, cmds[i], strlen(cmds[i]));
    if (l && (first == 0 || l < first))
      first = l;
  }
  return first;
}

static void test_states(void) {
  cli_done_t *d;
  is_int(cli_done_create(&d, 9, 0), 0, "a set for 9 tasks");
  is_int((int)cli_done_count(d), 9, "its count");
  /* 9 tasks span three bytes of state: neighbours must not touch. */
  cli_done_add(d, 1, 1, "a", 1, 1);
  cli_done_add(d, 4, 0, "d", 1, 2);
  cli_done_add(d, 5, 0, "e", 1, 3);
  cli_done_add(d, 5, 1, "e", 1, 4);
  cli_done_add(d, 8, 1, "h", 1, 5);
  cli_done_add(d, 8, 0, "h", 1, 6);
  cli_done_add(d, 9, 0, "i", 1, 7);
  static const cli_job_state_t want[9] = {
      CLI_JOB_SUCCEEDED, CLI_JOB_UNSEEN,    CLI_JOB_UNSEEN,
      CLI_JOB_FAILED,    CLI_JOB_SUCCEEDED, CLI_JOB_UNSEEN,
      CLI_JOB_UNSEEN,    CLI_JOB_SUCCEEDED, CLI_JOB_FAILED};
  int same = 1;
  for (uint64_t s = 1; s <= 9; s++)
    same &= cli_done_state(d, s) == want[s - 1];
  ok(same, "states: failed then succeeded is succeeded, and the reverse");
  ok(cli_done_skips(d, 1, 0) && !cli_done_skips(d, 4, 0) &&
         cli_done_skips(d, 4, 1) && !cli_done_skips(d, 2, 1),
     "skips: succeeded always, failed with --resume only, unseen never");
  static const char *const cmds[9] = {"a", "b", "c", "d", "e",
                                      "f", "g", "h", "i"};
  is_int((int)stream(d, cmds, 9), 0, "the same commands: no line differs");
  ok(cli_done_matches(d), "and the joblog matches");
  cli_done_free(d);
  cli_done_free(NULL);
  ok(1, "free(NULL) is a no-op");
}

/* A joblog of tasks lines[i] (seq, command) checked against cmds. */
static int matches(const uint64_t *seqs, const char *const *lines, size_t nl,
                   const char *const *cmds, size_t n, int exact,
                   size_t *first) {
  cli_done_t *d;
  if (cli_done_create(&d, n, exact))
    exit(2);
  for (size_t i = 0; i < nl; i++)
    cli_done_add(d, seqs[i], 1, lines[i], strlen(lines[i]), i + 2);
  *first = stream(d, cmds, n);
  int m = cli_done_matches(d);
  cli_done_free(d);
  return m;
}

static void test_mismatch(void) {
  static const char *const cmds[4] = {"echo a", "echo b", "echo c", "echo d"};
  size_t first;
  uint64_t seqs[] = {3, 1, 4, 3};
  const char *same[] = {"echo c", "echo a", "echo d", "echo c"};
  ok(matches(seqs, same, 4, cmds, 4, 0, &first) && first == 0,
     "lines out of order, one repeated: they match");
  const char *other[] = {"echo c", "echo A", "echo d", "echo c"};
  ok(!matches(seqs, other, 4, cmds, 4, 0, &first),
     "a first line that differs: no match (by the sums)");
  const char *again[] = {"echo c", "echo a", "echo d", "echo x"};
  ok(!matches(seqs, again, 4, cmds, 4, 0, &first) && first == 5,
     "a repeated line that differs: no match, its line named (%zu)", first);
  uint64_t swapped_seqs[] = {1, 2};
  const char *swapped[] = {"echo b", "echo a"};
  ok(!matches(swapped_seqs, swapped, 2, cmds, 4, 0, &first),
     "two tasks' commands swapped: no match");
  const char *longer[] = {"echo a ", "echo b"};
  ok(!matches(swapped_seqs, longer, 2, cmds, 4, 0, &first),
     "a command with a byte more: no match");
  ok(!matches(seqs, other, 4, cmds, 4, 1, &first) && first == 3,
     "exact mode names the first line that differs (%zu)", first);
  uint64_t late[] = {4, 2};
  const char *two[] = {"echo D", "echo B"};
  ok(!matches(late, two, 2, cmds, 4, 1, &first) && first == 2,
     "exact mode: the lowest line, not the lowest task (%zu)", first);
}

/* A million tasks cost 250,000 bytes of state, and lines logged once cost
 * nothing more. */
static void test_memory(void) {
  long live = cli_alloc_live();
  cli_done_t *d;
  is_int(cli_done_create(&d, 1000000, 0), 0, "a set for a million tasks");
  for (uint64_t s = 1; s <= 1000000; s += 2)
    cli_done_add(d, s, 1, "x", 1, (size_t)s);
  is_int((int)(cli_alloc_live() - live), 2,
         "half of them logged once: still two blocks (the set, its bits)");
  cli_done_free(d);
  is_int((int)(cli_alloc_live() - live), 0, "all freed");
}

static void test_out_of_memory(void) {
  cli_done_t *d = NULL;
  cli_alloc_fail_at(1);
  int rc = cli_done_create(&d, 10, 0);
  cli_alloc_fail_at(0);
  is_int(rc, -1, "create: out of memory");
  cli_alloc_fail_at(2);
  rc = cli_done_create(&d, 10, 0);
  cli_alloc_fail_at(0);
  is_int(rc, -1, "create: out of memory for the bits");
  if (cli_done_create(&d, 10, 1))
    exit(2);
  cli_alloc_fail_at(1);
  rc = cli_done_add(d, 3, 1, "x", 1, 1);
  cli_alloc_fail_at(0);
  is_int(rc, -1, "add in exact mode: out of memory");
  cli_done_free(d);
}

int main(void) {
  test_states();
  test_mismatch();
  test_memory();
  test_out_of_memory();
  return tap_done();
}
