/*
 * data.h: what an upgrade did to the rows, table by table.
 *
 * Two readings of the database (db_ops.table_counts), one before Alembic
 * runs and one after, become per-table figures: rows inserted, updated and
 * deleted. On PostgreSQL they are the differences of the server's
 * cumulative counters (pg_stat_user_tables), which include what other
 * sessions wrote meanwhile (`concurrent` says whether any did). On SQLite
 * they are exact: each row's hash, by rowid, in both readings, for tables
 * up to DATA_HASH_BOUND rows (above it, only the count is compared).
 * verify_data (verify.h) holds the figures against what the applied
 * revisions declare.
 */
#ifndef MGATE_DATA_H
#define MGATE_DATA_H

#include "db/db.h"

/* Tables of more rows than this are counted on SQLite, not hashed. */
#define DATA_HASH_BOUND 1000000LL

typedef struct data_table {
	char *table;
	long long inserted, updated, deleted; /* -1: not known */
	long long before, after;              /* rows (an estimate on PostgreSQL); -1: the table was not there */
	int dropped, created;                 /* the table went, or came */
} data_table;

typedef struct data_report {
	data_table *v; /* only tables whose rows changed */
	size_t n;
	int measured;        /* both readings were taken */
	int exact;           /* SQLite's exact figures, not the server's counters */
	long concurrent;     /* other sessions that were active during the run (PostgreSQL) */
	size_t counted_only; /* tables compared by count alone (above the bound, or without rowid) */
	int rolled_back;     /* a transaction was rolled back meanwhile, and the server's counters count its
				rows too (a failed upgrade on PostgreSQL) */
} data_report;

/* One reading of `d`'s tables. */
int data_measure(db_counts *out, db *d, const db_version_table *vt, mg_error *err);

/* One reading after a child process (Alembic) used the database: first
 * waits, up to 3 s, until no more sessions than `sessions_before` are
 * connected, since PostgreSQL writes a session's counters when it ends. */
int data_measure_settled(db_counts *out, db *d, const db_version_table *vt, long sessions_before, mg_error *err);

/* The figures between two readings; `concurrent` as the server saw it. */
void data_account(data_report *out, const db_counts *before, const db_counts *after, long concurrent);

/* The figures as JSON: {"exact", "concurrent_sessions", "counted_only",
 * "tables": {name: {"inserted", "updated", "deleted", "rows_before",
 * "rows_after"}}}, a json_t *; JSON null when nothing was measured. */
void *data_json(const data_report *r);

void data_report_release(data_report *r);

#endif
