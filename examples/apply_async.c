/*
 * apply_async.c - Python's apply_async example, in C over MPI:
 *
 *   def func(msg):
 *       for i in range(3): print(msg); time.sleep(1)
 *       return "done " + msg
 *   pool = Pool(processes=4)
 *   result = [pool.apply_async(func, (msg,)) for msg in msgs]  # 10 tasks
 *   pool.close(); pool.join()
 *   for res in result: print(":::", res.get())
 *   print("Sub-process(es) done.")
 *
 * Run it as ./examples/apply_async or mpirun -n 5 ./examples/apply_async.
 */
#include <mpipool.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int func(mpipool_ctx_t *ctx, const void *in, size_t size) {
  char msg[64];
  if (size >= sizeof msg)
    return mpipool_ctx_fail(ctx, "message too long");
  memcpy(msg, in, size);
  msg[size] = '\0';
  for (int i = 0; i < 3; i++) {
    printf("%s\n", msg);
    fflush(stdout);
    sleep(1);
  }
  char *out = mpipool_ctx_output(ctx, size + 5);
  if (out == NULL)
    return -1;
  memcpy(out, "done ", 5);
  memcpy(out + 5, msg, size);
  return 0;
}

int main(void) {
  mpipool_t *pool;
  mpipool_async_t *result[10] = {0};
  int err, n = 0;

  if ((err = mpipool_create(&pool)) != 0 ||
      (err = mpipool_register(pool, "func", func, NULL)) != 0 ||
      (err = mpipool_set_processes(pool, 4)) != 0 ||
      (err = mpipool_start(pool)) != 0)
    goto fail;

  for (n = 0; n < 10; n++) {
    char msg[32];
    int len = snprintf(msg, sizeof msg, "hello %d", n);
    err = mpipool_apply_async(pool, "func", msg, (size_t)len, NULL, NULL, NULL,
                              &result[n]);
    if (err)
      goto fail;
  }
  if ((err = mpipool_close(pool)) != 0 || (err = mpipool_join(pool)) != 0)
    goto fail;
  for (int i = 0; i < 10; i++) {
    const void *data;
    size_t size;
    err = mpipool_async_get(result[i], -1, &data, &size);
    if (err)
      goto fail;
    printf("::: %.*s\n", (int)size, (const char *)data);
  }
  printf("Sub-process(es) done.\n");
  for (int i = 0; i < 10; i++)
    mpipool_async_free(result[i]);
  mpipool_destroy(pool);
  return 0;
fail:
  fprintf(stderr, "apply_async: %s\n", mpipool_strerror(err));
  for (int i = 0; i < n; i++)
    mpipool_async_free(result[i]);
  mpipool_destroy(pool);
  return 1;
}
