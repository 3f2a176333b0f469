/*
 * upgrade.c: the checklist, then the real `alembic upgrade` under the
 * migration lock, then verification (upgrade.h).
 */
#include "gate/upgrade.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "db/schema.h"
#include "gate/alembic_cmd.h"
#include "gate/audit.h"
#include "gate/ledger.h"
#include "gate/pitr.h"
#include "gate/verify.h"
#include "version.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/spawn.h"
#include "util/banned.h"

/* What one run holds besides its result. */
typedef struct run {
	session *s;
	const upgrade_opts *o;
	const progress *p;
	upgrade_result *r;
	int *cur, *steps;
	size_t ncur, nsteps;
	db *lockdb;
	void *before, *after;  /* schema snapshots (json_t *) */
	db_counts rows_before; /* the tables' rows before Alembic (data.h) */
	long sessions_before;  /* other sessions connected then */
	double server_now;     /* PostgreSQL: the server's clock then, to the microsecond */
	int counted;
	struct timespec t0;
} run;

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1000 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* Whether the only failing check is the backup. */
static int only_backup_fails(const checklist_result *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (g->checks[i].status == GATE_FAIL && strcmp(g->checks[i].name, "backup"))
			return 0;
	return 1;
}

/* 0. The migration lock, held from before the checklist to the end,
 * waiting for another run's when --lock-wait allows; the version rows are
 * read again once it is ours (that run may have moved them). Without a
 * database the checklist closes the gate on its own. */
static int take_lock(run *u, mg_error *err)
{
	session *s = u->s;
	int exists = 0, rc;

	if (!s->d)
		return MG_OUT_OK;
	if (db_open(&u->lockdb, s->url, err) < 0 ||
	    (rc = session_lock(u->lockdb, s->lock.ptr, u->o->lock_wait_s, u->p, err)) < 0) {
		db_close(u->lockdb);
		u->lockdb = NULL;
		u->r->stage = err->code == MG_EAMBIGUOUS ? UPGRADE_LOCKED : UPGRADE_ERROR;
		return err->code == MG_EAMBIGUOUS ? MG_OUT_BLOCKED : MG_OUT_ENV;
	}
	strvec_release(&s->rows);
	if (s->d->ops->read_versions(s->d, &s->vt, &s->rows, &exists, err) < 0) {
		u->r->stage = UPGRADE_ERROR;
		return MG_OUT_ENV;
	}
	strvec_release(&u->r->start);
	strvec_copy(&u->r->start, &s->rows);
	return MG_OUT_OK;
}

/* 1. The checklist (with --backup, once more after taking the backup it
 * lacked). Negative on an error. */
static int checklist(run *u, mg_error *err)
{
	checklist_request req = { u->o->target, u->o->allow, u->o->allow_reason, u->o->skip_backup_reason,
				  u->lockdb != NULL };
	backup_info b;
	int rc;

	if ((rc = session_checklist(&u->r->gate, u->s, &req, err)) < 0)
		return rc;
	if (!u->r->gate.open && u->o->backup_first && u->s->d && u->s->backup_dir && only_backup_fails(&u->r->gate) &&
	    !pitr_enabled(&u->s->p.cfg.settings)) { /* pgBackRest's backups are pgBackRest's to take */
		progress_line(u->p, PROGRESS_OUT, "taking a backup first (--backup)");
		if ((rc = backup_take(&b, u->s->d, &u->s->vt, u->s->backup_dir, &u->s->rows, MGATE_VERSION, NULL, NULL, err)) < 0) {
			mg_error_wrap(err, "the backup failed");
			u->r->stage = UPGRADE_NO_BACKUP;
			return rc;
		}
		progress_line(u->p, PROGRESS_OUT, "backup: %s", b.path);
		backup_info_release(&b);
		checklist_result_release(&u->r->gate);
		if ((rc = session_checklist(&u->r->gate, u->s, &req, err)) < 0)
			return rc;
	}
	if (u->p && u->p->checklist)
		u->p->checklist(u->p->ctx, &u->r->gate, u->o->target ? u->o->target : "heads", u->s->where.ptr,
				u->o->correlation_id);
	return MG_OK;
}

