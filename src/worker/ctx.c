/*
 * ctx.c - the task context (see ctx.h and the mpipool_ctx_* functions in
 * mpipool.h).  A task's output is written straight into the results chunk
 * being built, so a result is copied once: from the task into the message.
 */
#include "config.h"
#include "ctx.h"

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
  if (ctx == NULL || ctx->rb == NULL)
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
  if (ctx == NULL || (data == NULL && size))
    return MPIPOOL_EINVAL;
  void *p = mpipool_ctx_output(ctx, size);
  if (p == NULL)
    return MPIPOOL_ENOMEM;
  if (size)
    memcpy(p, data, size);
  return MPIPOOL_OK;
}

/* Replaces the current item's output with a NUL-terminated message. */
static void set_message(mpipool_ctx_t *ctx, const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  mpipool__rbuild_rewind(ctx->rb);
  if (n < 0)
    n = 0;
  char *p = mpipool__buf_reserve(&ctx->rb->data, (size_t)n + 1);
  if (p == NULL) {
    ctx->oom = 1;
  } else {
    vsnprintf(p, (size_t)n + 1, fmt, ap2);
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

int mpipool__ctx_fail_item(mpipool_ctx_t *ctx, mpipool__rbuild_t *rb,
                           int status, const char *message) {
  (void)ctx;
  if (mpipool__rbuild_begin(rb) != 0 ||
      mpipool__buf_append(&rb->data, message, strlen(message) + 1) != 0)
    return MPIPOOL_ENOMEM;
  return mpipool__rbuild_end(rb, status);
}
