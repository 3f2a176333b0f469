/*
 * test_dynlib.c: loading a library on first use: symbols resolved into
 * their slots once, and a missing library or symbol is an error that
 * names the Debian package to install.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "util/dynlib.h"

static size_t (*my_strlen)(const char *);

static void test_load_once(void **state)
{
	static const dynlib_sym syms[] = { { "strlen", &my_strlen } };
	dynlib lib = DYNLIB_INIT("libc.so.6", "libc6", syms);
	mg_error err = MG_ERROR_INIT;

	(void)state;
	assert_int_equal(dynlib_load(&lib, &err), MG_OK);
	assert_true(lib.loaded);
	assert_int_equal(my_strlen("abcd"), 4);
	my_strlen = NULL;
	assert_int_equal(dynlib_load(&lib, &err), MG_OK); /* once: not resolved again */
	assert_null(my_strlen);
}

static void test_missing(void **state)
{
	static void (*nothing)(void);
	static const dynlib_sym none[] = { { "mgate_no_such_function", &nothing } };
	dynlib gone = DYNLIB_INIT("libmgate-absent.so.9", "libmgate-absent9", none);
	dynlib libc = DYNLIB_INIT("libc.so.6", "libc6", none);
	mg_error err = MG_ERROR_INIT;

	(void)state;
	assert_int_equal(dynlib_load(&gone, &err), MG_EENV);
	assert_non_null(strstr(err.msg, "libmgate-absent9"));
	assert_false(gone.loaded);
	mg_error_clear(&err);
	assert_int_equal(dynlib_load(&libc, &err), MG_EENV);
	assert_non_null(strstr(err.msg, "mgate_no_such_function"));
	assert_non_null(strstr(err.msg, "libc6"));
	assert_false(libc.loaded);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_once),
		cmocka_unit_test(test_missing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
