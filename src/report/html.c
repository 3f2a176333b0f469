/*
 * html.c: the report's page (dashboard.h), drawn from its JSON document:
 * one self-contained HTML file with inline CSS and SVG, no network, and a
 * little plain JavaScript (sorting, filtering and paging the events) that
 * the page does not need: with JavaScript off every row is shown and the
 * controls stay hidden.
 *
 * Every value from the document passes through html_escape; the only
 * markup not written here is Graphviz's SVG, whose writer escapes text.
 */
#include "report/dashboard.h"

#include <jansson.h>
#include <string.h>

#include "gate/history.h"
#include "report/svg.h"
#include "util/buf.h"
#include "version.h"
#include "util/banned.h"

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static void esc(buf *b, const char *s)
{
	html_escape(b, s);
}

/* "<tag class=...>text</tag>" with the text escaped. */
static void tag(buf *b, const char *open, const char *text, const char *close)
{
	buf_puts(b, open);
	esc(b, text);
	buf_puts(b, close);
}

static void put_ms(buf *b, json_t *v)
{
	double ms = json_number_value(v);

	if (!json_is_number(v))
		buf_puts(b, "-");
	else if (ms < 1000)
		buf_printf(b, "%.0f ms", ms);
	else if (ms < 120000)
		buf_printf(b, "%.1f s", ms / 1000);
	else
		buf_printf(b, "%.1f min", ms / 60000);
}

static void put_size(buf *b, long long n)
{
	if (n < 1024)
		buf_printf(b, "%lld B", n);
	else if (n < 1024 * 1024)
		buf_printf(b, "%.1f KiB", (double)n / 1024);
	else if (n < 1024LL * 1024 * 1024)
		buf_printf(b, "%.1f MiB", (double)n / (1024 * 1024));
	else
		buf_printf(b, "%.2f GiB", (double)n / (1024.0 * 1024 * 1024));
}

static void put_days(buf *b, double d)
{
	if (d < 1.0 / 24)
		buf_printf(b, "%.0f min", d * 1440);
	else if (d < 2)
		buf_printf(b, "%.1f h", d * 24);
	else
		buf_printf(b, "%.1f days", d);
}

/* A list of strings, comma-separated, escaped; `none` when empty. */
static void put_list(buf *b, json_t *arr, const char *none)
{
	json_t *x;
	size_t i;

	if (!json_array_size(arr))
		tag(b, "<span class=\"muted\">", none, "</span>");
	json_array_foreach(arr, i, x)
	{
		buf_puts(b, i ? ", <code>" : "<code>");
		esc(b, json_string_value(x));
		buf_puts(b, "</code>");
	}
}

/* ---- the page's frame --------------------------------------------------------------- */

