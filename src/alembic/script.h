/*
 * script.h: one revision script as mgate read it: its revision, parents,
 * labels, dependencies, docstring, and where its upgrade() and
 * downgrade() are. The script folder (scriptdir.h) makes them and the scan
 * cache (scancache.h) remembers them.
 */
#ifndef MGATE_SCRIPT_H
#define MGATE_SCRIPT_H

#include <stddef.h>

#include "python/pyscan.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/strvec.h"

/* One loaded script. Every string and list in it lives in its scriptdir's
 * arena: a script is read-only and dies with the directory. */
typedef struct script {
	const char *path; /* as Alembic reports it: version location joined with the file name */
	const char *revision;
	strlist down;         /* down revisions as written; empty for a base */
	strlist depends;      /* depends_on as written */
	strlist labels;       /* branch_labels as written */
	int depends_declared; /* depends_on is not None/empty (Alembic's "real base" test) */
	const char *doc;      /* stripped docstring, or "" */
	int revision_line, down_line;
	int labels_line, depends_line; /* 0: not written */
	pyscan_span upgrade, downgrade;
	const char *src; /* the file's bytes, when the directory keeps sources and it was read */
	size_t src_len;
} script;

/* The script's bytes, appended to `out`: the kept source when the
 * directory kept it, else read from s->path (MG_EENV naming the file). */
int script_source(buf *out, const script *s, mg_error *err);

#endif
