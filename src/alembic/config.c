/*
 * config.c: resolve an Alembic project's configuration (see config.h).
 */
#include "alembic/config.h"

#include <ctype.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/fs.h"
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

static int resolve_compat(mgate_config *cfg, const config_opts *opts, mg_error *err)
{
	char *v = NULL;
	int rc = MG_OK;

	if (opts->alembic_version) {
		if (config_parse_version(&cfg->compat, opts->alembic_version) < 0)
			return mg_error_set(err, MG_ECONFIG, "invalid --alembic-version '%s'; expected a version like 1.13",
					    opts->alembic_version);
		cfg->compat.source = "option";
		return MG_OK;
	}
	if ((v = config_mgate_option(cfg, "alembic_version")) != NULL) {
		if (config_parse_version(&cfg->compat, v) < 0)
			rc = mg_error_set(err, MG_ECONFIG, "%s: invalid alembic_version '%s' in [mgate]; expected a version like 1.13",
					  cfg->ini_path, v);
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

char *config_mgate_option(const mgate_config *cfg, const char *key)
{
	strvec vars = STRVEC_INIT;
	char *out = NULL;

	if (!cfg->ini_path || !ini_has_section(&cfg->ini, "mgate"))
		return NULL;
	strvec_push(&vars, "here");
	strvec_push(&vars, cfg->here);
	if (ini_get(&out, &cfg->ini, "mgate", key, &vars, NULL) < 0)
		out = NULL;
	strvec_release(&vars);
	return out;
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
	char *v = config_mgate_option(cfg, "names");
	const char *p, *start;
	int rc = MG_OK;

	if (!v)
		return MG_OK;
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
	if ((rc = parse_names(out, err)) < 0)
		goto cleanup;
	{
		char *v = config_mgate_option(out, "scan_cache");
		out->scan_cache = !opts->no_cache && !(v && !is_true(v));
		free(v);
	}
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
	ini_file_release(&cfg->ini);
	memset(cfg, 0, sizeof(*cfg));
}
