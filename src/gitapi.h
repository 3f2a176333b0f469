/*
 * gitapi.h: libgit2, loaded on first use (util/dynlib.h).
 *
 * vcs.c and `mgate doctor` call libgit2 through `mg_git.git_...(...)`; the
 * table is filled once per process by gitapi_load.
 */
#ifndef MGATE_GITAPI_H
#define MGATE_GITAPI_H

#include <git2.h>

#include "util/error.h"

#define GITAPI_FUNCS(X) \
	X(git_blob_free) X(git_blob_lookup) X(git_blob_rawcontent) X(git_blob_rawsize) X(git_commit_free) \
	X(git_commit_lookup) X(git_commit_tree) X(git_diff_find_options_init) X(git_diff_find_similar) \
	X(git_diff_free) X(git_diff_get_delta) X(git_diff_num_deltas) X(git_diff_options_init) \
	X(git_diff_tree_to_tree) X(git_error_clear) X(git_error_last) X(git_libgit2_init) X(git_libgit2_shutdown) \
	X(git_libgit2_version) X(git_merge_base) X(git_object_free) X(git_object_id) X(git_object_peel) \
	X(git_oid_fromstr) X(git_oid_tostr) X(git_patch_free) X(git_patch_from_diff) X(git_patch_get_line_in_hunk) \
	X(git_patch_num_hunks) X(git_patch_num_lines_in_hunk) X(git_reference_free) X(git_reference_shorthand) \
	X(git_repository_free) X(git_repository_head) X(git_repository_head_detached) X(git_repository_is_shallow) \
	X(git_repository_open_ext) X(git_repository_path) X(git_repository_workdir) X(git_revparse_single) \
	X(git_tree_entry_bypath) X(git_tree_entry_free) X(git_tree_entry_id) X(git_tree_entry_name) \
	X(git_tree_entry_type) X(git_tree_free) X(git_tree_lookup) X(git_tree_walk)

typedef struct git_api {
#define GITAPI_SLOT(f) __typeof__(f) *f;
	GITAPI_FUNCS(GITAPI_SLOT)
#undef GITAPI_SLOT
} git_api;

extern git_api mg_git;

/* Load libgit2 once; MG_EENV naming the package when it cannot be. */
int gitapi_load(mg_error *err);

#endif
