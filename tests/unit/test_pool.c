/*
 * test_pool.c - the public calls on a pool that was created but not
 * started (pool.c): option setters and their argument checks, and every
 * master-only call refusing with EBUSY.  No MPI call is made: MPI is not
 * initialized and mpipool_start() is never called.
 */
#include "config.h"

#include "api/pool.h"
#include "mpipool.h"
#include "../tap.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

static int task(mpipool_ctx_t *ctx, const void *in, size_t size) {
  (void)ctx, (void)in, (void)size;
  return 0;
}

static int init(mpipool_ctx_t *ctx, const void *args, size_t size) {
  (void)ctx, (void)args, (void)size;
  return 0;
}

static void item_cb(size_t index, int status, const void *data, size_t size,
                    void *arg) {
  (void)index, (void)status, (void)data, (void)size;
  ++*(int *)arg;
}

static void async_cb(mpipool_async_t *h, const void *data, size_t size,
                     void *arg) {
  (void)h, (void)data, (void)size;
  ++*(int *)arg;
}

static void async_err(mpipool_async_t *h, int status, const char *msg,
                      void *arg) {
  (void)h, (void)status, (void)msg;
  ++*(int *)arg;
}

static void test_create(void) {
  is_int(mpipool_create(NULL), MPIPOOL_EINVAL, "create(NULL) -> EINVAL");
  mpipool_t *pool = NULL;
  is_int(mpipool_create(&pool), 0, "create");
  ok(pool != NULL, "create sets the handle");
  ok(pool->state == MPIPOOL__CREATED && pool->role == MPIPOOL__ROLE_NONE,
     "created, no role");
  ok(pool->processes == 0 && pool->maxtasks == 0 && pool->init == NULL &&
         pool->initargs == NULL && pool->initargs_len == 0 &&
         pool->user_comm == MPI_COMM_WORLD && pool->comm == MPI_COMM_NULL,
     "defaults: processes 0, maxtasks 0, no initializer, MPI_COMM_WORLD");
  is_int(mpipool_is_master(pool), 0, "is_master 0 before start");
  is_int(mpipool_size(pool), 0, "size 0 before start");
  mpipool_destroy(pool);
  ok(1, "destroy of a created pool (no MPI)");

  mpipool_t *a, *b;
  mpipool_create(&a);
  mpipool_create(&b);
  ok(a != b, "two pools are distinct");
  mpipool_set_processes(a, 3);
  is_int(b->processes, 0, "options are per pool");
  mpipool_destroy(a);
  mpipool_destroy(b);
}

