/*
 * test_pg_deparse.c: key and index definitions written in the server's words.
 * The texts expected here are what PostgreSQL 15's pg_get_indexdef and
 * pg_get_constraintdef print for the same objects (tests/pg/test_snapshot.py
 * compares every definition with a live server's); these cases pin the
 * quoting rule and the refusals, which a server cannot be asked about.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "db/pg_deparse.h"

/* a table of five columns; 3 was dropped */
static const char *column(const void *ctx, long attnum)
{
	static const char *const names[] = { NULL, "id", "Email", NULL, "select", "note" };

	(void)ctx;
	return attnum > 0 && attnum < 6 ? names[attnum] : NULL;
}

static const char *const keywords[] = { "all", "between", "left", "order", "select", "user" }; /* sorted */
static const pg_deparse_quoting quoting = { (const char **)keywords, 6, 0 };
static const pg_deparse_table table = { column, NULL };

static void ident_is(const pg_deparse_quoting *q, const char *name, const char *want)
{
	buf b = BUF_INIT;

	pg_deparse_ident(&b, q, name);
	assert_string_equal(b.ptr, want);
	buf_release(&b);
}

static void test_ident(void **state)
{
	pg_deparse_quoting all = quoting;

	(void)state;
	ident_is(&quoting, "plain_name1", "plain_name1");
	ident_is(&quoting, "_x", "_x");
	ident_is(&quoting, "1abc", "\"1abc\"");
	ident_is(&quoting, "Email", "\"Email\"");
	ident_is(&quoting, "a b", "\"a b\"");
	ident_is(&quoting, "say \"hi\"", "\"say \"\"hi\"\"\"");
	ident_is(&quoting, "caf\xc3\xa9", "\"caf\xc3\xa9\"");
	ident_is(&quoting, "select", "\"select\"");
	ident_is(&quoting, "selected", "selected");
	ident_is(&quoting, "name", "name"); /* an unreserved keyword is not in the list */
	all.quote_all = 1;
	ident_is(&all, "plain", "\"plain\"");
}

static void index_is(const pg_deparse_index *ix, const char *want)
{
	buf b = BUF_INIT;

	buf_puts(&b, "kept|");
	if (!want) {
		assert_int_equal(pg_deparse_index_write(&b, ix, &table, &quoting), -1);
		assert_string_equal(b.ptr, "kept|");
	} else {
		assert_int_equal(pg_deparse_index_write(&b, ix, &table, &quoting), 0);
		assert_string_equal(b.ptr + 5, want);
	}
	buf_release(&b);
}

static void test_index(void **state)
{
	pg_deparse_index ix = { "ix_a", "public", "user", "btree", 0, 1, "2", "0", 1 };

	(void)state;
	index_is(&ix, "CREATE INDEX ix_a ON public.\"user\" USING btree (\"Email\")");
	ix.unique = 1;
	ix.name = "Ux";
	ix.indkey = "1 4 5 2";
	ix.indoption = "3 0 2";
	ix.nkey = 3;
	index_is(&ix, "CREATE UNIQUE INDEX \"Ux\" ON public.\"user\" USING btree (id DESC, \"select\", note NULLS FIRST) "
		      "INCLUDE (\"Email\")");
	ix.indoption = "1 0 0";
	index_is(&ix, "CREATE UNIQUE INDEX \"Ux\" ON public.\"user\" USING btree (id DESC NULLS LAST, \"select\", note) "
		      "INCLUDE (\"Email\")");
	ix.method = "hash"; /* no order: the options are not words */
	ix.can_order = 0;
	ix.indkey = "5";
	ix.nkey = 1;
	index_is(&ix, "CREATE UNIQUE INDEX \"Ux\" ON public.\"user\" USING hash (note)");
	ix.indkey = "1 3"; /* a dropped column: the server's words are needed */
	index_is(&ix, NULL);
}

static void key_is(const pg_deparse_key *k, const char *want)
{
	buf b = BUF_INIT;

	if (!want) {
		assert_int_equal(pg_deparse_key_write(&b, k, &table, &table, &quoting), -1);
		assert_int_equal(b.len, 0);
	} else {
		assert_int_equal(pg_deparse_key_write(&b, k, &table, &table, &quoting), 0);
		assert_string_equal(b.ptr, want);
	}
	buf_release(&b);
}

static void test_keys(void **state)
{
	pg_deparse_key k;

	(void)state;
	memset(&k, 0, sizeof(k));
	k.kind = PG_DEPARSE_PRIMARY;
	k.conkey = "{1}";
	k.indkey = "1";
	k.validated = 1;
	key_is(&k, "PRIMARY KEY (id)");
	k.kind = PG_DEPARSE_UNIQUE;
	k.conkey = "{2,4}";
	k.indkey = "2 4 5";
	k.deferrable = k.deferred = 1;
	key_is(&k, "UNIQUE (\"Email\", \"select\") INCLUDE (note) DEFERRABLE INITIALLY DEFERRED");
	k.indkey = NULL; /* the index was not found: no INCLUDE can be known */
	k.deferrable = k.deferred = 0;
	key_is(&k, "UNIQUE (\"Email\", \"select\")");

	memset(&k, 0, sizeof(k));
	k.kind = PG_DEPARSE_FOREIGN;
	k.conkey = "{2}";
	k.confkey = "{1}";
	k.ref_table = "user";
	k.match = 's';
	k.on_update = k.on_delete = 'a';
	k.validated = 1;
	key_is(&k, "FOREIGN KEY (\"Email\") REFERENCES \"user\"(id)");
	k.ref_schema = "Other";
	k.match = 'f';
	k.on_update = 'n';
	k.on_delete = 'c';
	k.validated = 0;
	key_is(&k, "FOREIGN KEY (\"Email\") REFERENCES \"Other\".\"user\"(id) MATCH FULL ON UPDATE SET NULL "
		   "ON DELETE CASCADE NOT VALID");
	k.on_delete = 'z'; /* an action this version does not know */
	key_is(&k, NULL);
	k.on_delete = 'd';
	k.confkey = "{3}"; /* a dropped column */
	key_is(&k, NULL);
	k.kind = 'c'; /* a check is always the server's */
	key_is(&k, NULL);
}

static void test_expression_index(void **state)
{
	pg_deparse_index ix = { "ix_e", "app", "t", "btree", 0, 1, "0 1", "3 0", 2 };

	(void)state;
	index_is(&ix, NULL); /* an expression (0) is the server's to write */
}

static void test_numbers(void **state)
{
	const char *p = "{1,-2, 30}";
	long v;

	(void)state;
	assert_true(pg_deparse_next_number(&p, &v) && v == 1);
	assert_true(pg_deparse_next_number(&p, &v) && v == -2);
	assert_true(pg_deparse_next_number(&p, &v) && v == 30);
	assert_false(pg_deparse_next_number(&p, &v));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ident),
		cmocka_unit_test(test_index),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_expression_index),
		cmocka_unit_test(test_numbers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
