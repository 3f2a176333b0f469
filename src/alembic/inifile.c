/*
 * inifile.c: configparser-compatible INI reading on top of inih (see ini.h).
 */
#include "alembic/inifile.h"

#include <ctype.h>
#include <stdio.h>
#include <ini.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/fs.h"
#include "util/banned.h"

typedef struct reader_ctx {
	ini_file *file;
	const char *p, *end;
	int line;        /* physical line last handed to inih */
	const char *raw; /* that line, without its line break */
	size_t raw_len;
	char cur_section[256];
	ini_entry *prev; /* the entry a continuation line extends */
	int blank_run;   /* blank lines just before the current one */
	int cur_blank;   /* the current line is blank */
	mg_error *err;
	int failed;
} reader_ctx;

/* inih's reader: hand over one physical line, made safe for inih's
 * inline-comment and length rules; the raw text stays in the context. */
static char *feed_line(char *str, int num, void *stream)
{
	reader_ctx *c = stream;
	const char *eol, *p;
	size_t i, n, lead;

	if (c->p >= c->end || num < 8)
		return NULL;
	eol = c->p;
	while (eol < c->end && *eol != '\n' && *eol != '\r')
		eol++;
	c->blank_run = c->cur_blank ? c->blank_run + 1 : 0;
	c->raw = c->p;
	c->raw_len = (size_t)(eol - c->p);
	c->line++;
	{
		const char *b = c->raw;
		while (b < eol && isspace((unsigned char)*b))
			b++;
		c->cur_blank = (b == eol);
		if (!c->cur_blank && (*b == '#' || *b == ';'))
			c->blank_run = 0; /* comment lines drop out of a value, and so do blanks before them */
	}
	p = eol;
	if (p < c->end && *p == '\r')
		p++;
	if (p < c->end && *p == '\n' && (p == eol || p == eol + 1))
		p++;
	c->p = p;

	n = c->raw_len < (size_t)num - 2 ? c->raw_len : (size_t)num - 2;
	for (lead = 0; lead < n && isspace((unsigned char)c->raw[lead]); lead++)
		;
	for (i = 0; i < n; i++) {
		char ch = c->raw[i];
		/* A ';' that is not the first character would start an inline
		 * comment for inih; configparser keeps it. '\0' would end the line. */
		if ((ch == ';' && i != lead) || ch == '\0')
			ch = '_';
		str[i] = ch;
	}
	str[n] = '\n';
	str[n + 1] = '\0';
	return str;
}

static void add_entry(ini_file *f, const char *section, const char *key, size_t keylen, const char *value,
		      size_t vlen, int line)
{
	ini_entry *e;
	size_t i;

	if (f->n == f->alloc) {
		f->alloc = f->alloc ? f->alloc * 2 : 16;
		f->entries = mg_realloc(f->entries, f->alloc * sizeof(*f->entries));
	}
	e = &f->entries[f->n++];
	e->section = mg_strdup(section);
	e->key = mg_strndup(key, keylen);
	for (i = 0; i < keylen; i++)
		e->key[i] = (char)tolower((unsigned char)e->key[i]);
	e->value = mg_strndup(value, vlen);
	e->line = line;
}

