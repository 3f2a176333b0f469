/*
 * rehearse.c: the pending upgrade on a restored copy: timed, observed,
 * verified, and taken back down (rehearse.h).
 */
#include "gate/rehearse.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "gate/alembic_cmd.h"
#include "gate/audit.h"
#include "gate/scratch.h"
#include "gate/verify.h"
#include "lint/plan.h"
#include "lint/sqlcheck.h"
#include "version.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/spawn.h"
#include "util/banned.h"

/* What one rehearsal holds besides its result. */
typedef struct run {
	session *s;
	const rehearse_opts *o;
	const progress *p;
	rehearse_result *r;
	scratch scr;
	buf ini_path;         /* the copy of alembic.ini that points at the copy */
	strvec env;           /* MGATE_DATABASE_URL (and rehearse_url_env) for Alembic */
	void *start_schema;   /* the copy before (json_t *) */
	intvec start, expect; /* its rows before, and what the plan should leave */
	int *plan;
	size_t nplan;
} run;

/*
 * Does env.py take the URL from anywhere but alembic.ini? Then mgate can
 * only point it at the copy through the variable named by rehearse_url_env.
 * Returns the line that suggests it, or 0.
 */
static int env_overrides_url(const mgate_config *cfg)
{
	buf path = BUF_INIT, text = BUF_INIT;
	mg_error err = MG_ERROR_INIT;
	const char *p, *nl;
	int line = 0, hit = 0;

	fs_join(&path, cfg->script_location, "env.py");
	if (fs_read_file(&text, path.ptr, 4u << 20, &err) == 0)
		for (p = text.ptr; *p && !hit; p = nl ? nl + 1 : p + strlen(p)) {
			size_t n;
			buf l = BUF_INIT;
			nl = strchr(p, '\n');
			n = nl ? (size_t)(nl - p) : strlen(p);
			line++;
			buf_put(&l, p, n);
			if (l.ptr[strspn(l.ptr, " \t")] != '#' &&
			    (strstr(l.ptr, "environ") || strstr(l.ptr, "getenv") ||
			     (strstr(l.ptr, "set_main_option") && strstr(l.ptr, "url"))))
				hit = line;
			buf_release(&l);
		}
	buf_release(&path);
	buf_release(&text);
	return hit;
}

/* What a rehearsal needs before it starts. An mg_outcome. */
static int preconditions(const session *s, mg_error *err)
{
	const mgate_config *cfg = &s->p.cfg;
	int line;

	if (!s->d)
		return mg_fail(err, MG_OUT_ENV, "%s", s->dberr.ptr);
	if (!cfg->ini_path)
		return mg_fail(err, MG_OUT_USAGE, "a rehearsal needs alembic.ini (Alembic is pointed at the copy through it)");
	if (!s->backup_dir)
		return mg_fail(err, MG_OUT_USAGE, "where are the backups? pass --backup-dir DIR or set backup_dir in [mgate]");
	if (!cfg->settings.rehearse_url_env && !cfg->settings.rehearse_env_checked && (line = env_overrides_url(cfg)))
		return mg_fail(err, MG_OUT_USAGE,
			       "%s/env.py:%d may take the database URL from elsewhere than alembic.ini; set rehearse_url_env "
			       "= VARIABLE in [mgate] (the variable it reads the URL from) so the copy is used, or "
			       "rehearse_env_checked = true if it does use alembic.ini",
			       cfg->script_location, line);
	if (s->p.map.broken)
		return mg_fail(err, MG_OUT_BLOCKED, "the revision graph is broken");
	return MG_OUT_OK;
}

/* 1. The newest backup (taken when none verifies) into a scratch database,
 * with its rows and schema read. An mg_outcome. */
