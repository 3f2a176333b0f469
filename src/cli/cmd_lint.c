/*
 * cmd_lint.c: `mgate lint [--all | --pending | --range A:B | FILE ...]`:
 * judge revisions against the rule catalogue and report per revision,
 * file and line (gate/review.h).
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "ci/cicheck.h"
#include "gate/review.h"
#include "report/findings.h"
#include "util/fs.h"
#include "util/banned.h"

static const char *const formats[] = { "text", "json", "sarif", "github", "junit", "codeclimate", NULL };

static void print_summary(FILE *out, const review_result *r)
{
	const findings *f = &r->found;
	size_t errors = findings_count_active(f, SEV_ERROR), warnings = findings_count_active(f, SEV_WARNING);

	fprintf(out, "\n%zu error%s, %zu warning%s, %zu suppressed in %zu revision%s (%zu operations, %zu SQL statements, "
		     "%zu opaque)\n",
		errors, errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s",
		f->n - errors - warnings - findings_count_active(f, SEV_INFO), r->revisions, r->revisions == 1 ? "" : "s",
		r->operations, r->statements, r->opaque);
}

static void print_json(const review_result *r, const char *root)
{
	json_t *sum = json_object();

	json_object_set_new(sum, "dialect", json_string(r->lo.dialect == SQL_SQLITE ? "sqlite" : "postgresql"));
	if (r->lo.dialect == SQL_POSTGRESQL) {
		json_object_set_new(sum, "pg_version", json_integer(r->lo.pg_version));
		json_object_set_new(sum, "pg_version_from", json_string(r->pg_source));
	}
	json_object_set_new(sum, "revisions", json_integer((json_int_t)r->revisions));
	json_object_set_new(sum, "operations", json_integer((json_int_t)r->operations));
	json_object_set_new(sum, "statements", json_integer((json_int_t)r->statements));
	json_object_set_new(sum, "opaque", json_integer((json_int_t)r->opaque));
	json_object_set_new(sum, "errors", json_integer((json_int_t)findings_count_active(&r->found, SEV_ERROR)));
	json_object_set_new(sum, "warnings", json_integer((json_int_t)findings_count_active(&r->found, SEV_WARNING)));
	report_json_stream(stdout, "lint", root, &r->found, sum);
}

static void print(const char *format, const review_result *r, const ruleset *rules, const char *root, int quiet,
		  int verbose)
{
	if (!strcmp(format, "json")) {
		print_json(r, root);
	} else if (!strcmp(format, "sarif")) {
		report_sarif(stdout, &r->found, rules);
	} else if (!strcmp(format, "github")) {
		report_github(stdout, &r->found);
	} else if (!strcmp(format, "junit")) {
		report_junit(stdout, &r->found, "mgate lint");
	} else if (!strcmp(format, "codeclimate")) {
		report_codeclimate(stdout, &r->found, "alembic.ini");
	} else {
		report_text(stdout, &r->found, quiet, verbose);
		if (!quiet)
			print_summary(stdout, r);
	}
}

/* --changed: the rule engine on the lines a change touches (cicheck.h). */
static int lint_changed(review_result *r, const review_request *rq, const char *base)
{
	cicheck_opts co;
	cicheck_result res;
	mg_error err = MG_ERROR_INIT;
	int rc;

	if ((rc = review_lint_opts(r, rq, &err)) != EXIT_OK)
		return cli_fail("lint", &err, rc);
	memset(&co, 0, sizeof(co));
	co.cfg = &rq->p->cfg;
	co.base = base;
	co.lint = &r->lo;
	if ((rc = cicheck_lint_uncommitted(&res, &r->found, &co, &err)) < 0)
		rc = cli_fail("lint", &err, rc == MG_ECONFIG ? EXIT_USAGE : EXIT_ENV);
	r->revisions = res.added + res.modified;
	r->operations = res.operations;
	r->statements = res.statements;
	r->opaque = res.opaque;
	cicheck_result_release(&res);
	return rc < 0 ? EXIT_OK : rc;
}

