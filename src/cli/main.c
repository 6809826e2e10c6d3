/*
 * main.c - the mpipool program: runs the shell commands of a task file
 * (or a command over the lines of an argument file) on a pool of MPI
 * processes.  Rank 0 reads the tasks and writes outputs and the joblog;
 * every other process runs tasks (work.c).
 */
#include "config.h"
#include "alloc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mpipool.h"

#include "farm.h"
#include "joblog.h"
#include "options.h"
#include "output.h"
#include "progress.h"
#include "report.h"
#include "tasklist.h"
#include "tempfile.h"
#include "watch.h"
#include "work.h"

#define EXIT_OWN_ERROR 255

/* Under a launcher every process parses the same command line: only the
 * first one reports a mistake in it. */
static int first_process(void) { return mpipool_launch_rank() <= 0; }

/* A singleton's master ends without a word only when it is killed, or
 * when Open MPI ends it with _exit (status 195: its daemon, orted, died):
 * a watcher says so then, as nothing in this process can. */
static const char end_script[] =
    "trap '' TERM INT HUP; last=\n"
    "while read -r l; do last=$l; done\n"
    "[ \"$last\" = done ] && exit 0\n"
    "echo 'mpipool: the run ended abruptly: mpipool was killed, or its MPI "
    "runtime ended it (exit status 195: its daemon, orted, died); the tasks "
    "that ended are in the joblog, if one was asked for, and --resume runs "
    "the others' >&2\n";
static int end_watch = -1;

static void ended_normally(void) { cli_watch_say(&end_watch, "done"); }

/* The end of a run is bounded: once its tasks are done and logged,
 * stopping the pool and MPI (the workers leaving, MPI_Finalize) takes a
 * moment; past MPIPOOL_END_TIMEOUT seconds (default 60; a worker or the
 * MPI runtime stuck) the program says so and exits with the run's status
 * without waiting more: nothing is left to lose. */
#define END_TIMEOUT_S 60
static volatile sig_atomic_t end_status;

static void on_end_alarm(int sig) {
  static const char msg[] =
      "mpipool: stopping the pool and MPI took more than MPIPOOL_END_TIMEOUT "
      "seconds (a worker or the MPI runtime is stuck): exiting without "
      "waiting for them; the run itself ended\n";
  (void)sig;
  ssize_t n = write(2, msg, sizeof msg - 1);
  (void)n;
  cli_watch_say(&end_watch, "done"); /* send(2): async-signal-safe */
  _exit(end_status);
}

