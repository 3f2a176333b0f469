/*
 * pytok.c: Python tokenizer (see pytok.h for the contract).
 *
 * Indentation follows CPython: a tab advances the column to the next
 * multiple of 8, and the same line measured with tabs as width 1 must
 * order the same way against the indent stack, otherwise the file mixes
 * tabs and spaces inconsistently (CPython's TabError).
 */
#include "python/pytok.h"

#include <stdio.h>
#include <string.h>

#include "util/banned.h"

void pytok_init(pytok_state *st, const char *src, size_t len)
{
	memset(st, 0, sizeof(*st));
	st->src = src;
	st->p = src;
	st->end = src + len;
	if (len >= 3 && (unsigned char)src[0] == 0xEF && (unsigned char)src[1] == 0xBB &&
	    (unsigned char)src[2] == 0xBF)
		st->p += 3;
	st->line = 1;
	st->at_bol = 1;
}

static int fail(pytok_state *st, pytok *out, int line, const char *msg)
{
	if (!st->done) {
		snprintf(st->errmsg, sizeof(st->errmsg), "%s", msg);
		st->errline = line;
	}
	st->done = 1;
	memset(out, 0, sizeof(*out));
	out->type = PYTOK_ERROR;
	out->line = out->end_line = st->errline;
	out->start = st->p;
	return -1;
}

/* Length of the line break at p (1 or 2), or 0. */
static size_t eol_len(const pytok_state *st, const char *p)
{
	if (p >= st->end)
		return 0;
	if (*p == '\n')
		return 1;
	if (*p == '\r')
		return (p + 1 < st->end && p[1] == '\n') ? 2 : 1;
	return 0;
}

static int is_name_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static int is_name_char(unsigned char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

static void emit(pytok *out, pytok_type type, const char *start, const char *end, int line, int end_line,
		 const char *line_start_guess)
{
	(void)line_start_guess;
	memset(out, 0, sizeof(*out));
	out->type = type;
	out->start = start;
	out->len = (size_t)(end - start);
	out->line = line;
	out->end_line = end_line;
}

/* Column of `p` on its physical line. Tokens come in order, so the line
 * start is carried from the last one: linear even on a megabyte-long line. */
static int column_of(pytok_state *st, const char *p)
{
	const char *q;

	if (st->col_from && p >= st->col_from) {
		for (q = st->col_from; q < p; q++)
			if (*q == '\n' || *q == '\r')
				st->col_start = q + 1;
	} else {
		for (q = p; q > st->src && q[-1] != '\n' && q[-1] != '\r';)
			q--;
		st->col_start = q;
	}
	st->col_from = p;
	return (int)(p - st->col_start);
}

/*
 * At the start of a logical line: measure the indentation and queue
 * INDENT/DEDENT tokens. Blank and comment-only lines do not count.
 * Returns 1 when a token was produced in `out`, 0 when none, -1 on error.
 */
static int handle_indent(pytok_state *st, pytok *out)
{
	int col = 0, alt = 0;
	const char *p = st->p;

	while (p < st->end) {
		if (*p == ' ') {
			col++;
			alt++;
		} else if (*p == '\t') {
			col = (col / 8 + 1) * 8;
			alt++;
		} else if (*p == '\f') {
			col = alt = 0;
		} else {
			break;
		}
		p++;
	}
	st->p = p;
	st->at_bol = 0;
	if (p >= st->end || *p == '#' || eol_len(st, p) || (*p == '\\' && eol_len(st, p + 1)))
		return 0; /* blank, comment-only or continuation-only line */

	if (col == st->indents[st->nindent]) {
		if (alt != st->alt_indents[st->nindent])
			return fail(st, out, st->line, "inconsistent use of tabs and spaces in indentation");
		return 0;
	}
	if (col > st->indents[st->nindent]) {
		if (st->nindent + 1 >= PYTOK_MAX_INDENT)
			return fail(st, out, st->line, "too many levels of indentation");
		if (alt <= st->alt_indents[st->nindent])
			return fail(st, out, st->line, "inconsistent use of tabs and spaces in indentation");
		st->nindent++;
		st->indents[st->nindent] = col;
		st->alt_indents[st->nindent] = alt;
		emit(out, PYTOK_INDENT, st->p - (p - st->p), p, st->line, st->line, NULL);
		return 1;
	}
	while (st->nindent > 0 && col < st->indents[st->nindent]) {
		st->nindent--;
		st->pending_dedents++;
	}
	if (col != st->indents[st->nindent])
		return fail(st, out, st->line, "unindent does not match any outer indentation level");
	if (alt != st->alt_indents[st->nindent])
		return fail(st, out, st->line, "inconsistent use of tabs and spaces in indentation");
	return 0;
}

static int string_prefix_flags(const char *s, size_t n, unsigned *flags)
{
	unsigned f = 0;
	size_t i;

	if (n > 2)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned bit;
		switch (s[i]) {
		case 'r':
		case 'R': bit = PYSTR_RAW; break;
		case 'b':
		case 'B': bit = PYSTR_BYTES; break;
		case 'f':
		case 'F': bit = PYSTR_FORMAT; break;
		case 'u':
		case 'U': bit = PYSTR_UNICODE; break;
		default: return 0;
		}
		if (f & bit)
			return 0;
		f |= bit;
	}
	if ((f & PYSTR_UNICODE) && n > 1)
		return 0; /* u combines with nothing */
	if ((f & PYSTR_BYTES) && (f & PYSTR_FORMAT))
		return 0;
	*flags = f;
	return 1;
}

