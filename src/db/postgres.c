/*
 * postgres.c: the PostgreSQL adapter (see db.h), on libpq. The session is
 * made read-only (default_transaction_read_only) right after connecting.
 */
#include "db/db.h"

#include <jansson.h>
#include "db/pg_snapshot.h"
#include <libpq-fe.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "util/fs.h"
#include "util/spawn.h"
#include "util/banned.h"

typedef struct db_pg {
	db base;
	PGconn *conn;
} db_pg;

static void pg_close(db *d)
{
	db_pg *p = (db_pg *)d;

	if (!p)
		return;
	if (p->conn)
		PQfinish(p->conn);
	free(p->base.redacted);
	free(p);
}

/* libpq's message without its trailing newline, first line only. */
static void first_line(buf *out, const char *msg)
{
	const char *nl = strchr(msg, '\n');
	buf_put(out, msg, nl ? (size_t)(nl - msg) : strlen(msg));
}

static const char *connect_hint(const char *msg)
{
	if (strstr(msg, "password authentication failed") || strstr(msg, "no password supplied"))
		return "check the user and password (URL, PGPASSWORD or ~/.pgpass)";
	if (strstr(msg, "does not exist"))
		return "check the database name in the URL";
	if (strstr(msg, "Connection refused") || strstr(msg, "could not connect") || strstr(msg, "No such file"))
		return "is the server running and accepting connections at that host and port?";
	if (strstr(msg, "timeout") || strstr(msg, "timed out"))
		return "the server did not answer in time; check the host, the port and the network";
	if (strstr(msg, "permission denied") || strstr(msg, "pg_hba.conf"))
		return "the server refuses this user from this host (pg_hba.conf)";
	return "check the URL";
}

/* Server notices ("relation ... already exists, skipping" from CREATE
 * TABLE IF NOT EXISTS) are not for mgate's user: libpq would print them
 * on stderr. Errors still come back as results. */
static void ignore_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* A connection to `url`, or to another database of the same server when
 * `dbname` is not NULL, with mgate's defaults (a 10 s connect timeout,
 * application_name mgate) where the URL sets none. */
static PGconn *connect_url(const db_url *url, const char *dbname, const char *redacted, mg_error *err)
{
	strvec keys = STRVEC_INIT, values = STRVEC_INIT;
	const char **kw, **vals;
	PGconn *c;
	size_t i;
	int at;

	dburl_libpq_params(&keys, &values, url);
	if (strvec_index(&keys, "connect_timeout") < 0) {
		strvec_push(&keys, "connect_timeout");
		strvec_push(&values, "10");
	}
	if (strvec_index(&keys, "application_name") < 0) {
		strvec_push(&keys, "application_name");
		strvec_push(&values, "mgate");
	}
	if (dbname) {
		if ((at = strvec_index(&keys, "dbname")) >= 0) {
			free(values.v[at]);
			values.v[at] = mg_strdup(dbname);
		} else {
			strvec_push(&keys, "dbname");
			strvec_push(&values, dbname);
		}
	}
	kw = mg_calloc(keys.n + 1, sizeof(*kw));
	vals = mg_calloc(keys.n + 1, sizeof(*vals));
	for (i = 0; i < keys.n; i++) {
		kw[i] = keys.v[i];
		vals[i] = values.v[i];
	}
	c = PQconnectdbParams(kw, vals, 0);
	if (c)
		PQsetNoticeProcessor(c, ignore_notice, NULL);
	if (!c || PQstatus(c) != CONNECTION_OK) {
		buf msg = BUF_INIT;
		const char *raw = c ? PQerrorMessage(c) : "out of memory";
		first_line(&msg, raw);
		mg_error_set(err, MG_EENV, "cannot connect to %s%s%s%s: %s; %s", redacted, dbname ? " (database '" : "",
			     dbname ? dbname : "", dbname ? "')" : "", msg.ptr, connect_hint(raw));
		buf_release(&msg);
		PQfinish(c);
		c = NULL;
	}
	free(kw);
	free(vals);
	strvec_release(&keys);
	strvec_release(&values);
	return c;
}

static int pg_open(db **out, const db_url *url, const char *redacted, mg_error *err)
{
	db_pg *p = mg_calloc(1, sizeof(*p));
	PGresult *res = NULL;
	int rc = MG_OK;

	*out = NULL;
	p->base.ops = &db_pg_ops;
	p->base.redacted = mg_strdup(redacted);
	if (!(p->conn = connect_url(url, NULL, redacted, err))) {
		rc = MG_EENV;
		goto cleanup;
	}
	res = PQexec(p->conn, "SET default_transaction_read_only = on");
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		buf msg = BUF_INIT;
		first_line(&msg, PQerrorMessage(p->conn));
		rc = mg_error_set(err, MG_EENV, "cannot make the session read-only on %s: %s", redacted, msg.ptr);
		buf_release(&msg);
	}
