/*
 * test_audit.c: the audit log: every kind of entry written and read back
 * in the shape docs/cli.md gives, rotation by size, the mgate_audit table
 * of a real SQLite database, and a log that cannot be written.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "gate/audit.h"
#include "gatefix.h"
#include "util/fs.h"

static char *dir;

static int setup(void **state)
{
	(void)state;
	dir = tu_tempdir();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tu_rmrf(dir);
	free(dir);
	return 0;
}

/* The entries of one command in the log at dir/name. */
static json_t *entries(const char *name, const char *command)
{
	char *path = tu_printf("%s/%s", dir, name);
	json_t *all = audit_read(path, command, NULL);

	free(path);
	return all;
}

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static void test_entries_read_back(void **state)
{
	char *path = tu_printf("%s/audit.jsonl", dir);
	audit_sink sink = { path, 0, 0, NULL, NULL };
	strvec from = STRVEC_INIT, after = STRVEC_INIT, allow = STRVEC_INIT;
	audit_head h = { "upgrade", "00000000000000aa", "sqlite:///app.db", &from };
	checklist_result g;
	findings f = FINDINGS_INIT;
	audit_upgrade u;
	audit_command cmds[] = { { "r1", 0, 12.5 } };
	audit_rollback rb = { "r1", "downgrade", "the downgrade destroys no data", cmds, 1, 0, NULL, 0, NULL, NULL, NULL, &f, 0 };
	audit_restore rs = { "/b/app.sqlite3", "ab12", "sqlite:///app.db", 1, 1, "/b/app.db.pre", &after, 0 };
	audit_drill dr = { "/b/app.sqlite3", "sqlite:////tmp/x.db", "the restored copy did not verify", &f, 5, 6, 7, 18, 5 };
	audit_last last;
	audit_drill_row *rows = NULL;
	json_t *all, *e, *report = json_pack("{s:s}", "result", "pass");
	size_t n;

	(void)state;
	memset(&g, 0, sizeof(g));
	memset(&u, 0, sizeof(u));
	strvec_push(&from, "r1");
	strvec_push(&after, "r3");
	strvec_push(&allow, "drop-column");
	strvec_push(&g.pending, "r2");
	g.n = 1;
	g.checks[0].name = "rules";
	g.checks[0].status = GATE_PASS;
	g.checks[0].summary = strdup("0 errors");
	findings_add(&g.checks[0].found, "drop-column", SEV_ERROR, "x.py", 3, "r2", "drops a column");
	findings_last(&g.checks[0].found)->suppressed = strdup("--allow: unused since v2");
	g.open = 1;
	findings_add(&f, "smoke-failed", SEV_ERROR, NULL, 0, NULL, "smoke command 'health' failed (exit 1)");
	u.gate.target = "heads";
	u.gate.result = &g;
	u.gate.skip_backup_reason = "taken by the host";
	u.gate.allow = &allow;
	u.gate.allow_reason = "unused since v2";
	u.before_snapshot = "/b/snapshots/before-aa.json";
	u.alembic_ran = 1;
	u.attempts = 1;
	u.after = &after;
	u.verification = &f;
	u.exit = 5;
	audit_write_upgrade(&sink, &h, &u, NULL);
	h.command = "check";
	audit_write_check(&sink, &h, &u.gate, 0, NULL);
	h.command = "rollback";
	audit_write_rollback(&sink, &h, &rb, NULL);
	h.command = "restore";
	audit_write_restore(&sink, &h, &rs, NULL);
	h.command = "drill";
	audit_write_drill(&sink, &h, &dr, NULL);
	h.command = "rehearse";
	audit_write_rehearse(&sink, &h, "heads", report, 0, NULL);
	/* the upgrade, in full */
	all = entries("audit.jsonl", "upgrade");
	assert_int_equal(json_array_size(all), 1);
	e = json_array_get(all, 0);
	assert_string_equal(str(e, "correlation_id"), "00000000000000aa");
	assert_string_equal(str(e, "verdict"), "open");
	assert_string_equal(json_string_value(json_array_get(json_object_get(e, "from"), 0)), "r1");
	assert_string_equal(json_string_value(json_array_get(json_object_get(e, "after"), 0)), "r3");
	assert_int_equal(json_array_size(json_object_get(e, "overrides")), 3); /* suppression, no-backup-check, allow */
	assert_string_equal(str(json_array_get(json_object_get(e, "overrides"), 0), "reason"), "--allow: unused since v2");
	assert_string_equal(str(json_array_get(json_object_get(e, "overrides"), 2), "kind"), "allow");
	assert_string_equal(str(json_object_get(e, "verification"), "result"), "fail");
	assert_string_equal(str(json_array_get(json_object_get(json_object_get(e, "verification"), "findings"), 0), "rule"),
			    "smoke-failed");
	assert_int_equal(json_integer_value(json_object_get(e, "exit")), 5);
	assert_non_null(str(e, "who"));
	json_decref(all);
	/* what rollback reads back */
	assert_int_equal(audit_last_upgrade(&last, path, "sqlite:///app.db"), 1);
	assert_string_equal(last.from.v[0], "r1");
	assert_string_equal(last.before_snapshot, "/b/snapshots/before-aa.json");
	audit_last_release(&last);
	assert_int_equal(audit_last_upgrade(&last, path, "sqlite:///other.db"), 0);
	audit_last_release(&last);
	/* the others */
	all = entries("audit.jsonl", "rollback");
	e = json_array_get(all, 0);
	assert_string_equal(str(e, "way"), "downgrade");
	assert_string_equal(str(json_array_get(json_object_get(e, "commands"), 0), "downgrade"), "r1");
	assert_string_equal(str(json_object_get(e, "verification"), "result"), "pass");
	json_decref(all);
	all = entries("audit.jsonl", "restore");
	e = json_array_get(all, 0);
	assert_string_equal(str(e, "kept"), "/b/app.db.pre");
	assert_true(json_is_true(json_object_get(e, "restored")));
	json_decref(all);
	all = entries("audit.jsonl", "rehearse");
	assert_string_equal(str(json_object_get(json_array_get(all, 0), "report"), "result"), "pass");
	json_decref(all);
	all = entries("audit.jsonl", "check");
	assert_int_equal(json_array_size(json_object_get(json_array_get(all, 0), "checks")), 1);
	json_decref(all);
	/* drills, typed */
	n = audit_drills(&rows, path, "sqlite:///app.db");
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].result, "fail");
	assert_string_equal(rows[0].failure, "the restored copy did not verify");
	assert_true(rows[0].total_ms == 18);
	audit_drill_rows_free(rows, n);
	assert_int_equal(audit_last_passing_drill(path, "sqlite:///app.db"), 0);
	dr.failure = NULL;
	dr.exit = 0;
	h.command = "drill";
	audit_write_drill(&sink, &h, &dr, NULL);
	assert_true(audit_last_passing_drill(path, "sqlite:///app.db") > 1700000000);
	json_decref(report);
	checklist_result_release(&g);
	findings_release(&f);
	strvec_release(&from);
	strvec_release(&after);
	strvec_release(&allow);
	free(path);
}

