/*
 * cmd_upgrade.c: `mgate upgrade [TARGET]`: the gate around a real
 * `alembic upgrade` (gate/upgrade.h).
 *
 * Exit 0: upgraded and verified. 1: the gate is closed (Alembic did not
 * run). 4: Alembic failed. 5: verification failed. On 4 and 5 the state
 * the database is in and the ways back are printed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gate/upgrade.h"
#include "report/gate.h"
#include "util/banned.h"

static const char *const formats[] = { "text", "json", NULL };

/* What went wrong, on standard error (the report on stdout says the rest). */
static void print_error(const upgrade_result *r, const mg_error *err)
{
	if (r->stage == UPGRADE_FAILED) {
		cli_log_context(NULL, r->stopped_in);
		fprintf(stderr, "mgate upgrade: Alembic failed (exit %d)%s%s\n", r->status, r->stopped_in ? " in revision " : "",
			r->stopped_in ? r->stopped_in : "");
	} else if (r->stage != UPGRADE_CLOSED && r->stage != UPGRADE_NOTHING && r->stage != UPGRADE_DONE &&
		   r->stage != UPGRADE_UNVERIFIED && err->code) {
		fprintf(stderr, "mgate upgrade: %s\n", err->msg);
	}
}

int cmd_upgrade(int argc, char **argv)
{
	cli_common common;
	session s;
	session_opts so;
	upgrade_opts uo;
	upgrade_result r;
	progress p;
	strvec args = STRVEC_INIT, allow = STRVEC_INIT;
	mg_error err = MG_ERROR_INIT;
	const char *allow_opt = NULL, *reason = NULL, *lock_wait = NULL, *timeout = NULL;
	int rc, no_backup_check = 0, json;
	char id[17];
	cli_option opts[] = {
		OPT_DB_(&so),
		OPT_FLAG_(0, "backup", &uo.backup_first, "take a backup first when there is no fresh one"),
		OPT_BACKUP_DIR_(&so),
		OPT_FLAG_(0, "no-backup-check", &no_backup_check, "skip the backup check (needs --reason)"),
		OPT_STRING_(0, "allow", &allow_opt, "RULE[,RULE]", "accept these rules' findings for this run (needs --reason)"),
		OPT_STRING_(0, "reason", &reason, "TEXT", "why (recorded with the override)"),
		OPT_STRING_(0, "lock-wait", &lock_wait, "SECONDS", "wait this long for a migration lock another run holds (default 0: refuse at once)"),
		OPT_STRING_(0, "timeout", &timeout, "SECONDS", "stop Alembic after this long (default: no limit)"),
		OPT_STRING_(0, "rules", &so.rules_dir, "DIR", "the project's rules folder, loaded over the built-in rules"),
		OPT_STRING_(0, "pg-version", &so.pg_version, "N", "judge for this PostgreSQL major version (default: the server's)"),
		OPT_FLAG_(0, "strict", &so.strict, "lock risks that have a safe alternative are errors"),
		OPT_VERSION_TABLE_(&so),
		OPT_FLAG_(0, "audit-table", &so.audit_table, "also record the decision in the database (mgate_audit)"),
		OPT_END_(),
	};

	memset(&so, 0, sizeof(so));
	memset(&uo, 0, sizeof(uo));
	memset(&s, 0, sizeof(s));
	memset(&r, 0, sizeof(r));
	run_new_id(id);
	if ((rc = cli_begin(argc, argv, "upgrade", "[options] [TARGET]", opts, formats, 1, &common, &args)) != 0)
		goto cleanup;
	cli_log_context(id, NULL);
	uo.target = args.n ? args.v[0] : "heads";
	uo.correlation_id = id;
	if (allow_opt && (!reason || !*reason)) {
		fprintf(stderr, "mgate upgrade: --allow needs --reason \"why these findings are acceptable\"\n");
		rc = EXIT_USAGE;
		goto cleanup;
	}
	if ((rc = cli_seconds(&uo.lock_wait_s, "upgrade", "lock-wait", lock_wait)) != 0 ||
	    (rc = cli_seconds(&uo.timeout_s, "upgrade", "timeout", timeout)) != 0)
		goto cleanup;
	if (no_backup_check && (!reason || !*reason)) {
		fprintf(stderr, "mgate upgrade: --no-backup-check needs --reason \"why it is safe without one\"\n");
		rc = EXIT_USAGE;
		goto cleanup;
	}
	uo.skip_backup_reason = no_backup_check ? reason : NULL;
	if (allow_opt) {
		strvec_split(&allow, allow_opt, ", ");
		uo.allow = &allow;
		uo.allow_reason = reason;
	}
	so.db = SESSION_DB_OPTIONAL;
	so.rules = 1;
	if ((rc = cli_open(&s, &common, &so)) != 0)
		goto cleanup;
	for (size_t i = 0; i < allow.n; i++)
		if (!ruleset_find(&s.rules, allow.v[i])) {
			fprintf(stderr, "mgate upgrade: --allow '%s': no such rule; `mgate rules` lists them\n", allow.v[i]);
			rc = EXIT_USAGE;
			goto cleanup;
		}
	json = !strcmp(common.format, "json");
	uo.alembic_to_stderr = json;
	cli_printer pr = { json ? stderr : stdout, "upgrade", common.quiet };
	cli_progress(&p, &pr);
	rc = upgrade_run(&r, &s, &uo, &p, &err);
	print_error(&r, &err);
	if (json && r.stage != UPGRADE_ERROR)
		cli_print_doc("upgrade", s.p.cfg.here, report_upgrade_json(&r, &s, uo.target, id), NULL);
	else if (!json)
		report_upgrade_text(stdout, &r, &s, uo.target);
cleanup:
	upgrade_result_release(&r);
	session_close(&s);
	strvec_release(&args);
	strvec_release(&allow);
	return rc < 0 ? EXIT_OK : rc;
}
