/*
 * gate.c: the checklist and the upgrade, written out (gate.h).
 */
#include "report/gate.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "report/color.h"
#include "report/findings.h"
#include "util/json.h"
#include "util/banned.h"

/* The command that accepts the rule findings that closed the gate for
 * one run, as "mgate upgrade [TARGET] --allow a,b --reason ...". */
static void override_command(FILE *out, const checklist_result *g, const char *target, const char *indent)
{
	strvec ids = STRVEC_INIT;
	size_t i;

	checklist_allowable(&ids, g);
	if (ids.n) {
		fprintf(out, "%sto accept %s for this run: mgate upgrade%s%s --allow ", indent,
			ids.n == 1 ? "this rule's findings" : "these rules' findings", target && strcmp(target, "heads") ? " " : "",
			target && strcmp(target, "heads") ? target : "");
		for (i = 0; i < ids.n; i++)
			fprintf(out, "%s%s", i ? "," : "", ids.v[i]);
		fprintf(out, " --reason \"why this is safe\" (recorded in the audit log)\n");
	}
	strvec_release(&ids);
}

void report_checklist_text(FILE *out, const checklist_result *g, const char *target, const char *where, int detail)
{
	buf cwd = BUF_INIT;
	size_t i, k, failed = 0;

	fprintf(out, "mgate check: %s -> %s\n", where, target);
	for (i = 0; i < g->n; i++) {
		const checklist_check *c = &g->checks[i];
		const char *tag = c->status == GATE_FAIL ? "FAIL" : checklist_status_name(c->status);
		failed += c->status == GATE_FAIL;
		if (detail < 0 && c->status != GATE_FAIL)
			continue;
		fprintf(out, "  [%s%s%s] %-10s %s\n",
			report_paint_on(out, c->status == GATE_FAIL   ? PAINT_ERROR
					     : c->status == GATE_PASS ? PAINT_PASS
								      : PAINT_WARNING),
			tag, report_paint_off(out), c->name, c->summary ? c->summary : "");
		for (k = 0; k < c->found.n; k++) {
			const finding *x = &c->found.v[k];
			if ((x->suppressed || x->severity == SEV_INFO) && detail <= 0)
				continue;
			if (x->severity != SEV_ERROR && detail < 0)
				continue;
			fprintf(out, "         %s", x->suppressed ? "(suppressed) " : "");
			if (x->path)
				fprintf(out, "%s%s%.0d: ", report_display_path(x->path, &cwd), x->line ? ":" : "", x->line);
			report_put_severity(out, x->severity);
			fprintf(out, ": %s [%s]\n", x->message, x->id);
		}
		if (c->next && c->status != GATE_PASS)
			fprintf(out, "         -> %s\n", c->next);
	}
	if (g->open) {
		fprintf(out, "gate: %sOPEN%s\n", report_paint_on(out, PAINT_PASS), report_paint_off(out));
	} else {
		fprintf(out, "gate: %sCLOSED%s (%zu check%s failed)\n", report_paint_on(out, PAINT_ERROR),
			report_paint_off(out), failed, failed == 1 ? "" : "s");
		override_command(out, g, target, "  ");
	}
	buf_release(&cwd);
}

void *report_checklist_json(const checklist_result *g, const char *target)
{
	json_t *root = json_object(), *checks = json_array();
	size_t i;

	json_object_set_new(root, "verdict", json_string(g->open ? "open" : "closed"));
	for (i = 0; i < g->n; i++) {
		const checklist_check *c = &g->checks[i];
		json_t *o = json_object();
		json_object_set_new(o, "name", json_string(c->name));
		json_object_set_new(o, "status", json_string(checklist_status_name(c->status)));
		json_object_set_new(o, "summary", json_text(c->summary ? c->summary : ""));
		json_object_set_new(o, "next", json_text(c->next));
		json_object_set_new(o, "findings", json_findings(&c->found));
		json_array_append_new(checks, o);
	}
	json_object_set_new(root, "checks", checks);
	json_object_set_new(root, "current", json_strvec(&g->current));
	json_object_set_new(root, "target", json_text(target));
	json_object_set_new(root, "pending", json_strvec(&g->pending));
	{
		strvec ids = STRVEC_INIT;
		checklist_allowable(&ids, g);
		json_object_set_new(root, "allowable", json_strvec(&ids));
		strvec_release(&ids);
	}
	return root;
}

