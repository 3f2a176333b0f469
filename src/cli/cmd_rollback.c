/*
 * cmd_rollback.c: `mgate rollback [--to REV] [--dry-run]`: the way back
 * after an upgrade, compared, recommended, then taken under the lock and
 * verified (gate/rollback.h).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "gate/rollback.h"
#include "report/rescue.h"
#include "util/banned.h"

static const char *const formats[] = { "text", "json", NULL };

/* Show the ways back (--dry-run, or JSON). */
static int dry_run(const rollback_ways *w, const session *s, const char *format, int dry, int quiet)
{
	if (!dry) {
		fprintf(stderr, "mgate rollback: --format json describes the ways back only; add --dry-run\n");
		return EXIT_USAGE;
	}
	if (!strcmp(format, "json"))
		cli_print_doc("rollback", s->p.cfg.here, report_rollback_json(w, s), NULL);
	else
		report_rollback_text(stdout, w, s, quiet);
	return strcmp(w->choice, "none") || w->at_target ? EXIT_OK : EXIT_FINDINGS;
}

/* Ask, then take the chosen way. */
static int take(session *s, const rollback_ways *w, const rollback_opts *ro, int yes)
{
	rollback_result r;
	progress p;
	mg_error err = MG_ERROR_INIT;
	buf what = BUF_INIT;
	int rc;

	if (!strcmp(w->choice, "none"))
		return w->at_target ? EXIT_OK : EXIT_FINDINGS;
	if (!strcmp(w->choice, "downgrade"))
		buf_printf(&what, "\nthis runs `alembic downgrade %s` on %s", w->target, s->where.ptr);
	else if (!w->pitr)
		buf_printf(&what, "\nthis replaces %s with the backup %s", s->where.ptr, w->b.path);
	/* a point-in-time recovery is not run by mgate: nothing to confirm, the refusal prints its command */
	rc = w->pitr && strcmp(w->choice, "downgrade") ? 0 : cli_confirm("rollback", what.ptr, yes);
	buf_release(&what);
	if (rc)
		return rc;
	cli_printer pr = { stdout, "rollback", 0 };
	cli_progress(&p, &pr);
	rc = rollback_execute(&r, s, w, ro, &p, &err);
	if (err.code)
		cli_fail("rollback", &err, rc);
	report_rollback_result(stdout, &r, w);
	rollback_result_release(&r);
	return rc;
}

int cmd_rollback(int argc, char **argv)
{
	cli_common common;
	session s;
	session_opts so;
	rollback_ways w;
	rollback_opts ro;
	strvec args = STRVEC_INIT;
	mg_error err = MG_ERROR_INIT;
	const char *to = NULL, *via = NULL, *lock_wait = NULL, *timeout = NULL;
	char id[17];
	int rc, dry = 0, yes = 0;
	cli_option opts[] = {
		OPT_STRING_(0, "to", &to, "REV", "where to go back to (default: where the last mgate upgrade started)"),
		OPT_FLAG_(0, "dry-run", &dry, "compare the ways back and recommend one; change nothing"),
		OPT_STRING_(0, "via", &via, "WAY", "take this way instead of the recommended one: downgrade or restore"),
		OPT_FLAG_(0, "yes", &yes, "do it without asking"),
		OPT_DB_(&so),
		OPT_BACKUP_DIR_(&so),
		OPT_STRING_(0, "lock-wait", &lock_wait, "SECONDS", "wait this long for a migration lock another run holds (default 0: refuse at once)"),
		OPT_STRING_(0, "timeout", &timeout, "SECONDS", "stop Alembic's downgrade after this long"),
		OPT_VERSION_TABLE_(&so),
		OPT_END_(),
	};

	memset(&so, 0, sizeof(so));
	memset(&ro, 0, sizeof(ro));
	memset(&s, 0, sizeof(s));
	memset(&w, 0, sizeof(w));
	run_new_id(id);
	ro.correlation_id = id;
	if ((rc = cli_begin(argc, argv, "rollback", "[options]", opts, formats, 0, &common, &args)) != 0)
		goto cleanup;
	cli_log_context(id, NULL);
	if ((rc = cli_seconds(&ro.lock_wait_s, "rollback", "lock-wait", lock_wait)) != 0 ||
	    (rc = cli_seconds(&ro.timeout_s, "rollback", "timeout", timeout)) != 0)
		goto cleanup;
	so.db = SESSION_DB_OPTIONAL;
	so.rules = 1;
	if ((rc = cli_open(&s, &common, &so)) != 0)
		goto cleanup;
	if ((rc = rollback_assess(&w, &s, to, via, &err)) != EXIT_OK) {
		if (s.p.map.broken)
			cli_print_findings(&s.p.found, common.quiet);
		rc = cli_fail("rollback", &err, rc);
		goto cleanup;
	}
	if (dry || !strcmp(common.format, "json")) {
		rc = dry_run(&w, &s, common.format, dry, common.quiet);
		goto cleanup;
	}
	report_rollback_text(stdout, &w, &s, common.quiet);
	rc = take(&s, &w, &ro, yes);
cleanup:
	rollback_ways_release(&w);
	session_close(&s);
	strvec_release(&args);
	return rc < 0 ? EXIT_OK : rc;
}
