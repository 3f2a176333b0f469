/*
 * checklist.h: the "migration safe" checklist of `mgate check`.
 *
 * Each check yields pass, warn or fail with a one-line summary (the
 * evidence), the next step, and the findings behind it. Any fail closes
 * the gate. The checks: graph (sound, target unambiguous), state (the
 * database's version rows are known; what is pending), backup (a fresh
 * backup of this database at its current revisions that still verifies),
 * rollback (real downgrades), rules (the rule engine over the pending
 * revisions, with live table sizes), locks (nobody holds the migration
 * lock; on PostgreSQL no long or idle-in-transaction session holds locks
 * on the tables the pending revisions touch) and invariants (SQL
 * assertions from configuration).
 */
#ifndef MGATE_CHECKLIST_H
#define MGATE_CHECKLIST_H

#include "alembic/config.h"
#include "db/db.h"
#include "util/finding.h"
#include "lint/lint.h"
#include "alembic/revmap.h"

enum checklist_status { GATE_PASS = 0,
			GATE_WARN,
			GATE_FAIL,
			GATE_SKIP };

typedef struct checklist_check {
	const char *name;
	int status;
	char *summary; /* the evidence, one line */
	char *next;    /* what to do, or NULL */
	findings found;
} checklist_check;

#define GATE_MAX_CHECKS 12

typedef struct checklist_opts {
	const mgate_config *cfg;
	const revmap *map;
	const findings *load_findings; /* from loading the scripts */
	db *d;                         /* NULL when the database cannot be reached */
	const char *db_error;          /* why it cannot, when d is NULL */
	const strvec *rows;            /* the version rows (when d) */
	const char *target;            /* e.g. "heads" */
	const lint_opts *lint;
	const char *backup_dir;         /* NULL: not configured */
	long backup_max_age;            /* seconds */
	const char *skip_backup_reason; /* --no-backup-check --reason */
	const char *lock_name;          /* the migration lock's name */
	int lock_held;                  /* this run holds it already (mgate upgrade) */
	const db_version_table *vt;     /* the version table (the ledger lives beside it) */
	const strvec *allow;            /* rule ids an operator accepts for this run (--allow), or NULL */
	const char *allow_reason;       /* and why */
	long drill_max_age;             /* seconds; 0: no drill is required */
	long long last_drill;           /* when the newest passing drill ran (epoch), 0 for never */
} checklist_opts;

typedef struct checklist_result {
	checklist_check checks[GATE_MAX_CHECKS];
	size_t n;
	int open;
	strvec current; /* version rows */
	strvec pending; /* revision ids, in upgrade order */
	strvec tables;  /* tables the pending revisions touch */
} checklist_result;

/* Run every check. Never fails for problems (they are check results);
 * MG_ECONFIG only for bad invariant configuration. */
int checklist_run(checklist_result *out, const checklist_opts *o, mg_error *err);


/* Only the invariants check (run again after an upgrade). */
void checklist_invariants(checklist_check *out, const mgate_config *cfg, db *d);

const char *checklist_status_name(int status);

/* The rules whose error findings closed the gate and that `--allow RULE
 * --reason` would accept for one run (the rules and rollback checks'
 * active errors), each once, into `out`. Empty when no rule finding is
 * among the reasons. */
void checklist_allowable(strvec *out, const checklist_result *r);
void checklist_result_release(checklist_result *r);

#endif