cleanup:
	if (res)
		PQclear(res);
	if (rc < 0) {
		pg_close(&p->base);
		return rc;
	}
	*out = &p->base;
	return MG_OK;
}

static int pg_server_version(db *d, buf *out, mg_error *err)
{
	db_pg *p = (db_pg *)d;
	int v = PQserverVersion(p->conn);

	(void)err;
	buf_printf(out, "PostgreSQL %d.%d", v / 10000, v % 10000);
	return MG_OK;
}

static int pg_error(db *d, const char *what, mg_error *err)
{
	db_pg *p = (db_pg *)d;
	buf msg = BUF_INIT;
	int rc;

	first_line(&msg, PQerrorMessage(p->conn));
	rc = mg_error_set(err, MG_EENV, "%s on %s: %s", what, d->redacted, msg.ptr);
	buf_release(&msg);
	return rc;
}

/* The table's name for SQL, each part quoted by libpq. */
static int qualified_name(buf *out, PGconn *c, const db_version_table *vt)
{
	char *q;

	if (vt->schema) {
		if (!(q = PQescapeIdentifier(c, vt->schema, strlen(vt->schema))))
			return -1;
		buf_puts(out, q);
		buf_putc(out, '.');
		PQfreemem(q);
	}
	if (!(q = PQescapeIdentifier(c, vt->table, strlen(vt->table))))
		return -1;
	buf_puts(out, q);
	PQfreemem(q);
	return 0;
}

/* Does the relation `name` (quoted, maybe schema-qualified) exist? */
static int relation_exists(int *out, db *d, const char *name, const char *what, mg_error *err)
{
	db_pg *p = (db_pg *)d;
	const char *params[1] = { name };
	PGresult *r = PQexecParams(p->conn, "SELECT to_regclass($1) IS NOT NULL", 1, NULL, params, NULL, NULL, 0);
	int rc = MG_OK;

	*out = 0;
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		rc = pg_error(d, what, err);
	else
		*out = PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	return rc;
}

static int pg_read_versions(db *d, const db_version_table *vt, strvec *out, int *exists, mg_error *err)
{
	db_pg *p = (db_pg *)d;
	buf name = BUF_INIT, sql = BUF_INIT;
	PGresult *res = NULL;
	int rc = MG_OK, i;

	*exists = 0;
	if (qualified_name(&name, p->conn, vt) < 0) {
		rc = pg_error(d, "cannot quote the version table's name", err);
		goto cleanup;
	}
	if ((rc = relation_exists(exists, d, name.ptr, "cannot look for the version table", err)) < 0 || !*exists)
		goto cleanup; /* no table: an empty database */
	buf_printf(&sql, "SELECT version_num FROM %s", name.ptr);
	res = PQexec(p->conn, sql.ptr);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		rc = pg_error(d, "cannot read the version table", err);
		goto cleanup;
	}
	for (i = 0; i < PQntuples(res); i++)
		strvec_push(out, PQgetvalue(res, i, 0));
cleanup:
	PQclear(res);
	buf_release(&name);
	buf_release(&sql);
	return rc;
}

/* ---- schema snapshot ------------------------------------------------------ */

static int pg_snapshot_write(db *d, FILE *out, mg_error *err)
{
	buf ver = BUF_INIT;
	int rc;

	pg_server_version(d, &ver, err);
	rc = pg_snapshot_stream(out, ((db_pg *)d)->conn, ver.ptr, d->redacted, err);
	buf_release(&ver);
	return rc;
}

/* The model as a tree: the streamed document, read back. One writer, so
 * the file `mgate snapshot` writes and the tree verify compares are the
 * same thing. */
static int pg_snapshot(db *d, void **out, mg_error *err)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	json_error_t jerr;
	int rc;

	*out = NULL;
	if (!f)
		return mg_error_set(err, MG_EENV, "cannot hold the snapshot in memory");
	rc = pg_snapshot_write(d, f, err);
	if (fclose(f) != 0 && rc == MG_OK)
		rc = mg_error_set(err, MG_EENV, "cannot hold the snapshot in memory");
	if (rc == MG_OK && !(*out = json_loadb(text, len, 0, &jerr)))
		rc = mg_error_set(err, MG_EENV, "the snapshot of %s does not read back: %s", d->redacted, jerr.text);
	free(text);
	return rc;
}

