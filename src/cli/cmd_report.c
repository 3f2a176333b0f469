/*
 * cmd_report.c: `mgate report`: the database's migration health as one
 * self-contained HTML page, or the same data as JSON (report/dashboard.h).
 * It reads; it changes nothing and records nothing.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "report/dashboard.h"
#include "report/doc.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/parse.h"
#include "util/banned.h"

static const char *const formats[] = { "html", "json", NULL };

/* Write the page or the document to `path` (atomically), or stdout. */
static int write_out(const char *path, const char *format, json_t *doc, mg_error *err)
{
	fs_atomic a;
	FILE *f = stdout;
	int rc;

	if (path && (rc = fs_atomic_open(&a, path, 0644, err)) < 0)
		return rc;
	if (path)
		f = a.f;
	if (!strcmp(format, "json"))
		rc = json_print(doc, f) < 0 ? mg_error_set(err, MG_EENV, "cannot encode the report") : MG_OK;
	else
		rc = report_dashboard_html(f, doc, err);
	if (!path)
		return rc;
	if (rc < 0) {
		fs_atomic_abort(&a);
		return rc;
	}
	return fs_atomic_commit(&a, err);
}

/* A whole number option in [min, max]. */
static int number(size_t *out, const char *name, const char *value, long long min, long long max)
{
	const char *expected;
	long long v;

	if (!value)
		return 0;
	if (parse_long(&v, value, min, max, &expected) < 0) {
		fprintf(stderr, "mgate report: --%s '%s': expected %s\n", name, value, expected);
		return EXIT_USAGE;
	}
	*out = (size_t)v;
	return 0;
}

int cmd_report(int argc, char **argv)
{
	cli_common common;
	session s;
	session_opts so;
	dashboard_opts dopts;
	strvec args = STRVEC_INIT;
	mg_error err = MG_ERROR_INIT;
	json_t *body = NULL, *doc = NULL;
	const char *out = NULL, *since = NULL, *window = NULL, *events = NULL, *expected;
	long long since_s = 0;
	int rc;
	cli_option opts[] = {
		OPT_STRING_('o', "out", &out, "FILE", "write the page (or JSON) to FILE (default: standard output)"),
		OPT_STRING_(0, "since", &since, "AGE", "only the history of the last AGE (e.g. 30d, 12h; a bare number is days)"),
		OPT_STRING_(0, "graph-window", &window, "N", "revisions of the graph drawn, nearest the heads (default 200)"),
		OPT_STRING_(0, "events", &events, "N", "events listed one by one, the newest (default 1000; the rest are counted)"),
		OPT_DB_(&so),
		OPT_BACKUP_DIR_(&so),
		OPT_VERSION_TABLE_(&so),
		OPT_END_(),
	};

	memset(&so, 0, sizeof(so));
	memset(&s, 0, sizeof(s));
	memset(&dopts, 0, sizeof(dopts));
	dopts.graph_window = 200;
	dopts.max_events = 1000;
	if ((rc = cli_begin(argc, argv, "report", "[--out FILE] [--since AGE] [--format html|json] [options]", opts, formats,
			    0, &common, &args)) != 0)
		goto cleanup;
	if ((rc = number(&dopts.graph_window, "graph-window", window, 1, 100000)) ||
	    (rc = number(&dopts.max_events, "events", events, 0, 1000000)))
		goto cleanup;
	if (since && parse_age(&since_s, since, 86400, 60, 100LL * 365 * 86400, &expected) < 0) {
		fprintf(stderr, "mgate report: --since '%s': expected %s\n", since, expected);
		rc = EXIT_USAGE;
		goto cleanup;
	}
	dopts.since = since ? (long long)time(NULL) - since_s : 0;
	so.db = SESSION_DB_IF_URL;
	so.rules = 1;
	if ((rc = cli_open(&s, &common, &so)) != 0)
		goto cleanup;
	if (report_dashboard_build((void **)&body, &s, &dopts, &err) < 0) {
		rc = cli_fail("report", &err, EXIT_ENV);
		goto cleanup;
	}
	doc = report_doc("report", s.p.cfg.here, body, NULL);
	if (write_out(out, common.format, doc, &err) < 0) {
		rc = cli_fail("report", &err, EXIT_ENV);
		goto cleanup;
	}
	if (out && !common.quiet)
		fprintf(stderr, "mgate report: wrote %s\n", out);
	rc = EXIT_OK;
cleanup:
	json_decref(doc);
	session_close(&s);
	strvec_release(&args);
	return rc < 0 ? EXIT_OK : rc;
}
