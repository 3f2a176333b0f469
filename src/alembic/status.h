/*
 * status.h: what `alembic upgrade TARGET` would run from a database's
 * version rows, exactly in Alembic's order, and every reason it would not:
 * a row no script defines, overlapping rows, an ambiguous or invalid
 * target, a graph whose bookkeeping Alembic cannot follow.
 */
#ifndef MGATE_STATUS_H
#define MGATE_STATUS_H

#include "alembic/revmap.h"
#include "util/finding.h"
#include "util/strvec.h"

typedef struct status_plan {
	int have_plan; /* the pending steps are known */
	int *pending;  /* indexes into the graph, in upgrade order */
	size_t npending;
	size_t fail_at; /* the step Alembic would stop at, or (size_t)-1 */
} status_plan;

/* Work out the plan; problems are error findings in `f`. MG_ENOTFOUND
 * (message in `err`) when the target names nothing at all. */
int status_compute(status_plan *out, const revmap *m, const strvec *rows, const char *target, findings *f,
		   mg_error *err);
void status_plan_release(status_plan *p);

#endif
