/*
 * sqliteapi.h: SQLite, loaded on first use (util/dynlib.h).
 *
 * Only SQLite databases need it, and mapping it cost every other command
 * (PostgreSQL ones, the graph commands, `mgate ci`) about 1.2 ms of
 * start-up. db_sqlite.c and `mgate doctor` call it through
 * `mg_sqlite.sqlite3_...(...)`; the table is filled once per process.
 */
#ifndef MGATE_SQLITEAPI_H
#define MGATE_SQLITEAPI_H

#include <sqlite3.h>

#include "util/error.h"

#define SQLITEAPI_FUNCS(X) \
	X(sqlite3_backup_finish) X(sqlite3_backup_init) X(sqlite3_backup_pagecount) X(sqlite3_backup_remaining) \
	X(sqlite3_backup_step) X(sqlite3_bind_text) X(sqlite3_busy_timeout) X(sqlite3_close) X(sqlite3_column_int) \
	X(sqlite3_column_int64) X(sqlite3_column_text) X(sqlite3_column_type) X(sqlite3_errmsg) X(sqlite3_errstr) \
	X(sqlite3_exec) X(sqlite3_finalize) X(sqlite3_libversion) X(sqlite3_open_v2) X(sqlite3_prepare_v2) \
	X(sqlite3_reset) X(sqlite3_sleep) X(sqlite3_step) X(sqlite3_table_column_metadata)

typedef struct sqlite_api {
#define SQLITEAPI_SLOT(f) __typeof__(f) *f;
	SQLITEAPI_FUNCS(SQLITEAPI_SLOT)
#undef SQLITEAPI_SLOT
} sqlite_api;

extern sqlite_api mg_sqlite;

/* Load SQLite once; MG_EENV naming the package when it cannot be. */
int sqliteapi_load(mg_error *err);

#endif
