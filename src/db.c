/*
 * db.c: choose the adapter for a URL (see db.h).
 */
#include "db.h"

#include <stdlib.h>
#include <string.h>

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

void db_observation_release(db_observation *o)
{
	if (!o)
		return;
	strvec_release(&o->locks);
	strvec_release(&o->rewritten);
	free(o->error);
	memset(o, 0, sizeof(*o));
}
