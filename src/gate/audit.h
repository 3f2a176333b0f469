/*
 * audit.h: the audit log: one JSON object per line for every gate decision
 * and every change mgate makes or refuses (upgrade, rollback, restore,
 * drill, rehearsal), appended to a file that rotates by size, and on
 * request to the mgate_audit table of the database.
 *
 * An entry says who ran what (the OS user, and CI / GITHUB_ACTOR when
 * set), on which database (redacted), from and to which revisions, each
 * check's verdict, every override with its reason, Alembic's exit status,
 * the verification result and the durations, under one correlation id.
 *
 * The shape of the entries lives here alone: the other modules hand over
 * typed records (audit_upgrade, audit_drill...), and what is read back
 * comes back typed too (audit_last_upgrade, audit_drills).
 */
#ifndef MGATE_AUDIT_H
#define MGATE_AUDIT_H

#include <stddef.h>

#include "db/db.h"
#include "gate/checklist.h"
#include "gate/data.h"
#include "gate/progress.h"
#include "util/error.h"
#include "util/finding.h"
#include "util/run.h"
#include "util/strvec.h"

/* Where entries go. */
typedef struct audit_sink {
	const char *path;           /* the log file (audit_log in [mgate]), or NULL */
	long long max_bytes;        /* rotate when larger (0: never) */
	int table;                  /* also into mgate_audit in the database */
	const char *url;            /* the database (for the table) */
	const db_version_table *vt; /* mgate_audit lives beside the version table */
} audit_sink;

/* What every entry starts with. */
typedef struct audit_head {
	const char *command;  /* "check", "upgrade", ... */
	const char *id;       /* the correlation id */
	const char *database; /* the URL, redacted */
	const strvec *from;   /* the version rows at the start */
} audit_head;

/* A gate decision: `mgate check`, and the start of `mgate upgrade`. */
typedef struct audit_gate {
	const char *target;
	const checklist_result *result;
	const char *skip_backup_reason; /* --no-backup-check --reason, or NULL */
	const strvec *allow;            /* --allow rules, or NULL */
	const char *allow_reason;
} audit_gate;

typedef struct audit_upgrade {
	audit_gate gate;
	const char *before_snapshot; /* the schema kept before the upgrade, or NULL */
	int alembic_ran, attempts, alembic_exit, signal, timed_out;
	const strvec *after;    /* the version rows after Alembic */
	const char *stopped_in; /* the revision a failed Alembic stopped in, or NULL */
	const findings *verification;
	double alembic_ms, total_ms;
	double checklist_ms, snapshot_ms, data_ms, verify_ms; /* the other phases */
	long long server_started;                             /* the database server's clock just before Alembic ran (epoch), or 0 */
	const data_report *data;                              /* the rows each table gained, lost and changed, or NULL */
	int exit;                                             /* enum mg_outcome */
} audit_upgrade;

typedef struct audit_command {
	const char *target; /* `alembic downgrade TARGET` */
	int exit;
	double ms;
} audit_command;

typedef struct audit_rollback {
	const char *target, *way, *why;
	const audit_command *commands; /* the downgrades run (way "downgrade") */
	size_t ncommands;
	int alembic_exit;
	const char *stopped_in;    /* a failed downgrade: the revision it stopped in, or NULL */
	size_t steps_run;          /* ... and how many of its steps ran */
	const findings *half;      /* ... and what that revision left half done, or NULL */
	const char *backup, *kept; /* way "restore" */
	const findings *verification;
	int exit;
} audit_rollback;

typedef struct audit_restore {
	const char *backup, *sha256, *into;
	int in_place, restored;
	const char *kept;
	const strvec *after;
	int exit;
} audit_restore;

typedef struct audit_drill {
	const char *backup, *scratch, *failure;
	const findings *found;
	double backup_ms, restore_ms, verify_ms, total_ms; /* < 0: the step did not run */
	int exit;
} audit_drill;

/* One recorded drill, as read back. */
typedef struct audit_drill_row {
	char *time, *result, *backup, *failure;
	double total_ms;
} audit_drill_row;

/* Write one entry to `sink`. A log or table that cannot be written is a
 * warning through `p`: the decision itself stands. */
void audit_write_check(const audit_sink *sink, const audit_head *h, const audit_gate *g, int exit, const progress *p);
void audit_write_upgrade(const audit_sink *sink, const audit_head *h, const audit_upgrade *u, const progress *p);
void audit_write_rollback(const audit_sink *sink, const audit_head *h, const audit_rollback *r, const progress *p);
void audit_write_restore(const audit_sink *sink, const audit_head *h, const audit_restore *r, const progress *p);
void audit_write_drill(const audit_sink *sink, const audit_head *h, const audit_drill *d, const progress *p);
/* A rehearsal: its whole report (a json_t *, not freed) is kept. */
void audit_write_rehearse(const audit_sink *sink, const audit_head *h, const char *target, const void *report,
			  int exit, const progress *p);

/*
 * Append `entry` (a json_t * object; not freed) as one line to `path`,
 * created 0600. When the file is larger than `max_bytes` (> 0) it is first
 * rotated: path -> path.1 -> ... -> path.5 (the oldest is dropped).
 */
int audit_append(const char *path, void *entry, long long max_bytes, mg_error *err);

/*
 * The entries of the log at `path` (its rotated files included), oldest
 * first, as a json_t * array: those of `command` on `database` (the
 * redacted URL; either NULL for any). Lines that are not JSON objects are
 * skipped; a missing file is an empty log.
 */
void *audit_read(const char *path, const char *command, const char *database);

/* The newest upgrade of a database that ran Alembic, as read back. */
typedef struct audit_last {
	strvec from;              /* the version rows it started from */
	char *before_snapshot;    /* the schema kept before it, or NULL */
	long long started_before; /* a time (epoch) surely before it started, or 0 */
	long long finished;       /* when its entry was written (epoch), or 0 */
	int has_data;             /* it recorded the rows it changed (data.h): */
	long long own_writes;     /* ... rows it inserted, updated and deleted, all tables */
	strvec data_tables;       /* ... and each table's net change (inserted - deleted) */
	long long *data_net;
} audit_last;

/* The newest upgrade of `database` that ran Alembic: 1, or 0 when the log
 * (`path`, may be NULL) records none. Release `out` with audit_last_release. */
int audit_last_upgrade(audit_last *out, const char *path, const char *database);
void audit_last_release(audit_last *l);

/* When the newest passing drill of `database` ran (epoch), or 0. */
long long audit_last_passing_drill(const char *path, const char *database);

/* The drills of `database`, oldest first (*out is the caller's to free
 * with audit_drill_rows_free). */
size_t audit_drills(audit_drill_row **out, const char *path, const char *database);
void audit_drill_rows_free(audit_drill_row *v, size_t n);

#endif
