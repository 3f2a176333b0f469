/*
 * fs.h: the few file-system operations mgate needs, with error messages
 * that name the path.
 */
#ifndef MGATE_FS_H
#define MGATE_FS_H

#include <stddef.h>
#include <stdio.h>

#include "util/arena.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/strvec.h"

/* Refuse to read files larger than this: a revision script or ini never is. */
#define FS_MAX_FILE (64u * 1024 * 1024)

/* Read the whole file into `out` (appending). MG_ENOTFOUND when absent. */
int fs_read_file(buf *out, const char *path, size_t max, mg_error *err);

/* Join `dir` and `name` with one '/', unless `name` is absolute. */
void fs_join(buf *out, const char *dir, const char *name);

/* Make `path` absolute against the current directory and fold "." and ".."
 * lexically (as Python's os.path.abspath does; symlinks are not resolved). */
void fs_abspath(buf *out, const char *path);

/* The directory part of `path` ("." when there is none). */
void fs_dirname(buf *out, const char *path);

int fs_is_dir(const char *path);
int fs_exists(const char *path);

/* Names in `dir` (no "." or ".."), in the order readdir returns them:
 * the order Python's os.listdir sees on the same file system. */
int fs_list_dir(strvec *out, const char *dir, mg_error *err);

/* What a directory entry is, following symbolic links as stat() does. */
enum fs_kind { FS_FILE = 'f',
	       FS_DIR = 'd',
	       FS_OTHER = 'o',
	       FS_DIR_LINK = 'l' /* a link to a folder */ };

/* Like fs_list_dir, the names copied into `mem`, and `kinds` gets one
 * fs_kind per name (from the directory entry's type where the file system
 * gives it, else stat). */
int fs_list_dir_kinds(strlist *out, buf *kinds, arena *mem, const char *dir, mg_error *err);

/* Read a file known to be regular with the fewest system calls: open,
 * read until a short read, close. Appends to `out`. */
int fs_read_regular(buf *out, const char *path, size_t max, mg_error *err);

/* fsync a file, or a folder (so a rename in it is durable); -1 on failure. */
int fs_fsync(const char *path, int is_dir);

/* Replace `path` with `data` atomically: a temporary file beside it
 * written with `mode`, fsync'ed, then renamed over it. A failure leaves
 * no partial file. */
int fs_write_atomic(const char *path, const char *data, size_t len, int mode, mg_error *err);

/* The same for content written as it is made: write to `f`, then commit
 * (or abort, which removes the temporary file). Both end the writer. */
typedef struct fs_atomic {
	FILE *f;
	char *path, *tmp;
} fs_atomic;

int fs_atomic_open(fs_atomic *a, const char *path, int mode, mg_error *err);
int fs_atomic_commit(fs_atomic *a, mg_error *err);
void fs_atomic_abort(fs_atomic *a);

#endif
