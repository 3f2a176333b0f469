/*
 * pgqapi.c: the libpg_query function table (pgqapi.h).
 */
#include "pgqapi.h"

#include "util/dynlib.h"
#include "util/banned.h"

pgq_api mg_pgq;

int pgqapi_load(mg_error *err)
{
#define SYM(f) { #f, &mg_pgq.f },
	static const dynlib_sym syms[] = { PGQAPI_FUNCS(SYM) };
#undef SYM
	static dynlib lib = DYNLIB_INIT(MGATE_LIBPG_QUERY_SONAME, "libpg-query1504.0", syms);

	return dynlib_load(&lib, err);
}
