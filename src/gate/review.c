/*
 * review.c: the revisions to judge, the dialect and version to judge for,
 * and the rule engine over them (review.h).
 */
#include "gate/review.h"

#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "gate/session.h"
#include "util/fs.h"
#include "util/parse.h"
#include "util/banned.h"

/* Every revision in upgrade order (load order when the graph is broken). */
static void order_all(int **out, size_t *n, const project *p)
{
	mg_error err = MG_ERROR_INIT;
	size_t i;

	if (!p->map.broken && revmap_upgrade_order(out, n, &p->map, p->map.real_heads.v, p->map.real_heads.n, NULL, 0, &err) == 0)
		return;
	*out = mg_calloc(p->map.n + 1, sizeof(int));
	for (i = 0; i < p->map.n; i++)
		(*out)[i] = (int)i;
	*n = p->map.n;
}

/* The steps of `alembic upgrade A:B --sql`: after A, up to and including B. */
static int order_range(int **out, size_t *n, const project *p, const char *range, mg_error *err)
{
	const char *colon = strchr(range, ':');
	char *from;
	int *targets = NULL, cur = -1, rc = MG_OUT_OK;
	size_t ntargets = 0;

	if (!colon || colon == range || !colon[1])
		return mg_fail(err, MG_OUT_USAGE, "--range needs FROM:TO (for example base:head or ab12:cd34), not '%s'", range);
	if (p->map.broken)
		return mg_fail(err, MG_OUT_BLOCKED, "the revision graph is broken (see above), so --range has no order; use --all");
	from = mg_strndup(range, (size_t)(colon - range));
	if ((strcmp(from, "base") && revmap_lookup(&cur, &p->map, from, err) < 0) ||
	    revmap_resolve_target(&targets, &ntargets, &p->map, colon + 1, &cur, cur >= 0, err) < 0 ||
	    revmap_upgrade_order(out, n, &p->map, targets, ntargets, &cur, cur >= 0, err) < 0)
		rc = mg_fail(err, MG_OUT_USAGE, "%s", err->msg);
	free(from);
	free(targets);
	return rc;
}

/* The version rows and the server's version; MG_ERR with the reason when
 * there is no database to read. */
static int read_rows(strvec *rows, buf *server, const review_request *rq, mg_error *err)
{
	const char *url = session_database_url(rq->db_url, rq->p->cfg.sqlalchemy_url);
	const mgate_settings *set = &rq->p->cfg.settings;
	db_version_table vt;
	db *d = NULL;
	int exists = 0, rc;

	if (!url)
		return mg_error_set(err, MG_ECONFIG, "no database URL; pass --db URL, set MGATE_DATABASE_URL, or set "
						     "sqlalchemy.url in alembic.ini");
	vt.table = rq->version_table ? rq->version_table : set->version_table ? set->version_table
									      : "alembic_version";
	vt.schema = rq->version_table_schema ? rq->version_table_schema : set->version_table_schema;
	if ((rc = db_open(&d, url, err)) == MG_OK && (rc = d->ops->read_versions(d, &vt, rows, &exists, err)) == MG_OK)
		rc = d->ops->server_version(d, server, err);
	db_close(d);
	return rc < 0 && rc != MG_ECONFIG ? MG_EENV : rc;
}

/*
 * The revisions the database has not applied. With `soft` (the default
 * mode) anything in the way means every revision instead: *fallback is
 * set and a note says why.
 */
