/*
 * session.h: everything a command about one database needs, resolved
 * once: the project (configuration, scripts, graph), the rule catalogue,
 * the database URL by precedence, the version table, a read connection
 * with the version rows and the server's version, the PostgreSQL version
 * to judge for, the backup folder, the migration lock's name and where
 * audit entries go.
 *
 * The core's orchestration (checklist, upgrade, rollback, restore, drill,
 * rehearsal) starts from a session; the CLI opens one from its flags.
 */
#ifndef MGATE_SESSION_H
#define MGATE_SESSION_H

#include "alembic/project.h"
#include "db/db.h"
#include "gate/audit.h"
#include "gate/checklist.h"
#include "lint/lint.h"
#include "lint/rules.h"
#include "util/buf.h"
#include "util/strvec.h"

enum session_db {
	SESSION_NO_DB = 0,   /* the project only */
	SESSION_DB_OPTIONAL, /* a database that cannot be reached is recorded in dberr (the checklist says so) */
	SESSION_DB_REQUIRED, /* a database that cannot be reached is an error */
	SESSION_DB_IF_URL    /* as SESSION_DB_OPTIONAL when a URL is given or configured, else SESSION_NO_DB */
};

typedef struct session_opts {
	project_opts project;
	int db;                    /* enum session_db */
	int rules;                 /* load the rule catalogue */
	const char *db_url;        /* --db (else MGATE_DATABASE_URL, else sqlalchemy.url) */
	const char *version_table; /* --version-table (else [mgate], else alembic_version) */
	const char *version_table_schema;
	const char *backup_dir;  /* --backup-dir (else backup_dir in [mgate]) */
	const char *rules_dir;   /* --rules (else rules in [mgate]) */
	const char *pg_version;  /* --pg-version as given (else the server's, else [mgate], else 15) */
	int strict;              /* --strict (or strict in [mgate]) */
	int audit_table;         /* --audit-table (or audit_table in [mgate]) */
	int scratch;             /* the command makes throw-away copies (drill, rehearse): resolve scratch_url */
	const char *scratch_url; /* --scratch-url (else scratch_url in [mgate], else the database's own server) */
} session_opts;

typedef struct session {
	project p;
	ruleset rules;
	lint_opts lo;
	const char *url; /* the database URL; it may hold a password: print `where` */
	db *d;           /* the read connection; NULL when there is none (dberr says why) */
	buf dberr;
	db_version_table vt;
	strvec rows;      /* the version rows, read when the session opened */
	int reached;      /* the database could be connected to (its version table maybe not read) */
	int vt_exists;    /* the version table exists */
	buf where;        /* the URL, redacted */
	buf server;       /* "PostgreSQL 15.4", "SQLite 3.40.1" */
	buf lock;         /* the migration lock's name */
	char *backup_dir; /* absolute, or NULL */
	audit_sink audit;
	const char *pg_version_source; /* "option", "server", "config" or "default" */
	const char *scratch_url;       /* where throw-away copies go (scratch_create's source), may hold a password */
} session;

/*
 * Open a session. MG_ECONFIG (exit 2) for the configuration, the rules, a
 * missing database URL or a bad value; MG_EENV (exit 3) when the scripts
 * or a required database cannot be read. On failure `s` holds what was
 * loaded so far and must still be closed.
 */
int session_open(session *s, const session_opts *o, mg_error *err);

/* Where drills and rehearsals make their throw-away databases: `given`
 * (--scratch-url, or scratch_url in [mgate]; `what` says which, for the
 * message) when set, else beside the database itself. It must be a
 * PostgreSQL URL when the database is PostgreSQL's. MG_ECONFIG. */
int session_scratch(session *s, const char *given, const char *what, mg_error *err);

/* Connect to the session's database (opened with SESSION_NO_DB) and read
 * its version rows; as session_open does with SESSION_DB_REQUIRED when
 * `required`, else SESSION_DB_OPTIONAL. */
int session_connect(session *s, int required, mg_error *err);

/* Close the read connection (Alembic writes; mgate's session steps aside). */
void session_disconnect(session *s);

/* What identifies the session's database (db_identity_of). */
void session_identity(buf *out, const session *s);

/* The database URL by precedence: `opt`, then MGATE_DATABASE_URL, then the
 * ini's sqlalchemy.url (any may be NULL). */
const char *session_database_url(const char *opt, const char *from_ini);

/* What the checklist is asked. */
typedef struct checklist_request {
	const char *target;  /* NULL: heads */
	const strvec *allow; /* rules accepted for this run (--allow), or NULL */
	const char *allow_reason;
	const char *skip_backup_reason; /* --no-backup-check --reason, or NULL */
	int lock_held;                  /* the caller holds the migration lock */
} checklist_request;

/* Take the migration lock `name` on `lockdb` (a connection of its own):
 * at once; or, when another run holds it and `wait_s` > 0, after saying
 * through `p` that it waits and for whom, within `wait_s` seconds. 0, or
 * MG_EAMBIGUOUS (held; the message names the holder) or MG_EENV. */
int session_lock(db *lockdb, const char *name, long wait_s, const progress *p, mg_error *err);

/* Run the checklist on the session's database. */
int session_checklist(checklist_result *out, const session *s, const checklist_request *req, mg_error *err);

/* Record the checklist's decision (`mgate check`) in the audit log. */
void session_audit_check(const session *s, const checklist_request *req, const checklist_result *g, int exit,
			 const char *correlation_id, const progress *p);

/* An audit head for `command` on the session's database. */
audit_head session_audit_head(const session *s, const char *command, const char *correlation_id);

void session_close(session *s);

#endif
