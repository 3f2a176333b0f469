/*
 * vcs.c: libgit2 behind vcs.h. libgit2's objects never leave this file.
 */
#include "ci/vcs.h"

#include <git2.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

struct vcs {
	git_repository *repo;
	char *workdir;
};

static int git_fail(mg_error *err, int code, const char *what)
{
	const git_error *e = git_error_last();
	return mg_error_set(err, code, "%s: %s", what, e && e->message ? e->message : "unknown git error");
}

int vcs_open(vcs **out, const char *path, mg_error *err)
{
	git_repository *repo = NULL;
	const char *wd;
	vcs *v;

	*out = NULL;
	git_libgit2_init();
	if (git_repository_open_ext(&repo, path, 0, NULL) < 0) {
		git_libgit2_shutdown();
		return mg_error_set(err, MG_ENOTFOUND, "'%s' is not inside a git repository", path);
	}
	v = mg_calloc(1, sizeof(*v));
	v->repo = repo;
	wd = git_repository_workdir(repo);
	v->workdir = mg_strdup(wd ? wd : git_repository_path(repo));
	if (strlen(v->workdir) > 1 && v->workdir[strlen(v->workdir) - 1] == '/')
		v->workdir[strlen(v->workdir) - 1] = 0;
	*out = v;
	return MG_OK;
}

void vcs_free(vcs *v)
{
	if (!v)
		return;
	git_repository_free(v->repo);
	free(v->workdir);
	free(v);
	git_error_clear();
	git_libgit2_shutdown();
}

const char *vcs_workdir(const vcs *v)
{
	return v->workdir;
}

/* What to run when a commit is missing from this clone. */
static const char *fetch_hint(vcs *v)
{
	return git_repository_is_shallow(v->repo) == 1
		       ? "this is a shallow clone; fetch the history with 'git fetch --unshallow' (or 'git fetch "
			 "--deepen=200'), or check out with fetch-depth: 0 in CI"
		       : "fetch it first, e.g. 'git fetch origin main:refs/remotes/origin/main'";
}

int vcs_resolve(vcs_commit *out, vcs *v, const char *ref, mg_error *err)
{
	git_object *obj = NULL, *commit = NULL;
	int rc = MG_OK;

	if (git_revparse_single(&obj, v->repo, ref) < 0) {
		rc = mg_error_set(err, MG_ENOTFOUND, "unknown revision '%s' in this repository; %s", ref, fetch_hint(v));
		goto cleanup;
	}
	if (git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) < 0) {
		rc = mg_error_set(err, MG_ENOTFOUND, "'%s' does not name a commit", ref);
		goto cleanup;
	}
	git_oid_tostr(out->id, sizeof(out->id), git_object_id(commit));
cleanup:
	git_object_free(commit);
	git_object_free(obj);
	return rc;
}

int vcs_merge_base(vcs_commit *out, vcs *v, const vcs_commit *a, const vcs_commit *b, mg_error *err)
{
	git_oid oa, ob, base;
	int rc;

	if (git_oid_fromstr(&oa, a->id) < 0 || git_oid_fromstr(&ob, b->id) < 0)
		return mg_error_set(err, MG_ERR, "bad commit id");
	rc = git_merge_base(&base, v->repo, &oa, &ob);
	if (rc == GIT_ENOTFOUND)
		return mg_error_set(err, MG_ENOTFOUND, "commits %.12s and %.12s share no history in this clone; %s",
				    a->id, b->id, fetch_hint(v));
	if (rc < 0) {
		const git_error *e = git_error_last();
		return mg_error_set(err, MG_ENOTFOUND, "cannot find the merge base of %.12s and %.12s (%s); %s", a->id,
				    b->id, e && e->message ? e->message : "history missing", fetch_hint(v));
	}
	git_oid_tostr(out->id, sizeof(out->id), &base);
	return MG_OK;
}

int vcs_head_detached(vcs *v, buf *out)
{
	git_reference *head = NULL;
	int detached = git_repository_head_detached(v->repo) == 1;

	if (!detached && git_repository_head(&head, v->repo) == 0) {
		buf_puts(out, git_reference_shorthand(head));
		git_reference_free(head);
	}
	return detached;
}

static int commit_tree(git_tree **out, vcs *v, const vcs_commit *c, mg_error *err)
{
	git_oid oid;
	git_commit *commit = NULL;
	int rc = MG_OK;

	*out = NULL;
	if (git_oid_fromstr(&oid, c->id) < 0 || git_commit_lookup(&commit, v->repo, &oid) < 0)
		return git_fail(err, MG_ENOTFOUND, "reading a commit");
	if (git_commit_tree(out, commit) < 0)
		rc = git_fail(err, MG_ERR, "reading a commit's tree");
	git_commit_free(commit);
	return rc;
}

static void files_push(vcs_files *f, const char *path, const char *data, size_t len)
{
	vcs_file *x;

	if (f->n == f->alloc) {
		f->alloc = f->alloc ? f->alloc * 2 : 64;
		f->v = mg_realloc(f->v, f->alloc * sizeof(*f->v));
	}
	x = &f->v[f->n++];
	x->path = mg_strdup(path);
	x->data = mg_strndup(data, len);
	x->len = len;
}

