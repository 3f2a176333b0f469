/*
 * pgexpr.c: stored expressions in the server's words (see pgexpr.h).
 *
 * A stored tree is text: a node is "{NAME :field value ...}", a list
 * "(...)", a constant's bytes "4 [ 1 0 0 0 ... ]"; strings inside escape
 * blanks, braces and parentheses with a backslash. Each node kind written
 * here follows the branch of the server's deparser (ruleutils.c) for it,
 * without its "pretty" option; tests/pg/test_snapshot.py compares the
 * results with the server's.
 */
#include "pgexpr.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

#define MAX_FIELDS 32
#define MAX_DEPTH 64
#define MAX_ARGS 16

typedef struct span {
	const char *p;
	size_t n;
} span;

/* One node: its kind and its fields, as spans of the text. */
typedef struct tnode {
	span name;
	int nfields;
	span key[MAX_FIELDS], val[MAX_FIELDS];
} tnode;

static const char *skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\t')
		p++;
	return p;
}

/* Past the group opened at `p` ('{' or '('); NULL if it never closes. */
static const char *skip_group(const char *p)
{
	int depth = 0;

	for (; *p; p++) {
		if (*p == '\\') {
			if (!*++p)
				return NULL;
			continue;
		}
		if (*p == '{' || *p == '(')
			depth++;
		else if ((*p == '}' || *p == ')') && --depth == 0)
			return p + 1;
	}
	return NULL;
}

/* Past the token at `p`. */
static const char *skip_token(const char *p)
{
	while (*p && *p != ' ' && *p != '\n' && *p != '\t' && *p != '}' && *p != ')') {
		if (*p == '\\' && p[1])
			p++;
		p++;
	}
	return p;
}

static int span_is(span s, const char *word)
{
	return s.n == strlen(word) && !memcmp(s.p, word, s.n);
}

/* Read the node at *p ('{') into `t`; *p moves past it. */
static int read_node(tnode *t, const char **p)
{
	const char *q = *p;

	if (*q != '{')
		return -1;
	q++;
	t->name.p = q;
	q = skip_token(q);
	t->name.n = (size_t)(q - t->name.p);
	t->nfields = 0;
	for (;;) {
		span k, v;
		q = skip_blanks(q);
		if (*q == '}')
			break;
		if (*q != ':' || t->nfields == MAX_FIELDS)
			return -1;
		k.p = q + 1;
		q = skip_token(q);
		k.n = (size_t)(q - k.p);
		q = skip_blanks(q);
		v.p = q;
		if (*q == '{' || *q == '(') {
			if (!(q = skip_group(q)))
				return -1;
		} else {
			q = skip_token(q);
			if (*skip_blanks(q) == '[') { /* a constant's bytes: numbers only */
				const char *close = strchr(q, ']');
				if (!close)
					return -1;
				q = close + 1;
			}
		}
		v.n = (size_t)(q - v.p);
		t->key[t->nfields] = k;
		t->val[t->nfields++] = v;
	}
	*p = q + 1;
	return 0;
}

static int field(const tnode *t, const char *key, span *out)
{
	int i;

	for (i = 0; i < t->nfields; i++)
		if (span_is(t->key[i], key)) {
			*out = t->val[i];
			return 1;
		}
	return 0;
}

/* Field `key` as a number; `bad` when missing or not a number. */
static long number(const tnode *t, const char *key, long bad)
{
	span v;
	char *end;
	long n;

	if (!field(t, key, &v) || !v.n)
		return bad;
	n = strtol(v.p, &end, 10);
	return end == v.p + v.n ? n : bad;
}

static int is_false(const tnode *t, const char *key)
{
	span v;

	return field(t, key, &v) && span_is(v, "false");
}

/* The nodes of list `v` ("({...} {...})") as their starts, at most `max`;
 * the count, or -1. */
static int list_items(const char **items, int max, span v)
{
	const char *p = v.p, *end = v.p + v.n;
	int n = 0;

	if (!v.n || *p != '(')
		return -1;
	p++;
	for (;;) {
		p = skip_blanks(p);
		if (p >= end)
			return -1;
		if (*p == ')')
			return n;
		if (*p != '{' || n == max)
			return -1;
		items[n++] = p;
		if (!(p = skip_group(p)) || p > end)
			return -1;
	}
}

