/*
 * cmd_ci.c: `mgate ci --base REF`: judge a branch's migrations against
 * its base before it merges, with no database (git through libgit2).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ci/cicheck.h"
#include "cli.h"
#include "report/doc.h"
#include "report/findings.h"
#include "util/json.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/parse.h"
#include "util/banned.h"

static const char *const formats[] = { "text", "json", "sarif", "github", "junit", "codeclimate", NULL };

static void print_text(const findings *f, const cicheck_result *res, const char *base, int quiet)
{
	report_text(stdout, f, quiet, 0);
	if (quiet)
		return;
	printf("%s%s: %.12s, merge base %.12s, HEAD %.12s%s%s\n", f->n ? "\n" : "", base, res->base_commit,
	       res->merge_base, res->head_commit, res->head_name ? " on " : " (detached)",
	       res->head_name ? res->head_name : "");
	printf("revision files: %zu added, %zu modified, %zu renamed, %zu deleted; heads after the merge: %zu "
	       "(base: %zu)\n",
	       res->added, res->modified, res->renamed, res->deleted, res->merged_heads, res->base_heads);
	printf("%zu error%s, %zu warning%s\n", findings_count_active(f, SEV_ERROR),
	       findings_count_active(f, SEV_ERROR) == 1 ? "" : "s", findings_count_active(f, SEV_WARNING),
	       findings_count_active(f, SEV_WARNING) == 1 ? "" : "s");
}

static void print_json(const findings *f, const cicheck_result *res, const char *base)
{
	json_t *sum = json_object();

	json_object_set_new(sum, "base", json_text(base));
	json_object_set_new(sum, "base_commit", json_string(res->base_commit));
	json_object_set_new(sum, "merge_base", json_string(res->merge_base));
	json_object_set_new(sum, "head_commit", json_string(res->head_commit));
	json_object_set_new(sum, "head_branch", res->head_name ? json_text(res->head_name) : json_null());
	json_object_set_new(sum, "added", json_integer((json_int_t)res->added));
	json_object_set_new(sum, "modified", json_integer((json_int_t)res->modified));
	json_object_set_new(sum, "renamed", json_integer((json_int_t)res->renamed));
	json_object_set_new(sum, "deleted", json_integer((json_int_t)res->deleted));
	json_object_set_new(sum, "heads_after_merge", json_integer((json_int_t)res->merged_heads));
	json_object_set_new(sum, "base_heads", json_integer((json_int_t)res->base_heads));
	json_object_set_new(sum, "errors", json_integer((json_int_t)findings_count_active(f, SEV_ERROR)));
	json_object_set_new(sum, "warnings", json_integer((json_int_t)findings_count_active(f, SEV_WARNING)));
	report_json_stream(stdout, "ci", res->workdir, f, sum);
}

int cmd_ci(int argc, char **argv)
{
	cli_common common;
	project p;
	ruleset rules;
	lint_opts lo;
	cicheck_opts co;
	cicheck_result res;
	strvec args = STRVEC_INIT;
	findings found = FINDINGS_INIT;
	mg_error err = MG_ERROR_INIT;
	const char *base = NULL, *rules_dir = NULL, *pg_version = NULL, *dialect = NULL, *expected;
	int rc, strict = 0, have_project = 0;
	cli_option opts[] = {
		OPT_STRING_(0, "base", &base, "REF", "the branch, tag or commit the change will merge into (e.g. origin/main)"),
		OPT_STRING_(0, "rules", &rules_dir, "DIR", "the project's rules folder, loaded over the built-in rules"),
		OPT_STRING_(0, "pg-version", &pg_version, "N", "PostgreSQL major version to judge for (default 15)"),
		OPT_STRING_(0, "dialect", &dialect, "NAME", "postgresql or sqlite (default: from sqlalchemy.url)"),
		OPT_FLAG_(0, "strict", &strict, "lock risks that have a safe alternative are errors"),
		OPT_END_(),
	};

	memset(&p, 0, sizeof(p));
	memset(&rules, 0, sizeof(rules));
	memset(&res, 0, sizeof(res));
	if ((rc = cli_begin(argc, argv, "ci", "--base REF [options]", opts, formats, 0, &common, &args)) != 0)
		goto cleanup;
	if (!base) {
		fprintf(stderr, "mgate ci: which base? pass --base REF (for example --base origin/main)\n");
		rc = EXIT_USAGE;
		goto cleanup;
	}
	if (!cli_format_given(argc, argv) && getenv("GITHUB_ACTIONS") && !strcmp(getenv("GITHUB_ACTIONS"), "true"))
		common.format = "github";
	if ((rc = cli_load_project(&p, &common, 0)) != 0)
		goto cleanup;
	have_project = 1;
	findings_release(&p.found); /* the working tree's own load problems are not the branch's */
	if ((rc = cli_load_rules(&rules, rules_dir, &p.cfg)) != 0)
		goto cleanup;
	memset(&lo, 0, sizeof(lo));
	lo.rules = &rules;
	lo.strict = strict || p.cfg.settings.strict;
	lo.pg_version = 15;
	if (pg_version && parse_pg_major(&lo.pg_version, pg_version, &expected) < 0) {
		fprintf(stderr, "mgate ci: --pg-version '%s': expected %s\n", pg_version, expected);
		rc = EXIT_USAGE;
		goto cleanup;
	}
	if (dialect && parse_dialect(&dialect, dialect, &expected) < 0) {
		fprintf(stderr, "mgate ci: --dialect '%s': expected %s\n", dialect, expected);
		rc = EXIT_USAGE;
		goto cleanup;
	}
	if (!dialect && p.cfg.sqlalchemy_url && !strncmp(p.cfg.sqlalchemy_url, "sqlite", 6))
		dialect = "sqlite";
	lo.dialect = dialect && !strcmp(dialect, "sqlite") ? SQL_SQLITE : SQL_POSTGRESQL;
	memset(&co, 0, sizeof(co));
	co.cfg = &p.cfg;
	co.base = base;
	co.lint = &lo;
	co.model_globs = &p.cfg.settings.model_paths;
	co.sum_file = p.cfg.settings.sum_file;
	if ((rc = cicheck_run(&res, &found, &co, &err)) < 0) {
		fprintf(stderr, "mgate ci: %s\n", err.msg);
		rc = rc == MG_ECONFIG ? EXIT_USAGE : EXIT_ENV;
		goto cleanup;
	}
	if (!strcmp(common.format, "json"))
		print_json(&found, &res, base);
	else if (!strcmp(common.format, "sarif"))
		report_sarif(stdout, &found, &rules);
	else if (!strcmp(common.format, "github"))
		report_github(stdout, &found);
	else if (!strcmp(common.format, "junit"))
		report_junit(stdout, &found, "mgate ci");
	else if (!strcmp(common.format, "codeclimate"))
		report_codeclimate(stdout, &found, report_root_path(p.cfg.ini_path, res.workdir));
	else
		print_text(&found, &res, base, common.quiet);
	rc = findings_count_active(&found, SEV_ERROR) ? EXIT_FINDINGS : EXIT_OK;
cleanup:
	cicheck_result_release(&res);
	findings_release(&found);
	ruleset_release(&rules);
	if (have_project)
		project_release(&p);
	strvec_release(&args);
	return rc < 0 ? EXIT_OK : rc;
}
