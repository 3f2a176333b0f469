/*
 * test_restore.c: putting a backup back on a real SQLite database, and
 * every refusal: a backup that does not verify, one of another database,
 * a target that is another database and not empty, a lock held by another
 * run. A refusal changes nothing.
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

#include "gate/backup.h"
#include "gate/restore.h"
#include "gatefix.h"
#include "util/fs.h"
#include "version.h"

/* A project at r1 with a backup, then upgraded to r3 by Alembic. Returns
 * the backup's path (the caller frees it). */
static char *project_with_backup(gfx *g, const char *lines)
{
	char *path;

	gfx_project(g, lines);
	assert_int_equal(gfx_alembic(g, "upgrade", "r1"), 0);
	path = gfx_backup(g);
	assert_int_equal(gfx_alembic(g, "upgrade", "r3"), 0);
	return path;
}

static int prepare(restore_plan *plan, session *s, const gfx *g, const char *spec, const char *into, mg_error *err)
{
	assert_int_equal(gfx_session(s, g, err), 0);
	return restore_prepare(plan, s, spec, into, err);
}

static void test_in_place(void **state)
{
	gfx g;
	session s;
	restore_plan plan;
	restore_result r;
	mg_error err = MG_ERROR_INIT;
	char *path = project_with_backup(&g, "backup_dir = backups\naudit_log = audit.jsonl\n"), *audit;
	json_t *all, *e;

	(void)state;
	assert_int_equal(prepare(&plan, &s, &g, "newest", NULL, &err), MG_OUT_OK);
	assert_true(plan.in_place);
	assert_string_equal(plan.backup.path, path);
	assert_int_equal(restore_execute(&r, &s, &plan, 0, "0000111122223333", NULL, &err), MG_OUT_OK);
	assert_true(r.restored);
	assert_true(r.rows_read);
	assert_string_equal(r.rows.v[0], "r1");
	assert_non_null(r.kept);
	assert_true(fs_exists(r.kept)); /* what was there, kept */
	assert_int_equal(gfx_count(&g, "SELECT count(*) FROM sqlite_master WHERE name = 'orders'"), 0);
	audit = tu_printf("%s/audit.jsonl", g.dir);
	all = audit_read(audit, "restore", NULL);
	assert_int_equal(json_array_size(all), 1);
	e = json_array_get(all, 0);
	assert_true(json_is_true(json_object_get(e, "restored")));
	assert_true(json_is_true(json_object_get(e, "in_place")));
	assert_string_equal(json_string_value(json_object_get(e, "kept")), r.kept);
	assert_int_equal(json_integer_value(json_object_get(e, "exit")), 0);
	json_decref(all);
	restore_result_release(&r);
	restore_plan_release(&plan);
	session_close(&s);
	/* the file given by name, or by its manifest, names the same backup */
	{
		char *manifest = tu_printf("%s.manifest.json", path);
		assert_int_equal(prepare(&plan, &s, &g, manifest, NULL, &err), MG_OUT_OK);
		assert_string_equal(plan.backup.path, path);
		restore_plan_release(&plan);
		session_close(&s);
		free(manifest);
	}
	free(audit);
	free(path);
	gfx_release(&g);
}

