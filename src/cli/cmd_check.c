/*
 * cmd_check.c: `mgate check [TARGET]`: the "migration safe" checklist.
 * Exit 0 when the gate is open, 1 when a check fails.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gate/audit.h"
#include "cli.h"
#include "db/db.h"
#include "gate/checklist.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/banned.h"

static const char *const formats[] = { "text", "json", "sarif", "github", "junit", NULL };

void cli_gate_print_text(const checklist_result *g, const char *target, const char *where, int verbose)
{
	buf cwd = BUF_INIT;
	size_t i, k, failed = 0;

	printf("mgate check: %s -> %s\n", where, target);
	for (i = 0; i < g->n; i++) {
		const checklist_check *c = &g->checks[i];
		const char *tag = c->status == GATE_FAIL ? "FAIL" : checklist_status_name(c->status);
		failed += c->status == GATE_FAIL;
		printf("  [%s] %-10s %s\n", tag, c->name, c->summary ? c->summary : "");
		for (k = 0; k < c->found.n; k++) {
			const finding *x = &c->found.v[k];
			if (x->suppressed && !verbose)
				continue;
			if (x->severity == SEV_INFO && !verbose)
				continue;
			printf("         %s", x->suppressed ? "(suppressed) " : "");
			if (x->path)
				printf("%s%s%.0d: ", cli_display_path(x->path, &cwd), x->line ? ":" : "", x->line);
			printf("%s: %s [%s]\n", finding_severity_name(x->severity), x->message, x->id);
		}
		if (c->next && c->status != GATE_PASS)
			printf("         -> %s\n", c->next);
	}
	if (g->open)
		printf("gate: OPEN\n");
	else
		printf("gate: CLOSED (%zu check%s failed)\n", failed, failed == 1 ? "" : "s");
	buf_release(&cwd);
}

static void print_json(const checklist_result *g, const char *target)
{
	json_t *root = json_object(), *checks = json_array();
	size_t i;

	json_object_set_new(root, "verdict", json_string(g->open ? "open" : "closed"));
	for (i = 0; i < g->n; i++) {
		const checklist_check *c = &g->checks[i];
		json_t *o = json_object();
		json_object_set_new(o, "name", json_string(c->name));
		json_object_set_new(o, "status", json_string(checklist_status_name(c->status)));
		json_object_set_new(o, "summary", cli_json_str(c->summary ? c->summary : ""));
		json_object_set_new(o, "next", c->next ? cli_json_str(c->next) : json_null());
		json_object_set_new(o, "findings", cli_findings_json(&c->found));
		json_array_append_new(checks, o);
	}
	json_object_set_new(root, "checks", checks);
	json_object_set_new(root, "current", cli_strvec_json(&g->current));
	json_object_set_new(root, "target", cli_json_str(target));
	json_object_set_new(root, "pending", cli_strvec_json(&g->pending));
	cli_print_json(root);
}

/* Every check's findings, plus one for a failed check that has none. */
static void all_findings(findings *out, const checklist_result *g)
{
	size_t i, k;

	for (i = 0; i < g->n; i++) {
		const checklist_check *c = &g->checks[i];
		for (k = 0; k < c->found.n; k++) {
			findings_add_copy(out, &c->found.v[k]);
		}
		if (c->status == GATE_FAIL && !c->found.n) {
			buf id = BUF_INIT;
			buf_printf(&id, "gate-%s", c->name);
			findings_add(out, id.ptr, SEV_ERROR, NULL, 0, NULL, "%s", c->summary ? c->summary : c->name);
			if (c->next)
				findings_last(out)->fix = mg_strdup(c->next);
			buf_release(&id);
		}
	}
}

