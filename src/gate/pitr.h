/*
 * pitr.h: point-in-time recovery evidence from pgBackRest, for databases
 * too large for mgate's own dumps (`backup_method = pgbackrest`).
 *
 * The backup check passes on this evidence instead of a dump: the
 * stanza's state in `pgbackrest info --output=json` (its status, the
 * newest full, differential or incremental backup and its age, the WAL it
 * needs archived), the stanza's cluster matching the database's
 * (pg_control_system's system identifier), and WAL archiving working and
 * up to date (pg_stat_archiver: no failure since the last success, and
 * the segment before the one being written archived). mgate never runs a
 * point-in-time recovery: rollback and restore print the exact pgBackRest
 * command, with the target time just before the upgrade.
 */
#ifndef MGATE_PITR_H
#define MGATE_PITR_H

#include "alembic/config.h"
#include "db/db.h"
#include "util/buf.h"
#include "util/error.h"

/* Is backup_method pgbackrest? */
int pitr_enabled(const mgate_settings *set);

typedef struct pitr_evidence {
	int ok;      /* the backup check passes on it */
	buf summary; /* the evidence, or what is wrong, in one line */
	buf next;    /* what to do when not ok */
	/* what was read (empty or 0 when not) */
	char *newest_label, *newest_type;
	long long newest_stop; /* epoch seconds */
	char *last_archived_wal;
} pitr_evidence;

/*
 * Gather the evidence for the database `d` (PostgreSQL) as the settings
 * `set` describe it, a backup counting as fresh for `max_age` seconds.
 * Always fills `out` (out->ok says whether the check passes); returns 0,
 * or MG_ECONFIG when the settings cannot work (no stanza, not PostgreSQL),
 * with the message in `err`.
 */
int pitr_check(pitr_evidence *out, const mgate_settings *set, db *d, long long max_age, mg_error *err);
void pitr_evidence_release(pitr_evidence *e);

/* The command that restores the stanza to the time `target` (epoch
 * seconds, UTC), as argv words joined for a person to run: `pgbackrest
 * [--config=...] --stanza=S --type=time "--target=YYYY-MM-DD HH:MM:SS+00"
 * --target-action=promote --delta restore`. */
void pitr_restore_command(buf *out, const mgate_settings *set, long long target);

/* The refusal of a restore mgate does not run (MG_OUT_BLOCKED, the
 * message in `err`): the command to `target` (epoch seconds, just before
 * the upgrade) and how to run it; or, with no target known (0), how to
 * choose one. */
int pitr_refuse(mg_error *err, const mgate_settings *set, long long target);

#endif