static void test_refusals(void **state)
{
	gfx g, other;
	session s;
	restore_plan plan;
	restore_result r;
	mg_error err = MG_ERROR_INIT;
	char *path = project_with_backup(&g, "backup_dir = backups\n"), *into;
	FILE *f;

	(void)state;
	/* not a backup */
	assert_int_equal(prepare(&plan, &s, &g, "/nonexistent/backup.sqlite3", NULL, &err), MG_OUT_USAGE);
	assert_non_null(strstr(err.msg, "does not exist"));
	restore_plan_release(&plan);
	session_close(&s);
	/* into another database that is not empty */
	gfx_project(&other, "");
	assert_int_equal(gfx_alembic(&other, "upgrade", "r1"), 0);
	into = tu_printf("sqlite:///%s", other.db);
	assert_int_equal(prepare(&plan, &s, &g, path, into, &err), MG_OUT_BLOCKED);
	assert_non_null(strstr(err.msg, "it is another database and it is not empty"));
	restore_plan_release(&plan);
	session_close(&s);
	/* the backup of another database over this one */
	assert_int_equal(gfx_session(&s, &other, &err), 0);
	assert_int_equal(restore_prepare(&plan, &s, path, NULL, &err), MG_OUT_OK);
	assert_int_equal(restore_execute(&r, &s, &plan, 0, "a", NULL, &err), MG_OUT_BLOCKED);
	assert_non_null(strstr(err.msg, "the backup is of another database"));
	assert_false(r.restored);
	assert_int_equal(gfx_count(&other, "SELECT count(*) FROM alembic_version WHERE version_num = 'r1'"), 1);
	restore_result_release(&r);
	restore_plan_release(&plan);
	session_close(&s);
	/* a backup whose bytes changed since it was taken */
	f = fopen(path, "r+b");
	assert_non_null(f);
	fseek(f, 100, SEEK_SET);
	fputc('X', f);
	fclose(f);
	assert_int_equal(prepare(&plan, &s, &g, path, NULL, &err), MG_OUT_OK);
	assert_int_equal(restore_execute(&r, &s, &plan, 0, "b", NULL, &err), MG_OUT_BLOCKED);
	if (!strstr(err.msg, "SHA-256") && !strstr(err.msg, "checksum"))
		fail_msg("%s", err.msg);
	assert_non_null(strstr(err.msg, "nothing was changed"));
	assert_int_equal(gfx_count(&g, "SELECT count(*) FROM alembic_version WHERE version_num = 'r3'"), 1);
	restore_result_release(&r);
	restore_plan_release(&plan);
	session_close(&s);
	/* so `newest` finds none that verifies */
	assert_int_equal(prepare(&plan, &s, &g, "newest", NULL, &err), MG_OUT_BLOCKED);
	assert_non_null(strstr(err.msg, "verifies"));
	restore_plan_release(&plan);
	session_close(&s);
	free(into);
	free(path);
	gfx_release(&other);
	gfx_release(&g);
}

static void test_into_empty_and_locks(void **state)
{
	gfx g;
	session s, holder;
	restore_plan plan;
	restore_result r;
	mg_error err = MG_ERROR_INIT;
	char *path = project_with_backup(&g, "backup_dir = backups\n"), *copy, *into;

	(void)state;
	/* `newest` needs the backup folder */
	{
		session_opts o;
		memset(&o, 0, sizeof(o));
		o.project.config.ini_path = g.ini;
		o.project.config.no_cache = 1;
		o.db = SESSION_DB_OPTIONAL;
		o.backup_dir = NULL;
		assert_int_equal(session_open(&s, &o, &err), 0);
		free(s.backup_dir);
		s.backup_dir = NULL;
		assert_int_equal(restore_prepare(&plan, &s, "newest", NULL, &err), MG_OUT_USAGE);
		restore_plan_release(&plan);
		session_close(&s);
	}
	/* into a database that does not exist yet */
	copy = tu_printf("%s/copy.db", g.dir);
	into = tu_printf("sqlite:///%s", copy);
	assert_int_equal(prepare(&plan, &s, &g, path, into, &err), MG_OUT_OK);
	assert_false(plan.in_place);
	assert_int_equal(restore_execute(&r, &s, &plan, 0, "c", NULL, &err), MG_OUT_OK);
	assert_string_equal(r.rows.v[0], "r1");
	assert_null(r.kept);
	assert_true(fs_exists(copy));
	restore_result_release(&r);
	restore_plan_release(&plan);
	session_close(&s);
	/* in place while another run holds the migration lock */
	assert_int_equal(gfx_session(&holder, &g, &err), 0);
	assert_int_equal(holder.d->ops->lock(holder.d, holder.lock.ptr, 0, &err), 0);
	assert_int_equal(prepare(&plan, &s, &g, path, NULL, &err), MG_OUT_OK);
	assert_int_equal(restore_execute(&r, &s, &plan, 0, "d", NULL, &err), MG_OUT_BLOCKED);
	assert_non_null(strstr(err.msg, "nothing was changed"));
	assert_false(r.restored);
	assert_int_equal(gfx_count(&g, "SELECT count(*) FROM alembic_version WHERE version_num = 'r3'"), 1);
	holder.d->ops->unlock(holder.d, holder.lock.ptr);
	restore_result_release(&r);
	restore_plan_release(&plan);
	session_close(&s);
	session_close(&holder);
	free(copy);
	free(into);
	free(path);
	gfx_release(&g);
}

