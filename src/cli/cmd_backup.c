/*
 * cmd_backup.c: `mgate backup` takes a verified backup with its manifest;
 * `mgate backup --list` shows the backups and whether each still verifies
 * (gate/backup.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "gate/backup.h"
#include "report/findings.h"
#include "report/gate.h"
#include "report/rescue.h"
#include "util/fs.h"
#include "util/banned.h"

static const char *const formats[] = { "text", "json", NULL };

static void show_progress(double done, void *ctx)
{
	(void)ctx;
	fprintf(stderr, "\rbacking up: %3d%%", (int)(done * 100 + 0.5));
	if (done >= 1.0)
		fputc('\n', stderr);
	fflush(stderr);
}

static int list_backups(const char *dir, const char *format, const char *root)
{
	backup_list l;
	mg_error err = MG_ERROR_INIT;
	size_t i, bad = 0;

	if (backup_list_dir(&l, dir, 1, &err) < 0)
		return cli_fail("backup", &err, EXIT_ENV);
	for (i = 0; i < l.n; i++)
		bad += l.v[i].status != BACKUP_OK && l.v[i].status != BACKUP_INCOMPLETE;
	if (!strcmp(format, "json")) {
		cli_print_doc("backups", root, report_backups_json(&l), "backups");
	} else {
		report_backups_text(stdout, &l, dir);
	}
	backup_list_release(&l);
	return bad ? EXIT_FINDINGS : EXIT_OK;
}

static void print_backup(const backup_info *b, const char *where, const char *format, const char *root)
{
	buf cwd = BUF_INIT;

	if (!strcmp(format, "json")) {
		cli_print_doc("backup", root, report_backup_json(b), NULL);
		return;
	}
	printf("backup of %s: %s\n", where, report_display_path(b->path, &cwd));
	printf("  %lld bytes, sha256 %s, verified\n  at ", b->size, b->sha256);
	report_rows(stdout, &b->revisions, "base");
	printf("\n  manifest %s\n", report_display_path(b->manifest_path, &cwd));
	buf_release(&cwd);
}

int cmd_backup(int argc, char **argv)
{
	cli_common common;
	project p;
	session_opts o;
	strvec args = STRVEC_INIT;
	buf where = BUF_INIT;
	mg_error err = MG_ERROR_INIT;
	const char *url, *dir;
	db_version_table vt;
	backup_info info;
	int rc, list = 0, have_project = 0;
	cli_option opts[] = {
		OPT_STRING_(0, "backup-dir", &o.backup_dir, "DIR", "where backups go (else backup_dir in [mgate])"),
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
	if (common.config || common.script_location || fs_exists("alembic.ini")) {
		if ((rc = cli_load_project(&p, &common, 0)) != 0)
			goto cleanup;
		have_project = 1;
	}
	if (!(dir = o.backup_dir ? o.backup_dir : p.cfg.settings.backup_dir)) {
		fprintf(stderr, "mgate backup: where should backups go? pass --backup-dir DIR or set backup_dir in the "
				"[mgate] section of alembic.ini\n");
		rc = EXIT_USAGE;
		goto cleanup;
	}
	if (list) {
		rc = list_backups(dir, common.format, have_project ? p.cfg.here : NULL);
		goto cleanup;
	}
	if (!(url = session_database_url(o.db_url, p.cfg.sqlalchemy_url))) {
		fprintf(stderr, "mgate backup: no database URL; pass --db URL, set MGATE_DATABASE_URL, or set "
				"sqlalchemy.url in alembic.ini\n");
		rc = EXIT_USAGE;
		goto cleanup;
	}
	vt.table = o.version_table ? o.version_table : p.cfg.settings.version_table ? p.cfg.settings.version_table
										    : "alembic_version";
	vt.schema = o.version_table_schema ? o.version_table_schema : p.cfg.settings.version_table_schema;
	if ((rc = backup_database(&info, &where, url, &vt, dir, isatty(2) ? show_progress : NULL, NULL, &err)) < 0) {
		rc = rc == MG_ECONFIG ? EXIT_USAGE : EXIT_ENV;
		fprintf(stderr, where.len ? "mgate backup: %s\n" : "mgate: error: %s\n", err.msg);
		goto cleanup;
	}
	print_backup(&info, where.ptr, common.format, have_project ? p.cfg.here : NULL);
	rc = EXIT_OK;
cleanup:
	backup_info_release(&info);
	buf_release(&where);
	if (have_project)
		project_release(&p);
	strvec_release(&args);
	return rc < 0 ? EXIT_OK : rc;
}
