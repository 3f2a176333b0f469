/*
 * cmd_plan.c: `mgate plan [TARGET]`: the steps `alembic upgrade TARGET`
 * will run, in order, each with its operations in plain words, the lock
 * each takes, the size of the tables they touch, and the findings.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "db/db.h"
#include "lint/lint.h"
#include "lint/plan.h"
#include "util/buf.h"
#include "util/banned.h"

static const char *const formats[] = { "text", "json", NULL };

typedef struct step {
	int rev;
	plan_ops ops;
	findings found;
} step;

/* Estimated rows of `table` (-1 unknown). */
static long long rows_of(db *d, const char *table)
{
	mg_error err = MG_ERROR_INIT;
	long long n = -1;

	if (!d || !table || d->ops->table_rows(d, table, &n, &err) < 0)
		return -1;
	return n;
}

static void print_text(const cli_project *p, const step *steps, size_t n, db *d, const char *where,
		       const strvec *rows, const char *target)
{
	buf cwd = BUF_INIT;
	size_t i, k;

	printf("mgate plan: %s (at ", where);
	for (k = 0; k < rows->n; k++)
		printf("%s%s", k ? ", " : "", rows->v[k]);
	printf("%s) -> %s: %zu step%s\n", rows->n ? "" : "base", target, n, n == 1 ? "" : "s");
	for (i = 0; i < n; i++) {
		const revnode *r = &p->map.v[steps[i].rev];
		const char *nl = strchr(r->s->doc, '\n');
		printf("\n%zu. %s%s  %.*s\n   %s\n", i + 1, r->id, revnode_is_merge(r) ? " (merge)" : "",
		       (int)(nl ? (size_t)(nl - r->s->doc) : strlen(r->s->doc)), r->s->doc,
		       cli_display_path(r->s->path, &cwd));
		if (!steps[i].ops.n)
			printf("   (no operations)\n");
		for (k = 0; k < steps[i].ops.n; k++) {
			const plan_op *o = &steps[i].ops.v[k];
			long long nrows = rows_of(d, o->table);
			printf("   - line %d: %s", o->line, o->description);
			if (o->lock || nrows >= 0) {
				printf("\n       ");
				if (o->lock)
					printf("lock: %s%s%s", o->lock, o->table && !strstr(o->lock, "SQLite") ? " on " : "",
					       o->table && !strstr(o->lock, "SQLite") ? o->table : "");
				if (nrows >= 0)
					printf("%stable size: about %lld row%s", o->lock ? "; " : "", nrows, nrows == 1 ? "" : "s");
			}
			putchar('\n');
		}
		for (k = 0; k < steps[i].found.n; k++) {
			const finding *x = &steps[i].found.v[k];
			if (x->suppressed)
				continue;
			printf("   ! line %d: %s: %s [%s]\n", x->line, finding_severity_name(x->severity), x->message, x->id);
		}
	}
	buf_release(&cwd);
}

static void print_json(const cli_project *p, const step *steps, size_t n, db *d, const strvec *rows,
		       const char *target)
{
	json_t *root = json_object(), *arr = json_array();
	buf cwd = BUF_INIT;
	size_t i, k;

	json_object_set_new(root, "current", cli_strvec_json(rows));
	json_object_set_new(root, "target", cli_json_str(target));
	for (i = 0; i < n; i++) {
		const revnode *r = &p->map.v[steps[i].rev];
		json_t *s = json_object(), *ops = json_array();
		json_object_set_new(s, "revision", cli_json_str(r->id));
		json_object_set_new(s, "path", cli_json_str(cli_display_path(r->s->path, &cwd)));
		json_object_set_new(s, "doc", cli_json_str(r->s->doc));
		json_object_set_new(s, "is_merge", json_boolean(revnode_is_merge(r)));
		for (k = 0; k < steps[i].ops.n; k++) {
			const plan_op *o = &steps[i].ops.v[k];
			json_t *jo = json_object();
			long long nrows = rows_of(d, o->table);
			json_object_set_new(jo, "line", json_integer(o->line));
			json_object_set_new(jo, "description", cli_json_str(o->description));
			json_object_set_new(jo, "table", o->table ? cli_json_str(o->table) : json_null());
			json_object_set_new(jo, "lock", o->lock ? cli_json_str(o->lock) : json_null());
			json_object_set_new(jo, "rows", nrows >= 0 ? json_integer(nrows) : json_null());
			json_object_set_new(jo, "data_loss", json_boolean(o->data_loss));
			json_array_append_new(ops, jo);
		}
		json_object_set_new(s, "operations", ops);
		json_object_set_new(s, "findings", cli_findings_json(&steps[i].found));
		json_array_append_new(arr, s);
	}
	json_object_set_new(root, "steps", arr);
	cli_print_json(root);
	buf_release(&cwd);
}

