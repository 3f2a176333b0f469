/*
 * sqlcheck.c: statement classes from libpg_query's parse tree (unpacked
 * from its protobuf output), and the PCRE2 fallback for SQLite.
 */
#include "lint/sqlcheck.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>
#include "util/buf.h"
#include "util/banned.h"

typedef PgQuery__Node node;

/* ---- building statements ------------------------------------------------- */

static sqlstmt *stmt_new(sqlstmts *out, const char *cls, const char *sql, int offset, int len)
{
	sqlstmt *s;
	int i, line = 1;
	size_t total = strlen(sql);

	if (out->n == out->alloc) {
		out->alloc = out->alloc ? out->alloc * 2 : 4;
		out->v = mg_realloc(out->v, out->alloc * sizeof(*out->v));
	}
	s = &out->v[out->n++];
	memset(s, 0, sizeof(*s));
	if (offset < 0 || (size_t)offset > total)
		offset = 0;
	if (len <= 0 || (size_t)offset + (size_t)len > total)
		len = (int)(total - (size_t)offset);
	/* The statement starts at its first non-blank byte. */
	while (len > 0 && strchr(" \t\r\n", sql[offset])) {
		offset++;
		len--;
	}
	while (len > 0 && strchr(" \t\r\n;", sql[offset + len - 1]))
		len--;
	for (i = 0; i < offset; i++)
		if (sql[i] == '\n')
			line++;
	s->cls = mg_strdup(cls);
	s->offset = offset;
	s->line = line;
	s->text = mg_strndup(sql + offset, (size_t)len);
	return s;
}

static void fact(sqlstmt *s, const char *key, const char *val)
{
	strvec_push(&s->keys, key);
	strvec_push(&s->vals, val);
}

static void flag(sqlstmt *s, const char *key, int on)
{
	if (on)
		fact(s, key, "1");
}

const char *sqlstmt_fact(const sqlstmt *s, const char *key)
{
	int at = strvec_index(&s->keys, key);
	return at < 0 ? NULL : s->vals.v[at];
}

static char *range_name(const PgQuery__RangeVar *rv)
{
	buf b = BUF_INIT;

	if (!rv || !rv->relname)
		return NULL;
	if (rv->schemaname && *rv->schemaname)
		buf_printf(&b, "%s.", rv->schemaname);
	buf_puts(&b, rv->relname);
	return buf_detach(&b);
}

static const char *str_of(const node *n)
{
	return n && n->node_case == PG_QUERY__NODE__NODE_STRING && n->string ? n->string->sval : NULL;
}

/* A dotted name from a List of String nodes ("public.users"). */
static char *list_name(const node *n)
{
	buf b = BUF_INIT;
	size_t i;

	if (!n)
		return NULL;
	if (str_of(n))
		return mg_strdup(str_of(n));
	if (n->node_case != PG_QUERY__NODE__NODE_LIST || !n->list)
		return NULL;
	for (i = 0; i < n->list->n_items; i++)
		if (str_of(n->list->items[i]))
			buf_printf(&b, "%s%s", b.len ? "." : "", str_of(n->list->items[i]));
	return buf_detach(&b);
}

/* The last name of a function call or type: "pg_catalog.now" -> "now". */
static const char *last_name(PgQuery__Node **names, size_t n)
{
	return n ? str_of(names[n - 1]) : NULL;
}

static int is_volatile_function(const char *name)
{
	static const char *const volatile_fns[] = { "random", "gen_random_uuid", "uuid_generate_v1", "uuid_generate_v1mc",
						    "uuid_generate_v4", "clock_timestamp", "timeofday", "nextval",
						    "txid_current", "setseed", NULL };
	size_t i;

	for (i = 0; name && volatile_fns[i]; i++)
		if (!strcmp(name, volatile_fns[i]))
			return 1;
	return 0;
}

/* True when a default expression calls a volatile function (through casts). */
static int expr_is_volatile(const node *e)
{
	size_t i;

	while (e && e->node_case == PG_QUERY__NODE__NODE_TYPE_CAST && e->type_cast)
		e = e->type_cast->arg;
	if (!e || e->node_case != PG_QUERY__NODE__NODE_FUNC_CALL || !e->func_call)
		return 0;
	if (is_volatile_function(last_name(e->func_call->funcname, e->func_call->n_funcname)))
		return 1;
	for (i = 0; i < e->func_call->n_args; i++)
		if (expr_is_volatile(e->func_call->args[i]))
			return 1;
	return 0;
}

static const char *contype_name(PgQuery__ConstrType t)
{
	switch (t) {
	case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK: return "check";
	case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY: return "primary_key";
	case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE: return "unique";
	case PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION: return "exclusion";
	case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN: return "foreign_key";
	case PG_QUERY__CONSTR_TYPE__CONSTR_NOTNULL: return "not_null";
	default: return "other";
	}
}

