/*
 * hugepages.h - the master's heap in huge pages.  On a virtual machine a
 * page touched for the first time costs about 10 us (the hypervisor's
 * fault); the master's apply_async holds about 400 bytes per outstanding
 * task, so that half or more of its time went to faults (doc/scaling.md).
 * Backed by the kernel's transparent huge pages (2 MiB), the same memory
 * faults 512 times less often: 200,000 apply_async, 1 worker, went from
 * 0.68 M to 1.1-2.6 M tasks/s.
 *
 * glibc does this itself with GLIBC_TUNABLES=glibc.malloc.hugetlb=1, but
 * only when set before the program starts, which a library cannot do.
 * So the master asks for the same two things: its heap grows in steps of
 * HEAP_STEP (malloc's M_TOP_PAD; a 2 MiB page needs its 2 MiB inside the
 * heap when first touched, and the default step is 128 KiB), and each
 * time the heap's end moves (sbrk(0), which costs no system call), the
 * heap from where it was when this began to its end is advised
 * MADV_HUGEPAGE.  Where the kernel's transparent huge pages are off
 * ("never"), or the allocator does not grow the heap with brk (another
 * allocator, a sanitizer's), nothing changes.  The heap is the process's:
 * this state is too, and it is only ever read to advise the kernel.
 */
#ifndef MPIPOOL_HUGEPAGES_H
#define MPIPOOL_HUGEPAGES_H

#include <stddef.h>

/* Turns it on for this process (once; again: no-op).  1 when the kernel
 * has transparent huge pages (always or madvise), else 0 (nothing done). */
int mpipool__hugepages_on(void);

/* After block p of n bytes was allocated (p NULL: none): advises the
 * heap's new part, if it is on and the heap's end moved, and the block's
 * whole huge pages if big blocks are on and n is 4 MiB or more (below).
 * Called after every allocation of the library (alloc.c). */
void mpipool__hugepages_advise(void *p, size_t n);

/* Notes that the heap's end moved down (a free trimmed it), so that its
 * growth back to where it was is advised.  Called after every free of the
 * library (alloc.c).  (A trim by a free outside the library, followed by
 * growth back to the very same end, goes unseen: that part of the heap
 * then has small pages, which costs time, not correctness.) */
void mpipool__hugepages_freed(void);

/*
 * Big blocks: once on, each block of 4 MiB or more that the library
 * allocates (alloc.c: malloc, calloc, realloc, malloc_given) has the whole
 * 2 MiB pages inside it advised MADV_HUGEPAGE.  Such blocks are the frames
 * of a big map (the items sent, the results read) and a map's results;
 * glibc maps them apart from the heap, where the heap's advice does not
 * reach.  A 40 MiB block written for the first time here took 0.11 s in
 * small pages, 0.003-0.045 s advised.  mpipool__hugepages_on() turns this
 * on too; a worker turns on only this (blocks_on), keeping its heap as it
 * is: a 16 MiB step of heap in every worker of a full node is memory its
 * tasks may need.
 */
/* Turns big blocks on for this process: 1 where the kernel has
 * transparent huge pages, else 0 (nothing done). */
int mpipool__hugepages_blocks_on(void);

#endif
