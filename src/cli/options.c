/*
 * options.c - parses the mpipool program's command line with getopt_long
 * and checks every value, so that a typo is a clear message before any
 * process starts work.
 */
#include "options.h"
#include "fmt.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "Usage: mpipool [OPTION]... TASKFILE\n"
    "       mpipool [OPTION]... -a ARGFILE [--] COMMAND [ARG]...\n"
    "       mpipool [OPTION]... COMMAND [ARG]... ::: WORD... [::: WORD...]\n"
    "       mpipool [OPTION]... COMMAND [ARG]... :::: FILE... [:::+ WORD...]\n"
    "       mpipool [OPTION]... --print-pool\n"
    "Runs shell commands in parallel on a pool of MPI processes: one command\n"
    "per line of TASKFILE ('-' for stdin; blank and '#' lines skipped), or\n"
    "COMMAND once per argument of its input sources, as GNU parallel does:\n"
    "the lines of ARGFILE, the WORDs after :::, the lines of each FILE after\n"
    "::::; several sources give every combination, :::+ and ::::+ pair a\n"
    "source with the one before.  In COMMAND, {} is the argument (quoted for\n"
    "the shell), {.} without extension, {/} without directory, {//} the\n"
    "directory, {/.} both, {n} (and {n.}...) the n-th source's, {#} the task\n"
    "number, {%} the job slot (1 to the workers; the shell's $MPIPOOL_SLOT);\n"
    "without them the arguments are appended.  With --colsep, {n} is\n"
    "the n-th column of the arguments; with --header :, {name} the column\n"
    "that the first line of the source names.  Run it as it is on one\n"
    "machine (one worker per core), or as 'mpirun -n N mpipool ...' on\n"
    "many nodes (rank 0 dispatches, the other N-1 ranks run tasks).\n"
    "\n"
    "  -C, --colsep REGEXP      split each argument into columns at REGEXP, a\n"
    "                           POSIX extended regexp (Perl's \\t \\s \\d \\w\n"
    "                           too), each column trimmed of blanks:\n"
    "                           mpipool --colsep , -a p.csv './run {1} {3}'\n"
    "      --header :           the first line of each input source (the "
    "first\n"
    "                           word of :::) names its columns (split at\n"
    "                           --colsep, else at tabs) and is no task:\n"
    "                           mpipool --header : -a p.tsv 'sim --a {alpha}'\n"
    "                           (under mpirun write --header=: : mpirun takes\n"
    "                           a lone ':' as the end of a program)\n"
    "  -j, --processes N        N workers (default: the mpirun ranks after\n"
    "                           rank 0, else one per core found by hwloc)\n"
    "      --maxtasksperchild N replace a worker process after N tasks\n"
    "      --crash-limit N      a task whose worker died N times fails\n"
    "                           (default 5; it runs again on another\n"
    "                           worker before)\n"
    "      --cores-per-task N   give each task N cores of its node: one "
    "worker\n"
    "                           per N cores, bound to them, OMP_NUM_THREADS=N\n"
    "                           (unless set): mpipool --cores-per-task 4\n"
    "                           -a runs.txt './omp_sim {}'\n"
    "      --gpus-per-task N    give each task N GPUs of its node to itself,\n"
    "                           in CUDA_VISIBLE_DEVICES, ROCR_VISIBLE_DEVICES\n"
    "                           and MPIPOOL_GPUS: one worker per N GPUs; GPUs\n"
    "                           from MPIPOOL_GPUS=0,1,... (the node has "
    "these),\n"
    "                           else CUDA_VISIBLE_DEVICES, SLURM_STEP_GPUS,\n"
    "                           SLURM_JOB_GPUS, else hwloc\n"
    "      --use-hwthreads      one worker per hardware thread, not per core\n"
    "      --no-bind            leave workers unbound (default: each worker\n"
    "                           binds to its own core when there are enough)\n"
    "      --print-pool         show the nodes, cores and workers (with their\n"
    "                           binding) the pool has, then exit\n"
    "  -k, --keep-order         print outputs in task order\n"
    "      --tag                prefix each output line with the task number\n"
    "      --results DIR        write DIR/<n>/stdout, stderr, status instead\n"
    "                           of printing\n"
    "      --joblog FILE        log each finished task (GNU parallel format)\n"
    "      --report FILE        at the end, also after a failed run, write\n"
    "                           a picture of the run to FILE (one HTML page:\n"
    "                           a timeline of the tasks, the utilisation,\n"
    "                           run times; see mpipool-report), from the\n"
    "                           joblog (or a temporary one without --joblog)\n"
    "      --resume             skip the tasks already in the joblog\n"
    "      --resume-failed      as --resume, but run failed tasks again\n"
    "      --retries N          run a failed task up to N more times\n"
    "      --timeout SECONDS    kill a task (its process group) after SECONDS\n"
    "      --halt WHEN,fail=N   stop after N failed tasks: WHEN 'soon' lets\n"
    "                           running tasks finish, 'now' kills them\n"
    "      --progress           show a progress line on stderr (default: when\n"
    "                           stderr is a terminal); --no-progress: never\n"
    "      --quiet              no summary line at the end\n"
    "      --dry-run            print the commands, run nothing\n"
    "  -h, --help               show this help and exit\n"
    "      --version            show the version and exit\n"
    "\n"
    "Each task runs as '/bin/sh -c COMMAND' in its own process group, with\n"
    "MPIPOOL_SEQ (its number), MPIPOOL_WORKER and MPIPOOL_SLOT (its job slot,\n"
    "1 to the workers: no two tasks running at once share one) in its\n"
    "environment.  Its output is printed as one block, never mixed with\n"
    "another task's.\n"
    "Exit status: 0 if every task succeeded, else the number of failed tasks\n"
    "(101 for more than 100), 255 if mpipool itself failed.\n";

