/*
 * opwalk.h: what opwalk.c (the walk over a revision's statements) and
 * opscope.c (what names hold, what a condition means) share. Internal to
 * lint/: nothing outside includes it.
 */
#ifndef MGATE_OPWALK_H
#define MGATE_OPWALK_H

#include <string.h>

#include "lint/ops.h"
#include "util/buf.h"

#define OPS_MAX_DEPTH 8    /* same-file calls nested deeper are opaque */
#define OPS_MAX_UNROLL 256 /* items of a literal sequence a loop is unrolled over */
#define OPS_MAX_WORK 50000 /* work per function: statements walked (helpers, unrolled loops), values copied */
#define OPS_MAX_VALUE 4096 /* a name holds a value up to this size (pyx_size); larger ones are not known */
#define OPS_MAX_FUNCS 1024 /* functions a file may define for the walk to follow */

typedef struct frame {
	const char *alias; /* the batch_alter_table alias in scope, or NULL */
	int batch_index;
	int in_loop, in_cond, autocommit;
	int dead; /* a branch that does not run for the dialect judged */
} frame;

/* A function defined in the file: where its header and body are. */
typedef struct fdef {
	char *name;
	size_t colon, end;       /* the header's colon and the NEWLINE ending its line */
	strvec params;           /* names in order; "*" and "**" parameters excluded */
	size_t *dflt_a, *dflt_b; /* per parameter: the default's tokens, or a == b */
	int line;
} fdef;

typedef struct fdefs {
	fdef *v;
	size_t n, alloc;
} fdefs;

/* Names bound in one function body (or the module). */
typedef struct scope {
	strvec names;
	pyx **vals;     /* per name: its value, or NULL when not known */
	strvec conns;   /* names bound to a connection */
	strvec aliases; /* batch aliases (frames point into it) */
	fdefs local;    /* functions defined inside the body */
} scope;

/* An if/elif/else chain being read: was a branch known to run, was one unknown. */
typedef struct chain {
	int open; /* the statement before was an if/elif clause */
	int taken, unknown;
} chain;

typedef struct extractor {
	migops *out;
	migop_func func;
	const pytok *t;
	size_t n, i;
	const char *dialect; /* "postgresql" or "sqlite" */
	scope module;        /* module-level constants */
	fdefs fns;           /* module-level functions */
	strvec imp_names;    /* names imported with `from X import name` ... */
	strvec imp_from;     /* ... and their X */
	strvec op_names;     /* names imported from alembic.op */
	scope *sc;           /* the scope of the body being walked */
	const fdef *stack[OPS_MAX_DEPTH + 1];
	int depth;
	char *via;     /* the call chain of the body being walked, or NULL */
	int call_line; /* its outermost call's line */
	size_t work;
	int helper_stmt; /* the last statement was a same-file call (its body counts instead) */
	int returned;    /* a `return` or `raise` that surely runs ended the body being walked */
	int exhausted;   /* the work budget ran out (an opaque entry says so) */
} extractor;

enum { UNKNOWN = -1 }; /* a condition mgate cannot decide */

static inline int starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static inline int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && !strcmp(s + a - b, suffix);
}

/* A literal string's text, or NULL. */
static inline const char *lit(const pyx *x)
{
	return pyx_is_literal_str(x) ? x->text : NULL;
}

/* ---- opscope.c ----------------------------------------------------------- */

/* Spend `units` of the work budget; 0 once it is spent. */
int ops__spend(extractor *ex, size_t units);

void ops__fdefs_release(fdefs *f);
void ops__scope_release(scope *s);
/* Bind `name` to `val` (taken; NULL: not known) in `s`. */
void ops__scope_bind(scope *s, const char *name, pyx *val);
/* The value bound to `name` in the body, else at module level; NULL when not known. */
const pyx *ops__lookup(const extractor *ex, const char *name);
/* Tokens [a, b) parsed with the names in scope resolved (caller frees). */
pyx *ops__parse_range(extractor *ex, size_t a, size_t b);
/* A same-file function called `name` visible from the body being walked. */
const fdef *ops__find_function(const extractor *ex, const char *name);
int ops__in_list(const char *s, const char *const *list);
/* Callees that only build values (SQLAlchemy constructs, logging, builtins). */
int ops__pure_callee(const char *c);
/* Remember what `name` now holds, from the parsed value `v` (may be NULL). */
void ops__bind_value(extractor *ex, const char *name, const pyx *v);
/* Names assigned by tokens [a, b) (`x`, `a, b`, `(a, b)`) into `names`; their count, 0 for other targets. */
size_t ops__target_names(const extractor *ex, size_t a, size_t b, strvec *names);
/* Bind `names` to the parts of `v` (NULL: not known). */
void ops__bind_targets(extractor *ex, const strvec *names, const pyx *v);
/* True (1), false (0) or UNKNOWN; *dialectal is set when the dialect decided. */
int ops__eval_cond(extractor *ex, const pyx *c, int *dialectal);
/* A literal sequence (or enumerate/zip/list/sorted of one) as a list, else NULL. */
pyx *ops__known_sequence(const pyx *it);
/* What a loop iterates over, in words, when it cannot be unrolled. */
void ops__describe_iterable(buf *out, const pyx *it);

/* ---- opwalk.c ------------------------------------------------------------ */

/* The value a same-file function returns when its body is assignments then
 * `return <expr>`, parsed in `tmp` (which the caller releases), or NULL. */
const pyx *ops__helper_return(extractor *ex, const fdef *fn, const pyx *call, scope *tmp);

#endif