static const char css[] =
	"body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;color:#1f2328;background:#f6f8fa}"
	"header{background:#24292f;color:#fff;padding:14px 24px}header h1{margin:0;font-size:20px}"
	"header p{margin:4px 0 0;color:#d0d7de}header code{color:#fff;background:#424a53}"
	"nav{padding:6px 24px;background:#eaeef2}nav a{margin-right:14px;color:#0969da;text-decoration:none}"
	"main{padding:8px 24px 32px;max-width:1400px}section{background:#fff;border:1px solid #d0d7de;border-radius:6px;"
	"padding:12px 16px;margin:14px 0}h2{margin:0 0 8px;font-size:17px}h3{font-size:15px;margin:14px 0 6px}"
	"table{border-collapse:collapse;width:100%;margin:6px 0}th,td{border-bottom:1px solid #eaeef2;padding:4px 6px;"
	"text-align:left;vertical-align:top}th{background:#f6f8fa;font-weight:600}table.sortable th{cursor:pointer}"
	"code{font:12px ui-monospace,'DejaVu Sans Mono',monospace;background:#f6f8fa;padding:0 3px;border-radius:3px;"
	"word-break:break-all}.muted{color:#656d76}.num{text-align:right;white-space:nowrap}"
	".verdict{font-size:18px;font-weight:700;padding:10px 14px;border-radius:6px;margin:4px 0 10px}"
	".verdict.open{background:#dafbe1;color:#116329;border:1px solid #4ac26b}"
	".verdict.closed{background:#ffebe9;color:#a40e26;border:1px solid #ff8182}"
	".verdict.unknown{background:#eaeef2;color:#424a53;border:1px solid #afb8c1}"
	".st-pass,.st-ok{color:#116329;font-weight:600}.st-warn,.st-blocked{color:#9a6700;font-weight:600}"
	".st-fail,.st-failed,.st-unverified,.bad{color:#a40e26;font-weight:600}.st-skip{color:#656d76}"
	".chip{display:inline-block;border-radius:10px;padding:0 8px;margin-left:6px;font-size:12px;font-weight:600}"
	".chip.error{background:#ffebe9;color:#a40e26}.chip.warning{background:#fff8c5;color:#7d4e00}"
	".chip.info{background:#ddf4ff;color:#0550ae}details.step{border:1px solid #d0d7de;border-radius:6px;"
	"margin:8px 0;padding:6px 10px}details.step summary{cursor:pointer;font-weight:600}"
	".graphbox{overflow:auto;max-height:720px;border:1px solid #eaeef2;border-radius:6px;background:#fff}"
	".graphbox svg{display:block;margin:auto}svg.timeline{width:100%;height:auto;max-height:240px}"
	"svg .axis{font-size:10px;fill:#656d76}svg .axisline{stroke:#afb8c1}"
	".legend span{margin-right:12px;font-size:12px;white-space:nowrap}.legend i{display:inline-block;width:10px;"
	"height:10px;margin-right:4px;border-radius:2px}.overdue{background:#ffebe9;border:1px solid #ff8182;"
	"border-radius:6px;padding:8px 12px;color:#a40e26;font-weight:600}.current{background:#dafbe1;"
	"border:1px solid #4ac26b;border-radius:6px;padding:8px 12px;color:#116329}.controls{margin:6px 0}"
	".controls input,.controls select,.controls button{font:inherit;margin-right:8px}"
	"ul.detail{margin:2px 0;padding-left:18px}.cols{display:flex;gap:16px;flex-wrap:wrap}.cols>div{flex:1;min-width:300px}"
	"td.time{white-space:nowrap}footer{color:#656d76;padding:0 24px 24px;font-size:12px}";

/* Sorting any table.sortable by a header's column; filtering and paging
 * the events. It marks <body data-ready> when it has run to the end. */
static const char js[] =
	"(function(){'use strict';\n"
	"function key(td){var v=td.getAttribute('data-sort');return v!==null?parseFloat(v):td.textContent.trim();}\n"
	"var body=document.getElementById('events-body');var rows=body?Array.prototype.slice.call(body.rows):[];\n"
	"var per=50,page=0,shown=rows;var q=document.getElementById('ev-filter'),st=document.getElementById('ev-status');\n"
	"var pager=document.getElementById('ev-pager');\n"
	"function show(){var pages=Math.max(1,Math.ceil(shown.length/per));if(page>=pages)page=pages-1;\n"
	" rows.forEach(function(r){r.hidden=true;});shown.slice(page*per,(page+1)*per).forEach(function(r){r.hidden=false;});\n"
	" if(!pager)return;pager.textContent='';var prev=document.createElement('button');prev.textContent='previous';\n"
	" prev.disabled=page===0;prev.onclick=function(){page--;show();};var next=document.createElement('button');\n"
	" next.textContent='next';next.disabled=page>=pages-1;next.onclick=function(){page++;show();};\n"
	" var label=document.createElement('span');label.textContent='page '+(page+1)+' of '+pages+' ('+shown.length+' events)';\n"
	" pager.appendChild(prev);pager.appendChild(label);pager.appendChild(next);}\n"
	"function filter(){var t=q?q.value.toLowerCase():'',s=st?st.value:'';\n"
	" shown=rows.filter(function(r){return(!s||r.getAttribute('data-status')===s||r.getAttribute('data-kind')===s)&&\n"
	"  (!t||r.textContent.toLowerCase().indexOf(t)>=0);});page=0;show();}\n"
	"if(body){if(q)q.addEventListener('input',filter);if(st)st.addEventListener('change',filter);\n"
	" document.querySelectorAll('.controls').forEach(function(c){c.hidden=false;});filter();}\n"
	"document.querySelectorAll('table.sortable').forEach(function(t){var dir={};\n"
	" t.querySelectorAll('th').forEach(function(th,i){th.title='sort';th.addEventListener('click',function(){\n"
	"  var tb=t.tBodies[0],list=Array.prototype.slice.call(tb.rows);dir[i]=-(dir[i]||-1);\n"
	"  list.sort(function(a,b){var x=key(a.cells[i]),y=key(b.cells[i]);return(x<y?-1:x>y?1:0)*dir[i];});\n"
	"  list.forEach(function(r){tb.appendChild(r);});if(tb===body){rows=list;filter();}});});});\n"
	"document.body.setAttribute('data-ready','1');})();\n";

