/*
 * pyexpr.c: a recursive-descent reader of Python expressions into pyx
 * trees. It never fails on odd input: what it cannot read becomes
 * PYX_OTHER and the reader resynchronises at the next comma or closing
 * bracket of the enclosing level.
 */
#include "python/pyexpr.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "python/pyscan.h"
#include "util/buf.h"
#include "util/banned.h"

#define PYX_MAX_DEPTH 64

typedef struct parser {
	pytok *t; /* significant tokens only */
	size_t n, i;
	int latin1;
	int depth;
	pyx_resolve_fn resolve; /* names with known values, or NULL */
	void *rctx;
} parser;

static pyx *parse_expr(parser *p);

static pyx *node_new(pyx_kind kind, const pytok *at)
{
	pyx *x = mg_calloc(1, sizeof(*x));
	x->kind = kind;
	if (at) {
		x->line = at->line;
		x->col = at->col;
	}
	return x;
}

static void node_push(pyx *parent, pyx *child, const char *key)
{
	if (parent->n == parent->alloc) {
		parent->alloc = parent->alloc ? parent->alloc * 2 : 4;
		parent->items = mg_realloc(parent->items, parent->alloc * sizeof(*parent->items));
		if (parent->kind == PYX_CALL)
			parent->keys = mg_realloc(parent->keys, parent->alloc * sizeof(*parent->keys));
	}
	if (parent->kind == PYX_CALL)
		parent->keys[parent->n] = key ? mg_strdup(key) : NULL;
	parent->items[parent->n++] = child;
}

void pyx_free(pyx *x)
{
	size_t i;

	if (!x)
		return;
	for (i = 0; i < x->n; i++) {
		pyx_free(x->items[i]);
		if (x->keys)
			free(x->keys[i]);
	}
	free(x->items);
	free(x->keys);
	free(x->text);
	free(x->pieces);
	pyx_free(x->recv);
	free(x);
}

static void piece_push(pyx *x, size_t off, int line, int triple)
{
	x->pieces = mg_realloc(x->pieces, (x->npieces + 1) * sizeof(*x->pieces));
	x->pieces[x->npieces].off = off;
	x->pieces[x->npieces].line = line;
	x->pieces[x->npieces].triple = triple;
	x->npieces++;
}

pyx *pyx_clone_str(const pyx *x)
{
	pyx *c;

	if (!x || x->kind != PYX_STR)
		return NULL;
	c = mg_calloc(1, sizeof(*c));
	c->kind = PYX_STR;
	c->flags = x->flags;
	c->line = x->line;
	c->col = x->col;
	c->text = mg_strdup(x->text);
	if (x->npieces) {
		c->pieces = mg_malloc(x->npieces * sizeof(*c->pieces));
		memcpy(c->pieces, x->pieces, x->npieces * sizeof(*c->pieces));
		c->npieces = x->npieces;
	}
	return c;
}

pyx *pyx_clone(const pyx *x)
{
	pyx *c;
	size_t i;

	if (!x)
		return NULL;
	if (x->kind == PYX_STR)
		return pyx_clone_str(x);
	c = mg_calloc(1, sizeof(*c));
	c->kind = x->kind;
	c->flags = x->flags;
	c->line = x->line;
	c->col = x->col;
	c->text = x->text ? mg_strdup(x->text) : NULL;
	c->recv = pyx_clone(x->recv);
	if (x->n) {
		c->alloc = c->n = x->n;
		c->items = mg_malloc(x->n * sizeof(*c->items));
		if (x->keys)
			c->keys = mg_malloc(x->n * sizeof(*c->keys));
		for (i = 0; i < x->n; i++) {
			c->items[i] = pyx_clone(x->items[i]);
			if (x->keys)
				c->keys[i] = x->keys[i] ? mg_strdup(x->keys[i]) : NULL;
		}
	}
	return c;
}

size_t pyx_size(const pyx *x, size_t limit)
{
	size_t n, i;

	if (!x)
		return 0;
	n = 1 + (x->text ? strlen(x->text) / 64 : 0);
	if (x->recv && n < limit)
		n += pyx_size(x->recv, limit - n);
	for (i = 0; i < x->n && n < limit; i++)
		n += pyx_size(x->items[i], limit - n);
	return n < limit ? n : limit;
}

int pyx_is_constant(const pyx *x)
{
	size_t i;

	if (!x)
		return 0;
	switch (x->kind) {
	case PYX_NONE:
	case PYX_BOOL:
	case PYX_NUM: return 1;
	case PYX_STR: return pyx_is_literal_str(x);
	case PYX_LIST:
	case PYX_TUPLE:
	case PYX_DICT:
		for (i = 0; i < x->n; i++)
			if (!pyx_is_constant(x->items[i]))
				return 0;
		return 1;
	default: return 0;
	}
}

int pyx_line_at(const pyx_piece *pieces, size_t n, const char *text, size_t off)
{
	size_t i, k = 0;
	int line;

	if (!n)
		return 0;
	for (i = 1; i < n; i++)
		if (pieces[i].off <= off)
			k = i;
	line = pieces[k].line;
	if (pieces[k].triple)
		for (i = pieces[k].off; i < off && text[i]; i++)
			line += text[i] == '\n';
	return line;
}

