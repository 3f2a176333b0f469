/*
 * rescue.c: rollbacks, restores, drills, rehearsals and backups, written
 * out (rescue.h).
 */
#include "report/rescue.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/findings.h"
#include "report/gate.h"
#include "util/json.h"
#include "util/banned.h"

/* ---- rollback ------------------------------------------------------------------- */

static json_t *step_json(const rollback_step *st, const session *s)
{
	json_t *o = json_object(), *ops = json_array();
	size_t k;

	json_object_set_new(o, "revision", json_string(s->p.map.v[st->rev].id));
	json_object_set_new(o, "path", json_text(s->p.map.v[st->rev].s->path));
	json_object_set_new(o, "has_downgrade", json_boolean(!st->problem));
	json_object_set_new(o, "problem", json_text(st->problem));
	for (k = 0; k < st->ops.n; k++) {
		json_t *x = json_object();
		json_object_set_new(x, "line", json_integer(st->ops.v[k].line));
		json_object_set_new(x, "description", json_text(st->ops.v[k].description));
		json_object_set_new(x, "lock", json_text(st->ops.v[k].lock));
		json_object_set_new(x, "data_loss", json_boolean(st->ops.v[k].data_loss));
		json_object_set_new(x, "rows", st->rows[k] >= 0 ? json_integer(st->rows[k]) : json_null());
		json_array_append_new(ops, x);
	}
	json_object_set_new(o, "operations", ops);
	json_object_set_new(o, "findings", json_findings(&st->found));
	json_object_set_new(o, "rows_lost", st->lost_unknown ? json_null() : json_integer(st->lost));
	return o;
}

void *report_rollback_json(const rollback_ways *w, const session *s)
{
	json_t *root = json_object(), *down = json_object(), *steps = json_array(), *rest = json_object(),
	       *commands = json_array();
	buf cmdline = BUF_INIT;
	size_t i, k;

	for (k = 0; k < w->cmds.n; k++) {
		json_t *c = json_array();
		strvec cmd = STRVEC_INIT;
		rollback_command(&cmd, s, w, k);
		for (i = 0; i < cmd.n; i++) {
			buf_printf(&cmdline, "%s%s", i ? " " : k ? "; "
								 : "",
				   cmd.v[i]);
			json_array_append_new(c, json_text(cmd.v[i]));
		}
		json_array_append_new(commands, c);
		strvec_release(&cmd);
	}
	json_object_set_new(root, "current", json_strvec(&s->rows));
	json_object_set_new(root, "target", json_text(w->target));
	json_object_set_new(root, "target_rows", json_strvec(&w->target_rows));
	for (i = 0; i < w->n; i++)
		json_array_append_new(steps, step_json(&w->v[i], s));
	json_object_set_new(down, "available", json_boolean(!w->down_problem));
	json_object_set_new(down, "problem", json_text(w->down_problem));
	json_object_set_new(down, "command", json_text(cmdline.ptr));
	json_object_set_new(down, "commands", commands);
	json_object_set_new(down, "steps", steps);
	json_object_set_new(down, "rows_lost", w->down_lost_unknown ? json_null() : json_integer(w->down_lost));
	json_object_set_new(root, "downgrade", down);
	json_object_set_new(rest, "available", json_boolean(w->have_backup && w->backup_matches));
	json_object_set_new(rest, "point_in_time", json_boolean(w->pitr));
	if (w->pitr) {
		json_object_set_new(rest, "target_time", w->pitr_target ? json_integer(w->pitr_target) : json_null());
		json_object_set_new(rest, "command", w->pitr_cmd.len ? json_text(w->pitr_cmd.ptr) : json_null());
	}
	json_object_set_new(rest, "backup", w->have_backup && !w->pitr ? json_text(w->b.path) : json_null());
	if (w->have_backup && !w->pitr) {
		json_object_set_new(rest, "created_at", json_text(w->b.created_at));
		json_object_set_new(rest, "age_seconds", json_integer(w->age));
		json_object_set_new(rest, "revisions", json_strvec(&w->b.revisions));
		json_object_set_new(rest, "matches_target", json_boolean(w->backup_matches));
		json_object_set_new(rest, "writes_since", w->writes >= 0 ? json_integer(w->writes) : json_null());
		json_object_set_new(rest, "writes_basis", json_text(w->writes_basis));
		json_object_set_new(rest, "estimated_seconds", json_real(w->estimate));
	}
	json_object_set_new(root, "restore", rest);
	json_object_set_new(root, "recommendation", json_string(w->choice));
	json_object_set_new(root, "why", json_text(w->reason.ptr));
	buf_release(&cmdline);
	return root;
}

