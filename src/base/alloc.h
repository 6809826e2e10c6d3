/*
 * alloc.h - every allocation of the library goes through here: one seam
 * where a test can make the Nth allocation fail (as SQLite's and
 * jansson's test suites do) and count what is not yet freed, and one
 * growth rule for arrays.  Blocks are malloc's: a block handed to the
 * caller (mpipool_apply's output) is freed with free().
 */
#ifndef MPIPOOL_ALLOC_H
#define MPIPOOL_ALLOC_H

#include <stddef.h>

/* malloc, calloc, realloc and free, through the seam.  realloc(p, 0) is
 * not used (it frees or not, depending on the C library). */
void *mpipool__malloc(size_t n);
void *mpipool__calloc(size_t n, size_t size);
void *mpipool__realloc(void *p, size_t n);
void mpipool__free(void *p);

/* A block that the caller of a public call takes and frees with free():
 * it can be made to fail like any other, but is not counted as live. */
void *mpipool__malloc_given(size_t n);

/*
 * Grows the array *arr of `size`-byte elements, whose capacity is *cap, to
 * hold at least `need` elements: the capacity doubles (from 8), so n
 * appends cost O(n).  0, or ENOMEM (also on size overflow), *arr and *cap
 * then unchanged.
 */
int mpipool__grow(void **arr, size_t *cap, size_t need, size_t size);

/* --- the test hook ------------------------------------------------------- */

/* From now on, the nth allocation (1: the next) fails, once; 0: none. */
void mpipool__alloc_fail_at(unsigned long n);

/* Allocations made (and attempted) since the program started. */
unsigned long mpipool__alloc_count(void);

/* Blocks allocated through the seam and not yet freed (given blocks
 * excepted). */
long mpipool__alloc_live(void);

#endif
