/*
 * test_rollback.c: the way back after a real upgrade on a real SQLite
 * database: the target read back from the audit log, the downgrade path
 * and the restore weighed, the recommendation and its reason, and each
 * way taken under the lock and verified.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "gate/backup.h"
#include "gate/rollback.h"
#include "gate/upgrade.h"
#include "gatefix.h"
#include "version.h"

#define MGATE_LINES "backup_dir = backups\naudit_log = audit.jsonl\n"

/* r1, a backup, then a real upgrade to r3 through the gate. */
static void upgraded(gfx *g, const char *extra_revision_up, const char *extra_revision_down)
{
	session s;
	mg_error err = MG_ERROR_INIT;
	upgrade_result r;
	upgrade_opts o;
	strvec allow = STRVEC_INIT;

	gfx_project(g, MGATE_LINES);
	if (extra_revision_up)
		gfx_revision(g->dir, "r3", "r2", extra_revision_up, extra_revision_down);
	assert_int_equal(gfx_alembic(g, "upgrade", "r1"), 0);
	free(gfx_backup(g));
	assert_int_equal(gfx_session(&s, g, &err), 0);
	memset(&o, 0, sizeof(o));
	o.correlation_id = "1111222233334444";
	strvec_push(&allow, "missing-downgrade"); /* the revisions without a real one are the point */
	o.allow = &allow;
	o.allow_reason = "a test of the way back";
	assert_int_equal(upgrade_run(&r, &s, &o, NULL, &err), MG_OUT_OK);
	strvec_release(&allow);
	upgrade_result_release(&r);
	session_close(&s);
}

static int assess(rollback_ways *w, session *s, const gfx *g, const char *to, const char *via, mg_error *err)
{
	assert_int_equal(gfx_session(s, g, err), 0);
	return rollback_assess(w, s, to, via, err);
}

static void test_downgrade_recommended_and_taken(void **state)
{
	gfx g;
	session s;
	rollback_ways w;
	rollback_result r;
	rollback_opts o = { 0, 0, "5555666677778888" };
	mg_error err = MG_ERROR_INIT;
	gfx_log log;
	progress p;

	(void)state;
	upgraded(&g, NULL, NULL);
	assert_int_equal(assess(&w, &s, &g, NULL, NULL, &err), MG_OUT_OK);
	assert_true(w.from_audit);
	assert_string_equal(w.target, "r1");
	assert_int_equal(w.cmds.n, 1);
	assert_int_equal(w.n, 2); /* r3, then r2 */
	assert_string_equal(s.p.map.v[w.v[0].rev].id, "r3");
	assert_null(w.down_problem);
	assert_int_equal(w.down_lost, 0);
	assert_true(w.have_backup);
	assert_true(w.backup_matches);
	assert_string_equal(w.choice, "downgrade");
	assert_string_equal(w.reason.ptr, "the downgrade destroys no data, while a restore would lose the writes since the backup");
	p = gfx_progress(&log);
	assert_int_equal(rollback_execute(&r, &s, &w, &o, &p, &err), MG_OUT_OK);
	assert_true(r.checked);
	assert_true(r.read_back);
	assert_int_equal(r.ncommands, 1);
	assert_int_equal(r.commands[0].exit, 0);
	assert_string_equal(r.now.v[0], "r1");
	assert_true(r.schema_same); /* against the snapshot the upgrade kept */
	assert_int_equal(findings_count(&r.verify, SEV_ERROR), 0);
	assert_non_null(strstr(log.text.ptr, "correlation id: 5555666677778888"));
	assert_int_equal(gfx_count(&g, "SELECT count(*) FROM sqlite_master WHERE name = 'orders'"), 0);
	rollback_result_release(&r);
	rollback_ways_release(&w);
	session_close(&s);
	/* back at the start: nothing to take back to r1 */
	assert_int_equal(assess(&w, &s, &g, "r1", NULL, &err), MG_OUT_OK);
	assert_true(w.at_target);
	assert_string_equal(w.choice, "none");
	assert_string_equal(w.reason.ptr, "the database is already at the target: nothing to roll back");
	rollback_ways_release(&w);
	session_close(&s);
	buf_release(&log.text);
	gfx_release(&g);
}

static void test_data_loss_counted(void **state)
{
	gfx g;
	session s;
	rollback_ways w;
	mg_error err = MG_ERROR_INIT;

	(void)state;
	upgraded(&g, NULL, NULL);
	gfx_sql(&g, "INSERT INTO orders (total) VALUES (1), (2), (3); INSERT INTO users (name, email) VALUES ('a', 'a@x')");
	assert_int_equal(assess(&w, &s, &g, NULL, NULL, &err), MG_OUT_OK);
	/* r3 drops orders (3 rows), r2 drops users.email (1 value) */
	assert_int_equal(w.v[0].lost, 3);
	assert_int_equal(w.v[1].lost, 1);
	/* the plan of this rollback warns that it drops what was written since */
	assert_int_equal(w.v[0].found.n, 1);
	assert_string_equal(w.v[0].found.v[0].id, "lossy-downgrade");
	assert_int_equal(w.v[0].found.v[0].severity, SEV_WARNING);
	assert_int_equal(w.down_lost, 4);
	assert_false(w.down_lost_unknown);
	/* the restore loses the rows written since: orders 3, users 1 */
	assert_int_equal(w.writes, 4);
	assert_string_equal(w.choice, "downgrade");
	assert_string_equal(w.reason.ptr, "the downgrade destroys 4 rows, the restore loses 4 written since the backup");
	rollback_ways_release(&w);
	session_close(&s);
	gfx_release(&g);
}

