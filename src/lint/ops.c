/*
 * ops.c: walk the statements of `upgrade()` and `downgrade()` and
 * record each Alembic operation, or what could not be seen.
 *
 * The walk follows Python's block structure from the tokenizer's
 * INDENT/DEDENT tokens. A frame per block carries what the enclosing
 * constructs mean for the operations inside: a batch alias, a loop, a
 * condition, an autocommit block.
 */
#include "lint/ops.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/banned.h"

typedef struct frame {
	const char *alias; /* the batch_alter_table alias in scope, or NULL */
	int batch_index;
	int in_loop, in_cond, autocommit, nested;
} frame;

typedef struct extractor {
	migops *out;
	migop_func func;
	const pytok *t;
	size_t n, i;
	strvec conns;     /* names bound to a connection */
	strvec str_names; /* names bound to strings ... */
	pyx **str_vals;   /* ... their literal (NULL: computed at run time) */
	size_t nstr_vals;
	strvec tbl_names, tbl_vals; /* names bound to sa.table("name") */
	strvec aliases;             /* batch aliases (frames point into it) */
	strvec row_names;           /* names bound to a literal list of dicts */
} extractor;

/* ---- small helpers ------------------------------------------------------ */

static migop *op_new(extractor *ex, migop_kind kind, const char *name, int line, int col, const frame *fr)
{
	migops *o = ex->out;
	migop *m;

	if (o->n == o->alloc) {
		o->alloc = o->alloc ? o->alloc * 2 : 16;
		o->v = mg_realloc(o->v, o->alloc * sizeof(*o->v));
	}
	m = &o->v[o->n++];
	memset(m, 0, sizeof(*m));
	m->kind = kind;
	m->func = ex->func;
	m->name = mg_strdup(name);
	m->line = m->end_line = line;
	m->col = col;
	m->batch_index = fr->batch_index;
	m->in_loop = fr->in_loop;
	m->in_cond = fr->in_cond || fr->nested;
	m->autocommit = fr->autocommit;
	return m;
}

static void opaque(extractor *ex, const frame *fr, const char *code, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static void opaque(extractor *ex, const frame *fr, const char *code, int line, int col, const char *fmt, ...)
{
	buf why = BUF_INIT;
	va_list ap;
	migop *m;

	va_start(ap, fmt);
	buf_vprintf(&why, fmt, ap);
	va_end(ap);
	m = op_new(ex, MIGOP_OPAQUE, code, line, col, fr);
	m->why = buf_detach(&why);
}

static int starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && !strcmp(s + a - b, suffix);
}

static void bind_name(strvec *names, strvec *vals, const char *name, const char *val)
{
	int at = strvec_index(names, name);

	if (at < 0) {
		strvec_push(names, name);
		strvec_push_owned(vals, val ? mg_strdup(val) : NULL);
		return;
	}
	free(vals->v[at]);
	vals->v[at] = val ? mg_strdup(val) : NULL;
}

/* Bind `name` to a copy of the literal string `v`, or to "computed" (NULL). */
static void bind_str(extractor *ex, const char *name, const pyx *v)
{
	int at = strvec_index(&ex->str_names, name);
	pyx *copy = pyx_is_literal_str(v) ? pyx_clone_str(v) : NULL;

	if (at >= 0) {
		pyx_free(ex->str_vals[at]);
		ex->str_vals[at] = copy;
		return;
	}
	strvec_push(&ex->str_names, name);
	ex->str_vals = mg_realloc(ex->str_vals, ex->str_names.n * sizeof(*ex->str_vals));
	ex->str_vals[ex->nstr_vals++] = copy;
}

/* The SQL and where each part of it sits in the source. */
static void set_sql(migop *m, const pyx *s)
{
	m->sql = mg_strdup(s->text);
	m->sql_line = s->npieces ? s->pieces[0].line : s->line;
	if (s->npieces) {
		m->sql_pieces = mg_malloc(s->npieces * sizeof(*m->sql_pieces));
		memcpy(m->sql_pieces, s->pieces, s->npieces * sizeof(*m->sql_pieces));
		m->sql_npieces = s->npieces;
	}
}

/* A name given literally or through the naming-convention helper
 * (`op.f("ix_a")`, `batch_op.f("ix_a")`), or NULL. */
