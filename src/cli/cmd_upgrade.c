/*
 * cmd_upgrade.c: `mgate upgrade [TARGET]`: the gate around a real
 * `alembic upgrade`. The checklist runs first and Alembic only runs when
 * the gate is open; the migration lock is held for the whole run; the
 * schema is snapshotted before; Alembic runs as a child process (argv, no
 * shell, output streamed, signals forwarded); afterwards the version rows,
 * the schema changes and the invariants are verified.
 *
 * Exit 0: upgraded and verified. 1: the gate is closed (Alembic did not
 * run). 4: Alembic failed. 5: verification failed. On 4 and 5 the state
 * the database is in and the ways back are printed.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <errno.h>
#include <sys/stat.h>

#include "gate/audit.h"
#include "gate/backup.h"
#include "cli.h"
#include "db/schema.h"
#include "gate/verify.h"
#include "version.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/spawn.h"
#include "util/banned.h"

static const char *const formats[] = { "text", NULL };

typedef struct upgrade_cli {
	cli_gate_args a;
	const char *allow, *lock_wait, *timeout;
	int backup;
} upgrade_cli;

static void print_rows(const char *label, const strvec *rows)
{
	size_t i;

	printf("%s", label);
	for (i = 0; i < rows->n; i++)
		printf("%s%s", i ? ", " : "", rows->v[i]);
	printf("%s\n", rows->n ? "" : "base (no version rows)");
}

/* How many of the pending steps the version rows say were applied. */
static size_t applied_steps(const revmap *m, const int *cur, size_t ncur, const int *steps, size_t n, const strvec *rows)
{
	size_t k, i;

	for (k = n + 1; k-- > 0;) {
		intvec after = { NULL, 0, 0 };
		buf why = BUF_INIT;
		size_t fail_at = 0, match = 0;
		revmap_replay_upgrade(&after, m, cur, ncur, steps, k, &fail_at, &why);
		for (i = 0; i < after.n; i++)
			match += strvec_index(rows, m->v[after.v[i]].id) >= 0;
		buf_release(&why);
		if (match == after.n && after.n == rows->n) {
			intvec_release(&after);
			return k;
		}
		intvec_release(&after);
	}
	return 0;
}

static void print_way_back(const cli_gate *cg, const strvec *start, const backup_info *newest)
{
	size_t i;

	printf("\nthe way back (`mgate rollback --dry-run` compares them; `mgate rollback --yes` takes one):\n"
	       "  1. the downgrade path: alembic -c %s downgrade ",
	       cg->p.cfg.ini_path ? cg->p.cfg.ini_path : "alembic.ini");
	if (!start->n)
		printf("base");
	for (i = 0; i < start->n; i++)
		printf("%s%s", i ? " " : "", start->v[i]);
	printf("\n     (check `mgate lint` first: a missing or lossy downgrade loses data)\n");
	if (newest && newest->path)
		printf("  2. restore the backup taken before: mgate restore %s --yes\n     (taken %s, at the starting "
		       "revisions; what is there now is kept)\n",
		       newest->path,
		       newest->created_at ? newest->created_at : "?");
	else
		printf("  2. no backup of this database was found in the backup folder\n");
}

/* The newest backup of this database, for the way back. */
static void newest_backup(backup_info *out, const cli_gate *cg, db *d)
{
	buf id = BUF_INIT;

	cli_target_identity(&id, d, cg->url);
	cli_newest_backup(out, cg->dir, id.len ? id.ptr : NULL, 0);
	buf_release(&id);
}

/*
 * Keep the schema as it was before the upgrade, for `mgate rollback` to
 * verify against: <backup folder>/snapshots/before-<id>.json (0600), named
 * in the audit entry. Without a backup folder it is not kept.
 */
static void save_snapshot(json_t *audit, const cli_gate *cg, const void *snap, const char *id)
{
	buf dir = BUF_INIT, path = BUF_INIT, text = BUF_INIT;
	mg_error err = MG_ERROR_INIT;

	if (!cg->dir)
		return;
	fs_join(&dir, cg->dir, "snapshots");
	buf_printf(&path, "%s/before-%s.json", dir.ptr, id);
	schema_dump(&text, snap);
	if ((mkdir(cg->dir, 0700) < 0 && errno != EEXIST) || (mkdir(dir.ptr, 0700) < 0 && errno != EEXIST) ||
	    fs_write_atomic(path.ptr, text.ptr, text.len, 0600, &err) < 0)
		printf("warning: cannot keep the schema snapshot in %s; `mgate rollback` will not compare the schema\n",
		       dir.ptr);
	else
		json_object_set_new(audit, "before_snapshot", cli_json_str(path.ptr));
	buf_release(&dir);
	buf_release(&path);
	buf_release(&text);
}

