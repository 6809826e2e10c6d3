/*
 * bytes.c - the program's byte buffer (see bytes.h).
 */
#include "bytes.h"
#include "alloc.h"

#include <stdlib.h>

char *cli_bytes_reserve(cli_bytes_t *b, size_t extra) {
  if (extra > (size_t)-1 - b->len)
    return NULL;
  size_t need = b->len + extra;
  if (need > b->cap || b->data == NULL) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < need)
      cap = cap > (size_t)-1 / 2 ? need : cap * 2;
    char *p = cli_realloc(b->data, cap);
    if (p == NULL)
      return NULL;
    b->data = p;
    b->cap = cap;
  }
  return b->data + b->len;
}

void cli_bytes_free(cli_bytes_t *b) {
  cli_free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}