/* Scan a string body starting at the opening quote. */
static int scan_string(pytok_state *st, pytok *out, const char *tok_start, size_t prefix_len, unsigned flags)
{
	const char *p = tok_start + prefix_len;
	char q = *p;
	int start_line = st->line, triple = 0;
	size_t el;

	if (p + 2 < st->end && p[1] == q && p[2] == q) {
		triple = 1;
		p += 3;
	} else {
		p += 1;
	}
	for (;;) {
		if (p >= st->end) {
			st->p = p;
			return fail(st, out, start_line, triple ? "unterminated triple-quoted string literal" : "unterminated string literal");
		}
		if (*p == '\\') {
			p++;
			if ((el = eol_len(st, p)) != 0) {
				p += el;
				st->line++;
			} else if (p < st->end) {
				p++;
			}
			continue;
		}
		if ((el = eol_len(st, p)) != 0) {
			if (!triple) {
				st->p = p;
				return fail(st, out, start_line, "unterminated string literal");
			}
			p += el;
			st->line++;
			continue;
		}
		if (*p == q) {
			if (!triple) {
				p++;
				break;
			}
			if (p + 2 < st->end && p[1] == q && p[2] == q) {
				p += 3;
				break;
			}
		}
		p++;
	}
	emit(out, PYTOK_STRING, tok_start, p, start_line, st->line, NULL);
	out->str_flags = flags | (triple ? PYSTR_TRIPLE : 0);
	out->prefix_len = prefix_len;
	out->col = column_of(st, tok_start);
	st->p = p;
	return 0;
}

/* Python's operators and delimiters of two and three characters; every
 * one begins with a one-character operator. */
static const char *const ops3[] = { "**=", "//=", ">>=", "<<=", "...", NULL };
static const char *const ops2[] = { "**", "//", "<<", ">>", "<=", ">=", "==", "!=", "->", "+=", "-=", "*=",
				    "/=", "%=", "&=", "|=", "^=", "@=", ":=", NULL };
