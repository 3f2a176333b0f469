/*
 * cmd_backup.c: `mgate backup` takes a verified backup with its manifest;
 * `mgate backup --list` shows the backups and whether each still verifies.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gate/backup.h"
#include "cli.h"
#include "db/db.h"
#include "version.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/banned.h"

static const char *const formats[] = { "text", "json", NULL };

/* --backup-dir, else backup_dir in [mgate] (relative to the ini). */
static char *backup_dir(const char *opt, const cli_project *p)
{
	if (opt)
		return mg_strdup(opt);
	return p->cfg.settings.backup_dir ? mg_strdup(p->cfg.settings.backup_dir) : NULL;
}

static void show_progress(double done, void *ctx)
{
	(void)ctx;
	fprintf(stderr, "\rbacking up: %3d%%", (int)(done * 100 + 0.5));
	if (done >= 1.0)
		fputc('\n', stderr);
	fflush(stderr);
}

static json_t *info_json(const backup_info *b, buf *cwd)
{
	json_t *o = json_object();

	json_object_set_new(o, "path", cli_json_str(cli_display_path(b->path, cwd)));
	json_object_set_new(o, "status", json_string(backup_status_name(b->status)));
	json_object_set_new(o, "problem", b->problem ? cli_json_str(b->problem) : json_null());
	json_object_set_new(o, "created_at", b->created_at ? json_string(b->created_at) : json_null());
	json_object_set_new(o, "size", json_integer(b->size));
	json_object_set_new(o, "sha256", b->sha256[0] ? json_string(b->sha256) : json_null());
	json_object_set_new(o, "database", b->database ? cli_json_str(b->database) : json_null());
	json_object_set_new(o, "database_identity", b->identity ? cli_json_str(b->identity) : json_null());
	json_object_set_new(o, "revisions", cli_strvec_json(&b->revisions));
	return o;
}

static int list_backups(const char *dir, const char *format)
{
	backup_list l;
	mg_error err = MG_ERROR_INIT;
	buf cwd = BUF_INIT;
	size_t i, bad = 0;

	if (backup_list_dir(&l, dir, 1, &err) < 0) {
		fprintf(stderr, "mgate backup: %s\n", err.msg);
		return EXIT_ENV;
	}
	for (i = 0; i < l.n; i++)
		bad += l.v[i].status != BACKUP_OK && l.v[i].status != BACKUP_INCOMPLETE;
	if (!strcmp(format, "json")) {
		json_t *arr = json_array();
		for (i = 0; i < l.n; i++)
			json_array_append_new(arr, info_json(&l.v[i], &cwd));
		cli_print_json(arr);
	} else {
		if (!l.n)
			printf("no backups in %s\n", dir);
		for (i = 0; i < l.n; i++) {
			const backup_info *b = &l.v[i];
			size_t k;
			printf("%-20s %-12s %10lld  %s", b->created_at ? b->created_at : "-", backup_status_name(b->status),
			       b->size, cli_display_path(b->path, &cwd));
			if (b->revisions.n || b->status == BACKUP_OK) {
				printf("  at ");
				for (k = 0; k < b->revisions.n; k++)
					printf("%s%s", k ? "," : "", b->revisions.v[k]);
				if (!b->revisions.n)
					printf("base");
			}
			putchar('\n');
			if (b->problem)
				printf("    %s\n", b->problem);
		}
	}
	buf_release(&cwd);
	backup_list_release(&l);
	return bad ? EXIT_FINDINGS : EXIT_OK;
}

int cmd_backup(int argc, char **argv)
{
	cli_common common;
	cli_project p;
	cli_dbopts o;
	strvec args = STRVEC_INIT, rows = STRVEC_INIT;
	buf where = BUF_INIT;
	mg_error err = MG_ERROR_INIT;
	const char *dir_opt = NULL, *url;
	char *dir = NULL;
	db *d = NULL;
	backup_info info;
	db_version_table vt;
	char *cfg_table = NULL, *cfg_schema = NULL;
	int rc, list = 0, have_project = 0, exists = 0;
	cli_option opts[] = {
		OPT_STRING_(0, "backup-dir", &dir_opt, "DIR", "where backups go (else backup_dir in [mgate])"),
		OPT_FLAG_(0, "list", &list, "list the backups and verify each (size and SHA-256)"),
		OPT_DB_(&o),
		OPT_VERSION_TABLE_(&o),
		OPT_END_(),
	};

	memset(&p, 0, sizeof(p));
	memset(&o, 0, sizeof(o));
	memset(&info, 0, sizeof(info));
	if ((rc = cli_begin(argc, argv, "backup", "[--list] [--backup-dir DIR] [--db URL]", opts, formats, 0, &common,
			    &args)) != 0)
		goto cleanup;
	if ((common.config || fs_exists("alembic.ini") || common.script_location)) {
		if ((rc = cli_load_project(&p, &common)) != 0)
			goto cleanup;
		have_project = 1;
	}
	if (!(dir = backup_dir(dir_opt, &p))) {
		fprintf(stderr, "mgate backup: where should backups go? pass --backup-dir DIR or set backup_dir in the "
				"[mgate] section of alembic.ini\n");
		rc = EXIT_USAGE;
		goto cleanup;
	}
	if (list) {
		rc = list_backups(dir, common.format);
		goto cleanup;
	}
	if (!(url = cli_database_url(o.db_url, have_project ? p.cfg.sqlalchemy_url : NULL))) {
		fprintf(stderr, "mgate backup: no database URL; pass --db URL, set MGATE_DATABASE_URL, or set "
				"sqlalchemy.url in alembic.ini\n");
		rc = EXIT_USAGE;
		goto cleanup;
	}
	if (db_open(&d, url, &err) < 0) {
		fprintf(stderr, "mgate: error: %s\n", err.msg);
		rc = err.code == MG_ECONFIG ? EXIT_USAGE : EXIT_ENV;
		goto cleanup;
	}
	cli_version_table(&vt, &cfg_table, &cfg_schema, &o, &p.cfg); /* p.cfg is empty without a project */
	if (d->ops->read_versions(d, &vt, &rows, &exists, &err) < 0 ||
	    backup_take(&info, d, dir, &rows, MGATE_VERSION, isatty(2) ? show_progress : NULL, NULL, &err) < 0) {
		fprintf(stderr, "mgate backup: %s\n", err.msg);
		rc = EXIT_ENV;
		goto cleanup;
	}
	if (!strcmp(common.format, "json")) {
		buf cwd = BUF_INIT;
		cli_print_json(info_json(&info, &cwd));
		buf_release(&cwd);
	} else {
		buf cwd = BUF_INIT;
		size_t k;
		printf("backup of %s: %s\n", d->redacted, cli_display_path(info.path, &cwd));
		printf("  %lld bytes, sha256 %s, verified\n  at ", info.size, info.sha256);
		for (k = 0; k < rows.n; k++)
			printf("%s%s", k ? "," : "", rows.v[k]);
		printf("%s\n  manifest %s\n", rows.n ? "" : "base", cli_display_path(info.manifest_path, &cwd));
		buf_release(&cwd);
	}
	rc = EXIT_OK;
cleanup:
	backup_info_release(&info);
	db_close(d);
	free(dir);
	free(cfg_table);
	free(cfg_schema);
	strvec_release(&rows);
	buf_release(&where);
	if (have_project)
		cli_project_release(&p);
	strvec_release(&args);
	return rc < 0 ? EXIT_OK : rc;
}
