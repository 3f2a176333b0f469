/*
 * rowcount.c: the rows a data change would touch, counted or estimated
 * without running it (rowcount.h).
 */
#include "gate/rowcount.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/banned.h"

long long rowcount_table(db *d, const char *table)
{
	mg_error err = MG_ERROR_INIT;
	long long n = -1;

	if (!d || !table || d->ops->table_rows(d, table, &n, &err) < 0)
		return -1;
	return n;
}

/* A count (SELECT count(*) ...) or the planner's estimate, -1 on failure. */
static long long scalar(db *d, const char *sql)
{
	mg_error err = MG_ERROR_INIT;
	char *v = NULL;
	long long n = -1;

	if (d->ops->query_scalar(d, sql, &v, &err) == 0 && v)
		n = strtoll(v, NULL, 10);
	free(v);
	return n;
}

/* The planner's rows for `sql` (EXPLAIN, not executed): the rows the scan
 * under the DELETE or UPDATE finds. */
static long long planned(db *d, const char *sql)
{
	mg_error err = MG_ERROR_INIT;
	buf q = BUF_INIT;
	char *v = NULL;
	json_t *j = NULL, *plan, *inner;
	long long n = -1;

	buf_printf(&q, "EXPLAIN (FORMAT JSON) %s", sql);
	if (d->ops->query_scalar(d, q.ptr, &v, &err) == 0 && v && (j = json_loads(v, 0, NULL)) != NULL) {
		plan = json_object_get(json_array_get(j, 0), "Plan");
		inner = json_array_get(json_object_get(plan, "Plans"), 0);
		n = json_integer_value(json_object_get(inner ? inner : plan, "Plan Rows"));
	}
	json_decref(j);
	free(v);
	buf_release(&q);
	return n;
}

long long rowcount_touched(const char **basis, db *d, sql_dialect dialect, const plan_op *op)
{
	buf q = BUF_INIT;
	size_t from, to;
	long long table = -1, n = -1;

	*basis = "exact";
	if (!d || !op->dml || !op->table)
		return -1;
	buf_puts(&q, "SELECT count(*) FROM ");
	buf_puts(&q, op->table);
	if (dialect == SQL_POSTGRESQL) {
		table = rowcount_table(d, op->table);
		if (table < 0) { /* never analyzed: the planner's guess from the table's pages */
			buf all = BUF_INIT;
			buf_printf(&all, "SELECT * FROM %s", op->table);
			table = planned(d, all.ptr);
			buf_release(&all);
		}
	}
	if (!op->where) { /* the whole table */
		if (dialect == SQL_POSTGRESQL && table > ROWCOUNT_EXACT_ROWS)
			n = table, *basis = "estimate";
		else
			n = scalar(d, q.ptr);
	} else if (op->sql && sqlcheck_where_span(op->sql, &from, &to) == 0 &&
		   (dialect == SQL_SQLITE || (table >= 0 && table <= ROWCOUNT_EXACT_ROWS))) {
		buf_putc(&q, ' ');
		buf_put(&q, op->sql + from, to - from);
		n = scalar(d, q.ptr);
	}
	if (n < 0 && op->where && op->sql && dialect == SQL_POSTGRESQL)
		n = planned(d, op->sql), *basis = "estimate";
	if (n < 0 && op->where && !op->sql) { /* a Core statement's WHERE is not SQL mgate has */
		buf_truncate(&q, 0);
		buf_printf(&q, "SELECT count(*) FROM %s", op->table);
		n = dialect == SQL_POSTGRESQL && table > ROWCOUNT_EXACT_ROWS ? table : scalar(d, q.ptr);
		*basis = "at most";
	}
	buf_release(&q);
	return n;
}
