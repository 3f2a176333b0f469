/*
 * db.h: one interface to the databases mgate inspects, implemented once
 * for SQLite (db_sqlite.c) and once for PostgreSQL (db_pg.c), in the
 * manner of git's refs backends: a struct of function pointers.
 *
 * mgate opens databases read-only. Errors are one line, name the database
 * (password redacted) and say what to check; they map to exit code 3.
 */
#ifndef MGATE_DB_H
#define MGATE_DB_H

#include <stdio.h>

#include "db/dburl.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/strvec.h"

typedef struct db db;

typedef struct db_version_table {
	const char *table;  /* default "alembic_version" */
	const char *schema; /* NULL for the default schema */
} db_version_table;

/* What one statement did, observed inside a transaction (db_ops.observe). */
typedef struct db_observation {
	int ran;          /* it was executed (statements after a failure are not) */
	strvec locks;     /* "ACCESS EXCLUSIVE on public.users": locks it newly took on tables that existed */
	strvec rewritten; /* tables whose storage it replaced (relfilenode changed): a full rewrite */
	char *error;      /* the server's message when it failed */
} db_observation;

void db_observation_release(db_observation *o);

/* One table's rows, for the data accounting of an upgrade (db_ops.table_counts). */
typedef struct db_table_count {
	char *table;             /* "schema.table" (PostgreSQL) or "table" (SQLite) */
	long long ins, upd, del; /* PostgreSQL: the server's cumulative counters; -1 on SQLite */
	long long rows;          /* live rows: PostgreSQL's estimate, SQLite's exact count; -1 not counted */
	/* SQLite, for a table within the bound: each row's rowid and a hash of its
	 * values, in rowid order (nkeys == rows), so two readings tell exactly which
	 * rows were inserted, updated and deleted */
	long long *keys;
	unsigned long long *hashes;
	size_t nkeys;
	int hashed;
} db_table_count;

typedef struct db_counts {
	db_table_count *v;
	size_t n, alloc;
	int exact; /* counts and hashes (SQLite), not the server's counters */
} db_counts;

void db_counts_release(db_counts *c);

