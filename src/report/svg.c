/*
 * svg.c: the report's pictures (svg.h). The graph is handed to Graphviz
 * node by node through cgraph (no dot text is parsed) and rendered to SVG
 * in memory; the timeline is plain SVG written here.
 */
#include "report/svg.h"

#include <gvc.h>
#include <jansson.h>
#include <string.h>

#include "gate/history.h"
#include "util/strmap.h"
#include "util/banned.h"

void html_escape(buf *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&':
			buf_puts(out, "&amp;");
			break;
		case '<':
			buf_puts(out, "&lt;");
			break;
		case '>':
			buf_puts(out, "&gt;");
			break;
		case '"':
			buf_puts(out, "&quot;");
			break;
		case '\'':
			buf_puts(out, "&#39;");
			break;
		default:
			buf_putc(out, *s);
		}
	}
}

/* ---- the graph ------------------------------------------------------------------------ */

/* Text for a Graphviz label: backslashes doubled (so \N, \G, \l... stay
 * text), cut at `max` bytes on a character boundary. */
static void label_text(buf *out, const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n > max) {
		n = max;
		while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\')
			buf_putc(out, '\\');
		buf_putc(out, s[i] == '\n' ? ' ' : s[i]);
	}
	if (n < strlen(s))
		buf_puts(out, "...");
}

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static int flag(json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

/* One node: its label (id, first line of the message, labels) and its
 * look (current, pending, head, merge). */
static void add_node(Agraph_t *g, Agnode_t **nodes, size_t i, json_t *n, Agnode_t *older)
{
	char name[32], id[40];
	buf label = BUF_INIT, cls = BUF_INIT;
	json_t *labels = json_object_get(n, "branch_labels"), *l;
	size_t k;
	Agnode_t *v;

	snprintf(name, sizeof(name), "n%zu", i);
	snprintf(id, sizeof(id), "rev-%zu", i);
	v = nodes[i] = agnode(g, name, 1);
	label_text(&label, str(n, "revision"), 40);
	if (json_is_string(json_object_get(n, "message"))) {
		buf_puts(&label, "\\n");
		label_text(&label, str(n, "message"), 36);
	}
	buf_puts(&cls, "rev");
	if (flag(n, "is_current")) {
		buf_puts(&cls, " current");
		agsafeset(v, "style", "filled,bold", "");
		agsafeset(v, "fillcolor", "#cfe2ff", "");
		buf_puts(&label, "\\n(database is here)");
	} else if (flag(n, "is_pending")) {
		buf_puts(&cls, " pending");
		agsafeset(v, "style", "filled,dashed", "");
		agsafeset(v, "fillcolor", "#fff3cd", "");
	}
	if (flag(n, "is_head")) {
		buf_puts(&cls, " head");
		agsafeset(v, "penwidth", "2.5", "");
		agsafeset(v, "color", "#1a7f37", "");
	}
	if (flag(n, "is_merge")) {
		buf_puts(&cls, " merge");
		agsafeset(v, "shape", "hexagon", "");
	} else if (flag(n, "is_branch_point")) {
		buf_puts(&cls, " branchpoint");
		agsafeset(v, "shape", "house", "");
	}
	agsafeset(v, "label", label.ptr, "");
	agsafeset(v, "id", id, "");
	agsafeset(v, "class", cls.ptr, "");
	json_array_foreach(labels, k, l)
	{
		char lname[48];
		Agnode_t *t;
		Agedge_t *e;
		if (!json_is_string(l))
			continue;
		snprintf(lname, sizeof(lname), "l%zu_%zu", i, k);
		t = agnode(g, lname, 1);
		buf_truncate(&label, 0);
		label_text(&label, json_string_value(l), 40);
		agsafeset(t, "label", label.ptr, "");
		agsafeset(t, "shape", "tab", "");
		agsafeset(t, "style", "filled", "");
		agsafeset(t, "fillcolor", "#e8e0ff", "");
		agsafeset(t, "class", "label", "");
		e = agedge(g, t, v, NULL, 1);
		agsafeset(e, "style", "dotted", "");
		agsafeset(e, "arrowhead", "none", "");
		agsafeset(e, "class", "labeledge", "");
	}
	if (flag(n, "cut") && older) {
		Agedge_t *e = agedge(g, older, v, NULL, 1);
		agsafeset(e, "style", "dotted", "");
	}
	buf_release(&label);
	buf_release(&cls);
}

int report_graph_svg(buf *out, const void *graph, mg_error *err)
{
	json_t *gr = (json_t *)graph, *nodes = json_object_get(gr, "nodes"), *edges = json_object_get(gr, "edges"), *n;
	size_t i, nn = json_array_size(nodes), older_count;
	GVC_t *gvc;
	Agraph_t *g;
	Agnode_t **vs, *older = NULL;
	char *data = NULL;
	unsigned int len = 0;
	const char *svg;
	int rc = MG_OK, cut = 0;
	strmap index = STRMAP_INIT; /* revision -> node */

	if (!nn) {
		buf_puts(out, "<p class=\"muted\">no revisions to draw</p>");
		return MG_OK;
	}
	agseterr(AGMAX); /* no warnings on stderr: a failure is reported below */
	gvc = gvContext();
	g = agopen("revisions", Agdirected, NULL);
	vs = mg_calloc(nn, sizeof(*vs));
	agattr(g, AGRAPH, "rankdir", "BT");
	agattr(g, AGRAPH, "nodesep", "0.25");
	agattr(g, AGRAPH, "ranksep", "0.35");
	agattr(g, AGNODE, "shape", "box");
	agattr(g, AGNODE, "style", "rounded");
	agattr(g, AGNODE, "fontname", "DejaVu Sans Mono,monospace");
	agattr(g, AGNODE, "fontsize", "10");
	agattr(g, AGNODE, "label", "\\N");
	agattr(g, AGEDGE, "arrowsize", "0.6");
	json_array_foreach(nodes, i, n) cut |= flag(n, "cut");
	older_count = (size_t)json_integer_value(json_object_get(gr, "revisions")) -
		      (size_t)json_integer_value(json_object_get(gr, "shown"));
	if (cut) {
		char text[96];
		snprintf(text, sizeof(text), "%zu older revision%s", older_count, older_count == 1 ? "" : "s");
		older = agnode(g, "older", 1);
		agsafeset(older, "label", text, "");
		agsafeset(older, "shape", "plaintext", "");
		agsafeset(older, "class", "older", "");
	}
	json_array_foreach(nodes, i, n)
	{
		add_node(g, vs, i, n, older);
		strmap_put(&index, str(n, "revision"), (int)i);
	}
	json_array_foreach(edges, i, n)
	{
		int a = strmap_get(&index, str(n, "from")), b = strmap_get(&index, str(n, "to"));
		Agedge_t *e;
		if (a < 0 || b < 0)
			continue;
		e = agedge(g, vs[a], vs[b], NULL, 1);
		if (!strcmp(str(n, "kind"), "depends_on")) {
			agsafeset(e, "style", "dashed", "");
			agsafeset(e, "color", "#8250df", "");
			agsafeset(e, "class", "depends", "");
		}
	}
	if (gvLayout(gvc, g, "dot") != 0 || gvRenderData(gvc, g, "svg", &data, &len) != 0 || !data) {
		const char *why = aglasterr();
		rc = mg_error_set(err, MG_ERR, "graphviz could not draw the revision graph%s%s", why ? ": " : "",
				  why ? why : "");
		goto cleanup;
	}
	svg = strstr(data, "<svg");
	buf_puts(out, svg ? svg : "");
cleanup:
	if (data)
		gvFreeRenderData(data);
	gvFreeLayout(gvc, g);
	agclose(g);
	gvFreeContext(gvc);
	free(vs);
	strmap_release(&index);
	return rc;
}

/* ---- the timeline ----------------------------------------------------------------------- */

/* The chart's series: which kinds and statuses each stacks, its colour. */
static const struct series {
	const char *name, *color;
	int kind, status; /* status -1: any */
} series[] = {
	{ "upgrade passed", "#2da44e", HK_UPGRADE, HISTORY_OK },
	{ "upgrade failed", "#cf222e", HK_UPGRADE, HISTORY_FAILED },
	{ "verification failed", "#82071e", HK_UPGRADE, HISTORY_UNVERIFIED },
	{ "gate closed", "#d4a72c", -1, HISTORY_BLOCKED },
	{ "gate open (check)", "#aceebb", HK_CHECK, HISTORY_OK },
	{ "rollback", "#8250df", HK_ROLLBACK, -1 },
	{ "restore", "#953800", HK_RESTORE, -1 },
	{ "drill passed", "#0969da", HK_DRILL, HISTORY_OK },
	{ "drill failed", "#ff8182", HK_DRILL, HISTORY_FAILED },
	{ "rehearsal", "#1b7c83", HK_REHEARSE, -1 },
};
#define NSERIES (sizeof(series) / sizeof(series[0]))

static long long count_of(json_t *counts, const struct series *s)
{
	long long n = 0;
	int k, st;

	for (k = 0; k < HK_NKIND; k++) {
		json_t *c = json_object_get(counts, history_kind_name(k));
		if (s->kind >= 0 && k != s->kind)
			continue;
		for (st = 0; st < HISTORY_NSTATUS; st++)
			if (s->status < 0 ? 1 : st == s->status)
				n += json_integer_value(json_object_get(c, history_status_name(st)));
	}
	return n;
}

void report_timeline_svg(buf *out, const void *timeline)
{
	json_t *tl = (json_t *)timeline, *periods = json_object_get(tl, "periods"), *p;
	size_t i, s, np = json_array_size(periods);
	long long max = 1, *v;
	const int H = 160, W = 960, left = 36, bottom = 28;
	double bw;

	if (!np) {
		buf_puts(out, "<p class=\"muted\">no events in the window</p>");
		return;
	}
	v = mg_calloc(np * NSERIES, sizeof(*v));
	json_array_foreach(periods, i, p)
	{
		long long sum = 0;
		for (s = 0; s < NSERIES; s++)
			sum += v[i * NSERIES + s] = count_of(json_object_get(p, "counts"), &series[s]);
		if (sum > max)
			max = sum;
	}
	bw = (double)(W - left - 8) / (double)np;
	if (bw > 40)
		bw = 40;
	buf_printf(out, "<svg class=\"timeline\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"events per %s\">", W,
		   H + bottom, str(tl, "bucket"));
	buf_printf(out, "<text x=\"2\" y=\"12\" class=\"axis\">%lld</text><text x=\"2\" y=\"%d\" class=\"axis\">0</text>", max,
		   H);
	buf_printf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"axisline\"/>", left, H, W - 4, H);
	json_array_foreach(periods, i, p)
	{
		double x = left + bw * (double)i, y = H;
		buf tip = BUF_INIT;
		buf_printf(&tip, "%s %s:", str(tl, "bucket"), str(p, "start"));
		buf_printf(out, "<g class=\"bar\" data-start=\"");
		html_escape(out, str(p, "start"));
		buf_puts(out, "\">");
		for (s = 0; s < NSERIES; s++) {
			long long c = v[i * NSERIES + s];
			double h = (double)c * (H - 16) / (double)max;
			if (!c)
				continue;
			y -= h;
			buf_printf(&tip, " %lld %s;", c, series[s].name);
			buf_printf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>", x + 0.5, y,
				   bw > 2 ? bw - 1 : bw, h, series[s].color);
		}
		buf_puts(out, "<title>");
		html_escape(out, tip.ptr);
		buf_puts(out, "</title></g>");
		if (np <= 16 || i % ((np + 7) / 8) == 0) {
			buf_printf(out, "<text x=\"%.1f\" y=\"%d\" class=\"axis\">", x + 1, H + 14);
			html_escape(out, str(p, "start"));
			buf_puts(out, "</text>");
		}
		buf_release(&tip);
	}
	buf_puts(out, "</svg><p class=\"legend\">");
	for (s = 0; s < NSERIES; s++)
		buf_printf(out, "<span><i style=\"background:%s\"></i>%s</span>", series[s].color, series[s].name);
	buf_puts(out, "</p>");
	free(v);
}
