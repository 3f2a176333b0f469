/*
 * error.h: the error context every fallible mgate function reports into.
 *
 * A function returns 0 on success or a negative code, and before it
 * returns a negative code it records one lowercase message on the caller's
 * `mg_error`. There is no global error state. Only the CLI layer prints.
 */
#ifndef MGATE_ERROR_H
#define MGATE_ERROR_H

#include <stddef.h>

enum {
	MG_OK = 0,
	MG_ERR = -1,        /* generic failure; see the message */
	MG_ENOTFOUND = -2,  /* a named thing does not exist */
	MG_EAMBIGUOUS = -3, /* an identifier matches more than one thing */
	MG_ECONFIG = -4,    /* bad configuration or usage: exit 2 */
	MG_EENV = -5,       /* environment: I/O, missing program: exit 3 */
	MG_EFINDINGS = -6   /* the input is readable but findings block: exit 1 */
};

/*
 * What a whole operation came to (an upgrade, a restore, a drill). These
 * are also mgate's exit codes, one for one (docs/cli.md), and the audit log
 * records them.
 */
enum mg_outcome {
	MG_OUT_OK = 0,        /* done (and verified); the gate is open */
	MG_OUT_BLOCKED = 1,   /* refused: the gate is closed, findings block, nothing was changed */
	MG_OUT_USAGE = 2,     /* bad usage or configuration */
	MG_OUT_ENV = 3,       /* the environment failed: database, Alembic, I/O */
	MG_OUT_FAILED = 4,    /* the change itself (Alembic) failed */
	MG_OUT_UNVERIFIED = 5 /* it ran, but verification failed */
};

/* The outcome a negative error code comes to: MG_ECONFIG is usage,
 * MG_EFINDINGS and MG_EAMBIGUOUS block, the rest is the environment. */
int mg_outcome_of(int code);

typedef struct mg_error {
	int code;
	char msg[2048];
} mg_error;

#define MG_ERROR_INIT     \
	{                 \
		0,        \
		{         \
			0 \
		}         \
	}

/* Record a formatted message and return `code` (so `return mg_error_set(...)` works). */
int mg_error_set(mg_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefix the current message with more context: "loading 'x': <old>". */
int mg_error_wrap(mg_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Record a message with the error code that goes with `outcome` (usage:
 * MG_ECONFIG, blocked: MG_EFINDINGS, the rest MG_EENV or MG_ERR) and
 * return `outcome`: `return mg_fail(err, MG_OUT_USAGE, "...")`. */
int mg_fail(mg_error *err, int outcome, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Append more to the current message: "<old>; nothing was changed". */
int mg_error_append(mg_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void mg_error_clear(mg_error *err);

/* Abort with a message: only for allocation failure and broken invariants. */
_Noreturn void mg_die_oom(void);

void *mg_malloc(size_t n);
void *mg_calloc(size_t n, size_t size);
void *mg_realloc(void *p, size_t n);
char *mg_strdup(const char *s);
char *mg_strndup(const char *s, size_t n);

#endif