static int pg_table_rows(db *d, const char *table, long long *out, mg_error *err)
{
	db_pg *p = (db_pg *)d;
	const char *params[1] = { table };
	PGresult *r = PQexecParams(p->conn, "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass($1)", 1, NULL,
				   params, NULL, NULL, 0);
	int rc = MG_OK;

	*out = -1;
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		rc = pg_error(d, "cannot read table statistics", err);
	else if (PQntuples(r) == 1)
		*out = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return rc;
}

/* Who holds the advisory lock `name`: "pid N (application, user U,
 * connected since T)", or empty when it cannot be seen. */
static void pg_lock_holder(db_pg *p, const char *name, buf *out)
{
	const char *params[1] = { name };
	PGresult *r = PQexecParams(
		p->conn,
		"SELECT format('pid %s (%s, user %s, connected since %s)', a.pid, coalesce(nullif(a.application_name, ''), "
		"'no application name'), coalesce(a.usename::text, 'unknown'), coalesce(to_char(a.backend_start AT TIME ZONE "
		"'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), 'a time this role may not see')) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
		"WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.database = (SELECT oid FROM "
		"pg_database WHERE datname = current_database()) AND l.classid::text::bigint = "
		"((hashtextextended($1, 0) >> 32) & 4294967295) AND l.objid::text::bigint = (hashtextextended($1, 0) & "
		"4294967295) LIMIT 1",
		1, NULL, params, NULL, NULL, 0);

	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		buf_puts(out, PQgetvalue(r, 0, 0));
	PQclear(r);
}

static int pg_lock(db *d, const char *name, long wait_ms, mg_error *err)
{
	db_pg *p = (db_pg *)d;
	const char *params[1] = { name };
	long waited = 0;

	for (;;) {
		PGresult *r = PQexecParams(p->conn, "SELECT pg_try_advisory_lock(hashtextextended($1, 0))", 1, NULL, params,
					   NULL, NULL, 0);
		int got;
		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			PQclear(r);
			return pg_error(d, "cannot take the migration lock", err);
		}
		got = PQgetvalue(r, 0, 0)[0] == 't';
		PQclear(r);
		if (got)
			return MG_OK;
		if (waited >= wait_ms) {
			buf who = BUF_INIT;
			pg_lock_holder(p, name, &who);
			mg_error_set(err, MG_EAMBIGUOUS, "another mgate run holds the migration lock '%s' on %s%s%s", name,
				     d->redacted, who.len ? ", " : "", who.ptr);
			buf_release(&who);
			return MG_EAMBIGUOUS;
		}
		usleep(100000);
		waited += 100;
	}
}

static void pg_unlock(db *d, const char *name)
{
	db_pg *p = (db_pg *)d;
	const char *params[1] = { name };

	PQclear(PQexecParams(p->conn, "SELECT pg_advisory_unlock(hashtextextended($1, 0))", 1, NULL, params, NULL, NULL, 0));
}

static int pg_query_scalar(db *d, const char *sql, char **out, mg_error *err)
{
	db_pg *p = (db_pg *)d;
	PGresult *r = PQexec(p->conn, sql);
	int rc = MG_OK;

	*out = NULL;
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		rc = pg_error(d, "the query failed", err);
	else if (PQntuples(r) > 0 && PQnfields(r) > 0 && !PQgetisnull(r, 0, 0))
		*out = mg_strdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	return rc;
}

static int pg_identity(db *d, buf *out, mg_error *err)
{
	db_pg *p = (db_pg *)d;
	char *sysid = NULL;
	int rc;

	if ((rc = pg_query_scalar(d, "SELECT system_identifier::text FROM pg_control_system()", &sysid, err)) < 0)
		return rc;
	buf_printf(out, "postgresql:%s/%s", sysid ? sysid : "?", PQdb(p->conn));
	free(sysid);
	return MG_OK;
}

/* The connection's effective parameters as libpq environment variables
 * (PGHOST, PGPORT, PGUSER, PGPASSWORD, ...), so that pg_dump reaches the
 * same database without a password on its command line. */
static void conn_env(strvec *out, PGconn *c)
{
	PQconninfoOption *opts = PQconninfo(c), *o;

	for (o = opts; o && o->keyword; o++)
		if (o->envvar && o->val && *o->val) {
			buf b = BUF_INIT;
			buf_printf(&b, "%s=%s", o->envvar, o->val);
			strvec_push_owned(out, buf_detach(&b));
		}
	PQconninfoFree(opts);
}

