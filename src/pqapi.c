/*
 * pqapi.c: the libpq function table (pqapi.h).
 */
#include "pqapi.h"

#include "util/dynlib.h"
#include "util/banned.h"

pq_api mg_pq;

int pqapi_load(mg_error *err)
{
	static int loaded;
	static const dynlib_sym syms[] = {
#define PQAPI_SYM(f) { #f, &mg_pq.f },
		PQAPI_FUNCS(PQAPI_SYM)
#undef PQAPI_SYM
	};
	int rc;

	if (loaded)
		return MG_OK;
	if ((rc = dynlib_load(MGATE_LIBPQ_SONAME, "libpq5", syms, sizeof(syms) / sizeof(syms[0]), err)) == MG_OK)
		loaded = 1;
	return rc;
}
