/*
 * test_strvec.c: splitting settings into fields, and set comparison.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_same_set),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