/* Record the applied steps in the ledger (a failure is a warning: the
 * upgrade itself happened). */
static void record_ledger(const cli_gate *cg, db *d, const int *steps, size_t n, const char *id)
{
	strvec revs = STRVEC_INIT, hashes = STRVEC_INIT;
	mg_error err = MG_ERROR_INIT;
	char *who = audit_who();
	size_t i;

	for (i = 0; i < n; i++) {
		char hex[65];
		if (gate_script_hash(hex, cg->p.map.v[steps[i]].s, &err) < 0)
			continue;
		strvec_push(&revs, cg->p.map.v[steps[i]].id);
		strvec_push(&hashes, hex);
	}
	if (revs.n && d->ops->ledger_write(d, &cg->vt, &revs, &hashes, who, id, &err) < 0)
		printf("warning: %s; `mgate ledger baseline` can record them later\n", err.msg);
	free(who);
	strvec_release(&revs);
	strvec_release(&hashes);
}

static void print_findings(const findings *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		printf("  %s: %s [%s]\n", finding_severity_name(f->v[i].severity), f->v[i].message, f->v[i].id);
}

int cmd_upgrade(int argc, char **argv)
{
	cli_common common;
	cli_gate cg;
	upgrade_cli o;
	checklist_result g;
	strvec args = STRVEC_INIT, allow = STRVEC_INIT, cmd = STRVEC_INIT, env = STRVEC_INIT, start = STRVEC_INIT,
	       after_rows = STRVEC_INIT;
	findings vf = FINDINGS_INIT;
	mg_error err = MG_ERROR_INIT;
	const char *target = "heads";
	void *before = NULL, *after = NULL;
	db *lockdb = NULL, *d2 = NULL;
	int *cur = NULL, *targets = NULL, *steps = NULL, rc, status = -1, sig = 0, timed_out = 0, exists = 0;
	size_t ncur = 0, ntargets = 0, nsteps = 0, i, done, half = 0;
	long lock_wait = 0, timeout = 0;
	backup_info newest;
	json_t *audit = NULL;
	char id[17];
	struct timespec t_start, t_alembic0, t_alembic1, t_end;
	int alembic_ran = 0, attempts = 0;
	long retries = 0, retry_wait = 10;
	cli_option opts[] = {
		OPT_DB_(&o.a.db),
		OPT_FLAG_(0, "backup", &o.backup, "take a backup first when there is no fresh one"),
		OPT_STRING_(0, "backup-dir", &o.a.backup_dir, "DIR", "where backups are (else backup_dir in [mgate])"),
		OPT_FLAG_(0, "no-backup-check", &o.a.no_backup_check, "skip the backup check (needs --reason)"),
		OPT_STRING_(0, "allow", &o.allow, "RULE[,RULE]", "accept these rules' findings for this run (needs --reason)"),
		OPT_STRING_(0, "reason", &o.a.reason, "TEXT", "why (recorded with the override)"),
		OPT_STRING_(0, "lock-wait", &o.lock_wait, "SECONDS", "wait this long for the migration lock (default 0: fail at once)"),
		OPT_STRING_(0, "timeout", &o.timeout, "SECONDS", "stop Alembic after this long (default: no limit)"),
		OPT_STRING_(0, "rules", &o.a.rules_dir, "DIR", "the project's rules folder, loaded over the built-in rules"),
		OPT_STRING_(0, "pg-version", &o.a.pg_version, "N", "judge for this PostgreSQL major version (default: the server's)"),
		OPT_FLAG_(0, "strict", &o.a.strict, "lock risks that have a safe alternative are errors"),
		OPT_VERSION_TABLE_(&o.a.db),
		OPT_FLAG_(0, "audit-table", &o.a.audit_table, "also record the decision in the database (mgate_audit)"),
		OPT_END_(),
	};

	memset(&o, 0, sizeof(o));
	memset(&cg, 0, sizeof(cg));
	memset(&g, 0, sizeof(g));
	memset(&newest, 0, sizeof(newest));
	clock_gettime(CLOCK_MONOTONIC, &t_start);
	t_alembic0 = t_alembic1 = t_start;
	audit_new_id(id);
	if ((rc = cli_begin(argc, argv, "upgrade", "[options] [TARGET]", opts, formats, 1, &common, &args)) != 0)
		goto cleanup;
	cli_log_context(id, NULL);
	if (args.n)
		target = args.v[0];
	if (o.allow && (!o.a.reason || !*o.a.reason)) {
		fprintf(stderr, "mgate upgrade: --allow needs --reason \"why these findings are acceptable\"\n");
		rc = EXIT_USAGE;
		goto cleanup;
	}
	lock_wait = o.lock_wait ? strtol(o.lock_wait, NULL, 10) : 0;
	timeout = o.timeout ? strtol(o.timeout, NULL, 10) : 0;
	if (lock_wait < 0 || timeout < 0) {
		fprintf(stderr, "mgate upgrade: --lock-wait and --timeout take a number of seconds\n");
		rc = EXIT_USAGE;
		goto cleanup;
	}
	if ((rc = cli_gate_prepare(&cg, &common, &o.a, target, "upgrade")) != 0)
		goto cleanup;
	if (o.allow) {
		strvec_split(&allow, o.allow, ", ");
		cg.go.allow = &allow;
		cg.go.allow_reason = o.a.reason;
	}

	/* 1. the checklist */
	if (checklist_run(&g, &cg.go, &err) < 0) {
		fprintf(stderr, "mgate upgrade: %s\n", err.msg);
		rc = err.code == MG_ECONFIG ? EXIT_USAGE : EXIT_ENV;
		goto cleanup;
	}
	if (!g.open && o.backup && cg.d && cg.dir) {
		int only_backup = 1;
		for (i = 0; i < g.n; i++)
			if (g.checks[i].status == GATE_FAIL && strcmp(g.checks[i].name, "backup"))
				only_backup = 0;
		if (only_backup) {
			backup_info b;
			printf("taking a backup first (--backup)\n");
			if (backup_take(&b, cg.d, cg.dir, &cg.rows, MGATE_VERSION, NULL, NULL, &err) < 0) {
				fprintf(stderr, "mgate upgrade: the backup failed: %s\n", err.msg);
				rc = EXIT_ENV;
				goto cleanup;
			}
			printf("backup: %s\n", b.path);
			backup_info_release(&b);
			checklist_result_release(&g);
			if (checklist_run(&g, &cg.go, &err) < 0) {
				fprintf(stderr, "mgate upgrade: %s\n", err.msg);
				rc = EXIT_ENV;
				goto cleanup;
			}
		}
	}
	cli_gate_print_text(&g, target, cg.where.ptr, 0);
	printf("correlation id: %s\n", id);
	audit = cli_audit_entry(&cg, "upgrade", id, &g, target);
	if (o.allow) {
		json_t *ov = json_object_get(audit, "overrides"), *x = json_object();
		json_object_set_new(x, "kind", json_string("allow"));
		json_object_set_new(x, "rules", cli_strvec_json(&allow));
		json_object_set_new(x, "reason", cli_json_str(o.a.reason));
		json_array_append_new(ov, x);
	}
	if (!g.open) {
		printf("the gate is closed: Alembic was not run\n");
		rc = EXIT_FINDINGS;
		goto cleanup;
	}
	if (!g.pending.n) {
		printf("nothing to upgrade\n");
		rc = EXIT_OK;
		goto cleanup;
	}

	/* the plan, for verification */
	for (i = 0; i < cg.rows.n; i++)
		strvec_push(&start, cg.rows.v[i]);
	cur = mg_calloc(cg.rows.n + 1, sizeof(int));
	ncur = revmap_indexes(cur, NULL, &cg.p.map, &cg.rows); /* all known: the state check passed */
	if (revmap_resolve_target(&targets, &ntargets, &cg.p.map, target, cur, ncur, &err) < 0 ||
	    revmap_upgrade_order(&steps, &nsteps, &cg.p.map, targets, ntargets, cur, ncur, &err) < 0) {
		fprintf(stderr, "mgate upgrade: %s\n", err.msg);
		rc = EXIT_FINDINGS;
		goto cleanup;
	}

	/* 2. the migration lock, held until the end */
	if (db_open(&lockdb, cg.url, &err) < 0 ||
	    lockdb->ops->lock(lockdb, cg.lock.ptr, lock_wait * 1000, &err) < 0) {
		fprintf(stderr, "mgate upgrade: %s\n", err.msg);
		printf("the gate is closed: Alembic was not run\n");
		rc = err.code == MG_EAMBIGUOUS ? EXIT_FINDINGS : EXIT_ENV;
		db_close(lockdb);
		lockdb = NULL;
		goto cleanup;
	}

	/* 3. the schema before */
	if (cg.d->ops->snapshot(cg.d, &before, &err) < 0) {
		fprintf(stderr, "mgate upgrade: cannot take the schema snapshot: %s\n", err.msg);
		rc = EXIT_ENV;
		goto cleanup;
	}
	save_snapshot(audit, &cg, before, id);
	newest_backup(&newest, &cg, cg.d);
	db_close(cg.d); /* Alembic writes; mgate's read connection steps aside */
	cg.d = NULL;
	cg.go.d = NULL;

	/* 4. the real Alembic */
	cli_alembic_command(&cmd, &cg.p.cfg, cg.p.cfg.ini_path, "upgrade", target, NULL);
	retries = (long)cg.p.cfg.settings.lock_retries;
	retry_wait = (long)cg.p.cfg.settings.lock_retry_wait;
	if (cg.lo.dialect == SQL_POSTGRESQL) {
		const char *lt = cg.p.cfg.settings.lock_timeout, *st = cg.p.cfg.settings.statement_timeout;
		buf pgopt = BUF_INIT;
		const char *old = getenv("PGOPTIONS");
		buf_printf(&pgopt, "PGOPTIONS=%s%s-c lock_timeout=%s", old ? old : "", old ? " " : "", lt ? lt : "5s");
		if (st)
			buf_printf(&pgopt, " -c statement_timeout=%s", st);
		strvec_push_owned(&env, buf_detach(&pgopt));
	}
	printf("\nrunning:");
	for (i = 0; i < cmd.n; i++)
		printf(" %s", cmd.v[i]);
	printf("\n");
	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &t_alembic0);
	alembic_ran = 1;
	for (;;) {
		buf errcopy = BUF_INIT;
		attempts++;
		rc = spawn_stream_tee(&status, &sig, &timed_out, (const char *const *)cmd.v, &env, timeout, 0, &errcopy,
				      &err);
		/* PostgreSQL rolls a revision back when its lock wait times out, so
		 * running Alembic again continues where it stopped. */
		if (rc == 0 && status != 0 && !sig && !timed_out && cg.lo.dialect == SQL_POSTGRESQL &&
		    attempts <= retries && strstr(errcopy.ptr, "lock timeout")) {
			printf("\nAlembic stopped on a lock timeout; trying again in %ld s (retry %ld of %ld)\n", retry_wait,
			       (long)attempts, retries);
			fflush(stdout);
			buf_release(&errcopy);
			sleep((unsigned)retry_wait);
			continue;
		}
		buf_release(&errcopy);
		break;
	}
	clock_gettime(CLOCK_MONOTONIC, &t_alembic1);
	if (rc < 0) {
		fprintf(stderr, "mgate upgrade: %s; set alembic_cmd in [mgate]\n", err.msg);
		rc = EXIT_ENV;
		goto cleanup;
	}

	/* 5. where the database is now */
	if (db_open(&d2, cg.url, &err) < 0 || d2->ops->read_versions(d2, &cg.vt, &after_rows, &exists, &err) < 0 ||
	    d2->ops->snapshot(d2, &after, &err) < 0) {
		fprintf(stderr, "mgate upgrade: cannot read the database after the upgrade: %s\n", err.msg);
		rc = status == 0 ? EXIT_VERIFY : EXIT_UPGRADE;
		print_way_back(&cg, &start, &newest);
		goto cleanup;
	}
	done = applied_steps(&cg.p.map, cur, ncur, steps, nsteps, &after_rows);
	record_ledger(&cg, d2, steps, done, id);
	if (status != 0) {
		cli_log_context(NULL, done < nsteps ? cg.p.map.v[steps[done]].id : NULL);
		fprintf(stderr, "mgate upgrade: Alembic failed (exit %d)%s%s\n", status, done < nsteps ? " in revision " : "",
			done < nsteps ? cg.p.map.v[steps[done]].id : "");
		printf("\nAlembic failed (exit %d%s%s)\n", status, sig ? ", after a signal" : "", timed_out ? ", timed out" : "");
		print_rows("the database is now at: ", &after_rows);
		printf("%zu of %zu steps were applied%s%s\n", done, nsteps, done < nsteps ? "; it stopped in " : "",
		       done < nsteps ? cg.p.map.v[steps[done]].id : "");
		verify_schema(&vf, before, after, &cg.p.map, steps, done, cg.lo.dialect, cg.vt.table, &err);
		for (i = 0; i < vf.n; i++)
			if (!strcmp(vf.v[i].id, "unexplained-change")) {
				printf("half-applied by %s: %s\n", done < nsteps ? cg.p.map.v[steps[done]].id : "?",
				       vf.v[i].message);
				half++;
			}
		if (half)
			printf("to clean up the half-applied revision: `mgate restore %s --yes` puts back the backup taken "
			       "before this upgrade; or undo the changes above by hand, fix the revision, and run mgate "
			       "upgrade again\n",
			       newest.path ? newest.path : "<backup>");
		print_way_back(&cg, &start, &newest);
		rc = EXIT_UPGRADE;
		goto cleanup;
	}

	/* 6. verify: version rows, schema, invariants */
	if (done != nsteps) {
		findings_add(&vf, "version-rows", SEV_ERROR, NULL, 0, NULL,
			     "Alembic succeeded but the version rows say %zu of %zu steps were applied", done, nsteps);
	}
	verify_schema(&vf, before, after, &cg.p.map, steps, nsteps, cg.lo.dialect, cg.vt.table, &err);
	cli_invariant_findings(&vf, &cg.p.cfg, d2);
	print_rows("\nthe database is now at: ", &after_rows);
	cli_run_smoke(&cg.p.cfg, &vf);
	print_findings(&vf);
	if (findings_count(&vf, SEV_ERROR)) {
		printf("verification failed\n");
		print_way_back(&cg, &start, &newest);
		rc = EXIT_VERIFY;
		goto cleanup;
	}
	printf("upgraded and verified: %zu step%s\n", nsteps, nsteps == 1 ? "" : "s");
	rc = EXIT_OK;