static int on_entry(void *user, const char *section, const char *name, const char *value)
{
	reader_ctx *c = user;
	const char *b = c->raw, *e = c->raw + c->raw_len, *delim;
	int continuation;
	size_t i;

	(void)value;
	if (c->failed)
		return 0;
	if (strcmp(section, c->cur_section)) {
		snprintf(c->cur_section, sizeof(c->cur_section), "%s", section);
		c->prev = NULL;
	}
	if (!section[0]) {
		c->failed = 1;
		mg_error_set(c->err, MG_ECONFIG, "%s:%d: '%s' comes before any [section] header", c->file->path,
			     c->line, name);
		return 0;
	}
	if (strvec_index(&c->file->sections, section) < 0)
		strvec_push(&c->file->sections, section);

	continuation = c->prev && c->raw_len && isspace((unsigned char)c->raw[0]) &&
		       !strcasecmp(c->prev->key, name);
	while (b < e && isspace((unsigned char)*b))
		b++;
	while (e > b && isspace((unsigned char)e[-1]))
		e--;
	if (continuation) {
		buf v = BUF_INIT;
		int k;
		buf_puts(&v, c->prev->value);
		for (k = 0; k < c->blank_run; k++) /* configparser keeps blank lines inside a value */
			buf_putc(&v, '\n');
		buf_putc(&v, '\n');
		buf_put(&v, b, (size_t)(e - b));
		free(c->prev->value);
		c->prev->value = buf_detach(&v);
		return 1;
	}
	for (delim = b; delim < e && *delim != '=' && *delim != ':'; delim++)
		;
	if (delim >= e) {
		c->failed = 1;
		mg_error_set(c->err, MG_ECONFIG, "%s:%d: expected 'key = value'", c->file->path, c->line);
		return 0;
	}
	{
		const char *ke = delim, *vb = delim + 1;
		while (ke > b && isspace((unsigned char)ke[-1]))
			ke--;
		while (vb < e && isspace((unsigned char)*vb))
			vb++;
		for (i = 0; i < c->file->n; i++) {
			ini_entry *x = &c->file->entries[i];
			if (!strcmp(x->section, section) && strlen(x->key) == (size_t)(ke - b) &&
			    !strncasecmp(x->key, b, (size_t)(ke - b))) {
				c->failed = 1;
				mg_error_set(c->err, MG_ECONFIG, "%s:%d: option '%s' in section [%s] already exists (line %d)",
					     c->file->path, c->line, x->key, section, x->line);
				return 0;
			}
		}
		add_entry(c->file, section, b, (size_t)(ke - b), vb, (size_t)(e - vb), c->line);
		c->prev = &c->file->entries[c->file->n - 1];
	}
	return 1;
}

/* configparser refuses a section that appears twice (strict mode). */
static int check_duplicate_sections(const char *name, const char *text, size_t len, mg_error *err)
{
	strvec seen = STRVEC_INIT;
	const char *p = text, *end = text + len;
	int line = 0, rc = MG_OK;

	while (p < end) {
		const char *eol = p, *b, *close;
		line++;
		while (eol < end && *eol != '\n')
			eol++;
		for (b = p; b < eol && (*b == ' ' || *b == '\t'); b++)
			;
		if (b == p && b < eol && *b == '[' && (close = memchr(b, ']', (size_t)(eol - b))) != NULL) {
			char *sec = mg_strndup(b + 1, (size_t)(close - b - 1));
			if (strvec_index(&seen, sec) >= 0) {
				rc = mg_error_set(err, MG_ECONFIG, "%s:%d: section [%s] appears twice", name, line, sec);
				free(sec);
				break;
			}
			strvec_push_owned(&seen, sec);
		}
		p = eol < end ? eol + 1 : eol;
	}
	strvec_release(&seen);
	return rc;
}

int ini_parse_text(ini_file *out, const char *name, const char *text, size_t len, mg_error *err)
{
	reader_ctx c;
	int rc;

	memset(out, 0, sizeof(*out));
	out->path = mg_strdup(name);
	if (memchr(text, '\0', len))
		return mg_error_set(err, MG_ECONFIG, "%s: the file contains a NUL byte; it is not an INI file", name);
	if ((rc = check_duplicate_sections(name, text, len, err)) < 0)
		return rc;
	memset(&c, 0, sizeof(c));
	c.file = out;
	c.p = text;
	c.end = text + len;
	if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
		c.p += 3;
	c.err = err;
	rc = ini_parse_stream(feed_line, &c, on_entry, &c);
	if (c.failed)
		return err && err->code ? err->code : MG_ECONFIG;
	if (rc > 0)
		return mg_error_set(err, MG_ECONFIG, "%s:%d: this line is not 'key = value', a [section] or a comment",
				    name, rc);
	if (rc < 0)
		return mg_error_set(err, MG_ECONFIG, "%s: cannot be parsed", name);
	return MG_OK;
}

