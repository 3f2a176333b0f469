/*
 * status.c: the plan of `alembic upgrade TARGET` from version rows, and
 * why there may be none (status.h).
 */
#include "alembic/status.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/banned.h"

/* Whether Alembic's bookkeeping follows the plan; a finding when not. */
static void simulate(status_plan *out, const revmap *m, const int *cur, size_t ncur, const char *target, findings *f)
{
	buf why = BUF_INIT;

	if (revmap_simulate_upgrade(m, cur, ncur, out->pending, out->npending, &out->fail_at, &why)) {
		const revnode *r = &m->v[out->pending[out->fail_at]];
		findings_add(f, "alembic-upgrade-will-fail", SEV_ERROR, r->s->path, 0, r->id,
			     "`alembic upgrade %s` will stop at step %zu of %zu, revision '%s': %s. Alembic's version "
			     "bookkeeping cannot follow this graph; the usual cause is a depends_on that names an ancestor "
			     "of the revision's own down_revision: remove it (the order does not need it), then check again",
			     target, out->fail_at + 1, out->npending, r->id, why.ptr);
	}
	buf_release(&why);
}

int status_compute(status_plan *out, const revmap *m, const strvec *rows, const char *target, findings *f,
		   mg_error *err)
{
	strvec unknown = STRVEC_INIT;
	int *cur, *targets = NULL, rc = MG_OK, r;
	size_t ncur, ntargets = 0, i;

	memset(out, 0, sizeof(*out));
	out->fail_at = (size_t)-1;
	if (m->broken)
		return MG_OK;
	cur = mg_calloc(rows->n + 1, sizeof(int));
	ncur = revmap_indexes(cur, &unknown, m, rows);
	for (i = 0; i < unknown.n; i++)
		findings_add(f, "unknown-revision-in-database", SEV_ERROR, NULL, 0, unknown.v[i],
			     "the database is at revision '%s', which no script defines: it is ahead of this code or on "
			     "another branch (Alembic stops with \"Can't locate revision\"); deploy the code that has it, or "
			     "check that this is the right database",
			     unknown.v[i]);
	if (unknown.n)
		goto cleanup;
	if (revmap_check_overlap(m, cur, ncur, err) < 0) {
		findings_add(f, "overlapping-version-rows", SEV_ERROR, NULL, 0, NULL,
			     "the version table is inconsistent: %s (Alembic refuses to upgrade it); a stamp or a manual edit "
			     "left both rows, run 'alembic stamp' with the real heads to repair it",
			     err->msg);
		goto cleanup;
	}
	r = revmap_resolve_target(&targets, &ntargets, m, target, cur, ncur, err);
	if (r == 0 && revmap_check_overlap(m, targets, ntargets, err) < 0)
		r = MG_ERR;
	if (r == MG_ENOTFOUND) {
		rc = r;
	} else if (r < 0) {
		findings_add(f, r == MG_EAMBIGUOUS ? "ambiguous-target" : "invalid-target", SEV_ERROR, NULL, 0, NULL, "%s",
			     err->msg);
	} else if (revmap_upgrade_order(&out->pending, &out->npending, m, targets, ntargets, cur, ncur, err) < 0) {
		findings_add(f, "invalid-target", SEV_ERROR, NULL, 0, NULL, "%s", err->msg);
	} else {
		out->have_plan = 1;
		simulate(out, m, cur, ncur, target, f);
	}
cleanup:
	free(cur);
	free(targets);
	strvec_release(&unknown);
	return rc;
}

void status_plan_release(status_plan *p)
{
	free(p->pending);
	memset(p, 0, sizeof(*p));
}
