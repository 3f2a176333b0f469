/*
 * cmd_drill.c: `mgate drill`: the weekly backup -> restore -> smoke
 * exercise that proves the way back works before it is needed.
 *
 * It takes a backup (or, with --newest, uses the newest one), restores it
 * into a scratch database (a temporary SQLite file, or a mgate_drill_<id>
 * database on the same PostgreSQL server, dropped afterwards), and checks
 * it there: the version rows equal the backup's and the source's, the
 * schema equals the source's, the invariants hold, and the smoke commands
 * pass against it (MGATE_DATABASE_URL points at the scratch database).
 * The result, with timings, goes to the audit log; `--report` lists past
 * drills. The source database is only read.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gate/audit.h"
#include "gate/backup.h"
#include "cli.h"
#include "gate/verify.h"
#include "version.h"
#include "util/buf.h"
#include "util/banned.h"

static const char *const formats[] = { "text", "json", NULL };

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1000 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static int report(const cli_gate *cg, const char *format)
{
	char *path = cli_audit_log_path(&cg->p.cfg);
	json_t *all;
	size_t i;

	if (!path) {
		fprintf(stderr, "mgate drill: no audit log is configured (audit_log in [mgate]); drills are recorded there\n");
		return EXIT_USAGE;
	}
	all = audit_read(path, "drill", cg->where.ptr);
	free(path);
	if (!strcmp(format, "json")) {
		cli_print_json(all);
		return EXIT_OK;
	}
	if (!json_array_size(all))
		printf("no drills of %s are recorded\n", cg->where.ptr);
	for (i = 0; i < json_array_size(all); i++) {
		json_t *e = json_array_get(all, i);
		printf("%s  %-4s  %6.0f ms  %s\n", json_string_value(json_object_get(e, "time")),
		       json_string_value(json_object_get(e, "result")),
		       json_number_value(json_object_get(json_object_get(e, "durations_ms"), "total")),
		       json_string_value(json_object_get(e, "backup")) ? json_string_value(json_object_get(e, "backup")) : "-");
		if (json_string_value(json_object_get(e, "failure")))
			printf("    %s\n", json_string_value(json_object_get(e, "failure")));
	}
	json_decref(all);
	return EXIT_OK;
}

/* The checks on the restored copy; findings go to `out`. */
static void check_copy(findings *out, const cli_gate *cg, const backup_info *b, const char *scratch_url,
		       const void *source_schema)
{
	mg_error err = MG_ERROR_INIT;
	strvec rows = STRVEC_INIT;
	db *s = NULL;
	void *snap = NULL;
	int exists = 0;

	if (db_open(&s, scratch_url, &err) < 0 || s->ops->read_versions(s, &cg->vt, &rows, &exists, &err) < 0 ||
	    s->ops->snapshot(s, &snap, &err) < 0) {
		findings_add(out, "restore-unreadable", SEV_ERROR, NULL, 0, NULL, "the restored copy cannot be read: %s",
			     err.msg);
		goto cleanup;
	}
	if (!strvec_same_set(&rows, &b->revisions))
		findings_add(out, "version-rows", SEV_ERROR, NULL, 0, NULL,
			     "the restored copy's version rows differ from the backup's manifest");
	if (strvec_same_set(&b->revisions, &cg->rows))
		verify_same_schema(out, source_schema, snap, cg->vt.table, "the source database");
	else
		findings_add(out, "source-moved-on", SEV_WARNING, NULL, 0, NULL,
			     "the source database has moved on since the backup; its schema was not compared");
	cli_invariant_findings(out, &cg->p.cfg, s);
	db_close(s);
	s = NULL;
	setenv("MGATE_DATABASE_URL", scratch_url, 1);
	setenv("MGATE_DRILL", "1", 1);
	cli_run_smoke(&cg->p.cfg, out);
	unsetenv("MGATE_DRILL");
cleanup:
	json_decref((json_t *)snap);
	strvec_release(&rows);
	db_close(s);
}

