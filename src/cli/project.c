/*
 * project.c: the steps every command shares: resolve the configuration,
 * load the scripts, build the graph, and report findings.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "db/db.h"
#include "util/fs.h"
#include "util/buf.h"
#include "util/parse.h"
#include "util/utf8.h"
#include "util/banned.h"

int cli_load_project(cli_project *p, const cli_common *common)
{
	config_opts co = CONFIG_OPTS_INIT;
	mg_error err = MG_ERROR_INIT;
	size_t load_errors;
	int rc;

	memset(p, 0, sizeof(*p));
	co.ini_path = common->config;
	co.section = common->name;
	co.script_location = common->script_location;
	co.alembic_version = common->alembic_version;
	co.no_cache = common->no_cache;
	if ((rc = config_load(&p->cfg, &co, &err)) < 0) {
		fprintf(stderr, "mgate: error: %s\n", err.msg);
		return rc == MG_EENV ? EXIT_ENV : EXIT_USAGE;
	}
	p->sd.keep_sources = common->keep_sources;
	rc = scriptdir_load(&p->sd, &p->cfg, &p->found, &err);
	if (rc < 0) {
		fprintf(stderr, "mgate: error: %s\n", err.msg);
		return rc == MG_ECONFIG ? EXIT_USAGE : EXIT_ENV;
	}
	/* A script that could not be read leaves a hole in the graph: heads
	 * and order computed without it would be wrong, so the graph counts as
	 * broken and commands print no graph data. */
	load_errors = findings_count(&p->found, SEV_ERROR);
	revmap_build(&p->map, &p->sd, &p->found);
	if (load_errors)
		p->map.broken = 1;
	return 0;
}

void cli_project_release(cli_project *p)
{
	if (!p)
		return;
	revmap_release(&p->map);
	scriptdir_release(&p->sd);
	findings_release(&p->found);
	config_release(&p->cfg);
}

const char *cli_database_url(const char *opt, const char *from_ini)
{
	const char *env = getenv("MGATE_DATABASE_URL");

	if (opt)
		return opt;
	if (env && *env)
		return env;
	return from_ini;
}

int cli_pg_version(int *out, const char **source, const char *opt, const mgate_config *cfg, const buf *server,
		   const char *cmd)
{
	const char *expected;
	int major;

	*out = 15;
	if (source)
		*source = opt ? "option" : "default";
	if (opt) {
		if (parse_pg_major(out, opt, &expected) < 0) {
			fprintf(stderr, "mgate %s: bad PostgreSQL version '%s'; expected %s\n", cmd, opt, expected);
			return EXIT_USAGE;
		}
		return 0;
	}
	if (server && server->len && (major = cli_server_pg_major(server)) > 0) {
		*out = major;
		if (source)
			*source = "server";
	} else if (cfg && cfg->settings.pg_version) {
		*out = cfg->settings.pg_version;
		if (source)
			*source = "config";
	}
	return 0;
}

int cli_server_pg_major(const buf *server)
{
	static const char prefix[] = "PostgreSQL ";

	return strncmp(server->ptr, prefix, strlen(prefix)) ? 0 : atoi(server->ptr + strlen(prefix));
}

void cli_version_table(db_version_table *vt, char **own_table, char **own_schema, const cli_dbopts *o,
		       const mgate_config *cfg)
{
	*own_table = cfg->settings.version_table ? mg_strdup(cfg->settings.version_table) : NULL;
	*own_schema = cfg->settings.version_table_schema ? mg_strdup(cfg->settings.version_table_schema) : NULL;
	vt->table = o && o->version_table ? o->version_table : *own_table ? *own_table
									  : "alembic_version";
	vt->schema = o && o->version_table_schema ? o->version_table_schema : *own_schema;
}

int cli_read_versions(strvec *rows, buf *where, buf *server, const cli_dbopts *o, cli_project *p)
{
	mg_error err = MG_ERROR_INIT;
	db *d = NULL;
	db_version_table vt;
	char *cfg_table = NULL, *cfg_schema = NULL;
	const char *url = cli_database_url(o->db_url, p->cfg.sqlalchemy_url);
	int exists = 0, rc = EXIT_OK;

	if (!url) {
		fprintf(stderr, "mgate: error: no database URL; pass --db URL, set MGATE_DATABASE_URL, or set "
				"sqlalchemy.url in alembic.ini\n");
		return EXIT_USAGE;
	}
	if (db_open(&d, url, &err) < 0) {
		fprintf(stderr, "mgate: error: %s\n", err.msg);
		return err.code == MG_ECONFIG ? EXIT_USAGE : EXIT_ENV;
	}
	buf_puts(where, d->redacted);
	cli_version_table(&vt, &cfg_table, &cfg_schema, o, &p->cfg);
	if (d->ops->read_versions(d, &vt, rows, &exists, &err) < 0 ||
	    (server && d->ops->server_version(d, server, &err) < 0)) {
		fprintf(stderr, "mgate: error: %s\n", err.msg);
		rc = EXIT_ENV;
	}
	free(cfg_table);
	free(cfg_schema);
	db_close(d);
	return rc;
}

static int rules_error(const mg_error *err)
{
	fprintf(stderr, "mgate: error: %s\n", err->msg);
	return err->code == MG_EENV ? EXIT_ENV : EXIT_USAGE;
}