static void test_rotation(void **state)
{
	char *path = tu_printf("%s/rot.jsonl", dir), *name;
	audit_sink sink = { path, 300, 0, NULL, NULL };
	strvec from = STRVEC_INIT;
	audit_head h = { "drill", "id", "db", &from };
	audit_drill dr = { NULL, NULL, NULL, NULL, -1, -1, -1, 1, 0 };
	json_t *all;
	int i;

	(void)state;
	for (i = 0; i < 20; i++)
		audit_write_drill(&sink, &h, &dr, NULL);
	/* path, path.1 ... path.5: the oldest dropped, the rest read oldest first */
	for (i = 1; i <= 5; i++) {
		name = tu_printf("%s.%d", path, i);
		assert_true(fs_exists(name));
		free(name);
	}
	name = tu_printf("%s.6", path);
	assert_false(fs_exists(name));
	free(name);
	all = audit_read(path, "drill", "db");
	assert_true(json_array_size(all) >= 6);
	assert_true(json_array_size(all) < 20);
	json_decref(all);
	/* lines that are not JSON objects are skipped */
	tu_write(dir, "rot.jsonl", "not json\n[1, 2]\n{\"command\": \"drill\", \"database\": \"db\"}\n");
	all = audit_read(path, "drill", "db");
	assert_true(json_array_size(all) >= 1);
	json_decref(all);
	free(path);
}

static void test_table_and_failures(void **state)
{
	gfx g;
	session s;
	mg_error err = MG_ERROR_INIT;
	gfx_log log;
	progress p = gfx_progress(&log);
	audit_sink sink;
	audit_head h;
	audit_drill dr = { NULL, NULL, NULL, NULL, -1, -1, -1, 1, 0 };
	char *bad = tu_printf("%s/no/such/folder/audit.jsonl", dir);

	(void)state;
	gfx_project(&g, "audit_table = true\n");
	assert_int_equal(gfx_alembic(&g, "upgrade", "r1"), 0);
	assert_int_equal(gfx_session(&s, &g, &err), 0);
	assert_true(s.audit.table);
	h = session_audit_head(&s, "drill", "1234");
	audit_write_drill(&s.audit, &h, &dr, &p);
	assert_string_equal(log.text.ptr, "");
	assert_int_equal(gfx_count(&g, "SELECT count(*) FROM mgate_audit"), 1);
	/* a log that cannot be written: the decision stands, with a warning */
	sink = s.audit;
	sink.path = bad;
	sink.table = 0;
	audit_write_drill(&sink, &h, &dr, &p);
	assert_non_null(strstr(log.text.ptr, "this decision is not in the audit log"));
	assert_int_equal(atoi(log.text.ptr), PROGRESS_WARN);
	session_close(&s);
	buf_release(&log.text);
	free(bad);
	gfx_release(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_entries_read_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rotation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_and_failures, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
