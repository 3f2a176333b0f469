/*
 * doc.h: the envelope of every JSON document mgate prints.
 *
 * A document is an object whose first keys are "schema" ("mgate.NAME/1",
 * described by docs/schema/NAME.schema.json) and "root" (the absolute
 * folder paths are relative to, or null), then the command's own fields.
 * File paths in it are relative to the root when they are under it and
 * stay absolute otherwise, so a consumer resolves every one the same way.
 */
#ifndef MGATE_REPORT_DOC_H
#define MGATE_REPORT_DOC_H

#include <stdio.h>

/* `path` relative to `root` when it lies under it (a pointer into `path`),
 * else `path` itself. NULL `root` or `path` gives `path`. */
const char *report_root_path(const char *path, const char *root);

/* The document `name` around `body` (a json_t *, consumed): an object's
 * fields follow "schema" and "root"; an array becomes the field
 * `array_key`. Every file path field is made relative to `root`. */
void *report_doc(const char *name, const char *root, void *body, const char *array_key);

/* The first lines of a streamed document: "{", "schema" and "root", each
 * followed by a comma, indented by two spaces. */
void report_doc_open(FILE *out, const char *name, const char *root);

#endif
