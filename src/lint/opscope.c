/*
 * opscope.c: what the names of a revision's code hold, and what its
 * conditions mean, for the walk in opwalk.c. A scope binds names to values
 * known before run time (literals, lists of them, `sa.table(...)`, a
 * dialect test); expressions are parsed with those names resolved. A
 * condition on the dialect (`bind.dialect.name == "sqlite"`, a URL's
 * prefix, a same-file function returning such a test) is decided for the
 * dialect being judged; anything else is UNKNOWN.
 */
#include "lint/opwalk.h"

#include <stdio.h>
#include <stdlib.h>

#include "util/banned.h"

/* ---- scopes -------------------------------------------------------------- */

void ops__fdefs_release(fdefs *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->v[i].name);
		strvec_release(&f->v[i].params);
		free(f->v[i].dflt_a);
		free(f->v[i].dflt_b);
	}
	free(f->v);
	memset(f, 0, sizeof(*f));
}

void ops__scope_release(scope *s)
{
	size_t i;

	for (i = 0; i < s->names.n; i++)
		pyx_free(s->vals[i]);
	free(s->vals);
	strvec_release(&s->names);
	strvec_release(&s->conns);
	strvec_release(&s->aliases);
	ops__fdefs_release(&s->local);
}

/* Bind `name` to `val` (taken; NULL: not known) in `s`. */
void ops__scope_bind(scope *s, const char *name, pyx *val)
{
	int at = strvec_index(&s->names, name);

	if (at >= 0) {
		pyx_free(s->vals[at]);
		s->vals[at] = val;
		return;
	}
	strvec_push(&s->names, name);
	s->vals = mg_realloc(s->vals, s->names.n * sizeof(*s->vals));
	s->vals[s->names.n - 1] = val;
}

/* The value bound to `name` in the body, else at module level; NULL when
 * not known (bound locally to something unknown hides the module's). */
const pyx *ops__lookup(const extractor *ex, const char *name)
{
	int at;

	if (ex->sc && (at = strvec_index(&ex->sc->names, name)) >= 0)
		return ex->sc->vals[at];
	if ((at = strvec_index(&ex->module.names, name)) >= 0)
		return ex->module.vals[at];
	return NULL;
}

int ops__spend(extractor *ex, size_t units)
{
	ex->work += units;
	return ex->work <= OPS_MAX_WORK;
}

/* A name's value, copied into the expression being parsed; the copy is
 * paid for from the work budget, so no file can make it explode. */
static pyx *resolve(void *ctx, const char *name)
{
	extractor *ex = ctx;
	const pyx *v = ops__lookup(ex, name);

	if (!v || !ops__spend(ex, 1 + pyx_size(v, OPS_MAX_VALUE) / 16))
		return NULL;
	return pyx_clone(v);
}

pyx *ops__parse_range(extractor *ex, size_t a, size_t b)
{
	pyx *x = NULL;
	mg_error err = MG_ERROR_INIT;

	if (a < b)
		pyx_parse_with(&x, &ex->t[a], b - a, 0, resolve, ex, &err);
	mg_error_clear(&err);
	return x;
}

/* A same-file function called `name` visible from the body being walked. */
const fdef *ops__find_function(const extractor *ex, const char *name)
{
	size_t i;

	if (ex->sc && strvec_index(&ex->sc->names, name) >= 0)
		return NULL; /* rebound locally */
	for (i = 0; ex->sc && i < ex->sc->local.n; i++)
		if (!strcmp(ex->sc->local.v[i].name, name))
			return &ex->sc->local.v[i];
	for (i = 0; i < ex->fns.n; i++)
		if (!strcmp(ex->fns.v[i].name, name))
			return &ex->fns.v[i];
	return NULL;
}

/* ---- values -------------------------------------------------------------- */

/* The dialect name, spelled as the code reads it: `bind.dialect.name`,
 * `op.get_context().dialect.name`, `bind.engine.name`, a URL's backend. */
static int is_dialect_expr(const pyx *x)
{
	const char *t;

	if (!x || !x->text)
		return 0;
	t = x->text;
	if (x->kind == PYX_NAME)
		return ends_with(t, "dialect.name") || ends_with(t, "engine.name") || ends_with(t, "get_dialect().name");
	if (x->kind == PYX_CALL)
		return ends_with(t, "url.get_backend_name") || ends_with(t, "url.get_dialect().name");
	return 0;
}

