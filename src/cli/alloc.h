/*
 * alloc.h - the mpipool program's allocations, through one seam where a
 * test can make the Nth allocation fail and count what is not yet freed,
 * and one growth rule for arrays.  (The library has its own: the program
 * is a client, not a part, of it.)
 */
#ifndef MPIPOOL_CLI_ALLOC_H
#define MPIPOOL_CLI_ALLOC_H

#include <stddef.h>

void *cli_malloc(size_t n);
void *cli_calloc(size_t n, size_t size);
void *cli_realloc(void *p, size_t n);
void cli_free(void *p);
char *cli_strdup(const char *s); /* NULL if out of memory */

/* Grows *arr (elements of `size` bytes, capacity *cap) to hold `need`,
 * doubling from 8.  0, or -1 out of memory (then unchanged). */
int cli_grow(void **arr, size_t *cap, size_t need, size_t size);

/* The test hook: the nth allocation from now fails, once (0: none); the
 * allocations attempted so far; the blocks not yet freed. */
void cli_alloc_fail_at(unsigned long n);
unsigned long cli_alloc_count(void);
long cli_alloc_live(void);

#endif
