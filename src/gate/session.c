/*
 * session.c: resolve what a command about one database needs (session.h).
 */
#include "gate/session.h"

#include <stdlib.h>
#include <string.h>

#include "db/dburl.h"
#include "util/parse.h"
#include "util/banned.h"

const char *session_database_url(const char *opt, const char *from_ini)
{
	const char *env = getenv("MGATE_DATABASE_URL");

	if (opt)
		return opt;
	if (env && *env)
		return env;
	return from_ini;
}

/* Connect, and read the version rows and the server's version; a failure
 * leaves s->d NULL with the reason in s->dberr. MG_ECONFIG for a URL that
 * cannot be a database's. */
static int connect_db(session *s, mg_error *err)
{
	mg_error e = MG_ERROR_INIT;
	int exists = 0;

	if (db_open(&s->d, s->url, &e) < 0) {
		s->d = NULL;
		if (e.code == MG_ECONFIG)
			return mg_error_set(err, MG_ECONFIG, "%s", e.msg);
		buf_puts(&s->dberr, e.msg);
		dburl_redact(&s->where, s->url);
		return MG_OK;
	}
	buf_puts(&s->where, s->d->redacted);
	s->reached = 1;
	if (s->d->ops->read_versions(s->d, &s->vt, &s->rows, &exists, &e) < 0 ||
	    s->d->ops->server_version(s->d, &s->server, &e) < 0) {
		buf_puts(&s->dberr, e.msg);
		session_disconnect(s);
	}
	s->vt_exists = exists;
	return MG_OK;
}

int session_connect(session *s, int required, mg_error *err)
{
	int rc;

	if (!s->url)
		return mg_error_set(err, MG_ECONFIG, "no database URL; pass --db URL, set MGATE_DATABASE_URL, or set "
						     "sqlalchemy.url in alembic.ini");
	if ((rc = connect_db(s, err)) < 0)
		return rc;
	if (!s->d && required)
		return mg_error_set(err, MG_EENV, "%s", s->dberr.ptr);
	return MG_OK;
}

/* A name option's value (NULL: not given). */
static int check_name(const char *option, const char *value, mg_error *err)
{
	const char *expected;

	if (value && parse_sql_name(value, &expected) < 0)
		return mg_error_set(err, MG_ECONFIG, "--%s '%s': expected %s", option, value, expected);
	return MG_OK;
}

/* The PostgreSQL version to judge for: the option (already parsed into
 * s->lo.pg_version), else the server's, else pg_version in [mgate], else 15. */
static void choose_pg_version(session *s, const char *opt)
{
	int major;

	if (opt) {
		s->pg_version_source = "option";
	} else if (!strncmp(s->server.ptr, "PostgreSQL ", 11) && (major = atoi(s->server.ptr + 11)) > 0) {
		s->lo.pg_version = major;
		s->pg_version_source = "server";
	} else if (s->p.cfg.settings.pg_version) {
		s->lo.pg_version = s->p.cfg.settings.pg_version;
		s->pg_version_source = "config";
	} else {
		s->lo.pg_version = 15;
		s->pg_version_source = "default";
	}
}

int session_scratch(session *s, const char *given, const char *what, mg_error *err)
{
	db_url u, own;
	buf red = BUF_INIT;
	int rc = MG_OK, other = 0;

	s->scratch_url = given ? given : s->url;
	if (!given)
		return MG_OK;
	dburl_redact(&red, given);
	if (dburl_parse(&u, given, err) < 0) {
		rc = mg_error_wrap(err, "%s", what); /* the parser's message names the (redacted) URL */
		goto cleanup;
	}
	if (s->url && dburl_parse(&own, s->url, err) == 0) {
		other = own.dialect != u.dialect;
		dburl_release(&own);
	}
	mg_error_clear(err);
	if (u.dialect != DB_POSTGRESQL)
		rc = mg_error_set(err, MG_ECONFIG, "%s '%s': a scratch server is for PostgreSQL; SQLite copies go to the "
						   "temporary folder (TMPDIR)",
				  what, red.ptr);
	else if (other)
		rc = mg_error_set(err, MG_ECONFIG, "%s '%s' is another kind of database than the one it holds copies of", what,
				  red.ptr);
	dburl_release(&u);
cleanup:
	buf_release(&red);
	return rc;
}

/* The options given as text, checked before anything is read. */
static int check_options(session *s, const session_opts *o, mg_error *err)
{
	const char *expected;
	int rc;

	if (o->pg_version && parse_pg_major(&s->lo.pg_version, o->pg_version, &expected) < 0)
		return mg_error_set(err, MG_ECONFIG, "--pg-version '%s': expected %s", o->pg_version, expected);
	if ((rc = check_name("version-table", o->version_table, err)) < 0 ||
	    (rc = check_name("version-table-schema", o->version_table_schema, err)) < 0)
		return rc;
	return MG_OK;
}