/* Arms the bound on the end of the run, which exits with status. */
static void bound_end(int status) {
  const char *v = getenv("MPIPOOL_END_TIMEOUT");
  char *end;
  long secs = v ? strtol(v, &end, 10) : END_TIMEOUT_S;
  if (v && (*v == '\0' || *end != '\0' || secs < 1)) {
    fprintf(stderr,
            "mpipool: MPIPOOL_END_TIMEOUT=%s is not a number of seconds >= "
            "1: %d is used\n",
            v, END_TIMEOUT_S);
    secs = END_TIMEOUT_S;
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_end_alarm;
  sigemptyset(&sa.sa_mask);
  end_status = status;
  sigaction(SIGALRM, &sa, NULL);
  alarm(secs > 86400 ? 86400 : (unsigned)secs);
}

/* SIGTERM, SIGINT or SIGHUP (mpirun forwards them, Slurm's scancel and
 * time limit send them): the run stops cleanly, every task that ended
 * logged (the farm's stop); a second one ends the program at once. */
static volatile sig_atomic_t stop_requested;
/* Starts the pool.  A singleton's MPI_Init forks its runtime daemon
 * (orted), which gets the program's standard output for its own: as it
 * quits, after two or more workers died by a signal, it writes "N total
 * processes killed ..." there, among the tasks' output.  It writes nothing
 * else there for the program (the workers send the tasks' output to the
 * master), so it is given stderr for its stdout. */
static int start_pool(mpipool_t *pool, int singleton) {
  int out = -1;
  fflush(stdout);
  if (singleton && (out = fcntl(1, F_DUPFD_CLOEXEC, 3)) >= 0 &&
      dup2(2, 1) < 0) {
    close(out);
    out = -1;
  }
  int e = mpipool_start(pool);
  if (out >= 0) {
    fflush(stdout);
    dup2(out, 1);
    close(out);
  }
  return e;
}

/* While a singleton reads its tasks: /dev/null, put over stdin by a stop,
 * so that a read not yet begun when the signal came (it would wait for
 * ever on a pipe that stays open) ends at once as well; else -1. */
static volatile sig_atomic_t stdin_cut = -1;

static void on_stop_signal(int sig) {
  if (stop_requested) {
    signal(sig, SIG_DFL);
    raise(sig);
    return;
  }
  stop_requested = sig;
  if (stdin_cut >= 0)
    dup2(stdin_cut, STDIN_FILENO);
}

/* SIGUSR1 asks to drain: Slurm's --signal before a time limit. */
static volatile sig_atomic_t drain_requested;

static void on_drain_signal(int sig) {
  (void)sig;
  drain_requested = 1;
}

/* Catches the stop and drain signals.  flags: SA_RESTART once the tasks
 * are read; 0 while a singleton reads them, so that a stop ends a read
 * of stdin that could wait for ever. */
static void note_stops(int flags) {
  static const int sigs[] = {SIGTERM, SIGINT, SIGHUP};
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_stop_signal;
  sa.sa_flags = flags;
  sigemptyset(&sa.sa_mask);
  for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
    sigaction(sigs[i], &sa, NULL);
  sa.sa_handler = on_drain_signal;
  sigaction(SIGUSR1, &sa, NULL);
}

/* Whether the joblog is the file of st (by whatever path or link): it
 * would destroy the tasks' own file, or be read as it is written; said. */
static int joblog_is(const cli_options_t *o, const struct stat *st,
                     const char *what, const char *name) {
  struct stat js;
  if (o->joblog == NULL || stat(o->joblog, &js) != 0 ||
      js.st_dev != st->st_dev || js.st_ino != st->st_ino)
    return 0;
  fprintf(stderr,
          "mpipool: the joblog '%s' is the %s file '%s' itself: writing "
          "the joblog would destroy it\n",
          o->joblog, what, name);
  return 1;
}

/* Says why the tasks could not be had (err), or that there are none. */
static void no_tasks(const char *err, const char *name, int task_file) {
  if (stop_requested)
    fprintf(stderr,
            "mpipool: interrupted (%s) while reading the tasks: none run\n",
            strsignal((int)stop_requested));
  else if (err)
    fprintf(stderr, "mpipool: %s\n", err);
  else
    fprintf(stderr, "mpipool: no tasks in %s%s\n", name,
            task_file ? " (blank lines and '#' comments are skipped)" : "");
}

/* The separator of columns that --colsep gives (with Perl's --trim lr)
 * or --header implies (a tab, untrimmed, as GNU parallel), in *cs; NULL
 * with neither.  Returns 0, or -1 with a message in err. */
static int columns(const cli_options_t *o, cli_colsep_t **cs, char *err,
                   size_t errlen) {
  *cs = NULL;
  if (o->colsep)
    return cli_colsep_compile(cs, o->colsep, 1, err, errlen);
  if (o->header)
    return cli_colsep_compile(cs, "\t", 0, err, errlen);
  return 0;
}

/* The tasks of several input sources, or of words: their product. */
static int load_product(const cli_options_t *o, cli_tasks_t **ts) {
  char err[1024];
  cli_sources_t *sources;
  cli_colsep_t *cs;
  struct stat st;
  for (int i = 0; i < o->nsources; i++) {
    const char *path = o->sources[i].path;
    if (path && strcmp(path, "-") != 0 && stat(path, &st) == 0 &&
        joblog_is(o, &st, "input", path))
      return -1;
  }
  if (columns(o, &cs, err, sizeof err)) {
    no_tasks(err, NULL, 0);
    return -1;
  }
  if (cli_sources_load(&sources, o->sources, o->nsources, o->header, err,
                       sizeof err)) {
    cli_colsep_free(cs);
    no_tasks(err, NULL, 0);
    return -1;
  }
  if (cli_tasks_open_sources(ts, sources, o->command, o->command_len, cs, err,
                             sizeof err)) {
    no_tasks(err, NULL, 0);
    return -1;
  }
  return 0;
}

/* Opens the task list: the task file, or the command over one argument
 * file (-a FILE, :::: FILE), read through once to check and count it; or
 * the product of the input sources.  On an error it says why and leaves
 * *ts NULL. */
static int load_tasks(const cli_options_t *o, cli_tasks_t **ts) {
  *ts = NULL;
  if (o->nsources > 1 || (o->nsources == 1 && o->sources[0].path == NULL))
    return load_product(o, ts);
  const char *path = o->nsources ? o->sources[0].path : o->taskfile;
  const char *what = o->nsources ? "argument" : "task";
  int from_stdin = strcmp(path, "-") == 0;
  const char *name = from_stdin ? "(stdin)" : path;
  char err[1024];
  cli_colsep_t *cs;
  if (columns(o, &cs, err, sizeof err)) {
    no_tasks(err, NULL, 0);
    return -1;
  }
  FILE *f = from_stdin ? stdin : fopen(path, "r");
  if (f == NULL) {
    fprintf(stderr, "mpipool: cannot read %s file '%s': %s\n", what, path,
            strerror(errno));
    cli_colsep_free(cs);
    return -1;
  }
  struct stat st;
  if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
    fprintf(stderr, "mpipool: '%s' is a directory, not a %s file\n", path,
            what);
    fclose(f);
    cli_colsep_free(cs);
    return -1;
  }
  /* The joblog is written over (or appended to): never the tasks' own
   * file, by whatever path (./tasks.txt, a link) or through stdin. */
  if (fstat(fileno(f), &st) == 0 && joblog_is(o, &st, what, name)) {
    if (!from_stdin)
      fclose(f);
    cli_colsep_free(cs);
    return -1;
  }
  if (cli_tasks_open_columns(ts, f, name, o->nsources ? o->command : NULL,
                             o->command_len, cs, o->header, err, sizeof err)) {
    no_tasks(err, name, !o->nsources);
    return -1;
  }
  if (cli_tasks_count(*ts) == 0) {
    no_tasks(NULL, name, !o->nsources);
    cli_tasks_free(*ts);
    *ts = NULL;
    return -1;
  }
  return 0;
}