static const char *name_lit(const pyx *x)
{
	if (x && x->kind == PYX_CALL && !strcmp(pyx_basename(x), "f") && x->n == 1 &&
	    pyx_is_literal_str(x->items[0]))
		return x->items[0]->text;
	return pyx_is_literal_str(x) ? x->text : NULL;
}

/* A literal string argument's text, or NULL. */
static const char *lit(const pyx *x)
{
	return pyx_is_literal_str(x) ? x->text : NULL;
}

/* Column names from a literal string, a list/tuple of them, or sa.Column(...). */
static void collect_columns(strvec *out, const pyx *x)
{
	size_t i;

	if (!x)
		return;
	if (lit(x)) {
		strvec_push(out, x->text);
	} else if (x->kind == PYX_LIST || x->kind == PYX_TUPLE) {
		for (i = 0; i < x->n; i++)
			collect_columns(out, x->items[i]);
	} else if (x->kind == PYX_CALL && !strcmp(pyx_basename(x), "Column")) {
		const char *name = lit(pyx_arg(x, 0, "name"));
		if (name)
			strvec_push(out, name);
	}
}

/* ---- operation signatures ----------------------------------------------- */

/*
 * Where each operation keeps its table, columns and object name, by
 * position (plain and batch form) and keyword, from Alembic's signatures.
 * -1: the form has no such argument (in batch form the table is the
 * batch's).
 */
typedef struct opsig {
	const char *name;
	int tbl, tbl_b;
	const char *tbl_kw;
	int cols, cols_b;
	const char *cols_kw;
	int obj, obj_b;
	const char *obj_kw;
} opsig;

static const opsig signatures[] = {
	{ "create_table", 0, -1, "table_name", -1, -1, NULL, -1, -1, NULL },
	{ "drop_table", 0, -1, "table_name", -1, -1, NULL, -1, -1, NULL },
	{ "rename_table", 0, -1, "old_table_name", -1, -1, NULL, 1, -1, "new_table_name" },
	{ "add_column", 0, -1, "table_name", 1, 0, "column", -1, -1, NULL },
	{ "drop_column", 0, -1, "table_name", 1, 0, "column_name", -1, -1, NULL },
	{ "alter_column", 0, -1, "table_name", 1, 0, "column_name", -1, -1, "new_column_name" },
	{ "create_index", 1, -1, "table_name", 2, 1, "columns", 0, 0, "index_name" },
	{ "drop_index", 1, -1, "table_name", -1, -1, NULL, 0, 0, "index_name" },
	{ "create_foreign_key", 1, -1, "source_table", 3, 2, "local_cols", 0, 0, "constraint_name" },
	{ "create_unique_constraint", 1, -1, "table_name", 2, 1, "columns", 0, 0, "constraint_name" },
	{ "create_primary_key", 1, -1, "table_name", 2, 1, "columns", 0, 0, "constraint_name" },
	{ "create_check_constraint", 1, -1, "table_name", -1, -1, NULL, 0, 0, "constraint_name" },
	{ "create_exclude_constraint", 1, -1, "table_name", -1, -1, NULL, 0, 0, "constraint_name" },
	{ "drop_constraint", 1, -1, "table_name", -1, -1, NULL, 0, 0, "constraint_name" },
	{ "create_table_comment", 0, -1, "table_name", -1, -1, NULL, -1, -1, NULL },
	{ "drop_table_comment", 0, -1, "table_name", -1, -1, NULL, -1, -1, NULL },
	{ "bulk_insert", 0, -1, "table", -1, -1, NULL, -1, -1, NULL },
	{ "batch_alter_table", 0, -1, "table_name", -1, -1, NULL, -1, -1, NULL },
	{ NULL, 0, 0, NULL, 0, 0, NULL, 0, 0, NULL },
};

/* `op.<name>` helpers that are not operations on the database. */
static const char *const not_operations[] = { "f", "inline_literal", "get_bind", "get_context", "implementation_for",
					      "register_operation", "invoke", "run_async", NULL };

static int in_list(const char *s, const char *const *list)
{
	size_t i;

	for (i = 0; list[i]; i++)
		if (!strcmp(s, list[i]))
			return 1;
	return 0;
}

