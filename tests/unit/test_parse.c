/*
 * test_parse.c: typed values from user text, and every kind of junk refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <string.h>

#include "util/parse.h"

static void test_long(void **state)
{
	const char *bad[] = { "", "abc", "12abc", "1.5", " 1", "1 ", "+1", "-1", "0x10", "99999999999999999999", NULL };
	const char *expected = NULL;
	long long v = -7;
	size_t i;

	(void)state;
	assert_int_equal(parse_long(&v, "0", 0, 10, &expected), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse_long(&v, "10", 0, 10, &expected), 0);
	assert_int_equal(v, 10);
	assert_int_equal(parse_long(&v, "007", 0, 10, &expected), 0);
	assert_int_equal(v, 7);
	assert_int_equal(parse_long(&v, "11", 0, 10, &expected), -1);
	assert_string_equal(expected, "a whole number from 0 to 10");
	for (i = 0; bad[i]; i++) {
		v = -7;
		if (parse_long(&v, bad[i], 0, LLONG_MAX, &expected) == 0)
			fail_msg("'%s' is accepted", bad[i]);
		assert_int_equal(v, -7); /* untouched */
	}
	assert_int_equal(parse_long(&v, NULL, 0, 1, &expected), -1);
	/* negatives only where the range has them */
	assert_int_equal(parse_long(&v, "-5", -10, 10, &expected), 0);
	assert_int_equal(v, -5);
	assert_int_equal(parse_long(&v, "-0", -10, 10, &expected), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse_long(&v, "-11", -10, 10, &expected), -1);
	assert_int_equal(parse_long(&v, "--1", -10, 10, &expected), -1);
	assert_int_equal(parse_long(&v, "-", -10, 10, &expected), -1);
	/* the edges of the type */
	assert_int_equal(parse_long(&v, "9223372036854775807", 0, LLONG_MAX, &expected), 0);
	assert_int_equal(v, LLONG_MAX);
	assert_int_equal(parse_long(&v, "9223372036854775808", 0, LLONG_MAX, &expected), -1);
	assert_int_equal(parse_long(&v, "-9223372036854775807", -LLONG_MAX, 0, &expected), 0);
	assert_int_equal(v, -LLONG_MAX);
}

static void test_bool(void **state)
{
	const char *yes[] = { "true", "TRUE", "yes", "On", "1", NULL }, *no[] = { "false", "No", "off", "0", NULL };
	const char *bad[] = { "", "2", "maybe", "truee", " true", NULL };
	const char *expected;
	int v;
	size_t i;

	(void)state;
	for (i = 0; yes[i]; i++) {
		v = 0;
		assert_int_equal(parse_bool(&v, yes[i], &expected), 0);
		assert_int_equal(v, 1);
	}
	for (i = 0; no[i]; i++) {
		v = 1;
		assert_int_equal(parse_bool(&v, no[i], &expected), 0);
		assert_int_equal(v, 0);
	}
	for (i = 0; bad[i]; i++)
		if (parse_bool(&v, bad[i], &expected) == 0)
			fail_msg("'%s' is accepted", bad[i]);
	assert_non_null(strstr(expected, "true or false"));
}

static void test_pg_duration(void **state)
{
	const char *good[] = { "0", "5s", "500ms", "1min", "2h", "1d", "10us", "30", NULL };
	const char *bad[] = { "", "s", "5 s", "5sec", "-1s", "5s -c log_statement=all", "5s;", "1.5s", "5S", NULL };
	const char *expected;
	size_t i;

	(void)state;
	for (i = 0; good[i]; i++)
		if (parse_pg_duration(good[i], &expected) < 0)
			fail_msg("'%s' is refused", good[i]);
	for (i = 0; bad[i]; i++)
		if (parse_pg_duration(bad[i], &expected) == 0)
			fail_msg("'%s' is accepted", bad[i]);
}

static void test_age(void **state)
{
	const char *bad[] = { "", "h", "1.5h", " 1h", "1h ", "+1", "-1", "1w", "1 h", "1hh", "0", "0s",
			      "99999999999999999999", "3000000000000000000d", NULL };
	const char *expected = NULL;
	long long v = -7;
	size_t i;

	(void)state;
	assert_int_equal(parse_age(&v, "24", 3600, 1, LLONG_MAX, &expected), 0);
	assert_int_equal(v, 24 * 3600);
	assert_int_equal(parse_age(&v, "90min", 3600, 1, LLONG_MAX, &expected), 0);
	assert_int_equal(v, 5400);
	assert_int_equal(parse_age(&v, "2d", 3600, 1, LLONG_MAX, &expected), 0);
	assert_int_equal(v, 172800);
	assert_int_equal(parse_age(&v, "1s", 3600, 1, LLONG_MAX, &expected), 0);
	assert_int_equal(v, 1);
	assert_int_equal(parse_age(&v, "7", 86400, 1, LLONG_MAX, &expected), 0);
	assert_int_equal(v, 7 * 86400);
	/* beyond the maximum, also by its unit */
	assert_int_equal(parse_age(&v, "11d", 3600, 1, 10 * 86400, &expected), -1);
	assert_non_null(strstr(expected, "from 1 s to 864000 s"));
	for (i = 0; bad[i]; i++) {
		v = -7;
		if (parse_age(&v, bad[i], 3600, 1, 10LL * 365 * 86400, &expected) == 0)
			fail_msg("'%s' is accepted", bad[i]);
		assert_non_null(strstr(expected, "(s, min, h, d; a bare number is hours)"));
	}
	assert_int_equal(parse_age(&v, NULL, 1, 1, 2, &expected), -1);
}

static void test_env_name_and_pg_major(void **state)
{
	const char *expected;
	int v = 0;

	(void)state;
	assert_int_equal(parse_env_name("APP_DB_URL", &expected), 0);
	assert_int_equal(parse_env_name("_X1", &expected), 0);
	assert_int_equal(parse_env_name("1X", &expected), -1);
	assert_int_equal(parse_env_name("A-B", &expected), -1);
	assert_int_equal(parse_env_name("A=B", &expected), -1);
	assert_int_equal(parse_env_name("", &expected), -1);
	assert_int_equal(parse_pg_major(&v, "15", &expected), 0);
	assert_int_equal(v, 15);
	assert_int_equal(parse_pg_major(&v, "14.2", &expected), 0);
	assert_int_equal(v, 14);
	assert_int_equal(parse_pg_major(&v, "9", &expected), 0);
	assert_int_equal(parse_pg_major(&v, "-5", &expected), -1);
	assert_int_equal(parse_pg_major(&v, "12abc", &expected), -1);
	assert_int_equal(parse_pg_major(&v, "12.", &expected), -1);
	assert_int_equal(parse_pg_major(&v, "12.x", &expected), -1);
	assert_int_equal(parse_pg_major(&v, "8", &expected), -1);
	assert_int_equal(parse_pg_major(&v, "100", &expected), -1);
	assert_int_equal(parse_pg_major(&v, "", &expected), -1);
	assert_int_equal(parse_pg_major(&v, "x", &expected), -1);
	assert_string_equal(expected, "a PostgreSQL major version such as 15");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_long),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_pg_duration),
		cmocka_unit_test(test_age),
		cmocka_unit_test(test_env_name_and_pg_major),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