/* A connection URL: `bind.engine.url`, `str(bind.engine.url)`, `...url.drivername`. */
static int is_url_expr(const pyx *x)
{
	if (!x || !x->text)
		return 0;
	if (x->kind == PYX_NAME)
		return ends_with(x->text, ".url") || ends_with(x->text, ".url.drivername") || !strcmp(x->text, "url");
	if (x->kind == PYX_CALL && !strcmp(x->text, "str") && x->n == 1)
		return is_url_expr(x->items[0]);
	if (x->kind == PYX_CALL && (!strcmp(x->text, "render_as_string") || ends_with(x->text, "url.render_as_string")))
		return 1;
	return 0;
}

/* Callees that only build values (SQLAlchemy constructs, logging, builtins). */
int ops__in_list(const char *s, const char *const *list)
{
	size_t i;

	for (i = 0; list[i]; i++)
		if (!strcmp(s, list[i]))
			return 1;
	return 0;
}

int ops__pure_callee(const char *c)
{
	static const char *const prefixes[] = { "sa.", "sqlalchemy.", "postgresql.", "mysql.", "sqlite.", "context.",
						"logger.", "log.", "logging.", "LOG.", "LOGGER.", "datetime.", "uuid.",
						"json.", "warnings.", "func.", "re.", "os.environ", "op.f", "sql.",
						"textwrap.", "time.", "decimal.", "enum.", "typing.", "pg.", "psql.",
						"dialects.", "orm.", "alembic_utils.", "click.", "sys.stdout", "sys.stderr",
						"string.", "random.", "hashlib.", "base64.", "secrets.", "math.", NULL };
	static const char *const names[] = { "print", "len", "range", "str", "int", "float", "dict", "list", "set",
					     "tuple", "isinstance", "sorted", "table", "column", "text", "Column",
					     "Table", "MetaData", "select", "update", "insert", "delete", "and_",
					     "or_", "not_", "bool", "repr", "enumerate", "zip", "getattr", "hasattr",
					     "cast", "literal", "literal_column", "bindparam", "ForeignKey",
					     "ForeignKeyConstraint", "PrimaryKeyConstraint", "UniqueConstraint",
					     "CheckConstraint", "Index", "Enum", "Sequence", "Identity", "declarative_base",
					     "relationship", "backref", "PGFunction", "PGTrigger", "PGView",
					     "PGExtension", "PGPolicy", "PGMaterializedView", "min", "max", "sum",
					     "any", "all", "map", "filter", "reversed", "frozenset", "format",
					     "inspect", "Inspector.from_engine", "Session", "sessionmaker", "sa_inspect",
					     "exists", "null", "true", "false", "case", "type_coerce", "join", "outerjoin",
					     "union", "union_all", "next", "iter", "round", "abs", "divmod", "type", "vars",
					     "callable", "setattr", "id", "hash", "ord", "chr", "hex", "bytes", "open",
					     "object", "exit", "quit", NULL };
	static const char *const effects[] = { "create", "drop", "create_all", "drop_all", "execute", "reflect",
					       "add", "delete", "merge", "update", "insert", NULL };
	static const char *const readers[] = { "get_table_names", "get_columns", "get_indexes", "get_foreign_keys",
					       "get_unique_constraints", "get_check_constraints", "get_pk_constraint",
					       "get_view_names", "get_schema_names", "get_sequence_names", "has_table",
					       "has_index", "has_sequence", "get_enums", "get_table_comment",
					       "get_multi_columns", "get_temp_table_names", "fetchone", "fetchall",
					       "fetchmany", "first", "one", "scalar_one", "one_or_none", "all", "scalar",
					       "scalars", "mappings", "keys", "close", "commit", "flush", "rollback",
					       "dedent", "strip", "lower", "upper", "split", "items", "values",
					       "format", "isoformat", "now", "utcnow", "start", "finish",
					       "bindparams", "compile", "label", "alias", "subquery", "cte", NULL };
	const char *dot = strrchr(c, '.');
	size_t i;

	/* A method on a constructed object can act on the database:
	 * sa.Enum(...).create(bind), sa.MetaData().drop_all(bind). */
	if (strstr(c, "().") && dot && ops__in_list(dot + 1, effects))
		return 0;
	for (i = 0; prefixes[i]; i++)
		if (starts_with(c, prefixes[i]))
			return 1;
	return ops__in_list(c, names) || (dot && ops__in_list(dot + 1, readers));
}