static int make_copy(run *u, strvec *rows, mg_error *err)
{
	session *s = u->s;
	buf ident = BUF_INIT;
	db *c = NULL;
	char *kept = NULL;
	int exists = 0, rc = MG_OUT_OK;

	session_identity(&ident, s);
	if (backup_newest(&u->r->b, s->backup_dir, ident.ptr, 1, NULL) < 0) {
		progress_line(u->p, PROGRESS_LOG, "no backup of this database verifies; taking one");
		if (backup_take(&u->r->b, s->d, &s->vt, s->backup_dir, &s->rows, MGATE_VERSION, NULL, NULL, err) < 0)
			rc = MG_OUT_ENV;
	}
	buf_release(&ident);
	if (rc != MG_OUT_OK)
		return rc;
	if (scratch_create(&u->scr, s->scratch_url, "mgate_rehearse", u->o->correlation_id, err) < 0)
		return MG_OUT_ENV;
	buf_puts(&u->r->scratch, u->scr.redacted.ptr);
	if (backup_restore(&u->r->b, u->scr.url.ptr, NULL, 0, &kept, err) < 0 || db_open(&c, u->scr.url.ptr, err) < 0 ||
	    c->ops->read_versions(c, &s->vt, rows, &exists, err) < 0 || c->ops->snapshot(c, &u->start_schema, err) < 0) {
		mg_error_wrap(err, "the copy failed");
		rc = MG_OUT_ENV;
	}
	free(kept);
	db_close(c);
	return rc;
}

/* 2. The plan from the copy's rows. An mg_outcome. */
static int plan(run *u, const strvec *rows, mg_error *err)
{
	const revmap *m = &u->s->p.map;
	const char *target = u->o->target ? u->o->target : "heads";
	strvec unknown = STRVEC_INIT;
	int *targets = NULL, rc = MG_OUT_OK;
	size_t ntargets = 0, i, fail_at = 0;
	buf why = BUF_INIT;

	u->start.v = mg_calloc(rows->n + 1, sizeof(int));
	u->start.alloc = rows->n + 1;
	u->start.n = revmap_indexes(u->start.v, &unknown, m, rows);
	if (unknown.n)
		rc = mg_fail(err, MG_OUT_BLOCKED, "the backup is at '%s', which no script defines", unknown.v[0]);
	else if (revmap_resolve_target(&targets, &ntargets, m, target, u->start.v, u->start.n, err) < 0 ||
		 revmap_upgrade_order(&u->plan, &u->nplan, m, targets, ntargets, u->start.v, u->start.n, err) < 0)
		rc = mg_fail(err, MG_OUT_USAGE, "%s", err->msg);
	free(targets);
	strvec_release(&unknown);
	if (rc != MG_OUT_OK)
		return rc;
	u->r->n = u->nplan;
	u->r->steps = mg_calloc(u->nplan + 1, sizeof(*u->r->steps));
	for (i = 0; i < u->nplan; i++)
		u->r->steps[i].rev = u->plan[i];
	revmap_replay_upgrade(&u->expect, m, u->start.v, u->start.n, u->plan, u->nplan, &fail_at, &why);
	buf_release(&why);
	return MG_OUT_OK;
}

/* Alembic, pointed at the copy: a copy of alembic.ini beside the original
 * (same %(here)s) with the copy's URL, and that URL in the environment. */
static int point_alembic(run *u, mg_error *err)
{
	const mgate_config *cfg = &u->s->p.cfg;
	buf text = BUF_INIT, ini = BUF_INIT, e = BUF_INIT;
	int rc;

	fs_read_file(&text, cfg->ini_path, 16u << 20, err);
	config_with_url(&ini, text.ptr ? text.ptr : "", cfg->section, u->scr.url.ptr);
	buf_printf(&u->ini_path, "%s/.mgate-rehearse-%s.ini", cfg->here, u->o->correlation_id);
	rc = fs_write_atomic(u->ini_path.ptr, ini.ptr, ini.len, 0600, err);
	buf_printf(&e, "MGATE_DATABASE_URL=%s", u->scr.url.ptr);
	strvec_push_owned(&u->env, buf_detach(&e));
	if (cfg->settings.rehearse_url_env) {
		buf_printf(&e, "%s=%s", cfg->settings.rehearse_url_env, u->scr.url.ptr);
		strvec_push_owned(&u->env, buf_detach(&e));
	}
	buf_release(&text);
	buf_release(&ini);
	return rc < 0 ? MG_OUT_ENV : MG_OUT_OK;
}

