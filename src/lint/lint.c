/*
 * lint.c: subjects (operations and SQL statements) with their facts,
 * rule matching, the built-in detectors, and suppressions.
 */
#include "lint/lint.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <limits.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alembic/config.h"
#include "lint/ops.h"
#include "python/pyscan.h"
#include "python/pytok.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/banned.h"

/* ---- subjects ------------------------------------------------------------ */

typedef struct fact {
	const char *key, *val;
} fact;

/* An operation or SQL statement to judge. Its strings live in the run's
 * arena (`mem`) and die with the run. */
typedef struct subject {
	arena *mem;
	int is_sql;
	const char *name; /* operation name or statement class */
	migop_func func;
	int line, col, end_line;
	const char *table; /* normalised: lowercase, quotes removed */
	const char **cols; /* normalised too */
	size_t ncols;
	const char *object;
	const char *text; /* a Core chain's text; a statement's SQL is its "sql" fact */
	const migop *op;  /* the operation (for SQL: the execute carrying it); its call_line
			   * is where upgrade() called the function that holds it */
	int is_ddl, is_dml;
	fact *facts;
	size_t nfacts, afacts;
} subject;

typedef struct subjects {
	subject *v;
	size_t n, alloc;
} subjects;

typedef struct suppression {
	strvec ids;
	char *reason; /* NULL when missing */
	int line;     /* the comment's line */
	int target;   /* the code line it covers (itself, or the next code line) */
	int revision_wide;
	int *used; /* per id */
} suppression;

typedef struct script_run {
	lint_ctx *ctx;
	findings *out;
	const char *path, *revision;
	const char *src;
	size_t len;
	migops ops;
	subjects subs;
	suppression *sup;
	size_t nsup;
	int *next_code_line;  /* per line: the first line at or after it with code */
	const char **line_at; /* per line (1-based): where it starts in src */
	int nlines;
	int down_end;    /* last line of downgrade(), 0 when absent */
	strvec added[2]; /* per function: "table\ncolumn" added so far in this revision */
	strmap added_at[2];
	strvec renamed[2]; /* per function: new names of tables renamed so far */
	strvec locked;     /* tables the upgrade takes ACCESS EXCLUSIVE on anyway */
} script_run;

static subject *subject_new(script_run *r)
{
	subjects *s = &r->subs;
	subject *x;

	if (s->n == s->alloc) {
		s->alloc = s->alloc ? s->alloc * 2 : 16;
		s->v = mg_realloc(s->v, s->alloc * sizeof(*s->v));
	}
	x = &s->v[s->n++];
	memset(x, 0, sizeof(*x));
	x->mem = &r->ctx->mem;
	return x;
}

static fact *find_fact(const subject *s, const char *key)
{
	size_t i;

	for (i = 0; i < s->nfacts; i++)
		if (!strcmp(s->facts[i].key, key))
			return &s->facts[i];
	return NULL;
}

static void setf(subject *s, const char *key, const char *val)
{
	fact *f;

	if (!val)
		return;
	if ((f = find_fact(s, key)) != NULL) {
		f->val = arena_strdup(s->mem, val);
		return;
	}
	if (s->nfacts == s->afacts) {
		fact *grown;
		s->afacts = s->afacts ? s->afacts * 2 : 16;
		grown = arena_alloc(s->mem, s->afacts * sizeof(*grown));
		if (s->nfacts)
			memcpy(grown, s->facts, s->nfacts * sizeof(*grown));
		s->facts = grown;
	}
	s->facts[s->nfacts].key = arena_strdup(s->mem, key);
	s->facts[s->nfacts++].val = arena_strdup(s->mem, val);
}

static void add_col(subject *s, const char *name)
{
	const char **grown = arena_alloc(s->mem, (s->ncols + 1) * sizeof(*grown));

	if (s->ncols)
		memcpy(grown, s->cols, s->ncols * sizeof(*grown));
	grown[s->ncols++] = name;
	s->cols = grown;
}

static void setb(subject *s, const char *key, int on)
{
	if (on)
		setf(s, key, "1");
}

static const char *getf(void *ctx, const char *key)
{
	const fact *f = find_fact(ctx, key);
	return f ? f->val : NULL;
}

/* A table or column name compared case-insensitively, without quotes. */
static const char *norm_name(arena *mem, const char *s)
{
	char *out, *o;

	if (!s)
		return NULL;
	o = out = arena_alloc(mem, strlen(s) + 1);
	for (; *s; s++)
		if (*s != '"' && *s != '`' && *s != '[' && *s != ']')
			*o++ = (char)tolower((unsigned char)*s);
	*o = 0;
	return out;
}

static void subjects_release(subjects *s)
{
	free(s->v);
}

/* ---- operation facts ----------------------------------------------------- */

/* A literal-ish rendering of an argument: the string, True/False/None, a number, a callee. */
static const char *pyx_value(const pyx *x)
{
	if (!x)
		return NULL;
	switch (x->kind) {
	case PYX_NONE: return "None";
	case PYX_STR:
	case PYX_BOOL:
	case PYX_NUM:
	case PYX_NAME:
	case PYX_CALL: return x->text ? x->text : "";
	default: return "<expression>";
	}
}

static int contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; hay && *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return 1;
	return 0;
}

static int text_is_volatile(const char *s)
{
	static const char *const fns[] = { "random(", "gen_random_uuid", "uuid_generate", "clock_timestamp",
					   "nextval", "timeofday", "txid_current", NULL };
	size_t i;

	for (i = 0; fns[i]; i++)
		if (contains_ci(s, fns[i]))
			return 1;
	return 0;
}

/* Server default facts from `server_default=...` (a literal, sa.text(...), func.x()). */
static void default_facts(subject *s, const pyx *d)
{
	const char *text;

	if (!d || d->kind == PYX_NONE)
		return;
	setb(s, "has_default", 1);
	text = d->kind == PYX_CALL && d->n && d->items[0]->kind == PYX_STR ? d->items[0]->text : pyx_value(d);
	if (d->kind == PYX_CALL && (strstr(d->text, "func.") || strstr(d->text, "Identity") || strstr(d->text, "Sequence")))
		text = d->text;
	if (text_is_volatile(text) || (d->kind == PYX_CALL && (strstr(d->text, "Identity") || strstr(d->text, "Sequence"))))
		setb(s, "default_volatile", 1);
}

static void column_facts(subject *s, const pyx *col)
{
	const pyx *nullable, *pk;
	size_t i;

	if (!col || col->kind != PYX_CALL || strcmp(pyx_basename(col), "Column"))
		return;
	nullable = pyx_arg(col, -1, "nullable");
	pk = pyx_arg(col, -1, "primary_key");
	setb(s, "not_null", pyx_is_false(nullable) || (pyx_is_true(pk) && !pyx_is_true(nullable)));
	setb(s, "primary_key", pyx_is_true(pk));
	default_facts(s, pyx_arg(col, -1, "server_default"));
	setb(s, "client_default", pyx_arg(col, -1, "default") != NULL);
	for (i = 0; i < col->n; i++) {
		const pyx *a = col->items[i];
		if (!col->keys[i] && a->kind == PYX_CALL && !strcmp(pyx_basename(a), "ForeignKey"))
			setb(s, "references", 1);
		if (!col->keys[i] && a->kind == PYX_CALL &&
		    (!strcmp(pyx_basename(a), "Identity") || !strcmp(pyx_basename(a), "Sequence")))
			setb(s, "default_volatile", 1), setb(s, "has_default", 1);
	}
}

/* The length of String(n) / VARCHAR(n), or -1; 1<<30 for unbounded text types. */
static long type_length(const pyx *t)
{
	const char *b;

	if (!t)
		return -1;
	b = pyx_basename(t);
	if (!strcmp(b, "Text") || !strcmp(b, "UnicodeText") || !strcmp(b, "TEXT"))
		return 1L << 30;
	if (!strcmp(b, "String") || !strcmp(b, "Unicode") || !strcmp(b, "VARCHAR")) {
		const pyx *n = t->kind == PYX_CALL ? pyx_arg(t, 0, "length") : NULL;
		if (!n)
			return 1L << 30;
		return n->kind == PYX_NUM ? strtol(n->text, NULL, 10) : -1;
	}
	return -1;
}

static const char *check_not_null_column(const char *cond, buf *out)
{
	const char *p = cond;

	if (!cond)
		return NULL;
	buf_truncate(out, 0);
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '(')
		p++;
	if (*p == '"')
		p++;
	while (isalnum((unsigned char)*p) || *p == '_')
		buf_putc(out, (char)tolower((unsigned char)*p++));
	if (*p == '"')
		p++;
	while (isspace((unsigned char)*p))
		p++;
	if (!out->len || strncasecmp(p, "IS", 2))
		return NULL;
	p += 2;
	while (isspace((unsigned char)*p))
		p++;
	if (strncasecmp(p, "NOT", 3))
		return NULL;
	p += 3;
	while (isspace((unsigned char)*p))
		p++;
	if (strncasecmp(p, "NULL", 4))
		return NULL;
	p += 4;
	while (isspace((unsigned char)*p) || *p == ')')
		p++;
	return *p ? NULL : out->ptr;
}