static void test_failures_after_the_checks(void **state)
{
	gfx g;
	session s;
	restore_plan plan;
	restore_result r;
	mg_error err = MG_ERROR_INIT;
	char *path = project_with_backup(&g, "backup_dir = backups\n"), *manifest, *text, *at;
	buf m = BUF_INIT;

	(void)state;
	/* a target URL that is no database's */
	assert_int_equal(prepare(&plan, &s, &g, path, "nosuch://x", &err), MG_OUT_USAGE);
	restore_plan_release(&plan);
	session_close(&s);
	/* the database is in use: a write-ahead log that is not empty */
	tu_write(g.dir, "app.db-wal", "pending pages");
	assert_int_equal(prepare(&plan, &s, &g, path, NULL, &err), MG_OUT_OK);
	assert_int_equal(restore_execute(&r, &s, &plan, 0, "e", NULL, &err), MG_OUT_ENV);
	assert_non_null(strstr(err.msg, "is in use"));
	assert_false(r.restored);
	restore_result_release(&r);
	restore_plan_release(&plan);
	session_close(&s);
	tu_write(g.dir, "app.db-wal", "");
	/* the manifest says other revisions than the restored database has */
	manifest = tu_printf("%s.manifest.json", path);
	assert_int_equal(fs_read_file(&m, manifest, 1 << 20, &err), 0);
	at = strstr(m.ptr, "\"r1\"");
	assert_non_null(at);
	at[2] = '9';
	text = strdup(m.ptr);
	assert_int_equal(fs_write_atomic(manifest, text, strlen(text), 0600, &err), 0);
	assert_int_equal(prepare(&plan, &s, &g, path, NULL, &err), MG_OUT_OK);
	assert_int_equal(restore_execute(&r, &s, &plan, 0, "f", NULL, &err), MG_OUT_UNVERIFIED);
	assert_non_null(strstr(err.msg, "version rows differ from the backup's manifest"));
	assert_true(r.restored);
	assert_true(r.rows_read);
	restore_result_release(&r);
	restore_plan_release(&plan);
	session_close(&s);
	free(text);
	free(manifest);
	buf_release(&m);
	free(path);
	gfx_release(&g);
}

/* An adapter whose restore does not keep what it replaces (PostgreSQL's):
 * the current database is backed up first, here a real SQLite one. */
static void test_kept_by_a_backup_first(void **state)
{
	gfx g;
	session s;
	backup_info b;
	restore_result r;
	db_ops ops;
	const db_ops *real;
	db *lockdb = NULL;
	mg_error err = MG_ERROR_INIT;
	char *path = project_with_backup(&g, "backup_dir = backups\n"), *url = tu_printf("sqlite:///%s", g.db);

	(void)state;
	assert_int_equal(gfx_session(&s, &g, &err), 0);
	assert_int_equal(backup_load(&b, path, 1, &err), 0);
	assert_int_equal(db_open(&lockdb, url, &err), 0);
	real = lockdb->ops;
	ops = *real;
	ops.restore_keeps_previous = 0;
	lockdb->ops = &ops;
	assert_int_equal(restore_put(&r, &b, url, NULL, lockdb, s.backup_dir, &s.vt, NULL, NULL, &err), MG_OUT_OK);
	assert_non_null(r.pre_backup);
	assert_true(fs_exists(r.pre_backup));
	restore_result_release(&r);
	/* and when that backup cannot be taken, nothing is changed */
	assert_int_equal(restore_put(&r, &b, url, NULL, lockdb, "/proc/mgate-cannot-write-here", &s.vt, NULL, NULL, &err), MG_OUT_ENV);
	assert_non_null(strstr(err.msg, "cannot keep the current database first"));
	assert_false(r.restored);
	restore_result_release(&r);
	lockdb->ops = real;
	db_close(lockdb);
	backup_info_release(&b);
	session_close(&s);
	free(url);
	free(path);
	gfx_release(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_place),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_into_empty_and_locks),
		cmocka_unit_test(test_failures_after_the_checks),
		cmocka_unit_test(test_kept_by_a_backup_first),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
