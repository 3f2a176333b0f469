/*
 * data.c: per-table row figures of an upgrade (data.h).
 */
#include "gate/data.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/json.h"
#include "util/strmap.h"
#include "util/banned.h"

int data_measure(db_counts *out, db *d, const db_version_table *vt, mg_error *err)
{
	return d->ops->table_counts(d, vt, DATA_HASH_BOUND, out, err);
}

int data_measure_settled(db_counts *out, db *d, const db_version_table *vt, long sessions_before, mg_error *err)
{
	mg_error ignored = MG_ERROR_INIT;
	long others = 0;
	int waited;

	for (waited = 0; waited < 300 && d->ops->other_sessions(d, &others, &ignored) == MG_OK && others > sessions_before;
	     waited++)
		usleep(10 * 1000);
	return data_measure(out, d, vt, err);
}

/* SQLite: which rows went, came and changed, by rowid (both in rowid order). */
static void compare_rows(data_table *t, const db_table_count *b, const db_table_count *a)
{
	size_t i = 0, k = 0;

	t->inserted = t->updated = t->deleted = 0;
	while (i < b->nkeys || k < a->nkeys) {
		if (k >= a->nkeys || (i < b->nkeys && b->keys[i] < a->keys[k]))
			t->deleted++, i++;
		else if (i >= b->nkeys || a->keys[k] < b->keys[i])
			t->inserted++, k++;
		else
			t->updated += b->hashes[i++] != a->hashes[k++];
	}
}

static void figures(data_table *t, const db_table_count *b, const db_table_count *a, int exact, size_t *counted_only)
{
	t->before = b ? b->rows : -1;
	t->after = a ? a->rows : -1;
	t->dropped = !a;
	t->created = !b;
	if (!a) { /* dropped: every row it had is gone */
		t->inserted = t->updated = 0;
		t->deleted = b->rows;
	} else if (!b) {
		t->inserted = exact ? a->rows : a->ins;
		t->updated = exact ? 0 : a->upd;
		t->deleted = exact ? 0 : a->del;
	} else if (!exact) {
		t->inserted = a->ins - b->ins;
		t->updated = a->upd - b->upd;
		t->deleted = a->del - b->del;
		if (t->inserted < 0 || t->updated < 0 || t->deleted < 0) /* the counters were reset meanwhile */
			t->inserted = t->updated = t->deleted = -1;
	} else if (b->hashed && a->hashed) {
		compare_rows(t, b, a);
	} else { /* counted only: the difference is a lower bound */
		t->inserted = a->rows > b->rows ? a->rows - b->rows : 0;
		t->deleted = b->rows > a->rows ? b->rows - a->rows : 0;
		t->updated = -1;
		(*counted_only)++;
	}
}

static int changed(const data_table *t)
{
	return t->dropped || t->inserted || t->updated > 0 || t->deleted || (t->created && t->after > 0);
}

/* Each table's entry by name (keys borrowed from `c`). */
static void index_counts(strmap *m, const db_counts *c)
{
	size_t i;

	memset(m, 0, sizeof(*m));
	strmap_reserve(m, c->n);
	for (i = 0; i < c->n; i++)
		strmap_put(m, c->v[i].table, (int)i);
}

static const db_table_count *lookup(const strmap *m, const db_counts *c, const char *table)
{
	int at = strmap_get(m, table);

	return at >= 0 ? &c->v[at] : NULL;
}

void data_account(data_report *out, const db_counts *before, const db_counts *after, long concurrent)
{
	strmap by_before, by_after;
	size_t i;

	memset(out, 0, sizeof(*out));
	index_counts(&by_before, before);
	index_counts(&by_after, after);
	out->measured = 1;
	out->exact = after->exact;
	out->concurrent = concurrent;
	out->v = mg_calloc(before->n + after->n + 1, sizeof(*out->v));
	for (i = 0; i < before->n + after->n; i++) {
		const db_table_count *b =
			i < before->n ? &before->v[i] : lookup(&by_before, before, after->v[i - before->n].table);
		const db_table_count *a = i < before->n ? lookup(&by_after, after, before->v[i].table) : &after->v[i - before->n];
		data_table *t = &out->v[out->n];
		if (i >= before->n && b)
			continue; /* seen from the before side */
		memset(t, 0, sizeof(*t));
		figures(t, b, a, out->exact, &out->counted_only);
		if (!changed(t))
			continue;
		t->table = mg_strdup(b ? b->table : a->table);
		out->n++;
	}
	strmap_release(&by_before);
	strmap_release(&by_after);
}

static json_t *count(long long v)
{
	return v < 0 ? json_null() : json_integer(v);
}

void *data_json(const data_report *r)
{
	json_t *o, *tables;
	size_t i;

	if (!r->measured)
		return json_null();
	o = json_object();
	tables = json_object();
	json_object_set_new(o, "exact", json_boolean(r->exact));
	json_object_set_new(o, "concurrent_sessions", json_integer(r->concurrent));
	json_object_set_new(o, "counted_only", json_integer((json_int_t)r->counted_only));
	for (i = 0; i < r->n; i++) {
		const data_table *t = &r->v[i];
		json_t *x = json_object();
		json_object_set_new(x, "inserted", count(t->inserted));
		json_object_set_new(x, "updated", count(t->updated));
		json_object_set_new(x, "deleted", count(t->deleted));
		json_object_set_new(x, "rows_before", count(t->before));
		json_object_set_new(x, "rows_after", count(t->after));
		json_object_set_new(tables, t->table, x);
	}
	json_object_set_new(o, "tables", tables);
	return o;
}

void data_report_release(data_report *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n; i++)
		free(r->v[i].table);
	free(r->v);
	memset(r, 0, sizeof(*r));
}