/* ---- column types ------------------------------------------------------ */

typedef enum tkind { T_OTHER = 0,
		     T_INT,
		     T_FLOAT,
		     T_NUMERIC,
		     T_TEXT,
		     T_TSTZ,
		     T_TS,
		     T_DATE,
		     T_JSON,
		     T_ARRAY,
		     T_ENUM,
		     T_BOOL } tkind;

typedef struct coltype {
	tkind kind;
	long size;  /* T_INT: bytes; T_TEXT: length (LONG_MAX unbounded); T_NUMERIC: precision (0: any) */
	long scale; /* T_NUMERIC */
	const pyx *x;
} coltype;

static long num_arg(const pyx *t, int pos, const char *kw, long dflt)
{
	const pyx *n = t && t->kind == PYX_CALL ? pyx_arg(t, pos, kw) : NULL;
	return n && n->kind == PYX_NUM ? strtol(n->text, NULL, 10) : dflt;
}

/* What a SQLAlchemy type expression (`sa.String(50)`, `postgresql.JSONB()`,
 * `sa.Integer`) is, as far as narrowing goes. */
static coltype col_type(const pyx *t)
{
	static const char *const ints2[] = { "SmallInteger", "SMALLINT", NULL };
	static const char *const ints4[] = { "Integer", "INTEGER", "INT", NULL };
	static const char *const ints8[] = { "BigInteger", "BIGINT", NULL };
	static const char *const floats[] = { "Float", "FLOAT", "REAL", "Double", "DOUBLE", "DOUBLE_PRECISION", NULL };
	static const char *const numerics[] = { "Numeric", "NUMERIC", "DECIMAL", NULL };
	static const char *const texts[] = { "String", "VARCHAR", "Unicode", "NVARCHAR", "CHAR", "NCHAR", "Text", "TEXT",
					     "UnicodeText", "CITEXT", NULL };
	coltype c = { T_OTHER, 0, 0, t };
	const char *b;
	size_t i;

	if (!t || (t->kind != PYX_CALL && t->kind != PYX_NAME))
		return c;
	b = pyx_basename(t);
	for (i = 0; ints2[i]; i++)
		if (!strcmp(b, ints2[i]))
			c.kind = T_INT, c.size = 2;
	for (i = 0; ints4[i]; i++)
		if (!strcmp(b, ints4[i]))
			c.kind = T_INT, c.size = 4;
	for (i = 0; ints8[i]; i++)
		if (!strcmp(b, ints8[i]))
			c.kind = T_INT, c.size = 8;
	for (i = 0; floats[i]; i++)
		if (!strcmp(b, floats[i]))
			c.kind = T_FLOAT;
	for (i = 0; numerics[i]; i++)
		if (!strcmp(b, numerics[i])) {
			c.kind = T_NUMERIC;
			c.size = num_arg(t, 0, "precision", 0);
			c.scale = num_arg(t, 1, "scale", 0);
		}
	for (i = 0; texts[i]; i++)
		if (!strcmp(b, texts[i])) {
			c.kind = T_TEXT;
			c.size = i >= 6 ? LONG_MAX : num_arg(t, 0, "length", LONG_MAX);
		}
	if (!strcmp(b, "DateTime") || !strcmp(b, "TIMESTAMP"))
		c.kind = pyx_is_true(t->kind == PYX_CALL ? pyx_arg(t, 0, "timezone") : NULL) ? T_TSTZ : T_TS;
	else if (!strcmp(b, "Date") || !strcmp(b, "DATE"))
		c.kind = T_DATE;
	else if (!strcmp(b, "JSON") || !strcmp(b, "JSONB"))
		c.kind = T_JSON;
	else if (!strcmp(b, "ARRAY"))
		c.kind = T_ARRAY;
	else if (!strcmp(b, "Enum") || !strcmp(b, "ENUM"))
		c.kind = T_ENUM;
	else if (!strcmp(b, "Boolean") || !strcmp(b, "BOOLEAN"))
		c.kind = T_BOOL;
	return c;
}

/* An enum's values removed by going from `from` to `to`, into `out`. */
static int enum_removed(const pyx *from, const pyx *to, buf *out)
{
	size_t i, k;
	int n = 0;

	if (from->kind != PYX_CALL || to->kind != PYX_CALL)
		return 0;
	for (i = 0; i < from->n; i++) {
		int kept = 0;
		if (from->keys[i] || !pyx_is_literal_str(from->items[i]))
			continue;
		for (k = 0; k < to->n; k++)
			if (!to->keys[k] && pyx_is_literal_str(to->items[k]) && !strcmp(to->items[k]->text, from->items[i]->text))
				kept = 1;
		if (!kept)
			buf_printf(out, "%s'%s'", n++ ? ", " : "", from->items[i]->text);
	}
	return n;
}

/*
 * Why changing a column from type `from` to `to` may lose or reject
 * existing values, into `why`; 0 when it is not a narrowing change (or
 * either type is unknown).
 */
static int narrowing(const pyx *from_x, const pyx *to_x, buf *why)
{
	coltype f = col_type(from_x), t = col_type(to_x);
	buf removed = BUF_INIT;

	buf_truncate(why, 0);
	if (f.kind == T_OTHER || t.kind == T_OTHER)
		return 0;
	if ((f.kind == T_FLOAT || f.kind == T_NUMERIC) && t.kind == T_INT)
		buf_puts(why, "the fractional part of every value is rounded away");
	else if (f.kind == T_NUMERIC && t.kind == T_NUMERIC && t.size && (!f.size || t.size < f.size || t.scale < f.scale))
		buf_puts(why, "values are rounded to the new scale, and those too large for the new precision fail");
	else if (f.kind == T_INT && t.kind == T_INT && t.size < f.size)
		buf_puts(why, "values outside the smaller integer's range make the change fail");
	else if (f.kind == T_TEXT && t.kind == T_TEXT && t.size < f.size)
		buf_printf(why, "values longer than %ld characters make the change fail (or are cut, with a cast)", t.size);
	else if ((f.kind == T_TSTZ || f.kind == T_TS) && t.kind == T_DATE)
		buf_puts(why, "the time of day is dropped from every value");
	else if (f.kind == T_JSON && t.kind == T_TEXT)
		buf_puts(why, "the values become plain text: JSON operators, checks and indexes on them stop working");
	else if (f.kind == T_TEXT && t.kind == T_JSON)
		buf_puts(why, "text that is not valid JSON makes the change fail");
	else if (f.kind == T_ARRAY && t.kind != T_ARRAY)
		buf_puts(why, "each array must become one value: the change fails or keeps only part of it");
	else if (f.kind == T_TEXT && (t.kind == T_INT || t.kind == T_FLOAT || t.kind == T_NUMERIC || t.kind == T_DATE ||
				      t.kind == T_TSTZ || t.kind == T_TS || t.kind == T_BOOL))
		buf_puts(why, "text that does not convert to the new type makes the change fail");
	else if (f.kind == T_ENUM && t.kind == T_ENUM && enum_removed(from_x, to_x, &removed))
		buf_printf(why, "rows holding %s, which the new type no longer has, make the change fail", removed.ptr);
	buf_release(&removed);
	return why->len > 0;
}

/* A type as the code spells it, with its arguments: "sa.String(50)". */
static void type_text(buf *out, const pyx *t)
{
	size_t i;

	buf_puts(out, t && t->text ? t->text : "?");
	if (!t || t->kind != PYX_CALL)
		return;
	buf_putc(out, '(');
	for (i = 0; i < t->n; i++) {
		const pyx *a = t->items[i];
		buf_printf(out, "%s%s%s", i ? ", " : "", t->keys[i] ? t->keys[i] : "", t->keys[i] ? "=" : "");
		if (a->kind == PYX_STR)
			buf_printf(out, "'%s'", a->text);
		else
			buf_puts(out, a->text ? a->text : "...");
	}
	buf_putc(out, ')');
}

/* An identity column: sa.Identity(), a Sequence, a serial type. */
static int is_identity_column(const pyx *col)
{
	size_t i;

	for (i = 0; col && col->kind == PYX_CALL && i < col->n; i++) {
		const pyx *a = col->items[i];
		const char *b = pyx_basename(a);
		if (col->keys[i] && strcmp(col->keys[i], "server_default"))
			continue;
		if (!strcmp(b, "Identity") || !strcmp(b, "Sequence") || !strcmp(b, "SERIAL") || !strcmp(b, "BIGSERIAL") ||
		    !strcmp(b, "SMALLSERIAL"))
			return 1;
	}
	return 0;
}

