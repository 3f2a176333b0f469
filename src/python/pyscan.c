/*
 * pyscan.c: module-level reading of a revision script (see pyscan.h).
 *
 * The scan streams tokens. At module level it gathers one logical line at
 * a time and classifies it: a compound statement header (def, class, if,
 * try, ...), whose body is walked without storing it, or simple
 * statements (imports, assignments, a docstring). Only assignments made at
 * module level and outside any block are taken as values; an assignment to
 * a watched name inside an `if`/`try`/`for`/`with` block is reported,
 * because which branch runs is only known at import time.
 */
#include "python/pyscan.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "python/pycodecs.h"
#include "python/pytok.h"
#include "util/buf.h"
#include "util/utf8.h"
#include "util/banned.h"

static const char *const watched_names[] = { "revision", "down_revision", "branch_labels", "depends_on", NULL };

typedef struct tokvec {
	pytok *v;
	size_t n, alloc;
} tokvec;

typedef struct constant {
	char *name;
	pyvalue value;
	char *bad_reason; /* set when value.kind == PYV_BAD */
	int line;
} constant;

typedef struct scanner {
	pyscan_module *mod;
	const pyscan_names *names;
	pytok_state ts;
	int latin1;
	int seen_statement;
	constant *consts;
	size_t nconsts, consts_alloc;
	strvec import_names, import_targets; /* local name -> dotted origin */
	int stopped;                         /* a syntax error ended the scan */
} scanner;

/* ---- small helpers ------------------------------------------------------ */

static void tokvec_push(tokvec *tv, const pytok *t)
{
	if (tv->n == tv->alloc) {
		tv->alloc = tv->alloc ? tv->alloc * 2 : 32;
		tv->v = mg_realloc(tv->v, tv->alloc * sizeof(*tv->v));
	}
	tv->v[tv->n++] = *t;
}

