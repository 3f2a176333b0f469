/*
 * alembic_cmd.h: the Alembic command lines mgate runs, as argv (never a
 * shell): alembic_cmd in [mgate], else `alembic` when it is on PATH, else
 * `python3 -m alembic`.
 */
#ifndef MGATE_ALEMBIC_CMD_H
#define MGATE_ALEMBIC_CMD_H

#include "alembic/config.h"
#include "util/strvec.h"

/* The Alembic program's words, appended to `out`. */
void alembic_argv(strvec *out, const mgate_config *cfg);

/* The whole command `verb target [extra]` on the ini file `ini` (NULL:
 * none) and cfg's section, ready for spawn: NULL-terminated, the
 * terminator not counted in out->n. */
void alembic_command(strvec *out, const mgate_config *cfg, const char *ini, const char *verb, const char *target,
		     const char *extra);

#endif