int cmd_drill(int argc, char **argv)
{
	cli_common common;
	cli_gate cg;
	cli_gate_args a;
	strvec args = STRVEC_INIT;
	findings f = FINDINGS_INIT;
	mg_error err = MG_ERROR_INIT;
	backup_info b;
	cli_scratch scr;
	void *source_schema = NULL;
	json_t *audit = NULL, *dur = json_object();
	char id[17], *kept = NULL;
	struct timespec t0, t;
	FILE *info = stdout;
	int rc, newest = 0, want_report = 0, failed_step = 0;
	const char *failure = NULL;
	size_t i;
	cli_option opts[] = {
		OPT_FLAG_(0, "newest", &newest, "use the newest backup instead of taking one"),
		OPT_FLAG_(0, "report", &want_report, "show the drills recorded in the audit log"),
		OPT_DB_(&a.db),
		OPT_STRING_(0, "backup-dir", &a.backup_dir, "DIR", "where backups are (else backup_dir in [mgate])"),
		OPT_VERSION_TABLE_(&a.db),
		OPT_END_(),
	};

	memset(&a, 0, sizeof(a));
	memset(&cg, 0, sizeof(cg));
	memset(&b, 0, sizeof(b));
	memset(&scr, 0, sizeof(scr));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	audit_new_id(id);
	if ((rc = cli_begin(argc, argv, "drill", "[--newest] [--report] [options]", opts, formats, 0, &common, &args)) != 0)
		goto cleanup;
	cli_log_context(id, NULL);
	if ((rc = cli_gate_prepare(&cg, &common, &a, "heads", "drill")) != 0)
		goto cleanup;
	if (want_report) {
		rc = report(&cg, common.format);
		goto cleanup;
	}
	if (!cg.d) {
		fprintf(stderr, "mgate drill: %s\n", cg.dberr.ptr);
		rc = EXIT_ENV;
		goto cleanup;
	}
	if (!cg.dir) {
		fprintf(stderr, "mgate drill: where are the backups? pass --backup-dir DIR or set backup_dir in [mgate]\n");
		rc = EXIT_USAGE;
		goto cleanup;
	}
	info = strcmp(common.format, "json") ? stdout : stderr;
	audit = cli_audit_base(&cg, "drill", id);
	if (cg.d->ops->snapshot(cg.d, &source_schema, &err) < 0) {
		fprintf(stderr, "mgate drill: %s\n", err.msg);
		rc = EXIT_ENV;
		goto cleanup;
	}

	/* 1. the backup */
	clock_gettime(CLOCK_MONOTONIC, &t);
	if (newest) {
		buf ident = BUF_INIT;
		backup_list l;
		cli_target_identity(&ident, cg.d, cg.url);
		/* the newest backup of this database, whether or not it verifies:
		 * a corrupt one is exactly what a drill must catch */
		if (backup_list_dir(&l, cg.dir, 1, &err) == 0) {
			for (i = 0; i < l.n; i++)
				if (l.v[i].identity && !strcmp(l.v[i].identity, ident.ptr)) {
					b = l.v[i];
					memset(&l.v[i], 0, sizeof(l.v[i]));
					break;
				}
			backup_list_release(&l);
		}
		buf_release(&ident);
		if (!b.path) {
			failure = "there is no backup of this database to drill with";
			failed_step = 1;
		}
	} else if (backup_take(&b, cg.d, cg.dir, &cg.rows, MGATE_VERSION, NULL, NULL, &err) < 0) {
		failure = err.msg;
		failed_step = 1;
	}
	json_object_set_new(dur, "backup", json_real(ms_since(&t)));
	if (b.path)
		fprintf(info, "backup:  %s (%s)\n", b.path, b.created_at ? b.created_at : "?");

	/* 2. the scratch database and the restore */
	if (!failure) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (cli_scratch_create(&scr, cg.url, "mgate_drill", id, &err) < 0) {
			fprintf(stderr, "mgate drill: %s\n", err.msg);
			rc = EXIT_ENV;
			goto cleanup;
		}
		fprintf(info, "scratch: %s\n", scr.redacted.ptr);
		if (backup_restore(&b, scr.url.ptr, NULL, 0, &kept, &err) < 0) {
			failure = err.msg;
			failed_step = 2;
		}
		json_object_set_new(dur, "restore", json_real(ms_since(&t)));
	}

	/* 3. the checks there */
	if (!failure) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		check_copy(&f, &cg, &b, scr.url.ptr, source_schema);
		json_object_set_new(dur, "verify", json_real(ms_since(&t)));
		for (i = 0; i < f.n; i++)
			fprintf(info, "  %s: %s [%s]\n", finding_severity_name(f.v[i].severity), f.v[i].message, f.v[i].id);
		if (findings_count(&f, SEV_ERROR)) {
			failure = "the restored copy did not verify";
			failed_step = 3;
		}
	}
	json_object_set_new(dur, "total", json_real(ms_since(&t0)));
	json_object_set_new(audit, "backup", b.path ? cli_json_str(b.path) : json_null());
	json_object_set_new(audit, "scratch", scr.redacted.len ? cli_json_str(scr.redacted.ptr) : json_null());
	json_object_set_new(audit, "result", json_string(failure ? "fail" : "pass"));
	json_object_set_new(audit, "failure", failure ? cli_json_str(failure) : json_null());
	json_object_set_new(audit, "findings", cli_findings_json(&f));
	json_object_set_new(audit, "durations_ms", json_incref(dur));
	if (!strcmp(common.format, "json")) {
		json_t *o = json_object();
		json_object_set_new(o, "result", json_string(failure ? "fail" : "pass"));
		json_object_set_new(o, "failure", failure ? cli_json_str(failure) : json_null());
		json_object_set_new(o, "step", failed_step ? json_string(failed_step == 1 ? "backup" : failed_step == 2 ? "restore"
															: "verify")
							   : json_null());
		json_object_set_new(o, "backup", b.path ? cli_json_str(b.path) : json_null());
		json_object_set_new(o, "findings", cli_findings_json(&f));
		json_object_set_new(o, "durations_ms", json_incref(dur));
		cli_print_json(o);
	} else if (failure) {
		printf("drill: FAIL at the %s: %s\n", failed_step == 1 ? "backup" : failed_step == 2 ? "restore"
												     : "checks",
		       failure);
	} else {
		printf("drill: PASS in %.0f ms (backup %.0f, restore %.0f, checks %.0f)\n",
		       json_real_value(json_object_get(dur, "total")), json_real_value(json_object_get(dur, "backup")),
		       json_real_value(json_object_get(dur, "restore")), json_real_value(json_object_get(dur, "verify")));
	}
	rc = failure ? EXIT_VERIFY : EXIT_OK;
cleanup:
	cli_scratch_release(&scr, 0);
	if (audit) {
		json_object_set_new(audit, "exit", json_integer(rc < 0 ? 0 : rc));
		cli_audit_write(&cg, audit);
	}
	json_decref(dur);
	json_decref((json_t *)source_schema);
	free(kept);
	findings_release(&f);
	backup_info_release(&b);
	cli_gate_release(&cg);
	strvec_release(&args);
	return rc < 0 ? EXIT_OK : rc;
}