typedef struct walk_ctx {
	vcs *v;
	vcs_files *out;
	const char *dir;
	int recursive;
	int failed;
} walk_ctx;

static int walk_cb(const char *root, const git_tree_entry *entry, void *payload)
{
	walk_ctx *w = payload;
	git_blob *blob = NULL;
	buf path = BUF_INIT;

	if (git_tree_entry_type(entry) == GIT_OBJECT_TREE)
		return w->recursive ? 0 : 1; /* 1: skip the subtree */
	if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB)
		return 0;
	if (git_blob_lookup(&blob, w->v->repo, git_tree_entry_id(entry)) < 0) {
		w->failed = 1;
		return -1;
	}
	if (*w->dir)
		buf_printf(&path, "%s/", w->dir);
	buf_printf(&path, "%s%s", root, git_tree_entry_name(entry));
	files_push(w->out, path.ptr, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
	buf_release(&path);
	git_blob_free(blob);
	return 0;
}

int vcs_read_dir(vcs_files *out, vcs *v, const vcs_commit *commit, const char *dir, int recursive, mg_error *err)
{
	git_tree *root = NULL, *sub = NULL;
	git_tree_entry *entry = NULL;
	walk_ctx w = { v, out, dir, recursive, 0 };
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = commit_tree(&root, v, commit, err)) < 0)
		return rc;
	if (*dir) {
		if (git_tree_entry_bypath(&entry, root, dir) < 0 || git_tree_entry_type(entry) != GIT_OBJECT_TREE) {
			rc = MG_OK; /* the folder does not exist in that commit: no files */
			goto cleanup;
		}
		if (git_tree_lookup(&sub, v->repo, git_tree_entry_id(entry)) < 0) {
			rc = git_fail(err, MG_ERR, "reading a folder");
			goto cleanup;
		}
	}
	if (git_tree_walk(sub ? sub : root, GIT_TREEWALK_PRE, walk_cb, &w) < 0 && w.failed)
		rc = git_fail(err, MG_ERR, "reading files");
cleanup:
	git_tree_entry_free(entry);
	git_tree_free(sub);
	git_tree_free(root);
	return rc;
}