/* Each revision's statements from `alembic upgrade FROM:TO --sql`, split
 * at Alembic's "-- Running upgrade A -> B" comments. Returns a note when
 * they cannot be had, else NULL. */
static const char *offline_sql(run *u, const char *range)
{
	const revmap *m = &u->s->p.map;
	rehearse_result *r = u->r;
	strvec argv = STRVEC_INIT;
	buf out = BUF_INIT, errout = BUF_INIT, chunk = BUF_INIT;
	spawn_opts so;
	mg_error err = MG_ERROR_INIT;
	const char *p, *nl, *note = NULL;
	rehearse_step *cur = NULL;
	int status = -1;
	size_t i;

	alembic_command(&argv, &u->s->p.cfg, u->ini_path.ptr, "upgrade", range, "--sql");
	memset(&so, 0, sizeof(so));
	so.argv = (const char *const *)argv.v;
	so.env = &u->env;
	so.out = &out;
	so.err = &errout;
	if (spawn_run(&status, &so, &err) < 0 || status != 0) {
		note = "not observed: `alembic upgrade --sql` failed (env.py must support offline mode)";
		goto cleanup;
	}
	for (p = out.ptr;; p = nl + 1) {
		int marker;
		nl = strchr(p, '\n');
		marker = !nl || !strncmp(p, "-- Running upgrade ", 19);
		if (marker && cur) {
			strvec stmts = STRVEC_INIT;
			if (sqlcheck_split(&stmts, chunk.ptr, &err) == 0)
				for (i = 0; i < stmts.n; i++)
					if (strncasecmp(stmts.v[i], "BEGIN", 5) && strncasecmp(stmts.v[i], "COMMIT", 6))
						strvec_push(&cur->sql, stmts.v[i]);
			strvec_release(&stmts);
			cur = NULL;
		}
		if (!nl)
			break;
		if (marker) {
			const char *arrow = strstr(p, " -> ");
			buf rev = BUF_INIT;
			if (arrow)
				buf_put(&rev, arrow + 4, (size_t)(nl - arrow - 4));
			while (rev.len && (rev.ptr[rev.len - 1] == '\r' || rev.ptr[rev.len - 1] == ' '))
				buf_truncate(&rev, rev.len - 1);
			for (i = 0; i < r->n && !cur; i++)
				if (!strcmp(m->v[r->steps[i].rev].id, rev.ptr))
					cur = &r->steps[i];
			buf_truncate(&chunk, 0);
			buf_release(&rev);
		} else if (cur) {
			buf_put(&chunk, p, (size_t)(nl - p + 1));
		}
	}
cleanup:
	strvec_release(&argv);
	buf_release(&out);
	buf_release(&errout);
	buf_release(&chunk);
	return note;
}

/* Run `alembic <verb> <target>` on the copy; its output goes to stderr. */
static int run_alembic(int *status, const run *u, const char *verb, const char *target, mg_error *err)
{
	strvec argv = STRVEC_INIT;
	int sig = 0, timed_out = 0, rc;

	alembic_command(&argv, &u->s->p.cfg, u->ini_path.ptr, verb, target, NULL);
	rc = spawn_stream(status, &sig, &timed_out, (const char *const *)argv.v, &u->env, 0, 1, err);
	strvec_release(&argv);
	return rc;
}

/* The copy's version rows must move; the real database's must not. */
static int real_db_untouched(const session *s)
{
	mg_error err = MG_ERROR_INIT;
	strvec now = STRVEC_INIT;
	int exists = 0, same;

	same = s->d->ops->read_versions(s->d, &s->vt, &now, &exists, &err) == 0 && strvec_same_set(&now, &s->rows);
	strvec_release(&now);
	return same;
}

static double ms_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1000 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

/* A connection to the copy that reads its rows before the first step
 * (NULL when it cannot: the rehearsal goes on without the figures). */