/* 2. The steps, in Alembic's order, from the rows the checklist accepted. */
static int plan(run *u, mg_error *err)
{
	const revmap *m = &u->s->p.map;
	int *targets = NULL, rc;
	size_t ntargets = 0;

	u->cur = mg_calloc(u->s->rows.n + 1, sizeof(int));
	u->ncur = revmap_indexes(u->cur, NULL, m, &u->s->rows); /* all known: the state check passed */
	if ((rc = revmap_resolve_target(&targets, &ntargets, m, u->o->target ? u->o->target : "heads", u->cur, u->ncur,
					err)) == MG_OK)
		rc = revmap_upgrade_order(&u->steps, &u->nsteps, m, targets, ntargets, u->cur, u->ncur, err);
	free(targets);
	u->r->nsteps = u->nsteps;
	return rc;
}

/*
 * Keep the schema as it was before the upgrade, for `mgate rollback` to
 * verify against: <backup folder>/snapshots/before-<id>.json (0600). Without
 * a backup folder it is not kept; a failure is a warning.
 */
static void keep_snapshot(run *u)
{
	buf dir = BUF_INIT, path = BUF_INIT, text = BUF_INIT;
	mg_error err = MG_ERROR_INIT;
	const char *top = u->s->backup_dir;

	if (!top)
		return;
	fs_join(&dir, top, "snapshots");
	buf_printf(&path, "%s/before-%s.json", dir.ptr, u->o->correlation_id);
	schema_dump(&text, u->before);
	if ((mkdir(top, 0700) < 0 && errno != EEXIST) || (mkdir(dir.ptr, 0700) < 0 && errno != EEXIST) ||
	    fs_write_atomic(path.ptr, text.ptr, text.len, 0600, &err) < 0)
		progress_line(u->p, PROGRESS_OUT,
			      "warning: cannot keep the schema snapshot in %s; `mgate rollback` will not compare the schema",
			      dir.ptr);
	else
		u->r->snapshot_path = buf_detach(&path);
	buf_release(&dir);
	buf_release(&path);
	buf_release(&text);
}

/* PostgreSQL's own clock just before Alembic runs: a point-in-time
 * recovery target is compared with the server's commit times, not with
 * this machine's clock. */
static void server_clock(run *u)
{
	mg_error err = MG_ERROR_INIT;
	char *v = NULL;

	if (u->s->lo.dialect == SQL_POSTGRESQL &&
	    u->s->d->ops->query_scalar(u->s->d, "SELECT extract(epoch FROM clock_timestamp())::text", &v, &err) == 0 &&
	    v) {
		u->server_now = strtod(v, NULL);
		u->r->server_started = (long long)u->server_now;
	}
	free(v);
}

/* The rows before Alembic runs, for the data accounting; a failure to
 * read them is a warning (the upgrade is not held back by its accounting). */
static void count_rows(run *u)
{
	mg_error err = MG_ERROR_INIT;
	session *s = u->s;

	if (data_measure(&u->rows_before, s->d, &s->vt, &err) < 0 ||
	    s->d->ops->other_sessions(s->d, &u->sessions_before, &err) < 0)
		progress_line(u->p, PROGRESS_OUT, "warning: %s; the rows are not accounted for", err.msg);
	else
		u->counted = 1;
}

/* The rows after Alembic ran, once its server session has ended (PostgreSQL
 * writes a session's counters when it ends), compared with before. */
