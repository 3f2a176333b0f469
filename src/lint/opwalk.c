/*
 * opwalk.c: walk the statements of `upgrade()` and `downgrade()` and
 * record each Alembic operation, or what could not be seen (what lint/ops.h
 * declares).
 *
 * The walk follows Python's block structure from the tokenizer's
 * INDENT/DEDENT tokens. A frame per block carries what the enclosing
 * constructs mean for the operations inside: a batch alias, a loop, a
 * condition, an autocommit block, a branch that does not run.
 *
 * A scope per function body binds names to what they hold when that is
 * known (a literal, a list of them, a `sa.table(...)`, a dialect test);
 * expressions are parsed with those names resolved (pyx_parse_with).
 * Same-file functions are walked where they are called, in a scope of
 * their own; a budget of statements bounds unrolled loops and helpers.
 */
#include "lint/opwalk.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/banned.h"

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
	m->in_cond = fr->in_cond;
	m->autocommit = fr->autocommit;
	if (ex->via) {
		m->via = mg_strdup(ex->via);
		m->call_line = ex->call_line;
	}
	return m;
}

static void opaque(extractor *ex, const frame *fr, const char *code, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static void opaque(extractor *ex, const frame *fr, const char *code, int line, int col, const char *fmt, ...)
{
	buf why = BUF_INIT;
	va_list ap;
	migop *m;

	if (fr->dead)
		return;
	va_start(ap, fmt);
	buf_vprintf(&why, fmt, ap);
	va_end(ap);
	m = op_new(ex, MIGOP_OPAQUE, code, line, col, fr);
	m->why = buf_detach(&why);
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


/* A table name: a literal, or an f-string whose fields are not known
 * (`f"{prefix}users"`), whose template still tells one table from another. */
static const char *table_lit(const pyx *x)
{
	const char *brace;

	if (lit(x))
		return x->text;
	if (x && x->kind == PYX_STR && x->text && (brace = strchr(x->text, '{')) != NULL &&
	    (brace[1] == '_' || (brace[1] >= 'a' && brace[1] <= 'z') || (brace[1] >= 'A' && brace[1] <= 'Z')))
		return x->text;
	return NULL;
}

/* The table a value names: a literal, or sa.table("x") / sa.Table("x", ...)
 * (names bound to those were resolved while parsing). */
static const char *table_ref(const pyx *x)
{
	if (!x)
		return NULL;
	if (lit(x))
		return x->text;
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
			t = !strcmp(m->name, "bulk_insert") ? table_ref(pyx_arg(c, s->tbl, s->tbl_kw))
							    : table_lit(pyx_arg(c, s->tbl, s->tbl_kw));
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


/* Alembic's own operations (and alembic_utils' entity operations). Any
 * other `op.<name>` is a plugin's operation, whose SQL is not known. */
static const char *const known_operations[] = {
	"create_table", "drop_table", "rename_table", "add_column", "drop_column", "alter_column", "create_index",
	"drop_index", "create_foreign_key", "create_unique_constraint", "create_primary_key", "create_check_constraint",
	"create_exclude_constraint", "drop_constraint", "create_table_comment", "drop_table_comment", "bulk_insert",
	"batch_alter_table", "execute", "create_entity", "replace_entity", "drop_entity", "create_enum", "drop_enum",
	"create_sequence", "drop_sequence", NULL
};

/* `op.<name>` helpers that are not operations on the database. */
static const char *const not_operations[] = { "f", "inline_literal", "get_bind", "get_context", "implementation_for",
					      "register_operation", "invoke", "run_async", NULL };

/* ---- execute and its SQL ------------------------------------------------- */

static int is_text_call(const pyx *x)
{
	return x && x->kind == PYX_CALL &&
	       (!strcmp(x->text, "text") || !strcmp(x->text, "sa.text") || !strcmp(x->text, "sqlalchemy.text") ||
		!strcmp(x->text, "sa.sql.text") || !strcmp(x->text, "sqlalchemy.sql.text") ||
		!strcmp(x->text, "sql.text") || !strcmp(x->text, "DDL") || !strcmp(x->text, "sa.DDL") ||
		!strcmp(x->text, "sqlalchemy.DDL") || !strcmp(x->text, "sa.schema.DDL") ||
		!strcmp(x->text, "sqlalchemy.schema.DDL"));
}

/* `sa.text(...).bindparams(...)`, `.execution_options(...)`, `.columns(...)`:
 * the statement they decorate. */
static const pyx *unwrap_statement(const pyx *x)
{
	static const char *const wrappers[] = { "bindparams", "execution_options", "columns", "params", NULL };

	for (;;) {
		if (x && x->kind == PYX_CALL && x->recv && x->recv->kind == PYX_CALL && ops__in_list(pyx_basename(x), wrappers))
			x = x->recv;
		else if (x && x->kind == PYX_CALL && !strcmp(pyx_basename(x), "dedent") && x->n == 1 && !x->keys[0])
			x = x->items[0]; /* textwrap.dedent("..."): whitespace means nothing to SQL */
		else if (x && x->kind == PYX_CALL && x->recv && x->recv->kind == PYX_STR &&
			 (!strcmp(pyx_basename(x), "strip") || !strcmp(pyx_basename(x), "lstrip") ||
			  !strcmp(pyx_basename(x), "rstrip")))
			x = x->recv;
		else
			return x;
	}
}

/* The verb of a SQLAlchemy Core statement, from its chain: `t.delete()`,
 * `sa.update(t).where(...)`, `t.insert().values(...)`; NULL otherwise. */
static const char *core_verb(const pyx *x)
{
	static const char *const words[] = { "update", "insert", "delete", "select", NULL };
	size_t i;

	if (!x || x->kind != PYX_CALL || !x->text)
		return NULL;
	for (i = 0; words[i]; i++) {
		buf b = BUF_INIT;
		int hit;
		buf_printf(&b, ".%s(", words[i]);
		hit = strstr(x->text, b.ptr) != NULL || starts_with(x->text, words[i]);
		buf_truncate(&b, 0);
		buf_printf(&b, ".%s", words[i]);
		hit = hit || ends_with(x->text, b.ptr);
		buf_release(&b);
		if (hit)
			return words[i];
	}
	return NULL;
}

/* The innermost call of a chain: `t.update().where(...).values(...)` -> the
 * node whose text ends at "update". */
static const pyx *chain_root(const pyx *x)
{
	while (x && x->kind == PYX_CALL && x->recv && x->recv->kind == PYX_CALL)
		x = x->recv;
	return x;
}

/* The table of a Core statement: the receiver bound to sa.table("x") (or
 * built in place), or the first argument of sa.delete(t) / sa.update(t). */
static const char *core_table(const extractor *ex, const pyx *x, const char *verb)
{
	const pyx *root = chain_root(x), *v;
	const char *dot;
	char *first;

	if (!root)
		return NULL;
	if (root->recv)
		return table_ref(root->recv);
	if (!strcmp(pyx_basename(root), verb) && (!strchr(root->text, '.') || starts_with(root->text, "sa.") ||
						  starts_with(root->text, "sqlalchemy.")))
		return table_ref(pyx_arg(root, 0, "table"));
	if (!(dot = strchr(root->text, '.')))
		return NULL;
	first = mg_strndup(root->text, (size_t)(dot - root->text));
	v = ops__lookup(ex, first);
	free(first);
	return table_ref(v);
}

/* A Core statement restricted by a WHERE: `.where(...)`, `.filter(...)`,
 * or a whereclause argument to `t.delete(...)` / `sa.delete(t, ...)`. */
static int core_has_where(const pyx *x, const char *verb)
{
	const pyx *c;

	for (c = x; c && c->kind == PYX_CALL; c = c->recv) {
		const char *b = pyx_basename(c);
		if (!strcmp(b, "where") || !strcmp(b, "filter") || !strcmp(b, "filter_by"))
			return 1;
		if (!strcmp(b, verb)) {
			int first_is_table = !c->recv && (!strchr(c->text, '.') || starts_with(c->text, "sa.") ||
							  starts_with(c->text, "sqlalchemy."));
			if (pyx_arg(c, first_is_table ? 1 : 0, "whereclause"))
				return 1;
		}
		if (!c->recv && strstr(c->text, ".where(")) /* a dotted chain kept as text */
			return 1;
	}
	return strstr(x->text, ".where()") != NULL || strstr(x->text, ".filter()") != NULL;
}

/* Fill an execute op's SQL from its first argument, or turn it opaque. */
static void recover_sql(extractor *ex, migop *m, const frame *fr, const pyx *arg)
{
	const pyx *s;
	const char *verb;

	arg = unwrap_statement(arg);
	s = is_text_call(arg) ? unwrap_statement(pyx_arg(arg, 0, "text")) : arg;
	if (lit(s)) {
		set_sql(m, s);
		return;
	}
	if (s && s->kind == PYX_STR) {
		opaque(ex, fr, "dynamic-sql", m->line, m->col,
		       "SQL built at run time from values mgate cannot know (an f-string, %% or .format over "
		       "computed names): its statements cannot be checked");
		return;
	}
	if ((verb = core_verb(arg)) != NULL) {
		const char *t = core_table(ex, arg, verb);
		const pyx *c;
		m->core = mg_strdup(arg->text);
		m->core_where = core_has_where(arg, verb);
		for (c = arg; c && c->kind == PYX_CALL; c = c->recv) /* .values(col=...): the columns set */
			if (!strcmp(pyx_basename(c), "values")) {
				size_t k;
				for (k = 0; k < c->n; k++)
					if (c->keys[k] && strcmp(c->keys[k], "*") && strcmp(c->keys[k], "**"))
						strvec_push(&m->columns, c->keys[k]);
			}
		if (t && !m->table)
			m->table = mg_strdup(t);
		return;
	}
	opaque(ex, fr, "dynamic-sql", m->line, m->col, "SQL from %s: its statements cannot be checked",
	       !s ? "no argument" : s->kind == PYX_NAME ? "a variable or parameter whose value is computed at run time"
							: "an expression");
}

/* ---- calls --------------------------------------------------------------- */

/* Rows given as a literal list of dicts (names bound to one were resolved). */
static int literal_rows(const pyx *rows)
{
	size_t i;

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
	       ops__in_list(pyx_basename(call), accessors))
		call = call->recv;
	return call;
}

static int is_connection(const extractor *ex, const char *recv)
{
	static const char *const known[] = { "connection", "conn", "bind", "session", "db.session", "context.bind",
					     "op.get_bind()", "op.get_context().bind", "connectable", "engine",
					     "db_session", "sess", NULL };
	return ops__in_list(recv, known) || (ex->sc && strvec_index(&ex->sc->conns, recv) >= 0) ||
	       ends_with(recv, "get_bind()") || ends_with(recv, "get_context().bind") ||
	       ends_with(recv, "get_bind().connect()");
}

static void walk_function(extractor *ex, const frame *fr, const fdef *fn, const pyx *call);

/* `globals()["upgrade_%s" % engine_name]()` (Alembic's multidb template):
 * every module function whose name starts with the literal prefix. */
static int multidb_dispatch(extractor *ex, const frame *fr, const pyx *call)
{
	const pyx *get = call->recv;
	const pyx *key;
	char *prefix;
	size_t i, n = 0;

	if (strcmp(call->text ? call->text : "", "globals().get()") || !get || get->kind != PYX_CALL)
		return 0;
	key = pyx_arg(get, 0, NULL);
	if (!key || key->kind != PYX_STR || !key->text)
		return 0;
	prefix = mg_strndup(key->text, strcspn(key->text, "%{"));
	for (i = 0; *prefix && i < ex->fns.n; i++)
		if (starts_with(ex->fns.v[i].name, prefix)) {
			walk_function(ex, fr, &ex->fns.v[i], NULL);
			n++;
		}
	free(prefix);
	return n > 0;
}

/* `kind.create(bind)` / `kind.drop(bind)` where `kind` holds an Enum type:
 * "create_enum" / "drop_enum"; NULL otherwise. */
static const char *enum_method(const extractor *ex, const pyx *call)
{
	const char *c = call->text ? call->text : "", *dot = strrchr(c, '.');
	const pyx *v;
	char *name;

	if (!dot || (strcmp(dot + 1, "create") && strcmp(dot + 1, "drop")) || strchr(c, '(') || dot != strchr(c, '.'))
		return NULL;
	name = mg_strndup(c, (size_t)(dot - c));
	v = ops__lookup(ex, name);
	free(name);
	if (!v || v->kind != PYX_CALL || (strcmp(pyx_basename(v), "Enum") && strcmp(pyx_basename(v), "ENUM")))
		return NULL;
	return dot[1] == 'c' ? "create_enum" : "drop_enum";
}

/* Modules whose functions never run SQL: the standard library and common
 * helpers a data migration uses for parsing, formatting and progress. */
static int harmless_module(const char *mod)
{
	static const char *const mods[] = { "sqlalchemy", "alembic", "datetime", "uuid", "json", "re", "os", "sys",
					    "time", "hashlib", "itertools", "functools", "collections", "string",
					    "random", "textwrap", "decimal", "enum", "typing", "dataclasses", "copy",
					    "pathlib", "io", "csv", "urllib", "html", "base64", "secrets", "math",
					    "logging", "warnings", "pytz", "dateutil", "progressbar", "tqdm", "markdown",
					    "bleach", "yaml", "zoneinfo", "operator", "contextlib", "struct", "binascii",
					    "unicodedata", "ipaddress", "socket", "shlex", "fnmatch", "glob", "pprint",
					    "inspect", "traceback", "packaging", "semver", "slugify", "babel", NULL };
	size_t i;

	for (i = 0; mods[i]; i++) {
		size_t n = strlen(mods[i]);
		if (!strncmp(mod, mods[i], n) && (mod[n] == 0 || mod[n] == '.'))
			return 1;
	}
	return 0;
}

/* A method called on a local value that is not a connection: `row.get()`,
 * `writer.writerow()`, `progress.update()`. Data handling, unless the
 * method is one that writes through an ORM session or runs SQL. */
static int local_method(const extractor *ex, const char *c)
{
	static const char *const effects[] = { "execute", "exec_driver_sql", "add", "add_all", "delete", "merge",
					       "bulk_save_objects", "bulk_insert_mappings", "bulk_update_mappings",
					       "create", "drop", "create_all", "drop_all", "scalar", "scalars", NULL };
	size_t root = strcspn(c, ".(");
	const char *dot = strrchr(c, '.');
	char *name;
	int local;

	if (!dot || c[root] != '.' || !ex->sc || ops__in_list(dot + 1, effects))
		return 0;
	name = mg_strndup(c, root);
	local = strvec_index(&ex->sc->names, name) >= 0 && strvec_index(&ex->sc->conns, name) < 0 &&
		!is_connection(ex, name);
	free(name);
	return local;
}

/* `session.add(obj)`, `session.delete(obj)`, `db.session.merge(obj)`:
 * an ORM write through a session. */
static int orm_write(const extractor *ex, const char *c)
{
	static const char *const writes[] = { "add", "add_all", "delete", "merge", "bulk_save_objects",
					      "bulk_insert_mappings", "bulk_update_mappings", NULL };
	const char *dot = strrchr(c, '.');
	char *recv;
	int yes;

	if (!dot || !ops__in_list(dot + 1, writes))
		return 0;
	recv = mg_strndup(c, (size_t)(dot - c));
	yes = is_connection(ex, recv) && !strchr(recv, '(');
	free(recv);
	return yes;
}

/* `session.query(...)...`: a query through an ORM session. */
static int session_query(const extractor *ex, const char *c)
{
	const char *q = strstr(c, ".query(");
	char *recv;
	int yes;

	if (!q)
		return 0;
	recv = mg_strndup(c, (size_t)(q - c));
	yes = is_connection(ex, recv);
	free(recv);
	return yes;
}

/* A function whose name says it reads (`load_table`, `get_config`,
 * `find_user`): called for its value, it is taken to change nothing. */
static int reader_name(const char *c)
{
	static const char *const prefixes[] = { "get_", "load_", "read_", "fetch_", "find_", "lookup_", "is_", "has_",
						"reflect", "inspect", NULL };
	const char *b = strrchr(c, '.');
	size_t i;

	b = b ? b + 1 : c;
	for (i = 0; prefixes[i]; i++)
		if (starts_with(b, prefixes[i]))
			return 1;
	return 0;
}

/* A call to something imported: the module it comes from, or NULL. */
static const char *imported_from(const extractor *ex, const char *callee)
{
	size_t len = strcspn(callee, ".(");
	size_t i;

	for (i = 0; i < ex->imp_names.n; i++)
		if (strlen(ex->imp_names.v[i]) == len && !strncmp(ex->imp_names.v[i], callee, len))
			return ex->imp_from.v[i];
	return NULL;
}

/* The operation a call is: "op.drop_column" -> "drop_column" (also through
 * `alembic.op.` and names imported from alembic.op), batch alias methods,
 * executes on a connection; NULL otherwise. */
static const char *operation_name(extractor *ex, const frame *fr, const char *c, int *batch)
{
	*batch = 0;
	if (starts_with(c, "op.") && !strchr(c + 3, '.') && !strchr(c + 3, '('))
		return c + 3;
	if (starts_with(c, "alembic.op.") && !strchr(c + 11, '.'))
		return c + 11;
	if (strvec_index(&ex->op_names, c) >= 0)
		return c;
	if (fr->alias && starts_with(c, fr->alias) && c[strlen(fr->alias)] == '.' &&
	    !strchr(c + strlen(fr->alias) + 1, '.')) {
		*batch = 1;
		return c + strlen(fr->alias) + 1;
	}
	return NULL;
}

/*
 * A statement-level call: record the operation it is, walk the same-file
 * function it calls, or record an opaque entry when its effect cannot be
 * seen. Takes ownership of `tree` (the statement's expression) when it
 * records an operation. Returns 1 when `tree` was taken.
 */
static int handle_call(extractor *ex, const frame *fr, pyx *tree, const pyx *call, int assigned)
{
	const char *c, *from;
	char *recv = NULL;
	const char *name = NULL;
	const fdef *fn;
	int batch = 0, taken = 0;
	migop *m;

	call = unwrap_result(call);
	c = call->text ? call->text : "";
	if (fr->dead)
		return 0;
	if ((name = operation_name(ex, fr, c, &batch)) != NULL) {
		/* an Alembic operation */
	} else if (!strchr(c, '.') && (fn = ops__find_function(ex, c)) != NULL) {
		walk_function(ex, fr, fn, call);
		ex->helper_stmt = 1;
	} else if (multidb_dispatch(ex, fr, call)) {
		ex->helper_stmt = 1;
	} else if (ends_with(c, ".execute") || ends_with(c, ".exec_driver_sql") || ends_with(c, ".scalar") ||
		   ends_with(c, ".scalars")) {
		recv = mg_strndup(c, (size_t)(strrchr(c, '.') - c));
		if (is_connection(ex, recv))
			name = "execute";
		else if (!ops__pure_callee(c))
			opaque(ex, fr, "unknown-execute", call->line, call->col,
			       "'%s' executes something through '%s', which mgate does not know as a connection", c,
			       recv);
	} else if (call->recv && call->recv->kind == PYX_CALL &&
		   (!strcmp(pyx_basename(call->recv), "Enum") || !strcmp(pyx_basename(call->recv), "ENUM")) &&
		   (!strcmp(pyx_basename(call), "create") || !strcmp(pyx_basename(call), "drop"))) {
		/* postgresql.ENUM(..., name="x").create(bind, checkfirst=True): a type, seen */
		name = !strcmp(pyx_basename(call), "create") ? "create_enum" : "drop_enum";
	} else if ((name = enum_method(ex, call)) != NULL) {
		/* a name bound to an Enum type, created or dropped */
	} else if (session_query(ex, c) && (ends_with(c, ".delete") || ends_with(c, ".update"))) {
		name = "orm_write"; /* session.query(Model).filter(...).delete(): rows written through the ORM */
	} else if (session_query(ex, c)) {
		/* session.query(Model).filter(...).first(): a read */
	} else if (orm_write(ex, c)) {
		name = "orm_write"; /* session.add(obj), session.delete(obj): rows written through the ORM */
	} else if (local_method(ex, c) || ((from = imported_from(ex, c)) != NULL && harmless_module(from)) ||
		   (assigned && reader_name(c))) {
		/* data handling in Python */
	} else if ((from = imported_from(ex, c)) != NULL && !ops__pure_callee(c)) {
		opaque(ex, fr, "imported-helper", call->line, call->col,
		       "calls '%s()', imported from '%s': the operations it runs are not in this file", c, from);
	} else if (!ops__pure_callee(c)) {
		opaque(ex, fr, "helper-call", call->line, call->col,
		       "calls '%s()', which is not defined in this file: the operations it runs cannot be seen", c);
	}
	if (!name || ops__in_list(name, not_operations))
		goto cleanup;
	if (!batch && !ops__in_list(name, known_operations) && strcmp(name, "orm_write")) {
		opaque(ex, fr, "plugin-operation", call->line, call->col,
		       "op.%s() is not one of Alembic's operations but a plugin's: the SQL it runs cannot be seen", name);
		goto cleanup;
	}
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
		const pyx *arg = pyx_arg(call, 0, "sqltext");
		if (!arg)
			arg = pyx_arg(call, 0, "statement");
		if (!arg)
			arg = pyx_arg(call, 0, "sql");
		recover_sql(ex, m, fr, arg);
		m = &ex->out->v[at]; /* recover_sql may have grown the vector */
	}
	if (!strcmp(name, "bulk_insert") && !literal_rows(pyx_arg(m->call, 1, "rows")))
		opaque(ex, fr, "computed-rows", m->line, m->col,
		       "bulk_insert of rows computed at run time: what it writes cannot be seen");
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

/* Index of the first token of `type` spelled `text` at bracket depth 0
 * in [a, b), or b. */
static size_t find_top_tok(const extractor *ex, size_t a, size_t b, pytok_type type, const char *text)
{
	int depth = 0;
	size_t i;

	for (i = a; i < b; i++) {
		depth += bracket(&ex->t[i]);
		if (depth == 0 && ex->t[i].type == type && pytok_text_is(&ex->t[i], text))
			return i;
	}
	return b;
}

/* Index of the first operator `op` at bracket depth 0 in [a, b), or b. */
static size_t find_top(const extractor *ex, size_t a, size_t b, const char *op)
{
	return find_top_tok(ex, a, b, PYTOK_OP, op);
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

/* An assignment `targets = value` (or `target += value`): remember what
 * the names now hold. */
static void bind_assignment(extractor *ex, size_t a, size_t b, const pyx *value, int augmented)
{
	strvec names = STRVEC_INIT;

	if (!ops__target_names(ex, a, b, &names)) {
		strvec_release(&names);
		return;
	}
	if (augmented && names.n == 1) {
		const pyx *old = ops__lookup(ex, names.v[0]);
		pyx *sum = NULL;
		if (lit(old) && lit(value) && pytok_is_op(&ex->t[b], "+=")) {
			buf t = BUF_INIT;
			sum = pyx_clone(old);
			buf_printf(&t, "%s%s", old->text, value->text);
			free(sum->text);
			sum->text = buf_detach(&t);
		} else if (old && (old->kind == PYX_LIST) && value && value->kind == PYX_LIST &&
			   pytok_is_op(&ex->t[b], "+=")) {
			size_t k;
			sum = pyx_clone(old);
			for (k = 0; k < value->n; k++) {
				sum->items = mg_realloc(sum->items, (sum->n + 1) * sizeof(*sum->items));
				sum->items[sum->n++] = pyx_clone(value->items[k]);
			}
			sum->alloc = sum->n;
		}
		ops__bind_value(ex, names.v[0], sum);
		pyx_free(sum);
	} else {
		ops__bind_targets(ex, &names, value);
	}
	strvec_release(&names);
}

/* `rows.append(x)` / `rows.extend([...])` on a local list with a known
 * value: the list grows; otherwise it is no longer known. Returns 1 when
 * the call was one of these. */
static int list_method(extractor *ex, const pyx *call)
{
	const char *c = call->text ? call->text : "", *dot = strrchr(c, '.');
	char *name;
	const pyx *old, *arg = pyx_arg(call, 0, NULL);
	pyx *grown = NULL;

	if (!dot || strchr(c, '(') || (strcmp(dot + 1, "append") && strcmp(dot + 1, "extend")))
		return 0;
	name = mg_strndup(c, (size_t)(dot - c));
	old = ops__lookup(ex, name);
	if (strchr(name, '.') || !old || old->kind != PYX_LIST) {
		int local = ex->sc && strvec_index(&ex->sc->names, name) >= 0;
		free(name);
		return local; /* a local bound to something unknown: growing it changes nothing seen */
	}
	if (arg && (dot[1] == 'a' || arg->kind == PYX_LIST || arg->kind == PYX_TUPLE)) {
		size_t k, add = dot[1] == 'a' ? 1 : arg->n;
		grown = pyx_clone(old);
		grown->items = mg_realloc(grown->items, (grown->n + add) * sizeof(*grown->items));
		for (k = 0; k < add; k++)
			grown->items[grown->n++] = pyx_clone(dot[1] == 'a' ? arg : arg->items[k]);
		grown->alloc = grown->n;
	}
	if (grown && pyx_size(grown, OPS_MAX_VALUE) >= OPS_MAX_VALUE) {
		pyx_free(grown); /* too large to follow: no longer known */
		grown = NULL;
	}
	ops__scope_bind(ex->sc, name, grown);
	free(name);
	return 1;
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

static int is_compound_line(const extractor *ex, size_t a)
{
	return is_compound_kw(&ex->t[a]);
}

static int is_trivial(const extractor *ex, size_t a, size_t b)
{
	const pytok *t = &ex->t[a];

	if (b - a == 1 && (pytok_is_name(t, "pass") || t->type == PYTOK_STRING || pytok_is_op(t, "...") ||
			   pytok_is_name(t, "break") || pytok_is_name(t, "continue")))
		return 1;
	if (t->type == PYTOK_STRING && find_top(ex, a, b, "=") == b)
		return 1; /* a docstring split over implicitly joined literals */
	return pytok_is_name(t, "import") || pytok_is_name(t, "from") || pytok_is_name(t, "global") ||
	       pytok_is_name(t, "nonlocal") || (b - a == 1 && pytok_is_name(t, "return"));
}

static void simple_statement(extractor *ex, const frame *fr, size_t a, size_t b, int top)
{
	pyx *x = NULL;
	size_t eq, before;
	int augmented, taken;

	if (a >= b || fr->dead)
		return;
	if (b - a == 1 && pytok_is_name(&ex->t[a], "return") && !fr->in_cond && !fr->in_loop)
		ex->returned = 1;
	if (is_trivial(ex, a, b))
		return;
	if (pytok_is_name(&ex->t[a], "raise")) {
		if (top)
			ex->out->fn[ex->func].raises = 1;
		if (!fr->in_cond && !fr->in_loop)
			ex->returned = 1;
		return;
	}
	if (pytok_is_name(&ex->t[a], "return") && !fr->in_cond && !fr->in_loop)
		ex->returned = 1; /* what follows does not run (its value may still be a call) */
	ex->out->fn[ex->func].statements++;
	ex->helper_stmt = 0;
	if (pytok_is_name(&ex->t[a], "return") || pytok_is_name(&ex->t[a], "del") ||
	    pytok_is_name(&ex->t[a], "assert"))
		a++;
	eq = find_assign(ex, a, b, &augmented);
	if (eq < b) {
		size_t tend = find_top(ex, a, eq, ":"); /* annotated: `x: str = ...` */
		x = ops__parse_range(ex, eq + 1, b);
		bind_assignment(ex, a, tend < eq ? tend : eq, x, augmented);
	} else {
		x = ops__parse_range(ex, a, b);
	}
	before = ex->out->n;
	taken = x && x->kind == PYX_CALL && !list_method(ex, x) && handle_call(ex, fr, x, x, eq < b);
	if (ex->helper_stmt) {
		/* the call itself does nothing; its body's statements counted */
		ex->out->fn[ex->func].statements--;
		ex->helper_stmt = 0;
	}
	for (; before < ex->out->n; before++) {
		migop *m = &ex->out->v[before];
		if (m->line >= ex->t[a].line && m->line <= ex->t[b - 1].end_line)
			m->end_line = ex->t[b - 1].end_line; /* not those inside a function it called */
	}
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
		x = ops__parse_range(ex, a, as);
		if (x && x->kind == PYX_CALL && x->text &&
		    (!strcmp(x->text, "op.batch_alter_table") || !strcmp(x->text, "alembic.op.batch_alter_table") ||
		     (strvec_index(&ex->op_names, "batch_alter_table") >= 0 && !strcmp(x->text, "batch_alter_table")))) {
			size_t at = ex->out->n;
			char *name = alias ? mg_strndup(alias->start, alias->len) : NULL;
			int took = handle_call(ex, inner, x, x, 0);
			if (took)
				x = NULL;
			if (name && took) {
				strvec_push_owned(&ex->sc->aliases, name);
				inner->alias = name;
				inner->batch_index = (int)at;
			} else {
				free(name);
			}
		} else if (x && x->kind == PYX_CALL && x->text && ends_with(x->text, "autocommit_block")) {
			inner->autocommit = 1;
		} else if (x && alias) {
			char *name = mg_strndup(alias->start, alias->len);
			ops__bind_value(ex, name, x); /* `with op.get_bind().connect() as conn:` */
			free(name);
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

/* SQL that only reads or changes rows: it starts with SELECT, WITH,
 * INSERT, UPDATE or DELETE (after blanks and comments). */
static int dml_sql(const char *sql)
{
	static const char *const verbs[] = { "select", "with", "insert", "update", "delete", NULL };
	size_t i;

	for (;;) {
		while (*sql == ' ' || *sql == '\t' || *sql == '\n' || *sql == '\r' || *sql == '(')
			sql++;
		if (sql[0] == '-' && sql[1] == '-')
			sql += strcspn(sql, "\n");
		else if (sql[0] == '/' && sql[1] == '*' && strstr(sql, "*/"))
			sql = strstr(sql, "*/") + 2;
		else
			break;
	}
	for (i = 0; verbs[i]; i++)
		if (!strncasecmp(sql, verbs[i], strlen(verbs[i])))
			return 1;
	return 0;
}

/* The operations recorded from `before` on (a loop's body) only change
 * rows, each saying where: SQL that is DML, Core statements on a named
 * table, ORM writes, literal bulk inserts; nothing opaque. Such a loop
 * over query rows changes data row by row, and that is seen; a loop that
 * changes the schema per row is not. */
static int body_visible(const extractor *ex, size_t before)
{
	size_t i;

	for (i = before; i < ex->out->n; i++) {
		const migop *m = &ex->out->v[i];
		if (m->kind == MIGOP_OPAQUE)
			return 0;
		if (m->kind != MIGOP_CALL)
			continue;
		if (!strcmp(m->name, "execute") && ((m->sql && dml_sql(m->sql)) || (m->core && m->table)))
			continue;
		if (!strcmp(m->name, "orm_write") || (!strcmp(m->name, "bulk_insert") && m->table))
			continue;
		return 0;
	}
	return 1;
}

/* `for targets in iterable:` over [a, colon): unrolled over a sequence
 * known before run time, else one pass marked as a loop and an opaque
 * entry naming what it iterates over. */
static void for_loop(extractor *ex, const frame *fr, size_t a, size_t colon, size_t end)
{
	const pytok *kw = &ex->t[a];
	size_t in = find_top_tok(ex, a + 1, colon, PYTOK_NAME, "in"), k;
	strvec names = STRVEC_INIT;
	pyx *it = NULL, *seq = NULL;
	frame inner = *fr;

	if (in < colon) {
		ops__target_names(ex, a + 1, in, &names);
		it = ops__parse_range(ex, in + 1, colon);
		seq = ops__known_sequence(it);
	}
	if (!fr->dead)
		ex->out->fn[ex->func].statements++;
	if (seq && names.n && seq->n <= OPS_MAX_UNROLL) {
		if (!seq->n) {
			inner.dead = 1;
			block_body(ex, &inner, colon, end, 0);
		}
		for (k = 0; k < seq->n; k++) {
			if (k && ex->exhausted) {
				frame skip = inner;
				skip.dead = 1;
				block_body(ex, &skip, colon, end, 0); /* past the body, once */
				break;
			}
			ops__bind_targets(ex, &names, seq->items[k]);
			block_body(ex, &inner, colon, end, 0);
		}
	} else {
		size_t before = ex->out->n;
		inner.in_loop = 1;
		for (k = 0; k < names.n; k++)
			ops__bind_value(ex, names.v[k], NULL);
		block_body(ex, &inner, colon, end, 0);
		if (!body_visible(ex, before)) {
			buf what = BUF_INIT;
			ops__describe_iterable(&what, it);
			opaque(ex, fr, "loop", kw->line, kw->col,
			       "a 'for' loop over %s: the operations inside run once per item, on values known only "
			       "at run time",
			       what.ptr);
			buf_release(&what);
		}
	}
	pyx_free(it);
	pyx_free(seq);
	strvec_release(&names);
}

/* ---- branches ------------------------------------------------------------ */

/* An `if`/`elif`/`else` clause of chain `ch`: read its body when it runs for
 * the dialect judged, skip it when it does not, and read it as conditional
 * when that cannot be known. */
static void branch(extractor *ex, const frame *fr, chain *ch, size_t a, size_t colon, size_t end)
{
	const pytok *kw = &ex->t[a];
	frame inner = *fr;
	int v = UNKNOWN, dialectal = 0;

	if (pytok_is_name(kw, "if"))
		ch->taken = ch->unknown = 0;
	ch->open = 1;
	if (ch->taken) {
		inner.dead = 1;
	} else if (pytok_is_name(kw, "else")) {
		v = ch->unknown ? UNKNOWN : 1;
	} else {
		pyx *c = ops__parse_range(ex, a + 1, colon);
		v = ops__eval_cond(ex, c, &dialectal);
		pyx_free(c);
	}
	if (!inner.dead) {
		if (v == 1)
			ch->taken = 1;
		else if (v == 0)
			inner.dead = 1;
		else
			ch->unknown = 1, inner.in_cond = 1;
	}
	if (dialectal && !fr->dead) {
		migop *m = op_new(ex, MIGOP_BRANCH, "dialect-branch", kw->line, kw->col, fr);
		buf why = BUF_INIT;
		buf_printf(&why, "the '%.*s' branch at line %d %s for %s", (int)kw->len, kw->start, kw->line,
			   v == 1 ? "runs" : v == 0 ? "does not run"
						    : "may run",
			   ex->dialect);
		m->why = buf_detach(&why);
	}
	block_body(ex, &inner, colon, end, 0);
}

/* ---- same-file functions ------------------------------------------------- */

/* Parse a function's parameter list [a, b) (inside the parentheses). */
static void read_params(const extractor *ex, fdef *f, size_t a, size_t b)
{
	size_t alloc = 0;

	while (a < b) {
		size_t comma = find_top(ex, a, b, ","), eq;
		const pytok *t = &ex->t[a];
		if (pytok_is_op(t, "*") || pytok_is_op(t, "**") || pytok_is_op(t, "/") || t->type != PYTOK_NAME) {
			a = comma + 1;
			continue;
		}
		if (f->params.n == alloc) {
			alloc = alloc ? alloc * 2 : 4;
			f->dflt_a = mg_realloc(f->dflt_a, alloc * sizeof(*f->dflt_a));
			f->dflt_b = mg_realloc(f->dflt_b, alloc * sizeof(*f->dflt_b));
		}
		strvec_push_n(&f->params, t->start, t->len);
		eq = find_top(ex, a, comma, "=");
		f->dflt_a[f->params.n - 1] = eq < comma ? eq + 1 : comma;
		f->dflt_b[f->params.n - 1] = comma;
		a = comma + 1;
	}
}

/* Record the `def` at token `d` (its line's first token) in `into`. */
static void define_function(const extractor *ex, fdefs *into, size_t d)
{
	size_t open, close, colon, end;
	int depth = 0;
	fdef *f;

	if (into->n >= OPS_MAX_FUNCS || d + 2 >= ex->n || ex->t[d + 1].type != PYTOK_NAME ||
	    !pytok_is_op(&ex->t[d + 2], "("))
		return;
	open = d + 2;
	for (close = open; close < ex->n; close++) {
		depth += bracket(&ex->t[close]);
		if (depth == 0 || ex->t[close].type == PYTOK_ENDMARKER || ex->t[close].type == PYTOK_ERROR)
			break;
	}
	for (colon = close; colon < ex->n && !pytok_is_op(&ex->t[colon], ":"); colon++)
		if (ex->t[colon].type == PYTOK_NEWLINE || ex->t[colon].type == PYTOK_ENDMARKER)
			return;
	for (end = colon; end < ex->n && ex->t[end].type != PYTOK_NEWLINE && ex->t[end].type != PYTOK_ENDMARKER;
	     end++)
		;
	if (colon >= ex->n)
		return;
	if (into->n == into->alloc) {
		into->alloc = into->alloc ? into->alloc * 2 : 8;
		into->v = mg_realloc(into->v, into->alloc * sizeof(*into->v));
	}
	f = &into->v[into->n++];
	memset(f, 0, sizeof(*f));
	f->name = mg_strndup(ex->t[d + 1].start, ex->t[d + 1].len);
	f->line = ex->t[d].line;
	f->colon = colon;
	f->end = end;
	read_params(ex, f, open + 1, close);
}

/* Bind a called function's parameters in `callee` (a fresh scope) from
 * the call's arguments, evaluated in the caller's scope (already
 * resolved in `call`), then the defaults. */
static void bind_params(extractor *ex, scope *callee, const fdef *fn, const pyx *call)
{
	scope *caller = ex->sc;
	size_t k;

	for (k = 0; k < fn->params.n; k++) {
		const char *p = fn->params.v[k];
		const pyx *arg = call ? pyx_arg(call, (int)k, p) : NULL;
		if (arg && arg->kind == PYX_NAME && arg->text &&
		    (is_connection(ex, arg->text) || (caller && strvec_index(&caller->conns, arg->text) >= 0))) {
			strvec_push(&callee->conns, p);
			continue;
		}
		if (arg && arg->kind == PYX_CALL && arg->text && ends_with(arg->text, "get_bind")) {
			strvec_push(&callee->conns, p);
			continue;
		}
		ex->sc = callee;
		if (arg) {
			ops__bind_value(ex, p, arg);
		} else if (fn->dflt_a[k] < fn->dflt_b[k]) {
			pyx *d;
			ex->sc = caller; /* defaults are evaluated where the function is defined: near enough */
			d = ops__parse_range(ex, fn->dflt_a[k], fn->dflt_b[k]);
			ex->sc = callee;
			ops__bind_value(ex, p, d);
			pyx_free(d);
		} else {
			ops__bind_value(ex, p, NULL);
		}
		ex->sc = caller;
	}
}

/* Walk the body of `fn` called by `call` (NULL: dispatched by name). */
static void walk_function(extractor *ex, const frame *fr, const fdef *fn, const pyx *call)
{
	scope callee, *saved_sc = ex->sc;
	frame inner = { NULL, -1, fr->in_loop, fr->in_cond, fr->autocommit, 0 };
	char *saved_via = ex->via;
	int saved_line = ex->call_line, k, line = call ? call->line : fn->line, saved_returned;
	size_t saved_i = ex->i;
	buf via = BUF_INIT;

	if (ex->exhausted || !ops__spend(ex, 1))
		return;
	for (k = 0; k < ex->depth; k++)
		if (ex->stack[k] == fn) {
			opaque(ex, fr, "recursive-helper", line, call ? call->col : -1,
			       "'%s()' calls itself: how deep it goes is known only at run time", fn->name);
			return;
		}
	if (ex->depth >= OPS_MAX_DEPTH) {
		opaque(ex, fr, "helper-depth", line, call ? call->col : -1,
		       "'%s()' is reached through more than %d nested calls", fn->name, OPS_MAX_DEPTH);
		return;
	}
	memset(&callee, 0, sizeof(callee));
	bind_params(ex, &callee, fn, call);
	buf_printf(&via, "via %s() called at line %d", fn->name, line);
	if (saved_via)
		buf_printf(&via, ", %s", saved_via);
	ex->via = buf_detach(&via);
	if (!saved_via)
		ex->call_line = line;
	ex->stack[ex->depth++] = fn;
	ex->sc = &callee;
	saved_returned = ex->returned;
	ex->returned = 0;
	block_body(ex, &inner, fn->colon, fn->end, 0);
	ex->returned = saved_returned;
	ex->depth--;
	ex->sc = saved_sc;
	free(ex->via);
	ex->via = saved_via;
	ex->call_line = saved_line;
	ex->i = saved_i;
	ops__scope_release(&callee);
}

/*
 * The value a function returns when its body is assignments followed by
 * `return <expr>` (`def is_sqlite(): return op.get_bind().dialect.name ==
 * "sqlite"`), parsed in `tmp` (a scope the caller releases), or NULL.
 */
const pyx *ops__helper_return(extractor *ex, const fdef *fn, const pyx *call, scope *tmp)
{
	scope *saved = ex->sc;
	size_t i = fn->end + 1, eol;
	const pyx *ret = NULL;
	int augmented, k;

	memset(tmp, 0, sizeof(*tmp));
	for (k = 0; k < ex->depth; k++)
		if (ex->stack[k] == fn)
			return NULL;
	bind_params(ex, tmp, fn, call);
	ex->sc = tmp;
	eol = fn->end;
	while (eol > fn->colon + 1 && ex->t[eol - 1].type == PYTOK_COMMENT)
		eol--;
	if (fn->colon + 1 < eol) { /* `def is_sqlite(): return ...` on one line */
		if (pytok_is_name(&ex->t[fn->colon + 1], "return")) {
			pyx *r = ops__parse_range(ex, fn->colon + 2, eol);
			ops__scope_bind(tmp, "\x01return", r);
			ret = r;
		}
		goto cleanup;
	}
	while (i < ex->n && (ex->t[i].type == PYTOK_NL || ex->t[i].type == PYTOK_COMMENT))
		i++;
	if (i >= ex->n || ex->t[i].type != PYTOK_INDENT)
		goto cleanup;
	for (i++; i < ex->n && ex->t[i].type != PYTOK_DEDENT; i = eol + 1) {
		size_t eq;
		if (ex->t[i].type == PYTOK_NL || ex->t[i].type == PYTOK_COMMENT) {
			eol = i; /* a blank or comment line: one token */
			continue;
		}
		for (eol = i; eol < ex->n && ex->t[eol].type != PYTOK_NEWLINE && ex->t[eol].type != PYTOK_ENDMARKER;
		     eol++)
			if (ex->t[eol].type == PYTOK_INDENT)
				goto cleanup; /* a compound statement: not a plain expression */
		if (eol >= ex->n || ex->t[eol].type == PYTOK_ENDMARKER)
			goto cleanup;
		if (ex->t[i].type == PYTOK_STRING && eol == i + 1)
			continue; /* docstring */
		if (pytok_is_name(&ex->t[i], "return")) {
			pyx *r = ops__parse_range(ex, i + 1, eol);
			ops__scope_bind(tmp, "\x01return", r);
			ret = r;
			break;
		}
		if ((eq = find_assign(ex, i, eol, &augmented)) >= eol || augmented || is_compound_line(ex, i))
			goto cleanup;
		{
			pyx *v = ops__parse_range(ex, eq + 1, eol);
			bind_assignment(ex, i, eq, v, 0);
			pyx_free(v);
		}
	}
cleanup:
	ex->sc = saved;
	return ret;
}

/* ---- blocks -------------------------------------------------------------- */

/* A compound statement whose header is [a, colon); its body follows. */
static void compound(extractor *ex, const frame *fr, chain *ch, size_t a, size_t colon, size_t end)
{
	frame inner = *fr;
	const pytok *kw = &ex->t[a];

	if (pytok_is_name(kw, "async") && a + 1 < colon)
		kw = &ex->t[++a];
	if (pytok_is_name(kw, "if") || ((pytok_is_name(kw, "elif") || pytok_is_name(kw, "else")) && ch->open)) {
		branch(ex, fr, ch, a, colon, end);
		return;
	}
	ch->open = 0;
	if (pytok_is_name(kw, "for")) {
		for_loop(ex, fr, a, colon, end);
		return;
	}
	if (pytok_is_name(kw, "while")) {
		inner.in_loop = 1;
		if (!fr->dead)
			ex->out->fn[ex->func].statements++;
		opaque(ex, fr, "loop", kw->line, kw->col,
		       "a 'while' loop: the operations inside run a number of times known only at run time");
	} else if (pytok_is_name(kw, "with")) {
		with_items(ex, &inner, a + 1, colon);
	} else if (pytok_is_name(kw, "def")) {
		/* defined here, walked where it is called */
		if (!fr->dead && ex->sc)
			define_function(ex, &ex->sc->local, a);
		inner.dead = 1;
	} else if (pytok_is_name(kw, "class")) {
		inner.dead = 1; /* a declaration (often a model for a data migration): its uses are judged */
	} else {
		inner.in_cond = 1; /* else after a loop / try / except / finally / match */
	}
	block_body(ex, &inner, colon, end, 0);
}

/* `match x:` is a statement only when a colon ends the line. */
static int is_match_stmt(const extractor *ex, size_t a, size_t end)
{
	return pytok_is_name(&ex->t[a], "match") && end > a + 1 && pytok_is_op(&ex->t[end - 1], ":") &&
	       !pytok_is_op(&ex->t[a + 1], "=") && !pytok_is_op(&ex->t[a + 1], ".") && !pytok_is_op(&ex->t[a + 1], "(");
}

/* The work budget ran out at token `t`: say so once (the revision is then
 * never judged clean), and read nothing more of this function. */
static void exhaust(extractor *ex, const pytok *t)
{
	frame live = { NULL, -1, 0, 0, 0, 0 };

	if (ex->exhausted)
		return;
	ex->exhausted = 1;
	opaque(ex, &live, "too-much-work", t->line, t->col,
	       "reading this code (unrolled loops, helper calls) would take more than %d steps; what follows is "
	       "not read",
	       OPS_MAX_WORK);
}

/* Statements until the DEDENT that closes this block (consumed) or the end. */
static void walk_block(extractor *ex, const frame *fr, int top)
{
	chain ch = { 0, 0, 0 };
	frame after_return;

	while (ex->i < ex->n) {
		const pytok *t = &ex->t[ex->i];
		size_t end, last, colon;
		if (!fr->dead && t->type != PYTOK_DEDENT && !ops__spend(ex, 1))
			exhaust(ex, t);
		if ((ex->returned || ex->exhausted) && !fr->dead) {
			after_return = *fr;
			after_return.dead = 1;
			fr = &after_return;
		}
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
				compound(ex, fr, &ch, ex->i, colon, end);
				continue;
			}
		}
		ch.open = 0;
		simple_statements(ex, fr, ex->i, last, top);
		ex->i = end + 1;
	}
}

/* ---- the module ---------------------------------------------------------- */

/* `from X import a, b as c`: remember where each name comes from. */
static void read_import(extractor *ex, size_t a, size_t end)
{
	size_t imp = a + 1, i;
	buf mod = BUF_INIT;

	while (imp < end && !pytok_is_name(&ex->t[imp], "import"))
		buf_put(&mod, ex->t[imp].start, ex->t[imp].len), imp++;
	for (i = imp + 1; i < end; i++) {
		const pytok *t = &ex->t[i];
		const pytok *name = t;
		if (t->type != PYTOK_NAME)
			continue;
		if (i + 2 < end && pytok_is_name(&ex->t[i + 1], "as") && ex->t[i + 2].type == PYTOK_NAME)
			name = &ex->t[i += 2];
		if (!strcmp(mod.ptr ? mod.ptr : "", "alembic.op")) {
			strvec_push_n(&ex->op_names, name->start, name->len);
		} else {
			strvec_push_n(&ex->imp_names, name->start, name->len);
			strvec_push(&ex->imp_from, mod.ptr ? mod.ptr : "");
		}
	}
	buf_release(&mod);
}

/* The module's top level: functions, imports, and constants (names bound
 * to literals, lists of them, sa.table(...), in file order). */
static void read_module(extractor *ex)
{
	size_t i = 0;
	int depth = 0;

	ex->sc = &ex->module;
	while (i < ex->n && ex->t[i].type != PYTOK_ENDMARKER && ex->t[i].type != PYTOK_ERROR) {
		const pytok *t = &ex->t[i];
		size_t end, eq;
		int augmented;
		if (t->type == PYTOK_INDENT || t->type == PYTOK_DEDENT) {
			depth += t->type == PYTOK_INDENT ? 1 : -1;
			i++;
			continue;
		}
		if (t->type == PYTOK_NEWLINE || t->type == PYTOK_NL || t->type == PYTOK_COMMENT) {
			i++;
			continue;
		}
		for (end = i; end < ex->n && ex->t[end].type != PYTOK_NEWLINE && ex->t[end].type != PYTOK_ENDMARKER &&
			      ex->t[end].type != PYTOK_ERROR;
		     end++)
			;
		if (depth == 0) {
			size_t d = pytok_is_name(t, "async") ? i + 1 : i;
			if (d < end && pytok_is_name(&ex->t[d], "def"))
				define_function(ex, &ex->fns, d);
			else if (pytok_is_name(t, "from"))
				read_import(ex, i, end);
			else if (!is_compound_kw(t) && !pytok_is_op(t, "@") && !pytok_is_name(t, "import") &&
				 (eq = find_assign(ex, i, end, &augmented)) < end && !augmented) {
				size_t tend = find_top(ex, i, eq, ":");
				pyx *v = ops__parse_range(ex, eq + 1, end);
				bind_assignment(ex, i, tend < eq ? tend : eq, v, 0);
				pyx_free(v);
			}
		}
		i = end + 1;
	}
	ex->sc = NULL;
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
	fdefs self;
	scope body;
	size_t def;

	ex->func = func;
	ex->out->fn[func].present = span->line > 0;
	ex->out->fn[func].line = span->line;
	if (span->line <= 0 || (def = find_def(ex, span->line)) >= ex->n)
		return;
	memset(&self, 0, sizeof(self));
	define_function(ex, &self, def);
	if (!self.n)
		return;
	memset(&body, 0, sizeof(body));
	bind_params(ex, &body, &self.v[0], NULL);
	ex->sc = &body;
	ex->stack[0] = &self.v[0];
	ex->depth = 1;
	ex->returned = 0;
	ex->work = 0; /* each function has its own budget */
	ex->exhausted = 0;
	block_body(ex, &fr, self.v[0].colon, self.v[0].end, 1);
	ex->returned = 0;
	ex->depth = 0;
	ex->sc = NULL;
	ops__scope_release(&body);
	ops__fdefs_release(&self);
}

int ops_extract_tokens(migops *out, const pytok *toks, size_t n, const pyscan_span *up,
		       const pyscan_span *down, const char *dialect, mg_error *err)
{
	extractor ex;

	(void)err;
	memset(out, 0, sizeof(*out));
	memset(&ex, 0, sizeof(ex));
	ex.out = out;
	ex.t = toks;
	ex.n = n;
	ex.dialect = dialect ? dialect : "postgresql";
	read_module(&ex);
	extract_function(&ex, MIGOP_UPGRADE, up);
	ex.work = 0;
	extract_function(&ex, MIGOP_DOWNGRADE, down);
	ops__scope_release(&ex.module);
	ops__fdefs_release(&ex.fns);
	strvec_release(&ex.imp_names);
	strvec_release(&ex.imp_from);
	strvec_release(&ex.op_names);
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
		const char *dialect, mg_error *err)
{
	pytok *toks = NULL;
	size_t alloc = 0, n = ops_tokenize(&toks, &alloc, src, len);
	int rc = ops_extract_tokens(out, toks, n, up, down, dialect, err);

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
		free(m->via);
	}
	free(ops->v);
	memset(ops, 0, sizeof(*ops));
}
