/*
 * test_pyexpr.c: Python expressions as literal trees: calls with keyword
 * arguments, nested constructors, string joining, and what stays opaque.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "python/pyexpr.h"

/* Parse `src` as one expression, names resolved by `resolve` (may be NULL). */
static pyx *parse_resolved(const char *src, pyx_resolve_fn resolve)
{
	pytok_state st;
	pytok toks[512];
	size_t n = 0;
	pyx *x = NULL;

	pytok_init(&st, src, strlen(src));
	while (n < 512 && pytok_next(&st, &toks[n]) == 0 && toks[n].type != PYTOK_ENDMARKER)
		n++;
	assert_int_equal(pyx_parse_with(&x, toks, n, 0, resolve, NULL, NULL), 0);
	assert_non_null(x);
	return x;
}

static pyx *parse(const char *src)
{
	return parse_resolved(src, NULL);
}

static void test_call_with_nested_constructors(void **state)
{
	pyx *x = parse("op.add_column('t', sa.Column('x', sa.String(50), nullable=False, server_default='a'))");
	const pyx *col, *type;

	(void)state;
	assert_int_equal(x->kind, PYX_CALL);
	assert_string_equal(x->text, "op.add_column");
	assert_string_equal(pyx_arg(x, 0, NULL)->text, "t");
	col = pyx_arg(x, 1, "column");
	assert_int_equal(col->kind, PYX_CALL);
	assert_string_equal(pyx_basename(col), "Column");
	type = pyx_arg(col, 1, NULL);
	assert_string_equal(type->text, "sa.String");
	assert_string_equal(pyx_arg(type, 0, "length")->text, "50");
	assert_true(pyx_is_false(pyx_arg(col, -1, "nullable")));
	assert_string_equal(pyx_arg(col, -1, "server_default")->text, "a");
	assert_null(pyx_arg(col, -1, "primary_key"));
	pyx_free(x);
}

static void test_literals(void **state)
{
	pyx *x = parse("f(None, True, -5, [1, 'a'], ('b',), {'k': 'v'}, type_=sa.BigInteger())");

	(void)state;
	assert_int_equal(pyx_arg(x, 0, NULL)->kind, PYX_NONE);
	assert_true(pyx_is_true(pyx_arg(x, 1, NULL)));
	assert_string_equal(pyx_arg(x, 2, NULL)->text, "-5");
	assert_int_equal(pyx_arg(x, 3, NULL)->kind, PYX_LIST);
	assert_int_equal(pyx_arg(x, 3, NULL)->n, 2);
	assert_int_equal(pyx_arg(x, 4, NULL)->kind, PYX_TUPLE);
	assert_int_equal(pyx_arg(x, 5, NULL)->kind, PYX_DICT);
	assert_int_equal(pyx_arg(x, 5, NULL)->n, 2);
	assert_string_equal(pyx_arg(x, -1, "type_")->text, "sa.BigInteger");
	pyx_free(x);
}

static void test_strings_join_and_dynamic(void **state)
{
	pyx *x = parse("('ALTER TABLE t ' \"DROP COLUMN c\")");
	(void)state;
	assert_true(pyx_is_literal_str(x));
	assert_string_equal(x->text, "ALTER TABLE t DROP COLUMN c");
	pyx_free(x);

	x = parse("'a' + 'b'");
	assert_true(pyx_is_literal_str(x));
	assert_string_equal(x->text, "ab");
	pyx_free(x);

	x = parse("f'DROP TABLE {name}'");
	assert_int_equal(x->kind, PYX_STR);
	assert_false(pyx_is_literal_str(x));
	pyx_free(x);

	x = parse("'DELETE FROM %s' % table");
	assert_false(pyx_is_literal_str(x));
	pyx_free(x);

	x = parse("'DELETE FROM {}'.format(table)");
	assert_int_equal(x->kind, PYX_STR);
	assert_false(pyx_is_literal_str(x));
	pyx_free(x);

	x = parse("'''\n  UPDATE t\n  SET a = 1\n'''");
	assert_string_equal(x->text, "\n  UPDATE t\n  SET a = 1\n");
	pyx_free(x);
}

