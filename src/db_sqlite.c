/*
 * db_sqlite.c: the SQLite adapter (see db.h). Opens the file read-only
 * (SQLITE_OPEN_READONLY never creates it) and reads the version table as
 * Alembic writes it.
 */
#include "db.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "util/fs.h"
#include "util/banned.h"

typedef struct db_sqlite {
	db base;
	sqlite3 *conn;
} db_sqlite;

static void sqlite_close(db *d)
{
	db_sqlite *s = (db_sqlite *)d;

	if (!s)
		return;
	if (s->conn)
		sqlite3_close(s->conn);
	free(s->base.redacted);
	free(s);
}

static int sqlite_open(db **out, const db_url *url, const char *redacted, mg_error *err)
{
	db_sqlite *s = mg_calloc(1, sizeof(*s));
	int rc;

	*out = NULL;
	s->base.ops = &db_sqlite_ops;
	s->base.redacted = mg_strdup(redacted);
	if (!fs_exists(url->sqlite_path)) {
		rc = mg_error_set(err, MG_EENV, "SQLite database '%s' does not exist (mgate never creates it); check "
				  "the path in the URL, which is relative to the current directory", url->sqlite_path);
		goto fail;
	}
	if (sqlite3_open_v2(url->sqlite_path, &s->conn, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		rc = mg_error_set(err, MG_EENV, "cannot open SQLite database '%s': %s", url->sqlite_path,
				  s->conn ? sqlite3_errmsg(s->conn) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(s->conn, 5000);
	/* reading the schema proves the file is a database */
	if (sqlite3_exec(s->conn, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL) != SQLITE_OK) {
		rc = mg_error_set(err, MG_EENV, "'%s' is not a usable SQLite database: %s", url->sqlite_path,
				  sqlite3_errmsg(s->conn));
		goto fail;
	}
	*out = &s->base;
	return MG_OK;
fail:
	sqlite_close(&s->base);
	return rc;
}

static int sqlite_server_version(db *d, buf *out, mg_error *err)
{
	(void)d;
	(void)err;
	buf_printf(out, "SQLite %s", sqlite3_libversion());
	return MG_OK;
}

/* "schema"."table" with embedded quotes doubled. */
static void quote_ident(buf *out, const char *s)
{
	buf_putc(out, '"');
	for (; *s; s++) {
		if (*s == '"')
			buf_putc(out, '"');
		buf_putc(out, *s);
	}
	buf_putc(out, '"');
}

static int sqlite_read_versions(db *d, const db_version_table *vt, strvec *out, int *exists, mg_error *err)
{
	db_sqlite *s = (db_sqlite *)d;
	sqlite3_stmt *st = NULL;
	buf sql = BUF_INIT;
	int rc = MG_OK, step;

	*exists = 0;
	buf_puts(&sql, "SELECT 1 FROM ");
	if (vt->schema) {
		quote_ident(&sql, vt->schema);
		buf_putc(&sql, '.');
	}
	buf_puts(&sql, "sqlite_schema WHERE type = 'table' AND name = ?1");
	if (sqlite3_prepare_v2(s->conn, sql.ptr, -1, &st, NULL) != SQLITE_OK) {
		rc = mg_error_set(err, MG_EENV, "cannot look for the version table in %s: %s", d->redacted,
				  sqlite3_errmsg(s->conn));
		goto cleanup;
	}
	sqlite3_bind_text(st, 1, vt->table, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	sqlite3_finalize(st);
	st = NULL;
	if (step == SQLITE_DONE)
		goto cleanup; /* no table: an empty database */
	if (step != SQLITE_ROW) {
		rc = mg_error_set(err, MG_EENV, "cannot read %s: %s", d->redacted, sqlite3_errmsg(s->conn));
		goto cleanup;
	}
	*exists = 1;
	buf_truncate(&sql, 0);
	buf_puts(&sql, "SELECT version_num FROM ");
	if (vt->schema) {
		quote_ident(&sql, vt->schema);
		buf_putc(&sql, '.');
	}
	quote_ident(&sql, vt->table);
	if (sqlite3_prepare_v2(s->conn, sql.ptr, -1, &st, NULL) != SQLITE_OK) {
		rc = mg_error_set(err, MG_EENV, "cannot read the version table '%s' in %s: %s", vt->table, d->redacted,
				  sqlite3_errmsg(s->conn));
		goto cleanup;
	}
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *v = sqlite3_column_text(st, 0);
		strvec_push(out, v ? (const char *)v : "");
	}
	if (step != SQLITE_DONE)
		rc = mg_error_set(err, MG_EENV, "cannot read the version table '%s' in %s: %s", vt->table, d->redacted,
				  sqlite3_errmsg(s->conn));
cleanup:
	if (st)
		sqlite3_finalize(st);
	buf_release(&sql);
	return rc;
}

const db_ops db_sqlite_ops = {
	"sqlite", sqlite_open, sqlite_close, sqlite_server_version, sqlite_read_versions,
};
