/*
 * doc.c: the envelope of mgate's JSON documents (doc.h).
 */
#include "report/doc.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "util/banned.h"

/* The fields that hold a file's path, wherever they are in a document. */
static const char *const path_keys[] = { "path", "file", "backup", "pre_restore_backup", "manifest", "kept", "snapshot", NULL };

const char *report_root_path(const char *path, const char *root)
{
	size_t n;

	if (!path || !root || path[0] != '/')
		return path;
	n = strlen(root);
	while (n > 1 && root[n - 1] == '/')
		n--;
	if (!strncmp(path, root, n) && path[n] == '/' && path[n + 1])
		return path + n + 1;
	return path;
}

static int is_path_key(const char *key)
{
	size_t i;

	for (i = 0; path_keys[i]; i++)
		if (!strcmp(key, path_keys[i]))
			return 1;
	return 0;
}

static void relativise(json_t *v, const char *root)
{
	const char *key;
	json_t *x;
	size_t i;

	if (json_is_array(v)) {
		json_array_foreach(v, i, x)
			relativise(x, root);
		return;
	}
	if (!json_is_object(v))
		return;
	json_object_foreach(v, key, x)
	{
		const char *s = json_is_string(x) ? json_string_value(x) : NULL;
		const char *rel = s && is_path_key(key) ? report_root_path(s, root) : s;

		if (rel && rel != s)
			json_string_set(x, rel);
		else if (!s)
			relativise(x, root);
	}
}

void *report_doc(const char *name, const char *root, void *body, const char *array_key)
{
	json_t *doc = json_object(), *b = body;
	char schema[64];

	snprintf(schema, sizeof(schema), "mgate.%s/1", name);
	json_object_set_new(doc, "schema", json_string(schema));
	json_object_set_new(doc, "root", json_text(root));
	if (json_is_object(b)) {
		json_object_del(b, "schema");
		json_object_update(doc, b);
		json_decref(b);
	} else if (b) {
		json_object_set_new(doc, array_key ? array_key : "items", b);
	}
	if (root)
		relativise(doc, root);
	return doc;
}

void report_doc_open(FILE *out, const char *name, const char *root)
{
	json_t *r = json_text(root);
	char *text = json_dumps(r, JSON_ENCODE_ANY);

	fprintf(out, "{\n  \"schema\": \"mgate.%s/1\",\n  \"root\": %s,\n", name, text ? text : "null");
	free(text);
	json_decref(r);
}
