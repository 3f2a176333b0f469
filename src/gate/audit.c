/*
 * audit.c: the audit log's entries (their shape is here alone), written as
 * JSON lines with O_APPEND (one write per line) and size rotation, and
 * read back.
 */
#include "gate/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/buf.h"
#include "gate/history.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/banned.h"

#define AUDIT_BLOCKING 20 /* findings that closed the gate, per entry */

static void rotate(const char *path)
{
	buf from = BUF_INIT, to = BUF_INIT;
	int k;

	for (k = HISTORY_GENERATIONS - 1; k >= 0; k--) {
		history_log_file(&from, path, k);
		history_log_file(&to, path, k + 1);
		rename(from.ptr, to.ptr); /* a missing generation is fine */
	}
	buf_release(&from);
	buf_release(&to);
}

int audit_append(const char *path, void *entry, long long max_bytes, mg_error *err)
{
	struct stat st;
	char *line = json_dumps((json_t *)entry, JSON_COMPACT | JSON_PRESERVE_ORDER);
	buf b = BUF_INIT;
	int fd, rc = MG_OK;
	ssize_t w;

	if (!line)
		return mg_error_set(err, MG_ERR, "cannot encode the audit entry");
	if (max_bytes > 0 && stat(path, &st) == 0 && st.st_size > max_bytes)
		rotate(path);
	buf_printf(&b, "%s\n", line);
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0600)) < 0) {
		rc = mg_error_set(err, MG_EENV, "cannot write the audit log '%s': %s", path, strerror(errno));
		goto cleanup;
	}
	w = write(fd, b.ptr, b.len);
	if (w != (ssize_t)b.len || fsync(fd) < 0)
		rc = mg_error_set(err, MG_EENV, "cannot write the audit log '%s': %s", path, strerror(errno));
	close(fd);
cleanup:
	free(line);
	buf_release(&b);
	return rc;
}

/* The entries of one file that match, appended to `out` oldest first. */
static void read_entries(json_t *out, const char *path, const char *command, const char *database)
{
	buf text = BUF_INIT;
	mg_error err = MG_ERROR_INIT;
	const char *p, *nl;

	if (fs_read_file(&text, path, 256u * 1024 * 1024, &err) < 0) {
		buf_release(&text);
		return;
	}
	for (p = text.ptr; p && *p; p = nl ? nl + 1 : NULL) {
		json_t *e;
		const char *c, *d;
		nl = strchr(p, '\n');
		e = json_loadb(p, nl ? (size_t)(nl - p) : strlen(p), 0, NULL);
		c = json_string_value(json_object_get(e, "command"));
		d = json_string_value(json_object_get(e, "database"));
		if (json_is_object(e) && c && (!command || !strcmp(c, command)) &&
		    (!database || (d && !strcmp(d, database))))
			json_array_append(out, e);
		json_decref(e);
	}
	buf_release(&text);
}

void *audit_read(const char *path, const char *command, const char *database)
{
	json_t *out = json_array();
	buf p = BUF_INIT;
	int k;

	for (k = HISTORY_GENERATIONS; k >= 0; k--) {
		history_log_file(&p, path, k);
		read_entries(out, p.ptr, command, database);
	}
	buf_release(&p);
	return out;
}

/* ---- entries ----------------------------------------------------------------- */

static json_t *entry_head(const audit_head *h)
{
	json_t *e = json_object();
	char *who = run_who();
	char ts[32], host[256] = "";
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_set_new(e, "time", json_string(ts));
	json_object_set_new(e, "correlation_id", json_text(h->id));
	json_object_set_new(e, "command", json_text(h->command));
	json_object_set_new(e, "who", json_text(who));
	if (gethostname(host, sizeof(host) - 1) == 0)
		json_object_set_new(e, "host", json_text(host));
	json_object_set_new(e, "database", json_text(h->database));
	json_object_set_new(e, "from", h->from ? json_strvec(h->from) : json_array());
	free(who);
	return e;
}

