/*
 * ctx.c - the task context (see ctx.h and the mpipool_ctx_* functions in
 * mpipool.h).  A task's output is written straight into the results chunk
 * being built, so a result is copied once: from the task into the message.
 */
#include "config.h"
#include "ctx.h"

#include "base/alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void mpipool__ctx_init(mpipool_ctx_t *ctx, long id) {
  ctx->id = id;
  ctx->place = ctx->node_place = -1;
  snprintf(ctx->name, sizeof ctx->name, "PoolWorker-%ld", id);
}

const char *mpipool_ctx_name(const mpipool_ctx_t *ctx) {
  return ctx ? ctx->name : "";
}

long mpipool_ctx_worker_id(const mpipool_ctx_t *ctx) {
  return ctx ? ctx->id : 0;
}

long mpipool_ctx_place(const mpipool_ctx_t *ctx) {
  return ctx ? ctx->place : -1;
}

long mpipool_ctx_node_place(const mpipool_ctx_t *ctx) {
  return ctx ? ctx->node_place : -1;
}

const char *mpipool_ctx_gpus(const mpipool_ctx_t *ctx) {
  return ctx && ctx->gpus ? ctx->gpus : "";
}

void *mpipool_ctx_task_data(const mpipool_ctx_t *ctx) {
  return ctx ? ctx->task_data : NULL;
}

void mpipool_ctx_set_worker_data(mpipool_ctx_t *ctx, void *data) {
  if (ctx)
    ctx->worker_data = data;
}

void *mpipool_ctx_worker_data(const mpipool_ctx_t *ctx) {
  return ctx ? ctx->worker_data : NULL;
}

void mpipool_ctx_set_worker_data_free(mpipool_ctx_t *ctx,
                                      void (*free_fn)(void *data)) {
  if (ctx)
    ctx->worker_data_free = free_fn;
}

void mpipool__ctx_free_worker_data(mpipool_ctx_t *ctx) {
  if (ctx->worker_data && ctx->worker_data_free)
    ctx->worker_data_free(ctx->worker_data);
  ctx->worker_data = NULL;
}

void *mpipool_ctx_output(mpipool_ctx_t *ctx, size_t size) {
  if (ctx == NULL || ctx->rb == NULL || ctx->chunk)
    return NULL;
  mpipool__rbuild_rewind(ctx->rb);
  ctx->failed = 0;
  char *p = mpipool__buf_reserve(&ctx->rb->data, size ? size : 1);
  if (p == NULL) {
    ctx->oom = 1;
    return NULL;
  }
  ctx->oom = 0;
  ctx->rb->data.len += size;
  return p;
}

int mpipool_ctx_cancelled(mpipool_ctx_t *ctx) {
  if (ctx == NULL || ctx->cancelled == NULL)
    return 0;
  return ctx->cancelled(ctx->cancelled_arg) != 0;
}

int mpipool_ctx_set_output(mpipool_ctx_t *ctx, const void *data, size_t size) {
  if (ctx == NULL || ctx->chunk || (data == NULL && size))
    return MPIPOOL_EINVAL;
  void *p = mpipool_ctx_output(ctx, size);
  if (p == NULL)
    return MPIPOOL_ENOMEM;
  if (size)
    memcpy(p, data, size);
  return MPIPOOL_OK;
}

/* Replaces the current item's output with a NUL-terminated message; in a
 * chunk task, whose `out` must stay where it is, sets ctx->said instead. */
static void set_message(mpipool_ctx_t *ctx, const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  if (n < 0)
    n = 0;
  char *p;
  if (ctx->chunk) {
    mpipool__free(ctx->said);
    p = ctx->said = mpipool__malloc((size_t)n + 1);
  } else {
    mpipool__rbuild_rewind(ctx->rb);
    p = mpipool__buf_reserve(&ctx->rb->data, (size_t)n + 1);
  }
  if (p == NULL) {
    ctx->oom = 1;
  } else {
    vsnprintf(p, (size_t)n + 1, fmt, ap2);
    if (!ctx->chunk)
      ctx->rb->data.len += (size_t)n + 1;
  }
  va_end(ap2);
}

static void set_messagef(mpipool_ctx_t *ctx, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  set_message(ctx, fmt, ap);
  va_end(ap);
}

int mpipool_ctx_fail(mpipool_ctx_t *ctx, const char *fmt, ...) {
  if (ctx == NULL || ctx->rb == NULL)
    return MPIPOOL_ETASK;
  va_list ap;
  va_start(ap, fmt);
  set_message(ctx, fmt ? fmt : "task failed", ap);
  va_end(ap);
  ctx->failed = 1;
  return MPIPOOL_ETASK;
}

