/*
 * head.c - tasks run in the master's process (see head.h).
 */
#include "config.h"
#include "head.h"

#include "base/clock.h"

#include <stdio.h>
#include <string.h>

void mpipool__head_init(mpipool__head_t *h) {
  memset(h, 0, sizeof *h);
  h->iso = (mpipool__iso_t)MPIPOOL__ISO_INIT;
  mpipool__ctx_init(&h->ctx, 0);
  snprintf(h->ctx.name, sizeof h->ctx.name, "MainProcess");
}

int mpipool__head_ready(mpipool__head_t *h, mpipool_t *pool) {
  if (h->initialized)
    return !h->failed;
  h->initialized = 1;
  if (pool->init == NULL)
    return 1;
  mpipool__rbuild_reset(&h->rb);
  int err = mpipool__ctx_run(&h->ctx, &h->rb, pool->init, NULL, pool->initargs,
                             pool->initargs_len);
  if (err == 0 && h->rb.nfailed == 0)
    return 1;
  h->failed = 1;
  fprintf(stderr,
          "mpipool: %s: initializer failed: %s; it runs no task, the "
          "workers do\n",
          h->ctx.name,
          err ? mpipool_strerror(err) : (const char *)h->rb.data.data);
  return 0;
}

int mpipool__head_run(mpipool__head_t *h, mpipool_t *pool, uint32_t fn,
                      const mpipool__src_t *src, size_t first, size_t count,
                      uint64_t seq, mpipool__buf_t *out) {
  const mpipool__task_t *t = &pool->reg.tasks[fn];
  uint64_t t0 = mpipool__clock_ns();
  mpipool__rbuild_reset(&h->rb);
  int err = mpipool__wire_results_begin(out, seq, 0);
  if (err == 0)
    err = mpipool__rbuild_reserve(&h->rb, count, 0);
  for (size_t i = first; err == 0 && i < first + count; i++) {
    const void *in = mpipool__src_ptr(src, i);
    size_t size = mpipool__src_size(src, i);
    err = pool->isolation
              ? mpipool__iso_run(&h->iso, &h->ctx, &h->rb, t->fn, t->data, in,
                                 size, pool->task_timeout, NULL, NULL)
              : mpipool__ctx_run(&h->ctx, &h->rb, t->fn, t->data, in, size);
  }
  if (err == 0)
    err = mpipool__wire_results_add(out, &h->rb);
  if (err == 0)
    mpipool__wire_results_set_busy(out, mpipool__clock_ns() - t0);
  return err;
}

void mpipool__head_free(mpipool__head_t *h) {
  mpipool__iso_stop(&h->iso);
  mpipool__ctx_free_worker_data(&h->ctx);
  mpipool__rbuild_free(&h->rb);
}
