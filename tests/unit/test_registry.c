/*
 * test_registry.c - the task table (registry.c): adding, finding, names for the
 * workers, every bad argument.
 */
#include "config.h"

#include "api/registry.h"
#include "mpipool.h"
#include "../tap.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int task_a(mpipool_ctx_t *ctx, const void *in, size_t size) {
  (void)ctx, (void)in, (void)size;
  return 0;
}

static int task_b(mpipool_ctx_t *ctx, const void *in, size_t size) {
  (void)ctx, (void)in, (void)size;
  return 1;
}

/* A task of registry_add's. */
#define TASK(name, fn, data) ((mpipool__task_t){(name), (fn), NULL, 0, (data)})

static int chunk_a(mpipool_ctx_t *ctx, const void *in, size_t count,
                   size_t size, void *out) {
  (void)ctx, (void)in, (void)count, (void)size, (void)out;
  return 0;
}

static void test_registry(void) {
  mpipool__registry_t reg = {0};
  int data = 5;
  char *names;
  size_t len;

  is_int(mpipool__registry_names(&reg, &names, &len), 0,
         "names of an empty registry");
  ok(names != NULL && len == 0, "empty registry: no names, non-NULL block");
  free(names);
  is_int(mpipool__registry_find(&reg, "x"), MPIPOOL_ENOTASK,
         "find in an empty registry -> ENOTASK");

  is_int(mpipool__registry_add(&reg, TASK("square", task_a, &data)), 0, "add");
  is_int(mpipool__registry_add(&reg, TASK("double", task_b, NULL)), 0,
         "add 2nd");
  is_int(mpipool__registry_add(&reg, TASK("square", task_b, NULL)),
         MPIPOOL_EEXIST, "same name again -> EEXIST");
  is_int(mpipool__registry_add(&reg, TASK("square", task_a, &data)),
         MPIPOOL_EEXIST, "same name and function again -> EEXIST");
  is_int(mpipool__registry_add(&reg, TASK(NULL, task_a, NULL)), MPIPOOL_EINVAL,
         "NULL name -> EINVAL");
  is_int(mpipool__registry_add(&reg, TASK("x", NULL, NULL)), MPIPOOL_EINVAL,
         "NULL function -> EINVAL");
  is_int(mpipool__registry_add(&reg, TASK("", task_a, NULL)), MPIPOOL_EINVAL,
         "empty name -> EINVAL");
  is_int(mpipool__registry_add(NULL, TASK("x", task_a, NULL)), MPIPOOL_EINVAL,
         "NULL registry -> EINVAL");
  char n256[257], n255[256];
  memset(n256, 'q', 256);
  n256[256] = '\0';
  memset(n255, 'r', 255);
  n255[255] = '\0';
  is_int(mpipool__registry_add(&reg, TASK(n256, task_a, NULL)), MPIPOOL_EINVAL,
         "256-byte name -> EINVAL");
  is_int(mpipool__registry_add(&reg, TASK(n255, task_a, NULL)), 0,
         "255-byte name is fine");
  is_int(reg.count, 3, "failed adds leave no entry");

  is_int(mpipool__registry_find(&reg, "square"), 0, "find square: index 0");
  is_int(mpipool__registry_find(&reg, "double"), 1, "find double: index 1");
  is_int(mpipool__registry_find(&reg, n255), 2, "find the long name");
  is_int(mpipool__registry_find(&reg, "squar"), MPIPOOL_ENOTASK,
         "prefix -> ENOTASK");
  is_int(mpipool__registry_find(&reg, "squares"), MPIPOOL_ENOTASK,
         "longer -> ENOTASK");
  is_int(mpipool__registry_find(&reg, "Square"), MPIPOOL_ENOTASK,
         "case matters -> ENOTASK");
  is_int(mpipool__registry_find(&reg, n256), MPIPOOL_ENOTASK,
         "rejected name -> ENOTASK");
  is_int(mpipool__registry_find(&reg, NULL), MPIPOOL_EINVAL,
         "find NULL -> EINVAL");
  is_int(mpipool__registry_find(NULL, "square"), MPIPOOL_EINVAL,
         "find in NULL registry -> EINVAL");
  ok(reg.tasks[0].fn == task_a && reg.tasks[0].data == &data &&
         reg.tasks[1].fn == task_b && reg.tasks[1].data == NULL,
     "functions and data kept");

  {
    /* the name is copied */
    char tmp[] = "temp";
    mpipool__registry_add(&reg, TASK(tmp, task_a, NULL));
    tmp[0] = 'X';
    is_int(mpipool__registry_find(&reg, "temp"), 3, "name copied on add");
  }

  is_int(mpipool__registry_names(&reg, &names, &len), 0, "names");
  is_int(len, 7 + 7 + 256 + 5, "names: total length with NULs");
  ok(strcmp(names, "square") == 0 && strcmp(names + 7, "double") == 0 &&
         strcmp(names + 14, n255) == 0 && strcmp(names + 270, "temp") == 0 &&
         names[len - 1] == '\0',
     "names: back to back, in index order");
  free(names);

  /* growth beyond the initial capacity keeps everything findable */
  int grow_ok = 1;
  for (int i = 0; i < 40; i++) {
    char nm[16];
    snprintf(nm, sizeof nm, "t%d", i);
    if (mpipool__registry_add(&reg, TASK(nm, task_b, NULL)) != 0)
      grow_ok = 0;
  }
  for (int i = 0; i < 40; i++) {
    char nm[16];
    snprintf(nm, sizeof nm, "t%d", i);
    if (mpipool__registry_find(&reg, nm) != 4 + i)
      grow_ok = 0;
  }
  ok(grow_ok && mpipool__registry_find(&reg, "square") == 0,
     "44 tasks: all found at their index");
  mpipool__registry_free(&reg);
  ok(reg.count == 0 && reg.tasks == NULL && reg.cap == 0,
     "registry_free empties");
  is_int(mpipool__registry_add(&reg, TASK("again", task_a, NULL)), 0,
         "usable after free");
  is_int(mpipool__registry_add(
             &reg, (mpipool__task_t){"chunk", NULL, chunk_a, 8, &data}),
         0, "a chunk task");
  ok(reg.tasks[1].fn == NULL && reg.tasks[1].chunk == chunk_a &&
         reg.tasks[1].out_size == 8 && reg.tasks[1].data == &data,
     "a chunk task: its function, output size and data kept");
  is_int(mpipool__registry_add(
             &reg, (mpipool__task_t){"both", task_a, chunk_a, 8, NULL}),
         MPIPOOL_EINVAL, "a task and a chunk task at once: EINVAL");
  is_int(mpipool__registry_find(&reg, "both"), MPIPOOL_ENOTASK,
         "... and not added");
  mpipool__registry_free(&reg);
}

int main(void) {
  test_registry();
  return tap_done();
}