/* What closed the gate: each failed check's error findings (at most
 * AUDIT_BLOCKING in all), or its summary when it has none. */
static json_t *gate_blocking(const checklist_result *r)
{
	json_t *out = json_array();
	size_t i, k, had;

	for (i = 0; i < r->n; i++) {
		const checklist_check *c = &r->checks[i];
		if (c->status != GATE_FAIL)
			continue;
		had = 0;
		for (k = 0; k < c->found.n && json_array_size(out) < AUDIT_BLOCKING; k++) {
			const finding *x = &c->found.v[k];
			json_t *o;
			if (x->suppressed || x->severity != SEV_ERROR)
				continue;
			o = json_object();
			json_object_set_new(o, "check", json_string(c->name));
			json_object_set_new(o, "rule", json_text(x->id));
			json_object_set_new(o, "revision", json_text(x->revision));
			json_object_set_new(o, "message", json_text(x->message));
			json_array_append_new(out, o);
			had++;
		}
		if (!had && json_array_size(out) < AUDIT_BLOCKING) {
			json_t *o = json_object();
			json_object_set_new(o, "check", json_string(c->name));
			json_object_set_new(o, "rule", json_null());
			json_object_set_new(o, "revision", json_null());
			json_object_set_new(o, "message", json_text(c->summary ? c->summary : ""));
			json_array_append_new(out, o);
		}
	}
	return out;
}

/* The checklist: its verdict, each check, what closed it, and every
 * override with its reason. */
static void entry_gate(json_t *e, const audit_gate *g)
{
	const checklist_result *r = g->result;
	json_t *checks = json_array(), *overrides = json_array();
	size_t i, k;

	json_object_set_new(e, "target", json_text(g->target));
	json_object_set_new(e, "pending", json_strvec(&r->pending));
	json_object_set_new(e, "verdict", json_string(r->open ? "open" : "closed"));
	for (i = 0; i < r->n; i++) {
		json_t *c = json_object();
		json_object_set_new(c, "name", json_string(r->checks[i].name));
		json_object_set_new(c, "status", json_string(checklist_status_name(r->checks[i].status)));
		json_object_set_new(c, "summary", json_text(r->checks[i].summary ? r->checks[i].summary : ""));
		json_array_append_new(checks, c);
		for (k = 0; k < r->checks[i].found.n; k++) {
			const finding *x = &r->checks[i].found.v[k];
			json_t *o;
			if (!x->suppressed)
				continue;
			o = json_object();
			json_object_set_new(o, "kind", json_string(strncmp(x->suppressed, "accepted in alembic.ini", 23) ? "suppression" : "acceptance"));
			json_object_set_new(o, "rule", json_text(x->id));
			json_object_set_new(o, "revision", json_text(x->revision));
			json_object_set_new(o, "reason", json_text(x->suppressed));
			json_array_append_new(overrides, o);
		}
	}
	if (g->skip_backup_reason) {
		json_t *o = json_object();
		json_object_set_new(o, "kind", json_string("no-backup-check"));
		json_object_set_new(o, "reason", json_text(g->skip_backup_reason));
		json_array_append_new(overrides, o);
	}
	if (g->allow) {
		json_t *o = json_object();
		json_object_set_new(o, "kind", json_string("allow"));
		json_object_set_new(o, "rules", json_strvec(g->allow));
		json_object_set_new(o, "reason", json_text(g->allow_reason));
		json_array_append_new(overrides, o);
	}
	json_object_set_new(e, "checks", checks);
	json_object_set_new(e, "blocking", gate_blocking(r));
	json_object_set_new(e, "overrides", overrides);
}

/* The verification of a change: "pass" when it ran and verified, "fail"
 * when verification failed, else "not run". */
static json_t *entry_verification(int exit, int ran, const findings *f)
{
	json_t *v = json_object();

	json_object_set_new(v, "result", json_string(exit == MG_OUT_OK && ran ? "pass" : exit == MG_OUT_UNVERIFIED ? "fail"
														   : "not run"));
	json_object_set_new(v, "findings", json_findings(f));
	return v;
}

