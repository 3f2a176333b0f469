/*
 * test_backup.c: backups of a real SQLite database with their manifests:
 * taken and proven, listed newest first and verified (a missing file, a
 * changed size or checksum, an unreadable manifest, an interrupted backup),
 * found by database, and refused for another database or dialect.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gate/backup.h"
#include "gatefix.h"
#include "util/fs.h"
#include "version.h"

static void progress_seen(double done, void *ctx)
{
	double *last = ctx;

	assert_true(done >= *last);
	*last = done;
}

/* A backup of the project's database, through backup_database. */
static void take(backup_info *b, const gfx *g, const char *dir)
{
	char *url = tu_printf("sqlite:///%s", g->db);
	db_version_table vt = { "alembic_version", NULL };
	buf where = BUF_INIT;
	mg_error err = MG_ERROR_INIT;
	double last = 0;

	assert_int_equal(backup_database(b, &where, url, &vt, dir, progress_seen, &last, &err), 0);
	assert_true(last == 1.0);
	assert_non_null(strstr(where.ptr, "app.db"));
	buf_release(&where);
	free(url);
}

static void test_take_list_and_find(void **state)
{
	gfx g;
	backup_info a, b, n;
	backup_list l;
	mg_error err = MG_ERROR_INIT;
	char *dir, *manifest;
	struct stat st;

	(void)state;
	gfx_project(&g, "");
	dir = tu_printf("%s/backups", g.dir);
	assert_int_equal(gfx_alembic(&g, "upgrade", "r1"), 0);
	take(&a, &g, dir);
	assert_string_equal(a.format, "sqlite");
	assert_int_equal(a.revisions.n, 1);
	assert_string_equal(a.revisions.v[0], "r1");
	assert_int_equal(strlen(a.sha256), 64);
	assert_int_equal(stat(a.path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, a.size);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	sleep(1); /* a second backup, a second later: the newest first */
	assert_int_equal(gfx_alembic(&g, "upgrade", "r2"), 0);
	take(&b, &g, dir);
	assert_int_equal(backup_list_dir(&l, dir, 1, &err), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].path, b.path);
	assert_int_equal(l.v[0].status, BACKUP_OK);
	assert_string_equal(l.v[1].revisions.v[0], "r1");
	backup_list_release(&l);
	/* the newest of this database */
	assert_int_equal(backup_newest(&n, dir, a.identity, 1, NULL), 0);
	assert_string_equal(n.path, b.path);
	backup_info_release(&n);
	/* the newest at given version rows; the newest of all when none is */
	{
		strvec at = STRVEC_INIT;
		strvec_push(&at, "r1");
		assert_int_equal(backup_newest(&n, dir, a.identity, 1, &at), 0);
		assert_string_equal(n.path, a.path);
		backup_info_release(&n);
		strvec_release(&at);
		strvec_push(&at, "r9");
		assert_int_equal(backup_newest(&n, dir, a.identity, 1, &at), 0);
		assert_string_equal(n.path, b.path);
		backup_info_release(&n);
		strvec_release(&at);
	}
	assert_int_equal(backup_newest(&n, dir, "sqlite:/another.db", 1, NULL), MG_ENOTFOUND);
	assert_int_equal(backup_newest(&n, NULL, a.identity, 1, NULL), MG_ENOTFOUND);
	/* one backup by its file or its manifest */
	manifest = tu_printf("%s.manifest.json", a.path);
	assert_int_equal(backup_load(&n, manifest, 1, &err), 0);
	assert_string_equal(n.path, a.path);
	assert_int_equal(n.status, BACKUP_OK);
	backup_info_release(&n);
	assert_int_equal(backup_load(&n, "/nonexistent/x.sqlite3", 1, &err), MG_ENOTFOUND);
	backup_info_release(&n);
	/* restorable here; not over another dialect, nor another database */
	assert_int_equal(backup_restorable(&a, "sqlite:///x.db", NULL, &err), 0);
	assert_int_equal(backup_restorable(&a, "postgresql://u@h/db", NULL, &err), MG_ERR);
	assert_non_null(strstr(err.msg, "it is a sqlite backup"));
	assert_int_equal(backup_restorable(&a, "sqlite:///x.db", "sqlite:/x.db", &err), MG_ERR);
	assert_non_null(strstr(err.msg, "the backup is of another database"));
	assert_string_equal(backup_status_name(BACKUP_SIZE), "size mismatch");
	free(manifest);
	backup_info_release(&a);
	backup_info_release(&b);
	free(dir);
	gfx_release(&g);
}

