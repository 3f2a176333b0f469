/*
 * test_checklist.c: the gate's decisions on a real SQLite database that
 * the real Alembic brought to a revision: each check passes, warns or
 * fails for the reason it should, and any failure closes the gate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gate/backup.h"
#include "gate/ledger.h"
#include "gatefix.h"
#include "version.h"

/* The check named `name` in `r` (it must be there). */
static const checklist_check *check_of(const checklist_result *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->checks[i].name, name))
			return &r->checks[i];
	fail_msg("no '%s' check", name);
	return NULL;
}

static void expect(const checklist_result *r, const char *name, int status, const char *summary_part)
{
	const checklist_check *c = check_of(r, name);

	if (c->status != status)
		fail_msg("check '%s' is %s, expected %s: %s", name, checklist_status_name(c->status),
			 checklist_status_name(status), c->summary);
	if (summary_part && !strstr(c->summary, summary_part))
		fail_msg("check '%s' says '%s', expected it to mention '%s'", name, c->summary, summary_part);
}

/* Open a session and run the checklist for `target` (NULL: heads). */
static void run(checklist_result *out, session *s, const gfx *g, const checklist_request *req)
{
	mg_error err = MG_ERROR_INIT;
	checklist_request none = { NULL, NULL, NULL, NULL, 0 };

	assert_int_equal(gfx_session(s, g, &err), 0);
	assert_int_equal(session_checklist(out, s, req ? req : &none, &err), 0);
}

static void test_open_and_closed(void **state)
{
	gfx g;
	session s;
	checklist_result r;

	(void)state;
	gfx_project(&g, "backup_dir = backups\n");
	assert_int_equal(gfx_alembic(&g, "upgrade", "r1"), 0);
	/* no backup yet: pending steps need one */
	run(&r, &s, &g, NULL);
	assert_false(r.open);
	expect(&r, "graph", GATE_PASS, "3 revisions, 1 head");
	expect(&r, "state", GATE_PASS, "2 pending: r2, r3");
	expect(&r, "backup", GATE_FAIL, "does not exist");
	expect(&r, "locks", GATE_PASS, "the migration lock is free");
	expect(&r, "invariants", GATE_SKIP, NULL);
	assert_int_equal(r.pending.n, 2);
	assert_string_equal(r.current.v[0], "r1");
	checklist_result_release(&r);
	session_close(&s);
	/* with a fresh backup at the current revisions the gate opens */
	free(gfx_backup(&g));
	run(&r, &s, &g, NULL);
	expect(&r, "backup", GATE_PASS, "checksum verified");
	expect(&r, "rollback", GATE_PASS, "2 lossy downgrades"); /* dropping what r2 and r3 add: info, not a warning */
	expect(&r, "rules", GATE_PASS, "0 errors");
	expect(&r, "integrity", GATE_WARN, "no ledger yet");
	assert_true(r.open);
	checklist_result_release(&r);
	session_close(&s);
	/* a backup taken at other revisions does not count */
	assert_int_equal(gfx_alembic(&g, "upgrade", "r2"), 0);
	run(&r, &s, &g, NULL);
	expect(&r, "backup", GATE_FAIL, "other revisions");
	assert_false(r.open);
	checklist_result_release(&r);
	session_close(&s);
	/* at the target, nothing is pending and no backup is needed */
	assert_int_equal(gfx_alembic(&g, "upgrade", "r3"), 0);
	run(&r, &s, &g, NULL);
	expect(&r, "state", GATE_PASS, "already at the target");
	expect(&r, "backup", GATE_PASS, "nothing to upgrade");
	assert_true(r.open);
	checklist_result_release(&r);
	session_close(&s);
	gfx_release(&g);
}

