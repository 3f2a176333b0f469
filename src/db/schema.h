/*
 * schema.h: mgate's canonical model of a database schema, and the
 * difference between two models.
 *
 * A snapshot is a JSON object, deterministic and diff-friendly:
 *   {"mgate_snapshot": 1, "schema": "mgate.snapshot/1", "dialect": "postgresql"|"sqlite", "server": "...",
 *    "tables": {"schema.table": {"kind", "rows_estimate",
 *        "columns": {"name": {"position", "type", "nullable", "default",
 *                             "identity", "generated"}},
 *        "primary_key": {"name", "columns"} | null,
 *        "unique": {"name": {"columns", "definition", "deferrable"}},
 *        "checks": {"name": {"definition", "validated"}},
 *        "foreign_keys": {"name": {"columns", "references", "ref_columns",
 *                                  "on_delete", "on_update", "deferrable", "validated"}},
 *        "indexes": {"name": {"definition", "unique", "method", "columns",
 *                             "predicate", "valid"}}}},
 *    "views": {"schema.view": {"materialized", "definition"}},
 *    "sequences": {"schema.seq": {...}}, "enums": {"schema.type": [labels]}}
 * Objects are keyed by name; every key is written sorted.
 */
#ifndef MGATE_SCHEMA_H
#define MGATE_SCHEMA_H

#include <stdio.h>

#include "util/buf.h"
#include "util/error.h"

/* Write a snapshot (a json_t *) in canonical form: sorted keys, 2-space
 * indent, a final newline. */
void schema_dump(buf *out, const void *snapshot);
/* The same, written to `f` as it is made (nothing held in memory); -1 on
 * a write error. */
int schema_write(FILE *f, const void *snapshot);

/* Read a snapshot file. MG_ECONFIG for a file that is not one. */
int schema_load(void **out, const char *path, mg_error *err);

/*
 * The differences from `a` to `b`, as a JSON array of
 * {"change": "added"|"removed"|"changed", "path": [...], "what": "...",
 *  "before", "after", "text"} (a json_t *), in a stable order. `text` is
 * the change in words: "column public.users.email: nullable true -> false".
 */
void *schema_diff(const void *a, const void *b);

#endif
