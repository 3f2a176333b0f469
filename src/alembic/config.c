/*
 * config.c: resolve an Alembic project's configuration (see config.h).
 */
#include "alembic/config.h"

#include <ctype.h>
#include <stddef.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/fs.h"
#include "util/parse.h"
#include "util/banned.h"

int config_parse_version(alembic_compat *out, const char *s)
{
	char *end;
	long maj, min;

	maj = strtol(s, &end, 10);
	if (end == s || *end != '.')
		return -1;
	s = end + 1;
	min = strtol(s, &end, 10);
	if (end == s || (*end && *end != '.') || maj < 0 || maj > 99 || min < 0 || min > 999)
		return -1;
	out->major = (int)maj;
	out->minor = (int)min;
	return 0;
}

/* Find the Alembic a deploy would import, without running Python: the
 * active virtualenv's, else the system's. Reads `__version__` from
 * alembic/__init__.py. */
static int detect_alembic(alembic_compat *out)
{
	const char *venv = getenv("VIRTUAL_ENV");
	const char *patterns[] = { "/usr/lib/python3/dist-packages/alembic/__init__.py",
				   "/usr/local/lib/python3*/dist-packages/alembic/__init__.py",
				   "/usr/local/lib/python3*/site-packages/alembic/__init__.py", NULL };
	buf pat = BUF_INIT;
	int found = 0, i;

	for (i = -1; !found && (i < 0 || patterns[i]); i++) {
		glob_t g;
		size_t k;
		if (i < 0) {
			if (!venv || !*venv)
				continue;
			buf_truncate(&pat, 0);
			buf_printf(&pat, "%s/lib/python3*/site-packages/alembic/__init__.py", venv);
		} else {
			buf_truncate(&pat, 0);
			buf_puts(&pat, patterns[i]);
		}
		if (glob(pat.ptr, 0, NULL, &g) != 0)
			continue;
		for (k = 0; !found && k < g.gl_pathc; k++) {
			buf text = BUF_INIT;
			const char *v;
			if (fs_read_file(&text, g.gl_pathv[k], 1 << 20, NULL) == 0 &&
			    (v = strstr(text.ptr, "__version__")) != NULL) {
				while (*v && *v != '"' && *v != '\'')
					v++;
				if (*v && config_parse_version(out, v + 1) == 0)
					found = 1;
			}
			buf_release(&text);
		}
		globfree(&g);
	}
	buf_release(&pat);
	return found;
}

/* A value from [mgate], interpolated, into *out (NULL when absent). */
static int mgate_value(char **out, const mgate_config *cfg, const char *key, mg_error *err)
{
	strvec vars = STRVEC_INIT;
	int rc;

	*out = NULL;
	if (!cfg->ini_path || !ini_has_section(&cfg->ini, "mgate"))
		return MG_OK;
	strvec_push(&vars, "here");
	strvec_push(&vars, cfg->here);
	rc = ini_get(out, &cfg->ini, "mgate", key, &vars, err);
	strvec_release(&vars);
	if (rc == MG_ENOTFOUND) {
		*out = NULL;
		return MG_OK;
	}
	return rc;
}

static int resolve_compat(mgate_config *cfg, const config_opts *opts, mg_error *err)
{
	char *v = NULL;
	int rc;

	if (opts->alembic_version) {
		if (config_parse_version(&cfg->compat, opts->alembic_version) < 0)
			return mg_error_set(err, MG_ECONFIG, "invalid --alembic-version '%s'; expected a version like 1.13",
					    opts->alembic_version);
		cfg->compat.source = "option";
		return MG_OK;
	}
	if ((rc = mgate_value(&v, cfg, "alembic_version", err)) < 0)
		return rc;
	if (v) {
		const ini_entry *e = ini_find(&cfg->ini, "mgate", "alembic_version");
		if (config_parse_version(&cfg->compat, v) < 0)
			rc = mg_error_set(err, MG_ECONFIG, "%s:%d: alembic_version = '%s' in [mgate]: expected a version like 1.13",
					  cfg->ini_path, e ? e->line : 0, v);
		else
			cfg->compat.source = "config";
		free(v);
		return rc;
	}
	if (detect_alembic(&cfg->compat)) {
		cfg->compat.source = "detected";
		return MG_OK;
	}
	cfg->compat.major = 1;
	cfg->compat.minor = 13;
	cfg->compat.source = "default";
	return MG_OK;
}

int config_sorted_listing(const mgate_config *cfg)
{
	return cfg->compat.major > 1 || (cfg->compat.major == 1 && cfg->compat.minor >= 10);
}