/* ---- now --------------------------------------------------------------------------- */

/* The newest gate decision the audit log holds (for a page without a
 * database), or NULL. */
static json_t *last_decision(json_t *doc)
{
	json_t *ev = json_object_get(json_object_get(doc, "history"), "events"), *e;
	size_t i;

	json_array_foreach(ev, i, e)
	{
		const char *k = str(e, "kind");
		if (!strcmp(k, "check") || !strcmp(k, "upgrade"))
			return e;
	}
	return NULL;
}

static void verdict(buf *b, json_t *doc)
{
	json_t *gate = json_object_get(doc, "gate"), *checks = json_object_get(gate, "checks"), *c, *last;
	size_t i, failed = 0;
	const char *v = str(gate, "verdict");

	if (!json_is_object(gate)) {
		buf_puts(b, "<div id=\"verdict\" class=\"verdict unknown\" data-verdict=\"unknown\">Gate: not known now</div>");
		tag(b, "<p>", str(doc, json_object_get(doc, "gate_error") ? "gate_error" : "plan_error"), "</p>");
		if ((last = last_decision(doc))) {
			buf_puts(b, "<p>The last decision in the audit log: <strong>");
			esc(b, str(last, "result"));
			buf_puts(b, "</strong> (");
			esc(b, str(last, "command"));
			buf_puts(b, ") at ");
			esc(b, str(last, "time"));
			buf_puts(b, " by ");
			esc(b, str(last, "who"));
			buf_puts(b, ".</p>");
		}
		return;
	}
	json_array_foreach(checks, i, c) failed += !strcmp(str(c, "status"), "fail");
	if (!strcmp(v, "open"))
		buf_puts(b, "<div id=\"verdict\" class=\"verdict open\" data-verdict=\"open\">Gate open: "
			    "<code>mgate upgrade</code> may run</div>");
	else
		buf_printf(b, "<div id=\"verdict\" class=\"verdict closed\" data-verdict=\"closed\">Gate closed: %zu check%s "
			      "failed</div>",
			   failed, failed == 1 ? "" : "s");
}

/* Each check of the checklist: status, evidence, what to do. */
static void checks_table(buf *b, json_t *checks)
{
	json_t *c;
	size_t i;

	if (!json_array_size(checks))
		return;
	buf_puts(b, "<table id=\"checks\"><thead><tr><th>check</th><th>status</th><th>evidence</th><th>what to do</th></tr>"
		    "</thead><tbody>");
	json_array_foreach(checks, i, c)
	{
		buf_printf(b, "<tr data-check=\"");
		esc(b, str(c, "name"));
		buf_puts(b, "\"><td>");
		esc(b, str(c, "name"));
		buf_puts(b, "</td><td class=\"st-");
		esc(b, str(c, "status"));
		buf_puts(b, "\">");
		esc(b, str(c, "status"));
		buf_puts(b, "</td><td>");
		esc(b, str(c, "summary"));
		buf_puts(b, "</td><td>");
		esc(b, str(c, "next"));
		buf_puts(b, "</td></tr>");
	}
	buf_puts(b, "</tbody></table>");
}

static void severity_chips(buf *b, json_t *findings)
{
	static const char *const sev[] = { "error", "warning", "info" };
	json_t *f;
	size_t i, k, n;

	for (k = 0; k < 3; k++) {
		n = 0;
		json_array_foreach(findings, i, f) n += !strcmp(str(f, "severity"), sev[k]);
		if (n)
			buf_printf(b, "<span class=\"chip %s\">%zu %s%s</span>", sev[k], n, sev[k], n == 1 ? "" : "s");
	}
}