static void account_rows(run *u, db *d)
{
	mg_error err = MG_ERROR_INIT;
	db_counts after;
	long concurrent = 0;

	if (!u->counted)
		return;
	if (data_measure_settled(&after, d, &u->s->vt, u->sessions_before, &err) < 0) {
		progress_line(u->p, PROGRESS_OUT, "warning: %s; the rows are not accounted for", err.msg);
		return;
	}
	if (u->server_now > 0)
		d->ops->active_since(d, u->server_now, &concurrent, &err);
	data_account(&u->r->data, &u->rows_before, &after, concurrent);
	db_counts_release(&after);
}

/* The way back named by a finding about the data. */
static void data_way_back(buf *out, const upgrade_result *r)
{
	if (r->newest.path)
		buf_printf(out, "restore the backup taken before, `mgate restore %s --yes`", r->newest.path);
	else
		buf_puts(out, "`mgate rollback --dry-run` compares the ways back (no backup of this database was found)");
}

/* 3. The schema before; then mgate's read connection steps aside for
 * Alembic. */
static int prepare(run *u, mg_error *err)
{
	session *s = u->s;
	buf id = BUF_INIT;

	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	if (s->d->ops->snapshot(s->d, &u->before, err) < 0) {
		mg_error_wrap(err, "cannot take the schema snapshot");
		u->r->stage = UPGRADE_NO_SNAPSHOT;
		return MG_OUT_ENV;
	}
	keep_snapshot(u);
	u->r->snapshot_ms = ms_since(&t);
	server_clock(u);
	clock_gettime(CLOCK_MONOTONIC, &t);
	count_rows(u);
	u->r->data_ms = ms_since(&t);
	session_identity(&id, s);
	backup_newest(&u->r->newest, s->backup_dir, id.len ? id.ptr : NULL, 0, &s->rows);
	buf_release(&id);
	session_disconnect(s);
	return MG_OUT_OK;
}

/* The environment Alembic runs with: on PostgreSQL, lock_timeout (and
 * statement_timeout) for its session, after what PGOPTIONS already says. */
static void alembic_env(strvec *env, const session *s)
{
	const mgate_settings *set = &s->p.cfg.settings;
	const char *old = getenv("PGOPTIONS");
	buf opt = BUF_INIT;

	if (s->lo.dialect != SQL_POSTGRESQL)
		return;
	buf_printf(&opt, "PGOPTIONS=%s%s-c lock_timeout=%s", old ? old : "", old ? " " : "",
		   set->lock_timeout ? set->lock_timeout : "5s");
	if (set->statement_timeout)
		buf_printf(&opt, " -c statement_timeout=%s", set->statement_timeout);
	strvec_push_owned(env, buf_detach(&opt));
}

/* 4. The real Alembic. PostgreSQL rolls a revision back when its lock wait
 * times out, so running Alembic again continues where it stopped. */
static int alembic(run *u, mg_error *err)
{
	const session *s = u->s;
	upgrade_result *r = u->r;
	strvec cmd = STRVEC_INIT, env = STRVEC_INIT;
	long retries = (long)s->p.cfg.settings.lock_retries, wait = (long)s->p.cfg.settings.lock_retry_wait;
	struct timespec t0;
	int rc;

	alembic_command(&cmd, &s->p.cfg, s->p.cfg.ini_path, "upgrade", u->o->target ? u->o->target : "heads", NULL);
	alembic_env(&env, s);
	progress_running(u->p, &cmd);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r->alembic_ran = 1;
	for (;;) {
		buf errcopy = BUF_INIT;
		r->attempts++;
		rc = spawn_stream_tee(&r->status, &r->signalled, &r->timed_out, (const char *const *)cmd.v, &env,
				      u->o->timeout_s, u->o->alembic_to_stderr, &errcopy, err);
		if (rc == 0 && r->status != 0 && !r->signalled && !r->timed_out && s->lo.dialect == SQL_POSTGRESQL &&
		    r->attempts <= retries && strstr(errcopy.ptr, "lock timeout")) {
			progress_line(u->p, PROGRESS_OUT, "\nAlembic stopped on a lock timeout; trying again in %ld s (retry %ld of %ld)",
				      wait, (long)r->attempts, retries);
			buf_release(&errcopy);
			sleep((unsigned)wait);
			continue;
		}
		buf_release(&errcopy);
		break;
	}
	r->alembic_ms = ms_since(&t0);
	strvec_release(&cmd);
	strvec_release(&env);
	if (rc < 0) {
		mg_error_append(err, "; set alembic_cmd in [mgate]");
		r->stage = UPGRADE_NO_ALEMBIC;
		return MG_OUT_ENV;
	}
	return MG_OUT_OK;
}