static int get_main(char **out, const mgate_config *cfg, const char *key, mg_error *err)
{
	strvec vars = STRVEC_INIT;
	int rc;

	*out = NULL;
	if (!cfg->ini_path)
		return MG_ENOTFOUND;
	strvec_push(&vars, "here");
	strvec_push(&vars, cfg->here);
	rc = ini_get(out, &cfg->ini, cfg->section, key, &vars, err);
	strvec_release(&vars);
	return rc;
}

/* Alembic's legacy split: on ", *" or runs of spaces. */
static void split_legacy(strvec *out, const char *s)
{
	const char *p = s, *start = s;

	while (*p) {
		if (*p == ',') {
			strvec_push_n(out, start, (size_t)(p - start));
			p++;
			while (*p == ' ')
				p++;
			start = p;
		} else if (*p == ' ') {
			strvec_push_n(out, start, (size_t)(p - start));
			while (*p == ' ')
				p++;
			start = p;
		} else {
			p++;
		}
	}
	strvec_push_n(out, start, (size_t)(p - start));
}

static void split_on(strvec *out, const char *s, char sep)
{
	const char *p = s, *start = s;

	for (;; p++) {
		if (*p == sep || !*p) {
			if (p > start)
				strvec_push_n(out, start, (size_t)(p - start));
			if (!*p)
				break;
			start = p + 1;
		}
	}
}

static int split_locations(mgate_config *cfg, strvec *out, const char *value, mg_error *err)
{
	char *sep = NULL;
	const char *key = "path_separator";
	int rc = MG_OK;

	if (get_main(&sep, cfg, key, err) == MG_ENOTFOUND) {
		key = "version_path_separator";
		if ((rc = get_main(&sep, cfg, key, err)) < 0 && rc != MG_ENOTFOUND)
			return rc;
		rc = MG_OK;
	}
	if (!sep) {
		split_legacy(out, value);
	} else if (!strcmp(sep, "space") || !strcmp(sep, " ")) {
		split_on(out, value, ' ');
	} else if (!strcmp(sep, "os") || !strcmp(sep, ":") || !strcmp(sep, "colon")) {
		split_on(out, value, ':');
	} else if (!strcmp(sep, ";") || !strcmp(sep, "semicolon")) {
		split_on(out, value, ';');
	} else if (!strcmp(sep, "newline")) {
		split_on(out, value, '\n');
	} else if (!strcmp(sep, ",") || !strcmp(sep, "comma")) {
		split_on(out, value, ',');
	} else {
		rc = mg_error_set(err, MG_ECONFIG,
				  "%s: '%s' is not a valid value for %s; expected space, newline, colon, semicolon, comma or os "
				  "(an inline comment after the value is part of it for Alembic)",
				  cfg->ini_path, sep, key);
	}
	free(sep);
	return rc;
}

static int parse_names(mgate_config *cfg, mg_error *err)
{
	char *v = NULL;
	const char *p, *start;
	int rc;

	if ((rc = mgate_value(&v, cfg, "names", err)) < 0 || !v)
		return rc;
	for (p = start = v;; p++) {
		if (*p == ',' || *p == '\n' || !*p) {
			const char *b = start, *e = p, *eq;
			while (b < e && isspace((unsigned char)*b))
				b++;
			while (e > b && isspace((unsigned char)e[-1]))
				e--;
			if (e > b) {
				eq = memchr(b, '=', (size_t)(e - b));
				if (!eq || eq == b) {
					rc = mg_error_set(err, MG_ECONFIG,
							  "%s: [mgate] names: '%.*s' is not 'module.NAME=value'",
							  cfg->ini_path, (int)(e - b), b);
					break;
				}
				{
					const char *ke = eq, *vb = eq + 1;
					while (ke > b && isspace((unsigned char)ke[-1]))
						ke--;
					while (vb < e && isspace((unsigned char)*vb))
						vb++;
					strvec_push_n(&cfg->names.keys, b, (size_t)(ke - b));
					strvec_push_n(&cfg->names.values, vb, (size_t)(e - vb));
				}
			}
			if (!*p)
				break;
			start = p + 1;
		}
	}
	free(v);
	return rc;
}

static int is_true(const char *v)
{
	return v && (!strcasecmp(v, "true") || !strcasecmp(v, "1") || !strcasecmp(v, "yes") || !strcasecmp(v, "on"));
}