int cmd_plan(int argc, char **argv)
{
	cli_common common;
	cli_project p;
	cli_dbopts o;
	ruleset rules;
	lint_opts lo;
	lint_ctx ctx;
	strvec args = STRVEC_INIT, rows = STRVEC_INIT, unknown = STRVEC_INIT;
	buf where = BUF_INIT, server = BUF_INIT;
	mg_error err = MG_ERROR_INIT;
	const char *target = "heads", *url, *pg_version = NULL;
	int *current = NULL, *targets = NULL, *order = NULL, rc, have_project = 0;
	size_t ncur = 0, ntargets = 0, norder = 0, i;
	step *steps = NULL;
	db *d = NULL;
	cli_option opts[] = {
		OPT_DB_(&o),
		OPT_STRING_(0, "pg-version", &pg_version, "N", "judge for this PostgreSQL major version (default: the server's)"),
		OPT_VERSION_TABLE_(&o),
		OPT_END_(),
	};

	memset(&p, 0, sizeof(p));
	memset(&o, 0, sizeof(o));
	memset(&rules, 0, sizeof(rules));
	memset(&ctx, 0, sizeof(ctx));
	if ((rc = cli_begin(argc, argv, "plan", "[options] [TARGET]", opts, formats, 1, &common, &args)) != 0)
		goto cleanup;
	if (args.n)
		target = args.v[0];
	common.keep_sources = 1;
	if ((rc = cli_load_project(&p, &common)) != 0)
		goto cleanup;
	have_project = 1;
	cli_print_findings(&p.found, common.quiet);
	if (p.map.broken) {
		fprintf(stderr, "mgate plan: the revision graph is broken (see above); there is no plan\n");
		rc = EXIT_FINDINGS;
		goto cleanup;
	}
	if ((rc = cli_load_rules(&rules, NULL, &p.cfg)) != 0 || (rc = cli_read_versions(&rows, &where, &server, &o, &p)) != 0)
		goto cleanup;
	url = cli_database_url(o.db_url, p.cfg.sqlalchemy_url);
	if (db_open(&d, url, &err) < 0)
		d = NULL; /* sizes are optional; reading the versions worked a moment ago */
	current = mg_calloc(rows.n + 1, sizeof(int));
	ncur = revmap_indexes(current, &unknown, &p.map, &rows);
	if (unknown.n) {
		fprintf(stderr, "mgate plan: the database is at revision '%s', which no script defines\n", unknown.v[0]);
		rc = EXIT_FINDINGS;
		goto cleanup;
	}
	if (revmap_resolve_target(&targets, &ntargets, &p.map, target, current, ncur, &err) < 0 ||
	    revmap_upgrade_order(&order, &norder, &p.map, targets, ntargets, current, ncur, &err) < 0) {
		fprintf(stderr, "mgate plan: %s\n", err.msg);
		rc = err.code == MG_ENOTFOUND ? EXIT_USAGE : EXIT_FINDINGS;
		goto cleanup;
	}
	memset(&lo, 0, sizeof(lo));
	lo.rules = &rules;
	lo.strict = p.cfg.settings.strict;
	lo.dialect = !strncmp(url, "sqlite", 6) ? SQL_SQLITE : SQL_POSTGRESQL;
	if ((rc = cli_pg_version(&lo.pg_version, NULL, pg_version, &p.cfg, &server, "plan")) != 0)
		goto cleanup;
	lint_init(&ctx, &lo);
	steps = mg_calloc(norder + 1, sizeof(*steps));
	for (i = 0; i < norder; i++) {
		const script *s = p.map.v[order[i]].s;
		buf src = BUF_INIT;
		steps[i].rev = order[i];
		if (script_source(&src, s, &err) < 0) {
			fprintf(stderr, "mgate plan: %s\n", err.msg);
			buf_release(&src);
			rc = EXIT_ENV;
			goto cleanup;
		}
		plan_describe(&steps[i].ops, src.ptr, src.len, &s->upgrade, lo.dialect, &err);
		lint_source(&ctx, &steps[i].found, s->path, s->revision, src.ptr, src.len, &s->upgrade, &s->downgrade, &err);
		buf_release(&src);
	}
	if (!strcmp(common.format, "json"))
		print_json(&p, steps, norder, d, &rows, target);
	else
		print_text(&p, steps, norder, d, where.ptr, &rows, target);
	rc = EXIT_OK;
cleanup:
	for (i = 0; steps && i < norder; i++) {
		plan_ops_release(&steps[i].ops);
		findings_release(&steps[i].found);
	}
	free(steps);
	lint_release(&ctx);
	ruleset_release(&rules);
	db_close(d);
	free(current);
	free(targets);
	free(order);
	strvec_release(&unknown);
	strvec_release(&rows);
	buf_release(&where);
	buf_release(&server);
	if (have_project)
		cli_project_release(&p);
	strvec_release(&args);
	return rc < 0 ? EXIT_OK : rc;
}