static void step_text(FILE *out, const rollback_step *st, const session *s, size_t i, buf *cwd, int quiet)
{
	size_t k;

	fprintf(out, "  %zu. %s  %s\n", i + 1, s->p.map.v[st->rev].id, report_display_path(s->p.map.v[st->rev].s->path, cwd));
	if (st->problem && !st->problem_own) /* a finding's problem is printed with it */
		fprintf(out, "     problem: %s\n", st->problem);
	for (k = 0; k < st->found.n; k++)
		if (!quiet || st->found.v[k].severity == SEV_ERROR)
			fprintf(out, "     %s: %s [%s]\n", finding_severity_name(st->found.v[k].severity),
				st->found.v[k].message, st->found.v[k].id);
	for (k = 0; k < st->ops.n; k++) {
		fprintf(out, "     - %s", st->ops.v[k].description);
		if (st->ops.v[k].data_loss)
			fprintf(out, st->rows[k] >= 0 ? " (%lld rows now)" : " (rows unknown)", st->rows[k]);
		if (st->ops.v[k].lock)
			fprintf(out, " [%s]", st->ops.v[k].lock);
		fputc('\n', out);
	}
}

/* (b) with pgBackRest: the point-in-time recovery, which mgate does not run. */
static void pitr_way_text(FILE *out, const rollback_ways *w)
{
	char when[32];
	time_t t = (time_t)w->pitr_target;
	struct tm tm;

	fprintf(out, "\n(b) point-in-time recovery with pgBackRest: ");
	if (!w->pitr_target) {
		fprintf(out, "the audit log does not say when the upgrade started, so no target time is known\n");
		return;
	}
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&t, &tm));
	fprintf(out, "to %s, just before the upgrade\n"
		     "  writes lost: everything written since then\n"
		     "  mgate does not run it: stop PostgreSQL, then as the data directory's owner run\n"
		     "    %s\n"
		     "  and start PostgreSQL (it replays the archived WAL to that time and promotes); then `mgate verify`\n",
		when, w->pitr_cmd.ptr);
}

static void restore_way_text(FILE *out, const rollback_ways *w, const session *s, buf *cwd)
{
	if (w->pitr) {
		pitr_way_text(out, w);
		return;
	}
	fprintf(out, "\n(b) restore the newest backup: ");
	if (!w->have_backup) {
		fprintf(out, "none of this database verifies%s\n", s->backup_dir ? "" : " (no backup folder is configured)");
		return;
	}
	fprintf(out, "%s\n  taken %s (%lld min ago), at ", report_display_path(w->b.path, cwd), w->b.created_at, w->age / 60);
	report_rows(out, &w->b.revisions, "base");
	fprintf(out, "%s\n", w->backup_matches ? "" : ": NOT the target, so it is not a way back to it");
	if (w->writes >= 0)
		fprintf(out, "  writes lost: %lld (%s)\n", w->writes, w->writes_basis);
	else
		fprintf(out, "  writes lost: unknown (statistics do not tell)\n");
	fprintf(out, "  estimated time: about %.0f s (%.1f MB, at the rate the backup itself was taken)\n", w->estimate,
		(double)w->b.size / 1e6);
}

