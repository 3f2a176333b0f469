/*
 * rescue.c: what `mgate restore`, `mgate rollback` and `mgate drill` share:
 * asking before anything destructive, finding the newest backup that
 * proves itself, and putting a backup in place with every check first.
 *
 * The order of a restore never changes: the backup's checksum and the
 * target's identity are checked, the migration lock is taken, other
 * sessions are counted (PostgreSQL), what is there now is kept (a
 * pre-restore backup, or SQLite's previous file), and only then is the
 * backup put in place; the version rows are read back afterwards.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gate/backup.h"
#include "cli.h"
#include "version.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/banned.h"

int cli_confirm(const char *cmd, const char *what, int yes)
{
	char line[64];

	if (yes)
		return 0;
	if (!isatty(0)) {
		fprintf(stderr, "mgate %s: %s needs --yes when there is no terminal to ask on\n", cmd, what);
		return EXIT_USAGE;
	}
	fprintf(stderr, "%s. Type 'yes' to go on: ", what);
	fflush(stderr);
	if (!fgets(line, sizeof(line), stdin) || strcmp(line, "yes\n")) {
		fprintf(stderr, "mgate %s: not confirmed; nothing was changed\n", cmd);
		return EXIT_FINDINGS;
	}
	return 0;
}

int cli_newest_backup(backup_info *out, const char *dir, const char *identity, int verify)
{
	backup_list l;
	mg_error err = MG_ERROR_INIT;
	size_t i;
	int rc = MG_ENOTFOUND;

	memset(out, 0, sizeof(*out));
	if (!dir || !identity || backup_list_dir(&l, dir, verify, &err) < 0)
		return MG_ENOTFOUND;
	for (i = 0; i < l.n && rc; i++)
		if (l.v[i].status == BACKUP_OK && l.v[i].identity && !strcmp(l.v[i].identity, identity)) {
			*out = l.v[i];
			memset(&l.v[i], 0, sizeof(l.v[i]));
			rc = 0;
		}
	backup_list_release(&l);
	return rc;
}

void cli_target_identity(buf *out, db *d, const char *url)
{
	mg_error err = MG_ERROR_INIT;
	db_url u;

	if (d && d->ops->identity(d, out, &err) == 0)
		return;
	buf_truncate(out, 0);
	/* a SQLite file that is gone is still the same database by its path */
	if (dburl_parse(&u, url, &err) == 0) {
		if (u.dialect == DB_SQLITE) {
			buf abs = BUF_INIT;
			fs_abspath(&abs, u.sqlite_path);
			buf_printf(out, "sqlite:%s", abs.ptr);
			buf_release(&abs);
		}
		dburl_release(&u);
	}
}

/* Other client sessions on the database `d` is connected to (PostgreSQL;
 * 0 elsewhere, or -1 when they cannot be counted). */
static long other_sessions(db *d)
{
	mg_error err = MG_ERROR_INIT;
	char *v = NULL;
	long n = 0;

	if (strcmp(d->ops->name, "postgresql"))
		return 0;
	if (d->ops->query_scalar(d, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND "
				    "pid <> pg_backend_pid() AND backend_type = 'client backend'",
				 &v, &err) < 0)
		return -1;
	n = v ? strtol(v, NULL, 10) : 0;
	free(v);
	return n;
}

int cli_restore(cli_restored *out, const backup_info *b, const char *url, const char *identity, db *lockdb,
		const char *keep_dir, const db_version_table *vt, const char *cmd)
{
	mg_error err = MG_ERROR_INIT;
	db *after = NULL;
	int exists = 0;

	memset(out, 0, sizeof(*out));
	if (backup_restorable(b, url, identity, &err) < 0) {
		fprintf(stderr, "mgate %s: %s\n", cmd, err.msg);
		return err.code == MG_ERR ? EXIT_FINDINGS : EXIT_USAGE;
	}
	if (lockdb && !strcmp(lockdb->ops->name, "postgresql")) {
		long others = other_sessions(lockdb);
		if (others != 0) {
			fprintf(stderr, "mgate %s: refusing to restore over %s: %s; stop the application (or terminate "
					"them) first; nothing was changed\n",
				cmd, lockdb->redacted,
				others < 0    ? "its sessions cannot be counted"
				: others == 1 ? "1 other session is connected"
					      : "other sessions are connected");
			return EXIT_FINDINGS;
		}
		/* what is there now is kept, as SQLite keeps its previous file */
		if (keep_dir) {
			backup_info pre;
			strvec rows = STRVEC_INIT;
			int ex = 0;
			if ((vt && lockdb->ops->read_versions(lockdb, vt, &rows, &ex, &err) < 0) ||
			    backup_take(&pre, lockdb, keep_dir, &rows, MGATE_VERSION, NULL, NULL, &err) < 0) {
				fprintf(stderr, "mgate %s: cannot keep the current database first (%s); nothing was changed\n",
					cmd, err.msg);
				strvec_release(&rows);
				return EXIT_ENV;
			}
			out->pre_backup = mg_strdup(pre.path);
			backup_info_release(&pre);
			strvec_release(&rows);
		}
	}
	if (backup_restore(b, url, identity, 1, &out->kept, &err) < 0) {
		fprintf(stderr, "mgate %s: %s\n", cmd, err.msg);
		return err.code == MG_ERR ? EXIT_FINDINGS : EXIT_ENV;
	}
	out->restored = 1;
	if (db_open(&after, url, &err) < 0 ||
	    (vt && after->ops->read_versions(after, vt, &out->rows, &exists, &err) < 0)) {
		fprintf(stderr, "mgate %s: the restore finished but the database cannot be read back: %s\n", cmd, err.msg);
		db_close(after);
		return EXIT_VERIFY;
	}
	db_close(after);
	return 0;
}

void cli_invariant_findings(findings *out, const mgate_config *cfg, db *d)
{
	checklist_check inv;
	size_t i;

	checklist_invariants(&inv, cfg, d);
	for (i = 0; i < inv.found.n; i++)
		findings_add(out, inv.found.v[i].id, SEV_ERROR, NULL, 0, NULL, "%s", inv.found.v[i].message);
	free(inv.summary);
	free(inv.next);
	findings_release(&inv.found);
}

int cli_scratch_create(cli_scratch *s, const char *source_url, const char *prefix, const char *id, mg_error *err)
{
	int rc;

	memset(s, 0, sizeof(*s));
	buf_printf(&s->name, "%s_%s", prefix, id);
	if ((rc = dburl_parse(&s->u, source_url, err)) < 0)
		return rc;
	s->parsed = 1;
	if ((rc = db_ops_for(&s->u)->scratch_create(&s->u, s->name.ptr, &s->url, err)) < 0)
		return rc;
	s->made = 1;
	dburl_redact(&s->redacted, s->url.ptr);
	return MG_OK;
}

void cli_scratch_release(cli_scratch *s, int keep)
{
	if (s->made && !keep)
		db_ops_for(&s->u)->scratch_drop(&s->u, s->name.ptr);
	if (s->parsed)
		dburl_release(&s->u);
	buf_release(&s->name);
	buf_release(&s->url);
	buf_release(&s->redacted);
	memset(s, 0, sizeof(*s));
}

void cli_restored_release(cli_restored *r)
{
	free(r->kept);
	free(r->pre_backup);
	strvec_release(&r->rows);
	memset(r, 0, sizeof(*r));
}
