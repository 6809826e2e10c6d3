/*
 * sources.h - GNU parallel's input sources for the mpipool program: words
 * given after ":::", files after "::::" (or -a), each a list of
 * arguments; two or more sources make the cartesian product of their
 * arguments, in GNU parallel's order (the first source varies slowest),
 * and a source given with ":::+" or "::::+" is linked to the one before:
 * their arguments go in pairs (as many as the shorter has) instead of
 * being crossed.  The sources are held in memory (a single file source
 * is read as a stream instead: see tasklist.h).  Pure logic, no MPI.
 */
#ifndef MPIPOOL_CLI_SOURCES_H
#define MPIPOOL_CLI_SOURCES_H

#include <stddef.h>
#include <stdint.h>

#include "template.h"

/* A source as the command line gives it. */
typedef struct {
  const char *path; /* a file ("-": stdin), or NULL: words */
  char **words;     /* with path NULL: words[0..nwords-1] */
  int nwords;
  int linked; /* 1: linked to the source before (":::+", "::::+") */
} cli_source_spec_t;

typedef struct cli_sources cli_sources_t;

/*
 * Reads the n sources of spec (files whole, one argument per line; an
 * empty line, or the end of the file, is no argument); the first is not
 * linked.  header 1 (--header :): the first line of each file, the first
 * word of each :::, is not an argument but the source's header line
 * (cli_sources_header).  Returns 0, or -1 with a message in err: a file
 * that cannot be read, a NUL byte in a line, with header a source with no
 * line or word at all, out of memory.
 */
int cli_sources_load(cli_sources_t **s, const cli_source_spec_t *spec, int n,
                     int header, char *err, size_t errlen);

/* How many sources (arguments per task). */
int cli_sources_width(const cli_sources_t *s);

/* The header line of source i (0-based), owned by s; NULL when loaded
 * without header. */
const cli_arg_t *cli_sources_header(const cli_sources_t *s, int i);

/* How many tasks their product makes: 0 when a source is empty; it says
 * which in err.  UINT64_MAX when the product does not fit. */
uint64_t cli_sources_count(const cli_sources_t *s, char *err, size_t errlen);

/* The arguments of task i (0-based, i < count): args[0..width-1]. */
void cli_sources_row(const cli_sources_t *s, uint64_t i, cli_arg_t *args);

/* Frees s.  NULL is a no-op. */
void cli_sources_free(cli_sources_t *s);

#endif
