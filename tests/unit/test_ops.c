/*
 * test_ops.c: operations read from upgrade()/downgrade(): batch aliases,
 * connections, SQL recovery, and the opaque constructs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lint/ops.h"

static void extract(migops *o, pyscan_module *m, const char *src)
{
	assert_int_equal(pyscan_source(m, src, strlen(src), NULL, NULL), 0);
	assert_int_equal(ops_extract(o, src, strlen(src), &m->upgrade, &m->downgrade, NULL, NULL), 0);
}

static const migop *nth(const migops *o, migop_kind kind, const char *name, size_t k)
{
	size_t i;
	for (i = 0; i < o->n; i++)
		if (o->v[i].kind == kind && !strcmp(o->v[i].name, name) && k-- == 0)
			return &o->v[i];
	return NULL;
}

static const char *const header = "from alembic import op\nimport sqlalchemy as sa\nrevision = 'a'\ndown_revision = None\n";

static char *with_header(const char *body)
{
	size_t n = strlen(header) + strlen(body) + 1;
	char *s = malloc(n);
	snprintf(s, n, "%s%s", header, body);
	return s;
}

static void test_ops_tables_columns_lines(void **state)
{
	char *src = with_header("def upgrade():\n"                                                         /* 5 */
				"    op.create_table('users', sa.Column('id', sa.Integer()),\n"            /* 6 */
				"                    sa.Column('email', sa.String(255)))\n"                /* 7 */
				"    op.create_index(op.f('ix_email'), 'users', ['email'], unique=True)\n" /* 8 */
				"    op.drop_column('accounts', 'legacy')\n"                               /* 9 */
				"    op.alter_column('accounts', 'name', new_column_name='full')\n"        /* 10 */
				"\n\ndef downgrade():\n    pass\n");
	migops o;
	pyscan_module m;
	const migop *x;

	(void)state;
	extract(&o, &m, src);
	x = nth(&o, MIGOP_CALL, "create_table", 0);
	assert_non_null(x);
	assert_string_equal(x->table, "users");
	assert_int_equal(x->columns.n, 2);
	assert_string_equal(x->columns.v[1], "email");
	assert_int_equal(x->line, 6);
	assert_int_equal(x->end_line, 7);
	x = nth(&o, MIGOP_CALL, "create_index", 0);
	assert_string_equal(x->table, "users");
	assert_string_equal(x->columns.v[0], "email");
	assert_int_equal(x->line, 8);
	x = nth(&o, MIGOP_CALL, "drop_column", 0);
	assert_string_equal(x->table, "accounts");
	assert_string_equal(x->columns.v[0], "legacy");
	assert_int_equal(x->col, 4);
	x = nth(&o, MIGOP_CALL, "alter_column", 0);
	assert_string_equal(x->object, "full");
	assert_int_equal(o.fn[MIGOP_UPGRADE].statements, 4);
	assert_true(o.fn[MIGOP_DOWNGRADE].present);
	assert_int_equal(o.fn[MIGOP_DOWNGRADE].statements, 0);
	migops_release(&o);
	pyscan_module_release(&m);
	free(src);
}

static void test_batch_alias_and_autocommit(void **state)
{
	char *src = with_header("def upgrade():\n"
				"    with op.batch_alter_table('users', schema='app') as b:  # a comment\n"
				"        b.drop_column('x')\n"
				"        b.alter_column('y', nullable=False)\n"
				"    b2 = 1\n"
				"    with op.get_context().autocommit_block():\n"
				"        op.create_index('ix', 't', ['a'], postgresql_concurrently=True)\n"
				"def downgrade():\n    raise NotImplementedError()\n");
	migops o;
	pyscan_module m;
	const migop *x;

	(void)state;
	extract(&o, &m, src);
	x = nth(&o, MIGOP_CALL, "drop_column", 0);
	assert_non_null(x);
	assert_true(x->batch);
	assert_string_equal(x->table, "users");
	assert_string_equal(x->schema, "app");
	assert_string_equal(x->columns.v[0], "x");
	assert_int_equal(o.v[x->batch_index].line, 6);
	assert_string_equal(nth(&o, MIGOP_CALL, "alter_column", 0)->columns.v[0], "y");
	x = nth(&o, MIGOP_CALL, "create_index", 0);
	assert_true(x->autocommit);
	assert_false(x->batch);
	assert_true(o.fn[MIGOP_DOWNGRADE].raises);
	assert_int_equal(o.fn[MIGOP_DOWNGRADE].statements, 0);
	migops_release(&o);
	pyscan_module_release(&m);
	free(src);
}

