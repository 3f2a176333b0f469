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

#include "alembic/config.h"
#include "alembic/revmap.h"
#include "db/db.h"
#include "gate/data.h"
#include "gate/progress.h"
#include "lint/sqlcheck.h"
#include "util/finding.h"

/* Compare `before` and `after` (schema snapshots, json_t *) with what the
 * revisions `applied` (indexes into m, in order) declare. Findings go to
 * `out`; `version_table` is ignored in the diff. */
int verify_schema(findings *out, const void *before, const void *after, const revmap *m, const int *applied,
		  size_t napplied, sql_dialect dialect, const char *version_table, mg_error *err);

/* The same for a downgrade: the revisions `undone` (in order) declare
 * what their downgrade() changes. */
int verify_schema_down(findings *out, const void *before, const void *after, const revmap *m, const int *undone,
		       size_t nundone, sql_dialect dialect, const char *version_table, mg_error *err);

/* The rows an upgrade changed (`r`) against what the revisions `applied`
 * declare: rows deleted from a table that no applied operation deletes
 * from (DELETE, TRUNCATE, a Core delete, a dropped table) are an
 * `undeclared-data-loss` error (a warning when other sessions were writing
 * too), naming the table, the count, the revisions that ran and `way_back`;
 * undeclared updates are an `undeclared-data-change` warning. */
int verify_data(findings *out, const data_report *r, const revmap *m, const int *applied, size_t napplied,
		sql_dialect dialect, const char *way_back, mg_error *err);

/* Every difference between the snapshot `want` and `have` (json_t *),
 * except in mgate's own tables and the version table, as a
 * `schema-differs` error naming `label` (where `want` comes from).
 * Returns how many. */
int verify_same_schema(findings *out, const void *want, const void *have, const char *version_table,
		       const char *label);

/* The invariants of [mgate] run on `d`: each failure is an error finding
 * in `out`. */
void verify_invariants(findings *out, const mgate_config *cfg, db *d);

/* Run the smoke commands of [mgate] (argv, no shell, smoke_timeout seconds
 * each; their output goes to standard error), with `env` ("NAME=value",
 * may be NULL) added to their environment. A failure is an error finding
 * in `out`; each command is announced through `p`. Returns how many ran. */
int verify_smoke(findings *out, const mgate_config *cfg, const strvec *env, const progress *p);

/* Is the database at `target`? `rows` (version rows) against the graph:
 * a row no script defines and pending steps are error findings in `out`.
 * MG_ENOTFOUND or MG_EAMBIGUOUS (message in err) for a target the graph
 * cannot resolve. */
int verify_at_target(findings *out, const revmap *m, const strvec *rows, const char *target, mg_error *err);

struct session;

/*
 * `mgate verify`: is the session's database at `target`, do the
 * invariants hold, does its schema equal the snapshot file `against` (may
 * be NULL), do the smoke commands pass? Each failure is an error finding
 * in `out`. MG_ECONFIG for a target the graph cannot resolve, MG_EENV when
 * the snapshot or the schema cannot be read.
 */
int verify_database(findings *out, const struct session *s, const char *target, const char *against,
		    const progress *p, mg_error *err);

#endif