static int resolve_locations(mgate_config *cfg, mg_error *err)
{
	char *vl = NULL, *rec = NULL;
	strvec parts = STRVEC_INIT;
	buf path = BUF_INIT;
	size_t i;
	int rc = MG_OK;

	if ((rc = get_main(&vl, cfg, "version_locations", err)) < 0 && rc != MG_ENOTFOUND)
		goto cleanup;
	rc = MG_OK;
	if (vl && *vl) {
		cfg->version_locations_given = 1;
		if ((rc = split_locations(cfg, &parts, vl, err)) < 0)
			goto cleanup;
		for (i = 0; i < parts.n; i++) {
			if (!parts.v[i][0])
				continue;
			buf_truncate(&path, 0);
			fs_abspath(&path, parts.v[i]);
			strvec_push(&cfg->version_locations, path.ptr);
		}
	} else {
		buf_truncate(&path, 0);
		fs_join(&path, cfg->script_location, "versions");
		strvec_push(&cfg->version_locations, path.ptr);
	}
	if (get_main(&rec, cfg, "recursive_version_locations", err) == MG_OK)
		cfg->recursive = is_true(rec);
	free(rec);
	rec = NULL;
	if (get_main(&rec, cfg, "sourceless", err) == MG_OK)
		cfg->sourceless = rec && !strcmp(rec, "true");
cleanup:
	free(vl);
	free(rec);
	strvec_release(&parts);
	buf_release(&path);
	return rc;
}

static int read_ini(mgate_config *cfg, const config_opts *opts, mg_error *err)
{
	const char *path = opts->ini_path ? opts->ini_path : "alembic.ini";
	buf abs = BUF_INIT, dir = BUF_INIT;
	char *sl = NULL;
	int rc;

	rc = ini_load(&cfg->ini, path, err);
	if (rc == MG_ENOTFOUND) {
		if (!opts->ini_path && opts->script_location) {
			rc = MG_OK; /* --script-location alone needs no ini */
			goto cleanup;
		}
		rc = mg_error_set(err, MG_ECONFIG, opts->ini_path ? "config file '%s' not found" : "no '%s' in the current directory; pass -c PATH or --script-location DIR", path);
		goto cleanup;
	}
	if (rc < 0) {
		if (rc != MG_ECONFIG)
			rc = err ? (err->code = MG_ECONFIG) : MG_ECONFIG;
		goto cleanup;
	}
	fs_abspath(&abs, path);
	fs_dirname(&dir, abs.ptr);
	cfg->ini_path = buf_detach(&abs);
	cfg->here = buf_detach(&dir);
	if (!ini_has_section(&cfg->ini, cfg->section) && !opts->script_location) {
		rc = mg_error_set(err, MG_ECONFIG, "%s: no [%s] section", cfg->ini_path, cfg->section);
		goto cleanup;
	}
	if (!opts->script_location) {
		rc = get_main(&sl, cfg, "script_location", err);
		if (rc == MG_ENOTFOUND) {
			rc = mg_error_set(err, MG_ECONFIG, "%s: no 'script_location' in [%s]", cfg->ini_path, cfg->section);
			goto cleanup;
		}
		if (rc < 0)
			goto cleanup;
		if (sl[0] != '/' && strchr(sl, ':')) {
			rc = mg_error_set(err, MG_ECONFIG,
					  "%s: script_location '%s' names a Python package resource, which mgate cannot "
					  "resolve without Python; give a folder path (for example %%(here)s/migrations)",
					  cfg->ini_path, sl);
			goto cleanup;
		}
		buf_truncate(&abs, 0);
		fs_abspath(&abs, sl);
		cfg->script_location = buf_detach(&abs);
	}
	free(sl);
	sl = NULL;
	if (get_main(&cfg->sqlalchemy_url, cfg, "sqlalchemy.url", NULL) < 0)
		cfg->sqlalchemy_url = NULL;
	rc = MG_OK;
cleanup:
	free(sl);
	buf_release(&abs);
	buf_release(&dir);
	return rc;
}

/* ---- [mgate]: every key, read once, typed ---------------------------------- */

enum key_kind {
	KEY_BOOL,     /* int */
	KEY_NUMBER,   /* long long in [min, max], times `scale` */
	KEY_PATH,     /* char *, absolute from the ini's folder; empty: unset */
	KEY_NAME,     /* char *: a table or schema name */
	KEY_URL,      /* char *: a database URL (checked where it is used) */
	KEY_AGE,      /* long long: seconds, from a number and a unit (a bare number in `scale` seconds) */
	KEY_METHOD,   /* char *: "mgate" or "pgbackrest" */
	KEY_WORDS,    /* strvec, split on blanks */
	KEY_LIST,     /* strvec, split on commas and blanks */
	KEY_DIALECT,  /* char *: "postgresql" or "sqlite" */
	KEY_PG_MAJOR, /* int */
	KEY_DURATION, /* char *: a PostgreSQL duration */
	KEY_ENV_NAME, /* char *: an environment variable's name */
	KEY_PREFIX,   /* "smoke." and the like: one entry per name, read_prefixed */
	KEY_ACCEPT,   /* accept: <revision>:<rule> -- <reason> per line, read_accepts */
	KEY_OTHER     /* read elsewhere in config.c (names, alembic_version) */
};

