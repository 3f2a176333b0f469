/*
 * restore.h: putting a backup back, with every check first.
 *
 * The order never changes: the backup's checksum and the target's
 * identity are checked, the migration lock is taken, other sessions are
 * counted (PostgreSQL), what is there now is kept (a pre-restore backup,
 * or SQLite's previous file), and only then is the backup put in place;
 * the version rows are read back afterwards. A refusal changes nothing.
 *
 * `mgate restore` prepares (which backup, where to, in place or into
 * another database), asks the user when it replaces data, then executes.
 * `mgate rollback` uses restore_put directly.
 */
#ifndef MGATE_RESTORE_H
#define MGATE_RESTORE_H

#include "db/db.h"
#include "gate/backup.h"
#include "gate/ledger.h"
#include "gate/progress.h"
#include "gate/session.h"
#include "util/buf.h"

/* What a restore did. */
typedef struct restore_result {
	int restored;     /* the backup is in place */
	char *kept;       /* SQLite: the previous file, kept */
	char *pre_backup; /* PostgreSQL: the backup taken of what was there */
	strvec rows;      /* the version rows read back */
	int rows_read;    /* they could be read */
	/* the ledger afterwards (when a graph was given): */
	int ledger_done;           /* it covers the restored rows (see `ledger`) */
	ledger_restored ledger;    /* what was kept, carried over, recorded and dropped */
	char *ledger_problem;      /* why it was not brought up to date, or NULL */
	long long audit_rows_lost; /* mgate_audit rows written since the backup, gone with the restore */
} restore_result;

/*
 * Put backup `b` in place of the database at `url`, refusing (nothing
 * changed) a backup that does not verify or is of another database than
 * `identity` (NULL: any), and on PostgreSQL while other sessions are
 * connected to `lockdb` (the connection holding the migration lock; NULL
 * when there is none). On PostgreSQL the current database is first backed
 * up into `keep_dir` (NULL: not kept). With the graph `m` (NULL: the
 * ledger is left as restored), the ledger is then made to cover the
 * restored version rows: entries from before the restore are written back
 * where the backup lacks them, others recorded from the files now (under
 * the correlation id `id`). Returns an mg_outcome: MG_OUT_OK,
 * MG_OUT_BLOCKED (refused), MG_OUT_USAGE, MG_OUT_ENV, or MG_OUT_UNVERIFIED
 * (restored, but it cannot be read back); the message is in `err`.
 */
int restore_put(restore_result *out, const backup_info *b, const char *url, const char *identity, db *lockdb,
		const char *keep_dir, const db_version_table *vt, const revmap *m, const char *id, mg_error *err);
void restore_result_release(restore_result *r);

/* The backup a user named: a file or manifest, or `newest` (the newest of
 * the session's database that verifies). An mg_outcome. */
int restore_find_backup(backup_info *out, const char *spec, const session *s, mg_error *err);

/* A restore, prepared: what goes where. */
typedef struct restore_plan {
	backup_info backup;
	const char *url; /* where it goes (the session's database, or --into) */
	buf where;       /* that URL, redacted */
	buf identity;    /* the target's identity */
	int in_place;    /* it replaces the backup's own database */
} restore_plan;

/* Prepare a restore of `spec` into `into` (NULL: in place). Refuses
 * (MG_OUT_BLOCKED) a target that is another database and not empty. An
 * mg_outcome, with the message in `err`. */
int restore_prepare(restore_plan *out, const session *s, const char *spec, const char *into, mg_error *err);

/* Execute it: in place, under the migration lock (waiting up to
 * `lock_wait_s`), keeping what it replaces; the result's rows must equal
 * the manifest's. The audit entry is written. An mg_outcome. */
int restore_execute(restore_result *out, session *s, const restore_plan *plan, long lock_wait_s,
		    const char *correlation_id, const progress *p, mg_error *err);

void restore_plan_release(restore_plan *plan);

#endif
