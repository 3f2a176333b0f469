/*
 * preview.h: what `alembic upgrade TARGET` will run, before it runs: the
 * steps in Alembic's order, each revision's operations in plain words
 * with the lock each takes, the live size of the tables they touch, and
 * the rule engine's findings. `mgate plan` prints it.
 */
#ifndef MGATE_PREVIEW_H
#define MGATE_PREVIEW_H

#include "gate/session.h"
#include "lint/plan.h"
#include "util/finding.h"

typedef struct preview_step {
	int rev;            /* index into the session's graph */
	plan_ops ops;       /* its upgrade(), in words */
	long long *rows;    /* per op: its table's estimated rows (-1 unknown) */
	long long *touched; /* per op: the rows a DELETE or UPDATE would touch (-1 unknown, or not one) */
	const char **basis; /* ... "exact", "estimate" or "at most" (the table's rows) */
	findings found;     /* the rule engine on it */
} preview_step;

typedef struct preview {
	preview_step *v;
	size_t n;
} preview;

/* The steps from the session's version rows to `target`. MG_EFINDINGS
 * for a row no script defines or a plan the graph refuses, MG_ECONFIG
 * for an unknown target, MG_EENV for a script that cannot be read. */
int preview_build(preview *out, const session *s, const char *target, mg_error *err);
void preview_release(preview *p);

#endif
