/*
 * drill.c: backup -> restore into a scratch database -> checks (drill.h).
 */
#include "gate/drill.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gate/audit.h"
#include "gate/scratch.h"
#include "gate/verify.h"
#include "version.h"
#include "util/banned.h"

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1000 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* The newest backup of the database, whether or not it verifies. */
static int newest_any(backup_info *out, const session *s, mg_error *err)
{
	buf ident = BUF_INIT;
	backup_list l;
	size_t i;
	int found = 0;

	session_identity(&ident, s);
	if (backup_list_dir(&l, s->backup_dir, 1, err) == 0) {
		for (i = 0; i < l.n && !found; i++)
			if (l.v[i].identity && !strcmp(l.v[i].identity, ident.ptr)) {
				*out = l.v[i];
				memset(&l.v[i], 0, sizeof(l.v[i]));
				found = 1;
			}
		backup_list_release(&l);
	}
	buf_release(&ident);
	return found;
}

/* The checks on the restored copy. */
static void check_copy(drill_result *r, const session *s, const char *scratch_url, const void *source_schema,
		       const progress *p)
{
	mg_error err = MG_ERROR_INIT;
	strvec rows = STRVEC_INIT, env = STRVEC_INIT;
	buf var = BUF_INIT;
	db *d = NULL;
	void *snap = NULL;
	int exists = 0;

	if (db_open(&d, scratch_url, &err) < 0 || d->ops->read_versions(d, &s->vt, &rows, &exists, &err) < 0 ||
	    d->ops->snapshot(d, &snap, &err) < 0) {
		findings_add(&r->found, "restore-unreadable", SEV_ERROR, NULL, 0, NULL, "the restored copy cannot be read: %s",
			     err.msg);
		goto cleanup;
	}
	if (!strvec_same_set(&rows, &r->b.revisions))
		findings_add(&r->found, "version-rows", SEV_ERROR, NULL, 0, NULL,
			     "the restored copy's version rows differ from the backup's manifest");
	if (strvec_same_set(&r->b.revisions, &s->rows))
		verify_same_schema(&r->found, source_schema, snap, s->vt.table, "the source database");
	else
		findings_add(&r->found, "source-moved-on", SEV_WARNING, NULL, 0, NULL,
			     "the source database has moved on since the backup; its schema was not compared");
	verify_invariants(&r->found, &s->p.cfg, d);
	db_close(d);
	d = NULL;
	/* the smoke commands, pointed at the copy */
	buf_printf(&var, "MGATE_DATABASE_URL=%s", scratch_url);
	strvec_push_owned(&env, buf_detach(&var));
	strvec_push(&env, "MGATE_DRILL=1");
	verify_smoke(&r->found, &s->p.cfg, &env, p);
cleanup:
	strvec_release(&env);
	json_decref((json_t *)snap);
	strvec_release(&rows);
	db_close(d);
}

static void fail(drill_result *r, int step, const char *why)
{
	r->failed_step = step;
	r->failure = mg_strdup(why);
}

int drill_run(drill_result *out, session *s, const drill_opts *o, const progress *p, mg_error *err)
{
	audit_head head = session_audit_head(s, "drill", o->correlation_id);
	audit_drill rec;
	mg_error e = MG_ERROR_INIT;
	scratch scr;
	void *source_schema = NULL;
	struct timespec t0, t;
	size_t i;

	memset(out, 0, sizeof(*out));
	memset(&scr, 0, sizeof(scr));
	buf_init(&out->scratch);
	out->backup_ms = out->restore_ms = out->verify_ms = -1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!s->d) {
		mg_error_set(err, MG_EENV, "%s", s->dberr.ptr);
		return out->outcome = MG_OUT_ENV;
	}
	if (!s->backup_dir) {
		mg_error_set(err, MG_ECONFIG, "where are the backups? pass --backup-dir DIR or set backup_dir in [mgate]");
		return out->outcome = MG_OUT_USAGE;
	}
	if (s->d->ops->snapshot(s->d, &source_schema, err) < 0) {
		out->outcome = MG_OUT_ENV;
		fail(out, DRILL_BACKUP, err->msg);
		goto audit;
	}

	/* 1. the backup */
	clock_gettime(CLOCK_MONOTONIC, &t);
	if (o->newest) {
		if (!newest_any(&out->b, s, &e))
			fail(out, DRILL_BACKUP, "there is no backup of this database to drill with");
	} else if (backup_take(&out->b, s->d, &s->vt, s->backup_dir, &s->rows, MGATE_VERSION, NULL, NULL, &e) < 0) {
		fail(out, DRILL_BACKUP, e.msg);
	}
	out->backup_ms = ms_since(&t);
	if (out->b.path)
		progress_line(p, PROGRESS_OUT, "backup:  %s (%s)", out->b.path, out->b.created_at ? out->b.created_at : "?");

	/* 2. the scratch database and the restore */
	if (!out->failure) {
		char *kept = NULL;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (scratch_create(&scr, s->scratch_url, "mgate_drill", o->correlation_id, err) < 0) {
			out->outcome = MG_OUT_ENV;
			fail(out, DRILL_RESTORE, err->msg);
			goto audit;
		}
		buf_puts(&out->scratch, scr.redacted.ptr);
		progress_line(p, PROGRESS_OUT, "scratch: %s", scr.redacted.ptr);
		if (backup_restore(&out->b, scr.url.ptr, NULL, 0, &kept, &e) < 0)
			fail(out, DRILL_RESTORE, e.msg);
		free(kept);
		out->restore_ms = ms_since(&t);
	}

	/* 3. the checks there */
	if (!out->failure) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		check_copy(out, s, scr.url.ptr, source_schema, p);
		out->verify_ms = ms_since(&t);
		for (i = 0; i < out->found.n; i++)
			progress_line(p, PROGRESS_OUT, "  %s: %s [%s]", finding_severity_name(out->found.v[i].severity),
				      out->found.v[i].message, out->found.v[i].id);
		if (findings_count(&out->found, SEV_ERROR))
			fail(out, DRILL_CHECKS, "the restored copy did not verify");
	}
	out->outcome = out->failure ? MG_OUT_UNVERIFIED : MG_OUT_OK;
audit:
	out->total_ms = ms_since(&t0);
	memset(&rec, 0, sizeof(rec));
	rec.backup = out->b.path;
	rec.scratch = out->scratch.len ? out->scratch.ptr : NULL;
	rec.failure = out->failure;
	rec.found = &out->found;
	rec.backup_ms = out->backup_ms;
	rec.restore_ms = out->restore_ms;
	rec.verify_ms = out->verify_ms;
	rec.total_ms = out->total_ms;
	rec.exit = out->outcome;
	audit_write_drill(&s->audit, &head, &rec, p);
	scratch_release(&scr, 0);
	json_decref((json_t *)source_schema);
	return out->outcome;
}

void drill_result_release(drill_result *r)
{
	if (!r)
		return;
	free(r->failure);
	backup_info_release(&r->b);
	buf_release(&r->scratch);
	findings_release(&r->found);
	memset(r, 0, sizeof(*r));
}