const char *cli_options_usage(void) { return usage; }

enum {
  OPT_MAXTASKS = 256,
  OPT_TAG,
  OPT_RESULTS,
  OPT_JOBLOG,
  OPT_RESUME,
  OPT_RESUME_FAILED,
  OPT_RETRIES,
  OPT_TIMEOUT,
  OPT_HALT,
  OPT_PROGRESS,
  OPT_NO_PROGRESS,
  OPT_QUIET,
  OPT_VERSION,
  OPT_PRINT_POOL,
  OPT_DRY_RUN,
  OPT_HWTHREADS,
  OPT_NO_BIND,
  OPT_CRASH_LIMIT,
  OPT_HEADER,
  OPT_REPORT,
  OPT_CORES_PER_TASK,
  OPT_GPUS_PER_TASK
};

static const struct option longopts[] = {
    {"processes", required_argument, NULL, 'j'},
    {"jobs", required_argument, NULL, 'j'},
    {"maxtasksperchild", required_argument, NULL, OPT_MAXTASKS},
    {"keep-order", no_argument, NULL, 'k'},
    {"tag", no_argument, NULL, OPT_TAG},
    {"results", required_argument, NULL, OPT_RESULTS},
    {"joblog", required_argument, NULL, OPT_JOBLOG},
    {"resume", no_argument, NULL, OPT_RESUME},
    {"resume-failed", no_argument, NULL, OPT_RESUME_FAILED},
    {"retries", required_argument, NULL, OPT_RETRIES},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"halt", required_argument, NULL, OPT_HALT},
    {"progress", no_argument, NULL, OPT_PROGRESS},
    {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"arg-file", required_argument, NULL, 'a'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {"print-pool", no_argument, NULL, OPT_PRINT_POOL},
    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
    {"use-hwthreads", no_argument, NULL, OPT_HWTHREADS},
    {"no-bind", no_argument, NULL, OPT_NO_BIND},
    {"crash-limit", required_argument, NULL, OPT_CRASH_LIMIT},
    {"colsep", required_argument, NULL, 'C'},
    {"col-sep", required_argument, NULL, 'C'},
    {"header", required_argument, NULL, OPT_HEADER},
    {"report", required_argument, NULL, OPT_REPORT},
    {"cores-per-task", required_argument, NULL, OPT_CORES_PER_TASK},
    {"gpus-per-task", required_argument, NULL, OPT_GPUS_PER_TASK},
    {NULL, 0, NULL, 0}};

