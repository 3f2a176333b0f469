/*
 * restore.c: a backup put back, every check first (restore.h).
 */
#include "gate/restore.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gate/audit.h"
#include "gate/pitr.h"
#include "version.h"
#include "util/banned.h"

/* Refuse while other sessions are connected to the database `lockdb` is
 * on (they would write into what is being replaced). A server ends a
 * backend a moment after its client hangs up, so sessions still counted
 * are counted again for up to two seconds before the refusal. */
static int refuse_if_busy(db *lockdb, mg_error *err)
{
	long others = 0;
	int tries;

	for (tries = 0; tries < 20; tries++) {
		if (lockdb->ops->other_sessions(lockdb, &others, err) < 0)
			others = -1;
		if (others <= 0)
			break;
		usleep(100000);
	}
	if (!others)
		return MG_OUT_OK;
	return mg_fail(err, MG_OUT_BLOCKED,
		       "refusing to restore over %s: %s; stop the application (or terminate them) first; nothing was changed",
		       lockdb->redacted,
		       others < 0    ? "its sessions cannot be counted"
		       : others == 1 ? "1 other session is connected"
				     : "other sessions are connected");
}

/* Keep what is there now as a backup in `keep_dir`, where the restore does
 * not keep it itself. */
static int keep_current(restore_result *out, db *lockdb, const char *keep_dir, const db_version_table *vt,
			mg_error *err)
{
	backup_info pre;
	strvec rows = STRVEC_INIT;
	char why[sizeof(err->msg)];
	int exists = 0;

	if ((!vt || lockdb->ops->read_versions(lockdb, vt, &rows, &exists, err) == 0) &&
	    backup_take(&pre, lockdb, vt, keep_dir, &rows, MGATE_VERSION, NULL, NULL, err) == 0) {
		out->pre_backup = mg_strdup(pre.path);
		backup_info_release(&pre);
		strvec_release(&rows);
		return MG_OUT_OK;
	}
	memcpy(why, err->msg, sizeof(why));
	strvec_release(&rows);
	return mg_fail(err, MG_OUT_ENV, "cannot keep the current database first (%.1900s); nothing was changed", why);
}

/* The rows of the audit table beside the version table (audit_table), or
 * -1 when it does not exist. */
static long long audit_rows(db *d, const db_version_table *vt)
{
	mg_error err = MG_ERROR_INIT;
	buf sql = BUF_INIT;
	char *v = NULL;
	long long n = -1;

	buf_puts(&sql, "SELECT count(*) FROM ");
	if (vt->schema) {
		buf_put_sql_ident(&sql, vt->schema);
		buf_putc(&sql, '.');
	}
	buf_put_sql_ident(&sql, "mgate_audit");
	if (d->ops->query_scalar(d, sql.ptr, &v, &err) == 0 && v)
		n = strtoll(v, NULL, 10);
	free(v);
	buf_release(&sql);
	return n;
}

/* The restored database's ledger brought up to the rows it is at. */
static void ledger_back(restore_result *out, db *after, const db_version_table *vt, const revmap *m, const strvec *revs,
			const strvec *hashes, const char *id)
{
	mg_error err = MG_ERROR_INIT;

	if (!m || m->broken) {
		out->ledger_problem = mg_strdup("the revision graph is broken, so the ledger was left as the backup had it");
		return;
	}
	if (ledger_after_restore(&out->ledger, after, vt, m, &out->rows, revs, hashes, id, &err) < 0) {
		buf b = BUF_INIT;
		buf_printf(&b, "the ledger was not brought up to date: %s; `mgate ledger baseline` records it", err.msg);
		out->ledger_problem = buf_detach(&b);
		return;
	}
	out->ledger_done = 1;
}

