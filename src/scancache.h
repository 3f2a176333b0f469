/*
 * scancache.h: remember what scanning each revision script found, so that
 * a script that has not changed is not read again.
 *
 * An entry is valid only while the file's device, inode, size, mtime and
 * ctime (nanoseconds) are unchanged, and never when the file was modified
 * within a second of the cache being written (git's "racy" rule: a change
 * in the same clock tick could leave the stat data equal). The cache lives
 * in $MGATE_CACHE_DIR, else $XDG_CACHE_HOME/mgate, else ~/.cache/mgate; it
 * is written atomically with mode 0600. Any damage makes it start empty:
 * a cache can make mgate faster, never different.
 */
#ifndef MGATE_SCANCACHE_H
#define MGATE_SCANCACHE_H

#include <stddef.h>
#include <sys/stat.h>

#include "finding.h"
#include "scriptdir.h"
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
 */
void scancache_open(scancache **out, const char *key);

/* Fill `s` and `f` from the cache. Returns 1 on a hit, 0 on a miss. Safe to
 * call from several threads at once (it only reads). */
int scancache_lookup(const scancache *c, const char *path, const scancache_stat *st, script *s, findings *f);

/* Remember one file's result (single-threaded). `s->revision` NULL means
 * the file yields no script. */
void scancache_store(scancache *c, const char *path, const scancache_stat *st, const script *s, const findings *f);

/* Mark the entry for `path` as still in use after a hit; entries neither
 * kept nor stored are dropped at the next save (their files are gone). */
void scancache_keep(scancache *c, const char *path);

/* Write the cache if anything changed. Errors are ignored by design. */
void scancache_save(scancache *c);

void scancache_free(scancache *c);

/* The cache's own file format, exposed for tests and fuzzing: parse
 * `data` into `c` (replacing its entries); -1 on any malformation. */
int scancache__parse(scancache *c, const unsigned char *data, size_t len);
void scancache__serialize(const scancache *c, buf *out);
scancache *scancache__new_memory(void);
size_t scancache__count(const scancache *c);
/* Decode every record; returns how many decoded cleanly. */
size_t scancache__decode_all(const scancache *c);

#endif
