/*
 * test_spawn.c: child processes run with argv (no shell in mgate), their
 * exit status, the copy of their stderr, the time limit, and a child that
 * closes its stderr early (the wait must still end with the child).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "util/spawn.h"

static void test_status_and_stderr_copy(void **state)
{
	const char *argv[] = { "/bin/sh", "-c", "echo to-stderr >&2; exit 3", NULL };
	buf copy = BUF_INIT;
	mg_error err = MG_ERROR_INIT;
	int status = 0, sig = 0, timed_out = 0;

	(void)state;
	assert_int_equal(spawn_stream_tee(&status, &sig, &timed_out, argv, NULL, 0, 1, &copy, &err), 0);
	assert_int_equal(status, 3);
	assert_int_equal(timed_out, 0);
	assert_true(strstr(copy.ptr, "to-stderr") != NULL);
	buf_release(&copy);
}

static void test_closed_stderr(void **state)
{
	const char *argv[] = { "/bin/sh", "-c", "exec 2>&-; sleep 0.2; exit 7", NULL };
	buf copy = BUF_INIT;
	mg_error err = MG_ERROR_INIT;
	int status = 0, sig = 0, timed_out = 0;

	(void)state;
	assert_int_equal(spawn_stream_tee(&status, &sig, &timed_out, argv, NULL, 0, 0, &copy, &err), 0);
	assert_int_equal(status, 7);
	buf_release(&copy);
}

static void test_timeout(void **state)
{
	const char *argv[] = { "/bin/sleep", "30", NULL };
	mg_error err = MG_ERROR_INIT;
	int status = 0, sig = 0, timed_out = 0;

	(void)state;
	assert_int_equal(spawn_stream(&status, &sig, &timed_out, argv, NULL, 1, 0, &err), 0);
	assert_int_equal(timed_out, 1);
	assert_int_equal(status, 128 + 15);
}

static void test_missing_program(void **state)
{
	const char *argv[] = { "mgate-no-such-program", NULL };
	mg_error err = MG_ERROR_INIT;
	int status = 0, sig = 0, timed_out = 0;

	(void)state;
	assert_int_equal(spawn_stream(&status, &sig, &timed_out, argv, NULL, 0, 0, &err), MG_EENV);
	assert_true(strstr(err.msg, "mgate-no-such-program") != NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_and_stderr_copy),
		cmocka_unit_test(test_closed_stderr),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_missing_program),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
