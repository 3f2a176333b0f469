/*
 * upgrade.h: the gate around a real `alembic upgrade`.
 *
 * The checklist runs first and Alembic only runs when the gate is open
 * (with --backup, a missing backup is taken and the checklist runs again);
 * the migration lock is held for the whole run; the schema is snapshotted
 * before (and kept beside the backups, for `mgate rollback`); Alembic runs
 * as a child process (argv, no shell, output streamed to the terminal,
 * signals forwarded), again after a PostgreSQL lock timeout when
 * lock_retries allows; afterwards the version rows, the schema changes,
 * the invariants and the smoke commands are verified, the applied steps
 * go into the ledger, and the whole run into the audit log.
 */
#ifndef MGATE_UPGRADE_H
#define MGATE_UPGRADE_H

#include "gate/backup.h"
#include "gate/checklist.h"
#include "gate/data.h"
#include "gate/progress.h"
#include "gate/session.h"
#include "util/finding.h"
#include "util/strvec.h"

typedef struct upgrade_opts {
	const char *target;  /* NULL: heads */
	const strvec *allow; /* --allow: rules accepted for this run, or NULL */
	const char *allow_reason;
	const char *skip_backup_reason; /* --no-backup-check --reason, or NULL */
	int backup_first;               /* --backup: take a backup when that is all the gate lacks */
	long lock_wait_s;               /* wait this long for the migration lock */
	long timeout_s;                 /* stop Alembic after this long (0: no limit) */
	const char *correlation_id;
	int alembic_to_stderr; /* Alembic's standard output goes to mgate's standard error (stdout carries JSON) */
} upgrade_opts;

/* How far the run got. */
enum upgrade_stage {
	UPGRADE_ERROR,       /* the checklist could not run */
	UPGRADE_CLOSED,      /* the gate is closed: Alembic was not run */
	UPGRADE_NOTHING,     /* nothing pending */
	UPGRADE_NO_BACKUP,   /* --backup: the backup failed */
	UPGRADE_NO_PLAN,     /* the steps could not be computed */
	UPGRADE_LOCKED,      /* the migration lock could not be had: Alembic was not run */
	UPGRADE_NO_SNAPSHOT, /* the schema could not be read before */
	UPGRADE_NO_ALEMBIC,  /* Alembic could not be started */
	UPGRADE_UNREADABLE,  /* the database could not be read afterwards */
	UPGRADE_FAILED,      /* Alembic failed */
	UPGRADE_UNVERIFIED,  /* Alembic succeeded, verification failed */
	UPGRADE_DONE         /* upgraded and verified */
};

typedef struct upgrade_result {
	int outcome; /* enum mg_outcome: also mgate's exit code */
	int stage;   /* enum upgrade_stage */
	checklist_result gate;
	strvec start;        /* the version rows it started from */
	strvec after;        /* the version rows afterwards */
	size_t nsteps, done; /* the pending steps, and how many the rows say were applied */
	char *stopped_in;    /* the revision Alembic stopped in, or NULL */
	int alembic_ran, attempts, status, signalled, timed_out;
	findings verify;     /* verification, or what the failed step half-applied */
	size_t half;         /* of verify: changes the failed revision half-applied */
	backup_info newest;  /* the newest backup of the database, for the way back */
	char *snapshot_path; /* the schema as it was before, kept; or NULL */
	double alembic_ms, total_ms;
	double checklist_ms, snapshot_ms, data_ms, verify_ms; /* the other phases' share of total_ms */
	long long server_started;                             /* PostgreSQL: the server's clock (epoch s) just before Alembic ran, else 0 */
	data_report data;                                     /* the rows each table gained, lost and changed while Alembic ran */
} upgrade_result;

/*
 * Run the upgrade on the session's database. Returns the outcome (as in
 * out->outcome, >= 0); for MG_OUT_USAGE and MG_OUT_ENV, and for a refusal
 * that is not a closed gate, the message is in `err`. Progress (the
 * checklist's verdict, the Alembic command, retries, warnings) goes to `p`.
 * The session's read connection is closed while Alembic runs.
 */
int upgrade_run(upgrade_result *out, session *s, const upgrade_opts *o, const progress *p, mg_error *err);

void upgrade_result_release(upgrade_result *r);

#endif
