/*
 * graph.c: the revision graph as Graphviz dot or a Mermaid flowchart
 * (graph.h).
 */
#include "report/graph.h"

#include <jansson.h>
#include <string.h>

#include "util/buf.h"
#include "util/json.h"
#include "util/banned.h"

/* A dot string literal: quotes and backslashes escaped. */
static void dot_quote(buf *out, const char *s)
{
	buf_putc(out, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			buf_putc(out, '\\');
		if (*s == '\n') {
			buf_puts(out, "\\n");
			continue;
		}
		buf_putc(out, *s);
	}
	buf_putc(out, '"');
}

/* Mermaid node text: quotes become #quot; so labels cannot break out. */
static void mermaid_text(buf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '"')
			buf_puts(out, "#quot;");
		else if (*s == '\n')
			buf_putc(out, ' ');
		else
			buf_putc(out, *s);
	}
}

static void node_caption(buf *out, const revnode *r)
{
	buf_puts(out, r->id);
	if (r->s->labels.n) {
		buf_puts(out, " [");
		buf_join(out, r->s->labels.v, r->s->labels.n, ", ");
		buf_putc(out, ']');
	}
	if (r->is_head)
		buf_puts(out, " (head)");
	if (revnode_is_merge(r))
		buf_puts(out, " (merge)");
}

void report_graph_dot(FILE *out, const revmap *m)
{
	buf o = BUF_INIT, cap = BUF_INIT;
	size_t i, k;

	buf_puts(&o, "digraph alembic {\n  rankdir=BT;\n  node [shape=box, fontname=\"monospace\"];\n");
	for (i = 0; i < m->n; i++) {
		const revnode *r = &m->v[i];
		buf_truncate(&cap, 0);
		node_caption(&cap, r);
		buf_puts(&o, "  n");
		buf_printf(&o, "%zu [label=", i);
		dot_quote(&o, cap.ptr);
		if (r->is_head)
			buf_puts(&o, ", style=\"bold,filled\", fillcolor=\"#d9f2d9\"");
		else if (revnode_is_merge(r))
			buf_puts(&o, ", shape=diamond");
		else if (r->is_base)
			buf_puts(&o, ", style=rounded");
		buf_puts(&o, "];\n");
	}
	for (i = 0; i < m->n; i++) {
		const revnode *r = &m->v[i];
		for (k = 0; k < r->down.n; k++)
			buf_printf(&o, "  n%d -> n%zu;\n", r->down.v[k], i);
		for (k = 0; k < r->deps.n; k++)
			buf_printf(&o, "  n%d -> n%zu [style=dashed, label=\"depends_on\"];\n", r->deps.v[k], i);
	}
	buf_puts(&o, "}\n");
	fputs(o.ptr, out);
	buf_release(&o);
	buf_release(&cap);
}

void report_graph_mermaid(FILE *out, const revmap *m)
{
	buf o = BUF_INIT, cap = BUF_INIT;
	size_t i, k;

	buf_puts(&o, "flowchart BT\n");
	for (i = 0; i < m->n; i++) {
		const revnode *r = &m->v[i];
		buf_truncate(&cap, 0);
		node_caption(&cap, r);
		buf_printf(&o, "  n%zu%s\"", i, revnode_is_merge(r) ? "{" : "[");
		mermaid_text(&o, cap.ptr);
		buf_printf(&o, "\"%s\n", revnode_is_merge(r) ? "}" : "]");
	}
	for (i = 0; i < m->n; i++) {
		const revnode *r = &m->v[i];
		for (k = 0; k < r->down.n; k++)
			buf_printf(&o, "  n%d --> n%zu\n", r->down.v[k], i);
		for (k = 0; k < r->deps.n; k++)
			buf_printf(&o, "  n%d -. depends_on .-> n%zu\n", r->deps.v[k], i);
	}
	for (i = 0; i < m->n; i++)
		if (m->v[i].is_head)
			buf_printf(&o, "  style n%zu stroke-width:3px\n", i);
	fputs(o.ptr, out);
	buf_release(&o);
	buf_release(&cap);
}

void *report_graph_json(const revmap *m)
{
	json_t *o = json_object(), *nodes = json_array(), *edges = json_array();
	size_t i, k;

	for (i = 0; i < m->n; i++) {
		const revnode *r = &m->v[i];
		json_t *n = json_object();
		json_object_set_new(n, "revision", json_text(r->id));
		json_object_set_new(n, "branch_labels", json_strlist(&r->labels));
		json_object_set_new(n, "is_head", json_boolean(r->is_head));
		json_object_set_new(n, "is_base", json_boolean(r->is_base));
		json_object_set_new(n, "is_merge", json_boolean(revnode_is_merge(r)));
		json_array_append_new(nodes, n);
		for (k = 0; k < r->down.n + r->deps.n; k++) {
			json_t *e = json_object();
			int from = k < r->down.n ? r->down.v[k] : r->deps.v[k - r->down.n];
			json_object_set_new(e, "from", json_text(m->v[from].id));
			json_object_set_new(e, "to", json_text(r->id));
			json_object_set_new(e, "kind", json_string(k < r->down.n ? "down_revision" : "depends_on"));
			json_array_append_new(edges, e);
		}
	}
	json_object_set_new(o, "nodes", nodes);
	json_object_set_new(o, "edges", edges);
	return o;
}