int pgexpr_count(const char *tree)
{
	const char *p = skip_blanks(tree ? tree : ""), *end;
	int n = 0;

	if (*p != '(' || !(end = skip_group(p)))
		return -1;
	for (p++;;) {
		p = skip_blanks(p);
		if (*p == ')')
			return n;
		if (*p != '{' || !(p = skip_group(p)) || p > end)
			return -1;
		n++;
	}
}

/* The bytes of a constant ("4 [ 1 0 0 0 0 0 0 0 ]", each a signed or
 * unsigned char) into `out`; how many, or -1. */
static int datum_bytes(unsigned char *out, int max, span v)
{
	const char *p = memchr(v.p, '[', v.n), *end = v.p + v.n;
	int n = 0;

	if (!p)
		return -1;
	for (p++; p < end;) {
		char *q;
		long b;
		p = skip_blanks(p);
		if (*p == ']')
			return n;
		b = strtol(p, &q, 10);
		if (q == p || b < -128 || b > 255 || n == max)
			return -1;
		out[n++] = (unsigned char)(b & 0xff);
		p = q;
	}
	return -1;
}

static void put_literal(buf *out, const char *s, size_t n, int standard_strings)
{
	size_t i;

	buf_putc(out, '\'');
	for (i = 0; i < n; i++) {
		if (s[i] == '\'' || (s[i] == '\\' && !standard_strings))
			buf_putc(out, s[i]);
		buf_putc(out, s[i]);
	}
	buf_putc(out, '\'');
}

#define TYPE_BOOL 16UL
#define TYPE_INT4 23UL
#define TYPE_TEXT 25UL
#define TYPE_REGCLASS 2205UL
#define DEFAULT_COLLATION 100UL