static void plan_step(buf *b, json_t *st)
{
	json_t *ops = json_object_get(st, "operations"), *fs = json_object_get(st, "findings"), *x;
	const char *doc = str(st, "doc"), *nl = strchr(doc, '\n');
	char *first = mg_strndup(doc, nl ? (size_t)(nl - doc) : strlen(doc));
	size_t i;

	buf_puts(b, "<details class=\"step\" open data-revision=\"");
	esc(b, str(st, "revision"));
	buf_puts(b, "\"><summary><code>");
	esc(b, str(st, "revision"));
	buf_puts(b, "</code> ");
	esc(b, first);
	if (json_is_true(json_object_get(st, "is_merge")))
		buf_puts(b, " <span class=\"muted\">(merge)</span>");
	severity_chips(b, fs);
	buf_puts(b, "</summary>");
	tag(b, "<p class=\"muted\">", str(st, "path"), "</p>");
	if (json_array_size(ops)) {
		buf_puts(b, "<table class=\"ops\"><thead><tr><th>line</th><th>operation</th><th>lock</th><th>rows</th></tr>"
			    "</thead><tbody>");
		json_array_foreach(ops, i, x)
		{
			json_t *rows = json_object_get(x, "rows"), *data = json_object_get(x, "data");
			buf_printf(b, "<tr class=\"op%s\"><td class=\"num\">%lld</td><td>",
				   json_is_true(json_object_get(x, "data_loss")) ? " bad" : "",
				   (long long)json_integer_value(json_object_get(x, "line")));
			esc(b, str(x, "description"));
			buf_puts(b, "</td><td>");
			esc(b, json_is_string(json_object_get(x, "lock")) ? str(x, "lock") : "-");
			buf_puts(b, "</td><td class=\"num\">");
			if (json_is_object(data)) {
				buf_printf(b, "%s %lld (", str(data, "kind"), (long long)json_integer_value(json_object_get(data, "rows")));
				esc(b, str(data, "basis"));
				buf_puts(b, ")");
			} else if (json_is_integer(rows))
				buf_printf(b, "%lld in table", (long long)json_integer_value(rows));
			else
				buf_puts(b, "-");
			buf_puts(b, "</td></tr>");
		}
		buf_puts(b, "</tbody></table>");
	} else
		buf_puts(b, "<p class=\"muted\">no operations</p>");
	if (json_array_size(fs)) {
		buf_puts(b, "<ul class=\"findings\">");
		json_array_foreach(fs, i, x)
		{
			buf_puts(b, "<li class=\"finding\" data-severity=\"");
			esc(b, str(x, "severity"));
			buf_puts(b, "\"><span class=\"chip ");
			esc(b, str(x, "severity"));
			buf_puts(b, "\">");
			esc(b, str(x, "severity"));
			buf_printf(b, "</span> line %lld: ", (long long)json_integer_value(json_object_get(x, "line")));
			esc(b, str(x, "message"));
			tag(b, " <code>", str(x, "rule"), "</code></li>");
		}
		buf_puts(b, "</ul>");
	}
	buf_puts(b, "</details>");
	free(first);
}

/* The database (redacted), where it is and the heads. */
static void database_line(buf *b, json_t *doc)
{
	json_t *db = json_object_get(doc, "database");

	buf_puts(b, "<p>Database ");
	if (json_is_string(json_object_get(db, "url"))) {
		tag(b, "<code>", str(db, "url"), "</code>");
		if (json_is_string(json_object_get(db, "server")))
			tag(b, " (", str(db, "server"), ")");
		if (!json_is_true(json_object_get(db, "reached")))
			tag(b, " <span class=\"bad\">cannot be read: ", str(db, "error"), "</span>");
	} else
		buf_puts(b, "<span class=\"muted\">not given (no URL): the page shows the project and the audit log</span>");
	buf_puts(b, ".<br>Current revisions: <span id=\"current\">");
	if (json_is_array(json_object_get(db, "current")))
		put_list(b, json_object_get(db, "current"), "none (empty database)");
	else
		buf_puts(b, "<span class=\"muted\">unknown</span>");
	buf_puts(b, "</span>. Heads: <span id=\"heads\">");
	put_list(b, json_object_get(doc, "heads"), "none");
	buf_puts(b, "</span>.</p>");
}

