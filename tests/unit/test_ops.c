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
	assert_int_equal(ops_extract(o, src, strlen(src), &m->upgrade, &m->downgrade, NULL), 0);
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
	char *src = with_header("def upgrade():\n"
				"    for t in TABLES:\n"
				"        op.drop_table(t)\n"
				"    helper(op)\n"
				"    op.bulk_insert(roles, rows)\n"
				"    def inner():\n"
				"        op.drop_table('z')\n"
				"    if op.get_context().dialect.name == 'postgresql':\n"
				"        op.drop_table('pg_only')\n"
				"    print('done')\n"
				"    rows = [{'name': 'admin'}, {'name': 'staff'}]\n"
				"    op.bulk_insert(roles, rows)\n"
				"    sa.Enum('a', 'b', name='kind').create(op.get_bind())\n"
				"    sa.MetaData().drop_all(bind=op.get_bind())\n"
				"    postgresql.ENUM('x', name='e').drop(op.get_bind(), checkfirst=True)\n"
				"def downgrade():\n    pass\n");
	migops o;
	pyscan_module m;

	(void)state;
	extract(&o, &m, src);
	assert_non_null(nth(&o, MIGOP_OPAQUE, "loop", 0));
	assert_true(nth(&o, MIGOP_CALL, "drop_table", 0)->in_loop);
	assert_non_null(nth(&o, MIGOP_OPAQUE, "helper-call", 0));
	assert_string_equal(nth(&o, MIGOP_OPAQUE, "helper-call", 0)->why,
			    "calls 'helper()': the operations it runs cannot be seen"); /* not print() */
	assert_non_null(nth(&o, MIGOP_OPAQUE, "computed-rows", 0));
	assert_null(nth(&o, MIGOP_OPAQUE, "computed-rows", 1)); /* rows bound to a literal list */
	assert_non_null(nth(&o, MIGOP_CALL, "create_enum", 0)); /* an enum type is seen, not opaque */
	assert_non_null(nth(&o, MIGOP_CALL, "drop_enum", 0));
	assert_string_equal(nth(&o, MIGOP_OPAQUE, "helper-call", 1)->why,
			    "calls 'sa.MetaData().drop_all()': the operations it runs cannot be seen");
	assert_null(nth(&o, MIGOP_OPAQUE, "helper-call", 2));
	assert_non_null(nth(&o, MIGOP_OPAQUE, "nested-function", 0));
	assert_true(nth(&o, MIGOP_CALL, "drop_table", 2)->in_cond);
	assert_string_equal(nth(&o, MIGOP_CALL, "drop_table", 2)->table, "pg_only");
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
		cmocka_unit_test(test_absent_functions_and_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