static void add_diag(pyscan_module *m, int line, int severity, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void add_diag(pyscan_module *m, int line, int severity, const char *code, const char *fmt, ...)
{
	buf msg = BUF_INIT;
	va_list ap;
	pyscan_diag *d;

	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	if (m->ndiags == m->diags_alloc) {
		m->diags_alloc = m->diags_alloc ? m->diags_alloc * 2 : 4;
		m->diags = mg_realloc(m->diags, m->diags_alloc * sizeof(*m->diags));
	}
	d = &m->diags[m->ndiags++];
	d->line = line;
	d->severity = severity;
	d->code = mg_strdup(code);
	d->message = buf_detach(&msg);
}

static char *tok_text(const pytok *t)
{
	return mg_strndup(t->start, t->len);
}

static int watched_index(const pytok *t)
{
	int i;

	if (t->type != PYTOK_NAME)
		return -1;
	for (i = 0; watched_names[i]; i++)
		if (pytok_text_is(t, watched_names[i]))
			return i;
	return -1;
}

static pyvalue *watched_slot(pyscan_module *m, int idx)
{
	switch (idx) {
	case 0: return &m->revision;
	case 1: return &m->down_revision;
	case 2: return &m->branch_labels;
	default: return &m->depends_on;
	}
}

void pyvalue_release(pyvalue *v)
{
	free(v->str);
	strvec_release(&v->items);
	memset(v, 0, sizeof(*v));
}

void pyvalue_copy(pyvalue *dst, const pyvalue *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->kind = src->kind;
	dst->line = src->line;
	dst->is_list = src->is_list;
	if (src->str)
		dst->str = mg_strdup(src->str);
	strvec_copy(&dst->items, &src->items);
}

/* ---- string literals ---------------------------------------------------- */

static void put_utf8(buf *out, unsigned long cp)
{
	if (cp < 0x80) {
		buf_putc(out, (char)cp);
	} else if (cp < 0x800) {
		buf_putc(out, (char)(0xC0 | (cp >> 6)));
		buf_putc(out, (char)(0x80 | (cp & 0x3F)));
	} else if (cp < 0x10000) {
		buf_putc(out, (char)(0xE0 | (cp >> 12)));
		buf_putc(out, (char)(0x80 | ((cp >> 6) & 0x3F)));
		buf_putc(out, (char)(0x80 | (cp & 0x3F)));
	} else {
		buf_putc(out, (char)(0xF0 | (cp >> 18)));
		buf_putc(out, (char)(0x80 | ((cp >> 12) & 0x3F)));
		buf_putc(out, (char)(0x80 | ((cp >> 6) & 0x3F)));
		buf_putc(out, (char)(0x80 | (cp & 0x3F)));
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void put_source_byte(buf *out, unsigned char c, int latin1)
{
	if (latin1 && c >= 0x80)
		put_utf8(out, c);
	else
		buf_putc(out, (char)c);
}

/* True for a byte that is itself in the value of any string literal
 * (no escape, newline, f-string brace, or byte a declared encoding maps). */
static int stands_for_itself(unsigned char c)
{
	return c < 0x80 && c != '\\' && c != '\r' && c != '{' && c != '}';
}

int pyscan_decode_string(buf *out, const char *tok, size_t len, int *has_fields, int latin1, mg_error *err)
{
	unsigned flags = 0;
	size_t i = 0, qlen, body_start, body_end;
	char q;

	*has_fields = 0;
	while (i < len && tok[i] != '\'' && tok[i] != '"') {
		switch (tok[i]) {
		case 'r':
		case 'R': flags |= PYSTR_RAW; break;
		case 'b':
		case 'B': flags |= PYSTR_BYTES; break;
		case 'f':
		case 'F': flags |= PYSTR_FORMAT; break;
		default: break;
		}
		i++;
	}
	if (i >= len)
		return mg_error_set(err, MG_ERR, "not a string literal");
	q = tok[i];
	qlen = (i + 2 < len && tok[i + 1] == q && tok[i + 2] == q && len - i >= 6) ? 3 : 1;
	body_start = i + qlen;
	if (len < body_start + qlen)
		return mg_error_set(err, MG_ERR, "malformed string literal");
	body_end = len - qlen;

	for (i = body_start; i < body_end; i++) {
		unsigned char c = (unsigned char)tok[i];
		size_t run = i;

		/* a run of bytes that stand for themselves in any string form */
		while (run < body_end && stands_for_itself((unsigned char)tok[run]))
			run++;
		if (run > i) {
			buf_put(out, tok + i, run - i);
			i = run - 1;
			continue;
		}
		if ((flags & PYSTR_BYTES) && c >= 0x80)
			return mg_error_set(err, MG_ERR, "bytes can only contain ASCII literal characters");
		if (c == '\r') {
			buf_putc(out, '\n');
			if (i + 1 < body_end && tok[i + 1] == '\n')
				i++;
			continue;
		}
		if ((flags & PYSTR_FORMAT) && (c == '{' || c == '}')) {
			if (i + 1 < body_end && tok[i + 1] == (char)c) {
				buf_putc(out, (char)c);
				i++;
				continue;
			}
			if (c == '{')
				*has_fields = 1;
			buf_putc(out, (char)c);
			continue;
		}
		if (c != '\\' || (flags & PYSTR_RAW)) {
			if (c == '\\' && i + 1 < body_end) { /* raw: the backslash stays, the next char is literal */
				buf_putc(out, '\\');
				i++;
				c = (unsigned char)tok[i];
				if (c == '\r') {
					buf_putc(out, '\n');
					if (i + 1 < body_end && tok[i + 1] == '\n')
						i++;
					continue;
				}
			}
			put_source_byte(out, c, latin1);
			continue;
		}
		/* an escape sequence */
		if (++i >= body_end)
			return mg_error_set(err, MG_ERR, "string ends in a lone backslash");
		c = (unsigned char)tok[i];
		switch (c) {
		case '\n': break;
		case '\r':
			if (i + 1 < body_end && tok[i + 1] == '\n')
				i++;
			break;
		case '\\': buf_putc(out, '\\'); break;
		case '\'': buf_putc(out, '\''); break;
		case '"': buf_putc(out, '"'); break;
		case 'a': buf_putc(out, '\a'); break;
		case 'b': buf_putc(out, '\b'); break;
		case 'f': buf_putc(out, '\f'); break;
		case 'n': buf_putc(out, '\n'); break;
		case 'r': buf_putc(out, '\r'); break;
		case 't': buf_putc(out, '\t'); break;
		case 'v': buf_putc(out, '\v'); break;
		case '0':
		case '1':
		case '2':
		case '3':
		case '4':
		case '5':
		case '6':
		case '7': {
			unsigned long v = (unsigned long)(c - '0');
			int k;
			for (k = 0; k < 2 && i + 1 < body_end && tok[i + 1] >= '0' && tok[i + 1] <= '7'; k++)
				v = v * 8 + (unsigned long)(tok[++i] - '0');
			if (flags & PYSTR_BYTES)
				buf_putc(out, (char)(v & 0xFF));
			else
				put_utf8(out, v);
			break;
		}
		case 'x':
		case 'u':
		case 'U': {
			int digits = c == 'x' ? 2 : c == 'u' ? 4
							     : 8,
			    k;
			unsigned long v = 0;
			if (c != 'x' && (flags & PYSTR_BYTES)) {
				buf_putc(out, '\\');
				buf_putc(out, (char)c);
				break;
			}
			for (k = 0; k < digits; k++) {
				int h = i + 1 < body_end ? hexval(tok[i + 1]) : -1;
				if (h < 0)
					return mg_error_set(err, MG_ERR, "truncated \\%c escape", c);
				v = v * 16 + (unsigned long)h;
				i++;
			}
			if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
				return mg_error_set(err, MG_ERR, "escape \\%c produces an invalid character", c);
			if (flags & PYSTR_BYTES)
				buf_putc(out, (char)v);
			else
				put_utf8(out, v);
			break;
		}
		case 'N':
			if (!(flags & PYSTR_BYTES))
				return mg_error_set(err, MG_ERR, "\\N{...} escapes are not supported");
			buf_putc(out, '\\');
			buf_putc(out, 'N');
			break;
		default:
			buf_putc(out, '\\');
			put_source_byte(out, c, latin1);
		}
	}
	return 0;
}

/* ---- expression evaluation ---------------------------------------------- */

typedef struct evalres {
	pyvalue v;
	buf why; /* for PYV_BAD: a phrase such as "a function call" */
} evalres;

static void evalres_bad(evalres *r, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void evalres_bad(evalres *r, int line, const char *fmt, ...)
{
	va_list ap;

	pyvalue_release(&r->v);
	r->v.kind = PYV_BAD;
	r->v.line = line;
	buf_truncate(&r->why, 0);
	va_start(ap, fmt);
	buf_vprintf(&r->why, fmt, ap);
	va_end(ap);
	if (r->why.len > 300) /* a reason built from nested reasons stays short */
		buf_truncate(&r->why, 300);
}

static constant *find_const(scanner *s, const char *name, size_t len)
{
	size_t i;

	for (i = s->nconsts; i-- > 0;)
		if (strlen(s->consts[i].name) == len && !memcmp(s->consts[i].name, name, len))
			return &s->consts[i];
	return NULL;
}

static const char *mapped_name(scanner *s, const char *key)
{
	int i;

	if (!s->names)
		return NULL;
	i = strvec_index(&s->names->keys, key);
	return i < 0 ? NULL : s->names->values.v[i];
}

/* A dotted reference to another module: look it up as written and, through
 * the file's imports, under its full origin. */
static void eval_external(scanner *s, evalres *r, const char *dotted, int line)
{
	const char *val = mapped_name(s, dotted);
	buf full = BUF_INIT;
	const char *dot = strchr(dotted, '.');
	size_t headlen = dot ? (size_t)(dot - dotted) : strlen(dotted);
	size_t i;

	if (!val) {
		for (i = s->import_names.n; i-- > 0;) {
			if (strlen(s->import_names.v[i]) == headlen && !memcmp(s->import_names.v[i], dotted, headlen)) {
				buf_puts(&full, s->import_targets.v[i]);
				buf_puts(&full, dotted + headlen);
				val = mapped_name(s, full.ptr);
				break;
			}
		}
	}
	if (val) {
		r->v.kind = PYV_STR;
		r->v.str = mg_strdup(val);
		r->v.line = line;
	} else {
		evalres_bad(r, line, "the name '%s' from another module; add '%s=<value>' to 'names' in the [mgate] section of alembic.ini",
			    dotted, dotted);
		r->v.kind = PYV_BAD;
	}
	buf_release(&full);
}

static void eval_expr(scanner *s, const pytok *t, size_t n, evalres *r);

/* +1 for an opening bracket token, -1 for a closing one, 0 otherwise. */
static int bracket_delta(const pytok *t)
{
	if (t->type != PYTOK_OP || t->len != 1)
		return 0;
	if (t->start[0] == '(' || t->start[0] == '[' || t->start[0] == '{')
		return 1;
	if (t->start[0] == ')' || t->start[0] == ']' || t->start[0] == '}')
		return -1;
	return 0;
}

/* Matching close bracket index for the opener at t[0], or n when none. */
static size_t match_bracket(const pytok *t, size_t n)
{
	int depth = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		int d = bracket_delta(&t[i]);
		depth += d;
		if (d < 0 && depth == 0)
			return i;
	}
	return n;
}

static void eval_strings(scanner *s, const pytok *t, size_t n, evalres *r)
{
	buf out = BUF_INIT;
	mg_error err = MG_ERROR_INIT;
	size_t i;
	int bytes_seen = 0, str_seen = 0;

	for (i = 0; i < n; i++) {
		int fields = 0;
		if (t[i].str_flags & PYSTR_BYTES)
			bytes_seen = 1;
		else
			str_seen = 1;
		if (pyscan_decode_string(&out, t[i].start, t[i].len, &fields, s->latin1, &err) < 0) {
			evalres_bad(r, t[i].line, "a string literal mgate cannot decode (%s)", err.msg);
			goto cleanup;
		}
		if (fields) {
			evalres_bad(r, t[i].line, "an f-string with replacement fields");
			goto cleanup;
		}
	}
	if (bytes_seen && str_seen) {
		evalres_bad(r, t[0].line, "a mix of bytes and str literals");
		goto cleanup;
	}
	if (bytes_seen) {
		evalres_bad(r, t[0].line, "a bytes literal, not a str");
		goto cleanup;
	}
	r->v.kind = PYV_STR;
	r->v.str = buf_detach(&out);
	r->v.line = t[0].line;
cleanup:
	buf_release(&out);
}

/* Evaluate a comma-separated sequence of elements (inside a tuple or list). */
static void eval_sequence(scanner *s, const pytok *t, size_t n, int is_list, int line, evalres *r)
{
	size_t i = 0, start = 0;
	int depth = 0;
	evalres el = { { 0 }, BUF_INIT };

	r->v.kind = PYV_SEQ;
	r->v.is_list = is_list;
	r->v.line = line;
	for (i = 0; i <= n; i++) {
		int sep = (i == n);
		if (!sep) {
			depth += bracket_delta(&t[i]);
			sep = depth == 0 && pytok_is_op(&t[i], ",");
		}
		if (!sep)
			continue;
		if (i == start) {
			if (i == n && i > 0) /* a trailing comma */
				break;
			if (n == 0)
				break;
			evalres_bad(r, line, "a malformed sequence");
			goto cleanup;
		}
		pyvalue_release(&el.v);
		buf_truncate(&el.why, 0);
		eval_expr(s, t + start, i - start, &el);
		if (el.v.kind == PYV_BAD) {
			evalres_bad(r, el.v.line, "%s", el.why.ptr);
			goto cleanup;
		}
		if (el.v.kind != PYV_STR) {
			evalres_bad(r, line, "a %s containing something other than strings", is_list ? "list" : "tuple");
			goto cleanup;
		}
		strvec_push(&r->v.items, el.v.str);
		start = i + 1;
	}
cleanup:
	pyvalue_release(&el.v);
	buf_release(&el.why);
}

static int has_top_comma(const pytok *t, size_t n)
{
	int depth = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		depth += bracket_delta(&t[i]);
		if (depth == 0 && pytok_is_op(&t[i], ","))
			return 1;
	}
	return 0;
}

static const char *describe_expression(const pytok *t, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i++)
		if ((t[i].type == PYTOK_NAME || pytok_is_op(&t[i], ")")) && pytok_is_op(&t[i + 1], "("))
			return "a function call";
	return "an expression";
}

static void eval_expr(scanner *s, const pytok *t, size_t n, evalres *r)
{
	size_t i;
	int line = n ? t[0].line : 0;

	if (n == 0) {
		evalres_bad(r, line, "an empty expression");
		return;
	}
	if (has_top_comma(t, n)) {
		eval_sequence(s, t, n, 0, line, r);
		return;
	}
	for (i = 0; i < n && t[i].type == PYTOK_STRING; i++)
		;
	if (i == n) {
		eval_strings(s, t, n, r);
		return;
	}
	if (n == 1 && t[0].type == PYTOK_NAME) {
		constant *c;
		if (pytok_text_is(&t[0], "None")) {
			r->v.kind = PYV_NONE;
			r->v.line = line;
			return;
		}
		if (pytok_text_is(&t[0], "True") || pytok_text_is(&t[0], "False")) {
			evalres_bad(r, line, "a boolean");
			return;
		}
		c = find_const(s, t[0].start, t[0].len);
		if (c) {
			if (c->value.kind == PYV_BAD) {
				evalres_bad(r, line, "the name '%s', which is %s (line %d)", c->name, c->bad_reason, c->line);
			} else {
				pyvalue_copy(&r->v, &c->value);
				r->v.line = line;
			}
			return;
		}
		{
			char *name = tok_text(&t[0]);
			int imported = strvec_index(&s->import_names, name) >= 0;
			if (imported || mapped_name(s, name)) {
				eval_external(s, r, name, line);
			} else {
				evalres_bad(r, line, "the name '%s', which this file never assigns at module level", name);
			}
			free(name);
		}
		return;
	}
	if (n == 1 && t[0].type == PYTOK_NUMBER) {
		evalres_bad(r, line, "a number");
		return;
	}
	/* dotted name: a.b.c */
	if (n >= 3 && n % 2 == 1) {
		int dotted = 1;
		for (i = 0; i < n; i++)
			if ((i % 2 == 0 && t[i].type != PYTOK_NAME) || (i % 2 == 1 && !pytok_is_op(&t[i], ".")))
				dotted = 0;
		if (dotted) {
			buf d = BUF_INIT;
			for (i = 0; i < n; i++)
				buf_put(&d, t[i].start, t[i].len);
			eval_external(s, r, d.ptr, line);
			buf_release(&d);
			return;
		}
	}
	if (pytok_is_op(&t[0], "(") && match_bracket(t, n) == n - 1) {
		if (n == 2) {
			r->v.kind = PYV_SEQ;
			r->v.line = line;
			return;
		}
		if (has_top_comma(t + 1, n - 2))
			eval_sequence(s, t + 1, n - 2, 0, line, r);
		else
			eval_expr(s, t + 1, n - 2, r);
		return;
	}
	if (pytok_is_op(&t[0], "[") && match_bracket(t, n) == n - 1) {
		eval_sequence(s, t + 1, n - 2, 1, line, r);
		return;
	}
	evalres_bad(r, line, "%s", describe_expression(t, n));
}

/* ---- statements --------------------------------------------------------- */

static void set_const(scanner *s, const char *name, size_t len, const pyvalue *v, const char *why, int line)
{
	constant *c = find_const(s, name, len);

	if (!c) {
		if (s->nconsts == s->consts_alloc) {
			s->consts_alloc = s->consts_alloc ? s->consts_alloc * 2 : 16;
			s->consts = mg_realloc(s->consts, s->consts_alloc * sizeof(*s->consts));
		}
		c = &s->consts[s->nconsts++];
		memset(c, 0, sizeof(*c));
		c->name = mg_strndup(name, len);
	} else {
		pyvalue_release(&c->value);
		free(c->bad_reason);
		c->bad_reason = NULL;
	}
	c->line = line;
	if (v) {
		pyvalue_copy(&c->value, v);
	} else {
		c->value.kind = PYV_BAD;
	}
	if (c->value.kind == PYV_BAD)
		c->bad_reason = mg_strdup(why ? why : "computed");
}

static void assign_watched(scanner *s, int idx, const evalres *r, int line)
{
	pyvalue *slot = watched_slot(s->mod, idx);

	pyvalue_release(slot);
	pyvalue_copy(slot, &r->v);
	slot->line = line;
	if (r->v.kind == PYV_BAD)
		add_diag(s->mod, line, PYSCAN_ERROR, "computed-value",
			 "%s is set to %s; mgate reads values without running Python and never guesses them",
			 watched_names[idx], r->why.ptr);
}

/* Bind one assignment target (a token range) to a value. */
static void bind_target(scanner *s, const pytok *t, size_t n, const evalres *r, int line)
{
	size_t i;

	if (n == 1 && t[0].type == PYTOK_NAME) {
		int idx = watched_index(&t[0]);
		if (idx >= 0)
			assign_watched(s, idx, r, line);
		set_const(s, t[0].start, t[0].len, &r->v, r->why.ptr, line);
		return;
	}
	/* unpacking, attribute or subscript targets */
	for (i = 0; i < n; i++) {
		int idx = watched_index(&t[i]);
		int is_plain = t[i].type == PYTOK_NAME && (i == 0 || !pytok_is_op(&t[i - 1], "."));
		if (!is_plain)
			continue;
		if (i + 1 < n && (pytok_is_op(&t[i + 1], ".") || pytok_is_op(&t[i + 1], "[")))
			continue;
		if (idx >= 0) {
			pyvalue *slot = watched_slot(s->mod, idx);
			pyvalue_release(slot);
			slot->kind = PYV_BAD;
			slot->line = line;
			add_diag(s->mod, line, PYSCAN_ERROR, "computed-value",
				 "%s is set by unpacking; mgate reads values without running Python and never guesses them",
				 watched_names[idx]);
		}
		set_const(s, t[i].start, t[i].len, NULL, "set by unpacking", line);
	}
}

static void record_import(scanner *s, const char *local, size_t llen, const char *origin, size_t olen)
{
	strvec_push_n(&s->import_names, local, llen);
	strvec_push_n(&s->import_targets, origin, olen);
}

/* `import a.b as c, d` and `from m import x as y, z` */
static void handle_import(scanner *s, const pytok *t, size_t n)
{
	buf mod = BUF_INIT, item = BUF_INIT;
	size_t i = 1;

	if (pytok_text_is(&t[0], "from")) {
		for (; i < n && !pytok_is_name(&t[i], "import"); i++)
			buf_put(&mod, t[i].start, t[i].len);
		i++;
		for (; i < n; i++) {
			if (t[i].type != PYTOK_NAME)
				continue;
			const pytok *local = &t[i];
			buf_truncate(&item, 0);
			buf_put(&item, mod.ptr, mod.len);
			buf_putc(&item, '.');
			buf_put(&item, t[i].start, t[i].len);
			if (i + 2 < n && pytok_is_name(&t[i + 1], "as") && t[i + 2].type == PYTOK_NAME) {
				local = &t[i + 2];
				i += 2;
			}
			record_import(s, local->start, local->len, item.ptr, item.len);
		}
	} else {
		while (i < n) {
			size_t start = i;
			buf_truncate(&item, 0);
			while (i < n && !pytok_is_op(&t[i], ",") && !pytok_is_name(&t[i], "as")) {
				buf_put(&item, t[i].start, t[i].len);
				i++;
			}
			if (i + 1 < n && pytok_is_name(&t[i], "as"))
				record_import(s, t[i + 1].start, t[i + 1].len, item.ptr, item.len);
			else if (i > start)
				record_import(s, t[start].start, t[start].len, t[start].start, t[start].len); /* `import a.b` binds `a` */
			/* on to the next comma-separated item, always making progress */
			while (i < n && !pytok_is_op(&t[i], ","))
				i++;
			i++;
		}
	}
	buf_release(&mod);
	buf_release(&item);
}

static int is_augmented_op(const pytok *t)
{
	static const char *const ops[] = { "+=", "-=", "*=", "/=", "//=", "%=", "**=", ">>=", "<<=",
					   "&=", "|=", "^=", "@=", NULL };
	int i;

	if (t->type != PYTOK_OP)
		return 0;
	for (i = 0; ops[i]; i++)
		if (pytok_is_op(t, ops[i]))
			return 1;
	return 0;
}

static void handle_docstring(scanner *s, const pytok *t, size_t n)
{
	evalres r = { { 0 }, BUF_INIT };

	eval_strings(s, t, n, &r);
	if (r.v.kind == PYV_STR && !(t[0].str_flags & PYSTR_FORMAT)) {
		s->mod->has_doc = 1;
		s->mod->doc = mg_strdup(r.v.str);
		s->mod->doc_line = t[0].line;
	}
	pyvalue_release(&r.v);
	buf_release(&r.why);
}

/* One simple statement (no ';' inside). */
static void handle_simple(scanner *s, const pytok *t, size_t n, int first_statement)
{
	size_t eqs[64], neq = 0, i, start;
	int depth = 0;
	evalres r = { { 0 }, BUF_INIT };
	size_t annot = (size_t)-1;

	if (n == 0)
		return;
	if (first_statement && t[0].type == PYTOK_STRING) {
		for (i = 0; i < n && t[i].type == PYTOK_STRING; i++)
			;
		if (i == n)
			handle_docstring(s, t, n);
		return;
	}
	if (pytok_is_name(&t[0], "import") || pytok_is_name(&t[0], "from")) {
		handle_import(s, t, n);
		return;
	}
	if (pytok_is_name(&t[0], "del")) {
		for (i = 1; i < n; i++) {
			int idx = watched_index(&t[i]);
			if (idx >= 0) {
				pyvalue_release(watched_slot(s->mod, idx));
				add_diag(s->mod, t[i].line, PYSCAN_ERROR, "computed-value", "%s is deleted with 'del'",
					 watched_names[idx]);
			}
		}
		return;
	}
	for (i = 0; i < n; i++) {
		int d = bracket_delta(&t[i]);
		if (t[i].type != PYTOK_OP)
			continue;
		if (d)
			depth += d;
		else if (depth == 0 && pytok_is_op(&t[i], "=") && neq < 64)
			eqs[neq++] = i;
		else if (depth == 0 && pytok_is_op(&t[i], ":") && neq == 0 && annot == (size_t)-1)
			annot = i;
		else if (depth == 0 && neq == 0 && is_augmented_op(&t[i])) {
			size_t k;
			for (k = 0; k < i; k++) {
				int idx = watched_index(&t[k]);
				if (idx >= 0 && i == 1)
					add_diag(s->mod, t[k].line, PYSCAN_ERROR, "computed-value",
						 "%s is changed with '%.*s'; mgate never guesses computed values",
						 watched_names[idx], (int)t[i].len, t[i].start);
				if (i == 1 && t[0].type == PYTOK_NAME)
					set_const(s, t[0].start, t[0].len, NULL, "changed by an augmented assignment", t[0].line);
			}
			return;
		}
	}
	if (neq == 0)
		return; /* an expression statement or a bare annotation */

	eval_expr(s, t + eqs[neq - 1] + 1, n - eqs[neq - 1] - 1, &r);
	start = 0;
	for (i = 0; i < neq; i++) {
		size_t end = eqs[i];
		if (i == 0 && annot != (size_t)-1 && annot < end)
			end = annot; /* `name: Annotation = value` */
		bind_target(s, t + start, end - start, &r, t[0].line);
		start = eqs[i] + 1;
	}
	pyvalue_release(&r.v);
	buf_release(&r.why);
}

static int is_compound_keyword(const pytok *t)
{
	static const char *const kws[] = { "if", "elif", "else", "for", "while", "try", "except", "finally",
					   "with", "def", "class", "async", "match", "case", NULL };
	int i;

	if (t->type != PYTOK_NAME)
		return 0;
	for (i = 0; kws[i]; i++)
		if (pytok_text_is(t, kws[i]))
			return 1;
	return 0;
}

enum body_kind { BODY_DEF,
		 BODY_CLASS,
		 BODY_CONTROL };

/* Index of the ':' ending a compound header, or n. */
static size_t header_colon(const pytok *t, size_t n)
{
	int depth = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		int d = bracket_delta(&t[i]);
		depth += d;
		if (!d && depth == 0 && pytok_is_op(&t[i], ":"))
			return i;
	}
	return n;
}

