/*
 * test_heap.c: preparing the heap for a large load changes nothing that
 * a program can observe except speed: allocations still work, mappings
 * come back zeroed and writable.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "util/heap.h"

static void test_expect_then_allocate(void **state)
{
	char *v[4096];
	size_t i;

	(void)state;
	heap_expect(1024); /* too small to act on */
	heap_expect((size_t)8 << 20);
	heap_expect((size_t)1 << 40); /* capped, not an error */
	for (i = 0; i < 4096; i++) {
		v[i] = malloc(64 + i % 200);
		assert_non_null(v[i]);
		memset(v[i], (int)(i & 0xff), 64);
	}
	for (i = 0; i < 4096; i++) {
		assert_int_equal((unsigned char)v[i][63], i & 0xff);
		free(v[i]);
	}
	/* a block larger than the old mmap threshold still comes and goes */
	v[0] = malloc((size_t)20 << 20);
	assert_non_null(v[0]);
	memset(v[0], 7, (size_t)20 << 20);
	free(v[0]);
}

static void test_map(void **state)
{
	size_t bytes = ((size_t)5 << 20) + 123, i;
	unsigned char *p = heap_map(bytes);

	(void)state;
	assert_non_null(p);
	for (i = 0; i < bytes; i += 4096)
		assert_int_equal(p[i], 0);
	assert_int_equal(p[bytes - 1], 0);
	memset(p, 0xff, bytes);
	assert_int_equal(p[bytes / 2], 0xff);
	heap_unmap(p, bytes);
	heap_unmap(NULL, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expect_then_allocate),
		cmocka_unit_test(test_map),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