void report_rollback_text(FILE *out, const rollback_ways *w, const session *s, int quiet)
{
	buf cwd = BUF_INIT;
	size_t i, k;

	fprintf(out, "mgate rollback: %s at ", s->where.ptr);
	report_rows(out, &s->rows, "base");
	fprintf(out, " -> %s (", w->target);
	report_rows(out, &w->target_rows, "base");
	fprintf(out, ")\n\n(a) the downgrade path:");
	for (k = 0; k < w->cmds.n; k++) {
		strvec cmd = STRVEC_INIT;
		rollback_command(&cmd, s, w, k);
		fprintf(out, "%s", k ? "\n    then" : "");
		for (i = 0; i < cmd.n; i++)
			fprintf(out, " %s", cmd.v[i]);
		strvec_release(&cmd);
	}
	fputc('\n', out);
	for (i = 0; i < w->n; i++)
		step_text(out, &w->v[i], s, i, &cwd, quiet);
	if (w->down_problem)
		fprintf(out, "  not available: %s\n", w->down_problem);
	else
		fprintf(out, "  data lost: %s%lld row%s\n", w->down_lost_unknown ? "at least " : "", w->down_lost,
			w->down_lost == 1 ? "" : "s");
	restore_way_text(out, w, s, &cwd);
	fprintf(out, "\nrecommended: %s: %s\n",
		!strcmp(w->choice, "downgrade") ? "(a) the downgrade" : !strcmp(w->choice, "restore") ? "(b) the restore"
												      : "none",
		w->reason.ptr);
	buf_release(&cwd);
}

/* Where the database is after the way back, and its schema. */
static void back_text(FILE *out, const rollback_result *r, const rollback_ways *w)
{
	if (!r->read_back)
		return;
	fprintf(out, "the database is now at: ");
	report_rows(out, &r->now, "base");
	fputc('\n', out);
	if (r->schema_same)
		fprintf(out, "the schema is as it was before the upgrade (%s)\n", w->last.before_snapshot);
	else if (r->schema_unknown)
		fprintf(out, "note: the snapshot taken before the upgrade is not available; the schema was not compared\n");
}

/* A downgrade that failed: how far it got, what it left half done, and
 * the next way back. */
static void failed_downgrade_text(FILE *out, const rollback_result *r, const rollback_ways *w)
{
	size_t i;

	fprintf(out, "\nAlembic's downgrade failed (exit %d%s)\n", r->status, r->timed_out ? ", timed out" : "");
	if (!r->read_back) {
		fprintf(out, "the database could not be read afterwards: its state is unknown\n");
	} else {
		back_text(out, r, w);
		fprintf(out, "%zu of %zu downgrade steps ran", r->undone, w->n);
		if (r->failed)
			fprintf(out, "; it stopped in the downgrade() of %s", r->failed);
		fputc('\n', out);
	}
	if (r->state_known && !r->nhalf)
		fprintf(out, "nothing was left half done: the schema is what the steps that ran declare\n");
	for (i = 0; i < r->half.n; i++)
		fprintf(out, "%s %s: %s\n", !strcmp(r->half.v[i].id, "unexplained-change") ? "half-applied by" : "not done by",
			r->failed ? r->failed : "the failed step", r->half.v[i].message);
	fprintf(out, "\nthe next way back:\n");
	if (w->pitr && w->pitr_target)
		fprintf(out, "  a point-in-time recovery to just before the upgrade, which mgate does not run: stop "
			     "PostgreSQL, then as the data directory's owner\n    %s\n  and start PostgreSQL\n",
			w->pitr_cmd.ptr);
	else if (w->have_backup && w->backup_matches)
		fprintf(out, "  restore the backup taken before the upgrade: mgate rollback --via restore --yes\n"
			     "    (%s, at the target; what is there now is kept as a backup first)\n",
			w->b.path);
	else
		fprintf(out, "  no backup of this database at the target verifies, so a restore cannot take you back\n");
	fprintf(out, "  %sfix the downgrade() of %s (Alembic's error is above), then `mgate rollback --dry-run` and "
		     "`mgate rollback --via downgrade --yes` again\n",
		w->have_backup && w->backup_matches ? "or " : "", r->failed ? r->failed : "the failed revision");
	fprintf(out, "  (docs/runbook.md: \"A rollback failed\")\n");
}

