/*
 * output.c - writes each finished task's output as one block, in order
 * when asked, or into a results directory.  What --keep-order holds back
 * stays in memory up to a bound, then goes to a temporary file.  Its
 * bookkeeping is a window of positions from the next one to write on, not
 * a slot per task: a run of millions of tasks costs what the finished
 * ones ahead of the first unfinished one need.
 */
#include "output.h"
#include "alloc.h"
#include "fmt.h"
#include "tempfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A result held back by --keep-order until its turn: its bytes (stdout,
 * then stderr) in memory, or at `off` in the temporary file. */
typedef struct {
  uint64_t seq;
  char *data; /* in memory; NULL when in the file */
  unsigned long long off;
  size_t out_len, err_len;
  int in_file;
} held_t;

/* The piece in which a held output is read back from the file. */
#define PIECE ((size_t)1 << 16)

/* The window's first capacity: enough for the tasks a pool of workers
 * finishes out of order, without growing, in the common case. */
#define WINDOW ((size_t)64)

struct cli_output {
  size_t count, next; /* next: the position --keep-order writes next */
  int keep_order, tag;
  char *dir;
  FILE *out, *err;
  /* keep_order: the window of positions next..next+cap-1, position p at
   * held[p % cap] (so that next moves on without moving anything); NULL
   * there, or what is held.  Grows (doubling) only when a position past
   * it comes; at most count, which holds them all. */
  held_t **held;
  size_t cap, used;         /* used: the slots not NULL */
  size_t mem_max, mem_held; /* bytes held in memory: the bound, now */
  int fd; /* the temporary file of held outputs, or -1 before the first */
  unsigned long long file_end;  /* bytes written to it */
  unsigned long long file_held; /* of those, still to be written out */
  size_t in_file;               /* held results in it */
  char *piece;                  /* PIECE bytes to read it back, or NULL */
};

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
  o->fd = -1;
  o->mem_max = CLI_OUTPUT_MEMORY;
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
  o->cap = count < WINDOW ? (count ? count : 1) : WINDOW;
  if (o->keep_order && (o->held = cli_calloc(o->cap, sizeof *o->held)) == NULL)
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

void cli_output_set_memory(cli_output_t *o, size_t bytes) {
  o->mem_max = bytes;
}

int cli_output_parse_memory(const char *s, size_t *bytes) {
  size_t n = 0, unit = 1;
  const char *p = s;
  if (s == NULL || *s < '0' || *s > '9')
    return -1;
  for (; *p >= '0' && *p <= '9'; p++) {
    if (n > ((size_t)-1 - (size_t)(*p - '0')) / 10)
      return -1;
    n = n * 10 + (size_t)(*p - '0');
  }
  if (*p == 'k' || *p == 'K')
    unit = (size_t)1 << 10;
  else if (*p == 'M')
    unit = (size_t)1 << 20;
  else if (*p == 'G')
    unit = (size_t)1 << 30;
  if (unit > 1)
    p++;
  if (*p != '\0' || (n && unit > (size_t)-1 / n))
    return -1;
  *bytes = n * unit;
  return 0;
}

void cli_output_held(const cli_output_t *o, size_t *memory,
                     unsigned long long *file) {
  if (memory)
    *memory = o->mem_held;
  if (file)
    *file = o->file_held;
}

/* Writes a piece of one of task seq's outputs to f; when tagging, each
 * line after "seq\t".  *mid says whether the pieces so far ended inside a
 * line (0 before the first). */
static void put_piece(cli_output_t *o, FILE *f, uint64_t seq, const char *data,
                      size_t len, int *mid) {
  if (!o->tag) {
    fwrite(data, 1, len, f);
    return;
  }
  while (len) {
    const char *nl = memchr(data, '\n', len);
    size_t n = nl ? (size_t)(nl - data) + 1 : len;
    if (!*mid)
      fprintf(f, "%llu\t", (unsigned long long)seq);
    fwrite(data, 1, n, f);
    *mid = nl == NULL;
    data += n;
    len -= n;
  }
}

/* Ends one of task seq's outputs: when tagging, a last line without its
 * newline gets one (else the next tag would land in it). */
static void put_end(cli_output_t *o, FILE *f, int mid) {
  if (o->tag && mid)
    fputc('\n', f);
}