/* Remember what `name` now holds, from the parsed value `v` (may be NULL). */
void ops__bind_value(extractor *ex, const char *name, const pyx *v)
{
	scope *s = ex->sc;
	int at;
	pyx *keep = NULL;

	if ((at = strvec_index(&s->conns, name)) >= 0) {
		free(s->conns.v[at]);
		s->conns.v[at] = s->conns.v[--s->conns.n];
	}
	if (v && v->kind == PYX_CALL && v->text &&
	    (ends_with(v->text, "get_bind") || ends_with(v->text, ".connect") || ends_with(v->text, "get_bind().connect") ||
	     ends_with(v->text, "get_context().bind") || ends_with(v->text, ".begin"))) {
		strvec_push(&s->conns, name);
	} else if (v && v->kind == PYX_CALL && v->text &&
		   (!strcmp(pyx_basename(v), "Session") || ends_with(v->text, "sessionmaker()") ||
		    !strcmp(pyx_basename(v), "scoped_session"))) {
		strvec_push(&s->conns, name); /* an ORM session on the migration's connection */
	} else if (v && v->kind == PYX_NAME && v->text &&
		   (!strcmp(v->text, "context.bind") || ends_with(v->text, "get_context().bind") ||
		    ends_with(v->text, ".connection"))) {
		strvec_push(&s->conns, name);
	} else if (v && (pyx_is_constant(v) || v->kind == PYX_STR || v->kind == PYX_COMPARE || v->kind == PYX_NOT ||
			 v->kind == PYX_BOOLOP || is_dialect_expr(v) || is_url_expr(v) ||
			 (v->kind == PYX_CALL && v->text && ops__pure_callee(v->text)) ||
			 ((v->kind == PYX_LIST || v->kind == PYX_TUPLE || v->kind == PYX_DICT)))) {
		if (pyx_size(v, OPS_MAX_VALUE) < OPS_MAX_VALUE) /* larger values are not kept: not known */
			keep = pyx_clone(v);
	}
	ops__scope_bind(s, name, keep);
}

/* `a, (b, c)`-free targets: a name, or names separated by commas (in
 * parentheses or not). Returns the count and fills `names` (owned), or 0. */
size_t ops__target_names(const extractor *ex, size_t a, size_t b, strvec *names)
{
	size_t i;

	if (a < b && pytok_is_op(&ex->t[a], "(") && pytok_is_op(&ex->t[b - 1], ")"))
		a++, b--;
	if (a < b && pytok_is_op(&ex->t[a], "[") && pytok_is_op(&ex->t[b - 1], "]"))
		a++, b--;
	for (i = a; i < b; i++) {
		const pytok *t = &ex->t[i];
		if ((i - a) % 2 == 0 && t->type == PYTOK_NAME)
			strvec_push_n(names, t->start, t->len);
		else if ((i - a) % 2 == 1 && pytok_is_op(t, ","))
			continue;
		else
			return 0;
	}
	return names->n;
}

/* Bind loop or assignment targets to the parts of `v` (NULL: not known). */
void ops__bind_targets(extractor *ex, const strvec *names, const pyx *v)
{
	size_t k;

	if (names->n == 1) {
		ops__bind_value(ex, names->v[0], v);
		return;
	}
	for (k = 0; k < names->n; k++)
		ops__bind_value(ex, names->v[k],
				v && (v->kind == PYX_TUPLE || v->kind == PYX_LIST) && v->n == names->n ? v->items[k] : NULL);
}
/* ---- conditions ---------------------------------------------------------- */


/* The text a dialect or URL test compares with: the dialect's name, or a
 * URL of that dialect ("postgresql://"); NULL for anything else. */
static const char *dialect_text(const extractor *ex, const pyx *x, buf *scratch)
{
	if (is_dialect_expr(x))
		return ex->dialect;
	if (is_url_expr(x)) {
		buf_truncate(scratch, 0);
		buf_printf(scratch, "%s://", ex->dialect);
		return scratch->ptr;
	}
	return NULL;
}

static int in_seq(const char *s, const pyx *seq)
{
	size_t i;

	if (!seq || (seq->kind != PYX_LIST && seq->kind != PYX_TUPLE))
		return UNKNOWN;
	for (i = 0; i < seq->n; i++) {
		if (!lit(seq->items[i]))
			return UNKNOWN;
		if (!strcmp(seq->items[i]->text, s))
			return 1;
	}
	return 0;
}