/* In a block whose code runs at import time, an assignment to a watched
 * name (or a constant) cannot be resolved statically. */
static void flag_block_assignment(scanner *s, const pytok *name, const pytok *next, const char *block)
{
	int idx;

	if (name->type != PYTOK_NAME || !next || next->type != PYTOK_OP)
		return;
	if (!pytok_is_op(next, "=") && !pytok_is_op(next, ":") && !pytok_is_op(next, ",") && !is_augmented_op(next))
		return;
	idx = watched_index(name);
	if (idx >= 0) {
		pyvalue *slot = watched_slot(s->mod, idx);
		pyvalue_release(slot);
		slot->kind = PYV_BAD;
		slot->line = name->line;
		add_diag(s->mod, name->line, PYSCAN_ERROR, "conditional-assignment",
			 "%s is assigned inside a '%s' block; which value Python keeps is only known when it runs",
			 watched_names[idx], block);
	}
	set_const(s, name->start, name->len, NULL, "assigned inside a block", name->line);
}

static int next_code_token(scanner *s, pytok *t)
{
	do {
		if (pytok_next(&s->ts, t) < 0)
			return -1;
	} while (t->type == PYTOK_COMMENT || t->type == PYTOK_NL);
	return 0;
}

static void report_syntax(scanner *s)
{
	add_diag(s->mod, s->ts.errline, PYSCAN_ERROR, "syntax-error", "%s", s->ts.errmsg);
	s->stopped = 1;
}

