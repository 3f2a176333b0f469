/*
 * test_sqlcheck.c: statement classes from libpg_query's parse tree, parse
 * errors with positions, and the SQLite pattern fallback.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "lint/sqlcheck.h"

static void classify(sqlstmts *s, const char *sql, sql_dialect d)
{
	mg_error err = MG_ERROR_INIT;
	assert_int_equal(sqlcheck_classify(s, sql, d, &err), 0);
}

/* The class and table of statement i, and one fact (key may be NULL). */
static void expect(const sqlstmts *s, size_t i, const char *cls, const char *table, const char *key, const char *val)
{
	assert_true(i < s->n);
	assert_string_equal(s->v[i].cls, cls);
	if (table)
		assert_string_equal(s->v[i].table, table);
	if (key && val)
		assert_string_equal(sqlstmt_fact(&s->v[i], key), val);
	else if (key)
		assert_null(sqlstmt_fact(&s->v[i], key));
}

static void test_alter_table_subcommands(void **state)
{
	sqlstmts s;

	(void)state;
	classify(&s, "ALTER TABLE app.users ADD COLUMN t uuid NOT NULL DEFAULT gen_random_uuid(), DROP COLUMN legacy, "
		     "ALTER COLUMN age TYPE bigint, ALTER COLUMN email SET NOT NULL, ALTER COLUMN n DROP NOT NULL, "
		     "ADD CONSTRAINT c CHECK (email IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT c, "
		     "ADD CONSTRAINT u UNIQUE USING INDEX ix, ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES b (id)",
		 SQL_POSTGRESQL);
	assert_false(s.parse_failed);
	assert_int_equal(s.n, 9);
	expect(&s, 0, "add_column", "app.users", "default_volatile", "1");
	assert_string_equal(sqlstmt_fact(&s.v[0], "not_null"), "1");
	assert_string_equal(s.v[0].columns.v[0], "t");
	expect(&s, 1, "drop_column", "app.users", NULL, NULL);
	assert_string_equal(s.v[1].columns.v[0], "legacy");
	expect(&s, 2, "alter_column_type", NULL, NULL, NULL);
	assert_int_equal(s.v[2].columns.n, 1);
	expect(&s, 3, "set_not_null", NULL, NULL, NULL);
	expect(&s, 4, "drop_not_null", NULL, NULL, NULL);
	expect(&s, 5, "add_constraint", NULL, "not_valid", "1");
	assert_string_equal(sqlstmt_fact(&s.v[5], "check_not_null"), "email");
	assert_string_equal(sqlstmt_fact(&s.v[5], "contype"), "check");
	expect(&s, 6, "validate_constraint", NULL, NULL, NULL);
	assert_string_equal(s.v[6].object, "c");
	expect(&s, 7, "add_constraint", NULL, "using_index", "1");
	expect(&s, 8, "add_constraint", NULL, "not_valid", NULL);
	assert_string_equal(sqlstmt_fact(&s.v[8], "contype"), "foreign_key");
	sqlstmts_release(&s);
}

static void test_statement_classes(void **state)
{
	sqlstmts s;

	(void)state;
	classify(&s, "DROP TABLE a, b CASCADE;\nDROP INDEX CONCURRENTLY ix;\nDROP SCHEMA s;\nDROP SEQUENCE q;\n"
		     "CREATE INDEX CONCURRENTLY ix2 ON t (a);\nCREATE UNIQUE INDEX ix3 ON t (b);\n"
		     "TRUNCATE t;\nDELETE FROM t;\nDELETE FROM t WHERE a;\nUPDATE t SET a = 1;\n"
		     "LOCK TABLE t IN ACCESS EXCLUSIVE MODE;\nVACUUM FULL t;\nCLUSTER t USING ix;\n"
		     "REINDEX TABLE CONCURRENTLY t;\nBEGIN;\nCOMMIT;\nALTER TABLE t RENAME TO u;\n"
		     "ALTER TABLE u RENAME COLUMN a TO b;\nCREATE TABLE n (id int, v text);\nSELECT 1;\nCOMMENT ON TABLE t IS 'x'",
		 SQL_POSTGRESQL);
	assert_false(s.parse_failed);
	expect(&s, 0, "drop_table", "a", "cascade", "1");
	expect(&s, 1, "drop_table", "b", NULL, NULL);
	expect(&s, 2, "drop_index", NULL, "concurrently", "1");
	expect(&s, 3, "drop_schema", NULL, NULL, NULL);
	assert_string_equal(s.v[3].object, "s");
	expect(&s, 4, "drop_sequence", NULL, NULL, NULL);
	expect(&s, 5, "create_index", "t", "concurrently", "1");
	expect(&s, 6, "create_index", "t", "unique", "1");
	expect(&s, 7, "truncate", "t", NULL, NULL);
	expect(&s, 8, "delete", "t", "where", NULL);
	expect(&s, 9, "delete", "t", "where", "1");
	expect(&s, 10, "update", "t", "where", NULL);
	expect(&s, 11, "lock_table", "t", "mode", "8");
	expect(&s, 12, "vacuum", "t", "full", "1");
	expect(&s, 13, "cluster", "t", NULL, NULL);
	expect(&s, 14, "reindex", "t", "concurrently", "1");
	expect(&s, 15, "transaction", NULL, "kind", "begin");
	expect(&s, 16, "transaction", NULL, "kind", "commit");
	expect(&s, 17, "rename_table", "t", "new_name", "u");
	expect(&s, 18, "rename_column", "u", "new_name", "b");
	expect(&s, 19, "create_table", "n", NULL, NULL);
	assert_int_equal(s.v[19].columns.n, 2);
	expect(&s, 20, "select", NULL, NULL, NULL);
	expect(&s, 21, "other", NULL, NULL, NULL);
	assert_int_equal(s.v[5].line, 5);
	assert_string_equal(s.v[5].text, "CREATE INDEX CONCURRENTLY ix2 ON t (a)");
	sqlstmts_release(&s);
}

