/*
 * colsep.c - lines split into columns at a regular expression's matches
 * (see colsep.h).
 */
#include "colsep.h"
#include "alloc.h"
#include "fmt.h"

#include <ctype.h>
#include <regex.h>
#include <string.h>

struct cli_colsep {
  regex_t re;
  int trim;
};

/* The character a Perl escape of one (\t, \n...) stands for, or 0. */
static char escaped_char(char c) {
  switch (c) {
  case 't':
    return '\t';
  case 'n':
    return '\n';
  case 'r':
    return '\r';
  case 'f':
    return '\f';
  case 'v':
    return '\v';
  default:
    return 0;
  }
}

/* The POSIX class a Perl escape of a class stands for (\s, \d, \w), as
 * it is written inside brackets; NULL if c names none.  *neg says whether
 * the escape is the complement (\S, \D, \W). */
static const char *escaped_class(char c, int *neg) {
  *neg = isupper((unsigned char)c) != 0;
  switch (tolower((unsigned char)c)) {
  case 's':
    return "[:space:]";
  case 'd':
    return "0-9";
  case 'w':
    return "[:alnum:]_";
  default:
    return NULL;
  }
}

/* Writes s at *o (moving it). */
static void put(char **o, const char *s) {
  size_t n = strlen(s);
  memcpy(*o, s, n);
  *o += n;
}

/* Translates Perl's escapes in sep into what regcomp reads the same way:
 * out (7 * strlen(sep) + 1 bytes at least: "\W" becomes 13 bytes).
 * Outside brackets \t is a tab and \s is [[:space:]]; inside, where POSIX
 * takes a backslash as itself, \t is a tab, \s is [:space:], and \ before
 * any other non-letter is that character. */
static void translate(const char *sep, char *out) {
  char *o = out;
  int in_bracket = 0;
  for (const char *p = sep; *p;) {
    if (!in_bracket && *p == '[') {
      in_bracket = 1;
      *o++ = *p++;
      if (*p == '^')
        *o++ = *p++;
      if (*p == ']') /* a ']' first is itself */
        *o++ = *p++;
      continue;
    }
    if (in_bracket && *p == '[' &&
        (p[1] == ':' || p[1] == '=' || p[1] == '.')) {
      /* [:alpha:], [=a=], [.-.]: copied to their end */
      const char *end = strchr(p + 2, p[1]);
      while (end && end[1] != ']')
        end = strchr(end + 1, p[1]);
      size_t n = end ? (size_t)(end + 2 - p) : strlen(p);
      memcpy(o, p, n);
      o += n;
      p += n;
      continue;
    }
    if (in_bracket && *p == ']') {
      in_bracket = 0;
      *o++ = *p++;
      continue;
    }
    if (*p != '\\' || p[1] == '\0') {
      *o++ = *p++;
      continue;
    }
    int neg;
    char c = escaped_char(p[1]);
    const char *cls = escaped_class(p[1], &neg);
    if (c) {
      *o++ = c;
    } else if (cls && !in_bracket) {
      put(&o, neg ? "[^" : "[");
      put(&o, cls);
      put(&o, "]");
    } else if (cls && !neg) {
      put(&o, cls);
    } else if (in_bracket && !isalnum((unsigned char)p[1])) {
      *o++ = p[1];
    } else {
      *o++ = p[0];
      *o++ = p[1];
    }
    p += 2;
  }
  *o = '\0';
}

/* Whether the extended expression ere has two repetition operators in a
 * row ("a++", "a*?", "a{2}{3}"): POSIX leaves their meaning undefined,
 * and glibc's regcomp copies the expression once per operator, so that
 * thirty '+' ask for gigabytes. */
