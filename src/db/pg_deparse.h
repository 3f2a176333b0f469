/*
 * pg_deparse.h: the definition texts of PostgreSQL keys and plain indexes,
 * written by mgate exactly as the server's pg_get_constraintdef(oid) and
 * pg_get_indexdef(oid) write them.
 *
 * The server deparses a definition by opening the table (a relation cache
 * entry built from a dozen catalog lookups, for each table of a cold
 * session); for a primary key, a unique or foreign key, and an index of
 * plain columns with default operator classes, every part of the text is
 * a name or a flag the snapshot queries already read. The caller decides
 * which objects qualify (anything else is deparsed by the server).
 * Identifiers are quoted by the server's rule, with the server's own list
 * of keywords (pg_get_keywords) and its quote_all_identifiers setting.
 */
#ifndef MGATE_PG_DEPARSE_H
#define MGATE_PG_DEPARSE_H

#include <stddef.h>

#include "util/buf.h"

/* How the server quotes identifiers. */
typedef struct pg_deparse_quoting {
	const char **keywords; /* the keywords that are not unreserved, sorted (strcmp) */
	size_t nkeywords;
	int quote_all; /* quote_all_identifiers is on */
} pg_deparse_quoting;

/* Append `name` as the server's quote_identifier() writes it. */
void pg_deparse_ident(buf *out, const pg_deparse_quoting *q, const char *name);

/* The name of column `attnum` of one table, or NULL if it has none. */
typedef const char *(*pg_deparse_column_fn)(const void *ctx, long attnum);

typedef struct pg_deparse_table {
	pg_deparse_column_fn column;
	const void *ctx;
} pg_deparse_table;

/* An index on plain columns with default operator classes and collations,
 * no storage parameters, no expressions and no predicate. */
typedef struct pg_deparse_index {
	const char *name, *schema, *table;
	const char *method; /* access method name */
	int unique;
	int can_order;         /* the method sorts (btree): DESC and NULLS apply */
	const char *indkey;    /* pg_index.indkey as text: "1 3" */
	const char *indoption; /* pg_index.indoption as text, one per key column */
	int nkey;              /* pg_index.indnkeyatts; the rest are INCLUDE columns */
} pg_deparse_index;

/* The key kinds composed here, as pg_constraint.contype. */
enum { PG_DEPARSE_PRIMARY = 'p',
       PG_DEPARSE_UNIQUE = 'u',
       PG_DEPARSE_FOREIGN = 'f' };

typedef struct pg_deparse_key {
	int kind;               /* PG_DEPARSE_PRIMARY, PG_DEPARSE_UNIQUE or PG_DEPARSE_FOREIGN */
	const char *conkey;     /* pg_constraint.conkey as text: "{1,2}" */
	const char *indkey;     /* primary/unique: the index's indkey (INCLUDE columns) */
	const char *ref_schema; /* foreign: NULL when the table is visible on the search path */
	const char *ref_table;  /* foreign */
	const char *confkey;    /* foreign: the referenced columns */
	char match;             /* foreign: confmatchtype ('f', 'p', 's') */
	char on_update;         /* foreign: confupdtype ('a' is the default) */
	char on_delete;         /* foreign: confdeltype */
	int deferrable, deferred, validated;
} pg_deparse_key;

/*
 * Append the definition of `ix` on `table`, or of key `k` of `table`
 * (referencing `ref`, for a foreign key), to `out`. -1, with `out` as it
 * was, when a column number names no column or a code is unknown: the
 * caller then asks the server.
 */
int pg_deparse_index_write(buf *out, const pg_deparse_index *ix, const pg_deparse_table *table, const pg_deparse_quoting *q);
int pg_deparse_key_write(buf *out, const pg_deparse_key *k, const pg_deparse_table *table, const pg_deparse_table *ref,
			 const pg_deparse_quoting *q);

/* The words of a foreign key action code (pg_constraint.confupdtype,
 * confdeltype); NULL for 'a' (NO ACTION, left unsaid) and unknown codes. */
const char *pg_deparse_fk_action(char code);

/* The next number of an attribute list ("{1,2}" for int2[], "1 2" for
 * int2vector) into *out, advancing *p; 0 at the end. */
int pg_deparse_next_number(const char **p, long *out);

#endif
