/*
 * dburl.h: SQLAlchemy database URLs, parsed, mapped to what the adapters
 * need, and redacted for printing.
 *
 * Forms: sqlite:///relative.db, sqlite:////abs/path.db,
 * postgresql[+driver]://user:pass@host:port/db?key=value, postgres://...
 * User and password are percent-decoded as SQLAlchemy does. A password is
 * never printed: use dburl_redact for anything a user may see.
 */
#ifndef MGATE_DBURL_H
#define MGATE_DBURL_H

#include "util/buf.h"
#include "util/error.h"
#include "util/strvec.h"

typedef enum db_dialect { DB_SQLITE = 1,
			  DB_POSTGRESQL = 2 } db_dialect;

typedef struct db_url {
	db_dialect dialect;
	char *driver; /* "psycopg2", "pysqlite", ... or NULL */
	char *user, *password, *host, *port, *database;
	strvec query_keys, query_values;
	char *sqlite_path; /* SQLite: the file, as given (relative to the current directory) */
} db_url;

/* Parse `url`. MG_ECONFIG with a message for malformed URLs and for
 * dialects mgate does not support (the message names the supported ones). */
int dburl_parse(db_url *out, const char *url, mg_error *err);

/* `url` with any password replaced by "***" (also in `password=` query
 * parameters). Safe on malformed input. */
void dburl_redact(buf *out, const char *url);

/* libpq connection keywords and values for a PostgreSQL URL (NULL-free,
 * same length), including query parameters libpq knows. */
void dburl_libpq_params(strvec *keys, strvec *values, const db_url *u);

/* The URL back as text (password included: never print it), with
 * another database name when `database` is not NULL. */
void dburl_format(buf *out, const db_url *u, const char *database);

void dburl_release(db_url *u);

#endif
