/*
 * config.h: where an Alembic project's pieces are, resolved the way
 * Alembic resolves them from alembic.ini.
 *
 * script_location and version_locations follow Alembic: relative paths
 * are taken from the current directory (use %(here)s for the ini's
 * folder), version_locations is split by path_separator or
 * version_path_separator (or Alembic's legacy space/comma rule).
 *
 * mgate's own settings live in the [mgate] section of the same file. They
 * are all read here, once, into mgate_settings: every number, duration,
 * path and name is checked as it is read, and a bad or unknown key is an
 * MG_ECONFIG error naming the file, line, key and value and saying what is
 * expected. No other module reads [mgate] (docs/cli.md lists every key).
 */
#ifndef MGATE_CONFIG_H
#define MGATE_CONFIG_H

#include "alembic/inifile.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/strvec.h"

/* Which Alembic release's loading rules to follow. Alembic 1.10 began to
 * sort revision files and to support recursive version locations; before
 * it, files load in directory order. */
typedef struct alembic_compat {
	int major, minor;
	const char *source; /* "config", "option", "detected" or "default" */
} alembic_compat;

typedef struct config_opts {
	const char *ini_path;        /* -c; NULL means ./alembic.ini */
	const char *section;         /* --name; NULL means "alembic" */
	const char *script_location; /* --script-location: no ini needed */
	const char *alembic_version; /* --alembic-version X.Y */
	int no_cache;                /* --no-cache */
} config_opts;

#define CONFIG_OPTS_INIT                  \
	{                                 \
		NULL, NULL, NULL, NULL, 0 \
	}

/* smoke.<name> = command args: a command verification runs (argv, no shell). */
typedef struct config_smoke {
	char *name;
	strvec argv;
	int line;
} config_smoke;

/* invariant.<name> = SQL => expected, or a [name] section of invariants_file
 * with `sql` and `expect`: an assertion the gate runs. */
typedef struct config_invariant {
	char *name, *sql, *expect;
} config_invariant;

/* accept = <revision>:<rule> -- <reason>, one per line: a finding of one
 * revision accepted without editing the revision (an applied one, say). */
typedef struct config_accept {
	char *revision, *rule, *reason;
	int line; /* its line in the ini */
} config_accept;

/* rule.<id> = error|warning|info|off: one rule's severity changed. */
typedef struct config_rule {
	char *id, *severity;
	int line;
} config_rule;

/* The [mgate] section, typed (defaults filled in). Paths are absolute,
 * taken from the ini's folder. */
typedef struct mgate_settings {
	/* reading the project */
	int scan_cache;             /* scan_cache (default on) */
	char *version_table;        /* version_table, or NULL */
	char *version_table_schema; /* version_table_schema, or NULL */
	/* judging revisions */
	char *rules_dir;    /* rules, or NULL */
	config_rule *rules; /* rule.<id> */
	size_t nrules;
	int strict;             /* strict */
	config_accept *accepts; /* accept lines */
	size_t naccepts;
	char *dialect;  /* dialect: "postgresql", "sqlite" or NULL */
	int pg_version; /* pg_version, 0 when unset */
	/* CI */
	strvec model_paths; /* model_paths globs */
	char *sum_file;     /* sum_file, or NULL */
	/* the gate */
	char *backup_dir;             /* backup_dir, or NULL */
	long long backup_max_age;     /* backup_max_age, in seconds (a bare number is hours; default 24 h) */
	char *backup_method;          /* backup_method: "mgate" (NULL) or "pgbackrest" */
	char *pgbackrest_stanza;      /* pgbackrest_stanza, or NULL */
	char *pgbackrest_config;      /* pgbackrest_config, or NULL */
	strvec pgbackrest_cmd;        /* pgbackrest_cmd, split (empty: pgbackrest) */
	long long drill_max_age;      /* drill_max_age, in seconds (given in days; 0: no drill required) */
	long long max_rows_deleted;   /* max_rows_deleted: a pending DELETE may touch at most this many (-1: no limit) */
	long long max_rows_rewritten; /* max_rows_rewritten: ... and an UPDATE (-1: no limit) */
	config_invariant *invariants; /* invariant.<name>, then invariants_file's */
	size_t ninvariants;
	char *invariants_file; /* invariants_file, or NULL */
	strvec alembic_cmd;    /* alembic_cmd words; empty: `alembic`, else `python3 -m alembic` */
	config_smoke *smoke;   /* smoke.<name>, in file order */
	size_t nsmoke;
	long long smoke_timeout;       /* smoke_timeout, seconds (default 30) */
	int audit_table;               /* audit_table */
	char *audit_log;               /* audit_log, or NULL */
	long long audit_log_max_bytes; /* audit_log_max_bytes (default 10 MiB; 0: never rotate) */
	long long lock_retries;        /* lock_retries (default 0) */
	long long lock_retry_wait;     /* lock_retry_wait, seconds (default 10) */
	char *lock_timeout;            /* lock_timeout, a PostgreSQL duration (default "5s") */
	char *statement_timeout;       /* statement_timeout, or NULL */
	char *rehearse_url_env;        /* rehearse_url_env, or NULL */
	char *scratch_url;             /* scratch_url: the server for throw-away copies, or NULL */
	int rehearse_env_checked;      /* rehearse_env_checked */
} mgate_settings;

/* The keys [mgate] may hold, for the documentation and completion: the
 * i-th key's name ("backup_dir", or a prefix such as "smoke.") and its help
 * in a few words; NULL past the end. */
size_t config_key_count(void);
const char *config_key(size_t i, const char **help);

typedef struct mgate_config {
	char *ini_path; /* absolute, or NULL when none was read */
	char *section;
	char *here;               /* the ini's folder */
	char *script_location;    /* absolute */
	strvec version_locations; /* absolute folders, in order */
	int version_locations_given;
	int recursive; /* recursive_version_locations = true */
	int sourceless;
	char *sqlalchemy_url; /* may be NULL; may hold a password: never print it raw */
	strpairs names;       /* [mgate] names: module.NAME -> value, for the scanner */
	alembic_compat compat;
	int scan_cache;          /* remember scan results between runs (scancache.h) */
	mgate_settings settings; /* [mgate] */
	ini_file ini;
} mgate_config;

/* Resolve the project. MG_ECONFIG for anything the user must fix. */
int config_load(mgate_config *out, const config_opts *opts, mg_error *err);


/*
 * The text of an alembic.ini with `sqlalchemy.url` in `section` set to
 * `url` (its `%` doubled for configparser): the old value's lines go, the
 * new one follows the section header (a missing section is added at the
 * end). Everything else is kept byte for byte, so `%(here)s` and the other
 * settings mean what they meant.
 */
void config_with_url(buf *out, const char *text, const char *section, const char *url);

/* True when load order is sorted file names (Alembic >= 1.10). */
int config_sorted_listing(const mgate_config *cfg);

/* Parse "X.Y" or "X.Y.Z". */
int config_parse_version(alembic_compat *out, const char *s);

void config_release(mgate_config *cfg);

#endif
