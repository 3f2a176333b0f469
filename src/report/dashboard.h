/*
 * dashboard.h: `mgate report`: the migration health of one database, as
 * one JSON document (mgate.report/1) and as one self-contained HTML page
 * drawn from that document.
 *
 * The document holds, when each is known: the database and the gate's
 * verdict now (the checklist and the pending plan, as `check` and `plan`
 * give them), a window of the revision graph around the heads, the audit
 * log's history (events, a timeline, failures by cause), the backups and
 * the drills. What needs a database is null without one; what needs the
 * audit log is empty without one.
 */
#ifndef MGATE_DASHBOARD_H
#define MGATE_DASHBOARD_H

#include <stddef.h>
#include <stdio.h>

#include "gate/session.h"
#include "util/error.h"

typedef struct dashboard_opts {
	const char *target;  /* what the plan is for (NULL: heads) */
	long long since;     /* history from this time (epoch), or 0 for the whole log */
	size_t graph_window; /* revisions drawn, counted from the heads */
	size_t max_events;   /* events listed whole (the newest); the rest are counted */
} dashboard_opts;

/*
 * The report's document (a json_t *, the caller's) for the session `s`,
 * opened with or without a database. Parts that cannot be read (a
 * database that does not answer, a backup folder that is missing) say so
 * in the document; only an audit log that cannot be read is an error
 * (MG_EENV).
 */
int report_dashboard_build(void **out, session *s, const dashboard_opts *o, mg_error *err);

/*
 * The page for a document report_dashboard_build made (wrapped by
 * report_doc): inline CSS and SVG, a little JavaScript for sorting and
 * paging that the page does not need to be read, every value escaped.
 * The graph is laid out by Graphviz. MG_ERR when Graphviz fails.
 */
int report_dashboard_html(FILE *out, const void *doc, mg_error *err);

#endif