typedef struct key_rule {
	const char *name;
	enum key_kind kind;
	size_t offset; /* into mgate_settings */
	long long min, max, scale;
	const char *help;
} key_rule;

#define AT(field) offsetof(mgate_settings, field)

static const key_rule key_rules[] = {
	{ "names", KEY_OTHER, 0, 0, 0, 0, "values for names imported from other modules" },
	{ "alembic_version", KEY_OTHER, 0, 0, 0, 0, "the Alembic release whose loading rules to follow" },
	{ "scan_cache", KEY_BOOL, AT(scan_cache), 0, 0, 0, "false turns the scan cache off" },
	{ "version_table", KEY_NAME, AT(version_table), 0, 0, 0, "Alembic's version table" },
	{ "version_table_schema", KEY_NAME, AT(version_table_schema), 0, 0, 0, "the version table's schema" },
	{ "rules", KEY_PATH, AT(rules_dir), 0, 0, 0, "the project's rules folder" },
	{ "rule.", KEY_PREFIX, 0, 0, 0, 0, "rule.<id> = error|warning|info|off: one rule's severity" },
	{ "strict", KEY_BOOL, AT(strict), 0, 0, 0, "lint as with --strict" },
	{ "accept", KEY_ACCEPT, 0, 0, 0, 0, "<revision>:<rule> -- <reason> per line: findings accepted" },
	{ "dialect", KEY_DIALECT, AT(dialect), 0, 0, 0, "postgresql or sqlite, when no database URL says" },
	{ "pg_version", KEY_PG_MAJOR, AT(pg_version), 0, 0, 0, "the PostgreSQL major version to judge for" },
	{ "model_paths", KEY_LIST, AT(model_paths), 0, 0, 0, "globs of model files, for mgate ci" },
	{ "sum_file", KEY_PATH, AT(sum_file), 0, 0, 0, "migrations.sum, for mgate sum and mgate ci" },
	{ "backup_dir", KEY_PATH, AT(backup_dir), 0, 0, 0, "the backup folder" },
	{ "backup_max_age", KEY_AGE, AT(backup_max_age), 1, 10LL * 365 * 86400, 3600,
	  "how long a backup counts as fresh (a bare number is hours; or 90min, 2d...)" },
	{ "backup_method", KEY_METHOD, AT(backup_method), 0, 0, 0,
	  "mgate (its own dumps) or pgbackrest (point-in-time recovery evidence)" },
	{ "pgbackrest_stanza", KEY_NAME, AT(pgbackrest_stanza), 0, 0, 0, "the pgBackRest stanza of this database" },
	{ "pgbackrest_config", KEY_PATH, AT(pgbackrest_config), 0, 0, 0, "pgbackrest.conf, when not the default" },
	{ "pgbackrest_cmd", KEY_WORDS, AT(pgbackrest_cmd), 0, 0, 0, "the pgbackrest command mgate runs" },
	{ "drill_max_age", KEY_NUMBER, AT(drill_max_age), 1, 3650, 86400, "days: a passing drill must be younger" },
	{ "invariant.", KEY_PREFIX, 0, 0, 0, 0, "invariant.<name> = SQL => expected: an assertion the gate runs" },
	{ "invariants_file", KEY_PATH, AT(invariants_file), 0, 0, 0, "an INI file of invariants" },
	{ "alembic_cmd", KEY_WORDS, AT(alembic_cmd), 0, 0, 0, "the Alembic command mgate runs" },
	{ "smoke.", KEY_PREFIX, 0, 0, 0, 0, "smoke.<name> = command args: a smoke command verification runs" },
	{ "max_rows_deleted", KEY_NUMBER, AT(max_rows_deleted), 0, 1000000000000LL, 1,
	  "rows a pending DELETE may delete before the gate closes" },
	{ "max_rows_rewritten", KEY_NUMBER, AT(max_rows_rewritten), 0, 1000000000000LL, 1,
	  "rows a pending UPDATE may rewrite before the gate closes" },
	{ "smoke_timeout", KEY_NUMBER, AT(smoke_timeout), 1, 86400, 1, "seconds each smoke command may take" },
	{ "audit_table", KEY_BOOL, AT(audit_table), 0, 0, 0, "also record audit entries in the database" },
	{ "audit_log", KEY_PATH, AT(audit_log), 0, 0, 0, "the audit log file" },
	{ "audit_log_max_bytes", KEY_NUMBER, AT(audit_log_max_bytes), 0, (long long)1 << 40, 1,
	  "the size at which the audit log rotates" },
	{ "lock_retries", KEY_NUMBER, AT(lock_retries), 0, 1000, 1, "how often Alembic runs again after a lock timeout" },
	{ "lock_retry_wait", KEY_NUMBER, AT(lock_retry_wait), 0, 3600, 1, "seconds between those runs" },
	{ "lock_timeout", KEY_DURATION, AT(lock_timeout), 0, 0, 0, "PostgreSQL lock_timeout for Alembic's session" },
	{ "statement_timeout", KEY_DURATION, AT(statement_timeout), 0, 0, 0,
	  "PostgreSQL statement_timeout for Alembic's session" },
	{ "rehearse_url_env", KEY_ENV_NAME, AT(rehearse_url_env), 0, 0, 0,
	  "the environment variable env.py reads its URL from" },
	{ "rehearse_env_checked", KEY_BOOL, AT(rehearse_env_checked), 0, 0, 0, "env.py uses alembic.ini's URL" },
	{ "scratch_url", KEY_URL, AT(scratch_url), 0, 0, 0,
	  "the server drills and rehearsals make their throw-away databases on" },
};

