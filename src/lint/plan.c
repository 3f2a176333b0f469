/*
 * plan.c: plain-words descriptions and PostgreSQL lock levels of
 * operations (the levels are PostgreSQL's documented ones for each
 * command; the weakest lock that blocks writes is SHARE).
 */
#include "lint/plan.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "alembic/script.h"
#include "lint/ops.h"
#include "util/buf.h"
#include "util/banned.h"

#define AE "ACCESS EXCLUSIVE (blocks reads and writes)"
#define SUE "SHARE UPDATE EXCLUSIVE (reads and writes continue)"
#define SHARE "SHARE (blocks writes)"
#define SRE "SHARE ROW EXCLUSIVE (blocks writes)"
#define RE "ROW EXCLUSIVE (the rows it changes)"

static plan_op *add(plan_ops *p, int line, const char *table, const char *lock, int data_loss, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static plan_op *add(plan_ops *p, int line, const char *table, const char *lock, int data_loss, const char *fmt, ...)
{
	buf b = BUF_INIT;
	va_list ap;
	plan_op *o;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (p->n == p->alloc) {
		p->alloc = p->alloc ? p->alloc * 2 : 8;
		p->v = mg_realloc(p->v, p->alloc * sizeof(*p->v));
	}
	o = &p->v[p->n++];
	o->line = line;
	o->description = buf_detach(&b);
	o->table = table ? mg_strdup(table) : NULL;
	o->lock = lock ? mg_strdup(lock) : NULL;
	o->data_loss = data_loss;
	o->column = NULL;
	o->dml = NULL;
	o->sql = NULL;
	o->where = 0;
	return o;
}

static const char *lock_name(int mode)
{
	static const char *const names[] = { "?", "ACCESS SHARE", "ROW SHARE", "ROW EXCLUSIVE", "SHARE UPDATE EXCLUSIVE",
					     "SHARE", "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE" };
	return mode >= 1 && mode <= 8 ? names[mode] : names[0];
}

/* The lock a statement class takes on PostgreSQL. */
static const char *sql_lock(const sqlstmt *s, buf *tmp)
{
	const char *c = s->cls, *v;

	if (!strcmp(c, "create_table") || !strcmp(c, "transaction") || !strcmp(c, "other"))
		return NULL;
	if (!strcmp(c, "select") || !strcmp(c, "analyze"))
		return "ACCESS SHARE (reads continue)";
	if (!strcmp(c, "insert") || !strcmp(c, "update") || !strcmp(c, "delete"))
		return RE;
	if (!strcmp(c, "create_index") || !strcmp(c, "reindex"))
		return sqlstmt_fact(s, "concurrently") ? SUE : SHARE;
	if (!strcmp(c, "drop_index"))
		return sqlstmt_fact(s, "concurrently") ? SUE : AE;
	if (!strcmp(c, "validate_constraint"))
		return SUE;
	if (!strcmp(c, "vacuum"))
		return sqlstmt_fact(s, "full") ? AE : SUE;
	if (!strcmp(c, "add_constraint") && (v = sqlstmt_fact(s, "contype")) && !strcmp(v, "foreign_key"))
		return SRE;
	if (!strcmp(c, "lock_table") && (v = sqlstmt_fact(s, "mode"))) {
		buf_truncate(tmp, 0);
		buf_printf(tmp, "%s (explicit LOCK)", lock_name(atoi(v)));
		return tmp->ptr;
	}
	return AE;
}

static int is_data_loss_class(const char *c)
{
	return !strcmp(c, "drop_table") || !strcmp(c, "drop_column") || !strcmp(c, "truncate") || !strcmp(c, "drop_schema");
}

/* The first line of a statement, shortened. */
static void short_sql(buf *out, const char *text)
{
	size_t n = strcspn(text, "\n");

	if (n > 70)
		n = 70;
	buf_put(out, text, n);
	if (text[n])
		buf_puts(out, " ...");
}

static void describe_sql(plan_ops *out, const migop *m, sql_dialect d)
{
	mg_error err = MG_ERROR_INIT;
	sqlstmts st;
	buf text = BUF_INIT, lock = BUF_INIT;
	plan_op *o;
	size_t i;

	if (sqlcheck_classify(&st, m->sql, d, &err) < 0)
		return;
	if (st.parse_failed)
		add(out, m->line, NULL, NULL, 0, "runs SQL the PostgreSQL parser rejects: %s", st.error);
	for (i = 0; i < st.n; i++) {
		const sqlstmt *s = &st.v[i];
		buf_truncate(&text, 0);
		short_sql(&text, s->text);
		o = add(out, m->sql_npieces ? pyx_line_at(m->sql_pieces, m->sql_npieces, m->sql, (size_t)s->offset) : m->line,
			s->table, d == SQL_SQLITE ? "the database's write lock (SQLite)" : sql_lock(s, &lock),
			is_data_loss_class(s->cls) ||
				((!strcmp(s->cls, "delete") || !strcmp(s->cls, "update")) && !sqlstmt_fact(s, "where")),
			"runs SQL (%s%s%s): %s", s->cls, s->table ? " on " : "", s->table ? s->table : "", text.ptr);
		if (!strcmp(s->cls, "delete") || !strcmp(s->cls, "update")) {
			o->dml = !strcmp(s->cls, "delete") ? "delete" : "update";
			o->sql = mg_strdup(s->text);
			o->where = sqlstmt_fact(s, "where") != NULL;
		}
	}
	sqlstmts_release(&st);
	buf_release(&text);
	buf_release(&lock);
}

static void cols(buf *out, const strvec *c)
{
	buf_join(out, (const char *const *)c->v, c->n, ", ");
}

static void describe_alter(buf *b, const migop *m)
{
	const pyx *c = m->call, *v;
	const char *col = m->columns.n ? m->columns.v[0] : "?";

	if ((v = pyx_arg(c, -1, "type_")) != NULL)
		buf_printf(b, "changes the type of %s.%s to %s", m->table ? m->table : "?", col,
			   v->text ? v->text : "another type");
	if ((v = pyx_arg(c, -1, "nullable")) != NULL)
		buf_printf(b, "%s%s NOT NULL on %s.%s", b->len ? "; " : "", pyx_is_false(v) ? "sets" : "drops",
			   m->table ? m->table : "?", col);
	if ((v = pyx_arg(c, -1, "new_column_name")) != NULL && pyx_is_literal_str(v))
		buf_printf(b, "%srenames column %s.%s to %s", b->len ? "; " : "", m->table ? m->table : "?", col, v->text);
	if (pyx_arg(c, -1, "server_default"))
		buf_printf(b, "%schanges the server default of %s.%s", b->len ? "; " : "", m->table ? m->table : "?", col);
	if (!b->len)
		buf_printf(b, "alters column %s.%s", m->table ? m->table : "?", col);
}

static void describe_call(plan_ops *out, const migop *m, sql_dialect d)
{
	const char *t = m->table ? m->table : "?", *n = m->name;
	const char *lite = "the database's write lock (SQLite)";
	const char *lk = d == SQL_SQLITE ? lite : AE;
	buf b = BUF_INIT;
	int concurrently = pyx_is_true(pyx_arg(m->call, -1, "postgresql_concurrently"));

	if (!strcmp(n, "execute")) {
		if (m->sql)
			describe_sql(out, m, d);
		else if (m->core) {
			plan_op *o = add(out, m->line, m->table, d == SQL_SQLITE ? lite : RE, 0,
					 "runs a SQLAlchemy statement: %s", m->core);
			if (m->table && (strstr(m->core, "delete") || strstr(m->core, "update"))) {
				o->dml = strstr(m->core, "delete") ? "delete" : "update";
				o->where = m->core_where;
				o->data_loss = !m->core_where && !strcmp(o->dml, "delete");
			}
		}
		goto cleanup;
	}
	if (!strcmp(n, "create_table"))
		add(out, m->line, t, NULL, 0, "creates table %s (%zu column%s)", t, m->columns.n, m->columns.n == 1 ? "" : "s");
	else if (!strcmp(n, "drop_table"))
		add(out, m->line, t, lk, 1, "drops table %s: its rows are deleted", t);
	else if (!strcmp(n, "add_column")) {
		const pyx *col = pyx_arg(m->call, m->batch ? 0 : 1, "column");
		int not_null = col && pyx_is_false(pyx_arg(col, -1, "nullable"));
		const pyx *def = col ? pyx_arg(col, -1, "server_default") : NULL;
		add(out, m->line, t, lk, 0, "adds column %s.%s%s%s", t, m->columns.n ? m->columns.v[0] : "?",
		    not_null ? " NOT NULL" : "", def ? " with a server default" : "");
	} else if (!strcmp(n, "drop_column")) {
		add(out, m->line, t, lk, 1, "drops column %s.%s: its data is deleted", t, m->columns.n ? m->columns.v[0] : "?");
		if (m->columns.n)
			out->v[out->n - 1].column = mg_strdup(m->columns.v[0]);
	} else if (!strcmp(n, "alter_column")) {
		describe_alter(&b, m);
		add(out, m->line, t, lk, 0, "%s", b.ptr);
	} else if (!strcmp(n, "rename_table"))
		add(out, m->line, t, lk, 0, "renames table %s to %s", t, m->object ? m->object : "?");
	else if (!strcmp(n, "create_index")) {
		cols(&b, &m->columns);
		add(out, m->line, t, d == SQL_SQLITE ? lite : concurrently ? SUE
									   : SHARE,
		    0, "creates %sindex %s on %s (%s)%s",
		    pyx_is_true(pyx_arg(m->call, -1, "unique")) ? "unique " : "", m->object ? m->object : "?", t, b.ptr,
		    concurrently ? " concurrently" : "");
	} else if (!strcmp(n, "drop_index"))
		add(out, m->line, m->table, d == SQL_SQLITE ? lite : concurrently ? SUE
										  : AE,
		    0, "drops index %s%s",
		    m->object ? m->object : "?", concurrently ? " concurrently" : "");
	else if (!strcmp(n, "create_foreign_key")) {
		cols(&b, &m->columns);
		add(out, m->line, t, d == SQL_SQLITE ? lite : SRE " on both tables", 0, "adds foreign key %s on %s (%s)",
		    m->object ? m->object : "?", t, b.ptr);
	} else if (!strcmp(n, "create_check_constraint") || !strcmp(n, "create_unique_constraint") ||
		   !strcmp(n, "create_primary_key") || !strcmp(n, "create_exclude_constraint")) {
		add(out, m->line, t, lk, 0, "adds %s %s on %s",
		    n[7] == 'c' ? "check constraint" : n[7] == 'u' ? "unique constraint"
					       : n[7] == 'p'       ? "primary key"
								   : "exclusion constraint",
		    m->object ? m->object : "?", t);
	} else if (!strcmp(n, "drop_constraint"))
		add(out, m->line, t, lk, 0, "drops constraint %s on %s", m->object ? m->object : "?", t);
	else if (!strcmp(n, "bulk_insert"))
		add(out, m->line, t, d == SQL_SQLITE ? lite : RE, 0, "inserts rows into %s", t);
	else if (!strcmp(n, "batch_alter_table"))
		add(out, m->line, t, d == SQL_SQLITE ? lite : NULL, 0,
		    d == SQL_SQLITE ? "batch changes to %s (SQLite copies the table when a change needs it)"
				    : "batch changes to %s",
		    t);
	else if (!strcmp(n, "create_enum") || !strcmp(n, "drop_enum"))
		add(out, m->line, NULL, NULL, 0, "%s an enum type", n[0] == 'c' ? "creates" : "drops");
	else
		add(out, m->line, m->table, NULL, 0, "op.%s%s%s", n, m->table ? " on " : "", m->table ? m->table : "");
cleanup:
	buf_release(&b);
}

int plan_describe(plan_ops *out, const char *src, size_t len, const pyscan_span *up, sql_dialect dialect,
		  mg_error *err)
{
	migops ops;
	pyscan_span none = { 0, 0, 0 };
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = ops_extract(&ops, src, len, up, &none, dialect == SQL_SQLITE ? "sqlite" : "postgresql", err)) < 0)
		return rc;
	for (i = 0; i < ops.n; i++) {
		const migop *m = &ops.v[i];
		if (m->func != MIGOP_UPGRADE)
			continue;
		if (m->kind == MIGOP_OPAQUE)
			add(out, m->line, NULL, NULL, 0, "code mgate cannot see through: %s", m->why);
		else
			describe_call(out, m, dialect);
	}
	migops_release(&ops);
	return MG_OK;
}

int plan_describe_upgrade(plan_ops *out, const script *s, sql_dialect dialect, mg_error *err)
{
	buf src = BUF_INIT;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = script_source(&src, s, err)) == MG_OK)
		rc = plan_describe(out, src.ptr, src.len, &s->upgrade, dialect, err);
	buf_release(&src);
	return rc;
}

void plan_ops_release(plan_ops *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n; i++) {
		free(p->v[i].description);
		free(p->v[i].table);
		free(p->v[i].column);
		free(p->v[i].lock);
		free(p->v[i].sql);
	}
	free(p->v);
	memset(p, 0, sizeof(*p));
}