/* Append `e` to the log and the table, and free it. */
static void entry_write(const audit_sink *sink, json_t *e, const progress *p)
{
	mg_error err = MG_ERROR_INIT;

	if (sink->path && audit_append(sink->path, e, sink->max_bytes, &err) < 0)
		progress_line(p, PROGRESS_WARN, "%s; this decision is not in the audit log", err.msg);
	if (sink->table) {
		db *d = NULL;
		char *line = json_dumps(e, JSON_COMPACT | JSON_PRESERVE_ORDER);
		const char *id = json_string_value(json_object_get(e, "correlation_id"));
		if (!line || db_open(&d, sink->url, &err) < 0 || d->ops->audit_write(d, sink->vt, id ? id : "", line, &err) < 0)
			progress_line(p, PROGRESS_WARN, "%s; this decision is not in the audit table",
				      line ? err.msg : "cannot encode the entry");
		db_close(d);
		free(line);
	}
	json_decref(e);
}

void audit_write_check(const audit_sink *sink, const audit_head *h, const audit_gate *g, int exit, const progress *p)
{
	json_t *e = entry_head(h);

	entry_gate(e, g);
	json_object_set_new(e, "exit", json_integer(exit));
	entry_write(sink, e, p);
}

void audit_write_upgrade(const audit_sink *sink, const audit_head *h, const audit_upgrade *u, const progress *p)
{
	json_t *e = entry_head(h);

	entry_gate(e, &u->gate);
	if (u->before_snapshot)
		json_object_set_new(e, "before_snapshot", json_text(u->before_snapshot));
	json_object_set_new(e, "alembic_ran", json_boolean(u->alembic_ran));
	json_object_set_new(e, "alembic_attempts", json_integer(u->attempts));
	if (u->alembic_ran) {
		json_object_set_new(e, "alembic_exit", json_integer(u->alembic_exit));
		json_object_set_new(e, "signal", json_integer(u->signal));
		json_object_set_new(e, "timed_out", json_boolean(u->timed_out));
		json_object_set_new(e, "after", u->after ? json_strvec(u->after) : json_array());
		if (u->stopped_in)
			json_object_set_new(e, "stopped_in", json_text(u->stopped_in));
		if (u->data && u->data->measured)
			json_object_set_new(e, "data", data_json(u->data));
	}
	json_object_set_new(e, "verification", entry_verification(u->exit, u->alembic_ran, u->verification));
	json_object_set_new(e, "alembic_ms", json_real(u->alembic_ms));
	json_object_set_new(e, "total_ms", json_real(u->total_ms));
	{ /* where the time went, phase by phase: what mgate adds around Alembic */
		json_t *ph = json_object();
		json_object_set_new(ph, "checklist", json_real(u->checklist_ms));
		json_object_set_new(ph, "snapshot", json_real(u->snapshot_ms));
		json_object_set_new(ph, "alembic", json_real(u->alembic_ms));
		json_object_set_new(ph, "data", json_real(u->data_ms));
		json_object_set_new(ph, "verification", json_real(u->verify_ms));
		json_object_set_new(e, "phases_ms", ph);
	}
	if (u->server_started)
		json_object_set_new(e, "server_started", json_integer(u->server_started));
	json_object_set_new(e, "exit", json_integer(u->exit));
	entry_write(sink, e, p);
}

