/*
 * cmd_check.c: `mgate check [TARGET]`: the "migration safe" checklist.
 * Exit 0 when the gate is open, 1 when a check fails.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "db.h"
#include "gate.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/banned.h"

static const char *const formats[] = { "text", "json", "sarif", "github", "junit", NULL };

typedef struct check_cli {
	cli_dbopts db;
	const char *backup_dir, *reason, *rules_dir, *pg_version;
	int no_backup_check, strict, verbose;
} check_cli;

static void print_text(const gate_result *g, const char *target, const char *where, int verbose)
{
	buf cwd = BUF_INIT;
	size_t i, k, failed = 0;

	printf("mgate check: %s -> %s\n", where, target);
	for (i = 0; i < g->n; i++) {
		const gate_check *c = &g->checks[i];
		const char *tag = c->status == GATE_FAIL ? "FAIL" : gate_status_name(c->status);
		failed += c->status == GATE_FAIL;
		printf("  [%s] %-10s %s\n", tag, c->name, c->summary ? c->summary : "");
		for (k = 0; k < c->found.n; k++) {
			const finding *x = &c->found.v[k];
			if (x->suppressed && !verbose)
				continue;
			if (x->severity == SEV_INFO && !verbose)
				continue;
			printf("         %s", x->suppressed ? "(suppressed) " : "");
			if (x->path)
				printf("%s%s%.0d: ", cli_display_path(x->path, &cwd), x->line ? ":" : "", x->line);
			printf("%s: %s [%s]\n", finding_severity_name(x->severity), x->message, x->id);
		}
		if (c->next && c->status != GATE_PASS)
			printf("         -> %s\n", c->next);
	}
	if (g->open)
		printf("gate: OPEN\n");
	else
		printf("gate: CLOSED (%zu check%s failed)\n", failed, failed == 1 ? "" : "s");
	buf_release(&cwd);
}

static void print_json(const gate_result *g, const char *target)
{
	json_t *root = json_object(), *checks = json_array();
	size_t i;

	json_object_set_new(root, "verdict", json_string(g->open ? "open" : "closed"));
	for (i = 0; i < g->n; i++) {
		const gate_check *c = &g->checks[i];
		json_t *o = json_object();
		json_object_set_new(o, "name", json_string(c->name));
		json_object_set_new(o, "status", json_string(gate_status_name(c->status)));
		json_object_set_new(o, "summary", cli_json_str(c->summary ? c->summary : ""));
		json_object_set_new(o, "next", c->next ? cli_json_str(c->next) : json_null());
		json_object_set_new(o, "findings", cli_findings_json(&c->found));
		json_array_append_new(checks, o);
	}
	json_object_set_new(root, "checks", checks);
	json_object_set_new(root, "current", cli_strvec_json(&g->current));
	json_object_set_new(root, "target", cli_json_str(target));
	json_object_set_new(root, "pending", cli_strvec_json(&g->pending));
	cli_print_json(root);
}

/* Every check's findings, plus one for a failed check that has none. */
static void all_findings(findings *out, const gate_result *g)
{
	size_t i, k;

	for (i = 0; i < g->n; i++) {
		const gate_check *c = &g->checks[i];
		for (k = 0; k < c->found.n; k++) {
			const finding *x = &c->found.v[k];
			finding *y;
			findings_add(out, x->id, x->severity, x->path, x->line, x->revision, "%s", x->message);
			y = findings_last(out);
			y->col = x->col;
			y->fix = x->fix ? mg_strdup(x->fix) : NULL;
			y->suppressed = x->suppressed ? mg_strdup(x->suppressed) : NULL;
		}
		if (c->status == GATE_FAIL && !c->found.n) {
			buf id = BUF_INIT;
			buf_printf(&id, "gate-%s", c->name);
			findings_add(out, id.ptr, SEV_ERROR, NULL, 0, NULL, "%s", c->summary ? c->summary : c->name);
			if (c->next)
				findings_last(out)->fix = mg_strdup(c->next);
			buf_release(&id);
		}
	}
}