int session_open(session *s, const session_opts *o, mg_error *err)
{
	const mgate_settings *set;
	int rc;

	memset(s, 0, sizeof(*s));
	buf_init(&s->dberr);
	buf_init(&s->where);
	buf_init(&s->server);
	buf_init(&s->lock);
	if ((rc = check_options(s, o, err)) < 0 || (rc = project_load(&s->p, &o->project, err)) < 0)
		return rc;
	set = &s->p.cfg.settings;
	if (o->rules && (rc = ruleset_load_project(&s->rules, o->rules_dir, &s->p.cfg, err)) < 0)
		return rc;
	s->vt.table = o->version_table ? o->version_table : set->version_table ? set->version_table
									       : "alembic_version";
	s->vt.schema = o->version_table_schema ? o->version_table_schema : set->version_table_schema;
	buf_printf(&s->lock, "mgate:%s%s%s", s->vt.schema ? s->vt.schema : "", s->vt.schema ? "." : "", s->vt.table);
	s->backup_dir = o->backup_dir ? mg_strdup(o->backup_dir) : set->backup_dir ? mg_strdup(set->backup_dir)
										   : NULL;
	s->url = session_database_url(o->db_url, s->p.cfg.sqlalchemy_url);
	s->scratch_url = s->url;
	if (o->scratch &&
	    (rc = session_scratch(s, o->scratch_url ? o->scratch_url : set->scratch_url,
				  o->scratch_url ? "--scratch-url" : "scratch_url in [mgate]", err)) < 0)
		return rc;
	if (o->db != SESSION_NO_DB && (o->db != SESSION_DB_IF_URL || s->url) &&
	    (rc = session_connect(s, o->db == SESSION_DB_REQUIRED, err)) < 0)
		return rc;
	s->lo.rules = &s->rules;
	s->lo.strict = o->strict || set->strict;
	s->lo.dialect = s->url && !strncmp(s->url, "sqlite", 6) ? SQL_SQLITE : SQL_POSTGRESQL;
	s->lo.dialect_assumed = !s->url;
	s->lo.accepts = set->accepts;
	s->lo.naccepts = set->naccepts;
	s->lo.ini_path = s->p.cfg.ini_path;
	choose_pg_version(s, o->pg_version);
	s->audit.path = set->audit_log;
	s->audit.max_bytes = set->audit_log_max_bytes;
	s->audit.table = o->audit_table || set->audit_table;
	s->audit.url = s->url;
	s->audit.vt = &s->vt;
	return MG_OK;
}

void session_disconnect(session *s)
{
	db_close(s->d);
	s->d = NULL;
}

void session_identity(buf *out, const session *s)
{
	db_identity_of(out, s->d, s->url);
}

int session_lock(db *lockdb, const char *name, long wait_s, const progress *p, mg_error *err)
{
	int rc = lockdb->ops->lock(lockdb, name, 0, err);

	if (rc == MG_OK || rc != MG_EAMBIGUOUS)
		return rc;
	if (wait_s <= 0) {
		mg_error_append(err, "; `--lock-wait SECONDS` waits for it");
		return rc;
	}
	progress_line(p, PROGRESS_OUT, "waiting up to %ld s: %s", wait_s, err->msg);
	mg_error_clear(err);
	if ((rc = lockdb->ops->lock(lockdb, name, wait_s * 1000, err)) == MG_OK)
		progress_line(p, PROGRESS_OUT, "the migration lock is free now: going on");
	else
		mg_error_append(err, " (waited %ld s)", wait_s);
	return rc;
}

int session_checklist(checklist_result *out, const session *s, const checklist_request *req, mg_error *err)
{
	const mgate_settings *set = &s->p.cfg.settings;
	checklist_opts go;

	memset(&go, 0, sizeof(go));
	go.cfg = &s->p.cfg;
	go.map = &s->p.map;
	go.load_findings = &s->p.found;
	go.d = s->d;
	go.db_error = s->dberr.len ? s->dberr.ptr : NULL;
	go.rows = &s->rows;
	go.target = req->target ? req->target : "heads";
	go.lint = &s->lo;
	go.backup_dir = s->backup_dir;
	go.backup_max_age = (long)set->backup_max_age;
	go.skip_backup_reason = req->skip_backup_reason;
	go.lock_name = s->lock.ptr;
	go.lock_held = req->lock_held;
	go.vt = &s->vt;
	go.allow = req->allow;
	go.allow_reason = req->allow_reason;
	if ((go.drill_max_age = (long)set->drill_max_age) > 0)
		go.last_drill = audit_last_passing_drill(s->audit.path, s->where.ptr);
	return checklist_run(out, &go, err);
}

void session_audit_check(const session *s, const checklist_request *req, const checklist_result *g, int exit,
			 const char *correlation_id, const progress *p)
{
	audit_head h = session_audit_head(s, "check", correlation_id);
	audit_gate a;

	memset(&a, 0, sizeof(a));
	a.target = req->target ? req->target : "heads";
	a.result = g;
	a.skip_backup_reason = req->skip_backup_reason;
	a.allow = req->allow;
	a.allow_reason = req->allow_reason;
	audit_write_check(&s->audit, &h, &a, exit, p);
}

audit_head session_audit_head(const session *s, const char *command, const char *correlation_id)
{
	audit_head h;

	h.command = command;
	h.id = correlation_id;
	h.database = s->where.ptr;
	h.from = &s->rows;
	return h;
}

void session_close(session *s)
{
	if (!s)
		return;
	session_disconnect(s);
	ruleset_release(&s->rules);
	free(s->backup_dir);
	strvec_release(&s->rows);
	buf_release(&s->dberr);
	buf_release(&s->where);
	buf_release(&s->server);
	buf_release(&s->lock);
	project_release(&s->p);
	memset(s, 0, sizeof(*s));
}