static void test_damage_is_seen(void **state)
{
	gfx g;
	backup_info a, b, c, d;
	backup_list l;
	mg_error err = MG_ERROR_INIT;
	char *dir, *manifest;
	FILE *f;
	size_t i;
	int seen[6] = { 0 };

	(void)state;
	gfx_project(&g, "");
	dir = tu_printf("%s/backups", g.dir);
	assert_int_equal(gfx_alembic(&g, "upgrade", "r1"), 0);
	take(&a, &g, dir);
	sleep(1);
	take(&b, &g, dir);
	sleep(1);
	take(&c, &g, dir);
	sleep(1);
	take(&d, &g, dir);
	/* a: its bytes changed; b: longer than its manifest says; c: gone;
	 * d: its manifest unreadable; and a leftover of an interrupted backup */
	f = fopen(a.path, "r+b");
	fseek(f, 200, SEEK_SET);
	fputc('Z', f);
	fclose(f);
	f = fopen(b.path, "ab");
	fputs("more", f);
	fclose(f);
	unlink(c.path);
	manifest = tu_printf("%s.manifest.json", d.path);
	tu_write("/", manifest + 1, "{\"file\": \"x\"}");
	tu_write(dir, ".tmp-app-1.sqlite3", "half");
	assert_int_equal(backup_list_dir(&l, dir, 1, &err), 0);
	assert_int_equal(l.n, 5);
	for (i = 0; i < l.n; i++) {
		seen[l.v[i].status]++;
		assert_non_null(l.v[i].problem);
	}
	assert_int_equal(seen[BACKUP_CHECKSUM], 1);
	assert_int_equal(seen[BACKUP_SIZE], 1);
	assert_int_equal(seen[BACKUP_MISSING], 1);
	assert_int_equal(seen[BACKUP_BAD_MANIFEST], 1);
	assert_int_equal(seen[BACKUP_INCOMPLETE], 1);
	backup_list_release(&l);
	/* without verification only what the manifests say is checked */
	assert_int_equal(backup_list_dir(&l, dir, 0, &err), 0);
	for (i = 0; i < l.n; i++)
		assert_true(l.v[i].status != BACKUP_CHECKSUM && l.v[i].status != BACKUP_SIZE);
	backup_list_release(&l);
	/* none of this database verifies now */
	backup_info_release(&c);
	assert_int_equal(backup_newest(&c, dir, a.identity, 1, NULL), MG_ENOTFOUND);
	assert_int_equal(backup_list_dir(&l, "/nonexistent/backups", 1, &err), MG_ENOTFOUND);
	backup_list_release(&l);
	free(manifest);
	backup_info_release(&a);
	backup_info_release(&b);
	backup_info_release(&d);
	free(dir);
	gfx_release(&g);
}

static void test_bad_database(void **state)
{
	backup_info b;
	buf where = BUF_INIT;
	db_version_table vt = { "alembic_version", NULL };
	mg_error err = MG_ERROR_INIT;

	(void)state;
	assert_int_equal(backup_database(&b, &where, "nosuch://x", &vt, "/tmp", NULL, NULL, &err), MG_ECONFIG);
	assert_int_equal(backup_database(&b, &where, "sqlite:////nonexistent/app.db", &vt, "/tmp", NULL, NULL, &err), MG_EENV);
	assert_non_null(strstr(err.msg, "does not exist"));
	buf_release(&where);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_take_list_and_find),
		cmocka_unit_test(test_damage_is_seen),
		cmocka_unit_test(test_bad_database),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
