/*
 * cmd_verify.c: `mgate verify [TARGET]`: is the database where it should
 * be? Its version rows are at the target (nothing pending), the invariants
 * hold, and with --against FILE its schema equals a committed snapshot.
 * Exit 0 when everything verifies, 5 when something does not.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "gate/verify.h"
#include "report/gate.h"
#include "util/json.h"
#include "util/banned.h"

static const char *const formats[] = { "text", "json", NULL };

static void print(const char *format, const findings *found, const session *s, const char *target, int quiet)
{
	if (!strcmp(format, "json")) {
		json_t *root = json_object();
		json_object_set_new(root, "verified", json_boolean(findings_count(found, SEV_ERROR) == 0));
		json_object_set_new(root, "current", json_strvec(&s->rows));
		json_object_set_new(root, "target", json_text(target));
		json_object_set_new(root, "findings", json_findings(found));
		cli_print_doc("verify", s->p.cfg.here, root, NULL);
		return;
	}
	printf("mgate verify: %s at ", s->where.ptr);
	report_rows(stdout, &s->rows, "base");
	printf(" -> %s\n", target);
	report_findings_brief(stdout, found, quiet);
	printf("%s\n", findings_count(found, SEV_ERROR) ? "verification failed" : "verified: at the target; invariants hold");
}

int cmd_verify(int argc, char **argv)
{
	cli_common common;
	session s;
	session_opts so;
	progress p;
	strvec args = STRVEC_INIT;
	findings found = FINDINGS_INIT;
	mg_error err = MG_ERROR_INIT;
	const char *target, *against = NULL;
	int rc;
	cli_option opts[] = {
		OPT_DB_(&so),
		OPT_STRING_(0, "against", &against, "FILE", "also compare the live schema with this snapshot (mgate snapshot)"),
		OPT_VERSION_TABLE_(&so),
		OPT_END_(),
	};

	memset(&so, 0, sizeof(so));
	memset(&s, 0, sizeof(s));
	if ((rc = cli_begin(argc, argv, "verify", "[options] [TARGET]", opts, formats, 1, &common, &args)) != 0)
		goto cleanup;
	target = args.n ? args.v[0] : "heads";
	so.db = SESSION_DB_REQUIRED;
	if ((rc = cli_open(&s, &common, &so)) != 0)
		goto cleanup;
	if (s.p.map.broken) {
		cli_print_findings(&s.p.found, common.quiet);
		fprintf(stderr, "mgate verify: the revision graph is broken (see above)\n");
		rc = EXIT_FINDINGS;
		goto cleanup;
	}
	cli_printer pr = { stdout, "verify", common.quiet };
	cli_progress(&p, &pr);
	if ((rc = verify_database(&found, &s, target, against, &p, &err)) < 0) {
		rc = cli_fail("verify", &err, 0);
		goto cleanup;
	}
	print(common.format, &found, &s, target, common.quiet);
	rc = findings_count(&found, SEV_ERROR) ? EXIT_VERIFY : EXIT_OK;
cleanup:
	findings_release(&found);
	session_close(&s);
	strvec_release(&args);
	return rc < 0 ? EXIT_OK : rc;
}
