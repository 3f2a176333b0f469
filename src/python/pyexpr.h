/*
 * pyexpr.h: Python expressions as a tree of literal values and calls.
 *
 * Operation extraction needs to know what `op.add_column("t",
 * sa.Column("x", sa.String(50), nullable=False))` says without running it.
 * This module turns one expression's tokens into a small tree: literals
 * (str, number, True/False/None), dotted names, calls with positional and
 * keyword arguments, lists, tuples and dicts, single comparisons and
 * boolean operators. Everything else (arithmetic, chained comparisons,
 * comprehensions, lambdas) becomes PYX_OTHER with a short description, so
 * callers can report what they could not see through.
 *
 * A caller that knows what some plain names are bound to (a loop
 * variable, a helper's parameter, a module constant) passes a resolver:
 * each such name is replaced by a copy of its value while parsing, so
 * `"DELETE FROM " + table`, `f"DROP TABLE {t}"`, `"... %s" % t` and
 * `"...{}".format(t)` come out as literal strings when their parts are.
 *
 * Strings are decoded; adjacent literals are joined as Python joins them.
 * A string that is only known at run time (an f-string with fields, `%`
 * formatting, `.format(...)`, `+` with a non-literal) keeps its literal
 * text but carries PYXF_DYNAMIC.
 */
#ifndef MGATE_PYEXPR_H
#define MGATE_PYEXPR_H

#include <stddef.h>

#include "python/pytok.h"
#include "util/error.h"

typedef enum pyx_kind {
	PYX_NONE = 0,
	PYX_BOOL, /* text "True" or "False" */
	PYX_NUM,  /* text as written, with a leading '-' for negatives */
	PYX_STR,  /* text decoded */
	PYX_NAME, /* dotted name, e.g. "sa.String" */
	PYX_CALL, /* text: the callee as a dotted chain, inner calls shown as "()" */
	PYX_LIST,
	PYX_TUPLE,
	PYX_DICT,    /* items alternate key, value */
	PYX_COMPARE, /* text: the operator ("==", "!=", "in", "not in", "is", "is not", "<", ...); items: the two operands */
	PYX_NOT,     /* items[0]: the operand of `not` */
	PYX_BOOLOP,  /* text: "and" or "or"; items: the operands */
	PYX_OTHER    /* text: what it is ("arithmetic", "comprehension", ...) */
} pyx_kind;

enum {
	PYXF_DYNAMIC = 1 << 0, /* a string whose final value is computed at run time */
	PYXF_BYTES = 1 << 1
};

/* Where a part of a string's decoded text came from: implicitly joined
 * literals each start a piece; newlines count as source lines only in
 * triple-quoted pieces (an escaped "\n" is not a line break in the file). */
typedef struct pyx_piece {
	size_t off; /* offset of the piece in the decoded text */
	int line;   /* the source line where its literal starts */
	int triple; /* a triple-quoted literal: its newlines are source lines */
} pyx_piece;

typedef struct pyx {
	pyx_kind kind;
	unsigned flags;
	char *text;
	int line, col;      /* where the expression starts */
	struct pyx **items; /* call arguments, list/tuple items, dict keys and values */
	char **keys;        /* calls only: keyword per item; NULL for positional, "*" / "**" for unpacking */
	struct pyx *recv;   /* calls only: the computed receiver of a method call (`f(x).execute(...)`: f(x)) */
	pyx_piece *pieces;  /* strings only: source lines of the text's parts */
	size_t npieces;
	size_t n, alloc;
} pyx;

/*
 * Parse the tokens [toks, toks + n) as one expression (NL and COMMENT
 * tokens are skipped). `*out` is the tree, owned by the caller; it is
 * NULL when n is 0. Trailing tokens that do not belong to the expression
 * make the whole result PYX_OTHER. Returns MG_OK, or MG_ERR for a string
 * that cannot be decoded (message in err).
 */
int pyx_parse(pyx **out, const pytok *toks, size_t n, int latin1, mg_error *err);

/* Returns a new tree for the value of plain name `name`, or NULL when it
 * is not known. */
typedef pyx *(*pyx_resolve_fn)(void *ctx, const char *name);

/* pyx_parse with names resolved through `resolve` (may be NULL). */
int pyx_parse_with(pyx **out, const pytok *toks, size_t n, int latin1, pyx_resolve_fn resolve, void *ctx,
		   mg_error *err);

/* A deep copy of `x` (NULL for NULL). */
pyx *pyx_clone(const pyx *x);

/* The size of `x`: its nodes plus its text in units of 64 bytes, counted
 * up to `limit` (the count stops there, so this is cheap on huge trees). */
size_t pyx_size(const pyx *x, size_t limit);

/* Strings built from known parts (concatenation, f-strings, formatting)
 * stay known up to this length; longer ones are marked PYXF_DYNAMIC. */
#define PYX_MAX_BUILT (1u << 20)

/* True when `x` is a value known without running anything: a literal
 * (None, bool, number, str without PYXF_DYNAMIC) or a list, tuple or dict
 * of such values. */
int pyx_is_constant(const pyx *x);

void pyx_free(pyx *x);

/* A copy of a string node (text, flags, pieces); NULL for other kinds. */
pyx *pyx_clone_str(const pyx *x);

/* The source line of byte `off` of a string node's decoded text. */
int pyx_line_at(const pyx_piece *pieces, size_t n, const char *text, size_t off);

/* The argument at position `pos` (counting positional ones only), or the
 * keyword `kw`; NULL when absent. Either selector may be unused (-1 / NULL). */
const pyx *pyx_arg(const pyx *call, int pos, const char *kw);

/* The last component of a dotted name or call chain: "sa.String" -> "String". */
const char *pyx_basename(const pyx *x);

/* True for a PYX_STR without PYXF_DYNAMIC. */
int pyx_is_literal_str(const pyx *x);
/* True for PYX_BOOL "True". */
int pyx_is_true(const pyx *x);
/* True for PYX_BOOL "False". */
int pyx_is_false(const pyx *x);

#endif