/*
 * Walk an indented block after a header that ended its line. Returns the
 * last line of the block. For control blocks, assignments to watched names
 * and constants are flagged.
 */
static int walk_block(scanner *s, enum body_kind kind, const char *block, int *body_line)
{
	pytok t, first;
	int depth, last_line = 0, at_stmt = 1, have_first = 0;

	if (next_code_token(s, &t) < 0) {
		report_syntax(s);
		return 0;
	}
	if (t.type != PYTOK_INDENT) {
		add_diag(s->mod, t.line, PYSCAN_ERROR, "syntax-error", "expected an indented block after '%s'", block);
		s->stopped = 1;
		return t.line;
	}
	depth = 1;
	for (;;) {
		if (next_code_token(s, &t) < 0) {
			report_syntax(s);
			return last_line;
		}
		if (t.type == PYTOK_ENDMARKER)
			return last_line;
		if (t.type == PYTOK_INDENT || t.type == PYTOK_DEDENT || t.type == PYTOK_NEWLINE) {
			if (t.type == PYTOK_INDENT)
				depth++;
			else if (t.type == PYTOK_DEDENT && --depth == 0)
				return last_line;
			if (t.type == PYTOK_NEWLINE)
				last_line = t.line;
			at_stmt = 1;
			have_first = 0;
			continue;
		}
		if (body_line && !*body_line)
			*body_line = t.line;
		if (kind == BODY_CONTROL) {
			if (have_first) {
				flag_block_assignment(s, &first, &t, block);
				have_first = 0;
			}
			if (at_stmt && !pytok_is_op(&t, ";")) {
				first = t;
				have_first = 1;
			}
		}
		at_stmt = pytok_is_op(&t, ";");
		last_line = t.end_line;
	}
}

