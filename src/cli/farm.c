/*
 * farm.c - drives the pool for the mpipool program: keeps each worker fed
 * with its task, plus a task or two queued while tasks are short (where
 * the master's round trip would otherwise show), handles every finished
 * task at once in the pool's callback, and retries or halts from the
 * loop, outside callbacks.  Long tasks are never queued behind one
 * another: a drain (SIGUSR1) or --halt soon waits only for the tasks that
 * run, and a free worker always gets the next task.
 */
#include "farm.h"
#include "alloc.h"
#include "fmt.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "joblog.h"
#include "taskmsg.h"
#include "work.h"

typedef struct farm farm_t;

/* A task taken from the list to run: its position among the tasks run
 * (the order --keep-order prints in), its number, its command (a copy:
 * the list keeps only its current line, and a retry and the joblog need
 * it later), the attempts so far. */
typedef struct {
  size_t pos;
  uint64_t seq;
  char *cmd;
  size_t len;
  int attempts;
} job_t;

/* One attempt in flight: its task, its handle.  Slots exist for the tasks
 * in flight only (the run's memory does not grow with its task list): an
 * idle one waits in the free list. */
typedef struct slot {
  farm_t *farm;
  job_t job;
  mpipool_async_t *h;
  struct slot *next_free;
} slot_t;

/* Every slot (for the end), the idle ones, and the retries waiting: the
 * retry list has room for one per slot, so that a callback never
 * allocates. */
typedef struct {
  slot_t **all;
  size_t n, cap;
  slot_t *free;
  job_t *retry;
  size_t nretry;
} slots_t;

struct farm {
  const cli_farm_t *f;
  mpipool_t *pool;
  slots_t slots;
  size_t next; /* the position of the next task taken from the list */
  size_t in_flight;
  cli_counts_t *c;
  cli_halt_t halting;
  int fatal;
  double t0, last_shown;
  int show; /* 1: a live line on a terminal, 2: lines */
};

