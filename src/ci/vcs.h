/*
 * vcs.h: the git repository a project lives in, read with libgit2 (never
 * a `git` subprocess) for `mgate ci`.
 *
 * It resolves a base reference, finds the merge base with HEAD, reads the
 * files of any commit's tree under a folder without a checkout, and lists
 * what a branch changed there (added, modified, deleted, renamed) with the
 * line numbers each change added.
 */
#ifndef MGATE_VCS_H
#define MGATE_VCS_H

#include <stddef.h>

#include "util/buf.h"
#include "util/error.h"
#include "util/strvec.h"

typedef struct vcs vcs;

/* One file of a commit's tree. */
typedef struct vcs_file {
	char *path; /* relative to the repository root */
	char *data; /* the blob's bytes, NUL-terminated */
	size_t len;
} vcs_file;

typedef struct vcs_files {
	vcs_file *v;
	size_t n, alloc;
} vcs_files;

enum vcs_change_kind { VCS_ADDED = 'A',
		       VCS_MODIFIED = 'M',
		       VCS_DELETED = 'D',
		       VCS_RENAMED = 'R' };

typedef struct vcs_change {
	int kind;         /* vcs_change_kind */
	char *old_path;   /* NULL when added */
	char *new_path;   /* NULL when deleted */
	int *added_lines; /* new-side line numbers the change added (sorted) */
	size_t nadded;
} vcs_change;

typedef struct vcs_changes {
	vcs_change *v;
	size_t n, alloc;
} vcs_changes;

/* A commit, as a 40-hex id. */
typedef struct vcs_commit {
	char id[41];
} vcs_commit;

/* Open the repository that contains `path` (searching upwards).
 * MG_ENOTFOUND when there is none. */
int vcs_open(vcs **out, const char *path, mg_error *err);
void vcs_free(vcs *v);

/* The repository's work tree root (absolute, no trailing slash). */
const char *vcs_workdir(const vcs *v);

/* Resolve `ref` (branch, tag, commit, `origin/main`, `HEAD`) to a commit.
 * MG_ENOTFOUND with a message that says how to fetch it (and that the
 * clone is shallow, when it is). */
int vcs_resolve(vcs_commit *out, vcs *v, const char *ref, mg_error *err);

/* The merge base of two commits. MG_ENOTFOUND when they share no history
 * in this clone (with the fetch command that fixes a shallow clone). */
int vcs_merge_base(vcs_commit *out, vcs *v, const vcs_commit *a, const vcs_commit *b, mg_error *err);

/* True when HEAD is detached; the branch name otherwise goes in `out`. */
int vcs_head_detached(vcs *v, buf *out);

/* Every file under `dir` (repository-relative, "" for all) in `commit`'s
 * tree, recursively when `recursive`, else only the folder's own files. */
int vcs_read_dir(vcs_files *out, vcs *v, const vcs_commit *commit, const char *dir, int recursive, mg_error *err);

/* One file of `commit`'s tree; MG_ENOTFOUND when absent. */
int vcs_read_file(buf *out, vcs *v, const vcs_commit *commit, const char *path, mg_error *err);

/* The files that differ between the trees of `from` and `to` (every path
 * when `dirs` is empty, else under one of them), with renames detected. */
int vcs_diff(vcs_changes *out, vcs *v, const vcs_commit *from, const vcs_commit *to, const strvec *dirs,
	     mg_error *err);

/* What is not committed yet, under `dirs` (every path when empty): with
 * `from` NULL, the staged changes (HEAD's tree against the index); else
 * `from`'s tree against the work tree as the index sees it, untracked
 * files included (as added). */
int vcs_diff_uncommitted(vcs_changes *out, vcs *v, const vcs_commit *from, const strvec *dirs, mg_error *err);

/* The staged bytes of `path` (repository-relative). MG_ENOTFOUND when the
 * index has no such file. */
int vcs_read_staged(buf *out, vcs *v, const char *path, mg_error *err);

void vcs_files_release(vcs_files *f);
void vcs_changes_release(vcs_changes *c);

#endif
