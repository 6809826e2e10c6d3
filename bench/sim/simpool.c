/*
 * simpool.c - the engine serving simulated workers (simpool.h).
 */
#include "config.h"
#include "simpool.h"

#include "base/alloc.h"
#include "base/text.h"
#include "engine/job.h"
#include "placement/launcher.h"

#include <string.h>

/* The plan of `workers` launcher ranks 1..workers on one node (the
 * master's), none bound. */
static int plan_one_node(mpipool__plan_t *p, size_t workers, const char *host) {
  memset(p, 0, sizeof *p);
  p->nnodes = 1;
  p->nranks = (int)workers + 1;
  p->serve = p->workers = (int)workers;
  p->nodes = mpipool__calloc(1, sizeof *p->nodes);
  p->node_of = mpipool__calloc(workers + 1, sizeof *p->node_of);
  p->launcher_bound = mpipool__calloc(workers + 1, sizeof *p->launcher_bound);
  if (p->nodes)
    p->nodes[0].info.host = mpipool__strdup(host);
  if (!p->nodes || !p->node_of || !p->launcher_bound || !p->nodes[0].info.host)
    return MPIPOOL_ENOMEM;
  p->nodes[0].ranks = (int)workers;
  p->nodes[0].info.room = -1;
  return MPIPOOL_OK;
}

int simpool_start(simpool_t *sp, size_t workers, uint64_t task_ns,
                  const simpool_opts_t *o) {
  static const simpool_opts_t none = {0};
  if (o == NULL)
    o = &none;
  memset(sp, 0, sizeof *sp);
  if (workers == 0 || workers >= (size_t)INT32_MAX)
    return MPIPOOL_EINVAL;
  sp->pool.crash_limit = MPIPOOL__CRASH_LIMIT;
  sp->pool.comm = MPI_COMM_WORLD; /* a handle only: no MPI call is made */
  sp->pool.state = MPIPOOL__RUNNING;
  sp->pool.role = MPIPOOL__ROLE_MASTER;
  sp->host = mpipool__node_name_dup();
  mpipool__plan_t plan;
  int err = sp->host ? plan_one_node(&plan, workers, sp->host) : MPIPOOL_ENOMEM;
  if (err == 0)
    err = simlink_new(&sp->link, sp->pool.comm, sp->host, task_ns);
  if (err == 0 && o->die_rank > 0 &&
      simlink_die(sp->link, o->die_rank, o->die_after))
    err = MPIPOOL_ESPAWN;
  if (err == 0 && o->mute_rank > 0)
    simlink_mute(sp->link, o->mute_rank, o->mute_after);
  if (err == 0)
    sp->link->beats = o->beats;
  if (err) {
    if (sp->host)
      mpipool__plan_free(&plan);
    if (sp->link)
      sp->link->link.free(&sp->link->link);
    mpipool__free(sp->host);
    return err;
  }
  err = mpipool__master_new_linked(&sp->master, &sp->pool, &plan, 0, 0,
                                   &sp->link->link);
  if (err == 0 && o->silence > 0)
    mpipool__master_set_silence(sp->master, o->silence);
  if (err == 0)
    err = mpipool__master_add_ranks(sp->master, 1, workers);
  if (err == 0)
    err = mpipool__master_seal(sp->master);
  while (err == 0 && sp->link->len > 0) { /* every HELLO in */
    int busy = 0;
    err = mpipool__master_progress(sp->master, &busy);
  }
  if (err) {
    mpipool__master_free(sp->master);
    mpipool__free(sp->host);
    memset(sp, 0, sizeof *sp);
  }
  return err;
}

int simpool_map(simpool_t *sp, const void *items, size_t count,
                size_t item_size, size_t chunksize, mpipool_results_t **res) {
  mpipool__src_t src = {.base = items, .item_size = item_size};
  mpipool__job_t *job;
  *res = NULL;
  chunksize = mpipool__job_chunksize(chunksize, count,
                                     mpipool__master_size(sp->master));
  int err = mpipool__job_new(MPIPOOL__JOB_MAP, 0, &src, count, chunksize, &job);
  if (err)
    return err;
  mpipool__master_submit(sp->master, job);
  err = mpipool__master_wait_job(sp->master, job, -1);
  if (err == 0)
    err = mpipool__job_outcome(job, res);
  mpipool__job_unref(job);
  return err;
}

int simpool_end(simpool_t *sp) {
  int err = mpipool__master_shutdown(sp->master, 0);
  mpipool__master_free(sp->master);
  mpipool__registry_free(&sp->pool.reg);
  mpipool__free(sp->host);
  memset(sp, 0, sizeof *sp);
  return err;
}
