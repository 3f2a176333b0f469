/*
 * cmd_plan.c: `mgate plan [TARGET]`: the steps `alembic upgrade TARGET`
 * will run, in order, each with its operations in plain words, the lock
 * each takes, the size of the tables they touch, and the findings
 * (gate/preview.h).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "gate/preview.h"
#include "report/plan.h"
#include "util/banned.h"

static const char *const formats[] = { "text", "json", NULL };

int cmd_plan(int argc, char **argv)
{
	cli_common common;
	session s;
	session_opts so;
	preview pv;
	strvec args = STRVEC_INIT;
	mg_error err = MG_ERROR_INIT;
	const char *target;
	int rc;
	cli_option opts[] = {
		OPT_DB_(&so),
		OPT_STRING_(0, "pg-version", &so.pg_version, "N", "judge for this PostgreSQL major version (default: the server's)"),
		OPT_VERSION_TABLE_(&so),
		OPT_END_(),
	};

	memset(&so, 0, sizeof(so));
	memset(&s, 0, sizeof(s));
	memset(&pv, 0, sizeof(pv));
	if ((rc = cli_begin(argc, argv, "plan", "[options] [TARGET]", opts, formats, 1, &common, &args)) != 0)
		goto cleanup;
	target = args.n ? args.v[0] : "heads";
	so.db = SESSION_DB_REQUIRED;
	so.rules = 1;
	if ((rc = cli_open(&s, &common, &so)) != 0)
		goto cleanup;
	cli_print_findings(&s.p.found, common.quiet);
	if (s.p.map.broken) {
		fprintf(stderr, "mgate plan: the revision graph is broken (see above); there is no plan\n");
		rc = EXIT_FINDINGS;
		goto cleanup;
	}
	if ((rc = preview_build(&pv, &s, target, &err)) < 0) {
		rc = cli_fail("plan", &err, 0);
		goto cleanup;
	}
	if (!strcmp(common.format, "json"))
		cli_print_doc("plan", s.p.cfg.here, report_plan_json(&pv, &s, target), NULL);
	else
		report_plan_text(stdout, &pv, &s, target, common.quiet);
	rc = EXIT_OK;
cleanup:
	preview_release(&pv);
	session_close(&s);
	strvec_release(&args);
	return rc < 0 ? EXIT_OK : rc;
}