/* Run a PostgreSQL client program; its stderr (first line) explains failures. */
static int run_client(const char *const *argv, const strvec *env, const char *stdout_path, const char *what,
		      const char *where, mg_error *err)
{
	buf errout = BUF_INIT, first = BUF_INIT;
	spawn_opts so = { argv, env, stdout_path, NULL, &errout };
	int status = -1, rc;

	if ((rc = spawn_run(&status, &so, err)) < 0) {
		rc = mg_error_set(err, MG_EENV, "%s: install the PostgreSQL client (Debian package 'postgresql-client')",
				  err->msg);
		goto cleanup;
	}
	if (status != 0) {
		first_line(&first, errout.len ? errout.ptr : "no message");
		rc = mg_error_set(err, MG_EENV, "%s of %s failed (exit %d): %s", what, where, status, first.ptr);
	}
cleanup:
	buf_release(&errout);
	buf_release(&first);
	return rc;
}

static int pg_backup(db *d, const char *dest, void (*progress)(double, void *), void *ctx, mg_error *err)
{
	db_pg *p = (db_pg *)d;
	strvec env = STRVEC_INIT;
	const char *dump[] = { "pg_dump", "--format=custom", "--no-password", "--file", dest, NULL };
	const char *list[] = { "pg_restore", "--list", dest, NULL };
	int rc;

	conn_env(&env, p->conn);
	if (progress)
		progress(0.0, ctx);
	if ((rc = run_client(dump, &env, NULL, "pg_dump", d->redacted, err)) == MG_OK &&
	    (rc = run_client(list, &env, "/dev/null", "reading the archive back with pg_restore --list", d->redacted,
			     err)) ==
		    MG_OK &&
	    progress)
		progress(1.0, ctx);
	strvec_release(&env);
	return rc;
}

/* The ledger's name for SQL: "schema"."mgate_ledger", or "mgate_ledger". */
static int ledger_name(buf *out, PGconn *c, const db_version_table *vt)
{
	db_version_table l = { "mgate_ledger", vt->schema };
	return qualified_name(out, c, &l);
}

static int pg_ledger_read(db *d, const db_version_table *vt, strvec *revisions, strvec *hashes, int *exists,
			  mg_error *err)
{
	db_pg *p = (db_pg *)d;
	buf name = BUF_INIT, q = BUF_INIT;
	PGresult *r = NULL;
	int rc = MG_OK, i;

	*exists = 0;
	if (ledger_name(&name, p->conn, vt) < 0) {
		rc = pg_error(d, "cannot quote the ledger's name", err);
		goto cleanup;
	}
	if ((rc = relation_exists(exists, d, name.ptr, "cannot read the ledger", err)) < 0 || !*exists)
		goto cleanup;
	buf_printf(&q, "SELECT revision, sha256 FROM %s ORDER BY applied_at, ctid", name.ptr);
	r = PQexec(p->conn, q.ptr);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		rc = pg_error(d, "cannot read the ledger", err);
		goto cleanup;
	}
	for (i = 0; i < PQntuples(r); i++) {
		const char *rev = PQgetvalue(r, i, 0), *h = PQgetvalue(r, i, 1);
		int at = strvec_index(revisions, rev);
		if (at >= 0) {
			free(hashes->v[at]);
			hashes->v[at] = mg_strdup(h);
		} else {
			strvec_push(revisions, rev);
			strvec_push(hashes, h);
		}
	}
cleanup:
	PQclear(r);
	buf_release(&name);
	buf_release(&q);
	return rc;
}

/* A second, writable session to the same database (same parameters). */
static PGconn *writable_conn(PGconn *c)
{
	PQconninfoOption *opts = PQconninfo(c), *o;
	const char **kw, **vals;
	size_t n = 0, i = 0;
	PGconn *w;

	for (o = opts; o && o->keyword; o++)
		n++;
	kw = mg_calloc(n + 1, sizeof(*kw));
	vals = mg_calloc(n + 1, sizeof(*vals));
	for (o = opts; o && o->keyword; o++)
		if (o->val && *o->val) {
			kw[i] = o->keyword;
			vals[i++] = o->val;
		}
	w = PQconnectdbParams(kw, vals, 0);
	if (w)
		PQsetNoticeProcessor(w, ignore_notice, NULL);
	free(kw);
	free(vals);
	PQconninfoFree(opts);
	return w;
}

