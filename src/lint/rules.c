/*
 * rules.c: reading rule files (inih, with line numbers from our reader),
 * and the `when` predicate language: facts, comparisons, and/or/not.
 */
#include "lint/rules.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <dirent.h>
#include <ini.h>
#include <limits.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alembic/config.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/banned.h"

/* ---- the predicate language ---------------------------------------------- */

enum ekind { E_FACT,
	     E_CMP,
	     E_NOT,
	     E_AND,
	     E_OR };
enum ecmp { C_EQ,
	    C_NE,
	    C_LT,
	    C_LE,
	    C_GT,
	    C_GE };

typedef struct enode {
	enum ekind kind;
	enum ecmp cmp;
	int a, b;
	char *key, *val;
} enode;

struct rule_expr {
	enode *v;
	size_t n, alloc;
	int root;
};

typedef struct eparser {
	const char *src, *p;
	rule_expr *e;
	mg_error *err;
	int failed, depth;
} eparser;

static int enode_new(rule_expr *e, enum ekind kind)
{
	if (e->n == e->alloc) {
		e->alloc = e->alloc ? e->alloc * 2 : 8;
		e->v = mg_realloc(e->v, e->alloc * sizeof(*e->v));
	}
	memset(&e->v[e->n], 0, sizeof(e->v[0]));
	e->v[e->n].kind = kind;
	return (int)e->n++;
}

static void skip_ws(eparser *p)
{
	while (*p->p && isspace((unsigned char)*p->p))
		p->p++;
}

static int efail(eparser *p, const char *what)
{
	if (!p->failed)
		mg_error_set(p->err, MG_ECONFIG, "%s at column %d of '%s'", what, (int)(p->p - p->src) + 1, p->src);
	p->failed = 1;
	return -1;
}

/* A word: [A-Za-z0-9_.-]+ */
static char *eword(eparser *p)
{
	const char *b = p->p;

	while (*p->p && (isalnum((unsigned char)*p->p) || *p->p == '_' || *p->p == '.' || *p->p == '-'))
		p->p++;
	return p->p > b ? mg_strndup(b, (size_t)(p->p - b)) : NULL;
}

static int keyword(eparser *p, const char *kw)
{
	size_t n = strlen(kw);

	skip_ws(p);
	if (!strncmp(p->p, kw, n) && !isalnum((unsigned char)p->p[n]) && p->p[n] != '_') {
		p->p += n;
		return 1;
	}
	return 0;
}

static int parse_or(eparser *p);

static char *evalue(eparser *p)
{
	skip_ws(p);
	if (*p->p == '\'' || *p->p == '"') {
		char q = *p->p++;
		const char *b = p->p;
		while (*p->p && *p->p != q)
			p->p++;
		if (!*p->p)
			return efail(p, "unterminated quote"), NULL;
		return mg_strndup(b, (size_t)(p->p++ - b));
	}
	return eword(p);
}

static int parse_atom(eparser *p)
{
	static const struct {
		const char *op;
		enum ecmp c;
	} cmps[] = {
		{ "==", C_EQ },
		{ "!=", C_NE },
		{ "<=", C_LE },
		{ ">=", C_GE },
		{ "<", C_LT },
		{ ">", C_GT },
	};
	char *key;
	size_t i;
	int at;

	skip_ws(p);
	if (*p->p == '(') {
		p->p++;
		at = parse_or(p);
		skip_ws(p);
		if (*p->p != ')')
			return efail(p, "expected ')'");
		p->p++;
		return at;
	}
	if (!(key = eword(p)))
		return efail(p, "expected a fact name");
	if (!strcmp(key, "and") || !strcmp(key, "or") || !strcmp(key, "not")) {
		free(key);
		return efail(p, "expected a fact name, not a keyword");
	}
	skip_ws(p);
	for (i = 0; i < sizeof(cmps) / sizeof(cmps[0]); i++)
		if (!strncmp(p->p, cmps[i].op, strlen(cmps[i].op))) {
			char *val;
			p->p += strlen(cmps[i].op);
			if (!(val = evalue(p))) {
				free(key);
				return efail(p, "expected a value");
			}
			at = enode_new(p->e, E_CMP);
			p->e->v[at].key = key;
			p->e->v[at].val = val;
			p->e->v[at].cmp = cmps[i].c;
			return at;
		}
	at = enode_new(p->e, E_FACT);
	p->e->v[at].key = key;
	return at;
}

