/*
 * inifile.h: read an INI file as Python's configparser reads it.
 *
 * inih parses the structure (sections, keys, continuation lines,
 * comments). Values are then taken from the raw line, so that a ';' inside
 * a value (configparser has no inline comments) and lines longer than
 * inih's compiled limit keep their full text. Keys are lowercased, as
 * configparser's optionxform does; a duplicate key or section is an error,
 * as in configparser's strict mode.
 */
#ifndef MGATE_INIFILE_H
#define MGATE_INIFILE_H

#include "util/error.h"
#include "util/strvec.h"

typedef struct ini_entry {
	char *section;
	char *key;
	char *value; /* raw: continuation lines joined with '\n', not interpolated */
	int line;
} ini_entry;

typedef struct ini_file {
	char *path;
	ini_entry *entries;
	size_t n, alloc;
	strvec sections;
} ini_file;

/* Parse `path`. Errors name the file and line. MG_ENOTFOUND when absent. */
int ini_load(ini_file *out, const char *path, mg_error *err);

/* Parse text already in memory (`name` is used in messages). */
int ini_parse_text(ini_file *out, const char *name, const char *text, size_t len, mg_error *err);

/* The raw entry for `key` in `section`, falling back to [DEFAULT]. */
const ini_entry *ini_find(const ini_file *f, const char *section, const char *key);

int ini_has_section(const ini_file *f, const char *section);

/*
 * The value of `key` in `section`, with configparser's basic
 * interpolation: `%(name)s` from the same section, [DEFAULT], or `vars`
 * (pairs of name, value; for Alembic, "here"); `%%` is a literal '%'.
 * *out is a heap string the caller frees. MG_ENOTFOUND when the key is
 * absent; MG_ECONFIG for a bad reference.
 */
int ini_get(char **out, const ini_file *f, const char *section, const char *key, const strvec *vars,
	    mg_error *err);

void ini_file_release(ini_file *f);

#endif