static void record_def(scanner *s, const pytok *name, pyscan_span span)
{
	pyscan_span *slot = NULL;

	if (pytok_is_name(name, "upgrade"))
		slot = &s->mod->upgrade;
	else if (pytok_is_name(name, "downgrade"))
		slot = &s->mod->downgrade;
	if (!slot)
		return;
	if (slot->line)
		add_diag(s->mod, span.line, PYSCAN_WARNING, "duplicate-function",
			 "'%.*s' is defined again (first at line %d); Python keeps this last one", (int)name->len,
			 name->start, slot->line);
	*slot = span;
}

static void handle_compound(scanner *s, const pytok *t, size_t n)
{
	size_t colon = header_colon(t, n), k = 0;
	enum body_kind kind = BODY_CONTROL;
	const pytok *defname = NULL;
	char block[16];
	size_t blen;

	if (pytok_is_name(&t[0], "async") && n > 1)
		k = 1;
	if (pytok_is_name(&t[k], "def")) {
		kind = BODY_DEF;
		if (k + 1 < n && t[k + 1].type == PYTOK_NAME)
			defname = &t[k + 1];
	} else if (pytok_is_name(&t[k], "class")) {
		kind = BODY_CLASS;
	}
	blen = t[k].len < sizeof(block) - 1 ? t[k].len : sizeof(block) - 1;
	memcpy(block, t[k].start, blen);
	block[blen] = '\0';

	if (colon >= n) {
		add_diag(s->mod, t[0].line, PYSCAN_ERROR, "syntax-error", "expected ':' after '%s'", block);
		return;
	}
	if (colon + 1 < n) {
		/* the body is on the header line */
		if (kind == BODY_CONTROL) {
			size_t i;
			int at_stmt = 1;
			for (i = colon + 1; i < n; i++) {
				if (at_stmt && i + 1 < n)
					flag_block_assignment(s, &t[i], &t[i + 1], block);
				at_stmt = pytok_is_op(&t[i], ";");
			}
		}
		if (defname) {
			pyscan_span sp = { t[0].line, t[n - 1].end_line, t[colon + 1].line };
			record_def(s, defname, sp);
		}
		return;
	}
	{
		int body_line = 0;
		int end = walk_block(s, kind, block, &body_line);
		if (defname) {
			pyscan_span sp = { t[0].line, end, body_line };
			record_def(s, defname, sp);
		}
	}
}