/* 5. Where the database is now: the rows, the ledger, and the verdict. */
static int afterwards(run *u, mg_error *err)
{
	session *s = u->s;
	upgrade_result *r = u->r;
	const revmap *m = &s->p.map;
	mg_error lerr = MG_ERROR_INIT, verr = MG_ERROR_INIT;
	struct timespec t;
	buf back = BUF_INIT;
	db *d = NULL;
	int exists = 0, rc;
	size_t i;

	if (db_open(&d, s->url, err) < 0 || d->ops->read_versions(d, &s->vt, &r->after, &exists, err) < 0 ||
	    d->ops->snapshot(d, &u->after, err) < 0) {
		mg_error_wrap(err, "cannot read the database after the upgrade");
		r->stage = UPGRADE_UNREADABLE;
		db_close(d);
		return r->status == 0 ? MG_OUT_UNVERIFIED : MG_OUT_FAILED;
	}
	r->done = revmap_steps_done(m, u->cur, u->ncur, u->steps, u->nsteps, 0, &r->after);
	clock_gettime(CLOCK_MONOTONIC, &t);
	account_rows(u, d);
	r->data_ms += ms_since(&t);
	clock_gettime(CLOCK_MONOTONIC, &t);
	if (ledger_record(d, &s->vt, m, u->steps, r->done, u->o->correlation_id, &lerr) < 0)
		progress_line(u->p, PROGRESS_OUT, "warning: %s; `mgate ledger baseline` can record them later", lerr.msg);
	if (r->status != 0) {
		r->stopped_in = r->done < u->nsteps ? mg_strdup(m->v[u->steps[r->done]].id) : NULL;
		verify_schema(&r->verify, u->before, u->after, m, u->steps, r->done, s->lo.dialect, s->vt.table, &verr);
		data_way_back(&back, r);
		r->data.rolled_back = !r->data.exact; /* PostgreSQL rolled the failed revision back, counters and all */
		verify_data(&r->verify, &r->data, m, u->steps, r->done + (r->done < u->nsteps), s->lo.dialect, back.ptr,
			    &verr);
		for (i = 0; i < r->verify.n; i++)
			r->half += !strcmp(r->verify.v[i].id, "unexplained-change");
		r->stage = UPGRADE_FAILED;
		rc = MG_OUT_FAILED;
	} else {
		if (r->done != u->nsteps)
			findings_add(&r->verify, "version-rows", SEV_ERROR, NULL, 0, NULL,
				     "Alembic succeeded but the version rows say %zu of %zu steps were applied", r->done,
				     u->nsteps);
		verify_schema(&r->verify, u->before, u->after, m, u->steps, u->nsteps, s->lo.dialect, s->vt.table, &verr);
		data_way_back(&back, r);
		verify_data(&r->verify, &r->data, m, u->steps, u->nsteps, s->lo.dialect, back.ptr, &verr);
		verify_invariants(&r->verify, &s->p.cfg, d);
		verify_smoke(&r->verify, &s->p.cfg, NULL, u->p);
		rc = findings_count(&r->verify, SEV_ERROR) ? MG_OUT_UNVERIFIED : MG_OUT_OK;
		r->stage = rc == MG_OUT_OK ? UPGRADE_DONE : UPGRADE_UNVERIFIED;
	}
	r->verify_ms = ms_since(&t);
	buf_release(&back);
	db_close(d);
	return rc;
}

