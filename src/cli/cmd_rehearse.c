/*
 * cmd_rehearse.c: `mgate rehearse [TARGET]`: the pending upgrade, run on a
 * throw-away copy before production sees it.
 *
 * The newest backup of this database that verifies (one is taken when
 * there is none) is restored into a scratch database. Alembic is pointed
 * at it through a copy of alembic.ini beside the original (same %(here)s)
 * whose sqlalchemy.url names the scratch database, and runs the plan one
 * revision at a time, timed. On PostgreSQL each revision's statements
 * (from `alembic upgrade --sql`) are first run one by one in a transaction
 * that is rolled back, to see the table locks each takes and the tables it
 * rewrites (relfilenode changes). Then the result is verified, and the
 * downgrade is run to prove the schema comes back as it started (the round
 * trip). The real database is only read, and its version rows are checked
 * after every step: if env.py ignored the URL mgate gave it, the rehearsal
 * stops at once.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gate/audit.h"
#include "gate/backup.h"
#include "cli.h"
#include "lint/sqlcheck.h"
#include "gate/verify.h"
#include "version.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/spawn.h"
#include "util/banned.h"

static const char *const formats[] = { "text", "json", NULL };

typedef struct rstep {
	int rev;
	double ms;
	int status;
	strvec sql;          /* its statements, from `alembic upgrade --sql` */
	db_observation *obs; /* one per statement (PostgreSQL) */
	const char *note;    /* why there is no observation */
} rstep;

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

/* Each revision's statements from `alembic upgrade FROM:TO --sql`, split
 * at Alembic's "-- Running upgrade A -> B" comments. Returns a note when
 * they cannot be had, else NULL. */