static void handle_logical_line(scanner *s, const tokvec *line)
{
	const pytok *t = line->v;
	size_t n = line->n, i, start = 0;
	int depth = 0, first = !s->seen_statement;

	s->seen_statement = 1;
	if (n == 0)
		return;
	if (is_compound_keyword(&t[0]) && (!pytok_is_name(&t[0], "match") || pytok_is_op(&t[n - 1], ":")) &&
	    (!pytok_is_name(&t[0], "case") || pytok_is_op(&t[n - 1], ":")) &&
	    !(n > 1 && t[1].type == PYTOK_OP && (pytok_is_op(&t[1], "=") || pytok_is_op(&t[1], ".")))) {
		handle_compound(s, t, n);
		return;
	}
	if (pytok_is_op(&t[0], "@"))
		return; /* a decorator line; the decorated def follows */
	for (i = 0; i <= n; i++) {
		if (i < n)
			depth += bracket_delta(&t[i]);
		if (i == n || (depth == 0 && pytok_is_op(&t[i], ";"))) {
			handle_simple(s, t + start, i - start, first && start == 0);
			start = i + 1;
		}
	}
}

/* ---- encoding ----------------------------------------------------------- */

/* The coding cookie of PEP 263 on line 1, or on line 2 after a blank or
 * comment-only line 1, and its line. Returns a heap string or NULL. */
static char *find_coding(const char *src, size_t len, int *line)
{
	const char *p = src, *end = src + len;
	int lineno;

	if (len >= 3 && !memcmp(src, "\xEF\xBB\xBF", 3))
		p += 3;
	for (lineno = 1; lineno <= 2 && p < end; lineno++) {
		const char *eol = p, *q;
		int only_comment;
		while (eol < end && *eol != '\n' && *eol != '\r')
			eol++;
		q = p;
		while (q < eol && (*q == ' ' || *q == '\t' || *q == '\f'))
			q++;
		only_comment = (q == eol || *q == '#');
		if (q < eol && *q == '#') {
			const char *c;
			for (c = q; c + 6 <= eol; c++) {
				if (!memcmp(c, "coding", 6) && c + 6 < eol && (c[6] == ':' || c[6] == '=')) {
					const char *v = c + 7, *ve;
					while (v < eol && (*v == ' ' || *v == '\t'))
						v++;
					ve = v;
					while (ve < eol && (((*ve | 32) >= 'a' && (*ve | 32) <= 'z') || (*ve >= '0' && *ve <= '9') ||
							    *ve == '-' || *ve == '_' || *ve == '.'))
						ve++;
					if (ve > v) {
						*line = lineno;
						return mg_strndup(v, (size_t)(ve - v));
					}
				}
			}
		}
		if (!only_comment)
			break;
		p = eol;
		if (p < end && *p == '\r')
			p++;
		if (p < end && *p == '\n')
			p++;
	}
	return NULL;
}

/* What Python's tokenizer makes of a cookie before any codec lookup: a
 * spelling of utf-8 or latin-1 (any case, '_' for '-', and anything after
 * a further '-') is that encoding. Returns "utf-8", "latin-1" or NULL. */
