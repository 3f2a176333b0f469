/*
 * test_config.c: resolving an Alembic project's locations from alembic.ini
 * as Alembic does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alembic/config.h"
#include "testutil.h"
#include "util/buf.h"

static char *dir;

static int setup(void **state)
{
	(void)state;
	dir = tu_tempdir();
	tu_write(dir, "migrations/env.py", "");
	tu_write(dir, "a/x.py", "");
	tu_write(dir, "b/x.py", "");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tu_rmrf(dir);
	free(dir);
	return 0;
}

static int load(mgate_config *cfg, const char *ini_text, mg_error *err)
{
	buf path = BUF_INIT;
	config_opts o = CONFIG_OPTS_INIT;
	int rc;

	tu_write(dir, "alembic.ini", ini_text);
	buf_printf(&path, "%s/alembic.ini", dir);
	o.ini_path = path.ptr;
	o.alembic_version = "1.13";
	rc = config_load(cfg, &o, err);
	buf_release(&path);
	return rc;
}

static void assert_location(const mgate_config *cfg, size_t i, const char *suffix)
{
	buf want = BUF_INIT;
	buf_printf(&want, "%s/%s", dir, suffix);
	assert_true(i < cfg->version_locations.n);
	assert_string_equal(cfg->version_locations.v[i], want.ptr);
	buf_release(&want);
}

static void test_defaults(void **state)
{
	mgate_config cfg;
	mg_error err = MG_ERROR_INIT;
	(void)state;
	assert_int_equal(load(&cfg, "[alembic]\nscript_location = %(here)s/migrations\nsqlalchemy.url = sqlite:///%(here)s/x.db\n", &err), 0);
	assert_int_equal(cfg.version_locations.n, 1);
	assert_location(&cfg, 0, "migrations/versions");
	assert_false(cfg.version_locations_given);
	assert_non_null(strstr(cfg.sqlalchemy_url, dir));
	assert_string_equal(cfg.compat.source, "option");
	config_release(&cfg);
}

static void test_separators(void **state)
{
	mgate_config cfg;
	mg_error err = MG_ERROR_INIT;
	(void)state;
	/* legacy: spaces and commas */
	assert_int_equal(load(&cfg, "[alembic]\nscript_location = %(here)s/migrations\nversion_locations = %(here)s/a, %(here)s/b\n", &err), 0);
	assert_int_equal(cfg.version_locations.n, 2);
	assert_location(&cfg, 1, "b");
	config_release(&cfg);
	/* version_path_separator = os */
	assert_int_equal(load(&cfg, "[alembic]\nscript_location = %(here)s/migrations\nversion_locations = %(here)s/a:%(here)s/b\nversion_path_separator = os\n", &err), 0);
	assert_int_equal(cfg.version_locations.n, 2);
	config_release(&cfg);
	/* ';' survives as a value (inih would take it for a comment) */
	assert_int_equal(load(&cfg, "[alembic]\nscript_location = %(here)s/migrations\nversion_locations = %(here)s/a;%(here)s/b\nversion_path_separator = ;\n", &err), 0);
	assert_int_equal(cfg.version_locations.n, 2);
	assert_location(&cfg, 0, "a");
	config_release(&cfg);
	/* path_separator = newline (Alembic 1.16) */
	assert_int_equal(load(&cfg, "[alembic]\nscript_location = %(here)s/migrations\npath_separator = newline\nversion_locations =\n    %(here)s/a\n    %(here)s/b\n", &err), 0);
	assert_int_equal(cfg.version_locations.n, 2);
	assert_location(&cfg, 1, "b");
	config_release(&cfg);
	/* Alembic's own template comment is part of the value: an error, as in Alembic */
	assert_int_equal(load(&cfg, "[alembic]\nscript_location = %(here)s/migrations\nversion_locations = %(here)s/a\nversion_path_separator = os  # Use os.pathsep.\n", &err), MG_ECONFIG);
	assert_non_null(strstr(err.msg, "not a valid value for version_path_separator"));
	config_release(&cfg);
}

static void test_names_and_recursive(void **state)
{
	mgate_config cfg;
	mg_error err = MG_ERROR_INIT;
	(void)state;
	assert_int_equal(load(&cfg, "[alembic]\nscript_location = %(here)s/migrations\nrecursive_version_locations = true\n"
				    "[mgate]\nnames = cli.CONTRACT_BRANCH=contract, cli.EXPAND_BRANCH = expand\n",
			      &err),
			 0);
	assert_true(cfg.recursive);
	assert_int_equal(cfg.names.keys.n, 2);
	assert_string_equal(cfg.names.keys.v[1], "cli.EXPAND_BRANCH");
	assert_string_equal(cfg.names.values.v[1], "expand");
	config_release(&cfg);
	assert_int_equal(load(&cfg, "[alembic]\nscript_location = %(here)s/migrations\n[mgate]\nnames = junk\n", &err), MG_ECONFIG);
	assert_non_null(strstr(err.msg, "'junk'"));
	config_release(&cfg);
}