static void write_audit(const run *u)
{
	const upgrade_result *r = u->r;
	audit_head head = session_audit_head(u->s, "upgrade", u->o->correlation_id);
	audit_upgrade a;

	memset(&a, 0, sizeof(a));
	head.from = &r->start;
	a.gate.target = u->o->target ? u->o->target : "heads";
	a.gate.result = &r->gate;
	a.gate.skip_backup_reason = u->o->skip_backup_reason;
	a.gate.allow = u->o->allow;
	a.gate.allow_reason = u->o->allow_reason;
	a.before_snapshot = r->snapshot_path;
	a.alembic_ran = r->alembic_ran;
	a.attempts = r->attempts;
	a.alembic_exit = r->status;
	a.signal = r->signalled;
	a.timed_out = r->timed_out;
	a.after = &r->after;
	a.stopped_in = r->stopped_in;
	a.verification = &r->verify;
	a.alembic_ms = r->alembic_ms;
	a.checklist_ms = r->checklist_ms;
	a.snapshot_ms = r->snapshot_ms;
	a.data_ms = r->data_ms;
	a.verify_ms = r->verify_ms;
	a.server_started = r->server_started;
	a.data = &r->data;
	a.total_ms = ms_since(&u->t0);
	a.exit = r->outcome;
	audit_write_upgrade(&u->s->audit, &head, &a, u->p);
}

int upgrade_run(upgrade_result *out, session *s, const upgrade_opts *o, const progress *p, mg_error *err)
{
	run u;
	struct timespec t;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&u, 0, sizeof(u));
	u.s = s;
	u.o = o;
	u.p = p;
	u.r = out;
	out->status = -1;
	clock_gettime(CLOCK_MONOTONIC, &u.t0);
	strvec_copy(&out->start, &s->rows);
	if ((rc = take_lock(&u, err)) != MG_OUT_OK) {
		out->outcome = rc;
		if (out->stage == UPGRADE_LOCKED)
			write_audit(&u); /* a refusal is a decision too */
		goto cleanup_noaudit;
	}
	clock_gettime(CLOCK_MONOTONIC, &t);
	rc = checklist(&u, err);
	out->checklist_ms = ms_since(&t);
	if (rc < 0) {
		out->outcome = mg_outcome_of(rc);
		goto cleanup_noaudit;
	}
	if (!out->gate.open) {
		out->stage = UPGRADE_CLOSED;
		rc = MG_OUT_BLOCKED;
	} else if (!out->gate.pending.n) {
		out->stage = UPGRADE_NOTHING;
		rc = MG_OUT_OK;
	} else if (plan(&u, err) < 0) {
		out->stage = UPGRADE_NO_PLAN;
		rc = MG_OUT_BLOCKED;
	} else if ((rc = prepare(&u, err)) == MG_OUT_OK && (rc = alembic(&u, err)) == MG_OUT_OK) {
		rc = afterwards(&u, err);
	}
	out->outcome = rc;
	out->total_ms = ms_since(&u.t0);
	write_audit(&u);
cleanup_noaudit:
	if (u.lockdb) {
		u.lockdb->ops->unlock(u.lockdb, s->lock.ptr);
		db_close(u.lockdb);
	}
	json_decref((json_t *)u.before);
	json_decref((json_t *)u.after);
	db_counts_release(&u.rows_before);
	free(u.cur);
	free(u.steps);
	return out->outcome;
}

void upgrade_result_release(upgrade_result *r)
{
	if (!r)
		return;
	checklist_result_release(&r->gate);
	strvec_release(&r->start);
	strvec_release(&r->after);
	findings_release(&r->verify);
	backup_info_release(&r->newest);
	free(r->snapshot_path);
	free(r->stopped_in);
	data_report_release(&r->data);
	memset(r, 0, sizeof(*r));
}