/* Turn `x` into PYX_OTHER described by `what`, dropping its children. */
static pyx *make_other(pyx *x, const char *what)
{
	size_t i;

	for (i = 0; i < x->n; i++) {
		pyx_free(x->items[i]);
		if (x->keys)
			free(x->keys[i]);
	}
	free(x->items);
	free(x->keys);
	free(x->text);
	free(x->pieces);
	x->pieces = NULL;
	x->npieces = 0;
	pyx_free(x->recv);
	x->recv = NULL;
	x->items = NULL;
	x->keys = NULL;
	x->n = x->alloc = 0;
	x->kind = PYX_OTHER;
	x->text = mg_strdup(what);
	return x;
}

static const pytok *peek(const parser *p)
{
	return p->i < p->n ? &p->t[p->i] : NULL;
}

static int at_op(const parser *p, const char *op)
{
	const pytok *t = peek(p);
	return t && pytok_is_op(t, op);
}

static int at_name(const parser *p, const char *name)
{
	const pytok *t = peek(p);
	return t && pytok_is_name(t, name);
}

static int is_closer(const pytok *t)
{
	return t->type == PYTOK_OP && t->len == 1 && (t->start[0] == ')' || t->start[0] == ']' || t->start[0] == '}');
}

static int is_opener(const pytok *t)
{
	return t->type == PYTOK_OP && t->len == 1 && (t->start[0] == '(' || t->start[0] == '[' || t->start[0] == '{');
}

/* Advance to the next comma or unmatched closer at this level. */
static void skip_expr(parser *p)
{
	int depth = 0;

	while (p->i < p->n) {
		const pytok *t = &p->t[p->i];
		if (depth == 0 && (is_closer(t) || pytok_is_op(t, ",")))
			return;
		if (is_opener(t))
			depth++;
		else if (is_closer(t))
			depth--;
		p->i++;
	}
}

static pyx *other_here(parser *p, const char *what)
{
	pyx *x = node_new(PYX_OTHER, peek(p));
	x->text = mg_strdup(what);
	skip_expr(p);
	return x;
}

/* Consume the closer `c` if it is next; otherwise resynchronise past it. */
static void expect_closer(parser *p, char c)
{
	char want[2] = { c, 0 };

	skip_expr(p);
	while (p->i < p->n && !at_op(p, want) && !is_closer(peek(p))) {
		p->i++;
		skip_expr(p);
	}
	if (at_op(p, want))
		p->i++;
}


/* ---- strings whose parts are known -------------------------------------- */

/* The text a constant scalar shows in str() (repr() when `repr`), or -1. */
static int put_value(buf *out, const pyx *v, int repr)
{
	if (!v || out->len > PYX_MAX_BUILT)
		return -1;
	switch (v->kind) {
	case PYX_STR:
		if (!pyx_is_literal_str(v))
			return -1;
		if (repr)
			buf_printf(out, "'%s'", v->text);
		else
			buf_puts(out, v->text);
		return 0;
	case PYX_NUM:
	case PYX_BOOL: buf_puts(out, v->text); return 0;
	case PYX_NONE: buf_puts(out, "None"); return 0;
	default: return -1;
	}
}

static pyx *resolve_name(parser *p, const char *name)
{
	return p->resolve ? p->resolve(p->rctx, name) : NULL;
}

/* Decode the raw literal text [a, b) as a string of the same prefix
 * (without f) and quotes as `t`; appends to `out`. */
static int decode_part(buf *out, const pytok *t, size_t plen, size_t qlen, const char *a, const char *b, int latin1)
{
	buf tok = BUF_INIT, one = BUF_INIT;
	mg_error err = MG_ERROR_INIT;
	int fields = 0, rc;
	size_t i;

	for (i = 0; i < plen; i++)
		if (t->start[i] != 'f' && t->start[i] != 'F')
			buf_putc(&tok, t->start[i]);
	buf_put(&tok, t->start + plen, qlen);
	buf_put(&tok, a, (size_t)(b - a));
	buf_put(&tok, t->start + plen, qlen);
	rc = pyscan_decode_string(&one, tok.ptr, tok.len, &fields, latin1, &err);
	if (rc == 0)
		buf_put(out, one.ptr, one.len);
	buf_release(&tok);
	buf_release(&one);
	mg_error_clear(&err);
	return rc;
}

/*
 * The value of an f-string token whose fields are plain names the
 * resolver knows (`f"DROP TABLE {t}"`, `{t!r}`), into `out`. Returns -1
 * when a field is anything else (an expression, a format spec, an unknown
 * name): the string then stays dynamic.
 */
