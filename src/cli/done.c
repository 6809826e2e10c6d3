/*
 * done.c - the tasks a joblog says are done, and the check that its
 * commands are the tasks' (see done.h).
 */
#include "done.h"
#include "alloc.h"

#include <stdlib.h>
#include <string.h>

/* A joblog line kept for the check: its task, its digest, its number. */
typedef struct {
  uint64_t seq, digest;
  size_t line;
} kept_t;

struct cli_done {
  uint64_t n;
  unsigned char *bits; /* 2 bits a task: a cli_job_state_t */
  int exact;
  uint64_t log_sum, task_sum;
  kept_t *kept;
  size_t nkept, cap, next; /* next: the first kept line not yet compared */
  int sorted;
  int differs; /* a kept line differed from its task */
};

/* splitmix64's finalizer: every input bit moves every output bit. */
static uint64_t mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/* The digest of task seq's command: FNV-1a over its bytes, then mixed
 * with seq, so that two tasks' commands swapped do not cancel out. */
static uint64_t digest(uint64_t seq, const char *cmd, size_t len) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < len; i++) {
    h ^= (unsigned char)cmd[i];
    h *= 0x100000001b3ULL;
  }
  return mix(h ^ mix(seq + len));
}

int cli_done_create(cli_done_t **out, uint64_t n, int exact) {
  cli_done_t *d = cli_calloc(1, sizeof *d);
  if (d == NULL || (d->bits = cli_calloc(n / 4 + 1, 1)) == NULL) {
    cli_free(d);
    return -1;
  }
  d->n = n;
  d->exact = exact;
  *out = d;
  return 0;
}

uint64_t cli_done_count(const cli_done_t *d) { return d->n; }

cli_job_state_t cli_done_state(const cli_done_t *d, uint64_t seq) {
  uint64_t i = seq - 1;
  return (cli_job_state_t)(d->bits[i / 4] >> (i % 4 * 2) & 3);
}

static void set_state(cli_done_t *d, uint64_t seq, cli_job_state_t s) {
  uint64_t i = seq - 1;
  unsigned shift = (unsigned)(i % 4 * 2);
  d->bits[i / 4] =
      (unsigned char)((d->bits[i / 4] & ~(3u << shift)) | (unsigned)s << shift);
}

int cli_done_skips(const cli_done_t *d, uint64_t seq, int skip_failed) {
  cli_job_state_t s = cli_done_state(d, seq);
  return s == CLI_JOB_SUCCEEDED || (s == CLI_JOB_FAILED && skip_failed);
}

int cli_done_add(cli_done_t *d, uint64_t seq, int succeeded, const char *cmd,
                 size_t len, size_t line) {
  cli_job_state_t was = cli_done_state(d, seq);
  uint64_t h = digest(seq, cmd, len);
  if (was == CLI_JOB_UNSEEN && !d->exact) {
    d->log_sum += h;
  } else {
    if (cli_grow((void **)&d->kept, &d->cap, d->nkept + 1, sizeof *d->kept))
      return -1;
    d->kept[d->nkept++] = (kept_t){seq, h, line};
    d->sorted = 0;
  }
  if (succeeded)
    set_state(d, seq, CLI_JOB_SUCCEEDED);
  else if (was != CLI_JOB_SUCCEEDED)
    set_state(d, seq, CLI_JOB_FAILED);
  return 0;
}

static int by_seq_then_line(const void *a, const void *b) {
  const kept_t *x = a, *y = b;
  if (x->seq != y->seq)
    return x->seq < y->seq ? -1 : 1;
  return x->line < y->line ? -1 : x->line > y->line;
}

size_t cli_done_check(cli_done_t *d, uint64_t seq, const char *cmd,
                      size_t len) {
  if (cli_done_state(d, seq) == CLI_JOB_UNSEEN)
    return 0;
  if (!d->sorted) {
    if (d->nkept > 1) /* (qsort's array may not be NULL, even empty) */
      qsort(d->kept, d->nkept, sizeof *d->kept, by_seq_then_line);
    d->sorted = 1;
    d->next = 0;
  }
  uint64_t h = digest(seq, cmd, len);
  if (!d->exact)
    d->task_sum += h;
  size_t differs = 0;
  while (d->next < d->nkept && d->kept[d->next].seq < seq)
    d->next++;
  for (; d->next < d->nkept && d->kept[d->next].seq == seq; d->next++)
    if (d->kept[d->next].digest != h && differs == 0)
      differs = d->kept[d->next].line;
  d->differs |= differs != 0;
  return differs;
}

int cli_done_matches(const cli_done_t *d) {
  return !d->differs && d->log_sum == d->task_sum;
}

void cli_done_free(cli_done_t *d) {
  if (d == NULL)
    return;
  cli_free(d->bits);
  cli_free(d->kept);
  cli_free(d);
}