/* The column of `CHECK (col IS NOT NULL)`, or NULL. */
static const char *check_not_null_column(const PgQuery__Constraint *c)
{
	const node *e = c->raw_expr;
	const node *arg;

	if (!e || e->node_case != PG_QUERY__NODE__NODE_NULL_TEST || !e->null_test ||
	    e->null_test->nulltesttype != PG_QUERY__NULL_TEST_TYPE__IS_NOT_NULL)
		return NULL;
	arg = e->null_test->arg;
	if (!arg || arg->node_case != PG_QUERY__NODE__NODE_COLUMN_REF || !arg->column_ref ||
	    !arg->column_ref->n_fields)
		return NULL;
	return str_of(arg->column_ref->fields[arg->column_ref->n_fields - 1]);
}

static void constraint_facts(sqlstmt *s, const PgQuery__Constraint *c)
{
	size_t i;

	fact(s, "contype", contype_name(c->contype));
	flag(s, "not_valid", c->skip_validation);
	flag(s, "using_index", c->indexname && *c->indexname);
	if (c->conname && *c->conname && !s->object)
		s->object = mg_strdup(c->conname);
	for (i = 0; i < c->n_keys; i++)
		if (str_of(c->keys[i]))
			strvec_push(&s->columns, str_of(c->keys[i]));
	for (i = 0; i < c->n_fk_attrs; i++)
		if (str_of(c->fk_attrs[i]))
			strvec_push(&s->columns, str_of(c->fk_attrs[i]));
	if (c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_CHECK && check_not_null_column(c))
		fact(s, "check_not_null", check_not_null_column(c));
}

static void column_def_facts(sqlstmt *s, const PgQuery__ColumnDef *cd)
{
	const char *type = cd->type_name ? last_name(cd->type_name->names, cd->type_name->n_names) : NULL;
	int not_null = cd->is_not_null, has_default = 0, volatile_default = 0;
	size_t i;

	if (cd->colname && *cd->colname && strvec_index(&s->columns, cd->colname) < 0)
		strvec_push(&s->columns, cd->colname);
	if (type && (!strcmp(type, "serial") || !strcmp(type, "bigserial") || !strcmp(type, "smallserial") ||
		     !strcmp(type, "serial4") || !strcmp(type, "serial8") || !strcmp(type, "serial2"))) {
		has_default = volatile_default = 1; /* nextval() for every existing row */
		not_null = 1;
		fact(s, "identity", "1");
	}
	for (i = 0; i < cd->n_constraints; i++) {
		const node *n = cd->constraints[i];
		const PgQuery__Constraint *c = n && n->node_case == PG_QUERY__NODE__NODE_CONSTRAINT ? n->constraint : NULL;
		if (!c)
			continue;
		switch (c->contype) {
		case PG_QUERY__CONSTR_TYPE__CONSTR_NOTNULL:
		case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
			not_null = 1;
			if (c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY)
				fact(s, "primary_key", "1");
			break;
		case PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT:
			has_default = 1;
			if (expr_is_volatile(c->raw_expr))
				volatile_default = 1;
			break;
		case PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED:
		case PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY:
			has_default = volatile_default = 1; /* computed for every row: a rewrite */
			if (c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY)
				fact(s, "identity", "1");
			break;
		case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN:
			fact(s, "references", "1");
			break;
		case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE:
			fact(s, "unique", "1");
			break;
		case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK:
			fact(s, "check", "1");
			break;
		default:
			break;
		}
	}
	flag(s, "not_null", not_null);
	flag(s, "has_default", has_default);
	flag(s, "default_volatile", volatile_default);
}

/* ---- statement classes --------------------------------------------------- */

static const char *alter_cmd_class(PgQuery__AlterTableType t)
{
	switch (t) {
	case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumnRecurse: return "add_column";
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumnRecurse: return "drop_column";
	case PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType: return "alter_column_type";
	case PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull: return "set_not_null";
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DropNotNull: return "drop_not_null";
	case PG_QUERY__ALTER_TABLE_TYPE__AT_ColumnDefault: return "set_default";
	case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraintRecurse:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_AddIndexConstraint: return "add_constraint";
	case PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraint:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraintRecurse: return "validate_constraint";
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DropConstraint:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DropConstraintRecurse: return "drop_constraint";
	case PG_QUERY__ALTER_TABLE_TYPE__AT_SetTableSpace: return "set_tablespace";
	case PG_QUERY__ALTER_TABLE_TYPE__AT_SetLogged:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_SetUnLogged: return "set_logged";
	case PG_QUERY__ALTER_TABLE_TYPE__AT_AttachPartition: return "attach_partition";
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DetachPartition: return "detach_partition";
	default: return "alter_table_other";
	}
}