/* The type of `sa.Column("name", type, ...)` (or `sa.Column(type, ...)`). */
static const pyx *column_type(const pyx *col)
{
	return pyx_is_literal_str(pyx_arg(col, 0, "name")) ? pyx_arg(col, 1, "type_") : pyx_arg(col, 0, "type_");
}

/* An integer primary key column without autoincrement=False: SQLAlchemy
 * makes it SERIAL, which fills every existing row from a sequence. */
static int serial_column(const pyx *col)
{
	if (!col || col->kind != PYX_CALL || strcmp(pyx_basename(col), "Column") ||
	    !pyx_is_true(pyx_arg(col, -1, "primary_key")) || pyx_is_false(pyx_arg(col, -1, "autoincrement")))
		return 0;
	return col_type(column_type(col)).kind == T_INT;
}

static int is_ddl_op(const char *name)
{
	return strcmp(name, "execute") && strcmp(name, "bulk_insert") && strcmp(name, "batch_alter_table") &&
	       strcmp(name, "orm_write");
}

static void op_facts(subject *s, const migop *m, const migops *all)
{
	const pyx *c = m->call;
	buf tmp = BUF_INIT;
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->keys[i] && strcmp(c->keys[i], "*") && strcmp(c->keys[i], "**")) {
			buf key = BUF_INIT;
			buf_printf(&key, "arg.%s", c->keys[i]);
			setf(s, key.ptr, pyx_value(c->items[i]));
			buf_release(&key);
		}
	if (!strcmp(m->name, "add_column")) {
		const pyx *col = pyx_arg(c, m->batch ? 0 : 1, "column");
		int serial = serial_column(col);
		column_facts(s, col);
		setb(s, "identity", is_identity_column(col) || serial);
		if (serial)
			setb(s, "has_default", 1), setb(s, "default_volatile", 1);
	} else if (!strcmp(m->name, "drop_constraint")) {
		const pyx *name = pyx_arg(c, 0, "constraint_name");
		setb(s, "unnamed", !name || name->kind == PYX_NONE);
	} else if (!strcmp(m->name, "alter_column")) {
		const pyx *nullable = pyx_arg(c, -1, "nullable"), *type = pyx_arg(c, -1, "type_");
		long to = type_length(type), from = type_length(pyx_arg(c, -1, "existing_type"));
		if (type && pyx_arg(c, -1, "existing_type") && narrowing(pyx_arg(c, -1, "existing_type"), type, &tmp)) {
			setf(s, "narrowing", tmp.ptr);
			buf_truncate(&tmp, 0);
			type_text(&tmp, pyx_arg(c, -1, "existing_type"));
			setf(s, "from_type", tmp.ptr);
			buf_truncate(&tmp, 0);
			type_text(&tmp, type);
			setf(s, "to_type", tmp.ptr);
		}
		setb(s, "type_change", type != NULL);
		setb(s, "set_not_null", pyx_is_false(nullable));
		setb(s, "drop_not_null", pyx_is_true(nullable));
		setb(s, "rename", pyx_arg(c, -1, "new_column_name") != NULL);
		setb(s, "type_widening", type && to >= 0 && from >= 0 && to >= from);
		default_facts(s, pyx_arg(c, -1, "server_default"));
	} else if (!strcmp(m->name, "create_index") || !strcmp(m->name, "drop_index")) {
		setb(s, "concurrently", pyx_is_true(pyx_arg(c, -1, "postgresql_concurrently")));
		setb(s, "unique", pyx_is_true(pyx_arg(c, -1, "unique")));
	} else if (!strcmp(m->name, "create_foreign_key") || !strcmp(m->name, "create_check_constraint")) {
		setb(s, "not_valid", pyx_is_true(pyx_arg(c, -1, "postgresql_not_valid")));
		if (m->name[7] == 'c') {
			const pyx *cond = pyx_arg(c, m->batch ? 1 : 2, "condition");
			if (pyx_is_literal_str(cond) && check_not_null_column(cond->text, &tmp))
				setf(s, "check_not_null", tmp.ptr);
		}
	} else if (!strcmp(m->name, "batch_alter_table")) {
		const char *recreate = pyx_is_literal_str(pyx_arg(c, -1, "recreate")) ? pyx_arg(c, -1, "recreate")->text
										      : "auto";
		int needs = !strcmp(recreate, "always");
		size_t self = (size_t)(m - all->v);
		for (i = 0; !strcmp(recreate, "auto") && i < all->n; i++)
			if (all->v[i].batch && all->v[i].batch_index == (int)self && all->v[i].kind == MIGOP_CALL &&
			    strcmp(all->v[i].name, "add_column") && strcmp(all->v[i].name, "create_index") &&
			    strcmp(all->v[i].name, "drop_index"))
				needs = 1;
		setf(s, "recreate", recreate);
		setb(s, "recreates", needs);
	}
	buf_release(&tmp);
}

/* Facts every subject has. */
static void common_facts(script_run *r, subject *s)
{
	char pg[16];

	setf(s, "dialect", r->ctx->o->dialect == SQL_SQLITE ? "sqlite" : "postgresql");
	if (r->ctx->o->dialect == SQL_POSTGRESQL) {
		snprintf(pg, sizeof(pg), "%d", r->ctx->o->pg_version);
		setf(s, "pg", pg);
	}
	setf(s, "func", s->func == MIGOP_UPGRADE ? "upgrade" : "downgrade");
	setf(s, "name", s->name);
	setf(s, "table", s->table);
	if (s->ncols)
		setf(s, "column", s->cols[0]);
	setf(s, "object", s->object);
	if (s->op) {
		setb(s, "batch", s->op->batch);
		setb(s, "in_loop", s->op->in_loop);
		setb(s, "in_cond", s->op->in_cond);
		setb(s, "autocommit", s->op->autocommit);
	}
}

static void subject_from_op(script_run *r, const migop *m)
{
	subject *s = subject_new(r);
	size_t i;

	s->name = m->name;
	s->func = m->func;
	s->line = m->line;
	s->col = m->col;
	s->end_line = m->end_line > m->line ? m->end_line : m->line;
	s->table = norm_name(s->mem, m->table);
	for (i = 0; i < m->columns.n; i++)
		add_col(s, norm_name(s->mem, m->columns.v[i]));
	s->object = m->object;
	s->op = m;
	s->is_ddl = is_ddl_op(m->name);
	s->is_dml = !strcmp(m->name, "bulk_insert") || !strcmp(m->name, "orm_write");
	op_facts(s, m, &r->ops);
	common_facts(r, s);
}

static int is_dml_class(const char *cls)
{
	return !strcmp(cls, "update") || !strcmp(cls, "insert") || !strcmp(cls, "delete");
}

static int is_ddl_class(const char *cls)
{
	return !is_dml_class(cls) && strcmp(cls, "select") && strcmp(cls, "transaction") && strcmp(cls, "other") &&
	       strcmp(cls, "set") &&
	       strcmp(cls, "analyze");
}

/* The source line of byte `off` of an execute's SQL (`fallback_line`: its
 * line within the SQL, used when no piece map exists). */
static int sql_line_at(const migop *m, int off, int fallback_line)
{
	if (!m->sql_npieces || off < 0)
		return m->sql_line + fallback_line - 1;
	return pyx_line_at(m->sql_pieces, m->sql_npieces, m->sql, (size_t)off);
}

static void subject_from_stmt(script_run *r, const migop *m, const sqlstmt *st)
{
	subject *s = subject_new(r);
	size_t i;

	s->is_sql = 1;
	s->name = arena_strdup(s->mem, st->cls);
	s->func = m->func;
	s->line = sql_line_at(m, st->offset, st->line);
	s->col = s->line == m->line ? m->col : -1;
	s->end_line = m->end_line > s->line ? m->end_line : s->line;
	s->table = norm_name(s->mem, st->table);
	for (i = 0; i < st->columns.n; i++)
		add_col(s, norm_name(s->mem, st->columns.v[i]));
	s->object = arena_strdup(s->mem, st->object);
	setf(s, "sql", st->text); /* kept as a fact: `st` does not outlive the subject */
	s->op = m;
	s->is_dml = is_dml_class(st->cls);
	s->is_ddl = is_ddl_class(st->cls);
	for (i = 0; i < st->keys.n; i++)
		setf(s, st->keys.v[i], st->vals.v[i]);
	common_facts(r, s);
}

/* `op.execute(t.update().where(...))`: a statement class from the chain,
 * on the table the receiver names (ops found it). */
