/*
 * test_lint.c: the engine over the shipped catalogue: context carried
 * between revisions, suppressions, strict mode, dialects and versions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "alembic/config.h"
#include "lint/lint.h"
#include "python/pyscan.h"

static ruleset catalogue;

static int setup(void **state)
{
	mg_error err = MG_ERROR_INIT;
	(void)state;
	memset(&catalogue, 0, sizeof(catalogue));
	return ruleset_load_dir(&catalogue, MGATE_SOURCE_DIR "/rules", &err);
}

static int teardown(void **state)
{
	(void)state;
	ruleset_release(&catalogue);
	return 0;
}

static void run(lint_ctx *ctx, findings *f, const char *src)
{
	pyscan_module m;
	mg_error err = MG_ERROR_INIT;

	assert_int_equal(pyscan_source(&m, src, strlen(src), NULL, &err), 0);
	assert_int_equal(lint_source(ctx, f, "rev.py", "r1", src, strlen(src), &m.upgrade, &m.downgrade, &err), 0);
	pyscan_module_release(&m);
}

/* The active (unsuppressed) finding of `rule`, or NULL. */
static const finding *active(const findings *f, const char *rule)
{
	size_t i;
	for (i = 0; i < f->n; i++)
		if (!strcmp(f->v[i].id, rule) && !f->v[i].suppressed)
			return &f->v[i];
	return NULL;
}

static const finding *any(const findings *f, const char *rule)
{
	size_t i;
	for (i = 0; i < f->n; i++)
		if (!strcmp(f->v[i].id, rule))
			return &f->v[i];
	return NULL;
}

#define REV(body, down) "from alembic import op\nimport sqlalchemy as sa\nrevision = 'r1'\ndown_revision = None\n" \
			"def upgrade():\n" body "def downgrade():\n" down

/* `accept` lines of [mgate]: a matching one suppresses with its reason; one
 * whose revision was judged and matched nothing is unused-acceptance; one
 * for a revision not judged says nothing. */
static void test_config_acceptances(void **state)
{
	config_accept acc[] = {
		{ "r1", "drop-column", "never written since r0", 12 },
		{ "r1", "drop-table", "stale", 13 },
		{ "zz99", "drop-column", "another revision", 14 },
	};
	lint_opts o = { .rules = &catalogue, .dialect = SQL_POSTGRESQL, .pg_version = 15, .accepts = acc, .naccepts = 3, .ini_path = "alembic.ini" };
	lint_ctx ctx;
	findings f = FINDINGS_INIT;
	const finding *x;

	(void)state;
	lint_init(&ctx, &o);
	run(&ctx, &f, REV("    op.drop_column('users', 'email')\n", "    op.add_column('users', sa.Column('email', sa.Text()))\n"));
	lint_finish(&ctx, &f);
	x = any(&f, "drop-column");
	assert_non_null(x);
	assert_string_equal(x->suppressed, "accepted in alembic.ini line 12: never written since r0");
	x = active(&f, "unused-acceptance");
	assert_non_null(x);
	assert_int_equal(x->line, 13);
	assert_string_equal(x->path, "alembic.ini");
	assert_non_null(strstr(x->message, "'r1:drop-table'"));
	assert_int_equal(x->severity, SEV_WARNING);
	x = NULL;
	for (size_t i = 0; i < f.n; i++)
		if (!strcmp(f.v[i].id, "unused-acceptance") && f.v[i].line == 14)
			x = &f.v[i];
	assert_null(x); /* zz99 was not judged */
	findings_release(&f);
	lint_release(&ctx);
}

static void test_finding_fields(void **state)
{
	lint_opts o = { .rules = &catalogue, .dialect = SQL_POSTGRESQL, .pg_version = 15 };
	lint_ctx ctx;
	findings f = FINDINGS_INIT;
	const finding *x;

	(void)state;
	lint_init(&ctx, &o);
	run(&ctx, &f, REV("    op.drop_column('users', 'email')\n", "    op.add_column('users', sa.Column('email', sa.Text()))\n"));
	x = active(&f, "drop-column");
	assert_non_null(x);
	assert_int_equal(x->severity, SEV_ERROR);
	assert_int_equal(x->line, 6);
	assert_int_equal(x->col, 4);
	assert_string_equal(x->path, "rev.py");
	assert_string_equal(x->revision, "r1");
	assert_string_equal(x->message, "drops column 'email' of table 'users': its data is deleted");
	assert_string_equal(x->source, "    op.drop_column('users', 'email')");
	assert_non_null(x->why);
	assert_non_null(x->fix);
	assert_null(active(&f, "missing-downgrade"));
	assert_int_equal(ctx.revisions, 1);
	assert_int_equal(ctx.operations, 2);
	findings_release(&f);
	lint_release(&ctx);
}