static int parse_not(eparser *p)
{
	int at, inner;

	if (keyword(p, "not")) {
		if (++p->depth > 100)
			return efail(p, "expression nested too deeply");
		inner = parse_not(p);
		p->depth--;
		if (inner < 0)
			return -1;
		at = enode_new(p->e, E_NOT);
		p->e->v[at].a = inner;
		return at;
	}
	return parse_atom(p);
}

static int parse_binary(eparser *p, int is_or)
{
	int left = is_or ? parse_binary(p, 0) : parse_not(p);

	while (left >= 0 && keyword(p, is_or ? "or" : "and")) {
		int right = is_or ? parse_binary(p, 0) : parse_not(p), at;
		if (right < 0)
			return -1;
		at = enode_new(p->e, is_or ? E_OR : E_AND);
		p->e->v[at].a = left;
		p->e->v[at].b = right;
		left = at;
	}
	return left;
}

static int parse_or(eparser *p)
{
	int at;

	if (++p->depth > 100)
		return efail(p, "expression nested too deeply");
	at = parse_binary(p, 1);
	p->depth--;
	return at;
}

int rule_expr_compile(rule_expr **out, const char *src, mg_error *err)
{
	eparser p = { src, src, NULL, err, 0, 0 };
	int root;

	*out = NULL;
	p.e = mg_calloc(1, sizeof(*p.e));
	root = parse_or(&p);
	skip_ws(&p);
	if (root >= 0 && *p.p)
		root = efail(&p, "unexpected text");
	if (root < 0) {
		rule_expr_free(p.e);
		return MG_ECONFIG;
	}
	p.e->root = root;
	*out = p.e;
	return MG_OK;
}

static int truthy(const char *v)
{
	return v && *v && strcmp(v, "0") && strcmp(v, "false") && strcmp(v, "False") && strcmp(v, "None");
}

static int as_number(const char *s, double *out)
{
	char *end;

	if (!s || !*s)
		return 0;
	*out = strtod(s, &end);
	return *end == 0;
}

static int compare(enum ecmp c, const char *have, const char *want)
{
	double x, y;
	int d;

	if (!have)
		return c == C_NE;
	if (as_number(have, &x) && as_number(want, &y))
		d = x < y ? -1 : x > y;
	else
		d = strcmp(have, want);
	switch (c) {
	case C_EQ: return d == 0;
	case C_NE: return d != 0;
	case C_LT: return d < 0;
	case C_LE: return d <= 0;
	case C_GT: return d > 0;
	default: return d >= 0;
	}
}

static int eval_at(const rule_expr *e, int at, rule_lookup_fn lookup, void *ctx)
{
	const enode *n = &e->v[at];

	switch (n->kind) {
	case E_FACT: return truthy(lookup(ctx, n->key));
	case E_CMP: return compare(n->cmp, lookup(ctx, n->key), n->val);
	case E_NOT: return !eval_at(e, n->a, lookup, ctx);
	case E_AND: return eval_at(e, n->a, lookup, ctx) && eval_at(e, n->b, lookup, ctx);
	default: return eval_at(e, n->a, lookup, ctx) || eval_at(e, n->b, lookup, ctx);
	}
}

int rule_expr_eval(const rule_expr *e, rule_lookup_fn lookup, void *ctx)
{
	return !e || eval_at(e, e->root, lookup, ctx);
}

void rule_expr_free(rule_expr *e)
{
	size_t i;

	if (!e)
		return;
	for (i = 0; i < e->n; i++) {
		free(e->v[i].key);
		free(e->v[i].val);
	}
	free(e->v);
	free(e);
}

/* ---- rule files ---------------------------------------------------------- */

