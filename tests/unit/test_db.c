/*
 * test_db.c: the SQLite adapter on real database files: version rows,
 * read-only opening, the migration lock, row counts and check queries.
 * (The PostgreSQL adapter is tested against a real server in tests/pg.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "testutil.h"

static char *dir, url[4300], path[4200];

static int setup(void **state)
{
	sqlite3 *c;
	(void)state;
	dir = tu_tempdir();
	snprintf(path, sizeof(path), "%s/app.db", dir);
	snprintf(url, sizeof(url), "sqlite:///%s", path);
	assert_int_equal(sqlite3_open(path, &c), SQLITE_OK);
	assert_int_equal(sqlite3_exec(c, "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL);"
					 "INSERT INTO alembic_version VALUES ('aaaa'), ('bbbb');"
					 "CREATE TABLE \"Odd \"\"Name\" (x INTEGER); INSERT INTO \"Odd \"\"Name\" VALUES (1), (2), (3);",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(c);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tu_rmrf(dir);
	free(dir);
	return 0;
}

static void test_versions_and_queries(void **state)
{
	db *d = NULL;
	mg_error err = MG_ERROR_INIT;
	strvec rows = STRVEC_INIT;
	db_version_table vt = { "alembic_version", NULL }, other = { "nope", NULL };
	int exists;
	long long n;
	char *v = NULL;
	(void)state;
	assert_int_equal(db_open(&d, url, &err), 0);
	assert_int_equal(d->ops->read_versions(d, &vt, &rows, &exists, &err), 0);
	assert_true(exists);
	assert_int_equal(rows.n, 2);
	assert_string_equal(rows.v[1], "bbbb");
	strvec_release(&rows);
	assert_int_equal(d->ops->read_versions(d, &other, &rows, &exists, &err), 0);
	assert_false(exists);
	assert_int_equal(d->ops->table_rows(d, "Odd \"Name", &n, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(d->ops->query_scalar(d, "SELECT 41 + 1", &v, &err), 0);
	assert_string_equal(v, "42");
	free(v);
	assert_int_equal(d->ops->query_scalar(d, "SELECT 1 WHERE 0", &v, &err), 0);
	assert_null(v);
	/* the connection is read-only */
	assert_int_equal(d->ops->query_scalar(d, "DELETE FROM alembic_version RETURNING 1", &v, &err), MG_EENV);
	assert_non_null(strstr(err.msg, "readonly"));
	db_close(d);
}

static void test_lock(void **state)
{
	db *a = NULL, *b = NULL;
	mg_error err = MG_ERROR_INIT;
	(void)state;
	assert_int_equal(db_open(&a, url, &err), 0);
	assert_int_equal(db_open(&b, url, &err), 0);
	assert_int_equal(a->ops->lock(a, "alembic_version", 0, &err), 0);
	assert_int_equal(b->ops->lock(b, "alembic_version", 250, &err), MG_EAMBIGUOUS);
	assert_non_null(strstr(err.msg, "holds the migration lock"));
	a->ops->unlock(a, "alembic_version");
	assert_int_equal(b->ops->lock(b, "alembic_version", 0, &err), 0);
	b->ops->unlock(b, "alembic_version");
	db_close(a);
	db_close(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_versions_and_queries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