/* A constant of type boolean, integer, text or regclass (get_const_expr). */
static int write_const(buf *out, const tnode *t, const pgexpr_env *env, unsigned long *type, unsigned long *coll)
{
	unsigned char b[1024];
	unsigned long ty = (unsigned long)number(t, "consttype", -1), co = (unsigned long)number(t, "constcollid", -1);
	span v;
	int n;

	if (!env->little_endian || !is_false(t, "constisnull") || !field(t, "constvalue", &v) ||
	    (n = datum_bytes(b, (int)sizeof(b), v)) < 0)
		return -1;
	if (ty == TYPE_INT4 && co == 0 && n >= 4) {
		long x = (long)(int32_t)((uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24);
		buf_printf(out, x < 0 ? "'%ld'::integer" : "%ld", x);
	} else if (ty == TYPE_REGCLASS && co == 0 && n >= 4) {
		/* regclassout's text, as a literal of its type */
		unsigned long rel = (unsigned long)b[0] | (unsigned long)b[1] << 8 | (unsigned long)b[2] << 16 |
				    (unsigned long)b[3] << 24;
		const char *schema, *name;
		buf text = BUF_INIT;
		if (!env->catalog_first || !env->relation || env->relation(env->ctx, rel, &schema, &name) < 0)
			return -1;
		if (schema) {
			pgdef_ident(&text, env->quoting, schema);
			buf_putc(&text, '.');
		}
		pgdef_ident(&text, env->quoting, name);
		put_literal(out, text.ptr, text.len, env->standard_strings);
		buf_release(&text);
		buf_puts(out, "::");
		pgdef_ident(out, env->quoting, "regclass");
	} else if (ty == TYPE_BOOL && co == 0 && n >= 1) {
		buf_puts(out, b[0] ? "true" : "false");
	} else if (ty == TYPE_TEXT && co == DEFAULT_COLLATION && n >= 1) {
		size_t size, head;
		if ((b[0] & 0x03) == 0) { /* a four-byte length word */
			if (n < 4)
				return -1;
			size = ((size_t)b[0] | (size_t)b[1] << 8 | (size_t)b[2] << 16 | (size_t)b[3] << 24) >> 2;
			head = 4;
		} else if ((b[0] & 0x01) && b[0] != 0x01) { /* a one-byte length */
			size = b[0] >> 1;
			head = 1;
		} else {
			return -1; /* compressed or stored out of line */
		}
		if (size < head || size > (size_t)n || memchr(b + head, '\0', size - head))
			return -1;
		if (!env->catalog_first) /* "text" might name another type */
			return -1;
		put_literal(out, (const char *)b + head, size - head, env->standard_strings);
		buf_puts(out, "::");
		pgdef_ident(out, env->quoting, "text"); /* format_type: quoted like any name */
	} else {
		return -1;
	}
	*type = ty;
	*coll = co;
	return 0;
}

/* Types that are never row types (IS NULL is written as such for them). */
static int scalar_type(unsigned long t)
{
	static const unsigned long known[] = { 16, 17, 18, 19, 20, 21, 23, 25, 26, 114, 650, 700, 701, 869, 1042,
					       1043, 1082, 1083, 1114, 1184, 1186, 1266, 1700, 2950, 3802 };
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (known[i] == t)
			return 1;
	return 0;
}

/* How a node is written: only calls (index columns); whether implicit
 * casts are shown (the server's showimplicit: not at the top, nor under
 * AND / OR / NOT; they are inside calls and operators). */
enum { CALLS_ONLY = 1, SHOW_IMPLICIT = 2 };

static int write_node(buf *out, const char *p, int how, const pgexpr_env *env, int depth, unsigned long *type,
		      unsigned long *coll);

/* The arguments of `t` (field "args"), written with `sep` between them,
 * their types into `types`; the count, or -1. */
static int write_args(buf *out, const tnode *t, const char *sep, int how, const pgexpr_env *env, int depth,
		      unsigned long *types)
{
	const char *items[MAX_ARGS];
	unsigned long coll;
	span v;
	int n, i;

	if (!field(t, "args", &v) || (n = list_items(items, MAX_ARGS, v)) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (i)
			buf_puts(out, sep);
		if (write_node(out, items[i], how, env, depth + 1, &types[i], &coll) < 0)
			return -1;
	}
	return n;
}

/* An implicit cast where the server does not show it: its argument. */
static int write_hidden_cast(buf *out, const tnode *t, const pgexpr_env *env, int depth, unsigned long *type,
			     unsigned long *coll)
{
	const char *items[MAX_ARGS];
	unsigned long argtype, argcoll;
	span v;

	if (!field(t, "args", &v) || list_items(items, MAX_ARGS, v) < 1 ||
	    write_node(out, items[0], 0, env, depth + 1, &argtype, &argcoll) < 0)
		return -1;
	*type = (unsigned long)number(t, "funcresulttype", 0);
	*coll = (unsigned long)number(t, "funccollid", 0);
	return 0;
}

static int write_func(buf *out, const tnode *t, int how, const pgexpr_env *env, int depth, unsigned long *type,
		      unsigned long *coll)
{
	unsigned long types[MAX_ARGS];
	const char *name;
	buf args = BUF_INIT;
	long format = number(t, "funcformat", -1);
	int n, rc = -1;

	if (format == 2 && !(how & (CALLS_ONLY | SHOW_IMPLICIT))) /* COERCE_IMPLICIT_CAST */
		return write_hidden_cast(out, t, env, depth, type, coll);
	if (format != 0 || !is_false(t, "funcvariadic") || !is_false(t, "funcretset") ||
	    (n = write_args(&args, t, ", ", (how & CALLS_ONLY) | SHOW_IMPLICIT, env, depth, types)) < 0 ||
	    !(name = env->function(env->ctx, (unsigned long)number(t, "funcid", 0), n, types)))
		goto cleanup;
	pgdef_ident(out, env->quoting, name);
	buf_putc(out, '(');
	buf_put(out, args.ptr, args.len);
	buf_putc(out, ')');
	*type = (unsigned long)number(t, "funcresulttype", 0);
	*coll = (unsigned long)number(t, "funccollid", 0);
	rc = 0;
cleanup:
	buf_release(&args);
	return rc;
}

static int write_op(buf *out, const tnode *t, const pgexpr_env *env, int depth, unsigned long *type,
		    unsigned long *coll)
{
	const char *items[2], *name;
	unsigned long t1, t2, c;
	buf a = BUF_INIT, b = BUF_INIT;
	span v;
	int rc = -1;

	if (!field(t, "args", &v) || list_items(items, 2, v) != 2 || !is_false(t, "opretset") ||
	    write_node(&a, items[0], SHOW_IMPLICIT, env, depth + 1, &t1, &c) < 0 ||
	    write_node(&b, items[1], SHOW_IMPLICIT, env, depth + 1, &t2, &c) < 0 ||
	    !(name = env->operator_name(env->ctx, (unsigned long)number(t, "opno", 0), t1, t2)))
		goto cleanup;
	buf_printf(out, "(%s %s %s)", a.ptr, name, b.ptr);
	*type = (unsigned long)number(t, "opresulttype", 0);
	*coll = (unsigned long)number(t, "opcollid", 0);
	rc = 0;
cleanup:
	buf_release(&a);
	buf_release(&b);
	return rc;
}

static int write_bool(buf *out, const tnode *t, const pgexpr_env *env, int depth)
{
	unsigned long types[MAX_ARGS];
	span op;
	int n;

	if (!field(t, "boolop", &op))
		return -1;
	buf_putc(out, '(');
	if (span_is(op, "and") || span_is(op, "or")) {
		n = write_args(out, t, span_is(op, "and") ? " AND " : " OR ", 0, env, depth, types);
		if (n < 2)
			return -1;
	} else if (span_is(op, "not")) {
		buf_puts(out, "NOT ");
		if (write_args(out, t, "", 0, env, depth, types) != 1)
			return -1;
	} else {
		return -1;
	}
	buf_putc(out, ')');
	return 0;
}

static int write_nulltest(buf *out, const tnode *t, const pgexpr_env *env, int depth)
{
	long kind = number(t, "nulltesttype", -1);
	unsigned long ty, c;
	span v;

	if ((kind != 0 && kind != 1) || !is_false(t, "argisrow") || !field(t, "arg", &v) || *v.p != '{')
		return -1;
	buf_putc(out, '(');
	if (write_node(out, v.p, SHOW_IMPLICIT, env, depth + 1, &ty, &c) < 0 || !scalar_type(ty))
		return -1;
	buf_puts(out, kind == 0 ? " IS NULL)" : " IS NOT NULL)");
	return 0;
}

static int write_node(buf *out, const char *p, int how, const pgexpr_env *env, int depth, unsigned long *type,
		      unsigned long *coll)
{
	int calls_only = how & CALLS_ONLY;
	tnode t;
	size_t start = out->len;
	int rc = -1;

	if (depth > MAX_DEPTH || read_node(&t, &p) < 0)
		return -1;
	if (span_is(t.name, "VAR")) {
		long attnum = number(&t, "varattno", 0);
		const char *name = number(&t, "varno", 0) == 1 && number(&t, "varlevelsup", -1) == 0 && attnum > 0
					   ? env->table->column(env->table->ctx, attnum) : NULL;
		if (name) {
			pgdef_ident(out, env->quoting, name);
			*type = (unsigned long)number(&t, "vartype", 0);
			*coll = (unsigned long)number(&t, "varcollid", 0);
			rc = 0;
		}
	} else if (span_is(t.name, "CONST")) {
		rc = write_const(out, &t, env, type, coll);
	} else if (span_is(t.name, "FUNCEXPR")) {
		rc = write_func(out, &t, how, env, depth, type, coll);
	} else if (!calls_only && span_is(t.name, "OPEXPR")) {
		rc = write_op(out, &t, env, depth, type, coll);
	} else if (!calls_only && (span_is(t.name, "BOOLEXPR") || span_is(t.name, "NULLTEST"))) {
		rc = span_is(t.name, "BOOLEXPR") ? write_bool(out, &t, env, depth) : write_nulltest(out, &t, env, depth);
		*type = TYPE_BOOL;
		*coll = 0;
	}
	if (rc < 0)
		buf_truncate(out, start);
	return rc;
}

int pgexpr_write(buf *out, const char *tree, int k, int calls_only, const pgexpr_env *env, unsigned long *type,
		 unsigned long *collation)
{
	const char *p = skip_blanks(tree ? tree : ""), *end;
	int i = 0;

	if (k < 0)
		return *p == '{' ? write_node(out, p, calls_only ? CALLS_ONLY : 0, env, 0, type, collation) : -1;
	if (*p != '(' || !(end = skip_group(p)))
		return -1;
	for (p++;; i++) {
		p = skip_blanks(p);
		if (*p != '{')
			return -1;
		if (i == k)
			return write_node(out, p, calls_only ? CALLS_ONLY : 0, env, 0, type, collation);
		if (!(p = skip_group(p)) || p > end)
			return -1;
	}
}