typedef struct loader {
	ruleset *rs;
	const char *path;
	int line;
	const char *text, *end; /* the file's bytes, read line by line */
	int at_line_start;      /* the next read starts a new line */
	mg_error *err;
	int rc;
	strvec seen;                   /* ids defined in this file */
	char *prev_section, *prev_key; /* to join continuation lines */
	buf joined;
} loader;

static rule *find_rule(ruleset *rs, const char *id)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (!strcmp(rs->v[i].id, id))
			return &rs->v[i];
	return NULL;
}

const rule *ruleset_find(const ruleset *rs, const char *id)
{
	return find_rule((ruleset *)rs, id);
}

static rule *rule_for(loader *ld, const char *id)
{
	rule *r = find_rule(ld->rs, id);

	if (!r) {
		ruleset *rs = ld->rs;
		if (rs->n == rs->alloc) {
			rs->alloc = rs->alloc ? rs->alloc * 2 : 32;
			rs->v = mg_realloc(rs->v, rs->alloc * sizeof(*rs->v));
		}
		r = &rs->v[rs->n++];
		memset(r, 0, sizeof(*r));
		r->id = mg_strdup(id);
		r->severity = SEV_WARNING;
		r->scope = RULE_UPGRADE;
	}
	if (strvec_index(&ld->seen, id) < 0) {
		strvec_push(&ld->seen, id);
		free(r->file);
		r->file = mg_strdup(ld->path);
		r->line = ld->line;
	}
	return r;
}

static int parse_severity(finding_severity *out, const char *v)
{
	if (!strcmp(v, "error"))
		*out = SEV_ERROR;
	else if (!strcmp(v, "warning"))
		*out = SEV_WARNING;
	else if (!strcmp(v, "info"))
		*out = SEV_INFO;
	else
		return -1;
	return 0;
}

static void replace(char **slot, const char *v)
{
	free(*slot);
	*slot = mg_strdup(v);
}

/* `match = op:drop_column, sql:drop_column, builtin:missing-downgrade` */
static int set_match(loader *ld, rule *r, const char *v)
{
	strvec_release(&r->ops);
	strvec_release(&r->sql);
	strvec_release(&r->builtins);
	while (*v) {
		const char *e = v, *colon;
		char *item;
		while (*e && *e != ',')
			e++;
		while (v < e && isspace((unsigned char)*v))
			v++;
		item = mg_strndup(v, (size_t)(e - v));
		while (*item && isspace((unsigned char)item[strlen(item) - 1]))
			item[strlen(item) - 1] = 0;
		colon = strchr(item, ':');
		if (*item) {
			if (colon && !strncmp(item, "op:", 3) && item[3])
				strvec_push(&r->ops, item + 3);
			else if (colon && !strncmp(item, "sql:", 4) && item[4])
				strvec_push(&r->sql, item + 4);
			else if (colon && !strncmp(item, "builtin:", 8) && item[8])
				strvec_push(&r->builtins, item + 8);
			else {
				mg_error_set(ld->err, MG_ECONFIG,
					     "%s:%d: rule '%s': bad match '%s'; expected op:NAME, sql:CLASS or builtin:NAME",
					     ld->path, ld->line, r->id, item);
				free(item);
				return -1;
			}
		}
		free(item);
		v = *e ? e + 1 : e;
	}
	return 0;
}

static int set_dialects(loader *ld, rule *r, const char *v)
{
	r->dialects = 0;
	if (strstr(v, "postgresql"))
		r->dialects |= RULE_POSTGRESQL;
	if (strstr(v, "sqlite"))
		r->dialects |= RULE_SQLITE;
	if (!r->dialects) {
		mg_error_set(ld->err, MG_ECONFIG, "%s:%d: rule '%s': unknown dialects '%s'; expected postgresql, sqlite",
			     ld->path, ld->line, r->id, v);
		return -1;
	}
	return 0;
}

static int set_pattern(loader *ld, rule *r, const char *v)
{
	int errcode;
	PCRE2_SIZE off;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)v, PCRE2_ZERO_TERMINATED,
				       PCRE2_CASELESS | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &errcode, &off, NULL);

	if (!re) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(errcode, msg, sizeof(msg));
		mg_error_set(ld->err, MG_ECONFIG, "%s:%d: rule '%s': pattern does not compile at offset %zu: %s",
			     ld->path, ld->line, r->id, (size_t)off, (const char *)msg);
		return -1;
	}
	pcre2_code_free(r->pattern);
	r->pattern = re;
	replace(&r->pattern_src, v);
	return 0;
}

