/*
 * gate.h: the checklist and the upgrade, written out: the checklist as
 * text (each check, its verdict, evidence and next step), JSON, JUnit and
 * a flat list of findings; an upgrade's outcome with the state the
 * database is in and the ways back.
 */
#ifndef MGATE_REPORT_GATE_H
#define MGATE_REPORT_GATE_H

#include <stdio.h>

#include "gate/checklist.h"
#include "gate/session.h"
#include "gate/upgrade.h"

/* `detail`: -1 failed checks and error findings only (-q), 0 warnings
 * too, 1 also suppressed and informational findings (-v). A closed gate
 * ends with the override for the rule findings that closed it. */
void report_checklist_text(FILE *out, const checklist_result *g, const char *target, const char *where, int detail);
/* {"verdict", "checks", "current", "target", "pending"} (a json_t *). */
void *report_checklist_json(const checklist_result *g, const char *target);
/* JUnit: one test case per check that did not pass. */
void report_checklist_junit(FILE *out, const checklist_result *g);
/* Every check's findings, plus one for a failed check that has none. */
void report_checklist_findings(findings *out, const checklist_result *g);

/* What an upgrade came to, after Alembic's own output: where the
 * database is, what failed or did not verify, and the ways back. The
 * messages for standard error (`err_msg`, the stage's) are the caller's. */
void report_upgrade_text(FILE *out, const upgrade_result *r, const session *s, const char *target);
/* The rows each table gained, lost and changed (data.h), a line per
 * table, each line starting with `indent`. */
void report_data_text(FILE *out, const data_report *d, const char *indent);
/* The same as the document mgate.upgrade/1's fields (a json_t *): the
 * result, the rows before and after, the gate's checks, Alembic's run, the
 * verification, and the ways back as commands when the database changed
 * and is not verified. `id` is the run's correlation id. */
void *report_upgrade_json(const upgrade_result *r, const session *s, const char *target, const char *id);

/* "a, b" or `none` for no rows. */
void report_rows(FILE *out, const strvec *rows, const char *none);

/* Findings as "  severity: message [id]" lines. */
void report_findings_brief(FILE *out, const findings *f, int quiet);

#endif
