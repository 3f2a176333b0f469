/*
 * scriptdir.h: the revision scripts of a project, loaded as Alembic loads
 * them.
 *
 * Files are listed from each version location in Alembic's load order
 * (directory order before Alembic 1.10, sorted names after), filtered by
 * Alembic's name rules (`*.py`, not `__init__*`, not `.#*`), and each is
 * read with pyscan. Problems become findings; a script whose revision or
 * down_revision cannot be known is left out of the graph.
 */
#ifndef MGATE_SCRIPTDIR_H
#define MGATE_SCRIPTDIR_H

#include "alembic/config.h"
#include "alembic/script.h"
#include "util/finding.h"
#include "python/pyscan.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/strvec.h"

typedef struct scriptdir {
	script *v;
	size_t n, alloc;
	size_t files_read;
	size_t cache_hits; /* of files_read, how many came from the scan cache */
	int keep_sources;  /* set before loading: keep each file read in script.src */
	arena mem;         /* the scripts' strings and lists */
} scriptdir;

/* Load every script (out->keep_sources may be set first). Findings are appended to `f`. Returns MG_OK even when
 * scripts have problems (those are findings); negative for configuration
 * or I/O errors that stop everything. */
int scriptdir_load(scriptdir *out, const mgate_config *cfg, findings *f, mg_error *err);

/* Read one file (for tests and `mgate lint FILE`). Adds it to `out` when
 * it defines a usable revision. */
int scriptdir_read_file(scriptdir *out, const char *path, const char *filename, const pyscan_names *names,
			findings *f, mg_error *err);

/* Scan source already in memory (a blob from git) as the file `path`.
 * Adds it to `out` when it defines a usable revision. */
int scriptdir_add_source(scriptdir *out, const char *path, const char *filename, const char *src, size_t len,
			 const pyscan_names *names, findings *f);

/* Alembic's file-name rules for a version location's entries: `*.py`, not
 * `__init__*`, not an editor lock file `.#*`. */
int scriptdir_wanted_name(const char *filename);

void scriptdir_release(scriptdir *sd);

#endif
