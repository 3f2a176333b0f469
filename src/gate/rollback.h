/*
 * rollback.h: the way back after an upgrade, chosen and then taken safely.
 *
 * Two ways are weighed side by side: (a) the downgrade path, exactly as
 * `alembic downgrade` walks it, with each step's downgrade() read for
 * what it destroys (row counts from the live database) and the locks it
 * takes; (b) the newest backup of this database that verifies, with its
 * age, the writes since it that a restore would lose, and how long it
 * should take. One is recommended, with the reason. The chosen way then
 * runs under the migration lock, and the result is verified: the version
 * rows, the schema against the snapshot taken before the upgrade, the
 * invariants, and the smoke commands. The default target is where the
 * last `mgate upgrade` of this database started (from the audit log).
 *
 * `mgate rollback` assesses, shows the ways (and asks, when it will
 * change the database), then executes.
 */
#ifndef MGATE_ROLLBACK_H
#define MGATE_ROLLBACK_H

#include "gate/audit.h"
#include "gate/backup.h"
#include "gate/progress.h"
#include "gate/restore.h"
#include "gate/session.h"
#include "lint/plan.h"
#include "util/buf.h"
#include "util/finding.h"
#include "util/strvec.h"

/* One revision the downgrade undoes. */
typedef struct rollback_step {
	int rev;             /* index into the session's graph */
	const char *problem; /* why its downgrade cannot be trusted, or NULL */
	char *problem_own;   /* the text `problem` points to, when built */
	plan_ops ops;        /* what its downgrade() does */
	long long *rows;     /* per op: rows it destroys (-1 unknown, 0 none) */
	long long lost;      /* the known total */
	int lost_unknown;
	findings found; /* the rule engine on its downgrade (and the rollback rules) */
} rollback_step;

/* The ways back, weighed. */
typedef struct rollback_ways {
	char *target;       /* `alembic downgrade TARGET` */
	strvec cmds;        /* the downgrade targets, run in turn */
	int from_audit;     /* the target is where the last upgrade started */
	audit_last last;    /* that upgrade, when from_audit */
	int at_target;      /* nothing to take back */
	strvec target_rows; /* the version rows the downgrade ends at */
	rollback_step *v;   /* the revisions the downgrade undoes, in order */
	size_t n;
	const char *down_problem; /* why there is no downgrade path, or NULL */
	buf down_why;
	long long down_lost;
	int down_lost_unknown;
	backup_info b; /* the newest backup of this database that verifies */
	int have_backup, backup_matches;
	/* backup_method = pgbackrest: (b) is a point-in-time recovery mgate does not run */
	int pitr;
	long long pitr_target; /* just before the upgrade (epoch), or 0 when unknown */
	buf pitr_cmd;          /* the pgBackRest command to that time */
	long long age, writes; /* its age in seconds; writes since it (-1 unknown) */
	const char *writes_basis;
	double estimate;    /* seconds a restore should take */
	const char *choice; /* "downgrade", "restore" or "none" */
	buf reason;
} rollback_ways;

/*
 * Weigh the ways back to `to` (NULL: where the last upgrade started, from
 * the audit log), and choose `via` ("downgrade", "restore", or NULL for the
 * recommended one). The session needs its database. An mg_outcome:
 * MG_OUT_USAGE when the target cannot be known, MG_OUT_BLOCKED when `via`
 * is not available; the message is in `err`.
 */
int rollback_assess(rollback_ways *out, const session *s, const char *to, const char *via, mg_error *err);
void rollback_ways_release(rollback_ways *w);

/* The Alembic command of the i-th downgrade (argv, NULL-terminated). */
void rollback_command(strvec *out, const session *s, const rollback_ways *w, size_t i);

typedef struct rollback_opts {
	long lock_wait_s; /* wait this long for the migration lock */
	long timeout_s;   /* stop Alembic's downgrade after this long (0: none) */
	const char *correlation_id;
} rollback_opts;

typedef struct rollback_result {
	int outcome;             /* enum mg_outcome */
	int locked_out;          /* the lock could not be had: nothing was changed */
	audit_command *commands; /* the downgrades run, with their exits */
	size_t ncommands;
	int status, timed_out;   /* the last downgrade's exit */
	restore_result restored; /* way "restore" */
	int checked;             /* the result was verified (the way was taken) */
	int read_back;           /* the database could be read afterwards */
	strvec now;              /* its version rows then */
	int schema_same;         /* the schema equals the snapshot taken before the upgrade */
	int schema_unknown;      /* that snapshot is not available */
	findings verify;
	/* a failed downgrade: */
	size_t undone;      /* steps the version rows say ran */
	const char *failed; /* the revision whose downgrade() failed, or NULL */
	int state_known;    /* the schema was read before and after */
	findings half;      /* what the failed step changed and left (unexplained-change), or failed to do */
	size_t nhalf;       /* of `half`: changes left behind */
} rollback_result;

/* Take the chosen way (w->choice must be "downgrade" or "restore") under
 * the migration lock and verify the result; the audit entry is written.
 * An mg_outcome, with the message in `err` when the way could not be
 * taken. */
int rollback_execute(rollback_result *out, session *s, const rollback_ways *w, const rollback_opts *o,
		     const progress *p, mg_error *err);
void rollback_result_release(rollback_result *r);

#endif
