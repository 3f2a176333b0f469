/*
 * history.c: the audit log read back as a history (history.h): one pass
 * over the log's files, each line summarised into an event, counted into
 * its day and into the causes of failure, and kept when it is among the
 * newest.
 *
 * The entries' fields are audit.c's; what a report needs of each kind of
 * entry is read here.
 */
#include "gate/history.h"

#include <errno.h>
#include <stddef.h>
#include <yajl/yajl_parse.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/buf.h"
#include "util/error.h"
#include "util/parse.h"
#include "util/strmap.h"
#include "util/banned.h"

#define HISTORY_BLOCKING 20 /* what closed the gate, per event, at most */
#define DAY 86400LL

static const char *const kind_names[HK_NKIND] = { "check", "upgrade", "rollback", "restore", "drill", "rehearse", "other" };
static const char *const status_names[HISTORY_NSTATUS] = { "ok", "blocked", "failed", "unverified" };

const char *history_kind_name(int kind)
{
	return kind >= 0 && kind < HK_NKIND ? kind_names[kind] : "other";
}

const char *history_status_name(int status)
{
	return status >= 0 && status < HISTORY_NSTATUS ? status_names[status] : "failed";
}

void history_log_file(buf *out, const char *path, int generation)
{
	buf_truncate(out, 0);
	if (generation)
		buf_printf(out, "%s.%d", path, generation);
	else
		buf_puts(out, path);
}

long long history_parse_time(const char *s)
{
	struct tm tm;
	int n = 0, day;
	time_t t;

	if (!s)
		return -1;
	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
		   &tm.tm_sec, &n) != 6 ||
	    s[n] || n != 20 || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
	    tm.tm_min > 59 || tm.tm_sec > 60)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	day = tm.tm_mday;
	t = timegm(&tm);
	return gmtime_r(&t, &tm) && tm.tm_mday == day ? (long long)t : -1; /* no 31 June */
}

/* The time at the start of a raw line, when it is written as audit.c
 * writes it ({"time":"..." first), without parsing the line; or -1. */
static long long peek_time(const char *line)
{
	char ts[32];
	const char *p = line;
	size_t n;

	if (strncmp(p, "{\"time\":", 8))
		return -1;
	p += 8;
	while (*p == ' ')
		p++;
	if (*p++ != '"')
		return -1;
	for (n = 0; p[n] && p[n] != '"' && n < sizeof(ts) - 1; n++)
		ts[n] = p[n];
	if (p[n] != '"')
		return -1;
	ts[n] = 0;
	return history_parse_time(ts);
}

/* ---- one line, read with yajl's event parser ---------------------------------------------- */

/*
 * An entry is read without building it: yajl reports each key and value
 * and only the fields a history needs are kept (the large ones, such as
 * an upgrade's per-table rows or a rehearsal's report, are skipped as
 * they stream past). Depth 1 is the entry; the lists blocking, overrides
 * and checks hold objects at depth 3.
 */
#define KEYLEN 24
#define MAXDEPTH 6

enum item_list { IL_NONE = 0,
		 IL_BLOCKING,
		 IL_OVERRIDES,
		 IL_CHECKS };

typedef struct entry_item {
	char *f[4]; /* blocking: check rule revision message; overrides: kind rule reason -; checks: name status summary - */
	buf rules;  /* overrides: the rules of an "allow" */
} entry_item;

typedef struct entry_raw {
	int depth, bad;
	char key[MAXDEPTH + 1][KEYLEN + 1]; /* the last key at each depth ("" when too long to be one we read) */
	int list;                           /* the depth-1 list being read (enum item_list) */
	entry_item item;
	char *time, *id, *command, *who, *host, *database, *target, *verdict, *stopped_in, *way, *result, *failure;
	char *exit, *alembic_exit, *total_ms, *duration; /* numbers, as written */
	int alembic_ran, has_alembic_exit;
	history_event *e;   /* blocking, overrides and the causes go straight to the event */
	strvec check_fails; /* "name: summary" of failed checks, for entries written before "blocking" */
	strvec check_causes;
} entry_raw;