static int eval_compare(extractor *ex, const pyx *c, int *dialectal)
{
	const pyx *l = c->items[0], *r = c->items[1];
	const char *op = c->text;
	buf sl = BUF_INIT, sr = BUF_INIT;
	const char *dl = dialect_text(ex, l, &sl), *dr = dialect_text(ex, r, &sr);
	int v = UNKNOWN, url = is_url_expr(l) || is_url_expr(r);

	if (dl || dr)
		*dialectal = 1;
	if (!strcmp(op, "==") || !strcmp(op, "!=")) {
		const char *a = dl ? dl : lit(l), *b = dr ? dr : lit(r);
		if (a && b && !url)
			v = !strcmp(a, b);
		else if (lit(l) && lit(r))
			v = !strcmp(lit(l), lit(r));
		if (v != UNKNOWN && op[0] == '!')
			v = !v;
	} else if (!strcmp(op, "in") || !strcmp(op, "not in")) {
		if (lit(l) && dr)
			v = strstr(dr, lit(l)) != NULL;
		else if (dl && !url)
			v = in_seq(dl, r);
		else if (lit(l) && lit(r))
			v = strstr(lit(r), lit(l)) != NULL;
		else if (lit(l))
			v = in_seq(lit(l), r);
		if (v != UNKNOWN && op[0] == 'n')
			v = !v;
	}
	buf_release(&sl);
	buf_release(&sr);
	return v;
}

/* `url.startswith("mysql")`, `name.startswith(("postgres", "pg"))`. */
static int eval_method(extractor *ex, const pyx *c, int *dialectal)
{
	buf s = BUF_INIT;
	const char *b = pyx_basename(c), *text;
	const pyx *arg = pyx_arg(c, 0, NULL), *recv = c->recv;
	int v = UNKNOWN;
	size_t i;

	if (strcmp(b, "startswith") && strcmp(b, "endswith"))
		return UNKNOWN;
	if (!recv && c->text && strchr(c->text, '.') == strrchr(c->text, '.')) {
		char *name = mg_strndup(c->text, strcspn(c->text, ".")); /* `url.startswith(...)`: url's value */
		recv = ops__lookup(ex, name);
		free(name);
	}
	if (!recv)
		return UNKNOWN;
	text = dialect_text(ex, recv, &s);
	if (!text)
		text = lit(recv);
	else
		*dialectal = 1;
	if (text && arg) {
		const pyx *one[1];
		const pyx *const *items = one;
		size_t n = 1;
		one[0] = arg;
		if (arg->kind == PYX_TUPLE) {
			items = (const pyx *const *)arg->items;
			n = arg->n;
		}
		for (v = 0, i = 0; i < n && v != UNKNOWN; i++) {
			const char *w = lit(items[i]);
			size_t tl = strlen(text), wl = w ? strlen(w) : 0;
			if (!w)
				v = UNKNOWN;
			else if (b[0] == 's' ? !strncmp(text, w, wl) : (tl >= wl && !strcmp(text + tl - wl, w)))
				v = 1;
		}
	}
	buf_release(&s);
	return v;
}

/* True (1), false (0) or UNKNOWN for a condition; *dialectal is set when
 * the answer came from the dialect. */
int ops__eval_cond(extractor *ex, const pyx *c, int *dialectal)
{
	size_t i;
	int v, any_unknown = 0;

	if (!c)
		return UNKNOWN;
	switch (c->kind) {
	case PYX_BOOL: return pyx_is_true(c);
	case PYX_NONE: return 0;
	case PYX_NUM: return strtod(c->text, NULL) != 0;
	case PYX_STR: return lit(c) ? c->text[0] != 0 : UNKNOWN;
	case PYX_LIST:
	case PYX_TUPLE: return c->n > 0;
	case PYX_NOT:
		v = ops__eval_cond(ex, c->items[0], dialectal);
		return v == UNKNOWN ? UNKNOWN : !v;
	case PYX_BOOLOP:
		for (i = 0; i < c->n; i++) {
			v = ops__eval_cond(ex, c->items[i], dialectal);
			if (v == UNKNOWN)
				any_unknown = 1;
			else if (v == (c->text[0] == 'o'))
				return v; /* `or` with a true operand, `and` with a false one */
		}
		return any_unknown ? UNKNOWN : c->text[0] != 'o';
	case PYX_COMPARE: return eval_compare(ex, c, dialectal);
	case PYX_CALL: {
		const fdef *fn;
		if ((v = eval_method(ex, c, dialectal)) != UNKNOWN)
			return v;
		if (c->text && !strchr(c->text, '.') && (fn = ops__find_function(ex, c->text)) != NULL &&
		    ex->depth < OPS_MAX_DEPTH && ops__spend(ex, 1)) {
			scope tmp;
			const pyx *r = ops__helper_return(ex, fn, c, &tmp); /* NULL when fn is being evaluated */
			ex->stack[ex->depth++] = fn;
			v = r ? ops__eval_cond(ex, r, dialectal) : UNKNOWN;
			ex->depth--;
			ops__scope_release(&tmp);
			return v;
		}
		return UNKNOWN;
	}
	default: return UNKNOWN;
	}
}