static int set_int(loader *ld, rule *r, int *out, const char *key, const char *v)
{
	char *end;
	long x = strtol(v, &end, 10);

	if (*end || x < 0 || x > 1000) {
		mg_error_set(ld->err, MG_ECONFIG, "%s:%d: rule '%s': %s must be a major version number, not '%s'",
			     ld->path, ld->line, r->id, key, v);
		return -1;
	}
	*out = (int)x;
	return 0;
}

static int set_key(loader *ld, rule *r, const char *k, const char *v)
{
	if (!strcmp(k, "severity") || !strcmp(k, "strict_severity")) {
		finding_severity s;
		if (parse_severity(&s, v) < 0) {
			mg_error_set(ld->err, MG_ECONFIG, "%s:%d: rule '%s': bad %s '%s'; expected error, warning or info",
				     ld->path, ld->line, r->id, k, v);
			return -1;
		}
		if (k[0] == 's' && k[1] == 'e')
			r->severity = s;
		else {
			r->strict_severity = s;
			r->has_strict = 1;
		}
		return 0;
	}
	if (!strcmp(k, "match"))
		return set_match(ld, r, v);
	if (!strcmp(k, "pattern"))
		return set_pattern(ld, r, v);
	if (!strcmp(k, "when")) {
		rule_expr *e;
		if (rule_expr_compile(&e, v, ld->err) < 0) {
			mg_error_wrap(ld->err, "%s:%d: rule '%s': when", ld->path, ld->line, r->id);
			return -1;
		}
		rule_expr_free(r->when);
		r->when = e;
		replace(&r->when_src, v);
		return 0;
	}
	if (!strcmp(k, "dialects"))
		return set_dialects(ld, r, v);
	if (!strcmp(k, "pg_min"))
		return set_int(ld, r, &r->pg_min, k, v);
	if (!strcmp(k, "pg_max"))
		return set_int(ld, r, &r->pg_max, k, v);
	if (!strcmp(k, "scope")) {
		r->scope = !strcmp(v, "upgrade") ? RULE_UPGRADE : !strcmp(v, "downgrade") ? RULE_DOWNGRADE
							  : !strcmp(v, "both")            ? RULE_UPGRADE | RULE_DOWNGRADE
											  : 0;
		if (!r->scope) {
			mg_error_set(ld->err, MG_ECONFIG, "%s:%d: rule '%s': bad scope '%s'; expected upgrade, downgrade or both",
				     ld->path, ld->line, r->id, v);
			return -1;
		}
		return 0;
	}
	if (!strcmp(k, "enabled")) {
		r->disabled = !strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "0");
		return 0;
	}
	if (!strcmp(k, "message"))
		replace(&r->message, v);
	else if (!strcmp(k, "why"))
		replace(&r->why, v);
	else if (!strcmp(k, "fix"))
		replace(&r->fix, v);
	else {
		mg_error_set(ld->err, MG_ECONFIG, "%s:%d: rule '%s': unknown key '%s'", ld->path, ld->line, r->id, k);
		return -1;
	}
	return 0;
}