/* Each joined literal remembers its line; newlines count only in triple quotes. */
static void test_string_pieces_map_lines(void **state)
{
	pyx *x = parse("(\"SELECT 1;\\n\"\n \"SELEC 2\"\n '''\nA\nB''')");
	const char *t;

	(void)state;
	assert_int_equal(x->kind, PYX_STR);
	t = x->text;
	assert_string_equal(t, "SELECT 1;\nSELEC 2\nA\nB");
	assert_int_equal(x->npieces, 3);
	assert_int_equal(pyx_line_at(x->pieces, x->npieces, t, 0), 1);
	assert_int_equal(pyx_line_at(x->pieces, x->npieces, t, 9), 1); /* the escaped newline is not a line break */
	assert_int_equal(pyx_line_at(x->pieces, x->npieces, t, 10), 2);
	assert_int_equal(pyx_line_at(x->pieces, x->npieces, t, (size_t)(strchr(t, 'A') - t)), 4);
	assert_int_equal(pyx_line_at(x->pieces, x->npieces, t, (size_t)(strchr(t, 'B') - t)), 5);
	pyx_free(x);
}

static void test_method_chains_keep_receivers(void **state)
{
	pyx *x = parse("op.get_bind().execute(sa.text('SELECT 1')).scalar()");
	(void)state;
	assert_int_equal(x->kind, PYX_CALL);
	assert_string_equal(pyx_basename(x), "scalar");
	assert_non_null(x->recv);
	assert_string_equal(x->recv->text, "op.get_bind().execute");
	assert_string_equal(pyx_arg(pyx_arg(x->recv, 0, NULL), 0, NULL)->text, "SELECT 1");
	pyx_free(x);

	x = parse("t.update().where(t.c.id == 1).values(a=2)");
	assert_string_equal(x->text, "t.update().where().values");
	pyx_free(x);
}

static void test_opaque_expressions(void **state)
{
	static const char *const srcs[] = { "[x for x in y]", "a if b else c", "lambda: 1", "x[0]", "a * b",
					    "a < b < c", "{1, 2}", "(x for x in y)", NULL };
	size_t i;

	(void)state;
	for (i = 0; srcs[i]; i++) {
		pyx *x = parse(srcs[i]);
		assert_int_equal(x->kind, PYX_OTHER);
		pyx_free(x);
	}
}

/* Names the caller knows: t = "users", n = 3, d = {"a": "x", "b": "y"},
 * seq = ["p", "q"]. */
static pyx *known(void *ctx, const char *name)
{
	const char *src = !strcmp(name, "t") ? "'users'" : !strcmp(name, "n") ? "3"
						   : !strcmp(name, "d")       ? "{'a': 'x', 'b': 'y'}"
						   : !strcmp(name, "seq")     ? "['p', 'q']"
									      : NULL;

	(void)ctx;
	return src ? parse(src) : NULL;
}

static pyx *parse_known(const char *src)
{
	return parse_resolved(src, known);
}