static void classify_alter(sqlstmts *out, const PgQuery__AlterTableStmt *a, const char *sql, int off, int len)
{
	char *table = range_name(a->relation);
	size_t i;

	for (i = 0; i < a->n_cmds; i++) {
		const node *n = a->cmds[i];
		const PgQuery__AlterTableCmd *c = n && n->node_case == PG_QUERY__NODE__NODE_ALTER_TABLE_CMD ? n->alter_table_cmd : NULL;
		const char *cls;
		sqlstmt *s;
		if (!c)
			continue;
		cls = alter_cmd_class(c->subtype);
		if (a->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_INDEX || a->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE ||
		    a->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_VIEW)
			cls = "alter_other";
		s = stmt_new(out, cls, sql, off, len);
		s->table = table ? mg_strdup(table) : NULL;
		if (c->name && *c->name) {
			if (!strcmp(cls, "validate_constraint") || !strcmp(cls, "drop_constraint"))
				s->object = mg_strdup(c->name);
			else
				strvec_push(&s->columns, c->name);
		}
		if (c->def && c->def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF && c->def->column_def) {
			column_def_facts(s, c->def->column_def);
			if (!strcmp(cls, "alter_column_type") && c->def->column_def->raw_default)
				fact(s, "using", "1");
		}
		if (c->def && c->def->node_case == PG_QUERY__NODE__NODE_CONSTRAINT && c->def->constraint)
			constraint_facts(s, c->def->constraint);
		if (!strcmp(cls, "set_default"))
			flag(s, "drop", !c->def);
		flag(s, "if_exists", c->missing_ok);
	}
	free(table);
}

static void classify_drop(sqlstmts *out, const PgQuery__DropStmt *d, const char *sql, int off, int len)
{
	const char *cls;
	size_t i;

	switch (d->remove_type) {
	case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE: cls = "drop_table"; break;
	case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX: cls = "drop_index"; break;
	case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE: cls = "drop_sequence"; break;
	case PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA: cls = "drop_schema"; break;
	case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
	case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW: cls = "drop_view"; break;
	default: cls = "drop_other"; break;
	}
	for (i = 0; i < d->n_objects || i == 0; i++) {
		sqlstmt *s = stmt_new(out, cls, sql, off, len);
		char *name = i < d->n_objects ? list_name(d->objects[i]) : NULL;
		if (d->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE)
			s->table = name;
		else
			s->object = name;
		flag(s, "concurrently", d->concurrent);
		flag(s, "if_exists", d->missing_ok);
		flag(s, "cascade", d->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE);
		if (!d->n_objects)
			break;
	}
}

static void classify_rename(sqlstmts *out, const PgQuery__RenameStmt *r, const char *sql, int off, int len)
{
	const char *cls = "rename_other";
	sqlstmt *s;

	switch (r->rename_type) {
	case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE: cls = "rename_table"; break;
	case PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN: cls = "rename_column"; break;
	case PG_QUERY__OBJECT_TYPE__OBJECT_TABCONSTRAINT: cls = "rename_constraint"; break;
	case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX: cls = "rename_index"; break;
	default: break;
	}
	s = stmt_new(out, cls, sql, off, len);
	s->table = range_name(r->relation);
	if (r->subname && *r->subname && r->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN)
		strvec_push(&s->columns, r->subname);
	if (r->newname)
		fact(s, "new_name", r->newname);
}

static void relations(sqlstmts *out, const char *cls, PgQuery__Node **rels, size_t n, const char *sql, int off,
		      int len, const char *key, const char *val)
{
	size_t i;

	for (i = 0; i < n || i == 0; i++) {
		sqlstmt *s = stmt_new(out, cls, sql, off, len);
		const node *r = i < n ? rels[i] : NULL;
		if (r && r->node_case == PG_QUERY__NODE__NODE_RANGE_VAR)
			s->table = range_name(r->range_var);
		else if (r && r->node_case == PG_QUERY__NODE__NODE_VACUUM_RELATION && r->vacuum_relation)
			s->table = range_name(r->vacuum_relation->relation);
		if (key)
			fact(s, key, val);
		if (!n)
			break;
	}
}

static int has_option(PgQuery__Node **opts, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (opts[i] && opts[i]->node_case == PG_QUERY__NODE__NODE_DEF_ELEM && opts[i]->def_elem &&
		    opts[i]->def_elem->defname && !strcmp(opts[i]->def_elem->defname, name))
			return 1;
	return 0;
}

static const char *transaction_kind(PgQuery__TransactionStmtKind k)
{
	switch (k) {
	case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_BEGIN:
	case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_START: return "begin";
	case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_COMMIT: return "commit";
	case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK: return "rollback";
	case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_SAVEPOINT: return "savepoint";
	case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_RELEASE: return "release";
	case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK_TO: return "rollback_to";
	default: return "prepared";
	}
}