static int pg_ledger_write(db *d, const db_version_table *vt, const strvec *revisions, const strvec *hashes,
			   const char *by, const char *correlation_id, mg_error *err)
{
	db_pg *p = (db_pg *)d;
	PGconn *w = writable_conn(p->conn);
	buf name = BUF_INIT, q = BUF_INIT, msg = BUF_INIT;
	PGresult *r = NULL;
	size_t i;
	int rc = MG_OK;

	if (!w || PQstatus(w) != CONNECTION_OK) {
		first_line(&msg, w ? PQerrorMessage(w) : "out of memory");
		rc = mg_error_set(err, MG_EENV, "cannot connect to %s to record the ledger: %s", d->redacted, msg.ptr);
		goto cleanup;
	}
	if (ledger_name(&name, w, vt) < 0) {
		rc = mg_error_set(err, MG_EENV, "cannot quote the ledger's name");
		goto cleanup;
	}
	buf_printf(&q, "BEGIN; CREATE TABLE IF NOT EXISTS %s (revision text NOT NULL, sha256 text NOT NULL, "
		       "applied_at timestamptz NOT NULL DEFAULT now(), applied_by text, correlation_id text)",
		   name.ptr);
	r = PQexec(w, q.ptr);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		goto fail;
	PQclear(r);
	r = NULL;
	buf_truncate(&q, 0);
	buf_printf(&q, "INSERT INTO %s (revision, sha256, applied_by, correlation_id) VALUES ($1, $2, $3, $4)", name.ptr);
	for (i = 0; i < revisions->n; i++) {
		const char *params[4] = { revisions->v[i], hashes->v[i], by, correlation_id };
		r = PQexecParams(w, q.ptr, 4, NULL, params, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			goto fail;
		PQclear(r);
		r = NULL;
	}
	r = PQexec(w, "COMMIT");
	if (PQresultStatus(r) == PGRES_COMMAND_OK)
		goto cleanup;
fail:
	first_line(&msg, PQerrorMessage(w));
	rc = mg_error_set(err, MG_EENV, "cannot record the ledger on %s: %s", d->redacted, msg.ptr);
	PQclear(r);
	r = PQexec(w, "ROLLBACK");
cleanup:
	PQclear(r);
	if (w)
		PQfinish(w);
	buf_release(&name);
	buf_release(&q);
	buf_release(&msg);
	return rc;
}

static int pg_audit_write(db *d, const db_version_table *vt, const char *correlation_id, const char *json_line,
			  mg_error *err)
{
	db_pg *p = (db_pg *)d;
	PGconn *w = writable_conn(p->conn);
	db_version_table at = { "mgate_audit", vt->schema };
	buf name = BUF_INIT, q = BUF_INIT, msg = BUF_INIT;
	PGresult *r = NULL;
	const char *params[2] = { correlation_id, json_line };
	int rc = MG_OK;

	if (!w || PQstatus(w) != CONNECTION_OK) {
		first_line(&msg, w ? PQerrorMessage(w) : "out of memory");
		rc = mg_error_set(err, MG_EENV, "cannot connect to %s for the audit table: %s", d->redacted, msg.ptr);
		goto cleanup;
	}
	if (qualified_name(&name, w, &at) < 0) {
		rc = mg_error_set(err, MG_EENV, "cannot quote the audit table's name");
		goto cleanup;
	}
	buf_printf(&q, "CREATE TABLE IF NOT EXISTS %s (recorded_at timestamptz NOT NULL DEFAULT now(), "
		       "correlation_id text, entry jsonb NOT NULL)",
		   name.ptr);
	r = PQexec(w, q.ptr);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		goto fail;
	PQclear(r);
	buf_truncate(&q, 0);
	buf_printf(&q, "INSERT INTO %s (correlation_id, entry) VALUES ($1, $2::jsonb)", name.ptr);
	r = PQexecParams(w, q.ptr, 2, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) == PGRES_COMMAND_OK)
		goto cleanup;
fail:
	first_line(&msg, PQerrorMessage(w));
	rc = mg_error_set(err, MG_EENV, "cannot write the audit table on %s: %s", d->redacted, msg.ptr);
cleanup:
	PQclear(r);
	if (w)
		PQfinish(w);
	buf_release(&name);
	buf_release(&q);
	buf_release(&msg);
	return rc;
}

/* What goes before the archive's SQL: every user schema dropped, and
 * `public` recreated with its owner and grants as they were. */