static void section_now(buf *b, json_t *doc)
{
	json_t *plan = json_object_get(doc, "plan"), *steps, *st;
	size_t i;

	buf_puts(b, "<section id=\"now\"><h2>Now</h2>");
	verdict(b, doc);
	database_line(b, doc);
	checks_table(b, json_object_get(json_object_get(doc, "gate"), "checks"));
	buf_puts(b, "<h3>Pending plan</h3>");
	steps = json_object_get(plan, "steps");
	if (!json_is_object(plan))
		tag(b, "<p class=\"muted\">", str(doc, "plan_error"), "</p>");
	else if (!json_array_size(steps))
		buf_puts(b, "<p id=\"plan-empty\">Nothing is pending: the database is at the target.</p>");
	else {
		buf_printf(b, "<p>%zu revision%s to <code>", json_array_size(steps), json_array_size(steps) == 1 ? "" : "s");
		esc(b, str(plan, "target"));
		buf_puts(b, "</code>, in the order <code>alembic upgrade</code> runs them:</p><div id=\"plan\">");
		json_array_foreach(steps, i, st) plan_step(b, st);
		buf_puts(b, "</div>");
	}
	buf_puts(b, "</section>");
}

/* ---- the graph ------------------------------------------------------------------------ */

static int section_graph(buf *b, json_t *doc, mg_error *err)
{
	json_t *g = json_object_get(doc, "graph");

	buf_puts(b, "<section id=\"graph\"><h2>Revision graph</h2>");
	if (!json_is_object(g)) {
		buf_puts(b, "<p class=\"bad\">The revision graph is broken: see <code>mgate heads</code>.</p></section>");
		return MG_OK;
	}
	buf_printf(b, "<p>%lld of %lld revisions, those nearest the heads (<code>--graph-window</code>). Blue: where the "
		      "database is; yellow, dashed: pending; green border: a head; hexagon: a merge; house: a branch point; "
		      "tab: a branch label; purple dashed edge: <code>depends_on</code>.</p><div class=\"graphbox\">",
		   (long long)json_integer_value(json_object_get(g, "shown")),
		   (long long)json_integer_value(json_object_get(g, "revisions")));
	if (report_graph_svg(b, g, err) < 0)
		return MG_ERR;
	buf_puts(b, "</div></section>");
	return MG_OK;
}

/* ---- history --------------------------------------------------------------------------- */

static void counts_table(buf *b, json_t *counts)
{
	const char *k;
	json_t *c;
	int st;

	buf_puts(b, "<table id=\"counts\"><thead><tr><th>kind</th>");
	for (st = 0; st < HISTORY_NSTATUS; st++)
		buf_printf(b, "<th class=\"num\">%s</th>", history_status_name(st));
	buf_puts(b, "</tr></thead><tbody>");
	json_object_foreach(counts, k, c)
	{
		buf_puts(b, "<tr><td>");
		esc(b, k);
		buf_puts(b, "</td>");
		for (st = 0; st < HISTORY_NSTATUS; st++)
			buf_printf(b, "<td class=\"num\" id=\"count-%s-%s\">%lld</td>", k, history_status_name(st),
				   (long long)json_integer_value(json_object_get(c, history_status_name(st))));
		buf_puts(b, "</tr>");
	}
	buf_puts(b, "</tbody></table>");
}

static void causes_table(buf *b, json_t *causes, const char *by, const char *title)
{
	json_t *c;
	size_t i, n = 0;

	json_array_foreach(causes, i, c) n += !strcmp(str(c, "by"), by);
	if (!n)
		return;
	buf_printf(b, "<div><h3>%s</h3><table class=\"sortable causes\" data-by=\"%s\"><thead><tr><th>cause</th>"
		      "<th class=\"num\">failures</th><th>last</th><th>correlation id</th></tr></thead><tbody>",
		   title, by);
	json_array_foreach(causes, i, c)
	{
		if (strcmp(str(c, "by"), by))
			continue;
		tag(b, "<tr><td><code>", str(c, "cause"), "</code></td>");
		buf_printf(b, "<td class=\"num\" data-sort=\"%lld\">%lld</td>", (long long)json_integer_value(json_object_get(c, "count")),
			   (long long)json_integer_value(json_object_get(c, "count")));
		tag(b, "<td>", str(c, "last"), "</td>");
		tag(b, "<td><code>", str(c, "last_correlation_id"), "</code></td></tr>");
	}
	buf_puts(b, "</tbody></table></div>");
}

