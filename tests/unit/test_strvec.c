/*
 * test_strvec.c: splitting settings into fields, set comparison, borrowed
 * string lists, and the string map.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "util/strmap.h"
#include "util/strvec.h"

static void test_split(void **state)
{
	strvec sv = STRVEC_INIT;

	(void)state;
	strvec_split(&sv, " missing-downgrade,, drop-column ", ", ");
	assert_int_equal(sv.n, 2);
	assert_string_equal(sv.v[0], "missing-downgrade");
	assert_string_equal(sv.v[1], "drop-column");
	strvec_split(&sv, NULL, " ");
	strvec_split(&sv, "\t \t", " \t");
	assert_int_equal(sv.n, 2);
	strvec_release(&sv);
}

static void test_same_set(void **state)
{
	strvec a = STRVEC_INIT, b = STRVEC_INIT;

	(void)state;
	strvec_split(&a, "x y", " ");
	strvec_split(&b, "y x", " ");
	assert_true(strvec_same_set(&a, &b));
	strvec_push(&b, "z");
	assert_false(strvec_same_set(&a, &b));
	strvec_release(&a);
	strvec_release(&b);
}

static void test_strlist_borrows(void **state)
{
	strlist sl = STRLIST_INIT;
	char label[] = "core";
	size_t i;

	(void)state;
	for (i = 0; i < 9; i++)
		strlist_push(&sl, i == 4 ? label : "x");
	assert_int_equal(sl.n, 9);
	assert_ptr_equal(sl.v[4], label); /* the string itself, not a copy */
	assert_int_equal(strlist_index(&sl, "core"), 4);
	assert_int_equal(strlist_index(&sl, "absent"), -1);
	strlist_release(&sl);
	assert_int_equal(sl.n, 0);
	assert_null(sl.v);
}

static void test_strmap_reserve(void **state)
{
	strmap m = STRMAP_INIT;
	char keys[3000][8];
	size_t i, cap;

	(void)state;
	strmap_put(&m, "before", 7);
	strmap_reserve(&m, 3000);
	cap = m.cap;
	assert_true(cap >= 2 * 3001);
	for (i = 0; i < 3000; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%zu", i);
		strmap_put(&m, keys[i], (int)i);
	}
	assert_int_equal(m.cap, cap); /* no growth after the reservation */
	for (i = 0; i < 3000; i++)
		assert_int_equal(strmap_get(&m, keys[i]), (int)i);
	assert_int_equal(strmap_get(&m, "before"), 7);
	assert_int_equal(strmap_get(&m, "k3000"), -1);
	strmap_reserve(&m, 10); /* never shrinks */
	assert_int_equal(m.cap, cap);
	strmap_release(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_same_set),
		cmocka_unit_test(test_strlist_borrows),
		cmocka_unit_test(test_strmap_reserve),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
