/*
 * cmd_restore.c: `mgate restore BACKUP [--into URL]`: put a backup back
 * (gate/restore.h).
 *
 * BACKUP is a backup file (or its manifest), or `newest` for the newest
 * backup of this database that verifies. In place (no --into, or a target
 * that is the backup's own database), it needs --yes or a typed "yes",
 * holds the migration lock, and keeps what it replaces. Into another
 * database, that database must be empty (or not exist yet, for SQLite).
 * Before anything is touched the checksum and the database identity are
 * checked; a mismatch changes nothing (exit 1).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "gate/restore.h"
#include "report/rescue.h"
#include "util/banned.h"

static const char *const formats[] = { "text", "json", NULL };

/* Ask before replacing the database the backup came from. */
static int confirm(const restore_plan *plan, int yes)
{
	buf what = BUF_INIT;
	int rc;

	if (!plan->in_place)
		return 0;
	buf_printf(&what, "this replaces %s with the backup of %s (at %s)", plan->where.ptr,
		   plan->backup.created_at ? plan->backup.created_at : "?",
		   plan->backup.revisions.n ? plan->backup.revisions.v[0] : "base");
	rc = cli_confirm("restore", what.ptr, yes);
	buf_release(&what);
	return rc;
}

int cmd_restore(int argc, char **argv)
{
	cli_common common;
	session s;
	session_opts so;
	restore_plan plan;
	restore_result res;
	progress p;
	strvec args = STRVEC_INIT;
	mg_error err = MG_ERROR_INIT;
	const char *into = NULL, *lock_wait = NULL;
	long wait_s = 0;
	char id[17];
	int rc, yes = 0;
	cli_option opts[] = {
		OPT_STRING_(0, "into", &into, "URL", "restore into this database instead (it must be empty)"),
		OPT_FLAG_(0, "yes", &yes, "replace the database without asking"),
		OPT_DB_(&so),
		OPT_BACKUP_DIR_(&so),
		OPT_STRING_(0, "lock-wait", &lock_wait, "SECONDS", "wait this long for a migration lock another run holds (default 0: refuse at once)"),
		OPT_VERSION_TABLE_(&so),
		OPT_END_(),
	};

	memset(&so, 0, sizeof(so));
	memset(&s, 0, sizeof(s));
	memset(&plan, 0, sizeof(plan));
	memset(&res, 0, sizeof(res));
	run_new_id(id);
	if ((rc = cli_begin(argc, argv, "restore", "[options] BACKUP|newest", opts, formats, 1, &common, &args)) != 0)
		goto cleanup;
	cli_log_context(id, NULL);
	if (args.n != 1) {
		fprintf(stderr, "mgate restore: which backup? give its file, or 'newest'\n");
		rc = EXIT_USAGE;
		goto cleanup;
	}
	if ((rc = cli_seconds(&wait_s, "restore", "lock-wait", lock_wait)) != 0)
		goto cleanup;
	so.db = SESSION_DB_OPTIONAL;
	if ((rc = cli_open(&s, &common, &so)) != 0)
		goto cleanup;
	if ((rc = restore_prepare(&plan, &s, args.v[0], into, &err)) != EXIT_OK) {
		rc = cli_fail("restore", &err, rc);
		goto cleanup;
	}
	if ((rc = confirm(&plan, yes)) != 0)
		goto cleanup;
	cli_printer pr = { strcmp(common.format, "json") ? stdout : stderr, "restore", common.quiet };
	cli_progress(&p, &pr);
	rc = restore_execute(&res, &s, &plan, wait_s, id, &p, &err);
	if (rc != EXIT_OK)
		cli_fail("restore", &err, rc);
	if (rc == EXIT_OK || (rc == EXIT_VERIFY && res.rows_read)) {
		if (!strcmp(common.format, "json"))
			cli_print_doc("restore", s.p.cfg.here, report_restore_json(&res, &plan, rc == EXIT_OK), NULL);
		else
			report_restore_text(stdout, &res, &plan);
	}
cleanup:
	restore_result_release(&res);
	restore_plan_release(&plan);
	session_close(&s);
	strvec_release(&args);
	return rc < 0 ? EXIT_OK : rc;
}