cleanup:
	if (audit) {
		json_t *v = json_object();
		double ms_alembic = (double)(t_alembic1.tv_sec - t_alembic0.tv_sec) * 1000 +
				    (double)(t_alembic1.tv_nsec - t_alembic0.tv_nsec) / 1e6;
		clock_gettime(CLOCK_MONOTONIC, &t_end);
		json_object_set_new(audit, "alembic_ran", json_boolean(alembic_ran));
		json_object_set_new(audit, "alembic_attempts", json_integer(attempts));
		if (alembic_ran) {
			json_object_set_new(audit, "alembic_exit", json_integer(status));
			json_object_set_new(audit, "signal", json_integer(sig));
			json_object_set_new(audit, "timed_out", json_boolean(timed_out));
			json_object_set_new(audit, "after", cli_strvec_json(&after_rows));
		}
		json_object_set_new(v, "result", json_string(rc == EXIT_OK && alembic_ran ? "pass" : rc == EXIT_VERIFY ? "fail"
														       : "not run"));
		json_object_set_new(v, "findings", cli_findings_json(&vf));
		json_object_set_new(audit, "verification", v);
		json_object_set_new(audit, "alembic_ms", json_real(ms_alembic));
		json_object_set_new(audit, "total_ms", json_real((double)(t_end.tv_sec - t_start.tv_sec) * 1000 + (double)(t_end.tv_nsec - t_start.tv_nsec) / 1e6));
		json_object_set_new(audit, "exit", json_integer(rc < 0 ? 0 : rc));
		cli_audit_write(&cg, audit);
	}
	if (lockdb) {
		lockdb->ops->unlock(lockdb, cg.lock.ptr);
		db_close(lockdb);
	}
	db_close(d2);
	json_decref((json_t *)before);
	json_decref((json_t *)after);
	backup_info_release(&newest);
	findings_release(&vf);
	free(cur);
	free(targets);
	free(steps);
	checklist_result_release(&g);
	cli_gate_release(&cg);
	strvec_release(&args);
	strvec_release(&allow);
	strvec_release(&cmd);
	strvec_release(&env);
	strvec_release(&start);
	strvec_release(&after_rows);
	return rc < 0 ? EXIT_OK : rc;
}
