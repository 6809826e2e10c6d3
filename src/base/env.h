/*
 * env.h - the library's settings from the environment that are a number
 * of seconds (MPIPOOL_INIT_WATCH, MPIPOOL_SPAWN_TIMEOUT,
 * MPIPOOL_HEAD_ALONE) or a switch (MPIPOOL_HEAD_START): read one way,
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

/*
 * The switch `name` gives: `dflt` when it is unset or empty; 0 or 1 when
 * it is "0" or "1"; else `dflt`, after a line on stderr saying so
 * ("mpipool: NAME=VALUE is not 0 or 1; using DFLT"), once as above.
 */
int mpipool__env_flag(const char *name, int dflt, int *said);

#endif