size_t config_key_count(void)
{
	return sizeof(key_rules) / sizeof(key_rules[0]);
}

const char *config_key(size_t i, const char **help)
{
	if (i >= config_key_count())
		return NULL;
	if (help)
		*help = key_rules[i].help;
	return key_rules[i].name;
}

/* A bad value: the file, line, key and value, and what was expected. */
static int bad_value(mg_error *err, const mgate_config *cfg, const ini_entry *e, const char *value,
		     const char *expected)
{
	return mg_error_set(err, MG_ECONFIG, "%s:%d: %s = '%s' in [mgate]: expected %s", cfg->ini_path, e->line, e->key,
			    value, expected);
}

static void settings_defaults(mgate_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->scan_cache = 1;
	s->backup_max_age = 24 * 3600;
	s->smoke_timeout = 30;
	s->max_rows_deleted = s->max_rows_rewritten = -1;
	s->audit_log_max_bytes = 10LL * 1024 * 1024;
	s->lock_retry_wait = 10;
	s->lock_timeout = mg_strdup("5s");
}

/* One plain key's value into its field. */
static int read_key(mgate_config *cfg, const key_rule *k, const ini_entry *e, const char *v, mg_error *err)
{
	char *field = (char *)&cfg->settings + k->offset;
	const char *expected = NULL, *canonical = NULL;
	long long n;
	int b;

	switch (k->kind) {
	case KEY_BOOL:
		if (parse_bool(&b, v, &expected) < 0)
			return bad_value(err, cfg, e, v, expected);
		memcpy(field, &b, sizeof(b));
		return MG_OK;
	case KEY_NUMBER:
		if (parse_long(&n, v, k->min, k->max, &expected) < 0)
			return bad_value(err, cfg, e, v, expected);
		n *= k->scale;
		memcpy(field, &n, sizeof(n));
		return MG_OK;
	case KEY_AGE:
		if (parse_age(&n, v, k->scale, k->min, k->max, &expected) < 0)
			return bad_value(err, cfg, e, v, expected);
		memcpy(field, &n, sizeof(n));
		return MG_OK;
	case KEY_PG_MAJOR:
		if (parse_pg_major(&b, v, &expected) < 0)
			return bad_value(err, cfg, e, v, expected);
		memcpy(field, &b, sizeof(b));
		return MG_OK;
	case KEY_WORDS:
	case KEY_LIST:
		strvec_release((strvec *)(void *)field);
		strvec_split((strvec *)(void *)field, v, k->kind == KEY_WORDS ? " \t\n" : ", \t\n");
		return MG_OK;
	default:
		break;
	}
	/* the string kinds */
	if (k->kind == KEY_DIALECT && parse_dialect(&canonical, v, &expected) < 0)
		return bad_value(err, cfg, e, v, expected);
	if (k->kind == KEY_DURATION && parse_pg_duration(v, &expected) < 0)
		return bad_value(err, cfg, e, v, expected);
	if (k->kind == KEY_ENV_NAME && parse_env_name(v, &expected) < 0)
		return bad_value(err, cfg, e, v, expected);
	if (k->kind == KEY_NAME && parse_sql_name(v, &expected) < 0)
		return bad_value(err, cfg, e, v, expected);
	if (k->kind == KEY_METHOD && strcmp(v, "mgate") && strcmp(v, "pgbackrest"))
		return bad_value(err, cfg, e, v, "mgate or pgbackrest");
	{
		char **str = (char **)(void *)field;
		buf path = BUF_INIT;
		free(*str);
		*str = NULL;
		if (!*v && k->kind == KEY_PATH)
			return MG_OK; /* `audit_log =` turns it off */
		if (!*v)
			return bad_value(err, cfg, e, v, "a value");
		if (k->kind == KEY_PATH) {
			fs_join(&path, cfg->here, v);
			*str = buf_detach(&path);
		} else {
			*str = mg_strdup(k->kind == KEY_DIALECT ? canonical : v);
		}
	}
	return MG_OK;
}

