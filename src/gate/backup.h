/*
 * backup.h: backups of the database with a manifest that proves what they
 * are, for `mgate backup` and the gate's backup check.
 *
 * A backup is taken into a hidden temporary file in the backup folder
 * (mode 0600), proven readable by the adapter (integrity_check, or
 * pg_restore --list), hashed, fsync'ed and renamed into place; only then
 * is its manifest written (atomically, 0600). A failed or interrupted
 * backup therefore never leaves a file that looks valid: without a
 * manifest it is not a backup, and `.tmp-` leftovers are listed as such.
 */
#ifndef MGATE_BACKUP_H
#define MGATE_BACKUP_H

#include "db/db.h"
#include "util/strvec.h"
#include "util/sha256.h"

enum backup_status {
	BACKUP_OK = 0,
	BACKUP_MISSING,      /* the manifest's file is gone */
	BACKUP_SIZE,         /* its size differs from the manifest's */
	BACKUP_CHECKSUM,     /* its SHA-256 differs */
	BACKUP_BAD_MANIFEST, /* the manifest cannot be read */
	BACKUP_INCOMPLETE    /* a .tmp- leftover of an interrupted backup */
};

typedef struct backup_info {
	char *path; /* the backup file (absolute) */
	char *manifest_path;
	char *format;      /* "sqlite" or "pg_dump-custom" */
	char *created_at;  /* ISO 8601, UTC */
	long long created; /* seconds since the epoch */
	long long size;
	char sha256[SHA256_HEX];
	char *identity;   /* db_ops.identity of the source */
	char *database;   /* the source URL, redacted */
	strvec revisions; /* the version rows when it was taken */
	char *mgate_version;
	long long duration_ms; /* how long taking it took */
	long long writes;      /* PostgreSQL: rows written since statistics began, when it was taken; -1 unknown */
	int status;            /* enum backup_status, after verification */
	char *problem;         /* what is wrong, when status != BACKUP_OK */
} backup_info;

typedef struct backup_list {
	backup_info *v;
	size_t n, alloc;
} backup_list;

/*
 * Back up `d` into the folder `dir` (created 0700 when missing), recording
 * `revisions` as its state (and the writes counter, without the version
 * table `vt`, which may be NULL for alembic_version). `progress` may be NULL. On success `out`
 * describes the new backup.
 */
int backup_take(backup_info *out, db *d, const db_version_table *vt, const char *dir, const strvec *revisions,
		const char *mgate_version, void (*progress)(double done, void *ctx), void *ctx, mg_error *err);

/* Connect to the database at `url`, read its version rows from `vt`, and
 * back it up into `dir` (backup_take). `where` gets the URL, redacted.
 * MG_ECONFIG for a URL that is no database's. */
int backup_database(backup_info *out, buf *where, const char *url, const db_version_table *vt, const char *dir,
		    void (*progress)(double done, void *ctx), void *ctx, mg_error *err);

/* Every backup in `dir`, newest first, each verified (size and SHA-256)
 * when `verify`; leftovers of interrupted backups are listed as
 * BACKUP_INCOMPLETE. MG_ENOTFOUND when the folder does not exist. */
int backup_list_dir(backup_list *out, const char *dir, int verify, mg_error *err);

const char *backup_status_name(int status);

/* The newest backup in `dir` of the database `identity` whose manifest
 * holds (verified by SHA-256 when `verify`), and among those the newest
 * taken at the version rows `at` when one is (`at` NULL: any): 0, or
 * MG_ENOTFOUND (also when `dir` or `identity` is NULL). */
int backup_newest(backup_info *out, const char *dir, const char *identity, int verify, const strvec *at);

/* One backup, by the path of its file or of its manifest, verified when
 * `verify`. MG_ENOTFOUND when there is no such backup or no manifest. */
int backup_load(backup_info *out, const char *path, int verify, mg_error *err);

/* May `b` be restored over the database at `url`? MG_ERR with the reason
 * when it did not verify (status), is another dialect's, or is of another
 * database than `identity` (NULL: any). */
int backup_restorable(const backup_info *b, const char *url, const char *identity, mg_error *err);

/*
 * Restore `b` (verified: status BACKUP_OK) over the database at `url`.
 * Refused, with nothing changed, when the checksum failed, the format is
 * another dialect's, or `identity` (the target's, NULL to skip) differs
 * from the backup's. `in_place`: the database is the real one (SQLite
 * keeps the previous file, its path in *kept, which the caller frees;
 * NULL when there was none); 0: a throw-away copy, restored without
 * owners and privileges (PostgreSQL), so roles that exist only where the
 * backup was taken are no obstacle on a scratch server.
 */
int backup_restore(const backup_info *b, const char *url, const char *identity, int in_place, char **kept,
		   mg_error *err);

/* PostgreSQL's count of rows inserted, updated and deleted in user tables
 * since its statistics began (pg_stat_user_tables), the version table's
 * and mgate's own left out; -1 elsewhere. Two readings bound the writes
 * between them. */
long long db_writes_counter(db *d, const db_version_table *vt);

void backup_info_release(backup_info *b);
void backup_list_release(backup_list *l);

#endif