static int fail(char *err, size_t errlen, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  cli_vfmt(err, errlen, fmt, ap);
  va_end(ap);
  return -1;
}

/* A whole decimal number in [min, max], nothing else. */
static int parse_long(const char *s, long min, long max, long *out) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (*s == '\0' || *end != '\0' || errno || v < min || v > max)
    return -1;
  *out = v;
  return 0;
}

/* "soon,fail=N", "now,fail=N" or "never". */
static int parse_halt(cli_options_t *o, const char *s) {
  const char *comma = strchr(s, ',');
  if (strcmp(s, "never") == 0) {
    o->halt = CLI_HALT_NEVER;
    return 0;
  }
  if (comma == NULL || strncmp(comma + 1, "fail=", 5) != 0)
    return -1;
  size_t when = (size_t)(comma - s);
  if (when == 4 && strncmp(s, "soon", 4) == 0)
    o->halt = CLI_HALT_SOON;
  else if (when == 3 && strncmp(s, "now", 3) == 0)
    o->halt = CLI_HALT_NOW;
  else
    return -1;
  return parse_long(comma + 6, 1, LONG_MAX, &o->halt_fail);
}

/* Adds an input source: the file path, or words[0..n-1]. */
static int add_source(cli_options_t *o, const char *path, char **words, int n,
                      int linked, char *err, size_t errlen) {
  if (o->nsources == CLI_MAX_SOURCES)
    return fail(err, errlen, "more than %d input sources", CLI_MAX_SOURCES);
  o->sources[o->nsources++] = (cli_source_spec_t){path, words, n, linked};
  return 0;
}

