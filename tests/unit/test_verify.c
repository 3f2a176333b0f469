/*
 * test_verify.c: verification after an upgrade, on schemas read from real
 * SQLite databases: every declared effect must show in the schema and
 * nothing undeclared may change; the database at its target; invariants;
 * smoke commands; a committed snapshot.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "db/schema.h"
#include "gate/verify.h"
#include "gatefix.h"
#include "util/fs.h"

/* The schema of the project's database now. */
static void *snapshot(const gfx *g)
{
	char *url = tu_printf("sqlite:///%s", g->db);
	mg_error err = MG_ERROR_INIT;
	void *snap = NULL;

	assert_int_equal(db_snapshot_of(&snap, url, &err), 0);
	free(url);
	return snap;
}

/* The indexes of `revs` (NULL-terminated) in the session's graph. */
static size_t indexes(int *out, const session *s, const char *const *revs)
{
	size_t n = 0;

	for (; *revs; revs++)
		out[n++] = revmap_index(&s->p.map, *revs);
	return n;
}

/* Verify `before` -> `after` against the revisions `revs`; the findings'
 * ids and messages, one per line. */
static void verify(buf *out, const gfx *g, const void *before, const void *after, const char *const *revs)
{
	session s;
	mg_error err = MG_ERROR_INIT;
	findings f = FINDINGS_INIT;
	int applied[8];
	size_t n, i;

	assert_int_equal(gfx_session(&s, g, &err), 0);
	n = indexes(applied, &s, revs);
	assert_int_equal(verify_schema(&f, before, after, &s.p.map, applied, n, SQL_SQLITE, "alembic_version", &err), 0);
	buf_truncate(out, 0);
	for (i = 0; i < f.n; i++)
		buf_printf(out, "%s %s: %s\n", finding_severity_name(f.v[i].severity), f.v[i].id, f.v[i].message);
	findings_release(&f);
	session_close(&s);
}

static void test_declared_effects(void **state)
{
	gfx g;
	buf out = BUF_INIT;
	void *r1, *r2, *r3;

	(void)state;
	gfx_project(&g, "");
	gfx_revision(g.dir, "r4", "r3",
		     "    op.execute('CREATE TABLE ledger_lines (id integer)')\n"
		     "    op.rename_table('orders', 'purchases')",
		     "    op.rename_table('purchases', 'orders')\n    op.execute('DROP TABLE ledger_lines')");
	assert_int_equal(gfx_alembic(&g, "upgrade", "r1"), 0);
	r1 = snapshot(&g);
	assert_int_equal(gfx_alembic(&g, "upgrade", "r2"), 0);
	r2 = snapshot(&g);
	assert_int_equal(gfx_alembic(&g, "upgrade", "r3"), 0);
	r3 = snapshot(&g);
	/* what r3 declares happened */
	verify(&out, &g, r2, r3, (const char *const[]){ "r3", NULL });
	assert_string_equal(out.ptr, "");
	/* what r3 declares did not happen */
	verify(&out, &g, r2, r2, (const char *const[]){ "r3", NULL });
	assert_string_equal(out.ptr, "error declared-not-applied: table 'orders' should have been created, and does not exist\n");
	/* r2's column, declared but absent; and r3's table, present but undeclared */
	verify(&out, &g, r1, r1, (const char *const[]){ "r2", NULL });
	assert_non_null(strstr(out.ptr, "column 'users.email' should have been added, and does not exist"));
	verify(&out, &g, r2, r3, (const char *const[]){ "r2", NULL });
	assert_non_null(strstr(out.ptr, "error unexplained-change: table orders added, which no applied operation declares"));
	/* r2's downgrade as a revision: a dropped column that is still there */
	gfx_revision(g.dir, "r5", "r4", "    op.drop_column('users', 'email')\n    op.drop_table('orders')", "    pass");
	verify(&out, &g, r3, r3, (const char *const[]){ "r5", NULL });
	assert_non_null(strstr(out.ptr, "column 'users.email' should have been dropped, and still exists"));
	assert_non_null(strstr(out.ptr, "table 'orders' should have been dropped, and still exists"));
	/* SQL and renames: r4's effects are explained */
	{
		void *r4;
		assert_int_equal(gfx_alembic(&g, "upgrade", "r4"), 0);
		r4 = snapshot(&g);
		verify(&out, &g, r3, r4, (const char *const[]){ "r4", NULL });
		assert_string_equal(out.ptr, "");
		json_decref(r4);
	}
	json_decref(r1);
	json_decref(r2);
	json_decref(r3);
	buf_release(&out);
	gfx_release(&g);
}

static void test_opaque_code(void **state)
{
	gfx g;
	buf out = BUF_INIT;
	void *r3, *r4;

	(void)state;
	gfx_project(&g, "");
	gfx_revision(g.dir, "r4", "r3",
		     "    for name in get_names():\n        op.create_table(name, sa.Column('id', sa.Integer))\n"
		     "    op.create_table('extra', sa.Column('id', sa.Integer))",
		     "    op.drop_table('extra')");
	assert_int_equal(gfx_alembic(&g, "upgrade", "r3"), 0);
	r3 = snapshot(&g);
	gfx_sql(&g, "CREATE TABLE extra (id integer); CREATE TABLE surprise (id integer)");
	r4 = snapshot(&g);
	/* a loop mgate cannot read: an unexplained change is only a warning */
	verify(&out, &g, r3, r4, (const char *const[]){ "r4", NULL });
	assert_non_null(strstr(out.ptr, "warning unexplained-change: table surprise added"));
	assert_non_null(strstr(out.ptr, "some applied code could not be read"));
	json_decref(r3);
	json_decref(r4);
	buf_release(&out);
	gfx_release(&g);
}