static void trim(char *s)
{
	size_t n = strlen(s), b = 0;

	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = 0;
	while (isspace((unsigned char)s[b]))
		b++;
	memmove(s, s + b, n - b + 1);
}

static config_invariant *add_invariant(mgate_settings *s, const char *name, const char *sql, size_t sqllen,
				       const char *expect)
{
	config_invariant *v;

	s->invariants = mg_realloc(s->invariants, (s->ninvariants + 1) * sizeof(*s->invariants));
	v = &s->invariants[s->ninvariants++];
	v->name = mg_strdup(name);
	v->sql = mg_strndup(sql, sqllen);
	v->expect = mg_strdup(expect);
	trim(v->sql);
	trim(v->expect);
	return v;
}

/* invariant.<name>, smoke.<name> and rule.<id>: a value (interpolated) per entry. */
static int read_prefixed(mgate_config *cfg, const ini_entry *e, const char *v, mg_error *err)
{
	mgate_settings *s = &cfg->settings;

	if (!strncmp(e->key, "invariant.", 10)) {
		const char *arrow = strstr(v, "=>");
		if (!e->key[10] || !arrow || arrow == v || !arrow[2])
			return bad_value(err, cfg, e, v, "'SQL => expected value'");
		add_invariant(s, e->key + 10, v, (size_t)(arrow - v), arrow + 2);
		return MG_OK;
	}
	if (!strncmp(e->key, "smoke.", 6)) {
		config_smoke *k;
		strvec argv = STRVEC_INIT;
		strvec_split(&argv, v, " \t\n");
		if (!e->key[6] || !argv.n) {
			strvec_release(&argv);
			return bad_value(err, cfg, e, v, "a command and its arguments (run without a shell)");
		}
		s->smoke = mg_realloc(s->smoke, (s->nsmoke + 1) * sizeof(*s->smoke));
		k = &s->smoke[s->nsmoke++];
		k->name = mg_strdup(e->key + 6);
		k->argv = argv;
		k->line = e->line;
		return MG_OK;
	}
	/* rule.<id>: the rule itself is checked when the catalogue loads */
	if (!e->key[5] || (strcmp(v, "error") && strcmp(v, "warning") && strcmp(v, "info") && strcmp(v, "off")))
		return bad_value(err, cfg, e, v, "error, warning, info or off");
	s->rules = mg_realloc(s->rules, (s->nrules + 1) * sizeof(*s->rules));
	s->rules[s->nrules].id = mg_strdup(e->key + 5);
	s->rules[s->nrules].severity = mg_strdup(v);
	s->rules[s->nrules++].line = e->line;
	return MG_OK;
}

/* The [name] sections of invariants_file, each with `sql` and `expect`. */
static int read_invariants_file(mgate_config *cfg, mg_error *err)
{
	const char *path = cfg->settings.invariants_file;
	ini_file f;
	size_t i;
	int rc;

	if (!path)
		return MG_OK;
	if ((rc = ini_load(&f, path, err)) < 0)
		return rc == MG_ENOTFOUND ? mg_error_set(err, MG_ECONFIG, "invariants file '%s' does not exist", path)
					  : (err->code = MG_ECONFIG); /* the message stays */
	for (i = 0; i < f.sections.n && rc == MG_OK; i++) {
		const ini_entry *sql = ini_find(&f, f.sections.v[i], "sql");
		const ini_entry *exp = ini_find(&f, f.sections.v[i], "expect");
		if (!sql || !exp)
			rc = mg_error_set(err, MG_ECONFIG, "%s: invariant [%s] needs both 'sql' and 'expect'", path,
					  f.sections.v[i]);
		else
			add_invariant(&cfg->settings, f.sections.v[i], sql->value, strlen(sql->value), exp->value);
	}
	ini_file_release(&f);
	return rc;
}

/* `accept`: one `<revision>:<rule> -- <reason>` per line (continuation
 * lines of the value), each with its own line number. */
/* The line of the file, at `from` or after it, that holds `text` once
 * trimmed; `from` when none does (a value the ini reader changed). */
static int line_holding(const buf *file, int from, const char *text)
{
	const char *p = file->ptr, *end = file->ptr + file->len;
	int line = 1;

	for (; p && p < end; line++) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n = eol ? (size_t)(eol - p) : (size_t)(end - p);
		if (line >= from) {
			char *one = mg_strndup(p, n);
			int same;
			trim(one);
			same = !strcmp(one, text);
			free(one);
			if (same)
				return line;
		}
		p = eol ? eol + 1 : NULL;
	}
	return from;
}