static void test_restore_when_no_downgrade(void **state)
{
	gfx g;
	session s;
	rollback_ways w;
	rollback_result r;
	rollback_opts o = { 0, 0, "9999000011112222" };
	mg_error err = MG_ERROR_INIT;

	(void)state;
	upgraded(&g, "    op.create_table('orders', sa.Column('id', sa.Integer, primary_key=True))",
		 "    raise NotImplementedError('no way back')");
	assert_int_equal(assess(&w, &s, &g, NULL, NULL, &err), MG_OUT_OK);
	assert_non_null(w.down_problem);
	assert_non_null(strstr(w.down_problem, "r3: its downgrade() raises"));
	assert_string_equal(w.choice, "restore");
	assert_non_null(strstr(w.reason.ptr, "the downgrade path is blocked"));
	rollback_ways_release(&w);
	session_close(&s);
	/* --via downgrade is refused; --via sideways is a usage error */
	assert_int_equal(assess(&w, &s, &g, NULL, "downgrade", &err), MG_OUT_BLOCKED);
	assert_non_null(strstr(err.msg, "the downgrade path is not available"));
	rollback_ways_release(&w);
	session_close(&s);
	assert_int_equal(assess(&w, &s, &g, NULL, "sideways", &err), MG_OUT_USAGE);
	rollback_ways_release(&w);
	session_close(&s);
	/* the restore, taken: the previous file kept, the rows and schema back */
	assert_int_equal(assess(&w, &s, &g, NULL, NULL, &err), MG_OUT_OK);
	assert_int_equal(rollback_execute(&r, &s, &w, &o, NULL, &err), MG_OUT_OK);
	assert_true(r.restored.restored);
	assert_non_null(r.restored.kept);
	assert_string_equal(r.now.v[0], "r1");
	assert_true(r.schema_same);
	rollback_result_release(&r);
	rollback_ways_release(&w);
	session_close(&s);
	gfx_release(&g);
}

static void test_no_way_back(void **state)
{
	gfx g;
	session s;
	rollback_ways w;
	mg_error err = MG_ERROR_INIT;
	char *dir;

	(void)state;
	upgraded(&g, "    op.create_table('orders', sa.Column('id', sa.Integer, primary_key=True))", "    pass");
	/* an empty downgrade that must undo a create, and no backup left */
	dir = tu_printf("%s/backups", g.dir);
	tu_rmrf(dir);
	free(dir);
	assert_int_equal(assess(&w, &s, &g, NULL, NULL, &err), MG_OUT_OK);
	assert_non_null(strstr(w.down_problem, "its downgrade() is empty"));
	assert_false(w.have_backup);
	assert_string_equal(w.choice, "none");
	assert_non_null(strstr(w.reason.ptr, "no safe way back"));
	rollback_ways_release(&w);
	session_close(&s);
	assert_int_equal(assess(&w, &s, &g, NULL, "restore", &err), MG_OUT_BLOCKED);
	rollback_ways_release(&w);
	session_close(&s);
	gfx_release(&g);
}

static void test_target_unknown(void **state)
{
	gfx g;
	session s;
	rollback_ways w;
	mg_error err = MG_ERROR_INIT;

	(void)state;
	gfx_project(&g, "");
	assert_int_equal(gfx_alembic(&g, "upgrade", "r3"), 0);
	/* no audit log: the upgrade to undo is unknown */
	assert_int_equal(assess(&w, &s, &g, NULL, NULL, &err), MG_OUT_USAGE);
	assert_non_null(strstr(err.msg, "no audit log is configured"));
	rollback_ways_release(&w);
	session_close(&s);
	/* an explicit target works without it */
	assert_int_equal(assess(&w, &s, &g, "r2", NULL, &err), MG_OUT_OK);
	assert_int_equal(w.n, 1);
	assert_string_equal(w.target_rows.v[0], "r2");
	assert_string_equal(w.choice, "downgrade");
	assert_string_equal(w.reason.ptr, "the downgrade destroys no data");
	rollback_ways_release(&w);
	session_close(&s);
	/* with data in what it drops, and still no backup */
	gfx_sql(&g, "INSERT INTO orders (total) VALUES (7), (8)");
	assert_int_equal(assess(&w, &s, &g, "r2", NULL, &err), MG_OUT_OK);
	assert_string_equal(w.choice, "downgrade");
	assert_string_equal(w.reason.ptr, "no backup at the target verifies; the downgrade destroys 2 rows");
	rollback_ways_release(&w);
	session_close(&s);
	gfx_release(&g);
}

static void test_downgrade_fails(void **state)
{
	gfx g;
	session s;
	rollback_ways w;
	rollback_result r;
	rollback_opts o = { 0, 0, "aaaabbbbccccdddd" };
	mg_error err = MG_ERROR_INIT;

	(void)state;
	upgraded(&g, "    op.create_table('orders', sa.Column('id', sa.Integer, primary_key=True))",
		 "    op.drop_table('orders')\n    op.execute('DROP TABLE no_such_table')");
	assert_int_equal(assess(&w, &s, &g, NULL, "downgrade", &err), MG_OUT_OK);
	assert_int_equal(rollback_execute(&r, &s, &w, &o, NULL, &err), MG_OUT_FAILED);
	assert_int_not_equal(r.status, 0);
	assert_true(r.checked);
	assert_int_equal(r.ncommands, 1);
	rollback_result_release(&r);
	rollback_ways_release(&w);
	session_close(&s);
	gfx_release(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_downgrade_recommended_and_taken),
		cmocka_unit_test(test_data_loss_counted),
		cmocka_unit_test(test_restore_when_no_downgrade),
		cmocka_unit_test(test_no_way_back),
		cmocka_unit_test(test_target_unknown),
		cmocka_unit_test(test_downgrade_fails),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
