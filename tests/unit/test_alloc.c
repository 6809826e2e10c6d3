/*
 * test_alloc.c - the library's allocation seam (alloc.c): the Nth
 * allocation fails once and only once, live blocks are counted, blocks
 * given to callers are not, and the growth rule doubles, keeps an array
 * whole when growing fails, and refuses sizes that overflow.
 */
#include "config.h"

#include "base/alloc.h"
#include "mpipool.h"
#include "../tap.h"

#include <stdint.h>
#include <stdlib.h>

int main(void) {
  long live = mpipool__alloc_live();
  unsigned long made = mpipool__alloc_count();
  void *a = mpipool__malloc(10);
  ok(a != NULL, "malloc");
  is_int(mpipool__alloc_live(), live + 1, "one live block");
  is_int(mpipool__alloc_count(), made + 1, "one allocation made");
  mpipool__alloc_fail_at(2);
  void *b = mpipool__calloc(2, 4);
  void *c = mpipool__malloc(8);
  void *d = mpipool__malloc(8);
  ok(b != NULL && c == NULL && d != NULL, "fail_at(2): the second fails, "
                                          "once");
  is_int(mpipool__alloc_live(), live + 3, "failed allocations are not live");
  mpipool__alloc_fail_at(1);
  ok(mpipool__realloc(a, 100) == NULL, "a failed realloc: NULL");
  a = mpipool__realloc(a, 100);
  ok(a != NULL, "the next realloc works");
  is_int(mpipool__alloc_live(), live + 3,
         "a realloc of a block is no new "
         "block");
  void *e = mpipool__realloc(NULL, 4);
  is_int(mpipool__alloc_live(), live + 4, "realloc(NULL) is a new block");
  void *given = mpipool__malloc_given(5);
  is_int(mpipool__alloc_live(), live + 4, "a given block is not live");
  free(given);
  mpipool__alloc_fail_at(1);
  ok(mpipool__malloc_given(5) == NULL, "but it fails like any other");
  mpipool__alloc_fail_at(5);
  mpipool__alloc_fail_at(0);
  void *f = mpipool__malloc(1);
  ok(f != NULL, "fail_at(0) turns failing off");
  mpipool__free(a);
  mpipool__free(b);
  mpipool__free(d);
  mpipool__free(e);
  mpipool__free(f);
  mpipool__free(NULL);
  is_int(mpipool__alloc_live(), live, "all freed: live back where it was");

  int *arr = NULL;
  size_t cap = 0;
  is_int(mpipool__grow((void **)&arr, &cap, 1, sizeof *arr), 0, "grow to 1");
  is_int(cap, 8, "capacity starts at 8");
  is_int(mpipool__grow((void **)&arr, &cap, 8, sizeof *arr), 0, "grow to 8");
  is_int(cap, 8, "room already: unchanged");
  for (int i = 0; i < 8; i++)
    arr[i] = i;
  is_int(mpipool__grow((void **)&arr, &cap, 9, sizeof *arr), 0, "grow to 9");
  is_int(cap, 16, "doubles");
  is_int(mpipool__grow((void **)&arr, &cap, 100, sizeof *arr), 0,
         "grow to 100");
  is_int(cap, 128, "doubles until it holds 100");
  int *keep = arr;
  mpipool__alloc_fail_at(1);
  is_int(mpipool__grow((void **)&arr, &cap, 200, sizeof *arr), MPIPOOL_ENOMEM,
         "growing fails: ENOMEM");
  ok(arr == keep && cap == 128 && arr[7] == 7, "the array is unchanged");
  is_int(mpipool__grow((void **)&arr, &cap, SIZE_MAX / 2, sizeof *arr),
         MPIPOOL_ENOMEM, "a size that overflows: ENOMEM");
  is_int(mpipool__grow((void **)&arr, &cap, SIZE_MAX, 1), MPIPOOL_ENOMEM,
         "SIZE_MAX elements: ENOMEM");
  ok(arr == keep && cap == 128, "still unchanged");
  mpipool__free(arr);
  is_int(mpipool__alloc_live(), live, "nothing left");
  return tap_done();
}
