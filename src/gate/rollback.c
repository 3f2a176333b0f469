/*
 * rollback.c: the ways back weighed, one recommended, then taken under
 * the lock and verified (rollback.h).
 */
#include "gate/rollback.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/schema.h"
#include "gate/alembic_cmd.h"
#include "gate/pitr.h"
#include "gate/verify.h"
#include "lint/lint.h"
#include "lint/ops.h"
#include "util/fs.h"
#include "util/spawn.h"
#include "util/banned.h"

/* ---- (a) the downgrade path --------------------------------------------------- */

/* Rows a dropping operation destroys, counted on the live database. */
static long long rows_destroyed(db *d, const plan_op *op)
{
	mg_error err = MG_ERROR_INIT;
	buf sql = BUF_INIT;
	char *v = NULL;
	long long n = -1;

	if (!op->table || !strcmp(op->table, "?"))
		return -1;
	buf_puts(&sql, "SELECT count(*) FROM ");
	buf_put_sql_ident(&sql, op->table);
	if (op->column) {
		buf_puts(&sql, " WHERE ");
		buf_put_sql_ident(&sql, op->column);
		buf_puts(&sql, " IS NOT NULL");
	}
	if (d->ops->query_scalar(d, sql.ptr, &v, &err) == 0 && v)
		n = strtoll(v, NULL, 10);
	free(v);
	buf_release(&sql);
	return n;
}

/* Why a revision's downgrade() cannot be the way back, or NULL; what it
 * does goes to `ops`. */
static const char *downgrade_problem(const script *s, sql_dialect dialect, plan_ops *ops)
{
	buf src = BUF_INIT;
	mg_error err = MG_ERROR_INIT;
	migops m;
	const char *why = NULL;

	memset(ops, 0, sizeof(*ops));
	if (!s->downgrade.line)
		return "it has no downgrade()";
	if (script_source(&src, s, &err) < 0) {
		buf_release(&src);
		return "its file cannot be read";
	}
	if (ops_extract(&m, src.ptr, src.len, &s->upgrade, &s->downgrade, dialect == SQL_SQLITE ? "sqlite" : "postgresql", &err) == 0) {
		const migfunc *f = &m.fn[MIGOP_DOWNGRADE];
		if (f->raises)
			why = "its downgrade() raises instead of undoing the upgrade";
		else if (!f->statements && m.fn[MIGOP_UPGRADE].statements)
			why = "its downgrade() is empty: the schema would stay as the upgrade left it";
		migops_release(&m);
	}
	plan_describe(ops, src.ptr, src.len, &s->downgrade, dialect, &err);
	buf_release(&src);
	return why;
}

/* The rule engine's findings about a revision's way back: the rollback
 * rules, and any rule on a line of its downgrade(). A lossy downgrade,
 * informational in lint, is a warning here: this rollback would really
 * drop what was written since. */
static void rule_findings(findings *out, lint_ctx *ctx, const script *s)
{
	findings all = FINDINGS_INIT;
	mg_error err = MG_ERROR_INIT;
	size_t i;

	if (lint_script(ctx, &all, s, &err) == 0)
		for (i = 0; i < all.n; i++) {
			const finding *x = &all.v[i];
			int in_down = s->downgrade.line && x->line >= s->downgrade.line && x->line <= s->downgrade.end_line;
			if (x->suppressed || !(in_down || !strcmp(x->id, "missing-downgrade")))
				continue;
			findings_add_copy(out, x);
			if (!strcmp(x->id, "lossy-downgrade"))
				findings_last(out)->severity = SEV_WARNING;
		}
	findings_release(&all);
}

/* The target: `to`, else the rows the last upgrade of this database
 * started from (the audit log). An mg_outcome. */
