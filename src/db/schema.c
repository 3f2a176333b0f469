/*
 * schema.c: canonical snapshot files and the difference between two
 * snapshots (see schema.h).
 */
#include "db/schema.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

static int append_to_buf(const char *data, size_t size, void *ctx)
{
	buf_put((buf *)ctx, data, size);
	return 0;
}

void schema_dump(buf *out, const void *snapshot)
{
	/* straight into the buffer: a 30 MB snapshot is not built twice */
	json_dump_callback((const json_t *)snapshot, append_to_buf, out, JSON_SORT_KEYS | JSON_INDENT(2));
	buf_putc(out, '\n');
}

int schema_write(FILE *f, const void *snapshot)
{
	if (json_dumpf((const json_t *)snapshot, f, JSON_SORT_KEYS | JSON_INDENT(2)) < 0 || fputc('\n', f) == EOF)
		return -1;
	return fflush(f) == 0 ? 0 : -1;
}

int schema_load(void **out, const char *path, mg_error *err)
{
	json_error_t jerr;
	json_t *j = json_load_file(path, 0, &jerr);

	*out = NULL;
	if (!j)
		return mg_error_set(err, MG_ECONFIG, "%s:%d: not a snapshot: %s", path, jerr.line, jerr.text);
	if (!json_is_object(j) || !json_is_integer(json_object_get(j, "mgate_snapshot")) ||
	    !json_is_object(json_object_get(j, "tables"))) {
		json_decref(j);
		return mg_error_set(err, MG_ECONFIG, "'%s' is JSON but not an mgate snapshot (no \"mgate_snapshot\" "
						     "and \"tables\"); write one with 'mgate snapshot --out FILE'",
				    path);
	}
	*out = j;
	return MG_OK;
}

/* Keys that describe the data or the server, not the schema; and SQLite's
 * CREATE TABLE text, whose parts the model already holds one by one. */
static int ignored_key(const char *key, size_t depth)
{
	return (depth == 0 && (!strcmp(key, "server") || !strcmp(key, "mgate_snapshot") || !strcmp(key, "schema"))) ||
	       (depth == 2 && (!strcmp(key, "rows_estimate") || !strcmp(key, "sql")));
}

/* The thing a path names, in words, and its kind. Consumes the path
 * elements it used; *used tells how many. */
static const char *subject(buf *out, json_t *path, size_t *used)
{
	size_t n = json_array_size(path);
	const char *p0 = n > 0 ? json_string_value(json_array_get(path, 0)) : "";
	const char *p1 = n > 1 ? json_string_value(json_array_get(path, 1)) : NULL;
	const char *p2 = n > 2 ? json_string_value(json_array_get(path, 2)) : NULL;
	const char *p3 = n > 3 ? json_string_value(json_array_get(path, 3)) : NULL;
	static const struct {
		const char *key, *kind, *words;
	} parts[] = {
		{ "columns", "column", "column" },
		{ "indexes", "index", "index" },
		{ "foreign_keys", "foreign_key", "foreign key" },
		{ "checks", "check", "check constraint" },
		{ "unique", "unique", "unique constraint" },
	};
	size_t i;

	if (!strcmp(p0, "tables") && p1) {
		if (p2 && !strcmp(p2, "primary_key")) {
			buf_printf(out, "primary key of %s", p1);
			*used = 3;
			return "primary_key";
		}
		for (i = 0; p2 && p3 && i < sizeof(parts) / sizeof(parts[0]); i++) {
			if (!strcmp(p2, parts[i].key)) {
				if (!strcmp(parts[i].key, "columns"))
					buf_printf(out, "column %s.%s", p1, p3);
				else
					buf_printf(out, "%s %s on %s", parts[i].words, p3, p1);
				*used = 4;
				return parts[i].kind;
			}
		}
		buf_printf(out, "table %s", p1);
		*used = 2;
		return "table";
	}
	if (p1 && (!strcmp(p0, "views") || !strcmp(p0, "sequences") || !strcmp(p0, "enums"))) {
		buf_printf(out, "%s %s", !strcmp(p0, "views") ? "view" : !strcmp(p0, "sequences") ? "sequence"
												  : "enum type",
			   p1);
		*used = 2;
		return !strcmp(p0, "views") ? "view" : !strcmp(p0, "sequences") ? "sequence"
										: "enum";
	}
	buf_puts(out, p0);
	*used = 1;
	return p0;
}