static void subject_from_core(script_run *r, const migop *m)
{
	subject *s = subject_new(r);
	const char *chain = m->core;
	const char *cls = strstr(chain, "update") ? "update" : strstr(chain, "delete") ? "delete"
						       : strstr(chain, "insert")       ? "insert"
										       : "select";

	s->is_sql = 1;
	s->name = cls;
	s->func = m->func;
	s->line = m->line;
	s->col = m->col;
	s->end_line = m->end_line;
	s->text = chain;
	s->op = m;
	s->table = norm_name(s->mem, m->table);
	for (size_t i = 0; i < m->columns.n; i++)
		add_col(s, norm_name(s->mem, m->columns.v[i]));
	s->is_dml = is_dml_class(cls);
	setb(s, "where", m->core_where);
	setb(s, "core", 1);
	common_facts(r, s);
}

/* ---- findings ------------------------------------------------------------ */

/* The end of the line starting at `p`: its LF, CR or CRLF (the tokenizer's rule). */
static const char *line_end(const char *p, const char *end)
{
	while (p < end && *p != '\n' && *p != '\r')
		p++;
	return p;
}

/* Past the line break at `p` (CRLF counts as one). */
static const char *next_line(const char *p, const char *end)
{
	if (p < end && *p == '\r' && p + 1 < end && p[1] == '\n')
		return p + 2;
	return p < end ? p + 1 : p;
}

static const char *source_line(const script_run *r, int line, size_t *len)
{
	const char *p, *end = r->src + r->len;

	if (line < 1 || line > r->nlines || !r->line_at || (p = r->line_at[line]) >= end) {
		*len = 0;
		return NULL;
	}
	*len = (size_t)(line_end(p, end) - p);
	return p;
}

/* The message with {fact} placeholders filled from the subject. */
static char *render(const char *tmpl, const subject *s, const char *extra_key, const char *extra_val)
{
	buf out = BUF_INIT;
	const char *p = tmpl ? tmpl : "";

	buf_grow(&out, strlen(p) + 64);
	while (*p) {
		const char *close;
		size_t plain = strcspn(p, "{");
		if (plain) {
			buf_put(&out, p, plain);
			p += plain;
			continue;
		}
		if ((close = strchr(p, '}')) != NULL && close - p < 40) {
			char *key = mg_strndup(p + 1, (size_t)(close - p - 1));
			const char *v = extra_key && !strcmp(key, extra_key) ? extra_val : getf((void *)s, key);
			if (!strcmp(key, "columns") && s->ncols) {
				size_t i;
				for (i = 0; i < s->ncols; i++)
					buf_printf(&out, "%s'%s'", i ? ", " : "", s->cols[i]);
			} else if (v) {
				buf_puts(&out, v);
			} else if (!strcmp(key, "table") || !strcmp(key, "column")) {
				buf_puts(&out, "<known at run time>");
			} else {
				buf_puts(&out, "?");
			}
			free(key);
			p = close + 1;
			continue;
		}
		buf_putc(&out, *p++);
	}
	return buf_detach(&out);
}

static suppression *find_suppression(script_run *r, const char *id, int line, int end_line, size_t *which)
{
	size_t i, k;

	for (i = 0; i < r->nsup; i++) {
		suppression *s = &r->sup[i];
		int hit = s->revision_wide || (s->target >= line && s->target <= end_line);
		if (!hit)
			continue;
		for (k = 0; k < s->ids.n; k++)
			if (!strcmp(s->ids.v[k], id)) {
				*which = k;
				return s;
			}
	}
	return NULL;
}

/* The suppression covering `id` on subject `s`: on its lines, or where
 * upgrade() calls the same-file function that holds it. */
static suppression *subject_suppression(script_run *r, const char *id, const subject *s, size_t *which)
{
	suppression *sup = find_suppression(r, id, s->line, s->end_line, which);
	int call = s->op ? s->op->call_line : 0;

	if (!sup && call)
		sup = find_suppression(r, id, call, call, which);
	return sup;
}

static int rule_applies(const lint_ctx *ctx, const rule *ru, migop_func func)
{
	if (ru->disabled)
		return 0;
	if (!(ru->scope & (func == MIGOP_UPGRADE ? RULE_UPGRADE : RULE_DOWNGRADE)))
		return 0;
	if (ru->dialects && !(ru->dialects & (ctx->o->dialect == SQL_SQLITE ? RULE_SQLITE : RULE_POSTGRESQL)))
		return 0;
	if (ctx->o->dialect == SQL_POSTGRESQL &&
	    ((ru->pg_min && ctx->o->pg_version < ru->pg_min) || (ru->pg_max && ctx->o->pg_version > ru->pg_max)))
		return 0;
	return 1;
}

static void emit(script_run *r, const rule *ru, const subject *s, const char *extra_key, const char *extra_val)
{
	char *msg = render(ru->message, s, extra_key, extra_val);
	finding *f;
	size_t len, which;
	const char *src = source_line(r, s->line, &len);
	const char *via = s->op ? s->op->via : NULL; /* reached through same-file functions */
	suppression *sup;

	findings_add(r->out, ru->id, rule_severity(ru, r->ctx->o->strict), r->path, s->line, r->revision, "%s%s%s%s",
		     msg, via ? " (" : "", via ? via : "", via ? ")" : "");
	free(msg);
	f = findings_last(r->out);
	f->col = s->col;
	f->why = ru->why ? render(ru->why, s, extra_key, extra_val) : NULL;
	f->fix = ru->fix ? render(ru->fix, s, extra_key, extra_val) : NULL;
	f->source = src ? mg_strndup(src, len) : NULL;
	f->table = s->table ? mg_strdup(s->table) : NULL;
	sup = subject_suppression(r, ru->id, s, &which);
	if (sup && sup->reason) {
		f->suppressed = mg_strdup(sup->reason);
		sup->used[which]++;
	} else if (sup) {
		sup->used[which]++; /* reported as suppression-without-reason instead */
	}
}

/* Report builtin `id` on `s` when the rule is loaded and applies. */
static void emit_builtin(script_run *r, const char *id, const subject *s, const char *key, const char *val)
{
	const rule *ru = ruleset_find(r->ctx->o->rules, id);

	if (ru && rule_applies(r->ctx, ru, s->func))
		emit(r, ru, s, key, val);
}

static int matches(const lint_ctx *ctx, const rule *ru, subject *s)
{
	int hit = 0;

	if (!rule_applies(ctx, ru, s->func))
		return 0;
	if (!s->is_sql && strvec_index(&ru->ops, s->name) >= 0)
		hit = 1;
	if (s->is_sql && strvec_index(&ru->sql, s->name) >= 0)
		hit = 1;
	if (!hit && s->is_sql && ru->pattern) {
		const char *text = s->text ? s->text : getf(s, "sql");
		if (text && pcre2_match(ru->pattern, (PCRE2_SPTR)text, strlen(text), 0, 0, ctx->match_data, NULL) >= 0)
			hit = 1;
	}
	return hit && rule_expr_eval(ru->when, getf, s);
}

/* ---- context through the revision ---------------------------------------- */

static char *pair(const char *a, const char *b)
{
	buf x = BUF_INIT;
	buf_printf(&x, "%s\n%s", a ? a : "", b ? b : "");
	return buf_detach(&x);
}

/* Add `key` (owned) to the list `v` indexed by `at` unless it is there
 * already; its index either way. The lists grow with the history, so they
 * are looked up by hash, never by a scan. */
static int set_add(strvec *v, strmap *at, char *key)
{
	int i = strmap_get(at, key);

	if (i >= 0) {
		free(key);
		return i;
	}
	strvec_push_owned(v, key);
	strmap_put(at, key, (int)(v->n - 1));
	return (int)(v->n - 1);
}

/* True when every column `s` names was added earlier in this revision. */
static int columns_new(script_run *r, const subject *s)
{
	size_t i;

	if (!s->table || !s->ncols)
		return 0;
	for (i = 0; i < s->ncols; i++) {
		char *key = pair(s->table, s->cols[i]);
		int hit = strmap_get(&r->added_at[s->func], key) >= 0;
		free(key);
		if (!hit)
			return 0;
	}
	return 1;
}

/* Facts that depend on what came before: table_new, column_new (every
 * column it names was added by this revision), backfill (an UPDATE of
 * only such columns), has_check_not_null. */
static void context_facts(script_run *r, subject *s, strvec *created)
{
	lint_ctx *ctx = r->ctx;
	char *key;

	if (s->table && strvec_index(&created[s->func], s->table) >= 0)
		setb(s, "table_new", 1);
	if (s->table && strvec_index(&r->renamed[s->func], s->table) >= 0)
		setb(s, "table_renamed", 1);
	if (s->table && s->func == MIGOP_UPGRADE && strvec_index(&r->locked, s->table) >= 0)
		setb(s, "table_locked", 1);
	if (strcmp(s->name, "add_column") && columns_new(r, s)) {
		setb(s, "column_new", 1);
		setb(s, "backfill", !strcmp(s->name, "update"));
	}
	if (s->ncols) {
		key = pair(s->table, s->cols[0]);
		setb(s, "has_check_not_null", strmap_get(&ctx->checks_at, key) >= 0);
		free(key);
	}
}