static void say(const char *fmt, ...) {
  va_list ap;
  fflush(stdout);
  fputs("mpipool: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

/* Writes all of a joblog line with one write(): a run killed at any
 * moment leaves whole lines only (O_APPEND). */
static int log_task(farm_t *fm, const job_t *j, const cli_resultmsg_t *r) {
  if (fm->f->joblog_fd < 0)
    return 0;
  int lost = r->out_lost || r->err_lost;
  /* An output too large to come back fails the task: a command that
   * exited 0 is logged with Exitval -1, so that --resume-failed runs it
   * again; Receive is what it wrote. */
  cli_joblog_entry_t e = {.seq = j->seq,
                          .host = r->host,
                          .start = r->start,
                          .runtime = r->runtime,
                          .receive = lost ? r->out_lost + r->err_lost
                                          : (uint64_t)(r->out_len + r->err_len),
                          .exitval = lost && r->exitval == 0 ? -1 : r->exitval,
                          .signal = r->signal,
                          .cmd = j->cmd,
                          .cmd_len = j->len,
                          .timed_out = r->timed_out};
  char *line;
  size_t len;
  if (cli_joblog_format(&e, &line, &len))
    return -1;
  ssize_t n;
  do
    n = write(fm->f->joblog_fd, line, len);
  while (n < 0 && errno == EINTR);
  cli_free(line);
  return n == (ssize_t)len ? 0 : -1;
}

/* Why an attempt failed, in a few words. */
static const char *why(const cli_resultmsg_t *r, const char *error, char *buf,
                       size_t len) {
  char size[32];
  if (error) {
    cli_fmt(buf, len, "%s", error);
  } else if (r->out_lost || r->err_lost) {
    cli_fmt_size(size, sizeof size, r->out_lost + r->err_lost);
    cli_fmt(buf, len, "its output of %s is more than mpipool can carry", size);
  } else if (r->timed_out) {
    cli_fmt(buf, len, "timed out");
  } else if (r->signal) {
    cli_fmt(buf, len, "signal %d", r->signal);
  } else {
    cli_fmt(buf, len, "exit status %d", r->exitval);
  }
  return buf;
}

static void notice(farm_t *fm, uint64_t task, const cli_resultmsg_t *r,
                   const char *error) {
  unsigned long long seq = (unsigned long long)task;
  char size[32], max[32];
  if (error) {
    say("task %llu: %s", seq, error);
  } else if (r->out_lost || r->err_lost) {
    cli_fmt_size(size, sizeof size, r->out_lost + r->err_lost);
    cli_fmt_size(max, sizeof max, mpipool_result_max());
    say("task %llu: its output (%s: %llu bytes to stdout, %llu to stderr) "
        "is more than mpipool can carry (%s a task); it failed, its output "
        "is dropped",
        seq, size, (unsigned long long)r->out_lost,
        (unsigned long long)r->err_lost, max);
  } else if (r->timed_out) {
    say("task %llu: killed after --timeout %g s", seq, fm->f->opt->timeout);
  } else if (r->signal) {
    say("task %llu: died of signal %d (%s)", seq, r->signal,
        strsignal(r->signal));
  }
}

static void start_halt(farm_t *fm) {
  const cli_options_t *o = fm->f->opt;
  if (fm->halting || o->halt == CLI_HALT_NEVER ||
      fm->c->failed < (size_t)o->halt_fail)
    return;
  fm->halting = o->halt;
  say("%zu task(s) failed: halting (--halt %s,fail=%ld)%s", fm->c->failed,
      o->halt == CLI_HALT_NOW ? "now" : "soon", o->halt_fail,
      o->halt == CLI_HALT_NOW ? ", killing running tasks"
                              : ", waiting for running tasks");
}

/* A task that did not run to its end and is not logged: run again by
 * --resume. */
static void not_run(farm_t *fm) {
  fm->in_flight--;
  fm->c->not_run++;
}

/* A task's attempt ended with r (error: mpipool's message if it could not
 * run at all). */
static void finish(farm_t *fm, slot_t *s, const cli_resultmsg_t *r,
                   const char *error) {
  int failed = error || r->exitval != 0 || r->signal || r->timed_out ||
               r->out_lost || r->err_lost;
  char msg[512];
  if (failed && !error && fm->f->stop && *fm->f->stop) {
    /* Failed while the run stops: stopped by it (a job's time limit
     * signals every task at once), run again by --resume. */
    not_run(fm);
    return;
  }
  fm->in_flight--;
  if (fm->fatal)
    return;
  if (failed && s->job.attempts <= fm->f->opt->retries && !fm->halting) {
    say("task %llu failed (%s); retry %d of %d", (unsigned long long)s->job.seq,
        why(r, error, msg, sizeof msg), s->job.attempts, fm->f->opt->retries);
    fm->slots.retry[fm->slots.nretry++] = s->job; /* it takes the command */
    s->job.cmd = NULL;
    return;
  }
  notice(fm, s->job.seq, r, error);
  if (cli_output_task(fm->f->output, s->job.pos, s->job.seq, r, msg,
                      sizeof msg)) {
    say("%s", msg);
    fm->fatal = 1;
  }
  if (log_task(fm, &s->job, r)) {
    say("cannot write the joblog %s: %s",
        fm->f->opt->joblog ? fm->f->opt->joblog : "(temporary, for --report)",
        strerror(errno));
    fm->fatal = 1;
  }
  fm->c->done++;
  fm->c->failed += failed;
  if (failed)
    start_halt(fm);
}

/* What an attempt's result says: its outcome in *r (0), cancelled (1),
 * or malformed (-1). */
static int outcome(const void *data, size_t size, cli_resultmsg_t *r) {
  if (cli_resultmsg_decode(data, size, r)) {
    memset(r, 0, sizeof *r);
    r->exitval = -1;
    return -1;
  }
  return r->cancelled;
}

/* Puts an idle slot back in the free list. */
static void put_slot(slot_t *s) {
  s->next_free = s->farm->slots.free;
  s->farm->slots.free = s;
}

/* Lets go of the attempt's handle as it ends, inside its own callback
 * (allowed: see mpipool_async_free), of its command (unless a retry took
 * it) and of its slot. */
static void release(slot_t *s) {
  mpipool_async_free(s->h);
  s->h = NULL;
  cli_free(s->job.cmd);
  s->job.cmd = NULL;
  put_slot(s);
}

/* An idle slot, a new one if none is (with room for its retry), or NULL
 * when out of memory. */
static slot_t *take_slot(farm_t *fm) {
  slots_t *q = &fm->slots;
  slot_t *s = q->free;
  if (s) {
    q->free = s->next_free;
    return s;
  }
  if (q->n == q->cap) {
    size_t cap = q->cap ? 2 * q->cap : 16;
    slot_t **all = cli_realloc(q->all, cap * sizeof *all);
    if (all == NULL)
      return NULL;
    q->all = all;
    job_t *retry = cli_realloc(q->retry, cap * sizeof *retry);
    if (retry == NULL)
      return NULL;
    q->retry = retry;
    q->cap = cap;
  }
  if ((s = cli_calloc(1, sizeof *s)) == NULL)
    return NULL;
  q->all[q->n++] = s;
  return s;
}

static void free_slots(slots_t *q) {
  for (size_t i = 0; i < q->n; i++) {
    mpipool_async_free(q->all[i]->h);
    cli_free(q->all[i]->job.cmd);
    cli_free(q->all[i]);
  }
  for (size_t i = 0; i < q->nretry; i++)
    cli_free(q->retry[i].cmd);
  cli_free(q->all);
  cli_free(q->retry);
}

static void on_done(mpipool_async_t *h, const void *data, size_t size,
                    void *arg) {
  slot_t *s = arg;
  cli_resultmsg_t r;
  (void)h;
  int o = outcome(data, size, &r);
  if (o == 1) /* stopped before its end (the run halts or stops) */
    not_run(s->farm);
  else
    finish(s->farm, s, &r, o ? "malformed result from the worker" : NULL);
  release(s);
}

static void on_error(mpipool_async_t *h, int status, const char *message,
                     void *arg) {
  slot_t *s = arg;
  farm_t *fm = s->farm;
  (void)h;
  if (status == MPIPOOL_ETERMINATED) { /* halted before it ran */
    not_run(fm);
  } else if (status == MPIPOOL_ENOWORKERS) {
    /* No worker is left (they died and none could start in their place):
     * the task did not run, or not to its end; it is not logged, so that
     * --resume runs it, and the run stops. */
    not_run(fm);
    if (!fm->fatal)
      say("%s: stopping; the tasks not run are not logged: --resume runs "
          "them",
          message && *message ? message : mpipool_strerror(status));
    fm->fatal = 1;
  } else {
    cli_resultmsg_t r;
    memset(&r, 0, sizeof r);
    r.exitval = -1;
    r.host = "?";
    finish(fm, s, &r, message && *message ? message : mpipool_strerror(status));
  }
  release(s);
}

/* The next task of the list that the run does not skip, in *j (its
 * command copied), at the next position.  Returns 0, or -1 after saying
 * why there is none (the list changed, a read error, out of memory). */
static int take_task(farm_t *fm, job_t *j) {
  cli_task_t t;
  char err[512];
  int rc;
  while ((rc = cli_tasks_next(fm->f->tasks, &t, err, sizeof err)) == 1 &&
         fm->f->done && cli_done_skips(fm->f->done, t.seq, fm->f->opt->resume))
    ;
  char *cmd = rc == 1 ? cli_malloc(t.len + 1) : NULL;
  if (cmd == NULL) {
    say("%s", rc < 0    ? err
              : rc == 0 ? "the task list ended before its last task"
                        : "out of memory");
    return -1;
  }
  memcpy(cmd, t.cmd, t.len + 1);
  *j = (job_t){fm->next++, t.seq, cmd, t.len, 0};
  /* The last one to run: the rest of the list (tasks skipped) is read to
   * its end all the same, so that a file that changed is said. */
  while (fm->next == fm->f->ntodo &&
         (rc = cli_tasks_next(fm->f->tasks, &t, err, sizeof err)) != 0) {
    if (rc < 0) { /* the task is not run either */
      say("%s", err);
      cli_free(cmd);
      fm->next--;
      return -1;
    }
  }
  return 0;
}

/* Hands out the task j, its slot taking it (else j is left as it was). */
static int submit(farm_t *fm, job_t *j) {
  cli_taskmsg_t m = {j->seq, fm->f->opt->timeout, j->cmd, j->len};
  void *msg;
  size_t len;
  if (cli_taskmsg_encode(&m, &msg, &len))
    return MPIPOOL_ENOMEM;
  slot_t *s = take_slot(fm);
  if (s == NULL) {
    cli_free(msg);
    return MPIPOOL_ENOMEM;
  }
  s->farm = fm;
  s->job = *j;
  s->job.attempts++;
  int err = mpipool_apply_async(fm->pool, CLI_TASK_NAME, msg, len, on_done,
                                on_error, s, &s->h);
  cli_free(msg);
  if (err == 0) {
    fm->in_flight++;
    j->cmd = NULL;
  } else {
    s->job.cmd = NULL;
    put_slot(s);
  }
  return err;
}

/* How many tasks may be handed out: what the pool can use (one per
 * worker while tasks are long, more while they are short). */
static size_t window(const farm_t *fm) {
  return (size_t)mpipool_submit_window(fm->pool);
}

static void show_progress(farm_t *fm, int last) {
  double t = cli_now();
  if (!fm->show || (!last && t - fm->last_shown < (fm->show == 1 ? 0.5 : 10)))
    return;
  char line[256];
  fm->last_shown = t;
  fm->c->running = fm->in_flight;
  fm->c->elapsed = t - fm->t0;
  cli_progress_line(line, sizeof line, fm->c);
  if (fm->show == 1)
    fprintf(stderr, "\r%s\033[K%s", line, last ? "\n" : "");
  else
    fprintf(stderr, "%s\n", line);
}

int cli_farm_run(mpipool_t *pool, const cli_farm_t *f, cli_counts_t *counts) {
  farm_t fm = {0};
  int err = 0, terminated = 0;
  fm.f = f;
  fm.pool = pool;
  fm.c = counts;
  if (f->opt->progress > 0)
    fm.show = isatty(2) ? 1 : 2;
  else if (f->opt->progress < 0 && isatty(2))
    fm.show = 1;
  counts->total = f->ntodo;
  fm.t0 = fm.last_shown = cli_now();
  for (;;) {
    if (fm.fatal && !fm.halting)
      fm.halting = CLI_HALT_NOW;
    if (f->stop && *f->stop && fm.halting != CLI_HALT_NOW) {
      fm.halting = CLI_HALT_NOW;
      say("%s: stopping: no new task; the %zu running are stopped (TERM, "
          "then KILL 2 s later); every task that ends is logged",
          strsignal((int)*f->stop), fm.in_flight);
    }
    if (f->drain && *f->drain && !fm.halting) {
      fm.halting = CLI_HALT_SOON;
      say("draining (SIGUSR1): starting no new task, waiting for %zu "
          "handed out",
          fm.in_flight);
    }
    if (fm.halting == CLI_HALT_NOW && !terminated) {
      terminated = 1;
      mpipool_terminate(pool);
    }
    while (!fm.halting && fm.in_flight < window(&fm) &&
           (fm.slots.nretry || fm.next < f->ntodo)) {
      job_t j;
      if (fm.slots.nretry)
        j = fm.slots.retry[--fm.slots.nretry];
      else if (take_task(&fm, &j)) {
        fm.fatal = 1;
        break;
      }
      int e = submit(&fm, &j);
      if (e) { /* not handed out: not run (a retry: waits again) */
        say("cannot submit task %llu: %s", (unsigned long long)j.seq,
            mpipool_strerror(e));
        if (j.attempts) {
          fm.slots.retry[fm.slots.nretry++] = j;
        } else {
          fm.next--;
          cli_free(j.cmd);
        }
        fm.fatal = 1;
        break;
      }
    }
    mpipool_set_backlog(pool, f->ntodo - fm.next + fm.slots.nretry);
    if (fm.in_flight == 0 &&
        (fm.halting || (fm.slots.nretry == 0 && fm.next == f->ntodo)))
      break;
    int e = mpipool_wait(pool, 0.05); /* a stop is seen within 50 ms */
    if (e && e != MPIPOOL_ETIMEDOUT) {
      say("the pool failed: %s", mpipool_strerror(e));
      fm.fatal = 1;
      break;
    }
    show_progress(&fm, 0);
  }
  /* Those never taken and the retries left are not run (the output
   * passes over them when it ends). */
  counts->not_run += f->ntodo - fm.next + fm.slots.nretry;
  counts->running = 0;
  counts->elapsed = cli_now() - fm.t0;
  show_progress(&fm, 1);
  err = fm.fatal ? -1 : 0;
  free_slots(&fm.slots);
  return err;
}