static int restore_prelude(buf *out, PGconn *c, const char *redacted, mg_error *err)
{
	PGresult *r = PQexec(c,
			     "SELECT coalesce((SELECT string_agg(format('DROP SCHEMA %I CASCADE;', nspname), E'\\n') FROM pg_namespace "
			     "  WHERE nspname !~ '^pg_' AND nspname <> 'information_schema'), ''), "
			     " coalesce((SELECT format('CREATE SCHEMA public; ALTER SCHEMA public OWNER TO %I;', nspowner::regrole::text) "
			     "  FROM pg_namespace WHERE nspname = 'public'), 'CREATE SCHEMA public;'), "
			     " coalesce((SELECT string_agg(format('GRANT %s ON SCHEMA public TO %s;', a.privilege_type, "
			     "   CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(a.grantee::regrole::text) END), E'\\n') "
			     "  FROM pg_namespace n, aclexplode(n.nspacl) a WHERE n.nspname = 'public'), '')");
	int rc = MG_OK;

	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		buf msg = BUF_INIT;
		first_line(&msg, PQerrorMessage(c));
		rc = mg_error_set(err, MG_EENV, "cannot read the schemas of %s: %s", redacted, msg.ptr);
		buf_release(&msg);
	} else {
		buf_printf(out, "%s\n%s\n%s\n", PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2));
	}
	PQclear(r);
	return rc;
}

/* The archive's SQL from pg_restore, fed by mgate straight into psql (no
 * SQL file in between, both running at once) inside one transaction that
 * first drops the user schemas: psql gets COMMIT only when pg_restore
 * produced the whole archive, else ROLLBACK, and ON_ERROR_STOP ends it on
 * the first failing statement (the transaction then rolls back). A
 * failure leaves the database as it was. */
static int pg_restore_db(const db_url *url, const char *redacted, const char *backup, const char *keep, int copy,
			 mg_error *err)
{
	const char *to_sql[] = { "pg_restore", "--file=-", backup, NULL };
	const char *to_copy[] = { "pg_restore", "--no-owner", "--no-privileges", "--file=-", backup, NULL };
	const char *load[] = { "psql", "-X", "-q", "--no-password", "-v", "ON_ERROR_STOP=1", "-f", "-", NULL };
	buf prelude = BUF_INIT, perr = BUF_INIT, cerr = BUF_INIT, first = BUF_INIT;
	strvec env = STRVEC_INIT;
	spawn_relay_opts ro;
	spawn_relay_result res;
	PGconn *c = NULL;
	int rc = MG_OK;

	(void)keep;
	if (!(c = connect_url(url, NULL, redacted, err))) {
		rc = MG_EENV;
		goto cleanup;
	}
	buf_puts(&prelude, "BEGIN;\n");
	if ((rc = restore_prelude(&prelude, c, redacted, err)) < 0)
		goto cleanup;
	conn_env(&env, c);
	memset(&ro, 0, sizeof(ro));
	ro.producer = copy ? to_copy : to_sql;
	ro.consumer = load;
	ro.env = &env;
	ro.head = prelude.ptr;
	ro.tail_ok = "\nCOMMIT;\n";
	ro.tail_fail = "\nROLLBACK;\n";
	ro.err_producer = &perr;
	ro.err_consumer = &cerr;
	if ((rc = spawn_relay(&res, &ro, err)) < 0) {
		rc = mg_error_set(err, MG_EENV, "%s: install the PostgreSQL client (Debian package 'postgresql-client')",
				  err->msg);
	} else if (res.producer != 0) {
		first_line(&first, perr.len ? perr.ptr : "no message");
		rc = mg_error_set(err, MG_EENV, "reading the archive with pg_restore of %s failed (exit %d): %s; the restore "
						"was rolled back: nothing was changed",
				  redacted, res.producer, first.ptr);
	} else if (res.consumer != 0) {
		first_line(&first, cerr.len ? cerr.ptr : "no message");
		rc = mg_error_set(err, MG_EENV, "the restore (rolled back: nothing was changed) of %s failed (exit %d): %s",
				  redacted, res.consumer, first.ptr);
	}
cleanup:
	PQfinish(c);
	strvec_release(&env);
	buf_release(&prelude);
	buf_release(&perr);
	buf_release(&cerr);
	buf_release(&first);
	return rc;
}

/* The server's maintenance database, for CREATE and DROP DATABASE. */
static PGconn *connect_maintenance(const db_url *url, mg_error *err)
{
	buf text = BUF_INIT, red = BUF_INIT;
	PGconn *c;

	dburl_format(&text, url, NULL);
	dburl_redact(&red, text.ptr);
	if (!(c = connect_url(url, "postgres", red.ptr, err)) && !(c = connect_url(url, "template1", red.ptr, err)))
		c = connect_url(url, NULL, red.ptr, err); /* a scratch server may let its role into its own database only */
	buf_release(&text);
	buf_release(&red);
	return c;
}