static const unsigned char is_op1[256] = {
	['('] = 1,
	[')'] = 1,
	['['] = 1,
	[']'] = 1,
	['{'] = 1,
	['}'] = 1,
	[':'] = 1,
	[','] = 1,
	[';'] = 1,
	['+'] = 1,
	['-'] = 1,
	['*'] = 1,
	['/'] = 1,
	['|'] = 1,
	['&'] = 1,
	['<'] = 1,
	['>'] = 1,
	['='] = 1,
	['.'] = 1,
	['%'] = 1,
	['~'] = 1,
	['^'] = 1,
	['@'] = 1,
	['!'] = 1,
};

/* Length of the longest operator at `p` (`avail` bytes left), 0 for none. */
static size_t op_len(const char *p, size_t avail)
{
	int i;

	if (!avail || !is_op1[(unsigned char)*p])
		return 0;
	if (avail >= 3)
		for (i = 0; ops3[i]; i++)
			if (p[0] == ops3[i][0] && p[1] == ops3[i][1] && p[2] == ops3[i][2])
				return 3;
	if (avail >= 2)
		for (i = 0; ops2[i]; i++)
			if (p[0] == ops2[i][0] && p[1] == ops2[i][1])
				return 2;
	return 1;
}

static int scan_op(pytok_state *st, pytok *out)
{
	const char *p = st->p;
	size_t n = op_len(p, (size_t)(st->end - p));

	if (!n) {
		char msg[64];
		snprintf(msg, sizeof(msg), "invalid character '\\x%02x' in source", (unsigned char)*p);
		if ((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f)
			snprintf(msg, sizeof(msg), "invalid character '%c' in source", *p);
		return fail(st, out, st->line, msg);
	}
	if (n == 1 && (*p == '(' || *p == '[' || *p == '{')) {
		if (st->nparen >= PYTOK_MAX_PAREN)
			return fail(st, out, st->line, "too many nested parentheses");
		st->parens[st->nparen] = *p;
		st->paren_lines[st->nparen++] = st->line;
	} else if (n == 1 && (*p == ')' || *p == ']' || *p == '}')) {
		char want = *p == ')' ? '(' : *p == ']' ? '['
							: '{';
		char msg[96];
		if (st->nparen == 0) {
			snprintf(msg, sizeof(msg), "unmatched '%c'", *p);
			return fail(st, out, st->line, msg);
		}
		if (st->parens[st->nparen - 1] != want) {
			snprintf(msg, sizeof(msg), "closing parenthesis '%c' does not match opening parenthesis '%c' on line %d",
				 *p, st->parens[st->nparen - 1], st->paren_lines[st->nparen - 1]);
			return fail(st, out, st->line, msg);
		}
		st->nparen--;
	}
	emit(out, PYTOK_OP, p, p + n, st->line, st->line, NULL);
	out->col = column_of(st, p);
	st->p = p + n;
	return 0;
}

static void scan_number(pytok_state *st, pytok *out)
{
	const char *p = st->p;
	int hex = (p + 1 < st->end && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'));

	while (p < st->end) {
		unsigned char c = (unsigned char)*p;
		if (is_name_char(c) && c < 0x80) {
			p++;
		} else if (c == '.') {
			p++;
		} else if ((c == '+' || c == '-') && !hex && (p[-1] == 'e' || p[-1] == 'E')) {
			p++;
		} else {
			break;
		}
	}
	emit(out, PYTOK_NUMBER, st->p, p, st->line, st->line, NULL);
	out->col = column_of(st, st->p);
	st->p = p;
}

int pytok_next(pytok_state *st, pytok *out)
{
	size_t el;
	int r;

	if (st->done && st->errmsg[0])
		return fail(st, out, st->errline, st->errmsg);
again:
	if (st->pending_dedents > 0) {
		st->pending_dedents--;
		emit(out, PYTOK_DEDENT, st->p, st->p, st->line, st->line, NULL);
		return 0;
	}
	if (st->at_bol && st->nparen == 0) {
		r = handle_indent(st, out);
		if (r < 0)
			return -1;
		if (r > 0)
			return 0;
		if (st->pending_dedents > 0)
			goto again;
	}
	st->at_bol = 0;
	while (st->p < st->end && (*st->p == ' ' || *st->p == '\t' || *st->p == '\f'))
		st->p++;

	if (st->p >= st->end) {
		if (st->nparen > 0) {
			char msg[64];
			snprintf(msg, sizeof(msg), "'%c' was never closed", st->parens[st->nparen - 1]);
			return fail(st, out, st->paren_lines[st->nparen - 1], msg);
		}
		if (st->line_has_code) {
			st->line_has_code = 0;
			emit(out, PYTOK_NEWLINE, st->p, st->p, st->line, st->line, NULL);
			return 0;
		}
		if (st->nindent > 0) {
			st->nindent--;
			emit(out, PYTOK_DEDENT, st->p, st->p, st->line, st->line, NULL);
			return 0;
		}
		st->done = 1;
		emit(out, PYTOK_ENDMARKER, st->p, st->p, st->line, st->line, NULL);
		return 0;
	}

	{
		const char *p = st->p;
		unsigned char c = (unsigned char)*p;

		if (c == '\0')
			return fail(st, out, st->line, "source code cannot contain null bytes");
		if (c == '#') {
			const char *e = p;
			while (e < st->end && !eol_len(st, e))
				e++;
			emit(out, PYTOK_COMMENT, p, e, st->line, st->line, NULL);
			out->col = column_of(st, p);
			st->p = e;
			return 0;
		}
		if ((el = eol_len(st, p)) != 0) {
			int was_code = st->line_has_code && st->nparen == 0;
			emit(out, was_code ? PYTOK_NEWLINE : PYTOK_NL, p, p + el, st->line, st->line, NULL);
			st->p = p + el;
			st->line++;
			st->at_bol = 1;
			if (was_code)
				st->line_has_code = 0;
			return 0;
		}
		if (c == '\\') {
			if ((el = eol_len(st, p + 1)) != 0) {
				st->p = p + 1 + el;
				st->line++;
				if (st->p >= st->end)
					return fail(st, out, st->line - 1, "unexpected end of file after line continuation");
				goto again;
			}
			return fail(st, out, st->line, "unexpected character after line continuation character");
		}
		st->line_has_code = 1;
		if (is_name_start(c)) {
			const char *e = p;
			unsigned flags;
			while (e < st->end && is_name_char((unsigned char)*e))
				e++;
			if (e < st->end && (*e == '\'' || *e == '"') && string_prefix_flags(p, (size_t)(e - p), &flags))
				return scan_string(st, out, p, (size_t)(e - p), flags);
			emit(out, PYTOK_NAME, p, e, st->line, st->line, NULL);
			out->col = column_of(st, p);
			st->p = e;
			return 0;
		}
		if ((c >= '0' && c <= '9') || (c == '.' && p + 1 < st->end && p[1] >= '0' && p[1] <= '9')) {
			scan_number(st, out);
			return 0;
		}
		if (c == '\'' || c == '"')
			return scan_string(st, out, p, 0, 0);
		return scan_op(st, out);
	}
}

int pytok_text_is(const pytok *t, const char *s)
{
	size_t i;

	for (i = 0; i < t->len; i++)
		if (!s[i] || s[i] != t->start[i])
			return 0;
	return s[i] == '\0';
}

int pytok_is_op(const pytok *t, const char *op)
{
	return t->type == PYTOK_OP && pytok_text_is(t, op);
}

int pytok_is_name(const pytok *t, const char *name)
{
	return t->type == PYTOK_NAME && pytok_text_is(t, name);
}

const char *pytok_type_name(pytok_type t)
{
	static const char *const names[] = { "ENDMARKER", "NAME", "NUMBER", "STRING", "OP", "NEWLINE",
					     "NL", "COMMENT", "INDENT", "DEDENT", "ERROR" };
	return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "?";
}