static const char *tokenizer_encoding(const char *enc)
{
	char b[13];
	size_t i;

	for (i = 0; i < 12 && enc[i]; i++)
		b[i] = enc[i] == '_' ? '-' : (char)tolower((unsigned char)enc[i]);
	b[i] = 0;
	if (!strcmp(b, "utf-8") || !strncmp(b, "utf-8-", 6))
		return "utf-8";
	if (!strcmp(b, "latin-1") || !strcmp(b, "iso-8859-1") || !strcmp(b, "iso-latin-1") || !strncmp(b, "latin-1-", 8) ||
	    !strncmp(b, "iso-8859-1-", 11) || !strncmp(b, "iso-latin-1-", 12))
		return "latin-1";
	return NULL;
}

/* A codec name as Python's encodings package looks it up, in place: lower
 * case, each run of characters other than letters, digits and '.' one
 * '_', none at either end. */
static void normalise_codec(char *e)
{
	char *w = e;
	const char *r;
	int punct = 0;

	for (r = e; *r; r++) {
		if (isalnum((unsigned char)*r) || *r == '.') {
			if (punct && w > e)
				*w++ = '_';
			*w++ = (char)tolower((unsigned char)*r);
			punct = 0;
		} else {
			punct = 1;
		}
	}
	*w = 0;
}

static int cmp_codec(const void *key, const void *elem)
{
	return strcmp(key, ((const pycodec *)elem)->name);
}

/* Whether Python can read source in the (normalised) codec `name`: one of
 * its text encodings that keeps ASCII as ASCII (pycodecs.c). */
static int python_reads(const char *name)
{
	const pycodec *hit = bsearch(name, pycodecs, pycodecs_count, sizeof(pycodec), cmp_codec);
	char alt[64];
	size_t i;

	if (hit)
		return 1;
	if (strlen(name) >= sizeof(alt))
		return 0;
	for (i = 0; name[i]; i++)
		alt[i] = name[i] == '.' ? '_' : name[i];
	alt[i] = 0;
	hit = bsearch(alt, pycodecs, pycodecs_count, sizeof(pycodec), cmp_codec);
	return hit && hit->alias;
}

/* Whether `name` (normalised) is one of `list`. */
static int codec_is(const char *name, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(name, *list))
			return 1;
	return 0;
}

/* Offset of the first invalid UTF-8 sequence, or -1 when valid. */
static long utf8_invalid_at(const unsigned char *s, size_t len)
{
	size_t valid = utf8_valid_prefix(s, len);

	return valid < len ? (long)valid : -1;
}

static int line_of_offset(const char *src, size_t off)
{
	int line = 1;
	size_t i;

	for (i = 0; i < off; i++)
		if (src[i] == '\n' || (src[i] == '\r' && (i + 1 >= off || src[i + 1] != '\n')))
			line++;
	return line;
}

/* Decide how string bytes are to be read. Returns -1 when the file cannot
 * be decoded the way Python would (a diagnostic is added). */
static int check_encoding(scanner *s, const char *src, size_t len)
{
	static const char *const utf8_names[] = { "utf8", "utf_8", "u8", "utf", "utf8_ucs2", "utf8_ucs4", "cp65001",
						  "utf_8_sig", NULL };
	static const char *const ascii_names[] = { "ascii", "us_ascii", "646", "ansi_x3.4_1968", "ansi_x3_4_1968",
						   "ansi_x3.4_1986", "cp367", "csascii", "ibm367", "iso646_us",
						   "iso_646.irv_1991", "iso_ir_6", "us", NULL };
	static const char *const latin1_names[] = { "latin_1", "latin1", "iso8859_1", "iso_8859_1", "8859", "cp819",
						    "ibm819", "iso_ir_100", "l1", "latin", "iso_8859_1_1987", NULL };
	pyscan_module *m = s->mod;
	int cookie_line = 1;
	char *enc = find_coding(src, len, &cookie_line);
	const char *tok = enc ? tokenizer_encoding(enc) : NULL;
	long bad;
	int has_bom = len >= 3 && !memcmp(src, "\xEF\xBB\xBF", 3);

	m->encoding = enc;
	if (enc && has_bom && !(tok && !strcmp(tok, "utf-8"))) {
		/* Python's tokenizer takes only its own spellings of utf-8 after a BOM */
		add_diag(m, cookie_line, PYSCAN_ERROR, "encoding-error",
			 "the file starts with a UTF-8 BOM but declares encoding '%s'; Python accepts only utf-8 there "
			 "(\"encoding problem: %s with BOM\")",
			 enc, enc);
		return -1;
	}
	if (enc && !tok) {
		char *norm = mg_strdup(enc);
		normalise_codec(norm);
		if (!python_reads(norm)) {
			add_diag(m, cookie_line, PYSCAN_ERROR, "encoding-error",
				 "the file declares encoding '%s', which Python cannot read source in (unknown, or not a "
				 "text encoding that keeps ASCII); Alembic fails to load this revision with a SyntaxError",
				 enc);
			free(norm);
			return -1;
		}
		tok = codec_is(norm, utf8_names) ? "utf-8" : codec_is(norm, ascii_names) ? "ascii"
						     : codec_is(norm, latin1_names)      ? "latin-1"
											 : NULL;
		free(norm);
	}
	if (!enc || (tok && strcmp(tok, "latin-1"))) {
		int ascii = tok && !strcmp(tok, "ascii");
		bad = utf8_invalid_at((const unsigned char *)src, len);
		if (bad < 0 && ascii) {
			size_t i;
			for (i = 0; i < len; i++)
				if ((unsigned char)src[i] >= 0x80) {
					bad = (long)i;
					break;
				}
		}
		if (bad >= 0) {
			add_diag(m, line_of_offset(src, (size_t)bad), PYSCAN_ERROR, "encoding-error",
				 "byte 0x%02x is not valid %s and no other encoding is declared; Python refuses to import this file",
				 (unsigned char)src[bad], ascii ? "ASCII" : "UTF-8");
			return -1;
		}
		return 0;
	}
	if (tok) {
		s->latin1 = 1;
		return 0;
	}
	{
		size_t i;
		for (i = 0; i < len; i++)
			if ((unsigned char)src[i] >= 0x80) {
				add_diag(m, line_of_offset(src, i), PYSCAN_WARNING, "encoding-unsupported",
					 "the file declares encoding '%s', which mgate does not decode; non-ASCII text is read as bytes",
					 enc);
				break;
			}
	}
	return 0;
}

/* ---- docstring cross-check ---------------------------------------------- */