static void classify_node(sqlstmts *out, const node *n, const char *sql, int off, int len)
{
	sqlstmt *s;
	size_t i;

	switch (n ? n->node_case : PG_QUERY__NODE__NODE__NOT_SET) {
	case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT:
		classify_alter(out, n->alter_table_stmt, sql, off, len);
		return;
	case PG_QUERY__NODE__NODE_DROP_STMT:
		classify_drop(out, n->drop_stmt, sql, off, len);
		return;
	case PG_QUERY__NODE__NODE_RENAME_STMT:
		classify_rename(out, n->rename_stmt, sql, off, len);
		return;
	case PG_QUERY__NODE__NODE_INDEX_STMT: {
		const PgQuery__IndexStmt *x = n->index_stmt;
		s = stmt_new(out, "create_index", sql, off, len);
		s->table = range_name(x->relation);
		if (x->idxname && *x->idxname)
			s->object = mg_strdup(x->idxname);
		for (i = 0; i < x->n_index_params; i++) {
			const node *p = x->index_params[i];
			if (p && p->node_case == PG_QUERY__NODE__NODE_INDEX_ELEM && p->index_elem && p->index_elem->name &&
			    *p->index_elem->name)
				strvec_push(&s->columns, p->index_elem->name);
		}
		flag(s, "concurrently", x->concurrent);
		flag(s, "unique", x->unique);
		return;
	}
	case PG_QUERY__NODE__NODE_CREATE_STMT:
		s = stmt_new(out, "create_table", sql, off, len);
		s->table = range_name(n->create_stmt->relation);
		for (i = 0; i < n->create_stmt->n_table_elts; i++) {
			const node *e = n->create_stmt->table_elts[i];
			if (e && e->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF && e->column_def && e->column_def->colname)
				strvec_push(&s->columns, e->column_def->colname);
		}
		return;
	case PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT:
		s = stmt_new(out, "create_table", sql, off, len);
		if (n->create_table_as_stmt->into)
			s->table = range_name(n->create_table_as_stmt->into->rel);
		return;
	case PG_QUERY__NODE__NODE_TRUNCATE_STMT:
		relations(out, "truncate", n->truncate_stmt->relations, n->truncate_stmt->n_relations, sql, off, len,
			  NULL, NULL);
		return;
	case PG_QUERY__NODE__NODE_DELETE_STMT:
		s = stmt_new(out, "delete", sql, off, len);
		s->table = range_name(n->delete_stmt->relation);
		flag(s, "where", n->delete_stmt->where_clause != NULL);
		return;
	case PG_QUERY__NODE__NODE_UPDATE_STMT:
		s = stmt_new(out, "update", sql, off, len);
		s->table = range_name(n->update_stmt->relation);
		flag(s, "where", n->update_stmt->where_clause != NULL);
		for (i = 0; i < n->update_stmt->n_target_list; i++) {
			const node *t = n->update_stmt->target_list[i];
			if (t && t->node_case == PG_QUERY__NODE__NODE_RES_TARGET && t->res_target && t->res_target->name)
				strvec_push(&s->columns, t->res_target->name);
		}
		return;
	case PG_QUERY__NODE__NODE_INSERT_STMT:
		s = stmt_new(out, "insert", sql, off, len);
		s->table = range_name(n->insert_stmt->relation);
		return;
	case PG_QUERY__NODE__NODE_SELECT_STMT:
		stmt_new(out, "select", sql, off, len);
		return;
	case PG_QUERY__NODE__NODE_LOCK_STMT: {
		char mode[16];
		snprintf(mode, sizeof(mode), "%d", (int)n->lock_stmt->mode);
		relations(out, "lock_table", n->lock_stmt->relations, n->lock_stmt->n_relations, sql, off, len, "mode",
			  mode);
		return;
	}
	case PG_QUERY__NODE__NODE_VACUUM_STMT:
		relations(out, n->vacuum_stmt->is_vacuumcmd ? "vacuum" : "analyze", n->vacuum_stmt->rels,
			  n->vacuum_stmt->n_rels, sql, off, len,
			  has_option(n->vacuum_stmt->options, n->vacuum_stmt->n_options, "full") ? "full" : NULL, "1");
		return;
	case PG_QUERY__NODE__NODE_CLUSTER_STMT:
		s = stmt_new(out, "cluster", sql, off, len);
		s->table = range_name(n->cluster_stmt->relation);
		return;
	case PG_QUERY__NODE__NODE_REINDEX_STMT:
		s = stmt_new(out, "reindex", sql, off, len);
		if (n->reindex_stmt->kind == PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_INDEX)
			s->object = range_name(n->reindex_stmt->relation);
		else
			s->table = range_name(n->reindex_stmt->relation);
		if (n->reindex_stmt->name && *n->reindex_stmt->name)
			s->object = mg_strdup(n->reindex_stmt->name);
		flag(s, "concurrently",
		     has_option(n->reindex_stmt->params, n->reindex_stmt->n_params, "concurrently"));
		return;
	case PG_QUERY__NODE__NODE_ALTER_ENUM_STMT:
		s = stmt_new(out, "alter_enum", sql, off, len);
		flag(s, "add_value", n->alter_enum_stmt->new_val && *n->alter_enum_stmt->new_val && !(n->alter_enum_stmt->old_val && *n->alter_enum_stmt->old_val));
		return;
	case PG_QUERY__NODE__NODE_VARIABLE_SET_STMT:
		s = stmt_new(out, "set", sql, off, len);
		if (n->variable_set_stmt->name)
			fact(s, "setting", n->variable_set_stmt->name);
		return;
	case PG_QUERY__NODE__NODE_TRANSACTION_STMT:
		s = stmt_new(out, "transaction", sql, off, len);
		fact(s, "kind", transaction_kind(n->transaction_stmt->kind));
		return;
	default:
		stmt_new(out, "other", sql, off, len);
		return;
	}
}