static void set_field(char **slot, const unsigned char *s, size_t n)
{
	free(*slot);
	*slot = mg_strndup((const char *)s, n);
}

/* Where a scalar at the current depth goes, or NULL. */
static char **scalar_slot(entry_raw *r)
{
	static const struct {
		const char *key;
		size_t at;
	} top[] = {
#define F(name, field) { name, offsetof(entry_raw, field) }
		F("time", time),
		F("correlation_id", id),
		F("command", command),
		F("who", who),
		F("host", host),
		F("database", database),
		F("target", target),
		F("verdict", verdict),
		F("stopped_in", stopped_in),
		F("way", way),
		F("result", result),
		F("failure", failure),
		F("exit", exit),
		F("alembic_exit", alembic_exit),
		F("total_ms", total_ms),
#undef F
	};
	static const char *const fields[][4] = { { NULL }, { "check", "rule", "revision", "message" }, { "kind", "rule", "reason", NULL }, { "name", "status", "summary", NULL } };
	size_t i;

	if (r->depth == 1) {
		for (i = 0; i < sizeof(top) / sizeof(top[0]); i++)
			if (!strcmp(r->key[1], top[i].key))
				return (char **)((char *)r + top[i].at);
	} else if (r->depth == 2 && !strcmp(r->key[1], "durations_ms") && !strcmp(r->key[2], "total")) {
		return &r->duration;
	} else if (r->depth == 3 && r->list) {
		for (i = 0; i < 4; i++)
			if (fields[r->list][i] && !strcmp(r->key[3], fields[r->list][i]))
				return &r->item.f[i];
	}
	return NULL;
}

static int on_scalar(entry_raw *r, const unsigned char *s, size_t n, int is_string)
{
	char **slot;

	if (r->depth == 4 && r->list == IL_OVERRIDES && !strcmp(r->key[3], "rules") && is_string) {
		buf_puts(&r->item.rules, r->item.rules.len ? ", " : " ");
		buf_put(&r->item.rules, (const char *)s, n);
		return 1;
	}
	if (r->depth == 1 && !strcmp(r->key[1], "alembic_exit"))
		r->has_alembic_exit = 1; /* null goes through cb_null */
	if ((slot = scalar_slot(r)))
		set_field(slot, s, n);
	return 1;
}

static int cb_null(void *ctx)
{
	entry_raw *r = ctx;
	char **slot = scalar_slot(r);

	if (slot) {
		free(*slot);
		*slot = NULL;
	}
	if (r->depth == 1 && !strcmp(r->key[1], "alembic_exit"))
		r->has_alembic_exit = 0;
	return 1;
}

static int cb_bool(void *ctx, int v)
{
	entry_raw *r = ctx;

	if (r->depth == 1 && !strcmp(r->key[1], "alembic_ran"))
		r->alembic_ran = v;
	return 1;
}

static int cb_number(void *ctx, const char *s, size_t n)
{
	return on_scalar(ctx, (const unsigned char *)s, n, 0);
}

static int cb_string(void *ctx, const unsigned char *s, size_t n)
{
	return on_scalar(ctx, s, n, 1);
}

static int cb_key(void *ctx, const unsigned char *s, size_t n)
{
	entry_raw *r = ctx;

	if (r->depth >= 1 && r->depth <= MAXDEPTH) {
		if (n > KEYLEN)
			n = 0; /* no key we read is that long */
		memcpy(r->key[r->depth], s, n);
		r->key[r->depth][n] = 0;
	}
	return 1;
}

static void item_release(entry_item *it)
{
	for (int i = 0; i < 4; i++)
		free(it->f[i]);
	buf_release(&it->rules);
	memset(it, 0, sizeof(*it));
}

static void push_cause(history_event *e, const char *kind, const char *what)
{
	buf t = BUF_INIT;

	buf_printf(&t, "%s:%s", kind, what);
	if (strvec_index(&e->causes, t.ptr) < 0)
		strvec_push(&e->causes, t.ptr);
	buf_release(&t);
}

/* A finished object of a list: what closed the gate, an override, or a
 * check (kept aside: it counts only when the entry has no "blocking"). */
