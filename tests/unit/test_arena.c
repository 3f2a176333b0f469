/*
 * test_arena.c: the bump allocator: alignment, copies, and one arena
 * adopting another's allocations (the scan's worker arenas).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "util/arena.h"

static void test_alloc_and_copies(void **state)
{
	arena a = ARENA_INIT;
	const char *src[] = { "down", "", "label" };
	const char **copy;
	char *big;
	size_t i;

	(void)state;
	for (i = 1; i < 100; i++) {
		void *p = arena_alloc(&a, i);
		assert_int_equal((uintptr_t)p % 16, 0);
		memset(p, 0xab, i);
	}
	big = arena_alloc(&a, 1 << 20); /* larger than a chunk */
	memset(big, 1, 1 << 20);
	copy = arena_strs(&a, src, 3);
	assert_non_null(copy);
	for (i = 0; i < 3; i++) {
		assert_string_equal(copy[i], src[i]);
		assert_ptr_not_equal(copy[i], src[i]);
	}
	assert_null(arena_strs(&a, src, 0));
	assert_null(arena_strdup(&a, NULL));
	assert_string_equal(arena_strndup(&a, "abcdef", 3), "abc");
	arena_release(&a);
	assert_null(a.head);
}

static void test_adopt(void **state)
{
	arena into = ARENA_INIT, from = ARENA_INIT, empty = ARENA_INIT;
	char *x, *y;

	(void)state;
	x = arena_strdup(&into, "kept by into");
	y = arena_strdup(&from, "moved from a worker");
	arena_alloc(&from, 200000); /* a second chunk in `from` */
	arena_adopt(&into, &from);
	assert_null(from.head);
	arena_adopt(&into, &empty); /* nothing to move */
	assert_string_equal(x, "kept by into");
	assert_string_equal(y, "moved from a worker");
	assert_string_equal(arena_strdup(&into, "after"), "after");
	arena_release(&into); /* frees all three chunks: ASan reports a leak otherwise */
	arena_release(&from);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_and_copies),
		cmocka_unit_test(test_adopt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