static int on_entry(void *user, const char *section, const char *name, const char *value)
{
	loader *ld = user;
	rule *r;
	size_t i;

	if (ld->rc < 0)
		return 0;
	if (!*section) {
		ld->rc = mg_error_set(ld->err, MG_ECONFIG, "%s:%d: '%s' is outside any [rule-id] section", ld->path,
				      ld->line, name);
		return 0;
	}
	for (i = 0; section[i]; i++)
		if (!islower((unsigned char)section[i]) && !isdigit((unsigned char)section[i]) && section[i] != '-') {
			ld->rc = mg_error_set(ld->err, MG_ECONFIG,
					      "%s:%d: bad rule id '%s': use lowercase letters, digits and '-'", ld->path,
					      ld->line, section);
			return 0;
		}
	r = rule_for(ld, section);
	/* inih reports each continuation line as the same key again. */
	if (ld->prev_section && !strcmp(ld->prev_section, section) && !strcmp(ld->prev_key, name)) {
		buf_putc(&ld->joined, ' ');
	} else {
		free(ld->prev_section);
		free(ld->prev_key);
		ld->prev_section = mg_strdup(section);
		ld->prev_key = mg_strdup(name);
		buf_truncate(&ld->joined, 0);
	}
	buf_puts(&ld->joined, value);
	if (set_key(ld, r, name, ld->joined.ptr) < 0)
		ld->rc = MG_ECONFIG;
	return 1;
}

/* inih's reader: the next line of the text (at most num - 1 bytes). */
static char *read_line(char *str, int num, void *stream)
{
	loader *ld = stream;
	size_t n = 0;

	if (ld->text >= ld->end || num < 2)
		return NULL;
	if (ld->at_line_start)
		ld->line++;
	ld->at_line_start = 0;
	while (ld->text < ld->end && n < (size_t)num - 1) {
		char c = *ld->text++;
		str[n++] = c == 0 ? ' ' : c;
		if (c == '\n') {
			ld->at_line_start = 1;
			break;
		}
	}
	str[n] = 0;
	return str;
}

static int validate(const loader *ld, const rule *r)
{
	if (!r->ops.n && !r->sql.n && !r->builtins.n && !r->pattern)
		return mg_error_set(ld->err, MG_ECONFIG, "%s:%d: rule '%s' matches nothing: set match or pattern",
				    r->file, r->line, r->id);
	if (!r->message)
		return mg_error_set(ld->err, MG_ECONFIG, "%s:%d: rule '%s' has no message", r->file, r->line, r->id);
	return MG_OK;
}

int ruleset_load_file(ruleset *rs, const char *path, mg_error *err)
{
	buf text = BUF_INIT;
	int rc;

	if (fs_read_file(&text, path, 4u << 20, err) < 0) {
		buf_release(&text);
		return mg_error_set(err, MG_EENV, "cannot read rules file '%s' (or it is larger than 4 MiB)", path);
	}
	rc = ruleset_load_text(rs, path, text.ptr, text.len, err);
	buf_release(&text);
	return rc;
}

int ruleset_load_text(ruleset *rs, const char *path, const char *text, size_t len, mg_error *err)
{
	loader ld;
	int rc;
	size_t i;

	memset(&ld, 0, sizeof(ld));
	buf_init(&ld.joined);
	ld.rs = rs;
	ld.path = path;
	ld.err = err;
	ld.line = 0;
	ld.at_line_start = 1;
	ld.text = text;
	ld.end = text + len;
	rc = ini_parse_stream(read_line, &ld, on_entry, &ld);
	if (ld.rc < 0) {
		rc = ld.rc;
		goto cleanup;
	}
	if (rc != 0) {
		rc = mg_error_set(err, MG_ECONFIG, "%s:%d: not a valid INI line", path, rc > 0 ? rc : 1);
		goto cleanup;
	}
	for (i = 0; i < ld.seen.n; i++)
		if ((rc = validate(&ld, find_rule(rs, ld.seen.v[i]))) < 0)
			goto cleanup;
	rc = MG_OK;
cleanup:
	strvec_release(&ld.seen);
	free(ld.prev_section);
	free(ld.prev_key);
	buf_release(&ld.joined);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int ruleset_load_dir(ruleset *rs, const char *dir, mg_error *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	strvec files = STRVEC_INIT;
	size_t i;
	int rc = MG_OK;

	if (!d)
		return mg_error_set(err, MG_ENOTFOUND, "cannot open rules folder '%s'", dir);
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		if (n > 4 && !strcmp(e->d_name + n - 4, ".ini") && e->d_name[0] != '.') {
			buf p = BUF_INIT;
			buf_printf(&p, "%s/%s", dir, e->d_name);
			strvec_push_owned(&files, buf_detach(&p));
		}
	}
	closedir(d);
	if (files.n)
		qsort(files.v, files.n, sizeof(*files.v), cmp_str);
	for (i = 0; i < files.n && rc == MG_OK; i++)
		rc = ruleset_load_file(rs, files.v[i], err);
	strvec_release(&files);
	return rc;
}

