/*
 * template.c - command templates with GNU parallel's replacement strings
 * (see template.h).
 */
#include "template.h"
#include "alloc.h"
#include "fmt.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>

/* What a replacement string does to an argument. */
typedef enum { XF_NONE, XF_NOEXT, XF_BASE, XF_DIR, XF_BASE_NOEXT } xf_t;

/* A piece of the template: text as it is, an argument string, {#} or
 * {%}. */
typedef struct {
  enum { PART_TEXT, PART_ARG, PART_SEQ, PART_SLOT } type;
  size_t off, len; /* PART_TEXT: bytes of the joined words */
  int src;         /* PART_ARG: 1..nargs, or 0: every argument */
  xf_t xf;
  char quote; /* the shell's quote the template is inside here: ' " or 0 */
} part_t;

struct cli_template {
  char *text; /* the words joined */
  part_t *parts;
  size_t nparts, cap;
  int nargs;   /* the arguments of a task, or 0: columns, any number */
  int any_arg; /* an argument string appears */
  int empty;   /* no words: each argument is a command */
};

/* The suffixes of a replacement string, longest first where one is the
 * start of another. */
static const struct {
  const char *s;
  xf_t xf;
} suffixes[] = {{"//", XF_DIR},
                {"/.", XF_BASE_NOEXT},
                {"/", XF_BASE},
                {".", XF_NOEXT},
                {"", XF_NONE}};

/* Appends n bytes of p to the buffer; 0 or -1 when out of memory. */
static int add(char **buf, size_t *cap, size_t *len, const char *p, size_t n) {
  if (n > SIZE_MAX - 1 - *len ||
      cli_grow((void **)buf, cap, *len + n + 1, 1) != 0)
    return -1;
  if (n)
    memcpy(*buf + *len, p, n);
  *len += n;
  (*buf)[*len] = '\0';
  return 0;
}

/* Appends s (n bytes) quoted for /bin/sh: 'it'\''s'. */
static int add_quoted(char **buf, size_t *cap, size_t *len, const char *s,
                      size_t n) {
  if (add(buf, cap, len, "'", 1))
    return -1;
  for (const char *end = s + n; s < end;) {
    const char *q = memchr(s, '\'', (size_t)(end - s));
    size_t run = q ? (size_t)(q - s) : (size_t)(end - s);
    if (add(buf, cap, len, s, run) || (q && add(buf, cap, len, "'\\''", 4)))
      return -1;
    s += run + (q != NULL);
  }
  return add(buf, cap, len, "'", 1);
}

char *cli_shell_quote(const char *s, size_t len) {
  char *q = NULL;
  size_t cap = 0, n = 0;
  if (add_quoted(&q, &cap, &n, s, len)) {
    cli_free(q);
    return NULL;
  }
  return q;
}

static int add_part(cli_template_t *t, part_t p) {
  if (cli_grow((void **)&t->parts, &t->cap, t->nparts + 1, sizeof *t->parts))
    return -1;
  t->parts[t->nparts++] = p;
  return 0;
}

/* The column names a template may use ({name}, {name.}...): names[i]
 * names column i + 1 (an empty one names none); n < 0: no header. */
typedef struct {
  const cli_arg_t *v;
  int n;
} names_t;

/* The length of the suffix at q and its '}' (suffixes[]), or 0; *xf what
 * it does. */
static size_t suffix_at(const char *q, xf_t *xf) {
  for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
    size_t n = strlen(suffixes[i].s);
    if (strncmp(q, suffixes[i].s, n) == 0 && q[n] == '}') {
      *xf = suffixes[i].xf;
      return n + 1;
    }
  }
  return 0;
}

/* Whether p starts {name} with the name of a column (names), and its
 * length in *p_len: GNU parallel replaces {name} by {n} where name heads
 * the n-th column, the first such column when two have one name. */
static int match_name(const char *p, const names_t *names, size_t *p_len,
                      part_t *part) {
  for (int i = 0; i < names->n; i++) {
    const cli_arg_t *nm = &names->v[i];
    xf_t xf;
    size_t k;
    if (nm->len == 0 || strncmp(p + 1, nm->s, nm->len) != 0 ||
        (k = suffix_at(p + 1 + nm->len, &xf)) == 0)
      continue;
    *part = (part_t){PART_ARG, 0, 0, i + 1, xf, 0};
    *p_len = 1 + nm->len + k;
    return 1;
  }
  return 0;
}

/* Whether p starts what can only be meant as the name of a column: a
 * word of letters, digits and '_' (not first a digit) with a suffix, in
 * braces; its length in *p_len.  ${HOME}, {a,b} and { cmd; } are the
 * shell's. */
static int looks_like_name(const char *p, size_t *p_len) {
  const char *q = p + 1;
  xf_t xf;
  if (!(isalpha((unsigned char)*q) || *q == '_'))
    return 0;
  while (isalnum((unsigned char)*q) || *q == '_')
    q++;
  size_t k = suffix_at(q, &xf);
  *p_len = (size_t)(q - p) + k;
  return k > 0;
}