static db *open_counter(run *u, db_counts *rows, long *sessions)
{
	mg_error err = MG_ERROR_INIT;
	db *c = NULL;

	memset(rows, 0, sizeof(*rows));
	if (db_open(&c, u->scr.url.ptr, &err) < 0 || data_measure(rows, c, &u->s->vt, &err) < 0 ||
	    c->ops->other_sessions(c, sessions, &err) < 0) {
		progress_line(u->p, PROGRESS_OUT, "warning: %s; the rows are not accounted for", err.msg);
		db_counts_release(rows);
		db_close(c);
		return NULL;
	}
	return c;
}

/* The rows one step changed on the copy (nobody else writes there, so the
 * figures are the revision's own), held against what it declares. */
static void count_step(run *u, db *c, db_counts *rows, long sessions, rehearse_step *st)
{
	mg_error err = MG_ERROR_INIT;
	db_counts now;

	if (data_measure_settled(&now, c, &u->s->vt, sessions, &err) < 0)
		return;
	data_account(&st->data, rows, &now, 0);
	verify_data(&u->r->verify, &st->data, &u->s->p.map, &st->rev, 1, u->s->lo.dialect,
		    "this is a copy: fix the revision before it reaches the real database", &err);
	db_counts_release(rows);
	*rows = now;
}

/* "N md5": the exact rows of `table` on the copy and a checksum of them
 * (the md5 of every row's md5, in order), or NULL when there is no such
 * table. */
static char *table_checksum(db *c, const char *table)
{
	mg_error err = MG_ERROR_INIT;
	buf q = BUF_INIT;
	char *v = NULL;

	buf_printf(&q,
		   "SELECT count(*) || ' ' || coalesce(md5(string_agg(md5(x::text), '' ORDER BY md5(x::text))), md5('')) "
		   "FROM %s x",
		   table);
	if (c->ops->query_scalar(c, q.ptr, &v, &err) < 0) {
		free(v);
		v = NULL;
	}
	buf_release(&q);
	return v;
}

/* Before (`before`) or after a step, the checksums of the tables its
 * upgrade() names (plan_describe's tables, each once). */
static void checksum_tables(run *u, db *c, rehearse_step *st, int before)
{
	mg_error err = MG_ERROR_INIT;
	plan_ops ops;
	size_t i;

	if (before) {
		if (plan_describe_upgrade(&ops, u->s->p.map.v[st->rev].s, u->s->lo.dialect, &err) == MG_OK)
			for (i = 0; i < ops.n; i++)
				if (ops.v[i].table && strvec_index(&st->sum_tables, ops.v[i].table) < 0)
					strvec_push(&st->sum_tables, ops.v[i].table);
		plan_ops_release(&ops);
		st->sum_before = mg_calloc(st->sum_tables.n + 1, sizeof(char *));
		st->sum_after = mg_calloc(st->sum_tables.n + 1, sizeof(char *));
	}
	for (i = 0; i < st->sum_tables.n; i++)
		(before ? st->sum_before : st->sum_after)[i] = table_checksum(c, st->sum_tables.v[i]);
}

/* 3 and 4. Each revision observed (PostgreSQL), then run for real on the
 * copy, timed. An mg_outcome (MG_OUT_OK also when a step failed: the
 * report says so). */