/* The table a bulk_insert or execute names: a literal, or a local bound to sa.table("x"). */
static const char *table_ref(extractor *ex, const pyx *x)
{
	int at;

	if (!x)
		return NULL;
	if (lit(x))
		return x->text;
	if (x->kind == PYX_NAME && (at = strvec_index(&ex->tbl_names, x->text)) >= 0)
		return ex->tbl_vals.v[at];
	if (x->kind == PYX_CALL && (!strcmp(pyx_basename(x), "table") || !strcmp(pyx_basename(x), "Table")))
		return lit(pyx_arg(x, 0, "name"));
	return NULL;
}

static void fill_signature(extractor *ex, migop *m, const frame *fr)
{
	const pyx *c = m->call;
	const opsig *s;
	size_t i;

	for (s = signatures; s->name; s++)
		if (!strcmp(s->name, m->name))
			break;
	if (m->batch && fr->batch_index >= 0) {
		const migop *b = &ex->out->v[fr->batch_index];
		if (b->table)
			m->table = mg_strdup(b->table);
		if (b->schema)
			m->schema = mg_strdup(b->schema);
	}
	if (s->name) {
		const char *t = NULL;
		if (!m->batch)
			t = !strcmp(m->name, "bulk_insert") ? table_ref(ex, pyx_arg(c, s->tbl, s->tbl_kw))
							    : lit(pyx_arg(c, s->tbl, s->tbl_kw));
		if (!m->batch && !strcmp(m->name, "drop_index") && !t)
			t = lit(pyx_arg(c, -1, "table_name"));
		if (t)
			m->table = mg_strdup(t);
		if (s->cols_kw)
			collect_columns(&m->columns, pyx_arg(c, m->batch ? s->cols_b : s->cols, s->cols_kw));
		if (s->obj_kw && name_lit(pyx_arg(c, m->batch ? s->obj_b : s->obj, s->obj_kw)))
			m->object = mg_strdup(name_lit(pyx_arg(c, m->batch ? s->obj_b : s->obj, s->obj_kw)));
	}
	if (!strcmp(m->name, "create_table"))
		for (i = 1; i < c->n; i++)
			if (!c->keys[i])
				collect_columns(&m->columns, c->items[i]);
	if (!m->schema && lit(pyx_arg(c, -1, "schema")))
		m->schema = mg_strdup(lit(pyx_arg(c, -1, "schema")));
}

/* ---- execute and its SQL ------------------------------------------------- */

static int is_text_call(const pyx *x)
{
	return x && x->kind == PYX_CALL &&
	       (!strcmp(x->text, "text") || !strcmp(x->text, "sa.text") || !strcmp(x->text, "sqlalchemy.text") ||
		!strcmp(x->text, "sa.sql.text") || !strcmp(x->text, "sqlalchemy.sql.text") ||
		!strcmp(x->text, "sql.text"));
}

/* A SQLAlchemy Core statement (t.update().where(...), sa.delete(t), ...). */
static int is_core_statement(const pyx *x)
{
	static const char *const words[] = { "update", "insert", "delete", "select", NULL };
	size_t i;

	if (!x || x->kind != PYX_CALL || !x->text)
		return 0;
	for (i = 0; words[i]; i++) {
		buf b = BUF_INIT;
		int hit;
		buf_printf(&b, ".%s", words[i]);
		hit = strstr(x->text, b.ptr) != NULL || starts_with(x->text, words[i]);
		buf_release(&b);
		if (hit)
			return 1;
	}
	return 0;
}

/* Fill an execute op's SQL from its first argument, or turn it opaque. */
static void recover_sql(extractor *ex, migop *m, const frame *fr)
{
	const pyx *arg = pyx_arg(m->call, 0, "sqltext");
	const pyx *s = arg;
	int at;

	if (!arg)
		arg = s = pyx_arg(m->call, 0, "statement");
	if (is_text_call(arg))
		s = pyx_arg(arg, 0, "text");
	if (s && s->kind == PYX_NAME && (at = strvec_index(&ex->str_names, s->text)) >= 0) {
		if (ex->str_vals[at]) {
			set_sql(m, ex->str_vals[at]);
			return;
		}
		opaque(ex, fr, "dynamic-sql", m->line, m->col, "SQL in '%s' is built at run time", s->text);
		return;
	}
	if (lit(s)) {
		set_sql(m, s);
		return;
	}
	if (s && s->kind == PYX_STR) {
		opaque(ex, fr, "dynamic-sql", m->line, m->col,
		       "SQL built at run time (f-string, %% or .format): its statements cannot be checked");
		return;
	}
	if (is_core_statement(arg)) {
		m->core = mg_strdup(arg->text);
		return;
	}
	opaque(ex, fr, "dynamic-sql", m->line, m->col, "SQL from %s: its statements cannot be checked",
	       !s ? "no argument" : s->kind == PYX_NAME ? "a variable or parameter"
							: "an expression");
}