void report_checklist_findings(findings *out, const checklist_result *g)
{
	size_t i, k;

	for (i = 0; i < g->n; i++) {
		const checklist_check *c = &g->checks[i];
		for (k = 0; k < c->found.n; k++)
			findings_add_copy(out, &c->found.v[k]);
		if (c->status == GATE_FAIL && !c->found.n) {
			buf id = BUF_INIT;
			buf_printf(&id, "gate-%s", c->name);
			findings_add(out, id.ptr, SEV_ERROR, NULL, 0, NULL, "%s", c->summary ? c->summary : c->name);
			if (c->next)
				findings_last(out)->fix = mg_strdup(c->next);
			buf_release(&id);
		}
	}
}

void report_checklist_junit(FILE *out, const checklist_result *g)
{
	findings f = FINDINGS_INIT;
	size_t i;

	for (i = 0; i < g->n; i++) {
		const checklist_check *c = &g->checks[i];
		buf id = BUF_INIT;
		if (c->status == GATE_PASS || c->status == GATE_SKIP)
			continue;
		buf_printf(&id, "check-%s", c->name);
		findings_add(&f, id.ptr, c->status == GATE_FAIL ? SEV_ERROR : SEV_WARNING, NULL, 0, NULL, "%s",
			     c->summary ? c->summary : c->name);
		if (c->next)
			findings_last(&f)->fix = mg_strdup(c->next);
		buf_release(&id);
	}
	report_junit(out, &f, "mgate check");
	findings_release(&f);
}

void report_rows(FILE *out, const strvec *rows, const char *none)
{
	size_t i;

	for (i = 0; i < rows->n; i++)
		fprintf(out, "%s%s", i ? ", " : "", rows->v[i]);
	if (!rows->n)
		fputs(none, out);
}

void report_findings_brief(FILE *out, const findings *f, int quiet)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (!quiet || f->v[i].severity == SEV_ERROR)
			fprintf(out, "  %s: %s [%s]\n", finding_severity_name(f->v[i].severity), f->v[i].message, f->v[i].id);
}

/* The two ways back from an upgrade that failed or did not verify. */
static void way_back(FILE *out, const upgrade_result *r, const session *s)
{
	fprintf(out, "\nthe way back (`mgate rollback --dry-run` compares them; `mgate rollback --yes` takes one):\n"
		     "  1. the downgrade path: alembic -c %s downgrade ",
		s->p.cfg.ini_path ? s->p.cfg.ini_path : "alembic.ini");
	if (!r->start.n)
		fputs("base", out);
	else {
		size_t i;
		for (i = 0; i < r->start.n; i++)
			fprintf(out, "%s%s", i ? " " : "", r->start.v[i]);
	}
	fprintf(out, "\n     (check `mgate lint` first: a missing or lossy downgrade loses data)\n");
	if (r->newest.path)
		fprintf(out, "  2. restore the backup taken before: mgate restore %s --yes\n     (taken %s, at the starting "
			     "revisions; what is there now is kept)\n",
			r->newest.path, r->newest.created_at ? r->newest.created_at : "?");
	else
		fprintf(out, "  2. no backup of this database was found in the backup folder\n");
}

