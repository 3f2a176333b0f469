/*
 * db_pg.c: the PostgreSQL adapter (see db.h), on libpq. The session is
 * made read-only (default_transaction_read_only) right after connecting.
 */
#include "db.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

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

static int pg_open(db **out, const db_url *url, const char *redacted, mg_error *err)
{
	db_pg *p = mg_calloc(1, sizeof(*p));
	strvec keys = STRVEC_INIT, values = STRVEC_INIT;
	const char **kw = NULL, **vals = NULL;
	PGresult *res = NULL;
	size_t i;
	int rc = MG_OK;

	*out = NULL;
	p->base.ops = &db_pg_ops;
	p->base.redacted = mg_strdup(redacted);
	dburl_libpq_params(&keys, &values, url);
	if (strvec_index(&keys, "connect_timeout") < 0) {
		strvec_push(&keys, "connect_timeout");
		strvec_push(&values, "10");
	}
	if (strvec_index(&keys, "application_name") < 0) {
		strvec_push(&keys, "application_name");
		strvec_push(&values, "mgate");
	}
	kw = mg_calloc(keys.n + 1, sizeof(*kw));
	vals = mg_calloc(keys.n + 1, sizeof(*vals));
	for (i = 0; i < keys.n; i++) {
		kw[i] = keys.v[i];
		vals[i] = values.v[i];
	}
	p->conn = PQconnectdbParams(kw, vals, 0);
	if (!p->conn || PQstatus(p->conn) != CONNECTION_OK) {
		buf msg = BUF_INIT;
		const char *raw = p->conn ? PQerrorMessage(p->conn) : "out of memory";
		first_line(&msg, raw);
		rc = mg_error_set(err, MG_EENV, "cannot connect to %s: %s; %s", redacted, msg.ptr, connect_hint(raw));
		buf_release(&msg);
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
	PQclear(res);
	free(kw);
	free(vals);
	strvec_release(&keys);
	strvec_release(&values);
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

static int pg_read_versions(db *d, const db_version_table *vt, strvec *out, int *exists, mg_error *err)
{
	db_pg *p = (db_pg *)d;
	buf name = BUF_INIT, sql = BUF_INIT;
	PGresult *res = NULL;
	const char *params[1];
	int rc = MG_OK, i;

	*exists = 0;
	if (qualified_name(&name, p->conn, vt) < 0) {
		rc = pg_error(d, "cannot quote the version table's name", err);
		goto cleanup;
	}
	params[0] = name.ptr;
	res = PQexecParams(p->conn, "SELECT to_regclass($1) IS NOT NULL", 1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		rc = pg_error(d, "cannot look for the version table", err);
		goto cleanup;
	}
	if (strcmp(PQgetvalue(res, 0, 0), "t"))
		goto cleanup; /* no table: an empty database */
	*exists = 1;
	PQclear(res);
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

const db_ops db_pg_ops = {
	"postgresql", pg_open, pg_close, pg_server_version, pg_read_versions,
};
