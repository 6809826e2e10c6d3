/*
 * journal_prog.c - a journaled map for tests/cli/journal.sh to kill and
 * rerun:
 *
 *   journal_prog JOURNAL LEDGER ITEMS MS [CHUNKSIZE [imap]]
 *
 * maps task "work" over 0..ITEMS-1 with the journal JOURNAL: each run of
 * an item appends "ITEM\n" to LEDGER (the proof of what ran, and how
 * often) and sleeps MS ms; its result is ITEM * ITEM + 1.  The master
 * writes its pid to LEDGER.pid once the pool started, then prints
 * "ITEM VALUE" per item in input order and "done".  Exit status: 0, 3 when
 * the journal is refused (EJOURNAL), 1 on any other failure.
 */
#include <mpipool.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *ledger;
static int ms;

static int t_work(mpipool_ctx_t *ctx, const void *in, size_t size) {
  int x;
  char line[32];
  if (size != sizeof x)
    return mpipool_ctx_fail(ctx, "bad size");
  memcpy(&x, in, sizeof x);
  int fd = open(ledger, O_WRONLY | O_APPEND | O_CREAT, 0644);
  int n = snprintf(line, sizeof line, "%d\n", x);
  if (fd < 0 || write(fd, line, (size_t)n) != n)
    return mpipool_ctx_fail(ctx, "cannot write the ledger %s", ledger);
  close(fd);
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
  long long y = (long long)x * x + 1;
  return mpipool_ctx_set_output(ctx, &y, sizeof y);
}

static long long *values;

static void on_item(size_t i, int status, const void *data, size_t size,
                    void *arg) {
  (void)arg;
  if (status == 0 && size == sizeof *values)
    memcpy(&values[i], data, size);
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: journal_prog JOURNAL LEDGER ITEMS MS "
                    "[CHUNKSIZE [imap]]\n");
    return 2;
  }
  ledger = argv[2];
  int n = atoi(argv[3]);
  ms = atoi(argv[4]);
  size_t chunksize = argc > 5 ? (size_t)atoi(argv[5]) : 1;
  int imap = argc > 6 && strcmp(argv[6], "imap") == 0;
  mpipool_t *pool;
  mpipool_create(&pool);
  mpipool_register(pool, "work", t_work, NULL);
  mpipool_set_processes(pool, 2);
  mpipool_set_journal(pool, argv[1]);
  if (mpipool_start(pool) != 0)
    return 1;
  char pidfile[4096];
  snprintf(pidfile, sizeof pidfile, "%s.pid", ledger);
  FILE *f = fopen(pidfile, "w");
  if (f) {
    fprintf(f, "%ld\n", (long)getpid());
    fclose(f);
  }
  int *in = malloc((size_t)n * sizeof *in);
  values = calloc((size_t)n, sizeof *values);
  for (int i = 0; i < n; i++)
    in[i] = i;
  int err;
  if (imap) {
    err = mpipool_imap(pool, "work", in, (size_t)n, sizeof *in, chunksize,
                       on_item, NULL);
  } else {
    mpipool_results_t *res = NULL;
    err = mpipool_map(pool, "work", in, (size_t)n, sizeof *in, chunksize, &res);
    if (err == 0)
      err = mpipool_results_copy(res, values, sizeof *values);
    mpipool_results_free(res);
  }
  if (err == 0)
    for (int i = 0; i < n; i++)
      printf("%d %lld\n", i, values[i]);
  else
    fprintf(stderr, "journal_prog: %s\n", mpipool_strerror(err));
  printf(err ? "failed\n" : "done\n");
  mpipool_close(pool);
  mpipool_join(pool);
  mpipool_destroy(pool);
  free(in);
  free(values);
  return err == 0 ? 0 : err == MPIPOOL_EJOURNAL ? 3 : 1;
}
