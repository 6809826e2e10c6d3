/*
 * fmt.h - the mpipool program's text formatting with known outcomes: into
 * a caller's buffer, where text that does not fit is cut visibly (it ends
 * in "..."), or appended to what a buffer already holds, or into an
 * allocation of the right size.
 */
#ifndef MPIPOOL_CLI_FMT_H
#define MPIPOOL_CLI_FMT_H

#include <stdarg.h>
#include <stddef.h>

#if defined(__GNUC__)
#define CLI_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CLI_PRINTF(f, a)
#endif

/* Formats into buf (len > 0 bytes, always terminated).  Returns 0, or 1
 * when the text was cut to fit: it then ends in "...". */
int cli_vfmt(char *buf, size_t len, const char *fmt, va_list ap);
int cli_fmt(char *buf, size_t len, const char *fmt, ...) CLI_PRINTF(3, 4);

/* Appends to the text already in buf (as cli_fmt, on what is left). */
int cli_fmt_append(char *buf, size_t len, const char *fmt, ...)
    CLI_PRINTF(3, 4);

/* Writes a byte count for people into buf (len > 0): "950 B", "1.5 kB",
 * "2.2 GB" (powers of 1000, one decimal from kB on).  0, or 1 if cut. */
int cli_fmt_size(char *buf, size_t len, unsigned long long bytes);

/* Formats into a malloc'd string; NULL if out of memory. */
char *cli_afmt(const char *fmt, ...) CLI_PRINTF(1, 2);

#endif