static void event_row(buf *b, json_t *e)
{
	json_t *x, *blocking = json_object_get(e, "blocking"), *over = json_object_get(e, "overrides");
	size_t i;

	buf_puts(b, "<tr data-kind=\"");
	esc(b, str(e, "kind"));
	buf_puts(b, "\" data-status=\"");
	esc(b, str(e, "status"));
	buf_puts(b, "\" data-id=\"");
	esc(b, str(e, "correlation_id"));
	tag(b, "\"><td class=\"time\">", str(e, "time"), "</td>");
	tag(b, "<td><code>", str(e, "correlation_id"), "</code></td><td>");
	esc(b, str(e, "who"));
	if (json_is_string(json_object_get(e, "host")))
		tag(b, " @ ", str(e, "host"), "");
	tag(b, "</td><td>", str(e, "command"), "</td>");
	tag(b, "<td>", str(e, "target"), "</td>");
	buf_puts(b, "<td class=\"st-");
	esc(b, str(e, "status"));
	tag(b, "\">", str(e, "result"), "</td>");
	buf_printf(b, "<td class=\"num\" data-sort=\"%.3f\">", json_number_value(json_object_get(e, "duration_ms")));
	put_ms(b, json_object_get(e, "duration_ms"));
	buf_puts(b, "</td><td class=\"num\">");
	if (json_is_integer(json_object_get(e, "alembic_exit")))
		buf_printf(b, "%lld", (long long)json_integer_value(json_object_get(e, "alembic_exit")));
	else
		buf_puts(b, "-");
	buf_puts(b, "</td><td>");
	if (json_is_string(json_object_get(e, "detail")))
		tag(b, "<div>", str(e, "detail"), "</div>");
	if (json_array_size(blocking) || json_array_size(over)) {
		buf_puts(b, "<ul class=\"detail\">");
		json_array_foreach(blocking, i, x) tag(b, "<li class=\"blocking\">", json_string_value(x), "</li>");
		json_array_foreach(over, i, x) tag(b, "<li class=\"override\">override: ", json_string_value(x), "</li>");
		buf_puts(b, "</ul>");
	}
	buf_puts(b, "</td></tr>");
}