/* What became of the ledger across a restore, in one line or two. */
static void ledger_text(FILE *out, const restore_result *r, const char *indent)
{
	const ledger_restored *l = &r->ledger;
	size_t i;

	if (r->audit_rows_lost > 0)
		fprintf(out, "%snot kept: %lld row%s of the mgate_audit table written since the backup (an audit_log file, "
			     "when set, still has them)\n",
			indent, r->audit_rows_lost, r->audit_rows_lost == 1 ? "" : "s");
	if (r->ledger_problem) {
		fprintf(out, "%swarning: %s\n", indent, r->ledger_problem);
		return;
	}
	if (!r->ledger_done)
		return;
	fprintf(out, "%sledger: %zu entr%s restored with the backup", indent, l->kept, l->kept == 1 ? "y" : "ies");
	if (l->carried)
		fprintf(out, ", %zu carried over from before the restore (the backup predates them)", l->carried);
	if (l->recorded)
		fprintf(out, ", %zu recorded from the files now (no record of them existed)", l->recorded);
	fputc('\n', out);
	if (l->dropped.n) {
		fprintf(out, "%sthe ledger no longer holds ", indent);
		for (i = 0; i < l->dropped.n; i++)
			fprintf(out, "%s%s", i ? ", " : "", l->dropped.v[i]);
		fprintf(out, ": the restore took %s back, so `mgate upgrade` records %s again when it reapplies %s\n",
			l->dropped.n == 1 ? "that revision" : "those revisions", l->dropped.n == 1 ? "it" : "them",
			l->dropped.n == 1 ? "it" : "them");
	}
}

void report_rollback_result(FILE *out, const rollback_result *r, const rollback_ways *w)
{
	if (!strcmp(w->choice, "downgrade") && r->status != 0) {
		failed_downgrade_text(out, r, w);
		return;
	}
	if (!r->checked)
		return; /* the way could not be taken: its message says why */
	if (r->restored.kept)
		fprintf(out, "the previous file is kept as %s\n", r->restored.kept);
	if (r->restored.pre_backup)
		fprintf(out, "what was there is kept as the backup %s\n", r->restored.pre_backup);
	ledger_text(out, &r->restored, "");
	back_text(out, r, w);
	report_findings_brief(out, &r->verify, 0);
	fprintf(out, "%s\n", findings_count(&r->verify, SEV_ERROR) ? "verification failed" : "rolled back and verified");
}

/* ---- restore -------------------------------------------------------------------- */

void report_restore_text(FILE *out, const restore_result *r, const restore_plan *plan)
{
	buf cwd = BUF_INIT;

	fprintf(out, "restored %s into %s\n", report_display_path(plan->backup.path, &cwd), plan->where.ptr);
	if (r->kept)
		fprintf(out, "  the previous file is kept as %s (remove it when you are sure)\n", r->kept);
	if (r->pre_backup)
		fprintf(out, "  what was there before is kept as the backup %s\n", report_display_path(r->pre_backup, &cwd));
	ledger_text(out, r, "  ");
	fprintf(out, "  the database is now at: ");
	report_rows(out, &r->rows, "base");
	fprintf(out, "\nnext: `mgate status` shows what `mgate upgrade` would apply again\n");
	buf_release(&cwd);
}

void *report_restore_json(const restore_result *r, const restore_plan *plan, int verified)
{
	json_t *o = json_object();

	json_object_set_new(o, "backup", json_text(plan->backup.path));
	json_object_set_new(o, "into", json_text(plan->where.ptr));
	json_object_set_new(o, "in_place", json_boolean(plan->in_place));
	json_object_set_new(o, "kept", json_text(r->kept));
	json_object_set_new(o, "pre_restore_backup", json_text(r->pre_backup));
	json_object_set_new(o, "revisions", json_strvec(&r->rows));
	if (r->ledger_done) {
		json_t *l = json_object();
		json_object_set_new(l, "restored", json_integer((json_int_t)r->ledger.kept));
		json_object_set_new(l, "carried_over", json_integer((json_int_t)r->ledger.carried));
		json_object_set_new(l, "recorded_now", json_integer((json_int_t)r->ledger.recorded));
		json_object_set_new(l, "dropped", json_strvec(&r->ledger.dropped));
		json_object_set_new(o, "ledger", l);
	} else {
		json_object_set_new(o, "ledger", json_null());
	}
	json_object_set_new(o, "ledger_problem", json_text(r->ledger_problem));
	json_object_set_new(o, "audit_rows_lost", json_integer(r->audit_rows_lost));
	json_object_set_new(o, "verified", json_boolean(verified));
	return o;
}

