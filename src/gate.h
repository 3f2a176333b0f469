/*
 * gate.h: the "migration safe" checklist of `mgate check`.
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
#ifndef MGATE_GATE_H
#define MGATE_GATE_H

#include "config.h"
#include "db.h"
#include "finding.h"
#include "lint.h"
#include "revmap.h"

enum gate_status { GATE_PASS = 0,
		   GATE_WARN,
		   GATE_FAIL,
		   GATE_SKIP };

typedef struct gate_check {
	const char *name;
	int status;
	char *summary; /* the evidence, one line */
	char *next;    /* what to do, or NULL */
	findings found;
} gate_check;

#define GATE_MAX_CHECKS 10

typedef struct gate_opts {
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
	const db_version_table *vt;     /* the version table (the ledger lives beside it) */
	const strvec *allow;            /* rule ids an operator accepts for this run (--allow), or NULL */
	const char *allow_reason;       /* and why */
	long drill_max_age;             /* seconds; 0: no drill is required */
	long long last_drill;           /* when the newest passing drill ran (epoch), 0 for never */
} gate_opts;

typedef struct gate_result {
	gate_check checks[GATE_MAX_CHECKS];
	size_t n;
	int open;
	strvec current; /* version rows */
	strvec pending; /* revision ids, in upgrade order */
	strvec tables;  /* tables the pending revisions touch */
} gate_result;

/* Run every check. Never fails for problems (they are check results);
 * MG_ECONFIG only for bad invariant configuration. */
int gate_run(gate_result *out, const gate_opts *o, mg_error *err);

/* The SHA-256 of a revision script (its kept source, else the file). */
int gate_script_hash(char hex[65], const script *s, mg_error *err);

/* Only the invariants check (run again after an upgrade). */
int gate_invariants(gate_check *out, const mgate_config *cfg, db *d, mg_error *err);

const char *gate_status_name(int status);
void gate_result_release(gate_result *r);

#endif
