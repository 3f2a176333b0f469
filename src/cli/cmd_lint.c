/*
 * cmd_lint.c: `mgate lint [--all | --pending | --range A:B | FILE ...]`:
 * judge revisions against the rule catalogue and report per revision,
 * file and line.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lint/lint.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/banned.h"

static const char *const formats[] = { "text", "json", "sarif", "github", NULL };

typedef struct lint_cli {
	cli_dbopts db;
	const char *range, *rules_dir, *pg_version, *dialect;
	int all, pending, strict, verbose;
} lint_cli;

/* ---- what to lint -------------------------------------------------------- */

static int order_all(int **out, size_t *n, const cli_project *p)
{
	mg_error err = MG_ERROR_INIT;
	size_t i;

	if (!p->map.broken &&
	    revmap_upgrade_order(out, n, &p->map, p->map.real_heads.v, p->map.real_heads.n, NULL, 0, &err) == 0)
		return 0;
	/* A broken graph has no order: lint in load order. */
	*out = mg_calloc(p->map.n + 1, sizeof(int));
	for (i = 0; i < p->map.n; i++)
		(*out)[i] = (int)i;
	*n = p->map.n;
	return 0;
}

/* The steps of `alembic upgrade A:B --sql`: after A, up to and including B. */
static int order_range(int **out, size_t *n, const cli_project *p, const char *range)
{
	mg_error err = MG_ERROR_INIT;
	const char *colon = strchr(range, ':');
	char *from = NULL;
	int *targets = NULL, cur = -1, rc = 0;
	size_t ntargets = 0;

	if (!colon || colon == range || !colon[1]) {
		fprintf(stderr, "mgate lint: --range needs FROM:TO (for example base:head or ab12:cd34), not '%s'\n", range);
		return EXIT_USAGE;
	}
	if (p->map.broken) {
		fprintf(stderr, "mgate lint: the revision graph is broken (see above), so --range has no order; use --all\n");
		return EXIT_FINDINGS;
	}
	from = mg_strndup(range, (size_t)(colon - range));
	if (strcmp(from, "base") && revmap_lookup(&cur, &p->map, from, &err) < 0) {
		fprintf(stderr, "mgate lint: %s\n", err.msg);
		rc = EXIT_USAGE;
		goto cleanup;
	}
	if (revmap_resolve_target(&targets, &ntargets, &p->map, colon + 1, &cur, cur >= 0, &err) < 0 ||
	    revmap_upgrade_order(out, n, &p->map, targets, ntargets, &cur, cur >= 0, &err) < 0) {
		fprintf(stderr, "mgate lint: %s\n", err.msg);
		rc = EXIT_USAGE;
	}
cleanup:
	free(from);
	free(targets);
	return rc;
}

/* Pending revisions from the database. `soft`: fall back (return 1) when
 * the database cannot be read. */
static int order_pending(int **out, size_t *n, cli_project *p, const lint_cli *o, buf *server, int soft)
{
	strvec rows = STRVEC_INIT, unknown = STRVEC_INIT;
	buf where = BUF_INIT;
	mg_error err = MG_ERROR_INIT;
	int *cur = NULL, rc = 0;
	size_t ncur = 0;

	if (soft && !cli_database_url(o->db.db_url, p->cfg.sqlalchemy_url))
		return 1;
	if ((rc = cli_read_versions(&rows, &where, server, &o->db, p)) != 0) {
		if (soft) {
			fprintf(stderr, "mgate lint: note: the database cannot be read, so every revision is linted\n");
			rc = 1;
		}
		goto cleanup;
	}
	if (p->map.broken) {
		rc = soft ? 1 : EXIT_FINDINGS;
		goto cleanup;
	}
	cur = mg_calloc(rows.n + 1, sizeof(int));
	ncur = revmap_indexes(cur, &unknown, &p->map, &rows);
	if (unknown.n) {
		fprintf(stderr, "mgate lint: the database is at revision '%s', which no script defines%s\n", unknown.v[0],
			soft ? "; linting every revision" : "");
		rc = soft ? 1 : EXIT_FINDINGS;
		goto cleanup;
	}
	if (revmap_upgrade_order(out, n, &p->map, p->map.real_heads.v, p->map.real_heads.n, cur, ncur, &err) < 0) {
		fprintf(stderr, "mgate lint: %s\n", err.msg);
		rc = EXIT_FINDINGS;
	}
cleanup:
	free(cur);
	strvec_release(&unknown);
	strvec_release(&rows);
	buf_release(&where);
	return rc;
}

/* ---- settings ------------------------------------------------------------ */

