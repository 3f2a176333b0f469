/*
 * cmd_status.c: `mgate status [TARGET]`: the database's version rows, the
 * heads, and exactly the steps `alembic upgrade TARGET` would run, in its
 * order (alembic/status.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alembic/status.h"
#include "cli.h"
#include "report/plan.h"
#include "util/banned.h"

static const char *const formats[] = { "text", "json", NULL };

/* --from REV[,REV]: version rows assumed instead of read ("base" is none). */
static void rows_from(strvec *rows, const char *s)
{
	strvec parts = STRVEC_INIT;
	size_t i;

	strvec_split(&parts, s, ",");
	for (i = 0; i < parts.n; i++)
		if (strcmp(parts.v[i], "base"))
			strvec_push(rows, parts.v[i]);
	strvec_release(&parts);
}

int cmd_status(int argc, char **argv)
{
	cli_common common;
	session s;
	session_opts so;
	status_plan sp;
	strvec args = STRVEC_INIT, from_rows = STRVEC_INIT;
	mg_error err = MG_ERROR_INIT;
	const char *target, *from = NULL, *where;
	const strvec *rows;
	int rc;
	cli_option opts[] = {
		OPT_DB_(&so),
		OPT_STRING_(0, "from", &from, "REV[,REV]", "assume these version rows instead of reading a database"),
		OPT_VERSION_TABLE_(&so),
		OPT_END_(),
	};

	memset(&so, 0, sizeof(so));
	memset(&s, 0, sizeof(s));
	memset(&sp, 0, sizeof(sp));
	if ((rc = cli_begin(argc, argv, "status", "[options] [TARGET]", opts, formats, 1, &common, &args)) != 0)
		goto cleanup;
	target = args.n ? args.v[0] : "heads";
	if ((rc = cli_open(&s, &common, &so)) != 0)
		goto cleanup;
	if (from) {
		rows_from(&from_rows, from);
		rows = &from_rows;
		where = "--from";
	} else if (!s.url) {
		fprintf(stderr, "mgate status: no database URL; pass --db URL, set MGATE_DATABASE_URL, or set "
				"sqlalchemy.url in alembic.ini (or give --from REV to assume version rows)\n");
		rc = EXIT_USAGE;
		goto cleanup;
	} else if (session_connect(&s, 1, &err) < 0) {
		fprintf(stderr, "mgate: error: %s\n", err.msg);
		rc = mg_outcome_of(err.code);
		goto cleanup;
	} else {
		rows = &s.rows;
		where = s.where.ptr;
	}
	if (status_compute(&sp, &s.p.map, rows, target, &s.p.found, &err) < 0) {
		rc = cli_fail("status", &err, EXIT_USAGE);
		goto cleanup;
	}
	cli_print_findings(&s.p.found, common.quiet);
	rc = findings_count(&s.p.found, SEV_ERROR) ? EXIT_FINDINGS : EXIT_OK;
	if (!strcmp(common.format, "json"))
		cli_print_doc("status", s.p.cfg.here, report_status_json(&s.p, rows, where, target, &sp), NULL);
	else
		report_status_text(stdout, &s.p, where, rows, target, &sp);
cleanup:
	status_plan_release(&sp);
	session_close(&s);
	strvec_release(&from_rows);
	strvec_release(&args);
	return rc < 0 ? EXIT_OK : rc;
}