static void put_value(buf *out, const json_t *v)
{
	char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_SORT_KEYS);

	buf_puts(out, s ? s : "?");
	free(s);
}

static void add_change(json_t *changes, const char *change, json_t *path, const json_t *before, const json_t *after)
{
	json_t *c = json_object();
	buf text = BUF_INIT;
	size_t used, i;
	const char *kind = subject(&text, path, &used);

	for (i = used; i < json_array_size(path); i++)
		buf_printf(&text, "%s%s", i == used ? ": " : ".", json_string_value(json_array_get(path, i)));
	if (!strcmp(change, "changed")) {
		buf_puts(&text, " ");
		put_value(&text, before);
		buf_puts(&text, " -> ");
		put_value(&text, after);
	} else {
		buf_printf(&text, " %s", change);
	}
	json_object_set_new(c, "change", json_string(change));
	json_object_set_new(c, "what", json_string(kind));
	json_object_set(c, "path", path);
	json_object_set(c, "before", before ? (json_t *)before : json_null());
	json_object_set(c, "after", after ? (json_t *)after : json_null());
	json_object_set_new(c, "text", json_string(text.ptr));
	json_array_append_new(changes, c);
	buf_release(&text);
}

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The keys of `a` and `b` together, sorted; a heap array of borrowed
 * strings the caller frees. */
static const char **union_keys(const json_t *a, const json_t *b, size_t *n)
{
	const char **keys = mg_malloc((json_object_size(a) + json_object_size(b) + 1) * sizeof(*keys));
	const char *k;
	json_t *v;

	*n = 0;
	json_object_foreach((json_t *)a, k, v) keys[(*n)++] = k;
	json_object_foreach((json_t *)b, k, v) if (!json_object_get(a, k)) keys[(*n)++] = k;
	qsort(keys, *n, sizeof(*keys), cmp_keys);
	return keys;
}

static void walk(json_t *changes, json_t *path, const json_t *a, const json_t *b)
{
	if (json_is_object(a) && json_is_object(b) && json_array_size(path) < 4) {
		size_t nk, i;
		const char **keys = union_keys(a, b, &nk);

		for (i = 0; i < nk; i++) {
			json_t *va = json_object_get(a, keys[i]), *vb = json_object_get(b, keys[i]);
			json_t *sub;
			if (ignored_key(keys[i], json_array_size(path)))
				continue;
			sub = json_copy(path);
			json_array_append_new(sub, json_string(keys[i]));
			if (!vb)
				add_change(changes, "removed", sub, va, NULL);
			else if (!va)
				add_change(changes, "added", sub, NULL, vb);
			else
				walk(changes, sub, va, vb);
			json_decref(sub);
		}
		free(keys);
		return;
	}
	if (!json_equal((json_t *)a, (json_t *)b)) {
		/* below an entity, report attribute by attribute */
		if (json_is_object(a) && json_is_object(b)) {
			size_t nk, i;
			const char **keys = union_keys(a, b, &nk);

			for (i = 0; i < nk; i++) {
				json_t *va = json_object_get(a, keys[i]), *vb = json_object_get(b, keys[i]), *sub;
				if ((va && vb && json_equal(va, vb)))
					continue;
				sub = json_copy(path);
				json_array_append_new(sub, json_string(keys[i]));
				add_change(changes, "changed", sub, va ? va : json_null(), vb ? vb : json_null());
				json_decref(sub);
			}
			free(keys);
			return;
		}
		add_change(changes, "changed", path, a, b);
	}
}

void *schema_diff(const void *a, const void *b)
{
	json_t *changes = json_array(), *path = json_array();

	walk(changes, path, (const json_t *)a, (const json_t *)b);
	json_decref(path);
	return changes;
}
