/*
 * env.h - the library's settings from the environment that are a number
 * of seconds (MPIPOOL_INIT_WATCH, MPIPOOL_SPAWN_TIMEOUT,
 * MPIPOOL_HEAD_ALONE): read one way,
 * and a value that is not such a number is said on stderr and replaced by
 * the default, never taken for 0 (which turns a bound off).
 */
#ifndef MPIPOOL_ENV_H
#define MPIPOOL_ENV_H

/*
 * The seconds variable `name` gives: `dflt` when it is unset or empty;
 * its value when it is a decimal number from 0 to `max` (fractions
 * allowed, nothing after it); else `dflt`, after a line on stderr saying
 * so ("mpipool: NAME=VALUE is not a number of seconds from 0 to MAX;
 * using DFLT").  *said (may be NULL: always) is set once the line was
 * written and keeps it from being written again: a setting read on every
 * spawn is complained about once.
 */
double mpipool__env_seconds(const char *name, double dflt, double max,
                            int *said);

#endif