static const char *offline_sql(rstep *steps, size_t n, const mgate_config *cfg, const char *ini, const char *range,
			       const strvec *env, const revmap *m)
{
	strvec argv = STRVEC_INIT;
	buf out = BUF_INIT, errout = BUF_INIT;
	spawn_opts so;
	mg_error err = MG_ERROR_INIT;
	const char *p, *nl, *note = NULL;
	rstep *cur = NULL;
	buf chunk = BUF_INIT;
	int status = -1;
	size_t i;

	cli_alembic_command(&argv, cfg, ini, "upgrade", range, "--sql");
	memset(&so, 0, sizeof(so));
	so.argv = (const char *const *)argv.v;
	so.env = env;
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
				for (i = 0; i < stmts.n; i++) {
					const char *s = stmts.v[i];
					if (strncasecmp(s, "BEGIN", 5) && strncasecmp(s, "COMMIT", 6))
						strvec_push(&cur->sql, s);
				}
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
			for (i = 0; i < n && !cur; i++)
				if (!strcmp(m->v[steps[i].rev].id, rev.ptr))
					cur = &steps[i];
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

static double ms_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1000 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

/* Run `alembic <verb> <target>` on the copy; its output goes to stderr. */
static int run_alembic(int *status, const mgate_config *cfg, const char *ini, const char *verb, const char *target,
		       const strvec *env, mg_error *err)
{
	strvec argv = STRVEC_INIT;
	int sig = 0, timed_out = 0, rc;

	cli_alembic_command(&argv, cfg, ini, verb, target, NULL);
	rc = spawn_stream(status, &sig, &timed_out, (const char *const *)argv.v, env, 0, 1, err);
	strvec_release(&argv);
	return rc;
}

typedef struct rehearsal {
	rstep *steps;
	size_t n, done;
	findings verify;
	strvec round_cmds;
	buf round_problem;
	int round_ok;
	findings round;
	const char *failure;
	buf why;
} rehearsal;

static json_t *report_json(const rehearsal *r, const cli_gate *cg, const backup_info *b, const char *scratch)
{
	json_t *o = json_object(), *steps = json_array(), *rt = json_object();
	size_t i, k;

	json_object_set_new(o, "backup", cli_json_str(b->path));
	json_object_set_new(o, "scratch", cli_json_str(scratch));
	for (i = 0; i < r->n; i++) {
		const rstep *s = &r->steps[i];
		json_t *x = json_object(), *st = json_array();
		json_object_set_new(x, "revision", json_string(cg->p.map.v[s->rev].id));
		json_object_set_new(x, "path", cli_json_str(cg->p.map.v[s->rev].s->path));
		json_object_set_new(x, "ran", json_boolean(i < r->done));
		json_object_set_new(x, "duration_ms", json_real(s->ms));
		json_object_set_new(x, "exit", json_integer(s->status));
		json_object_set_new(x, "observed", json_boolean(s->obs != NULL));
		json_object_set_new(x, "note", s->note ? json_string(s->note) : json_null());
		for (k = 0; s->obs && k < s->sql.n; k++) {
			json_t *y = json_object();
			json_object_set_new(y, "sql", cli_json_str(s->sql.v[k]));
			json_object_set_new(y, "ran", json_boolean(s->obs[k].ran));
			json_object_set_new(y, "locks", cli_strvec_json(&s->obs[k].locks));
			json_object_set_new(y, "rewrites", cli_strvec_json(&s->obs[k].rewritten));
			json_object_set_new(y, "error", s->obs[k].error ? cli_json_str(s->obs[k].error) : json_null());
			json_array_append_new(st, y);
		}
		json_object_set_new(x, "statements", st);
		json_array_append_new(steps, x);
	}
	json_object_set_new(o, "steps", steps);
	json_object_set_new(o, "verification", cli_findings_json(&r->verify));
	json_object_set_new(rt, "passed", json_boolean(r->round_ok));
	json_object_set_new(rt, "commands", cli_strvec_json(&r->round_cmds));
	json_object_set_new(rt, "problem", r->round_problem.len ? cli_json_str(r->round_problem.ptr) : json_null());
	json_object_set_new(rt, "differences", cli_findings_json(&r->round));
	json_object_set_new(o, "round_trip", rt);
	json_object_set_new(o, "result", json_string(r->failure ? "fail" : "pass"));
	json_object_set_new(o, "failure", r->failure ? cli_json_str(r->failure) : json_null());
	return o;
}

static void report_text(const rehearsal *r, const cli_gate *cg)
{
	size_t i, k, j;

	for (i = 0; i < r->n; i++) {
		const rstep *s = &r->steps[i];
		printf("  %zu. %-14s ", i + 1, cg->p.map.v[s->rev].id);
		if (i < r->done)
			printf("%6.0f ms%s\n", s->ms, s->status ? "  FAILED" : "");
		else
			printf("not run\n");
		if (s->note && (!i || s->note != r->steps[i - 1].note))
			printf("     %s\n", s->note);
		for (k = 0; s->obs && k < s->sql.n; k++) {
			const db_observation *o = &s->obs[k];
			size_t n = strcspn(s->sql.v[k], "\n");
			if (!o->ran)
				break;
			printf("     %.*s%s\n", (int)(n > 90 ? 90 : n), s->sql.v[k], n > 90 ? "..." : "");
			for (j = 0; j < o->locks.n; j++)
				printf("       lock: %s\n", o->locks.v[j]);
			for (j = 0; j < o->rewritten.n; j++)
				printf("       REWRITES %s (every row is copied; the lock is held meanwhile)\n", o->rewritten.v[j]);
			if (o->error)
				printf("       not observed further: %s\n", o->error);
		}
	}
	for (i = 0; i < r->verify.n; i++)
		printf("  %s: %s [%s]\n", finding_severity_name(r->verify.v[i].severity), r->verify.v[i].message,
		       r->verify.v[i].id);
	if (r->done == r->n && r->n)
		printf("verification: %s\n", findings_count(&r->verify, SEV_ERROR) ? "FAILED" : "passed");
	if (r->round_cmds.n || r->round_problem.len) {
		printf("round trip (downgrade");
		for (i = 0; i < r->round_cmds.n; i++)
			printf(" %s", r->round_cmds.v[i]);
		printf("): %s\n", r->round_ok ? "the schema is back as it started" : "FAILED");
		if (r->round_problem.len)
			printf("  %s\n", r->round_problem.ptr);
		for (i = 0; i < r->round.n; i++)
			printf("  %s\n", r->round.v[i].message);
	}
	if (r->failure)
		printf("rehearsal: FAIL: %s\n", r->failure);
	else
		printf("rehearsal: PASS\n");
}

/* The copy's version rows must move; the real database's must not. */
static int real_db_untouched(const cli_gate *cg)
{
	mg_error err = MG_ERROR_INIT;
	strvec now = STRVEC_INIT;
	int exists = 0, same;

	same = cg->d->ops->read_versions(cg->d, &cg->vt, &now, &exists, &err) == 0 && strvec_same_set(&now, &cg->rows);
	strvec_release(&now);
	return same;
}

/* Downgrade the copy to where it started and compare its schema. */
static void round_trip(rehearsal *r, const cli_gate *cg, const char *ini, const strvec *env, const char *scratch,
		       const void *start_schema, const intvec *start, const int *now, size_t nnow)
{
	mg_error err = MG_ERROR_INIT;
	intvec steps = { NULL, 0, 0 }, rows = { NULL, 0, 0 };
	const char *target = start->n ? cg->p.map.v[start->v[0]].id : "base";
	db *s = NULL;
	void *snap = NULL;
	size_t i;
	int status = 0;

	if (revmap_downgrade_path(&r->round_cmds, &steps, &rows, &r->round_problem, &cg->p.map, target, now, nnow,
				  start->v, start->n, &err) < 0)
		buf_puts(&r->round_problem, err.msg);
	for (i = 0; !r->round_problem.len && i < r->round_cmds.n && status == 0; i++)
		if (run_alembic(&status, &cg->p.cfg, ini, "downgrade", r->round_cmds.v[i], env, &err) < 0 || status)
			buf_printf(&r->round_problem, "`alembic downgrade %s` failed on the copy", r->round_cmds.v[i]);
	if (!r->round_problem.len) {
		if (db_open(&s, scratch, &err) < 0 || s->ops->snapshot(s, &snap, &err) < 0)
			buf_printf(&r->round_problem, "the copy cannot be read: %s", err.msg);
		else
			verify_same_schema(&r->round, start_schema, snap, cg->vt.table, "the schema before the rehearsal");
	}
	r->round_ok = !r->round_problem.len && !r->round.n;
	json_decref((json_t *)snap);
	db_close(s);
	intvec_release(&steps);
	intvec_release(&rows);
}

int cmd_rehearse(int argc, char **argv)
{
	cli_common common;
	cli_gate cg;
	cli_gate_args a;
	rehearsal r;
	strvec args = STRVEC_INIT, env = STRVEC_INIT;
	mg_error err = MG_ERROR_INIT;
	backup_info b;
	buf ini_text = BUF_INIT, ini = BUF_INIT, ini_path = BUF_INIT, ident = BUF_INIT,
	    range = BUF_INIT;
	cli_scratch scr;
	db *s = NULL;
	void *start_schema = NULL, *after_schema = NULL;
	intvec start = { NULL, 0, 0 }, expect = { NULL, 0, 0 };
	int *targets = NULL, *plan = NULL, rc, keep = 0, exists = 0;
	size_t ntargets = 0, nplan = 0, i, fail_at = 0;
	const char *target = "heads", *note = NULL;
	char id[17], *kept = NULL;
	const char *url_env;
	strvec rows = STRVEC_INIT, unknown = STRVEC_INIT;
	json_t *audit = NULL;
	FILE *info = stdout;
	cli_option opts[] = {
		OPT_FLAG_(0, "keep", &keep, "keep the scratch database afterwards (its URL is printed)"),
		OPT_DB_(&a.db),
		OPT_STRING_(0, "backup-dir", &a.backup_dir, "DIR", "where backups are (else backup_dir in [mgate])"),
		OPT_VERSION_TABLE_(&a.db),
		OPT_END_(),
	};

	memset(&a, 0, sizeof(a));
	memset(&cg, 0, sizeof(cg));
	memset(&b, 0, sizeof(b));
	memset(&scr, 0, sizeof(scr));
	memset(&r, 0, sizeof(r));
	audit_new_id(id);
	if ((rc = cli_begin(argc, argv, "rehearse", "[options] [TARGET]", opts, formats, 1, &common, &args)) != 0)
		goto cleanup;
	cli_log_context(id, NULL);
	if (args.n)
		target = args.v[0];
	if ((rc = cli_gate_prepare(&cg, &common, &a, target, "rehearse")) != 0)
		goto cleanup;
	if (!cg.d || !cg.p.cfg.ini_path || !cg.dir) {
		fprintf(stderr, "mgate rehearse: %s\n", !cg.d ? cg.dberr.ptr : !cg.p.cfg.ini_path ? "a rehearsal needs alembic.ini (Alembic is pointed at the copy through it)"
												  : "where are the backups? pass --backup-dir DIR or set backup_dir in [mgate]");
		rc = cg.d ? EXIT_USAGE : EXIT_ENV;
		goto cleanup;
	}
	url_env = cg.p.cfg.settings.rehearse_url_env;
	if (!url_env && !cg.p.cfg.settings.rehearse_env_checked) {
		int line = env_overrides_url(&cg.p.cfg);
		if (line) {
			fprintf(stderr, "mgate rehearse: %s/env.py:%d may take the database URL from elsewhere than "
					"alembic.ini; set rehearse_url_env = VARIABLE in [mgate] (the variable it reads the URL "
					"from) so the copy is used, or rehearse_env_checked = true if it does use alembic.ini\n",
				cg.p.cfg.script_location, line);
			rc = EXIT_USAGE;
			goto cleanup;
		}
	}
	if (cg.p.map.broken) {
		cli_print_findings(&cg.p.found, common.quiet);
		rc = EXIT_FINDINGS;
		goto cleanup;
	}

	/* 1. the newest backup into a scratch database */
	cli_target_identity(&ident, cg.d, cg.url);
	if (cli_newest_backup(&b, cg.dir, ident.ptr, 1) < 0) {
		fprintf(stderr, "no backup of this database verifies; taking one\n");
		if (backup_take(&b, cg.d, cg.dir, &cg.rows, MGATE_VERSION, NULL, NULL, &err) < 0) {
			fprintf(stderr, "mgate rehearse: %s\n", err.msg);
			rc = EXIT_ENV;
			goto cleanup;
		}
	}
	if (cli_scratch_create(&scr, cg.url, "mgate_rehearse", id, &err) < 0) {
		fprintf(stderr, "mgate rehearse: %s\n", err.msg);
		rc = EXIT_ENV;
		goto cleanup;
	}
	if (backup_restore(&b, scr.url.ptr, NULL, 0, &kept, &err) < 0 || db_open(&s, scr.url.ptr, &err) < 0 ||
	    s->ops->read_versions(s, &cg.vt, &rows, &exists, &err) < 0 || s->ops->snapshot(s, &start_schema, &err) < 0) {
		fprintf(stderr, "mgate rehearse: the copy failed: %s\n", err.msg);
		rc = EXIT_ENV;
		goto cleanup;
	}
	info = strcmp(common.format, "json") ? stdout : stderr;
	fprintf(info, "rehearsal of %s on a copy of %s\n  backup %s (%s)\n  scratch %s\n", target, cg.where.ptr, b.path,
		b.created_at, scr.redacted.ptr);
	fflush(info);

	/* 2. the plan from the copy's rows */
	start.v = mg_calloc(rows.n + 1, sizeof(int));
	start.alloc = rows.n + 1;
	start.n = revmap_indexes(start.v, &unknown, &cg.p.map, &rows);
	if (unknown.n) {
		fprintf(stderr, "mgate rehearse: the backup is at '%s', which no script defines\n", unknown.v[0]);
		rc = EXIT_FINDINGS;
		goto cleanup;
	}
	if (revmap_resolve_target(&targets, &ntargets, &cg.p.map, target, start.v, start.n, &err) < 0 ||
	    revmap_upgrade_order(&plan, &nplan, &cg.p.map, targets, ntargets, start.v, start.n, &err) < 0) {
		fprintf(stderr, "mgate rehearse: %s\n", err.msg);
		rc = EXIT_USAGE;
		goto cleanup;
	}
	if (!nplan) {
		fprintf(info, "nothing to rehearse: the backup is already at %s\n", target);
		rc = EXIT_OK;
		goto cleanup;
	}
	r.n = nplan;
	r.steps = mg_calloc(nplan, sizeof(*r.steps));
	for (i = 0; i < nplan; i++)
		r.steps[i].rev = plan[i];
	revmap_replay_upgrade(&expect, &cg.p.map, start.v, start.n, plan, nplan, &fail_at, &r.why);

	/* Alembic, pointed at the copy */
	fs_read_file(&ini_text, cg.p.cfg.ini_path, 16u << 20, &err);
	config_with_url(&ini, ini_text.ptr ? ini_text.ptr : "", cg.p.cfg.section, scr.url.ptr);
	buf_printf(&ini_path, "%s/.mgate-rehearse-%s.ini", cg.p.cfg.here, id);
	if (fs_write_atomic(ini_path.ptr, ini.ptr, ini.len, 0600, &err) < 0) {
		fprintf(stderr, "mgate rehearse: %s\n", err.msg);
		rc = EXIT_ENV;
		goto cleanup;
	}
	{
		buf e = BUF_INIT;
		buf_printf(&e, "MGATE_DATABASE_URL=%s", scr.url.ptr);
		strvec_push_owned(&env, buf_detach(&e));
		if (url_env) {
			buf_printf(&e, "%s=%s", url_env, scr.url.ptr);
			strvec_push_owned(&env, buf_detach(&e));
		}
	}

	/* 3. the statements of each revision, observed (PostgreSQL) */
	if (db_ops_for(&scr.u)->observe) {
		buf_printf(&range, "%s:%s", start.n == 1 ? cg.p.map.v[start.v[0]].id : "base", target);
		note = start.n > 1 ? "not observed: the copy is at several heads, and `alembic upgrade --sql` starts from one"
				   : offline_sql(r.steps, r.n, &cg.p.cfg, ini_path.ptr, range.ptr, &env, &cg.p.map);
	} else {
		note = "SQLite takes one lock for the whole database while a revision runs";
	}

	/* 4. each revision for real on the copy, timed */
	for (i = 0; i < r.n; i++) {
		rstep *st = &r.steps[i];
		struct timespec t0, t1;
		st->note = note;
		if (!note && db_ops_for(&scr.u)->observe && st->sql.n) {
			st->obs = mg_calloc(st->sql.n, sizeof(*st->obs));
			if (db_ops_for(&scr.u)->observe(&scr.u, scr.redacted.ptr, &st->sql, st->obs, &err) < 0)
				st->note = "not observed: the copy could not be reached";
		}
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (run_alembic(&st->status, &cg.p.cfg, ini_path.ptr, "upgrade", cg.p.map.v[st->rev].id, &env, &err) < 0) {
			fprintf(stderr, "mgate rehearse: %s; set alembic_cmd in [mgate]\n", err.msg);
			rc = EXIT_ENV;
			goto cleanup;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		st->ms = ms_between(&t0, &t1);
		r.done = i + 1;
		if (!real_db_untouched(&cg)) {
			fprintf(stderr, "mgate rehearse: the REAL database's version rows changed: env.py does not use the URL "
					"mgate gave it; stopped. Set rehearse_url_env in [mgate]\n");
			rc = EXIT_UPGRADE;
			r.failure = "Alembic ran against the real database";
			goto report;
		}
		if (st->status) {
			r.failure = "Alembic failed on the copy";
			break;
		}
	}

	/* 5. verify the copy, then take it back down */
	if (!r.failure) {
		strvec now = STRVEC_INIT;
		intvec cur = { NULL, 0, 0 };
		db_close(s);
		s = NULL;
		if (db_open(&s, scr.url.ptr, &err) < 0 || s->ops->read_versions(s, &cg.vt, &now, &exists, &err) < 0 ||
		    s->ops->snapshot(s, &after_schema, &err) < 0) {
			findings_add(&r.verify, "unreadable", SEV_ERROR, NULL, 0, NULL, "the copy cannot be read: %s", err.msg);
		} else {
			for (i = 0; i < expect.n; i++)
				if (strvec_index(&now, cg.p.map.v[expect.v[i]].id) < 0 || now.n != expect.n) {
					findings_add(&r.verify, "version-rows", SEV_ERROR, NULL, 0, NULL,
						     "the copy's version rows are not the target's");
					break;
				}
			verify_schema(&r.verify, start_schema, after_schema, &cg.p.map, plan, nplan, cg.lo.dialect,
				      cg.vt.table, &err);
			cli_invariant_findings(&r.verify, &cg.p.cfg, s);
			for (i = 0; i < now.n; i++)
				if (revmap_index(&cg.p.map, now.v[i]) >= 0)
					intvec_push(&cur, revmap_index(&cg.p.map, now.v[i]));
		}
		db_close(s);
		s = NULL;
		if (findings_count(&r.verify, SEV_ERROR))
			r.failure = "the copy did not verify after the upgrade";
		round_trip(&r, &cg, ini_path.ptr, &env, scr.url.ptr, start_schema, &start, cur.v, cur.n);
		if (!r.failure && !r.round_ok)
			r.failure = "the downgrade does not bring the schema back";
		strvec_release(&now);
		intvec_release(&cur);
	}
report:
	if (!strcmp(common.format, "json"))
		cli_print_json(report_json(&r, &cg, &b, scr.redacted.ptr));
	else
		report_text(&r, &cg);
	if (keep)
		fprintf(info, "the scratch database is kept: %s\n", scr.redacted.ptr);
	audit = cli_audit_base(&cg, "rehearse", id);
	json_object_set_new(audit, "target", cli_json_str(target));
	json_object_set_new(audit, "report", report_json(&r, &cg, &b, scr.redacted.ptr));
	if (!rc)
		rc = !r.failure ? EXIT_OK : r.done < r.n || r.steps[r.n - 1].status ? EXIT_UPGRADE
										    : EXIT_VERIFY;
cleanup:
	cli_scratch_release(&scr, keep);
	if (ini_path.len)
		unlink(ini_path.ptr);
	if (audit) {
		json_object_set_new(audit, "exit", json_integer(rc < 0 ? 0 : rc));
		cli_audit_write(&cg, audit);
	}
	for (i = 0; r.steps && i < r.n; i++) {
		size_t k;
		for (k = 0; r.steps[i].obs && k < r.steps[i].sql.n; k++)
			db_observation_release(&r.steps[i].obs[k]);
		free(r.steps[i].obs);
		strvec_release(&r.steps[i].sql);
	}
	free(r.steps);
	findings_release(&r.verify);
	findings_release(&r.round);
	strvec_release(&r.round_cmds);
	buf_release(&r.round_problem);
	buf_release(&r.why);
	db_close(s);
	json_decref((json_t *)start_schema);
	json_decref((json_t *)after_schema);
	intvec_release(&start);
	intvec_release(&expect);
	free(targets);
	free(plan);
	free(kept);
	backup_info_release(&b);
	cli_gate_release(&cg);
	strvec_release(&args);
	strvec_release(&env);
	strvec_release(&unknown);
	strvec_release(&rows);
	buf_release(&ini_text);
	buf_release(&ini);
	buf_release(&ini_path);
	buf_release(&ident);
	buf_release(&range);
	return rc < 0 ? EXIT_OK : rc;
}
