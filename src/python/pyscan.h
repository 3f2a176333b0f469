/*
 * pyscan.h: read an Alembic revision script the way Python would see its
 * module namespace, without running it.
 *
 * From a script's source it recovers the module docstring, the final
 * values of `revision`, `down_revision`, `branch_labels` and `depends_on`,
 * and the line spans of the module-level `def upgrade(...)` and
 * `def downgrade(...)`. Values are literals (strings, None, tuples and
 * lists of strings), module-level constants of the same file, or names
 * from other modules mapped in configuration. Anything computed is never
 * guessed: it becomes a diagnostic with the line.
 */
#ifndef MGATE_PYSCAN_H
#define MGATE_PYSCAN_H

#include <stddef.h>

#include "util/error.h"
#include "util/strvec.h"

typedef enum pyv_kind {
	PYV_ABSENT = 0, /* never assigned */
	PYV_NONE,       /* None */
	PYV_STR,        /* a str */
	PYV_SEQ,        /* a tuple or list of str */
	PYV_BAD         /* assigned, but not to something mgate can know; see diagnostics */
} pyv_kind;

typedef struct pyvalue {
	pyv_kind kind;
	char *str;    /* PYV_STR */
	strvec items; /* PYV_SEQ */
	int is_list;  /* PYV_SEQ written as [...] */
	int line;     /* line of the assignment */
} pyvalue;

enum pyscan_severity { PYSCAN_ERROR = 0,
		       PYSCAN_WARNING = 1,
		       PYSCAN_INFO = 2 /* worth knowing, never a problem for Alembic */ };

typedef struct pyscan_diag {
	int line;
	int severity;
	char *code; /* a finding id, e.g. "computed-value" */
	char *message;
} pyscan_diag;

typedef struct pyscan_span {
	int line;      /* the `def` line; 0 when the function is absent */
	int end_line;  /* last line of its body */
	int body_line; /* first line of its body */
} pyscan_span;

typedef struct pyscan_module {
	pyvalue revision, down_revision, branch_labels, depends_on;
	int has_doc;
	char *doc; /* the module docstring, escapes decoded */
	int doc_line;
	pyscan_span upgrade, downgrade;
	char *encoding; /* from a coding cookie, or NULL */
	pyscan_diag *diags;
	size_t ndiags, diags_alloc;
} pyscan_module;

/* Names from other modules: "cli.CONTRACT_BRANCH" -> "contract". */
typedef strpairs pyscan_names;

/*
 * Scan `len` bytes of Python source. Always fills `out` as far as it
 * could read (the caller frees it with pyscan_module_release); problems in
 * the source are diagnostics on `out`, not a failing return. Returns
 * MG_OK, or a negative code only for misuse.
 */
int pyscan_source(pyscan_module *out, const char *src, size_t len, const pyscan_names *names,
		  mg_error *err);

/*
 * The tokens of `src` that make up its code, in order: no comments, blank
 * lines or module docstring, nor the tokens of lines [skip_from, skip_to]
 * (0: skip nothing). INDENT, DEDENT and NEWLINE appear by name. Two
 * sources with equal lists run the same.
 */
void pyscan_code_tokens(strvec *out, const char *src, size_t len, int skip_from, int skip_to);

/* The lines of a source's module-level downgrade() (0 and 0 without one). */
void pyscan_downgrade_lines(const char *src, size_t len, const pyscan_names *names, int *from, int *to);

/* True when the scan produced any error-severity diagnostic. */
int pyscan_has_errors(const pyscan_module *m);

void pyscan_module_release(pyscan_module *m);
void pyvalue_release(pyvalue *v);
void pyvalue_copy(pyvalue *dst, const pyvalue *src);

/*
 * Decode a STRING token's text (prefix and quotes included) to UTF-8 in
 * `out`. Sets *has_fields for an f-string with replacement fields (whose
 * value is then unknown). `latin1` converts bytes >= 0x80 from Latin-1.
 * Returns 0, or -1 for bytes literals with non-ASCII characters and
 * malformed escapes (message in err).
 */
struct buf;
int pyscan_decode_string(struct buf *out, const char *tok, size_t len, int *has_fields, int latin1,
			 mg_error *err);

#endif
