/*
 * cmd_status.c: `mgate status [TARGET]`: the database's version rows, the
 * heads, and exactly the steps `alembic upgrade TARGET` would run, in its
 * order.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "db/db.h"
#include "util/buf.h"
#include "util/banned.h"

static const char *const formats[] = { "text", "json", NULL };

typedef struct status_opts {
	const char *db_url;
	const char *from;
	const char *version_table;
	const char *version_table_schema;
} status_opts;

/* The version rows: from --from, or read from the database. Returns an
 * exit code (0 on success). */
static int read_current(strvec *rows, buf *where, const status_opts *o, cli_project *p)
{
	const char *s = o->from, *comma;
	cli_dbopts dbo = { o->db_url, o->version_table, o->version_table_schema };

	if (!o->from) {
		const char *url = cli_database_url(o->db_url, p->cfg.sqlalchemy_url);
		if (!url) {
			fprintf(stderr, "mgate status: no database URL; pass --db URL, set MGATE_DATABASE_URL, or set "
					"sqlalchemy.url in alembic.ini (or give --from REV to assume version rows)\n");
			return EXIT_USAGE;
		}
		return cli_read_versions(rows, where, NULL, &dbo, p);
	}
	buf_puts(where, "--from");
	while (*s) {
		comma = strchr(s, ',');
		if (comma ? comma > s : *s) {
			size_t n = comma ? (size_t)(comma - s) : strlen(s);
			if (!(n == 4 && !strncmp(s, "base", 4)))
				strvec_push_n(rows, s, n);
		}
		s = comma ? comma + 1 : s + strlen(s);
	}
	return EXIT_OK;
}

static json_t *ids_json(const revmap *m, const int *v, size_t n)
{
	json_t *a = json_array();
	size_t i;
	for (i = 0; i < n; i++)
		json_array_append_new(a, cli_json_str(m->v[v[i]].id));
	return a;
}

static void print_text(const cli_project *p, const char *where, const strvec *rows, const char *target,
		       const int *pending, size_t npending, int have_plan, size_t fail_at)
{
	const revmap *m = &p->map;
	size_t i;

	printf("database: %s\n", where);
	printf("current:  ");
	if (!rows->n)
		printf("(none: an empty database, at base)");
	for (i = 0; i < rows->n; i++)
		printf("%s%s", i ? ", " : "", rows->v[i]);
	printf("\nheads:    ");
	for (i = 0; i < m->heads.n; i++)
		printf("%s%s", i ? ", " : "", m->v[m->heads.v[i]].id);
	printf("\ntarget:   %s\n", target);
	if (!have_plan)
		return;
	if (!npending) {
		printf("pending:  nothing; the database is already at the target\n");
		return;
	}
	printf("pending:  %zu step%s, in the order `alembic upgrade %s` runs them\n", npending, npending == 1 ? "" : "s",
	       target);
	for (i = 0; i < npending; i++) {
		const revnode *r = &m->v[pending[i]];
		const char *nl = strchr(r->s->doc, '\n');
		if (i == fail_at)
			printf("       ---- `alembic upgrade` fails at the next step (see the error) ----\n");
		printf("  %3zu. %s%s  %.*s\n", i + 1, r->id, revnode_is_merge(r) ? " (merge)" : "",
		       (int)(nl ? (size_t)(nl - r->s->doc) : strlen(r->s->doc)), r->s->doc);
		printf("       %s\n", r->s->path);
	}
}