void audit_write_rollback(const audit_sink *sink, const audit_head *h, const audit_rollback *r, const progress *p)
{
	json_t *e = entry_head(h);
	size_t i;

	json_object_set_new(e, "target", json_text(r->target));
	json_object_set_new(e, "way", json_text(r->way));
	json_object_set_new(e, "why", json_text(r->why));
	if (r->way && !strcmp(r->way, "downgrade")) {
		json_t *ran = json_array();
		for (i = 0; i < r->ncommands; i++) {
			json_t *c = json_object();
			json_object_set_new(c, "downgrade", json_text(r->commands[i].target));
			json_object_set_new(c, "exit", json_integer(r->commands[i].exit));
			json_object_set_new(c, "ms", json_real(r->commands[i].ms));
			json_array_append_new(ran, c);
		}
		json_object_set_new(e, "commands", ran);
		json_object_set_new(e, "alembic_exit", json_integer(r->alembic_exit));
		if (r->alembic_exit) {
			json_object_set_new(e, "stopped_in", json_text(r->stopped_in));
			json_object_set_new(e, "steps_run", json_integer((json_int_t)r->steps_run));
			json_object_set_new(e, "half_applied", r->half ? json_findings(r->half) : json_array());
		}
	} else {
		json_object_set_new(e, "backup", json_text(r->backup));
		json_object_set_new(e, "kept", json_text(r->kept));
	}
	json_object_set_new(e, "verification", entry_verification(r->exit, 1, r->verification));
	json_object_set_new(e, "exit", json_integer(r->exit));
	entry_write(sink, e, p);
}

void audit_write_restore(const audit_sink *sink, const audit_head *h, const audit_restore *r, const progress *p)
{
	json_t *e = entry_head(h);

	json_object_set_new(e, "backup", json_text(r->backup));
	json_object_set_new(e, "backup_sha256", json_text(r->sha256));
	json_object_set_new(e, "into", json_text(r->into));
	json_object_set_new(e, "in_place", json_boolean(r->in_place));
	json_object_set_new(e, "restored", json_boolean(r->restored));
	json_object_set_new(e, "kept", json_text(r->kept));
	json_object_set_new(e, "after", r->after ? json_strvec(r->after) : json_array());
	json_object_set_new(e, "exit", json_integer(r->exit));
	entry_write(sink, e, p);
}

void audit_write_drill(const audit_sink *sink, const audit_head *h, const audit_drill *d, const progress *p)
{
	json_t *e = entry_head(h), *dur = json_object();

	json_object_set_new(e, "backup", json_text(d->backup));
	json_object_set_new(e, "scratch", json_text(d->scratch));
	json_object_set_new(e, "result", json_string(d->failure ? "fail" : "pass"));
	json_object_set_new(e, "failure", json_text(d->failure));
	json_object_set_new(e, "findings", json_findings(d->found));
	if (d->backup_ms >= 0)
		json_object_set_new(dur, "backup", json_real(d->backup_ms));
	if (d->restore_ms >= 0)
		json_object_set_new(dur, "restore", json_real(d->restore_ms));
	if (d->verify_ms >= 0)
		json_object_set_new(dur, "verify", json_real(d->verify_ms));
	json_object_set_new(dur, "total", json_real(d->total_ms));
	json_object_set_new(e, "durations_ms", dur);
	json_object_set_new(e, "exit", json_integer(d->exit));
	entry_write(sink, e, p);
}

void audit_write_rehearse(const audit_sink *sink, const audit_head *h, const char *target, const void *report,
			  int exit, const progress *p)
{
	json_t *e = entry_head(h);

	json_object_set_new(e, "target", json_text(target));
	json_object_set_new(e, "report", report ? json_deep_copy((const json_t *)report) : json_null());
	json_object_set_new(e, "exit", json_integer(exit));
	entry_write(sink, e, p);
}

/* ---- read back --------------------------------------------------------------- */

/* An entry's "time" (ISO 8601, UTC) as epoch seconds, or 0. */
/* An entry's time (epoch), or 0 when it has none mgate wrote. */
static long long entry_time(json_t *e)
{
	long long t = history_parse_time(json_string_value(json_object_get(e, "time")));

	return t < 0 ? 0 : t;
}