static void test_sql_recovery(void **state)
{
	char *src = with_header("def upgrade():\n"
				"    op.execute('DROP TABLE a')\n"
				"    op.execute(sa.text(\"\"\"\n        DELETE FROM b\n    \"\"\"))\n"
				"    conn = op.get_bind()\n"
				"    conn.execute(sa.text('UPDATE c SET x = 1'))\n"
				"    op.get_bind().execute(sa.text('SELECT 1')).fetchall()\n"
				"    sql = 'TRUNCATE d'\n"
				"    op.execute(sql)\n"
				"    op.execute(f'DROP TABLE {x}')\n"
				"    op.execute('DROP TABLE %s' % x)\n"
				"    t = sa.table('e', sa.column('a'))\n"
				"    op.execute(t.delete().where(t.c.a == 1))\n"
				"def downgrade():\n    pass\n");
	migops o;
	pyscan_module m;
	const migop *x;

	(void)state;
	extract(&o, &m, src);
	assert_string_equal(nth(&o, MIGOP_CALL, "execute", 0)->sql, "DROP TABLE a");
	x = nth(&o, MIGOP_CALL, "execute", 1);
	assert_string_equal(x->sql, "\n        DELETE FROM b\n    ");
	assert_int_equal(x->sql_line, 7);
	assert_string_equal(nth(&o, MIGOP_CALL, "execute", 2)->sql, "UPDATE c SET x = 1");
	assert_string_equal(nth(&o, MIGOP_CALL, "execute", 3)->sql, "SELECT 1");
	assert_string_equal(nth(&o, MIGOP_CALL, "execute", 4)->sql, "TRUNCATE d");
	assert_null(nth(&o, MIGOP_CALL, "execute", 5)->sql);
	assert_non_null(nth(&o, MIGOP_OPAQUE, "dynamic-sql", 0));
	assert_non_null(nth(&o, MIGOP_OPAQUE, "dynamic-sql", 1));
	assert_string_equal(nth(&o, MIGOP_CALL, "execute", 7)->core, "t.delete().where");
	migops_release(&o);
	pyscan_module_release(&m);
	free(src);
}

static void test_opaque_constructs(void **state)
{
	char *src = with_header("from app.data import migrate_rows\n"
				"def upgrade():\n"
				"    for t in TABLES:\n"
				"        op.drop_table(t)\n"
				"    helper(op)\n"
				"    op.bulk_insert(roles, rows)\n"
				"    def inner():\n"
				"        op.drop_table('z')\n"
				"    if op.get_context().dialect.name == 'postgresql':\n"
				"        op.drop_table('pg_only')\n"
				"    if context.is_offline_mode():\n"
				"        op.drop_table('maybe')\n"
				"    print('done')\n"
				"    rows = [{'name': 'admin'}, {'name': 'staff'}]\n"
				"    op.bulk_insert(roles, rows)\n"
				"    sa.Enum('a', 'b', name='kind').create(op.get_bind())\n"
				"    sa.MetaData().drop_all(bind=op.get_bind())\n"
				"    postgresql.ENUM('x', name='e').drop(op.get_bind(), checkfirst=True)\n"
				"    migrate_rows(op.get_bind())\n"
				"def downgrade():\n    pass\n");
	migops o;
	pyscan_module m;

	(void)state;
	extract(&o, &m, src);
	assert_non_null(nth(&o, MIGOP_OPAQUE, "loop", 0));
	assert_string_equal(nth(&o, MIGOP_OPAQUE, "loop", 0)->why,
			    "a 'for' loop over 'TABLES', whose value is computed at run time: the operations inside "
			    "run once per item, on values known only at run time");
	assert_true(nth(&o, MIGOP_CALL, "drop_table", 0)->in_loop);
	assert_non_null(nth(&o, MIGOP_OPAQUE, "helper-call", 0));
	assert_string_equal(nth(&o, MIGOP_OPAQUE, "helper-call", 0)->why,
			    "calls 'helper()', which is not defined in this file: the operations it runs cannot be "
			    "seen"); /* not print() */
	assert_non_null(nth(&o, MIGOP_OPAQUE, "computed-rows", 0));
	assert_null(nth(&o, MIGOP_OPAQUE, "computed-rows", 1)); /* rows bound to a literal list */
	assert_non_null(nth(&o, MIGOP_CALL, "create_enum", 0)); /* an enum type is seen, not opaque */
	assert_non_null(nth(&o, MIGOP_CALL, "drop_enum", 0));
	assert_string_equal(nth(&o, MIGOP_OPAQUE, "helper-call", 1)->why,
			    "calls 'sa.MetaData().drop_all()', which is not defined in this file: the operations it "
			    "runs cannot be seen");
	assert_string_equal(nth(&o, MIGOP_OPAQUE, "imported-helper", 0)->why,
			    "calls 'migrate_rows()', imported from 'app.data': the operations it runs are not in this "
			    "file");
	assert_null(nth(&o, MIGOP_OPAQUE, "helper-call", 2));
	assert_null(nth(&o, MIGOP_OPAQUE, "nested-function", 0)); /* defined, never called: does nothing */
	/* the nested def's drop_table('z') is not seen; the postgresql branch runs unconditionally */
	assert_string_equal(nth(&o, MIGOP_CALL, "drop_table", 1)->table, "pg_only");
	assert_false(nth(&o, MIGOP_CALL, "drop_table", 1)->in_cond);
	assert_string_equal(nth(&o, MIGOP_CALL, "drop_table", 2)->table, "maybe");
	assert_true(nth(&o, MIGOP_CALL, "drop_table", 2)->in_cond);
	assert_non_null(nth(&o, MIGOP_BRANCH, "dialect-branch", 0));
	migops_release(&o);
	pyscan_module_release(&m);
	free(src);
}

