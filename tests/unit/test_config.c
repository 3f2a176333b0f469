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
#include "util/fs.h"

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


#define HEAD "[alembic]\nscript_location = %(here)s/migrations\n\n[mgate]\n"

/* Every key of [mgate], typed; paths from the ini's folder. */
static void test_settings(void **state)
{
	mgate_config cfg;
	mg_error err = MG_ERROR_INIT;
	const mgate_settings *s = &cfg.settings;
	buf want = BUF_INIT;

	(void)state;
	assert_int_equal(load(&cfg, HEAD "backup_dir = backups\nbackup_max_age = 48\ndrill_max_age = 7\n"
					 "strict = yes\naudit_table = On\naudit_log = audit.jsonl\naudit_log_max_bytes = 0\n"
					 "smoke_timeout = 5\nlock_retries = 3\nlock_retry_wait = 0\nlock_timeout = 500ms\n"
					 "statement_timeout = 1min\nalembic_cmd = python3 -m alembic\n"
					 "model_paths = app/models.py, app/**/*.py\nsum_file = /abs/migrations.sum\n"
					 "dialect = postgres\npg_version = 14.2\nversion_table = av\nversion_table_schema = meta\n"
					 "rehearse_url_env = APP_DB\nrehearse_env_checked = false\nscan_cache = no\n"
					 "rules = %(here)s/rules\nrule.drop-column = off\n"
					 "invariant.admins = SELECT count(*) FROM admins => 1\n"
					 "smoke.health = curl -fsS http://localhost/health\n"
					 "backup_method = pgbackrest\npgbackrest_stanza = app\npgbackrest_config = br.conf\n"
					 "pgbackrest_cmd = sudo -u postgres pgbackrest\nscratch_url = postgresql://s@scratch/postgres\n",
			      &err),
			 0);
	buf_printf(&want, "%s/backups", dir);
	assert_string_equal(s->backup_dir, want.ptr);
	assert_int_equal(s->backup_max_age, 48 * 3600);
	assert_string_equal(s->backup_method, "pgbackrest");
	assert_string_equal(s->pgbackrest_stanza, "app");
	assert_non_null(strstr(s->pgbackrest_config, "/br.conf"));
	assert_int_equal(s->pgbackrest_cmd.n, 4);
	assert_string_equal(s->scratch_url, "postgresql://s@scratch/postgres");
	assert_int_equal(s->drill_max_age, 7 * 86400);
	assert_int_equal(s->strict, 1);
	assert_int_equal(s->audit_table, 1);
	assert_non_null(strstr(s->audit_log, "/audit.jsonl"));
	assert_int_equal(s->audit_log_max_bytes, 0);
	assert_int_equal(s->smoke_timeout, 5);
	assert_int_equal(s->lock_retries, 3);
	assert_int_equal(s->lock_retry_wait, 0);
	assert_string_equal(s->lock_timeout, "500ms");
	assert_string_equal(s->statement_timeout, "1min");
	assert_int_equal(s->alembic_cmd.n, 3);
	assert_string_equal(s->alembic_cmd.v[2], "alembic");
	assert_int_equal(s->model_paths.n, 2);
	assert_string_equal(s->model_paths.v[1], "app/**/*.py");
	assert_string_equal(s->sum_file, "/abs/migrations.sum");
	assert_string_equal(s->dialect, "postgresql");
	assert_int_equal(s->pg_version, 14);
	assert_string_equal(s->version_table, "av");
	assert_string_equal(s->version_table_schema, "meta");
	assert_string_equal(s->rehearse_url_env, "APP_DB");
	assert_int_equal(s->rehearse_env_checked, 0);
	assert_int_equal(s->scan_cache, 0);
	assert_int_equal(cfg.scan_cache, 0);
	buf_truncate(&want, 0);
	buf_printf(&want, "%s/rules", dir);
	assert_string_equal(s->rules_dir, want.ptr);
	assert_int_equal(s->nrules, 1);
	assert_string_equal(s->rules[0].id, "drop-column");
	assert_string_equal(s->rules[0].severity, "off");
	assert_int_equal(s->ninvariants, 1);
	assert_string_equal(s->invariants[0].name, "admins");
	assert_string_equal(s->invariants[0].sql, "SELECT count(*) FROM admins");
	assert_string_equal(s->invariants[0].expect, "1");
	assert_int_equal(s->nsmoke, 1);
	assert_string_equal(s->smoke[0].name, "health");
	assert_int_equal(s->smoke[0].argv.n, 3);
	assert_int_equal(s->smoke[0].line, 30);
	config_release(&cfg);

	/* the defaults */
	assert_int_equal(load(&cfg, HEAD, &err), 0);
	assert_null(s->backup_dir);
	assert_int_equal(s->backup_max_age, 24 * 3600);
	assert_int_equal(s->drill_max_age, 0);
	assert_int_equal(s->smoke_timeout, 30);
	assert_int_equal(s->audit_log_max_bytes, 10 * 1024 * 1024);
	assert_int_equal(s->lock_retry_wait, 10);
	assert_string_equal(s->lock_timeout, "5s");
	assert_null(s->statement_timeout);
	assert_int_equal(s->scan_cache, 1);
	assert_int_equal(s->pg_version, 0);
	config_release(&cfg);
	buf_release(&want);
}