/* Record what a subject leaves behind for later ones. */
static void context_update(script_run *r, const subject *s, strvec *created)
{
	lint_ctx *ctx = r->ctx;
	const char *col = getf((void *)s, "check_not_null");

	if (s->table && !strcmp(s->name, "create_table"))
		strvec_push(&created[s->func], s->table);
	if (s->table && !strcmp(s->name, "add_column"))
		for (size_t i = 0; i < s->ncols; i++)
			set_add(&r->added[s->func], &r->added_at[s->func], pair(s->table, s->cols[i]));
	if (!strcmp(s->name, "rename_table")) {
		const char *to = s->is_sql ? getf((void *)s, "new_name") : s->object;
		if (to)
			strvec_push_owned(&r->renamed[s->func], mg_strdup(norm_name(s->mem, to)));
	}
	if (s->func != MIGOP_UPGRADE)
		return;
	if (col && s->table) {
		char *key = pair(s->table, col);
		if (!getf((void *)s, "not_valid")) {
			set_add(&ctx->checks, &ctx->checks_at, key);
		} else if (set_add(&ctx->pending_names, &ctx->pending_at, pair(s->table, s->object)) ==
			   (int)ctx->pending_cols.n) {
			strvec_push_owned(&ctx->pending_cols, key);
		} else {
			free(key); /* the first NOT VALID check of that name counts */
		}
	}
	if (!strcmp(s->name, "validate_constraint") && s->table && s->object) {
		char *key = pair(s->table, s->object);
		int at = strmap_get(&ctx->pending_at, key);
		if (at >= 0)
			set_add(&ctx->checks, &ctx->checks_at, mg_strdup(ctx->pending_cols.v[at]));
		free(key);
	}
}

/* ---- built-in detectors -------------------------------------------------- */

/* What an upgrade without a way back leaves behind, when that is all it
 * does: "data" (rows changed, no schema), "enum" (values added to an enum
 * type, which PostgreSQL cannot remove), or NULL when it changes the
 * schema in a way a downgrade() could undo (or does what mgate cannot see). */
static const char *irreversible_only(const script_run *r)
{
	int data = 0, enums = 0, opaque = 0;
	size_t i;

	for (i = 0; i < r->ops.n; i++) {
		const migop *m = &r->ops.v[i];
		if (m->func != MIGOP_UPGRADE || m->kind != MIGOP_OPAQUE)
			continue;
		if (strcmp(m->name, "loop") && strcmp(m->name, "computed-rows"))
			return NULL; /* a helper or SQL mgate cannot see may change the schema */
		opaque = 1;          /* a loop's body is read; computed rows are data */
	}
	for (i = 0; i < r->subs.n; i++) {
		const subject *s = &r->subs.v[i];
		if (s->func != MIGOP_UPGRADE)
			continue;
		if (!s->is_sql && !strcmp(s->name, "execute") && s->op && (s->op->sql || s->op->core))
			continue; /* judged by its statements */
		if (s->is_dml || (s->is_sql && (!strcmp(s->name, "select") || !strcmp(s->name, "set") ||
						!strcmp(s->name, "analyze"))))
			data = 1;
		else if (s->is_sql && !strcmp(s->name, "alter_enum") && getf((void *)s, "add_value"))
			enums = 1;
		else
			return NULL;
	}
	return enums ? "enum" : data || opaque ? "data"
					       : "nothing";
}

static void detect_missing_downgrade(script_run *r)
{
	const migfunc *up = &r->ops.fn[MIGOP_UPGRADE], *down = &r->ops.fn[MIGOP_DOWNGRADE];
	const char *kind;
	subject s;

	if (!up->present || up->statements == 0 || (down->present && down->statements > 0))
		return;
	memset(&s, 0, sizeof(s));
	s.mem = &r->ctx->mem;
	s.func = MIGOP_UPGRADE;
	s.line = s.end_line = down->present ? down->line : up->line;
	if (down->present && r->down_end > s.line)
		s.end_line = r->down_end; /* a suppression anywhere in downgrade() covers it */
	s.col = -1;
	setf(&s, "detail", !down->present ? "there is no downgrade()" : down->raises ? "downgrade() only raises"
										     : "downgrade() does nothing");
	if ((kind = irreversible_only(r)) != NULL && !strcmp(kind, "nothing"))
		return; /* Python only: nothing a downgrade could undo */
	if (kind) {
		setf(&s, "what", !strcmp(kind, "enum") ? "the values added to the enum type (PostgreSQL cannot remove an "
							 "enum value; rows using them must change before the type can be "
							 "recreated)"
						       : "the data it changed (a downgrade would not restore the rows "
							 "as they were)");
		emit_builtin(r, "irreversible-change", &s, NULL, NULL);
		return;
	}
	emit_builtin(r, "missing-downgrade", &s, NULL, NULL);
}

/* Columns of new tables and added columns: Integer primary keys and
 * timestamps without a time zone, reported on the Column's line. */
static void column_rules(script_run *r, const subject *of, const pyx *col, const pyx *const *pk_cols, size_t npk)
{
	const pyx *name;
	coltype t;
	subject x;
	size_t k;
	int pk;

	if (!col || col->kind != PYX_CALL || strcmp(pyx_basename(col), "Column"))
		return;
	name = pyx_is_literal_str(pyx_arg(col, 0, "name")) ? pyx_arg(col, 0, "name") : NULL;
	t = col_type(column_type(col));
	pk = pyx_is_true(pyx_arg(col, -1, "primary_key"));
	for (k = 0; name && k < npk; k++)
		pk |= pyx_is_literal_str(pk_cols[k]) && !strcmp(pk_cols[k]->text, name->text);
	memset(&x, 0, sizeof(x));
	x.mem = &r->ctx->mem;
	x.func = of->func;
	x.line = x.end_line = col->line;
	x.col = col->col;
	x.table = of->table;
	x.op = of->op;
	setf(&x, "column", name ? name->text : "?");
	common_facts(r, &x);
	if (t.kind == T_INT && t.size <= 4 && pk && !strcmp(of->name, "create_table") && !is_identity_column(col))
		emit_builtin(r, "integer-primary-key", &x, NULL, NULL);
	if (t.kind == T_TS)
		emit_builtin(r, "datetime-without-timezone", &x, NULL, NULL);
}

static void detect_column_types(script_run *r)
{
	size_t i, k, j;

	for (i = 0; i < r->subs.n; i++) {
		const subject *s = &r->subs.v[i];
		const pyx *c = s->op ? s->op->call : NULL;
		const pyx *pk[16];
		size_t npk = 0;
		if (s->is_sql || !c || s->func != MIGOP_UPGRADE)
			continue;
		if (!strcmp(s->name, "add_column")) {
			column_rules(r, s, pyx_arg(c, s->op->batch ? 0 : 1, "column"), NULL, 0);
			continue;
		}
		if (strcmp(s->name, "create_table"))
			continue;
		for (k = 1; k < c->n; k++) /* sa.PrimaryKeyConstraint("id") names the key columns */
			if (!c->keys[k] && c->items[k]->kind == PYX_CALL &&
			    !strcmp(pyx_basename(c->items[k]), "PrimaryKeyConstraint"))
				for (j = 0; j < c->items[k]->n && npk < 16; j++)
					if (!c->items[k]->keys[j])
						pk[npk++] = c->items[k]->items[j];
		for (k = 1; k < c->n; k++)
			if (!c->keys[k])
				column_rules(r, s, c->items[k], pk, npk);
	}
}

/* Statements that take an ACCESS EXCLUSIVE lock on a table that exists. */
static int takes_access_exclusive(const subject *s)
{
	static const char *const ops[] = { "add_column", "drop_column", "alter_column", "drop_table", "rename_table",
					   "create_unique_constraint", "create_primary_key", "create_check_constraint",
					   "create_exclude_constraint", "drop_constraint", "drop_index", NULL };
	static const char *const sql[] = { "add_column", "drop_column", "alter_column_type", "set_not_null",
					   "drop_not_null", "set_default", "add_constraint", "drop_constraint",
					   "rename_table", "rename_column", "drop_table", "alter_table_other", "truncate",
					   "lock_table", "drop_index", "set_tablespace", "set_logged", NULL };
	const char *const *list = s->is_sql ? sql : ops;
	size_t i;

	if (s->func != MIGOP_UPGRADE || !s->table || getf((void *)s, "table_new") || getf((void *)s, "concurrently"))
		return 0;
	for (i = 0; list[i]; i++)
		if (!strcmp(s->name, list[i]))
			return 1;
	return 0;
}