static int fill_fstring(parser *p, const pytok *t, buf *out)
{
	const char *s = t->start, *end = s + t->len, *body, *bend, *c, *seg;
	size_t plen = 0, qlen;
	int rc = 0, raw = 0;

	while (s + plen < end && s[plen] != '\'' && s[plen] != '"') {
		raw |= s[plen] == 'r' || s[plen] == 'R';
		plen++;
	}
	if (s + plen >= end)
		return -1;
	qlen = (t->len - plen >= 6 && s[plen + 1] == s[plen] && s[plen + 2] == s[plen]) ? 3 : 1;
	body = s + plen + qlen;
	bend = end - qlen;
	if (bend < body)
		return -1;
	for (c = seg = body; c < bend && rc == 0;) {
		const char *close, *f, *fe, *conv;
		char *name;
		pyx *v;
		if (*c == '\\' && c + 1 < bend && !raw && c[1] != '{' && c[1] != '}') {
			c += 2; /* an escape: decode_part decodes it; a brace after it still counts */
			continue;
		}
		if ((*c == '{' || *c == '}') && c + 1 < bend && c[1] == *c) {
			rc = decode_part(out, t, plen, qlen, seg, c + 1, p->latin1); /* keeps one brace */
			c += 2;
			seg = c;
			continue;
		}
		if (*c != '{') {
			c++;
			continue;
		}
		for (close = c + 1; close < bend && *close != '}' && *close != '{' && *close != '\'' && *close != '"';
		     close++)
			;
		if (close >= bend || *close != '}')
			return -1;
		if (decode_part(out, t, plen, qlen, seg, c, p->latin1) < 0)
			return -1;
		for (f = c + 1; f < close && isspace((unsigned char)*f); f++)
			;
		for (fe = f; fe < close && (isalnum((unsigned char)*fe) || *fe == '_'); fe++)
			;
		conv = fe;
		while (conv < close && isspace((unsigned char)*conv))
			conv++;
		if (fe == f || (conv < close && !(conv + 2 == close && conv[0] == '!' && (conv[1] == 'r' || conv[1] == 's'))))
			return -1;
		name = mg_strndup(f, (size_t)(fe - f));
		v = resolve_name(p, name);
		free(name);
		rc = put_value(out, v, conv < close && conv[1] == 'r');
		pyx_free(v);
		c = seg = close + 1;
	}
	if (rc == 0 && decode_part(out, t, plen, qlen, seg, bend, p->latin1) < 0)
		rc = -1;
	return rc == 0 && out->len <= PYX_MAX_BUILT ? 0 : -1;
}

/* `fmt % args` with constant arguments (%s, %d, %i, %r, %%, %(name)s);
 * returns 0 and the text, or -1. */
static int percent_format(buf *out, const char *fmt, const pyx *args)
{
	size_t next = 0;
	const pyx *one = args && args->kind != PYX_TUPLE && args->kind != PYX_DICT ? args : NULL;

	for (; *fmt; fmt++) {
		const pyx *v = NULL;
		char conv;
		if (*fmt != '%') {
			buf_putc(out, *fmt);
			continue;
		}
		fmt++;
		if (*fmt == '%') {
			buf_putc(out, '%');
			continue;
		}
		if (*fmt == '(' && args && args->kind == PYX_DICT) {
			const char *close = strchr(fmt, ')');
			size_t k;
			if (!close)
				return -1;
			for (k = 0; k + 1 < args->n; k += 2)
				if (pyx_is_literal_str(args->items[k]) &&
				    strlen(args->items[k]->text) == (size_t)(close - fmt - 1) &&
				    !strncmp(args->items[k]->text, fmt + 1, (size_t)(close - fmt - 1)))
					v = args->items[k + 1];
			fmt = close + 1;
		} else if (one) {
			v = next++ ? NULL : one;
		} else if (args && args->kind == PYX_TUPLE && next < args->n) {
			v = args->items[next++];
		}
		conv = *fmt;
		if (!v || (conv != 's' && conv != 'd' && conv != 'i' && conv != 'r'))
			return -1;
		if ((conv == 'd' || conv == 'i') && v->kind != PYX_NUM)
			return -1;
		if (put_value(out, v, conv == 'r') < 0)
			return -1;
	}
	if (args && args->kind == PYX_TUPLE && next < args->n)
		return -1; /* Python: not all arguments converted */
	return out->len <= PYX_MAX_BUILT ? 0 : -1;
}

/* `fmt.format(...)` with constant arguments ({}, {0}, {name}, {{, }},
 * !r and !s); returns 0 and the text, or -1. */
static int brace_format(buf *out, const char *fmt, const pyx *call)
{
	int auto_next = 0;

	for (; *fmt; fmt++) {
		const char *close, *bang;
		const pyx *v;
		char *field;
		if ((*fmt == '{' || *fmt == '}') && fmt[1] == *fmt) {
			buf_putc(out, *fmt++);
			continue;
		}
		if (*fmt == '}')
			return -1;
		if (*fmt != '{') {
			buf_putc(out, *fmt);
			continue;
		}
		if (!(close = strchr(fmt, '}')))
			return -1;
		field = mg_strndup(fmt + 1, (size_t)(close - fmt - 1));
		bang = strchr(field, '!');
		if (bang && (bang[1] != 'r' && bang[1] != 's'))
			bang = field; /* unknown conversion: fails below */
		if (bang)
			*(char *)bang = 0;
		if (strchr(field, ':') || strchr(field, '.') || strchr(field, '['))
			v = NULL;
		else if (!*field)
			v = pyx_arg(call, auto_next++, NULL);
		else if (isdigit((unsigned char)*field)) {
			char *e;
			long k = strtol(field, &e, 10);
			v = !*e && k >= 0 && k < 1024 ? pyx_arg(call, (int)k, NULL) : NULL;
		} else
			v = pyx_arg(call, -1, field);
		if (put_value(out, v, bang && bang != field && bang[1] == 'r') < 0 || (bang && bang == field)) {
			free(field);
			return -1;
		}
		free(field);
		fmt = close;
	}
	return out->len <= PYX_MAX_BUILT ? 0 : -1;
}