/* `rule.<id> = severity` settings from [mgate]. */
static int configure_rules(ruleset *out, const mgate_config *cfg)
{
	mg_error err = MG_ERROR_INIT;
	size_t i;

	for (i = 0; i < cfg->settings.nrules; i++) {
		const config_rule *r = &cfg->settings.rules[i];
		if (ruleset_configure(out, r->id, r->severity, &err) < 0) {
			fprintf(stderr, "mgate: error: %s:%d: %s\n", cfg->ini_path, r->line, err.msg);
			return EXIT_USAGE;
		}
	}
	return 0;
}

int cli_load_rules(ruleset *out, const char *opt_dir, const mgate_config *cfg)
{
	mg_error err = MG_ERROR_INIT;
	char *builtin = rules_default_dir();
	buf project = BUF_INIT;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!builtin) {
		fprintf(stderr, "mgate: error: the built-in rules folder was not found beside the program; set "
				"MGATE_RULES_DIR to mgate's rules/ folder\n");
		return EXIT_ENV;
	}
	if (ruleset_load_dir(out, builtin, &err) < 0) {
		rc = rules_error(&err);
		goto cleanup;
	}
	if (opt_dir)
		buf_puts(&project, opt_dir);
	else if (cfg && cfg->settings.rules_dir)
		buf_puts(&project, cfg->settings.rules_dir);
	if (project.len && !fs_is_dir(project.ptr)) {
		fprintf(stderr, "mgate: error: rules folder '%s' does not exist\n", project.ptr);
		rc = EXIT_USAGE;
		goto cleanup;
	}
	if (project.len && ruleset_load_dir(out, project.ptr, &err) < 0) {
		rc = rules_error(&err);
		goto cleanup;
	}
	if (cfg && cfg->ini_path)
		rc = configure_rules(out, cfg);
cleanup:
	free(builtin);
	buf_release(&project);
	return rc;
}

void cli_print_findings(const findings *f, int quiet)
{
	buf out = BUF_INIT;
	size_t i;

	/* stderr is unbuffered: one write per block of lines, not per piece */
	for (i = 0; i < f->n; i++) {
		const finding *x = &f->v[i];
		if (quiet && x->severity != SEV_ERROR)
			continue;
		if (x->path && x->line)
			buf_printf(&out, "%s:%d: ", x->path, x->line);
		else if (x->path)
			buf_printf(&out, "%s: ", x->path);
		buf_printf(&out, "%s: %s [%s]\n", finding_severity_name(x->severity), x->message, x->id);
		if (out.len >= 65536) {
			fwrite(out.ptr, 1, out.len, stderr);
			buf_truncate(&out, 0);
		}
	}
	if (out.len)
		fwrite(out.ptr, 1, out.len, stderr);
	buf_release(&out);
}

int cli_check_format(const char *format, const char *const *allowed, const char *cmd)
{
	size_t i;

	for (i = 0; allowed[i]; i++)
		if (!strcmp(format, allowed[i]))
			return 0;
	fprintf(stderr, "mgate %s: unknown format '%s'; expected one of:", cmd, format);
	for (i = 0; allowed[i]; i++)
		fprintf(stderr, " %s", allowed[i]);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

void cli_print_json(void *json)
{
	char *s = json_dumps((json_t *)json, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	if (s) {
		fputs(s, stdout);
		fputc('\n', stdout);
		free(s);
	}
	json_decref((json_t *)json);
}

void *cli_findings_json(const findings *f)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < f->n; i++) {
		const finding *x = &f->v[i];
		json_t *o = json_object();
		json_object_set_new(o, "rule", cli_json_str(x->id));
		json_object_set_new(o, "severity", json_string(finding_severity_name(x->severity)));
		json_object_set_new(o, "revision", x->revision ? cli_json_str(x->revision) : json_null());
		json_object_set_new(o, "path", x->path ? cli_json_str(x->path) : json_null());
		json_object_set_new(o, "line", x->line ? json_integer(x->line) : json_null());
		json_object_set_new(o, "message", cli_json_str(x->message));
		json_array_append_new(arr, o);
	}
	return arr;
}

void *cli_json_str(const char *s)
{
	buf clean = BUF_INIT;
	const unsigned char *p = (const unsigned char *)s;
	json_t *j;

	if ((j = json_string(s)) != NULL)
		return j; /* the common case: already valid UTF-8 */
	while (*p) {
		size_t n = utf8_seq_len(p, 4);
		if (!n) {
			buf_puts(&clean, "\xEF\xBF\xBD");
			p++;
			continue;
		}
		buf_put(&clean, (const char *)p, n);
		p += n;
	}
	j = json_string(clean.ptr);
	if (!j)
		j = json_string("?");
	buf_release(&clean);
	return j;
}

static json_t *strings_json(const char *const *v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, cli_json_str(v[i]));
	return a;
}

void *cli_strvec_json(const strvec *sv)
{
	return strings_json((const char *const *)sv->v, sv->n);
}

void *cli_strlist_json(const strlist *sl)
{
	return strings_json(sl->v, sl->n);
}

void cli_format_labels(buf *out, const revnode *r)
{
	if (!r->labels.n)
		return;
	buf_puts(out, " (");
	buf_join(out, r->labels.v, r->labels.n, ", ");
	buf_putc(out, ')');
}

void cli_format_down(buf *out, const revnode *r)
{
	if (!r->s->down.n) {
		buf_puts(out, "<base>");
		return;
	}
	buf_join(out, r->s->down.v, r->s->down.n, ", ");
}