int restore_put(restore_result *out, const backup_info *b, const char *url, const char *identity, db *lockdb,
		const char *keep_dir, const db_version_table *vt, const revmap *m, const char *id, mg_error *err)
{
	db *after = NULL;
	strvec pre_revs = STRVEC_INIT, pre_hashes = STRVEC_INIT;
	mg_error lerr = MG_ERROR_INIT;
	long long pre_audit, post_audit;
	int exists = 0, have_pre = 0, rc;

	memset(out, 0, sizeof(*out));
	if (backup_restorable(b, url, identity, err) < 0)
		return err->code == MG_ERR ? MG_OUT_BLOCKED : MG_OUT_USAGE;
	if (lockdb && (rc = refuse_if_busy(lockdb, err)) != MG_OUT_OK)
		return rc;
	if (lockdb && keep_dir && !lockdb->ops->restore_keeps_previous &&
	    (rc = keep_current(out, lockdb, keep_dir, vt, err)) != MG_OUT_OK)
		return rc;
	/* the ledger as it is now, to carry over what the backup lacks; the audit table's size */
	have_pre = lockdb && vt && lockdb->ops->ledger_read(lockdb, vt, &pre_revs, &pre_hashes, &exists, &lerr) == 0;
	pre_audit = lockdb && vt ? audit_rows(lockdb, vt) : -1;
	if (backup_restore(b, url, identity, 1, &out->kept, err) < 0) {
		rc = err->code == MG_ERR ? MG_OUT_BLOCKED : MG_OUT_ENV;
		goto cleanup;
	}
	out->restored = 1;
	if (db_open(&after, url, err) < 0 || (vt && after->ops->read_versions(after, vt, &out->rows, &exists, err) < 0)) {
		mg_error_wrap(err, "the restore finished but the database cannot be read back");
		rc = MG_OUT_UNVERIFIED;
		goto cleanup;
	}
	out->rows_read = 1;
	if (vt)
		ledger_back(out, after, vt, m, have_pre ? &pre_revs : NULL, have_pre ? &pre_hashes : NULL, id);
	if (vt && pre_audit > 0 && (post_audit = audit_rows(after, vt)) < pre_audit)
		out->audit_rows_lost = pre_audit - (post_audit < 0 ? 0 : post_audit);
	rc = MG_OUT_OK;
cleanup:
	db_close(after);
	strvec_release(&pre_revs);
	strvec_release(&pre_hashes);
	return rc;
}

void restore_result_release(restore_result *r)
{
	free(r->kept);
	free(r->pre_backup);
	strvec_release(&r->rows);
	ledger_restored_release(&r->ledger);
	free(r->ledger_problem);
	memset(r, 0, sizeof(*r));
}

/* `newest` under backup_method = pgbackrest: the point-in-time recovery
 * to just before the last upgrade, which mgate does not run. */
static int pitr_refusal(const session *s, mg_error *err)
{
	audit_last last;
	int rc;

	audit_last_upgrade(&last, s->audit.path, s->where.ptr);
	rc = pitr_refuse(err, &s->p.cfg.settings, last.started_before);
	audit_last_release(&last);
	return rc;
}

int restore_find_backup(backup_info *out, const char *spec, const session *s, mg_error *err)
{
	buf id = BUF_INIT;
	int rc = MG_OUT_OK;

	memset(out, 0, sizeof(*out));
	if (!strcmp(spec, "newest") && pitr_enabled(&s->p.cfg.settings))
		return pitr_refusal(s, err);
	if (!strcmp(spec, "newest")) {
		session_identity(&id, s);
		if (!s->backup_dir) {
			mg_error_set(err, MG_ECONFIG, "'newest' needs the backup folder: pass --backup-dir DIR or set backup_dir in [mgate]");
			rc = MG_OUT_USAGE;
		} else if (backup_newest(out, s->backup_dir, id.len ? id.ptr : NULL, 1, NULL) < 0) {
			mg_error_set(err, MG_EFINDINGS, "no backup of %s in '%s' verifies; `mgate backup --list` shows them",
				     s->where.ptr, s->backup_dir);
			rc = MG_OUT_BLOCKED;
		}
	} else if (backup_load(out, spec, 1, err) < 0) {
		rc = MG_OUT_USAGE;
	}
	buf_release(&id);
	return rc;
}

