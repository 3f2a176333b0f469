/*
 * cmd_snapshot.c: `mgate snapshot` writes the database's schema as
 * mgate's canonical JSON model; `mgate diff` compares two snapshots, or a
 * snapshot with the live database, in words or JSON.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "db/db.h"
#include "db/schema.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/banned.h"

/* The URL to use (cli_database_url), reading the ini's sqlalchemy.url
 * only when neither --db nor MGATE_DATABASE_URL gives one: no ini is
 * needed here. */
static const char *pick_url(const char *opt, const cli_common *common, char **owned)
{
	const char *given = session_database_url(opt, NULL);
	config_opts co = CONFIG_OPTS_INIT;
	mgate_config cfg;

	*owned = NULL;
	if (given)
		return given;
	co.ini_path = common->config;
	co.section = common->name;
	co.script_location = common->script_location;
	co.alembic_version = common->alembic_version;
	if (config_load(&cfg, &co, NULL) == 0 && cfg.sqlalchemy_url) {
		*owned = cfg.sqlalchemy_url;
		cfg.sqlalchemy_url = NULL;
	}
	config_release(&cfg);
	return *owned;
}

/* Connect to the live database. Returns an exit code. */
static int open_live(db **d, const char *url)
{
	mg_error err = MG_ERROR_INIT;

	*d = NULL;
	if (!url) {
		fprintf(stderr, "mgate: no database URL; pass --db URL, set MGATE_DATABASE_URL, or set sqlalchemy.url in alembic.ini\n");
		return EXIT_USAGE;
	}
	if (db_open(d, url, &err) < 0) {
		fprintf(stderr, "mgate: error: %s\n", err.msg);
		return err.code == MG_ECONFIG ? EXIT_USAGE : EXIT_ENV;
	}
	return EXIT_OK;
}

/* Take a snapshot of the live database. Returns an exit code. */
static int live_snapshot(void **out, const char *url)
{
	mg_error err = MG_ERROR_INIT;
	int rc;

	*out = NULL;
	if (!url) {
		fprintf(stderr, "mgate: no database URL; pass --db URL, set MGATE_DATABASE_URL, or set sqlalchemy.url in alembic.ini\n");
		return EXIT_USAGE;
	}
	if ((rc = db_snapshot_of(out, url, &err)) < 0) {
		fprintf(stderr, "mgate: error: %s\n", err.msg);
		return rc == MG_ECONFIG ? EXIT_USAGE : EXIT_ENV;
	}
	return EXIT_OK;
}

int cmd_snapshot(int argc, char **argv)
{
	static const char *const formats[] = { "json", NULL };
	cli_common common;
	strvec args = STRVEC_INIT;
	const char *db_url = NULL, *out_path = NULL;
	char *owned = NULL;
	fs_atomic file;
	db *d = NULL;
	mg_error err = MG_ERROR_INIT;
	int rc;
	cli_option opts[] = {
		OPT_STRING_(0, "db", &db_url, "URL", "database URL (else MGATE_DATABASE_URL, else sqlalchemy.url)"),
		OPT_STRING_('o', "out", &out_path, "FILE", "write the snapshot to FILE (default: standard output)"),
		OPT_END_(),
	};

	if ((rc = cli_begin(argc, argv, "snapshot", "[--db URL] [--out FILE]", opts, formats, 0, &common, &args)) != 0)
		goto cleanup;
	if ((rc = open_live(&d, pick_url(db_url, &common, &owned))) != EXIT_OK)
		goto cleanup;
	/* a file is written whole or not at all: beside it, then renamed */
	if (out_path && (rc = fs_atomic_open(&file, out_path, 0644, &err)) < 0) {
		fprintf(stderr, "mgate: error: %s\n", err.msg);
		rc = EXIT_ENV;
		goto cleanup;
	}
	rc = db_snapshot_write(d, out_path ? file.f : stdout, &err);
	if (out_path && rc == MG_OK)
		rc = fs_atomic_commit(&file, &err);
	else if (out_path)
		fs_atomic_abort(&file);
	if (rc < 0) {
		fprintf(stderr, "mgate: error: %s\n", err.msg);
		rc = EXIT_ENV;
	}
cleanup:
	db_close(d);
	free(owned);
	strvec_release(&args);
	return rc < 0 ? EXIT_OK : rc;
}

int cmd_diff(int argc, char **argv)
{
	static const char *const formats[] = { "text", "json", NULL };
	cli_common common;
	strvec args = STRVEC_INIT;
	const char *db_url = NULL;
	char *owned = NULL;
	void *a = NULL, *b = NULL;
	json_t *changes = NULL;
	mg_error err = MG_ERROR_INIT;
	size_t i;
	int rc;
	cli_option opts[] = {
		OPT_STRING_(0, "db", &db_url, "URL", "with one snapshot: the live database to compare it with"),
		OPT_END_(),
	};

	if ((rc = cli_begin(argc, argv, "diff", "BEFORE.json [AFTER.json] [--db URL]", opts, formats, 2, &common,
			    &args)) != 0)
		goto cleanup;
	if (!args.n) {
		fprintf(stderr, "mgate diff: give a snapshot to compare (and a second one, or a database)\n");
		rc = EXIT_USAGE;
		goto cleanup;
	}
	if (schema_load(&a, args.v[0], &err) < 0 || (args.n == 2 && schema_load(&b, args.v[1], &err) < 0)) {
		fprintf(stderr, "mgate diff: %s\n", err.msg);
		rc = EXIT_USAGE;
		goto cleanup;
	}
	if (args.n == 1 && (rc = live_snapshot(&b, pick_url(db_url, &common, &owned))) != 0)
		goto cleanup;
	changes = schema_diff(a, b);
	rc = json_array_size(changes) ? EXIT_FINDINGS : EXIT_OK;
	if (!strcmp(common.format, "json")) {
		json_t *o = json_object();
		json_object_set(o, "changes", changes);
		cli_print_doc("diff", NULL, o, NULL);
		goto cleanup;
	}
	if (!json_array_size(changes))
		printf("no differences\n");
	for (i = 0; i < json_array_size(changes); i++)
		printf("%s\n", json_string_value(json_object_get(json_array_get(changes, i), "text")));
cleanup:
	json_decref(a);
	json_decref(b);
	json_decref(changes);
	free(owned);
	strvec_release(&args);
	return rc < 0 ? EXIT_OK : rc;
}
