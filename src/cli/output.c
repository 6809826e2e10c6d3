/*
 * output.c - writes each finished task's output as one block, in order
 * when asked, or into a results directory.
 */
#include "output.h"
#include "alloc.h"
#include "fmt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A result held back by --keep-order until its turn. */
typedef struct {
  uint64_t seq;
  char *data; /* stdout bytes, then stderr bytes */
  size_t out_len, err_len;
} held_t;

struct cli_output {
  size_t count, next; /* next: the position --keep-order writes next */
  int keep_order, tag;
  char *dir;
  FILE *out, *err;
  held_t **held; /* keep_order: by position; (held_t *)1: skipped */
};

#define SKIPPED ((held_t *)1)

static int fail(char *msg, size_t len, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  cli_vfmt(msg, len, fmt, ap);
  va_end(ap);
  return -1;
}

/* Makes dir (and its parents) if missing, then proves it writable. */
static int check_dir(const char *dir, char *msg, size_t len) {
  if (*dir == '\0')
    return fail(msg, len, "--results needs a directory name");
  char *p = cli_strdup(dir);
  if (p == NULL)
    return fail(msg, len, "out of memory");
  for (char *s = p + 1; *s; s++) {
    if (*s != '/')
      continue;
    *s = '\0';
    mkdir(p, 0777);
    *s = '/';
  }
  int e = mkdir(p, 0777) && errno != EEXIST ? errno : 0;
  cli_free(p);
  if (e)
    return fail(msg, len, "--results %s: cannot create the directory: %s", dir,
                strerror(e));
  char *probe = cli_afmt("%s/.mpipool-probe-%ld", dir, (long)getpid());
  if (probe == NULL)
    return fail(msg, len, "out of memory");
  int fd = open(probe, O_WRONLY | O_CREAT | O_TRUNC, 0666);
  e = fd < 0 ? errno : 0;
  if (fd >= 0) {
    close(fd);
    unlink(probe);
  }
  cli_free(probe);
  if (e)
    return fail(msg, len, "--results %s: cannot write in the directory: %s",
                dir, strerror(e));
  return 0;
}

int cli_output_create(cli_output_t **op, size_t count, int keep_order, int tag,
                      const char *results_dir, FILE *out, FILE *err, char *msg,
                      size_t msglen) {
  cli_output_t *o = cli_calloc(1, sizeof *o);
  if (o == NULL)
    return fail(msg, msglen, "out of memory");
  o->count = count;
  o->keep_order = keep_order && results_dir == NULL;
  o->tag = tag;
  o->out = out;
  o->err = err;
  if (results_dir) {
    if (check_dir(results_dir, msg, msglen))
      goto out_with_o;
    if ((o->dir = cli_strdup(results_dir)) == NULL)
      goto out_with_oom;
  }
  if (o->keep_order &&
      (o->held = cli_calloc(count ? count : 1, sizeof *o->held)) == NULL)
    goto out_with_oom;
  *op = o;
  return 0;
out_with_oom:
  fail(msg, msglen, "out of memory");
out_with_o:
  cli_free(o->dir);
  cli_free(o);
  return -1;
}

/* Writes data to f; when tagging, each line after "seq\t", and a last
 * line without its newline gets one (else the next tag would land in it). */
static void put(cli_output_t *o, FILE *f, uint64_t seq, const char *data,
                size_t len) {
  if (!o->tag) {
    fwrite(data, 1, len, f);
    return;
  }
  while (len) {
    const char *nl = memchr(data, '\n', len);
    size_t n = nl ? (size_t)(nl - data) + 1 : len;
    fprintf(f, "%llu\t", (unsigned long long)seq);
    fwrite(data, 1, n, f);
    if (nl == NULL)
      fputc('\n', f);
    data += n;
    len -= n;
  }
}

static int print_block(cli_output_t *o, uint64_t seq, const char *out,
                       size_t out_len, const char *err, size_t err_len,
                       char *msg, size_t msglen) {
  if (out_len) {
    put(o, o->out, seq, out, out_len);
    if (fflush(o->out) || ferror(o->out))
      return fail(msg, msglen, "cannot write the output of task %llu: %s",
                  (unsigned long long)seq, strerror(errno));
  }
  if (err_len) {
    put(o, o->err, seq, err, err_len);
    fflush(o->err);
  }
  return 0;
}

