/*
 * test_scriptdir.c: which files Alembic loads, in which order, and what
 * happens to scripts it cannot load.
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

#include "alembic/config.h"
#include "alembic/scriptdir.h"
#include "testutil.h"
#include "util/buf.h"

static char *dir;

static int setup(void **state)
{
	(void)state;
	dir = tu_tempdir();
	tu_write(dir, "migrations/env.py", "");
	tu_mkdir(dir, "migrations/versions");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tu_rmrf(dir);
	free(dir);
	return 0;
}

static void write_rev(const char *name, const char *rev, const char *down)
{
	char path[4096], text[512];
	snprintf(path, sizeof(path), "migrations/versions/%s", name);
	if (down)
		snprintf(text, sizeof(text), "revision = '%s'\ndown_revision = '%s'\n", rev, down);
	else
		snprintf(text, sizeof(text), "revision = '%s'\ndown_revision = None\n", rev);
	tu_write(dir, path, text);
}

static void load(scriptdir *sd, findings *f, const char *version, const char *extra)
{
	mgate_config cfg;
	config_opts o = CONFIG_OPTS_INIT;
	mg_error err = MG_ERROR_INIT;
	char ini[4096], text[1024];

	snprintf(text, sizeof(text), "[alembic]\nscript_location = %%(here)s/migrations\n%s", extra ? extra : "");
	tu_write(dir, "alembic.ini", text);
	snprintf(ini, sizeof(ini), "%s/alembic.ini", dir);
	o.ini_path = ini;
	o.alembic_version = version;
	assert_int_equal(config_load(&cfg, &o, &err), 0);
	assert_int_equal(scriptdir_load(sd, &cfg, f, &err), 0);
	config_release(&cfg);
}

static const finding *find(const findings *f, const char *id)
{
	size_t i;
	for (i = 0; i < f->n; i++)
		if (!strcmp(f->v[i].id, id))
			return &f->v[i];
	return NULL;
}

static void test_name_rules(void **state)
{
	scriptdir sd;
	findings f = FINDINGS_INIT;
	(void)state;
	write_rev("aaaa_one.py", "aaaa", NULL);
	tu_write(dir, "migrations/versions/__init__.py", "garbage(");
	tu_write(dir, "migrations/versions/__init__helper.py", "garbage(");
	tu_write(dir, "migrations/versions/.#lock.py", "garbage(");
	tu_write(dir, "migrations/versions/notes.txt", "garbage(");
	tu_write(dir, "migrations/versions/script.pyc", "garbage(");
	load(&sd, &f, "1.13", NULL);
	assert_int_equal(sd.n, 1);
	assert_int_equal(sd.files_read, 1);
	assert_int_equal(f.n, 0);
	assert_string_equal(sd.v[0].revision, "aaaa");
	scriptdir_release(&sd);
}

static void test_sorted_and_recursive(void **state)
{
	scriptdir sd;
	findings f = FINDINGS_INIT;
	(void)state;
	write_rev("c.py", "c", "b");
	write_rev("a.py", "a", NULL);
	write_rev("B.py", "b", "a");
	tu_write(dir, "migrations/versions/sub/d.py", "revision = 'd'\ndown_revision = 'c'\n");
	tu_write(dir, "migrations/versions/__pycache__/e.py", "revision = 'e'\ndown_revision = 'd'\n");
	load(&sd, &f, "1.13", NULL);
	assert_int_equal(sd.n, 3);                  /* not recursive: sub/ is not read */
	assert_string_equal(sd.v[0].revision, "b"); /* "B.py" < "a.py": code point order */
	assert_string_equal(sd.v[1].revision, "a");
	assert_string_equal(sd.v[2].revision, "c");
	scriptdir_release(&sd);
	load(&sd, &f, "1.13", "recursive_version_locations = true\n");
	assert_int_equal(sd.n, 4); /* sub/ is read, __pycache__ is not */
	assert_string_equal(sd.v[3].revision, "d");
	assert_true(strstr(sd.v[3].path, "/sub/d.py") != NULL);
	scriptdir_release(&sd);
	/* Alembic 1.8 ignores the option, and says so */
	load(&sd, &f, "1.8", "recursive_version_locations = true\n");
	assert_int_equal(sd.n, 3);
	assert_non_null(find(&f, "recursive-unsupported"));
	scriptdir_release(&sd);
	findings_release(&f);
}

