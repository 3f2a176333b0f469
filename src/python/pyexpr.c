/*
 * pyexpr.c: a recursive-descent reader of Python expressions into pyx
 * trees. It never fails on odd input: what it cannot read becomes
 * PYX_OTHER and the reader resynchronises at the next comma or closing
 * bracket of the enclosing level.
 */
#include "python/pyexpr.h"

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
		if (fields)
			x->flags |= PYXF_DYNAMIC;
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

static pyx *parse_postfix(parser *p)
{
	pyx *x = parse_atom(p);

	for (;;) {
		const pytok *t = peek(p);
		if (!t)
			break;
		if (pytok_is_op(t, ".") && p->i + 1 < p->n && p->t[p->i + 1].type == PYTOK_NAME) {
			const pytok *attr = &p->t[p->i + 1];
			p->i += 2;
			if (x->kind == PYX_STR && (pytok_is_name(attr, "format") || pytok_is_name(attr, "join") ||
						   pytok_is_name(attr, "replace") || pytok_is_name(attr, "format_map"))) {
				/* "...".format(...): a string only known at run time. */
				x->flags |= PYXF_DYNAMIC;
				if (at_op(p, "(")) {
					pyx *dummy = node_new(PYX_CALL, t);
					p->i++;
					parse_call_args(p, dummy);
					pyx_free(dummy);
				}
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
			}
			pyx_free(x);
			x = call;
			p->i++;
			parse_call_args(p, x);
			continue;
		}
		if (pytok_is_op(t, "[")) {
			p->i++;
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
		if (left->kind == PYX_STR && pytok_is_op(op, "+") && right->kind == PYX_STR) {
			buf b = BUF_INIT;
			size_t k;
			for (k = 0; k < right->npieces; k++)
				piece_push(left, strlen(left->text) + right->pieces[k].off, right->pieces[k].line,
					   right->pieces[k].triple);
			buf_printf(&b, "%s%s", left->text, right->text);
			free(left->text);
			left->text = buf_detach(&b);
			left->flags |= right->flags;
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

static pyx *parse_comparison(parser *p)
{
	pyx *left = parse_arith(p);

	while (at_comparison(p)) {
		if (at_name(p, "not") || (at_name(p, "is") && p->i + 1 < p->n && pytok_is_name(&p->t[p->i + 1], "not")))
			p->i++;
		p->i++;
		pyx_free(parse_arith(p));
		left = make_other(left, "comparison");
	}
	return left;
}

static pyx *parse_not(parser *p)
{
	if (at_name(p, "not")) {
		pyx *x;
		p->i++;
		if (++p->depth > PYX_MAX_DEPTH) {
			p->depth--;
			return other_here(p, "expression");
		}
		x = parse_not(p);
		p->depth--;
		return make_other(x, "boolean expression");
	}
	return parse_comparison(p);
}

static pyx *parse_bool(parser *p)
{
	pyx *left = parse_not(p);

	while (at_name(p, "and") || at_name(p, "or")) {
		p->i++;
		pyx_free(parse_not(p));
		left = make_other(left, "boolean expression");
	}
	return left;
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
	pytok stack[PYX_STACK_TOKENS];
	parser p;
	pyx *x = NULL;
	size_t i;

	(void)err;
	*out = NULL;
	memset(&p, 0, sizeof(p));
	p.latin1 = latin1;
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
