/*
 * dburl.c: SQLAlchemy URL parsing and redaction (see dburl.h).
 */
#include "db/dburl.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Percent-decoding; "+" stays "+" (SQLAlchemy uses unquote, not unquote_plus). */
static char *pct_decode(const char *s, size_t n)
{
	buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
			buf_putc(&b, (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2])));
			i += 2;
		} else {
			buf_putc(&b, s[i]);
		}
	}
	return buf_detach(&b);
}

static const char *const supported = "sqlite:///path.db, postgresql://user:password@host:port/database (also postgres:// "
				     "and postgresql+psycopg2://, postgresql+psycopg://)";

static int parse_scheme(db_url *u, const char *scheme, size_t n, mg_error *err)
{
	const char *plus = memchr(scheme, '+', n);
	size_t dn = plus ? (size_t)(plus - scheme) : n;

	if (plus)
		u->driver = mg_strndup(plus + 1, n - dn - 1);
	if ((dn == 6 && !strncmp(scheme, "sqlite", 6)))
		u->dialect = DB_SQLITE;
	else if ((dn == 10 && !strncmp(scheme, "postgresql", 10)) || (dn == 8 && !strncmp(scheme, "postgres", 8)))
		u->dialect = DB_POSTGRESQL;
	else
		return mg_error_set(err, MG_ECONFIG, "unsupported database '%.*s'; mgate supports %s", (int)dn, scheme,
				    supported);
	return MG_OK;
}

static void parse_query(db_url *u, const char *q)
{
	while (*q) {
		const char *amp = strchr(q, '&'), *end = amp ? amp : q + strlen(q);
		const char *eq = memchr(q, '=', (size_t)(end - q));
		if (eq && eq > q) {
			strvec_push_owned(&u->query_keys, pct_decode(q, (size_t)(eq - q)));
			strvec_push_owned(&u->query_values, pct_decode(eq + 1, (size_t)(end - eq - 1)));
		}
		q = amp ? amp + 1 : end;
	}
}

static int parse_url(db_url *out, const char *url, mg_error *err)
{
	const char *sep = strstr(url, "://"), *rest, *slash, *at, *hostport, *q;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!sep || sep == url) {
		buf r = BUF_INIT;
		dburl_redact(&r, url);
		rc = mg_error_set(err, MG_ECONFIG, "'%s' is not a database URL; expected %s", r.ptr, supported);
		buf_release(&r);
		return rc;
	}
	if ((rc = parse_scheme(out, url, (size_t)(sep - url), err)) < 0)
		return rc;
	rest = sep + 3;
	q = strchr(rest, '?');
	if (out->dialect == DB_SQLITE) {
		/* sqlite:///relative.db and sqlite:////absolute.db; no host part */
		size_t len = q ? (size_t)(q - rest) : strlen(rest);
		if (len == 0 || rest[0] != '/' || len == 1) {
			return mg_error_set(err, MG_ECONFIG, "'%s' is an in-memory or malformed SQLite URL; mgate needs a "
							     "database file (sqlite:///relative.db or sqlite:////absolute/path.db)",
					    url);
		}
		out->sqlite_path = pct_decode(rest + 1, len - 1);
		if (q)
			parse_query(out, q + 1);
		return MG_OK;
	}
	slash = strchr(rest, '/');
	if (q && slash && q < slash)
		slash = NULL;
	{
		const char *auth_end = slash ? slash : (q ? q : rest + strlen(rest));
		/* the password may contain '@': the last '@' before the path ends the userinfo */
		at = NULL;
		{
			const char *p;
			for (p = rest; p < auth_end; p++)
				if (*p == '@')
					at = p;
		}
		hostport = at ? at + 1 : rest;
		if (at) {
			const char *colon = memchr(rest, ':', (size_t)(at - rest));
			if (colon) {
				out->user = pct_decode(rest, (size_t)(colon - rest));
				out->password = pct_decode(colon + 1, (size_t)(at - colon - 1));
			} else {
				out->user = pct_decode(rest, (size_t)(at - rest));
			}
		}
		if (hostport < auth_end) {
			const char *hp_end = auth_end, *colon;
			if (*hostport == '[') { /* [IPv6]:port */
				const char *close = memchr(hostport, ']', (size_t)(hp_end - hostport));
				if (!close)
					return mg_error_set(err, MG_ECONFIG, "malformed IPv6 host in the database URL");
				out->host = mg_strndup(hostport + 1, (size_t)(close - hostport - 1));
				colon = close + 1 < hp_end && close[1] == ':' ? close + 1 : NULL;
			} else {
				colon = memchr(hostport, ':', (size_t)(hp_end - hostport));
				out->host = mg_strndup(hostport, (size_t)((colon ? colon : hp_end) - hostport));
			}
			if (colon) {
				const char *p;
				out->port = mg_strndup(colon + 1, (size_t)(hp_end - colon - 1));
				for (p = out->port; *p; p++)
					if (!isdigit((unsigned char)*p)) {
						buf r = BUF_INIT;
						dburl_redact(&r, url);
						rc = mg_error_set(err, MG_ECONFIG, "invalid port '%s' in '%s'", out->port, r.ptr);
						buf_release(&r);
						return rc;
					}
			}
			if (out->host && !*out->host) {
				free(out->host);
				out->host = NULL;
			}
		}
	}
	if (slash) {
		size_t len = q ? (size_t)(q - slash - 1) : strlen(slash + 1);
		if (len)
			out->database = pct_decode(slash + 1, len);
	}
	if (q)
		parse_query(out, q + 1);
	return MG_OK;
}

