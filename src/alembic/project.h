/*
 * project.h: an Alembic project, loaded: its configuration, its revision
 * scripts (as Alembic loads them) and the revision graph built from them,
 * with every problem found on the way as a finding.
 *
 * This is the first step of every command that reads the scripts.
 */
#ifndef MGATE_PROJECT_H
#define MGATE_PROJECT_H

#include "alembic/config.h"
#include "alembic/revmap.h"
#include "alembic/scriptdir.h"
#include "util/finding.h"

typedef struct project {
	mgate_config cfg;
	scriptdir sd;
	revmap map;     /* map.broken when a script could not be read or the graph is unsound */
	findings found; /* problems with the scripts and the graph */
} project;

typedef struct project_opts {
	config_opts config;
	int keep_sources; /* keep each script's bytes (for hashing and linting) */
} project_opts;

/* Load the project. MG_ECONFIG (the configuration: exit 2) or MG_EENV
 * (reading the scripts: exit 3) with the message in `err`; problems with
 * the scripts and the graph are findings, not errors. */
int project_load(project *out, const project_opts *o, mg_error *err);

/* Release; an empty (zeroed) project is fine. */
void project_release(project *p);

#endif