/* One option with its value; -1 with a message when the value is bad. */
static int take(cli_options_t *o, int c, const char *name, char *err,
                size_t errlen) {
  long v;
  switch (c) {
  case 'j':
    if (parse_long(optarg, 1, INT_MAX, &v))
      return fail(err, errlen,
                  "%s needs a number of processes >= 1, not "
                  "'%s'",
                  name, optarg);
    o->processes = (int)v;
    return 0;
  case OPT_MAXTASKS:
    if (parse_long(optarg, 1, LONG_MAX, &o->maxtasks))
      return fail(err, errlen,
                  "--maxtasksperchild needs a number >= 1, "
                  "not '%s'",
                  optarg);
    return 0;
  case OPT_CRASH_LIMIT:
    if (parse_long(optarg, 1, 1000000, &v))
      return fail(err, errlen, "--crash-limit needs a number >= 1, not '%s'",
                  optarg);
    o->crash_limit = (int)v;
    return 0;
  case OPT_CORES_PER_TASK:
  case OPT_GPUS_PER_TASK:
    if (parse_long(optarg, 1, 1000000, &v))
      return fail(err, errlen, "%s needs a number of %s >= 1, not '%s'", name,
                  c == OPT_CORES_PER_TASK ? "cores" : "GPUs", optarg);
    *(c == OPT_CORES_PER_TASK ? &o->cores_per_task : &o->gpus_per_task) =
        (int)v;
    return 0;
  case OPT_RETRIES:
    if (parse_long(optarg, 0, 1000000, &v))
      return fail(err, errlen, "--retries needs a number >= 0, not '%s'",
                  optarg);
    o->retries = (int)v;
    return 0;
  case OPT_TIMEOUT: {
    char *end;
    errno = 0;
    double t = strtod(optarg, &end);
    if (*optarg == '\0' || *end != '\0' || errno || !isfinite(t) || t <= 0)
      return fail(err, errlen,
                  "--timeout needs a number of seconds > 0, "
                  "not '%s'",
                  optarg);
    o->timeout = t;
    return 0;
  }
  case OPT_HALT:
    if (parse_halt(o, optarg))
      return fail(err, errlen,
                  "--halt needs 'soon,fail=N', 'now,fail=N' "
                  "(N >= 1) or 'never', not '%s'",
                  optarg);
    return 0;
  case 'a':
    if (*optarg == '\0')
      return fail(err, errlen, "-a needs a file name, not ''");
    return add_source(o, optarg, NULL, 0, 0, err, errlen);
  case 'C':
    o->colsep = optarg;
    return 0;
  case OPT_HEADER:
    if (strcmp(optarg, ":") != 0)
      return fail(err, errlen,
                  "--header takes ':' (the first line of each input source "
                  "names its columns), not '%s'",
                  optarg);
    o->header = 1;
    return 0;
  case 'k':
    o->keep_order = 1;
    return 0;
  case OPT_TAG:
    o->tag = 1;
    return 0;
  case OPT_RESULTS:
  case OPT_JOBLOG:
    if (*optarg == '\0')
      return fail(err, errlen, "%s needs a %s name, not ''", name,
                  c == OPT_RESULTS ? "directory" : "file");
    *(c == OPT_RESULTS ? &o->results : &o->joblog) = optarg;
    return 0;
  case OPT_REPORT:
    if (*optarg == '\0')
      return fail(err, errlen, "--report needs a file name, not ''");
    o->report = optarg;
    return 0;
  case OPT_RESUME:
    o->resume = 1;
    return 0;
  case OPT_RESUME_FAILED:
    o->resume_failed = 1;
    return 0;
  case OPT_PROGRESS:
    o->progress = 1;
    return 0;
  case OPT_NO_PROGRESS:
    o->progress = 0;
    return 0;
  case OPT_QUIET:
    o->quiet = 1;
    return 0;
  case 'h':
    o->help = 1;
    return 0;
  case OPT_VERSION:
    o->version = 1;
    return 0;
  case OPT_PRINT_POOL:
    o->print_pool = 1;
    return 0;
  case OPT_DRY_RUN:
    o->dry_run = 1;
    return 0;
  case OPT_HWTHREADS:
    o->hwthreads = 1;
    return 0;
  case OPT_NO_BIND:
    o->no_bind = 1;
    return 0;
  default:
    return fail(err, errlen, "internal: option %d", c);
  }
}

/* Which separator of input sources word is: 1 ":::", 2 ":::+", 3
 * "::::", 4 "::::+", else 0. */
static int separator(const char *word) {
  static const char *const seps[] = {":::", ":::+", "::::", "::::+"};
  for (int i = 0; i < 4; i++)
    if (strcmp(word, seps[i]) == 0)
      return i + 1;
  return 0;
}

/* The input sources after the command: argv[from..argc-1], each group
 * started by a separator. */
static int sources(cli_options_t *o, int from, int argc, char **argv, char *err,
                   size_t errlen) {
  for (int i = from; i < argc;) {
    int sep = separator(argv[i]), linked = sep == 2 || sep == 4;
    if (linked && o->nsources == 0)
      return fail(err, errlen,
                  "%s links the first input source to none before it", argv[i]);
    int end = i + 1;
    while (end < argc && separator(argv[end]) == 0)
      end++;
    if (sep <= 2) { /* words */
      if (add_source(o, NULL, argv + i + 1, end - i - 1, linked, err, errlen))
        return -1;
    } else if (end == i + 1) {
      return fail(err, errlen, "%s needs a file name", argv[i]);
    } else { /* each file a source; the first linked when asked */
      for (int k = i + 1; k < end; k++)
        if (add_source(o, argv[k], NULL, 0, k == i + 1 && linked, err, errlen))
          return -1;
    }
    i = end;
  }
  return 0;
}

