/*
 * main.c: mgate's entry point: find the subcommand and dispatch it from
 * the command table.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "version.h"
#include "util/banned.h"

static int cmd_help(int argc, char **argv);

const cli_command cli_commands[] = {
	{ "heads", cmd_heads, "show the head revisions, as `alembic heads` does" },
	{ "history", cmd_history, "list every revision (JSON: in upgrade order)" },
	{ "graph", cmd_graph, "print the revision graph as Graphviz dot or Mermaid" },
	{ "status", cmd_status, "the database's revisions and exactly what `alembic upgrade` would run" },
	{ "check", cmd_check, "the \"migration safe\" checklist: exit 0 when the gate is open, 1 when closed" },
	{ "upgrade", cmd_upgrade, "run the checklist, then the real `alembic upgrade` when the gate is open, then verify" },
	{ "verify", cmd_verify, "is the database at the target, do the invariants hold (--against: the schema a snapshot says)" },
	{ "plan", cmd_plan, "the steps `alembic upgrade` will run: each operation in plain words, its lock, table sizes, findings" },
	{ "snapshot", cmd_snapshot, "write the database's schema as canonical JSON" },
	{ "diff", cmd_diff, "compare two schema snapshots, or a snapshot with the database" },
	{ "lint", cmd_lint, "judge revisions against the rule catalogue (destructive and lock-heavy operations)" },
	{ "rules", cmd_rules, "list the rule catalogue with severities" },
	{ "explain", cmd_explain, "print a rule's documentation" },
	{ "ci", cmd_ci, "judge a branch's migrations against its base before it merges (git, no database)" },
	{ "ledger", cmd_ledger, "what mgate applied (SHA-256 per revision); `baseline` records a database upgraded before mgate" },
	{ "backup", cmd_backup, "take a verified backup with a manifest, or --list the backups and verify them" },
	{ "rollback", cmd_rollback, "the way back: the downgrade path or a restore, compared, recommended, then taken and verified" },
	{ "rehearse", cmd_rehearse, "run the pending upgrade on a restored copy: durations, locks and rewrites, the round trip" },
	{ "drill", cmd_drill, "the backup -> restore -> checks exercise on a scratch database; --report lists past drills" },
	{ "restore", cmd_restore, "put a backup back (checksum and database identity checked first; the previous state is kept)" },
	{ "report", cmd_report, "the database's migration health as one self-contained HTML page (or JSON): gate, graph, history, backups" },
	{ "sum", cmd_sum, "write migrations.sum, a running checksum of the revisions in upgrade order" },
	{ "doctor", cmd_doctor, "what mgate resolved and whether each piece works: config, libraries, Alembic, database, backups" },
	{ "completion", cmd_completion, "print a bash, zsh or fish completion script" },
	{ "help", cmd_help, "this list; `mgate help CMD` is `mgate CMD --help`; `mgate help KEY` says what an [mgate] key is" },
	{ NULL, NULL, NULL },
};

static void usage(FILE *out)
{
	const cli_command *c;

	fprintf(out, "usage: mgate [common options] <command> [options]\n\n"
		     "mgate stands in front of `alembic upgrade`: it reads the project without\n"
		     "running Python and answers what Alembic would do.\n\ncommands:\n");
	for (c = cli_commands; c->name; c++)
		fprintf(out, "    %-10s %s\n", c->name, c->summary);
	fprintf(out, "\nrun 'mgate <command> --help' for a command's options.\n"
		     "exit codes: 0 ok, 1 findings block, 2 usage or configuration, 3 environment,\n"
		     "4 the upgrade failed, 5 verification failed.\n");
}

/* `mgate help [CMD]`: the command list, or CMD's --help. */
static int cmd_help(int argc, char **argv)
{
	const cli_command *c;
	const char *what;
	size_t i;
	char help[] = "--help", *args[] = { help, NULL };

	if (argc == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (argc > 1) {
		fprintf(stderr, "mgate help: one command at a time ('mgate help %s')\n", argv[0]);
		return EXIT_USAGE;
	}
	for (c = cli_commands; c->name; c++) {
		if (strcmp(c->name, argv[0]))
			continue;
		if (c->fn == cmd_help)
			break;
		return c->fn(1, args);
	}
	if (c->name) { /* help about help: its own usage line, as every command's */
		printf("usage: mgate help [CMD]\n\nwithout CMD the command list; with one, what `mgate CMD --help` prints\n");
		return EXIT_OK;
	}
	for (i = 0; i < config_key_count(); i++) { /* a key of [mgate] */
		const char *key = config_key(i, &what), *dot = strchr(key, '.');
		if (strcmp(key, argv[0]) && !(dot && !dot[1] && !strncmp(key, argv[0], strlen(key))))
			continue;
		printf("%s%s, in the [mgate] section of alembic.ini: %s\n(every key: 'man mgate', or docs/cli.md)\n", key,
		       dot && !dot[1] ? "<name>" : "", what);
		return EXIT_OK;
	}
	fprintf(stderr, "mgate help: unknown command or [mgate] key '%s'; 'mgate help' lists the commands\n", argv[0]);
	return EXIT_USAGE;
}

/* Global options that take a value, so the command name can be found
 * among options given before it. */
static const char *const value_options[] = { "-c", "--config", "-n", "--name", "--script-location",
					     "--alembic-version", "--format", "--db", "--from",
					     "--version-table", "--version-table-schema", "--out", "-o",
					     "--range", "--rules", "--pg-version", "--dialect", "--base",
					     "--backup-dir", "--reason", "--allow", "--lock-wait", "--timeout", "--against",
					     "--into", "--to", "--via", "--max-age", "--log-format", "--scratch-url", "--color", "--since", "--graph-window", "--events", NULL };

int cli_takes_value(const char *a)
{
	int i;

	for (i = 0; value_options[i]; i++)
		if (!strcmp(a, value_options[i]))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	const cli_command *c;
	char *rest[256];
	int i, cmd_at = -1, n = 0;

	for (i = 1; i < argc; i++) {
		if (argv[i][0] != '-') {
			cmd_at = i;
			break;
		}
		if (!strcmp(argv[i], "--version")) {
			printf("mgate %s\n", MGATE_VERSION);
			return EXIT_OK;
		}
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return EXIT_OK;
		}
		if (cli_takes_value(argv[i]))
			i++;
	}
	if (cmd_at < 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (argc > (int)(sizeof(rest) / sizeof(rest[0]))) {
		fprintf(stderr, "mgate: too many arguments\n");
		return EXIT_USAGE;
	}
	for (i = 1; i < argc; i++)
		if (i != cmd_at)
			rest[n++] = argv[i];
	for (c = cli_commands; c->name; c++)
		if (!strcmp(c->name, argv[cmd_at])) {
			int rc = c->fn(n, rest);
			cli_log_finish();
			return rc;
		}
	fprintf(stderr, "mgate: unknown command '%s'\n\n", argv[cmd_at]);
	usage(stderr);
	return EXIT_USAGE;
}