static int choose_target(rollback_ways *w, const session *s, const char *to, mg_error *err)
{
	if (to) {
		w->target = mg_strdup(to);
		return MG_OUT_OK;
	}
	if (!s->audit.path)
		return mg_fail(err, MG_OUT_USAGE, "no audit log is configured (audit_log in [mgate]), so the upgrade to "
						  "undo is unknown; pass --to REVISION");
	if (!audit_last_upgrade(&w->last, s->audit.path, s->where.ptr))
		return mg_fail(err, MG_OUT_USAGE, "the audit log records no upgrade of %s by mgate; pass --to REVISION",
			       s->where.ptr);
	w->from_audit = 1;
	if (w->last.from.n > 1)
		return mg_fail(err, MG_OUT_USAGE, "the last upgrade started from several heads; pass --to REVISION for "
						  "the branch to take back");
	w->target = mg_strdup(w->last.from.n ? w->last.from.v[0] : "base");
	return MG_OUT_OK;
}

/* One step of the downgrade: what it does, what it destroys, whether it
 * can be trusted. */
static void assess_step(rollback_step *st, const session *s, lint_ctx *ctx)
{
	const revnode *r = &s->p.map.v[st->rev];
	size_t k;

	st->problem = downgrade_problem(r->s, s->lo.dialect, &st->ops);
	rule_findings(&st->found, ctx, r->s);
	for (k = 0; !st->problem && k < st->found.n; k++) {
		const finding *x = &st->found.v[k];
		buf b = BUF_INIT;
		if (x->suppressed || x->severity != SEV_ERROR)
			continue;
		if (x->line)
			buf_printf(&b, "line %d: ", x->line);
		buf_printf(&b, "%s [%s]", x->message, x->id);
		st->problem = st->problem_own = buf_detach(&b);
	}
	st->rows = mg_calloc(st->ops.n + 1, sizeof(long long));
	for (k = 0; k < st->ops.n; k++) {
		st->rows[k] = st->ops.v[k].data_loss ? rows_destroyed(s->d, &st->ops.v[k]) : 0;
		if (st->rows[k] < 0)
			st->lost_unknown = 1;
		else
			st->lost += st->rows[k];
	}
}

/*
 * (a) the downgrade path from the database's rows: `alembic downgrade
 * TARGET`, exactly as Alembic walks it. When the upgrade being undone
 * started from known rows that one downgrade does not reach (it also
 * applied revisions on another branch), further `REV@-1` downgrades take
 * those back, each planned the same way.
 */
static int assess_downgrade(rollback_ways *w, const session *s, mg_error *err)
{
	const revmap *m = &s->p.map;
	intvec cur = { NULL, 0, 0 }, rows = { NULL, 0, 0 }, steps = { NULL, 0, 0 };
	strvec unknown = STRVEC_INIT;
	int *start = NULL, rc = MG_OUT_OK;
	size_t i, nstart = 0;
	lint_ctx ctx;

	cur.v = mg_calloc(s->rows.n + 1, sizeof(int));
	cur.alloc = s->rows.n + 1;
	cur.n = revmap_indexes(cur.v, &unknown, m, &s->rows);
	if (unknown.n) {
		buf_printf(&w->down_why, "the database is at '%s', which no script defines: Alembic cannot downgrade from it",
			   unknown.v[0]);
		w->down_problem = w->down_why.ptr;
		goto cleanup;
	}
	start = mg_calloc(w->last.from.n + 1, sizeof(int));
	for (i = 0; i < w->last.from.n; i++)
		if ((start[nstart] = revmap_index(m, w->last.from.v[i])) >= 0)
			nstart++;
	if (revmap_downgrade_path(&w->cmds, &steps, &rows, &w->down_why, m, w->target, cur.v, cur.n,
				  w->from_audit ? start : NULL, nstart, err) < 0) {
		err->code = MG_ECONFIG;
		rc = MG_OUT_USAGE;
		goto cleanup;
	}
	if (w->down_why.len)
		w->down_problem = w->down_why.ptr;
	for (i = 0; i < rows.n; i++)
		strvec_push(&w->target_rows, m->v[rows.v[i]].id);
	w->n = steps.n;
	w->v = mg_calloc(w->n + 1, sizeof(*w->v));
	lint_init(&ctx, &s->lo);
	for (i = 0; i < w->n; i++) {
		rollback_step *st = &w->v[i];
		st->rev = steps.v[i];
		assess_step(st, s, &ctx);
		w->down_lost += st->lost;
		w->down_lost_unknown |= st->lost_unknown;
		if (st->problem && !w->down_problem) {
			buf_printf(&w->down_why, "%s: %s", m->v[st->rev].id, st->problem);
			w->down_problem = w->down_why.ptr;
		}
	}
	lint_release(&ctx);
	if (!w->n && !w->down_problem && strvec_same_set(&w->target_rows, &s->rows))
		w->at_target = 1;
cleanup:
	free(start);
	strvec_release(&unknown);
	intvec_release(&cur);
	intvec_release(&rows);
	intvec_release(&steps);
	return rc;
}