void report_data_text(FILE *out, const data_report *d, const char *indent)
{
	size_t i;

	if (!d->measured)
		return;
	if (!d->n) {
		fprintf(out, "%srows: no table's rows changed%s\n", indent, d->exact ? "" : " (PostgreSQL's counters)");
		return;
	}
	fprintf(out, "%srows changed (%s%s):\n", indent, d->exact ? "exact" : "PostgreSQL's counters",
		d->concurrent ? "; other sessions were active too, so their writes are included" : "");
	for (i = 0; i < d->n; i++) {
		const data_table *t = &d->v[i];
		const char *sep = "";
		fprintf(out, "%s  %-24s ", indent, t->table);
		if (t->dropped)
			fprintf(out, "dropped, with its %lld row%s", t->before, t->before == 1 ? "" : "s"), sep = ", ";
		else {
			if (t->inserted)
				fprintf(out, "%s%lld inserted", sep, t->inserted), sep = ", ";
			if (t->updated > 0)
				fprintf(out, "%s%lld updated", sep, t->updated), sep = ", ";
			if (t->deleted)
				fprintf(out, "%s%lld deleted", sep, t->deleted), sep = ", ";
			if (t->inserted < 0)
				fprintf(out, "%sthe server's counters were reset meanwhile", sep);
		}
		if (t->updated < 0 && t->inserted >= 0 && !t->dropped)
			fprintf(out, "%s(counted, not compared row by row)", sep);
		fputc('\n', out);
	}
}

/* Alembic failed: how far it got, what it half-applied, the ways back. */
static void failed_text(FILE *out, const upgrade_result *r, const session *s)
{
	size_t i;

	fprintf(out, "\nAlembic failed (exit %d%s%s)\n", r->status, r->signalled ? ", after a signal" : "",
		r->timed_out ? ", timed out" : "");
	fputs("the database is now at: ", out);
	report_rows(out, &r->after, "base (no version rows)");
	fprintf(out, "\n%zu of %zu steps were applied%s%s\n", r->done, r->nsteps, r->stopped_in ? "; it stopped in " : "",
		r->stopped_in ? r->stopped_in : "");
	for (i = 0; i < r->verify.n; i++)
		if (!strcmp(r->verify.v[i].id, "unexplained-change"))
			fprintf(out, "half-applied by %s: %s\n", r->stopped_in ? r->stopped_in : "?", r->verify.v[i].message);
	if (r->half)
		fprintf(out, "to clean up the half-applied revision: `mgate restore %s --yes` puts back the backup taken "
			     "before this upgrade; or undo the changes above by hand, fix the revision, and run mgate upgrade "
			     "again\n",
			r->newest.path ? r->newest.path : "<backup>");
	report_data_text(out, &r->data, "");
	way_back(out, r, s);
}

/* A closed gate: which checks failed, what each needs, and the override
 * for the rule findings among them. */
static void closed_text(FILE *out, const checklist_result *g, const char *target)
{
	size_t i;

	fprintf(out, "the gate is closed: Alembic was not run; to go on:\n");
	for (i = 0; i < g->n; i++) {
		const checklist_check *c = &g->checks[i];
		if (c->status != GATE_FAIL)
			continue;
		fprintf(out, "  - %s: %s\n", c->name, c->next ? c->next : c->summary ? c->summary
										     : "see above");
	}
	override_command(out, g, target, "  - or, ");
}

void report_upgrade_text(FILE *out, const upgrade_result *r, const session *s, const char *target)
{
	switch (r->stage) {
	case UPGRADE_CLOSED:
		closed_text(out, &r->gate, target);
		break;
	case UPGRADE_LOCKED:
		fprintf(out, "the migration lock is held by another run: Alembic was not run\n");
		break;
	case UPGRADE_NOTHING:
		fprintf(out, "nothing to upgrade\n");
		break;
	case UPGRADE_UNREADABLE:
		way_back(out, r, s);
		break;
	case UPGRADE_FAILED:
		failed_text(out, r, s);
		break;
	case UPGRADE_UNVERIFIED:
	case UPGRADE_DONE:
		fputs("\nthe database is now at: ", out);
		report_rows(out, &r->after, "base (no version rows)");
		fputc('\n', out);
		report_data_text(out, &r->data, "");
		report_findings_brief(out, &r->verify, 0);
		if (r->stage == UPGRADE_UNVERIFIED) {
			fprintf(out, "verification failed\n");
			way_back(out, r, s);
		} else {
			fprintf(out, "upgraded and verified: %zu step%s\n", r->nsteps, r->nsteps == 1 ? "" : "s");
		}
		break;
	default:
		break; /* the caller prints the error */
	}
}