static int run_steps(run *u, mg_error *err)
{
	const revmap *m = &u->s->p.map;
	rehearse_result *r = u->r;
	const db_ops *ops = db_ops_for(&u->scr.u);
	const char *note;
	db *counter;
	db_counts rows;
	long sessions = 0;
	size_t i;

	if (ops->observe) {
		buf range = BUF_INIT;
		buf_printf(&range, "%s:%s", u->start.n == 1 ? m->v[u->start.v[0]].id : "base",
			   u->o->target ? u->o->target : "heads");
		note = u->start.n > 1 ? "not observed: the copy is at several heads, and `alembic upgrade --sql` starts from one"
				      : offline_sql(u, range.ptr);
		buf_release(&range);
	} else {
		note = "SQLite takes one lock for the whole database while a revision runs";
	}
	counter = open_counter(u, &rows, &sessions);
	for (i = 0; i < r->n; i++) {
		rehearse_step *st = &r->steps[i];
		struct timespec t0, t1;
		mg_error oerr = MG_ERROR_INIT;
		st->note = note;
		if (!note && ops->observe && st->sql.n) {
			st->obs = mg_calloc(st->sql.n, sizeof(*st->obs));
			if (ops->observe(&u->scr.u, u->scr.redacted.ptr, &st->sql, st->obs, &oerr) < 0)
				st->note = "not observed: the copy could not be reached";
		}
		if (counter && u->s->lo.dialect == SQL_POSTGRESQL)
			checksum_tables(u, counter, st, 1);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (run_alembic(&st->status, u, "upgrade", m->v[st->rev].id, err) < 0) {
			mg_error_append(err, "; set alembic_cmd in [mgate]");
			return MG_OUT_ENV;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		st->ms = ms_between(&t0, &t1);
		r->done = i + 1;
		if (counter)
			count_step(u, counter, &rows, sessions, st);
		if (counter && u->s->lo.dialect == SQL_POSTGRESQL)
			checksum_tables(u, counter, st, 0);
		if (!real_db_untouched(u->s)) {
			r->failure = "Alembic ran against the real database";
			return mg_fail(err, MG_OUT_FAILED,
				       "the REAL database's version rows changed: env.py does not use the URL mgate gave it; "
				       "stopped. Set rehearse_url_env in [mgate]");
		}
		if (st->status) {
			r->failure = "Alembic failed on the copy";
			break;
		}
	}
	db_counts_release(&rows);
	db_close(counter);
	return MG_OUT_OK;
}

/* Downgrade the copy to where it started and compare its schema. */
static void round_trip(run *u, const int *now, size_t nnow)
{
	const revmap *m = &u->s->p.map;
	rehearse_result *r = u->r;
	mg_error err = MG_ERROR_INIT;
	intvec steps = { NULL, 0, 0 }, rows = { NULL, 0, 0 };
	const char *target = u->start.n ? m->v[u->start.v[0]].id : "base";
	db *c = NULL;
	void *snap = NULL;
	size_t i;
	int status = 0;

	if (revmap_downgrade_path(&r->round_cmds, &steps, &rows, &r->round_problem, m, target, now, nnow, u->start.v,
				  u->start.n, &err) < 0)
		buf_puts(&r->round_problem, err.msg);
	for (i = 0; !r->round_problem.len && i < r->round_cmds.n && status == 0; i++)
		if (run_alembic(&status, u, "downgrade", r->round_cmds.v[i], &err) < 0 || status)
			buf_printf(&r->round_problem, "`alembic downgrade %s` failed on the copy", r->round_cmds.v[i]);
	if (!r->round_problem.len) {
		if (db_open(&c, u->scr.url.ptr, &err) < 0 || c->ops->snapshot(c, &snap, &err) < 0)
			buf_printf(&r->round_problem, "the copy cannot be read: %s", err.msg);
		else
			verify_same_schema(&r->round, u->start_schema, snap, u->s->vt.table, "the schema before the rehearsal");
	}
	r->round_ok = !r->round_problem.len && !r->round.n;
	json_decref((json_t *)snap);
	db_close(c);
	intvec_release(&steps);
	intvec_release(&rows);
}

/* 5. Verify the copy, then take it back down. */
static void verify_copy(run *u)
{
	const session *s = u->s;
	const revmap *m = &s->p.map;
	rehearse_result *r = u->r;
	mg_error err = MG_ERROR_INIT;
	strvec now = STRVEC_INIT;
	intvec cur = { NULL, 0, 0 };
	void *after = NULL;
	db *c = NULL;
	int exists = 0;
	size_t i;

	if (db_open(&c, u->scr.url.ptr, &err) < 0 || c->ops->read_versions(c, &s->vt, &now, &exists, &err) < 0 ||
	    c->ops->snapshot(c, &after, &err) < 0) {
		findings_add(&r->verify, "unreadable", SEV_ERROR, NULL, 0, NULL, "the copy cannot be read: %s", err.msg);
	} else {
		for (i = 0; i < u->expect.n; i++)
			if (strvec_index(&now, m->v[u->expect.v[i]].id) < 0 || now.n != u->expect.n) {
				findings_add(&r->verify, "version-rows", SEV_ERROR, NULL, 0, NULL,
					     "the copy's version rows are not the target's");
				break;
			}
		verify_schema(&r->verify, u->start_schema, after, m, u->plan, u->nplan, s->lo.dialect, s->vt.table, &err);
		verify_invariants(&r->verify, &s->p.cfg, c);
		for (i = 0; i < now.n; i++)
			if (revmap_index(m, now.v[i]) >= 0)
				intvec_push(&cur, revmap_index(m, now.v[i]));
	}
	db_close(c);
	json_decref((json_t *)after);
	if (findings_count(&r->verify, SEV_ERROR))
		r->failure = "the copy did not verify after the upgrade";
	round_trip(u, cur.v, cur.n);
	if (!r->failure && !r->round_ok)
		r->failure = "the downgrade does not bring the schema back";
	strvec_release(&now);
	intvec_release(&cur);
}

int rehearse_run(rehearse_result *out, session *s, const rehearse_opts *o, const progress *p, mg_error *err)
{
	run u;
	strvec rows = STRVEC_INIT;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&u, 0, sizeof(u));
	buf_init(&out->scratch);
	buf_init(&out->round_problem);
	buf_init(&u.ini_path);
	u.s = s;
	u.o = o;
	u.p = p;
	u.r = out;
	if ((rc = preconditions(s, err)) != MG_OUT_OK)
		goto cleanup;
	if ((rc = make_copy(&u, &rows, err)) != MG_OUT_OK)
		goto cleanup;
	progress_line(p, PROGRESS_OUT, "rehearsal of %s on a copy of %s\n  backup %s (%s)\n  scratch %s",
		      o->target ? o->target : "heads", s->where.ptr, out->b.path, out->b.created_at,
		      out->scratch.ptr);
	if ((rc = plan(&u, &rows, err)) != MG_OUT_OK)
		goto cleanup;
	if (!u.nplan) {
		out->nothing = 1;
		goto cleanup;
	}
	if ((rc = point_alembic(&u, err)) != MG_OUT_OK)
		goto cleanup;
	rc = run_steps(&u, err);
	if (rc == MG_OUT_OK && !out->failure)
		verify_copy(&u);
	if (rc == MG_OUT_OK)
		rc = !out->failure ? MG_OUT_OK : out->done < out->n || out->steps[out->n - 1].status ? MG_OUT_FAILED
												     : MG_OUT_UNVERIFIED;
	if (rc == MG_OUT_OK || rc == MG_OUT_FAILED || rc == MG_OUT_UNVERIFIED) {
		audit_head head = session_audit_head(s, "rehearse", o->correlation_id);
		json_t *report = rehearse_json(out, s);
		audit_write_rehearse(&s->audit, &head, o->target ? o->target : "heads", report, rc, p);
		json_decref(report);
	}
cleanup:
	out->outcome = rc;
	scratch_release(&u.scr, o->keep);
	if (u.ini_path.len)
		unlink(u.ini_path.ptr);
	json_decref((json_t *)u.start_schema);
	intvec_release(&u.start);
	intvec_release(&u.expect);
	free(u.plan);
	strvec_release(&u.env);
	strvec_release(&rows);
	buf_release(&u.ini_path);
	return rc;
}