/* Tables the upgrade locks ACCESS EXCLUSIVE anyway (dropping or altering
 * columns, constraints, the table): a plain DROP INDEX on them adds no
 * wait of its own. */
static void find_locked_tables(script_run *r)
{
	static const char *const heavy[] = { "drop_column", "alter_column", "alter_column_type", "set_not_null",
					     "drop_not_null", "drop_constraint", "add_constraint",
					     "create_unique_constraint", "create_primary_key", "create_check_constraint",
					     "rename_table", "rename_column", "truncate", "lock_table", NULL };
	size_t i, k;

	for (i = 0; i < r->subs.n; i++) {
		const subject *s = &r->subs.v[i];
		if (s->func != MIGOP_UPGRADE || !s->table)
			continue;
		for (k = 0; heavy[k]; k++)
			if (!strcmp(s->name, heavy[k]) && strvec_index(&r->locked, s->table) < 0)
				strvec_push(&r->locked, s->table);
	}
}

/* An alter_column without existing_type: the type its downgrade() puts
 * back is the one it had, so a widening is seen as one. */
static void infer_existing_types(script_run *r)
{
	size_t i, j;

	for (i = 0; i < r->subs.n; i++) {
		subject *u = &r->subs.v[i];
		const pyx *to, *from = NULL;
		if (u->is_sql || u->func != MIGOP_UPGRADE || strcmp(u->name, "alter_column") || !u->op ||
		    !(to = pyx_arg(u->op->call, -1, "type_")) || pyx_arg(u->op->call, -1, "existing_type") || !u->ncols)
			continue;
		for (j = 0; j < r->subs.n && !from; j++) {
			const subject *d = &r->subs.v[j];
			if (!d->is_sql && d->func == MIGOP_DOWNGRADE && !strcmp(d->name, "alter_column") && d->op &&
			    d->table && u->table && !strcmp(d->table, u->table) && d->ncols && !strcmp(d->cols[0], u->cols[0]))
				from = pyx_arg(d->op->call, -1, "type_");
		}
		if (from && type_length(to) >= 0 && type_length(from) >= 0 && type_length(to) >= type_length(from))
			setb(u, "type_widening", 1);
	}
}

/* The first ACCESS EXCLUSIVE statement of an upgrade that runs without a
 * lock_timeout set before it in the revision. */
static void detect_missing_lock_timeout(script_run *r)
{
	size_t i;

	for (i = 0; i < r->subs.n; i++) {
		subject *s = &r->subs.v[i];
		const char *setting = getf(s, "setting");
		const char *sql = getf(s, "sql");
		if (s->func != MIGOP_UPGRADE)
			continue;
		if ((setting && !strcasecmp(setting, "lock_timeout")) || (sql && contains_ci(sql, "lock_timeout")))
			return;
		if (takes_access_exclusive(s)) {
			emit_builtin(r, "missing-lock-timeout", s, NULL, NULL);
			return;
		}
	}
}

/* Which branch of an `if` on the dialect was judged. */
static void detect_dialect_branches(script_run *r)
{
	size_t i;

	for (i = 0; i < r->ops.n; i++) {
		const migop *m = &r->ops.v[i];
		buf detail = BUF_INIT;
		subject s;
		if (m->kind != MIGOP_BRANCH)
			continue;
		memset(&s, 0, sizeof(s));
		s.mem = &r->ctx->mem;
		s.func = m->func;
		s.line = s.end_line = m->line;
		s.col = m->col;
		s.op = m;
		buf_puts(&detail, m->why);
		if (r->ctx->o->dialect_assumed)
			buf_printf(&detail, " (assumed: no --dialect, no dialect in [mgate] and no database URL name one)");
		setf(&s, "detail", detail.ptr);
		emit_builtin(r, "dialect-branch", &s, NULL, NULL);
		buf_release(&detail);
	}
}

/* The downgrade drops what the upgrade created: data written since is
 * lost. What the upgrade created is indexed first ("table" for a table,
 * "table\ncolumn" for a column). */
static void detect_lossy_downgrade(script_run *r)
{
	strvec keys = STRVEC_INIT;
	strmap made = STRMAP_INIT;
	size_t i, k;

	for (i = 0; i < r->subs.n; i++) {
		const subject *u = &r->subs.v[i];
		if (u->func != MIGOP_UPGRADE || !u->table)
			continue;
		if (!strcmp(u->name, "create_table")) {
			strvec_push(&keys, u->table);
			strmap_put(&made, keys.v[keys.n - 1], 1);
		}
		for (k = 0; !strcmp(u->name, "add_column") && k < u->ncols; k++) {
			strvec_push_owned(&keys, pair(u->table, u->cols[k]));
			strmap_put(&made, keys.v[keys.n - 1], 1);
		}
	}
	for (i = 0; i < r->subs.n; i++) {
		subject *d = &r->subs.v[i];
		int drop_table = !strcmp(d->name, "drop_table"), drop_col = !strcmp(d->name, "drop_column");
		buf what = BUF_INIT;
		char *key;
		int hit;
		if (d->func != MIGOP_DOWNGRADE || (!drop_table && !drop_col) || !d->table || (drop_col && !d->ncols))
			continue;
		key = drop_table ? mg_strdup(d->table) : pair(d->table, d->cols[0]);
		hit = strmap_get(&made, key) >= 0;
		free(key);
		if (!hit)
			continue;
		if (drop_table)
			buf_printf(&what, "table '%s'", d->table);
		else
			buf_printf(&what, "column '%s.%s'", d->table, d->cols[0]);
		emit_builtin(r, "lossy-downgrade", d, "what", what.ptr);
		buf_release(&what);
	}
	strmap_release(&made);
	strvec_release(&keys);
}

/* DDL that a data change in the same revision exists to prepare: a
 * column to fill, a NOT NULL, UNIQUE or CHECK the rows must satisfy
 * first. Splitting them apart would be wrong. */
static int prepared_by_data(const subject *ddl)
{
	static const char *const kinds[] = { "add_column", "set_not_null", "create_unique_constraint",
					     "create_check_constraint", "create_primary_key", "add_constraint",
					     "validate_constraint", NULL };
	size_t k;

	if (!strcmp(ddl->name, "alter_column"))
		return getf((void *)ddl, "set_not_null") && !getf((void *)ddl, "type_change") && !getf((void *)ddl, "rename");
	for (k = 0; kinds[k]; k++)
		if (!strcmp(ddl->name, kinds[k]))
			return 1;
	return 0;
}

/* A data change on a table that the same revision also alters (other than
 * to prepare it). The altered tables are indexed first: one pass each. */
static void detect_data_and_schema(script_run *r)
{
	strmap ddl_at = STRMAP_INIT;
	size_t i;

	for (i = 0; i < r->subs.n; i++) {
		const subject *ddl = &r->subs.v[i];
		if (ddl->func == MIGOP_UPGRADE && ddl->is_ddl && ddl->table && strcmp(ddl->name, "create_table") &&
		    !prepared_by_data(ddl) && strmap_get(&ddl_at, ddl->table) < 0)
			strmap_put(&ddl_at, ddl->table, ddl->line);
	}
	for (i = 0; i < r->subs.n; i++) {
		subject *dml = &r->subs.v[i];
		char line[16];
		int at;
		if (dml->func != MIGOP_UPGRADE || !dml->is_dml || !dml->table || getf(dml, "table_new") ||
		    (getf(dml, "backfill") && !getf(dml, "where")))
			continue; /* filling a table, or a new column in one UPDATE: the backfill rule's */
		if ((at = strmap_get(&ddl_at, dml->table)) < 0)
			continue;
		snprintf(line, sizeof(line), "%d", at);
		emit_builtin(r, "data-and-schema-in-one-revision", dml, "ddl_line", line);
	}
	strmap_release(&ddl_at);
}

/* An opaque construct as a subject (for `detail`, the construct's why). */
static void opaque_subject(script_run *r, subject *s, const migop *m)
{
	memset(s, 0, sizeof(*s));
	s->mem = &r->ctx->mem;
	s->func = m->func;
	s->line = s->end_line = m->line;
	s->col = m->col;
	s->op = m;
	setf(s, "kind", m->name);
	setf(s, "detail", m->why);
}

/* One opaque-migration-code finding per function: the first construct
 * mgate cannot see, naming the lines of the others. Constructs suppressed
 * on their own line are reported (as suppressed) each on its own. */