static void section_history(buf *b, json_t *doc)
{
	json_t *h = json_object_get(doc, "history"), *events = json_object_get(h, "events"), *e;
	long long total = json_integer_value(json_object_get(h, "entries"));
	size_t i;
	int k, st;

	buf_puts(b, "<section id=\"history\"><h2>History</h2>");
	if (!json_is_string(json_object_get(h, "path"))) {
		buf_puts(b, "<p class=\"muted\">No audit log is configured (<code>audit_log</code> in <code>[mgate]</code>): "
			    "mgate records nothing to show here.</p></section>");
		return;
	}
	buf_printf(b, "<p>The audit log <code>");
	esc(b, str(h, "path"));
	buf_printf(b, "</code> (%lld file%s): <strong id=\"entries\">%lld</strong> entr%s", (long long)json_integer_value(json_object_get(h, "files")),
		   json_integer_value(json_object_get(h, "files")) == 1 ? "" : "s", total, total == 1 ? "y" : "ies");
	if (json_is_string(json_object_get(h, "since")))
		tag(b, " since ", str(h, "since"), "");
	else if (total)
		buf_printf(b, " from %s to %s", str(h, "first"), str(h, "last"));
	buf_printf(b, ", <strong id=\"failures\">%lld</strong> not ok",
		   (long long)json_integer_value(json_object_get(h, "failures")));
	if (json_integer_value(json_object_get(h, "skipped_lines")))
		buf_printf(b, "; %lld line%s that are not entries skipped",
			   (long long)json_integer_value(json_object_get(h, "skipped_lines")),
			   json_integer_value(json_object_get(h, "skipped_lines")) == 1 ? "" : "s");
	buf_puts(b, ".</p>");
	counts_table(b, json_object_get(h, "counts"));
	tag(b, "<h3>Per ", str(json_object_get(h, "timeline"), "bucket"), "</h3>");
	report_timeline_svg(b, json_object_get(h, "timeline"));
	if (json_array_size(json_object_get(h, "causes"))) {
		buf_puts(b, "<h3>Failures by cause</h3><div class=\"cols\" id=\"causes\">");
		causes_table(b, json_object_get(h, "causes"), "exit", "by exit code");
		causes_table(b, json_object_get(h, "causes"), "rule", "by rule");
		causes_table(b, json_object_get(h, "causes"), "check", "by check");
		causes_table(b, json_object_get(h, "causes"), "revision", "by revision");
		buf_puts(b, "</div>");
	}
	buf_printf(b, "<h3>Events</h3><p>The newest %zu of %lld, newest first.</p>", json_array_size(events), total);
	buf_puts(b, "<div class=\"controls\" hidden><input id=\"ev-filter\" type=\"search\" placeholder=\"filter\">"
		    "<select id=\"ev-status\"><option value=\"\">all</option>");
	for (st = 0; st < HISTORY_NSTATUS; st++)
		buf_printf(b, "<option value=\"%s\">%s</option>", history_status_name(st), history_status_name(st));
	for (k = 0; k < HK_OTHER; k++)
		buf_printf(b, "<option value=\"%s\">%s</option>", history_kind_name(k), history_kind_name(k));
	buf_puts(b, "</select><span id=\"ev-pager\"></span></div>");
	buf_puts(b, "<table class=\"sortable\" id=\"events\"><thead><tr><th>time</th><th>correlation id</th><th>who</th>"
		    "<th>command</th><th>target</th><th>result</th><th class=\"num\">duration</th>"
		    "<th class=\"num\">Alembic exit</th><th>what closed it, overrides</th></tr></thead><tbody id=\"events-body\">");
	json_array_foreach(events, i, e) event_row(b, e);
	buf_puts(b, "</tbody></table></section>");
}

/* ---- backups, drills, ledger --------------------------------------------------------------- */

static void ledger_state(buf *b, json_t *doc)
{
	json_t *checks = json_object_get(json_object_get(doc, "gate"), "checks"), *c;
	size_t i;

	buf_puts(b, "<h3>Ledger</h3>");
	json_array_foreach(checks, i, c)
	{
		if (strcmp(str(c, "name"), "integrity"))
			continue;
		buf_puts(b, "<p id=\"ledger\"><span class=\"st-");
		esc(b, str(c, "status"));
		buf_puts(b, "\">");
		esc(b, str(c, "status"));
		tag(b, "</span> ", str(c, "summary"), "</p>");
		return;
	}
	buf_puts(b, "<p id=\"ledger\" class=\"muted\">The ledger lives in the database: not read.</p>");
}

static void drills(buf *b, json_t *doc)
{
	json_t *d = json_object_get(doc, "drills");
	int overdue = json_is_true(json_object_get(d, "overdue"));
	json_t *age = json_object_get(d, "age_days"), *max = json_object_get(d, "max_age_days");

	buf_printf(b, "<h3>Drills</h3><div id=\"drill\" class=\"%s\" data-overdue=\"%s\">", overdue ? "overdue" : "current",
		   overdue ? "true" : "false");
	if (json_is_number(age)) {
		buf_puts(b, "The last passing drill ran ");
		put_days(b, json_number_value(age));
		buf_puts(b, " ago");
	} else
		buf_puts(b, "No passing drill is recorded");
	if (json_is_integer(max))
		buf_printf(b, "; <code>drill_max_age</code> is %lld day%s", (long long)json_integer_value(max),
			   json_integer_value(max) == 1 ? "" : "s");
	buf_puts(b, overdue ? ": overdue, run <code>mgate drill</code>." : ".");
	buf_printf(b, " %lld drill%s in the window", (long long)json_integer_value(json_object_get(d, "count")),
		   json_integer_value(json_object_get(d, "count")) == 1 ? "" : "s");
	if (json_is_string(json_object_get(d, "last")))
		tag(b, "; the newest at ", str(d, "last"), "");
	buf_puts(b, ".</div>");
}

