/*
 * cli.h: the command-line layer: option tables, the command table, and
 * the steps every command shares (parse, open the project or a session,
 * print).
 *
 * A command parses its options, calls one core function and prints its
 * result; only this layer prints or chooses exit codes. Options may come
 * before or after the subcommand name.
 */
#ifndef MGATE_CLI_H
#define MGATE_CLI_H

#include <stdio.h>

#include "alembic/project.h"
#include "gate/progress.h"
#include "gate/session.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/finding.h"
#include "util/strvec.h"

/* Exit codes, the same for every command (docs/cli.md): the core's outcomes. */
enum {
	EXIT_OK = MG_OUT_OK,            /* success; the gate is open */
	EXIT_FINDINGS = MG_OUT_BLOCKED, /* error findings block (includes a broken graph) */
	EXIT_USAGE = MG_OUT_USAGE,      /* usage or configuration error */
	EXIT_ENV = MG_OUT_ENV,          /* environment: database, alembic, I/O */
	EXIT_UPGRADE = MG_OUT_FAILED,   /* the upgrade itself failed */
	EXIT_VERIFY = MG_OUT_UNVERIFIED /* verification after an upgrade failed */
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
 * session_opts `o`. */
#define OPT_DB_(o) OPT_STRING_(0, "db", &(o)->db_url, "URL", "database URL (else MGATE_DATABASE_URL, else sqlalchemy.url)")
#define OPT_VERSION_TABLE_(o)                                                                                              \
	OPT_STRING_(0, "version-table", &(o)->version_table, "NAME", "Alembic's version table (default alembic_version)"), \
		OPT_STRING_(0, "version-table-schema", &(o)->version_table_schema, "SCHEMA", "the version table's schema")
#define OPT_SCRATCH_URL_(o)                                     \
	OPT_STRING_(0, "scratch-url", &(o)->scratch_url, "URL", \
		    "server for the throw-away copy (else scratch_url in [mgate], else the database's own)")
#define OPT_BACKUP_DIR_(o) OPT_STRING_(0, "backup-dir", &(o)->backup_dir, "DIR", "where backups are (else backup_dir in [mgate])")

/* Options every command takes. */
typedef struct cli_common {
	const char *config;
	const char *name;
	const char *script_location;
	const char *alembic_version;
	const char *format;
	const char *log_format; /* --log-format: text (default) or json */
	const char *color;      /* --color: auto (default), always or never */
	int quiet;
	int no_cache;
	int help;
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
int cli_parse(int argc, char **argv, const char *cmd, const char *usage, const cli_option *opts, cli_common *common,
	      strvec *args);

/*
 * Every command's first steps: parse the options, allow at most
 * `max_args` positional arguments, default and check --format against
 * `formats` (the first is the default). Returns 0, or the exit code to
 * return (help printed: -1 meaning "exit 0").
 */
int cli_begin(int argc, char **argv, const char *cmd, const char *usage, const cli_option *opts,
	      const char *const *formats, size_t max_args, cli_common *common, strvec *args);

/* True when argv sets --format (so a command may choose another default). */
int cli_format_given(int argc, char **argv);

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

/* The project options the common options give (-c, --name, ...). */
void cli_project_opts(project_opts *out, const cli_common *c, int keep_sources);

/* Load the project; on failure print the error and return its exit code. */
int cli_load_project(project *p, const cli_common *c, int keep_sources);

/* The rule catalogue (ruleset_load_project); on failure print the error
 * and return its exit code. `cfg` may be NULL. */
int cli_load_rules(ruleset *out, const char *dir, const mgate_config *cfg);

/* Open a session (o->project is filled from `c`); on failure print the
 * error ("mgate: error: ...") and return its exit code. */
int cli_open(session *s, const cli_common *c, session_opts *o);

/* Print an error as "mgate CMD: message" and return the exit code that
 * goes with it (the outcome, or the code's). */
int cli_fail(const char *cmd, const mg_error *err, int outcome);

/* Where an operation's progress is printed: its report lines to `out`
 * (stdout, or stderr when stdout carries JSON); Alembic's command line
 * too; logs, notes ("mgate CMD: ...") and warnings to stderr. */
typedef struct cli_printer {
	FILE *out;
	const char *cmd;
	int quiet; /* -q: the checklist shows failed checks and errors only */
} cli_printer;

/* Callbacks printing through `pr` (which must outlive `p`). */
void cli_progress(progress *p, cli_printer *pr);

/* A number of seconds given to option `--name` (NULL: 0), from 0 to a
 * year. Prints the problem and returns EXIT_USAGE for anything else. */
int cli_seconds(long *out, const char *cmd, const char *name, const char *value);

/* Before something that replaces data: nothing to do with `yes`; on a
 * terminal, the user must type "yes"; otherwise EXIT_USAGE (--yes needed).
 * Returns 0 to go on, or the exit code. */
int cli_confirm(const char *cmd, const char *what, int yes);

/* Print findings to stderr as "path:line: severity: message [id]";
 * warnings and infos are skipped when quiet. */
void cli_print_findings(const findings *f, int quiet);

/* Format must be one of `allowed` (NULL-terminated); prints and returns
 * EXIT_USAGE when not. */
int cli_check_format(const char *format, const char *const *allowed, const char *cmd);

/* Print the JSON document `name` (report_doc: "schema", "root", then the
 * fields of `json`, a json_t * that is consumed; an array goes under
 * `array_key`) to stdout. */
void cli_print_doc(const char *name, const char *root, void *json, const char *array_key);

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
int cmd_sum(int argc, char **argv);
int cmd_report(int argc, char **argv);

/* The command table (main.c), ending with a NULL name. */
extern const cli_command cli_commands[];
/* Whether `arg` is an option (of any command) that takes the next word as
 * its value, so the command name is not that word. */
int cli_takes_value(const char *arg);

#endif
