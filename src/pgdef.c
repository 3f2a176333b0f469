/*
 * pgdef.c: key and plain index definitions in the server's own words (see
 * pgdef.h). Each function follows one branch of the server's deparser;
 * tests/pg/test_snapshot.py compares every text with the server's.
 */
#include "pgdef.h"

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

void pgdef_ident(buf *out, const pgdef_quoting *q, const char *name)
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

int pgdef_next_number(const char **p, long *out)
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
static int put_columns(buf *out, const char *list, int from, const pgdef_table *t, const pgdef_quoting *q)
{
	const char *p = list ? list : "";
	long a;
	int n = 0;

	while (pgdef_next_number(&p, &a)) {
		const char *name = t->column(t->ctx, a);
		if (!name)
			return -1;
		if (n++ < from)
			continue;
		if (n - 1 > from)
			buf_puts(out, ", ");
		pgdef_ident(out, q, name);
	}
	return n;
}

/* Node reading: a node is "{NAME :field value ...}", a list "(...)";
 * strings escape braces and blanks with a backslash. */
static const char *skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\t')
		p++;
	return p;
}

static int token_is(const char *p, const char *word)
{
	size_t n = strlen(word);

	return !strncmp(p, word, n) && (p[n] == ' ' || p[n] == '}' || p[n] == ')' || p[n] == '\0');
}

/* The value after field `name` in the node text from `p` up to its end
 * (`end`), as a number; -1 when missing. Fields of nested nodes are not
 * looked at: they come after a brace. */
static long field_value(const char *p, const char *end, const char *name)
{
	size_t n = strlen(name);
	int depth = 0;

	for (; p < end; p++) {
		if (*p == '{' || *p == '(')
			depth++;
		else if (*p == '}' || *p == ')')
			depth--;
		else if (depth == 0 && *p == ':' && !strncmp(p + 1, name, n) && p[1 + n] == ' ')
			return strtol(p + 1 + n, NULL, 10);
	}
	return -1;
}

/* The end of the node starting at `p` ('{'), just past its '}'; NULL if
 * unbalanced. *simple is cleared by any node but an explicit function
 * call (funcformat 0), a column or a constant. */
static const char *read_node(const char *p, int *simple)
{
	int depth = 0;

	for (; *p; p++) {
		if (*p == '\\') {
			if (!*++p)
				return NULL;
			continue;
		}
		if (*p == '{') {
			const char *name = p + 1;
			depth++;
			if (token_is(name, "FUNCEXPR")) {
				/* the format of this call: the field at its own depth */
				const char *q = name;
				int d = 0;
				for (; *q && !(d == 0 && *q == '}'); q++) {
					if (*q == '{' || *q == '(')
						d++;
					else if (*q == '}' || *q == ')')
						d--;
				}
				if (field_value(name, q, "funcformat") != 0)
					*simple = 0;
			} else if (!token_is(name, "VAR") && !token_is(name, "CONST")) {
				*simple = 0;
			}
		} else if (*p == '}' && --depth == 0) {
			return p + 1;
		}
	}
	return NULL;
}

int pgdef_expr_list(const char *tree, pgdef_expr *out, int max)
{
	const char *p = skip_blanks(tree ? tree : ""), *end;
	int n = 0;

	if (*p++ != '(')
		return -1;
	for (;;) {
		int simple = 1;
		p = skip_blanks(p);
		if (*p == ')')
			return n;
		if (*p != '{' || !(end = read_node(p, &simple)))
			return -1;
		if (n < max) {
			out[n].simple = simple && token_is(p + 1, "FUNCEXPR");
			out[n].type = (unsigned long)field_value(p + 1, end - 1, "funcresulttype");
			out[n].collation = (unsigned long)field_value(p + 1, end - 1, "funccollid");
		}
		n++;
		p = end;
	}
}

int pgdef_index_write(buf *out, const pgdef_index *ix, const pgdef_table *table, const pgdef_quoting *q)
{
	size_t start = out->len;
	const char *p = ix->indkey ? ix->indkey : "", *opt = ix->indoption ? ix->indoption : "";
	long a, o;
	int k = 0, e = 0;

	buf_puts(out, ix->unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ");
	pgdef_ident(out, q, ix->name);
	buf_puts(out, " ON ");
	pgdef_ident(out, q, ix->schema);
	buf_putc(out, '.');
	pgdef_ident(out, q, ix->table);
	buf_puts(out, " USING ");
	pgdef_ident(out, q, ix->method);
	buf_puts(out, " (");
	while (pgdef_next_number(&p, &a)) {
		const char *name = a ? table->column(table->ctx, a) : e < ix->nexprs ? ix->exprs[e++] : NULL;
		if (!name)
			goto fail;
		if (k == ix->nkey)
			buf_puts(out, ") INCLUDE (");
		else if (k)
			buf_puts(out, ", ");
		if (a)
			pgdef_ident(out, q, name);
		else
			buf_puts(out, name); /* a simple call: no parentheses */
		if (k < ix->nkey && ix->can_order && pgdef_next_number(&opt, &o)) {
			if (o & INDOPTION_DESC)
				buf_puts(out, (o & INDOPTION_NULLS_FIRST) ? " DESC" : " DESC NULLS LAST");
			else if (o & INDOPTION_NULLS_FIRST)
				buf_puts(out, " NULLS FIRST");
		}
		k++;
	}
	buf_putc(out, ')');
	if (ix->predicate)
		buf_printf(out, " WHERE %s", ix->predicate);
	return 0;
fail:
	buf_truncate(out, start);
	return -1;
}

static const char *fk_action(char c)
{
	switch (c) {
	case 'r': return "RESTRICT";
	case 'c': return "CASCADE";
	case 'n': return "SET NULL";
	case 'd': return "SET DEFAULT";
	default: return NULL;
	}
}

static int put_foreign(buf *out, const pgdef_key *k, const pgdef_table *table, const pgdef_table *ref,
		       const pgdef_quoting *q)
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
		pgdef_ident(out, q, k->ref_schema);
		buf_putc(out, '.');
	}
	pgdef_ident(out, q, k->ref_table);
	buf_putc(out, '(');
	if (put_columns(out, k->confkey, 0, ref, q) < 0)
		return -1;
	buf_putc(out, ')');
	for (i = 0; i < sizeof(match) / sizeof(match[0]) && match[i].code != k->match; i++)
		;
	if (i == sizeof(match) / sizeof(match[0]))
		return -1;
	buf_puts(out, match[i].text);
	if (k->on_update != 'a' && !fk_action(k->on_update))
		return -1;
	if (k->on_delete != 'a' && !fk_action(k->on_delete))
		return -1;
	if (k->on_update != 'a')
		buf_printf(out, " ON UPDATE %s", fk_action(k->on_update));
	if (k->on_delete != 'a')
		buf_printf(out, " ON DELETE %s", fk_action(k->on_delete));
	return 0;
}

int pgdef_key_write(buf *out, const pgdef_key *k, const pgdef_table *table, const pgdef_table *ref,
		    const pgdef_quoting *q)
{
	size_t start = out->len, mark;
	int nkey, n;

	if (k->kind == PGDEF_FOREIGN) {
		if (put_foreign(out, k, table, ref, q) < 0)
			goto fail;
	} else if (k->kind == PGDEF_PRIMARY || k->kind == PGDEF_UNIQUE) {
		buf_puts(out, k->kind == PGDEF_PRIMARY ? "PRIMARY KEY (" : "UNIQUE (");
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