/* `sep.join(items)` of constant strings. */
static int join_strings(buf *out, const char *sep, const pyx *items)
{
	size_t i;

	if (!items || (items->kind != PYX_LIST && items->kind != PYX_TUPLE))
		return -1;
	for (i = 0; i < items->n; i++) {
		if (!pyx_is_literal_str(items->items[i]))
			return -1;
		buf_printf(out, "%s%s", i ? sep : "", items->items[i]->text);
		if (out->len > PYX_MAX_BUILT)
			return -1;
	}
	return 0;
}

/* Replace a string node's text by `b`'s (its pieces keep their lines). */
static void set_text(pyx *x, buf *b)
{
	free(x->text);
	x->text = buf_detach(b);
}

static pyx *parse_strings(parser *p)
{
	pyx *x = node_new(PYX_STR, peek(p));
	buf all = BUF_INIT, one = BUF_INIT;
	mg_error err = MG_ERROR_INIT;

	while (p->i < p->n && p->t[p->i].type == PYTOK_STRING) {
		const pytok *t = &p->t[p->i++];
		int fields = 0;
		buf_truncate(&one, 0);
		if (pyscan_decode_string(&one, t->start, t->len, &fields, p->latin1, &err) < 0) {
			x->flags |= PYXF_DYNAMIC;
			continue;
		}
		if (fields) {
			buf filled = BUF_INIT;
			if (p->resolve && fill_fstring(p, t, &filled) == 0) {
				buf_truncate(&one, 0);
				buf_put(&one, filled.ptr, filled.len);
			} else {
				x->flags |= PYXF_DYNAMIC;
			}
			buf_release(&filled);
		}
		if (t->str_flags & PYSTR_BYTES)
			x->flags |= PYXF_BYTES;
		piece_push(x, all.len, t->line, (t->str_flags & PYSTR_TRIPLE) != 0);
		buf_put(&all, one.ptr, one.len);
	}
	x->text = buf_detach(&all);
	buf_release(&one);
	return x;
}

/* Items up to `closer` into `into`; returns 1 when a comprehension was seen. */
static int parse_items(parser *p, pyx *into, char closer, int is_dict)
{
	char want[2] = { closer, 0 };
	int comp = 0;

	while (p->i < p->n && !at_op(p, want)) {
		pyx *item;
		if (at_op(p, "*") || at_op(p, "**"))
			p->i++;
		item = parse_expr(p);
		if (at_name(p, "for") || at_name(p, "async")) {
			comp = 1;
			pyx_free(item);
			break;
		}
		node_push(into, item, NULL);
		if (is_dict && at_op(p, ":")) {
			p->i++;
			node_push(into, parse_expr(p), NULL);
		}
		if (at_op(p, ","))
			p->i++;
		else
			break;
	}
	expect_closer(p, closer);
	return comp;
}

static pyx *parse_paren(parser *p)
{
	pyx *x = node_new(PYX_TUPLE, peek(p));
	pyx *inner;

	p->i++;
	if (at_op(p, ")")) {
		p->i++;
		return x;
	}
	inner = parse_expr(p);
	if (at_op(p, ")")) {
		p->i++;
		pyx_free(x);
		return inner; /* a parenthesised expression */
	}
	if (at_name(p, "for") || at_name(p, "async")) {
		pyx_free(inner);
		expect_closer(p, ')');
		return make_other(x, "generator expression");
	}
	node_push(x, inner, NULL);
	if (at_op(p, ","))
		p->i++;
	if (parse_items(p, x, ')', 0))
		return make_other(x, "generator expression");
	return x;
}

