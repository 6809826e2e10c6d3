/*
 * options.h - the mpipool program's command line: parsed into a struct,
 * checked, with a clear message for anything wrong.  Pure logic, no MPI.
 */
#ifndef MPIPOOL_CLI_OPTIONS_H
#define MPIPOOL_CLI_OPTIONS_H

#include <stddef.h>

#include "sources.h"

/* The most input sources a command line may give. */
#define CLI_MAX_SOURCES 64

typedef enum {
  CLI_HALT_NEVER = 0, /* run every task whatever fails (the default) */
  CLI_HALT_SOON,      /* start no new task, let running ones finish */
  CLI_HALT_NOW        /* kill running tasks too */
} cli_halt_t;

typedef struct {
  const char *taskfile; /* TASKFILE, "-" for stdin; NULL with sources */
  /* The input sources (-a FILE, ::: WORD..., :::: FILE..., linked with
   * :::+ and ::::+), in order; with any, command is the template. */
  cli_source_spec_t sources[CLI_MAX_SOURCES];
  int nsources;
  char **command; /* the command template words (perhaps none) */
  int command_len;
  int processes;       /* -j: workers, 0 = the default */
  long maxtasks;       /* --maxtasksperchild, 0 = unlimited */
  int crash_limit;     /* --crash-limit, 0 = the library's default */
  int keep_order;      /* -k */
  int tag;             /* --tag */
  const char *results; /* --results DIR */
  const char *joblog;  /* --joblog FILE */
  const char *report;  /* --report FILE: the run's page (report.h) */
  int resume;          /* --resume */
  int resume_failed;   /* --resume-failed */
  int retries;         /* --retries N: extra attempts of a failed task */
  double timeout;      /* --timeout SECONDS, 0 = none */
  cli_halt_t halt;     /* --halt WHEN,fail=N */
  long halt_fail;      /* ... N */
  int progress;        /* --progress 1, --no-progress 0, -1 = if a tty */
  int quiet;           /* --quiet: no summary line */
  int help, version;   /* --help, --version: print and exit 0 */
  int print_pool;      /* --print-pool: show the pool, run nothing */
  int dry_run;         /* --dry-run: print the commands, run nothing */
  const char *colsep;  /* --colsep REGEXP: split arguments into columns */
  int header;          /* --header ':': first lines name the columns */
  int hwthreads;       /* --use-hwthreads */
  int no_bind;         /* --no-bind */
  int cores_per_task;  /* --cores-per-task N, 0: not given */
  int gpus_per_task;   /* --gpus-per-task N, 0: not given */
} cli_options_t;

/*
 * Parses argv (argc words, argv[0] the program) into o, which it zeroes
 * first; argv is borrowed (o points into it) and may be permuted.
 * Returns 0, or -1 with a one-line message in err (without the program
 * name) for an unknown option, a missing or bad value, a missing or extra
 * TASKFILE, a :::: without a file, more than CLI_MAX_SOURCES sources, a
 * --header other than ':', --colsep or --header without input sources, or
 * options that conflict.  With --help or --version set, the
 * rest is not checked.
 */
int cli_options_parse(cli_options_t *o, int argc, char **argv, char *err,
                      size_t errlen);

/* The usage text printed by --help (a static string). */
const char *cli_options_usage(void);

#endif
