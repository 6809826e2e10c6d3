/*
 * test_bind.c - sizing and binding, seen from inside the workers: the
 * pool has one worker per usable core on this node (beyond the ranks
 * mpirun started), each worker that says it is bound runs on exactly the
 * PUs it names, and no two bound workers share a PU.
 */
#define _GNU_SOURCE /* sched_getaffinity */
#include "common.h"

#include <sched.h>
#include <unistd.h>

typedef struct {
  long id;
  char cpus[64]; /* the PUs the task ran on, as a list */
} where_t;

/* anything -> the worker's id and its CPU affinity */
static int t_where(mpipool_ctx_t *ctx, const void *in, size_t size) {
  (void)in;
  (void)size;
  cpu_set_t set;
  where_t w = {mpipool_ctx_worker_id(ctx), ""};
  if (sched_getaffinity(0, sizeof set, &set) != 0)
    return mpipool_ctx_fail(ctx, "sched_getaffinity failed");
  size_t n = 0;
  for (int c = 0; c < CPU_SETSIZE && n + 8 < sizeof w.cpus; c++)
    if (CPU_ISSET(c, &set))
      n += (size_t)snprintf(w.cpus + n, sizeof w.cpus - n, "%s%d", n ? "," : "",
                            c);
  struct timespec ts = {0, 20000000L}; /* let every worker get some */
  nanosleep(&ts, NULL);
  return mpipool_ctx_set_output(ctx, &w, sizeof w);
}

/* The PU list inside "... (PU 3)" or "... (PU 3,7)", or "". */
static const char *pu_of(const char *binding, char *buf, size_t len) {
  const char *p = strstr(binding, "(PU ");
  buf[0] = '\0';
  if (p) {
    snprintf(buf, len, "%s", p + 4);
    char *e = strchr(buf, ')');
    if (e)
      *e = '\0';
  }
  return buf;
}

int main(void) {
  mpipool_t *pool;
  int err = mpipool_create(&pool);
  if (err == 0)
    err = mpipool_register(pool, "where", t_where, NULL);
  if (err == 0)
    err = mpipool_start(pool);
  if (err) {
    printf("not ok 1 - start: %s\n1..1\n", mpipool_strerror(err));
    return 1;
  }
  int size = mpipool_size(pool), cores = 0;
  is_int(mpipool_core_count(&cores), 0, "core_count");
  int nodes = mpipool_node_count(pool);
  is_int(nodes, 1, "one node");
  mpipool_node_info_t nd;
  is_int(mpipool_node_info(pool, 0, &nd), 0, "node_info(0)");
  char host[64] = "";
  gethostname(host, sizeof host - 1);
  ok(strcmp(nd.host, host) == 0, "node 0 is this host (%s)", nd.host);
  ok(nd.cores >= 1, "node 0 has %d usable cores (PU %s)", nd.cores, nd.cpuset);
  ok(nd.status == 0 && nd.cores >= cores,
     "at least the master's own count (%d)", cores);
  int want = nd.ranks > nd.cores ? nd.ranks : nd.cores;
  is_int(size, want, "size: the launcher's ranks, filled up to the cores");
  is_int(nd.ranks + nd.spawned, size, "ranks + spawned = size");
  is_int(mpipool_node_info(pool, 1, &nd), MPIPOOL_EINVAL, "node_info(1)");

  /* Every worker's facts, once they have all started. */
  mpipool_worker_info_t *wi = calloc((size_t)size, sizeof *wi);
  int ready = wait_workers(pool, 60, wi);
  is_int(ready, size, "every worker started and reported");
  is_int(mpipool_worker_info(pool, size, &wi[0]), MPIPOOL_EINVAL,
         "worker_info past the end");
  int bound = 0;
  for (int i = 0; i < size; i++)
    bound += wi[i].bound;
  if (size <= nd.cores)
    ok(1, "%d of %d workers bound by mpipool", bound, size);
  else
    is_int(bound, 0, "more workers than cores: none bound");

  /* Where tasks really ran. */
  int n = 8 * size, good = 0, checked = 0;
  mpipool_async_t **h = malloc((size_t)n * sizeof *h);
  for (int i = 0; i < n; i++)
    mpipool_apply_async(pool, "where", NULL, 0, NULL, NULL, NULL, &h[i]);
  char pus[64][64];
  long owner[64];
  int npus = 0, clash = 0;
  for (int i = 0; i < n; i++) {
    const void *d;
    size_t s;
    if (mpipool_async_get(h[i], -1, &d, &s) != 0 || s != sizeof(where_t))
      continue;
    good++;
    const where_t *w = d;
    for (int k = 0; k < size; k++) {
      char buf[64];
      if (wi[k].id != w->id || !wi[k].bound)
        continue;
      checked++;
      if (strcmp(pu_of(wi[k].binding, buf, sizeof buf), w->cpus) != 0)
        printf("# PoolWorker-%ld says \"%s\", ran on %s\n", w->id,
               wi[k].binding, w->cpus);
      else
        checked += 1000; /* counted as matching */
      int seen = 0;
      for (int j = 0; j < npus; j++)
        if (strcmp(pus[j], w->cpus) == 0) {
          seen = 1;
          clash += owner[j] != w->id;
        }
      if (!seen && npus < 64) {
        snprintf(pus[npus], sizeof pus[npus], "%s", w->cpus);
        owner[npus++] = w->id;
      }
    }
  }
  for (int i = 0; i < n; i++)
    mpipool_async_free(h[i]);
  free(h);
  is_int(good, n, "every task ran");
  ok(checked % 1000 == checked / 1000,
     "each bound worker ran on exactly the PUs it reported (%d tasks)",
     checked / 1000);
  is_int(clash, 0, "no two bound workers share PUs");
  free(wi);
  finish_pool(pool);
  return tap_done();
}