static void test_defaults(void **state)
{
	sqlstmts s;

	(void)state;
	classify(&s, "ALTER TABLE t ADD COLUMN a int DEFAULT 0, ADD COLUMN b timestamptz DEFAULT now(), "
		     "ADD COLUMN c bigserial, ADD COLUMN d int GENERATED ALWAYS AS IDENTITY, "
		     "ADD COLUMN e float DEFAULT random()::float",
		 SQL_POSTGRESQL);
	expect(&s, 0, "add_column", "t", "default_volatile", NULL);
	expect(&s, 1, "add_column", "t", "default_volatile", NULL); /* now() is stable */
	expect(&s, 2, "add_column", "t", "default_volatile", "1");
	expect(&s, 3, "add_column", "t", "default_volatile", "1");
	expect(&s, 4, "add_column", "t", "default_volatile", "1");
	assert_string_equal(sqlstmt_fact(&s.v[0], "has_default"), "1");
	sqlstmts_release(&s);
}

static void test_parse_errors(void **state)
{
	sqlstmts s;

	(void)state;
	classify(&s, "SELECT 1;\nSELEC 2", SQL_POSTGRESQL);
	assert_true(s.parse_failed);
	assert_non_null(strstr(s.error, "syntax error"));
	assert_int_equal(s.error_line, 2);
	assert_int_equal(s.error_offset, 10);
	sqlstmts_release(&s);
}

/* Bind parameters in every paramstyle parse; the statements keep their
 * original text, casts and quoted colons are not parameters, and a real
 * syntax error is still one. */
static void test_bind_parameters(void **state)
{
	static const char *const sqls[] = {
		"UPDATE users SET role = :role WHERE id = :id",
		"DELETE FROM users WHERE id = %s",
		"UPDATE users SET role = %(role)s WHERE email LIKE %(domain)s",
		"UPDATE users SET role = ? WHERE id = ?",
		"UPDATE shops SET opens_at = '09:00', kind = :kind::text WHERE id = :id",
		"WITH stale AS (SELECT id FROM carts WHERE updated_at < :cutoff) DELETE FROM cart_items",
		NULL,
	};
	sqlstmts s;
	size_t i;

	(void)state;
	for (i = 0; sqls[i]; i++) {
		classify(&s, sqls[i], SQL_POSTGRESQL);
		assert_false(s.parse_failed);
		assert_int_equal(s.n, 1);
		assert_string_equal(s.v[0].text, sqls[i]);
		sqlstmts_release(&s);
	}
	classify(&s, "DELETE FROM users WHERE id = :id", SQL_POSTGRESQL);
	expect(&s, 0, "delete", "users", "where", "1");
	sqlstmts_release(&s);
	classify(&s, "WITH stale AS (SELECT id FROM carts WHERE x < :c) DELETE FROM cart_items", SQL_POSTGRESQL);
	expect(&s, 0, "delete", "cart_items", "where", NULL); /* the CTE's WHERE is not the DELETE's */
	sqlstmts_release(&s);
	classify(&s, "UPDATE users SET role = :role WHER id = :id", SQL_POSTGRESQL);
	assert_true(s.parse_failed);
	sqlstmts_release(&s);
	/* a jsonb ? operator is not a parameter: it parses as it is */
	classify(&s, "SELECT data ? 'key' FROM docs", SQL_POSTGRESQL);
	assert_false(s.parse_failed);
	sqlstmts_release(&s);
}

static void test_sqlite_fallback(void **state)
{
	sqlstmts s;

	(void)state;
	/* Valid PostgreSQL too: parsed, not pattern-matched. */
	classify(&s, "DROP TABLE x", SQL_SQLITE);
	assert_false(s.by_pattern);
	expect(&s, 0, "drop_table", "x", NULL, NULL);
	sqlstmts_release(&s);

	classify(&s, "INSERT OR REPLACE INTO [t] VALUES (1); -- c;\nDELETE FROM `u`;\n"
		     "ALTER TABLE \"v\" DROP COLUMN w; UPDATE OR IGNORE z SET a = 1 WHERE b; PRAGMA foreign_keys=ON",
		 SQL_SQLITE);
	assert_true(s.by_pattern);
	assert_false(s.parse_failed);
	expect(&s, 0, "insert", "t", NULL, NULL);
	expect(&s, 1, "delete", "u", "where", NULL);
	expect(&s, 2, "drop_column", "v", NULL, NULL);
	assert_string_equal(s.v[2].columns.v[0], "w");
	expect(&s, 3, "update", "z", "where", "1");
	expect(&s, 4, "select", NULL, NULL, NULL);
	assert_int_equal(s.v[1].line, 2);
	sqlstmts_release(&s);
}