static int pg_scratch_create(const db_url *url, const char *name, buf *out_url, mg_error *err)
{
	PGconn *c = connect_maintenance(url, err);
	PGresult *r = NULL;
	char *q = NULL;
	buf sql = BUF_INIT;
	int rc = MG_OK;

	if (!c)
		return MG_EENV;
	q = PQescapeIdentifier(c, name, strlen(name));
	buf_printf(&sql, "CREATE DATABASE %s TEMPLATE template0", q ? q : "\"?\"");
	r = PQexec(c, sql.ptr);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		buf msg = BUF_INIT;
		first_line(&msg, PQerrorMessage(c));
		rc = mg_error_set(err, MG_EENV, "cannot create the scratch database '%s': %s; the role needs CREATEDB on that server, or point scratch_url in [mgate] (or --scratch-url) at a server where a role has it",
				  name, msg.ptr);
		buf_release(&msg);
	} else {
		dburl_format(out_url, url, name);
	}
	PQclear(r);
	PQfreemem(q);
	PQfinish(c);
	buf_release(&sql);
	return rc;
}

static void pg_scratch_drop(const db_url *url, const char *name)
{
	mg_error err = MG_ERROR_INIT;
	PGconn *c = connect_maintenance(url, &err);
	char *q;
	buf sql = BUF_INIT;

	if (!c)
		return;
	q = PQescapeIdentifier(c, name, strlen(name));
	buf_printf(&sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", q ? q : "\"?\"");
	PQclear(PQexec(c, sql.ptr));
	PQfreemem(q);
	PQfinish(c);
	buf_release(&sql);
}

/* Tables (their oid and relfilenode) and this session's granted table
 * locks, as "oid mode" lines. */
static const char *const q_files =
	"SELECT c.oid, c.relfilenode, c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
	"WHERE c.relkind IN ('r', 'm', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
	"AND n.nspname NOT LIKE 'pg_toast%'";
static const char *const q_locks =
	"SELECT l.relation, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
	"WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted AND c.relkind IN ('r', 'm', 'p')";

/* "oid relfilenode name" or "oid mode" lines of a result, in `out`. */
static int rows_text(strvec *out, PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	int i, k, ok = PQresultStatus(r) == PGRES_TUPLES_OK;

	for (i = 0; ok && i < PQntuples(r); i++) {
		buf line = BUF_INIT;
		for (k = 0; k < PQnfields(r); k++)
			buf_printf(&line, "%s%s", k ? " " : "", PQgetvalue(r, i, k));
		strvec_push_owned(out, buf_detach(&line));
	}
	PQclear(r);
	return ok ? 0 : -1;
}

/* The name of table `oid` in the "oid relfilenode name" lines, or NULL. */
static const char *table_named(const strvec *files, const char *oid, size_t oidlen)
{
	size_t i;

	for (i = 0; i < files->n; i++)
		if (!strncmp(files->v[i], oid, oidlen) && files->v[i][oidlen] == ' ')
			return strchr(strchr(files->v[i], ' ') + 1, ' ') + 1;
	return NULL;
}

/* "AccessExclusiveLock" -> "ACCESS EXCLUSIVE", as the documentation
 * names lock modes. */
static void lock_words(buf *out, const char *mode)
{
	size_t n = strlen(mode), i;

	if (n > 4 && !strcmp(mode + n - 4, "Lock"))
		n -= 4;
	for (i = 0; i < n; i++) {
		char ch = mode[i];
		if (i && ch >= 'A' && ch <= 'Z')
			buf_putc(out, ' ');
		buf_putc(out, (char)(ch >= 'a' && ch <= 'z' ? ch - 'a' + 'A' : ch));
	}
}

static void observe_one(db_observation *o, PGconn *c, const char *stmt, strvec *held)
{
	strvec before = STRVEC_INIT, after = STRVEC_INIT, locks = STRVEC_INIT;
	PGresult *r;
	size_t i;

	o->ran = 1;
	rows_text(&before, c, q_files);
	r = PQexec(c, stmt);
	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
		buf msg = BUF_INIT;
		first_line(&msg, PQerrorMessage(c));
		o->error = buf_detach(&msg);
		PQclear(r);
		goto cleanup;
	}
	PQclear(r);
	rows_text(&after, c, q_files);
	rows_text(&locks, c, q_locks);
	for (i = 0; i < locks.n; i++) {
		size_t oidlen = strcspn(locks.v[i], " ");
		const char *name = table_named(&before, locks.v[i], oidlen);
		if (strvec_index(held, locks.v[i]) >= 0 || !name)
			continue; /* taken before, or a table this statement made */
		strvec_push(held, locks.v[i]);
		{
			buf b = BUF_INIT;
			lock_words(&b, locks.v[i] + oidlen + 1);
			buf_printf(&b, " on %s", name);
			strvec_push_owned(&o->locks, buf_detach(&b));
		}
	}
	for (i = 0; i < before.n; i++)
		if (strvec_index(&after, before.v[i]) < 0) {
			size_t oidlen = strcspn(before.v[i], " ");
			if (table_named(&after, before.v[i], oidlen)) /* still there, with new storage */
				strvec_push(&o->rewritten, strchr(strchr(before.v[i], ' ') + 1, ' ') + 1);
		}
