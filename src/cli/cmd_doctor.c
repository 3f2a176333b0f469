/*
 * cmd_doctor.c: `mgate doctor`: what mgate resolved and whether each
 * piece works, one line each, OK or the problem with its fix, in a form
 * that can go straight into an incident ticket.
 */
#include <jansson.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pg_query.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gate/backup.h"
#include <git2.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include "cli.h"
#include "version.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/sha256.h"
#include "util/spawn.h"
#include "util/banned.h"

static const char *const formats[] = { "text", NULL };

typedef struct doctor {
	int problems;
} doctor;

static void line(doctor *d, int ok, const char *what, const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void line(doctor *d, int ok, const char *what, const char *fix, const char *fmt, ...)
{
	va_list ap;

	printf("%-8s %-18s ", ok ? "OK" : "PROBLEM", what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!ok) {
		d->problems++;
		if (fix)
			printf("%-8s %-18s -> %s\n", "", "", fix);
	}
}

static void versions(doctor *d)
{
	int major = 0, minor = 0, rev = 0;
	char pcre[64] = "?";

	git_libgit2_version(&major, &minor, &rev);
	pcre2_config(PCRE2_CONFIG_VERSION, pcre);
	line(d, 1, "mgate", NULL, "%s", MGATE_VERSION);
	line(d, 1, "libraries", NULL, "SQLite %s, libpq %d, libgit2 %d.%d.%d, PCRE2 %s, jansson %s, libpg_query %s, %s",
	     sqlite3_libversion(), PQlibVersion(), major, minor, rev, pcre, jansson_version_str(), PG_VERSION,
	     sha256_provider());
}

static void alembic_runnable(doctor *d, const mgate_config *cfg)
{
	strvec cmd = STRVEC_INIT;
	buf out = BUF_INIT, err_out = BUF_INIT, shown = BUF_INIT;
	mg_error err = MG_ERROR_INIT;
	int status = -1;
	size_t i;

	cli_alembic_argv(&cmd, cfg);
	for (i = 0; i < cmd.n; i++)
		buf_printf(&shown, "%s%s", i ? " " : "", cmd.v[i]);
	strvec_push(&cmd, "--version");
	strvec_push_owned(&cmd, NULL);
	cmd.n--;
	{
		spawn_opts so = { (const char *const *)cmd.v, NULL, NULL, &out, &err_out };
		if (spawn_run(&status, &so, &err) < 0 || status != 0)
			line(d, 0, "alembic", "install Alembic (Debian: apt install alembic) or set alembic_cmd in [mgate]",
			     "'%s --version' failed%s%s", shown.ptr, err.msg[0] ? ": " : "", err.msg);
		else
			line(d, 1, "alembic", NULL, "%.*s via '%s' (load order of Alembic %d.%d, %s)",
			     (int)strcspn(out.len ? out.ptr : err_out.ptr, "\n"), out.len ? out.ptr : err_out.ptr, shown.ptr,
			     cfg->compat.major, cfg->compat.minor, cfg->compat.source);
	}
	strvec_release(&cmd);
	buf_release(&out);
	buf_release(&err_out);
	buf_release(&shown);
}

static void database(doctor *d, cli_project *p, const char *db_opt, strvec *rows_out, db **dbout)
{
	const char *url = cli_database_url(db_opt, p->cfg.sqlalchemy_url);
	mg_error err = MG_ERROR_INIT;
	buf red = BUF_INIT, server = BUF_INIT;
	db_version_table vt;
	char *t = NULL, *s = NULL;
	int exists = 0;
	size_t i;

	if (!url) {
		line(d, 0, "database", "pass --db URL, set MGATE_DATABASE_URL, or set sqlalchemy.url in alembic.ini",
		     "no database URL");
		goto cleanup;
	}
	dburl_redact(&red, url);
	if (db_open(dbout, url, &err) < 0) {
		line(d, 0, "database", NULL, "%s", err.msg);
		goto cleanup;
	}
	(*dbout)->ops->server_version(*dbout, &server, &err);
	line(d, 1, "database", NULL, "%s (%s)", red.ptr, server.ptr);
	cli_version_table(&vt, &t, &s, NULL, &p->cfg);
	if ((*dbout)->ops->read_versions(*dbout, &vt, rows_out, &exists, &err) < 0) {
		line(d, 0, "version table", NULL, "%s", err.msg);
		goto cleanup;
	}
	for (i = 0; i < rows_out->n; i++)
		if (revmap_index(&p->map, rows_out->v[i]) < 0)
			break;
	if (i < rows_out->n)
		line(d, 0, "version table", "deploy the code that has it, or check this is the right database",
		     "'%s%s%s' names revision '%s', which no script defines", s ? s : "", s ? "." : "", vt.table,
		     rows_out->v[i]);
	else if (!exists)
		line(d, 1, "version table", NULL, "'%s' does not exist yet: an empty database at base", vt.table);
	else {
		buf r = BUF_INIT;
		buf_join(&r, (const char *const *)rows_out->v, rows_out->n, ", ");
		line(d, 1, "version table", NULL, "'%s%s%s' at %s", s ? s : "", s ? "." : "", vt.table, r.len ? r.ptr : "base");
		buf_release(&r);
	}
cleanup:
	free(t);
	free(s);
	buf_release(&red);
	buf_release(&server);
}

static void backups(doctor *d, cli_project *p, db *dbh, const strvec *rows)
{
	const char *dir = p->cfg.settings.backup_dir;
	buf full = BUF_INIT, id = BUF_INIT;
	backup_list l;
	mg_error err = MG_ERROR_INIT;
	size_t i, ok = 0, mine = 0;
	const backup_info *newest = NULL;

	memset(&l, 0, sizeof(l));
	if (!dir) {
		line(d, 0, "backups", "set backup_dir in [mgate] and run `mgate backup`", "no backup folder configured");
		goto cleanup;
	}
	buf_puts(&full, dir);
	if (!fs_is_dir(full.ptr)) {
		line(d, 0, "backups", "run `mgate backup` (it creates the folder)", "'%s' does not exist yet", full.ptr);
		goto cleanup;
	}
	if (access(full.ptr, W_OK) != 0) {
		line(d, 0, "backups", "give this user write access to the folder", "'%s' is not writable", full.ptr);
		goto cleanup;
	}
	backup_list_dir(&l, full.ptr, 1, &err);
	if (dbh)
		dbh->ops->identity(dbh, &id, &err);
	for (i = 0; i < l.n; i++) {
		ok += l.v[i].status == BACKUP_OK;
		if (id.len && l.v[i].identity && !strcmp(l.v[i].identity, id.ptr) && l.v[i].status == BACKUP_OK) {
			mine++;
			if (!newest)
				newest = &l.v[i];
		}
	}
	(void)rows;
	line(d, ok == l.n, "backups", ok == l.n ? NULL : "see `mgate backup --list`",
	     "%s: %zu backup%s (%zu verify), %zu of this database%s%s", full.ptr, l.n, l.n == 1 ? "" : "s", ok, mine,
	     newest ? ", newest " : "", newest ? newest->created_at : "");
cleanup:
	backup_list_release(&l);
	buf_release(&full);
	buf_release(&id);
}

int cmd_doctor(int argc, char **argv)
{
	cli_common common;
	cli_project p;
	ruleset rules;
	strvec args = STRVEC_INIT, rows = STRVEC_INIT;
	const char *db_opt = NULL;
	doctor d = { 0 };
	db *dbh = NULL;
	size_t i;
	int rc, have = 0, inv = 0;
	cli_option opts[] = {
		OPT_STRING_(0, "db", &db_opt, "URL", "database URL (else MGATE_DATABASE_URL, else sqlalchemy.url)"),
		OPT_END_(),
	};

	memset(&p, 0, sizeof(p));
	memset(&rules, 0, sizeof(rules));
	if ((rc = cli_begin(argc, argv, "doctor", "[--db URL]", opts, formats, 0, &common, &args)) != 0)
		goto cleanup;
	versions(&d);
	if ((rc = cli_load_project(&p, &common)) != 0) {
		line(&d, 0, "project", "pass -c PATH to alembic.ini, or --script-location DIR", "the project cannot be read (see above)");
		rc = EXIT_FINDINGS;
		goto cleanup;
	}
	have = 1;
	line(&d, 1, "config", NULL, "%s [%s]", p.cfg.ini_path ? p.cfg.ini_path : "(no ini)", p.cfg.section ? p.cfg.section : "-");
	line(&d, 1, "script location", NULL, "%s", p.cfg.script_location);
	for (i = 0; i < p.cfg.version_locations.n; i++)
		line(&d, fs_is_dir(p.cfg.version_locations.v[i]), "version location", "create it, or fix version_locations",
		     "%s%s", p.cfg.version_locations.v[i], fs_is_dir(p.cfg.version_locations.v[i]) ? "" : " does not exist");
	line(&d, !p.map.broken && !findings_count(&p.found, SEV_ERROR), "revisions",
	     "run `mgate heads` to see the findings", "%zu revision%s, %zu head%s%s", p.map.n, p.map.n == 1 ? "" : "s",
	     p.map.heads.n, p.map.heads.n == 1 ? "" : "s", p.map.broken ? "; the graph is broken" : "");
	alembic_runnable(&d, &p.cfg);
	if (cli_load_rules(&rules, NULL, &p.cfg) == 0)
		line(&d, 1, "rules", NULL, "%zu rules loaded", rules.n);
	else
		line(&d, 0, "rules", "fix the rules file named above", "the rule catalogue does not load");
	database(&d, &p, db_opt, &rows, &dbh);
	backups(&d, &p, dbh, &rows);
	for (i = 0; i < p.cfg.ini.n; i++)
		inv += !strcmp(p.cfg.ini.entries[i].section, "mgate") && !strncmp(p.cfg.ini.entries[i].key, "invariant.", 10);
	line(&d, 1, "checks", NULL, "graph, state, backup, rollback, rules, locks%s (%d invariant%s)",
	     inv ? ", invariants" : "", inv, inv == 1 ? "" : "s");
	printf("\n%d problem%s\n", d.problems, d.problems == 1 ? "" : "s");
	rc = d.problems ? EXIT_FINDINGS : EXIT_OK;
cleanup:
	db_close(dbh);
	ruleset_release(&rules);
	strvec_release(&rows);
	if (have)
		cli_project_release(&p);
	strvec_release(&args);
	return rc < 0 ? EXIT_OK : rc;
}
