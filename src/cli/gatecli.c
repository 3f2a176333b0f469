/*
 * gatecli.c: what `mgate check` and `mgate upgrade` both do before the
 * checklist runs: load the project and the rules, reach the database, and
 * fill the gate's options from flags and [mgate].
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unistd.h>

#include "gate/audit.h"
#include "alembic/inifile.h"
#include "util/spawn.h"
#include "cli.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/banned.h"

/* When the newest passing drill of this database ran (epoch), or 0. */
static long long last_passing_drill(const cli_gate *g)
{
	char *path = cli_audit_log_path(&g->p.cfg);
	json_t *all;
	long long when = 0;
	size_t i;

	if (!path)
		return 0;
	all = audit_read(path, "drill", g->where.ptr);
	for (i = json_array_size(all); i-- > 0 && !when;) {
		json_t *e = json_array_get(all, i);
		const char *t = json_string_value(json_object_get(e, "time"));
		const char *result = json_string_value(json_object_get(e, "result"));
		struct tm tm;
		memset(&tm, 0, sizeof(tm));
		if (t && result && !strcmp(result, "pass") &&
		    sscanf(t, "%4d-%2d-%2dT%2d:%2d:%2dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
			   &tm.tm_sec) == 6) {
			tm.tm_year -= 1900;
			tm.tm_mon -= 1;
			when = (long long)timegm(&tm);
		}
	}
	json_decref(all);
	free(path);
	return when;
}

int cli_gate_prepare(cli_gate *g, cli_common *common, const cli_gate_args *a, const char *target, const char *cmd)
{
	mg_error err = MG_ERROR_INIT;
	int rc = 0, exists = 0;

	memset(g, 0, sizeof(*g));
	buf_init(&g->where);
	buf_init(&g->server);
	buf_init(&g->lock);
	buf_init(&g->dberr);
	if (a->no_backup_check && (!a->reason || !*a->reason)) {
		fprintf(stderr, "mgate %s: --no-backup-check needs --reason \"why it is safe without one\"\n", cmd);
		return EXIT_USAGE;
	}
	common->keep_sources = 1;
	if ((rc = cli_load_project(&g->p, common)) != 0)
		return rc;
	g->have_project = 1;
	if ((rc = cli_load_rules(&g->rules, a->rules_dir, &g->p.cfg)) != 0)
		return rc;
	if (!(g->url = cli_database_url(a->db.db_url, g->p.cfg.sqlalchemy_url))) {
		fprintf(stderr, "mgate %s: no database URL; pass --db URL, set MGATE_DATABASE_URL, or set sqlalchemy.url "
				"in alembic.ini\n",
			cmd);
		return EXIT_USAGE;
	}
	cli_version_table(&g->vt, &g->cfg_table, &g->cfg_schema, &a->db, &g->p.cfg);
	if (db_open(&g->d, g->url, &err) < 0) {
		if (err.code == MG_ECONFIG) {
			fprintf(stderr, "mgate: error: %s\n", err.msg);
			return EXIT_USAGE;
		}
		buf_puts(&g->dberr, err.msg);
		g->d = NULL;
	} else if (g->d->ops->read_versions(g->d, &g->vt, &g->rows, &exists, &err) < 0 ||
		   g->d->ops->server_version(g->d, &g->server, &err) < 0) {
		buf_puts(&g->dberr, err.msg);
		buf_puts(&g->where, g->d->redacted);
		db_close(g->d);
		g->d = NULL;
	}
	if (g->d)
		buf_puts(&g->where, g->d->redacted);
	else if (!g->where.len)
		dburl_redact(&g->where, g->url);
	g->lo.rules = &g->rules;
	g->lo.strict = a->strict || g->p.cfg.settings.strict;
	g->lo.dialect = !strncmp(g->url, "sqlite", 6) ? SQL_SQLITE : SQL_POSTGRESQL;
	if ((rc = cli_pg_version(&g->lo.pg_version, NULL, a->pg_version, &g->p.cfg, &g->server, cmd)) != 0)
		return rc;
	if (a->backup_dir)
		g->dir = mg_strdup(a->backup_dir);
	else if (g->p.cfg.settings.backup_dir)
		g->dir = mg_strdup(g->p.cfg.settings.backup_dir);
	buf_printf(&g->lock, "mgate:%s%s%s", g->vt.schema ? g->vt.schema : "", g->vt.schema ? "." : "", g->vt.table);
	g->go.cfg = &g->p.cfg;
	g->go.map = &g->p.map;
	g->go.load_findings = &g->p.found;
	g->go.d = g->d;
	g->go.db_error = g->dberr.len ? g->dberr.ptr : NULL;
	g->go.rows = &g->rows;
	g->go.target = target;
	g->go.lint = &g->lo;
	g->go.backup_dir = g->dir;
	g->go.backup_max_age = g->p.cfg.settings.backup_max_age;
	if ((g->go.drill_max_age = g->p.cfg.settings.drill_max_age) > 0)
		g->go.last_drill = last_passing_drill(g);
	g->go.skip_backup_reason = a->no_backup_check ? a->reason : NULL;
	g->go.lock_name = g->lock.ptr;
	g->go.vt = &g->vt;
	g->audit_table = a->audit_table || g->p.cfg.settings.audit_table;
	return 0;
}