/* The rows an upgrade's entry says it changed (data_json's shape). */
static void read_data(audit_last *out, const json_t *data)
{
	const char *name;
	json_t *t;

	if (!json_is_object(json_object_get(data, "tables")))
		return;
	out->has_data = 1;
	out->data_net = mg_calloc(json_object_size(json_object_get(data, "tables")) + 1, sizeof(long long));
	json_object_foreach(json_object_get(data, "tables"), name, t)
	{
		long long ins = json_integer_value(json_object_get(t, "inserted"));
		long long upd = json_integer_value(json_object_get(t, "updated"));
		long long del = json_integer_value(json_object_get(t, "deleted"));
		out->own_writes += ins + upd + del;
		out->data_net[out->data_tables.n] = ins - del;
		strvec_push(&out->data_tables, name);
	}
}

int audit_last_upgrade(audit_last *out, const char *path, const char *database)
{
	json_t *all = path ? audit_read(path, "upgrade", database) : NULL, *rows;
	const char *snap;
	size_t i, k;
	int found = 0;

	memset(out, 0, sizeof(*out));
	for (i = json_array_size(all); i-- > 0 && !found;) {
		json_t *e = json_array_get(all, i);
		if (!json_is_true(json_object_get(e, "alembic_ran")))
			continue;
		rows = json_object_get(e, "from");
		for (k = 0; k < json_array_size(rows); k++)
			if (json_string_value(json_array_get(rows, k)))
				strvec_push(&out->from, json_string_value(json_array_get(rows, k)));
		if ((snap = json_string_value(json_object_get(e, "before_snapshot"))) != NULL)
			out->before_snapshot = mg_strdup(snap);
		/* the server's clock before Alembic ran; else the entry's time (written at the end, to the
		 * second, by this machine's clock) back by the run's whole length, and a second more */
		if (json_integer_value(json_object_get(e, "server_started")) > 0)
			out->started_before = json_integer_value(json_object_get(e, "server_started")) - 1;
		else if (entry_time(e))
			out->started_before = entry_time(e) -
					      (long long)(json_number_value(json_object_get(e, "total_ms")) / 1000.0 + 1) - 1;
		out->finished = entry_time(e);
		read_data(out, json_object_get(e, "data"));
		found = 1;
	}
	json_decref(all);
	return found;
}

void audit_last_release(audit_last *l)
{
	strvec_release(&l->from);
	free(l->before_snapshot);
	strvec_release(&l->data_tables);
	free(l->data_net);
	memset(l, 0, sizeof(*l));
}


long long audit_last_passing_drill(const char *path, const char *database)
{
	history h;
	history_opts o = { database, 0, 0 };
	mg_error err = MG_ERROR_INIT;
	long long when;

	if (!path)
		return 0;
	/* history.c streams the log: a large one is not built into a tree */
	when = history_read(&h, path, &o, &err) < 0 ? 0 : h.last_drill_ok;
	history_release(&h);
	mg_error_clear(&err);
	return when;
}

static char *dup_or_null(const char *s)
{
	return s ? mg_strdup(s) : NULL;
}

size_t audit_drills(audit_drill_row **out, const char *path, const char *database)
{
	json_t *all = audit_read(path, "drill", database);
	size_t i, n = json_array_size(all);

	*out = mg_calloc(n + 1, sizeof(**out));
	for (i = 0; i < n; i++) {
		json_t *e = json_array_get(all, i);
		(*out)[i].time = dup_or_null(json_string_value(json_object_get(e, "time")));
		(*out)[i].result = dup_or_null(json_string_value(json_object_get(e, "result")));
		(*out)[i].backup = dup_or_null(json_string_value(json_object_get(e, "backup")));
		(*out)[i].failure = dup_or_null(json_string_value(json_object_get(e, "failure")));
		(*out)[i].total_ms = json_number_value(json_object_get(json_object_get(e, "durations_ms"), "total"));
	}
	json_decref(all);
	return n;
}

void audit_drill_rows_free(audit_drill_row *v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++) {
		free(v[i].time);
		free(v[i].result);
		free(v[i].backup);
		free(v[i].failure);
	}
	free(v);
}