/* --dry-run: prints each task's command, runs nothing.  Returns the exit
 * status. */
static int dry_run(cli_tasks_t *ts) {
  char err[1024];
  cli_task_t t;
  int rc;
  while ((rc = cli_tasks_next(ts, &t, err, sizeof err)) == 1) {
    fwrite(t.cmd, 1, t.len, stdout);
    putchar('\n');
  }
  if (rc < 0)
    fprintf(stderr, "mpipool: %s\n", err);
  cli_tasks_free(ts);
  return fflush(stdout) == 0 && rc == 0 ? 0 : EXIT_OWN_ERROR;
}

/* With --resume or --resume-failed: what the joblog says is done, and
 * where its whole lines end (*tail).  A missing joblog means nothing is. */
static int read_joblog(const cli_options_t *o, cli_tasks_t *ts,
                       cli_done_t **done, cli_joblog_tail_t *tail) {
  char err[1024];
  FILE *f = fopen(o->joblog, "r");
  if (f == NULL && errno == ENOENT)
    return 0;
  if (f == NULL) {
    fprintf(stderr, "mpipool: cannot read the joblog '%s': %s\n", o->joblog,
            strerror(errno));
    return -1;
  }
  int e = cli_joblog_load(f, o->joblog, ts, done, tail, err, sizeof err);
  fclose(f);
  if (e) {
    fprintf(stderr,
            "mpipool: %s\nmpipool: not resuming from a joblog that "
            "does not match the tasks; it is left as it is\n",
            err);
    return -1;
  }
  return 0;
}

/* Cuts the joblog fd (open to append) back to its whole lines when its
 * last line was cut short (tail, from reading it), and says so: a line
 * appended to a torn one would glue the two into one line, which no later
 * --resume could read.
 * runs: whether the torn line's task runs again.  The file must be as it
 * was read; if it changed since, another process writes it, and it is
 * left alone.  Returns 0, or -1 with a message said. */
