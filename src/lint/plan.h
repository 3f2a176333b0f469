/*
 * plan.h: what each pending revision does, in plain words, with the lock
 * each operation takes, for `mgate plan`.
 *
 * One revision's upgrade() becomes a list of steps: "drops column
 * users.legacy_role", "creates index ix_users_email on users (email)",
 * "runs SQL: UPDATE accounts ... (1 statement)", each with its table and
 * the lock it takes on PostgreSQL (from the documented lock levels of each
 * command), or the database-wide write lock on SQLite.
 */
#ifndef MGATE_PLAN_H
#define MGATE_PLAN_H

#include "lint/sqlcheck.h"
#include "util/error.h"
#include "util/strvec.h"

struct pyscan_span;
struct script;

typedef struct plan_op {
	int line;
	char *description; /* plain words */
	char *table;       /* the table it acts on, or NULL */
	char *column;      /* the column it drops, or NULL */
	char *lock;        /* e.g. "ACCESS EXCLUSIVE on users" */
	int data_loss;     /* it deletes data a downgrade cannot bring back */
	const char *dml;   /* "delete" or "update" for a data change (SQL or a Core statement), else NULL */
	char *sql;         /* ... its SQL statement, when it is SQL */
	int where;         /* ... it has a WHERE clause */
} plan_op;

typedef struct plan_ops {
	plan_op *v;
	size_t n, alloc;
} plan_ops;

/* Describe the operations of the function at `up` in `src` (a revision's
 * upgrade(), or its downgrade() for the way back). */
int plan_describe(plan_ops *out, const char *src, size_t len, const struct pyscan_span *up, sql_dialect dialect,
		  mg_error *err);

/* The same for the upgrade() of the script `s`, its source read from
 * disk (or kept); `out` holds nothing when it cannot be read. */
int plan_describe_upgrade(plan_ops *out, const struct script *s, sql_dialect dialect, mg_error *err);

void plan_ops_release(plan_ops *p);

#endif