/* A NOT VALID check validated in one revision makes SET NOT NULL in a later one cheap. */
static void test_context_across_revisions(void **state)
{
	lint_opts o = { .rules = &catalogue, .dialect = SQL_POSTGRESQL, .pg_version = 15 };
	lint_ctx ctx;
	findings f = FINDINGS_INIT;

	(void)state;
	lint_init(&ctx, &o);
	run(&ctx, &f, REV("    op.execute('ALTER TABLE users ADD CONSTRAINT nn CHECK (email IS NOT NULL) NOT VALID')\n", "    op.execute('ALTER TABLE users DROP CONSTRAINT nn')\n"));
	run(&ctx, &f, REV("    op.alter_column('users', 'email', nullable=False)\n", "    op.alter_column('users', 'email', nullable=True)\n"));
	assert_non_null(active(&f, "set-not-null")); /* not validated yet */
	findings_release(&f);
	run(&ctx, &f, REV("    op.execute('ALTER TABLE users VALIDATE CONSTRAINT nn')\n", "    pass\n"));
	run(&ctx, &f, REV("    op.alter_column('users', 'email', nullable=False)\n", "    op.alter_column('users', 'email', nullable=True)\n"));
	assert_null(active(&f, "set-not-null"));
	findings_release(&f);
	lint_release(&ctx);
}

/* The tables the upgrades touch: each once, first seen first, however
 * many revisions touch them again. */
static void test_tables_touched(void **state)
{
	lint_opts o = { .rules = &catalogue, .dialect = SQL_POSTGRESQL, .pg_version = 15 };
	lint_ctx ctx;
	findings f = FINDINGS_INIT;
	int i;

	(void)state;
	lint_init(&ctx, &o);
	for (i = 0; i < 3; i++) {
		run(&ctx, &f, REV("    op.add_column('users', sa.Column('a', sa.Text()))\n"
				  "    op.create_index('ix', 'orders', ['a'])\n",
				  "    op.drop_column('audit', 'a')\n"));
		run(&ctx, &f, REV("    op.drop_column('orders', 'b')\n    op.drop_column('users', 'b')\n", "    pass\n"));
	}
	assert_int_equal(ctx.tables.n, 2);
	assert_string_equal(ctx.tables.v[0], "users");
	assert_string_equal(ctx.tables.v[1], "orders");
	findings_release(&f);
	lint_release(&ctx);
}

static void test_suppressions(void **state)
{
	lint_opts o = { .rules = &catalogue, .dialect = SQL_POSTGRESQL, .pg_version = 15 };
	lint_ctx ctx;
	findings f = FINDINGS_INIT;
	const finding *x;

	(void)state;
	lint_init(&ctx, &o);
	run(&ctx, &f, REV("    # mgate: allow drop-table -- archived in OPS-1\n"
			  "    # (second comment line)\n"
			  "    op.drop_table(\n        'a'\n    )\n"
			  "    op.drop_table('b')  # mgate: allow drop-table\n"
			  "    op.drop_table('c')  # mgate: allow drop-column, drop-table -- both fine\n",
			  "    pass  # mgate: allow missing-downgrade -- nothing to restore\n"));
	x = any(&f, "drop-table");
	assert_non_null(x);
	assert_string_equal(x->suppressed, "archived in OPS-1");
	assert_non_null(active(&f, "drop-table")); /* 'b': no reason, not suppressed */
	assert_int_equal(active(&f, "drop-table")->line, 11);
	assert_non_null(active(&f, "suppression-without-reason"));
	assert_int_equal(active(&f, "unused-suppression")->line, 12); /* drop-column matched nothing */
	assert_null(active(&f, "missing-downgrade"));
	assert_non_null(any(&f, "missing-downgrade")->suppressed);
	findings_release(&f);
	lint_release(&ctx);
}