static int cut_torn_line(int fd, const cli_options_t *o,
                         const cli_joblog_tail_t *tail, int runs) {
  struct stat st;
  if (fstat(fd, &st) != 0) {
    fprintf(stderr, "mpipool: cannot read the joblog '%s': %s\n", o->joblog,
            strerror(errno));
    return -1;
  }
  if ((uint64_t)st.st_size != tail->whole + tail->torn) {
    fprintf(stderr,
            "mpipool: %s: changed while mpipool read it (is another run "
            "writing it?); it is left as it is\n",
            o->joblog);
    return -1;
  }
  if (ftruncate(fd, (off_t)tail->whole) != 0) {
    fprintf(stderr, "mpipool: cannot cut the joblog '%s' short: %s\n",
            o->joblog, strerror(errno));
    return -1;
  }
  unsigned long long seq = (unsigned long long)tail->torn_seq;
  fprintf(stderr,
          "mpipool: %s: its last line was cut short (a run was killed while "
          "writing it); it is dropped",
          o->joblog);
  if (seq && runs)
    fprintf(stderr, ": task %llu will run again\n", seq);
  else if (seq)
    fprintf(stderr,
            " (task %llu is skipped all the same: an earlier line "
            "logs it)\n",
            seq);
  else
    fputc('\n', stderr);
  return 0;
}

/* Opens the joblog for this run: appended to when resuming (its torn last
 * line cut off first, see cut_torn_line), else started afresh (as GNU
 * parallel does).  Called only once everything else has been checked, so
 * that a mistake never costs a previous joblog. */
static int open_joblog(const cli_options_t *o, const cli_joblog_tail_t *tail,
                       int torn_runs) {
  int resuming = o->resume || o->resume_failed;
  int fd =
      open(o->joblog,
           O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (resuming ? 0 : O_TRUNC),
           0666);
  if (fd < 0) {
    fprintf(stderr, "mpipool: cannot write the joblog '%s': %s\n", o->joblog,
            strerror(errno));
    return -1;
  }
  if (resuming && tail->torn && cut_torn_line(fd, o, tail, torn_runs)) {
    close(fd);
    return -1;
  }
  struct stat st;
  if (fstat(fd, &st) == 0 && st.st_size == 0 &&
      write(fd, cli_joblog_header, strlen(cli_joblog_header)) < 0) {
    fprintf(stderr, "mpipool: cannot write the joblog '%s': %s\n", o->joblog,
            strerror(errno));
    close(fd);
    return -1;
  }
  return fd;
}

/* --report without --joblog: the run's joblog in a temporary file of
 * its own, unlinked already (tempfile.h), read back for the report.
 * Returns its descriptor, or -1 with a message said. */
static int temp_joblog(void) {
  char msg[512];
  int fd = cli_tempfile("joblog", msg, sizeof msg);
  if (fd < 0) {
    fprintf(stderr, "mpipool: --report: %s\n", msg);
    return -1;
  }
  size_t len = strlen(cli_joblog_header);
  if (write(fd, cli_joblog_header, len) != (ssize_t)len) {
    fprintf(stderr, "mpipool: --report: cannot write a temporary joblog: %s\n",
            strerror(errno));
    close(fd);
    return -1;
  }
  return fd;
}

/* --report: writes the page of the run from its joblog: the file of
 * --joblog (all of it: with --resume, the earlier runs' tasks too), or
 * the temporary one fd.  Returns 0, or -1 with a message said. */
static int write_report(const cli_options_t *o, int fd) {
  char err[1024];
  FILE *f = NULL;
  if (o->joblog) {
    f = fopen(o->joblog, "r");
  } else {
    int copy = dup(fd);
    if (copy >= 0 && lseek(copy, 0, SEEK_SET) == 0)
      f = fdopen(copy, "r");
    if (f == NULL && copy >= 0)
      close(copy);
  }
  if (f == NULL) {
    fprintf(stderr, "mpipool: --report: cannot read the joblog '%s': %s\n",
            o->joblog ? o->joblog : "(temporary)", strerror(errno));
    return -1;
  }
  int rc = cli_report_write(f, o->joblog ? o->joblog : "the run's joblog",
                            o->report, err, sizeof err);
  fclose(f);
  if (rc)
    fprintf(stderr, "mpipool: --report: %s\n", err);
  return rc;
}