/* ---- (b) the restore ------------------------------------------------------------ */

/* Rows that differ between the live SQLite database and the backup, table
 * by table (a lower bound on the writes since: updates keep counts). */
static long long sqlite_rows_differ(db *live, const backup_info *b, const char *vt, const audit_last *own)
{
	mg_error err = MG_ERROR_INIT;
	buf url = BUF_INIT;
	db *old = NULL;
	void *snap = NULL;
	const char *t;
	json_t *v;
	long long total = 0;

	buf_printf(&url, "sqlite:///%s", b->path);
	if (db_open(&old, url.ptr, &err) < 0 || live->ops->snapshot(live, &snap, &err) < 0) {
		total = -1;
		goto cleanup;
	}
	json_object_foreach(json_object_get((json_t *)snap, "tables"), t, v)
	{
		long long now = 0, then = 0;
		if (!strcmp(t, vt) || !strncmp(t, "mgate_", 6))
			continue;
		live->ops->table_rows(live, t, &now, &err);
		if (old->ops->table_rows(old, t, &then, &err) < 0 || then < 0)
			then = 0;                                   /* a table the backup does not have */
		if (own && strvec_index(&own->data_tables, t) >= 0) /* the upgrade's own rows are not writes lost */
			then += own->data_net[strvec_index(&own->data_tables, t)];
		total += now > then ? now - then : then - now;
	}
cleanup:
	json_decref((json_t *)snap);
	db_close(old);
	buf_release(&url);
	return total;
}

/* (b) with pgBackRest: a point-in-time recovery to just before the
 * upgrade being undone (known from the audit log). */
static void assess_pitr(rollback_ways *w, const session *s)
{
	w->pitr = 1;
	w->writes = -1;
	if (!w->from_audit || !w->last.started_before)
		return;
	w->pitr_target = w->last.started_before;
	pitr_restore_command(&w->pitr_cmd, &s->p.cfg.settings, w->pitr_target);
	w->have_backup = w->backup_matches = 1;
	w->writes_basis = "everything written since that time";
}

/* (b) the newest backup of this database that verifies. */
static void assess_restore(rollback_ways *w, const session *s)
{
	buf id = BUF_INIT;
	const audit_last *own;

	if (pitr_enabled(&s->p.cfg.settings)) {
		assess_pitr(w, s);
		return;
	}
	w->writes = -1;
	session_identity(&id, s);
	if (backup_newest(&w->b, s->backup_dir, id.len ? id.ptr : NULL, 1, &w->target_rows) < 0) {
		buf_release(&id);
		return;
	}
	w->have_backup = 1;
	w->backup_matches = strvec_same_set(&w->b.revisions, &w->target_rows);
	w->age = (long long)time(NULL) - w->b.created;
	/* the upgrade being undone, when the backup is from before it (at the rows it started from, taken
	 * before it ended) and it recorded its rows */
	own = w->from_audit && w->last.has_data && strvec_same_set(&w->b.revisions, &w->last.from) &&
			      w->b.created <= w->last.finished
		      ? &w->last
		      : NULL;
	if (s->lo.dialect == SQL_POSTGRESQL) {
		long long now = db_writes_counter(s->d, &s->vt);
		if (w->b.writes >= 0 && now >= w->b.writes) {
			w->writes = now - w->b.writes;
			w->writes_basis = "rows inserted, updated or deleted since the backup (pg_stat_user_tables)";
			if (own && w->writes >= own->own_writes) {
				w->writes -= own->own_writes;
				w->writes_basis = "rows inserted, updated or deleted since the backup (pg_stat_user_tables), "
						  "less the upgrade's own (its audit entry)";
			}
		}
		/* pg_restore rebuilds indexes: about twice what the dump took */
		w->estimate = (double)w->b.duration_ms * 2 / 1000.0;
	} else {
		w->writes = sqlite_rows_differ(s->d, &w->b, s->vt.table, own);
		w->writes_basis = own ? "rows by which table row counts differ from the backup's, less the upgrade's own "
					"changes (its audit entry); updates do not show"
				      : "rows by which table row counts differ from the backup's, the upgrade's own changes "
					"included; updates do not show";
		w->estimate = (double)w->b.duration_ms / 1000.0;
	}
	if (w->estimate < 1)
		w->estimate = 1;
	buf_release(&id);
}

