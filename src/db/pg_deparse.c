/*
 * pg_deparse.c: key and plain index definitions in the server's own words (see
 * pgdef.h). Each function follows one branch of the server's deparser;
 * tests/pg/test_snapshot.py compares every text with the server's.
 */
#include "db/pg_deparse.h"

#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

/* pg_index.indoption bits */
#define INDOPTION_DESC 0x0001
#define INDOPTION_NULLS_FIRST 0x0002

static int cmp_keyword(const void *key, const void *elem)
{
	return strcmp((const char *)key, *(const char *const *)elem);
}

void pg_deparse_ident(buf *out, const pg_deparse_quoting *q, const char *name)
{
	const char *p;
	int safe = (name[0] >= 'a' && name[0] <= 'z') || name[0] == '_';

	for (p = name; *p && safe; p++)
		safe = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_';
	if (safe && !q->quote_all &&
	    !(q->nkeywords && bsearch(name, q->keywords, q->nkeywords, sizeof(*q->keywords), cmp_keyword))) {
		buf_puts(out, name);
		return;
	}
	buf_putc(out, '"');
	for (p = name; *p; p++) {
		if (*p == '"')
			buf_putc(out, '"');
		buf_putc(out, *p);
	}
	buf_putc(out, '"');
}

int pg_deparse_next_number(const char **p, long *out)
{
	while (**p) {
		char *end;
		long a = strtol(*p, &end, 10);
		if (end == *p) {
			(*p)++;
			continue;
		}
		*p = end;
		*out = a;
		return 1;
	}
	return 0;
}

/* The columns of `list` from the `from`th (0-based) on, joined by ", ";
 * the number of entries in the list, or -1 if one names no column. */
static int put_columns(buf *out, const char *list, int from, const pg_deparse_table *t, const pg_deparse_quoting *q)
{
	const char *p = list ? list : "";
	long a;
	int n = 0;

	while (pg_deparse_next_number(&p, &a)) {
		const char *name = t->column(t->ctx, a);
		if (!name)
			return -1;
		if (n++ < from)
			continue;
		if (n - 1 > from)
			buf_puts(out, ", ");
		pg_deparse_ident(out, q, name);
	}
	return n;
}

int pg_deparse_index_write(buf *out, const pg_deparse_index *ix, const pg_deparse_table *table, const pg_deparse_quoting *q)
{
	size_t start = out->len;
	const char *p = ix->indkey ? ix->indkey : "", *opt = ix->indoption ? ix->indoption : "";
	long a, o;
	int k = 0;

	buf_puts(out, ix->unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ");
	pg_deparse_ident(out, q, ix->name);
	buf_puts(out, " ON ");
	pg_deparse_ident(out, q, ix->schema);
	buf_putc(out, '.');
	pg_deparse_ident(out, q, ix->table);
	buf_puts(out, " USING ");
	pg_deparse_ident(out, q, ix->method);
	buf_puts(out, " (");
	while (pg_deparse_next_number(&p, &a)) {
		const char *name = a ? table->column(table->ctx, a) : NULL; /* 0: an expression */
		if (!name)
			goto fail;
		if (k == ix->nkey)
			buf_puts(out, ") INCLUDE (");
		else if (k)
			buf_puts(out, ", ");
		pg_deparse_ident(out, q, name);
		if (k < ix->nkey && ix->can_order && pg_deparse_next_number(&opt, &o)) {
			if (o & INDOPTION_DESC)
				buf_puts(out, (o & INDOPTION_NULLS_FIRST) ? " DESC" : " DESC NULLS LAST");
			else if (o & INDOPTION_NULLS_FIRST)
				buf_puts(out, " NULLS FIRST");
		}
		k++;
	}
	buf_putc(out, ')');
	return 0;
fail:
	buf_truncate(out, start);
	return -1;
}

const char *pg_deparse_fk_action(char c)
{
	switch (c) {
	case 'r': return "RESTRICT";
	case 'c': return "CASCADE";
	case 'n': return "SET NULL";
	case 'd': return "SET DEFAULT";
	default: return NULL;
	}
}

static int put_foreign(buf *out, const pg_deparse_key *k, const pg_deparse_table *table, const pg_deparse_table *ref,
		       const pg_deparse_quoting *q)
{
	static const struct {
		char code;
		const char *text;
	} match[] = { { 'f', " MATCH FULL" }, { 'p', " MATCH PARTIAL" }, { 's', "" } };
	size_t i;

	buf_puts(out, "FOREIGN KEY (");
	if (put_columns(out, k->conkey, 0, table, q) < 0 || !ref || !k->ref_table)
		return -1;
	buf_puts(out, ") REFERENCES ");
	if (k->ref_schema) {
		pg_deparse_ident(out, q, k->ref_schema);
		buf_putc(out, '.');
	}
	pg_deparse_ident(out, q, k->ref_table);
	buf_putc(out, '(');
	if (put_columns(out, k->confkey, 0, ref, q) < 0)
		return -1;
	buf_putc(out, ')');
	for (i = 0; i < sizeof(match) / sizeof(match[0]) && match[i].code != k->match; i++)
		;
	if (i == sizeof(match) / sizeof(match[0]))
		return -1;
	buf_puts(out, match[i].text);
	if (k->on_update != 'a' && !pg_deparse_fk_action(k->on_update))
		return -1;
	if (k->on_delete != 'a' && !pg_deparse_fk_action(k->on_delete))
		return -1;
	if (k->on_update != 'a')
		buf_printf(out, " ON UPDATE %s", pg_deparse_fk_action(k->on_update));
	if (k->on_delete != 'a')
		buf_printf(out, " ON DELETE %s", pg_deparse_fk_action(k->on_delete));
	return 0;
}

int pg_deparse_key_write(buf *out, const pg_deparse_key *k, const pg_deparse_table *table, const pg_deparse_table *ref,
			 const pg_deparse_quoting *q)
{
	size_t start = out->len, mark;
	int nkey, n;

	if (k->kind == PG_DEPARSE_FOREIGN) {
		if (put_foreign(out, k, table, ref, q) < 0)
			goto fail;
	} else if (k->kind == PG_DEPARSE_PRIMARY || k->kind == PG_DEPARSE_UNIQUE) {
		buf_puts(out, k->kind == PG_DEPARSE_PRIMARY ? "PRIMARY KEY (" : "UNIQUE (");
		if ((nkey = put_columns(out, k->conkey, 0, table, q)) < 0)
			goto fail;
		buf_putc(out, ')');
		/* the index's columns after the key's are its INCLUDE list */
		mark = out->len;
		buf_puts(out, " INCLUDE (");
		if ((n = put_columns(out, k->indkey, nkey, table, q)) < 0)
			goto fail;
		if (n > nkey)
			buf_putc(out, ')');
		else
			buf_truncate(out, mark);
	} else {
		goto fail;
	}
	if (k->deferrable)
		buf_puts(out, " DEFERRABLE");
	if (k->deferred)
		buf_puts(out, " INITIALLY DEFERRED");
	if (!k->validated)
		buf_puts(out, " NOT VALID");
	return 0;
fail:
	buf_truncate(out, start);
	return -1;
}