/* A bad value: exit-2 (MG_ECONFIG) naming the file, line, key, value and
 * what is expected. */
static void expect_bad(const char *lines, const char *key, const char *value, const char *expected)
{
	mgate_config cfg;
	mg_error err = MG_ERROR_INIT;
	buf ini = BUF_INIT, want = BUF_INIT;

	buf_printf(&ini, "%s%s", HEAD, lines);
	if (load(&cfg, ini.ptr, &err) != MG_ECONFIG)
		fail_msg("'%s' is accepted", lines);
	buf_printf(&want, "alembic.ini:5: %s = '%s' in [mgate]: expected ", key, value);
	if (!strstr(err.msg, want.ptr) || !strstr(err.msg, expected))
		fail_msg("for '%s' the message is: %s", lines, err.msg);
	config_release(&cfg);
	buf_release(&ini);
	buf_release(&want);
}

static void test_bad_settings(void **state)
{
	mgate_config cfg;
	mg_error err = MG_ERROR_INIT;

	(void)state;
	expect_bad("backup_max_age = abc\n", "backup_max_age", "abc", "a whole number with an optional unit");
	expect_bad("backup_max_age = -5\n", "backup_max_age", "-5", "a bare number is hours");
	expect_bad("backup_max_age = 0\n", "backup_max_age", "0", "from 1 s to 315360000 s");
	expect_bad("backup_max_age =\n", "backup_max_age", "", "a whole number");
	expect_bad("backup_max_age = 24 hours\n", "backup_max_age", "24 hours", "(s, min, h, d;");
	expect_bad("backup_max_age = 2w\n", "backup_max_age", "2w", "(s, min, h, d;");
	expect_bad("backup_max_age = 99999999999999999999h\n", "backup_max_age", "99999999999999999999h", "a whole number");
	expect_bad("backup_method = borg\n", "backup_method", "borg", "mgate or pgbackrest");
	expect_bad("pgbackrest_stanza =\n", "pgbackrest_stanza", "", "a table or schema name");
	expect_bad("drill_max_age = 999999999999999999999\n", "drill_max_age", "999999999999999999999", "a whole number");
	expect_bad("smoke_timeout = abc\n", "smoke_timeout", "abc", "a whole number from 1 to 86400");
	expect_bad("version_table =\n", "version_table", "", "a table or schema name of 1 to 63 bytes");
	expect_bad("version_table_schema = "
		   "a234567890123456789012345678901234567890123456789012345678901234\n",
		   "version_table_schema", "a234567890123456789012345678901234567890123456789012345678901234",
		   "a table or schema name");
	expect_bad("audit_log_max_bytes = 1e6\n", "audit_log_max_bytes", "1e6", "a whole number");
	expect_bad("lock_retries = -1\n", "lock_retries", "-1", "a whole number from 0");
	expect_bad("strict = maybe\n", "strict", "maybe", "true or false");
	expect_bad("scan_cache = 2\n", "scan_cache", "2", "true or false");
	expect_bad("lock_timeout = 5s -c log_statement=all\n", "lock_timeout", "5s -c log_statement=all",
		   "a whole number with an optional unit");
	expect_bad("statement_timeout = 5 seconds\n", "statement_timeout", "5 seconds", "such as 5s");
	expect_bad("dialect = mysql\n", "dialect", "mysql", "postgresql or sqlite");
	expect_bad("pg_version = 12abc\n", "pg_version", "12abc", "a PostgreSQL major version");
	expect_bad("pg_version = -5\n", "pg_version", "-5", "a PostgreSQL major version");
	expect_bad("rehearse_url_env = APP-DB\n", "rehearse_url_env", "APP-DB", "an environment variable's name");
	expect_bad("invariant.admins = SELECT 1\n", "invariant.admins", "SELECT 1", "'SQL => expected value'");
	expect_bad("smoke.health =\n", "smoke.health", "", "a command");
	expect_bad("rule.drop-column = fatal\n", "rule.drop-column", "fatal", "error, warning, info or off");
	{
		/* alembic_version counts when no --alembic-version is given */
		config_opts o = CONFIG_OPTS_INIT;
		buf path = BUF_INIT;
		tu_write(dir, "alembic.ini", HEAD "alembic_version = x\n");
		buf_printf(&path, "%s/alembic.ini", dir);
		o.ini_path = path.ptr;
		assert_int_equal(config_load(&cfg, &o, &err), MG_ECONFIG);
		assert_non_null(strstr(err.msg, "alembic.ini:5: alembic_version = 'x' in [mgate]: expected a version like 1.13"));
		config_release(&cfg);
		buf_release(&path);
	}
	/* an unknown key, and a bad interpolation */
	assert_int_equal(load(&cfg, HEAD "backup_maxage = 48\n", &err), MG_ECONFIG);
	assert_non_null(strstr(err.msg, "alembic.ini:5: unknown key 'backup_maxage' in [mgate]"));
	config_release(&cfg);
	assert_int_equal(load(&cfg, HEAD "backup_dir = %(nowhere)s/b\n", &err), MG_ECONFIG);
	config_release(&cfg);
	/* an invariants file that is not there */
	assert_int_equal(load(&cfg, HEAD "invariants_file = gone.ini\n", &err), MG_ECONFIG);
	assert_non_null(strstr(err.msg, "gone.ini' does not exist"));
	config_release(&cfg);
}

