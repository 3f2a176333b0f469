/*
 * rescue.h: the bad day's commands, written out: the ways back of a
 * rollback (text and JSON) and what taking one did, a restore, a drill, a
 * rehearsal, and backups.
 */
#ifndef MGATE_REPORT_RESCUE_H
#define MGATE_REPORT_RESCUE_H

#include <stdio.h>

#include "gate/backup.h"
#include "gate/drill.h"
#include "gate/rehearse.h"
#include "gate/restore.h"
#include "gate/rollback.h"
#include "gate/session.h"

/* The ways back, compared, and the one recommended. */
void report_rollback_text(FILE *out, const rollback_ways *w, const session *s, int quiet);
void *report_rollback_json(const rollback_ways *w, const session *s);
/* What taking the chosen way did, after Alembic's own output. */
void report_rollback_result(FILE *out, const rollback_result *r, const rollback_ways *w);

/* A restore that finished: where the database is now and what was kept. */
void report_restore_text(FILE *out, const restore_result *r, const restore_plan *plan);
void *report_restore_json(const restore_result *r, const restore_plan *plan, int verified);

/* A drill's verdict, after its progress lines. */
void report_drill_text(FILE *out, const drill_result *r);
void *report_drill_json(const drill_result *r);
/* The drills the audit log records. */
void report_drills_text(FILE *out, const audit_drill_row *v, size_t n, const char *where);

/* A rehearsal: each revision with its time, locks and rewrites,
 * verification and the round trip. */
void report_rehearse_text(FILE *out, const rehearse_result *r, const session *s);

/* One backup as JSON: {"path", "status", "problem", "created_at", "size",
 * "sha256", "database", "database_identity", "revisions"}. */
void *report_backup_json(const backup_info *b);
/* The backups of a folder as a JSON array of report_backup_json's. */
void *report_backups_json(const backup_list *l);
/* The backups of a folder, newest first, one line each. */
void report_backups_text(FILE *out, const backup_list *l, const char *dir);

#endif