static void test_known_names_make_literals(void **state)
{
	static const char *const cases[][2] = {
		{ "'DELETE FROM ' + t", "DELETE FROM users" },
		{ "f'DROP TABLE {t}'", "DROP TABLE users" },
		{ "f\"UPDATE {t} SET a = {n}, b = {t!r} -- {{x}}\"", "UPDATE users SET a = 3, b = 'users' -- {x}" },
		{ "'UPDATE %s SET a = %d' % (t, n)", "UPDATE users SET a = 3" },
		{ "'DROP TABLE %s' % t", "DROP TABLE users" },
		{ "'%(a)s.%(b)s' % d", "x.y" },
		{ "'DROP TABLE {}; -- {0} {x}'.format(t, x='z')", "DROP TABLE users; -- users z" },
		{ "', '.join(seq)", "p, q" },
		{ "'a-b'.replace('-', t)", "ausersb" },
		{ "d['b']", "y" },
		{ "seq[-1]", "q" },
		{ NULL, NULL },
	};
	static const char *const dynamic[] = { "f'{t.upper()}'", "f'{other}'", "'%s' % other", "'{:>5}'.format(t)",
					       "', '.join(other)", "f'{t:>5}'", NULL };
	size_t i;
	pyx *x;

	(void)state;
	for (i = 0; cases[i][0]; i++) {
		x = parse_known(cases[i][0]);
		assert_int_equal(x->kind, PYX_STR);
		assert_true(pyx_is_literal_str(x));
		assert_string_equal(x->text, cases[i][1]);
		pyx_free(x);
	}
	for (i = 0; dynamic[i]; i++) {
		x = parse_known(dynamic[i]);
		assert_int_equal(x->kind, PYX_STR);
		assert_false(pyx_is_literal_str(x));
		pyx_free(x);
	}
	x = parse_known("d.items()");
	assert_int_equal(x->kind, PYX_LIST);
	assert_int_equal(x->n, 2);
	assert_int_equal(x->items[1]->kind, PYX_TUPLE);
	assert_string_equal(x->items[1]->items[1]->text, "y");
	pyx_free(x);
	x = parse("f'DROP TABLE {t}'"); /* no resolver: unknown */
	assert_false(pyx_is_literal_str(x));
	pyx_free(x);
}

static void test_conditions_keep_structure(void **state)
{
	pyx *x = parse("not bind.dialect.name in ('sqlite', 'mysql') and x or y");

	(void)state;
	assert_int_equal(x->kind, PYX_BOOLOP);
	assert_string_equal(x->text, "or");
	assert_int_equal(x->items[0]->kind, PYX_BOOLOP);
	assert_string_equal(x->items[0]->text, "and");
	assert_int_equal(x->items[0]->items[0]->kind, PYX_NOT);
	assert_int_equal(x->items[0]->items[0]->items[0]->kind, PYX_COMPARE);
	assert_string_equal(x->items[0]->items[0]->items[0]->text, "in");
	pyx_free(x);
	x = parse("a.dialect.name not in ['x']");
	assert_int_equal(x->kind, PYX_COMPARE);
	assert_string_equal(x->text, "not in");
	assert_string_equal(x->items[0]->text, "a.dialect.name");
	assert_int_equal(x->items[1]->kind, PYX_LIST);
	pyx_free(x);
	x = parse("x is not None");
	assert_string_equal(x->text, "is not");
	pyx_free(x);
}

static void test_malformed_input_never_crashes(void **state)
{
	static const char *const srcs[] = { "f(", "f(a=)", "f(**)", "((((", "op.x(,,,)", "[1, 2", "{'a': }", "- - - -",
					    ")", ".", NULL };
	size_t i;

	(void)state;
	for (i = 0; srcs[i]; i++) {
		pytok_state st;
		pytok toks[64];
		size_t n = 0;
		pyx *x = NULL;
		pytok_init(&st, srcs[i], strlen(srcs[i]));
		while (n < 64 && pytok_next(&st, &toks[n]) == 0 && toks[n].type != PYTOK_ENDMARKER)
			n++;
		assert_int_equal(pyx_parse(&x, toks, n, 0, NULL), 0);
		pyx_free(x);
	}
}

static void test_deep_nesting_is_bounded(void **state)
{
	char src[4000];
	size_t i, n = 0;
	pyx *x;

	(void)state;
	for (i = 0; i < 150; i++)
		src[n++] = '-';
	src[n++] = '1';
	src[n] = 0;
	x = parse(src);
	assert_non_null(x);
	pyx_free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_call_with_nested_constructors),
		cmocka_unit_test(test_literals),
		cmocka_unit_test(test_strings_join_and_dynamic),
		cmocka_unit_test(test_string_pieces_map_lines),
		cmocka_unit_test(test_method_chains_keep_receivers),
		cmocka_unit_test(test_opaque_expressions),
		cmocka_unit_test(test_known_names_make_literals),
		cmocka_unit_test(test_conditions_keep_structure),
		cmocka_unit_test(test_malformed_input_never_crashes),
		cmocka_unit_test(test_deep_nesting_is_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
