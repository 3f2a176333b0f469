/*
 * pg_snapshot.h: the PostgreSQL adapter's schema snapshot, streamed.
 *
 * Writes mgate's canonical snapshot (schema.h) of the database behind
 * `conn` to `out` as it reads the catalogs: the same bytes that dumping
 * the model with schema_write would give, without the model in memory.
 */
#ifndef MGATE_PG_SNAPSHOT_H
#define MGATE_PG_SNAPSHOT_H

#include <stdio.h>

#include <libpq-fe.h>
#include "util/error.h"

/* `server` is the server's version text for the document; `redacted` the
 * URL for messages. Opens one more session with the same parameters to
 * read the columns meanwhile, when it can (else reads all on `conn`).
 * MG_EENV when a query or the write fails. */
int pg_snapshot_stream(FILE *out, PGconn *conn, const char *server, const char *redacted, mg_error *err);

#endif
