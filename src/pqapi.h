/*
 * pqapi.h: libpq, loaded on first use (util/dynlib.h).
 *
 * db_pg.c and `mgate doctor` call libpq through `mg_pq.PQexec(...)`. The
 * table is filled once per process by pqapi_load; until then every
 * pointer is NULL.
 */
#ifndef MGATE_PQAPI_H
#define MGATE_PQAPI_H

#include <libpq-fe.h>

#include "util/error.h"

#define PQAPI_FUNCS(X)                                                                                            \
	X(PQclear) X(PQconnectdbParams) X(PQconninfo) X(PQconninfoFree) X(PQdb) X(PQerrorMessage)             \
	X(PQescapeIdentifier) X(PQexec) X(PQexecParams) X(PQfinish) X(PQfreemem) X(PQgetisnull)                \
	X(PQgetvalue) X(PQlibVersion) X(PQnfields) X(PQntuples) X(PQresultStatus) X(PQserverVersion)           \
	X(PQsendQuery) X(PQgetResult) X(PQescapeLiteral) X(PQhost) X(PQhostaddr) X(PQport) X(PQstatus)         \
	X(PQconsumeInput) X(PQisBusy) X(PQsocket)

typedef struct pq_api {
#define PQAPI_SLOT(f) __typeof__(f) *f;
	PQAPI_FUNCS(PQAPI_SLOT)
#undef PQAPI_SLOT
} pq_api;

extern pq_api mg_pq;

/* Load libpq once; MG_EENV naming the package when it cannot be. */
int pqapi_load(mg_error *err);

#endif