/* ---- the choice ----------------------------------------------------------------- */

static void recommend(rollback_ways *w)
{
	int down = !w->down_problem, rest = w->have_backup && w->backup_matches;
	const char *rows = w->down_lost == 1 ? "" : "s", *least = w->down_lost_unknown ? "at least " : "";

	if (w->at_target) {
		w->choice = "none";
		buf_puts(&w->reason, "the database is already at the target: nothing to roll back");
	} else if (!down && !rest) {
		w->choice = "none";
		buf_printf(&w->reason, "no safe way back: %s, and %s", w->down_problem ? w->down_problem : "no downgrade",
			   w->have_backup ? "the newest backup is not at the target" : "no backup of this database verifies");
	} else if (!down) {
		w->choice = "restore";
		buf_printf(&w->reason, "the downgrade path is blocked (%s)", w->down_problem);
	} else if (!w->down_lost && !w->down_lost_unknown) {
		w->choice = "downgrade";
		buf_printf(&w->reason, "the downgrade destroys no data%s",
			   rest ? ", while a restore would lose the writes since the backup" : "");
	} else if (!rest) {
		w->choice = "downgrade";
		buf_printf(&w->reason, "no backup at the target verifies; the downgrade destroys %s%lld row%s", least,
			   w->down_lost, rows);
	} else if (w->writes >= 0 && !w->down_lost_unknown && w->writes < w->down_lost) {
		w->choice = "restore";
		buf_printf(&w->reason, "the downgrade destroys %lld row%s, the restore loses %lld", w->down_lost, rows,
			   w->writes);
	} else if (w->writes >= 0) {
		w->choice = "downgrade";
		buf_printf(&w->reason, "the downgrade destroys %s%lld row%s, the restore loses %lld written since the backup",
			   least, w->down_lost, rows, w->writes);
	} else {
		w->choice = "downgrade";
		buf_printf(&w->reason, "the downgrade's loss is known (%s%lld rows) and the writes since the backup are not",
			   least, w->down_lost);
	}
}

