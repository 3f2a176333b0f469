/*
 * cmd_restore.c: `mgate restore BACKUP [--into URL]`: put a backup back.
 *
 * BACKUP is a backup file (or its manifest), or `newest` for the newest
 * backup of this database that verifies. In place (no --into, or a target
 * that is the backup's own database), it needs --yes or a typed "yes",
 * holds the migration lock, and keeps what it replaces. Into another
 * database, that database must be empty (or not exist yet, for SQLite).
 * Before anything is touched the checksum and the database identity are
 * checked; a mismatch changes nothing (exit 1).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gate/audit.h"
#include "gate/backup.h"
#include "cli.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/banned.h"

static const char *const formats[] = { "text", "json", NULL };

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

int cli_resolve_backup(backup_info *out, const char *spec, const cli_gate *cg, const char *cmd)
{
	mg_error err = MG_ERROR_INIT;
	buf id = BUF_INIT;
	int rc = 0;

	if (!strcmp(spec, "newest")) {
		cli_target_identity(&id, cg->d, cg->url);
		if (!cg->dir) {
			fprintf(stderr, "mgate %s: 'newest' needs the backup folder: pass --backup-dir DIR or set backup_dir "
					"in [mgate]\n",
				cmd);
			rc = EXIT_USAGE;
		} else if (cli_newest_backup(out, cg->dir, id.len ? id.ptr : NULL, 1) < 0) {
			fprintf(stderr, "mgate %s: no backup of %s in '%s' verifies; `mgate backup --list` shows them\n", cmd,
				cg->where.ptr, cg->dir);
			rc = EXIT_FINDINGS;
		}
	} else if (backup_load(out, spec, 1, &err) < 0) {
		fprintf(stderr, "mgate %s: %s\n", cmd, err.msg);
		rc = EXIT_USAGE;
	}
	buf_release(&id);
	return rc;
}

int cmd_restore(int argc, char **argv)
{
	cli_common common;
	cli_gate cg;
	cli_gate_args a;
	cli_restored res;
	strvec args = STRVEC_INIT;
	backup_info b;
	mg_error err = MG_ERROR_INIT;
	buf identity = BUF_INIT, red = BUF_INIT, cwd = BUF_INIT;
	const char *into = NULL, *lock_wait = NULL, *url;
	db *target = NULL, *lockdb = NULL;
	int rc, yes = 0, in_place = 1;
	char id[17];
	json_t *audit = NULL;
	cli_option opts[] = {
		OPT_STRING_(0, "into", &into, "URL", "restore into this database instead (it must be empty)"),
		OPT_FLAG_(0, "yes", &yes, "replace the database without asking"),
		OPT_DB_(&a.db),
		OPT_STRING_(0, "backup-dir", &a.backup_dir, "DIR", "where backups are (else backup_dir in [mgate])"),
		OPT_STRING_(0, "lock-wait", &lock_wait, "SECONDS", "wait this long for the migration lock (default 0)"),
		OPT_VERSION_TABLE_(&a.db),
		OPT_END_(),
	};

	memset(&a, 0, sizeof(a));
	memset(&cg, 0, sizeof(cg));
	memset(&b, 0, sizeof(b));
	memset(&res, 0, sizeof(res));
	audit_new_id(id);
	if ((rc = cli_begin(argc, argv, "restore", "[options] BACKUP|newest", opts, formats, 1, &common, &args)) != 0)
		goto cleanup;
	cli_log_context(id, NULL);
	if (args.n != 1) {
		fprintf(stderr, "mgate restore: which backup? give its file, or 'newest'\n");
		rc = EXIT_USAGE;
		goto cleanup;
	}
	if ((rc = cli_gate_prepare(&cg, &common, &a, "heads", "restore")) != 0 ||
	    (rc = cli_resolve_backup(&b, args.v[0], &cg, "restore")) != 0)
		goto cleanup;
	url = into ? into : cg.url;
	dburl_redact(&red, url);
	if (into) {
		if (db_open(&target, into, &err) < 0 && err.code == MG_ECONFIG) {
			fprintf(stderr, "mgate restore: %s\n", err.msg);
			rc = EXIT_USAGE;
			goto cleanup;
		}
		cli_target_identity(&identity, target, into);
		in_place = b.identity && identity.len && !strcmp(identity.ptr, b.identity);
		if (!in_place && target && has_tables(target) != 0) {
			fprintf(stderr, "mgate restore: refusing to restore into %s: it is another database and it is not "
					"empty; restore into an empty database, or in place without --into\n",
				red.ptr);
			rc = EXIT_FINDINGS;
			goto cleanup;
		}
	} else {
		cli_target_identity(&identity, cg.d, url);
	}
	if (in_place) {
		buf what = BUF_INIT;
		buf_printf(&what, "this replaces %s with the backup of %s (at %s)", red.ptr, b.created_at ? b.created_at : "?",
			   b.revisions.n ? b.revisions.v[0] : "base");
		rc = cli_confirm("restore", what.ptr, yes);
		buf_release(&what);
		if (rc)
			goto cleanup;
		/* the lock, on the database itself (none for a SQLite file that is gone) */
		if (db_open(&lockdb, url, &err) == 0 &&
		    lockdb->ops->lock(lockdb, cg.lock.ptr, (lock_wait ? strtol(lock_wait, NULL, 10) : 0) * 1000, &err) < 0) {
			fprintf(stderr, "mgate restore: %s; nothing was changed\n", err.msg);
			rc = err.code == MG_EAMBIGUOUS ? EXIT_FINDINGS : EXIT_ENV;
			goto cleanup;
		}
		db_close(cg.d); /* our own read session must not count as another */
		cg.d = NULL;
		db_close(target);
		target = NULL;
	}
	db_close(target);
	target = NULL;
	rc = cli_restore(&res, &b, url, in_place ? identity.ptr : NULL, lockdb, in_place ? cg.dir : NULL, &cg.vt, "restore");
	audit = cli_audit_base(&cg, "restore", id);
	json_object_set_new(audit, "backup", cli_json_str(b.path));
	json_object_set_new(audit, "backup_sha256", json_string(b.sha256));
	json_object_set_new(audit, "into", cli_json_str(red.ptr));
	json_object_set_new(audit, "in_place", json_boolean(in_place));
	json_object_set_new(audit, "restored", json_boolean(res.restored));
	json_object_set_new(audit, "kept", res.kept ? cli_json_str(res.kept) : res.pre_backup ? cli_json_str(res.pre_backup)
											      : json_null());
	json_object_set_new(audit, "after", cli_strvec_json(&res.rows));
	json_object_set_new(audit, "exit", json_integer(rc));
	if (rc)
		goto cleanup;
	if (!strvec_same_set(&res.rows, &b.revisions)) {
		fprintf(stderr, "mgate restore: the restored database's version rows differ from the backup's manifest\n");
		rc = EXIT_VERIFY;
	}
	if (!strcmp(common.format, "json")) {
		json_t *o = json_object();
		json_object_set_new(o, "backup", cli_json_str(b.path));
		json_object_set_new(o, "into", cli_json_str(red.ptr));
		json_object_set_new(o, "in_place", json_boolean(in_place));
		json_object_set_new(o, "kept", res.kept ? cli_json_str(res.kept) : json_null());
		json_object_set_new(o, "pre_restore_backup", res.pre_backup ? cli_json_str(res.pre_backup) : json_null());
		json_object_set_new(o, "revisions", cli_strvec_json(&res.rows));
		json_object_set_new(o, "verified", json_boolean(rc == 0));
		cli_print_json(o);
	} else {
		size_t i;
		printf("restored %s into %s\n", cli_display_path(b.path, &cwd), red.ptr);
		if (res.kept)
			printf("  the previous file is kept as %s (remove it when you are sure)\n", res.kept);
		if (res.pre_backup)
			printf("  what was there before is kept as the backup %s\n", cli_display_path(res.pre_backup, &cwd));
		printf("  the database is now at: ");
		for (i = 0; i < res.rows.n; i++)
			printf("%s%s", i ? ", " : "", res.rows.v[i]);
		printf("%s\n", res.rows.n ? "" : "base");
		printf("next: `mgate status` shows what `mgate upgrade` would apply again\n");
	}
cleanup:
	if (audit) {
		json_object_set_new(audit, "exit", json_integer(rc < 0 ? 0 : rc));
		cli_audit_write(&cg, audit);
	}
	if (lockdb) {
		lockdb->ops->unlock(lockdb, cg.lock.ptr);
		db_close(lockdb);
	}
	db_close(target);
	cli_restored_release(&res);
	backup_info_release(&b);
	cli_gate_release(&cg);
	strvec_release(&args);
	buf_release(&identity);
	buf_release(&red);
	buf_release(&cwd);
	return rc < 0 ? EXIT_OK : rc;
}