static void item_done(entry_raw *r)
{
	entry_item *it = &r->item;
	history_event *e = r->e;
	buf t = BUF_INIT;

	if (r->list == IL_BLOCKING && e->blocking.n < HISTORY_BLOCKING) {
		const char *what = it->f[1] ? it->f[1] : it->f[0] ? it->f[0]
								  : "?";
		buf_puts(&t, what);
		if (it->f[2])
			buf_printf(&t, " (%s)", it->f[2]);
		buf_printf(&t, ": %s", it->f[3] ? it->f[3] : "");
		strvec_push(&e->blocking, t.ptr);
		push_cause(e, it->f[1] ? "rule" : "check", what);
		if (it->f[2])
			push_cause(e, "revision", it->f[2]);
	} else if (r->list == IL_OVERRIDES) {
		buf_puts(&t, it->f[0] ? it->f[0] : "override");
		if (it->f[1])
			buf_printf(&t, " %s", it->f[1]);
		buf_puts(&t, it->rules.len ? it->rules.ptr : "");
		buf_printf(&t, ": %s", it->f[2] ? it->f[2] : "(no reason recorded)");
		strvec_push(&e->overrides, t.ptr);
	} else if (r->list == IL_CHECKS && it->f[0] && it->f[1] && !strcmp(it->f[1], "fail")) {
		buf_printf(&t, "%s: %s", it->f[0], it->f[2] ? it->f[2] : "");
		strvec_push(&r->check_fails, t.ptr);
		buf_truncate(&t, 0);
		buf_printf(&t, "check:%s", it->f[0]);
		strvec_push(&r->check_causes, t.ptr);
	}
	buf_release(&t);
	item_release(it);
}

static int cb_start(void *ctx)
{
	entry_raw *r = ctx;

	r->depth++;
	if (r->depth == 2)
		r->list = !strcmp(r->key[1], "blocking")    ? IL_BLOCKING
			  : !strcmp(r->key[1], "overrides") ? IL_OVERRIDES
			  : !strcmp(r->key[1], "checks")    ? IL_CHECKS
							    : IL_NONE;
	if (r->depth <= MAXDEPTH)
		r->key[r->depth][0] = 0;
	return 1;
}

static int cb_start_array(void *ctx)
{
	entry_raw *r = ctx;

	if (r->depth == 0) { /* the line is not an object */
		r->bad = 1;
		return 0;
	}
	return cb_start(ctx);
}

static int cb_end(void *ctx)
{
	entry_raw *r = ctx;

	if (r->depth == 3 && r->list)
		item_done(r);
	if (r->depth == 2)
		r->list = IL_NONE;
	r->depth--;
	return 1;
}

static const yajl_callbacks callbacks = { cb_null, cb_bool, NULL, NULL, cb_number, cb_string,
					  cb_start, cb_key, cb_end, cb_start_array, cb_end };

static void event_release(history_event *e)
{
	free(e->time);
	free(e->id);
	free(e->command);
	free(e->who);
	free(e->host);
	free(e->database);
	free(e->target);
	free(e->result);
	free(e->detail);
	strvec_release(&e->blocking);
	strvec_release(&e->causes);
	strvec_release(&e->overrides);
	memset(e, 0, sizeof(*e));
}

static void raw_release(entry_raw *r)
{
	char **all[] = { &r->time, &r->id, &r->command, &r->who, &r->host, &r->database, &r->target, &r->verdict,
			 &r->stopped_in, &r->way, &r->result, &r->failure, &r->exit, &r->alembic_exit, &r->total_ms,
			 &r->duration };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		free(*all[i]);
	item_release(&r->item);
	strvec_release(&r->check_fails);
	strvec_release(&r->check_causes);
}

static int whole(const char *s, int dflt)
{
	long long v;
	const char *expected;

	return s && parse_long(&v, s, -1000000, 1000000, &expected) == 0 ? (int)v : dflt;
}

static double real(const char *s)
{
	char *end;
	double v = s ? strtod(s, &end) : -1;

	return s && *end == 0 && v >= 0 ? v : -1;
}

static char *take(char **slot)
{
	char *s = *slot;

	*slot = NULL;
	return s;
}