/* ---- calls --------------------------------------------------------------- */

/* Callees that only build values (SQLAlchemy constructs, logging, builtins). */
static int is_pure_callee(const char *c)
{
	static const char *const prefixes[] = { "sa.", "sqlalchemy.", "postgresql.", "mysql.", "sqlite.", "context.",
						"logger.", "log.", "logging.", "LOG.", "datetime.", "uuid.", "json.",
						"warnings.", "func.", "re.", "os.environ", "op.f", NULL };
	static const char *const names[] = { "print", "len", "range", "str", "int", "float", "dict", "list",
					     "set", "tuple", "isinstance", "sorted", "table", "column", "text",
					     "Column", "Table", "MetaData", "select", "update", "insert", "delete",
					     "and_", "or_", "bool", "repr", "enumerate", "zip", "getattr", NULL };
	static const char *const effects[] = { "create", "drop", "create_all", "drop_all", "execute", "reflect",
					       "commit", "flush", "add", "delete", "merge", NULL };
	const char *dot = strrchr(c, '.');
	size_t i;

	/* A method on a constructed object can act on the database:
	 * sa.Enum(...).create(bind), sa.MetaData().drop_all(bind). */
	if (strstr(c, "().") && dot && in_list(dot + 1, effects))
		return 0;
	for (i = 0; prefixes[i]; i++)
		if (starts_with(c, prefixes[i]))
			return 1;
	return in_list(c, names);
}

/* Rows given as a literal list of dicts (in place, or through a local name). */
static int literal_rows(const extractor *ex, const pyx *rows)
{
	size_t i;

	if (rows && rows->kind == PYX_NAME)
		return strvec_index(&ex->row_names, rows->text) >= 0;
	if (!rows || rows->kind != PYX_LIST)
		return 0;
	for (i = 0; i < rows->n; i++)
		if (rows->items[i]->kind != PYX_DICT)
			return 0;
	return 1;
}

/* Accessors applied to an execute's result: `conn.execute(...).scalar()`. */
static const pyx *unwrap_result(const pyx *call)
{
	static const char *const accessors[] = { "scalar", "scalars", "fetchall", "fetchone", "first", "all", "one",
						 "one_or_none", "scalar_one", "scalar_one_or_none", "mappings",
						 "close", "keys", NULL };
	while (call && call->kind == PYX_CALL && call->recv && call->recv->kind == PYX_CALL &&
	       in_list(pyx_basename(call), accessors))
		call = call->recv;
	return call;
}

static int is_connection(extractor *ex, const char *recv)
{
	static const char *const known[] = { "connection", "conn", "bind", "session", "db.session", "context.bind",
					     "op.get_bind()", "op.get_context().bind", NULL };
	return in_list(recv, known) || strvec_index(&ex->conns, recv) >= 0 || ends_with(recv, "get_bind()");
}

/*
 * A statement-level call: record the operation it is, or an opaque entry
 * when it is a helper whose effect cannot be seen. Takes ownership of
 * `tree` (the statement's expression) when it records an operation.
 * Returns 1 when `tree` was taken.
 */