static void test_empty_and_odd_input(void **state)
{
	/* nothing to run: no statements, no parse error */
	static const char *const empty[] = { "", ";;;", "-- only a comment", NULL };
	/* broken text: the parser rejects it (on SQLite the pattern fallback
	 * recognises no statement in it: anything it keeps is "other") */
	static const char *const broken[] = { "/* open comment", "'unterminated", NULL };
	size_t i, k;

	(void)state;
	for (i = 0; empty[i]; i++) {
		sqlstmts s;
		classify(&s, empty[i], SQL_POSTGRESQL);
		assert_int_equal(s.n, 0);
		assert_false(s.parse_failed);
		sqlstmts_release(&s);
		classify(&s, empty[i], SQL_SQLITE);
		assert_int_equal(s.n, 0);
		sqlstmts_release(&s);
	}
	for (i = 0; broken[i]; i++) {
		sqlstmts s;
		classify(&s, broken[i], SQL_POSTGRESQL);
		assert_true(s.parse_failed);
		assert_non_null(s.error);
		assert_int_equal(s.error_line, 1);
		sqlstmts_release(&s);
		classify(&s, broken[i], SQL_SQLITE);
		assert_true(s.by_pattern);
		for (k = 0; k < s.n; k++)
			assert_string_equal(s.v[k].cls, "other");
		sqlstmts_release(&s);
	}
}

/* Splitting the offline SQL Alembic writes: statements one by one, with a
 * semicolon inside a string or a function body kept in its statement. */
/* The WHERE clause of a DELETE or UPDATE, at the top level only. */
static void test_where_span(void **state)
{
	static const struct {
		const char *sql, *want; /* want NULL: none, or not usable alone */
	} cases[] = {
		{ "DELETE FROM users WHERE id > 100", "WHERE id > 100" },
		{ "delete from users where id > 100;\n", "where id > 100" },
		{ "UPDATE t SET note = 'a WHERE b' WHERE id IN (SELECT id FROM u WHERE x) RETURNING id",
		  "WHERE id IN (SELECT id FROM u WHERE x)" },
		{ "UPDATE t SET x = 1", NULL },
		{ "UPDATE t SET x = u.x FROM u WHERE u.id = t.id", NULL },
		{ "DELETE FROM t USING u WHERE u.id = t.id", NULL },
		{ "DELETE FROM t -- WHERE nothing\n WHERE $$WHERE$$ = 'x' /* RETURNING */", "WHERE $$WHERE$$ = 'x' /* RETURNING */" },
		{ "DELETE FROM nowhere_table WHERE somewhere = 1", "WHERE somewhere = 1" },
		{ "DELETE FROM t WHERE", "WHERE" },
		{ "", NULL },
	};
	size_t i, from, to;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = sqlcheck_where_span(cases[i].sql, &from, &to);
		if (!cases[i].want) {
			assert_int_equal(rc, -1);
			continue;
		}
		assert_int_equal(rc, 0);
		assert_int_equal(to - from, strlen(cases[i].want));
		assert_memory_equal(cases[i].sql + from, cases[i].want, to - from);
	}
}

static void test_split(void **state)
{
	strvec parts = STRVEC_INIT;
	mg_error err = MG_ERROR_INIT;

	(void)state;
	assert_int_equal(sqlcheck_split(&parts, "BEGIN;\n\nCREATE TABLE t (a text DEFAULT 'x;y');\n"
						"-- Running upgrade a -> b\n\nUPDATE alembic_version SET version_num='b' "
						"WHERE alembic_version.version_num = 'a';\n\nCOMMIT;\n",
					&err),
			 0);
	assert_int_equal(parts.n, 4);
	assert_string_equal(parts.v[0], "BEGIN");
	assert_string_equal(parts.v[1], "CREATE TABLE t (a text DEFAULT 'x;y')");
	assert_true(strstr(parts.v[2], "UPDATE alembic_version") != NULL);
	assert_string_equal(parts.v[3], "COMMIT");
	strvec_release(&parts);
	assert_int_equal(sqlcheck_split(&parts, "CREATE TABLE (", &err), MG_ERR);
	assert_true(strstr(err.msg, "does not parse") != NULL);
	strvec_release(&parts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_alter_table_subcommands),
		cmocka_unit_test(test_statement_classes),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_sqlite_fallback),
		cmocka_unit_test(test_bind_parameters),
		cmocka_unit_test(test_empty_and_odd_input),
		cmocka_unit_test(test_where_span),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
