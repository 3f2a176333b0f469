/*
 * rehearse.h: the pending upgrade, run on a throw-away copy before
 * production sees it.
 *
 * The newest backup of this database that verifies (one is taken when
 * there is none) is restored into a scratch database. Alembic is pointed
 * at it through a copy of alembic.ini beside the original (same %(here)s)
 * whose sqlalchemy.url names the scratch database, and runs the plan one
 * revision at a time, timed. On PostgreSQL each revision's statements
 * (from `alembic upgrade --sql`) are first run one by one in a transaction
 * that is rolled back, to see the table locks each takes and the tables it
 * rewrites (relfilenode changes). Then the result is verified, and the
 * downgrade is run to prove the schema comes back as it started (the round
 * trip). The real database is only read, and its version rows are checked
 * after every step: if env.py ignored the URL mgate gave it, the rehearsal
 * stops at once.
 */
#ifndef MGATE_REHEARSE_H
#define MGATE_REHEARSE_H

#include "db/db.h"
#include "gate/backup.h"
#include "gate/data.h"
#include "gate/progress.h"
#include "gate/session.h"
#include "util/buf.h"
#include "util/finding.h"
#include "util/strvec.h"

typedef struct rehearse_step {
	int rev; /* index into the session's graph */
	double ms;
	int status;          /* Alembic's exit */
	strvec sql;          /* its statements, from `alembic upgrade --sql` */
	db_observation *obs; /* one per statement (PostgreSQL), or NULL */
	const char *note;    /* why there is no observation */
	data_report data;    /* the rows each table gained, lost and changed on the copy */
	/* PostgreSQL: the tables the revision names, each one's exact rows and a
	 * checksum of its rows before and after it ran ("N md5"; NULL: no table) */
	strvec sum_tables;
	char **sum_before, **sum_after;
} rehearse_step;

typedef struct rehearse_result {
	int outcome;   /* enum mg_outcome */
	int nothing;   /* the backup is already at the target */
	backup_info b; /* the backup the copy came from */
	buf scratch;   /* the copy, redacted */
	rehearse_step *steps;
	size_t n, done;
	findings verify;   /* the copy after the upgrade */
	strvec round_cmds; /* the downgrades of the round trip */
	buf round_problem;
	int round_ok;
	findings round;      /* differences after the round trip */
	const char *failure; /* why the rehearsal failed, or NULL */
} rehearse_result;

typedef struct rehearse_opts {
	const char *target; /* NULL: heads */
	int keep;           /* keep the scratch database */
	const char *correlation_id;
} rehearse_opts;

/* Rehearse on a copy of the session's database. The outcome is returned;
 * for a refusal, MG_OUT_USAGE and MG_OUT_ENV the message is in `err`. */
int rehearse_run(rehearse_result *out, session *s, const rehearse_opts *o, const progress *p, mg_error *err);

/* The rehearsal as a JSON object (a json_t *): the report `--format json`
 * prints and the audit log keeps. */
void *rehearse_json(const rehearse_result *r, const session *s);

void rehearse_result_release(rehearse_result *r);

#endif