static int handle_call(extractor *ex, const frame *fr, pyx *tree, const pyx *call)
{
	const char *c;
	char *recv = NULL;
	const char *name = NULL;
	int batch = 0, taken = 0;
	migop *m;

	call = unwrap_result(call);
	c = call->text ? call->text : "";
	if (starts_with(c, "op.") && !strchr(c + 3, '.') && !strchr(c + 3, '(')) {
		name = c + 3;
	} else if (starts_with(c, "alembic.op.") && !strchr(c + 11, '.')) {
		name = c + 11;
	} else if (fr->alias && starts_with(c, fr->alias) && c[strlen(fr->alias)] == '.' &&
		   !strchr(c + strlen(fr->alias) + 1, '.')) {
		name = c + strlen(fr->alias) + 1;
		batch = 1;
	} else if (ends_with(c, ".execute") || ends_with(c, ".exec_driver_sql")) {
		recv = mg_strndup(c, (size_t)(strrchr(c, '.') - c));
		if (is_connection(ex, recv))
			name = "execute";
		else
			opaque(ex, fr, "unknown-execute", call->line, call->col,
			       "'%s' executes something through '%s', which mgate does not know as a connection", c,
			       recv);
	} else if (call->recv && call->recv->kind == PYX_CALL &&
		   (!strcmp(pyx_basename(call->recv), "Enum") || !strcmp(pyx_basename(call->recv), "ENUM")) &&
		   (!strcmp(pyx_basename(call), "create") || !strcmp(pyx_basename(call), "drop"))) {
		/* postgresql.ENUM(..., name="x").create(bind, checkfirst=True): a type, seen */
		name = !strcmp(pyx_basename(call), "create") ? "create_enum" : "drop_enum";
	} else if (!is_pure_callee(c)) {
		opaque(ex, fr, "helper-call", call->line, call->col,
		       "calls '%s()': the operations it runs cannot be seen", c);
	}
	if (!name || in_list(name, not_operations))
		goto cleanup;
	m = op_new(ex, MIGOP_CALL, name, call->line, call->col, fr);
	m->tree = tree;
	m->call = call;
	m->batch = batch;
	if (!batch)
		m->batch_index = -1;
	taken = 1;
	fill_signature(ex, m, fr);
	if (!strcmp(name, "execute")) {
		size_t at = (size_t)(m - ex->out->v);
		recover_sql(ex, m, fr);
		m = &ex->out->v[at]; /* recover_sql may have grown the vector */
	}
	if (!strcmp(name, "bulk_insert")) {
		if (!literal_rows(ex, pyx_arg(m->call, 1, "rows")))
			opaque(ex, fr, "computed-rows", m->line, m->col,
			       "bulk_insert of computed rows: what it writes cannot be seen");
	}
cleanup:
	free(recv);
	return taken;
}

/* ---- statements ---------------------------------------------------------- */

static int is_tok(const pytok *t, pytok_type type)
{
	return t->type == type;
}

static int bracket(const pytok *t)
{
	if (t->type != PYTOK_OP || t->len != 1)
		return 0;
	if (strchr("([{", t->start[0]))
		return 1;
	if (strchr(")]}", t->start[0]))
		return -1;
	return 0;
}

/* Index of the first operator `op` at bracket depth 0 in [a, b), or b. */
static size_t find_top(const extractor *ex, size_t a, size_t b, const char *op)
{
	int depth = 0;
	size_t i;

	for (i = a; i < b; i++) {
		depth += bracket(&ex->t[i]);
		if (depth == 0 && pytok_is_op(&ex->t[i], op))
			return i;
	}
	return b;
}

/* The last top-level assignment '=' in [a, b), or b. Augmented forms count. */
static size_t find_assign(const extractor *ex, size_t a, size_t b, int *augmented)
{
	static const char *const aug[] = { "+=", "-=", "*=", "/=", "//=", "%=", "|=", "&=", "^=", ">>=", "<<=",
					   "**=", "@=", NULL };
	size_t i, at = b;
	int depth = 0, k;

	*augmented = 0;
	for (i = a; i < b; i++) {
		const pytok *t = &ex->t[i];
		depth += bracket(t);
		if (depth || t->type != PYTOK_OP)
			continue;
		if (pytok_is_op(t, "="))
			at = i;
		for (k = 0; aug[k]; k++)
			if (pytok_is_op(t, aug[k])) {
				*augmented = 1;
				return i;
			}
	}
	return at;
}

/* An assignment `target = value`: remember what names are bound to. */
static void bind_assignment(extractor *ex, const pytok *target, size_t ntarget, const pyx *value, int augmented)
{
	char *name;

	if (ntarget != 1 || target->type != PYTOK_NAME)
		return;
	name = mg_strndup(target->start, target->len);
	if (augmented) {
		if (strvec_index(&ex->str_names, name) >= 0)
			bind_str(ex, name, NULL);
	} else if (value && value->kind == PYX_STR) {
		bind_str(ex, name, value);
	} else if (is_text_call(value)) {
		bind_str(ex, name, pyx_arg(value, 0, "text"));
	} else if (value && value->kind == PYX_CALL && value->text &&
		   (ends_with(value->text, "get_bind") || ends_with(value->text, ".connect") ||
		    ends_with(value->text, "get_bind().connect"))) {
		strvec_push(&ex->conns, name);
	} else if (table_ref(ex, value) && value->kind == PYX_CALL) {
		bind_name(&ex->tbl_names, &ex->tbl_vals, name, table_ref(ex, value));
	} else if (strvec_index(&ex->str_names, name) >= 0) {
		bind_str(ex, name, NULL);
	}
	if (!augmented && literal_rows(ex, value) && value->kind == PYX_LIST) {
		if (strvec_index(&ex->row_names, name) < 0)
			strvec_push(&ex->row_names, name);
	} else if (strvec_index(&ex->row_names, name) >= 0) {
		/* rebound to something else: forget it */
		int at = strvec_index(&ex->row_names, name);
		free(ex->row_names.v[at]);
		ex->row_names.v[at] = ex->row_names.v[--ex->row_names.n];
	}
	free(name);
}

