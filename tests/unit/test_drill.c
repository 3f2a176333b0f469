/*
 * test_drill.c: the drill and the rehearsal, each on a copy of a real
 * SQLite database: a drill passes on a good backup and fails on a damaged
 * one; a rehearsal runs the pending revisions one at a time on the copy,
 * verifies them and takes them back down, and fails when the way down
 * does not bring the schema back. The real database is never changed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gate/drill.h"
#include "gate/rehearse.h"
#include "gatefix.h"

#define MGATE_LINES "backup_dir = backups\naudit_log = audit.jsonl\nrehearse_env_checked = true\n"

static void test_drill(void **state)
{
	gfx g;
	session s;
	drill_result r;
	drill_opts o = { 0, "00000000000d0001" };
	mg_error err = MG_ERROR_INIT;
	gfx_log log;
	progress p = gfx_progress(&log);
	FILE *f;

	(void)state;
	gfx_project(&g, MGATE_LINES "invariant.users = SELECT count(*) FROM users => 0\nsmoke.ok = true\n");
	assert_int_equal(gfx_alembic(&g, "upgrade", "r2"), 0);
	assert_int_equal(gfx_session(&s, &g, &err), 0);
	assert_int_equal(drill_run(&r, &s, &o, &p, &err), MG_OUT_OK);
	assert_null(r.failure);
	assert_int_equal(r.failed_step, DRILL_PASSED);
	assert_non_null(r.b.path);
	assert_true(r.backup_ms >= 0 && r.restore_ms >= 0 && r.verify_ms >= 0 && r.total_ms >= r.verify_ms);
	assert_non_null(strstr(log.text.ptr, "backup:  "));
	assert_non_null(strstr(log.text.ptr, "scratch: "));
	assert_non_null(strstr(log.text.ptr, "smoke ok: true"));
	drill_result_release(&r);
	session_close(&s);
	/* the newest backup, damaged: the drill catches it */
	o.newest = 1;
	assert_int_equal(gfx_session(&s, &g, &err), 0);
	{
		backup_info b;
		buf id = BUF_INIT;
		session_identity(&id, &s);
		if (backup_newest(&b, s.backup_dir, id.ptr, 1, NULL) != 0)
			fail_msg("no backup of %s in %s", id.ptr, s.backup_dir);
		f = fopen(b.path, "r+b");
		fseek(f, 300, SEEK_SET);
		fputc('Q', f);
		fclose(f);
		backup_info_release(&b);
		buf_release(&id);
	}
	assert_int_equal(drill_run(&r, &s, &o, &p, &err), MG_OUT_UNVERIFIED);
	assert_int_equal(r.failed_step, DRILL_RESTORE);
	assert_non_null(r.failure);
	assert_true(r.verify_ms < 0);
	drill_result_release(&r);
	session_close(&s);
	/* both are in the audit log, the failure too */
	{
		char *path = tu_printf("%s/audit.jsonl", g.dir);
		audit_drill_row *rows = NULL;
		size_t n = audit_drills(&rows, path, NULL);
		assert_int_equal(n, 2);
		assert_string_equal(rows[0].result, "pass");
		assert_string_equal(rows[1].result, "fail");
		audit_drill_rows_free(rows, n);
		free(path);
	}
	buf_release(&log.text);
	gfx_release(&g);
}

static void test_rehearse(void **state)
{
	gfx g;
	session s;
	rehearse_result r;
	rehearse_opts o = { NULL, 0, NULL };
	mg_error err = MG_ERROR_INIT;
	char id[17];
	json_t *j;

	(void)state;
	/* an id of this process's own: the scratch copy is named by it, and two builds may test at once */
	snprintf(id, sizeof(id), "%016lx", (unsigned long)getpid());
	o.correlation_id = id;
	gfx_project(&g, MGATE_LINES);
	assert_int_equal(gfx_alembic(&g, "upgrade", "r1"), 0);
	assert_int_equal(gfx_session(&s, &g, &err), 0);
	if (rehearse_run(&r, &s, &o, NULL, &err) != MG_OUT_OK)
		fail_msg("%s", err.msg);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.done, 2);
	assert_int_equal(r.steps[0].status, 0);
	assert_non_null(r.steps[0].note); /* SQLite: one lock for the whole database */
	assert_int_equal(findings_count(&r.verify, SEV_ERROR), 0);
	assert_true(r.round_ok);
	assert_int_equal(r.round_cmds.n, 1);
	assert_null(r.failure);
	j = rehearse_json(&r, &s);
	assert_string_equal(json_string_value(json_object_get(j, "result")), "pass");
	assert_int_equal(json_array_size(json_object_get(j, "steps")), 2);
	json_decref(j);
	/* the real database was only read */
	assert_int_equal(gfx_count(&g, "SELECT count(*) FROM alembic_version WHERE version_num = 'r1'"), 1);
	rehearse_result_release(&r);
	session_close(&s);
	/* a downgrade that leaves a table behind: the round trip fails */
	gfx_revision(g.dir, "r3", "r2",
		     "    op.create_table('orders', sa.Column('id', sa.Integer, primary_key=True))", "    pass");
	assert_int_equal(gfx_session(&s, &g, &err), 0);
	assert_int_equal(rehearse_run(&r, &s, &o, NULL, &err), MG_OUT_UNVERIFIED);
	assert_false(r.round_ok);
	assert_string_equal(r.failure, "the downgrade does not bring the schema back");
	assert_true(r.round.n > 0);
	rehearse_result_release(&r);
	session_close(&s);
	/* nothing pending from the newest backup's revisions */
	assert_int_equal(gfx_session(&s, &g, &err), 0);
	o.target = "r1";
	assert_int_equal(rehearse_run(&r, &s, &o, NULL, &err), MG_OUT_OK);
	assert_true(r.nothing);
	rehearse_result_release(&r);
	session_close(&s);
	gfx_release(&g);
}

static void test_rehearse_refuses(void **state)
{
	gfx g;
	session s;
	rehearse_result r;
	rehearse_opts o = { NULL, 0, "00000000000e0002" };
	mg_error err = MG_ERROR_INIT;

	(void)state;
	/* env.py may read its URL from the environment: the copy would not be used */
	gfx_project(&g, "backup_dir = backups\n");
	assert_int_equal(gfx_alembic(&g, "upgrade", "r1"), 0);
	tu_write(g.dir, "migrations/env.py", "import os\nurl = os.environ['DATABASE_URL']\n");
	assert_int_equal(gfx_session(&s, &g, &err), 0);
	assert_int_equal(rehearse_run(&r, &s, &o, NULL, &err), MG_OUT_USAGE);
	assert_non_null(strstr(err.msg, "env.py:2 may take the database URL from elsewhere"));
	rehearse_result_release(&r);
	session_close(&s);
	gfx_release(&g);
	/* no backup folder */
	gfx_project(&g, "rehearse_env_checked = true\n");
	assert_int_equal(gfx_alembic(&g, "upgrade", "r1"), 0);
	assert_int_equal(gfx_session(&s, &g, &err), 0);
	assert_int_equal(rehearse_run(&r, &s, &o, NULL, &err), MG_OUT_USAGE);
	assert_non_null(strstr(err.msg, "where are the backups?"));
	rehearse_result_release(&r);
	session_close(&s);
	gfx_release(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drill),
		cmocka_unit_test(test_rehearse),
		cmocka_unit_test(test_rehearse_refuses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