static int read_accepts(mgate_config *cfg, const ini_entry *e, const char *v, mg_error *err)
{
	mgate_settings *s = &cfg->settings;
	const char *p = v;
	int line = e->line;
	buf file = BUF_INIT;
	mg_error ignored = MG_ERROR_INIT;

	/* the ini reader drops comment lines inside a value: find each line */
	fs_read_file(&file, cfg->ini_path, 16u << 20, &ignored);
	mg_error_clear(&ignored);
	for (; *p; line++) {
		size_t len = strcspn(p, "\n");
		char *one = mg_strndup(p, len), *colon, *dash;
		config_accept *a;
		p += len + (p[len] == '\n');
		trim(one);
		if (!*one) {
			free(one);
			continue;
		}
		if (file.len)
			line = line_holding(&file, line, one);
		colon = strchr(one, ':');
		dash = strstr(one, "--");
		if (!colon || !dash || colon > dash) {
			int rc = mg_error_set(err, MG_ECONFIG,
					      "%s:%d: bad accept '%s' in [mgate]; expected <revision>:<rule> -- <reason>",
					      cfg->ini_path, line, one);
			free(one);
			buf_release(&file);
			return rc;
		}
		*colon = *dash = 0;
		s->accepts = mg_realloc(s->accepts, (s->naccepts + 1) * sizeof(*s->accepts));
		a = &s->accepts[s->naccepts++];
		a->revision = mg_strdup(one);
		a->rule = mg_strdup(colon + 1);
		a->reason = mg_strdup(dash + 2);
		a->line = line;
		trim(a->revision);
		trim(a->rule);
		trim(a->reason);
		free(one);
		if (!*a->revision || !*a->rule || !*a->reason) {
			buf_release(&file);
			return mg_error_set(err, MG_ECONFIG,
					    "%s:%d: bad accept in [mgate]: %s is empty; expected <revision>:<rule> -- <reason>",
					    cfg->ini_path, line, !*a->revision ? "the revision" : !*a->rule ? "the rule"
													    : "the reason");
		}
	}
	buf_release(&file);
	return MG_OK;
}

/* Every entry of [mgate], in file order, checked and typed. */
static int read_settings(mgate_config *cfg, mg_error *err)
{
	size_t i, k;
	int rc = MG_OK;

	settings_defaults(&cfg->settings);
	for (i = 0; cfg->ini_path && i < cfg->ini.n && rc == MG_OK; i++) {
		const ini_entry *e = &cfg->ini.entries[i];
		const key_rule *rule = NULL;
		char *v = NULL;
		if (strcmp(e->section, "mgate"))
			continue;
		for (k = 0; k < config_key_count() && !rule; k++)
			if (key_rules[k].kind == KEY_PREFIX ? !strncmp(e->key, key_rules[k].name, strlen(key_rules[k].name))
							    : !strcmp(e->key, key_rules[k].name))
				rule = &key_rules[k];
		if (!rule) {
			rc = mg_error_set(err, MG_ECONFIG,
					  "%s:%d: unknown key '%s' in [mgate]; docs/cli.md lists the settings "
					  "(`mgate doctor` shows what was read)",
					  cfg->ini_path, e->line, e->key);
			break;
		}
		if (rule->kind == KEY_OTHER)
			continue;
		if ((rc = mgate_value(&v, cfg, e->key, err)) < 0)
			break;
		rc = rule->kind == KEY_PREFIX   ? read_prefixed(cfg, e, v ? v : "", err)
		     : rule->kind == KEY_ACCEPT ? read_accepts(cfg, e, v ? v : "", err)
						: read_key(cfg, rule, e, v ? v : "", err);
		free(v);
	}
	if (rc == MG_OK)
		rc = read_invariants_file(cfg, err);
	return rc;
}