static pyx *parse_atom(parser *p)
{
	const pytok *t = peek(p);
	pyx *x;

	if (!t)
		return node_new(PYX_OTHER, NULL);
	switch (t->type) {
	case PYTOK_STRING:
		return parse_strings(p);
	case PYTOK_NUMBER:
		x = node_new(PYX_NUM, t);
		x->text = mg_strndup(t->start, t->len);
		p->i++;
		return x;
	case PYTOK_NAME:
		if (pytok_is_name(t, "None") || pytok_is_name(t, "True") || pytok_is_name(t, "False")) {
			x = node_new(t->start[0] == 'N' ? PYX_NONE : PYX_BOOL, t);
			x->text = mg_strndup(t->start, t->len);
			p->i++;
			return x;
		}
		if (pytok_is_name(t, "lambda") || pytok_is_name(t, "yield") || pytok_is_name(t, "await"))
			return other_here(p, pytok_is_name(t, "lambda") ? "lambda" : "yield or await");
		x = node_new(PYX_NAME, t);
		x->text = mg_strndup(t->start, t->len);
		p->i++;
		return x;
	case PYTOK_OP:
		if (pytok_is_op(t, "("))
			return parse_paren(p);
		if (pytok_is_op(t, "[")) {
			x = node_new(PYX_LIST, t);
			p->i++;
			return parse_items(p, x, ']', 0) ? make_other(x, "comprehension") : x;
		}
		if (pytok_is_op(t, "{")) {
			size_t save = p->i + 1;
			int is_dict = 0, depth = 0;
			/* A dict has a ':' at its own level before the first ','. */
			while (save < p->n) {
				const pytok *u = &p->t[save++];
				if (is_opener(u))
					depth++;
				else if (is_closer(u) && depth-- == 0)
					break;
				else if (depth == 0 && pytok_is_op(u, ":"))
					is_dict = 1;
				if (depth == 0 && (pytok_is_op(u, ",") || pytok_is_op(u, ":")))
					break;
			}
			x = node_new(is_dict ? PYX_DICT : PYX_LIST, t);
			p->i++;
			if (parse_items(p, x, '}', is_dict))
				return make_other(x, "comprehension");
			return is_dict ? x : make_other(x, "set");
		}
		if (pytok_is_op(t, "...")) {
			p->i++;
			x = node_new(PYX_OTHER, t);
			x->text = mg_strdup("Ellipsis");
			return x;
		}
		break;
	default:
		break;
	}
	return other_here(p, "expression");
}

/* The dotted text of `x` used as a receiver: calls shown as "name()". */
static void chain_text(buf *out, const pyx *x)
{
	switch (x->kind) {
	case PYX_NAME:
		buf_puts(out, x->text);
		break;
	case PYX_CALL:
		buf_puts(out, x->text ? x->text : "<expr>");
		buf_puts(out, "()");
		break;
	case PYX_STR:
		buf_puts(out, "<str>");
		break;
	default:
		buf_puts(out, "<expr>");
		break;
	}
}

static void parse_call_args(parser *p, pyx *call)
{
	while (p->i < p->n && !at_op(p, ")")) {
		const pytok *t = peek(p);
		const char *key = NULL;
		pyx *arg;
		if (pytok_is_op(t, "*") || pytok_is_op(t, "**")) {
			key = t->len == 1 ? "*" : "**";
			p->i++;
		} else if (t->type == PYTOK_NAME && p->i + 1 < p->n && pytok_is_op(&p->t[p->i + 1], "=")) {
			char *kw = mg_strndup(t->start, t->len);
			p->i += 2;
			arg = parse_expr(p);
			node_push(call, arg, kw);
			free(kw);
			goto next;
		}
		arg = parse_expr(p);
		if (at_name(p, "for") || at_name(p, "async")) {
			pyx_free(arg);
			skip_expr(p);
			arg = node_new(PYX_OTHER, t);
			arg->text = mg_strdup("generator expression");
		}
		node_push(call, arg, key);
next:
		if (at_op(p, ","))
			p->i++;
		else
			break;
	}
	expect_closer(p, ')');
}

/* `d.items()`, `d.keys()`, `d.values()` of a dict with a known value, as
 * a list; NULL otherwise (nothing consumed). */
static pyx *dict_view(parser *p, const pyx *name)
{
	const pytok *m;
	pyx *d, *out;
	size_t k;

	if (p->i + 3 >= p->n + 0 || !at_op(p, ".") || p->t[p->i + 1].type != PYTOK_NAME ||
	    !pytok_is_op(&p->t[p->i + 2], "(") || !pytok_is_op(&p->t[p->i + 3], ")"))
		return NULL;
	m = &p->t[p->i + 1];
	if (!pytok_is_name(m, "items") && !pytok_is_name(m, "keys") && !pytok_is_name(m, "values"))
		return NULL;
	if (!(d = resolve_name(p, name->text)))
		return NULL;
	if (d->kind != PYX_DICT) {
		pyx_free(d);
		return NULL;
	}
	out = node_new(PYX_LIST, NULL);
	out->line = name->line;
	out->col = name->col;
	for (k = 0; k + 1 < d->n; k += 2) {
		if (pytok_is_name(m, "items")) {
			pyx *pair = node_new(PYX_TUPLE, NULL);
			node_push(pair, pyx_clone(d->items[k]), NULL);
			node_push(pair, pyx_clone(d->items[k + 1]), NULL);
			node_push(out, pair, NULL);
		} else {
			node_push(out, pyx_clone(d->items[k + (pytok_is_name(m, "values") ? 1 : 0)]), NULL);
		}
	}
	pyx_free(d);
	p->i += 4;
	return out;
}

