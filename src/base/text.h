/*
 * text.h - formatting text whose length is not known in advance: into a
 * caller's buffer, where a text that does not fit is cut visibly (it ends
 * in "..."), or into an allocation of the right size.  Messages for people
 * (why a spawn failed) use the first; facts (host names, CPU lists) the
 * second, so that they are never cut.
 */
#ifndef MPIPOOL_TEXT_H
#define MPIPOOL_TEXT_H

#include <stdarg.h>
#include <stddef.h>

#if defined(__GNUC__)
#define MPIPOOL__PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define MPIPOOL__PRINTF(f, a)
#endif

/* Formats into buf (len > 0 bytes, always terminated).  Returns 0, or 1
 * when the text was cut to fit: it then ends in "...". */
int mpipool__fmt(char *buf, size_t len, const char *fmt, ...)
    MPIPOOL__PRINTF(3, 4);

/* Formats into a malloc'd string (the caller's, to free); NULL if out of
 * memory. */
char *mpipool__afmt(const char *fmt, ...) MPIPOOL__PRINTF(1, 2);
char *mpipool__vafmt(const char *fmt, va_list ap);

/* A malloc'd copy of s (NULL: NULL, or out of memory). */
char *mpipool__strdup(const char *s);

/* The whole content of the file at path, read to its end (a file of /proc
 * too, whose size is not known before), with a '\0' after it; its length
 * in *len (unless len is NULL).  NULL when it cannot be opened or out of
 * memory.  Freed with mpipool__free. */
char *mpipool__read_file(const char *path, size_t *len);

#endif