static void print_junit(const checklist_result *g)
{
	findings f = FINDINGS_INIT;
	size_t i;

	/* one test case per check */
	for (i = 0; i < g->n; i++) {
		const checklist_check *c = &g->checks[i];
		buf id = BUF_INIT;
		if (c->status == GATE_PASS || c->status == GATE_SKIP)
			continue;
		buf_printf(&id, "check-%s", c->name);
		findings_add(&f, id.ptr, c->status == GATE_FAIL ? SEV_ERROR : SEV_WARNING, NULL, 0, NULL, "%s",
			     c->summary ? c->summary : c->name);
		if (c->next)
			findings_last(&f)->fix = mg_strdup(c->next);
		buf_release(&id);
	}
	cli_report_junit(stdout, &f, "mgate check");
	findings_release(&f);
}

int cmd_check(int argc, char **argv)
{
	cli_common common;
	cli_gate cg;
	cli_gate_args a;
	checklist_result g;
	strvec args = STRVEC_INIT;
	mg_error err = MG_ERROR_INIT;
	const char *target = "heads";
	int rc, verbose = 0;
	cli_option opts[] = {
		OPT_DB_(&a.db),
		OPT_STRING_(0, "backup-dir", &a.backup_dir, "DIR", "where backups are (else backup_dir in [mgate])"),
		OPT_FLAG_(0, "no-backup-check", &a.no_backup_check, "skip the backup check (needs --reason)"),
		OPT_STRING_(0, "reason", &a.reason, "TEXT", "why the backup check is skipped (recorded)"),
		OPT_STRING_(0, "rules", &a.rules_dir, "DIR", "the project's rules folder, loaded over the built-in rules"),
		OPT_STRING_(0, "pg-version", &a.pg_version, "N", "judge for this PostgreSQL major version (default: the server's)"),
		OPT_FLAG_(0, "strict", &a.strict, "lock risks that have a safe alternative are errors"),
		OPT_FLAG_('v', "verbose", &verbose, "also show suppressed and informational findings"),
		OPT_VERSION_TABLE_(&a.db),
		OPT_FLAG_(0, "audit-table", &a.audit_table, "also record the decision in the database (mgate_audit)"),
		OPT_END_(),
	};

	memset(&a, 0, sizeof(a));
	memset(&cg, 0, sizeof(cg));
	memset(&g, 0, sizeof(g));
	if ((rc = cli_begin(argc, argv, "check", "[options] [TARGET]", opts, formats, 1, &common, &args)) != 0)
		goto cleanup;
	if (args.n)
		target = args.v[0];
	if ((rc = cli_gate_prepare(&cg, &common, &a, target, "check")) != 0)
		goto cleanup;
	if (checklist_run(&g, &cg.go, &err) < 0) {
		fprintf(stderr, "mgate check: %s\n", err.msg);
		rc = err.code == MG_ECONFIG ? EXIT_USAGE : EXIT_ENV;
		goto cleanup;
	}
	if (!strcmp(common.format, "json")) {
		print_json(&g, target);
	} else if (!strcmp(common.format, "junit")) {
		print_junit(&g);
	} else if (!strcmp(common.format, "sarif") || !strcmp(common.format, "github")) {
		findings f = FINDINGS_INIT;
		all_findings(&f, &g);
		if (!strcmp(common.format, "sarif"))
			cli_report_sarif(&f, &cg.rules);
		else
			cli_report_github(stdout, &f);
		findings_release(&f);
	} else {
		cli_gate_print_text(&g, target, cg.where.ptr, verbose);
	}
	rc = g.open ? EXIT_OK : EXIT_FINDINGS;
	{
		char id[17];
		json_t *e;
		audit_new_id(id);
		cli_log_context(id, NULL);
		e = cli_audit_entry(&cg, "check", id, &g, target);
		json_object_set_new(e, "exit", json_integer(rc));
		cli_audit_write(&cg, e);
	}
cleanup:
	checklist_result_release(&g);
	cli_gate_release(&cg);
	strvec_release(&args);
	return rc < 0 ? EXIT_OK : rc;
}
