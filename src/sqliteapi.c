/*
 * sqliteapi.c: the SQLite function table (sqliteapi.h).
 */
#include "sqliteapi.h"

#include "util/dynlib.h"
#include "util/banned.h"

sqlite_api mg_sqlite;

int sqliteapi_load(mg_error *err)
{
#define SYM(f) { #f, &mg_sqlite.f },
	static const dynlib_sym syms[] = { SQLITEAPI_FUNCS(SYM) };
#undef SYM
	static dynlib lib = DYNLIB_INIT(MGATE_LIBSQLITE3_SONAME, "libsqlite3-0", syms);

	return dynlib_load(&lib, err);
}