static void section_backups(buf *b, json_t *doc)
{
	json_t *bk = json_object_get(doc, "backups"), *list = json_object_get(bk, "backups"), *x;
	size_t i;

	buf_puts(b, "<section id=\"backups\"><h2>Backups and drills</h2>");
	drills(b, doc);
	ledger_state(b, doc);
	buf_puts(b, "<h3>Backups</h3>");
	if (json_is_string(json_object_get(bk, "error")))
		tag(b, "<p class=\"muted\">", str(bk, "error"), "</p>");
	else if (!json_array_size(list))
		tag(b, "<p class=\"bad\">No backups in <code>", str(bk, "path"), "</code>: run <code>mgate backup</code>.</p>");
	if (json_array_size(list)) {
		buf_puts(b, "<table class=\"sortable\" id=\"backups-table\"><thead><tr><th>created</th><th class=\"num\">age</th>"
			    "<th class=\"num\">size</th><th>at revisions</th><th>verification</th><th>file</th></tr></thead><tbody>");
		json_array_foreach(list, i, x)
		{
			int ok = !strcmp(str(x, "status"), "ok");
			tag(b, "<tr><td>", str(x, "created_at"), "</td>");
			buf_printf(b, "<td class=\"num\" data-sort=\"%.4f\">", json_number_value(json_object_get(x, "age_days")));
			if (json_is_number(json_object_get(x, "age_days")))
				put_days(b, json_number_value(json_object_get(x, "age_days")));
			buf_printf(b, "</td><td class=\"num\" data-sort=\"%lld\">", (long long)json_integer_value(json_object_get(x, "size")));
			put_size(b, json_integer_value(json_object_get(x, "size")));
			buf_puts(b, "</td><td>");
			put_list(b, json_object_get(x, "revisions"), "base");
			buf_printf(b, "</td><td class=\"%s\">", ok ? "st-ok" : "bad");
			esc(b, str(x, "status"));
			if (json_is_string(json_object_get(x, "problem")))
				tag(b, ": ", str(x, "problem"), "");
			tag(b, "</td><td><code>", str(x, "path"), "</code></td></tr>");
		}
		buf_puts(b, "</tbody></table>");
	}
	buf_puts(b, "</section>");
}

int report_dashboard_html(FILE *out, const void *document, mg_error *err)
{
	json_t *doc = (json_t *)document, *db = json_object_get(doc, "database");
	buf b = BUF_INIT;
	int rc;

	buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		     "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
		     "<meta name=\"generator\" content=\"mgate " MGATE_VERSION "\"><title>mgate report: ");
	esc(&b, json_is_string(json_object_get(db, "url")) ? str(db, "url") : str(doc, "root"));
	buf_printf(&b, "</title><style>%s</style></head><body>\n<header><h1>mgate report</h1><p>", css);
	tag(&b, "project <code>", str(doc, "root"), "</code>");
	buf_printf(&b, " &middot; %lld revisions &middot; generated ", (long long)json_integer_value(json_object_get(doc, "revisions")));
	esc(&b, str(doc, "generated"));
	buf_puts(&b, "</p></header><nav><a href=\"#now\">Now</a><a href=\"#graph\">Graph</a><a href=\"#history\">History</a>"
		     "<a href=\"#backups\">Backups and drills</a></nav><main>\n");
	section_now(&b, doc);
	if ((rc = section_graph(&b, doc, err)) < 0)
		goto cleanup;
	section_history(&b, doc);
	section_backups(&b, doc);
	buf_puts(&b, "</main><footer>mgate " MGATE_VERSION ". The same data as JSON: <code>mgate report --format json</code>."
		     "</footer>\n<script>");
	buf_puts(&b, js);
	buf_puts(&b, "</script></body></html>\n");
	if (fwrite(b.ptr, 1, b.len, out) != b.len)
		rc = mg_error_set(err, MG_EENV, "cannot write the page");
cleanup:
	buf_release(&b);
	return rc;
}