static void print_junit(const gate_result *g)
{
	findings f = FINDINGS_INIT;
	size_t i;

	/* one test case per check */
	for (i = 0; i < g->n; i++) {
		const gate_check *c = &g->checks[i];
		buf id = BUF_INIT;
		if (c->status == GATE_PASS || c->status == GATE_SKIP)
			continue;
		buf_printf(&id, "check-%s", c->name);
		findings_add(&f, id.ptr, c->status == GATE_FAIL ? SEV_ERROR : SEV_WARNING, NULL, 0, NULL, "%s",
			     c->summary ? c->summary : c->name);
		if (c->next)
			findings_last(&f)->fix = mg_strdup(c->next);
		buf_release(&id);
	}
	cli_report_junit(stdout, &f, "mgate check");
	findings_release(&f);
}

int cmd_check(int argc, char **argv)
{
	cli_common common;
	cli_project p;
	check_cli o;
	ruleset rules;
	lint_opts lo;
	gate_opts go;
	gate_result g;
	strvec args = STRVEC_INIT, rows = STRVEC_INIT;
	buf where = BUF_INIT, server = BUF_INIT, lock = BUF_INIT, dberr = BUF_INIT;
	mg_error err = MG_ERROR_INIT;
	const char *url, *target = "heads";
	char *dir = NULL, *cfg_table = NULL, *cfg_schema = NULL, *age = NULL;
	db *d = NULL;
	db_version_table vt;
	int rc, have_project = 0, exists = 0;
	cli_option opts[] = {
		OPT_STRING_(0, "db", &o.db.db_url, "URL", "database URL (else MGATE_DATABASE_URL, else sqlalchemy.url)"),
		OPT_STRING_(0, "backup-dir", &o.backup_dir, "DIR", "where backups are (else backup_dir in [mgate])"),
		OPT_FLAG_(0, "no-backup-check", &o.no_backup_check, "skip the backup check (needs --reason)"),
		OPT_STRING_(0, "reason", &o.reason, "TEXT", "why the backup check is skipped (recorded)"),
		OPT_STRING_(0, "rules", &o.rules_dir, "DIR", "the project's rules folder, loaded over the built-in rules"),
		OPT_STRING_(0, "pg-version", &o.pg_version, "N", "judge for this PostgreSQL major version (default: the server's)"),
		OPT_FLAG_(0, "strict", &o.strict, "lock risks that have a safe alternative are errors"),
		OPT_FLAG_('v', "verbose", &o.verbose, "also show suppressed and informational findings"),
		OPT_STRING_(0, "version-table", &o.db.version_table, "NAME", "Alembic's version table (default alembic_version)"),
		OPT_STRING_(0, "version-table-schema", &o.db.version_table_schema, "SCHEMA", "the version table's schema"),
		OPT_END_(),
	};

	memset(&p, 0, sizeof(p));
	memset(&o, 0, sizeof(o));
	memset(&rules, 0, sizeof(rules));
	memset(&g, 0, sizeof(g));
	if ((rc = cli_begin(argc, argv, "check", "[options] [TARGET]", opts, formats, 1, &common, &args)) != 0)
		goto cleanup;
	if (args.n)
		target = args.v[0];
	if (o.no_backup_check && (!o.reason || !*o.reason)) {
		fprintf(stderr, "mgate check: --no-backup-check needs --reason \"why it is safe without one\"\n");
		rc = EXIT_USAGE;
		goto cleanup;
	}
	common.keep_sources = 1;
	if ((rc = cli_load_project(&p, &common)) != 0)
		goto cleanup;
	have_project = 1;
	if ((rc = cli_load_rules(&rules, o.rules_dir, &p.cfg)) != 0)
		goto cleanup;
	if (!(url = cli_database_url(o.db.db_url, p.cfg.sqlalchemy_url))) {
		fprintf(stderr, "mgate check: no database URL; pass --db URL, set MGATE_DATABASE_URL, or set "
				"sqlalchemy.url in alembic.ini\n");
		rc = EXIT_USAGE;
		goto cleanup;
	}
	cfg_table = config_mgate_option(&p.cfg, "version_table");
	cfg_schema = config_mgate_option(&p.cfg, "version_table_schema");
	vt.table = o.db.version_table ? o.db.version_table : cfg_table ? cfg_table : "alembic_version";
	vt.schema = o.db.version_table_schema ? o.db.version_table_schema : cfg_schema;
	if (db_open(&d, url, &err) < 0) {
		if (err.code == MG_ECONFIG) {
			fprintf(stderr, "mgate: error: %s\n", err.msg);
			rc = EXIT_USAGE;
			goto cleanup;
		}
		buf_puts(&dberr, err.msg);
		d = NULL;
	} else if (d->ops->read_versions(d, &vt, &rows, &exists, &err) < 0 || d->ops->server_version(d, &server, &err) < 0) {
		buf_puts(&dberr, err.msg);
		buf_puts(&where, d->redacted);
		db_close(d);
		d = NULL;
	}
	if (d)
		buf_puts(&where, d->redacted);
	else if (!where.len)
		dburl_redact(&where, url);
	memset(&lo, 0, sizeof(lo));
	lo.rules = &rules;
	lo.strict = o.strict || cli_mgate_flag(&p.cfg, "strict");
	lo.dialect = !strncmp(url, "sqlite", 6) ? SQL_SQLITE : SQL_POSTGRESQL;
	lo.pg_version = 15;
	if (o.pg_version)
		lo.pg_version = atoi(o.pg_version);
	else if (server.len && strstr(server.ptr, "PostgreSQL"))
		lo.pg_version = atoi(server.ptr + strlen("PostgreSQL "));
	if (lo.pg_version <= 0) {
		fprintf(stderr, "mgate check: bad PostgreSQL version\n");
		rc = EXIT_USAGE;
		goto cleanup;
	}
	if (o.backup_dir)
		dir = mg_strdup(o.backup_dir);
	else if ((dir = config_mgate_option(&p.cfg, "backup_dir")) != NULL) {
		buf b = BUF_INIT;
		fs_join(&b, p.cfg.here, dir);
		free(dir);
		dir = buf_detach(&b);
	}
	buf_printf(&lock, "mgate:%s%s%s", vt.schema ? vt.schema : "", vt.schema ? "." : "", vt.table);
	memset(&go, 0, sizeof(go));
	go.cfg = &p.cfg;
	go.map = &p.map;
	go.load_findings = &p.found;
	go.d = d;
	go.db_error = dberr.len ? dberr.ptr : NULL;
	go.rows = &rows;
	go.target = target;
	go.lint = &lo;
	go.backup_dir = dir;
	go.backup_max_age = 24 * 3600;
	if ((age = config_mgate_option(&p.cfg, "backup_max_age")) != NULL) {
		long h = strtol(age, NULL, 10);
		if (h <= 0) {
			fprintf(stderr, "mgate check: backup_max_age in [mgate] must be a number of hours, not '%s'\n", age);
			rc = EXIT_USAGE;
			goto cleanup;
		}
		go.backup_max_age = h * 3600;
	}
	go.skip_backup_reason = o.no_backup_check ? o.reason : NULL;
	go.lock_name = lock.ptr;
	if (gate_run(&g, &go, &err) < 0) {
		fprintf(stderr, "mgate check: %s\n", err.msg);
		rc = err.code == MG_ECONFIG ? EXIT_USAGE : EXIT_ENV;
		goto cleanup;
	}
	if (!strcmp(common.format, "json")) {
		print_json(&g, target);
	} else if (!strcmp(common.format, "junit")) {
		print_junit(&g);
	} else if (!strcmp(common.format, "sarif") || !strcmp(common.format, "github")) {
		findings f = FINDINGS_INIT;
		all_findings(&f, &g);
		if (!strcmp(common.format, "sarif"))
			cli_report_sarif(&f, &rules);
		else
			cli_report_github(stdout, &f);
		findings_release(&f);
	} else {
		print_text(&g, target, where.ptr, o.verbose);
	}
	rc = g.open ? EXIT_OK : EXIT_FINDINGS;
cleanup:
	gate_result_release(&g);
	db_close(d);
	ruleset_release(&rules);
	free(dir);
	free(cfg_table);
	free(cfg_schema);
	free(age);
	strvec_release(&rows);
	buf_release(&where);
	buf_release(&server);
	buf_release(&lock);
	buf_release(&dberr);
	if (have_project)
		cli_project_release(&p);
	strvec_release(&args);
	return rc < 0 ? EXIT_OK : rc;
}