int rollback_assess(rollback_ways *out, const session *s, const char *to, const char *via, mg_error *err)
{
	int rc;

	memset(out, 0, sizeof(*out));
	buf_init(&out->down_why);
	buf_init(&out->reason);
	buf_init(&out->pitr_cmd);
	if (via && strcmp(via, "downgrade") && strcmp(via, "restore"))
		return mg_fail(err, MG_OUT_USAGE, "--via takes 'downgrade' or 'restore', not '%s'", via);
	if (!s->d)
		return mg_fail(err, MG_OUT_ENV, "%s", s->dberr.ptr);
	if (s->p.map.broken)
		return mg_fail(err, MG_OUT_BLOCKED, "the revision graph is broken (see above); `mgate restore` does not "
						    "need it");
	if ((rc = choose_target(out, s, to, err)) != MG_OUT_OK || (rc = assess_downgrade(out, s, err)) != MG_OUT_OK)
		return rc;
	assess_restore(out, s);
	recommend(out);
	if (via && !strcmp(via, "downgrade") && out->down_problem)
		return mg_fail(err, MG_OUT_BLOCKED, "the downgrade path is not available: %s; %s", out->down_problem,
			       out->have_backup && out->backup_matches
				       ? "take the restore instead: mgate rollback --via restore --yes"
				       : "no backup at the target verifies either: fix that downgrade() and run `mgate "
					 "rollback --dry-run` again, or restore an older backup (`mgate backup --list` lists them)");
	if (via && !strcmp(via, "restore") && out->pitr && !out->pitr_target)
		return pitr_refuse(err, &s->p.cfg.settings, 0);
	if (via && !strcmp(via, "restore") && !(out->have_backup && out->backup_matches))
		return mg_fail(err, MG_OUT_BLOCKED, "no backup of this database at the target verifies; %s",
			       out->down_problem ? "the downgrade path is blocked too; see `mgate rollback --dry-run`"
						 : "take the downgrade instead: mgate rollback --via downgrade --yes");
	if (via && !out->at_target && strcmp(out->choice, via)) {
		/* the user's choice, said as theirs; mgate's own reasoning would argue for the other way */
		buf_truncate(&out->reason, 0);
		buf_printf(&out->reason, "--via %s was asked for (mgate would take the %s)", via, out->choice);
		out->choice = via;
	}
	return MG_OUT_OK;
}

void rollback_command(strvec *out, const session *s, const rollback_ways *w, size_t i)
{
	alembic_command(out, &s->p.cfg, s->p.cfg.ini_path, "downgrade", w->cmds.v[i], NULL);
}

void rollback_ways_release(rollback_ways *w)
{
	size_t i;

	for (i = 0; w->v && i < w->n; i++) {
		plan_ops_release(&w->v[i].ops);
		findings_release(&w->v[i].found);
		free(w->v[i].problem_own);
		free(w->v[i].rows);
	}
	free(w->v);
	free(w->target);
	strvec_release(&w->target_rows);
	strvec_release(&w->cmds);
	audit_last_release(&w->last);
	buf_release(&w->down_why);
	buf_release(&w->reason);
	buf_release(&w->pitr_cmd);
	backup_info_release(&w->b);
	memset(w, 0, sizeof(*w));
}

/* ---- taking it ------------------------------------------------------------------ */

/* After the way back: the rows, the schema as before the upgrade, the
 * invariants and the smoke commands. */
static void verify_back(rollback_result *r, const rollback_ways *w, const session *s, const strvec *want_rows,
			const progress *p)
{
	mg_error err = MG_ERROR_INIT;
	db *d = NULL;
	void *now = NULL, *before = NULL;
	const char *snap = w->from_audit ? w->last.before_snapshot : NULL;
	int exists = 0;

	r->checked = 1;
	if (db_open(&d, s->url, &err) < 0 || d->ops->read_versions(d, &s->vt, &r->now, &exists, &err) < 0) {
		findings_add(&r->verify, "unreadable", SEV_ERROR, NULL, 0, NULL, "cannot read the database back: %s", err.msg);
		goto cleanup;
	}
	r->read_back = 1;
	if (!strvec_same_set(&r->now, want_rows))
		findings_add(&r->verify, "version-rows", SEV_ERROR, NULL, 0, NULL, "the version rows are not the target's");
	if (w->from_audit && !strvec_same_set(&w->last.from, want_rows))
		snap = NULL; /* the snapshot shows the schema at the upgrade's start only */
	if (snap && fs_exists(snap) && schema_load(&before, snap, &err) == 0 && d->ops->snapshot(d, &now, &err) == 0)
		r->schema_same = !verify_same_schema(&r->verify, before, now, s->vt.table, "the snapshot taken before the upgrade");
	else if (w->from_audit)
		r->schema_unknown = 1;
	verify_invariants(&r->verify, &s->p.cfg, d);
	verify_smoke(&r->verify, &s->p.cfg, NULL, p);
cleanup:
	json_decref((json_t *)now);
	json_decref((json_t *)before);
	db_close(d);
}

static double ms_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1000 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