/* Same-file functions: followed with their literal arguments, the chain
 * named, a `pass` body doing nothing, recursion bounded. */
static void test_same_file_helpers(void **state)
{
	char *src = with_header("def _noop():\n"
				"    \"\"\"Nothing.\"\"\"\n"
				"    pass\n"
				"def _drop(table, column='legacy'):\n"
				"    op.drop_column(table, column)\n"
				"def _both(t):\n"
				"    _drop(t)\n"
				"    op.execute('DELETE FROM ' + t)\n"
				"def _again(n):\n"
				"    _again(n)\n"
				"def upgrade():\n"
				"    _noop()\n"
				"    _drop('users', column='email')\n"
				"    _both(t='orders')\n"
				"    _again(1)\n"
				"def downgrade():\n"
				"    _noop()\n");
	migops o;
	pyscan_module m;
	const migop *x;

	(void)state;
	extract(&o, &m, src);
	x = nth(&o, MIGOP_CALL, "drop_column", 0);
	assert_string_equal(x->table, "users");
	assert_string_equal(x->columns.v[0], "email");
	assert_int_equal(x->line, 9); /* the helper's line */
	assert_string_equal(x->via, "via _drop() called at line 17");
	assert_int_equal(x->call_line, 17);
	x = nth(&o, MIGOP_CALL, "drop_column", 1);
	assert_string_equal(x->table, "orders");
	assert_string_equal(x->columns.v[0], "legacy"); /* the default */
	assert_string_equal(x->via, "via _drop() called at line 11, via _both() called at line 18");
	assert_int_equal(x->call_line, 18);
	assert_string_equal(nth(&o, MIGOP_CALL, "execute", 0)->sql, "DELETE FROM orders");
	assert_non_null(nth(&o, MIGOP_OPAQUE, "recursive-helper", 0));
	assert_null(nth(&o, MIGOP_OPAQUE, "helper-call", 0));
	assert_int_equal(o.fn[MIGOP_DOWNGRADE].statements, 0); /* _noop() does nothing */
	migops_release(&o);
	pyscan_module_release(&m);
	free(src);
}

/* Loops over literal sequences (and module constants) are unrolled;
 * dialect branches are read for the dialect judged. */
