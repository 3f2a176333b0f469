/*
 * history.h: the audit log (its rotated files included) read back as a
 * history for a report: each entry as a typed event (when, who, what, its
 * status, the findings that closed the gate, the overrides and their
 * reasons, Alembic's exit), the events counted per day or week, and the
 * failures grouped by cause (exit code, rule or check, revision).
 *
 * The log is read one line at a time and each entry is summarised as it
 * is read, so a log of any size takes one pass and little memory; only the
 * newest `keep` events are kept whole. With a `since` time, lines older
 * than it are skipped before they are parsed.
 */
#ifndef MGATE_HISTORY_H
#define MGATE_HISTORY_H

#include <stddef.h>

#include "util/buf.h"
#include "util/error.h"
#include "util/strvec.h"

/* The log's files: generation 0 is `path` itself, 1 to HISTORY_GENERATIONS
 * the rotated ones (path.1 the newest of them). audit.c rotates through
 * the same names. */
#define HISTORY_GENERATIONS 5
void history_log_file(buf *out, const char *path, int generation);

/* A time as the audit log writes it ("2026-12-03T20:02:28Z", UTC) in epoch
 * seconds, or -1 for anything else (trailing text, 31 June). */
long long history_parse_time(const char *s);

/* What happened, for the chart and the counts. */
enum history_status {
	HISTORY_OK = 0,     /* the gate opened, the upgrade passed, the drill passed... */
	HISTORY_BLOCKED,    /* the gate closed (check, or an upgrade it refused) */
	HISTORY_FAILED,     /* the step itself failed (Alembic, a restore, a drill) */
	HISTORY_UNVERIFIED, /* an upgrade ran but its verification failed */
	HISTORY_NSTATUS
};

/* The kinds of entry the log holds (and "other" for any other command). */
enum history_kind { HK_CHECK = 0,
		    HK_UPGRADE,
		    HK_ROLLBACK,
		    HK_RESTORE,
		    HK_DRILL,
		    HK_REHEARSE,
		    HK_OTHER,
		    HK_NKIND };

typedef struct history_event {
	long long when; /* epoch seconds */
	char *time;     /* as recorded (UTC, ISO 8601) */
	char *id, *command, *who, *host, *database, *target;
	int kind;         /* enum history_kind */
	int status;       /* enum history_status */
	char *result;     /* in words: "gate open", "passed", "verification failed", ... */
	int exit;         /* mgate's exit code, or -1 when not recorded */
	int alembic_exit; /* -1 when Alembic did not run */
	double ms;        /* how long it took, or -1 */
	char *detail;     /* the revision Alembic stopped in, the way back taken, a drill's failure... or NULL */
	strvec blocking;  /* what closed the gate or failed: "rule-id (revision): message" or "check: summary" */
	strvec causes;    /* the same as grouping keys: "rule:ID", "check:NAME", "revision:REV" */
	strvec overrides; /* "kind: reason" */
} history_event;

/* One period of the timeline: how many events of each kind and status. */
typedef struct history_period {
	long long start; /* epoch seconds, 00:00 UTC of its first day */
	int counts[HK_NKIND][HISTORY_NSTATUS];
} history_period;

/* A cause of failures, with how often it was seen. */
typedef struct history_cause {
	char *key; /* "exit:4", "rule:drop-column", "check:backup", "revision:ab12" */
	size_t count;
	long long last; /* the newest failure it caused (epoch) */
	char *last_id;  /* ... and its correlation id */
} history_cause;

typedef struct history {
	size_t files;    /* log files read (the live one and rotated ones) */
	size_t total;    /* entries in the window */
	size_t skipped;  /* lines that were not entries (not JSON objects, no time or command) */
	size_t older;    /* entries before `since` */
	size_t failures; /* entries whose status is not HISTORY_OK */
	int counts[HK_NKIND][HISTORY_NSTATUS];
	history_event *events; /* the newest `keep`, newest first */
	size_t nevents;
	int weekly; /* periods are weeks (the window spans more than 60 days) */
	history_period *periods;
	size_t nperiods;
	history_cause *causes; /* most frequent first */
	size_t ncauses;
	long long first, last;               /* the oldest and newest entry in the window (epoch), or 0 */
	long long last_drill_ok, last_drill; /* the newest passing drill, the newest drill (epoch), or 0 */
	char *last_drill_id;
} history;

typedef struct history_opts {
	const char *database; /* only entries of this database (the redacted URL), or NULL for all */
	long long since;      /* only entries at or after this time (epoch), or 0 */
	size_t keep;          /* how many of the newest events to keep whole */
} history_opts;

/*
 * Read the log at `path` (path.5 ... path.1, then path). A missing file
 * is an empty history; a file that cannot be read is MG_EENV.
 */
int history_read(history *out, const char *path, const history_opts *o, mg_error *err);

/* The kind's and status's names, for the JSON and the page. */
const char *history_kind_name(int kind);
const char *history_status_name(int status);

void history_release(history *h);

#endif