int dburl_parse(db_url *out, const char *url, mg_error *err)
{
	int rc = parse_url(out, url, err);

	if (rc < 0)
		dburl_release(out); /* what was read before the error */
	return rc;
}

void dburl_redact(buf *out, const char *url)
{
	const char *sep = strstr(url, "://"), *rest, *end, *at = NULL, *colon, *p;

	if (!sep) {
		buf_puts(out, url);
		return;
	}
	rest = sep + 3;
	end = rest;
	while (*end && *end != '/' && *end != '?')
		end++;
	for (p = rest; p < end; p++)
		if (*p == '@')
			at = p;
	buf_put(out, url, (size_t)(rest - url));
	if (at && (colon = memchr(rest, ':', (size_t)(at - rest))) != NULL) {
		buf_put(out, rest, (size_t)(colon - rest));
		buf_puts(out, ":***");
		rest = at;
	}
	/* password=... among the query parameters (after the '?') */
	{
		const char *qm = strchr(rest, '?');
		for (p = qm ? qm + 1 : NULL; p && *p; p++) {
			if ((p[-1] == '?' || p[-1] == '&') && !strncmp(p, "password=", 9)) {
				const char *v = p + 9, *ve = strchr(v, '&');
				buf_put(out, rest, (size_t)(v - rest));
				buf_puts(out, "***");
				rest = ve ? ve : v + strlen(v);
				if (!*rest)
					break;
				p = rest;
			}
		}
	}
	buf_puts(out, rest);
}

/* Query parameters libpq understands, passed through. */
static int libpq_keyword(const char *k)
{
	static const char *const known[] = { "sslmode", "sslcert", "sslkey", "sslrootcert", "sslcrl", "options",
					     "application_name", "connect_timeout", "host", "hostaddr", "port",
					     "target_session_attrs", "passfile", "service", "gssencmode",
					     "keepalives", "keepalives_idle", "user", "password", "dbname", NULL };
	int i;
	for (i = 0; known[i]; i++)
		if (!strcmp(k, known[i]))
			return 1;
	return 0;
}

void dburl_libpq_params(strvec *keys, strvec *values, const db_url *u)
{
	size_t i;

	if (u->host) {
		strvec_push(keys, "host");
		strvec_push(values, u->host);
	}
	if (u->port) {
		strvec_push(keys, "port");
		strvec_push(values, u->port);
	}
	if (u->user) {
		strvec_push(keys, "user");
		strvec_push(values, u->user);
	}
	if (u->password) {
		strvec_push(keys, "password");
		strvec_push(values, u->password);
	}
	if (u->database) {
		strvec_push(keys, "dbname");
		strvec_push(values, u->database);
	}
	for (i = 0; i < u->query_keys.n; i++) {
		int at;
		if (!libpq_keyword(u->query_keys.v[i]))
			continue;
		at = strvec_index(keys, u->query_keys.v[i]);
		if (at >= 0) { /* ?host=/run/postgresql overrides an empty host */
			free(values->v[at]);
			values->v[at] = mg_strdup(u->query_values.v[i]);
			continue;
		}
		strvec_push(keys, u->query_keys.v[i]);
		strvec_push(values, u->query_values.v[i]);
	}
}

static void pct_encode(buf *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (isalnum(c) || strchr("-._~", c))
			buf_putc(out, (char)c);
		else
			buf_printf(out, "%%%02X", c);
	}
}

void dburl_format(buf *out, const db_url *u, const char *database)
{
	size_t i;

	if (u->dialect == DB_SQLITE) {
		buf_printf(out, "sqlite:///%s", u->sqlite_path);
		return;
	}
	buf_puts(out, "postgresql://");
	if (u->user) {
		pct_encode(out, u->user);
		if (u->password) {
			buf_putc(out, ':');
			pct_encode(out, u->password);
		}
		buf_putc(out, '@');
	}
	if (u->host && strchr(u->host, ':'))
		buf_printf(out, "[%s]", u->host);
	else if (u->host)
		pct_encode(out, u->host);
	if (u->port)
		buf_printf(out, ":%s", u->port);
	buf_putc(out, '/');
	if (database ? database : u->database)
		pct_encode(out, database ? database : u->database);
	for (i = 0; i < u->query_keys.n; i++) {
		if (database && !strcmp(u->query_keys.v[i], "dbname"))
			continue;
		buf_putc(out, i ? '&' : '?');
		pct_encode(out, u->query_keys.v[i]);
		buf_putc(out, '=');
		pct_encode(out, u->query_values.v[i]);
	}
}

void dburl_release(db_url *u)
{
	if (!u)
		return;
	free(u->driver);
	free(u->user);
	free(u->password);
	free(u->host);
	free(u->port);
	free(u->database);
	free(u->sqlite_path);
	strvec_release(&u->query_keys);
	strvec_release(&u->query_values);
	memset(u, 0, sizeof(*u));
}