/* How many of the downgrade's steps the version rows `now` say ran. */
static size_t steps_undone(const session *s, const rollback_ways *w, const strvec *now)
{
	const revmap *m = &s->p.map;
	int *cur = mg_calloc(s->rows.n + 1, sizeof(int)), *steps = mg_calloc(w->n + 1, sizeof(int));
	strvec unknown = STRVEC_INIT;
	size_t ncur = revmap_indexes(cur, &unknown, m, &s->rows), i, k;

	for (i = 0; i < w->n; i++)
		steps[i] = w->v[i].rev;
	k = revmap_steps_done(m, cur, ncur, steps, w->n, 1, now);
	free(cur);
	free(steps);
	strvec_release(&unknown);
	return k;
}

/* A downgrade failed: the steps that ran, the one it stopped in, and what
 * that one left half done: the schema now against `before` (taken just
 * before the downgrade), less what the steps that ran declare. */
static void explain_failure(rollback_result *r, const rollback_ways *w, const session *s, const void *before)
{
	mg_error err = MG_ERROR_INIT;
	db *d = NULL;
	void *now = NULL;
	int *undone;
	size_t i;

	if (!r->read_back)
		return;
	r->undone = steps_undone(s, w, &r->now);
	r->failed = r->undone < w->n ? s->p.map.v[w->v[r->undone].rev].id : NULL;
	if (!before || db_open(&d, s->url, &err) < 0 || d->ops->snapshot(d, &now, &err) < 0) {
		db_close(d);
		return;
	}
	undone = mg_calloc(r->undone + 1, sizeof(int));
	for (i = 0; i < r->undone; i++)
		undone[i] = w->v[i].rev;
	verify_schema_down(&r->half, before, now, &s->p.map, undone, r->undone, s->lo.dialect, s->vt.table, &err);
	for (i = 0; i < r->half.n; i++)
		r->nhalf += !strcmp(r->half.v[i].id, "unexplained-change");
	r->state_known = 1;
	free(undone);
	json_decref((json_t *)now);
	db_close(d);
}

/* The schema now (json_t *), or NULL when it cannot be read. */
static void *schema_now(const session *s)
{
	mg_error err = MG_ERROR_INIT;
	db *d = NULL;
	void *snap = NULL;

	if (db_open(&d, s->url, &err) < 0 || d->ops->snapshot(d, &snap, &err) < 0)
		snap = NULL;
	db_close(d);
	return snap;
}

/* The downgrades, in turn, until one fails. An mg_outcome. */
static int run_downgrades(rollback_result *r, const session *s, const rollback_ways *w, const rollback_opts *o,
			  const progress *p, mg_error *err)
{
	size_t k;
	int sig = 0;
	void *before = schema_now(s);

	r->commands = mg_calloc(w->cmds.n + 1, sizeof(*r->commands));
	for (k = 0; k < w->cmds.n && r->status == 0; k++) {
		strvec cmd = STRVEC_INIT;
		struct timespec t0, t1;
		int rc;
		rollback_command(&cmd, s, w, k);
		progress_running(p, &cmd);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		rc = spawn_stream(&r->status, &sig, &r->timed_out, (const char *const *)cmd.v, NULL, o->timeout_s, 0, err);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		strvec_release(&cmd);
		if (rc < 0) {
			mg_error_append(err, "; set alembic_cmd in [mgate]");
			json_decref((json_t *)before);
			return MG_OUT_ENV;
		}
		r->commands[r->ncommands].target = w->cmds.v[k];
		r->commands[r->ncommands].exit = r->status;
		r->commands[r->ncommands++].ms = ms_between(&t0, &t1);
	}
	if (r->status != 0) {
		verify_back(r, w, s, &w->target_rows, p);
		explain_failure(r, w, s, before);
		json_decref((json_t *)before);
		return MG_OUT_FAILED;
	}
	json_decref((json_t *)before);
	verify_back(r, w, s, &w->target_rows, p);
	return findings_count(&r->verify, SEV_ERROR) ? MG_OUT_UNVERIFIED : MG_OUT_OK;
}

