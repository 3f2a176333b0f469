/*
 * audit.h: the audit log: one JSON object per line for every gate decision
 * and every upgrade, appended to a file that rotates by size.
 *
 * A line says who ran what (the OS user, and CI / GITHUB_ACTOR when set),
 * on which database (redacted), from and to which revisions, each check's
 * verdict, every override with its reason, Alembic's exit status, the
 * verification result and the durations, under one correlation id.
 */
#ifndef MGATE_AUDIT_H
#define MGATE_AUDIT_H

#include <stddef.h>

#include "util/error.h"

/* A fresh correlation id: 16 hex digits. */
void audit_new_id(char out[17]);

/* The user running mgate, with CI context: "alice", "runner (CI, GITHUB_ACTOR=bob)". */
char *audit_who(void);

/*
 * Append `entry` (a json_t * object; not freed) as one line to `path`,
 * created 0600. When the file is larger than `max_bytes` it is first
 * rotated: path -> path.1 -> ... -> path.5 (the oldest is dropped).
 */
int audit_append(const char *path, void *entry, long long max_bytes, mg_error *err);

/*
 * The entries of the log at `path` (its rotated files included), oldest
 * first, as a json_t * array: those of `command` on `database` (the
 * redacted URL; either NULL for any). Lines that are not JSON objects are
 * skipped; a missing file is an empty log.
 */
void *audit_read(const char *path, const char *command, const char *database);

#endif