static int is_trivial(const extractor *ex, size_t a, size_t b)
{
	const pytok *t = &ex->t[a];

	if (b - a == 1 && (pytok_is_name(t, "pass") || t->type == PYTOK_STRING || pytok_is_op(t, "...")))
		return 1;
	if (t->type == PYTOK_STRING && find_top(ex, a, b, "=") == b)
		return 1; /* a docstring split over implicitly joined literals */
	return pytok_is_name(t, "import") || pytok_is_name(t, "from") || pytok_is_name(t, "global") ||
	       pytok_is_name(t, "nonlocal") || (b - a == 1 && pytok_is_name(t, "return"));
}

static void simple_statement(extractor *ex, const frame *fr, size_t a, size_t b, int top)
{
	pyx *x = NULL;
	mg_error err = MG_ERROR_INIT;
	size_t eq, before;
	int augmented, taken;

	if (a >= b || is_trivial(ex, a, b))
		return;
	if (pytok_is_name(&ex->t[a], "raise")) {
		if (top)
			ex->out->fn[ex->func].raises = 1;
		return;
	}
	ex->out->fn[ex->func].statements++;
	if (pytok_is_name(&ex->t[a], "return") || pytok_is_name(&ex->t[a], "del") ||
	    pytok_is_name(&ex->t[a], "assert"))
		a++;
	eq = find_assign(ex, a, b, &augmented);
	if (eq < b) {
		size_t tend = find_top(ex, a, eq, ":"); /* annotated: `x: str = ...` */
		pyx_parse(&x, &ex->t[eq + 1], b - eq - 1, 0, &err);
		bind_assignment(ex, &ex->t[a], (tend < eq ? tend : eq) - a, x, augmented);
	} else {
		pyx_parse(&x, &ex->t[a], b - a, 0, &err);
	}
	before = ex->out->n;
	taken = x && x->kind == PYX_CALL && handle_call(ex, fr, x, x);
	for (; before < ex->out->n; before++)
		ex->out->v[before].end_line = ex->t[b - 1].end_line;
	if (!taken)
		pyx_free(x);
}

/* Statements of one logical line [a, b), split at top-level ';'. */
static void simple_statements(extractor *ex, const frame *fr, size_t a, size_t b, int top)
{
	while (a < b) {
		size_t semi = find_top(ex, a, b, ";");
		simple_statement(ex, fr, a, semi, top);
		a = semi + 1;
	}
}

static void walk_block(extractor *ex, const frame *fr, int top);

/* A `with` header: batch_alter_table aliases and autocommit blocks. */
static void with_items(extractor *ex, frame *inner, size_t a, size_t b)
{
	mg_error err = MG_ERROR_INIT;

	if (a < b && pytok_is_op(&ex->t[a], "(") && pytok_is_op(&ex->t[b - 1], ")")) {
		a++;
		b--;
	}
	while (a < b) {
		size_t comma = find_top(ex, a, b, ","), as = a, i;
		const pytok *alias = NULL;
		pyx *x = NULL;
		for (i = a; i < comma; i++)
			if (pytok_is_name(&ex->t[i], "as")) {
				as = i;
				if (i + 1 < comma && ex->t[i + 1].type == PYTOK_NAME)
					alias = &ex->t[i + 1];
				break;
			}
		if (as == a)
			as = comma;
		pyx_parse(&x, &ex->t[a], as - a, 0, &err);
		if (x && x->kind == PYX_CALL && x->text &&
		    (!strcmp(x->text, "op.batch_alter_table") || !strcmp(x->text, "alembic.op.batch_alter_table"))) {
			size_t at = ex->out->n;
			const char *name = alias ? mg_strndup(alias->start, alias->len) : NULL;
			handle_call(ex, inner, x, x);
			x = NULL;
			if (name) {
				strvec_push_owned(&ex->aliases, (char *)name);
				inner->alias = name;
				inner->batch_index = (int)at;
			}
		} else if (x && x->kind == PYX_CALL && x->text && ends_with(x->text, "autocommit_block")) {
			inner->autocommit = 1;
		}
		pyx_free(x);
		a = comma + 1;
	}
}