typedef struct db_ops {
	const char *name;
	/* Connect read-only. A SQLite file that does not exist is not created. */
	int (*open)(db **out, const db_url *url, const char *redacted, mg_error *err);
	void (*close)(db *d);
	/* "SQLite 3.40.1", "PostgreSQL 15.4" */
	int (*server_version)(db *d, buf *out, mg_error *err);
	/* The rows of the version table, in table order. *exists is 0 when the
	 * table is absent (an empty database at base). */
	int (*read_versions)(db *d, const db_version_table *vt, strvec *out, int *exists, mg_error *err);
	/* The whole schema as mgate's canonical model (schema.h), a json_t *
	 * the caller releases. */
	int (*snapshot)(db *d, void **out, mg_error *err);
	/* Estimated rows of one table ("schema.table", or "table"); -1 unknown. */
	int (*table_rows)(db *d, const char *table, long long *out, mg_error *err);
	/* The migration lock: pg_advisory_lock on a key derived from `name`
	 * (PostgreSQL), an exclusive lock file beside the database (SQLite).
	 * wait_ms 0 tries once; MG_EAMBIGUOUS when someone else holds it, the
	 * message naming the holder as far as it is known. */
	int (*lock)(db *d, const char *name, long wait_ms, mg_error *err);
	void (*unlock)(db *d, const char *name);
	/* Run one read-only query and return the first column of the first row
	 * as text (NULL for no row or SQL NULL; the caller frees). */
	int (*query_scalar)(db *d, const char *sql, char **out, mg_error *err);
	/* What identifies this database across connections: "sqlite:" and the
	 * file's real path, or "postgresql:" the cluster's system identifier
	 * and "/" the database name. */
	int (*identity)(db *d, buf *out, mg_error *err);
	/* Write a complete backup to `dest` (an existing empty file, mode
	 * 0600) and prove it readable: SQLite's online backup API then
	 * PRAGMA integrity_check on the copy; pg_dump -Fc then pg_restore
	 * --list. `progress` (may be NULL) gets a fraction 0..1. */
	int (*backup)(db *d, const char *dest, void (*progress)(double done, void *ctx), void *ctx, mg_error *err);
	/* The ledger of what mgate applied: `mgate_ledger` beside the version
	 * table (same schema). read: each revision's latest SHA-256, in the
	 * order they were recorded; *exists is 0 without the table. */
	int (*ledger_read)(db *d, const db_version_table *vt, strvec *revisions, strvec *hashes, int *exists,
			   mg_error *err);
	/* write: record rows in one transaction on a separate, writable
	 * connection (the table is created when missing). The only write
	 * mgate itself makes to a database. */
	int (*ledger_write)(db *d, const db_version_table *vt, const strvec *revisions, const strvec *hashes,
			    const char *by, const char *correlation_id, mg_error *err);
	/* Append one audit log line (JSON text) to `mgate_audit` beside the
	 * version table, on a separate writable connection (the table is
	 * created when missing). */
	int (*audit_write)(db *d, const db_version_table *vt, const char *correlation_id, const char *json_line,
			   mg_error *err);
	/* Put the backup file `backup` in place of the database `url` names.
	 * SQLite: copied through the backup API into a temporary file beside
	 * it, integrity-checked, fsync'ed and renamed over it; the previous
	 * file is first linked as `keep` (may be NULL). Refused while a
	 * write-ahead log or hot journal is in use. PostgreSQL: the user
	 * schemas are dropped and the archive restored in one transaction
	 * (pg_restore's SQL relayed into psql, committed only when the archive
	 * was read whole): a failure leaves the database as it was. `copy`: a throw-away copy, restored without owners and
	 * privileges (pg_restore --no-owner --no-privileges). The caller
	 * checks identity, checksum and other sessions. */
	int (*restore)(const db_url *url, const char *redacted, const char *backup, const char *keep, int copy,
		       mg_error *err);
	/* A throw-away database beside `url` named `name`: a file in the
	 * temporary folder (SQLite) or CREATE DATABASE (PostgreSQL). Its URL
	 * goes to `out_url`. drop removes it (failures ignored). */
	int (*scratch_create)(const db_url *url, const char *name, buf *out_url, mg_error *err);
	void (*scratch_drop)(const db_url *url, const char *name);
	/* Run `statements` one by one in one transaction on the database at
	 * `url` and roll it back, recording for each the table locks it took
	 * and the tables it rewrote (out has statements->n entries). A failing
	 * statement ends the run. PostgreSQL only (NULL for SQLite, whose only
	 * lock is the whole database). */
	int (*observe)(const db_url *url, const char *redacted, const strvec *statements, db_observation *out,
		       mg_error *err);
	/* The snapshot written to `out` in canonical form as it is read, for
	 * schemas too large to hold as a tree (NULL: see db_snapshot_write). */
	int (*snapshot_write)(db *d, FILE *out, mg_error *err);
	/* How many other client sessions are connected to the database `d`
	 * is on, into *out: a restore over it waits for none. 0 where that
	 * does not apply (a SQLite file: its restore refuses while a journal
	 * or write-ahead log is in use). */
	int (*other_sessions)(db *d, long *out, mg_error *err);
	/* Every user table's rows (db_counts): PostgreSQL's cumulative counters
	 * of pg_stat_user_tables read afresh; SQLite's exact count of each table
	 * and, for tables of at most `bound` rows, each row's hash. mgate's own
	 * tables and the version table (`vt`; NULL: alembic_version) are left out.
	 * On failure `out` holds nothing. */
	int (*table_counts)(db *d, const db_version_table *vt, long long bound, db_counts *out, mg_error *err);
	/* How many other client sessions did anything since `since` (seconds
	 * since the epoch, the server's clock): their writes are in the
	 * counters too. 0 where it cannot be known (SQLite). */
	int (*active_since)(db *d, double since, long *out, mg_error *err);
	/* restore keeps what it replaces itself (SQLite links the previous
	 * file aside); else the caller backs it up first. */
	int restore_keeps_previous;
} db_ops;

struct db {
	const db_ops *ops;
	char *redacted; /* the URL as it may be printed */
};

extern const db_ops db_sqlite_ops;
extern const db_ops db_pg_ops;

/* The adapter for a URL's dialect. */
const db_ops *db_ops_for(const db_url *u);

/* Parse the URL and connect with the matching adapter. */
int db_open(db **out, const char *url, mg_error *err);
void db_close(db *d);

/* What identifies the database at `url` (`d` connected to it, or NULL):
 * db_ops.identity, else, for a SQLite file that is gone, "sqlite:" and its
 * absolute path; empty when unknown. */
void db_identity_of(buf *out, db *d, const char *url);

/* The schema snapshot of the database at `url` (a json_t *), connecting
 * for it. MG_ECONFIG for a URL that is no database's. */
int db_snapshot_of(void **out, const char *url, mg_error *err);

/* Write the schema snapshot to `out` in canonical form: streamed by the
 * adapter when it can, else its tree dumped. */
int db_snapshot_write(db *d, FILE *out, mg_error *err);

#endif