static int line_of(const char *sql, int offset)
{
	int i, line = 1;

	for (i = 0; i < offset && sql[i]; i++)
		if (sql[i] == '\n')
			line++;
	return line;
}

/*
 * A copy of `sql` with its bind parameters (`:name`, `%s`, `%(name)s`, `?`)
 * replaced by placeholders of the same length (`$1` padded with spaces, or
 * `0` for `?`), so every offset in the copy is the offset in the original.
 * Quoted strings, quoted names, dollar quotes, comments and `::` casts are
 * left alone. NULL when there is no parameter to replace.
 */
static char *mask_params(const char *sql)
{
	char *out = mg_strdup(sql), *p = out;
	int hits = 0;

	while (*p) {
		if (*p == '\'' || *p == '"') {
			char q = *p++;
			while (*p && *p != q)
				p++;
			if (*p)
				p++;
		} else if (p[0] == '-' && p[1] == '-') {
			while (*p && *p != '\n')
				p++;
		} else if (p[0] == '/' && p[1] == '*') {
			char *end = strstr(p + 2, "*/");
			p = end ? end + 2 : p + strlen(p);
		} else if (*p == '$' && (p[1] == '$' || isalpha((unsigned char)p[1]) || p[1] == '_')) {
			char *tag_end = p + 1, *close;
			while (isalnum((unsigned char)*tag_end) || *tag_end == '_')
				tag_end++;
			if (*tag_end != '$') {
				p++;
				continue;
			}
			{
				char *tag = mg_strndup(p, (size_t)(tag_end - p + 1));
				close = strstr(tag_end + 1, tag);
				p = close ? close + strlen(tag) : p + strlen(p);
				free(tag);
			}
		} else if (p[0] == ':' && p[1] == ':') {
			p += 2;
		} else if (p[0] == ':' && (isalpha((unsigned char)p[1]) || p[1] == '_') &&
			   (p == out || !(isalnum((unsigned char)p[-1]) || p[-1] == '_' || p[-1] == ':'))) {
			char *e = p + 1;
			while (isalnum((unsigned char)*e) || *e == '_')
				e++;
			p[0] = '$';
			p[1] = '1';
			memset(p + 2, ' ', (size_t)(e - p - 2));
			p = e;
			hits++;
		} else if (p[0] == '%' && p[1] == 's') {
			p[0] = '$';
			p[1] = '1';
			p += 2;
			hits++;
		} else if (p[0] == '%' && p[1] == '(') {
			char *e = strchr(p, ')');
			if (!e || e[1] != 's') {
				p++;
				continue;
			}
			p[0] = '$';
			p[1] = '1';
			memset(p + 2, ' ', (size_t)(e + 2 - p - 2));
			p = e + 2;
			hits++;
		} else if (p[0] == '%' && p[1] == '%') {
			p[1] = ' ';
			p += 2;
		} else if (p[0] == '?') {
			p[0] = '0';
			p++;
			hits++;
		} else {
			p++;
		}
	}
	if (!hits) {
		free(out);
		return NULL;
	}
	return out;
}

/* 0 when parsed (or the parser failed: see out->parse_failed). A
 * statement with bind parameters is parsed with them masked
 * (mask_params); the statements keep the original text. */