static void set_result(history_event *e, int status, const char *words)
{
	e->status = status;
	e->result = mg_strdup(words);
}

/* The kind, status and words of an entry, and what it adds by kind. */
static void classify(history_event *e, entry_raw *r)
{
	int open = r->verdict && !strcmp(r->verdict, "open"), k;

	for (k = 0; k < HK_OTHER; k++)
		if (!strcmp(e->command, kind_names[k]))
			break;
	e->kind = k;
	switch (k) {
	case HK_CHECK:
		set_result(e, open ? HISTORY_OK : HISTORY_BLOCKED, open ? "gate open" : "gate closed");
		break;
	case HK_UPGRADE:
		e->ms = real(r->total_ms);
		if (r->alembic_ran)
			e->alembic_exit = whole(r->alembic_exit, -1);
		e->detail = take(&r->stopped_in);
		if (e->exit == 0)
			set_result(e, HISTORY_OK, "passed");
		else if (e->exit == 5)
			set_result(e, HISTORY_UNVERIFIED, "verification failed");
		else if (r->verdict && !open)
			set_result(e, HISTORY_BLOCKED, "gate closed");
		else
			set_result(e, HISTORY_FAILED, e->alembic_exit > 0 ? "Alembic failed" : "failed");
		if (e->detail && e->status != HISTORY_OK)
			push_cause(e, "revision", e->detail);
		break;
	case HK_ROLLBACK:
		e->alembic_exit = r->has_alembic_exit ? whole(r->alembic_exit, -1) : -1;
		e->detail = take(&r->way);
		set_result(e, e->exit == 0 ? HISTORY_OK : e->exit == 5 ? HISTORY_UNVERIFIED
								       : HISTORY_FAILED,
			   e->exit == 0 ? "rolled back" : e->exit == 5 ? "verification failed"
								       : "failed");
		break;
	case HK_RESTORE:
		set_result(e, e->exit == 0 ? HISTORY_OK : HISTORY_FAILED, e->exit == 0 ? "restored" : "failed");
		break;
	case HK_DRILL: {
		int ok = r->result ? !strcmp(r->result, "pass") : e->exit == 0;
		e->ms = real(r->duration);
		e->detail = take(&r->failure);
		set_result(e, ok ? HISTORY_OK : HISTORY_FAILED, ok ? "passed" : "failed");
		break;
	}
	case HK_REHEARSE:
		set_result(e, e->exit == 0 ? HISTORY_OK : HISTORY_FAILED, e->exit == 0 ? "passed" : "failed");
		break;
	default:
		set_result(e, e->exit <= 0 ? HISTORY_OK : HISTORY_FAILED, e->exit <= 0 ? "ok" : "failed");
	}
	if (!e->blocking.n && (e->kind == HK_CHECK || e->kind == HK_UPGRADE) && e->status == HISTORY_BLOCKED) {
		/* an entry written before "blocking": the failed checks say what closed it */
		for (size_t i = 0; i < r->check_fails.n; i++) {
			strvec_push(&e->blocking, r->check_fails.v[i]);
			if (strvec_index(&e->causes, r->check_causes.v[i]) < 0)
				strvec_push(&e->causes, r->check_causes.v[i]);
		}
	}
}

/* One line as an event: 0, or -1 when it is not an entry (not one JSON
 * object, no command, no time as mgate writes it). */
static int read_event(history_event *e, const char *line, size_t len)
{
	entry_raw r;
	yajl_handle h;
	int ok;

	memset(e, 0, sizeof(*e));
	memset(&r, 0, sizeof(r));
	r.e = e;
	h = yajl_alloc(&callbacks, NULL, &r);
	ok = yajl_parse(h, (const unsigned char *)line, len) == yajl_status_ok &&
	     yajl_complete_parse(h) == yajl_status_ok && !r.bad && r.command && (e->when = history_parse_time(r.time)) >= 0;
	yajl_free(h);
	if (!ok) {
		raw_release(&r);
		event_release(e);
		return -1;
	}
	e->time = take(&r.time);
	e->id = take(&r.id);
	e->command = take(&r.command);
	e->who = take(&r.who);
	e->host = take(&r.host);
	e->database = take(&r.database);
	e->target = take(&r.target);
	e->exit = whole(r.exit, -1);
	e->alembic_exit = -1;
	e->ms = -1;
	classify(e, &r);
	raw_release(&r);
	return 0;
}

