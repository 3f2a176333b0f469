/*
 * cmd_check.c: `mgate check [TARGET]`: the "migration safe" checklist.
 * Exit 0 when the gate is open, 1 when a check fails.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "report/findings.h"
#include "report/gate.h"
#include "util/banned.h"

static const char *const formats[] = { "text", "json", "sarif", "github", "junit", "codeclimate", NULL };

/* The checklist in the chosen format. */
static void print(const char *format, const checklist_result *g, const session *s, const char *target, int detail)
{
	findings f = FINDINGS_INIT;

	if (!strcmp(format, "json")) {
		cli_print_doc("check", s->p.cfg.here, report_checklist_json(g, target), NULL);
	} else if (!strcmp(format, "junit")) {
		report_checklist_junit(stdout, g);
	} else if (!strcmp(format, "sarif") || !strcmp(format, "github") || !strcmp(format, "codeclimate")) {
		report_checklist_findings(&f, g);
		if (!strcmp(format, "sarif"))
			report_sarif(stdout, &f, &s->rules);
		else if (!strcmp(format, "codeclimate"))
			report_codeclimate(stdout, &f, "alembic.ini");
		else
			report_github(stdout, &f);
	} else {
		report_checklist_text(stdout, g, target, s->where.ptr, detail);
	}
	findings_release(&f);
}

int cmd_check(int argc, char **argv)
{
	cli_common common;
	session s;
	session_opts so;
	checklist_request req;
	checklist_result g;
	progress p;
	strvec args = STRVEC_INIT;
	mg_error err = MG_ERROR_INIT;
	const char *reason = NULL;
	char id[17];
	int rc, verbose = 0, no_backup_check = 0, lossy = 0;
	cli_option opts[] = {
		OPT_DB_(&so),
		OPT_BACKUP_DIR_(&so),
		OPT_FLAG_(0, "no-backup-check", &no_backup_check, "skip the backup check (needs --reason)"),
		OPT_STRING_(0, "reason", &reason, "TEXT", "why the backup check is skipped (recorded)"),
		OPT_STRING_(0, "rules", &so.rules_dir, "DIR", "the project's rules folder, loaded over the built-in rules"),
		OPT_STRING_(0, "pg-version", &so.pg_version, "N", "judge for this PostgreSQL major version (default: the server's)"),
		OPT_FLAG_(0, "strict", &so.strict, "lock risks that have a safe alternative are errors"),
		OPT_FLAG_('v', "verbose", &verbose, "also show suppressed and informational findings"),
		OPT_FLAG_(0, "lossy-downgrades", &lossy, "warn where a downgrade drops what its upgrade created"),
		OPT_VERSION_TABLE_(&so),
		OPT_FLAG_(0, "audit-table", &so.audit_table, "also record the decision in the database (mgate_audit)"),
		OPT_END_(),
	};

	memset(&so, 0, sizeof(so));
	memset(&s, 0, sizeof(s));
	memset(&g, 0, sizeof(g));
	memset(&req, 0, sizeof(req));
	if ((rc = cli_begin(argc, argv, "check", "[options] [TARGET]", opts, formats, 1, &common, &args)) != 0)
		goto cleanup;
	req.target = args.n ? args.v[0] : "heads";
	if (no_backup_check && (!reason || !*reason)) {
		fprintf(stderr, "mgate check: --no-backup-check needs --reason \"why it is safe without one\"\n");
		rc = EXIT_USAGE;
		goto cleanup;
	}
	req.skip_backup_reason = no_backup_check ? reason : NULL;
	so.db = SESSION_DB_OPTIONAL;
	so.rules = 1;
	if ((rc = cli_open(&s, &common, &so)) != 0)
		goto cleanup;
	if (lossy && ruleset_configure(&s.rules, "lossy-downgrade", "warning", &err) < 0) {
		rc = cli_fail("check", &err, EXIT_USAGE);
		goto cleanup;
	}
	if ((rc = session_checklist(&g, &s, &req, &err)) < 0) {
		rc = cli_fail("check", &err, 0);
		goto cleanup;
	}
	print(common.format, &g, &s, req.target, common.quiet ? -1 : verbose);
	rc = g.open ? EXIT_OK : EXIT_FINDINGS;
	run_new_id(id);
	cli_log_context(id, NULL);
	cli_printer pr = { stdout, "check", common.quiet };
	cli_progress(&p, &pr);
	session_audit_check(&s, &req, &g, rc, id, &p);
cleanup:
	checklist_result_release(&g);
	session_close(&s);
	strvec_release(&args);
	return rc < 0 ? EXIT_OK : rc;
}