static void classify_pg(sqlstmts *out, const char *sql)
{
	PgQueryProtobufParseResult r = pg_query_parse_protobuf(sql);
	char *masked = NULL;
	PgQuery__ParseResult *tree = NULL;
	size_t i;

	if (r.error && (masked = mask_params(sql)) != NULL) {
		PgQueryProtobufParseResult again = pg_query_parse_protobuf(masked);
		if (!again.error) {
			pg_query_free_protobuf_parse_result(r);
			r = again;
		} else {
			pg_query_free_protobuf_parse_result(again);
		}
	}
	if (r.error) {
		out->parse_failed = 1;
		out->error = mg_strdup(r.error->message ? r.error->message : "syntax error");
		out->error_offset = r.error->cursorpos > 0 ? r.error->cursorpos - 1 : -1;
		out->error_line = line_of(sql, out->error_offset > 0 ? out->error_offset : 0);
		goto cleanup;
	}
	tree = pg_query__parse_result__unpack(NULL, r.parse_tree.len, (const uint8_t *)r.parse_tree.data);
	if (!tree) {
		out->parse_failed = 1;
		out->error = mg_strdup("the parser's output could not be read");
		out->error_offset = -1;
		out->error_line = 1;
		goto cleanup;
	}
	for (i = 0; i < tree->n_stmts; i++) {
		const PgQuery__RawStmt *raw = tree->stmts[i];
		classify_node(out, raw->stmt, sql, raw->stmt_location, raw->stmt_len);
	}
cleanup:
	if (tree)
		pg_query__parse_result__free_unpacked(tree, NULL);
	pg_query_free_protobuf_parse_result(r);
	free(masked);
}

/* ---- the SQLite fallback: PCRE2 patterns --------------------------------- */

typedef struct pattern {
	const char *cls;
	const char *re;
	int table, column, object; /* capture group numbers, 0 for none */
} pattern;

#define ID "([\\w.\"`\\[\\]]+)"
static const pattern sqlite_patterns[] = {
	{ "drop_table", "^DROP\\s+TABLE\\s+(?:IF\\s+EXISTS\\s+)?" ID, 1, 0, 0 },
	{ "drop_index", "^DROP\\s+INDEX\\s+(?:IF\\s+EXISTS\\s+)?" ID, 0, 0, 1 },
	{ "drop_view", "^DROP\\s+VIEW\\s+(?:IF\\s+EXISTS\\s+)?" ID, 0, 0, 1 },
	{ "drop_other", "^DROP\\s+TRIGGER\\s+(?:IF\\s+EXISTS\\s+)?" ID, 0, 0, 1 },
	{ "drop_column", "^ALTER\\s+TABLE\\s+" ID "\\s+DROP\\s+(?:COLUMN\\s+)?" ID, 1, 2, 0 },
	{ "rename_table", "^ALTER\\s+TABLE\\s+" ID "\\s+RENAME\\s+TO\\s+" ID, 1, 0, 2 },
	{ "rename_column", "^ALTER\\s+TABLE\\s+" ID "\\s+RENAME\\s+(?:COLUMN\\s+)?" ID "\\s+TO\\s+" ID, 1, 2, 3 },
	{ "add_column", "^ALTER\\s+TABLE\\s+" ID "\\s+ADD\\s+(?:COLUMN\\s+)?" ID, 1, 2, 0 },
	{ "create_index", "^CREATE\\s+(?:UNIQUE\\s+)?INDEX\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?" ID "\\s+ON\\s+" ID, 2, 0, 1 },
	{ "create_table", "^CREATE\\s+(?:TEMP(?:ORARY)?\\s+)?TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?" ID, 1, 0, 0 },
	{ "delete", "^DELETE\\s+FROM\\s+" ID, 1, 0, 0 },
	{ "update", "^UPDATE\\s+(?:OR\\s+\\w+\\s+)?" ID, 1, 0, 0 },
	{ "insert", "^(?:INSERT|REPLACE)\\b(?:.*?\\bINTO\\s+" ID ")?", 1, 0, 0 },
	{ "vacuum", "^VACUUM\\b", 0, 0, 0 },
	{ "reindex", "^REINDEX\\b\\s*" ID "?", 0, 0, 1 },
	{ "transaction", "^(?:BEGIN|COMMIT|END|ROLLBACK|SAVEPOINT|RELEASE)\\b", 0, 0, 0 },
	{ "select", "^(?:SELECT|WITH|PRAGMA|VALUES|EXPLAIN)\\b", 0, 0, 0 },
	{ NULL, NULL, 0, 0, 0 },
};
#undef ID

static char *unquote_ident(const char *s, size_t n)
{
	buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < n; i++)
		if (!strchr("\"`[]", s[i]))
			buf_putc(&b, s[i]);
	return buf_detach(&b);
}

static char *group(pcre2_match_data *md, const char *subject, int g)
{
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);

	if (g <= 0 || (int)pcre2_get_ovector_count(md) <= g || ov[2 * g] == PCRE2_UNSET)
		return NULL;
	return unquote_ident(subject + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
}