int cmd_status(int argc, char **argv)
{
	cli_common common;
	cli_project p;
	status_opts o;
	strvec args = STRVEC_INIT, rows = STRVEC_INIT, unknown = STRVEC_INIT;
	buf where = BUF_INIT;
	mg_error err = MG_ERROR_INIT;
	int *current = NULL, *targets = NULL, *pending = NULL, rc, have_plan = 0;
	size_t ncurrent = 0, ntargets = 0, npending = 0, i, fail_at = (size_t)-1;
	const char *target = "heads";
	cli_option opts[] = {
		OPT_DB_(&o),
		OPT_STRING_(0, "from", &o.from, "REV[,REV]", "assume these version rows instead of reading a database"),
		OPT_VERSION_TABLE_(&o),
		OPT_END_(),
	};

	memset(&p, 0, sizeof(p));
	memset(&o, 0, sizeof(o));
	if ((rc = cli_begin(argc, argv, "status", "[options] [TARGET]", opts, formats, 1, &common, &args)) != 0)
		goto out_noproj;
	if (args.n)
		target = args.v[0];
	if ((rc = cli_load_project(&p, &common)) != 0)
		goto cleanup;
	if ((rc = read_current(&rows, &where, &o, &p)) != 0)
		goto cleanup;

	if (!p.map.broken) {
		current = mg_calloc(rows.n + 1, sizeof(int));
		ncurrent = revmap_indexes(current, &unknown, &p.map, &rows);
		for (i = 0; i < unknown.n; i++)
			findings_add(&p.found, "unknown-revision-in-database", SEV_ERROR, NULL, 0, unknown.v[i],
				     "the database is at revision '%s', which no script defines: it is ahead of this "
				     "code or on another branch (Alembic stops with \"Can't locate revision\"); deploy "
				     "the code that has it, or check that this is the right database",
				     unknown.v[i]);
	}
	if (!p.map.broken && ncurrent == rows.n && revmap_check_overlap(&p.map, current, ncurrent, &err) < 0) {
		findings_add(&p.found, "overlapping-version-rows", SEV_ERROR, NULL, 0, NULL,
			     "the version table is inconsistent: %s (Alembic refuses to upgrade it); a stamp or a manual "
			     "edit left both rows, run 'alembic stamp' with the real heads to repair it",
			     err.msg);
	} else if (!p.map.broken && ncurrent == rows.n) {
		int r = revmap_resolve_target(&targets, &ntargets, &p.map, target, current, ncurrent, &err);
		if (r == 0 && revmap_check_overlap(&p.map, targets, ntargets, &err) < 0)
			r = MG_ERR;
		if (r == MG_ENOTFOUND) {
			fprintf(stderr, "mgate status: %s\n", err.msg);
			rc = EXIT_USAGE;
			goto cleanup;
		}
		if (r < 0) {
			findings_add(&p.found, r == MG_EAMBIGUOUS ? "ambiguous-target" : "invalid-target", SEV_ERROR, NULL,
				     0, NULL, "%s", err.msg);
		} else if (revmap_upgrade_order(&pending, &npending, &p.map, targets, ntargets, current, ncurrent, &err) <
			   0) {
			findings_add(&p.found, "invalid-target", SEV_ERROR, NULL, 0, NULL, "%s", err.msg);
		} else {
			buf why = BUF_INIT;
			have_plan = 1;
			if (revmap_simulate_upgrade(&p.map, current, ncurrent, pending, npending, &fail_at, &why)) {
				const revnode *r = &p.map.v[pending[fail_at]];
				findings_add(&p.found, "alembic-upgrade-will-fail", SEV_ERROR, r->s->path, 0, r->id,
					     "`alembic upgrade %s` will stop at step %zu of %zu, revision '%s': %s. Alembic's "
					     "version bookkeeping cannot follow this graph; the usual cause is a depends_on that "
					     "names an ancestor of the revision's own down_revision: remove it (the order does "
					     "not need it), then check again",
					     target, fail_at + 1, npending, r->id, why.ptr);
			}
			buf_release(&why);
		}
	}
	cli_print_findings(&p.found, common.quiet);
	rc = findings_count(&p.found, SEV_ERROR) ? EXIT_FINDINGS : EXIT_OK;

	if (!strcmp(common.format, "json")) {
		json_t *obj = json_object(), *arr = json_array();
		json_object_set_new(obj, "database", cli_json_str(where.ptr));
		json_object_set_new(obj, "current", cli_strvec_json(&rows));
		json_object_set_new(obj, "heads", p.map.broken ? json_array() : ids_json(&p.map, p.map.heads.v, p.map.heads.n));
		json_object_set_new(obj, "target", cli_json_str(target));
		for (i = 0; have_plan && i < npending; i++) {
			const revnode *r = &p.map.v[pending[i]];
			json_t *step = json_object();
			json_object_set_new(step, "revision", cli_json_str(r->id));
			json_object_set_new(step, "down_revisions", cli_strlist_json(&r->s->down));
			json_object_set_new(step, "path", cli_json_str(r->s->path));
			json_object_set_new(step, "is_merge", json_boolean(revnode_is_merge(r)));
			json_array_append_new(arr, step);
		}
		json_object_set_new(obj, "pending", have_plan ? arr : (json_decref(arr), json_null()));
		json_object_set_new(obj, "alembic_fails_at",
				    have_plan && fail_at != (size_t)-1 ? cli_json_str(p.map.v[pending[fail_at]].id) : json_null());
		json_object_set_new(obj, "findings", cli_findings_json(&p.found));
		cli_print_json(obj);
	} else {
		print_text(&p, where.ptr, &rows, target, pending, npending, have_plan, fail_at);
	}
cleanup:
	free(current);
	free(targets);
	free(pending);
	buf_release(&where);
	strvec_release(&unknown);
	strvec_release(&rows);
	cli_project_release(&p);
out_noproj:
	strvec_release(&args);
	return rc < 0 ? EXIT_OK : rc;
}
