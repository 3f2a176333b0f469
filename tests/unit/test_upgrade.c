/*
 * test_upgrade.c: the gate around the real `alembic upgrade` on a real
 * SQLite database: what runs, what the version rows say afterwards, and
 * the outcome (0 upgraded and verified, 1 the gate closed, 4 Alembic
 * failed, 5 verification failed), with the ledger and the audit entry.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "gate/backup.h"
#include "gate/ledger.h"
#include "gate/upgrade.h"
#include "gatefix.h"
#include "util/fs.h"
#include "version.h"

#define MGATE_LINES "backup_dir = backups\naudit_log = audit.jsonl\n"

/* Upgrade the project to `target` with the options given. */
static int upgrade(upgrade_result *r, const gfx *g, upgrade_opts *o, gfx_log *log)
{
	session s;
	mg_error err = MG_ERROR_INIT;
	progress p = gfx_progress(log);
	int rc;

	o->correlation_id = "0123456789abcdef";
	assert_int_equal(gfx_session(&s, g, &err), 0);
	rc = upgrade_run(r, &s, o, &p, &err);
	session_close(&s);
	return rc;
}

/* The last line of the audit log, parsed. */
static json_t *last_audit(const gfx *g)
{
	char *path = tu_printf("%s/audit.jsonl", g->dir);
	json_t *all = audit_read(path, NULL, NULL), *e;

	free(path);
	assert_true(json_array_size(all) > 0);
	e = json_incref(json_array_get(all, json_array_size(all) - 1));
	json_decref(all);
	return e;
}

static void test_upgraded_and_verified(void **state)
{
	gfx g;
	gfx_log log;
	upgrade_result r;
	upgrade_opts o;
	session s;
	ledger_list l;
	audit_last last;
	mg_error err = MG_ERROR_INIT;
	json_t *e;
	char *snap, *audit;

	(void)state;
	memset(&o, 0, sizeof(o));
	gfx_project(&g, MGATE_LINES);
	assert_int_equal(gfx_alembic(&g, "upgrade", "r1"), 0);
	free(gfx_backup(&g));
	assert_int_equal(upgrade(&r, &g, &o, &log), MG_OUT_OK);
	assert_int_equal(r.stage, UPGRADE_DONE);
	assert_int_equal(r.nsteps, 2);
	assert_int_equal(r.done, 2);
	assert_int_equal(r.after.n, 1);
	assert_string_equal(r.after.v[0], "r3");
	assert_string_equal(r.start.v[0], "r1");
	assert_int_equal(r.status, 0);
	assert_int_equal(r.attempts, 1);
	assert_true(r.gate.open);
	assert_int_equal(findings_count(&r.verify, SEV_ERROR), 0);
	assert_non_null(r.newest.path);
	assert_int_equal(gfx_count(&g, "SELECT count(*) FROM orders"), 0); /* the table is there */
	/* the schema before is kept beside the backups */
	snap = tu_printf("%s/backups/snapshots/before-0123456789abcdef.json", g.dir);
	assert_string_equal(r.snapshot_path, snap);
	assert_true(fs_exists(snap));
	/* the ledger has both steps */
	assert_int_equal(gfx_session(&s, &g, &err), 0);
	assert_int_equal(ledger_read(&l, s.d, &s.vt, &s.p.map, &err), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.bad, 0);
	ledger_list_release(&l);
	/* the audit entry, and what rollback reads back from it */
	e = last_audit(&g);
	assert_string_equal(json_string_value(json_object_get(e, "command")), "upgrade");
	assert_string_equal(json_string_value(json_object_get(e, "verdict")), "open");
	assert_true(json_is_true(json_object_get(e, "alembic_ran")));
	assert_int_equal(json_integer_value(json_object_get(e, "exit")), 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(e, "verification"), "result")), "pass");
	json_decref(e);
	audit = tu_printf("%s/audit.jsonl", g.dir);
	assert_int_equal(audit_last_upgrade(&last, audit, s.where.ptr), 1);
	assert_int_equal(last.from.n, 1);
	assert_string_equal(last.from.v[0], "r1");
	assert_string_equal(last.before_snapshot, snap);
	audit_last_release(&last);
	session_close(&s);
	upgrade_result_release(&r);
	/* again: nothing to upgrade */
	assert_int_equal(upgrade(&r, &g, &o, &log), MG_OUT_OK);
	assert_int_equal(r.stage, UPGRADE_NOTHING);
	assert_false(r.alembic_ran);
	upgrade_result_release(&r);
	buf_release(&log.text);
	free(snap);
	free(audit);
	gfx_release(&g);
}

