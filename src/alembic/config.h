/*
 * config.h: where an Alembic project's pieces are, resolved the way
 * Alembic resolves them from alembic.ini.
 *
 * script_location and version_locations follow Alembic: relative paths
 * are taken from the current directory (use %(here)s for the ini's
 * folder), version_locations is split by path_separator or
 * version_path_separator (or Alembic's legacy space/comma rule). mgate's
 * own settings live in the [mgate] section of the same file.
 */
#ifndef MGATE_CONFIG_H
#define MGATE_CONFIG_H

#include "alembic/inifile.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/strvec.h"

/* Which Alembic release's loading rules to follow. Alembic 1.10 began to
 * sort revision files and to support recursive version locations; before
 * it, files load in directory order. */
typedef struct alembic_compat {
	int major, minor;
	const char *source; /* "config", "option", "detected" or "default" */
} alembic_compat;

typedef struct config_opts {
	const char *ini_path;        /* -c; NULL means ./alembic.ini */
	const char *section;         /* --name; NULL means "alembic" */
	const char *script_location; /* --script-location: no ini needed */
	const char *alembic_version; /* --alembic-version X.Y */
	int no_cache;                /* --no-cache */
} config_opts;

#define CONFIG_OPTS_INIT                  \
	{                                 \
		NULL, NULL, NULL, NULL, 0 \
	}

typedef struct mgate_config {
	char *ini_path; /* absolute, or NULL when none was read */
	char *section;
	char *here;               /* the ini's folder */
	char *script_location;    /* absolute */
	strvec version_locations; /* absolute folders, in order */
	int version_locations_given;
	int recursive; /* recursive_version_locations = true */
	int sourceless;
	char *sqlalchemy_url; /* may be NULL; may hold a password: never print it raw */
	strpairs names;       /* [mgate] names: module.NAME -> value, for the scanner */
	alembic_compat compat;
	int scan_cache; /* remember scan results between runs (scancache.h) */
	ini_file ini;
} mgate_config;

/* Resolve the project. MG_ECONFIG for anything the user must fix. */
int config_load(mgate_config *out, const config_opts *opts, mg_error *err);

/* A value from the [mgate] section (interpolated), or NULL. */
char *config_mgate_option(const mgate_config *cfg, const char *key);

/*
 * The text of an alembic.ini with `sqlalchemy.url` in `section` set to
 * `url` (its `%` doubled for configparser): the old value's lines go, the
 * new one follows the section header (a missing section is added at the
 * end). Everything else is kept byte for byte, so `%(here)s` and the other
 * settings mean what they meant.
 */
void config_with_url(buf *out, const char *text, const char *section, const char *url);

/* True when load order is sorted file names (Alembic >= 1.10). */
int config_sorted_listing(const mgate_config *cfg);

/* Parse "X.Y" or "X.Y.Z". */
int config_parse_version(alembic_compat *out, const char *s);

void config_release(mgate_config *cfg);

#endif