/* Writes data to f, all of one output. */
static void put(cli_output_t *o, FILE *f, uint64_t seq, const char *data,
                size_t len) {
  int mid = 0;
  put_piece(o, f, seq, data, len, &mid);
  put_end(o, f, mid);
}

/* Checks that stdout took task seq's output: 0, or -1 with a message. */
static int out_written(cli_output_t *o, uint64_t seq, char *msg,
                       size_t msglen) {
  if (fflush(o->out) || ferror(o->out))
    return fail(msg, msglen, "cannot write the output of task %llu: %s",
                (unsigned long long)seq, strerror(errno));
  return 0;
}

static int print_block(cli_output_t *o, uint64_t seq, const char *out,
                       size_t out_len, const char *err, size_t err_len,
                       char *msg, size_t msglen) {
  if (out_len) {
    put(o, o->out, seq, out, out_len);
    if (out_written(o, seq, msg, msglen))
      return -1;
  }
  if (err_len) {
    put(o, o->err, seq, err, err_len);
    fflush(o->err);
  }
  return 0;
}

/* Writes len bytes at off in fd, all of them: 0, or -1 with errno. */
static int write_at(int fd, unsigned long long off, const char *p, size_t len) {
  while (len) {
    ssize_t n = pwrite(fd, p, len, (off_t)off);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -1;
    p += n;
    off += (unsigned long long)n;
    len -= (size_t)n;
  }
  return 0;
}

/* Opens the temporary file of held outputs (tempfile.h). */
static int open_file(cli_output_t *o, uint64_t seq, char *msg, size_t msglen) {
  char why[512];
  int fd = cli_tempfile("output", why, sizeof why);
  if (fd < 0)
    return fail(msg, msglen, "cannot hold the output of task %llu: %s",
                (unsigned long long)seq, why);
  o->fd = fd;
  return 0;
}

/* Holds a copy of r for position pos: in memory while the bound allows,
 * else in the temporary file. */
static int hold(cli_output_t *o, size_t pos, uint64_t seq,
                const cli_resultmsg_t *r, char *msg, size_t msglen) {
  size_t len = r->out_len + r->err_len;
  held_t *h = cli_calloc(1, sizeof *h);
  if (h == NULL)
    return fail(msg, msglen, "out of memory holding the output of task %llu",
                (unsigned long long)seq);
  *h = (held_t){seq, NULL, 0, r->out_len, r->err_len, 0};
  if (o->mem_held <= o->mem_max && len <= o->mem_max - o->mem_held) {
    if ((h->data = cli_malloc(len + 1)) == NULL) {
      cli_free(h);
      return fail(msg, msglen, "out of memory holding the output of task %llu",
                  (unsigned long long)seq);
    }
    if (r->out_len)
      memcpy(h->data, r->out, r->out_len);
    if (r->err_len)
      memcpy(h->data + r->out_len, r->err, r->err_len);
    o->mem_held += len;
  } else {
    if (o->fd < 0 && open_file(o, seq, msg, msglen)) {
      cli_free(h);
      return -1;
    }
    h->in_file = 1;
    h->off = o->file_end;
    if (write_at(o->fd, h->off, r->out, r->out_len) ||
        write_at(o->fd, h->off + r->out_len, r->err, r->err_len)) {
      int e = errno;
      cli_free(h);
      return fail(msg, msglen,
                  "cannot hold the output of task %llu in a temporary file: "
                  "%s",
                  (unsigned long long)seq, strerror(e));
    }
    o->file_end += len;
    o->file_held += len;
    o->in_file++;
  }
  o->held[pos % o->cap] = h;
  o->used++;
  return 0;
}

/* Streams len bytes at off in the temporary file to f as one of task
 * seq's outputs. */
static int stream(cli_output_t *o, FILE *f, uint64_t seq,
                  unsigned long long off, size_t len, char *msg,
                  size_t msglen) {
  int mid = 0;
  while (len) {
    size_t want = len < PIECE ? len : PIECE;
    ssize_t n = pread(o->fd, o->piece, want, (off_t)off);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return fail(msg, msglen,
                  "cannot read the output of task %llu back from its "
                  "temporary file: %s",
                  (unsigned long long)seq,
                  n < 0 ? strerror(errno) : "it is shorter than written");
    put_piece(o, f, seq, o->piece, (size_t)n, &mid);
    off += (unsigned long long)n;
    len -= (size_t)n;
  }
  put_end(o, f, mid);
  return 0;
}

