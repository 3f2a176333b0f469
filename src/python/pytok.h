/*
 * pytok.h: a Python source tokenizer.
 *
 * It produces the same token stream shape as CPython's tokenizer for the
 * purposes mgate needs: names, numbers, strings (every prefix and quote
 * form), operators, comments, NEWLINE/NL, INDENT/DEDENT with Python's tab
 * rules, bracket nesting and backslash continuations. It never evaluates
 * anything. Malformed input yields one PYTOK_ERROR token with a message and
 * line, and the stream ends there.
 *
 * The source is not copied: tokens point into the caller's buffer, which
 * must outlive the state. Line endings may be LF, CRLF or CR.
 */
#ifndef MGATE_PYTOK_H
#define MGATE_PYTOK_H

#include <stddef.h>

typedef enum pytok_type {
	PYTOK_ENDMARKER = 0,
	PYTOK_NAME,
	PYTOK_NUMBER,
	PYTOK_STRING,
	PYTOK_OP,
	PYTOK_NEWLINE, /* end of a logical line */
	PYTOK_NL,      /* a line break that ends no statement */
	PYTOK_COMMENT,
	PYTOK_INDENT,
	PYTOK_DEDENT,
	PYTOK_ERROR
} pytok_type;

/* String prefix flags */
enum {
	PYSTR_RAW = 1 << 0,
	PYSTR_BYTES = 1 << 1,
	PYSTR_FORMAT = 1 << 2,
	PYSTR_UNICODE = 1 << 3,
	PYSTR_TRIPLE = 1 << 4
};

typedef struct pytok {
	pytok_type type;
	const char *start; /* into the source */
	size_t len;
	int line;           /* 1-based line of the first byte */
	int col;            /* 0-based byte column */
	int end_line;       /* line of the last byte */
	unsigned str_flags; /* PYSTR_* for strings */
	size_t prefix_len;  /* length of a string's prefix letters */
} pytok;

#define PYTOK_MAX_INDENT 100
#define PYTOK_MAX_PAREN 200

typedef struct pytok_state {
	const char *src, *p, *end;
	int line;
	int indents[PYTOK_MAX_INDENT + 1];
	int alt_indents[PYTOK_MAX_INDENT + 1];
	int nindent;
	char parens[PYTOK_MAX_PAREN];
	int paren_lines[PYTOK_MAX_PAREN];
	int nparen;
	int pending_dedents;
	int at_bol;        /* at the beginning of a physical line */
	int line_has_code; /* the current logical line has a token */
	int done;
	const char *col_from, *col_start; /* the last position columned, and its line's start */
	char errmsg[256];
	int errline;
} pytok_state;

/* Prepare to tokenize `len` bytes at `src` (a UTF-8 BOM is skipped). */
void pytok_init(pytok_state *st, const char *src, size_t len);

/* Produce the next token. Returns 0, or -1 with `out->type == PYTOK_ERROR`
 * and the message in st->errmsg (line st->errline). After ENDMARKER or an
 * error, further calls return the same. */
int pytok_next(pytok_state *st, pytok *out);

/* True when the token's text is exactly `s` (a NUL-terminated string). */
int pytok_text_is(const pytok *t, const char *s);
/* True when the token is the operator `op`. */
int pytok_is_op(const pytok *t, const char *op);
/* True when the token is the name `name`. */
int pytok_is_name(const pytok *t, const char *name);

const char *pytok_type_name(pytok_type t);

#endif