/* ---- drill ---------------------------------------------------------------------- */

static const char *step_name(int step, int text)
{
	switch (step) {
	case DRILL_BACKUP: return "backup";
	case DRILL_RESTORE: return "restore";
	default: return text ? "checks" : "verify";
	}
}

void report_drill_text(FILE *out, const drill_result *r)
{
	if (r->failure)
		fprintf(out, "drill: FAIL at the %s: %s\n", step_name(r->failed_step, 1), r->failure);
	else
		fprintf(out, "drill: PASS in %.0f ms (backup %.0f, restore %.0f, checks %.0f)\n", r->total_ms, r->backup_ms,
			r->restore_ms, r->verify_ms);
}

void *report_drill_json(const drill_result *r)
{
	json_t *o = json_object(), *dur = json_object();

	json_object_set_new(o, "result", json_string(r->failure ? "fail" : "pass"));
	json_object_set_new(o, "failure", json_text(r->failure));
	json_object_set_new(o, "step", r->failed_step ? json_string(step_name(r->failed_step, 0)) : json_null());
	json_object_set_new(o, "backup", json_text(r->b.path));
	json_object_set_new(o, "findings", json_findings(&r->found));
	if (r->backup_ms >= 0)
		json_object_set_new(dur, "backup", json_real(r->backup_ms));
	if (r->restore_ms >= 0)
		json_object_set_new(dur, "restore", json_real(r->restore_ms));
	if (r->verify_ms >= 0)
		json_object_set_new(dur, "verify", json_real(r->verify_ms));
	json_object_set_new(dur, "total", json_real(r->total_ms));
	json_object_set_new(o, "durations_ms", dur);
	return o;
}

void report_drills_text(FILE *out, const audit_drill_row *v, size_t n, const char *where)
{
	size_t i;

	if (!n)
		fprintf(out, "no drills of %s are recorded\n", where);
	for (i = 0; i < n; i++) {
		fprintf(out, "%s  %-4s  %6.0f ms  %s\n", v[i].time ? v[i].time : "-", v[i].result ? v[i].result : "-",
			v[i].total_ms, v[i].backup ? v[i].backup : "-");
		if (v[i].failure)
			fprintf(out, "    %s\n", v[i].failure);
	}
}

/* ---- rehearsal ------------------------------------------------------------------ */

static void observations_text(FILE *out, const rehearse_step *st)
{
	size_t k, j;

	for (k = 0; st->obs && k < st->sql.n; k++) {
		const db_observation *o = &st->obs[k];
		size_t n = strcspn(st->sql.v[k], "\n");
		if (!o->ran)
			break;
		fprintf(out, "     %.*s%s\n", (int)(n > 90 ? 90 : n), st->sql.v[k], n > 90 ? "..." : "");
		for (j = 0; j < o->locks.n; j++)
			fprintf(out, "       lock: %s\n", o->locks.v[j]);
		for (j = 0; j < o->rewritten.n; j++)
			fprintf(out, "       REWRITES %s (every row is copied; the lock is held meanwhile)\n", o->rewritten.v[j]);
		if (o->error)
			fprintf(out, "       not observed further: %s\n", o->error);
	}
}

/* The exact rows and content checksums of the tables a step names. */
static void checksums_text(FILE *out, const rehearse_step *st)
{
	size_t i;

	for (i = 0; st->sum_before && i < st->sum_tables.n; i++) {
		const char *b = st->sum_before[i], *a = st->sum_after[i];
		fprintf(out, "     checksum %s: ", st->sum_tables.v[i]);
		if (b)
			fprintf(out, "%lld row%s", strtoll(b, NULL, 10), strtoll(b, NULL, 10) == 1 ? "" : "s");
		else
			fputs("no table", out);
		fputs(" -> ", out);
		if (a)
			fprintf(out, "%lld row%s", strtoll(a, NULL, 10), strtoll(a, NULL, 10) == 1 ? "" : "s");
		else
			fputs("no table", out);
		fprintf(out, ", %s\n", b && a && !strcmp(a, b) ? "the same rows" : "changed");
	}
}