static void test_closed_and_backup_first(void **state)
{
	gfx g;
	gfx_log log;
	upgrade_result r;
	upgrade_opts o;
	json_t *e;

	(void)state;
	memset(&o, 0, sizeof(o));
	gfx_project(&g, MGATE_LINES);
	assert_int_equal(gfx_alembic(&g, "upgrade", "r1"), 0);
	/* no backup: the gate is closed and Alembic does not run */
	assert_int_equal(upgrade(&r, &g, &o, &log), MG_OUT_BLOCKED);
	assert_int_equal(r.stage, UPGRADE_CLOSED);
	assert_false(r.alembic_ran);
	assert_int_equal(gfx_count(&g, "SELECT count(*) FROM alembic_version WHERE version_num = 'r1'"), 1);
	e = last_audit(&g);
	assert_string_equal(json_string_value(json_object_get(e, "verdict")), "closed");
	assert_int_equal(json_integer_value(json_object_get(e, "exit")), 1);
	assert_string_equal(json_string_value(json_object_get(json_object_get(e, "verification"), "result")), "not run");
	json_decref(e);
	upgrade_result_release(&r);
	buf_release(&log.text);
	/* --backup: the backup it lacked is taken, then the upgrade runs */
	o.backup_first = 1;
	o.target = "r2";
	assert_int_equal(upgrade(&r, &g, &o, &log), MG_OUT_OK);
	assert_non_null(strstr(log.text.ptr, "taking a backup first (--backup)"));
	assert_non_null(strstr(log.text.ptr, "backup: "));
	assert_string_equal(r.after.v[0], "r2");
	assert_int_equal(r.nsteps, 1);
	upgrade_result_release(&r);
	buf_release(&log.text);
	gfx_release(&g);
}

static void test_alembic_fails(void **state)
{
	gfx g;
	gfx_log log;
	upgrade_result r;
	upgrade_opts o;
	size_t i, half = 0;

	(void)state;
	memset(&o, 0, sizeof(o));
	gfx_project(&g, MGATE_LINES);
	gfx_revision(g.dir, "r4", "r3",
		     "    op.create_table('audit_trail', sa.Column('id', sa.Integer, primary_key=True))\n"
		     "    raise RuntimeError('the data is not what this revision expects')",
		     "    op.drop_table('audit_trail')");
	assert_int_equal(gfx_alembic(&g, "upgrade", "r2"), 0);
	free(gfx_backup(&g));
	assert_int_equal(upgrade(&r, &g, &o, &log), MG_OUT_FAILED);
	assert_int_equal(r.stage, UPGRADE_FAILED);
	assert_int_not_equal(r.status, 0);
	/* the exact rows: r3 ran, r4 did not */
	assert_int_equal(r.after.n, 1);
	assert_string_equal(r.after.v[0], "r3");
	assert_int_equal(r.nsteps, 2);
	assert_int_equal(r.done, 1);
	assert_string_equal(r.stopped_in, "r4");
	assert_non_null(r.newest.path);
	/* SQLite's DDL is not transactional here: r4 left its table behind */
	for (i = 0; i < r.verify.n; i++)
		half += !strcmp(r.verify.v[i].id, "unexplained-change") && strstr(r.verify.v[i].message, "audit_trail");
	assert_int_equal(gfx_count(&g, "SELECT count(*) FROM sqlite_master WHERE name = 'audit_trail'"), 1);
	assert_int_equal(half, 1);
	assert_int_equal(r.half, 1);
	upgrade_result_release(&r);
	buf_release(&log.text);
	gfx_release(&g);
}