/* Says in err that the {name} at p (len bytes) names no column. */
static void unknown_name(const char *p, size_t len, const names_t *names,
                         char *err, size_t errlen) {
  int any = 0;
  cli_fmt(err, errlen,
          "the replacement string %.*s names no column of the input "
          "sources' header lines (--header :)",
          (int)len, p);
  for (int i = 0; i < names->n; i++)
    if (names->v[i].len)
      cli_fmt_append(err, errlen, "%s{%.*s}", any++ ? " " : ": they are ",
                     (int)names->v[i].len, names->v[i].s);
}

/* Whether text at p starts a replacement string; *p_len its length and
 * *part what it is.  after_dollar: p follows a '$' (the shell's ${...}).
 * Returns 1, 0 (it is the shell's brace), or -1 with a message for one
 * mpipool refuses. */
static int match(const char *p, int nargs, const names_t *names,
                 int after_dollar, size_t *p_len, part_t *part, char *err,
                 size_t errlen) {
  const char *q = p + 1;
  int src = 0, digits = 0;
  if (strncmp(p, "{#}", 3) == 0) {
    *part = (part_t){PART_SEQ, 0, 0, 0, XF_NONE, 0};
    *p_len = 3;
    return 1;
  }
  if (strncmp(p, "{%}", 3) == 0) {
    *part = (part_t){PART_SLOT, 0, 0, 0, XF_NONE, 0};
    *p_len = 3;
    return 1;
  }
  if (!after_dollar && match_name(p, names, p_len, part))
    return 1;
  while (*q >= '0' && *q <= '9') {
    if (src < 1000000)
      src = src * 10 + (*q - '0');
    q++;
    digits = 1;
  }
  xf_t xf;
  size_t k = suffix_at(q, &xf);
  if (k == 0) {
    if (names->n >= 0 && !after_dollar && looks_like_name(p, p_len)) {
      unknown_name(p, *p_len, names, err, errlen);
      return -1;
    }
    return 0;
  }
  if (digits && src < 1) {
    cli_fmt(err, errlen,
            "the replacement string %.*s names no input source (they are "
            "numbered from 1)",
            (int)(q + k - p), p);
    return -1;
  }
  if (digits && nargs > 0 && src > nargs) {
    cli_fmt(err, errlen,
            "the replacement string %.*s names input source %d, but there "
            "%s %d",
            (int)(q + k - p), p, src, nargs == 1 ? "is" : "are", nargs);
    return -1;
  }
  *part = (part_t){PART_ARG, 0, 0, src, xf, 0};
  *p_len = (size_t)(q + k - p);
  return 1;
}

/* Follows the shell's quoting over the character at p: *quote is the
 * quote the text is inside (' or "), or 0.  Returns how many bytes it
 * takes (2 for a backslash and the quote or backslash it escapes). */
static size_t shell_char(const char *p, char *quote) {
  /* Only an escaped quote or backslash is skipped: an escaped '{' still
   * starts a replacement string, as it did before quotes were followed. */
  if (*p == '\\' && *quote != '\'' && p[1] && strchr("'\"\\", p[1]))
    return 2;
  if (*quote == 0 && (*p == '\'' || *p == '"'))
    *quote = *p;
  else if (*quote && *p == *quote)
    *quote = 0;
  return 1;
}

/* Parses words[0..n-1] for nargs arguments (0: columns) and names. */
static int parse(cli_template_t **out, char *const *words, int n, int nargs,
                 const names_t *names, char *err, size_t errlen) {
  cli_template_t *t = cli_calloc(1, sizeof *t);
  size_t cap = 0, len = 0;
  if (t == NULL)
    goto oom;
  t->nargs = nargs;
  t->empty = n == 0;
  for (int i = 0; i < n; i++)
    if ((i > 0 && add(&t->text, &cap, &len, " ", 1)) ||
        add(&t->text, &cap, &len, words[i], strlen(words[i])))
      goto oom;
  if (t->text == NULL && add(&t->text, &cap, &len, "", 0))
    goto oom;
  size_t start = 0;
  char quote = 0;
  for (size_t at = 0; at < len;) {
    part_t p;
    size_t plen;
    int m = t->text[at] == '{' ? match(t->text + at, nargs, names,
                                       at > 0 && t->text[at - 1] == '$', &plen,
                                       &p, err, errlen)
                               : 0;
    if (m < 0) {
      cli_template_free(t);
      return -1;
    }
    if (m == 0) {
      at += shell_char(t->text + at, &quote);
      continue;
    }
    p.quote = quote;
    if ((at > start &&
         add_part(t, (part_t){PART_TEXT, start, at - start, 0, XF_NONE, 0})) ||
        add_part(t, p))
      goto oom;
    t->any_arg |= p.type == PART_ARG;
    at += plen;
    start = at;
  }
  if (len > start &&
      add_part(t, (part_t){PART_TEXT, start, len - start, 0, XF_NONE, 0}))
    goto oom;
  *out = t;
  return 0;
oom:
  cli_template_free(t);
  cli_fmt(err, errlen, "out of memory");
  return -1;
}