/* Writes len bytes to DIR/seq/name. */
static int write_file(const char *path, const void *data, size_t len) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
  if (fd < 0)
    return -1;
  const char *p = data;
  while (len) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int e = errno;
      close(fd);
      errno = e;
      return -1;
    }
    p += n;
    len -= (size_t)n;
  }
  return close(fd);
}

static int write_results(cli_output_t *o, uint64_t seq,
                         const cli_resultmsg_t *r, char *msg, size_t msglen) {
  char *dir = cli_afmt("%s/%llu", o->dir, (unsigned long long)seq);
  char *status = cli_afmt(
      "exitval=%d\nsignal=%d\ntimed_out=%d\nstart=%.3f\nruntime=%.3f\n"
      "host=%s\ndropped=%llu\n",
      r->exitval, r->signal, r->timed_out, r->start, r->runtime,
      r->host ? r->host : "", (unsigned long long)(r->out_lost + r->err_lost));
  const char *names[] = {"stdout", "stderr", "status"};
  const void *datas[] = {r->out, r->err, status};
  size_t lens[] = {r->out_len, r->err_len, status ? strlen(status) : 0};
  char *path = NULL;
  int bad = dir == NULL || status == NULL;
  if (bad)
    errno = ENOMEM;
  else
    bad = mkdir(dir, 0777) && errno != EEXIST;
  for (int i = 0; i < 3 && !bad; i++) {
    cli_free(path);
    if ((path = cli_afmt("%s/%s", dir, names[i])) == NULL) {
      errno = ENOMEM;
      bad = 1;
    } else {
      bad = write_file(path, datas[i], lens[i]) != 0;
    }
  }
  if (bad)
    fail(msg, msglen, "--results: cannot write %s: %s",
         path  ? path
         : dir ? dir
               : o->dir,
         strerror(errno));
  cli_free(path);
  cli_free(dir);
  cli_free(status);
  return bad ? -1 : 0;
}

/* Writes the held results whose turn has come. */
static int write_ready(cli_output_t *o, char *msg, size_t msglen) {
  while (o->next < o->count && o->held[o->next]) {
    held_t *h = o->held[o->next];
    o->held[o->next++] = NULL;
    if (h == SKIPPED)
      continue;
    int e = print_block(o, h->seq, h->data, h->out_len, h->data + h->out_len,
                        h->err_len, msg, msglen);
    cli_free(h->data);
    cli_free(h);
    if (e)
      return -1;
  }
  return 0;
}

int cli_output_task(cli_output_t *o, size_t pos, uint64_t seq,
                    const cli_resultmsg_t *r, char *msg, size_t msglen) {
  if (o->dir)
    return write_results(o, seq, r, msg, msglen);
  if (!o->keep_order)
    return print_block(o, seq, r->out, r->out_len, r->err, r->err_len, msg,
                       msglen);
  if (pos >= o->count || pos < o->next || o->held[pos])
    return fail(msg, msglen, "internal: task position %zu given twice", pos);
  held_t *h = cli_malloc(sizeof *h);
  char *data = cli_malloc(r->out_len + r->err_len + 1);
  if (h == NULL || data == NULL) {
    cli_free(h);
    cli_free(data);
    return fail(msg, msglen, "out of memory holding the output of task %llu",
                (unsigned long long)seq);
  }
  if (r->out_len)
    memcpy(data, r->out, r->out_len);
  if (r->err_len)
    memcpy(data + r->out_len, r->err, r->err_len);
  *h = (held_t){seq, data, r->out_len, r->err_len};
  o->held[pos] = h;
  return write_ready(o, msg, msglen);
}

void cli_output_skip(cli_output_t *o, size_t pos) {
  if (o->keep_order && pos < o->count && o->held[pos] == NULL) {
    o->held[pos] = SKIPPED;
    char msg[8];
    write_ready(o, msg, sizeof msg);
  }
}

void cli_output_destroy(cli_output_t *o) {
  if (o == NULL)
    return;
  if (o->keep_order) {
    char msg[256];
    for (size_t i = o->next; i < o->count; i++)
      if (o->held[i] == NULL)
        o->held[i] = SKIPPED;
    if (write_ready(o, msg, sizeof msg))
      fprintf(o->err, "mpipool: %s\n", msg);
    cli_free(o->held);
  }
  fflush(o->out);
  cli_free(o->dir);
  cli_free(o);
}
