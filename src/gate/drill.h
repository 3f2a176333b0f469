/*
 * drill.h: the backup -> restore -> checks exercise that proves the way
 * back works before it is needed.
 *
 * It takes a backup (or, with `newest`, uses the newest one, verified or
 * not: a corrupt one is what a drill must catch), restores it into a
 * scratch database (a temporary SQLite file, or a mgate_drill_<id>
 * database on the same PostgreSQL server, dropped afterwards), and checks
 * it there: the version rows equal the backup's, the schema equals the
 * source's, the invariants hold, and the smoke commands pass against it
 * (MGATE_DATABASE_URL points at the scratch database, MGATE_DRILL=1). The
 * result, with timings, goes to the audit log. The source is only read.
 */
#ifndef MGATE_DRILL_H
#define MGATE_DRILL_H

#include "gate/backup.h"
#include "gate/progress.h"
#include "gate/session.h"
#include "util/buf.h"
#include "util/finding.h"

typedef struct drill_opts {
	int newest; /* use the newest backup instead of taking one */
	const char *correlation_id;
} drill_opts;

enum drill_step { DRILL_PASSED = 0,
		  DRILL_BACKUP,
		  DRILL_RESTORE,
		  DRILL_CHECKS };

typedef struct drill_result {
	int outcome;                                       /* enum mg_outcome: 0 passed, 5 failed, 3 could not run */
	int failed_step;                                   /* enum drill_step */
	char *failure;                                     /* why it failed, or NULL */
	backup_info b;                                     /* the backup drilled with */
	buf scratch;                                       /* the scratch database, redacted */
	findings found;                                    /* the checks on the restored copy */
	double backup_ms, restore_ms, verify_ms, total_ms; /* < 0: the step did not run */
} drill_result;

/* Run a drill on the session's database (which it needs, with its backup
 * folder). The outcome is returned; for MG_OUT_USAGE and MG_OUT_ENV the
 * message is in `err`. */
int drill_run(drill_result *out, session *s, const drill_opts *o, const progress *p, mg_error *err);
void drill_result_release(drill_result *r);

#endif
