/*
 * lint.h: judge what revisions do against the rule catalogue.
 *
 * For each revision script: extract its operations (opext), classify the
 * SQL they carry (sqlcheck), give every operation and statement its facts
 * (arguments, table created earlier in the same revision, server version,
 * dialect, ...), and report each rule whose match and `when` hold, with
 * the rule's message, why and fix. Built-in detectors cover what spans
 * more than one operation: missing and lossy downgrades, data changes
 * mixed with DDL, opaque code, SQL the parser rejects.
 *
 * Suppressions are comments in the script: `# mgate: allow <ids> --
 * <reason>` on an operation's line or on the comment lines right above it,
 * and `# mgate: allow-revision <ids> -- <reason>` before the first `def`
 * for the whole revision. A suppressed finding stays in the report with
 * its reason and does not count.
 *
 * A lint context carries state from one revision to the next in upgrade
 * order (a validated CHECK (col IS NOT NULL) makes a later SET NOT NULL
 * cheap), so revisions are linted in that order.
 */
#ifndef MGATE_LINT_H
#define MGATE_LINT_H

#include "util/finding.h"
#include "lint/rules.h"
#include "alembic/scriptdir.h"
#include "lint/sqlcheck.h"
#include "util/arena.h"
#include "util/strmap.h"

struct config_accept;

/* Larger scripts are not read for operations: an opaque finding says so. */
#define LINT_MAX_SOURCE (4u << 20)

typedef struct lint_opts {
	const ruleset *rules;
	sql_dialect dialect;
	int dialect_assumed;                 /* no --dialect, setting or URL named it: PostgreSQL by default */
	int pg_version;                      /* major version, e.g. 15 */
	int strict;                          /* rules with a strict severity use it */
	const struct config_accept *accepts; /* `accept` lines of [mgate] */
	size_t naccepts;
	const char *ini_path; /* where they are, for unused-acceptance */
} lint_opts;

typedef struct lint_ctx {
	const lint_opts *o;
	strvec checks;                           /* "table\ncolumn" with a validated CHECK (col IS NOT NULL) */
	strvec pending_names;                    /* NOT VALID checks: "table\nconstraint" ... */
	strvec pending_cols;                     /* ... and the column each one tests */
	strmap checks_at, pending_at, tables_at; /* indexes of the three lists */
	void *match_data;                        /* PCRE2 match data for pattern rules */
	arena mem;                               /* one revision's subjects and facts; reset after each */
	struct pytok *toks;                      /* the current file's tokens (buffer reused) */
	size_t ntoks, atoks;
	size_t revisions, operations, statements, opaque;
	strvec tables;                  /* tables the upgrades touch, normalised, first seen first */
	int *accept_seen, *accept_used; /* per acceptance: its revision was judged; a finding matched */
} lint_ctx;

void lint_init(lint_ctx *ctx, const lint_opts *o);

/* Lint one script (its kept source, else read from s->path). Findings are
 * appended to `out`. MG_EENV when the file cannot be read. */
int lint_script(lint_ctx *ctx, findings *out, const script *s, mg_error *err);

/* Lint source text already in memory; `path` and `revision` label findings. */
int lint_source(lint_ctx *ctx, findings *out, const char *path, const char *revision, const char *src, size_t len,
		const pyscan_span *up, const pyscan_span *down, mg_error *err);

/* After the last script: an unused-acceptance finding for each `accept`
 * line whose revision was judged and matched nothing. */
void lint_finish(lint_ctx *ctx, findings *out);

void lint_release(lint_ctx *ctx);

#endif
