/*
 * scratch.h: a throw-away database beside the real one, for drills and
 * rehearsals: a file in the temporary folder (SQLite) or a database made
 * with CREATE DATABASE on the same server (PostgreSQL).
 */
#ifndef MGATE_SCRATCH_H
#define MGATE_SCRATCH_H

#include "db/db.h"
#include "db/dburl.h"
#include "util/buf.h"

typedef struct scratch {
	db_url u; /* the source database's URL (its dialect picks the adapter) */
	int parsed, made;
	buf name, url, redacted; /* `url` may hold the password: print `redacted` */
} scratch;

/* Create `<prefix>_<id>` beside the database at `source_url`. 0, or MG_*
 * with the reason in `err`. */
int scratch_create(scratch *s, const char *source_url, const char *prefix, const char *id, mg_error *err);

/* Drop it (unless `keep`) and release `s`; an empty (zeroed) `s` is fine. */
void scratch_release(scratch *s, int keep);

#endif