static void test_setters(void) {
  mpipool_t *pool;
  mpipool_create(&pool);

  /* processes */
  is_int(mpipool_set_processes(pool, 8), 0, "set_processes 8");
  is_int(pool->processes, 8, "processes set");
  is_int(mpipool_set_processes(pool, -1), MPIPOOL_EINVAL,
         "set_processes -1 -> EINVAL");
  is_int(mpipool_set_processes(pool, INT_MIN), MPIPOOL_EINVAL,
         "set_processes INT_MIN -> EINVAL");
  is_int(mpipool_set_processes(pool, 1000001), MPIPOOL_EINVAL,
         "set_processes 1000001 -> EINVAL");
  is_int(mpipool_set_processes(pool, INT_MAX), MPIPOOL_EINVAL,
         "set_processes INT_MAX -> EINVAL");
  is_int(pool->processes, 8, "rejected values leave processes alone");
  is_int(mpipool_set_processes(pool, 1000000), 0,
         "set_processes 1000000 (the limit)");
  is_int(mpipool_set_processes(pool, 0), 0, "set_processes 0");
  is_int(pool->processes, 0, "processes back to 0");

  /* maxtasksperchild */
  is_int(mpipool_set_maxtasksperchild(pool, -1), MPIPOOL_EINVAL,
         "set_maxtasksperchild -1 -> EINVAL");
  is_int(mpipool_set_maxtasksperchild(pool, LONG_MIN), MPIPOOL_EINVAL,
         "set_maxtasksperchild LONG_MIN -> EINVAL");
  is_int(mpipool_set_maxtasksperchild(pool, 0), 0, "maxtasksperchild 0");
  is_int(mpipool_set_maxtasksperchild(pool, 5), 0, "maxtasksperchild 5");
  is_int(pool->maxtasks, 5, "maxtasks set");
  is_int(mpipool_set_maxtasksperchild(pool, LONG_MAX), 0,
         "maxtasksperchild LONG_MAX");
  mpipool_set_maxtasksperchild(pool, -3);
  is_int(pool->maxtasks, LONG_MAX, "rejected value leaves maxtasks alone");

  /* initializer */
  is_int(mpipool_set_initializer(pool, init, NULL, 4), MPIPOOL_EINVAL,
         "set_initializer NULL initargs, size 4 -> EINVAL");
  ok(pool->init == NULL, "rejected initializer not set");
  is_int(mpipool_set_initializer(pool, init, NULL, 0), 0,
         "set_initializer NULL initargs, size 0");
  ok(pool->init == init && pool->initargs == NULL && pool->initargs_len == 0,
     "initializer without arguments");
  char args[] = "arguments";
  is_int(mpipool_set_initializer(pool, init, args, sizeof args), 0,
         "set_initializer with initargs");
  args[0] = 'X';
  ok(pool->initargs_len == sizeof args && pool->initargs != (void *)args &&
         memcmp(pool->initargs, "arguments", sizeof args) == 0,
     "initargs copied");
  is_int(mpipool_set_initializer(pool, init, "zz", 2), 0,
         "set_initializer again (old copy freed)");
  ok(pool->initargs_len == 2 && memcmp(pool->initargs, "zz", 2) == 0,
     "second initargs replace the first");
  is_int(mpipool_set_initializer(pool, init, args, (size_t)INT_MAX),
         MPIPOOL_E2BIG, "set_initializer above INT_MAX / 2 -> E2BIG");
  ok(pool->initargs_len == 2, "rejected initargs leave the old ones");
  is_int(mpipool_set_initializer(pool, NULL, NULL, 0), 0,
         "set_initializer(NULL) clears it");
  ok(pool->init == NULL && pool->initargs == NULL, "initializer cleared");

  /* register */
  int data;
  is_int(mpipool_register(pool, "square", task, &data), 0, "register");
  is_int(mpipool_register(pool, "square", task, NULL), MPIPOOL_EEXIST,
         "register duplicate -> EEXIST");
  is_int(mpipool_register(pool, "cube", NULL, NULL), MPIPOOL_EINVAL,
         "register NULL fn -> EINVAL");
  is_int(mpipool_register(pool, NULL, task, NULL), MPIPOOL_EINVAL,
         "register NULL name -> EINVAL");
  is_int(mpipool_register(pool, "", task, NULL), MPIPOOL_EINVAL,
         "register empty name -> EINVAL");
  char longname[257];
  memset(longname, 'n', 256);
  longname[256] = '\0';
  is_int(mpipool_register(pool, longname, task, NULL), MPIPOOL_EINVAL,
         "register 256-byte name -> EINVAL");
  longname[255] = '\0';
  is_int(mpipool_register(pool, longname, task, NULL), 0,
         "register 255-byte name");
  is_int(pool->reg.count, 2, "two tasks registered");

  /* comm */
  is_int(mpipool_set_comm(pool, MPI_COMM_NULL), MPIPOOL_EINVAL,
         "set_comm(MPI_COMM_NULL) -> EINVAL");
  ok(pool->user_comm == MPI_COMM_WORLD, "rejected comm leaves the default");
  is_int(mpipool_set_comm(pool, MPI_COMM_SELF), 0, "set_comm(MPI_COMM_SELF)");
  ok(pool->user_comm == MPI_COMM_SELF, "comm set");
  is_int(mpipool_set_comm(pool, MPI_COMM_WORLD), 0, "set_comm back");

  /* NULL pool */
  is_int(mpipool_set_processes(NULL, 2), MPIPOOL_EINVAL,
         "set_processes(NULL) -> EINVAL");
  is_int(mpipool_set_maxtasksperchild(NULL, 2), MPIPOOL_EINVAL,
         "set_maxtasksperchild(NULL) -> EINVAL");
  is_int(mpipool_set_initializer(NULL, init, NULL, 0), MPIPOOL_EINVAL,
         "set_initializer(NULL) -> EINVAL");
  is_int(mpipool_set_comm(NULL, MPI_COMM_WORLD), MPIPOOL_EINVAL,
         "set_comm(NULL) -> EINVAL");
  is_int(mpipool_register(NULL, "x", task, NULL), MPIPOOL_EINVAL,
         "register(NULL) -> EINVAL");
  is_int(mpipool_start(NULL), MPIPOOL_EINVAL, "start(NULL) -> EINVAL");

  /* a pool in another state refuses options (EBUSY), as after start */
  pool->state = MPIPOOL__RUNNING;
  ok(mpipool_set_processes(pool, 2) == MPIPOOL_EBUSY &&
         mpipool_set_maxtasksperchild(pool, 2) == MPIPOOL_EBUSY &&
         mpipool_set_initializer(pool, init, NULL, 0) == MPIPOOL_EBUSY &&
         mpipool_set_comm(pool, MPI_COMM_WORLD) == MPIPOOL_EBUSY &&
         mpipool_register(pool, "late", task, NULL) == MPIPOOL_EBUSY &&
         mpipool_start(pool) == MPIPOOL_EBUSY,
     "options and start after start -> EBUSY");
  pool->state = MPIPOOL__CREATED;
  is_int(pool->reg.count, 2, "no late registration");

  mpipool_destroy(pool); /* frees names and initargs (valgrind) */
}