static int choose_dialect(sql_dialect *out, const lint_cli *o, const cli_project *p)
{
	const char *d = o->dialect;
	const char *url;

	if (!d)
		d = p->cfg.settings.dialect;
	if (!d && (url = cli_database_url(o->db.db_url, p->cfg.sqlalchemy_url)) != NULL)
		d = !strncmp(url, "sqlite", 6) ? "sqlite" : "postgresql";
	if (!d)
		d = "postgresql";
	if (!strcmp(d, "postgresql") || !strcmp(d, "postgres"))
		*out = SQL_POSTGRESQL;
	else if (!strcmp(d, "sqlite"))
		*out = SQL_SQLITE;
	else {
		fprintf(stderr, "mgate lint: unknown dialect '%s'; expected postgresql or sqlite\n", d);
		return EXIT_USAGE;
	}
	return 0;
}

/* ---- output -------------------------------------------------------------- */

static void print_summary(FILE *out, const findings *f, const lint_ctx *ctx)
{
	fprintf(out, "\n%zu error%s, %zu warning%s, %zu suppressed in %zu revision%s "
		     "(%zu operations, %zu SQL statements, %zu opaque)\n",
		findings_count_active(f, SEV_ERROR), findings_count_active(f, SEV_ERROR) == 1 ? "" : "s",
		findings_count_active(f, SEV_WARNING), findings_count_active(f, SEV_WARNING) == 1 ? "" : "s",
		f->n - findings_count_active(f, SEV_ERROR) - findings_count_active(f, SEV_WARNING) -
			findings_count_active(f, SEV_INFO),
		ctx->revisions, ctx->revisions == 1 ? "" : "s", ctx->operations, ctx->statements, ctx->opaque);
}

static void print_json(const findings *f, const lint_ctx *ctx, const char *pg_source)
{
	json_t *sum = json_object();

	json_object_set_new(sum, "dialect", json_string(ctx->o->dialect == SQL_SQLITE ? "sqlite" : "postgresql"));
	if (ctx->o->dialect == SQL_POSTGRESQL) {
		json_object_set_new(sum, "pg_version", json_integer(ctx->o->pg_version));
		json_object_set_new(sum, "pg_version_from", json_string(pg_source));
	}
	json_object_set_new(sum, "revisions", json_integer((json_int_t)ctx->revisions));
	json_object_set_new(sum, "operations", json_integer((json_int_t)ctx->operations));
	json_object_set_new(sum, "statements", json_integer((json_int_t)ctx->statements));
	json_object_set_new(sum, "opaque", json_integer((json_int_t)ctx->opaque));
	json_object_set_new(sum, "errors", json_integer((json_int_t)findings_count_active(f, SEV_ERROR)));
	json_object_set_new(sum, "warnings", json_integer((json_int_t)findings_count_active(f, SEV_WARNING)));
	cli_report_json_stream(stdout, f, sum);
}

/* ---- the command --------------------------------------------------------- */

static int lint_files(lint_ctx *ctx, findings *found, const strvec *files, const cli_project *p)
{
	mg_error err = MG_ERROR_INIT;
	size_t i;

	for (i = 0; i < files->n; i++) {
		scriptdir one;
		const char *slash = strrchr(files->v[i], '/');
		memset(&one, 0, sizeof(one));
		if (!fs_exists(files->v[i])) {
			fprintf(stderr, "mgate lint: no such file '%s'\n", files->v[i]);
			return EXIT_USAGE;
		}
		if (fs_is_dir(files->v[i])) {
			fprintf(stderr, "mgate lint: '%s' is a folder; give revision files, or --all for the project's "
					"revisions\n",
				files->v[i]);
			return EXIT_USAGE;
		}
		if (scriptdir_read_file(&one, files->v[i], slash ? slash + 1 : files->v[i],
					p->cfg.ini_path ? &p->cfg.names : NULL, found, &err) < 0) {
			fprintf(stderr, "mgate: error: %s\n", err.msg);
			scriptdir_release(&one);
			return EXIT_ENV;
		}
		if (one.n && lint_script(ctx, found, &one.v[0], &err) < 0) {
			fprintf(stderr, "mgate: error: %s\n", err.msg);
			scriptdir_release(&one);
			return EXIT_ENV;
		}
		scriptdir_release(&one);
	}
	return 0;
}