static void detect_opaque(script_run *r)
{
	migop_func func;
	size_t i, which;

	for (func = MIGOP_UPGRADE; func <= MIGOP_DOWNGRADE; func++) {
		const migop *first = NULL;
		buf more = BUF_INIT;
		size_t others = 0;
		subject s;
		for (i = 0; i < r->ops.n; i++) {
			const migop *m = &r->ops.v[i];
			if (m->kind != MIGOP_OPAQUE || m->func != func)
				continue;
			opaque_subject(r, &s, m);
			if (subject_suppression(r, "opaque-migration-code", &s, &which))
				emit_builtin(r, "opaque-migration-code", &s, NULL, NULL);
			else if (!first)
				first = m;
			else if (others++ < 8)
				buf_printf(&more, "%s%d", others > 1 ? ", " : "", m->line);
		}
		if (!first)
			continue;
		opaque_subject(r, &s, first);
		if (others) {
			buf detail = BUF_INIT;
			buf_printf(&detail, "%s; and %zu more place%s it cannot see (line%s %s%s)", first->why, others,
				   others == 1 ? "" : "s", others == 1 ? "" : "s", more.ptr, others > 8 ? ", ..." : "");
			setf(&s, "detail", detail.ptr);
			buf_release(&detail);
		}
		emit_builtin(r, "opaque-migration-code", &s, NULL, NULL);
		buf_release(&more);
	}
}

/* ---- suppressions -------------------------------------------------------- */

static void parse_ids(strvec *out, const char *p, const char *end)
{
	while (p < end) {
		const char *b;
		while (p < end && (isspace((unsigned char)*p) || *p == ','))
			p++;
		b = p;
		while (p < end && !isspace((unsigned char)*p) && *p != ',')
			p++;
		if (p > b)
			strvec_push_n(out, b, (size_t)(p - b));
	}
}

/* One `# mgate: allow ...` comment; returns 0 when the comment is not one. */
static int parse_suppression(suppression *out, const char *text, size_t len)
{
	const char *p = text + 1, *end = text + len, *dash;
	int wide;

	while (p < end && isspace((unsigned char)*p))
		p++;
	if ((size_t)(end - p) < 6 || strncmp(p, "mgate:", 6))
		return 0;
	p += 6;
	while (p < end && isspace((unsigned char)*p))
		p++;
	if ((size_t)(end - p) >= 14 && !strncmp(p, "allow-revision", 14))
		wide = 1, p += 14;
	else if ((size_t)(end - p) >= 5 && !strncmp(p, "allow", 5))
		wide = 0, p += 5;
	else
		return 0;
	memset(out, 0, sizeof(*out));
	out->revision_wide = wide;
	for (dash = p; dash + 1 < end && !(dash[0] == '-' && dash[1] == '-'); dash++)
		;
	if (dash + 1 >= end)
		dash = end;
	parse_ids(&out->ids, p, dash);
	if (dash < end) {
		const char *rs = dash + 2, *re = end;
		while (rs < re && isspace((unsigned char)*rs))
			rs++;
		while (re > rs && isspace((unsigned char)re[-1]))
			re--;
		if (re > rs)
			out->reason = mg_strndup(rs, (size_t)(re - rs));
	}
	out->used = mg_calloc(out->ids.n ? out->ids.n : 1, sizeof(int));
	return 1;
}

/* Find suppression comments and the code line each one covers. */
static void collect_suppressions(script_run *r, int first_def_line)
{
	int *code, line;
	size_t alloc = 0, k;

	const char *p = r->src, *end = r->src + r->len;

	for (r->nlines = 1; (p = line_end(p, end)) < end; r->nlines++)
		p = next_line(p, end);
	r->line_at = mg_calloc((size_t)r->nlines + 2, sizeof(*r->line_at));
	for (p = r->src, line = 1; line <= r->nlines; line++) {
		r->line_at[line] = p;
		p = next_line(line_end(p, end), end);
	}
	code = mg_calloc((size_t)r->nlines + 2, sizeof(int));
	for (k = 0; k < r->ctx->ntoks; k++) {
		const pytok t = r->ctx->toks[k];
		if (t.type == PYTOK_ENDMARKER || t.type == PYTOK_ERROR)
			break;
		if (t.type == PYTOK_COMMENT) {
			suppression s;
			if (t.line < 1 || t.line > r->nlines || !parse_suppression(&s, t.start, t.len))
				continue;
			s.line = s.target = t.line;
			if (s.revision_wide && first_def_line && t.line > first_def_line)
				s.revision_wide = 0; /* only before the first def */
			if (r->nsup == alloc) {
				alloc = alloc ? alloc * 2 : 4;
				r->sup = mg_realloc(r->sup, alloc * sizeof(*r->sup));
			}
			r->sup[r->nsup++] = s;
		} else if (t.type != PYTOK_NL && t.type != PYTOK_NEWLINE && t.type != PYTOK_INDENT &&
			   t.type != PYTOK_DEDENT && t.line >= 1 && t.line <= r->nlines) {
			code[t.line] = 1;
		}
	}
	/* A comment alone on its line covers the next line with code. */
	r->next_code_line = mg_calloc((size_t)r->nlines + 2, sizeof(int));
	for (line = r->nlines; line >= 1; line--)
		r->next_code_line[line] = code[line] ? line : r->next_code_line[line + 1];
	for (size_t i = 0; i < r->nsup; i++)
		if (!code[r->sup[i].line])
			r->sup[i].target = r->next_code_line[r->sup[i].line];
	free(code);
}

static void report_suppressions(script_run *r)
{
	size_t i, k;

	for (i = 0; i < r->nsup; i++) {
		suppression *s = &r->sup[i];
		subject x;
		memset(&x, 0, sizeof(x));
		x.mem = &r->ctx->mem;
		x.func = MIGOP_UPGRADE;
		x.line = x.end_line = s->line;
		x.col = -1;
		if (!s->reason || !s->ids.n)
			emit_builtin(r, "suppression-without-reason", &x, NULL, NULL);
		for (k = 0; s->reason && k < s->ids.n; k++) {
			if (s->used[k])
				continue;
			setf(&x, "rule", s->ids.v[k]);
			setf(&x, "detail", ruleset_find(r->ctx->o->rules, s->ids.v[k]) ? "it matches no finding here" : "no rule has this id");
			emit_builtin(r, "unused-suppression", &x, NULL, NULL);
		}
	}
}

/* ---- acceptances in alembic.ini ------------------------------------------- */

/* An `accept` line names this revision: its full id or a prefix of 4+ characters. */
static int accept_names(const config_accept *a, const char *revision)
{
	size_t n = strlen(a->revision);

	return revision && (!strcmp(a->revision, revision) || (n >= 4 && !strncmp(a->revision, revision, n)));
}

/* Findings from `from` on that an `accept` line covers become suppressed
 * with its reason. */
static void apply_accepts(lint_ctx *ctx, findings *out, size_t from, const char *revision)
{
	size_t i, k;

	for (k = 0; k < ctx->o->naccepts; k++) {
		const config_accept *a = &ctx->o->accepts[k];
		if (!accept_names(a, revision))
			continue;
		ctx->accept_seen[k] = 1;
		for (i = from; i < out->n; i++) {
			finding *f = &out->v[i];
			buf why = BUF_INIT;
			if (f->suppressed || strcmp(f->id, a->rule))
				continue;
			buf_printf(&why, "accepted in alembic.ini line %d: %s", a->line, a->reason);
			f->suppressed = buf_detach(&why);
			ctx->accept_used[k]++;
		}
	}
}

void lint_finish(lint_ctx *ctx, findings *out)
{
	const rule *ru = ruleset_find(ctx->o->rules, "unused-acceptance");
	size_t k;

	for (k = 0; ru && !ru->disabled && k < ctx->o->naccepts; k++) {
		const config_accept *a = &ctx->o->accepts[k];
		subject s;
		buf what = BUF_INIT;
		char *msg;
		if (!ctx->accept_seen[k] || ctx->accept_used[k])
			continue;
		memset(&s, 0, sizeof(s));
		s.mem = &ctx->mem;
		buf_printf(&what, "%s:%s", a->revision, a->rule);
		setf(&s, "accept", what.ptr);
		setf(&s, "detail", ruleset_find(ctx->o->rules, a->rule) ? "the revision has no such finding now" : "no rule has this id");
		msg = render(ru->message, &s, NULL, NULL);
		findings_add(out, ru->id, rule_severity(ru, ctx->o->strict), ctx->o->ini_path, a->line, NULL, "%s", msg);
		findings_last(out)->why = render(ru->why, &s, NULL, NULL);
		findings_last(out)->fix = render(ru->fix, &s, NULL, NULL);
		free(msg);
		buf_release(&what);
	}
	arena_reset(&ctx->mem);
}

/* ---- the run ------------------------------------------------------------- */

/* The statements of `sql`, parsed once per revision: a loop unrolled over
 * many values often runs the same parameterised SQL each time. */