/* The body after a header's colon: the rest of the line, or an indented block. */
static void block_body(extractor *ex, const frame *fr, size_t colon, size_t end, int top)
{
	size_t last = end; /* the line without its trailing comment */

	while (last > colon + 1 && ex->t[last - 1].type == PYTOK_COMMENT)
		last--;
	if (colon + 1 < last) {
		simple_statements(ex, fr, colon + 1, last, top);
		ex->i = end + 1;
		return;
	}
	ex->i = end + 1;
	while (ex->i < ex->n && (is_tok(&ex->t[ex->i], PYTOK_NL) || is_tok(&ex->t[ex->i], PYTOK_COMMENT)))
		ex->i++;
	if (ex->i < ex->n && is_tok(&ex->t[ex->i], PYTOK_INDENT)) {
		ex->i++;
		walk_block(ex, fr, top);
	}
}

/* A compound statement whose header is [a, colon); its body follows. */
static void compound(extractor *ex, const frame *fr, size_t a, size_t colon, size_t end)
{
	frame inner = *fr;
	const pytok *kw = &ex->t[a];

	if (pytok_is_name(kw, "async") && a + 1 < colon)
		kw = &ex->t[++a];
	if (pytok_is_name(kw, "for") || pytok_is_name(kw, "while")) {
		inner.in_loop = 1;
		ex->out->fn[ex->func].statements++;
		opaque(ex, fr, "loop", kw->line, kw->col,
		       "a '%.*s' loop: the operations inside run an unknown number of times, on values known only at "
		       "run time",
		       (int)kw->len, kw->start);
	} else if (pytok_is_name(kw, "with")) {
		with_items(ex, &inner, a + 1, colon);
	} else if (pytok_is_name(kw, "def") || pytok_is_name(kw, "class")) {
		inner.nested = 1;
		opaque(ex, fr, "nested-function", kw->line, kw->col,
		       "a nested '%.*s': what it does depends on where it is called", (int)kw->len, kw->start);
	} else {
		inner.in_cond = 1; /* if / elif / else / try / except / finally / match */
	}
	block_body(ex, &inner, colon, end, 0);
}

static int is_compound_kw(const pytok *t)
{
	static const char *const kws[] = { "if", "elif", "else", "for", "while", "with", "try", "except", "finally",
					   "def", "class", "async", NULL };
	size_t i;

	for (i = 0; kws[i]; i++)
		if (pytok_is_name(t, kws[i]))
			return 1;
	return 0;
}

/* `match x:` is a statement only when a colon ends the line. */
static int is_match_stmt(const extractor *ex, size_t a, size_t end)
{
	return pytok_is_name(&ex->t[a], "match") && end > a + 1 && pytok_is_op(&ex->t[end - 1], ":") &&
	       !pytok_is_op(&ex->t[a + 1], "=") && !pytok_is_op(&ex->t[a + 1], ".") && !pytok_is_op(&ex->t[a + 1], "(");
}

/* Statements until the DEDENT that closes this block (consumed) or the end. */
static void walk_block(extractor *ex, const frame *fr, int top)
{
	while (ex->i < ex->n) {
		const pytok *t = &ex->t[ex->i];
		size_t end, last, colon;
		if (t->type == PYTOK_DEDENT) {
			ex->i++;
			return;
		}
		if (t->type == PYTOK_ENDMARKER || t->type == PYTOK_ERROR)
			return;
		if (t->type != PYTOK_NAME && t->type != PYTOK_OP && t->type != PYTOK_STRING &&
		    t->type != PYTOK_NUMBER) {
			ex->i++;
			continue;
		}
		end = ex->i;
		while (end < ex->n && ex->t[end].type != PYTOK_NEWLINE && ex->t[end].type != PYTOK_ENDMARKER &&
		       ex->t[end].type != PYTOK_ERROR)
			end++;
		if (pytok_is_op(t, "@")) { /* a decorator line */
			ex->i = end + 1;
			continue;
		}
		last = end;
		while (last > ex->i && ex->t[last - 1].type == PYTOK_COMMENT)
			last--;
		if (is_compound_kw(t) || is_match_stmt(ex, ex->i, last)) {
			colon = find_top(ex, ex->i, last, ":");
			if (colon < last) {
				compound(ex, fr, ex->i, colon, end);
				continue;
			}
		}
		simple_statements(ex, fr, ex->i, last, top);
		ex->i = end + 1;
	}
}

