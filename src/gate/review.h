/*
 * review.h: `mgate lint`'s work: which revisions to judge (every one in
 * upgrade order, the ones the database has not applied, what `alembic
 * upgrade FROM:TO --sql` would run, or files given by name), for which
 * dialect and PostgreSQL version, and the rule engine over them.
 */
#ifndef MGATE_REVIEW_H
#define MGATE_REVIEW_H

#include "alembic/project.h"
#include "gate/progress.h"
#include "lint/lint.h"
#include "lint/rules.h"
#include "util/finding.h"
#include "util/strvec.h"

typedef struct review_request {
	const project *p; /* NULL: files alone, no project */
	const ruleset *rules;
	int all, pending;    /* --all, --pending */
	const char *range;   /* --range FROM:TO, or NULL */
	const strvec *files; /* FILE ...: these files (may be empty) */
	const char *db_url;  /* --db (else MGATE_DATABASE_URL, else sqlalchemy.url) */
	const char *version_table, *version_table_schema;
	const char *dialect;    /* --dialect, or NULL */
	const char *pg_version; /* --pg-version, or NULL */
	int strict;             /* --strict */
} review_request;

typedef struct review_result {
	findings found;
	lint_opts lo;          /* what was judged for */
	const char *pg_source; /* "option", "server", "config" or "default" */
	size_t revisions, operations, statements, opaque;
} review_result;

/* Judge the revisions asked for. An mg_outcome: MG_OUT_USAGE for a bad
 * range, dialect, version or file; MG_OUT_BLOCKED when pending or range
 * has no order; MG_OUT_ENV when the database or a file cannot be read
 * (the message in `err`). Notes (the database could not be read, so every
 * revision is judged) go to `p`. */
int review_run(review_result *out, const review_request *rq, const progress *p, mg_error *err);
/* Only what review_run would judge for (out->lo, out->pg_source), for a
 * caller that chooses the code itself (`lint --changed`). */
int review_lint_opts(review_result *out, const review_request *rq, mg_error *err);
void review_result_release(review_result *r);

#endif