static const char *stage_name(int stage)
{
	static const char *const names[] = { "error", "closed", "nothing", "no-backup",
					     "no-plan", "locked", "no-snapshot", "no-alembic",
					     "unreadable", "failed", "unverified", "upgraded" };

	return stage >= 0 && (size_t)stage < sizeof(names) / sizeof(names[0]) ? names[stage] : "error";
}

void *report_upgrade_json(const upgrade_result *r, const session *s, const char *target, const char *id)
{
	json_t *o = json_object(), *al = json_object(), *back = json_object();
	buf down = BUF_INIT;
	size_t i;

	json_object_set_new(o, "result", json_string(stage_name(r->stage)));
	json_object_set_new(o, "exit", json_integer(r->outcome));
	json_object_set_new(o, "correlation_id", json_text(id));
	json_object_set_new(o, "database", json_text(s->where.ptr));
	json_object_set_new(o, "target", json_text(target));
	json_object_set_new(o, "from", json_strvec(&r->start));
	json_object_set_new(o, "to", r->stage >= UPGRADE_UNREADABLE && r->stage != UPGRADE_UNREADABLE ? json_strvec(&r->after) : json_null());
	json_object_set_new(o, "steps", json_integer((json_int_t)r->nsteps));
	json_object_set_new(o, "steps_applied", json_integer((json_int_t)r->done));
	json_object_set_new(o, "stopped_in", json_text(r->stopped_in));
	json_object_set_new(o, "gate", r->gate.n ? report_checklist_json(&r->gate, target) : json_null());
	json_object_set_new(al, "ran", json_boolean(r->alembic_ran));
	json_object_set_new(al, "attempts", json_integer(r->attempts));
	json_object_set_new(al, "exit", r->alembic_ran ? json_integer(r->status) : json_null());
	json_object_set_new(al, "signalled", json_boolean(r->signalled));
	json_object_set_new(al, "timed_out", json_boolean(r->timed_out));
	json_object_set_new(al, "duration_ms", json_integer((json_int_t)r->alembic_ms));
	json_object_set_new(o, "alembic", al);
	json_object_set_new(o, "verification", json_findings(&r->verify));
	json_object_set_new(o, "half_applied", json_integer((json_int_t)r->half));
	json_object_set_new(o, "data", data_json(&r->data));
	json_object_set_new(o, "snapshot", json_text(r->snapshot_path));
	/* the ways back, as commands, when the database changed and is not verified */
	if (r->stage == UPGRADE_FAILED || r->stage == UPGRADE_UNVERIFIED || r->stage == UPGRADE_UNREADABLE) {
		buf_printf(&down, "alembic -c %s downgrade ", s->p.cfg.ini_path ? s->p.cfg.ini_path : "alembic.ini");
		for (i = 0; i < r->start.n; i++)
			buf_printf(&down, "%s%s", i ? " " : "", r->start.v[i]);
		if (!r->start.n)
			buf_puts(&down, "base");
		json_object_set_new(back, "downgrade", json_text(down.ptr));
		json_object_set_new(back, "backup", json_text(r->newest.path));
		if (r->newest.path) {
			buf restore = BUF_INIT;
			buf_printf(&restore, "mgate restore %s --yes", r->newest.path);
			json_object_set_new(back, "restore", json_text(restore.ptr));
			buf_release(&restore);
		} else {
			json_object_set_new(back, "restore", json_null());
		}
		json_object_set_new(back, "compare", json_string("mgate rollback --dry-run"));
		json_object_set_new(o, "way_back", back);
	} else {
		json_decref(back);
		json_object_set_new(o, "way_back", json_null());
	}
	json_object_set_new(o, "duration_ms", json_integer((json_int_t)r->total_ms));
	buf_release(&down);
	return o;
}