int cli_template_parse(cli_template_t **t, char *const *words, int n, int nargs,
                       char *err, size_t errlen) {
  names_t none = {NULL, -1};
  return parse(t, words, n, nargs, &none, err, errlen);
}

int cli_template_parse_columns(cli_template_t **t, char *const *words, int n,
                               const cli_arg_t *names, int nnames, char *err,
                               size_t errlen) {
  names_t nm = {names, nnames};
  return parse(t, words, n, 0, &nm, err, errlen);
}

/* POSIX dirname of s (n bytes), as GNU parallel's {//} (Perl's dirname):
 * "a/b/" -> "a", "a" -> ".", "/a" -> "/". */
static const char *dirname_of(const char *s, size_t *len) {
  size_t n = *len;
  while (n > 1 && s[n - 1] == '/') /* trailing slashes */
    n--;
  while (n > 0 && s[n - 1] != '/') /* the last component */
    n--;
  if (n == 0) {
    *len = 1;
    return ".";
  }
  while (n > 1 && s[n - 1] == '/')
    n--;
  *len = n;
  return s;
}

/* The part of a (s, *len bytes) that xf keeps, as GNU parallel's
 * replacement strings do: moves s, shortens *len. */
static const char *transform(const char *s, size_t *len, xf_t xf) {
  size_t n = *len;
  if (xf == XF_DIR)
    return dirname_of(s, len);
  if (xf == XF_BASE || xf == XF_BASE_NOEXT) /* all after the last '/' */
    for (size_t i = n; i-- > 0;)
      if (s[i] == '/') {
        s += i + 1;
        n -= i + 1;
        break;
      }
  if (xf == XF_NOEXT || xf == XF_BASE_NOEXT)    /* from the last '.' on, */
    for (size_t i = n; i-- > 0 && s[i] != '/';) /* if no '/' follows it */
      if (s[i] == '.') {
        n = i;
        break;
      }
  *len = n;
  return s;
}

static int add_arg(char **buf, size_t *cap, size_t *len, const cli_arg_t *a,
                   xf_t xf) {
  size_t n = a->len;
  const char *s = transform(a->s, &n, xf);
  return add_quoted(buf, cap, len, s, n);
}

/* Every argument, transformed and quoted, separated by spaces. */
static int add_all(const cli_arg_t *args, int nargs, xf_t xf, char **buf,
                   size_t *cap, size_t *len) {
  for (int i = 0; i < nargs; i++)
    if ((i > 0 && add(buf, cap, len, " ", 1)) ||
        add_arg(buf, cap, len, &args[i], xf))
      return -1;
  return 0;
}

/* Appends what part p of t becomes for a task. */
static int put(const cli_template_t *t, const part_t *p, const cli_arg_t *args,
               int nargs, uint64_t seq, char **buf, size_t *cap, size_t *len) {
  if (p->type == PART_TEXT)
    return add(buf, cap, len, t->text + p->off, p->len);
  if (p->type == PART_SEQ) {
    char num[32];
    cli_fmt(num, sizeof num, "%llu", (unsigned long long)seq);
    return add(buf, cap, len, num, strlen(num));
  }
  if (p->type == PART_SLOT) /* known only where the task runs: its shell */
    return add(buf, cap, len, CLI_TEMPLATE_SLOT, strlen(CLI_TEMPLATE_SLOT));
  if (p->src > nargs) /* a column the line lacks: nothing */
    return 0;
  if (p->src)
    return add_arg(buf, cap, len, &args[p->src - 1], p->xf);
  return add_all(args, nargs, p->xf, buf, cap, len);
}

int cli_template_expand(const cli_template_t *t, const cli_arg_t *args,
                        int nargs, uint64_t seq, char **buf, size_t *cap,
                        size_t *len) {
  *len = 0;
  if (add(buf, cap, len, "", 0))
    return -1;
  if (t->empty) { /* each argument a command, as it is */
    for (int i = 0; i < nargs; i++)
      if ((i > 0 && add(buf, cap, len, " ", 1)) ||
          add(buf, cap, len, args[i].s, args[i].len))
        return -1;
    return 0;
  }
  for (size_t i = 0; i < t->nparts; i++) {
    const part_t *p = &t->parts[i];
    /* Inside the user's single quotes, the shell would not expand {%}:
     * their quote is closed before it and opened again after it.  (An
     * argument is put in as it is, quoted, inside any quotes, as GNU
     * parallel does: "[{}]" gives ['two words'].) */
    int requote = p->type == PART_SLOT && p->quote == '\'';
    if ((requote && add(buf, cap, len, &p->quote, 1)) ||
        put(t, p, args, nargs, seq, buf, cap, len) ||
        (requote && add(buf, cap, len, &p->quote, 1)))
      return -1;
  }
  if (!t->any_arg && (add(buf, cap, len, " ", 1) ||
                      add_all(args, nargs, XF_NONE, buf, cap, len)))
    return -1;
  return 0;
}

void cli_template_free(cli_template_t *t) {
  if (t == NULL)
    return;
  cli_free(t->text);
  cli_free(t->parts);
  cli_free(t);
}
