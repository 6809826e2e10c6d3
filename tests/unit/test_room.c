/*
 * test_room.c - how many more workers a node's limits let this user start
 * (room.c): each limit's share, the tightest one named, no limit at all.
 * No MPI.
 */
#include "config.h"

#include "placement/room.h"
#include "../tap.h"

#include <stdio.h>
#include <string.h>

int main(void) {
  char why[256];
  mpipool__limits_t none = {-1, -1, -1, -1, -1};
  is_int(mpipool__room(&none), -1, "no limit: no bound on the workers");
  mpipool__room_why(&none, why, sizeof why);
  ok(why[0] == '\0', "no limit: nothing to say");

  /* ulimit -u 150 with 9 in use: (150 - 9) / 6 = 23 workers. */
  mpipool__limits_t u = {150, 9, 20000, 20, 24000000};
  is_int(mpipool__room(&u), 23, "ulimit -u 150, 9 in use: 23 workers");
  mpipool__room_why(&u, why, sizeof why);
  ok(strcmp(why, "the processes this user may run (ulimit -u 150, 9 in use, "
                 "6 per worker)") == 0,
     "ulimit -u named: '%s'", why);

  /* ulimit -n 120 with 24 open: (120 - 24 - 64) / 4 = 8 workers. */
  mpipool__limits_t n = {-1, -1, 120, 24, 24000000};
  is_int(mpipool__room(&n), 8, "ulimit -n 120, 24 open: 8 workers");
  mpipool__room_why(&n, why, sizeof why);
  ok(strcmp(why, "the files a process may open (ulimit -n 120, 4 per "
                 "worker)") == 0,
     "ulimit -n named: '%s'", why);
  n.files_max = 70;
  is_int(mpipool__room(&n), 0, "ulimit -n 70, 24 open: no room at all");
  n.files_max = 10;
  is_int(mpipool__room(&n), 0, "fewer files than in use: 0, not negative");

  /* 80 MiB available: 10 workers of 8 MiB. */
  mpipool__limits_t m = {-1, -1, -1, -1, 80 * 1024};
  is_int(mpipool__room(&m), 10, "80 MiB available: 10 workers");
  mpipool__room_why(&m, why, sizeof why);
  ok(strcmp(why, "the memory available (80 MiB, 8 MiB per worker)") == 0,
     "memory named: '%s'", why);

  mpipool__limits_t huge = {-1, -1, -1, -1, 1L << 40};
  is_int(mpipool__room(&huge), 1000000, "a huge room is capped at 1000000");

  mpipool__limits_t here;
  mpipool__limits_read(&here);
  ok(here.mem_kib > 0 && (here.tasks_max < 0 || here.tasks_used > 0) &&
         (here.files_max < 0 || here.files_used >= 3),
     "this node's limits read (memory %ld KiB, tasks %ld/%ld, files %ld/%ld)",
     here.mem_kib, here.tasks_used, here.tasks_max, here.files_used,
     here.files_max);
  return tap_done();
}