/* Byte offsets of statements split at ';' outside quotes and comments. */
static size_t split_statements(const char *sql, int *starts, int *ends, size_t max)
{
	size_t n = 0;
	int i = 0, start = 0;
	char quote = 0;

	for (; sql[i]; i++) {
		char c = sql[i];
		if (quote) {
			if (c == quote)
				quote = 0;
			continue;
		}
		if (c == '\'' || c == '"' || c == '`')
			quote = c;
		else if (c == '[')
			quote = ']';
		else if (c == '-' && sql[i + 1] == '-')
			while (sql[i + 1] && sql[i + 1] != '\n')
				i++;
		else if (c == '/' && sql[i + 1] == '*') {
			i += 2;
			while (sql[i] && !(sql[i] == '*' && sql[i + 1] == '/'))
				i++;
			if (!sql[i])
				break;
			i++;
		} else if (c == ';' && n < max) {
			starts[n] = start;
			ends[n++] = i;
			start = i + 1;
		}
	}
	if (n < max) {
		starts[n] = start;
		ends[n++] = i;
	}
	return n;
}

/* The offset of the first byte that is neither blank nor inside a comment. */
static int skip_blank(const char *sql, int i, int end)
{
	while (i < end) {
		if (strchr(" \t\r\n", sql[i]))
			i++;
		else if (sql[i] == '-' && i + 1 < end && sql[i + 1] == '-')
			while (i < end && sql[i] != '\n')
				i++;
		else if (sql[i] == '/' && i + 1 < end && sql[i + 1] == '*') {
			i += 2;
			while (i + 1 < end && !(sql[i] == '*' && sql[i + 1] == '/'))
				i++;
			i += 2;
		} else
			break;
	}
	return i < end ? i : end;
}

static int classify_sqlite(sqlstmts *out, const char *sql, mg_error *err)
{
	enum { MAXSTMT = 4096 };
	int *starts = mg_malloc(MAXSTMT * sizeof(int)), *ends = mg_malloc(MAXSTMT * sizeof(int));
	pcre2_code *where_re = NULL;
	pcre2_code *res[sizeof(sqlite_patterns) / sizeof(sqlite_patterns[0])] = { 0 };
	pcre2_match_data *md = NULL;
	size_t n, k, p;
	int rc = MG_OK, errcode;
	PCRE2_SIZE erroff;

	out->by_pattern = 1;
	for (p = 0; sqlite_patterns[p].cls; p++) {
		res[p] = pcre2_compile((PCRE2_SPTR)sqlite_patterns[p].re, PCRE2_ZERO_TERMINATED,
				       PCRE2_CASELESS | PCRE2_DOTALL | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &errcode,
				       &erroff, NULL);
		if (!res[p]) {
			rc = mg_error_set(err, MG_ERR, "internal pattern for '%s' does not compile", sqlite_patterns[p].cls);
			goto cleanup;
		}
	}
	where_re = pcre2_compile((PCRE2_SPTR) "\\bWHERE\\b", PCRE2_ZERO_TERMINATED,
				 PCRE2_CASELESS | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &errcode, &erroff, NULL);
	md = pcre2_match_data_create(16, NULL);
	if (!where_re || !md) {
		rc = mg_error_set(err, MG_ERR, "cannot prepare the SQLite patterns");
		goto cleanup;
	}
	n = split_statements(sql, starts, ends, MAXSTMT);
	for (k = 0; k < n; k++) {
		int b = skip_blank(sql, starts[k], ends[k]);
		const char *subject = sql + b;
		size_t len = (size_t)(ends[k] - b);
		sqlstmt *s = NULL;
		if (!len)
			continue;
		for (p = 0; sqlite_patterns[p].cls; p++) {
			if (pcre2_match(res[p], (PCRE2_SPTR)subject, len, 0, 0, md, NULL) < 0)
				continue;
			s = stmt_new(out, sqlite_patterns[p].cls, sql, b, (int)len);
			s->table = group(md, subject, sqlite_patterns[p].table);
			if (sqlite_patterns[p].column) {
				char *c = group(md, subject, sqlite_patterns[p].column);
				if (c)
					strvec_push_owned(&s->columns, c);
			}
			s->object = group(md, subject, sqlite_patterns[p].object);
			break;
		}
		if (!s)
			s = stmt_new(out, "other", sql, b, (int)len);
		if (!strcmp(s->cls, "delete") || !strcmp(s->cls, "update"))
			flag(s, "where", pcre2_match(where_re, (PCRE2_SPTR)subject, len, 0, 0, md, NULL) >= 0);
		if (!strcmp(s->cls, "add_column")) {
			flag(s, "not_null", strstr(s->text, "NOT NULL") || strstr(s->text, "not null"));
			flag(s, "has_default", strstr(s->text, "DEFAULT") || strstr(s->text, "default"));
		}
	}
cleanup:
	for (p = 0; p < sizeof(res) / sizeof(res[0]); p++)
		pcre2_code_free(res[p]);
	pcre2_code_free(where_re);
	pcre2_match_data_free(md);
	free(starts);
	free(ends);
	return rc;
}

