/*
 * cmd_rehearse.c: `mgate rehearse [TARGET]`: the pending upgrade, run on
 * a throw-away copy before production sees it (gate/rehearse.h).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "gate/rehearse.h"
#include "report/rescue.h"
#include "util/banned.h"

static const char *const formats[] = { "text", "json", NULL };

int cmd_rehearse(int argc, char **argv)
{
	cli_common common;
	session s;
	session_opts so;
	rehearse_opts ro;
	rehearse_result r;
	progress p;
	strvec args = STRVEC_INIT;
	mg_error err = MG_ERROR_INIT;
	FILE *info;
	char id[17];
	int rc;
	cli_option opts[] = {
		OPT_FLAG_(0, "keep", &ro.keep, "keep the scratch database afterwards (its URL is printed)"),
		OPT_DB_(&so),
		OPT_SCRATCH_URL_(&so),
		OPT_BACKUP_DIR_(&so),
		OPT_VERSION_TABLE_(&so),
		OPT_END_(),
	};

	memset(&so, 0, sizeof(so));
	memset(&ro, 0, sizeof(ro));
	memset(&s, 0, sizeof(s));
	memset(&r, 0, sizeof(r));
	run_new_id(id);
	ro.correlation_id = id;
	if ((rc = cli_begin(argc, argv, "rehearse", "[options] [TARGET]", opts, formats, 1, &common, &args)) != 0)
		goto cleanup;
	cli_log_context(id, NULL);
	ro.target = args.n ? args.v[0] : "heads";
	so.db = SESSION_DB_OPTIONAL;
	so.rules = 1;
	so.scratch = 1;
	if ((rc = cli_open(&s, &common, &so)) != 0)
		goto cleanup;
	info = strcmp(common.format, "json") ? stdout : stderr;
	cli_printer pr = { info, "rehearse", common.quiet };
	cli_progress(&p, &pr);
	rc = rehearse_run(&r, &s, &ro, &p, &err);
	if (rc == EXIT_FINDINGS && s.p.map.broken)
		cli_print_findings(&s.p.found, common.quiet);
	else if (err.code)
		cli_fail("rehearse", &err, rc);
	if (r.nothing) {
		fprintf(info, "nothing to rehearse: the backup is already at %s\n", ro.target);
	} else if (r.n && (rc == EXIT_OK || rc == EXIT_UPGRADE || rc == EXIT_VERIFY)) {
		if (!strcmp(common.format, "json"))
			cli_print_doc("rehearse", s.p.cfg.here, rehearse_json(&r, &s), NULL);
		else
			report_rehearse_text(stdout, &r, &s);
		if (ro.keep)
			fprintf(info, "the scratch database is kept: %s\n", r.scratch.ptr);
	}
cleanup:
	rehearse_result_release(&r);
	session_close(&s);
	strvec_release(&args);
	return rc < 0 ? EXIT_OK : rc;
}