/* The operands after the options: TASKFILE, or the command before the
 * input sources (-a, :::, ::::). */
static int operands(cli_options_t *o, int argc, char **argv, char *err,
                    size_t errlen) {
  int rest = argc - optind, first = optind;
  while (first < argc && separator(argv[first]) == 0)
    first++;
  if (o->nsources || first < argc) {
    o->command = argv + optind;
    o->command_len = first - optind;
    return sources(o, first, argc, argv, err, errlen);
  }
  if (rest < 1)
    return fail(err, errlen,
                "no TASKFILE given (use '-' to read the "
                "commands from stdin)");
  if (rest > 1)
    return fail(err, errlen,
                "unexpected argument '%s' after TASKFILE '%s' "
                "(options go before it; use -a ARGFILE -- COMMAND to run a "
                "command)",
                argv[optind + 1], argv[optind]);
  o->taskfile = argv[optind];
  if (o->colsep || o->header)
    return fail(err, errlen,
                "%s splits the arguments of input sources (-a, :::, ::::) "
                "into columns, not the commands of a TASKFILE",
                o->colsep ? "--colsep" : "--header");
  return 0;
}

int cli_options_parse(cli_options_t *o, int argc, char **argv, char *err,
                      size_t errlen) {
  memset(o, 0, sizeof *o);
  o->progress = -1;
  optind = 0; /* glibc: a full reset, so a second parse starts afresh */
  opterr = 0;
  int c, idx;
  while ((idx = -1,
          c = getopt_long(argc, argv, "+:j:ka:hC:", longopts, &idx)) != -1) {
    char name[64];
    if (c == ':')
      return fail(err, errlen, "option '%s' needs a value", argv[optind - 1]);
    if (c == '?') {
      const char *bad = argv[optind - 1], *eq = strchr(bad, '=');
      if (strncmp(bad, "--", 2) == 0 && eq)
        for (const struct option *lo = longopts; lo->name; lo++)
          if (lo->has_arg == no_argument &&
              strlen(lo->name) == (size_t)(eq - bad - 2) &&
              strncmp(bad + 2, lo->name, strlen(lo->name)) == 0)
            return fail(err, errlen, "option '--%s' takes no value", lo->name);
      if (strncmp(bad, "--", 2) == 0)
        return fail(err, errlen, "unknown option '%s' (see --help)", bad);
      if (optopt > 0 && optopt < 256)
        return fail(err, errlen, "unknown option '-%c' (see --help)", optopt);
      return fail(err, errlen, "unknown option '%s' (see --help)",
                  argv[optind - 1]);
    }
    /* The option as the user named it, for messages. */
    if (idx >= 0)
      cli_fmt(name, sizeof name, "--%s", longopts[idx].name);
    else
      cli_fmt(name, sizeof name, "-%c", c);
    if (take(o, c, name, err, errlen))
      return -1;
  }
  if (o->help || o->version)
    return 0;
  if (o->resume && o->resume_failed)
    return fail(err, errlen,
                "--resume and --resume-failed exclude each "
                "other");
  if ((o->resume || o->resume_failed) && o->joblog == NULL)
    return fail(err, errlen, "%s needs --joblog FILE",
                o->resume ? "--resume" : "--resume-failed");
  if (o->report && o->joblog && strcmp(o->report, o->joblog) == 0)
    return fail(err, errlen,
                "--report '%s' is the joblog: writing the report would "
                "destroy it",
                o->report);
  if (o->print_pool) {
    if (optind < argc)
      return fail(err, errlen,
                  "--print-pool runs no tasks: unexpected "
                  "argument '%s'",
                  argv[optind]);
    return 0;
  }
  if (o->results && (o->keep_order || o->tag))
    return fail(err, errlen,
                "--results writes files: --keep-order and "
                "--tag do not apply");
  return operands(o, argc, argv, err, errlen);
}
