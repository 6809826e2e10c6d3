/*
 * report_main.c - the mpipool-report program: draws the page of a run
 * (report.h) from a joblog, mpipool's or GNU parallel's.  No MPI.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "fmt.h"
#include "report.h"

#define EXIT_FAILED 1 /* the joblog could not be read or the page written */
#define EXIT_USAGE 2  /* a mistake on the command line */

static const char usage[] =
    "Usage: mpipool-report [OPTION]... JOBLOG\n"
    "Draws a run as one self-contained HTML page (inline SVG; nothing is\n"
    "fetched from anywhere) from its JOBLOG, as written by mpipool --joblog\n"
    "or GNU parallel --joblog ('-' for stdin): a summary (tasks, failed,\n"
    "wall time, total task time, mean concurrency), a timeline with one bar\n"
    "per task on rows that stand for job slots (coloured by outcome: exit\n"
    "status 0, non-zero, killed by a signal; pointing at a bar shows its\n"
    "task number, command, run time and exit status), the number of tasks\n"
    "running over time, and a histogram of run times.  A joblog has no slot\n"
    "column: each task goes on the first row (of its host's) that was free\n"
    "when it started, in start order.\n"
    "\n"
    "  -o, --output FILE   write the page to FILE ('-' for stdout; default:\n"
    "                      JOBLOG.html, or stdout when JOBLOG is '-')\n"
    "  -h, --help          show this help and exit\n"
    "      --version       show the version and exit\n"
    "\n"
    "The page is written whole or not at all.  Exit status: 0 when the page\n"
    "was written, 1 when the joblog could not be read (the message names\n"
    "the file and line) or the page not written, 2 for a wrong command line.\n"
    "See also: mpipool --report FILE, which writes the page at the end of a\n"
    "run.\n";

int main(int argc, char **argv) {
  static const struct option longopts[] = {
      {"output", required_argument, NULL, 'o'},
      {"help", no_argument, NULL, 'h'},
      {"version", no_argument, NULL, 'V'},
      {NULL, 0, NULL, 0}};
  const char *out = NULL;
  int c;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
    switch (c) {
    case 'o':
      if (*optarg == '\0') {
        fprintf(stderr, "mpipool-report: -o needs a file name, not ''\n");
        return EXIT_USAGE;
      }
      out = optarg;
      break;
    case 'h':
      fputs(usage, stdout);
      return 0;
    case 'V':
      puts("mpipool-report " PACKAGE_VERSION);
      return 0;
    case ':':
      fprintf(stderr, "mpipool-report: option '%s' needs a value\n",
              argv[optind - 1]);
      return EXIT_USAGE;
    default:
      fprintf(stderr,
              "mpipool-report: unknown option '%s'\nTry 'mpipool-report "
              "--help' for more information.\n",
              argv[optind - 1]);
      return EXIT_USAGE;
    }
  }
  if (argc - optind != 1) {
    fprintf(stderr,
            "mpipool-report: %s\nTry 'mpipool-report --help' for more "
            "information.\n",
            argc == optind ? "no JOBLOG given" : "more than one JOBLOG given");
    return EXIT_USAGE;
  }
  const char *path = argv[optind];
  int from_stdin = strcmp(path, "-") == 0;
  const char *name = from_stdin ? "(stdin)" : path;
  char *def = NULL;
  if (out == NULL && !from_stdin) {
    if ((def = cli_afmt("%s.html", path)) == NULL) {
      fprintf(stderr, "mpipool-report: out of memory\n");
      return EXIT_FAILED;
    }
    out = def;
  } else if (out == NULL) {
    out = "-";
  }
  FILE *f = from_stdin ? stdin : fopen(path, "r");
  if (f == NULL) {
    fprintf(stderr, "mpipool-report: cannot read the joblog '%s': %s\n", path,
            strerror(errno));
    cli_free(def);
    return EXIT_FAILED;
  }
  char err[1024];
  int rc = cli_report_write(f, name, out, err, sizeof err);
  if (!from_stdin)
    fclose(f);
  if (rc)
    fprintf(stderr, "mpipool-report: %s\n", err);
  else if (strcmp(out, "-") != 0)
    fprintf(stderr, "mpipool-report: wrote %s\n", out);
  cli_free(def);
  return rc ? EXIT_FAILED : 0;
}
