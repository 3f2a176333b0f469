/*
 * alembic_cmd.c: Alembic's argv (alembic_cmd.h).
 */
#include "gate/alembic_cmd.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/banned.h"

/* Whether `alembic` is an executable on PATH. */
static int alembic_on_path(void)
{
	const char *path = getenv("PATH");
	int found = 0;

	while (path && *path && !found) {
		size_t n = strcspn(path, ":");
		buf b = BUF_INIT;
		buf_printf(&b, "%.*s/alembic", (int)n, path);
		found = access(b.ptr, X_OK) == 0;
		buf_release(&b);
		path += n + (path[n] == ':');
	}
	return found;
}

void alembic_argv(strvec *out, const mgate_config *cfg)
{
	size_t i;

	if (cfg->settings.alembic_cmd.n) {
		for (i = 0; i < cfg->settings.alembic_cmd.n; i++)
			strvec_push(out, cfg->settings.alembic_cmd.v[i]);
	} else if (alembic_on_path()) {
		strvec_push(out, "alembic");
	} else {
		strvec_push(out, "python3");
		strvec_push(out, "-m");
		strvec_push(out, "alembic");
	}
}

void alembic_command(strvec *out, const mgate_config *cfg, const char *ini, const char *verb, const char *target,
		     const char *extra)
{
	alembic_argv(out, cfg);
	if (ini) {
		strvec_push(out, "-c");
		strvec_push(out, ini);
		strvec_push(out, "-n");
		strvec_push(out, cfg->section);
	}
	strvec_push(out, verb);
	strvec_push(out, target);
	if (extra)
		strvec_push(out, extra);
	strvec_argv(out); /* callers pass out->v as an argv */
}
