/*
 * cmd_drill.c: `mgate drill`: the backup -> restore -> checks exercise on
 * a scratch database (gate/drill.h); `--report` lists past drills from the
 * audit log.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "gate/drill.h"
#include "report/rescue.h"
#include "util/banned.h"

static const char *const formats[] = { "text", "json", NULL };

/* The drills of this database the audit log records. */
static int report(const session *s, const char *format)
{
	audit_drill_row *v = NULL;
	size_t n;

	if (!s->audit.path) {
		fprintf(stderr, "mgate drill: no audit log is configured (audit_log in [mgate]); drills are recorded there\n");
		return EXIT_USAGE;
	}
	if (!strcmp(format, "json")) {
		cli_print_doc("drills", s->p.cfg.here, audit_read(s->audit.path, "drill", s->where.ptr), "drills");
		return EXIT_OK;
	}
	n = audit_drills(&v, s->audit.path, s->where.ptr);
	report_drills_text(stdout, v, n, s->where.ptr);
	audit_drill_rows_free(v, n);
	return EXIT_OK;
}

int cmd_drill(int argc, char **argv)
{
	cli_common common;
	session s;
	session_opts so;
	drill_opts dopts;
	drill_result r;
	progress p;
	strvec args = STRVEC_INIT;
	mg_error err = MG_ERROR_INIT;
	int rc, want_report = 0, json;
	char id[17];
	cli_option opts[] = {
		OPT_FLAG_(0, "newest", &dopts.newest, "use the newest backup instead of taking one"),
		OPT_FLAG_(0, "report", &want_report, "show the drills recorded in the audit log"),
		OPT_DB_(&so),
		OPT_SCRATCH_URL_(&so),
		OPT_BACKUP_DIR_(&so),
		OPT_VERSION_TABLE_(&so),
		OPT_END_(),
	};

	memset(&so, 0, sizeof(so));
	memset(&dopts, 0, sizeof(dopts));
	memset(&s, 0, sizeof(s));
	memset(&r, 0, sizeof(r));
	run_new_id(id);
	dopts.correlation_id = id;
	if ((rc = cli_begin(argc, argv, "drill", "[--newest] [--report] [options]", opts, formats, 0, &common, &args)) != 0)
		goto cleanup;
	cli_log_context(id, NULL);
	so.db = SESSION_DB_OPTIONAL;
	so.rules = 1;
	so.scratch = 1;
	if ((rc = cli_open(&s, &common, &so)) != 0)
		goto cleanup;
	if (want_report) {
		rc = report(&s, common.format);
		goto cleanup;
	}
	json = !strcmp(common.format, "json");
	cli_printer pr = { json ? stderr : stdout, "drill", common.quiet };
	cli_progress(&p, &pr);
	rc = drill_run(&r, &s, &dopts, &p, &err);
	if (rc == EXIT_USAGE || rc == EXIT_ENV)
		rc = cli_fail("drill", &err, rc);
	else if (json)
		cli_print_doc("drill", s.p.cfg.here, report_drill_json(&r), NULL);
	else
		report_drill_text(stdout, &r);
cleanup:
	drill_result_release(&r);
	session_close(&s);
	strvec_release(&args);
	return rc < 0 ? EXIT_OK : rc;
}
