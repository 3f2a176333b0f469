/*
 * db.c: choose the adapter for a URL (see db.h).
 */
#include "db/db.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "db/schema.h"
#include "util/fs.h"
#include "util/banned.h"

const db_ops *db_ops_for(const db_url *u)
{
	return u->dialect == DB_SQLITE ? &db_sqlite_ops : &db_pg_ops;
}

int db_open(db **out, const char *url, mg_error *err)
{
	db_url u;
	buf red = BUF_INIT;
	int rc;

	*out = NULL;
	if ((rc = dburl_parse(&u, url, err)) < 0)
		goto cleanup;
	dburl_redact(&red, url);
	rc = db_ops_for(&u)->open(out, &u, red.ptr, err);
cleanup:
	dburl_release(&u);
	buf_release(&red);
	return rc;
}

void db_close(db *d)
{
	if (d)
		d->ops->close(d);
}

int db_snapshot_write(db *d, FILE *out, mg_error *err)
{
	void *tree = NULL;
	int rc;

	if (d->ops->snapshot_write)
		return d->ops->snapshot_write(d, out, err);
	if ((rc = d->ops->snapshot(d, &tree, err)) < 0)
		return rc;
	if (schema_write(out, tree) < 0)
		rc = mg_error_set(err, MG_EENV, "cannot write the snapshot");
	json_decref(tree);
	return rc;
}

void db_observation_release(db_observation *o)
{
	if (!o)
		return;
	strvec_release(&o->locks);
	strvec_release(&o->rewritten);
	free(o->error);
	memset(o, 0, sizeof(*o));
}

void db_counts_release(db_counts *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->n; i++) {
		free(c->v[i].table);
		free(c->v[i].keys);
		free(c->v[i].hashes);
	}
	free(c->v);
	memset(c, 0, sizeof(*c));
}

void db_identity_of(buf *out, db *d, const char *url)
{
	mg_error err = MG_ERROR_INIT;
	db_url u;

	if (d && d->ops->identity(d, out, &err) == 0)
		return;
	buf_truncate(out, 0);
	/* a SQLite file that is gone is still the same database by its path */
	if (url && dburl_parse(&u, url, &err) == 0) {
		if (u.dialect == DB_SQLITE) {
			buf abs = BUF_INIT;
			fs_abspath(&abs, u.sqlite_path);
			buf_printf(out, "sqlite:%s", abs.ptr);
			buf_release(&abs);
		}
		dburl_release(&u);
	}
}

int db_snapshot_of(void **out, const char *url, mg_error *err)
{
	db *d = NULL;
	int rc;

	*out = NULL;
	if ((rc = db_open(&d, url, err)) < 0)
		return rc;
	rc = d->ops->snapshot(d, out, err);
	db_close(d);
	return rc;
}
