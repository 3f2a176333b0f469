/*
 * checklist.c: the checks of the checklist, each from the pieces the other
 * modules provide (revmap for the graph and plan, db for state, locks and
 * invariants, backup for backups, lint for rollback and rules).
 */
#include "gate/checklist.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gate/backup.h"
#include "gate/pitr.h"
#include "gate/ledger.h"
#include "gate/rowcount.h"
#include "alembic/inifile.h"
#include "util/sha256.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/banned.h"

const char *checklist_status_name(int status)
{
	switch (status) {
	case GATE_PASS: return "pass";
	case GATE_WARN: return "warn";
	case GATE_FAIL: return "fail";
	default: return "skip";
	}
}

static checklist_check *add_check(checklist_result *r, const char *name)
{
	checklist_check *c = &r->checks[r->n++];

	memset(c, 0, sizeof(*c));
	c->name = name;
	return c;
}

static void verdict(checklist_check *c, int status, const char *next, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void verdict(checklist_check *c, int status, const char *next, const char *fmt, ...)
{
	buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	free(c->summary);
	free(c->next);
	c->status = status;
	c->summary = buf_detach(&b);
	c->next = next ? mg_strdup(next) : NULL;
}

/* Worst status of the active findings: fail for errors, warn for warnings. */
static int status_of(const findings *f)
{
	if (findings_count_active(f, SEV_ERROR))
		return GATE_FAIL;
	if (findings_count_active(f, SEV_WARNING))
		return GATE_WARN;
	return GATE_PASS;
}

/* ---- graph and state ------------------------------------------------------ */

typedef struct plan {
	int *current;
	size_t ncurrent;
	int *pending;
	size_t npending;
	int known; /* the plan could be computed */
} plan;

static void check_graph(checklist_result *r, const checklist_opts *o, plan *pl)
{
	checklist_check *c = add_check(r, "graph");
	mg_error err = MG_ERROR_INIT;
	int *targets = NULL;
	size_t i, ntargets = 0;

	for (i = 0; i < o->load_findings->n; i++)
		if (o->load_findings->v[i].severity == SEV_ERROR)
			findings_add_copy(&c->found, &o->load_findings->v[i]);
	if (o->map->broken || c->found.n) {
		verdict(c, GATE_FAIL, "fix the findings: Alembic itself cannot load this graph",
			"the revision graph is broken (%zu problem%s)", c->found.n, c->found.n == 1 ? "" : "s");
		return;
	}
	if (revmap_resolve_target(&targets, &ntargets, o->map, o->target, pl->current, pl->ncurrent, &err) < 0) {
		verdict(c, GATE_FAIL, "name the target: `heads`, a revision id, or label@head", "target '%s': %s",
			o->target, err.msg);
		return;
	}
	free(targets);
	verdict(c, GATE_PASS, NULL, "%zu revisions, %zu head%s, target '%s' is unambiguous", o->map->n,
		o->map->heads.n, o->map->heads.n == 1 ? "" : "s", o->target);
}

static void check_state(checklist_result *r, const checklist_opts *o, plan *pl)
{
	checklist_check *c = add_check(r, "state");
	mg_error err = MG_ERROR_INIT;
	int *targets = NULL;
	size_t i, ntargets = 0, fail_at = 0;
	buf why = BUF_INIT, list = BUF_INIT;
	strvec unknown = STRVEC_INIT;

	if (!o->d) {
		verdict(c, GATE_FAIL, "check the database URL and that the server is up", "%s",
			o->db_error ? o->db_error : "no database");
		goto cleanup;
	}
	for (i = 0; i < o->rows->n; i++)
		strvec_push(&r->current, o->rows->v[i]);
	if (o->map->broken) {
		verdict(c, GATE_SKIP, NULL, "the graph is broken; the plan cannot be computed");
		goto cleanup;
	}
	pl->ncurrent = revmap_indexes(pl->current, &unknown, o->map, o->rows);
	if (unknown.n) {
		verdict(c, GATE_FAIL, "deploy the code that has this revision, or check this is the right database",
			"the database is at revision '%s', which no script defines", unknown.v[0]);
		goto cleanup;
	}
	if (revmap_check_overlap(o->map, pl->current, pl->ncurrent, &err) < 0) {
		verdict(c, GATE_FAIL, "run 'alembic stamp' with the real heads to repair the version table", "%s", err.msg);
		goto cleanup;
	}
	if (revmap_resolve_target(&targets, &ntargets, o->map, o->target, pl->current, pl->ncurrent, &err) < 0 ||
	    revmap_upgrade_order(&pl->pending, &pl->npending, o->map, targets, ntargets, pl->current, pl->ncurrent,
				 &err) < 0) {
		verdict(c, GATE_FAIL, NULL, "no plan: %s", err.msg);
		goto cleanup;
	}
	pl->known = 1;
	for (i = 0; i < pl->npending; i++) {
		strvec_push(&r->pending, o->map->v[pl->pending[i]].id);
		buf_printf(&list, "%s%s", i ? ", " : "", o->map->v[pl->pending[i]].id);
	}
	if (revmap_simulate_upgrade(o->map, pl->current, pl->ncurrent, pl->pending, pl->npending, &fail_at, &why)) {
		verdict(c, GATE_FAIL, "remove the depends_on that names an ancestor of the revision's own parent",
			"`alembic upgrade` would stop at '%s': %s", o->map->v[pl->pending[fail_at]].id, why.ptr);
		goto cleanup;
	}
	if (!pl->npending)
		verdict(c, GATE_PASS, NULL, "already at the target; nothing to upgrade");
	else
		verdict(c, GATE_PASS, NULL, "%zu pending: %s", pl->npending, list.ptr);
cleanup:
	free(targets);
	buf_release(&why);
	buf_release(&list);
	strvec_release(&unknown);
}

/* ---- integrity: the ledger ------------------------------------------------ */

static void check_integrity(checklist_result *r, const checklist_opts *o, const plan *pl)
{
	checklist_check *c = add_check(r, "integrity");
	mg_error err = MG_ERROR_INIT;
	strvec revs = STRVEC_INIT, hashes = STRVEC_INIT;
	int *applied = NULL, exists = 0;
	size_t napplied = 0, i, edited = 0, gone = 0, unrecorded = 0, way_back = 0;

	if (!o->d || !pl->known || !o->vt || !o->d->ops->ledger_read) {
		verdict(c, GATE_SKIP, NULL, "the database state is unknown");
		return;
	}
	if (o->d->ops->ledger_read(o->d, o->vt, &revs, &hashes, &exists, &err) < 0) {
		verdict(c, GATE_WARN, NULL, "the ledger cannot be read: %s", err.msg);
		goto cleanup;
	}
	if (!exists) {
		verdict(c, GATE_WARN, "run `mgate ledger baseline` once, then upgrade with `mgate upgrade`",
			"no ledger yet: nothing records what was applied, so edits to applied revisions go unnoticed");
		goto cleanup;
	}
	if (pl->ncurrent &&
	    revmap_upgrade_order(&applied, &napplied, o->map, pl->current, pl->ncurrent, NULL, 0, &err) < 0) {
		verdict(c, GATE_WARN, NULL, "%s", err.msg);
		goto cleanup;
	}
	for (i = 0; i < revs.n; i++) {
		int x = revmap_index(o->map, revs.v[i]);
		char hex[65];
		if (x < 0) {
			findings_add(&c->found, "applied-revision-missing", SEV_WARNING, NULL, 0, revs.v[i],
				     "revision '%s' was applied (the ledger says so) but no script defines it any more",
				     revs.v[i]);
			gone++;
			continue;
		}
		switch (ledger_compare(o->map->v[x].s, hashes.v[i], hex)) {
		case LEDGER_EDITED:
			findings_add(&c->found, "edited-applied-revision", SEV_ERROR, o->map->v[x].s->path, 0, revs.v[i],
				     "revision '%s' was applied with SHA-256 %.12s...; its file now hashes to %.12s...: the "
				     "edit never ran on this database. Revert it and put the change in a new revision",
				     revs.v[i], hashes.v[i], hex);
			edited++;
			break;
		case LEDGER_DOWNGRADE_EDITED:
			findings_add(&c->found, "edited-applied-revision", SEV_WARNING, o->map->v[x].s->path,
				     o->map->v[x].s->downgrade.line, revs.v[i],
				     "revision '%s' was edited since it was applied, but only in downgrade(): what ran is "
				     "unchanged; a rollback now runs the edited downgrade(), so review it",
				     revs.v[i]);
			way_back++;
			break;
		case LEDGER_COSMETIC:
			findings_add(&c->found, "edited-applied-revision", SEV_INFO, o->map->v[x].s->path, 0, revs.v[i],
				     "revision '%s' was edited since it was applied, in comments or blank lines only: "
				     "nothing that runs changed",
				     revs.v[i]);
			break;
		default:
			break;
		}
	}
	for (i = 0; i < napplied; i++)
		unrecorded += strvec_index(&revs, o->map->v[applied[i]].id) < 0;
	if (edited)
		verdict(c, GATE_FAIL, "revert the edits; Alembic will not run an applied revision again",
			"%zu applied revision%s edited since", edited, edited == 1 ? "" : "s");
	else if (way_back)
		verdict(c, GATE_WARN, "review the edited downgrade(): it is the way back now",
			"%zu applied revision%s with only downgrade() edited since", way_back,
			way_back == 1 ? "" : "s");
	else if (gone || unrecorded)
		verdict(c, GATE_WARN, unrecorded ? "`mgate ledger baseline` records the unrecorded ones" : NULL,
			"%zu recorded revision%s unchanged; %zu gone from the scripts, %zu applied outside mgate",
			revs.n - gone, revs.n - gone == 1 ? "" : "s", gone, unrecorded);
	else
		verdict(c, GATE_PASS, NULL, "%zu applied revision%s unchanged since they were applied", revs.n,
			revs.n == 1 ? "" : "s");
cleanup:
	free(applied);
	strvec_release(&revs);
	strvec_release(&hashes);
}

/* ---- backup --------------------------------------------------------------- */

static void check_backup(checklist_result *r, const checklist_opts *o, const plan *pl)
{
	checklist_check *c = add_check(r, "backup");
	mg_error err = MG_ERROR_INIT;
	backup_list l;
	buf identity = BUF_INIT;
	const backup_info *best = NULL, *other_revs = NULL, *damaged = NULL;
	long long now = (long long)time(NULL);
	size_t i;

	memset(&l, 0, sizeof(l));
	if (o->skip_backup_reason) {
		verdict(c, GATE_WARN, NULL, "skipped with --no-backup-check: %s", o->skip_backup_reason);
		return;
	}
	if (!o->d || !pl->known) {
		verdict(c, GATE_SKIP, NULL, "the database state is unknown");
		return;
	}
	if (!pl->npending) {
		verdict(c, GATE_PASS, NULL, "nothing to upgrade, so no backup is needed");
		return;
	}
	if (pitr_enabled(&o->cfg->settings)) {
		pitr_evidence ev;
		if (pitr_check(&ev, &o->cfg->settings, o->d, o->backup_max_age, &err) < 0)
			verdict(c, GATE_FAIL, "fix the backup settings in [mgate]", "%s", err.msg);
		else
			verdict(c, ev.ok ? GATE_PASS : GATE_FAIL, ev.ok ? NULL : ev.next.ptr, "%s", ev.summary.ptr);
		pitr_evidence_release(&ev);
		return;
	}
	if (!o->backup_dir) {
		verdict(c, GATE_FAIL, "set backup_dir in [mgate] and run `mgate backup`", "no backup folder is configured");
		return;
	}
	if (o->d->ops->identity(o->d, &identity, &err) < 0) {
		verdict(c, GATE_FAIL, NULL, "%s", err.msg);
		goto cleanup;
	}
	if (backup_list_dir(&l, o->backup_dir, 1, &err) < 0) {
		verdict(c, GATE_FAIL, "run `mgate backup`", "%s", err.msg);
		goto cleanup;
	}
	for (i = 0; i < l.n; i++) {
		const backup_info *b = &l.v[i];
		if (!b->identity || strcmp(b->identity, identity.ptr))
			continue;
		if (b->status != BACKUP_OK) {
			if (!damaged)
				damaged = b;
			continue;
		}
		if (!strvec_same_set(&b->revisions, o->rows)) {
			if (!other_revs)
				other_revs = b;
			continue;
		}
		best = b; /* newest first */
		break;
	}
	if (best && now - best->created <= o->backup_max_age) {
		verdict(c, GATE_PASS, NULL, "%s, %lld min old, at the current revisions, checksum verified",
			strrchr(best->path, '/') ? strrchr(best->path, '/') + 1 : best->path,
			(now - best->created) / 60);
	} else if (best) {
		verdict(c, GATE_FAIL, "run `mgate backup` (or `mgate upgrade --backup`)",
			"the newest backup of this database is %lld h old (the limit is %ld h)",
			(now - best->created) / 3600, o->backup_max_age / 3600);
	} else if (other_revs) {
		verdict(c, GATE_FAIL, "run `mgate backup`",
			"the newest backup of this database was taken at other revisions; it does not match the current state");
	} else if (damaged) {
		verdict(c, GATE_FAIL, "run `mgate backup`, and look at `mgate backup --list`",
			"the backup %s fails verification: %s", damaged->path, damaged->problem ? damaged->problem : "?");
	} else {
		verdict(c, GATE_FAIL, "run `mgate backup`", "no backup of this database in %s", o->backup_dir);
	}
cleanup:
	backup_list_release(&l);
	buf_release(&identity);
}

/* ---- rollback and rules --------------------------------------------------- */

static int is_rollback_rule(const char *id)
{
	return !strcmp(id, "missing-downgrade") || !strcmp(id, "lossy-downgrade");
}

/* A backfill of more rows than this, in one UPDATE, is a warning. */
#define LARGE_TABLE_ROWS 100000LL

/* Live table sizes: the finding says how big the table is; a lock risk
 * on an empty table is no risk, and a backfill is a warning only on a
 * large table. */
static void size_up(finding *x, const checklist_opts *o)
{
	mg_error err = MG_ERROR_INIT;
	long long rows = -1;
	const rule *ru = ruleset_find(o->lint->rules, x->id);
	buf b = BUF_INIT;

	if (!o->d || !x->table || o->d->ops->table_rows(o->d, x->table, &rows, &err) < 0 || rows < 0)
		return;
	if (!strcmp(x->id, "backfill-in-migration") && rows >= LARGE_TABLE_ROWS && x->severity == SEV_INFO) {
		buf_printf(&b, "%s (table '%s': about %lld rows, rewritten under the ALTER TABLE's lock)", x->message,
			   x->table, rows);
		x->severity = SEV_WARNING;
	} else if (rows == 0 && ru && ru->has_strict && x->severity == SEV_WARNING) {
		buf_printf(&b, "%s (table '%s' is empty: no lock risk now)", x->message, x->table);
		x->severity = SEV_INFO;
	} else {
		buf_printf(&b, "%s (table '%s': about %lld row%s)", x->message, x->table, rows, rows == 1 ? "" : "s");
	}
	free(x->message);
	x->message = buf_detach(&b);
}

static int lint_pending(checklist_result *r, const checklist_opts *o, const plan *pl, mg_error *err)
{
	checklist_check *rb = add_check(r, "rollback"), *rules = add_check(r, "rules");
	lint_ctx ctx;
	findings all = FINDINGS_INIT;
	size_t i, lossy;
	int rc = MG_OK;

	if (!pl->known) {
		verdict(rb, GATE_SKIP, NULL, "no plan");
		verdict(rules, GATE_SKIP, NULL, "no plan");
		return MG_OK;
	}
	lint_init(&ctx, o->lint);
	for (i = 0; i < pl->npending && rc == MG_OK; i++)
		rc = lint_script(&ctx, &all, o->map->v[pl->pending[i]].s, err);
	if (rc == MG_OK)
		lint_finish(&ctx, &all);
	for (i = 0; i < ctx.tables.n; i++)
		strvec_push(&r->tables, ctx.tables.v[i]);
	lint_release(&ctx);
	for (i = 0; i < all.n; i++) {
		finding *x = &all.v[i];
		if (o->allow && strvec_index(o->allow, x->id) >= 0 && !x->suppressed) {
			buf why = BUF_INIT;
			buf_printf(&why, "--allow: %s", o->allow_reason ? o->allow_reason : "");
			x->suppressed = buf_detach(&why);
		}
		if (!is_rollback_rule(x->id))
			size_up(x, o);
		findings_add_copy(is_rollback_rule(x->id) ? &rb->found : &rules->found, x);
	}
	findings_release(&all);
	if (rc < 0)
		return rc;
	for (i = 0, lossy = 0; i < rb->found.n; i++)
		lossy += !rb->found.v[i].suppressed && !strcmp(rb->found.v[i].id, "lossy-downgrade");
	rb->status = status_of(&rb->found);
	verdict(rb, status_of(&rb->found),
		findings_count_active(&rb->found, SEV_ERROR) ? "write a real downgrade(), or suppress with the reason" : NULL,
		"%zu without a rollback path, %zu lossy downgrade%s (a rollback drops what was written since)",
		findings_count_active(&rb->found, SEV_ERROR), lossy, lossy == 1 ? "" : "s");
	verdict(rules, status_of(&rules->found),
		findings_count_active(&rules->found, SEV_ERROR) ? "see each finding's fix; `mgate explain <rule>`" : NULL,
		"%zu error%s, %zu warning%s in %zu pending revision%s", findings_count_active(&rules->found, SEV_ERROR),
		findings_count_active(&rules->found, SEV_ERROR) == 1 ? "" : "s",
		findings_count_active(&rules->found, SEV_WARNING),
		findings_count_active(&rules->found, SEV_WARNING) == 1 ? "" : "s", pl->npending,
		pl->npending == 1 ? "" : "s");
	return MG_OK;
}

/* ---- locks ---------------------------------------------------------------- */

/* A SQL string literal: quotes doubled (standard_conforming_strings). */
static void sql_literal(buf *out, const char *s)
{
	buf_putc(out, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			buf_putc(out, '\'');
		buf_putc(out, *s);
	}
	buf_putc(out, '\'');
}

static void check_locks(checklist_result *r, const checklist_opts *o, const plan *pl)
{
	checklist_check *c = add_check(r, "locks");
	mg_error err = MG_ERROR_INIT;
	buf q = BUF_INIT;
	char *held = NULL;
	size_t i;

	if (!o->d) {
		verdict(c, GATE_SKIP, NULL, "no database");
		return;
	}
	if (!o->lock_held && o->d->ops->lock(o->d, o->lock_name, 0, &err) < 0) {
		verdict(c, GATE_FAIL, "wait for the other run to finish (mgate upgrade --lock-wait SECONDS waits for it); never "
				      "run two upgrades at once",
			"%s", err.msg);
		return;
	}
	if (!o->lock_held)
		o->d->ops->unlock(o->d, o->lock_name);
	if (strcmp(o->d->ops->name, "postgresql") || !pl->npending || !r->tables.n) {
		verdict(c, GATE_PASS, NULL, o->lock_held ? "this run holds the migration lock" : "the migration lock is free");
		return;
	}
	buf_puts(&q, "SELECT string_agg(DISTINCT format('pid %s (%s, %s since %s) holds %s on %s', a.pid, a.usename, "
		     "a.state, date_trunc('second', a.xact_start), l.mode, c.relname), '; ') "
		     "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid JOIN pg_class c ON c.oid = l.relation "
		     "WHERE l.pid <> pg_backend_pid() AND l.granted AND c.relname = ANY(ARRAY[");
	for (i = 0; i < r->tables.n; i++) {
		const char *dot = strrchr(r->tables.v[i], '.');
		if (i)
			buf_putc(&q, ',');
		sql_literal(&q, dot ? dot + 1 : r->tables.v[i]);
	}
	buf_puts(&q, "]::text[]) AND (a.state = 'idle in transaction' OR now() - a.xact_start > interval '30 seconds')");
	if (o->d->ops->query_scalar(o->d, q.ptr, &held, &err) < 0)
		verdict(c, GATE_WARN, NULL, "%s; sessions could not be inspected: %s",
			o->lock_held ? "this run holds the migration lock" : "the migration lock is free", err.msg);
	else if (held)
		verdict(c, GATE_FAIL,
			"let them finish, or end them (SELECT pg_terminate_backend(pid)); an ALTER would queue behind them "
			"and block every other query on the table",
			"sessions hold locks on tables the upgrade touches: %s", held);
	else
		verdict(c, GATE_PASS, NULL, "%s; no long or idle-in-transaction session holds locks on the %zu table%s the "
					    "upgrade touches",
			o->lock_held ? "this run holds the migration lock" : "the migration lock is free", r->tables.n,
			r->tables.n == 1 ? "" : "s");
	free(held);
	buf_release(&q);
}

/* ---- invariants ----------------------------------------------------------- */

void checklist_invariants(checklist_check *c, const mgate_config *cfg, db *d)
{
	const mgate_settings *set = &cfg->settings;
	size_t n = set->ninvariants, i, failed = 0;

	memset(c, 0, sizeof(*c));
	c->name = "invariants";
	if (!n) {
		verdict(c, GATE_SKIP, NULL, "no invariants configured (invariant.<name> in [mgate])");
		return;
	}
	if (!d) {
		verdict(c, GATE_SKIP, NULL, "no database");
		return;
	}
	for (i = 0; i < n; i++) {
		const config_invariant *inv = &set->invariants[i];
		char *got = NULL;
		mg_error qerr = MG_ERROR_INIT;
		if (d->ops->query_scalar(d, inv->sql, &got, &qerr) < 0) {
			findings_add(&c->found, "invariant-failed", SEV_ERROR, cfg->ini_path, 0, NULL,
				     "invariant '%s' cannot run: %s", inv->name, qerr.msg);
			failed++;
		} else if (!got || strcmp(got, inv->expect)) {
			findings_add(&c->found, "invariant-failed", SEV_ERROR, cfg->ini_path, 0, NULL,
				     "invariant '%s' expects %s, the database says %s", inv->name, inv->expect,
				     got ? got : "no row");
			failed++;
		}
		free(got);
	}
	if (failed)
		verdict(c, GATE_FAIL, "restore what the invariant protects before upgrading", "%zu of %zu invariant%s fail",
			failed, n, n == 1 ? "" : "s");
	else
		verdict(c, GATE_PASS, NULL, "%zu invariant%s hold", n, n == 1 ? "" : "s");
}

/* ---- the run -------------------------------------------------------------- */

/* A passing backup-restore drill younger than drill_max_age, when the
 * project requires one. */
/* Rows the pending DELETEs and UPDATEs would touch, against max_rows_deleted
 * and max_rows_rewritten (when either is set). */
static void check_rows(checklist_result *r, const checklist_opts *o, const plan *pl)
{
	const mgate_settings *set = &o->cfg->settings;
	checklist_check *c;
	long long deleted = 0, updated = 0;
	size_t i, k;

	if (set->max_rows_deleted < 0 && set->max_rows_rewritten < 0)
		return;
	c = add_check(r, "rows");
	if (!pl->known || !o->d) {
		verdict(c, GATE_SKIP, NULL, o->d ? "no plan" : "no database to count in");
		return;
	}
	for (i = 0; i < pl->npending; i++) {
		const script *sc = o->map->v[pl->pending[i]].s;
		mg_error err = MG_ERROR_INIT;
		plan_ops ops;
		if (plan_describe_upgrade(&ops, sc, o->lint->dialect, &err) == MG_OK)
			for (k = 0; k < ops.n; k++) {
				const plan_op *op = &ops.v[k];
				const char *basis;
				long long n = op->dml ? rowcount_touched(&basis, o->d, o->lint->dialect, op) : -1;
				int del = op->dml && !strcmp(op->dml, "delete");
				long long limit = del ? set->max_rows_deleted : set->max_rows_rewritten;
				if (n < 0)
					continue;
				*(del ? &deleted : &updated) += n;
				if (limit >= 0 && n > limit)
					findings_add(&c->found, del ? "too-many-rows-deleted" : "too-many-rows-rewritten",
						     SEV_ERROR, sc->path, op->line, sc->revision,
						     "%s %s%lld row%s of '%s' (%s), more than %s = %lld", del ? "deletes" : "updates",
						     !strcmp(basis, "estimate") ? "about " : !strcmp(basis, "at most") ? "up to "
														       : "",
						     n, n == 1 ? "" : "s", op->table, basis,
						     del ? "max_rows_deleted" : "max_rows_rewritten", limit);
			}
		plan_ops_release(&ops);
	}
	if (c->found.n)
		verdict(c, GATE_FAIL, "split the change into batches, or raise the limit in [mgate] if this is intended",
			"%zu data change%s over the limit", c->found.n, c->found.n == 1 ? "" : "s");
	else
		verdict(c, GATE_PASS, NULL, "the pending revisions delete %lld and update %lld row%s", deleted, updated,
			updated == 1 ? "" : "s");
}

static void check_drill(checklist_result *r, const checklist_opts *o)
{
	checklist_check *c;
	long long age;

	if (o->drill_max_age <= 0)
		return;
	c = add_check(r, "drill");
	age = (long long)time(NULL) - o->last_drill;
	if (!o->last_drill)
		verdict(c, GATE_FAIL, "run `mgate drill` (it restores a backup into a scratch database and checks it)",
			"no passing backup-restore drill is recorded; one younger than %ld day%s is required",
			o->drill_max_age / 86400, o->drill_max_age == 86400 ? "" : "s");
	else if (age > o->drill_max_age)
		verdict(c, GATE_FAIL, "run `mgate drill`", "the last passing drill is %lld days old; drill_max_age is %ld",
			age / 86400, o->drill_max_age / 86400);
	else
		verdict(c, GATE_PASS, NULL, "a drill passed %lld hour%s ago", age / 3600, age / 3600 == 1 ? "" : "s");
}

int checklist_run(checklist_result *out, const checklist_opts *o, mg_error *err)
{
	plan pl;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&pl, 0, sizeof(pl));
	pl.current = mg_calloc((o->rows ? o->rows->n : 0) + 1, sizeof(int));
	/* state first: the graph check resolves the target against the rows */
	check_state(out, o, &pl);
	check_graph(out, o, &pl);
	{
		checklist_check tmp = out->checks[0];
		out->checks[0] = out->checks[1];
		out->checks[1] = tmp; /* shown in checklist order: graph, state */
	}
	check_integrity(out, o, &pl);
	check_backup(out, o, &pl);
	check_drill(out, o);
	if ((rc = lint_pending(out, o, &pl, err)) < 0)
		goto cleanup;
	check_locks(out, o, &pl);
	check_rows(out, o, &pl);
	checklist_invariants(&out->checks[out->n++], o->cfg, o->d);
	out->open = 1;
	for (i = 0; i < out->n; i++)
		if (out->checks[i].status == GATE_FAIL)
			out->open = 0;
	rc = MG_OK;
cleanup:
	free(pl.current);
	free(pl.pending);
	return rc;
}

void checklist_allowable(strvec *out, const checklist_result *r)
{
	size_t i, k;

	for (i = 0; i < r->n; i++) {
		const checklist_check *c = &r->checks[i];
		if (strcmp(c->name, "rules") && strcmp(c->name, "rollback"))
			continue;
		for (k = 0; k < c->found.n; k++) {
			const finding *x = &c->found.v[k];
			if (x->severity == SEV_ERROR && !x->suppressed && strvec_index(out, x->id) < 0)
				strvec_push(out, x->id);
		}
	}
}

void checklist_result_release(checklist_result *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n; i++) {
		free(r->checks[i].summary);
		free(r->checks[i].next);
		findings_release(&r->checks[i].found);
	}
	strvec_release(&r->current);
	strvec_release(&r->pending);
	strvec_release(&r->tables);
	memset(r, 0, sizeof(*r));
}