static void test_state_and_graph(void **state)
{
	gfx g;
	session s;
	checklist_result r;
	checklist_request req = { "nowhere", NULL, NULL, NULL, 0 };

	(void)state;
	gfx_project(&g, "");
	/* no backup folder at all */
	assert_int_equal(gfx_alembic(&g, "upgrade", "r1"), 0);
	run(&r, &s, &g, NULL);
	expect(&r, "backup", GATE_FAIL, "no backup folder is configured");
	checklist_result_release(&r);
	session_close(&s);
	/* a target that names nothing */
	run(&r, &s, &g, &req);
	expect(&r, "graph", GATE_FAIL, "target 'nowhere'");
	expect(&r, "state", GATE_FAIL, "no plan");
	checklist_result_release(&r);
	session_close(&s);
	/* the database at a revision no script defines */
	gfx_sql(&g, "UPDATE alembic_version SET version_num = 'zz99'");
	run(&r, &s, &g, NULL);
	expect(&r, "state", GATE_FAIL, "'zz99', which no script defines");
	expect(&r, "backup", GATE_SKIP, NULL);
	assert_false(r.open);
	checklist_result_release(&r);
	session_close(&s);
	/* a broken graph: a revision whose parent is missing */
	gfx_sql(&g, "UPDATE alembic_version SET version_num = 'r1'");
	gfx_revision(g.dir, "r4", "gone", "    pass", "    pass");
	run(&r, &s, &g, NULL);
	expect(&r, "graph", GATE_FAIL, "the revision graph is broken");
	expect(&r, "state", GATE_SKIP, NULL);
	assert_false(r.open);
	checklist_result_release(&r);
	session_close(&s);
	gfx_release(&g);
}

static void test_rules_allow_and_rollback(void **state)
{
	gfx g;
	session s;
	checklist_result r;
	strvec allow = STRVEC_INIT;
	checklist_request req = { NULL, &allow, "the column is unused since v2", "restored from elsewhere", 0 };
	size_t i, suppressed = 0;

	(void)state;
	gfx_project(&g, "");
	gfx_revision(g.dir, "r4", "r3", "    op.drop_column('users', 'name')", "    pass");
	assert_int_equal(gfx_alembic(&g, "upgrade", "r3"), 0);
	gfx_sql(&g, "INSERT INTO users (name) VALUES ('a'), ('b')");
	run(&r, &s, &g, NULL);
	expect(&r, "rules", GATE_FAIL, "1 error");
	expect(&r, "rollback", GATE_FAIL, "1 without a rollback path");
	assert_false(r.open);
	{
		/* the live table size is in the finding */
		const checklist_check *c = check_of(&r, "rules");
		assert_non_null(strstr(c->found.v[0].message, "about 2 rows"));
	}
	checklist_result_release(&r);
	session_close(&s);
	/* --allow accepts the rules for this run, with the reason */
	strvec_push(&allow, "drop-column");
	strvec_push(&allow, "missing-downgrade");
	run(&r, &s, &g, &req);
	expect(&r, "rules", GATE_PASS, "0 errors");
	expect(&r, "rollback", GATE_PASS, NULL);
	expect(&r, "backup", GATE_WARN, "skipped with --no-backup-check: restored from elsewhere");
	for (i = 0; i < check_of(&r, "rules")->found.n; i++)
		suppressed += check_of(&r, "rules")->found.v[i].suppressed != NULL;
	assert_int_equal(suppressed, 1);
	assert_non_null(strstr(check_of(&r, "rules")->found.v[0].suppressed, "--allow: the column is unused"));
	assert_true(r.open);
	assert_int_equal(r.tables.n, 1);
	assert_string_equal(r.tables.v[0], "users");
	checklist_result_release(&r);
	session_close(&s);
	strvec_release(&allow);
	gfx_release(&g);
}

/* max_rows_deleted and max_rows_rewritten: the rows check counts what each
 * pending DELETE and UPDATE would touch, and closes above a limit. */