static void format_down(buf *out, const pyvalue *v)
{
	size_t i;

	if (v->kind == PYV_STR)
		buf_puts(out, v->str);
	for (i = 0; v->kind == PYV_SEQ && i < v->items.n; i++) {
		if (i)
			buf_puts(out, ", ");
		buf_puts(out, v->items.v[i]);
	}
}

static void trim(const char **b, const char **e)
{
	while (*b < *e && (**b == ' ' || **b == '\t'))
		(*b)++;
	while (*e > *b && ((*e)[-1] == ' ' || (*e)[-1] == '\t' || (*e)[-1] == '\r'))
		(*e)--;
}

static void check_docstring(pyscan_module *m)
{
	const char *p, *eol;

	if (!m->has_doc)
		return;
	for (p = m->doc; *p; p = *eol ? eol + 1 : eol) {
		const char *b, *e;
		int is_id;
		eol = strchr(p, '\n');
		if (!eol)
			eol = p + strlen(p);
		b = p;
		while (b < eol && (*b == ' ' || *b == '\t'))
			b++;
		is_id = !strncmp(b, "Revision ID:", 12);
		if (!is_id && strncmp(b, "Revises:", 8))
			continue;
		b += is_id ? 12 : 8;
		e = eol;
		trim(&b, &e);
		if (is_id && m->revision.kind == PYV_STR) {
			if (strlen(m->revision.str) != (size_t)(e - b) || memcmp(m->revision.str, b, (size_t)(e - b)))
				add_diag(m, m->revision.line, PYSCAN_INFO, "docstring-mismatch",
					 "the docstring says 'Revision ID: %.*s' but revision is '%s'", (int)(e - b), b,
					 m->revision.str);
		} else if (!is_id && (m->down_revision.kind == PYV_STR || m->down_revision.kind == PYV_SEQ ||
				      m->down_revision.kind == PYV_NONE)) {
			buf want = BUF_INIT, said = BUF_INIT;
			const char *q;
			format_down(&want, &m->down_revision);
			/* compare ignoring spacing around commas */
			for (q = b; q < e; q++)
				if (*q != ' ')
					buf_putc(&said, *q);
			{
				buf w2 = BUF_INIT;
				for (q = want.ptr; *q; q++)
					if (*q != ' ')
						buf_putc(&w2, *q);
				if (strcmp(w2.ptr, said.ptr))
					add_diag(m, m->down_revision.line, PYSCAN_INFO, "docstring-mismatch",
						 "the docstring says 'Revises: %.*s' but down_revision is '%s'", (int)(e - b), b,
						 want.len ? want.ptr : "None");
				buf_release(&w2);
			}
			buf_release(&want);
			buf_release(&said);
		}
	}
}

/* ---- entry point -------------------------------------------------------- */

int pyscan_source(pyscan_module *out, const char *src, size_t len, const pyscan_names *names, mg_error *err)
{
	scanner s;
	tokvec line = { NULL, 0, 0 };
	pytok t;
	size_t i;

	(void)err;
	memset(out, 0, sizeof(*out));
	memset(&s, 0, sizeof(s));
	s.mod = out;
	s.names = names;

	if (check_encoding(&s, src, len) < 0)
		goto cleanup;
	pytok_init(&s.ts, src, len);
	while (!s.stopped) {
		if (next_code_token(&s, &t) < 0) {
			report_syntax(&s);
			break;
		}
		if (t.type == PYTOK_ENDMARKER)
			break;
		if (t.type == PYTOK_INDENT) {
			add_diag(out, t.line, PYSCAN_ERROR, "syntax-error", "unexpected indent");
			break;
		}
		if (t.type == PYTOK_NEWLINE || t.type == PYTOK_DEDENT)
			continue;
		line.n = 0;
		while (t.type != PYTOK_NEWLINE && t.type != PYTOK_ENDMARKER) {
			tokvec_push(&line, &t);
			if (next_code_token(&s, &t) < 0) {
				report_syntax(&s);
				break;
			}
		}
		if (s.stopped)
			break;
		handle_logical_line(&s, &line);
	}
	check_docstring(out);
cleanup:
	free(line.v);
	for (i = 0; i < s.nconsts; i++) {
		free(s.consts[i].name);
		free(s.consts[i].bad_reason);
		pyvalue_release(&s.consts[i].value);
	}
	free(s.consts);
	strvec_release(&s.import_names);
	strvec_release(&s.import_targets);
	return MG_OK;
}

void pyscan_code_tokens(strvec *out, const char *src, size_t len, int skip_from, int skip_to)
{
	pytok_state st;
	pytok t;
	int first = 1;

	pytok_init(&st, src, len);
	while (pytok_next(&st, &t) == 0 && t.type != PYTOK_ENDMARKER) {
		if (t.type == PYTOK_COMMENT || t.type == PYTOK_NL)
			continue;
		if (first && t.type == PYTOK_STRING) {
			first = 0;
			continue; /* the module docstring says, it does not do */
		}
		first = 0;
		if (skip_from && t.line >= skip_from && t.line <= skip_to)
			continue;
		if (t.type == PYTOK_INDENT || t.type == PYTOK_DEDENT || t.type == PYTOK_NEWLINE)
			strvec_push(out, pytok_type_name(t.type));
		else
			strvec_push_n(out, t.start, t.len);
	}
}

void pyscan_downgrade_lines(const char *src, size_t len, const pyscan_names *names, int *from, int *to)
{
	pyscan_module m;

	pyscan_source(&m, src, len, names, NULL);
	*from = m.downgrade.line;
	*to = m.downgrade.end_line;
	pyscan_module_release(&m);
}

int pyscan_has_errors(const pyscan_module *m)
{
	size_t i;

	for (i = 0; i < m->ndiags; i++)
		if (m->diags[i].severity == PYSCAN_ERROR)
			return 1;
	return 0;
}

void pyscan_module_release(pyscan_module *m)
{
	size_t i;

	if (!m)
		return;
	pyvalue_release(&m->revision);
	pyvalue_release(&m->down_revision);
	pyvalue_release(&m->branch_labels);
	pyvalue_release(&m->depends_on);
	free(m->doc);
	free(m->encoding);
	for (i = 0; i < m->ndiags; i++) {
		free(m->diags[i].code);
		free(m->diags[i].message);
	}
	free(m->diags);
	memset(m, 0, sizeof(*m));
}