/* ---- counting -------------------------------------------------------------------- */

typedef struct reader {
	history *h;
	const history_opts *o;
	strmap cause_index;   /* key -> index in h->causes */
	size_t alloc_causes;  /* capacity of h->causes */
	size_t alloc_periods; /* ... and of h->periods */
	history_event *ring;  /* the newest events, oldest at `head` once full */
	size_t head;
} reader;

/* The day `when` falls in, found or inserted in order (the log is mostly in
 * order, so the search starts at the end). */
static history_period *day_of(reader *r, long long when)
{
	history *h = r->h;
	long long start = when - ((when % DAY) + DAY) % DAY;
	size_t i = h->nperiods;

	while (i > 0 && h->periods[i - 1].start > start)
		i--;
	if (i > 0 && h->periods[i - 1].start == start)
		return &h->periods[i - 1];
	if (h->nperiods == r->alloc_periods) {
		r->alloc_periods = r->alloc_periods ? 2 * r->alloc_periods : 64;
		h->periods = mg_realloc(h->periods, r->alloc_periods * sizeof(*h->periods));
	}
	memmove(&h->periods[i + 1], &h->periods[i], (h->nperiods - i) * sizeof(*h->periods));
	memset(&h->periods[i], 0, sizeof(*h->periods));
	h->periods[i].start = start;
	h->nperiods++;
	return &h->periods[i];
}

static void count_cause(reader *r, const char *key, const history_event *e)
{
	history *h = r->h;
	int at = strmap_get(&r->cause_index, key);
	history_cause *c;

	if (at < 0) {
		if (h->ncauses == r->alloc_causes) {
			r->alloc_causes = r->alloc_causes ? 2 * r->alloc_causes : 32;
			h->causes = mg_realloc(h->causes, r->alloc_causes * sizeof(*h->causes));
		}
		c = &h->causes[h->ncauses];
		memset(c, 0, sizeof(*c));
		c->key = mg_strdup(key);
		strmap_put(&r->cause_index, c->key, (int)h->ncauses);
		h->ncauses++;
	} else
		c = &h->causes[at];
	c->count++;
	if (e->when >= c->last) {
		c->last = e->when;
		free(c->last_id);
		c->last_id = e->id ? mg_strdup(e->id) : NULL;
	}
}

/* The newest drill and the newest passing one. */
static void note_drill(history *h, const history_event *e)
{
	if (e->kind != HK_DRILL)
		return;
	if (e->when >= h->last_drill) {
		h->last_drill = e->when;
		free(h->last_drill_id);
		h->last_drill_id = e->id ? mg_strdup(e->id) : NULL;
	}
	if (e->status == HISTORY_OK && e->when > h->last_drill_ok)
		h->last_drill_ok = e->when;
}

static void count_event(reader *r, history_event *e)
{
	history *h = r->h;
	size_t i;
	buf key = BUF_INIT;

	h->total++;
	h->counts[e->kind][e->status]++;
	day_of(r, e->when)->counts[e->kind][e->status]++;
	if (!h->first || e->when < h->first)
		h->first = e->when;
	if (e->when > h->last)
		h->last = e->when;
	note_drill(h, e);
	if (e->status != HISTORY_OK) {
		h->failures++;
		if (e->exit >= 0) {
			buf_printf(&key, "exit:%d", e->exit);
			count_cause(r, key.ptr, e);
		}
		for (i = 0; i < e->causes.n; i++)
			count_cause(r, e->causes.v[i], e);
	}
	buf_release(&key);
	if (!r->o->keep) {
		event_release(e);
		return;
	}
	if (h->nevents < r->o->keep) {
		r->ring[h->nevents++] = *e;
		return;
	}
	event_release(&r->ring[r->head]);
	r->ring[r->head] = *e;
	r->head = (r->head + 1) % r->o->keep;
}