/* The restore, and what it kept. An mg_outcome. */
static int run_restore(rollback_result *r, session *s, const rollback_ways *w, db *lockdb, const char *identity,
		       const char *id, const progress *p, mg_error *err)
{
	int rc;

	progress_line(p, PROGRESS_OUT, "\nrestoring %s", w->b.path);
	rc = restore_put(&r->restored, &w->b, s->url, identity, lockdb, s->backup_dir, &s->vt, &s->p.map, id, err);
	if (rc != MG_OUT_OK)
		return r->restored.restored ? rc : rc == MG_OUT_BLOCKED ? MG_OUT_BLOCKED
									: MG_OUT_FAILED;
	verify_back(r, w, s, &w->b.revisions, p);
	return findings_count(&r->verify, SEV_ERROR) ? MG_OUT_UNVERIFIED : MG_OUT_OK;
}

/* Once the lock is ours: are the version rows still the ones the ways
 * back were weighed from? (Another run may have moved them while this one
 * waited.) MG_EFINDINGS when not. */
static int unmoved(db *lockdb, const session *s, mg_error *err)
{
	strvec now = STRVEC_INIT;
	int exists = 0, rc = lockdb->ops->read_versions(lockdb, &s->vt, &now, &exists, err);

	if (rc == MG_OK && !strvec_same_set(&now, &s->rows))
		rc = mg_error_set(err, MG_EFINDINGS, "the database moved while this run waited for the lock (its version rows "
						     "changed): run `mgate rollback --dry-run` again");
	strvec_release(&now);
	return rc;
}

int rollback_execute(rollback_result *out, session *s, const rollback_ways *w, const rollback_opts *o,
		     const progress *p, mg_error *err)
{
	audit_head head = session_audit_head(s, "rollback", o->correlation_id);
	audit_rollback rec;
	buf identity = BUF_INIT;
	db *lockdb = NULL;
	int rc, locked, downgrade = !strcmp(w->choice, "downgrade");

	memset(out, 0, sizeof(*out));
	memset(&rec, 0, sizeof(rec));
	if (!downgrade && w->pitr) {
		out->locked_out = 1; /* nothing was done */
		return out->outcome = pitr_refuse(err, &s->p.cfg.settings, w->pitr_target);
	}
	locked = db_open(&lockdb, s->url, err) == 0 && session_lock(lockdb, s->lock.ptr, o->lock_wait_s, p, err) == 0;
	if (!locked || unmoved(lockdb, s, err) < 0) {
		mg_error_append(err, "; nothing was changed");
		if (locked)
			lockdb->ops->unlock(lockdb, s->lock.ptr);
		db_close(lockdb);
		out->locked_out = 1;
		return out->outcome = err->code == MG_EAMBIGUOUS || err->code == MG_EFINDINGS ? MG_OUT_BLOCKED : MG_OUT_ENV;
	}
	progress_line(p, PROGRESS_OUT, "correlation id: %s", o->correlation_id);
	session_identity(&identity, s); /* before our read session steps aside */
	session_disconnect(s);
	if (downgrade)
		rc = run_downgrades(out, s, w, o, p, err);
	else
		rc = run_restore(out, s, w, lockdb, identity.ptr, o->correlation_id, p, err);
	out->outcome = rc;
	rec.target = w->target;
	rec.way = w->choice;
	rec.why = w->reason.ptr;
	rec.commands = out->commands;
	rec.ncommands = out->ncommands;
	rec.alembic_exit = out->status;
	rec.stopped_in = out->failed;
	rec.steps_run = out->undone;
	rec.half = &out->half;
	rec.backup = w->b.path;
	rec.kept = out->restored.kept ? out->restored.kept : out->restored.pre_backup;
	rec.verification = &out->verify;
	rec.exit = rc;
	audit_write_rollback(&s->audit, &head, &rec, p);
	lockdb->ops->unlock(lockdb, s->lock.ptr);
	db_close(lockdb);
	buf_release(&identity);
	return rc;
}

void rollback_result_release(rollback_result *r)
{
	if (!r)
		return;
	free(r->commands);
	restore_result_release(&r->restored);
	strvec_release(&r->now);
	findings_release(&r->verify);
	findings_release(&r->half);
	memset(r, 0, sizeof(*r));
}