int cmd_lint(int argc, char **argv)
{
	cli_common common;
	project p;
	review_request rq;
	review_result r;
	ruleset rules;
	progress prog;
	cli_printer pr = { stdout, "lint", 0 };
	strvec args = STRVEC_INIT;
	mg_error err = MG_ERROR_INIT;
	const char *rules_dir = NULL, *root = NULL;
	char cwd[4096];
	const char *base = NULL;
	int rc, have_project = 0, verbose = 0, lossy = 0, changed = 0;
	cli_option opts[] = {
		OPT_FLAG_(0, "all", &rq.all, "lint every revision, in upgrade order"),
		OPT_FLAG_(0, "pending", &rq.pending, "lint the revisions the database has not applied (needs a database)"),
		OPT_STRING_(0, "range", &rq.range, "FROM:TO", "lint what `alembic upgrade FROM:TO --sql` would run"),
		OPT_FLAG_(0, "changed", &changed, "lint the lines a change touches: the staged changes, or with --base the work tree's"),
		OPT_STRING_(0, "base", &base, "REF", "with --changed: what changed since the merge base of HEAD and REF"),
		OPT_STRING_(0, "rules", &rules_dir, "DIR", "the project's rules folder, loaded over the built-in rules"),
		OPT_STRING_(0, "pg-version", &rq.pg_version, "N", "PostgreSQL major version to judge for (default: the server's, else 15)"),
		OPT_STRING_(0, "dialect", &rq.dialect, "NAME", "postgresql or sqlite (default: from the database URL)"),
		OPT_FLAG_(0, "strict", &rq.strict, "lock risks that have a safe alternative are errors"),
		OPT_FLAG_('v', "verbose", &verbose, "show informational findings and the messages of suppressed ones"),
		OPT_FLAG_(0, "lossy-downgrades", &lossy, "warn where a downgrade drops what its upgrade created"),
		OPT_DB_(&rq),
		OPT_VERSION_TABLE_(&rq),
		OPT_END_(),
	};

	memset(&p, 0, sizeof(p));
	memset(&rq, 0, sizeof(rq));
	memset(&r, 0, sizeof(r));
	memset(&rules, 0, sizeof(rules));
	if ((rc = cli_begin(argc, argv, "lint", "[options] [--all | --pending | --range FROM:TO | --changed [--base REF] | FILE ...]", opts,
			    formats, 100000, &common, &args)) != 0)
		goto cleanup;
	if (rq.all + rq.pending + (rq.range != NULL) + (args.n > 0) + changed > 1) {
		fprintf(stderr, "mgate lint: choose one of --all, --pending, --range, --changed and files\n");
		rc = EXIT_USAGE;
		goto cleanup;
	}
	if (base && !changed) {
		fprintf(stderr, "mgate lint: --base goes with --changed\n");
		rc = EXIT_USAGE;
		goto cleanup;
	}
	/* files alone need no project */
	if (!args.n || common.config || common.script_location || fs_exists("alembic.ini")) {
		if ((rc = cli_load_project(&p, &common, 1)) != 0) /* the sources kept: each file is read once */
			goto cleanup;
		have_project = 1;
	}
	if ((rc = cli_load_rules(&rules, rules_dir, have_project ? &p.cfg : NULL)) != 0)
		goto cleanup;
	if (lossy && ruleset_configure(&rules, "lossy-downgrade", "warning", &err) < 0) {
		rc = cli_fail("lint", &err, EXIT_USAGE);
		goto cleanup;
	}
	rq.p = have_project ? &p : NULL;
	rq.rules = &rules;
	rq.files = &args;
	pr.quiet = common.quiet;
	cli_progress(&prog, &pr);
	if ((rc = changed ? lint_changed(&r, &rq, base) : review_run(&r, &rq, &prog, &err)) != EXIT_OK) {
		if (err.code)
			cli_fail("lint", &err, rc);
		goto cleanup;
	}
	if (!have_project && getcwd(cwd, sizeof(cwd)))
		root = cwd; /* files alone: paths as given, under the current folder */
	print(common.format, &r, &rules, have_project ? p.cfg.here : root, common.quiet, verbose);
	rc = findings_count_active(&r.found, SEV_ERROR) ? EXIT_FINDINGS : EXIT_OK;
cleanup:
	review_result_release(&r);
	ruleset_release(&rules);
	project_release(&p);
	strvec_release(&args);
	return rc < 0 ? EXIT_OK : rc;
}
