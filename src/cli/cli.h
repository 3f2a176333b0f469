/*
 * cli.h: the command-line layer: option tables, the command table, and
 * the shared steps every command takes (load the project, print findings).
 *
 * Only this layer prints or chooses exit codes. Options may come before
 * or after the subcommand name.
 */
#ifndef MGATE_CLI_H
#define MGATE_CLI_H

#include <stdio.h>

#include "alembic/config.h"
#include "db/dburl.h"
#include "util/finding.h"
#include "alembic/revmap.h"
#include "lint/rules.h"
#include "db/db.h"
#include "gate/checklist.h"
#include "lint/lint.h"
#include "alembic/scriptdir.h"
#include "util/buf.h"
#include "util/strvec.h"

/* Exit codes, the same for every command (docs/cli.md). */
enum {
	EXIT_OK = 0,       /* success; the gate is open */
	EXIT_FINDINGS = 1, /* error findings block (includes a broken graph) */
	EXIT_USAGE = 2,    /* usage or configuration error */
	EXIT_ENV = 3,      /* environment: database, alembic, I/O */
	EXIT_UPGRADE = 4,  /* the upgrade itself failed */
	EXIT_VERIFY = 5    /* verification after an upgrade failed */
};

enum opt_type { OPT_END = 0,
		OPT_STRING,
		OPT_FLAG };

typedef struct cli_option {
	char short_name; /* 0 for none */
	const char *long_name;
	enum opt_type type;
	void *value;      /* const char ** for OPT_STRING, int * for OPT_FLAG */
	const char *argh; /* placeholder shown in help, e.g. "PATH" */
	const char *help;
} cli_option;

#define OPT_STRING_(s, l, v, a, h)        \
	{                                 \
		s, l, OPT_STRING, v, a, h \
	}
#define OPT_FLAG_(s, l, v, h)              \
	{                                  \
		s, l, OPT_FLAG, v, NULL, h \
	}
#define OPT_END_()                                 \
	{                                          \
		0, NULL, OPT_END, NULL, NULL, NULL \
	}

/* The options of every command that reads the database, filling a
 * cli_dbopts `o`. */
#define OPT_DB_(o) OPT_STRING_(0, "db", &(o)->db_url, "URL", "database URL (else MGATE_DATABASE_URL, else sqlalchemy.url)")
#define OPT_VERSION_TABLE_(o)                                                                                              \
	OPT_STRING_(0, "version-table", &(o)->version_table, "NAME", "Alembic's version table (default alembic_version)"), \
		OPT_STRING_(0, "version-table-schema", &(o)->version_table_schema, "SCHEMA", "the version table's schema")

/* Options every command takes. */
typedef struct cli_common {
	const char *config;
	const char *name;
	const char *script_location;
	const char *alembic_version;
	const char *format;
	const char *log_format; /* --log-format: text (default) or json */
	int quiet;
	int no_cache;
	int help;
	int keep_sources; /* not an option: a command that reads the scripts' bodies sets it */
} cli_common;

typedef struct cli_command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} cli_command;

/*
 * Parse argv (the subcommand's name already removed) against `opts`
 * followed by the common options. Positional arguments go to `args`.
 * Returns 0, or EXIT_USAGE after printing the problem.
 */
int cli_parse(int argc, char **argv, const char *cmd, const char *usage, const cli_option *opts,
	      cli_common *common, strvec *args);

/*
 * Every command's first steps: parse the options, allow at most
 * `max_args` positional arguments, default and check --format against
 * `formats` (the first is the default). Returns 0, or the exit code to
 * return (help printed: -1 meaning "exit 0").
 */
int cli_begin(int argc, char **argv, const char *cmd, const char *usage, const cli_option *opts,
	      const char *const *formats, size_t max_args, cli_common *common, strvec *args);

/* With --log-format json (or MGATE_LOG_FORMAT=json), turn every line mgate
 * writes to stderr into a JSON object (level, command, correlation id,
 * revision, message). Returns 0, or EXIT_USAGE for an unknown format. */
int cli_log_init(const char *command, const char *format);
/* The correlation id and the revision the next log lines are about
 * (either may be NULL to keep the current one). */
void cli_log_context(const char *correlation_id, const char *revision);
/* Flush and restore the plain stderr. */
void cli_log_finish(void);

/* Print "usage:" and the option table for `cmd`. */
void cli_help(FILE *out, const char *cmd, const char *usage, const cli_option *opts);

/* A loaded project: config, scripts and graph, with findings. */
typedef struct cli_project {
	mgate_config cfg;
	scriptdir sd;
	revmap map;
	findings found;
} cli_project;

/* Load everything. On failure prints the error and returns its exit code
 * (EXIT_USAGE or EXIT_ENV); 0 on success (findings may still exist). */
int cli_load_project(cli_project *p, const cli_common *common);
void cli_project_release(cli_project *p);

/* The database URL by precedence: --db, then MGATE_DATABASE_URL, then the
 * ini's sqlalchemy.url (any may be NULL). */
const char *cli_database_url(const char *opt, const char *from_ini);

