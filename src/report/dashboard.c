/*
 * dashboard.c: the report's document (dashboard.h): the gate now, the
 * graph's window, the audit log's history, the backups and the drills,
 * gathered from the core's modules into one JSON object. html.c draws the
 * page from it, so the page and `--format json` always agree.
 */
#include "report/dashboard.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gate/backup.h"
#include "gate/history.h"
#include "gate/preview.h"
#include "report/gate.h"
#include "report/plan.h"
#include "report/rescue.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/banned.h"

static json_t *json_time(long long t)
{
	char ts[32];
	time_t tt = (time_t)t;
	struct tm tm;

	if (!t)
		return json_null();
	gmtime_r(&tt, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(ts);
}

static json_t *json_day(long long t)
{
	char ts[16];
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%d", &tm);
	return json_string(ts);
}

/* The first line of a docstring. */
static json_t *first_line(const char *doc)
{
	const char *nl = doc ? strchr(doc, '\n') : NULL;
	char *s;
	json_t *v;

	if (!doc || !*doc)
		return json_null();
	if (!nl)
		return json_text(doc);
	s = mg_strndup(doc, (size_t)(nl - doc));
	v = json_text(s);
	free(s);
	return v;
}

/* ---- the graph's window ------------------------------------------------------------- */

/*
 * The revisions nearest the heads (breadth first over down_revision and
 * depends_on), `window` of them, plus the database's current revisions and
 * the pending ones wherever they are. A revision whose parents are not
 * drawn is marked "cut", so the page can say older ones exist.
 */
static json_t *graph_json(const revmap *m, const strvec *current, const strvec *pending, size_t window)
{
	json_t *o = json_object(), *nodes = json_array(), *edges = json_array();
	unsigned char *in = calloc(m->n ? m->n : 1, 1);
	int *queue = malloc((m->n ? m->n : 1) * sizeof(int));
	size_t head = 0, tail = 0, shown = 0, i, k;

	if (!in || !queue)
		abort();
	for (i = 0; i < m->heads.n && shown < window; i++)
		if (!in[m->heads.v[i]]) {
			in[m->heads.v[i]] = 1;
			queue[tail++] = m->heads.v[i];
			shown++;
		}
	while (head < tail && shown < window) {
		const revnode *r = &m->v[queue[head++]];
		for (k = 0; k < r->down.n + r->deps.n && shown < window; k++) {
			int p = k < r->down.n ? r->down.v[k] : r->deps.v[k - r->down.n];
			if (!in[p]) {
				in[p] = 1;
				queue[tail++] = p;
				shown++;
			}
		}
	}
	for (k = 0; k < 2; k++) { /* the database's revisions and the pending ones, always */
		const strvec *ids = k ? pending : current;
		for (i = 0; ids && i < ids->n; i++) {
			int at = revmap_index(m, ids->v[i]);
			if (at >= 0 && !in[at]) {
				in[at] = 1;
				shown++;
			}
		}
	}
	for (i = 0; i < m->n; i++) {
		const revnode *r = &m->v[i];
		json_t *n;
		int cut = 0;
		if (!in[i])
			continue;
		for (k = 0; k < r->down.n + r->deps.n; k++) {
			int p = k < r->down.n ? r->down.v[k] : r->deps.v[k - r->down.n];
			json_t *e;
			if (!in[p]) {
				cut = 1;
				continue;
			}
			e = json_object();
			json_object_set_new(e, "from", json_text(m->v[p].id));
			json_object_set_new(e, "to", json_text(r->id));
			json_object_set_new(e, "kind", json_string(k < r->down.n ? "down_revision" : "depends_on"));
			json_array_append_new(edges, e);
		}
		n = json_object();
		json_object_set_new(n, "revision", json_text(r->id));
		json_object_set_new(n, "branch_labels", json_strlist(&r->s->labels));
		json_object_set_new(n, "message", first_line(r->s->doc));
		json_object_set_new(n, "is_head", json_boolean(r->is_head));
		json_object_set_new(n, "is_base", json_boolean(r->is_base));
		json_object_set_new(n, "is_merge", json_boolean(revnode_is_merge(r)));
		json_object_set_new(n, "is_branch_point", json_boolean(revnode_is_branch_point(r)));
		json_object_set_new(n, "is_current", json_boolean(current && strvec_index(current, r->id) >= 0));
		json_object_set_new(n, "is_pending", json_boolean(pending && strvec_index(pending, r->id) >= 0));
		json_object_set_new(n, "cut", json_boolean(cut));
		json_array_append_new(nodes, n);
	}
	json_object_set_new(o, "window", json_integer((json_int_t)window));
	json_object_set_new(o, "revisions", json_integer((json_int_t)m->n));
	json_object_set_new(o, "shown", json_integer((json_int_t)shown));
	json_object_set_new(o, "nodes", nodes);
	json_object_set_new(o, "edges", edges);
	free(in);
	free(queue);
	return o;
}

/* ---- the history -------------------------------------------------------------------- */

static json_t *counts_json(const int counts[HK_NKIND][HISTORY_NSTATUS])
{
	json_t *o = json_object();
	int k, st;

	for (k = 0; k < HK_NKIND; k++) {
		json_t *c = json_object();
		int any = 0;
		for (st = 0; st < HISTORY_NSTATUS; st++) {
			json_object_set_new(c, history_status_name(st), json_integer(counts[k][st]));
			any |= counts[k][st];
		}
		if (any || k != HK_OTHER)
			json_object_set_new(o, history_kind_name(k), c);
		else
			json_decref(c);
	}
	return o;
}

static json_t *event_json(const history_event *e)
{
	json_t *o = json_object();

	json_object_set_new(o, "time", json_text(e->time));
	json_object_set_new(o, "correlation_id", json_text(e->id));
	json_object_set_new(o, "command", json_text(e->command));
	json_object_set_new(o, "kind", json_string(history_kind_name(e->kind)));
	json_object_set_new(o, "status", json_string(history_status_name(e->status)));
	json_object_set_new(o, "result", json_text(e->result));
	json_object_set_new(o, "who", json_text(e->who));
	json_object_set_new(o, "host", json_text(e->host));
	json_object_set_new(o, "database", json_text(e->database));
	json_object_set_new(o, "target", json_text(e->target));
	json_object_set_new(o, "exit", e->exit >= 0 ? json_integer(e->exit) : json_null());
	json_object_set_new(o, "alembic_exit", e->alembic_exit >= 0 ? json_integer(e->alembic_exit) : json_null());
	json_object_set_new(o, "duration_ms", e->ms >= 0 ? json_real(e->ms) : json_null());
	json_object_set_new(o, "detail", json_text(e->detail));
	json_object_set_new(o, "blocking", json_strvec(&e->blocking));
	json_object_set_new(o, "overrides", json_strvec(&e->overrides));
	return o;
}

static json_t *history_json(const history *h, const char *log, long long since)
{
	json_t *o = json_object(), *tl = json_object(), *periods = json_array(), *events = json_array();
	json_t *causes = json_array();
	size_t i;

	json_object_set_new(o, "path", json_text(log));
	json_object_set_new(o, "since", json_time(since));
	json_object_set_new(o, "files", json_integer((json_int_t)h->files));
	json_object_set_new(o, "entries", json_integer((json_int_t)h->total));
	json_object_set_new(o, "skipped_lines", json_integer((json_int_t)h->skipped));
	json_object_set_new(o, "older", json_integer((json_int_t)h->older));
	json_object_set_new(o, "failures", json_integer((json_int_t)h->failures));
	json_object_set_new(o, "first", json_time(h->first));
	json_object_set_new(o, "last", json_time(h->last));
	json_object_set_new(o, "counts", counts_json(h->counts));
	for (i = 0; i < h->nperiods; i++) {
		json_t *p = json_object();
		json_object_set_new(p, "start", json_day(h->periods[i].start));
		json_object_set_new(p, "counts", counts_json(h->periods[i].counts));
		json_array_append_new(periods, p);
	}
	json_object_set_new(tl, "bucket", json_string(h->weekly ? "week" : "day"));
	json_object_set_new(tl, "periods", periods);
	json_object_set_new(o, "timeline", tl);
	for (i = 0; i < h->ncauses; i++) {
		const history_cause *c = &h->causes[i];
		const char *colon = strchr(c->key, ':');
		json_t *x = json_object();
		char *by = mg_strndup(c->key, colon ? (size_t)(colon - c->key) : strlen(c->key));
		json_object_set_new(x, "by", json_text(by));
		json_object_set_new(x, "cause", json_text(colon ? colon + 1 : c->key));
		json_object_set_new(x, "count", json_integer((json_int_t)c->count));
		json_object_set_new(x, "last", json_time(c->last));
		json_object_set_new(x, "last_correlation_id", json_text(c->last_id));
		json_array_append_new(causes, x);
		free(by);
	}
	json_object_set_new(o, "causes", causes);
	for (i = 0; i < h->nevents; i++)
		json_array_append_new(events, event_json(&h->events[i]));
	json_object_set_new(o, "events_shown", json_integer((json_int_t)h->nevents));
	json_object_set_new(o, "events", events);
	return o;
}

/* The drills: the newest, the newest passing one, and whether it is
 * overdue against drill_max_age. */
static json_t *drills_json(const history *h, const session *s, long long now)
{
	json_t *o = json_object();
	long long max_age = s->p.cfg.settings.drill_max_age;
	int ran = h->counts[HK_DRILL][HISTORY_OK] + h->counts[HK_DRILL][HISTORY_FAILED];

	json_object_set_new(o, "count", json_integer(ran));
	json_object_set_new(o, "last", json_time(h->last_drill));
	json_object_set_new(o, "last_correlation_id", json_text(h->last_drill_id));
	json_object_set_new(o, "last_passing", json_time(h->last_drill_ok));
	json_object_set_new(o, "age_days", h->last_drill_ok ? json_real((double)(now - h->last_drill_ok) / 86400.0) : json_null());
	json_object_set_new(o, "max_age_days", max_age > 0 ? json_integer(max_age / 86400) : json_null());
	json_object_set_new(o, "overdue",
			    json_boolean(max_age > 0 && (!h->last_drill_ok || now - h->last_drill_ok > max_age)));
	return o;
}

static json_t *backups_json(const session *s, long long now)
{
	json_t *o = json_object(), *items;
	backup_list l;
	mg_error err = MG_ERROR_INIT;
	size_t i;

	json_object_set_new(o, "path", json_text(s->backup_dir));
	if (!s->backup_dir) {
		json_object_set_new(o, "error", json_string("no backup folder is configured (backup_dir in [mgate])"));
		json_object_set_new(o, "backups", json_array());
		return o;
	}
	if (backup_list_dir(&l, s->backup_dir, 1, &err) < 0) {
		json_object_set_new(o, "error", json_text(err.msg));
		json_object_set_new(o, "backups", json_array());
		mg_error_clear(&err);
		return o;
	}
	items = report_backups_json(&l);
	for (i = 0; i < l.n; i++)
		json_object_set_new(json_array_get(items, i), "age_days",
				    l.v[i].created ? json_real((double)(now - l.v[i].created) / 86400.0) : json_null());
	json_object_set_new(o, "error", json_null());
	json_object_set_new(o, "backups", items);
	backup_list_release(&l);
	return o;
}

/* ---- now: the database and the gate ------------------------------------------------- */

static json_t *database_json(const session *s)
{
	json_t *o = json_object();

	json_object_set_new(o, "url", s->url ? json_text(s->where.ptr) : json_null());
	json_object_set_new(o, "reached", json_boolean(s->d != NULL));
	json_object_set_new(o, "server", s->server.len ? json_text(s->server.ptr) : json_null());
	json_object_set_new(o, "error", s->url && !s->d ? json_text(s->dberr.len ? s->dberr.ptr : "not connected") : json_null());
	json_object_set_new(o, "current", s->d ? json_strvec(&s->rows) : json_null());
	return o;
}

/* The checklist and the plan, as `check` and `plan` give them (null
 * without a database URL; the plan also needs the database itself). */
static void now_json(json_t *doc, session *s, const char *target, strvec *pending)
{
	checklist_request req;
	checklist_result g;
	preview pv;
	mg_error err = MG_ERROR_INIT;

	memset(&req, 0, sizeof(req));
	memset(&g, 0, sizeof(g));
	memset(&pv, 0, sizeof(pv));
	req.target = target;
	if (!s->url) {
		json_object_set_new(doc, "gate", json_null());
		json_object_set_new(doc, "plan", json_null());
		json_object_set_new(doc, "plan_error", json_string("no database URL: the live state is not shown"));
		return;
	}
	if (session_checklist(&g, s, &req, &err) < 0) {
		json_object_set_new(doc, "gate", json_null());
		json_object_set_new(doc, "gate_error", json_text(err.msg));
		mg_error_clear(&err);
	} else {
		json_object_set_new(doc, "gate", report_checklist_json(&g, target));
		strvec_copy(pending, &g.pending);
	}
	if (!s->d || s->p.map.broken) {
		json_object_set_new(doc, "plan", json_null());
		json_object_set_new(doc, "plan_error", json_string(s->d ? "the revision graph is broken: there is no plan" : "the database cannot be read: there is no plan"));
	} else if (preview_build(&pv, s, target, &err) < 0) {
		json_object_set_new(doc, "plan", json_null());
		json_object_set_new(doc, "plan_error", json_text(err.msg));
		mg_error_clear(&err);
	} else {
		json_object_set_new(doc, "plan", report_plan_json(&pv, s, target));
		json_object_set_new(doc, "plan_error", json_null());
	}
	preview_release(&pv);
	checklist_result_release(&g);
}

int report_dashboard_build(void **out, session *s, const dashboard_opts *o, mg_error *err)
{
	json_t *doc = json_object(), *heads = json_array();
	history h;
	history_opts ho;
	strvec pending = STRVEC_INIT;
	const char *target = o->target ? o->target : "heads";
	long long now = (long long)time(NULL);
	size_t i;
	int rc = MG_OK;

	memset(&h, 0, sizeof(h));
	*out = NULL;
	json_object_set_new(doc, "generated", json_time(now));
	json_object_set_new(doc, "target", json_text(target));
	json_object_set_new(doc, "database", database_json(s));
	for (i = 0; i < s->p.map.heads.n; i++)
		json_array_append_new(heads, json_text(s->p.map.v[s->p.map.heads.v[i]].id));
	json_object_set_new(doc, "heads", heads);
	json_object_set_new(doc, "revisions", json_integer((json_int_t)s->p.map.n));
	json_object_set_new(doc, "project_findings", json_findings(&s->p.found));
	now_json(doc, s, target, &pending);
	json_object_set_new(doc, "graph",
			    s->p.map.broken ? json_null() : graph_json(&s->p.map, s->d ? &s->rows : NULL, &pending, o->graph_window));
	memset(&ho, 0, sizeof(ho));
	ho.database = s->url ? s->where.ptr : NULL;
	ho.since = o->since;
	ho.keep = o->max_events;
	if (s->audit.path && (rc = history_read(&h, s->audit.path, &ho, err)) < 0)
		goto cleanup;
	json_object_set_new(doc, "history", history_json(&h, s->audit.path, o->since));
	json_object_set_new(doc, "drills", drills_json(&h, s, now));
	json_object_set_new(doc, "backups", backups_json(s, now));
	*out = doc;
	doc = NULL;
cleanup:
	json_decref(doc);
	history_release(&h);
	strvec_release(&pending);
	return rc;
}