void cli_gate_release(cli_gate *g)
{
	db_close(g->d);
	g->d = NULL;
	ruleset_release(&g->rules);
	free(g->dir);
	free(g->cfg_table);
	free(g->cfg_schema);
	strvec_release(&g->rows);
	buf_release(&g->where);
	buf_release(&g->server);
	buf_release(&g->lock);
	buf_release(&g->dberr);
	if (g->have_project)
		cli_project_release(&g->p);
	g->have_project = 0;
}

void *cli_audit_base(const cli_gate *cg, const char *command, const char *id)
{
	json_t *e = json_object();
	char *who = audit_who();
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_set_new(e, "time", json_string(ts));
	json_object_set_new(e, "correlation_id", json_string(id));
	json_object_set_new(e, "command", json_string(command));
	json_object_set_new(e, "who", cli_json_str(who));
	json_object_set_new(e, "database", cli_json_str(cg->where.ptr));
	json_object_set_new(e, "from", cli_strvec_json(&cg->rows));
	free(who);
	return e;
}

void *cli_audit_entry(const cli_gate *cg, const char *command, const char *id, const checklist_result *g,
		      const char *target)
{
	json_t *e = cli_audit_base(cg, command, id), *checks = json_array(), *overrides = json_array();
	size_t i, k;

	json_object_set_new(e, "target", cli_json_str(target));
	json_object_set_new(e, "pending", cli_strvec_json(&g->pending));
	json_object_set_new(e, "verdict", json_string(g->open ? "open" : "closed"));
	for (i = 0; i < g->n; i++) {
		json_t *c = json_object();
		json_object_set_new(c, "name", json_string(g->checks[i].name));
		json_object_set_new(c, "status", json_string(checklist_status_name(g->checks[i].status)));
		json_object_set_new(c, "summary", cli_json_str(g->checks[i].summary ? g->checks[i].summary : ""));
		json_array_append_new(checks, c);
		for (k = 0; k < g->checks[i].found.n; k++) {
			const finding *x = &g->checks[i].found.v[k];
			json_t *o;
			if (!x->suppressed)
				continue;
			o = json_object();
			json_object_set_new(o, "kind", json_string("suppression"));
			json_object_set_new(o, "rule", cli_json_str(x->id));
			json_object_set_new(o, "revision", x->revision ? cli_json_str(x->revision) : json_null());
			json_object_set_new(o, "reason", cli_json_str(x->suppressed));
			json_array_append_new(overrides, o);
		}
	}
	if (cg->go.skip_backup_reason) {
		json_t *o = json_object();
		json_object_set_new(o, "kind", json_string("no-backup-check"));
		json_object_set_new(o, "reason", cli_json_str(cg->go.skip_backup_reason));
		json_array_append_new(overrides, o);
	}
	json_object_set_new(e, "checks", checks);
	json_object_set_new(e, "overrides", overrides);
	return e;
}