static void test_verification_fails(void **state)
{
	gfx g;
	gfx_log log;
	upgrade_result r;
	upgrade_opts o;
	json_t *e;

	(void)state;
	memset(&o, 0, sizeof(o));
	gfx_project(&g, MGATE_LINES "smoke.health = false\nsmoke.ok = true\n");
	assert_int_equal(gfx_alembic(&g, "upgrade", "r2"), 0);
	free(gfx_backup(&g));
	assert_int_equal(upgrade(&r, &g, &o, &log), MG_OUT_UNVERIFIED);
	assert_int_equal(r.stage, UPGRADE_UNVERIFIED);
	assert_string_equal(r.after.v[0], "r3");
	assert_int_equal(findings_count(&r.verify, SEV_ERROR), 1);
	assert_string_equal(r.verify.v[0].id, "smoke-failed");
	assert_non_null(strstr(r.verify.v[0].message, "smoke command 'health' failed (exit 1)"));
	assert_non_null(strstr(log.text.ptr, "smoke health: false"));
	e = last_audit(&g);
	assert_int_equal(json_integer_value(json_object_get(e, "exit")), 5);
	assert_string_equal(json_string_value(json_object_get(json_object_get(e, "verification"), "result")), "fail");
	json_decref(e);
	upgrade_result_release(&r);
	buf_release(&log.text);
	gfx_release(&g);
}

/* The checklist callback: must not be reached while another run holds
 * the lock (the lock comes first). */
static int checklist_reached;

static void count_checklist(void *ctx, const checklist_result *r, const char *target, const char *where, const char *id)
{
	(void)ctx;
	(void)r;
	(void)target;
	(void)where;
	(void)id;
	checklist_reached++;
}

static void test_locked_out(void **state)
{
	gfx g;
	gfx_log log;
	upgrade_result r;
	upgrade_opts o;
	mg_error err = MG_ERROR_INIT;
	session s, holder;
	progress p;
	json_t *e;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.correlation_id = "fedcba9876543210";
	gfx_project(&g, MGATE_LINES);
	assert_int_equal(gfx_alembic(&g, "upgrade", "r2"), 0);
	free(gfx_backup(&g));
	assert_int_equal(gfx_session(&s, &g, &err), 0);
	assert_int_equal(gfx_session(&holder, &g, &err), 0);
	p = gfx_progress(&log);
	p.checklist = count_checklist;
	/* another run holds the migration lock: refused at once, before the checklist */
	assert_int_equal(holder.d->ops->lock(holder.d, holder.lock.ptr, 0, &err), 0);
	assert_int_equal(upgrade_run(&r, &s, &o, &p, &err), MG_OUT_BLOCKED);
	assert_int_equal(r.stage, UPGRADE_LOCKED);
	assert_int_equal(err.code, MG_EAMBIGUOUS);
	assert_non_null(strstr(err.msg, "--lock-wait SECONDS"));
	assert_int_equal(checklist_reached, 0);
	assert_false(r.alembic_ran);
	assert_int_equal(gfx_count(&g, "SELECT count(*) FROM alembic_version WHERE version_num = 'r2'"), 1);
	e = last_audit(&g);
	assert_false(json_is_true(json_object_get(e, "alembic_ran")));
	assert_int_equal(json_integer_value(json_object_get(e, "exit")), 1);
	json_decref(e);
	upgrade_result_release(&r);
	/* with --lock-wait, a lock that stays held: it waits that long, says so, then gives up */
	o.lock_wait_s = 1;
	mg_error_clear(&err);
	assert_int_equal(upgrade_run(&r, &s, &o, &p, &err), MG_OUT_BLOCKED);
	assert_non_null(strstr(log.text.ptr, "waiting up to 1 s"));
	assert_non_null(strstr(err.msg, "(waited 1 s)"));
	assert_int_equal(checklist_reached, 0);
	holder.d->ops->unlock(holder.d, holder.lock.ptr);
	upgrade_result_release(&r);
	session_close(&s);
	session_close(&holder);
	buf_release(&log.text);
	gfx_release(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_upgraded_and_verified),
		cmocka_unit_test(test_closed_and_backup_first),
		cmocka_unit_test(test_alembic_fails),
		cmocka_unit_test(test_verification_fails),
		cmocka_unit_test(test_locked_out),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
