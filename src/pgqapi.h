/*
 * pgqapi.h: libpg_query, loaded on first use (util/dynlib.h).
 *
 * The PostgreSQL parser is 7 MB of shared library that only the commands
 * reading SQL need (lint, plan, the gate, rollback); loading it at start-up
 * cost every other command about 2 ms. sqlcheck.c calls it through
 * `mg_pgq.pg_query_...(...)`; the table is filled once per process.
 */
#ifndef MGATE_PGQAPI_H
#define MGATE_PGQAPI_H

#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>

#include "util/error.h"

#define PGQAPI_FUNCS(X) \
	X(pg_query_parse_protobuf) X(pg_query_free_protobuf_parse_result) X(pg_query__parse_result__unpack) \
	X(pg_query__parse_result__free_unpacked) X(pg_query_split_with_parser) X(pg_query_free_split_result)

typedef struct pgq_api {
#define PGQAPI_SLOT(f) __typeof__(f) *f;
	PGQAPI_FUNCS(PGQAPI_SLOT)
#undef PGQAPI_SLOT
} pgq_api;

extern pgq_api mg_pgq;

/* Load libpg_query once; MG_EENV naming the package when it cannot be.
 * Single-threaded, like every caller. */
int pgqapi_load(mg_error *err);

#endif