/* Does the database have any table? -1 when it cannot be read. */
static int has_tables(db *d)
{
	mg_error err = MG_ERROR_INIT;
	void *snap = NULL;
	json_t *t;
	int n;

	if (d->ops->snapshot(d, &snap, &err) < 0)
		return -1;
	t = json_object_get((json_t *)snap, "tables");
	n = json_is_object(t) && json_object_size(t) > 0;
	json_decref((json_t *)snap);
	return n;
}

int restore_prepare(restore_plan *out, const session *s, const char *spec, const char *into, mg_error *err)
{
	db *target = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	buf_init(&out->where);
	buf_init(&out->identity);
	out->in_place = 1;
	if ((rc = restore_find_backup(&out->backup, spec, s, err)) != MG_OUT_OK)
		return rc;
	out->url = into ? into : s->url;
	dburl_redact(&out->where, out->url);
	if (!into) {
		session_identity(&out->identity, s);
		return MG_OUT_OK;
	}
	if (db_open(&target, into, err) < 0 && err->code == MG_ECONFIG)
		return MG_OUT_USAGE;
	db_identity_of(&out->identity, target, into);
	out->in_place = out->backup.identity && out->identity.len && !strcmp(out->identity.ptr, out->backup.identity);
	if (!out->in_place && target && has_tables(target) != 0) {
		mg_error_set(err, MG_EFINDINGS,
			     "refusing to restore into %s: it is another database and it is not empty; restore into an empty "
			     "database, or in place without --into",
			     out->where.ptr);
		rc = MG_OUT_BLOCKED;
	}
	db_close(target);
	return rc;
}

int restore_execute(restore_result *out, session *s, const restore_plan *plan, long lock_wait_s,
		    const char *correlation_id, const progress *p, mg_error *err)
{
	audit_head head = session_audit_head(s, "restore", correlation_id);
	audit_restore rec;
	db *lockdb = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&rec, 0, sizeof(rec));
	if (plan->in_place) {
		/* the lock, on the database itself (none for a SQLite file that is gone) */
		if (db_open(&lockdb, plan->url, err) == 0 && session_lock(lockdb, s->lock.ptr, lock_wait_s, p, err) < 0) {
			rc = err->code == MG_EAMBIGUOUS ? MG_OUT_BLOCKED : MG_OUT_ENV;
			mg_error_append(err, "; nothing was changed");
			db_close(lockdb);
			return rc;
		}
		if (!lockdb)
			mg_error_clear(err);
		session_disconnect(s); /* our own read session must not count as another */
	}
	rc = restore_put(out, &plan->backup, plan->url, plan->in_place ? plan->identity.ptr : NULL, lockdb,
			 plan->in_place ? s->backup_dir : NULL, &s->vt, &s->p.map, correlation_id, err);
	if (rc == MG_OUT_OK && !strvec_same_set(&out->rows, &plan->backup.revisions)) {
		mg_error_set(err, MG_ERR, "the restored database's version rows differ from the backup's manifest");
		rc = MG_OUT_UNVERIFIED;
	}
	rec.backup = plan->backup.path;
	rec.sha256 = plan->backup.sha256;
	rec.into = plan->where.ptr;
	rec.in_place = plan->in_place;
	rec.restored = out->restored;
	rec.kept = out->kept ? out->kept : out->pre_backup;
	rec.after = &out->rows;
	rec.exit = rc;
	audit_write_restore(&s->audit, &head, &rec, p);
	if (lockdb) {
		lockdb->ops->unlock(lockdb, s->lock.ptr);
		db_close(lockdb);
	}
	return rc;
}

void restore_plan_release(restore_plan *plan)
{
	backup_info_release(&plan->backup);
	buf_release(&plan->where);
	buf_release(&plan->identity);
}