static void test_unloadable_scripts(void **state)
{
	scriptdir sd;
	findings f = FINDINGS_INIT;
	(void)state;
	write_rev("a.py", "a", NULL);
	tu_write(dir, "migrations/versions/helpers.py", "def f():\n    return 1\n");
	tu_write(dir, "migrations/versions/0badc0de.py", "down_revision = 'a'\n"); /* legacy: id from the name */
	tu_write(dir, "migrations/versions/nodown.py", "revision = 'x'\n");
	tu_mkdir(dir, "migrations/versions/folder.py");
	load(&sd, &f, "1.13", NULL);
	assert_non_null(find(&f, "no-revision"));
	assert_non_null(strstr(find(&f, "no-revision")->path, "helpers.py"));
	assert_non_null(find(&f, "legacy-revision-name"));
	assert_non_null(find(&f, "no-down-revision"));
	/* os.walk (Alembic 1.10+) puts folder.py among the folders: not loaded */
	assert_int_equal(findings_count(&f, SEV_ERROR), 2);
	assert_int_equal(sd.n, 2); /* a and the legacy 0badc0de */
	assert_string_equal(sd.v[0].revision, "0badc0de");
	scriptdir_release(&sd);
	findings_release(&f);
	/* os.listdir (Alembic 1.8) lists it, and Alembic fails on it */
	load(&sd, &f, "1.8", NULL);
	assert_int_equal(findings_count(&f, SEV_ERROR), 3);
	assert_non_null(strstr(find(&f, "no-revision")->path, "folder.py"));
	scriptdir_release(&sd);
	findings_release(&f);
}

static void test_version_locations(void **state)
{
	scriptdir sd;
	findings f = FINDINGS_INIT;
	(void)state;
	tu_write(dir, "extra/x.py", "revision = 'x'\ndown_revision = None\n");
	write_rev("a.py", "a", NULL);
	load(&sd, &f, "1.13", "version_locations = %(here)s/migrations/versions %(here)s/extra %(here)s/missing %(here)s/extra\n");
	assert_int_equal(sd.n, 2);
	assert_non_null(find(&f, "missing-version-location"));
	assert_non_null(find(&f, "file-loaded-twice"));
	scriptdir_release(&sd);
	findings_release(&f);
}

static void test_many_files_in_parallel(void **state)
{
	scriptdir sd;
	findings f = FINDINGS_INIT;
	char name[64], rev[32], down[32];
	int i;
	(void)state;
	for (i = 0; i < 600; i++) {
		snprintf(name, sizeof(name), "%04d_step.py", i);
		snprintf(rev, sizeof(rev), "r%04d", i);
		snprintf(down, sizeof(down), "r%04d", i - 1);
		write_rev(name, rev, i ? down : NULL);
	}
	tu_write(dir, "migrations/versions/0300_broken.py", "revision = 'oops\n");
	load(&sd, &f, "1.13", NULL);
	assert_int_equal(sd.n, 600);
	for (i = 0; i < 600; i++) { /* load order is kept whatever thread read the file */
		snprintf(rev, sizeof(rev), "r%04d", i);
		assert_string_equal(sd.v[i].revision, rev);
	}
	assert_int_equal(f.n, 1);
	assert_string_equal(f.v[0].id, "syntax-error");
	scriptdir_release(&sd);
	findings_release(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_name_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sorted_and_recursive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unloadable_scripts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_version_locations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_files_in_parallel, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