/* `x[i]` of a known list, tuple or dict with a literal index, or NULL. */
static pyx *subscript(const pyx *x, const pyx *idx)
{
	size_t k;

	if (!idx)
		return NULL;
	if ((x->kind == PYX_LIST || x->kind == PYX_TUPLE) && idx->kind == PYX_NUM) {
		char *end;
		long i = strtol(idx->text, &end, 10);
		if (*end)
			return NULL;
		if (i < 0)
			i += (long)x->n;
		return i >= 0 && (size_t)i < x->n ? pyx_clone(x->items[i]) : NULL;
	}
	if (x->kind == PYX_DICT && pyx_is_literal_str(idx))
		for (k = 0; k + 1 < x->n; k += 2)
			if (pyx_is_literal_str(x->items[k]) && !strcmp(x->items[k]->text, idx->text))
				return pyx_clone(x->items[k + 1]);
	return NULL;
}

/* `"...".format(...)`, `.join`, `.replace`, `.format_map` on a string:
 * the result when every part is known, else the string marked dynamic.
 * `attr` is the method; its arguments follow when a '(' is next. */
static void string_method(parser *p, pyx *x, const pytok *attr, const pytok *at)
{
	pyx *args = node_new(PYX_CALL, at);
	buf b = BUF_INIT;
	int rc = -1;

	if (!at_op(p, "(")) {
		x->flags |= PYXF_DYNAMIC;
		pyx_free(args);
		return;
	}
	p->i++;
	parse_call_args(p, args);
	if (pyx_is_literal_str(x)) {
		if (pytok_is_name(attr, "format"))
			rc = brace_format(&b, x->text, args);
		else if (pytok_is_name(attr, "join"))
			rc = join_strings(&b, x->text, pyx_arg(args, 0, NULL));
		else if (pytok_is_name(attr, "replace") && args->n == 2 && pyx_is_literal_str(args->items[0]) &&
			 pyx_is_literal_str(args->items[1]) && *args->items[0]->text) {
			const char *from = args->items[0]->text, *c = x->text, *hit;
			while ((hit = strstr(c, from)) != NULL && b.len <= PYX_MAX_BUILT) {
				buf_put(&b, c, (size_t)(hit - c));
				buf_puts(&b, args->items[1]->text);
				c = hit + strlen(from);
			}
			buf_puts(&b, c);
			rc = b.len <= PYX_MAX_BUILT ? 0 : -1;
		}
	}
	if (rc == 0)
		set_text(x, &b);
	else
		x->flags |= PYXF_DYNAMIC;
	buf_release(&b);
	pyx_free(args);
}

static pyx *parse_postfix(parser *p)
{
	pyx *x = parse_atom(p);

	if (x->kind == PYX_NAME && p->resolve && !at_op(p, "(")) {
		pyx *v = at_op(p, ".") ? dict_view(p, x) : resolve_name(p, x->text);
		if (v) {
			pyx_free(x);
			x = v;
		}
	}
	for (;;) {
		const pytok *t = peek(p);
		if (!t)
			break;
		if (pytok_is_op(t, ".") && p->i + 1 < p->n && p->t[p->i + 1].type == PYTOK_NAME) {
			const pytok *attr = &p->t[p->i + 1];
			p->i += 2;
			if (x->kind == PYX_STR && (pytok_is_name(attr, "format") || pytok_is_name(attr, "join") ||
						   pytok_is_name(attr, "replace") || pytok_is_name(attr, "format_map"))) {
				string_method(p, x, attr, t);
				continue;
			}
			if (x->kind == PYX_NAME) {
				buf b = BUF_INIT;
				buf_printf(&b, "%s.%.*s", x->text, (int)attr->len, attr->start);
				free(x->text);
				x->text = buf_detach(&b);
			} else {
				buf b = BUF_INIT;
				pyx *n = node_new(PYX_NAME, NULL);
				n->line = x->line;
				n->col = x->col;
				chain_text(&b, x);
				buf_printf(&b, ".%.*s", (int)attr->len, attr->start);
				n->text = buf_detach(&b);
				n->recv = x; /* kept for the call this attribute is likely part of */
				x = n;
			}
			continue;
		}
		if (pytok_is_op(t, "(")) {
			pyx *call = node_new(PYX_CALL, NULL);
			call->line = x->line;
			call->col = x->col;
			if (x->kind == PYX_NAME) {
				call->text = x->text;
				call->recv = x->recv;
				x->text = NULL;
				x->recv = NULL;
			} else {
				buf b = BUF_INIT;
				chain_text(&b, x);
				call->text = buf_detach(&b);
				call->recv = x; /* `f(a)(b)`: the call that gave the callee */
				x = NULL;
			}
			pyx_free(x);
			x = call;
			p->i++;
			parse_call_args(p, x);
			continue;
		}
		if (pytok_is_op(t, "[")) {
			size_t save = ++p->i;
			pyx *pick = NULL;
			if (x->kind == PYX_LIST || x->kind == PYX_TUPLE || x->kind == PYX_DICT) {
				pyx *idx = parse_expr(p);
				if (at_op(p, "]"))
					pick = subscript(x, idx);
				pyx_free(idx);
			}
			if (pick) {
				p->i++;
				pyx_free(x);
				x = pick;
				continue;
			}
			p->i = save;
			expect_closer(p, ']');
			x = make_other(x, "subscript");
			continue;
		}
		break;
	}
	return x;
}

