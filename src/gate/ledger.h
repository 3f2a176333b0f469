/*
 * ledger.h: the ledger of what mgate applied: the SHA-256 of each revision
 * script as it was when it ran, in the mgate_ledger table beside the
 * version table. An applied revision whose file now hashes differently was
 * edited after it ran: the edit never reached the database, and the gate
 * closes on it.
 *
 * Each entry also keeps two more SHA-256s, of the code with comments and
 * blank lines left out: the whole file's, and the code outside
 * downgrade() (the three share the sha256 column, separated by spaces).
 * An edit that changes only comments or blank lines is information; one
 * confined to downgrade() changes the way back, not what ran, and is a
 * warning. Entries recorded with one hash tell no such difference.
 */
#ifndef MGATE_LEDGER_H
#define MGATE_LEDGER_H

#include "alembic/revmap.h"
#include "alembic/script.h"
#include "db/db.h"
#include "util/error.h"
#include "util/strvec.h"

/* Record the revisions `steps` (indexes into m) as applied, under the
 * correlation id `id`, by the user running mgate. */
int ledger_record(db *d, const db_version_table *vt, const revmap *m, const int *steps, size_t n, const char *id,
		  mg_error *err);

enum ledger_state { LEDGER_MATCHES,
		    LEDGER_GONE,
		    LEDGER_EDITED,
		    LEDGER_DOWNGRADE_EDITED, /* only downgrade() changed (and comments) */
		    LEDGER_COSMETIC /* only comments or blank lines changed */ };

/* How the script `s` compares with what the ledger recorded for it
 * (`stored`: the sha256 column's value); `now` gets the file's SHA-256
 * (empty when unreadable). LEDGER_MATCHES when the file cannot be read
 * (the scan reports that on its own). */
int ledger_compare(const script *s, const char *stored, char now[65]);

/* One recorded revision, as `mgate ledger` shows it. */
typedef struct ledger_entry {
	char *revision;
	char *sha256;
	int state; /* enum ledger_state: compared with its file now */
} ledger_entry;

typedef struct ledger_list {
	int exists;      /* the ledger table exists */
	ledger_entry *v; /* in the order they were recorded */
	size_t n;
	size_t bad;      /* entries edited or gone */
	size_t way_back; /* entries whose downgrade() alone changed */
} ledger_list;

/* The ledger of `d`, each entry compared with the graph's scripts. */
int ledger_read(ledger_list *out, db *d, const db_version_table *vt, const revmap *m, mg_error *err);
void ledger_list_release(ledger_list *l);

/*
 * Record today's hashes of the revisions applied to a database (by its
 * version rows `rows`) that the ledger lacks: for a database upgraded
 * before mgate. *recorded and *already say how many. MG_EFINDINGS (with
 * the message) when the graph is broken or a row names no script.
 */
int ledger_baseline(size_t *recorded, size_t *already, db *d, const db_version_table *vt, const revmap *m,
		    const strvec *rows, mg_error *err);

/* What happened to the ledger across a restore. */
typedef struct ledger_restored {
	size_t kept;     /* applied revisions the restored database's own ledger has */
	size_t carried;  /* ... it lacked, and the ledger from before the restore had: written back */
	size_t recorded; /* ... neither had: recorded from the files now */
	strvec dropped;  /* revisions the ledger had before that are no longer applied */
} ledger_restored;

/*
 * After a restore: make the restored database's ledger cover the
 * revisions its version rows `rows` say are applied, taking each missing
 * entry from the ledger read before the restore (`pre_revs`/`pre_hashes`,
 * their original hashes) or, failing that, from the file now. `out` says
 * which. MG_EFINDINGS when the graph is broken or a row names no script.
 */
int ledger_after_restore(ledger_restored *out, db *d, const db_version_table *vt, const revmap *m, const strvec *rows,
			 const strvec *pre_revs, const strvec *pre_hashes, const char *id, mg_error *err);
void ledger_restored_release(ledger_restored *r);

#endif