static void test_literal_loops_and_dialects(void **state)
{
	char *src = with_header("TABLES = ('a', 'b')\n"
				"PAIRS = {'c': 'x', 'd': 'y'}\n"
				"def is_sqlite():\n"
				"    bind = op.get_bind()\n"
				"    return bind.dialect.name == 'sqlite'\n"
				"def upgrade():\n"
				"    for t in TABLES:\n"
				"        op.create_index(f'ix_{t}_x', t, ['x'])\n"
				"    for t, c in PAIRS.items():\n"
				"        op.execute('UPDATE %s SET %s = 0' % (t, c))\n"
				"    names = []\n"
				"    names.append('e')\n"
				"    for t in names:\n"
				"        op.drop_table(t)\n"
				"    if is_sqlite():\n"
				"        op.execute('PRAGMA foreign_keys=OFF')\n"
				"    elif str(op.get_bind().engine.url).startswith('mysql'):\n"
				"        op.execute('ALTER TABLE t MODIFY x INT')\n"
				"    else:\n"
				"        op.drop_table('pg')\n"
				"    for row in op.get_bind().execute(sa.text('SELECT name FROM f')):\n"
				"        op.drop_table(row.name)\n"
				"    for row in op.get_bind().execute(sa.text('SELECT id FROM g')):\n"
				"        op.execute(sa.text('DELETE FROM g WHERE id = :id').bindparams(id=row.id))\n"
				"def downgrade():\n    pass\n");
	migops o;
	pyscan_module m;

	(void)state;
	extract(&o, &m, src);
	assert_string_equal(nth(&o, MIGOP_CALL, "create_index", 0)->table, "a");
	assert_string_equal(nth(&o, MIGOP_CALL, "create_index", 1)->table, "b");
	assert_string_equal(nth(&o, MIGOP_CALL, "create_index", 1)->object, "ix_b_x");
	assert_false(nth(&o, MIGOP_CALL, "create_index", 1)->in_loop);
	assert_string_equal(nth(&o, MIGOP_CALL, "execute", 0)->sql, "UPDATE c SET x = 0");
	assert_string_equal(nth(&o, MIGOP_CALL, "execute", 1)->sql, "UPDATE d SET y = 0");
	assert_string_equal(nth(&o, MIGOP_CALL, "drop_table", 0)->table, "e");
	assert_string_equal(nth(&o, MIGOP_CALL, "drop_table", 1)->table, "pg"); /* only the else branch */
	assert_false(nth(&o, MIGOP_CALL, "drop_table", 1)->in_cond);
	/* the sqlite and mysql branches were not read: the next execute is the loop's DELETE */
	assert_string_equal(nth(&o, MIGOP_CALL, "execute", 2)->sql, "DELETE FROM g WHERE id = :id");
	assert_true(nth(&o, MIGOP_CALL, "execute", 2)->in_loop);
	assert_null(nth(&o, MIGOP_CALL, "execute", 3));
	assert_non_null(nth(&o, MIGOP_OPAQUE, "loop", 0));
	assert_null(nth(&o, MIGOP_OPAQUE, "loop", 1)); /* rows deleted one by one, by visible SQL: seen */
	assert_non_null(strstr(nth(&o, MIGOP_OPAQUE, "loop", 0)->why, "the rows of a query"));
	migops_release(&o);
	pyscan_module_release(&m);
	free(src);
}

/* Adversarial code is bounded: a helper that calls itself in a condition,
 * and loops whose unrolling would never end. What is not read is opaque,
 * never silently dropped. */
static void test_work_is_bounded(void **state)
{
	char *src = with_header("L = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,"
				"     20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39]\n"
				"def f():\n"
				"    return f()\n"
				"def upgrade():\n"
				"    if f():\n"
				"        op.drop_table('maybe')\n"
				"    for a in L:\n"
				"        for b in L:\n"
				"            for c in L:\n"
				"                x = a\n"
				"    op.drop_table('users')\n"
				"def downgrade():\n    pass\n");
	migops o;
	pyscan_module m;

	(void)state;
	extract(&o, &m, src);
	assert_true(nth(&o, MIGOP_CALL, "drop_table", 0)->in_cond); /* f() is not known */
	assert_non_null(nth(&o, MIGOP_OPAQUE, "too-much-work", 0));
	assert_null(nth(&o, MIGOP_CALL, "drop_table", 1)); /* not read, and said so */
	migops_release(&o);
	pyscan_module_release(&m);
	free(src);
}

static void test_absent_functions_and_garbage(void **state)
{
	static const char *const srcs[] = {
		"revision = 'a'\n",
		"def upgrade(:\n  op.drop_table(\n",
		"def upgrade(): op.drop_table('t'); op.drop_table('u')\n",
		"def upgrade() -> None:\n\tif x:\n\t\top.drop_table('t')\n\telse:\n\t\tpass\n",
		"def upgrade():\n    with (op.batch_alter_table('t') as b, open('f') as g):\n        b.drop_column('c')\n",
		NULL,
	};
	size_t i;

	(void)state;
	for (i = 0; srcs[i]; i++) {
		migops o;
		pyscan_module m;
		extract(&o, &m, srcs[i]);
		if (i == 2)
			assert_non_null(nth(&o, MIGOP_CALL, "drop_table", 1));
		if (i == 3)
			assert_true(nth(&o, MIGOP_CALL, "drop_table", 0)->in_cond);
		if (i == 4)
			assert_string_equal(nth(&o, MIGOP_CALL, "drop_column", 0)->table, "t");
		migops_release(&o);
		pyscan_module_release(&m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ops_tables_columns_lines),
		cmocka_unit_test(test_batch_alias_and_autocommit),
		cmocka_unit_test(test_sql_recovery),
		cmocka_unit_test(test_opaque_constructs),
		cmocka_unit_test(test_same_file_helpers),
		cmocka_unit_test(test_literal_loops_and_dialects),
		cmocka_unit_test(test_work_is_bounded),
		cmocka_unit_test(test_absent_functions_and_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