static void settings_release(mgate_settings *s)
{
	size_t i;

	for (i = 0; i < s->naccepts; i++) {
		free(s->accepts[i].revision);
		free(s->accepts[i].rule);
		free(s->accepts[i].reason);
	}
	free(s->accepts);

	for (i = 0; i < s->nrules; i++) {
		free(s->rules[i].id);
		free(s->rules[i].severity);
	}
	for (i = 0; i < s->ninvariants; i++) {
		free(s->invariants[i].name);
		free(s->invariants[i].sql);
		free(s->invariants[i].expect);
	}
	for (i = 0; i < s->nsmoke; i++) {
		free(s->smoke[i].name);
		strvec_release(&s->smoke[i].argv);
	}
	free(s->rules);
	free(s->invariants);
	free(s->smoke);
	free(s->version_table);
	free(s->version_table_schema);
	free(s->rules_dir);
	free(s->dialect);
	free(s->sum_file);
	free(s->backup_dir);
	free(s->invariants_file);
	free(s->audit_log);
	free(s->lock_timeout);
	free(s->statement_timeout);
	free(s->rehearse_url_env);
	free(s->scratch_url);
	free(s->backup_method);
	free(s->pgbackrest_stanza);
	free(s->pgbackrest_config);
	strvec_release(&s->pgbackrest_cmd);
	strvec_release(&s->model_paths);
	strvec_release(&s->alembic_cmd);
	memset(s, 0, sizeof(*s));
}

int config_load(mgate_config *out, const config_opts *opts, mg_error *err)
{
	buf abs = BUF_INIT;
	int rc;

	memset(out, 0, sizeof(*out));
	out->section = mg_strdup(opts->section ? opts->section : "alembic");
	if ((rc = read_ini(out, opts, err)) < 0)
		goto cleanup;
	if (opts->script_location) {
		fs_abspath(&abs, opts->script_location);
		out->script_location = buf_detach(&abs);
		if (!out->here) {
			buf dir = BUF_INIT;
			fs_abspath(&dir, ".");
			out->here = buf_detach(&dir);
		}
	}
	if (!fs_is_dir(out->script_location)) {
		rc = mg_error_set(err, MG_ECONFIG,
				  "script location '%s' is not a folder (Alembic resolves a relative script_location "
				  "from the current directory; %%(here)s means the ini's folder)",
				  out->script_location);
		goto cleanup;
	}
	if ((rc = resolve_locations(out, err)) < 0)
		goto cleanup;
	if ((rc = parse_names(out, err)) < 0 || (rc = read_settings(out, err)) < 0)
		goto cleanup;
	out->scan_cache = !opts->no_cache && out->settings.scan_cache;
	rc = resolve_compat(out, opts, err);
cleanup:
	buf_release(&abs);
	return rc;
}

/* Does the line `q` (leading blanks skipped) set the key `key`? Option
 * names are case-insensitive, as configparser lowercases them. */
static int sets_key(const char *q, const char *key)
{
	size_t n = strlen(key);
	const char *p = q + n;

	if (strncasecmp(q, key, n))
		return 0;
	p += strspn(p, " \t");
	return *p == '=' || *p == ':';
}

void config_with_url(buf *out, const char *text, const char *section, const char *url)
{
	const char *p = text, *nl;
	int in = 0, done = 0, skipping = 0;
	buf line = BUF_INIT;

	buf_puts(&line, "sqlalchemy.url = ");
	for (; *url; url++) /* configparser interpolation: a literal % is %% */
		if (*url == '%')
			buf_puts(&line, "%%");
		else
			buf_putc(&line, *url);
	buf_putc(&line, '\n');
	for (; *p; p = nl ? nl + 1 : p + strlen(p)) {
		size_t n;
		const char *q;
		nl = strchr(p, '\n');
		n = nl ? (size_t)(nl - p) : strlen(p);
		q = p + strspn(p, " \t");
		if (*q == '[' && q == p) {
			const char *close = memchr(q, ']', n - (size_t)(q - p));
			if (in && !done) {
				buf_puts(out, line.ptr);
				done = 1;
			}
			in = close && (size_t)(close - q - 1) == strlen(section) && !strncmp(q + 1, section, strlen(section));
			skipping = 0;
			buf_put(out, p, n);
			buf_putc(out, '\n');
			if (in && !done) {
				buf_puts(out, line.ptr);
				done = 1;
			}
			continue;
		}
		/* a continuation line (indented, not blank) belongs to the value being dropped */
		if (skipping && q != p && q < p + n && *q != '\r')
			continue;
		skipping = 0;
		if (in && q == p && sets_key(q, "sqlalchemy.url")) {
			skipping = 1;
			continue;
		}
		buf_put(out, p, n);
		buf_putc(out, '\n');
	}
	if (!done) { /* no such section yet: add it */
		buf_printf(out, "\n[%s]\n", section);
		buf_puts(out, line.ptr);
	}
	buf_release(&line);
}

void config_release(mgate_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->ini_path);
	free(cfg->section);
	free(cfg->here);
	free(cfg->script_location);
	strvec_release(&cfg->version_locations);
	free(cfg->sqlalchemy_url);
	strvec_release(&cfg->names.keys);
	strvec_release(&cfg->names.values);
	settings_release(&cfg->settings);
	ini_file_release(&cfg->ini);
	memset(cfg, 0, sizeof(*cfg));
}