/* --print-pool: waits (up to a minute) for every worker to start, then
 * prints each node and its workers.  Returns the exit status. */
static int print_pool(mpipool_t *pool, const cli_options_t *o) {
  int n = mpipool_size(pool), ready = 0;
  mpipool_worker_info_t *w = cli_calloc(n > 0 ? (size_t)n : 1, sizeof *w);
  if (w == NULL)
    return EXIT_OWN_ERROR;
  for (int tries = 0; tries < 600 && ready < n; tries++) {
    ready = 0;
    for (int i = 0; i < n; i++)
      ready += mpipool_worker_info(pool, i, &w[i]) == 0;
    if (ready < n) { /* workers start in the background: let them */
      struct timespec ts = {0, 100000000L};
      mpipool_progress(pool);
      nanosleep(&ts, NULL);
    }
  }
  int nodes = mpipool_node_count(pool);
  char per[64];
  const char *unit = o->hwthreads ? "hardware thread" : "core";
  if (o->cores_per_task > 1)
    snprintf(per, sizeof per, "%d %ss", o->cores_per_task, unit);
  else
    snprintf(per, sizeof per, "%s", unit);
  printf("mpipool %s: %d worker%s on %d node%s (one per %s", PACKAGE_VERSION, n,
         n == 1 ? "" : "s", nodes, nodes == 1 ? "" : "s", per);
  if (o->gpus_per_task)
    printf(" and %d GPU%s", o->gpus_per_task, o->gpus_per_task == 1 ? "" : "s");
  printf("; binding %s)\n", o->no_bind ? "off" : "on");
  for (int k = 0; k < nodes; k++) {
    mpipool_node_info_t nd;
    if (mpipool_node_info(pool, k, &nd))
      continue;
    printf("node %s: ", nd.host);
    if (nd.status)
      printf("cores unknown (hwloc failed)");
    else
      printf("%d %s%s usable (PU %s)", nd.cores, o->hwthreads ? "PU" : "core",
             nd.cores == 1 ? "" : "s", nd.cpuset);
    if (o->gpus_per_task)
      printf(nd.ngpus < 0 ? ", GPUs unreadable" : ", %d GPU%s%s%s%s", nd.ngpus,
             nd.ngpus == 1 ? "" : "s", nd.ngpus > 0 ? " (" : "", nd.gpus,
             nd.ngpus > 0 ? ")" : "");
    printf(", %d launcher rank%s + %d spawned%s\n", nd.ranks,
           nd.ranks == 1 ? "" : "s", nd.spawned,
           k == 0 ? ", and the master" : "");
    for (int i = 0; i < n; i++) {
      if (w[i].node != k || w[i].id == 0)
        continue;
      printf("  PoolWorker-%ld pid %ld on %s: %s", w[i].id, w[i].pid, w[i].host,
             w[i].binding);
      if (o->gpus_per_task)
        printf("; GPU %s", w[i].gpus[0] ? w[i].gpus : "none");
      if (o->cores_per_task || o->gpus_per_task)
        printf("; slot %d", i + 1);
      putchar('\n');
    }
  }
  for (int i = 0; i < n; i++)
    if (w[i].id == 0)
      printf("  worker %d: did not start within a minute\n", i + 1);
  cli_free(w);
  return ready == n ? 0 : EXIT_OWN_ERROR;
}

/* The master's whole run on the tasks ts (taken); returns the exit
 * status. */