static void test_same_schema_and_target(void **state)
{
	gfx g;
	session s;
	mg_error err = MG_ERROR_INIT;
	findings f = FINDINGS_INIT;
	void *r2, *r3;
	char *snap_path;
	buf text = BUF_INIT;
	gfx_log log;
	progress p = gfx_progress(&log);

	(void)state;
	gfx_project(&g, "invariant.users = SELECT count(*) FROM users => 0\nsmoke.fine = true\n");
	assert_int_equal(gfx_alembic(&g, "upgrade", "r2"), 0);
	r2 = snapshot(&g);
	gfx_sql(&g, "CREATE TABLE mgate_ledger (x integer)"); /* mgate's own tables never count */
	{
		void *own = snapshot(&g);
		assert_int_equal(verify_same_schema(&f, r2, own, "alembic_version", "the snapshot"), 0);
		json_decref(own);
	}
	findings_release(&f);
	assert_int_equal(gfx_alembic(&g, "upgrade", "r3"), 0);
	r3 = snapshot(&g);
	assert_int_equal(verify_same_schema(&f, r2, r3, "alembic_version", "the snapshot"), 1);
	assert_string_equal(f.v[0].id, "schema-differs");
	assert_non_null(strstr(f.v[0].message, "the snapshot"));
	findings_release(&f);
	/* the database at its target, and not */
	assert_int_equal(gfx_session(&s, &g, &err), 0);
	assert_int_equal(verify_at_target(&f, &s.p.map, &s.rows, "heads", &err), 0);
	assert_int_equal(f.n, 0);
	assert_int_equal(verify_at_target(&f, &s.p.map, &s.rows, "r2", &err), 0);
	assert_int_equal(f.n, 0); /* already past r2: nothing pending */
	assert_int_not_equal(verify_at_target(&f, &s.p.map, &s.rows, "nowhere", &err), 0);
	session_close(&s);
	gfx_sql(&g, "UPDATE alembic_version SET version_num = 'r2'");
	assert_int_equal(gfx_session(&s, &g, &err), 0);
	assert_int_equal(verify_at_target(&f, &s.p.map, &s.rows, "heads", &err), 0);
	assert_string_equal(f.v[0].id, "not-at-target");
	assert_non_null(strstr(f.v[0].message, "1 step pending (r3)"));
	findings_release(&f);
	/* the whole `mgate verify`: against a committed snapshot too */
	snap_path = tu_printf("%s/r2.json", g.dir);
	schema_dump(&text, r2);
	assert_int_equal(fs_write_atomic(snap_path, text.ptr, text.len, 0600, &err), 0);
	assert_int_equal(verify_database(&f, &s, "heads", snap_path, &p, &err), 0);
	assert_string_equal(f.v[0].id, "not-at-target");
	assert_int_equal(f.n, 2); /* and the orders table the snapshot lacks */
	assert_string_equal(f.v[1].id, "schema-differs");
	assert_non_null(strstr(log.text.ptr, "smoke fine: true"));
	findings_release(&f);
	assert_int_equal(verify_database(&f, &s, "heads", "/nonexistent/snapshot.json", &p, &err), MG_EENV);
	findings_release(&f);
	session_close(&s);
	free(snap_path);
	buf_release(&text);
	buf_release(&log.text);
	json_decref(r2);
	json_decref(r3);
	gfx_release(&g);
}

static void test_invariants_and_smoke(void **state)
{
	gfx g;
	session s;
	mg_error err = MG_ERROR_INIT;
	findings f = FINDINGS_INIT;

	(void)state;
	gfx_project(&g, "invariant.one_user = SELECT count(*) FROM users => 1\n"
			"smoke.slow = sleep 5\nsmoke.missing = /nonexistent/mgate-smoke\nsmoke.fails = false\n"
			"smoke_timeout = 1\n");
	assert_int_equal(gfx_alembic(&g, "upgrade", "r1"), 0);
	assert_int_equal(gfx_session(&s, &g, &err), 0);
	verify_invariants(&f, &s.p.cfg, s.d);
	assert_int_equal(f.n, 1);
	assert_string_equal(f.v[0].id, "invariant-failed");
	assert_non_null(strstr(f.v[0].message, "invariant 'one_user' expects 1, the database says 0"));
	findings_release(&f);
	assert_int_equal(verify_smoke(&f, &s.p.cfg, NULL, NULL), 3);
	assert_int_equal(f.n, 3);
	assert_non_null(strstr(f.v[0].message, "did not finish within 1 s"));
	assert_non_null(strstr(f.v[1].message, "smoke command 'missing'"));
	assert_non_null(strstr(f.v[2].message, "failed (exit 1)"));
	assert_int_equal(f.v[2].line, 11); /* its line in alembic.ini */
	findings_release(&f);
	session_close(&s);
	gfx_release(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_declared_effects),
		cmocka_unit_test(test_opaque_code),
		cmocka_unit_test(test_same_schema_and_target),
		cmocka_unit_test(test_invariants_and_smoke),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