int mpipool__ctx_run(mpipool_ctx_t *ctx, mpipool__rbuild_t *rb,
                     mpipool_task_fn fn, void *task_data, const void *in,
                     size_t size) {
  if (mpipool__rbuild_begin(rb) != 0)
    return MPIPOOL_ENOMEM;
  ctx->rb = rb;
  ctx->task_data = task_data;
  ctx->failed = ctx->oom = 0;
  int rc = fn(ctx, in, size);
  int status = MPIPOOL_OK;
  if (ctx->oom) {
    mpipool__rbuild_rewind(rb);
    mpipool__buf_append(&rb->data, "out of memory", 14);
    status = MPIPOOL_ETASK;
  } else if (rc != 0) {
    if (!ctx->failed)
      set_messagef(ctx, "task returned %d", rc);
    status = MPIPOOL_ETASK;
  } else if (ctx->failed) {
    /* Failed, then returned 0: the message stands, as the task said. */
    status = MPIPOOL_ETASK;
  }
  ctx->rb = NULL;
  ctx->task_data = NULL;
  return mpipool__rbuild_end(rb, status);
}

/* A chunk task's call for one item: ctx->task_data is the task. */
static int chunk_one(mpipool_ctx_t *ctx, const void *in, size_t size) {
  const mpipool__task_t *t = ctx->task_data;
  void *out = mpipool_ctx_output(ctx, t->out_size);
  if (out == NULL)
    return MPIPOOL_ENOMEM; /* ctx->oom: "out of memory" */
  ctx->task_data = t->data;
  ctx->chunk = 1;
  int rc = t->chunk(ctx, in, 1, size, out);
  ctx->chunk = 0;
  if (ctx->said) { /* the output gives way to the message */
    set_messagef(ctx, "%s", ctx->said);
    mpipool__free(ctx->said);
    ctx->said = NULL;
  }
  return rc;
}

void mpipool__task_item(const mpipool__task_t *t, mpipool_task_fn *fn,
                        void **task_data) {
  *fn = t->chunk ? chunk_one : t->fn;
  *task_data = t->chunk ? (void *)t : t->data;
}

/* Fails the count items of a chunk call from `at` in rb with its
 * message: ctx->said (taken), or "task returned rc". */
static int fail_call(mpipool_ctx_t *ctx, mpipool__rbuild_t *rb, size_t at,
                     size_t count, int rc) {
  char said[64];
  const char *msg = ctx->said;
  if (ctx->oom)
    msg = "out of memory";
  else if (msg == NULL)
    snprintf(said, sizeof said, "task returned %d", rc), msg = said;
  int err = MPIPOOL_OK;
  rb->data.len = at;
  for (size_t i = 0; err == 0 && i < count; i++)
    err = mpipool__ctx_fail_item(ctx, rb, MPIPOOL_ETASK, msg);
  mpipool__free(ctx->said);
  ctx->said = NULL;
  return err;
}

int mpipool__ctx_run_chunk(mpipool_ctx_t *ctx, mpipool__rbuild_t *rb,
                           const mpipool__task_t *t, const void *in,
                           size_t count, size_t size) {
  size_t each = t->out_size, at = rb->data.len;
  if (count == 0)
    return MPIPOOL_OK;
  if ((each && count > ((size_t)-1 - at) / each) ||
      mpipool__rbuild_reserve(rb, count, count * each) != 0)
    return MPIPOOL_ENOMEM;
  char *out = rb->data.data + at;
  rb->data.len += count * each;
  ctx->rb = rb;
  ctx->task_data = t->data;
  ctx->failed = ctx->oom = 0;
  ctx->chunk = 1;
  int rc = t->chunk(ctx, in, count, size, out);
  ctx->chunk = 0;
  ctx->rb = NULL;
  ctx->task_data = NULL;
  if (rc != 0 || ctx->failed || ctx->oom)
    return fail_call(ctx, rb, at, count, rc);
  mpipool__rbuild_fixed(rb, count, each);
  return MPIPOOL_OK;
}

int mpipool__ctx_fail_item(mpipool_ctx_t *ctx, mpipool__rbuild_t *rb,
                           int status, const char *message) {
  (void)ctx;
  if (mpipool__rbuild_begin(rb) != 0 ||
      mpipool__buf_append(&rb->data, message, strlen(message) + 1) != 0)
    return MPIPOOL_ENOMEM;
  return mpipool__rbuild_end(rb, status);
}
