/*
 * graph.h: the revision graph drawn as text another tool renders:
 * Graphviz dot or a Mermaid flowchart. Edges point from parent to child;
 * dashed edges are depends_on. Heads, merges, bases and branch labels are
 * marked.
 */
#ifndef MGATE_REPORT_GRAPH_H
#define MGATE_REPORT_GRAPH_H

#include <stdio.h>

#include "alembic/revmap.h"

void report_graph_dot(FILE *out, const revmap *m);
void report_graph_mermaid(FILE *out, const revmap *m);

/* The graph as the fields of the document mgate.graph/1 (a json_t *):
 * {"nodes": [{"revision", "branch_labels", "is_head", "is_base",
 * "is_merge"}], "edges": [{"from", "to", "kind": "down_revision" or
 * "depends_on"}]}, in the order the scripts were loaded. */
void *report_graph_json(const revmap *m);

#endif
