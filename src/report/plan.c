/*
 * plan.c: what an upgrade will run, written out: `mgate plan`'s steps with
 * their operations, locks, table sizes and findings, and `mgate status`'s
 * rows, heads and pending steps (plan.h).
 */
#include "report/plan.h"

#include <jansson.h>
#include <string.h>

#include "report/findings.h"
#include "report/gate.h"
#include "util/json.h"
#include "util/banned.h"

static void print_op(FILE *out, const plan_op *o, long long nrows, long long touched, const char *basis)
{
	int on_table = o->table && o->lock && !strstr(o->lock, "SQLite");

	fprintf(out, "   - line %d: %s", o->line, o->description);
	if (o->lock || nrows >= 0) {
		fprintf(out, "\n       ");
		if (o->lock)
			fprintf(out, "lock: %s%s%s", o->lock, on_table ? " on " : "", on_table ? o->table : "");
		if (nrows >= 0)
			fprintf(out, "%stable size: about %lld row%s", o->lock ? "; " : "", nrows, nrows == 1 ? "" : "s");
	}
	if (o->dml && touched >= 0)
		fprintf(out, "\n       %s %s%lld row%s (%s)", !strcmp(o->dml, "delete") ? "deletes" : "updates",
			!strcmp(basis, "at most") ? "at most " : !strcmp(basis, "estimate") ? "about "
											    : "",
			touched,
			touched == 1 ? "" : "s", basis);
	else if (o->dml)
		fprintf(out, "\n       rows it %s: not known before it runs", !strcmp(o->dml, "delete") ? "deletes" : "updates");
	fputc('\n', out);
}

void report_plan_text(FILE *out, const preview *pv, const session *s, const char *target, int quiet)
{
	buf cwd = BUF_INIT;
	size_t i, k;

	fprintf(out, "mgate plan: %s (at ", s->where.ptr);
	report_rows(out, &s->rows, "base");
	fprintf(out, ") -> %s: %zu step%s\n", target, pv->n, pv->n == 1 ? "" : "s");
	for (i = 0; i < pv->n; i++) {
		const preview_step *st = &pv->v[i];
		const revnode *r = &s->p.map.v[st->rev];
		const char *nl = strchr(r->s->doc, '\n');
		fprintf(out, "\n%zu. %s%s  %.*s\n   %s\n", i + 1, r->id, revnode_is_merge(r) ? " (merge)" : "",
			(int)(nl ? (size_t)(nl - r->s->doc) : strlen(r->s->doc)), r->s->doc,
			report_display_path(r->s->path, &cwd));
		if (!st->ops.n)
			fprintf(out, "   (no operations)\n");
		for (k = 0; k < st->ops.n; k++)
			print_op(out, &st->ops.v[k], st->rows[k], st->touched[k], st->basis[k]);
		for (k = 0; k < st->found.n; k++) {
			const finding *x = &st->found.v[k];
			if (!x->suppressed && (!quiet || x->severity == SEV_ERROR))
				fprintf(out, "   ! line %d: %s: %s [%s]\n", x->line, finding_severity_name(x->severity), x->message, x->id);
		}
	}
	buf_release(&cwd);
}

void *report_plan_json(const preview *pv, const session *s, const char *target)
{
	json_t *root = json_object(), *arr = json_array();
	buf cwd = BUF_INIT;
	size_t i, k;

	json_object_set_new(root, "current", json_strvec(&s->rows));
	json_object_set_new(root, "target", json_text(target));
	for (i = 0; i < pv->n; i++) {
		const preview_step *st = &pv->v[i];
		const revnode *r = &s->p.map.v[st->rev];
		json_t *o = json_object(), *ops = json_array();
		json_object_set_new(o, "revision", json_text(r->id));
		json_object_set_new(o, "path", json_text(report_display_path(r->s->path, &cwd)));
		json_object_set_new(o, "doc", json_text(r->s->doc));
		json_object_set_new(o, "is_merge", json_boolean(revnode_is_merge(r)));
		for (k = 0; k < st->ops.n; k++) {
			const plan_op *op = &st->ops.v[k];
			json_t *jo = json_object();
			json_object_set_new(jo, "line", json_integer(op->line));
			json_object_set_new(jo, "description", json_text(op->description));
			json_object_set_new(jo, "table", json_text(op->table));
			json_object_set_new(jo, "lock", json_text(op->lock));
			json_object_set_new(jo, "rows", st->rows[k] >= 0 ? json_integer(st->rows[k]) : json_null());
			json_object_set_new(jo, "data_loss", json_boolean(op->data_loss));
			if (op->dml) {
				json_t *t = json_object();
				json_object_set_new(t, "kind", json_string(op->dml));
				json_object_set_new(t, "rows", st->touched[k] >= 0 ? json_integer(st->touched[k]) : json_null());
				json_object_set_new(t, "basis", st->touched[k] >= 0 ? json_string(st->basis[k]) : json_null());
				json_object_set_new(jo, "data", t);
			} else {
				json_object_set_new(jo, "data", json_null());
			}
			json_array_append_new(ops, jo);
		}
		json_object_set_new(o, "operations", ops);
		json_object_set_new(o, "findings", json_findings(&st->found));
		json_array_append_new(arr, o);
	}
	json_object_set_new(root, "steps", arr);
	buf_release(&cwd);
	return root;
}