static pyx *parse_unary(parser *p)
{
	const pytok *t = peek(p);
	pyx *x;

	if (t && (pytok_is_op(t, "-") || pytok_is_op(t, "+") || pytok_is_op(t, "~"))) {
		char sign = t->start[0];
		p->i++;
		if (++p->depth > PYX_MAX_DEPTH) {
			p->depth--;
			return other_here(p, "expression");
		}
		x = parse_unary(p);
		p->depth--;
		if (x->kind == PYX_NUM && sign != '~') {
			if (sign == '-') {
				buf b = BUF_INIT;
				buf_printf(&b, "%s%s", x->text[0] == '-' ? "" : "-", x->text + (x->text[0] == '-'));
				free(x->text);
				x->text = buf_detach(&b);
			}
			return x;
		}
		return make_other(x, "arithmetic");
	}
	return parse_postfix(p);
}

static int at_binary_op(const parser *p)
{
	static const char *const ops[] = { "+", "-", "*", "/", "//", "%", "**", "@", "<<", ">>", "&", "|", "^", NULL };
	const pytok *t = peek(p);
	size_t i;

	if (!t || t->type != PYTOK_OP)
		return 0;
	for (i = 0; ops[i]; i++)
		if (pytok_is_op(t, ops[i]))
			return 1;
	return 0;
}

/* Binary arithmetic. Strings keep their text: `"a" "b"` joined already,
 * `"a" + "b"` is a literal, `"..." % x` and `"a" + x` are dynamic. */
static pyx *parse_arith(parser *p)
{
	pyx *left = parse_unary(p);

	while (at_binary_op(p)) {
		const pytok *op = &p->t[p->i++];
		pyx *right = parse_unary(p);
		if (left->kind == PYX_STR && pytok_is_op(op, "+") && right->kind == PYX_STR &&
		    strlen(left->text) + strlen(right->text) <= PYX_MAX_BUILT) {
			buf b = BUF_INIT;
			size_t k;
			for (k = 0; k < right->npieces; k++)
				piece_push(left, strlen(left->text) + right->pieces[k].off, right->pieces[k].line,
					   right->pieces[k].triple);
			buf_printf(&b, "%s%s", left->text, right->text);
			free(left->text);
			left->text = buf_detach(&b);
			left->flags |= right->flags;
		} else if (pyx_is_literal_str(left) && pytok_is_op(op, "%") && pyx_is_constant(right)) {
			buf b = BUF_INIT;
			if (percent_format(&b, left->text, right) == 0)
				set_text(left, &b);
			else
				left->flags |= PYXF_DYNAMIC;
			buf_release(&b);
		} else if (left->kind == PYX_STR && (pytok_is_op(op, "%") || pytok_is_op(op, "+"))) {
			left->flags |= PYXF_DYNAMIC;
		} else if (right->kind == PYX_STR && pytok_is_op(op, "+")) {
			pyx_free(left);
			left = right;
			right = NULL;
			left->flags |= PYXF_DYNAMIC;
		} else {
			left = make_other(left, "arithmetic");
		}
		pyx_free(right);
	}
	return left;
}

static int at_comparison(parser *p)
{
	static const char *const ops[] = { "==", "!=", "<", ">", "<=", ">=", NULL };
	const pytok *t = peek(p);
	size_t i;

	if (!t)
		return 0;
	if (pytok_is_name(t, "in") || pytok_is_name(t, "is"))
		return 1;
	if (pytok_is_name(t, "not") && p->i + 1 < p->n && pytok_is_name(&p->t[p->i + 1], "in"))
		return 1;
	for (i = 0; ops[i]; i++)
		if (pytok_is_op(t, ops[i]))
			return 1;
	return 0;
}

/* One comparison keeps its operator and operands; a chain (`a < b < c`)
 * is PYX_OTHER. */
static pyx *parse_comparison(parser *p)
{
	pyx *left = parse_arith(p), *cmp;
	const char *op;

	if (!at_comparison(p))
		return left;
	if (at_name(p, "not")) {
		op = "not in";
		p->i += 2;
	} else if (at_name(p, "is") && p->i + 1 < p->n && pytok_is_name(&p->t[p->i + 1], "not")) {
		op = "is not";
		p->i += 2;
	} else {
		op = NULL;
	}
	cmp = node_new(PYX_COMPARE, NULL);
	cmp->line = left->line;
	cmp->col = left->col;
	cmp->text = op ? mg_strdup(op) : mg_strndup(p->t[p->i].start, p->t[p->i].len);
	if (!op)
		p->i++;
	node_push(cmp, left, NULL);
	node_push(cmp, parse_arith(p), NULL);
	while (at_comparison(p)) {
		if (at_name(p, "not") || (at_name(p, "is") && p->i + 1 < p->n && pytok_is_name(&p->t[p->i + 1], "not")))
			p->i++;
		p->i++;
		pyx_free(parse_arith(p));
		cmp = make_other(cmp, "comparison");
	}
	return cmp;
}