int sqlcheck_classify(sqlstmts *out, const char *sql, sql_dialect dialect, mg_error *err)
{
	memset(out, 0, sizeof(*out));
	out->error_offset = -1;
	classify_pg(out, sql);
	if (out->parse_failed && dialect == SQL_SQLITE) {
		sqlstmts_release(out);
		memset(out, 0, sizeof(*out));
		out->error_offset = -1;
		return classify_sqlite(out, sql, err);
	}
	return MG_OK;
}

void sqlstmts_release(sqlstmts *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++) {
		free(s->v[i].cls);
		free(s->v[i].table);
		strvec_release(&s->v[i].columns);
		free(s->v[i].object);
		strvec_release(&s->v[i].keys);
		strvec_release(&s->v[i].vals);
		free(s->v[i].text);
	}
	free(s->v);
	free(s->error);
	memset(s, 0, sizeof(*s));
}

int sqlcheck_split(strvec *out, const char *sql, mg_error *err)
{
	PgQuerySplitResult r;
	size_t len = strlen(sql);
	int i, rc = MG_OK;

	r = pg_query_split_with_parser(sql);
	if (r.error) {
		rc = mg_error_set(err, MG_ERR, "the SQL does not parse: %s", r.error->message);
	} else {
		for (i = 0; i < r.n_stmts; i++) {
			const PgQuerySplitStmt *st = r.stmts[i];
			size_t at = (size_t)st->stmt_location, n = (size_t)st->stmt_len;
			if (at > len)
				continue;
			if (!n || at + n > len)
				n = len - at;
			while (n && (sql[at] == ' ' || sql[at] == '\n' || sql[at] == '\t' || sql[at] == '\r'))
				at++, n--;
			if (n)
				strvec_push_n(out, sql + at, n);
		}
	}
	pg_query_free_split_result(r);
	return rc;
}

/* The end of a quoted string, comment or dollar-quoted body starting at
 * `p` (p itself when nothing starts there). */
static const char *skip_quoted(const char *p)
{
	const char *e;

	if (*p == '\'' || *p == '"') {
		char q = *p;
		for (p++; *p; p++)
			if (*p == q && p[1] == q)
				p++;
			else if (*p == q)
				return p + 1;
		return p;
	}
	if (p[0] == '-' && p[1] == '-')
		return (e = strchr(p, '\n')) ? e : p + strlen(p);
	if (p[0] == '/' && p[1] == '*')
		return (e = strstr(p + 2, "*/")) ? e + 2 : p + strlen(p);
	if (p[0] == '$') {
		const char *tag = p + 1;
		while (isalnum((unsigned char)*tag) || *tag == '_')
			tag++;
		if (*tag == '$') {
			size_t n = (size_t)(tag - p + 1);
			for (e = tag + 1; (e = strchr(e, '$')) != NULL; e++)
				if (!strncmp(e, p, n))
					return e + n;
			return p + strlen(p);
		}
	}
	return p;
}

static int keyword_at(const char *s, const char *p, const char *word)
{
	size_t n = strlen(word);

	return !strncasecmp(p, word, n) && (p == s || !(isalnum((unsigned char)p[-1]) || p[-1] == '_')) &&
	       !(isalnum((unsigned char)p[n]) || p[n] == '_');
}

int sqlcheck_where_span(const char *stmt, size_t *from, size_t *to)
{
	const char *p = stmt, *where = NULL, *end = NULL, *q;
	int depth = 0, update;

	while (isspace((unsigned char)*p))
		p++;
	update = keyword_at(stmt, p, "UPDATE");
	for (; *p; p++) {
		if ((q = skip_quoted(p)) != p) {
			p = q - 1;
			continue;
		}
		if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
		if (depth)
			continue;
		if ((update && keyword_at(stmt, p, "FROM")) || (!update && keyword_at(stmt, p, "USING")))
			return -1;
		if (!where && keyword_at(stmt, p, "WHERE"))
			where = p;
		else if (where && !end && keyword_at(stmt, p, "RETURNING"))
			end = p;
	}
	if (!where)
		return -1;
	if (!end)
		end = p;
	while (end > where && (isspace((unsigned char)end[-1]) || end[-1] == ';'))
		end--;
	*from = (size_t)(where - stmt);
	*to = (size_t)(end - stmt);
	return 0;
}
