/*
 * test_dburl.c: SQLAlchemy URL forms, libpq parameters and redaction.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "db/dburl.h"

static const char *param(const strvec *k, const strvec *v, const char *key)
{
	int i = strvec_index(k, key);
	return i < 0 ? NULL : v->v[i];
}

static void test_postgres_forms(void **state)
{
	db_url u;
	mg_error err = MG_ERROR_INIT;
	strvec k = STRVEC_INIT, v = STRVEC_INIT;
	(void)state;
	assert_int_equal(dburl_parse(&u, "postgresql+psycopg2://app:p%40ss%3Aw0rd@db.example:6432/prod?sslmode=require&application_name=deploy", &err), 0);
	assert_int_equal(u.dialect, DB_POSTGRESQL);
	assert_string_equal(u.driver, "psycopg2");
	assert_string_equal(u.user, "app");
	assert_string_equal(u.password, "p@ss:w0rd");
	assert_string_equal(u.host, "db.example");
	assert_string_equal(u.port, "6432");
	assert_string_equal(u.database, "prod");
	dburl_libpq_params(&k, &v, &u);
	assert_string_equal(param(&k, &v, "sslmode"), "require");
	assert_string_equal(param(&k, &v, "dbname"), "prod");
	assert_string_equal(param(&k, &v, "application_name"), "deploy");
	strvec_release(&k);
	strvec_release(&v);
	dburl_release(&u);

	/* a socket folder in the query, no host, no password */
	assert_int_equal(dburl_parse(&u, "postgres://app@/prod?host=/run/postgresql", &err), 0);
	assert_null(u.host);
	assert_null(u.password);
	dburl_libpq_params(&k, &v, &u);
	assert_string_equal(param(&k, &v, "host"), "/run/postgresql");
	strvec_release(&k);
	strvec_release(&v);
	dburl_release(&u);

	/* a password with an '@' and IPv6 */
	assert_int_equal(dburl_parse(&u, "postgresql+psycopg://u:a@b@[::1]:5433/d", &err), 0);
	assert_string_equal(u.password, "a@b");
	assert_string_equal(u.host, "::1");
	assert_string_equal(u.port, "5433");
	dburl_release(&u);

	assert_int_equal(dburl_parse(&u, "postgresql://u:p@h:54x/d", &err), MG_ECONFIG);
	assert_null(strstr(err.msg, ":p@")); /* the message is redacted too */
	dburl_release(&u);
}

static void test_sqlite_forms(void **state)
{
	db_url u;
	mg_error err = MG_ERROR_INIT;
	(void)state;
	assert_int_equal(dburl_parse(&u, "sqlite:///relative/app.db", &err), 0);
	assert_string_equal(u.sqlite_path, "relative/app.db");
	dburl_release(&u);
	assert_int_equal(dburl_parse(&u, "sqlite:////srv/app/app.db", &err), 0);
	assert_string_equal(u.sqlite_path, "/srv/app/app.db");
	dburl_release(&u);
	assert_int_equal(dburl_parse(&u, "sqlite+pysqlite:///x.db?timeout=5", &err), 0);
	assert_string_equal(u.sqlite_path, "x.db");
	dburl_release(&u);
	assert_int_equal(dburl_parse(&u, "sqlite://", &err), MG_ECONFIG);
	dburl_release(&u);
	assert_int_equal(dburl_parse(&u, "sqlite:///:memory:", &err), 0); /* a file named ':memory:' is not memory here */
	dburl_release(&u);
}

static void test_unsupported(void **state)
{
	db_url u;
	mg_error err = MG_ERROR_INIT;
	(void)state;
	assert_int_equal(dburl_parse(&u, "mysql+pymysql://u:p@h/d", &err), MG_ECONFIG);
	assert_non_null(strstr(err.msg, "unsupported database 'mysql'"));
	assert_non_null(strstr(err.msg, "postgresql://"));
	dburl_release(&u);
	assert_int_equal(dburl_parse(&u, "just-a-word", &err), MG_ECONFIG);
	dburl_release(&u);
}

static void test_redact(void **state)
{
	static const char *const cases[][2] = {
		{ "postgresql://app:s3cret@db/prod", "postgresql://app:***@db/prod" },
		{ "postgresql://app@db/prod", "postgresql://app@db/prod" },
		{ "postgresql://u:a@b@h/d", "postgresql://u:***@h/d" },
		{ "postgresql://h/d?user=x&password=hunter2&sslmode=require", "postgresql://h/d?user=x&password=***&sslmode=require" },
		{ "sqlite:///x.db", "sqlite:///x.db" },
		/* found by fuzz_dburl: "&password=" outside the query is not a parameter */
		{ "postgres://u:a@host&password=x/db", "postgres://u:***@host&password=x/db" },
		{ "postgresql://h/d?password=a&password=b", "postgresql://h/d?password=***&password=***" },
		{ "garbage", "garbage" },
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf b = BUF_INIT;
		dburl_redact(&b, cases[i][0]);
		assert_string_equal(b.ptr, cases[i][1]);
		buf_release(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_postgres_forms),
		cmocka_unit_test(test_sqlite_forms),
		cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_redact),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