/* How to reach the database and its version table (any may be NULL). */
typedef struct cli_dbopts {
	const char *db_url;
	const char *version_table;
	const char *version_table_schema;
} cli_dbopts;

/*
 * The PostgreSQL major version to judge for: `opt` (--pg-version), else the
 * server's (`server` may be NULL), else pg_version in [mgate], else 15.
 * *source (may be NULL) says which. A bad value is printed; returns 0 or
 * EXIT_USAGE.
 */
int cli_pg_version(int *out, const char **source, const char *opt, const mgate_config *cfg, const buf *server,
		   const char *cmd);

/* The major version in a server_version string ("PostgreSQL 15.4" -> 15),
 * or 0 for another server (or none). */
int cli_server_pg_major(const buf *server);

/*
 * The version table: --version-table / --version-table-schema (o may be
 * NULL), else version_table / version_table_schema in [mgate], else
 * alembic_version. Values read from the config are put in *own_table and
 * *own_schema, which the caller frees; `vt` points into them.
 */
void cli_version_table(db_version_table *vt, char **own_table, char **own_schema, const cli_dbopts *o,
		       const mgate_config *cfg);

/*
 * Open the database (URL by cli_database_url), read its version rows into
 * `rows`, put the redacted URL in `where`, and when `server` is not NULL
 * the server's version string ("PostgreSQL 15.4"). Prints problems and
 * returns an exit code (0 on success).
 */
int cli_read_versions(strvec *rows, buf *where, buf *server, const cli_dbopts *o, cli_project *p);

/*
 * The rule catalogue: the built-in folder, then the project's (`opt_dir`,
 * else `rules` in [mgate], relative to the ini), then `rule.<id> =
 * error|warning|info|off` settings from [mgate]. `cfg` may be NULL.
 * Prints problems and returns an exit code (0 on success).
 */
int cli_load_rules(ruleset *out, const char *opt_dir, const mgate_config *cfg);


/* `path` relative to the current directory when it is under it (a pointer
 * into `path`). `cwd` starts empty and caches the directory between calls. */
const char *cli_display_path(const char *path, struct buf *cwd);

/* Rule findings as text grouped by revision, with source line and caret. */
void cli_report_text(FILE *out, const findings *f, int quiet, int verbose);
/* `{"findings": [...], "summary": <summary>}` written one finding at a
 * time, so memory does not grow with the report (summary: a json_t *, freed). */
void cli_report_json_stream(FILE *out, const findings *f, void *summary);
/* A SARIF 2.1.0 log of the findings, printed to stdout. */
void cli_report_sarif(const findings *f, const ruleset *rules);
/* JUnit XML: one test case per unsuppressed finding, errors as failures. */
void cli_report_junit(FILE *out, const findings *f, const char *suite);
/* True when argv sets --format (so a command may choose another default). */
int cli_format_given(int argc, char **argv);
/* GitHub workflow commands (::error file=...,line=...::message). */
void cli_report_github(FILE *out, const findings *f);

/* Flags `mgate check` and `mgate upgrade` share. */
typedef struct cli_gate_args {
	cli_dbopts db;
	const char *backup_dir, *reason, *rules_dir, *pg_version;
	int no_backup_check, strict;
	int audit_table; /* --audit-table: also write audit entries to mgate_audit in the database */
} cli_gate_args;

/* Everything the checklist needs, prepared from the flags and [mgate]. */
typedef struct cli_gate {
	cli_project p;
	int have_project;
	ruleset rules;
	lint_opts lo;
	checklist_opts go;
	const char *url;
	db *d; /* NULL when the database cannot be read (dberr says why) */
	db_version_table vt;
	strvec rows;
	buf where, server, lock, dberr;
	char *dir, *cfg_table, *cfg_schema;
	int audit_table;
} cli_gate;

/* Prepare; prints problems and returns an exit code (0 on success). */
int cli_gate_prepare(cli_gate *g, cli_common *common, const cli_gate_args *a, const char *target, const char *cmd);
void cli_gate_release(cli_gate *g);
/* Run the smoke commands (`smoke.<name> = command args` in [mgate], argv,
 * no shell, `smoke_timeout` seconds each, default 30). A failure is an
 * error finding in `out`. Returns how many ran. */
int cli_run_smoke(const mgate_config *cfg, findings *out);
/* The Alembic command (argv words): alembic_cmd in [mgate], else `alembic`
 * when on PATH, else `python3 -m alembic`. */
void cli_alembic_argv(strvec *out, const mgate_config *cfg);
/* The audit log file: audit_log in [mgate], relative to the ini; NULL
 * when none is configured (the caller frees). */
char *cli_audit_log_path(const mgate_config *cfg);
/* The start of every audit log entry (a json_t *): time, correlation id,
 * command, who, database (redacted) and its version rows. */
void *cli_audit_base(const cli_gate *cg, const char *command, const char *id);
/* The whole Alembic command `verb target [extra]` on the ini file `ini`
 * (NULL: none) and cfg's section, ready for spawn: NULL-terminated, the
 * terminator not counted in out->n. */