static int run_master(mpipool_t *pool, const cli_options_t *o,
                      cli_tasks_t *ts) {
  cli_done_t *done = NULL;
  cli_joblog_tail_t tail = {0};
  uint64_t n = cli_tasks_count(ts), ntodo = n;
  cli_output_t *out = NULL;
  cli_counts_t counts = {0};
  int status = EXIT_OWN_ERROR, fd = -1, torn_runs = 0;
  char msg[1024];
  if ((o->resume || o->resume_failed) && read_joblog(o, ts, &done, &tail))
    goto out;
  for (uint64_t seq = 1; done && seq <= n; seq++)
    if (cli_done_skips(done, seq, o->resume))
      counts.skipped++;
  ntodo = n - counts.skipped;
  torn_runs = tail.torn_seq &&
              !(done && cli_done_skips(done, tail.torn_seq, o->resume));
  /* The bound of outputs held in memory (-k), for tests and tight
   * masters: a mistake is said before anything runs. */
  size_t memory = CLI_OUTPUT_MEMORY;
  const char *mem_env = getenv("MPIPOOL_OUTPUT_MEMORY");
  if (mem_env && cli_output_parse_memory(mem_env, &memory)) {
    fprintf(stderr,
            "mpipool: MPIPOOL_OUTPUT_MEMORY=%s: not a size (bytes, or a "
            "number and k, M or G)\n",
            mem_env);
    goto out;
  }
  if (cli_output_create(&out, ntodo, o->keep_order, o->tag, o->results, stdout,
                        stderr, msg, sizeof msg)) {
    fprintf(stderr, "mpipool: %s\n", msg);
    goto out;
  }
  cli_output_set_memory(out, memory);
  if (o->joblog && (fd = open_joblog(o, &tail, torn_runs)) < 0)
    goto out;
  if (o->joblog == NULL && o->report && (fd = temp_joblog()) < 0)
    goto out;
  cli_farm_t farm = {
      o, ts, done, ntodo, fd, out, &drain_requested, &stop_requested};
  int e = cli_farm_run(pool, &farm, &counts);
  cli_output_destroy(out);
  out = NULL;
  if (stop_requested)
    fprintf(stderr,
            "mpipool: interrupted (%s): %zu task(s) not run; every task that "
            "ended is in the joblog%s\n",
            strsignal((int)stop_requested), counts.not_run,
            o->joblog ? ": run again with --resume to run the rest"
                      : " (there is none: use --joblog to resume)");
  else if (drain_requested && counts.not_run)
    fprintf(stderr,
            "mpipool: drained: %zu task(s) not run; run again with "
            "--resume%s to run them\n",
            counts.not_run, o->joblog ? "" : " (and --joblog)");
  if (!o->quiet) {
    cli_summary_line(msg, sizeof msg, &counts);
    fflush(stdout);
    fprintf(stderr, "%s\n", msg);
  }
  /* Interrupted: 128 + the signal, as a shell says, never a task count. */
  status = e                ? EXIT_OWN_ERROR
           : stop_requested ? 128 + (int)stop_requested
                            : cli_exit_status(&counts);
  /* The page of the run, whatever its outcome: a failed run is the one
   * most worth a look.  A page that cannot be written is mpipool's own
   * failure, said; an interrupted run keeps its 128 + signal. */
  if (o->report && write_report(o, fd) != 0 && !stop_requested)
    status = EXIT_OWN_ERROR;
out:
  cli_output_destroy(out);
  if (fd >= 0 && close(fd)) {
    fprintf(stderr, "mpipool: cannot write the joblog '%s': %s\n",
            o->joblog ? o->joblog : "(temporary, for --report)",
            strerror(errno));
    status = EXIT_OWN_ERROR;
  }
  cli_done_free(done);
  cli_tasks_free(ts);
  return status;
}

