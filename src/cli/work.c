/*
 * work.c - runs the mpipool program's tasks on a worker.
 */
#include "work.h"
#include "alloc.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner.h"
#include "taskenv.h"
#include "taskmsg.h"

extern char **environ;

/* What a worker keeps between tasks. */
typedef struct {
  cli_taskenv_t env;
  char *host; /* the node's name, whole */
  cli_work_args_t args;
  long node_place; /* whose GPUs the environment holds; -1: none yet */
} worker_state_t;

static void free_state(void *data) {
  worker_state_t *w = data;
  cli_free(w->host);
  cli_taskenv_free(&w->env);
  cli_free(w);
}

int cli_work_init(mpipool_ctx_t *ctx, const void *initargs, size_t size) {
  worker_state_t *w = cli_calloc(1, sizeof *w);
  if (w == NULL || cli_taskenv_init(&w->env, environ)) {
    cli_free(w);
    return mpipool_ctx_fail(ctx, "out of memory");
  }
  if (initargs && size == sizeof w->args)
    memcpy(&w->args, initargs, sizeof w->args);
  w->node_place = -1;
  if (w->args.cores > 0 && w->args.gpus == 0 &&
      cli_taskenv_resources(&w->env, w->args.cores, NULL)) {
    cli_taskenv_free(&w->env);
    cli_free(w);
    return mpipool_ctx_fail(ctx, "out of memory");
  }
  /* The node's name, of any length: ERANGE says the buffer was short. */
  size_t len = 64;
  int err = MPIPOOL_ERANGE;
  while (err == MPIPOOL_ERANGE && len <= 65536) {
    char *p = cli_realloc(w->host, len);
    if (p == NULL)
      break;
    w->host = p;
    err = mpipool_node_name(w->host, len);
    len *= 4;
  }
  if (err) {
    cli_free(w->host);
    cli_taskenv_free(&w->env);
    cli_free(w);
    return mpipool_ctx_fail(ctx, "cannot read the node's name: %s",
                            mpipool_strerror(err));
  }
  cli_run_forward_signals();
  /* SIGUSR1 is for the master (drain); mpirun forwards it to every rank. */
  signal(SIGUSR1, SIG_IGN);
  mpipool_ctx_set_worker_data(ctx, w);
  mpipool_ctx_set_worker_data_free(ctx, free_state);
  return 0;
}

static int cancelled(void *ctx) { return mpipool_ctx_cancelled(ctx); }

int cli_work_run(mpipool_ctx_t *ctx, const void *in, size_t size) {
  worker_state_t *w = mpipool_ctx_worker_data(ctx);
  cli_taskmsg_t t;
  if (w == NULL)
    return mpipool_ctx_fail(ctx, "worker not initialized");
  if (cli_taskmsg_decode(in, size, &t))
    return mpipool_ctx_fail(ctx, "malformed task message (%zu bytes)", size);
  char *cmd = cli_malloc(t.cmd_len + 1);
  if (cmd == NULL)
    return mpipool_ctx_fail(ctx, "out of memory");
  memcpy(cmd, t.cmd, t.cmd_len);
  cmd[t.cmd_len] = '\0';
  /* GPUs follow the worker's place on its node, known from its first
   * task on (and the same for the rest of its life). */
  long np = mpipool_ctx_node_place(ctx);
  if (w->args.gpus > 0 && np != w->node_place) {
    if (cli_taskenv_resources(&w->env, w->args.cores, mpipool_ctx_gpus(ctx))) {
      cli_free(cmd);
      return mpipool_ctx_fail(ctx, "out of memory");
    }
    w->node_place = np;
  }
  cli_taskenv_set(&w->env, (unsigned long long)t.seq,
                  mpipool_ctx_worker_id(ctx), mpipool_ctx_place(ctx) + 1);
  /* One result carries at most this much (the library's one message):
   * past it the output is counted, not kept, and the task fails, saying
   * how much it wrote. */
  size_t max = mpipool_result_max();
  cli_run_t r;
  int err = cli_run(cmd, t.timeout, max, w->env.v, cancelled, ctx, &r);
  cli_free(cmd);
  int ret = 0;
  if (err) {
    ret = mpipool_ctx_fail(ctx, "cannot run /bin/sh on %s: %s", w->host,
                           strerror(err));
  } else {
    cli_resultmsg_t m = {r.exitval, r.signal,   r.timed_out, r.cancelled,
                         r.start,   r.runtime,  w->host,     r.out.data,
                         r.out.len, r.err.data, r.err.len,   0,
                         0};
    if (r.overflow || cli_resultmsg_size(&m) > max) {
      m.out = m.err = NULL;
      m.out_len = m.err_len = 0;
      m.out_lost = r.out_bytes;
      m.err_lost = r.err_bytes;
      cli_bytes_free(&r.out);
      cli_bytes_free(&r.err);
    }
    void *dst = mpipool_ctx_output(ctx, cli_resultmsg_size(&m));
    if (dst == NULL)
      ret = mpipool_ctx_fail(ctx, "out of memory for %zu bytes of output",
                             r.out.len + r.err.len);
    else
      cli_resultmsg_encode(&m, dst);
  }
  cli_bytes_free(&r.out);
  cli_bytes_free(&r.err);
  return ret;
}
