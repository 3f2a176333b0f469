/*
 * rowcount.h: how many rows a DELETE or UPDATE of a pending revision would
 * touch, before anything runs, for `mgate plan` and the gate's limits
 * (max_rows_deleted, max_rows_rewritten).
 */
#ifndef MGATE_ROWCOUNT_H
#define MGATE_ROWCOUNT_H

#include "db/db.h"
#include "lint/plan.h"
#include "lint/sqlcheck.h"

/* The estimated rows of `table` ("schema.table" or "table"; -1 unknown,
 * or no database). */
long long rowcount_table(db *d, const char *table);

#define ROWCOUNT_EXACT_ROWS 100000LL

/* How many rows `op` (a DELETE or UPDATE of plan_describe) would touch on
 * `d`, never running it: exact on SQLite and on a PostgreSQL table of at
 * most ROWCOUNT_EXACT_ROWS rows (a count with the statement's WHERE), else
 * the planner's estimate (EXPLAIN in the read-only session); a statement
 * without WHERE touches the whole table; a Core statement with a WHERE is
 * at most the table. *basis says which ("exact", "estimate", "at most");
 * -1 when it cannot be known (the table is created by an earlier step). */
long long rowcount_touched(const char **basis, db *d, sql_dialect dialect, const plan_op *op);

#endif