void report_rehearse_text(FILE *out, const rehearse_result *r, const session *s)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		const rehearse_step *st = &r->steps[i];
		fprintf(out, "  %zu. %-14s ", i + 1, s->p.map.v[st->rev].id);
		if (i < r->done)
			fprintf(out, "%6.0f ms%s\n", st->ms, st->status ? "  FAILED" : "");
		else
			fprintf(out, "not run\n");
		if (st->note && (!i || st->note != r->steps[i - 1].note))
			fprintf(out, "     %s\n", st->note);
		observations_text(out, st);
		if (i < r->done) {
			report_data_text(out, &st->data, "     ");
			checksums_text(out, st);
		}
	}
	report_findings_brief(out, &r->verify, 0);
	if (r->done == r->n && r->n)
		fprintf(out, "verification: %s\n", findings_count(&r->verify, SEV_ERROR) ? "FAILED" : "passed");
	if (r->round_cmds.n || r->round_problem.len) {
		fprintf(out, "round trip (downgrade");
		for (i = 0; i < r->round_cmds.n; i++)
			fprintf(out, " %s", r->round_cmds.v[i]);
		fprintf(out, "): %s\n", r->round_ok ? "the schema is back as it started" : "FAILED");
		if (r->round_problem.len)
			fprintf(out, "  %s\n", r->round_problem.ptr);
		for (i = 0; i < r->round.n; i++)
			fprintf(out, "  %s\n", r->round.v[i].message);
	}
	if (r->failure)
		fprintf(out, "rehearsal: FAIL: %s\n", r->failure);
	else
		fprintf(out, "rehearsal: PASS\n");
}

/* ---- backups -------------------------------------------------------------------- */

void *report_backup_json(const backup_info *b)
{
	json_t *o = json_object();
	buf cwd = BUF_INIT;

	json_object_set_new(o, "path", json_text(report_display_path(b->path, &cwd)));
	json_object_set_new(o, "status", json_string(backup_status_name(b->status)));
	json_object_set_new(o, "problem", json_text(b->problem));
	json_object_set_new(o, "created_at", json_text(b->created_at));
	json_object_set_new(o, "size", json_integer(b->size));
	json_object_set_new(o, "sha256", b->sha256[0] ? json_string(b->sha256) : json_null());
	json_object_set_new(o, "database", json_text(b->database));
	json_object_set_new(o, "database_identity", json_text(b->identity));
	json_object_set_new(o, "revisions", json_strvec(&b->revisions));
	buf_release(&cwd);
	return o;
}

void *report_backups_json(const backup_list *l)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < l->n; i++)
		json_array_append_new(arr, report_backup_json(&l->v[i]));
	return arr;
}

void report_backups_text(FILE *out, const backup_list *l, const char *dir)
{
	buf cwd = BUF_INIT;
	size_t i, k;

	if (!l->n)
		fprintf(out, "no backups in %s\n", dir);
	for (i = 0; i < l->n; i++) {
		const backup_info *b = &l->v[i];
		fprintf(out, "%-20s %-12s %10lld  %s", b->created_at ? b->created_at : "-", backup_status_name(b->status),
			b->size, report_display_path(b->path, &cwd));
		if (b->revisions.n || b->status == BACKUP_OK) {
			fprintf(out, "  at ");
			for (k = 0; k < b->revisions.n; k++)
				fprintf(out, "%s%s", k ? "," : "", b->revisions.v[k]);
			if (!b->revisions.n)
				fprintf(out, "base");
		}
		fputc('\n', out);
		if (b->problem)
			fprintf(out, "    %s\n", b->problem);
	}
	buf_release(&cwd);
}