/* accept: one `<revision>:<rule> -- <reason>` per line, each with its line;
 * one without a reason (or revision, or rule) is an error naming its line. */
static void test_acceptances(void **state)
{
	mgate_config cfg;
	mg_error err = MG_ERROR_INIT;

	(void)state;
	assert_int_equal(load(&cfg, HEAD "accept =\n    a1b2c3:drop-column -- never written (ADR-7)\n"
					 "    # the contract branch\n"
					 "    d4e5f6 : missing-downgrade --  contract branch: no way back\n",
			      &err),
			 0);
	assert_int_equal(cfg.settings.naccepts, 2);
	assert_string_equal(cfg.settings.accepts[0].revision, "a1b2c3");
	assert_string_equal(cfg.settings.accepts[0].rule, "drop-column");
	assert_string_equal(cfg.settings.accepts[0].reason, "never written (ADR-7)");
	assert_int_equal(cfg.settings.accepts[0].line, 6);
	assert_string_equal(cfg.settings.accepts[1].revision, "d4e5f6");
	assert_string_equal(cfg.settings.accepts[1].reason, "contract branch: no way back");
	assert_int_equal(cfg.settings.accepts[1].line, 8); /* the comment line counts */
	config_release(&cfg);
	assert_int_equal(load(&cfg, HEAD "accept =\n    a1b2c3:drop-column -- ok\n    d4e5f6:drop-table\n", &err),
			 MG_ECONFIG);
	assert_non_null(strstr(err.msg, "alembic.ini:7: bad accept 'd4e5f6:drop-table' in [mgate]"));
	config_release(&cfg);
	assert_int_equal(load(&cfg, HEAD "accept = a1b2c3: -- why\n", &err), MG_ECONFIG);
	assert_non_null(strstr(err.msg, "alembic.ini:5: bad accept in [mgate]: the rule is empty"));
	config_release(&cfg);
}

/* invariants_file: [name] sections with sql and expect, after invariant.<name>. */
static void test_invariants_file(void **state)
{
	mgate_config cfg;
	mg_error err = MG_ERROR_INIT;

	(void)state;
	tu_write(dir, "inv.ini", "[roles]\nsql = SELECT count(*)\n  FROM roles\nexpect = 3\n");
	assert_int_equal(load(&cfg, HEAD "invariant.one = SELECT 1 => 1\ninvariants_file = inv.ini\n", &err), 0);
	assert_int_equal(cfg.settings.ninvariants, 2);
	assert_string_equal(cfg.settings.invariants[0].name, "one");
	assert_string_equal(cfg.settings.invariants[1].name, "roles");
	assert_string_equal(cfg.settings.invariants[1].sql, "SELECT count(*)\nFROM roles");
	assert_string_equal(cfg.settings.invariants[1].expect, "3");
	config_release(&cfg);
	tu_write(dir, "inv.ini", "[roles]\nsql = SELECT 1\n");
	assert_int_equal(load(&cfg, HEAD "invariants_file = inv.ini\n", &err), MG_ECONFIG);
	assert_non_null(strstr(err.msg, "invariant [roles] needs both 'sql' and 'expect'"));
	config_release(&cfg);
}

/* Every key config reads is in docs/cli.md's table of settings. */
static void test_keys_documented(void **state)
{
	buf doc = BUF_INIT, cell = BUF_INIT;
	const char *table, *help;
	size_t i, n = 0;

	(void)state;
	assert_int_equal(fs_read_file(&doc, MGATE_SOURCE_DIR "/docs/cli.md", 1 << 20, NULL), 0);
	table = strstr(doc.ptr, "## Configuration (`[mgate]` in alembic.ini)");
	assert_non_null(table);
	for (i = 0; config_key(i, &help); i++, n++) {
		buf_truncate(&cell, 0);
		buf_printf(&cell, "`%s", config_key(i, NULL));
		if (!strstr(table, cell.ptr))
			fail_msg("[mgate] key '%s' is not documented in docs/cli.md", config_key(i, NULL));
		assert_non_null(help);
	}
	assert_true(n >= 27);
	assert_null(config_key(n, NULL));
	buf_release(&doc);
	buf_release(&cell);
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
		cmocka_unit_test_setup_teardown(test_settings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_settings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invariants_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_acceptances, setup, teardown),
		cmocka_unit_test(test_keys_documented),
		cmocka_unit_test(test_with_url),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
