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

/* Turns it on for this process (once; again: no-op).  1 when the kernel
 * has transparent huge pages (always or madvise), else 0 (nothing done). */
int mpipool__hugepages_on(void);

/* Advises the heap's new part, if it is on and the heap's end moved.
 * Called after every allocation of the library (alloc.c). */
void mpipool__hugepages_advise(void);

/* Notes that the heap's end moved down (a free trimmed it), so that its
 * growth back to where it was is advised.  Called after every free of the
 * library (alloc.c).  (A trim by a free outside the library, followed by
 * growth back to the very same end, goes unseen: that part of the heap
 * then has small pages, which costs time, not correctness.) */
void mpipool__hugepages_freed(void);

#endif
