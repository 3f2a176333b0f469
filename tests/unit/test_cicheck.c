/*
 * test_cicheck.c: the model-path globs of `mgate ci`.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ci/cicheck.h"

static void test_globs(void **state)
{
	(void)state;
	assert_true(cicheck_glob_match("app/models/**.py", "app/models/user.py"));
	assert_true(cicheck_glob_match("app/models/**.py", "app/models/billing/invoice.py"));
	assert_false(cicheck_glob_match("app/models/**.py", "app/views/user.py"));
	assert_false(cicheck_glob_match("app/models/**.py", "app/models/user.pyc"));
	assert_true(cicheck_glob_match("app/models/*.py", "app/models/user.py"));
	assert_false(cicheck_glob_match("app/models/*.py", "app/models/billing/invoice.py"));
	assert_true(cicheck_glob_match("**/models.py", "models.py"));
	assert_true(cicheck_glob_match("**/models.py", "a/b/models.py"));
	assert_true(cicheck_glob_match("src/?/x", "src/a/x"));
	assert_false(cicheck_glob_match("src/?/x", "src//x"));
	assert_false(cicheck_glob_match("src/?/x", "src/ab/x"));
	assert_true(cicheck_glob_match("**", "anything/at/all"));
	assert_false(cicheck_glob_match("", "x"));
	assert_true(cicheck_glob_match("", ""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_globs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