int ruleset_configure(ruleset *rs, const char *id, const char *value, mg_error *err)
{
	rule *r = find_rule(rs, id);
	finding_severity s;

	if (!r)
		return mg_error_set(err, MG_ENOTFOUND, "unknown rule '%s'", id);
	if (!strcmp(value, "off")) {
		r->disabled = 1;
		return MG_OK;
	}
	if (parse_severity(&s, value) < 0)
		return mg_error_set(err, MG_ECONFIG, "rule '%s': bad severity '%s'; expected error, warning, info or off",
				    id, value);
	r->disabled = 0;
	r->severity = s;
	r->has_strict = 0;
	return MG_OK;
}

finding_severity rule_severity(const rule *r, int strict)
{
	return strict && r->has_strict ? r->strict_severity : r->severity;
}

static int is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

char *rules_default_dir(void)
{
	static const char *const beside[] = { "rules", "../share/mgate/rules", "../rules", NULL };
	const char *env = getenv("MGATE_RULES_DIR");
	char exe[PATH_MAX];
	ssize_t n;
	size_t i;

	if (env && *env)
		return mg_strdup(env);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;
		exe[n] = 0;
		if ((slash = strrchr(exe, '/')) != NULL)
			*slash = 0;
		for (i = 0; beside[i]; i++) {
			buf p = BUF_INIT;
			buf_printf(&p, "%s/%s", exe, beside[i]);
			if (is_dir(p.ptr) && access(p.ptr, R_OK) == 0) {
				char real[PATH_MAX];
				char *dflt = mg_strdup(realpath(p.ptr, real) ? real : p.ptr);
				buf_release(&p);
				return dflt;
			}
			buf_release(&p);
		}
	}
#ifdef MGATE_SOURCE_RULES_DIR
	if (is_dir(MGATE_SOURCE_RULES_DIR))
		return mg_strdup(MGATE_SOURCE_RULES_DIR);
#endif
	return NULL;
}

int ruleset_load_project(ruleset *out, const char *dir, const mgate_config *cfg, mg_error *err)
{
	char *builtin = rules_default_dir();
	const char *project = dir ? dir : cfg ? cfg->settings.rules_dir
					      : NULL;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!builtin)
		return mg_error_set(err, MG_EENV, "the built-in rules folder was not found beside the program; set "
						  "MGATE_RULES_DIR to mgate's rules/ folder");
	rc = ruleset_load_dir(out, builtin, err);
	free(builtin);
	if (rc < 0)
		return rc == MG_EENV ? MG_EENV : MG_ECONFIG;
	if (project && !fs_is_dir(project))
		return mg_error_set(err, MG_ECONFIG, "rules folder '%s' does not exist", project);
	if (project && (rc = ruleset_load_dir(out, project, err)) < 0)
		return rc == MG_EENV ? MG_EENV : MG_ECONFIG;
	for (i = 0; cfg && i < cfg->settings.nrules; i++) {
		const config_rule *r = &cfg->settings.rules[i];
		if (ruleset_configure(out, r->id, r->severity, err) < 0) {
			mg_error_wrap(err, "%s:%d", cfg->ini_path, r->line);
			return err->code = MG_ECONFIG;
		}
	}
	return MG_OK;
}

void ruleset_release(ruleset *rs)
{
	size_t i;

	if (!rs)
		return;
	for (i = 0; i < rs->n; i++) {
		rule *r = &rs->v[i];
		free(r->id);
		strvec_release(&r->ops);
		strvec_release(&r->sql);
		strvec_release(&r->builtins);
		free(r->pattern_src);
		pcre2_code_free(r->pattern);
		free(r->when_src);
		rule_expr_free(r->when);
		free(r->message);
		free(r->why);
		free(r->fix);
		free(r->file);
	}
	free(rs->v);
	memset(rs, 0, sizeof(*rs));
}
