/*
 * pgexpr.h: stored PostgreSQL expressions (the pg_node_tree text of an
 * index's expressions or predicate) written in words by mgate, exactly as
 * the server's pg_get_expr and pg_get_indexdef write them.
 *
 * The server can only put such a tree in words after opening its table
 * (a relation cache entry, a dozen catalog lookups per table in a fresh
 * session): at 5,000 tables that is most of a snapshot's time. The common
 * index expressions and predicates are small: columns, constants of a few
 * types, calls of built-in functions, built-in operators, AND / OR / NOT
 * and IS [NOT] NULL (and in column defaults, nextval('a_seq'::regclass)).
 * pgexpr writes those and refuses everything else (the
 * caller then asks the server). Function and operator names are written
 * unqualified only when the caller's catalog callbacks say the server
 * would find that very function or operator by name; constants are read
 * from the stored bytes only when the server is known to be little-endian.
 */
#ifndef MGATE_PGEXPR_H
#define MGATE_PGEXPR_H

#include "pgdef.h"
#include "util/buf.h"

typedef struct pgexpr_env {
	const pgdef_table *table;   /* column names of the one table (varno 1) */
	const pgdef_quoting *quoting;
	/* The name of function `oid`, when called with exactly these argument
	 * types it is the one the server finds unqualified; else NULL. */
	const char *(*function)(const void *ctx, unsigned long oid, int nargs, const unsigned long *argtypes);
	/* Likewise for binary operator `oid` with these operand types. */
	const char *(*operator_name)(const void *ctx, unsigned long oid, unsigned long left, unsigned long right);
	/* The relation `oid` as regclass output names it: *schema NULL when it
	 * is visible on the search path; -1 when that is not known. */
	int (*relation)(const void *ctx, unsigned long oid, const char **schema, const char **name);
	const void *ctx;
	int catalog_first;    /* pg_catalog is first on the search path */
	int little_endian;    /* stored constants may be decoded */
	int standard_strings; /* standard_conforming_strings is on */
} pgexpr_env;

/* The number of elements of the stored list `tree`, or -1 if it is not
 * one (an index's expressions are a list; its predicate is one node). */
int pgexpr_count(const char *tree);

/*
 * Append element `k` of the list `tree` (k < 0: `tree` is one node) to
 * `out` as the server writes it (pg_get_expr, non-pretty). With
 * `calls_only`, only function calls, columns and constants are accepted:
 * their text is the same with the server's "pretty" option and needs no
 * parentheses in an index definition. The result's type and collation go
 * to *type and *collation. -1, `out` unchanged, for anything else.
 */
int pgexpr_write(buf *out, const char *tree, int k, int calls_only, const pgexpr_env *env, unsigned long *type,
		 unsigned long *collation);

#endif