static void test_not_started(void) {
  mpipool_t *pool;
  mpipool_create(&pool);
  mpipool_register(pool, "task", task, NULL);
  int items[4] = {1, 2, 3, 4};
  const void *ptrs[2] = {items, items + 1};
  size_t sizes[2] = {sizeof(int), sizeof(int)};
  mpipool_results_t *res = (mpipool_results_t *)&res;
  mpipool_async_t *h = (mpipool_async_t *)&h;
  int calls = 0;
  void *out = &out;
  size_t out_size = 77;

  is_int(mpipool_map(pool, "task", items, 4, sizeof(int), 0, &res),
         MPIPOOL_EBUSY, "map on a created pool -> EBUSY");
  ok(res == (mpipool_results_t *)&res, "map: results untouched");
  is_int(mpipool_map_v(pool, "task", ptrs, sizes, 2, 1, &res), MPIPOOL_EBUSY,
         "map_v -> EBUSY");
  is_int(mpipool_imap(pool, "task", items, 4, sizeof(int), 0, item_cb, &calls),
         MPIPOOL_EBUSY, "imap -> EBUSY");
  is_int(mpipool_imap_unordered(pool, "task", items, 4, sizeof(int), 0, item_cb,
                                &calls),
         MPIPOOL_EBUSY, "imap_unordered -> EBUSY");
  is_int(mpipool_apply_async(pool, "task", items, sizeof(int), async_cb,
                             async_err, &calls, &h),
         MPIPOOL_EBUSY, "apply_async -> EBUSY");
  ok(h == (mpipool_async_t *)&h, "apply_async: handle untouched");
  is_int(mpipool_apply(pool, "task", items, sizeof(int), &out, &out_size),
         MPIPOOL_EBUSY, "apply -> EBUSY");
  ok(out == NULL, "apply: *out NULL on error");
  is_int(calls, 0, "no callback ran");
  is_int(mpipool_map(pool, "nosuch", items, 4, sizeof(int), 0, &res),
         MPIPOOL_EBUSY, "map of an unknown task on a created pool -> EBUSY");
  is_int(mpipool_set_backlog(pool, 5), MPIPOOL_EBUSY, "set_backlog -> EBUSY");
  is_int(mpipool_set_backlog(NULL, 5), MPIPOOL_EINVAL,
         "set_backlog(NULL) -> EINVAL");
  is_int(mpipool_close(pool), MPIPOOL_EBUSY, "close -> EBUSY");
  is_int(mpipool_join(pool), MPIPOOL_EBUSY, "join -> EBUSY");
  is_int(mpipool_terminate(pool), MPIPOOL_EBUSY, "terminate -> EBUSY");
  is_int(mpipool_progress(pool), MPIPOOL_EBUSY, "progress -> EBUSY");
  ok(pool->state == MPIPOOL__CREATED, "still created: options settable");
  is_int(mpipool_set_processes(pool, 2), 0, "set_processes after all that");
  is_int(mpipool_is_master(pool), 0, "is_master 0");
  is_int(mpipool_size(pool), 0, "size 0");

  /* the same calls on NULL */
  is_int(mpipool_map(NULL, "task", items, 4, sizeof(int), 0, &res),
         MPIPOOL_EINVAL, "map(NULL) -> EINVAL");
  is_int(mpipool_imap(NULL, "task", items, 4, sizeof(int), 0, item_cb, &calls),
         MPIPOOL_EINVAL, "imap(NULL) -> EINVAL");
  is_int(mpipool_apply_async(NULL, "task", items, 4, NULL, NULL, NULL, &h),
         MPIPOOL_EINVAL, "apply_async(NULL) -> EINVAL");
  is_int(mpipool_apply(NULL, "task", items, 4, &out, NULL), MPIPOOL_EINVAL,
         "apply(NULL) -> EINVAL");
  is_int(mpipool_close(NULL), MPIPOOL_EINVAL, "close(NULL) -> EINVAL");
  is_int(mpipool_join(NULL), MPIPOOL_EINVAL, "join(NULL) -> EINVAL");
  is_int(mpipool_terminate(NULL), MPIPOOL_EINVAL, "terminate(NULL) -> EINVAL");
  is_int(mpipool_progress(NULL), MPIPOOL_EINVAL, "progress(NULL) -> EINVAL");
  is_int(mpipool_is_master(NULL), 0, "is_master(NULL) 0");
  is_int(mpipool_size(NULL), 0, "size(NULL) 0");

  /* argument errors found before the state */
  is_int(mpipool_map(pool, "task", NULL, 4, sizeof(int), 0, &res),
         MPIPOOL_EINVAL, "map with NULL items -> EINVAL");
  is_int(mpipool_apply_async(pool, "task", items, 4, NULL, NULL, NULL, NULL),
         MPIPOOL_EINVAL, "apply_async with NULL handle -> EINVAL");
  is_int(mpipool_apply(pool, "task", items, 4, NULL, NULL), MPIPOOL_EINVAL,
         "apply with NULL out -> EINVAL");

  mpipool_destroy(pool);
  mpipool_destroy(NULL);
  ok(1, "destroy(NULL) is a no-op");
}

int main(void) {
  test_create();
  test_setters();
  test_not_started();
  return tap_done();
}
