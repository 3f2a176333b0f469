/*
 * ops.h: what a revision script does, read statically from the bodies
 * of its `upgrade()` and `downgrade()`.
 *
 * Every `op.<name>(...)` call becomes a migop with its arguments (a pyx
 * call tree), the table and columns it touches, and its line. Calls made
 * through a `with op.batch_alter_table(...) as b:` alias belong to that
 * table; `op.execute`, `op.get_bind().execute` and `<connection>.execute`
 * recover their SQL from string literals, `sa.text(...)` and names bound
 * to literals, and SQLAlchemy Core statements keep their table.
 *
 * The walk reads what a reviewer would read: functions defined in the same
 * file (module level or nested) are followed where they are called, with
 * literal arguments bound to their parameters; loops over literal
 * sequences (module constants included) are unrolled; of an `if` on the
 * dialect (`op.get_bind().dialect.name == "postgresql"` and its many
 * spellings) only the branch that runs for the dialect being judged is
 * read. Code that cannot be seen through (loops over query results,
 * imported helpers, SQL built from values known at run time, computed bulk
 * inserts) becomes a MIGOP_OPAQUE entry naming the construct; it is never
 * dropped.
 */
#ifndef MGATE_OPS_H
#define MGATE_OPS_H

#include <stddef.h>

#include "python/pyexpr.h"
#include "python/pyscan.h"
#include "util/error.h"
#include "util/strvec.h"

typedef enum migop_func { MIGOP_UPGRADE = 0,
			  MIGOP_DOWNGRADE = 1 } migop_func;
typedef enum migop_kind { MIGOP_CALL = 0,
			  MIGOP_OPAQUE,
			  MIGOP_BRANCH /* a dialect branch decided: `why` says which was read */ } migop_kind;

typedef struct migop {
	migop_kind kind;
	migop_func func;
	char *name;    /* CALL: the operation ("add_column", "execute", ...); OPAQUE: a code ("loop", "helper-call", "dynamic-sql", ...) */
	char *why;     /* OPAQUE: what could not be seen, for the report */
	int line, col; /* the call's (or construct's) first token */
	int end_line;
	char *table; /* the table it acts on, when known */
	char *schema;
	strvec columns;  /* columns it names (added, dropped, altered, indexed) */
	char *object;    /* the index or constraint name, or the new name of a rename */
	const pyx *call; /* the call tree (owned by `tree`) */
	pyx *tree;       /* the parsed statement expression that holds `call` */
	int batch;       /* called through a batch_alter_table alias */
	int batch_index; /* the enclosing batch_alter_table op, or -1 */
	int in_loop, in_cond, autocommit;
	char *sql;             /* execute: the recovered SQL, or NULL */
	int sql_line;          /* line where the SQL literal starts */
	pyx_piece *sql_pieces; /* where each part of the SQL sits (pyx_line_at) */
	size_t sql_npieces;
	char *core;     /* execute of a SQLAlchemy Core expression: its call chain */
	int core_where; /* ... with a WHERE clause (.where, .filter, a whereclause argument) */
	char *via;      /* reached through same-file functions: "via _f() called at line 31" */
	int call_line;  /* then the line of the outermost call in upgrade()/downgrade() */
} migop;

typedef struct migfunc {
	int present;    /* the module defines the function */
	int line;       /* its `def` line */
	int statements; /* statements that do something (not pass, docstrings, comments) */
	int raises;     /* a top-level `raise` (e.g. NotImplementedError) */
} migfunc;

typedef struct migops {
	migop *v;
	size_t n, alloc;
	migfunc fn[2]; /* indexed by migop_func */
} migops;

/*
 * Extract the operations of the functions at `up` and `down` (spans from
 * pyscan; a span with line 0 is an absent function) from `len` bytes of
 * source, reading dialect branches for `dialect` ("postgresql" or
 * "sqlite"; NULL means postgresql). Never fails on odd code: what it
 * cannot read is opaque. Returns MG_OK; `out` is released by
 * migops_release.
 */
int ops_extract(migops *out, const char *src, size_t len, const pyscan_span *up, const pyscan_span *down,
		const char *dialect, mg_error *err);

/* The same from tokens already made (the whole file, ending with
 * ENDMARKER or ERROR), which must outlive the call only. */
int ops_extract_tokens(migops *out, const pytok *toks, size_t n, const pyscan_span *up,
		       const pyscan_span *down, const char *dialect, mg_error *err);

/* Tokenize `src` into *toks (grown as needed; *alloc is its capacity, so
 * a buffer can be reused across files). Returns the number of tokens. */
size_t ops_tokenize(pytok **toks, size_t *alloc, const char *src, size_t len);

void migops_release(migops *ops);

#endif
