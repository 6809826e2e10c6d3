/*
 * work.h - the worker side of the mpipool program: the pool task "run"
 * that decodes a task message, runs its command (runner.h) and returns
 * the result message (taskmsg.h).
 */
#ifndef MPIPOOL_CLI_WORK_H
#define MPIPOOL_CLI_WORK_H

#include "mpipool.h"

/* The name the task is registered under on every process. */
#define CLI_TASK_NAME "run"

/* The pool task: registered with mpipool_register(pool, CLI_TASK_NAME,
 * cli_work_run, NULL).  Fails (mpipool_ctx_fail) only on a malformed
 * message or when the command could not be started or captured; a
 * command that fails is a successful task whose result says so. */
int cli_work_run(mpipool_ctx_t *ctx, const void *in, size_t size);

/* What every task gets of its node (the initializer's arguments, sent
 * by the master to every worker): cores > 0 sets OMP_NUM_THREADS (unless
 * the environment does), gpus > 0 gives each task its worker's GPUs
 * (mpipool_ctx_gpus) in CUDA_VISIBLE_DEVICES, ROCR_VISIBLE_DEVICES and
 * MPIPOOL_GPUS. */
typedef struct {
  int cores; /* --cores-per-task, 0: not given */
  int gpus;  /* --gpus-per-task, 0: not given */
} cli_work_args_t;

/* The pool initializer (initargs: a cli_work_args_t, or none): prepares
 * the task environment once per worker and makes stop signals kill the
 * running command. */
int cli_work_init(mpipool_ctx_t *ctx, const void *initargs, size_t size);

#endif