static void test_rows_limits(void **state)
{
	gfx g;
	session s;
	checklist_result r;
	const checklist_check *c;

	(void)state;
	gfx_project(&g, "max_rows_deleted = 2\nmax_rows_rewritten = 10\n");
	gfx_revision(g.dir, "r4", "r3",
		     "    op.execute(\"DELETE FROM users WHERE name LIKE 'old%'\")\n"
		     "    op.execute(\"UPDATE users SET name = 'x' WHERE id > 0\")",
		     "    op.execute('SELECT 1')");
	assert_int_equal(gfx_alembic(&g, "upgrade", "r3"), 0);
	gfx_sql(&g, "INSERT INTO users (name) VALUES ('old1'), ('old2'), ('new')");
	run(&r, &s, &g, NULL);
	expect(&r, "rows", GATE_PASS, "delete 2 and update 3 rows");
	checklist_result_release(&r);
	session_close(&s);
	/* one more old row: the DELETE is over the limit, named with its line and count */
	gfx_sql(&g, "INSERT INTO users (name) VALUES ('old3')");
	run(&r, &s, &g, NULL);
	expect(&r, "rows", GATE_FAIL, "1 data change over the limit");
	c = check_of(&r, "rows");
	assert_int_equal(c->found.n, 1);
	assert_string_equal(c->found.v[0].id, "too-many-rows-deleted");
	assert_string_equal(c->found.v[0].revision, "r4");
	assert_true(c->found.v[0].line > 0);
	assert_non_null(strstr(c->found.v[0].message, "deletes 3 rows of 'users' (exact), more than max_rows_deleted = 2"));
	assert_false(r.open);
	checklist_result_release(&r);
	session_close(&s);
	gfx_release(&g);
}

static void test_invariants_locks_and_drill(void **state)
{
	gfx g;
	session s, other;
	checklist_result r;
	mg_error err = MG_ERROR_INIT;

	(void)state;
	gfx_project(&g, "invariant.users = SELECT count(*) FROM users => 1\n"
			"invariant.broken = SELECT nothing FROM nowhere => 1\n"
			"drill_max_age = 7\naudit_log = audit.jsonl\n");
	assert_int_equal(gfx_alembic(&g, "upgrade", "r3"), 0);
	gfx_sql(&g, "INSERT INTO users (name) VALUES ('a')");
	run(&r, &s, &g, NULL);
	expect(&r, "invariants", GATE_FAIL, "1 of 2 invariants fail");
	assert_non_null(strstr(check_of(&r, "invariants")->found.v[0].message, "invariant 'broken' cannot run"));
	expect(&r, "drill", GATE_FAIL, "no passing backup-restore drill is recorded");
	checklist_result_release(&r);
	session_close(&s);
	/* a passing drill in the audit log, and the invariant repaired */
	{
		char *line = tu_printf("{\"time\": \"2099-01-01T00:00:00Z\", \"command\": \"drill\", \"database\": "
				       "\"sqlite:///%s\", \"result\": \"pass\"}\n",
				       g.db);
		tu_write(g.dir, "audit.jsonl", line);
		free(line);
	}
	tu_write(g.dir, "alembic.ini", "[alembic]\nscript_location = %(here)s/migrations\nsqlalchemy.url = "
				       "sqlite:///%(here)s/app.db\n\n[mgate]\nalembic_version = 1.13\ndrill_max_age = 7\n"
				       "audit_log = audit.jsonl\ninvariant.users = SELECT count(*) FROM users => 1\n");
	run(&r, &s, &g, NULL);
	expect(&r, "invariants", GATE_PASS, "1 invariant hold");
	expect(&r, "drill", GATE_PASS, "a drill passed");
	checklist_result_release(&r);
	session_close(&s);
	/* another run holds the migration lock */
	assert_int_equal(gfx_session(&other, &g, &err), 0);
	assert_int_equal(other.d->ops->lock(other.d, other.lock.ptr, 0, &err), 0);
	run(&r, &s, &g, NULL);
	expect(&r, "locks", GATE_FAIL, NULL);
	assert_false(r.open);
	checklist_result_release(&r);
	session_close(&s);
	other.d->ops->unlock(other.d, other.lock.ptr);
	session_close(&other);
	gfx_release(&g);
}

/* backup_method = pgbackrest where it cannot work, and a lock this run
 * holds itself (mgate upgrade takes it before the checklist). */