int main(int argc, char **argv) {
  cli_options_t o;
  char err[512];
  mpipool_t *pool = NULL;
  if (cli_options_parse(&o, argc, argv, err, sizeof err)) {
    if (first_process())
      fprintf(stderr,
              "mpipool: %s\nTry 'mpipool --help' for more "
              "information.\n",
              err);
    return EXIT_OWN_ERROR;
  }
  if (o.help || o.version) {
    if (first_process())
      fputs(o.help ? cli_options_usage() : "mpipool " PACKAGE_VERSION "\n",
            stdout);
    return 0;
  }
  /* --dry-run starts no pool: the first process prints the commands, the
   * other ranks of a launcher have nothing to do. */
  if (o.dry_run) {
    cli_tasks_t *ts = NULL;
    if (!first_process())
      return 0;
    return load_tasks(&o, &ts) ? EXIT_OWN_ERROR : dry_run(ts);
  }
  /* A singleton reads its tasks first: a mistake in them is reported at
   * once, and stdin is read before the MPI runtime it starts (which would
   * forward stdin to a spawned worker).  Under a launcher, only the master
   * reads them, once the pool has started. */
  cli_tasks_t *ts = NULL;
  /* A process no MPI launcher started is a singleton, the master for
   * sure (the workers it spawns have their launcher's variables). */
  int early = mpipool_launch_rank() < 0 && !o.print_pool;
  if (early && (end_watch = cli_watch_start(end_script, 1, -1)) >= 0)
    atexit(ended_normally);
  /* A singleton's stop is heard from here on: while it reads its tasks
   * and while its pool starts (the farm then runs none). */
  if (early) {
    stdin_cut = open("/dev/null", O_RDONLY | O_CLOEXEC);
    note_stops(0);
  }
  if (early && load_tasks(&o, &ts))
    return stop_requested ? 128 + (int)stop_requested : EXIT_OWN_ERROR;
  if (early) {
    int fd = stdin_cut;
    stdin_cut = -1;
    if (fd >= 0)
      close(fd);
    note_stops(SA_RESTART);
    if (stop_requested) { /* the read was cut short, or ended with it */
      no_tasks(NULL, NULL, 0);
      cli_tasks_free(ts);
      return 128 + (int)stop_requested;
    }
  }
  int e = mpipool_create(&pool);
  if (e == 0)
    e = mpipool_register(pool, CLI_TASK_NAME, cli_work_run, NULL);
  cli_work_args_t args = {o.cores_per_task, o.gpus_per_task};
  if (e == 0)
    e = mpipool_set_initializer(pool, cli_work_init, &args, sizeof args);
  /* A head start (MPIPOOL_HEAD_START=0 turns it off): a singleton's first
   * commands run in the children of the master's hands while its workers
   * are spawned, as slots 1 to -j (hand k's slot, whose worker waits for
   * them).  Under a launcher
   * (mpirun -n 1) only with MPIPOOL_HEAD_START=1: on a signal mpirun ends
   * its ranks (TERM, then KILL), and the head's child is none of them, so
   * a command it ran to its end as the master was killed was not logged,
   * and ran again after --resume (2 in 25 kill-and-resume cycles).  Never
   * with cores or GPUs per task: the master's child is not bound, and has
   * no GPUs. */
  int launched = mpipool_launch_rank() >= 0;
  if (e == 0 && (o.cores_per_task || o.gpus_per_task ||
                 (launched && getenv("MPIPOOL_HEAD_START") == NULL)))
    e = mpipool_set_head_start(pool, 0);
  if (e == 0 && o.cores_per_task)
    e = mpipool_set_cores_per_worker(pool, o.cores_per_task);
  if (e == 0 && o.gpus_per_task)
    e = mpipool_set_gpus_per_worker(pool, o.gpus_per_task);
  if (e == 0 && o.processes)
    e = mpipool_set_processes(pool, o.processes);
  if (e == 0 && o.maxtasks)
    e = mpipool_set_maxtasksperchild(pool, o.maxtasks);
  if (e == 0 && o.crash_limit)
    e = mpipool_set_crash_limit(pool, o.crash_limit);
  if (e == 0)
    e = mpipool_set_hwthreads(pool, o.hwthreads);
  if (e == 0)
    e = mpipool_set_binding(pool, !o.no_bind);
  if (e == 0)
    e = start_pool(pool, early); /* workers serve, then exit, in here */
  if (e) {
    fprintf(stderr, "mpipool: cannot start the pool: %s\n",
            mpipool_strerror(e));
    mpipool_destroy(pool);
    cli_tasks_free(ts);
    return EXIT_OWN_ERROR;
  }
  if (!early)
    note_stops(SA_RESTART);
  int status = EXIT_OWN_ERROR;
  if (o.print_pool)
    status = print_pool(pool, &o);
  else if (early || load_tasks(&o, &ts) == 0)
    status = run_master(pool, &o, ts);
  bound_end(status);
  mpipool_close(pool);
  e = mpipool_join(pool);
  if (e && status != EXIT_OWN_ERROR) {
    fprintf(stderr, "mpipool: stopping the pool: %s\n", mpipool_strerror(e));
    status = EXIT_OWN_ERROR;
  }
  mpipool_destroy(pool);
  return status;
}