/* ---- status ------------------------------------------------------------------ */

static json_t *ids_json(const revmap *m, const int *v, size_t n)
{
	json_t *a = json_array();
	size_t i;
	for (i = 0; i < n; i++)
		json_array_append_new(a, json_text(m->v[v[i]].id));
	return a;
}

void report_status_text(FILE *out, const project *p, const char *where, const strvec *rows, const char *target,
			const status_plan *sp)
{
	const revmap *m = &p->map;
	size_t i;

	fprintf(out, "database: %s\n", where);
	fprintf(out, "current:  ");
	if (!rows->n)
		fprintf(out, "(none: an empty database, at base)");
	for (i = 0; i < rows->n; i++)
		fprintf(out, "%s%s", i ? ", " : "", rows->v[i]);
	fprintf(out, "\nheads:    ");
	for (i = 0; i < m->heads.n; i++)
		fprintf(out, "%s%s", i ? ", " : "", m->v[m->heads.v[i]].id);
	fprintf(out, "\ntarget:   %s\n", target);
	if (!sp->have_plan)
		return;
	if (!sp->npending) {
		fprintf(out, "pending:  nothing; the database is already at the target\n");
		return;
	}
	fprintf(out, "pending:  %zu step%s, in the order `alembic upgrade %s` runs them\n", sp->npending,
		sp->npending == 1 ? "" : "s", target);
	for (i = 0; i < sp->npending; i++) {
		const revnode *r = &m->v[sp->pending[i]];
		const char *nl = strchr(r->s->doc, '\n');
		if (i == sp->fail_at)
			fprintf(out, "       ---- `alembic upgrade` fails at the next step (see the error) ----\n");
		fprintf(out, "  %3zu. %s%s  %.*s\n", i + 1, r->id, revnode_is_merge(r) ? " (merge)" : "",
			(int)(nl ? (size_t)(nl - r->s->doc) : strlen(r->s->doc)), r->s->doc);
		fprintf(out, "       %s\n", r->s->path);
	}
}

void *report_status_json(const project *p, const strvec *rows, const char *where, const char *target,
			 const status_plan *sp)
{
	json_t *obj = json_object(), *arr = json_array();
	size_t i;

	json_object_set_new(obj, "database", json_text(where));
	json_object_set_new(obj, "current", json_strvec(rows));
	json_object_set_new(obj, "heads", p->map.broken ? json_array() : ids_json(&p->map, p->map.heads.v, p->map.heads.n));
	json_object_set_new(obj, "target", json_text(target));
	for (i = 0; sp->have_plan && i < sp->npending; i++) {
		const revnode *r = &p->map.v[sp->pending[i]];
		json_t *step = json_object();
		json_object_set_new(step, "revision", json_text(r->id));
		json_object_set_new(step, "down_revisions", json_strlist(&r->s->down));
		json_object_set_new(step, "path", json_text(r->s->path));
		json_object_set_new(step, "is_merge", json_boolean(revnode_is_merge(r)));
		json_array_append_new(arr, step);
	}
	json_object_set_new(obj, "pending", sp->have_plan ? arr : (json_decref(arr), json_null()));
	json_object_set_new(obj, "alembic_fails_at",
			    sp->have_plan && sp->fail_at != (size_t)-1 ? json_text(p->map.v[sp->pending[sp->fail_at]].id) : json_null());
	json_object_set_new(obj, "findings", json_findings(&p->found));
	return obj;
}