static int order_pending(int **out, size_t *n, const review_request *rq, buf *server, int soft, int *fallback,
			 const progress *p, mg_error *err)
{
	const revmap *m = &rq->p->map;
	strvec rows = STRVEC_INIT, unknown = STRVEC_INIT;
	int *cur = NULL, rc = MG_OUT_OK;
	size_t ncur;

	*fallback = 0;
	if (soft && !session_database_url(rq->db_url, rq->p->cfg.sqlalchemy_url)) {
		*fallback = 1;
		return MG_OUT_OK;
	}
	if (read_rows(&rows, server, rq, err) < 0) {
		if (soft)
			progress_line(p, PROGRESS_NOTE, "note: the database cannot be read (%s), so every revision is linted",
				      err->msg);
		else
			rc = mg_outcome_of(err->code);
		*fallback = soft;
		goto cleanup;
	}
	if (m->broken) {
		*fallback = soft;
		rc = soft ? MG_OUT_OK : mg_fail(err, MG_OUT_BLOCKED, "the revision graph is broken (see above)");
		goto cleanup;
	}
	cur = mg_calloc(rows.n + 1, sizeof(int));
	ncur = revmap_indexes(cur, &unknown, m, &rows);
	if (unknown.n) {
		if (soft)
			progress_line(p, PROGRESS_NOTE, "the database is at revision '%s', which no script defines; linting "
							"every revision",
				      unknown.v[0]);
		else
			rc = mg_fail(err, MG_OUT_BLOCKED, "the database is at revision '%s', which no script defines", unknown.v[0]);
		*fallback = soft;
	} else if (revmap_upgrade_order(out, n, m, m->real_heads.v, m->real_heads.n, cur, ncur, err) < 0) {
		rc = mg_fail(err, MG_OUT_BLOCKED, "%s", err->msg);
	}
cleanup:
	free(cur);
	strvec_release(&unknown);
	strvec_release(&rows);
	return rc;
}

/* --dialect, else dialect in [mgate], else the URL's, else PostgreSQL. */
static int choose_dialect(sql_dialect *out, int *assumed, const review_request *rq, mg_error *err)
{
	const char *d = rq->dialect, *url, *expected;

	if (!d && rq->p)
		d = rq->p->cfg.settings.dialect;
	if (!d && (url = session_database_url(rq->db_url, rq->p ? rq->p->cfg.sqlalchemy_url : NULL)) != NULL)
		d = !strncmp(url, "sqlite", 6) ? "sqlite" : "postgresql";
	*assumed = !d;
	if (d && parse_dialect(&d, d, &expected) < 0)
		return mg_fail(err, MG_OUT_USAGE, "unknown dialect '%s'; expected %s", d, expected);
	*out = d && !strcmp(d, "sqlite") ? SQL_SQLITE : SQL_POSTGRESQL;
	return MG_OUT_OK;
}

/* --pg-version, else the server's, else pg_version in [mgate], else 15. */
static int choose_pg_version(review_result *out, const review_request *rq, const buf *server, mg_error *err)
{
	const char *expected;

	out->lo.pg_version = 15;
	out->pg_source = "default";
	if (rq->pg_version) {
		if (parse_pg_major(&out->lo.pg_version, rq->pg_version, &expected) < 0)
			return mg_fail(err, MG_OUT_USAGE, "--pg-version '%s': expected %s", rq->pg_version, expected);
		out->pg_source = "option";
	} else if (!strncmp(server->ptr, "PostgreSQL ", 11) && atoi(server->ptr + 11) > 0) {
		out->lo.pg_version = atoi(server->ptr + 11);
		out->pg_source = "server";
	} else if (rq->p && rq->p->cfg.settings.pg_version) {
		out->lo.pg_version = rq->p->cfg.settings.pg_version;
		out->pg_source = "config";
	}
	return MG_OUT_OK;
}

/* The files given by name, each read and judged. */
static int lint_files(lint_ctx *ctx, findings *found, const review_request *rq, mg_error *err)
{
	size_t i;

	for (i = 0; i < rq->files->n; i++) {
		const char *path = rq->files->v[i], *slash = strrchr(path, '/');
		scriptdir one;
		int rc = MG_OUT_OK;
		memset(&one, 0, sizeof(one));
		if (!fs_exists(path))
			return mg_fail(err, MG_OUT_USAGE, "no such file '%s'", path);
		if (fs_is_dir(path))
			return mg_fail(err, MG_OUT_USAGE, "'%s' is a folder; give revision files, or --all for the project's "
							  "revisions",
				       path);
		if (scriptdir_read_file(&one, path, slash ? slash + 1 : path, rq->p && rq->p->cfg.ini_path ? &rq->p->cfg.names : NULL,
					found, err) < 0 ||
		    (one.n && lint_script(ctx, found, &one.v[0], err) < 0))
			rc = MG_OUT_ENV;
		scriptdir_release(&one);
		if (rc != MG_OUT_OK)
			return rc;
	}
	return MG_OUT_OK;
}