static void test_strict_dialect_version(void **state)
{
	lint_opts o = { .rules = &catalogue, .dialect = SQL_POSTGRESQL, .pg_version = 15 };
	lint_ctx ctx;
	findings f = FINDINGS_INIT;
	const char *src = REV("    op.create_index('ix', 'users', ['a'])\n"
			      "    op.add_column('users', sa.Column('p', sa.Text(), server_default='x'))\n",
			      "    op.drop_index('ix', table_name='users')\n    op.drop_column('users', 'p')\n");

	(void)state;
	lint_init(&ctx, &o);
	run(&ctx, &f, src);
	assert_int_equal(active(&f, "create-index-not-concurrently")->severity, SEV_WARNING);
	assert_null(active(&f, "add-column-volatile-default"));
	findings_release(&f);
	lint_release(&ctx);

	o.strict = 1;
	o.pg_version = 10;
	lint_init(&ctx, &o);
	run(&ctx, &f, src);
	assert_int_equal(active(&f, "create-index-not-concurrently")->severity, SEV_ERROR);
	assert_non_null(active(&f, "add-column-volatile-default"));
	findings_release(&f);
	lint_release(&ctx);

	o.dialect = SQL_SQLITE;
	lint_init(&ctx, &o);
	run(&ctx, &f, src);
	assert_null(active(&f, "create-index-not-concurrently"));
	assert_null(active(&f, "add-column-volatile-default"));
	findings_release(&f);
	lint_release(&ctx);
}

/* Old Mac line endings: lines and suppressions follow the tokenizer's rule. */
static void test_cr_line_endings(void **state)
{
	lint_opts o = { .rules = &catalogue, .dialect = SQL_POSTGRESQL, .pg_version = 15 };
	lint_ctx ctx;
	findings f = FINDINGS_INIT;

	(void)state;
	lint_init(&ctx, &o);
	run(&ctx, &f, "from alembic import op\rrevision = 'r1'\rdown_revision = None\rdef upgrade():\r"
		      "    # mgate: allow drop-table -- fine\r    op.drop_table('a')\r    op.drop_table('b')\r"
		      "def downgrade():\r    op.execute('SELECT 1')\r");
	assert_non_null(any(&f, "drop-table")->suppressed);
	assert_int_equal(active(&f, "drop-table")->line, 7);
	assert_string_equal(active(&f, "drop-table")->source, "    op.drop_table('b')");
	findings_release(&f);
	lint_release(&ctx);
}

static void test_unreadable_and_empty(void **state)
{
	lint_opts o = { .rules = &catalogue, .dialect = SQL_POSTGRESQL, .pg_version = 15 };
	lint_ctx ctx;
	findings f = FINDINGS_INIT;
	script s;
	mg_error err = MG_ERROR_INIT;

	(void)state;
	lint_init(&ctx, &o);
	memset(&s, 0, sizeof(s));
	s.path = "/nonexistent/mgate/rev.py";
	s.revision = "x";
	assert_int_equal(lint_script(&ctx, &f, &s, &err), MG_EENV);
	assert_non_null(strstr(err.msg, "/nonexistent/mgate/rev.py"));
	run(&ctx, &f, "");
	run(&ctx, &f, "def upgrade(:\n");
	assert_int_equal(f.n, 0);
	{
		/* A script over the size limit is one opaque finding, not gigabytes of tokens. */
		size_t n = LINT_MAX_SOURCE + 10;
		char *big = malloc(n + 1);
		pyscan_span up = { 1, 1, 1 }, down = { 0, 0, 0 };
		memset(big, 'a', n);
		memcpy(big, "def upgrade():\n    x = [", 24);
		big[n] = 0;
		assert_int_equal(lint_source(&ctx, &f, "big.py", "b", big, n, &up, &down, &err), 0);
		assert_int_equal(f.n, 1);
		assert_string_equal(f.v[0].id, "opaque-migration-code");
		assert_non_null(strstr(f.v[0].message, "4 MiB"));
		free(big);
		findings_release(&f);
	}
	lint_release(&ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_finding_fields),
		cmocka_unit_test(test_config_acceptances),
		cmocka_unit_test(test_context_across_revisions),
		cmocka_unit_test(test_tables_touched),
		cmocka_unit_test(test_suppressions),
		cmocka_unit_test(test_strict_dialect_version),
		cmocka_unit_test(test_cr_line_endings),
		cmocka_unit_test(test_unreadable_and_empty),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