void cli_audit_write(const cli_gate *cg, void *entry)
{
	mg_error err = MG_ERROR_INIT;
	char *path = cg->have_project ? cli_audit_log_path(&cg->p.cfg) : NULL;

	if (path) {
		if (audit_append(path, entry, cg->p.cfg.settings.audit_log_max_bytes, &err) < 0)
			fprintf(stderr, "mgate: warning: %s; this decision is not in the audit log\n", err.msg);
	}
	if (cg->audit_table) {
		db *d = NULL;
		char *line = json_dumps((json_t *)entry, JSON_COMPACT | JSON_PRESERVE_ORDER);
		const char *id = json_string_value(json_object_get((json_t *)entry, "correlation_id"));
		if (!line || db_open(&d, cg->url, &err) < 0 ||
		    d->ops->audit_write(d, &cg->vt, id ? id : "", line, &err) < 0)
			fprintf(stderr, "mgate: warning: %s; this decision is not in the audit table\n",
				line ? err.msg : "cannot encode the entry");
		db_close(d);
		free(line);
	}
	json_decref((json_t *)entry);
	free(path);
}

char *cli_audit_log_path(const mgate_config *cfg)
{
	return cfg->settings.audit_log ? mg_strdup(cfg->settings.audit_log) : NULL;
}

/* The Alembic command: alembic_cmd in [mgate], else `alembic` when it is
 * on PATH, else `python3 -m alembic`. */
void cli_alembic_argv(strvec *out, const mgate_config *cfg)
{
	size_t i;

	if (cfg->settings.alembic_cmd.n) {
		for (i = 0; i < cfg->settings.alembic_cmd.n; i++)
			strvec_push(out, cfg->settings.alembic_cmd.v[i]);
	} else {
		const char *path = getenv("PATH");
		int found = 0;
		while (path && *path && !found) {
			size_t n = strcspn(path, ":");
			buf b = BUF_INIT;
			buf_printf(&b, "%.*s/alembic", (int)n, path);
			found = access(b.ptr, X_OK) == 0;
			buf_release(&b);
			path += n + (path[n] == ':');
		}
		if (found) {
			strvec_push(out, "alembic");
		} else {
			strvec_push(out, "python3");
			strvec_push(out, "-m");
			strvec_push(out, "alembic");
		}
	}
}


void cli_alembic_command(strvec *out, const mgate_config *cfg, const char *ini, const char *verb, const char *target,
			 const char *extra)
{
	cli_alembic_argv(out, cfg);
	if (ini) {
		strvec_push(out, "-c");
		strvec_push(out, ini);
		strvec_push(out, "-n");
		strvec_push(out, cfg->section);
	}
	strvec_push(out, verb);
	strvec_push(out, target);
	if (extra)
		strvec_push(out, extra);
	strvec_push_owned(out, NULL); /* argv's end, not counted */
	out->n--;
}

int cli_run_smoke(const mgate_config *cfg, findings *out)
{
	const mgate_settings *set = &cfg->settings;
	long timeout = (long)set->smoke_timeout;
	size_t i;
	int ran = 0;

	for (i = 0; i < set->nsmoke; i++) {
		const config_smoke *k = &set->smoke[i];
		strvec argv = STRVEC_INIT;
		mg_error err = MG_ERROR_INIT;
		int status = -1, sig = 0, timed_out = 0;
		strvec_copy(&argv, &k->argv);
		strvec_push_owned(&argv, NULL);
		argv.n--;
		ran++;
		fprintf(stderr, "smoke %s: %s\n", k->name, argv.v[0]);
		if (spawn_stream(&status, &sig, &timed_out, (const char *const *)argv.v, NULL, timeout, 1, &err) < 0)
			findings_add(out, "smoke-failed", SEV_ERROR, cfg->ini_path, k->line, NULL, "smoke command '%s': %s",
				     k->name, err.msg);
		else if (timed_out)
			findings_add(out, "smoke-failed", SEV_ERROR, cfg->ini_path, k->line, NULL,
				     "smoke command '%s' did not finish within %ld s (smoke_timeout)", k->name, timeout);
		else if (status != 0)
			findings_add(out, "smoke-failed", SEV_ERROR, cfg->ini_path, k->line, NULL,
				     "smoke command '%s' failed (exit %d)", k->name, status);
		strvec_release(&argv);
	}
	return ran;
}