int cmd_lint(int argc, char **argv)
{
	cli_common common;
	cli_project p;
	lint_cli o;
	lint_opts lo;
	lint_ctx ctx;
	ruleset rules;
	strvec args = STRVEC_INIT;
	findings found = FINDINGS_INIT;
	buf server = BUF_INIT;
	mg_error err = MG_ERROR_INIT;
	const char *pg_source = "default";
	int *order = NULL, rc, have_project = 0, modes;
	size_t norder = 0, i;
	cli_option opts[] = {
		OPT_FLAG_(0, "all", &o.all, "lint every revision, in upgrade order"),
		OPT_FLAG_(0, "pending", &o.pending, "lint the revisions the database has not applied (needs a database)"),
		OPT_STRING_(0, "range", &o.range, "FROM:TO", "lint what `alembic upgrade FROM:TO --sql` would run"),
		OPT_STRING_(0, "rules", &o.rules_dir, "DIR", "the project's rules folder, loaded over the built-in rules"),
		OPT_STRING_(0, "pg-version", &o.pg_version, "N", "PostgreSQL major version to judge for (default: the server's, else 15)"),
		OPT_STRING_(0, "dialect", &o.dialect, "NAME", "postgresql or sqlite (default: from the database URL)"),
		OPT_FLAG_(0, "strict", &o.strict, "lock risks that have a safe alternative are errors"),
		OPT_FLAG_('v', "verbose", &o.verbose, "show the messages of suppressed findings"),
		OPT_DB_(&o.db),
		OPT_VERSION_TABLE_(&o.db),
		OPT_END_(),
	};

	memset(&p, 0, sizeof(p));
	memset(&o, 0, sizeof(o));
	memset(&rules, 0, sizeof(rules));
	memset(&ctx, 0, sizeof(ctx));
	if ((rc = cli_begin(argc, argv, "lint", "[options] [--all | --pending | --range FROM:TO | FILE ...]", opts,
			    formats, 100000, &common, &args)) != 0)
		goto out_noproj;
	modes = o.all + o.pending + (o.range != NULL) + (args.n > 0);
	if (modes > 1) {
		fprintf(stderr, "mgate lint: choose one of --all, --pending, --range and files\n");
		rc = EXIT_USAGE;
		goto cleanup;
	}
	if (args.n && !common.config && !common.script_location && !fs_exists("alembic.ini")) {
		/* Files alone need no project. */
	} else {
		common.keep_sources = 1; /* cold runs read each file once */
		if ((rc = cli_load_project(&p, &common)) != 0)
			goto cleanup;
		have_project = 1;
	}
	if ((rc = cli_load_rules(&rules, o.rules_dir, have_project ? &p.cfg : NULL)) != 0)
		goto cleanup;
	if (have_project) {
		findings_move(&found, &p.found);
		if (o.range)
			rc = order_range(&order, &norder, &p, o.range);
		else if (o.pending)
			rc = order_pending(&order, &norder, &p, &o, &server, 0);
		else if (!o.all && !args.n && (rc = order_pending(&order, &norder, &p, &o, &server, 1)) == 1)
			rc = order_all(&order, &norder, &p);
		else if (!args.n && !order)
			rc = order_all(&order, &norder, &p);
		if (rc)
			goto cleanup;
	}
	memset(&lo, 0, sizeof(lo));
	lo.rules = &rules;
	lo.strict = o.strict || (have_project && p.cfg.settings.strict);
	if ((rc = choose_dialect(&lo.dialect, &o, &p)) != 0)
		goto cleanup;
	if (lo.dialect == SQL_POSTGRESQL && o.db.db_url && !o.pg_version && !server.len && have_project) {
		/* An explicit --db: judge for that server's version. */
		strvec rows = STRVEC_INIT;
		buf where = BUF_INIT;
		rc = cli_read_versions(&rows, &where, &server, &o.db, &p);
		strvec_release(&rows);
		buf_release(&where);
		if (rc)
			goto cleanup;
	}
	if ((rc = cli_pg_version(&lo.pg_version, &pg_source, o.pg_version, &p.cfg, &server, "lint")) != 0)
		goto cleanup;
	lint_init(&ctx, &lo);
	if (args.n) {
		if ((rc = lint_files(&ctx, &found, &args, &p)) != 0)
			goto cleanup;
	} else {
		for (i = 0; i < norder; i++)
			if (lint_script(&ctx, &found, p.map.v[order[i]].s, &err) < 0) {
				fprintf(stderr, "mgate: error: %s\n", err.msg);
				rc = EXIT_ENV;
				goto cleanup;
			}
	}
	if (!strcmp(common.format, "json"))
		print_json(&found, &ctx, pg_source);
	else if (!strcmp(common.format, "sarif"))
		cli_report_sarif(&found, &rules);
	else if (!strcmp(common.format, "github"))
		cli_report_github(stdout, &found);
	else {
		cli_report_text(stdout, &found, common.quiet, o.verbose);
		if (!common.quiet)
			print_summary(stdout, &found, &ctx);
	}
	rc = findings_count_active(&found, SEV_ERROR) ? EXIT_FINDINGS : EXIT_OK;
cleanup:
	lint_release(&ctx);
	ruleset_release(&rules);
	findings_release(&found);
	free(order);
	buf_release(&server);
	if (have_project)
		cli_project_release(&p);
out_noproj:
	strvec_release(&args);
	return rc < 0 ? EXIT_OK : rc;
}
