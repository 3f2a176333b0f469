/*
 * preview.c: the steps of an upgrade in words, with locks, sizes and
 * findings (preview.h).
 */
#include "gate/preview.h"

#include <stdlib.h>
#include <string.h>

#include "gate/rowcount.h"
#include "lint/lint.h"
#include "util/banned.h"

/* The steps' indexes, in Alembic's order. */
static int order(int **out, size_t *n, const session *s, const char *target, mg_error *err)
{
	const revmap *m = &s->p.map;
	strvec unknown = STRVEC_INIT;
	int *cur = mg_calloc(s->rows.n + 1, sizeof(int)), *targets = NULL, rc;
	size_t ncur, ntargets = 0;

	ncur = revmap_indexes(cur, &unknown, m, &s->rows);
	if (unknown.n)
		rc = mg_error_set(err, MG_EFINDINGS, "the database is at revision '%s', which no script defines", unknown.v[0]);
	else if ((rc = revmap_resolve_target(&targets, &ntargets, m, target, cur, ncur, err)) == MG_OK)
		rc = revmap_upgrade_order(out, n, m, targets, ntargets, cur, ncur, err);
	if (rc < 0)
		err->code = rc = rc == MG_ENOTFOUND ? MG_ECONFIG : MG_EFINDINGS;
	free(cur);
	free(targets);
	strvec_release(&unknown);
	return rc;
}

int preview_build(preview *out, const session *s, const char *target, mg_error *err)
{
	int *steps = NULL, rc;
	size_t n = 0, i, k;
	lint_ctx ctx;

	memset(out, 0, sizeof(*out));
	if ((rc = order(&steps, &n, s, target, err)) < 0)
		return rc;
	lint_init(&ctx, &s->lo);
	out->v = mg_calloc(n + 1, sizeof(*out->v));
	for (i = 0; i < n && rc == MG_OK; i++) {
		const script *sc = s->p.map.v[steps[i]].s;
		preview_step *st = &out->v[out->n++];
		buf src = BUF_INIT;
		st->rev = steps[i];
		if ((rc = script_source(&src, sc, err)) == MG_OK) {
			plan_describe(&st->ops, src.ptr, src.len, &sc->upgrade, s->lo.dialect, err);
			lint_source(&ctx, &st->found, sc->path, sc->revision, src.ptr, src.len, &sc->upgrade, &sc->downgrade, err);
			st->rows = mg_calloc(st->ops.n + 1, sizeof(long long));
			st->touched = mg_calloc(st->ops.n + 1, sizeof(long long));
			st->basis = mg_calloc(st->ops.n + 1, sizeof(*st->basis));
			for (k = 0; k < st->ops.n; k++) {
				st->rows[k] = rowcount_table(s->d, st->ops.v[k].table);
				st->touched[k] = rowcount_touched(&st->basis[k], s->d, s->lo.dialect, &st->ops.v[k]);
			}
		}
		buf_release(&src);
	}
	lint_release(&ctx);
	free(steps);
	return rc;
}

void preview_release(preview *p)
{
	size_t i;

	for (i = 0; p && i < p->n; i++) {
		plan_ops_release(&p->v[i].ops);
		findings_release(&p->v[i].found);
		free(p->v[i].rows);
		free(p->v[i].touched);
		free(p->v[i].basis);
	}
	if (p) {
		free(p->v);
		memset(p, 0, sizeof(*p));
	}
}