static void test_errors(void **state)
{
	mgate_config cfg;
	mg_error err = MG_ERROR_INIT;
	config_opts o = CONFIG_OPTS_INIT;
	(void)state;
	assert_int_equal(load(&cfg, "[other]\nx = 1\n", &err), MG_ECONFIG);
	assert_non_null(strstr(err.msg, "no [alembic] section"));
	config_release(&cfg);
	assert_int_equal(load(&cfg, "[alembic]\nsqlalchemy.url = x\n", &err), MG_ECONFIG);
	assert_non_null(strstr(err.msg, "no 'script_location'"));
	config_release(&cfg);
	assert_int_equal(load(&cfg, "[alembic]\nscript_location = myapp:migrations\n", &err), MG_ECONFIG);
	assert_non_null(strstr(err.msg, "package resource"));
	config_release(&cfg);
	assert_int_equal(load(&cfg, "[alembic]\nscript_location = %(here)s/nowhere\n", &err), MG_ECONFIG);
	assert_non_null(strstr(err.msg, "is not a folder"));
	config_release(&cfg);
	o.ini_path = "/nonexistent/alembic.ini";
	assert_int_equal(config_load(&cfg, &o, &err), MG_ECONFIG);
	assert_non_null(strstr(err.msg, "not found"));
	config_release(&cfg);
}

static void test_script_location_without_ini(void **state)
{
	mgate_config cfg;
	mg_error err = MG_ERROR_INIT;
	config_opts o = CONFIG_OPTS_INIT;
	buf sl = BUF_INIT;
	char cwd[4096];
	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir("/"), 0); /* no alembic.ini here */
	buf_printf(&sl, "%s/migrations", dir);
	o.script_location = sl.ptr;
	o.alembic_version = "1.8";
	assert_int_equal(config_load(&cfg, &o, &err), 0);
	assert_null(cfg.ini_path);
	assert_location(&cfg, 0, "migrations/versions");
	assert_false(config_sorted_listing(&cfg));
	config_release(&cfg);
	assert_int_equal(chdir(cwd), 0);
	buf_release(&sl);
}

static void test_versions(void **state)
{
	alembic_compat c;
	(void)state;
	assert_int_equal(config_parse_version(&c, "1.13.2"), 0);
	assert_int_equal(c.major, 1);
	assert_int_equal(c.minor, 13);
	assert_int_equal(config_parse_version(&c, "1"), -1);
	assert_int_equal(config_parse_version(&c, "x.y"), -1);
}

static char *with_url(const char *text, const char *section, const char *url)
{
	buf b = BUF_INIT;
	config_with_url(&b, text, section, url);
	return buf_detach(&b);
}

/* The rehearsal's copy of alembic.ini: only sqlalchemy.url of the section
 * changes (any case, continuation lines included); % is doubled. */
static void test_with_url(void **state)
{
	char *s;
	(void)state;
	s = with_url("[alembic]\nscript_location = %(here)s/m\nsqlalchemy.url = sqlite:///old.db\n\n[mgate]\n"
		     "sqlalchemy.url = keep\n",
		     "alembic", "postgresql://u:p%40ss@h/db");
	assert_string_equal(s, "[alembic]\nsqlalchemy.url = postgresql://u:p%%40ss@h/db\nscript_location = %(here)s/m\n\n"
			       "[mgate]\nsqlalchemy.url = keep\n");
	free(s);
	s = with_url("[alembic]\nSQLAlchemy.URL: postgresql://a\n    ?sslmode=require\nx = 1\n", "alembic", "sqlite:///n.db");
	assert_string_equal(s, "[alembic]\nsqlalchemy.url = sqlite:///n.db\nx = 1\n");
	free(s);
	s = with_url("[other]\na = 1\n", "alembic", "sqlite:///n.db"); /* no such section: added */
	assert_string_equal(s, "[other]\na = 1\n\n[alembic]\nsqlalchemy.url = sqlite:///n.db\n");
	free(s);
	s = with_url("[alembic]\nsqlalchemy.urls = no\n  [alembic2]\n", "alembic", "x"); /* other keys stay */
	assert_string_equal(s, "[alembic]\nsqlalchemy.url = x\nsqlalchemy.urls = no\n  [alembic2]\n");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_separators, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names_and_recursive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_script_location_without_ini, setup, teardown),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_with_url),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
