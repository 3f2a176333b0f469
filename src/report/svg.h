/*
 * svg.h: the pictures of `mgate report`, as inline SVG: the revision
 * graph's window laid out by Graphviz (libgvc, in-process), and the
 * timeline of audit events as stacked bars.
 */
#ifndef MGATE_SVG_H
#define MGATE_SVG_H

#include "util/buf.h"
#include "util/error.h"

/*
 * The graph window of a report document (its "graph" object: nodes with
 * is_head, is_current, is_pending, is_merge, branch_labels, cut; edges
 * with kind down_revision or depends_on) as an <svg> element appended to
 * `out`. Every text is escaped by Graphviz's SVG writer; labels cannot
 * carry Graphviz escapes. MG_ERR when Graphviz fails.
 */
int report_graph_svg(buf *out, const void *graph, mg_error *err);

/* The history's timeline (its "timeline" object) as an <svg> bar chart,
 * one stacked bar per day or week, with a legend and a tooltip per bar. */
void report_timeline_svg(buf *out, const void *timeline);

/* `s` escaped for HTML text and attribute values (& < > " '). */
void html_escape(buf *out, const char *s);

#endif