int vcs_read_file(buf *out, vcs *v, const vcs_commit *commit, const char *path, mg_error *err)
{
	git_tree *root = NULL;
	git_tree_entry *entry = NULL;
	git_blob *blob = NULL;
	int rc;

	if ((rc = commit_tree(&root, v, commit, err)) < 0)
		return rc;
	if (git_tree_entry_bypath(&entry, root, path) < 0 || git_tree_entry_type(entry) != GIT_OBJECT_BLOB) {
		rc = mg_error_set(err, MG_ENOTFOUND, "'%s' is not in commit %.12s", path, commit->id);
		goto cleanup;
	}
	if (git_blob_lookup(&blob, v->repo, git_tree_entry_id(entry)) < 0) {
		rc = git_fail(err, MG_ERR, "reading a file");
		goto cleanup;
	}
	buf_put(out, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
cleanup:
	git_blob_free(blob);
	git_tree_entry_free(entry);
	git_tree_free(root);
	return rc;
}

static int add_line(const git_diff_delta *d, const git_diff_hunk *h, const git_diff_line *l, void *payload)
{
	vcs_change *c = payload;

	(void)d;
	(void)h;
	if (l->origin == GIT_DIFF_LINE_ADDITION && l->new_lineno > 0) {
		c->added_lines = mg_realloc(c->added_lines, (c->nadded + 1) * sizeof(int));
		c->added_lines[c->nadded++] = l->new_lineno;
	}
	return 0;
}

/* The deltas of `diff` as changes, renames found, each with its added lines. */
static int collect_changes(vcs_changes *out, git_diff *diff, mg_error *err)
{
	git_diff_find_options find;
	size_t i, n;

	git_diff_find_options_init(&find, GIT_DIFF_FIND_OPTIONS_VERSION);
	find.flags = GIT_DIFF_FIND_RENAMES;
	if (git_diff_find_similar(diff, &find) < 0)
		return git_fail(err, MG_ERR, "finding renames");
	n = git_diff_num_deltas(diff);
	for (i = 0; i < n; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		git_patch *patch = NULL;
		vcs_change *c;
		int kind;
		switch (d->status) {
		case GIT_DELTA_ADDED:
		case GIT_DELTA_UNTRACKED: kind = VCS_ADDED; break;
		case GIT_DELTA_DELETED: kind = VCS_DELETED; break;
		case GIT_DELTA_RENAMED: kind = VCS_RENAMED; break;
		case GIT_DELTA_MODIFIED:
		case GIT_DELTA_TYPECHANGE: kind = VCS_MODIFIED; break;
		default: continue;
		}
		if (out->n == out->alloc) {
			out->alloc = out->alloc ? out->alloc * 2 : 16;
			out->v = mg_realloc(out->v, out->alloc * sizeof(*out->v));
		}
		c = &out->v[out->n++];
		memset(c, 0, sizeof(*c));
		c->kind = kind;
		c->old_path = kind == VCS_ADDED ? NULL : mg_strdup(d->old_file.path);
		c->new_path = kind == VCS_DELETED ? NULL : mg_strdup(d->new_file.path);
		if (kind != VCS_DELETED && git_patch_from_diff(&patch, diff, i) == 0 && patch) {
			size_t h, nh = git_patch_num_hunks(patch);
			for (h = 0; h < nh; h++) {
				size_t l, nl = (size_t)git_patch_num_lines_in_hunk(patch, h);
				for (l = 0; l < nl; l++) {
					const git_diff_line *line = NULL;
					if (git_patch_get_line_in_hunk(&line, patch, h, l) == 0)
						add_line(d, NULL, line, c);
				}
			}
			git_patch_free(patch);
		}
	}
	return MG_OK;
}

static void diff_options(git_diff_options *opts, const strvec *dirs)
{
	git_diff_options_init(opts, GIT_DIFF_OPTIONS_VERSION);
	opts->pathspec.strings = dirs->v;
	opts->pathspec.count = dirs->n;
	opts->context_lines = 0;
}

int vcs_diff(vcs_changes *out, vcs *v, const vcs_commit *from, const vcs_commit *to, const strvec *dirs,
	     mg_error *err)
{
	git_tree *a = NULL, *b = NULL;
	git_diff *diff = NULL;
	git_diff_options opts;
	int rc;

	memset(out, 0, sizeof(*out));
	diff_options(&opts, dirs);
	if ((rc = commit_tree(&a, v, from, err)) < 0 || (rc = commit_tree(&b, v, to, err)) < 0)
		goto cleanup;
	if (git_diff_tree_to_tree(&diff, v->repo, a, b, &opts) < 0) {
		rc = git_fail(err, MG_ERR, "comparing trees");
		goto cleanup;
	}
	rc = collect_changes(out, diff, err);
cleanup:
	git_diff_free(diff);
	git_tree_free(a);
	git_tree_free(b);
	return rc;
}

int vcs_diff_uncommitted(vcs_changes *out, vcs *v, const vcs_commit *from, const strvec *dirs, mg_error *err)
{
	git_tree *a = NULL;
	git_index *index = NULL;
	git_diff *diff = NULL;
	git_diff_options opts;
	vcs_commit head;
	mg_error unborn = MG_ERROR_INIT;
	int rc = MG_OK;

	memset(out, 0, sizeof(*out));
	diff_options(&opts, dirs);
	if (from)
		rc = commit_tree(&a, v, from, err);
	else if (vcs_resolve(&head, v, "HEAD", &unborn) == MG_OK) /* an unborn HEAD compares with the empty tree */
		rc = commit_tree(&a, v, &head, err);
	mg_error_clear(&unborn);
	if (rc < 0)
		goto cleanup;
	if (from) {
		opts.flags |= GIT_DIFF_INCLUDE_UNTRACKED | GIT_DIFF_SHOW_UNTRACKED_CONTENT | GIT_DIFF_RECURSE_UNTRACKED_DIRS;
		if (git_diff_tree_to_workdir_with_index(&diff, v->repo, a, &opts) < 0) {
			rc = git_fail(err, MG_ERR, "comparing the work tree");
			goto cleanup;
		}
	} else if (git_repository_index(&index, v->repo) < 0 ||
		   git_diff_tree_to_index(&diff, v->repo, a, index, &opts) < 0) {
		rc = git_fail(err, MG_ERR, "comparing the index");
		goto cleanup;
	}
	rc = collect_changes(out, diff, err);
cleanup:
	git_diff_free(diff);
	git_index_free(index);
	git_tree_free(a);
	return rc;
}

int vcs_read_staged(buf *out, vcs *v, const char *path, mg_error *err)
{
	git_index *index = NULL;
	const git_index_entry *e;
	git_blob *blob = NULL;
	int rc = MG_OK;

	if (git_repository_index(&index, v->repo) < 0)
		return git_fail(err, MG_ERR, "reading the index");
	if (!(e = git_index_get_bypath(index, path, 0)))
		rc = mg_error_set(err, MG_ENOTFOUND, "'%s' is not in the index", path);
	else if (git_blob_lookup(&blob, v->repo, &e->id) < 0)
		rc = git_fail(err, MG_ERR, "reading a staged file");
	else
		buf_put(out, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
	git_blob_free(blob);
	git_index_free(index);
	return rc;
}

void vcs_files_release(vcs_files *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->n; i++) {
		free(f->v[i].path);
		free(f->v[i].data);
	}
	free(f->v);
	memset(f, 0, sizeof(*f));
}

void vcs_changes_release(vcs_changes *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->n; i++) {
		free(c->v[i].old_path);
		free(c->v[i].new_path);
		free(c->v[i].added_lines);
	}
	free(c->v);
	memset(c, 0, sizeof(*c));
}