/* Writes a held result and lets it go.  The temporary file is emptied
 * when it holds no result any more. */
static int print_held(cli_output_t *o, held_t *h, char *msg, size_t msglen) {
  int e = 0;
  if (!h->in_file) {
    e = print_block(o, h->seq, h->data, h->out_len, h->data + h->out_len,
                    h->err_len, msg, msglen);
    o->mem_held -= h->out_len + h->err_len;
    cli_free(h->data);
    cli_free(h);
    return e;
  }
  if (o->piece == NULL && (o->piece = cli_malloc(PIECE)) == NULL)
    e = fail(msg, msglen, "out of memory writing the output of task %llu",
             (unsigned long long)h->seq);
  if (e == 0 && h->out_len) {
    e = stream(o, o->out, h->seq, h->off, h->out_len, msg, msglen);
    if (e == 0)
      e = out_written(o, h->seq, msg, msglen);
  }
  if (e == 0 && h->err_len) {
    e = stream(o, o->err, h->seq, h->off + h->out_len, h->err_len, msg, msglen);
    fflush(o->err);
  }
  o->file_held -= h->out_len + h->err_len;
  if (--o->in_file == 0 && ftruncate(o->fd, 0) == 0)
    o->file_end = 0;
  cli_free(h);
  return e;
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

static int in_window(const cli_output_t *o, size_t pos) {
  return pos >= o->next && pos - o->next < o->cap;
}

/* Widens the window to reach position pos (next <= pos < count): doubles
 * it until it does, then lays every slot out again at its new index.  0,
 * or -1 out of memory (then unchanged). */
static int widen(cli_output_t *o, size_t pos) {
  size_t need = pos - o->next + 1, cap = o->cap;
  while (cap < need)
    cap = cap > SIZE_MAX / 2 ? need : cap * 2;
  if (cap > o->count) /* need <= count - next: still reached */
    cap = o->count;
  held_t **held = cli_calloc(cap, sizeof *held);
  if (held == NULL)
    return -1;
  /* Positions from count on are never held; stopping there also keeps
   * next + i from wrapping. */
  for (size_t i = 0; i < o->cap && o->next + i < o->count; i++)
    held[(o->next + i) % cap] = o->held[(o->next + i) % o->cap];
  cli_free(o->held);
  o->held = held;
  o->cap = cap;
  return 0;
}

/* Writes the held results whose turn has come; past_gaps: and every
 * one still held, passing over the positions that have none (the run
 * ends: those tasks did not run). */
static int write_ready(cli_output_t *o, int past_gaps, char *msg,
                       size_t msglen) {
  while (o->next < o->count && o->used) {
    held_t **slot = &o->held[o->next % o->cap];
    held_t *h = *slot;
    if (h == NULL && !past_gaps)
      break;
    o->next++;
    if (h == NULL)
      continue;
    *slot = NULL;
    o->used--;
    if (print_held(o, h, msg, msglen))
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
  if (pos >= o->count || pos < o->next ||
      (in_window(o, pos) && o->held[pos % o->cap]))
    return fail(msg, msglen, "internal: task position %zu given twice", pos);
  if (!in_window(o, pos) && widen(o, pos))
    return fail(msg, msglen, "out of memory holding the output of task %llu",
                (unsigned long long)seq);
  if (hold(o, pos, seq, r, msg, msglen))
    return -1;
  return write_ready(o, 0, msg, msglen);
}

void cli_output_destroy(cli_output_t *o) {
  if (o == NULL)
    return;
  if (o->keep_order) {
    char msg[256];
    if (write_ready(o, 1, msg, sizeof msg))
      fprintf(o->err, "mpipool: %s\n", msg);
    /* After a write error, what is still held is dropped. */
    for (size_t i = 0; i < o->cap; i++) {
      held_t *h = o->held[i];
      if (h) {
        cli_free(h->data);
        cli_free(h);
      }
    }
    cli_free(o->held);
  }
  if (o->fd >= 0)
    close(o->fd);
  cli_free(o->piece);
  fflush(o->out);
  cli_free(o->dir);
  cli_free(o);
}
