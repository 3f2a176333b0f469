/*
 * sqlite.c: the SQLite adapter (see db.h). Opens the file read-only
 * (SQLITE_OPEN_READONLY never creates it) and reads the version table as
 * Alembic writes it.
 */
#include "db/db.h"
#include <sqlite3.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "util/fs.h"
#include "util/banned.h"

typedef struct db_sqlite {
	db base;
	sqlite3 *conn;
	char *path;  /* the database file */
	int lock_fd; /* the lock file beside it, or -1 */
} db_sqlite;

static void sqlite_close(db *d)
{
	db_sqlite *s = (db_sqlite *)d;

	if (!s)
		return;
	if (s->conn)
		sqlite3_close(s->conn);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	free(s->path);
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
	s->path = mg_strdup(url->sqlite_path);
	s->lock_fd = -1;
	if (!fs_exists(url->sqlite_path)) {
		rc = mg_error_set(err, MG_EENV, "SQLite database '%s' does not exist (mgate never creates it); check "
						"the path in the URL, which is relative to the current directory",
				  url->sqlite_path);
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


static int sqlite_read_versions(db *d, const db_version_table *vt, strvec *out, int *exists, mg_error *err)
{
	db_sqlite *s = (db_sqlite *)d;
	sqlite3_stmt *st = NULL;
	buf sql = BUF_INIT;
	int rc = MG_OK, step;

	*exists = 0;
	buf_puts(&sql, "SELECT 1 FROM ");
	if (vt->schema) {
		buf_put_sql_ident(&sql, vt->schema);
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
		buf_put_sql_ident(&sql, vt->schema);
		buf_putc(&sql, '.');
	}
	buf_put_sql_ident(&sql, vt->table);
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

/* ---- schema snapshot ------------------------------------------------------ */

/* Run `sql` and call `row` for each result row. */
static int each_row(db_sqlite *s, const char *sql, void (*row)(sqlite3_stmt *, void *), void *ctx, mg_error *err)
{
	sqlite3_stmt *st = NULL;
	int step;

	if (sqlite3_prepare_v2(s->conn, sql, -1, &st, NULL) != SQLITE_OK)
		return mg_error_set(err, MG_EENV, "cannot read the schema of %s: %s", s->base.redacted, sqlite3_errmsg(s->conn));
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		row(st, ctx);
	sqlite3_finalize(st);
	if (step != SQLITE_DONE)
		return mg_error_set(err, MG_EENV, "cannot read the schema of %s: %s", s->base.redacted, sqlite3_errmsg(s->conn));
	return MG_OK;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? (const char *)t : "";
}

static json_t *col_json(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? json_null() : json_string(col_text(st, i));
}

static json_t *part_of(json_t *tables, const char *table, const char *key)
{
	json_t *t = json_object_get(tables, table);
	return t ? json_object_get(t, key) : NULL;
}

/* SQLite keeps CHECK constraints only in the CREATE TABLE text: find each
 * CHECK (...) outside quotes, keyed by its name when it has one, else by
 * its expression. */
static void extract_checks(json_t *checks, const char *sql)
{
	const char *p = sql;
	char quote = 0;
	int n = 0;

	for (; *p; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
			continue;
		}
		if (*p == '\'' || *p == '"' || *p == '`' || *p == '[') {
			quote = *p == '[' ? ']' : *p;
			continue;
		}
		if (!strncasecmp(p, "check", 5) && (p == sql || !isalnum((unsigned char)p[-1])) && !isalnum((unsigned char)p[5])) {
			const char *q = p + 5, *start, *name_end = NULL, *name_start = NULL, *b;
			int depth = 0;
			while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')
				q++;
			if (*q != '(')
				continue;
			start = q;
			for (; *q; q++) {
				if (*q == '\'' || *q == '"') { /* skip a quoted string */
					char qc = *q;
					while (q[1] && q[1] != qc)
						q++;
					if (q[1])
						q++;
					continue;
				}
				if (*q == '(')
					depth++;
				else if (*q == ')' && --depth == 0)
					break;
			}
			if (!*q)
				return;
			/* a preceding CONSTRAINT <name> */
			for (b = p; b > sql && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\n'); b--)
				;
			name_end = b;
			while (b > sql && (isalnum((unsigned char)b[-1]) || b[-1] == '_' || b[-1] == '"'))
				b--;
			name_start = b;
			for (; b > sql && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\n'); b--)
				;
			{
				json_t *c = json_object();
				buf key = BUF_INIT;
				json_object_set_new(c, "definition", json_stringn(start, (size_t)(q - start + 1)));
				json_object_set_new(c, "validated", json_true());
				if (b - sql >= 10 && !strncasecmp(b - 10, "constraint", 10) && name_end > name_start)
					buf_put(&key, name_start, (size_t)(name_end - name_start));
				else
					buf_put(&key, start, (size_t)(q - start + 1));
				json_object_set_new(checks, key.ptr, c);
				buf_release(&key);
			}
			n++;
			p = q;
		}
	}
	(void)n;
}

static void table_row(sqlite3_stmt *st, void *ctx)
{
	json_t *t = json_object(), *checks = json_object();
	json_object_set_new(t, "kind", json_string("table"));
	json_object_set_new(t, "rows_estimate", json_null());
	json_object_set_new(t, "sql", col_json(st, 1));
	json_object_set_new(t, "columns", json_object());
	json_object_set_new(t, "primary_key", json_null());
	json_object_set_new(t, "unique", json_object());
	extract_checks(checks, col_text(st, 1));
	json_object_set_new(t, "checks", checks);
	json_object_set_new(t, "foreign_keys", json_object());
	json_object_set_new(t, "indexes", json_object());
	json_object_set_new((json_t *)ctx, col_text(st, 0), t);
}

/* table, cid, name, type, notnull, dflt_value, pk, hidden */
static void column_row(sqlite3_stmt *st, void *ctx)
{
	json_t *tables = ctx, *cols = part_of(tables, col_text(st, 0), "columns"), *c = json_object();
	int hidden = sqlite3_column_int(st, 7), pk = sqlite3_column_int(st, 6);

	json_object_set_new(c, "position", json_integer(sqlite3_column_int(st, 1) + 1));
	json_object_set_new(c, "type", json_string(col_text(st, 3)));
	json_object_set_new(c, "nullable", json_boolean(!sqlite3_column_int(st, 4) && pk == 0));
	json_object_set_new(c, "default", hidden >= 2 ? json_null() : col_json(st, 5));
	json_object_set_new(c, "identity", json_null());
	json_object_set_new(c, "generated", hidden == 2 ? json_string("virtual") : hidden == 3 ? json_string("stored")
											       : json_null());
	if (cols)
		json_object_set_new(cols, col_text(st, 2), c);
	else
		json_decref(c);
	if (pk > 0) {
		json_t *t = json_object_get(tables, col_text(st, 0)), *pkobj = t ? json_object_get(t, "primary_key") : NULL;
		json_t *names;
		if (t && !json_is_object(pkobj)) {
			pkobj = json_object();
			json_object_set_new(pkobj, "name", json_null());
			json_object_set_new(pkobj, "columns", json_array());
			json_object_set_new(t, "primary_key", pkobj);
		}
		if (t) {
			names = json_object_get(pkobj, "columns");
			while ((int)json_array_size(names) < pk)
				json_array_append_new(names, json_null());
			json_array_set_new(names, (size_t)pk - 1, json_string(col_text(st, 2)));
		}
	}
}

/* table, index name, unique, origin, partial, seqno, column name (NULL: an expression), sql */
static void index_row(sqlite3_stmt *st, void *ctx)
{
	json_t *tables = ctx;
	const char *origin = col_text(st, 3), *table = col_text(st, 0), *name = col_text(st, 1);
	json_t *part = part_of(tables, table, !strcmp(origin, "u") ? "unique" : "indexes"), *ix, *cols;

	if (!part || !strcmp(origin, "pk"))
		return;
	if (!(ix = json_object_get(part, name))) {
		ix = json_object();
		json_object_set_new(ix, "columns", json_array());
		if (!strcmp(origin, "u")) {
			json_object_set_new(ix, "definition", json_null());
			json_object_set_new(ix, "deferrable", json_false());
		} else {
			json_object_set_new(ix, "unique", json_boolean(sqlite3_column_int(st, 2)));
			json_object_set_new(ix, "method", json_string("btree"));
			json_object_set_new(ix, "definition", col_json(st, 7));
			json_object_set_new(ix, "valid", json_true());
			json_object_set_new(ix, "predicate", json_null());
			if (sqlite3_column_int(st, 4)) {
				const char *sql = col_text(st, 7), *w = strstr(sql, " WHERE ");
				if (!w)
					w = strstr(sql, " where ");
				json_object_set_new(ix, "predicate", w ? json_string(w + 7) : json_string(sql));
			}
		}
		json_object_set_new(part, name, ix);
	}
	cols = json_object_get(ix, "columns");
	json_array_append_new(cols, sqlite3_column_type(st, 6) == SQLITE_NULL ? json_string("<expression>")
									      : json_string(col_text(st, 6)));
}

/* table, id, seq, ref table, from, to, on_update, on_delete */
static void fk_row(sqlite3_stmt *st, void *ctx)
{
	json_t *tables = ctx, *part = part_of(tables, col_text(st, 0), "foreign_keys"), *fk;
	char key[64];

	if (!part)
		return;
	snprintf(key, sizeof(key), "fk%d", sqlite3_column_int(st, 1));
	if (!(fk = json_object_get(part, key))) {
		fk = json_object();
		json_object_set_new(fk, "columns", json_array());
		json_object_set_new(fk, "ref_columns", json_array());
		json_object_set_new(fk, "references", json_string(col_text(st, 3)));
		json_object_set_new(fk, "on_update", json_string(col_text(st, 6)));
		json_object_set_new(fk, "on_delete", json_string(col_text(st, 7)));
		json_object_set_new(fk, "deferrable", json_false());
		json_object_set_new(fk, "validated", json_true());
		json_object_set_new(part, key, fk);
	}
	json_array_append_new(json_object_get(fk, "columns"), json_string(col_text(st, 4)));
	json_array_append_new(json_object_get(fk, "ref_columns"), col_json(st, 5));
}

/* Foreign keys have no names in SQLite: key them by what they say, so
 * that adding one does not renumber the others. */
static void rename_fks(json_t *tables)
{
	const char *tname;
	json_t *t;

	json_object_foreach(tables, tname, t)
	{
		json_t *fks = json_object_get(t, "foreign_keys"), *named = json_object(), *fk;
		const char *k;
		json_object_foreach(fks, k, fk)
		{
			buf key = BUF_INIT;
			size_t i;
			buf_putc(&key, '(');
			for (i = 0; i < json_array_size(json_object_get(fk, "columns")); i++)
				buf_printf(&key, "%s%s", i ? "," : "", json_string_value(json_array_get(json_object_get(fk, "columns"), i)));
			buf_printf(&key, ")->%s", json_string_value(json_object_get(fk, "references")));
			json_object_set(named, key.ptr, fk);
			buf_release(&key);
		}
		json_object_set_new(t, "foreign_keys", named);
	}
}

static void view_row(sqlite3_stmt *st, void *ctx)
{
	json_t *v = json_object();
	json_object_set_new(v, "materialized", json_false());
	json_object_set_new(v, "definition", col_json(st, 1));
	json_object_set_new((json_t *)ctx, col_text(st, 0), v);
}

static void stat_row(sqlite3_stmt *st, void *ctx)
{
	json_t *t = json_object_get((json_t *)ctx, col_text(st, 0));
	if (t)
		json_object_set_new(t, "rows_estimate", json_integer(sqlite3_column_int64(st, 1)));
}

#define USER_TABLES "m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"

static int sqlite_snapshot(db *d, void **out, mg_error *err)
{
	db_sqlite *s = (db_sqlite *)d;
	json_t *snap = json_object(), *tables = json_object(), *views = json_object();
	buf ver = BUF_INIT;
	int rc;

	*out = NULL;
	json_object_set_new(snap, "mgate_snapshot", json_integer(1));
	json_object_set_new(snap, "schema", json_string("mgate.snapshot/1"));
	json_object_set_new(snap, "dialect", json_string("sqlite"));
	sqlite_server_version(d, &ver, err);
	json_object_set_new(snap, "server", json_string(ver.ptr));
	json_object_set_new(snap, "tables", tables);
	json_object_set_new(snap, "views", views);
	json_object_set_new(snap, "sequences", json_object());
	json_object_set_new(snap, "enums", json_object());
	sqlite3_exec(s->conn, "BEGIN", NULL, NULL, NULL);
	if ((rc = each_row(s, "SELECT m.name, m.sql FROM sqlite_schema m WHERE " USER_TABLES " ORDER BY 1", table_row,
			   tables, err)) < 0 ||
	    (rc = each_row(s, "SELECT m.name, p.cid, p.name, p.type, p.\"notnull\", p.dflt_value, p.pk, p.hidden "
			      "FROM sqlite_schema m JOIN pragma_table_xinfo(m.name) p WHERE " USER_TABLES " ORDER BY 1, 2",
			   column_row, tables, err)) < 0 ||
	    (rc = each_row(s, "SELECT m.name, il.name, il.\"unique\", il.origin, il.partial, ix.seqno, ix.name, i.sql "
			      "FROM sqlite_schema m JOIN pragma_index_list(m.name) il JOIN pragma_index_xinfo(il.name) ix "
			      "LEFT JOIN sqlite_schema i ON i.type = 'index' AND i.name = il.name "
			      "WHERE " USER_TABLES " AND ix.key = 1 ORDER BY 1, 2, 6",
			   index_row, tables, err)) < 0 ||
	    (rc = each_row(s, "SELECT m.name, fk.id, fk.seq, fk.\"table\", fk.\"from\", fk.\"to\", fk.on_update, fk.on_delete "
			      "FROM sqlite_schema m JOIN pragma_foreign_key_list(m.name) fk WHERE " USER_TABLES " ORDER BY 1, 2, 3",
			   fk_row, tables, err)) < 0 ||
	    (rc = each_row(s, "SELECT name, sql FROM sqlite_schema WHERE type = 'view' ORDER BY 1", view_row, views, err)) < 0)
		goto cleanup;
	/* row estimates, when ANALYZE has run */
	if (sqlite3_table_column_metadata(s->conn, NULL, "sqlite_stat1", "tbl", NULL, NULL, NULL, NULL, NULL) == SQLITE_OK)
		each_row(s, "SELECT tbl, max(CAST(stat AS INTEGER)) FROM sqlite_stat1 GROUP BY tbl", stat_row, tables, NULL);
	rename_fks(tables);
	*out = snap;
	snap = NULL;
cleanup:
	sqlite3_exec(s->conn, "COMMIT", NULL, NULL, NULL);
	json_decref(snap);
	buf_release(&ver);
	return rc;
}

static int sqlite_table_rows(db *d, const char *table, long long *out, mg_error *err)
{
	db_sqlite *s = (db_sqlite *)d;
	sqlite3_stmt *st = NULL;
	buf sql = BUF_INIT;
	int rc = MG_OK;

	*out = -1;
	buf_puts(&sql, "SELECT count(*) FROM ");
	buf_put_sql_ident(&sql, table);
	if (sqlite3_prepare_v2(s->conn, sql.ptr, -1, &st, NULL) != SQLITE_OK) {
		rc = mg_error_set(err, MG_EENV, "cannot count the rows of '%s': %s", table, sqlite3_errmsg(s->conn));
	} else if (sqlite3_step(st) == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	buf_release(&sql);
	return rc;
}

/* The lock file beside the database, held with flock. */
static int sqlite_lock(db *d, const char *name, long wait_ms, mg_error *err)
{
	db_sqlite *s = (db_sqlite *)d;
	buf path = BUF_INIT;
	long waited = 0;
	int rc = MG_OK;

	(void)name;
	buf_printf(&path, "%s.mgate-lock", s->path);
	if (s->lock_fd < 0)
		s->lock_fd = open(path.ptr, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (s->lock_fd < 0) {
		rc = mg_error_set(err, MG_EENV, "cannot create the lock file '%s': %s", path.ptr, strerror(errno));
		goto cleanup;
	}
	while (flock(s->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			rc = mg_error_set(err, MG_EENV, "cannot lock '%s': %s", path.ptr, strerror(errno));
			goto cleanup;
		}
		if (waited >= wait_ms) {
			char who[256];
			ssize_t n = pread(s->lock_fd, who, sizeof(who) - 1, 0);
			who[n > 0 ? n : 0] = 0;
			who[strcspn(who, "\n")] = 0;
			rc = mg_error_set(err, MG_EAMBIGUOUS, "another mgate run holds the migration lock '%s'%s%s", path.ptr,
					  who[0] ? ", " : "", who);
			goto cleanup;
		}
		usleep(100000);
		waited += 100;
	}
	/* who holds it, for a run that finds it taken */
	{
		char who[128], at[32];
		time_t now = time(NULL);
		struct tm tm;
		int len;
		strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
		len = snprintf(who, sizeof(who), "pid %ld (mgate, since %s)\n", (long)getpid(), at);
		if (ftruncate(s->lock_fd, 0) != 0 || pwrite(s->lock_fd, who, (size_t)len, 0) != len)
			(void)0; /* only a description: the flock is the lock */
	}
cleanup:
	buf_release(&path);
	return rc;
}

static void sqlite_unlock(db *d, const char *name)
{
	db_sqlite *s = (db_sqlite *)d;

	(void)name;
	if (s->lock_fd >= 0)
		flock(s->lock_fd, LOCK_UN);
}

static int sqlite_query_scalar(db *d, const char *sql, char **out, mg_error *err)
{
	db_sqlite *s = (db_sqlite *)d;
	sqlite3_stmt *st = NULL;
	int rc = MG_OK, step;

	*out = NULL;
	if (sqlite3_prepare_v2(s->conn, sql, -1, &st, NULL) != SQLITE_OK)
		return mg_error_set(err, MG_EENV, "the query failed on %s: %s", d->redacted, sqlite3_errmsg(s->conn));
	step = sqlite3_step(st);
	if (step == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		*out = mg_strdup((const char *)sqlite3_column_text(st, 0));
	else if (step != SQLITE_ROW && step != SQLITE_DONE)
		rc = mg_error_set(err, MG_EENV, "the query failed on %s: %s", d->redacted, sqlite3_errmsg(s->conn));
	sqlite3_finalize(st);
	return rc;
}

static int sqlite_identity(db *d, buf *out, mg_error *err)
{
	db_sqlite *s = (db_sqlite *)d;
	char real[PATH_MAX];

	if (!realpath(s->path, real))
		return mg_error_set(err, MG_EENV, "cannot resolve '%s'", s->path);
	buf_printf(out, "sqlite:%s", real);
	return MG_OK;
}

/* PRAGMA integrity_check on the file at `path`: MG_OK when it says "ok". */
static int check_copy(const char *path, mg_error *err)
{
	sqlite3 *c = NULL;
	sqlite3_stmt *st = NULL;
	int rc = MG_OK;

	if (sqlite3_open_v2(path, &c, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(c, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK) {
		rc = mg_error_set(err, MG_EENV, "the backup copy '%s' cannot be opened: %s", path,
				  c ? sqlite3_errmsg(c) : "out of memory");
		goto cleanup;
	}
	if (sqlite3_step(st) != SQLITE_ROW || strcmp((const char *)sqlite3_column_text(st, 0), "ok"))
		rc = mg_error_set(err, MG_EENV, "the backup copy '%s' fails PRAGMA integrity_check: %s", path,
				  sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0) : sqlite3_errmsg(c));
cleanup:
	sqlite3_finalize(st);
	sqlite3_close(c);
	return rc;
}

static int sqlite_backup(db *d, const char *dest, void (*progress)(double, void *), void *ctx, mg_error *err)
{
	db_sqlite *s = (db_sqlite *)d;
	sqlite3 *to = NULL;
	sqlite3_backup *b = NULL;
	int rc = MG_OK, step;

	if (sqlite3_open_v2(dest, &to, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		rc = mg_error_set(err, MG_EENV, "cannot write the backup '%s': %s", dest,
				  to ? sqlite3_errmsg(to) : "out of memory");
		goto cleanup;
	}
	if (!(b = sqlite3_backup_init(to, "main", s->conn, "main"))) {
		rc = mg_error_set(err, MG_EENV, "cannot start the backup of '%s': %s", s->path, sqlite3_errmsg(to));
		goto cleanup;
	}
	/* A few pages at a time, so writers are held up only briefly; a
	 * write by another connection restarts the copy (SQLite's rule). */
	while ((step = sqlite3_backup_step(b, 4096)) == SQLITE_OK || step == SQLITE_BUSY || step == SQLITE_LOCKED) {
		int total = sqlite3_backup_pagecount(b);
		if (progress && total > 0)
			progress((double)(total - sqlite3_backup_remaining(b)) / total, ctx);
		if (step != SQLITE_OK)
			sqlite3_sleep(50);
	}
	if (step != SQLITE_DONE) {
		rc = mg_error_set(err, MG_EENV, "the backup of '%s' failed: %s", s->path, sqlite3_errstr(step));
		goto cleanup;
	}
	if (progress)
		progress(1.0, ctx);
cleanup:
	if (b)
		sqlite3_backup_finish(b);
	if (to)
		sqlite3_close(to);
	return rc < 0 ? rc : check_copy(dest, err);
}

static int sqlite_ledger_read(db *d, const db_version_table *vt, strvec *revisions, strvec *hashes, int *exists,
			      mg_error *err)
{
	db_sqlite *s = (db_sqlite *)d;
	sqlite3_stmt *st = NULL;
	int rc = MG_OK, step;

	(void)vt;
	*exists = 0;
	if (sqlite3_prepare_v2(s->conn, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'mgate_ledger'",
			       -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		rc = mg_error_set(err, MG_EENV, "cannot read the ledger on %s: %s", d->redacted, sqlite3_errmsg(s->conn));
		goto cleanup;
	}
	*exists = sqlite3_column_int(st, 0) > 0;
	sqlite3_finalize(st);
	st = NULL;
	if (!*exists)
		goto cleanup;
	if (sqlite3_prepare_v2(s->conn, "SELECT revision, sha256 FROM mgate_ledger ORDER BY rowid", -1, &st, NULL) != SQLITE_OK) {
		rc = mg_error_set(err, MG_EENV, "cannot read the ledger on %s: %s", d->redacted, sqlite3_errmsg(s->conn));
		goto cleanup;
	}
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *r = (const char *)sqlite3_column_text(st, 0), *h = (const char *)sqlite3_column_text(st, 1);
		int at = r ? strvec_index(revisions, r) : -1;
		if (!r || !h)
			continue;
		if (at >= 0) {
			free(hashes->v[at]);
			hashes->v[at] = mg_strdup(h); /* the latest record wins */
		} else {
			strvec_push(revisions, r);
			strvec_push(hashes, h);
		}
	}
	if (step != SQLITE_DONE)
		rc = mg_error_set(err, MG_EENV, "cannot read the ledger on %s: %s", d->redacted, sqlite3_errmsg(s->conn));
cleanup:
	sqlite3_finalize(st);
	return rc;
}

static int sqlite_ledger_write(db *d, const db_version_table *vt, const strvec *revisions, const strvec *hashes,
			       const char *by, const char *correlation_id, mg_error *err)
{
	db_sqlite *s = (db_sqlite *)d;
	sqlite3 *w = NULL;
	sqlite3_stmt *ins = NULL;
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;
	size_t i;
	int rc = MG_OK;

	(void)vt;
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (sqlite3_open_v2(s->path, &w, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		rc = mg_error_set(err, MG_EENV, "cannot open %s to record the ledger: %s", d->redacted,
				  w ? sqlite3_errmsg(w) : "out of memory");
		goto cleanup;
	}
	sqlite3_busy_timeout(w, 5000);
	if (sqlite3_exec(w, "BEGIN IMMEDIATE; CREATE TABLE IF NOT EXISTS mgate_ledger (revision TEXT NOT NULL, "
			    "sha256 TEXT NOT NULL, applied_at TEXT NOT NULL, applied_by TEXT, correlation_id TEXT)",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(w, "INSERT INTO mgate_ledger VALUES (?, ?, ?, ?, ?)", -1, &ins, NULL) != SQLITE_OK) {
		rc = mg_error_set(err, MG_EENV, "cannot record the ledger on %s: %s", d->redacted, sqlite3_errmsg(w));
		goto cleanup;
	}
	for (i = 0; i < revisions->n && rc == MG_OK; i++) {
		sqlite3_bind_text(ins, 1, revisions->v[i], -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 2, hashes->v[i], -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 3, ts, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 4, by, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 5, correlation_id, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(ins) != SQLITE_DONE)
			rc = mg_error_set(err, MG_EENV, "cannot record the ledger on %s: %s", d->redacted, sqlite3_errmsg(w));
		sqlite3_reset(ins);
	}
	if (rc == MG_OK && sqlite3_exec(w, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		rc = mg_error_set(err, MG_EENV, "cannot record the ledger on %s: %s", d->redacted, sqlite3_errmsg(w));
cleanup:
	sqlite3_finalize(ins);
	if (w) {
		if (rc < 0)
			sqlite3_exec(w, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close(w);
	}
	return rc;
}

static int sqlite_audit_write(db *d, const db_version_table *vt, const char *correlation_id, const char *json_line,
			      mg_error *err)
{
	db_sqlite *s = (db_sqlite *)d;
	sqlite3 *w = NULL;
	sqlite3_stmt *ins = NULL;
	int rc = MG_OK;

	(void)vt;
	if (sqlite3_open_v2(s->path, &w, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		rc = mg_error_set(err, MG_EENV, "cannot open %s for the audit table: %s", d->redacted,
				  w ? sqlite3_errmsg(w) : "out of memory");
		goto cleanup;
	}
	sqlite3_busy_timeout(w, 5000);
	if (sqlite3_exec(w, "CREATE TABLE IF NOT EXISTS mgate_audit (recorded_at TEXT NOT NULL DEFAULT "
			    "(strftime('%Y-%m-%dT%H:%M:%SZ', 'now')), correlation_id TEXT, entry TEXT NOT NULL)",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(w, "INSERT INTO mgate_audit (correlation_id, entry) VALUES (?, ?)", -1, &ins, NULL) !=
		    SQLITE_OK) {
		rc = mg_error_set(err, MG_EENV, "cannot write the audit table on %s: %s", d->redacted, sqlite3_errmsg(w));
		goto cleanup;
	}
	sqlite3_bind_text(ins, 1, correlation_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(ins, 2, json_line, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(ins) != SQLITE_DONE)
		rc = mg_error_set(err, MG_EENV, "cannot write the audit table on %s: %s", d->redacted, sqlite3_errmsg(w));
cleanup:
	sqlite3_finalize(ins);
	if (w)
		sqlite3_close(w);
	return rc;
}

/* Nothing may be writing the file: a non-empty write-ahead log or a hot
 * journal would be replayed over (or lost from) the restored copy. */
static int check_quiet(const char *path, mg_error *err)
{
	static const char *const suffix[] = { "-wal", "-journal" };
	struct stat st;
	size_t i;
	int rc = MG_OK;

	for (i = 0; i < 2 && rc == MG_OK; i++) {
		buf side = BUF_INIT;
		buf_printf(&side, "%s%s", path, suffix[i]);
		if (stat(side.ptr, &st) == 0 && st.st_size > 0)
			rc = mg_error_set(err, MG_EENV, "'%s' is in use (its %s file '%s' is not empty); stop the "
							"application and let SQLite checkpoint before restoring",
					  path, suffix[i] + 1, side.ptr);
		buf_release(&side);
	}
	return rc;
}

static int copy_into(const char *from, const char *to_path, mg_error *err)
{
	sqlite3 *src = NULL, *to = NULL;
	sqlite3_backup *b = NULL;
	int rc = MG_OK, step = SQLITE_OK;

	if (sqlite3_open_v2(from, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_open_v2(to_path, &to, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		rc = mg_error_set(err, MG_EENV, "cannot open '%s' for the restore", src ? to_path : from);
		goto cleanup;
	}
	if (!(b = sqlite3_backup_init(to, "main", src, "main")) || (step = sqlite3_backup_step(b, -1)) != SQLITE_DONE)
		rc = mg_error_set(err, MG_EENV, "cannot copy '%s': %s", from, b ? sqlite3_errstr(step) : sqlite3_errmsg(to));
cleanup:
	if (b)
		sqlite3_backup_finish(b);
	sqlite3_close(src);
	sqlite3_close(to);
	return rc;
}

static int sqlite_restore(const db_url *url, const char *redacted, const char *backup, const char *keep, int copy,
			  mg_error *err)
{
	(void)copy; /* a file has no owners */
	const char *path = url->sqlite_path;
	buf dir = BUF_INIT, tmp = BUF_INIT;
	struct stat st;
	int fd = -1, rc = MG_OK, exists = stat(path, &st) == 0;

	(void)redacted;
	if (exists && (rc = check_quiet(path, err)) < 0)
		goto cleanup;
	fs_dirname(&dir, path);
	buf_printf(&tmp, "%s/.mgate-restore-XXXXXX", dir.len ? dir.ptr : ".");
	if ((fd = mkstemp(tmp.ptr)) < 0) {
		rc = mg_error_set(err, MG_EENV, "cannot create a temporary file in '%s': %s", dir.ptr, strerror(errno));
		buf_truncate(&tmp, 0);
		goto cleanup;
	}
	if (exists)
		(void)fchmod(fd, st.st_mode & 0777);
	if ((rc = copy_into(backup, tmp.ptr, err)) < 0 || (rc = check_copy(tmp.ptr, err)) < 0)
		goto cleanup;
	if (fsync(fd) != 0) {
		rc = mg_error_set(err, MG_EENV, "cannot flush '%s': %s", tmp.ptr, strerror(errno));
		goto cleanup;
	}
	if (exists && keep && link(path, keep) != 0) {
		rc = mg_error_set(err, MG_EENV, "cannot keep the current database as '%s': %s; nothing was changed", keep,
				  strerror(errno));
		goto cleanup;
	}
	if (rename(tmp.ptr, path) != 0) {
		rc = mg_error_set(err, MG_EENV, "cannot put the restored copy in place of '%s': %s; nothing was changed",
				  path, strerror(errno));
		if (exists && keep)
			unlink(keep);
		goto cleanup;
	}
	buf_truncate(&tmp, 0);
	fs_fsync(dir.len ? dir.ptr : ".", 1);
cleanup:
	if (fd >= 0)
		close(fd);
	if (tmp.len)
		unlink(tmp.ptr);
	buf_release(&dir);
	buf_release(&tmp);
	return rc;
}

/* The scratch database `name`: a file in $TMPDIR (else /tmp). */
static void scratch_path(buf *out, const char *name)
{
	const char *tmp = getenv("TMPDIR");

	buf_printf(out, "%s/%s.db", tmp && *tmp ? tmp : "/tmp", name);
}

static int sqlite_scratch_create(const db_url *url, const char *name, buf *out_url, mg_error *err)
{
	buf path = BUF_INIT;
	int fd, rc = MG_OK;

	(void)url;
	scratch_path(&path, name);
	if ((fd = open(path.ptr, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
		rc = mg_error_set(err, MG_EENV, "cannot create the scratch database '%s': %s", path.ptr, strerror(errno));
	else
		close(fd);
	if (rc == MG_OK)
		buf_printf(out_url, "sqlite:///%s", path.ptr);
	buf_release(&path);
	return rc;
}

static void sqlite_scratch_drop(const db_url *url, const char *name)
{
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal", ".mgate-lock" };
	size_t i;

	(void)url;
	for (i = 0; i < 5; i++) {
		buf path = BUF_INIT;
		scratch_path(&path, name);
		buf_puts(&path, suffix[i]);
		unlink(path.ptr);
		buf_release(&path);
	}
}

static int sqlite_other_sessions(db *d, long *out, mg_error *err)
{
	(void)d;
	(void)err;
	*out = 0;
	return MG_OK;
}

/* FNV-1a, 64 bits, over `n` bytes. */
static unsigned long long fnv(unsigned long long h, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--)
		h = (h ^ *b++) * 1099511628211ULL;
	return h;
}

/* Each row's rowid and a hash of its values (with their types), in rowid
 * order; 0 without a rowid (a WITHOUT ROWID table: counted, not hashed). */
static int hash_rows(db_sqlite *s, const char *table, db_table_count *c)
{
	sqlite3_stmt *st = NULL;
	buf sql = BUF_INIT;
	size_t alloc = (size_t)c->rows + 1;
	int i, n, step;

	buf_puts(&sql, "SELECT rowid, * FROM ");
	buf_put_sql_ident(&sql, table);
	buf_puts(&sql, " ORDER BY rowid");
	if (sqlite3_prepare_v2(s->conn, sql.ptr, -1, &st, NULL) != SQLITE_OK) {
		buf_release(&sql);
		return 0;
	}
	buf_release(&sql);
	c->keys = mg_calloc(alloc, sizeof(*c->keys));
	c->hashes = mg_calloc(alloc, sizeof(*c->hashes));
	n = sqlite3_column_count(st);
	while ((step = sqlite3_step(st)) == SQLITE_ROW && c->nkeys < alloc) {
		unsigned long long h = 14695981039346656037ULL;
		for (i = 1; i < n; i++) {
			unsigned char type = (unsigned char)sqlite3_column_type(st, i);
			h = fnv(h, &type, 1);
			if (type == SQLITE_INTEGER) {
				long long v = sqlite3_column_int64(st, i);
				h = fnv(h, &v, sizeof(v));
			} else if (type == SQLITE_FLOAT) {
				double v = sqlite3_column_double(st, i);
				h = fnv(h, &v, sizeof(v));
			} else if (type != SQLITE_NULL) {
				const void *v = sqlite3_column_blob(st, i);
				int len = sqlite3_column_bytes(st, i);
				h = fnv(fnv(h, &len, sizeof(len)), v, (size_t)len);
			}
		}
		c->keys[c->nkeys] = sqlite3_column_int64(st, 0);
		c->hashes[c->nkeys++] = h;
	}
	sqlite3_finalize(st);
	if (step != SQLITE_DONE) { /* changed under us, or unreadable: counted only */
		free(c->keys);
		free(c->hashes);
		c->keys = NULL;
		c->hashes = NULL;
		c->nkeys = 0;
		return 0;
	}
	return 1;
}

static int sqlite_table_counts(db *d, const db_version_table *vt, long long bound, db_counts *out, mg_error *err)
{
	db_sqlite *s = (db_sqlite *)d;
	sqlite3_stmt *st = NULL;
	strvec tables = STRVEC_INIT;
	size_t i;
	int rc = MG_OK, step;

	memset(out, 0, sizeof(*out));
	out->exact = 1;
	if (sqlite3_prepare_v2(s->conn,
			       "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
			       "AND name NOT LIKE 'mgate\\_%' ESCAPE '\\' AND name <> ?1 ORDER BY name",
			       -1, &st, NULL) != SQLITE_OK)
		return mg_error_set(err, MG_EENV, "cannot list the tables of %s: %s", d->redacted, sqlite3_errmsg(s->conn));
	sqlite3_bind_text(st, 1, vt && vt->table ? vt->table : "alembic_version", -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		strvec_push(&tables, (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (step != SQLITE_DONE) {
		strvec_release(&tables);
		return mg_error_set(err, MG_EENV, "cannot list the tables of %s: %s", d->redacted, sqlite3_errmsg(s->conn));
	}
	out->v = mg_calloc(tables.n + 1, sizeof(*out->v));
	out->alloc = tables.n + 1;
	for (i = 0; i < tables.n && rc == MG_OK; i++) {
		db_table_count *c = &out->v[out->n++];
		buf sql = BUF_INIT;
		c->table = mg_strdup(tables.v[i]);
		c->ins = c->upd = c->del = c->rows = -1;
		buf_puts(&sql, "SELECT count(*) FROM ");
		buf_put_sql_ident(&sql, tables.v[i]);
		if (sqlite3_prepare_v2(s->conn, sql.ptr, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
			c->rows = sqlite3_column_int64(st, 0);
		else
			rc = mg_error_set(err, MG_EENV, "cannot count the rows of '%s' in %s: %s", tables.v[i], d->redacted,
					  sqlite3_errmsg(s->conn));
		sqlite3_finalize(st);
		buf_release(&sql);
		if (rc == MG_OK && c->rows <= bound)
			c->hashed = hash_rows(s, tables.v[i], c);
	}
	strvec_release(&tables);
	if (rc < 0)
		db_counts_release(out);
	return rc;
}

static int sqlite_active_since(db *d, double since, long *out, mg_error *err)
{
	(void)d;
	(void)since;
	(void)err;
	*out = 0;
	return MG_OK;
}

const db_ops db_sqlite_ops = {
	"sqlite",
	sqlite_open,
	sqlite_close,
	sqlite_server_version,
	sqlite_read_versions,
	sqlite_snapshot,
	sqlite_table_rows,
	sqlite_lock,
	sqlite_unlock,
	sqlite_query_scalar,
	sqlite_identity,
	sqlite_backup,
	sqlite_ledger_read,
	sqlite_ledger_write,
	sqlite_audit_write,
	sqlite_restore,
	sqlite_scratch_create,
	sqlite_scratch_drop,
	NULL,
	NULL,
	sqlite_other_sessions,
	sqlite_table_counts,
	sqlite_active_since,
	1,
};
