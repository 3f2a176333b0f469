/*
 * cmd_graph.c: `mgate graph`, the revision graph as Graphviz dot or a
 * Mermaid flowchart. Edges point from parent to child; dashed edges are
 * depends_on. Heads, merges and branch labels are marked.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "util/buf.h"
#include "util/banned.h"

static const char *const formats[] = { "dot", "mermaid", NULL };

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

static void emit_dot(const revmap *m)
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
	fputs(o.ptr, stdout);
	buf_release(&o);
	buf_release(&cap);
}

static void emit_mermaid(const revmap *m)
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
	fputs(o.ptr, stdout);
	buf_release(&o);
	buf_release(&cap);
}

int cmd_graph(int argc, char **argv)
{
	cli_common common;
	cli_project p;
	strvec args = STRVEC_INIT;
	int rc;
	cli_option opts[] = { OPT_END_() };

	memset(&p, 0, sizeof(p));
	if ((rc = cli_begin(argc, argv, "graph", "[--format dot|mermaid]", opts, formats, 0, &common, &args)) != 0)
		goto out_noproj;
	if ((rc = cli_load_project(&p, &common)) != 0)
		goto cleanup;
	cli_print_findings(&p.found, common.quiet);
	rc = findings_count(&p.found, SEV_ERROR) ? EXIT_FINDINGS : EXIT_OK;
	if (p.map.broken)
		goto cleanup;
	if (!strcmp(common.format, "dot"))
		emit_dot(&p.map);
	else
		emit_mermaid(&p.map);
cleanup:
	cli_project_release(&p);
out_noproj:
	strvec_release(&args);
	return rc < 0 ? EXIT_OK : rc;
}
