/*
 * sqlcheck.h: what the SQL inside a migration does, statement by
 * statement.
 *
 * PostgreSQL SQL is parsed with libpg_query (the server's own parser) and
 * each statement, or each subcommand of an ALTER TABLE, is classified
 * from the parse tree: drop_table, drop_column, alter_column_type,
 * set_not_null, add_constraint (with its type and NOT VALID),
 * create_index (CONCURRENTLY), truncate, delete/update (WHERE), and the
 * rest listed in docs/rules.md. A statement carries facts (name=value
 * pairs) for the rules to test.
 *
 * SQL that the PostgreSQL parser rejects is an error with its message
 * and position. For a SQLite target, statements the parser rejects are
 * classified by PCRE2 patterns instead (SQLite's dialect is not
 * PostgreSQL's), and no parse error is reported.
 */
#ifndef MGATE_SQLCHECK_H
#define MGATE_SQLCHECK_H

#include <stddef.h>

#include "util/error.h"
#include "util/strvec.h"

typedef struct sqlstmt {
	char *cls;   /* the class, e.g. "drop_column" */
	char *table; /* the relation, schema-qualified as written, or NULL */
	strvec columns;
	char *object;      /* index, constraint, sequence or schema name */
	strvec keys, vals; /* facts for the rules, e.g. "concurrently" = "1" */
	int offset;        /* byte offset of the statement in the SQL text */
	int line;          /* 1-based line of that offset in the SQL text */
	char *text;        /* the statement's own text */
} sqlstmt;

typedef struct sqlstmts {
	sqlstmt *v;
	size_t n, alloc;
	int parse_failed; /* the parser rejected the text (see error fields) */
	char *error;      /* the parser's message */
	int error_offset; /* 0-based byte offset, or -1 */
	int error_line;   /* 1-based line in the SQL text */
	int by_pattern;   /* classified by the PCRE2 fallback */
} sqlstmts;

typedef enum sql_dialect { SQL_POSTGRESQL = 0,
			   SQL_SQLITE } sql_dialect;

/*
 * Classify every statement of `sql`. A parse failure is not an error
 * return: it sets parse_failed (PostgreSQL) or falls back to patterns
 * (SQLite). Returns MG_OK, or MG_ERR when a pattern fails to compile.
 */
int sqlcheck_classify(sqlstmts *out, const char *sql, sql_dialect dialect, mg_error *err);

/* The value of fact `key` on `s`, or NULL. */
const char *sqlstmt_fact(const sqlstmt *s, const char *key);

/* Where the WHERE clause of a DELETE or UPDATE statement `stmt` is: from
 * the keyword to before a RETURNING clause or a final semicolon, at the
 * top level (not in quotes, comments or parentheses). -1 when there is
 * none, or when the statement joins another table (DELETE ... USING,
 * UPDATE ... FROM), so the clause alone does not say which rows. */
int sqlcheck_where_span(const char *stmt, size_t *from, size_t *to);

/* Split PostgreSQL SQL into its statements' texts (the server's parser;
 * comments before a statement stay with it). MG_ERR when it does not parse. */
int sqlcheck_split(strvec *out, const char *sql, mg_error *err);

void sqlstmts_release(sqlstmts *s);

#endif
