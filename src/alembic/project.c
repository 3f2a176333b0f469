/*
 * project.c: load an Alembic project: configuration, scripts, graph.
 */
#include "alembic/project.h"

#include <string.h>

#include "util/banned.h"

int project_load(project *out, const project_opts *o, mg_error *err)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = config_load(&out->cfg, &o->config, err)) < 0)
		return rc == MG_EENV ? MG_EENV : MG_ECONFIG;
	out->sd.keep_sources = o->keep_sources;
	if ((rc = scriptdir_load(&out->sd, &out->cfg, &out->found, err)) < 0)
		return rc == MG_ECONFIG ? MG_ECONFIG : MG_EENV;
	/* A script that could not be read leaves a hole in the graph: heads
	 * and order computed without it would be wrong, so the graph counts as
	 * broken and commands print no graph data. */
	rc = findings_count(&out->found, SEV_ERROR) > 0;
	revmap_build(&out->map, &out->sd, &out->found);
	if (rc)
		out->map.broken = 1;
	return MG_OK;
}

void project_release(project *p)
{
	if (!p)
		return;
	revmap_release(&p->map);
	scriptdir_release(&p->sd);
	findings_release(&p->found);
	config_release(&p->cfg);
	memset(p, 0, sizeof(*p));
}