int ini_load(ini_file *out, const char *path, mg_error *err)
{
	buf text = BUF_INIT;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = fs_read_file(&text, path, 4u * 1024 * 1024, err)) < 0)
		goto cleanup;
	rc = ini_parse_text(out, path, text.ptr, text.len, err);
cleanup:
	buf_release(&text);
	return rc;
}

const ini_entry *ini_find(const ini_file *f, const char *section, const char *key)
{
	size_t i;
	const ini_entry *dflt = NULL;

	for (i = 0; i < f->n; i++) {
		if (strcmp(f->entries[i].key, key))
			continue;
		if (!strcmp(f->entries[i].section, section))
			return &f->entries[i];
		if (!strcmp(f->entries[i].section, "DEFAULT"))
			dflt = &f->entries[i];
	}
	return dflt;
}

int ini_has_section(const ini_file *f, const char *section)
{
	return strvec_index(&f->sections, section) >= 0;
}

static const char *lookup_var(const ini_file *f, const char *section, const char *name, const strvec *vars)
{
	const ini_entry *e = ini_find(f, section, name);
	size_t i;

	if (e)
		return e->value;
	for (i = 0; vars && i + 1 < vars->n; i += 2)
		if (!strcmp(vars->v[i], name))
			return vars->v[i + 1];
	return NULL;
}

#define INI_MAX_INTERPOLATION_DEPTH 10

static int interpolate(buf *out, const ini_file *f, const char *section, const char *key, const char *rest,
		       const strvec *vars, int depth, mg_error *err)
{
	if (depth > INI_MAX_INTERPOLATION_DEPTH)
		return mg_error_set(err, MG_ECONFIG,
				    "%s: interpolation of '%s' in [%s] is nested too deeply (a reference loop?)",
				    f->path, key, section);
	while (*rest) {
		const char *pct = strchr(rest, '%');
		if (!pct) {
			buf_puts(out, rest);
			return MG_OK;
		}
		buf_put(out, rest, (size_t)(pct - rest));
		rest = pct;
		if (rest[1] == '%') {
			buf_putc(out, '%');
			rest += 2;
		} else if (rest[1] == '(') {
			const char *close = strchr(rest + 2, ')'), *v;
			char *name;
			size_t i;
			if (!close || close == rest + 2 || close[1] != 's')
				return mg_error_set(err, MG_ECONFIG, "%s: bad interpolation reference in '%s' of [%s]: %s",
						    f->path, key, section, rest);
			name = mg_strndup(rest + 2, (size_t)(close - rest - 2));
			for (i = 0; name[i]; i++)
				name[i] = (char)tolower((unsigned char)name[i]);
			v = lookup_var(f, section, name, vars);
			if (!v) {
				int rc = mg_error_set(err, MG_ECONFIG, "%s: '%s' in [%s] refers to '%%(%s)s', which is not set",
						      f->path, key, section, name);
				free(name);
				return rc;
			}
			free(name);
			rest = close + 2;
			if (strchr(v, '%')) {
				int rc = interpolate(out, f, section, key, v, vars, depth + 1, err);
				if (rc < 0)
					return rc;
			} else {
				buf_puts(out, v);
			}
		} else {
			return mg_error_set(err, MG_ECONFIG,
					    "%s: in '%s' of [%s], '%%' must be followed by '%%' or '(' (write '%%%%' for a literal %%)",
					    f->path, key, section);
		}
	}
	return MG_OK;
}

int ini_get(char **out, const ini_file *f, const char *section, const char *key, const strvec *vars,
	    mg_error *err)
{
	const char *raw = lookup_var(f, section, key, NULL);
	buf b = BUF_INIT;
	int rc;

	*out = NULL;
	if (!raw)
		return MG_ENOTFOUND;
	if ((rc = interpolate(&b, f, section, key, raw, vars, 1, err)) < 0) {
		buf_release(&b);
		return rc;
	}
	*out = buf_detach(&b);
	return MG_OK;
}

void ini_file_release(ini_file *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->n; i++) {
		free(f->entries[i].section);
		free(f->entries[i].key);
		free(f->entries[i].value);
	}
	free(f->entries);
	free(f->path);
	strvec_release(&f->sections);
	memset(f, 0, sizeof(*f));
}
