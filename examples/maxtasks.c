/*
 * maxtasks.c - Python's Pool(maxtasksperchild=2) example: the same program
 * as pool_map.c, whose workers each run two tasks (a map chunk counts as
 * one, as in Python), then exit and are replaced by fresh processes.  The
 * results are the same; the "Starting PoolWorker-N" lines show the new
 * workers.
 *
 *   pool = Pool(processes=cpu_count() * 2, initializer=start_process,
 *               maxtasksperchild=2)
 */
#define MAXTASKSPERCHILD 2
#include "pool_map.c"
