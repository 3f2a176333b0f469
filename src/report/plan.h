/*
 * plan.h: `mgate plan` written out: each step of the upgrade with its
 * operations in plain words, the lock each takes, the live size of its
 * table and the findings; and `mgate status`: the version rows, the heads
 * and what `alembic upgrade` would run. As text or JSON.
 */
#ifndef MGATE_REPORT_PLAN_H
#define MGATE_REPORT_PLAN_H

#include <stdio.h>

#include "alembic/project.h"
#include "alembic/status.h"
#include "gate/preview.h"
#include "gate/session.h"

void report_plan_text(FILE *out, const preview *pv, const session *s, const char *target, int quiet);
/* {"current", "target", "steps": [{"revision", "path", "doc", "is_merge", "operations", "findings"}]} */
void *report_plan_json(const preview *pv, const session *s, const char *target);

/* `mgate status`: the database (`where`), its rows, the heads, the target
 * and the pending steps in Alembic's order. */
void report_status_text(FILE *out, const project *p, const char *where, const strvec *rows, const char *target,
			const status_plan *sp);
void *report_status_json(const project *p, const strvec *rows, const char *where, const char *target,
			 const status_plan *sp);

#endif