cleanup:
	strvec_release(&before);
	strvec_release(&after);
	strvec_release(&locks);
}

static int pg_observe(const db_url *url, const char *redacted, const strvec *statements, db_observation *out,
		      mg_error *err)
{
	PGconn *c = connect_url(url, NULL, redacted, err);
	strvec held = STRVEC_INIT;
	size_t i;

	if (!c)
		return MG_EENV;
	PQclear(PQexec(c, "BEGIN"));
	for (i = 0; i < statements->n; i++) {
		observe_one(&out[i], c, statements->v[i], &held);
		if (out[i].error)
			break;
	}
	PQclear(PQexec(c, "ROLLBACK"));
	PQfinish(c);
	strvec_release(&held);
	return MG_OK;
}

static int pg_other_sessions(db *d, long *out, mg_error *err)
{
	char *v = NULL;
	int rc = pg_query_scalar(d, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND "
				    "pid <> pg_backend_pid() AND backend_type = 'client backend'",
				 &v, err);

	*out = rc == MG_OK && v ? strtol(v, NULL, 10) : 0;
	free(v);
	return rc;
}

static int pg_table_counts(db *d, const db_version_table *vt, long long bound, db_counts *out, mg_error *err)
{
	db_pg *p = (db_pg *)d;
	PGresult *r;
	int i, rc = MG_OK;

	(void)bound;
	memset(out, 0, sizeof(*out));
	/* the statistics are read afresh, not from the snapshot a transaction caches */
	PQclear(PQexec(p->conn, "SELECT pg_stat_clear_snapshot()"));
	/* pg_stat_user_tables' counters, without the view's per-table sum over the indexes' scans */
	r = PQexec(p->conn, "SELECT n.nspname || '.' || c.relname, pg_stat_get_tuples_inserted(c.oid), "
			    "pg_stat_get_tuples_updated(c.oid), pg_stat_get_tuples_deleted(c.oid), pg_stat_get_live_tuples(c.oid) "
			    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p', 'm') "
			    "AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast'");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		rc = pg_error(d, "cannot read the table statistics (pg_stat_user_tables)", err);
		PQclear(r);
		return rc;
	}
	for (i = 0; i < PQntuples(r); i++) {
		const char *name = PQgetvalue(r, i, 0), *dot = strchr(name, '.');
		db_table_count *c;
		if (dot && (!strncmp(dot + 1, "mgate_", 6) ||
			    !strcmp(dot + 1, vt && vt->table ? vt->table : "alembic_version")))
			continue;
		if (out->n == out->alloc) {
			out->alloc = out->alloc ? out->alloc * 2 : 64;
			out->v = mg_realloc(out->v, out->alloc * sizeof(*out->v));
		}
		c = &out->v[out->n++];
		memset(c, 0, sizeof(*c));
		c->table = mg_strdup(name);
		c->ins = strtoll(PQgetvalue(r, i, 1), NULL, 10);
		c->upd = strtoll(PQgetvalue(r, i, 2), NULL, 10);
		c->del = strtoll(PQgetvalue(r, i, 3), NULL, 10);
		c->rows = strtoll(PQgetvalue(r, i, 4), NULL, 10);
	}
	PQclear(r);
	return rc;
}

static int pg_active_since(db *d, double since, long *out, mg_error *err)
{
	char *v = NULL;
	buf q = BUF_INIT;
	int rc;

	buf_printf(&q,
		   "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
		   "AND backend_type = 'client backend' AND (state <> 'idle' OR state_change >= to_timestamp(%.6f))",
		   since);
	rc = pg_query_scalar(d, q.ptr, &v, err);
	*out = rc == MG_OK && v ? strtol(v, NULL, 10) : 0;
	free(v);
	buf_release(&q);
	return rc;
}

const db_ops db_pg_ops = {
	"postgresql",
	pg_open,
	pg_close,
	pg_server_version,
	pg_read_versions,
	pg_snapshot,
	pg_table_rows,
	pg_lock,
	pg_unlock,
	pg_query_scalar,
	pg_identity,
	pg_backup,
	pg_ledger_read,
	pg_ledger_write,
	pg_audit_write,
	pg_restore_db,
	pg_scratch_create,
	pg_scratch_drop,
	pg_observe,
	pg_snapshot_write,
	pg_other_sessions,
	pg_table_counts,
	pg_active_since,
	0,
};