/* "N md5" as {"rows": N, "md5": "..."}, or null. */
static json_t *checksum_json(const char *v)
{
	json_t *o;

	if (!v || !strchr(v, ' '))
		return json_null();
	o = json_object();
	json_object_set_new(o, "rows", json_integer(strtoll(v, NULL, 10)));
	json_object_set_new(o, "md5", json_text(strchr(v, ' ') + 1));
	return o;
}

static json_t *checksums_json(const rehearse_step *st)
{
	json_t *o = json_object();
	size_t i;

	for (i = 0; st->sum_before && i < st->sum_tables.n; i++) {
		json_t *t = json_object();
		const char *b = st->sum_before[i], *a = st->sum_after[i];
		json_object_set_new(t, "before", checksum_json(b));
		json_object_set_new(t, "after", checksum_json(a));
		json_object_set_new(t, "changed", json_boolean(!b || !a || strcmp(b, a)));
		json_object_set_new(o, st->sum_tables.v[i], t);
	}
	return o;
}

void *rehearse_json(const rehearse_result *r, const session *s)
{
	json_t *o = json_object(), *steps = json_array(), *rt = json_object();
	size_t i, k;

	json_object_set_new(o, "backup", json_text(r->b.path));
	json_object_set_new(o, "scratch", json_text(r->scratch.ptr));
	for (i = 0; i < r->n; i++) {
		const rehearse_step *st = &r->steps[i];
		json_t *x = json_object(), *sql = json_array();
		json_object_set_new(x, "revision", json_string(s->p.map.v[st->rev].id));
		json_object_set_new(x, "path", json_text(s->p.map.v[st->rev].s->path));
		json_object_set_new(x, "ran", json_boolean(i < r->done));
		json_object_set_new(x, "duration_ms", json_real(st->ms));
		json_object_set_new(x, "exit", json_integer(st->status));
		json_object_set_new(x, "observed", json_boolean(st->obs != NULL));
		json_object_set_new(x, "note", st->note ? json_string(st->note) : json_null());
		for (k = 0; st->obs && k < st->sql.n; k++) {
			json_t *y = json_object();
			json_object_set_new(y, "sql", json_text(st->sql.v[k]));
			json_object_set_new(y, "ran", json_boolean(st->obs[k].ran));
			json_object_set_new(y, "locks", json_strvec(&st->obs[k].locks));
			json_object_set_new(y, "rewrites", json_strvec(&st->obs[k].rewritten));
			json_object_set_new(y, "error", json_text(st->obs[k].error));
			json_array_append_new(sql, y);
		}
		json_object_set_new(x, "statements", sql);
		json_object_set_new(x, "data", data_json(&st->data));
		json_object_set_new(x, "checksums", checksums_json(st));
		json_array_append_new(steps, x);
	}
	json_object_set_new(o, "steps", steps);
	json_object_set_new(o, "verification", json_findings(&r->verify));
	json_object_set_new(rt, "passed", json_boolean(r->round_ok));
	json_object_set_new(rt, "commands", json_strvec(&r->round_cmds));
	json_object_set_new(rt, "problem", r->round_problem.len ? json_text(r->round_problem.ptr) : json_null());
	json_object_set_new(rt, "differences", json_findings(&r->round));
	json_object_set_new(o, "round_trip", rt);
	json_object_set_new(o, "result", json_string(r->failure ? "fail" : "pass"));
	json_object_set_new(o, "failure", json_text(r->failure));
	return o;
}

void rehearse_result_release(rehearse_result *r)
{
	size_t i, k;

	if (!r)
		return;
	for (i = 0; r->steps && i < r->n; i++) {
		for (k = 0; r->steps[i].obs && k < r->steps[i].sql.n; k++)
			db_observation_release(&r->steps[i].obs[k]);
		free(r->steps[i].obs);
		strvec_release(&r->steps[i].sql);
		data_report_release(&r->steps[i].data);
		for (k = 0; r->steps[i].sum_before && k < r->steps[i].sum_tables.n; k++) {
			free(r->steps[i].sum_before[k]);
			free(r->steps[i].sum_after[k]);
		}
		free(r->steps[i].sum_before);
		free(r->steps[i].sum_after);
		strvec_release(&r->steps[i].sum_tables);
	}
	free(r->steps);
	backup_info_release(&r->b);
	buf_release(&r->scratch);
	findings_release(&r->verify);
	findings_release(&r->round);
	strvec_release(&r->round_cmds);
	buf_release(&r->round_problem);
	memset(r, 0, sizeof(*r));
}
