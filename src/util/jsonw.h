/*
 * jsonw.h: write JSON as it is produced, in exactly the form jansson's
 * json_dumpf gives with JSON_INDENT(2) (two-space indent, "key": value,
 * one item per line, {} and [] when empty). Nothing is held in memory, so
 * a 30 MB snapshot costs no tree; the caller emits object keys in sorted
 * order itself, and the output is then byte for byte the canonical form
 * (schema.h).
 *
 * Strings that are not well-formed UTF-8 get U+FFFD for each bad byte.
 */
#ifndef MGATE_JSONW_H
#define MGATE_JSONW_H

#include <stdio.h>

#define JSONW_MAX_DEPTH 32

#define JSONW_BUF 65536

typedef struct jsonw {
	FILE *f;
	size_t len; /* bytes waiting in out[] */
	int failed; /* a write to f failed */
	int depth;
	unsigned char empty[JSONW_MAX_DEPTH]; /* per open level: no item written yet */
	int after_key;                        /* the next value completes a "key": */
	char out[JSONW_BUF];                  /* written to f when full, and by jsonw_finish */
} jsonw;

void jsonw_init(jsonw *w, FILE *f);
void jsonw_object_begin(jsonw *w);
void jsonw_object_end(jsonw *w);
void jsonw_array_begin(jsonw *w);
void jsonw_array_end(jsonw *w);
/* The key of the object member whose value comes next. */
void jsonw_key(jsonw *w, const char *key);
/* A string value; NULL writes null. */
void jsonw_string(jsonw *w, const char *s);
void jsonw_int(jsonw *w, long long v);
void jsonw_bool(jsonw *w, int v);
void jsonw_null(jsonw *w);
/* An object member in one call: jsonw_key then the value. */
void jsonw_kv_string(jsonw *w, const char *key, const char *s);
void jsonw_kv_bool(jsonw *w, const char *key, int v);
/* End the document with a newline and hand everything to `f` (not
 * flushed); -1 when any write failed or the document is not closed. */
int jsonw_finish(jsonw *w);

#endif
