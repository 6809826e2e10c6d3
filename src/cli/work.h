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

/* The pool initializer: prepares the task environment once per worker and
 * makes stop signals kill the running command. */
int cli_work_init(mpipool_ctx_t *ctx, const void *initargs, size_t size);

#endif