static const sqlstmts *classify_once(script_run *r, const char *sql, strmap *seen, sqlstmts **done, size_t *ndone)
{
	mg_error err = MG_ERROR_INIT;
	int at = strmap_get(seen, sql);

	if (at >= 0)
		return &(*done)[at];
	*done = mg_realloc(*done, (*ndone + 1) * sizeof(**done));
	if (sqlcheck_classify(&(*done)[*ndone], sql, r->ctx->o->dialect, &err) < 0) {
		sqlstmts_release(&(*done)[*ndone]);
		mg_error_clear(&err);
		return NULL;
	}
	strmap_put(seen, sql, (int)*ndone);
	return &(*done)[(*ndone)++];
}

static void build_subjects(script_run *r)
{
	size_t i, j, ndone = 0;
	strmap seen;
	sqlstmts *done = NULL;

	memset(&seen, 0, sizeof(seen));
	for (i = 0; i < r->ops.n; i++) {
		const migop *m = &r->ops.v[i];
		const sqlstmts *stp;
		if (m->kind != MIGOP_CALL)
			continue;
		r->ctx->operations++;
		subject_from_op(r, m);
		if (m->core)
			subject_from_core(r, m);
		if (!m->sql || !(stp = classify_once(r, m->sql, &seen, &done, &ndone)))
			continue;
		const sqlstmts st = *stp;
		if (st.parse_failed) {
			subject s;
			memset(&s, 0, sizeof(s));
			s.mem = &r->ctx->mem;
			s.mem = &r->ctx->mem;
			s.mem = &r->ctx->mem;
			s.func = m->func;
			s.line = s.end_line = sql_line_at(m, st.error_offset > 0 ? st.error_offset : 0, st.error_line);
			s.col = -1;
			s.op = m;
			{
				buf msg = BUF_INIT;
				if (st.error_offset >= 0)
					buf_printf(&msg, "%s (character %d of the SQL)", st.error, st.error_offset + 1);
				else
					buf_puts(&msg, st.error);
				setf(&s, "error", msg.ptr);
				buf_release(&msg);
			}
			emit_builtin(r, "sql-parse-error", &s, NULL, NULL);
		}
		for (j = 0; j < st.n; j++) {
			subject_from_stmt(r, m, &st.v[j]);
			r->ctx->statements++;
		}
	}
	for (i = 0; i < ndone; i++)
		sqlstmts_release(&done[i]);
	free(done);
	strmap_release(&seen);
}

/* Drop findings from `from` on that repeat an earlier one exactly (rule,
 * line, column, message): a loop unrolled over many values can say the
 * same thing many times. `f` is sorted by line. */
static void drop_repeats(findings *f, size_t from)
{
	strvec keys = STRVEC_INIT;
	strmap seen = STRMAP_INIT;
	size_t i, out = from;

	for (i = from; i < f->n; i++) {
		buf key = BUF_INIT;
		buf_printf(&key, "%d:%d:%s:%d:%s", f->v[i].line, f->v[i].col, f->v[i].id, !f->v[i].suppressed,
			   f->v[i].message);
		if (strmap_get(&seen, key.ptr) >= 0) {
			buf_release(&key);
			finding_release(&f->v[i]);
			continue;
		}
		strvec_push_owned(&keys, buf_detach(&key));
		strmap_put(&seen, keys.v[keys.n - 1], 1);
		if (out != i)
			f->v[out] = f->v[i];
		out++;
	}
	f->n = out;
	strmap_release(&seen);
	strvec_release(&keys);
}

/* Findings from `from` on, in line order (stable: equal lines keep their order). */
static void sort_by_line(findings *f, size_t from)
{
	size_t i, j;

	for (i = from + 1; i < f->n; i++) {
		finding x = f->v[i];
		for (j = i; j > from && (f->v[j - 1].line > x.line ||
					 (f->v[j - 1].line == x.line && f->v[j - 1].col > x.col));
		     j--)
			f->v[j] = f->v[j - 1];
		f->v[j] = x;
	}
}

int lint_source(lint_ctx *ctx, findings *out, const char *path, const char *revision, const char *src, size_t len,
		const pyscan_span *up, const pyscan_span *down, mg_error *err)
{
	script_run r;
	strvec created[2] = { STRVEC_INIT, STRVEC_INIT };
	size_t i, k, first_finding = out->n;
	int first_def = 0;

	memset(&r, 0, sizeof(r));
	r.ctx = ctx;
	r.out = out;
	r.path = path;
	r.revision = revision;
	r.src = src;
	r.len = len;
	r.down_end = down->end_line;
	ctx->revisions++;
	if (len > LINT_MAX_SOURCE) {
		/* Real revision scripts are kilobytes; a token array for a
		 * generated monster could take gigabytes. Say so instead. */
		subject s;
		buf detail = BUF_INIT;
		memset(&s, 0, sizeof(s));
		s.mem = &ctx->mem;
		s.line = s.end_line = up->line ? up->line : 1;
		s.col = -1;
		buf_printf(&detail, "the file is %zu bytes; mgate reads operations from scripts up to %u MiB",
			   len, LINT_MAX_SOURCE >> 20);
		setf(&s, "detail", detail.ptr);
		emit_builtin(&r, "opaque-migration-code", &s, NULL, NULL);
		buf_release(&detail);
		arena_reset(&ctx->mem);
		return MG_OK;
	}
	ctx->ntoks = ops_tokenize(&ctx->toks, &ctx->atoks, src, len);
	ops_extract_tokens(&r.ops, ctx->toks, ctx->ntoks, up, down, ctx->o->dialect == SQL_SQLITE ? "sqlite" : "postgresql", err);
	if (up->line)
		first_def = up->line;
	if (down->line && (!first_def || down->line < first_def))
		first_def = down->line;
	collect_suppressions(&r, first_def);
	build_subjects(&r);
	find_locked_tables(&r);
	infer_existing_types(&r);
	for (i = 0; i < r.subs.n; i++) {
		subject *s = &r.subs.v[i];
		context_facts(&r, s, created);
		for (k = 0; k < ctx->o->rules->n; k++) {
			const rule *ru = &ctx->o->rules->v[k];
			if (matches(ctx, ru, s))
				emit(&r, ru, s, NULL, NULL);
		}
		context_update(&r, s, created);
		if (s->table && s->func == MIGOP_UPGRADE)
			set_add(&ctx->tables, &ctx->tables_at, mg_strdup(s->table));
	}
	for (i = 0; i < r.ops.n; i++)
		ctx->opaque += r.ops.v[i].kind == MIGOP_OPAQUE;
	detect_opaque(&r);
	detect_missing_downgrade(&r);
	detect_column_types(&r);
	detect_missing_lock_timeout(&r);
	detect_dialect_branches(&r);
	detect_lossy_downgrade(&r);
	detect_data_and_schema(&r);
	report_suppressions(&r);
	sort_by_line(out, first_finding);
	drop_repeats(out, first_finding);
	apply_accepts(ctx, out, first_finding, revision);
	for (i = 0; i < r.nsup; i++) {
		strvec_release(&r.sup[i].ids);
		free(r.sup[i].reason);
		free(r.sup[i].used);
	}
	free(r.sup);
	free(r.next_code_line);
	free(r.line_at);
	strvec_release(&created[0]);
	strvec_release(&created[1]);
	for (i = 0; i < 2; i++) {
		strvec_release(&r.added[i]);
		strmap_release(&r.added_at[i]);
		strvec_release(&r.renamed[i]);
	}
	strvec_release(&r.locked);
	subjects_release(&r.subs);
	migops_release(&r.ops);
	arena_reset(&ctx->mem);
	return MG_OK;
}

int lint_script(lint_ctx *ctx, findings *out, const script *s, mg_error *err)
{
	buf src = BUF_INIT;
	int rc;

	if ((rc = script_source(&src, s, err)) < 0) {
		buf_release(&src);
		return rc;
	}
	rc = lint_source(ctx, out, s->path, s->revision, src.ptr, src.len, &s->upgrade, &s->downgrade, err);
	buf_release(&src);
	return rc;
}

void lint_init(lint_ctx *ctx, const lint_opts *o)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->o = o;
	ctx->match_data = pcre2_match_data_create(8, NULL);
	ctx->accept_seen = mg_calloc(o->naccepts + 1, sizeof(int));
	ctx->accept_used = mg_calloc(o->naccepts + 1, sizeof(int));
}

void lint_release(lint_ctx *ctx)
{
	if (!ctx)
		return;
	strvec_release(&ctx->checks);
	strvec_release(&ctx->pending_names);
	strvec_release(&ctx->pending_cols);
	strvec_release(&ctx->tables);
	strmap_release(&ctx->checks_at);
	strmap_release(&ctx->pending_at);
	strmap_release(&ctx->tables_at);
	pcre2_match_data_free(ctx->match_data);
	ctx->match_data = NULL;
	arena_release(&ctx->mem);
	free(ctx->accept_seen);
	free(ctx->accept_used);
	ctx->accept_seen = ctx->accept_used = NULL;
	free(ctx->toks);
	ctx->toks = NULL;
}