void cli_alembic_command(strvec *out, const mgate_config *cfg, const char *ini, const char *verb, const char *target,
			 const char *extra);
/* An audit log entry (a json_t *) for a gate decision; callers add to it. */
void *cli_audit_entry(const cli_gate *cg, const char *command, const char *id, const checklist_result *g,
		      const char *target);
/* Append it to audit_log from [mgate] when configured (a failure is a
 * warning on stderr), and free it. */
void cli_audit_write(const cli_gate *cg, void *entry);
/* The checklist as text: each check, its verdict, evidence and next step. */
void cli_gate_print_text(const checklist_result *g, const char *target, const char *where, int verbose);

/* Before something that replaces data: nothing to do with `yes`; on a
 * terminal, the user must type "yes"; otherwise EXIT_USAGE (--yes needed).
 * Returns 0 to go on, or the exit code. */
int cli_confirm(const char *cmd, const char *what, int yes);

struct backup_info;
/* The newest backup in `dir` of the database `identity` whose manifest
 * holds (verified by SHA-256 when `verify`): 0, or MG_ENOTFOUND. */
int cli_newest_backup(struct backup_info *out, const char *dir, const char *identity, int verify);

/* The identity of the database at `url` (db_ops.identity; for a SQLite
 * file that is gone, "sqlite:" and its absolute path). Empty if unknown. */
void cli_target_identity(buf *out, db *d, const char *url);

/* What a restore did. */
typedef struct cli_restored {
	int restored;     /* the backup is in place */
	char *kept;       /* SQLite: the previous file, kept */
	char *pre_backup; /* PostgreSQL: the backup taken of what was there */
	strvec rows;      /* the version rows read back */
} cli_restored;

/*
 * Put backup `b` in place of the database at `url`, refusing (nothing
 * changed, exit 1) a backup that does not verify or is of another
 * database than `identity` (NULL: any), and on PostgreSQL while other
 * sessions are connected to `lockdb` (the connection holding the
 * migration lock; NULL when there is none). On PostgreSQL the current
 * database is first backed up into `keep_dir` (NULL: not kept). Prints
 * problems; returns 0 or the exit code.
 */
int cli_restore(cli_restored *out, const struct backup_info *b, const char *url, const char *identity, db *lockdb,
		const char *keep_dir, const db_version_table *vt, const char *cmd);
void cli_restored_release(cli_restored *r);

/* A throw-away database for drills and rehearsals. */
typedef struct cli_scratch {
	db_url u; /* the source database's URL (its dialect picks the adapter) */
	int parsed, made;
	buf name, url, redacted; /* `url` may hold the password: print `redacted` */
} cli_scratch;

/* Create `<prefix>_<id>` beside the database at `source_url`
 * (db_ops.scratch_create). 0, or MG_* with the reason in `err`. */
int cli_scratch_create(cli_scratch *s, const char *source_url, const char *prefix, const char *id, mg_error *err);
/* Drop it (unless `keep`) and release `s`; an empty `s` is fine. */
void cli_scratch_release(cli_scratch *s, int keep);

/* The invariants of [mgate] run on `d`; each failure (or a configuration
 * problem) is an error finding in `out`. */
void cli_invariant_findings(findings *out, const mgate_config *cfg, db *d);


/* Print findings to stderr as "path:line: severity: message [id]";
 * warnings and infos are skipped when quiet. */
void cli_print_findings(const findings *f, int quiet);

/* Format must be one of `allowed` (NULL-terminated); prints and returns
 * EXIT_USAGE when not. */
int cli_check_format(const char *format, const char *const *allowed, const char *cmd);

/* Print a JSON value (a json_t *) to stdout with a trailing newline, and free it. */
void cli_print_json(void *json);
/* A JSON string (json_t *) from any bytes: invalid UTF-8 becomes U+FFFD. */
void *cli_json_str(const char *s);

/* A JSON array of strings (a json_t *). */
void *cli_strvec_json(const strvec *sv);
void *cli_strlist_json(const strlist *sl);

/* The findings as a JSON array (a json_t *). */
void *cli_findings_json(const findings *f);

/* The alembic-style formatting of a revision's labels: "(a, b)" or "". */
void cli_format_labels(struct buf *out, const revnode *r);
/* Alembic's "a, b" / "<base>" rendering of down revisions. */
void cli_format_down(struct buf *out, const revnode *r);

int cmd_heads(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_snapshot(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_lint(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_ci(int argc, char **argv);
int cmd_completion(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_upgrade(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_ledger(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_rollback(int argc, char **argv);
int cmd_drill(int argc, char **argv);
int cmd_rehearse(int argc, char **argv);

/* A backup named on the command line: a file or manifest, or `newest`
 * (the newest of this database that verifies). Prints problems; returns
 * 0 or the exit code. */
int cli_resolve_backup(struct backup_info *out, const char *spec, const cli_gate *cg, const char *cmd);

/* The command table (main.c), ending with a NULL name. */
extern const cli_command cli_commands[];
/* Options (of any command) that take a value as the next word; NULL-ended. */
extern const char *const cli_value_options[];
int cmd_sum(int argc, char **argv);

#endif