static int adjacent_repeats(const char *ere) {
  int after_repeat = 0;
  for (const char *p = ere; *p; p++) {
    int repeat = *p == '*' || *p == '+' || *p == '?' || *p == '{';
    if (repeat && after_repeat)
      return 1;
    after_repeat = repeat;
    if (*p == '\\' && p[1]) {
      p++;
    } else if (*p == '{') { /* an interval: to its end */
      const char *end = strchr(p, '}');
      if (end == NULL)
        return 0; /* regcomp says what is wrong */
      p = end;
    } else if (*p == '[') { /* a bracket expression: to its end */
      p++;
      if (*p == '^')
        p++;
      if (*p == ']')
        p++;
      while (*p && *p != ']') {
        if (*p == '[' && (p[1] == ':' || p[1] == '=' || p[1] == '.')) {
          const char *end = strchr(p + 2, p[1]);
          while (end && end[1] != ']')
            end = strchr(end + 1, p[1]);
          if (end == NULL)
            return 0;
          p = end + 1;
        }
        p++;
      }
      if (*p == '\0')
        return 0;
    }
  }
  return 0;
}

int cli_colsep_compile(cli_colsep_t **out, const char *sep, int trim, char *err,
                       size_t errlen) {
  cli_colsep_t *cs = cli_calloc(1, sizeof *cs);
  size_t len = strlen(sep);
  char *ere = len < ((size_t)-1 - 1) / 7 ? cli_malloc(7 * len + 1) : NULL;
  if (cs == NULL || ere == NULL) {
    cli_free(cs);
    cli_free(ere);
    cli_fmt(err, errlen, "out of memory");
    return -1;
  }
  translate(sep, ere);
  if (adjacent_repeats(ere)) {
    cli_fmt(err, errlen,
            "--colsep '%s': two repetition operators in a row (such as "
            "'++' or '*?') have no meaning in a POSIX extended regular "
            "expression",
            sep);
    cli_free(cs);
    cli_free(ere);
    return -1;
  }
  /* An empty expression is not POSIX; "()" matches the same: nothing. */
  int rc = regcomp(&cs->re, *ere ? ere : "()", REG_EXTENDED);
  cli_free(ere);
  if (rc != 0) {
    char why[256];
    regerror(rc, NULL, why, sizeof why);
    cli_fmt(err, errlen,
            "--colsep '%s' is not a valid (POSIX extended) regular "
            "expression: %s",
            sep, why);
    cli_free(cs);
    return -1;
  }
  cs->trim = trim;
  *out = cs;
  return 0;
}

/* Appends s[from..to) as a column, without its outer white space when
 * cs trims. */
static int add_col(const cli_colsep_t *cs, const char *s, size_t from,
                   size_t to, cli_arg_t **cols, size_t *cap, size_t *n) {
  if (cs->trim) {
    while (from < to && isspace((unsigned char)s[from]))
      from++;
    while (to > from && isspace((unsigned char)s[to - 1]))
      to--;
  }
  if (cli_grow((void **)cols, cap, *n + 1, sizeof **cols))
    return -1;
  (*cols)[(*n)++] = (cli_arg_t){s + from, to - from};
  return 0;
}

int cli_colsep_split(const cli_colsep_t *cs, const char *s, size_t len,
                     cli_arg_t **cols, size_t *cap, size_t *n) {
  size_t start = 0, pos = 0; /* where the column starts, the search */
  while (pos <= len) {
    regmatch_t m[1];
    /* REG_STARTEND: the line is len bytes, whatever follows it; '^'
     * matches at the start of the line only, as in Perl. */
    m[0].rm_so = (regoff_t)pos;
    m[0].rm_eo = (regoff_t)len;
    if (regexec(&cs->re, s, 1, m, REG_STARTEND | (pos ? REG_NOTBOL : 0)))
      break;
    size_t ms = (size_t)m[0].rm_so, me = (size_t)m[0].rm_eo;
    if (me == ms && ms == start) {
      /* A match of no bytes where the column starts would make it
       * empty: look again one byte on. */
      pos = ms + 1;
      continue;
    }
    if (add_col(cs, s, start, ms, cols, cap, n))
      return -1;
    start = pos = me;
  }
  return add_col(cs, s, start, len, cols, cap, n);
}

void cli_colsep_free(cli_colsep_t *cs) {
  if (cs == NULL)
    return;
  regfree(&cs->re);
  cli_free(cs);
}
