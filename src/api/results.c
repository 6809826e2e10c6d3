/*
 * results.c - the public view of a map's results (see mpipool.h): a thin
 * layer over the kept result chunks, one received message per chunk, read
 * in place without copying; and the largest result one task can return.
 */
#include "config.h"

#include "base/alloc.h"
#include "engine/job.h"
#include "transport/msg.h"
#include "transport/wire.h"

#include <stdlib.h>
#include <string.h>

size_t mpipool_results_count(const mpipool_results_t *r) {
  return r ? r->count : 0;
}

size_t mpipool_results_failed(const mpipool_results_t *r) {
  return r ? r->nfailed : 0;
}

int mpipool_results_item(const mpipool_results_t *r, size_t i,
                         const void **data, size_t *size) {
  const void *d;
  size_t s;
  if (r == NULL || i >= r->count)
    return MPIPOOL_EINVAL;
  int st = mpipool__rchunks_item(r->chunks, r->chunksize, r->retry, i, &d, &s);
  if (data)
    *data = d;
  if (size)
    *size = s;
  return st;
}

int mpipool_results_copy(const mpipool_results_t *r, void *dst,
                         size_t item_size) {
  if (r == NULL || (dst == NULL && r->count && item_size))
    return MPIPOOL_EINVAL;
  char *out = dst;
  for (size_t c = 0; c < r->nchunks; c++) {
    const mpipool__rchunk_t *rc = &r->chunks[c];
    size_t n = c + 1 < r->nchunks ? r->chunksize : r->count - c * r->chunksize;
    if (mpipool__rchunk_fail(rc) ||
        (rc->view.nfailed && !mpipool__retry_has(r->retry, c)))
      return MPIPOOL_ETASK;
    if (rc->view.off == NULL && rc->view.nfailed == 0) {
      /* Every item of the chunk has the same size: one copy. */
      if (rc->view.fixed != item_size)
        return MPIPOOL_EINVAL;
      if (n && item_size)
        memcpy(out, rc->view.data, n * item_size);
      out += n * item_size;
      continue;
    }
    for (size_t j = 0; j < n; j++) {
      const void *d;
      size_t s;
      if (mpipool__rchunks_item(r->chunks, r->chunksize, r->retry,
                                c * r->chunksize + j, &d, &s) != 0)
        return MPIPOOL_ETASK; /* it failed again */
      if (s != item_size)
        return MPIPOOL_EINVAL;
      memcpy(out, d, s);
      out += s;
    }
  }
  return MPIPOOL_OK;
}

int mpipool_results_attempts(const mpipool_results_t *r, size_t i) {
  if (r == NULL || i >= r->count)
    return MPIPOOL_EINVAL;
  return mpipool__attempts(r->retry, r->crashes, r->chunksize, i);
}

void mpipool_results_free(mpipool_results_t *r) {
  if (r == NULL)
    return;
  for (size_t c = 0; c < r->nchunks; c++)
    mpipool__rbuf_unref(r->chunks[c].buf);
  mpipool__retry_free(r->retry);
  mpipool__free(r->crashes);
  mpipool__free(r->chunks);
  mpipool__free(r->fail_msg);
  mpipool__free(r);
}

size_t mpipool_result_max(void) {
  return mpipool__wire_item_max(mpipool__msg_max());
}