/* ---- loops --------------------------------------------------------------- */

/* What a loop's iterable is, in words, when it cannot be unrolled. */
void ops__describe_iterable(buf *out, const pyx *it)
{
	const char *t = it && it->text ? it->text : "";

	if (it && it->kind == PYX_CALL &&
	    (strstr(t, "execute") || strstr(t, "query") || strstr(t, "fetch") || strstr(t, "scalars") ||
	     ends_with(t, ".all") || strstr(t, "select")))
		buf_printf(out, "the rows of a query ('%s()')", t);
	else if (it && (strstr(t, "get_table_names") || strstr(t, "get_columns") || strstr(t, "get_indexes") ||
			strstr(t, "get_foreign_keys") || strstr(t, "sorted_tables") || strstr(t, "reflect") ||
			strstr(t, "metadata.tables") || strstr(t, "inspect")))
		buf_printf(out, "what '%s' reads from the database", t);
	else if (it && it->kind == PYX_NAME)
		buf_printf(out, "'%s', whose value is computed at run time", t);
	else if (it && it->kind == PYX_CALL)
		buf_printf(out, "the result of '%s()'", t);
	else
		buf_printf(out, "a %s", it && it->kind == PYX_OTHER ? it->text : "value known only at run time");
}

/* `enumerate(seq)`, `zip(a, b)`, `list/sorted/reversed(seq)` over known values, as a list; NULL otherwise. */
pyx *ops__known_sequence(const pyx *it)
{
	pyx *out;
	size_t i, k;

	if (!it)
		return NULL;
	if (it->kind == PYX_LIST || it->kind == PYX_TUPLE)
		return pyx_clone(it);
	if (it->kind != PYX_CALL || !it->text)
		return NULL;
	if ((!strcmp(it->text, "list") || !strcmp(it->text, "tuple") || !strcmp(it->text, "sorted") ||
	     !strcmp(it->text, "reversed")) &&
	    it->n == 1 && !it->keys[0] && (it->items[0]->kind == PYX_LIST || it->items[0]->kind == PYX_TUPLE)) {
		out = pyx_clone(it->items[0]);
		if (!strcmp(it->text, "reversed"))
			for (i = 0; i < out->n / 2; i++) {
				pyx *t = out->items[i];
				out->items[i] = out->items[out->n - 1 - i];
				out->items[out->n - 1 - i] = t;
			}
		return out; /* sorted() keeps the order: each item's findings are the same */
	}
	if (!strcmp(it->text, "enumerate") && it->n == 1 && !it->keys[0] &&
	    (it->items[0]->kind == PYX_LIST || it->items[0]->kind == PYX_TUPLE)) {
		pyx *seq = it->items[0];
		out = pyx_clone(seq);
		for (i = 0; i < out->n; i++) {
			pyx *pair = mg_calloc(1, sizeof(*pair)), *num = mg_calloc(1, sizeof(*num));
			char n[24];
			snprintf(n, sizeof(n), "%zu", i);
			num->kind = PYX_NUM;
			num->text = mg_strdup(n);
			pair->kind = PYX_TUPLE;
			pair->alloc = pair->n = 2;
			pair->items = mg_malloc(2 * sizeof(*pair->items));
			pair->items[0] = num;
			pair->items[1] = out->items[i];
			out->items[i] = pair;
		}
		return out;
	}
	if (!strcmp(it->text, "zip") && it->n >= 1) {
		size_t len = (size_t)-1;
		for (k = 0; k < it->n; k++) {
			if (it->keys[k] || (it->items[k]->kind != PYX_LIST && it->items[k]->kind != PYX_TUPLE))
				return NULL;
			if (it->items[k]->n < len)
				len = it->items[k]->n;
		}
		out = mg_calloc(1, sizeof(*out));
		out->kind = PYX_LIST;
		out->alloc = out->n = len;
		out->items = mg_calloc(len ? len : 1, sizeof(*out->items));
		for (i = 0; i < len; i++) {
			pyx *tuple = mg_calloc(1, sizeof(*tuple));
			tuple->kind = PYX_TUPLE;
			tuple->alloc = tuple->n = it->n;
			tuple->items = mg_malloc(it->n * sizeof(*tuple->items));
			for (k = 0; k < it->n; k++)
				tuple->items[k] = pyx_clone(it->items[k]->items[i]);
			out->items[i] = tuple;
		}
		return out;
	}
	return NULL;
}
