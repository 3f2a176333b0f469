/*
 * scancache.h: remember what scanning each revision script found, so that
 * a script that has not changed is not read again.
 *
 * An entry is valid only while the file's device, inode, size, mtime and
 * ctime (nanoseconds) are unchanged, and never when the file was modified
 * within a second of the cache being written (git's "racy" rule: a change
 * in the same clock tick could leave the stat data equal). The cache lives
 * in $MGATE_CACHE_DIR, else $XDG_CACHE_HOME/mgate, else ~/.cache/mgate; it
 * is written atomically with mode 0600, in load order, keeping only the
 * entries taken or stored since it was opened (other files are gone), and
 * ends with a SHA-256 of its contents. Any damage (a checksum that does
 * not match, a malformed entry) makes it start empty: a cache can make
 * mgate faster, never different.
 */
#ifndef MGATE_SCANCACHE_H
#define MGATE_SCANCACHE_H

#include <stddef.h>
#include <sys/stat.h>

#include "util/finding.h"
#include "alembic/script.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/error.h"

typedef struct scancache scancache;

/* The identity of a file as the cache compares it. */
typedef struct scancache_stat {
	unsigned long long dev, ino, size, mtime_ns, ctime_ns;
} scancache_stat;

void scancache_stat_from(scancache_stat *out, const struct stat *st);

/*
 * Open the cache for one project. `key` names the project and everything
 * that changes how files are read (locations, Alembic compat, names). Never
 * fails: without a usable cache folder, *out is a cache that stores nothing.
 * The file is read whole into `keep`, and the scripts scancache_take
 * decodes from it point into it instead of copying: `keep` must live as
 * long as they do.
 */
void scancache_open(scancache **out, const char *key, arena *keep);

/*
 * The files about to be looked up, in load order. When the cache holds
 * exactly these paths in this order (the usual case: it is saved in load
 * order), each lookup is one comparison at its position; otherwise this
 * builds a path index. Call before scancache_find.
 */
void scancache_prepare(scancache *c, const char *const *paths, size_t n);

/* The entry for `path`, the `pos`-th file of scancache_prepare's list,
 * when its stat data still match and it was not modified within a second
 * of the cache being written; else -1. Safe to call from several threads
 * at once (it only reads). */
int scancache_find(const scancache *c, const char *path, size_t pos, const scancache_stat *st);

/* Decode entry `e` (from scancache_find) into `s` and `f` (their strings in
 * `mem`, or in the body kept by scancache_open when the entry came from
 * the file), and keep it for the next save. 0, or -1 (`s` left empty) when
 * the record is damaged. */
int scancache_take(scancache *c, int e, size_t pos, const char *path, arena *mem, script *s, findings *f);

/* Remember one file's result, the `pos`-th of the prepared list
 * (single-threaded). `s->revision` NULL means the file yields no script. */
void scancache_store(scancache *c, const char *path, size_t pos, const scancache_stat *st, const script *s,
		     const findings *f);

/* How many files the cache knows. */
size_t scancache_count(const scancache *c);
/* Write the cache if anything changed. Errors are ignored by design. */
void scancache_save(scancache *c);

void scancache_free(scancache *c);

/* The cache's own file format, exposed for tests and fuzzing: parse
 * `data` into `c` (replacing its entries); -1 on any malformation or a
 * checksum that does not match. */
int scancache__parse(scancache *c, const unsigned char *data, size_t len);
void scancache__serialize(const scancache *c, buf *out);
scancache *scancache__new_memory(void);
/* Decode every record; returns how many decoded cleanly. */
size_t scancache__decode_all(const scancache *c);

#endif
