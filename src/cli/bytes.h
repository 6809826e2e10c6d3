/*
 * bytes.h - the mpipool program's growable byte buffer: what a task
 * writes to its stdout and stderr, captured on the worker.
 */
#ifndef MPIPOOL_CLI_BYTES_H
#define MPIPOOL_CLI_BYTES_H

#include <stddef.h>

typedef struct {
  char *data;
  size_t len;
  size_t cap;
} cli_bytes_t;

/* Makes room for `extra` more bytes past len and returns a pointer to
 * them (len is unchanged: the caller adds what it wrote), or NULL on
 * overflow or out of memory.  Capacity doubles, so appending n bytes a
 * piece at a time costs O(n). */
char *cli_bytes_reserve(cli_bytes_t *b, size_t extra);

/* Frees the storage and empties b. */
void cli_bytes_free(cli_bytes_t *b);

#endif