static void test_pgbackrest_settings_and_own_lock(void **state)
{
	gfx g;
	session s, other;
	checklist_result r;
	mg_error err = MG_ERROR_INIT;
	checklist_request own = { NULL, NULL, NULL, NULL, 1 };

	(void)state;
	gfx_project(&g, "backup_method = pgbackrest\n");
	assert_int_equal(gfx_alembic(&g, "upgrade", "r1"), 0);
	run(&r, &s, &g, NULL);
	expect(&r, "backup", GATE_FAIL, "needs pgbackrest_stanza");
	checklist_result_release(&r);
	session_close(&s);
	tu_write(g.dir, "alembic.ini", "[alembic]\nscript_location = %(here)s/migrations\nsqlalchemy.url = "
				       "sqlite:///%(here)s/app.db\n\n[mgate]\nalembic_version = 1.13\n"
				       "backup_method = pgbackrest\npgbackrest_stanza = app\n");
	run(&r, &s, &g, NULL);
	expect(&r, "backup", GATE_FAIL, "is for PostgreSQL");
	checklist_result_release(&r);
	session_close(&s);
	/* the lock held by this run (another connection of its own): no refusal */
	assert_int_equal(gfx_session(&other, &g, &err), 0);
	assert_int_equal(other.d->ops->lock(other.d, other.lock.ptr, 0, &err), 0);
	run(&r, &s, &g, &own);
	expect(&r, "locks", GATE_PASS, "this run holds the migration lock");
	checklist_result_release(&r);
	session_close(&s);
	other.d->ops->unlock(other.d, other.lock.ptr);
	session_close(&other);
	gfx_release(&g);
}

static void test_integrity(void **state)
{
	gfx g;
	session s;
	checklist_result r;
	mg_error err = MG_ERROR_INIT;
	size_t recorded = 0, already = 0;

	(void)state;
	gfx_project(&g, "");
	assert_int_equal(gfx_alembic(&g, "upgrade", "r2"), 0);
	assert_int_equal(gfx_session(&s, &g, &err), 0);
	assert_int_equal(ledger_baseline(&recorded, &already, s.d, &s.vt, &s.p.map, &s.rows, &err), 0);
	assert_int_equal(recorded, 2);
	session_close(&s);
	run(&r, &s, &g, NULL);
	expect(&r, "integrity", GATE_PASS, "2 applied revisions unchanged");
	checklist_result_release(&r);
	session_close(&s);
	/* a comment: information, nothing that runs changed */
	gfx_revision(g.dir, "r2", "r1", "    # reviewed\n    op.add_column('users', sa.Column('email', sa.Text))",
		     "    op.drop_column('users', 'email')");
	run(&r, &s, &g, NULL);
	expect(&r, "integrity", GATE_PASS, "2 applied revisions unchanged");
	assert_int_equal(check_of(&r, "integrity")->found.v[0].severity, SEV_INFO);
	checklist_result_release(&r);
	session_close(&s);
	/* an edit to downgrade() only: what ran is unchanged, the way back is not */
	gfx_revision(g.dir, "r2", "r1", "    op.add_column('users', sa.Column('email', sa.Text))",
		     "    # keep the data first\n    op.execute('SELECT 1')\n    op.drop_column('users', 'email')");
	run(&r, &s, &g, NULL);
	expect(&r, "integrity", GATE_WARN, "only downgrade() edited since");
	assert_int_equal(check_of(&r, "integrity")->found.v[0].severity, SEV_WARNING);
	checklist_result_release(&r);
	session_close(&s);
	/* an applied revision edited since it ran */
	gfx_revision(g.dir, "r2", "r1", "    op.add_column('users', sa.Column('email', sa.String(200)))",
		     "    op.drop_column('users', 'email')");
	run(&r, &s, &g, NULL);
	expect(&r, "integrity", GATE_FAIL, "1 applied revision edited since");
	assert_string_equal(check_of(&r, "integrity")->found.v[0].id, "edited-applied-revision");
	assert_false(r.open);
	checklist_result_release(&r);
	session_close(&s);
	gfx_release(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_and_closed),
		cmocka_unit_test(test_state_and_graph),
		cmocka_unit_test(test_rules_allow_and_rollback),
		cmocka_unit_test(test_rows_limits),
		cmocka_unit_test(test_invariants_locks_and_drill),
		cmocka_unit_test(test_pgbackrest_settings_and_own_lock),
		cmocka_unit_test(test_integrity),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
