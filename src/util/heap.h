/*
 * heap.h: prepare the heap for a large load that is about to happen.
 *
 * On the virtual machines mgate runs on, a page fault costs about 10 us,
 * and reading 10,000 revisions touches some 12 MB of fresh heap: 3,000
 * faults, a third of the whole run. heap_expect grows glibc's heap once by
 * the amount about to be used, advises transparent huge pages for it and
 * populates it up front, so that the load itself takes no faults.
 */
#ifndef MGATE_HEAP_H
#define MGATE_HEAP_H

#include <stddef.h>

/* About `bytes` of small allocations are coming. Below a few megabytes,
 * or without glibc's brk heap (sanitizers, another allocator), it does
 * nothing; on any failure the heap simply stays as it was. Call it from
 * one thread, before worker threads allocate. */
void heap_expect(size_t bytes);

/* A zeroed, writable mapping of `bytes`, huge pages advised and every page
 * populated at once; NULL when it cannot be had. Free with heap_unmap. */
void *heap_map(size_t bytes);
void heap_unmap(void *p, size_t bytes);

#endif