/* The project's revisions to judge, in order. */
static int choose_order(int **order, size_t *n, const review_request *rq, buf *server, const progress *p,
			mg_error *err)
{
	int fallback = 0, rc = MG_OUT_OK;

	if (rq->range)
		return order_range(order, n, rq->p, rq->range, err);
	if (rq->pending)
		return order_pending(order, n, rq, server, 0, &fallback, p, err);
	if (!rq->all && (rc = order_pending(order, n, rq, server, 1, &fallback, p, err)) != MG_OUT_OK)
		return rc;
	if (rq->all || fallback)
		order_all(order, n, rq->p);
	return MG_OUT_OK;
}

/* A project finding concerns one of the files given by name (or no
 * files were given): `mgate lint FILE` reports that file alone. */
static int about_files(const finding *f, const strvec *files)
{
	char *a, *b;
	size_t i;
	int same = 0;

	if (!files->n)
		return 1;
	if (!f->path || !(a = realpath(f->path, NULL)))
		return 0;
	for (i = 0; i < files->n && !same; i++)
		if ((b = realpath(files->v[i], NULL)) != NULL) {
			same = !strcmp(a, b);
			free(b);
		}
	free(a);
	return same;
}

/* What to judge for: rules, strictness, dialect, PostgreSQL version (of
 * the server in `server` when it was read) and the project's accepts. */
static int choose_lint_opts(review_result *out, const review_request *rq, buf *server, mg_error *err)
{
	int rc;

	out->lo.rules = rq->rules;
	out->lo.strict = rq->strict || (rq->p && rq->p->cfg.settings.strict);
	if ((rc = choose_dialect(&out->lo.dialect, &out->lo.dialect_assumed, rq, err)) != MG_OUT_OK)
		return rc;
	if (out->lo.dialect == SQL_POSTGRESQL && rq->db_url && !rq->pg_version && !server->len && rq->p) {
		/* an explicit --db: judge for that server's version */
		strvec rows = STRVEC_INIT;
		rc = read_rows(&rows, server, rq, err) < 0 ? mg_outcome_of(err->code) : MG_OUT_OK;
		strvec_release(&rows);
		if (rc != MG_OUT_OK)
			return rc;
	}
	if ((rc = choose_pg_version(out, rq, server, err)) != MG_OUT_OK)
		return rc;
	if (rq->p) {
		out->lo.accepts = rq->p->cfg.settings.accepts;
		out->lo.naccepts = rq->p->cfg.settings.naccepts;
		out->lo.ini_path = rq->p->cfg.ini_path;
	}
	return MG_OUT_OK;
}

int review_lint_opts(review_result *out, const review_request *rq, mg_error *err)
{
	buf server = BUF_INIT;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = choose_lint_opts(out, rq, &server, err);
	buf_release(&server);
	return rc;
}

int review_run(review_result *out, const review_request *rq, const progress *p, mg_error *err)
{
	buf server = BUF_INIT;
	int *order = NULL, rc = MG_OUT_OK;
	size_t norder = 0, i;
	lint_ctx ctx;

	memset(out, 0, sizeof(*out));
	memset(&ctx, 0, sizeof(ctx));
	for (i = 0; rq->p && i < rq->p->found.n; i++) /* the scripts' and the graph's problems first */
		if (about_files(&rq->p->found.v[i], rq->files))
			findings_add_copy(&out->found, &rq->p->found.v[i]);
	if (rq->p && !rq->files->n && (rc = choose_order(&order, &norder, rq, &server, p, err)) != MG_OUT_OK)
		goto cleanup;
	if ((rc = choose_lint_opts(out, rq, &server, err)) != MG_OUT_OK)
		goto cleanup;
	lint_init(&ctx, &out->lo);
	if (rq->files->n)
		rc = lint_files(&ctx, &out->found, rq, err);
	for (i = 0; i < norder && rc == MG_OUT_OK; i++)
		if (lint_script(&ctx, &out->found, rq->p->map.v[order[i]].s, err) < 0)
			rc = MG_OUT_ENV;
	if (rc == MG_OUT_OK)
		lint_finish(&ctx, &out->found);
	out->revisions = ctx.revisions;
	out->operations = ctx.operations;
	out->statements = ctx.statements;
	out->opaque = ctx.opaque;
cleanup:
	lint_release(&ctx);
	free(order);
	buf_release(&server);
	return rc;
}

void review_result_release(review_result *r)
{
	findings_release(&r->found);
	memset(r, 0, sizeof(*r));
}