/* An entry before the window still tells when the last drill ran. */
static void older_drill(reader *r, const char *line, size_t len)
{
	history_event e;

	if (read_event(&e, line, len) < 0)
		return;
	if (!r->o->database || (e.database && !strcmp(e.database, r->o->database)))
		note_drill(r->h, &e);
	event_release(&e);
}

static void read_line(reader *r, const char *line, size_t len)
{
	history_event e;

	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (!len)
		return;
	if (r->o->since) {
		long long t = peek_time(line);
		if (t >= 0 && t < r->o->since) {
			r->h->older++;
			if (strstr(line, "\"drill\"")) /* cheap: most older lines are not drills */
				older_drill(r, line, len);
			return;
		}
	}
	if (read_event(&e, line, len) < 0) {
		r->h->skipped++;
	} else if (r->o->since && e.when < r->o->since) {
		r->h->older++;
		note_drill(r->h, &e);
		event_release(&e);
	} else if (r->o->database && (!e.database || strcmp(e.database, r->o->database))) {
		event_release(&e);
	} else {
		count_event(r, &e);
	}
}

static int read_file(reader *r, const char *path, mg_error *err)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!f) {
		if (errno == ENOENT)
			return MG_OK;
		return mg_error_set(err, MG_EENV, "cannot read the audit log '%s': %s", path, strerror(errno));
	}
	r->h->files++;
	while ((n = getline(&line, &cap, f)) >= 0)
		read_line(r, line, (size_t)n);
	free(line);
	fclose(f);
	return MG_OK;
}

/* Days into weeks (starting on Mondays) when the window is long. */
static void into_weeks(history *h)
{
	size_t i, n = 0;
	int k, s;

	h->weekly = 1;
	for (i = 0; i < h->nperiods; i++) {
		/* 1970-01-01 was a Thursday: Monday is 3 days before a multiple of 7 days, shifted */
		long long days = h->periods[i].start / DAY, monday = (days - ((days + 3) % 7 + 7) % 7) * DAY;
		if (n && h->periods[n - 1].start == monday) {
			for (k = 0; k < HK_NKIND; k++)
				for (s = 0; s < HISTORY_NSTATUS; s++)
					h->periods[n - 1].counts[k][s] += h->periods[i].counts[k][s];
			continue;
		}
		h->periods[n] = h->periods[i];
		h->periods[n].start = monday;
		n++;
	}
	h->nperiods = n;
}

static int by_count(const void *a, const void *b)
{
	const history_cause *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	if (x->last != y->last)
		return x->last < y->last ? 1 : -1;
	return strcmp(x->key, y->key);
}

int history_read(history *out, const char *path, const history_opts *o, mg_error *err)
{
	reader r;
	buf p = BUF_INIT;
	size_t i;
	int k, rc = MG_OK;

	memset(out, 0, sizeof(*out));
	memset(&r, 0, sizeof(r));
	r.h = out;
	r.o = o;
	if (o->keep)
		r.ring = mg_calloc(o->keep, sizeof(*r.ring));
	for (k = HISTORY_GENERATIONS; k >= 0 && rc == MG_OK; k--) {
		history_log_file(&p, path, k);
		rc = read_file(&r, p.ptr, err);
	}
	/* the kept events, newest first (the oldest kept is at `head`) */
	if (out->nevents) {
		out->events = mg_malloc(out->nevents * sizeof(*out->events));
		for (i = 0; i < out->nevents; i++)
			out->events[i] = r.ring[(r.head + out->nevents - 1 - i) % out->nevents];
	}
	free(r.ring);
	if (out->last - out->first > 60 * DAY)
		into_weeks(out);
	if (out->ncauses)
		qsort(out->causes, out->ncauses, sizeof(*out->causes), by_count);
	strmap_release(&r.cause_index);
	buf_release(&p);
	return rc;
}

void history_release(history *h)
{
	size_t i;

	if (!h)
		return;
	for (i = 0; i < h->nevents; i++)
		event_release(&h->events[i]);
	free(h->events);
	free(h->periods);
	for (i = 0; i < h->ncauses; i++) {
		free(h->causes[i].key);
		free(h->causes[i].last_id);
	}
	free(h->causes);
	free(h->last_drill_id);
	memset(h, 0, sizeof(*h));
}