static pyx *parse_not(parser *p)
{
	if (at_name(p, "not")) {
		pyx *x, *n;
		const pytok *t = peek(p);
		p->i++;
		if (++p->depth > PYX_MAX_DEPTH) {
			p->depth--;
			return other_here(p, "expression");
		}
		x = parse_not(p);
		p->depth--;
		n = node_new(PYX_NOT, t);
		n->text = mg_strdup("not");
		node_push(n, x, NULL);
		return n;
	}
	return parse_comparison(p);
}

/* `a and b and ...` (word "and") or `a or b or ...` over `sub`. */
static pyx *parse_boolop(parser *p, const char *word, pyx *(*sub)(parser *))
{
	pyx *left = sub(p), *op;

	if (!at_name(p, word))
		return left;
	op = node_new(PYX_BOOLOP, NULL);
	op->line = left->line;
	op->col = left->col;
	op->text = mg_strdup(word);
	node_push(op, left, NULL);
	while (at_name(p, word)) {
		p->i++;
		node_push(op, sub(p), NULL);
	}
	return op;
}

static pyx *parse_and(parser *p)
{
	return parse_boolop(p, "and", parse_not);
}

static pyx *parse_bool(parser *p)
{
	return parse_boolop(p, "or", parse_and);
}

static pyx *parse_expr(parser *p)
{
	pyx *x;

	if (++p->depth > PYX_MAX_DEPTH) {
		p->depth--;
		return other_here(p, "expression nested too deeply");
	}
	x = parse_bool(p);
	if (at_name(p, "if")) {
		p->i++;
		pyx_free(parse_bool(p));
		if (at_name(p, "else")) {
			p->i++;
			pyx_free(parse_expr(p));
		}
		x = make_other(x, "conditional expression");
	} else if (at_op(p, ":=")) {
		p->i++;
		pyx_free(parse_expr(p));
		x = make_other(x, "assignment expression");
	}
	p->depth--;
	return x;
}

#define PYX_STACK_TOKENS 256

int pyx_parse(pyx **out, const pytok *toks, size_t n, int latin1, mg_error *err)
{
	return pyx_parse_with(out, toks, n, latin1, NULL, NULL, err);
}

int pyx_parse_with(pyx **out, const pytok *toks, size_t n, int latin1, pyx_resolve_fn resolve, void *ctx,
		   mg_error *err)
{
	pytok stack[PYX_STACK_TOKENS];
	parser p;
	pyx *x = NULL;
	size_t i;

	(void)err;
	*out = NULL;
	memset(&p, 0, sizeof(p));
	p.latin1 = latin1;
	p.resolve = resolve;
	p.rctx = ctx;
	p.t = n <= PYX_STACK_TOKENS ? stack : mg_malloc(n * sizeof(*p.t));
	for (i = 0; i < n; i++)
		if (toks[i].type != PYTOK_NL && toks[i].type != PYTOK_COMMENT && toks[i].type != PYTOK_NEWLINE &&
		    toks[i].type != PYTOK_INDENT && toks[i].type != PYTOK_DEDENT && toks[i].type != PYTOK_ENDMARKER)
			p.t[p.n++] = toks[i];
	if (!p.n)
		goto cleanup;
	x = parse_expr(&p);
	if (at_op(&p, ",")) {
		/* `a, b` at the top level: a tuple. */
		pyx *tuple = node_new(PYX_TUPLE, NULL);
		tuple->line = x->line;
		tuple->col = x->col;
		node_push(tuple, x, NULL);
		x = tuple;
		while (at_op(&p, ",")) {
			p.i++;
			if (p.i >= p.n)
				break;
			node_push(x, parse_expr(&p), NULL);
		}
	}
	if (p.i < p.n)
		x = make_other(x, "expression");
cleanup:
	if (p.t != stack)
		free(p.t);
	*out = x;
	return MG_OK;
}

const pyx *pyx_arg(const pyx *call, int pos, const char *kw)
{
	size_t i;
	int k = 0;

	if (!call || call->kind != PYX_CALL)
		return NULL;
	for (i = 0; i < call->n; i++) {
		const char *key = call->keys[i];
		if (kw && key && !strcmp(key, kw))
			return call->items[i];
		if (!key && pos >= 0 && k++ == pos)
			return call->items[i];
	}
	return NULL;
}

const char *pyx_basename(const pyx *x)
{
	const char *dot;

	if (!x || !x->text)
		return "";
	dot = strrchr(x->text, '.');
	return dot ? dot + 1 : x->text;
}

int pyx_is_literal_str(const pyx *x)
{
	return x && x->kind == PYX_STR && !(x->flags & PYXF_DYNAMIC);
}

int pyx_is_true(const pyx *x)
{
	return x && x->kind == PYX_BOOL && !strcmp(x->text, "True");
}

int pyx_is_false(const pyx *x)
{
	return x && x->kind == PYX_BOOL && !strcmp(x->text, "False");
}
