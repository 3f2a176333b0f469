/*
 * verify.h: after an upgrade, did the schema change the way the applied
 * revisions said it would?
 *
 * The declared effects come from the applied revisions' operations (op.*
 * calls and the SQL they run): tables created and dropped, columns added
 * and dropped, tables touched. The schema diff between the snapshot taken
 * before and the one taken after must show every unconditional declared
 * effect, and nothing the operations cannot explain. An unexplained change
 * is an error when every applied revision was fully visible to mgate, and
 * a warning when one of them had opaque code (a loop, a helper, SQL built
 * at run time).
 */
#ifndef MGATE_VERIFY_H
#define MGATE_VERIFY_H

#include "util/finding.h"
#include "alembic/revmap.h"
#include "lint/sqlcheck.h"

/* Compare `before` and `after` (schema snapshots, json_t *) with what the
 * revisions `applied` (indexes into m, in order) declare. Findings go to
 * `out`; `version_table` is ignored in the diff. */
int verify_schema(findings *out, const void *before, const void *after, const revmap *m, const int *applied,
		  size_t napplied, sql_dialect dialect, const char *version_table, mg_error *err);

/* Every difference between the snapshot `want` and `have` (json_t *),
 * except in mgate's own tables and the version table, as a
 * `schema-differs` error naming `label` (where `want` comes from).
 * Returns how many. */
int verify_same_schema(findings *out, const void *want, const void *have, const char *version_table,
		       const char *label);

#endif
