/*
 * pqapi.c: the libpq function table (pqapi.h).
 */
#include "pqapi.h"

#include "util/dynlib.h"
#include "util/banned.h"

pq_api mg_pq;

int pqapi_load(mg_error *err)
{
#define SYM(f) { #f, &mg_pq.f },
	static const dynlib_sym syms[] = { PQAPI_FUNCS(SYM) };
#undef SYM
	static dynlib lib = DYNLIB_INIT(MGATE_LIBPQ_SONAME, "libpq5", syms);

	return dynlib_load(&lib, err);
}