/* Index of the module-level `def` token on `line`, or n. */
static size_t find_def(const extractor *ex, int line)
{
	size_t i;

	for (i = 0; i < ex->n; i++)
		if (ex->t[i].line == line && pytok_is_name(&ex->t[i], "def"))
			return i;
	return ex->n;
}

static void extract_function(extractor *ex, migop_func func, const pyscan_span *span)
{
	frame fr = { NULL, -1, 0, 0, 0, 0 };
	size_t def, colon, end;
	int depth = 0;

	ex->func = func;
	ex->out->fn[func].present = span->line > 0;
	ex->out->fn[func].line = span->line;
	if (span->line <= 0 || (def = find_def(ex, span->line)) >= ex->n)
		return;
	/* The header's colon: the first at depth 0 after the parameters. */
	for (colon = def; colon < ex->n; colon++) {
		depth += bracket(&ex->t[colon]);
		if (depth == 0 && pytok_is_op(&ex->t[colon], ":"))
			break;
		if (ex->t[colon].type == PYTOK_NEWLINE || ex->t[colon].type == PYTOK_ENDMARKER)
			return;
	}
	for (end = colon; end < ex->n && ex->t[end].type != PYTOK_NEWLINE && ex->t[end].type != PYTOK_ENDMARKER;
	     end++)
		;
	block_body(ex, &fr, colon, end, 1);
}

int ops_extract_tokens(migops *out, const pytok *toks, size_t n, const pyscan_span *up,
		       const pyscan_span *down, mg_error *err)
{
	extractor ex;
	size_t k;

	(void)err;
	memset(out, 0, sizeof(*out));
	memset(&ex, 0, sizeof(ex));
	ex.out = out;
	ex.t = toks;
	ex.n = n;
	extract_function(&ex, MIGOP_UPGRADE, up);
	extract_function(&ex, MIGOP_DOWNGRADE, down);
	strvec_release(&ex.conns);
	for (k = 0; k < ex.nstr_vals; k++)
		pyx_free(ex.str_vals[k]);
	free(ex.str_vals);
	strvec_release(&ex.str_names);
	strvec_release(&ex.tbl_names);
	strvec_release(&ex.tbl_vals);
	strvec_release(&ex.aliases);
	strvec_release(&ex.row_names);
	return MG_OK;
}

size_t ops_tokenize(pytok **toks, size_t *alloc, const char *src, size_t len)
{
	pytok_state st;
	size_t n = 0;

	pytok_init(&st, src, len);
	for (;;) {
		int rc;
		if (n == *alloc) {
			*alloc = *alloc ? *alloc * 2 : 256;
			*toks = mg_realloc(*toks, *alloc * sizeof(**toks));
		}
		rc = pytok_next(&st, &(*toks)[n]);
		if (rc < 0 || (*toks)[n++].type == PYTOK_ENDMARKER)
			break;
	}
	return n;
}

int ops_extract(migops *out, const char *src, size_t len, const pyscan_span *up, const pyscan_span *down,
		mg_error *err)
{
	pytok *toks = NULL;
	size_t alloc = 0, n = ops_tokenize(&toks, &alloc, src, len);
	int rc = ops_extract_tokens(out, toks, n, up, down, err);

	free(toks);
	return rc;
}

void migops_release(migops *ops)
{
	size_t i;

	if (!ops)
		return;
	for (i = 0; i < ops->n; i++) {
		migop *m = &ops->v[i];
		free(m->name);
		free(m->why);
		free(m->table);
		free(m->schema);
		strvec_release(&m->columns);
		free(m->object);
		pyx_free(m->tree);
		free(m->sql);
		free(m->sql_pieces);
		free(m->core);
	}
	free(ops->v);
	memset(ops, 0, sizeof(*ops));
}
