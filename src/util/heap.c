/*
 * heap.c: huge pages for the heap before a large load (see heap.h).
 *
 * glibc's main heap grows with brk. Forcing one growth of the expected
 * size (a malloc of that size, below a raised mmap threshold) and freeing
 * it again leaves that much free space at the top of the heap, where the
 * coming small allocations land; a raised trim threshold keeps it there.
 * The range between the old and the new break is then advised and
 * populated. Memory outside that range (another arena, an mmap'd block)
 * is never touched.
 */
#define _GNU_SOURCE
#include "heap.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "banned.h"

#define HEAP_MIN_EXPECT ((size_t)4 << 20)
#define HEAP_MAX_EXPECT ((size_t)32 << 20) /* glibc's ceiling for M_MMAP_THRESHOLD */
#define HUGE_PAGE ((uintptr_t)2 << 20)

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

#if defined(__GLIBC__) && defined(M_MMAP_THRESHOLD) && !defined(__SANITIZE_ADDRESS__)
void heap_expect(size_t bytes)
{
	char *before, *after, *block;
	uintptr_t lo, hi;

	if (bytes < HEAP_MIN_EXPECT)
		return;
	if (bytes > HEAP_MAX_EXPECT - 4096)
		bytes = HEAP_MAX_EXPECT - 4096;
	if (!mallopt(M_MMAP_THRESHOLD, (int)(bytes + 4096)) || !mallopt(M_TRIM_THRESHOLD, (int)(2 * bytes)))
		return;
	before = sbrk(0);
	block = malloc(bytes);
	after = sbrk(0);
	/* the block is where the heap grew: between the old and the new break */
	if (block && before != (char *)-1 && after != (char *)-1 && after > before && block < after &&
	    block + bytes > before) {
		/* the free space the block came from may begin below the old break */
		uintptr_t start = ((uintptr_t)(block < before ? block : before)) & ~(uintptr_t)4095;
		lo = ((uintptr_t)before + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
		hi = (uintptr_t)after & ~(uintptr_t)4095;
		if (lo > hi)
			lo = hi;
		/* all advice: an old kernel or THP turned off just leaves the
		 * faults where they were. The part below the first huge page
		 * boundary is where the next allocations land: populated too,
		 * in small pages. */
		if (lo > start)
			madvise((void *)start, lo - start, MADV_POPULATE_WRITE);
		if (hi > lo) {
			madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
			madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE);
		}
	}
	free(block);
}
#else
void heap_expect(size_t bytes)
{
	(void)bytes;
}
#endif

void *heap_map(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, bytes, MADV_HUGEPAGE);
	if (madvise(p, bytes, MADV_POPULATE_WRITE) < 0) {
		/* before Linux 5.14: populate by remapping the range */
		munmap(p, bytes);
		p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (p == MAP_FAILED)
			return NULL;
	}
	return p;
}

void heap_unmap(void *p, size_t bytes)
{
	if (p)
		munmap(p, bytes);
}
