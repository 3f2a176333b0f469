/*
 * cicheck.h: judge a branch's migration changes against its base, with no
 * database, for `mgate ci --base REF`.
 *
 * The base's revisions are read from its commit's tree, the branch's
 * changes from a tree-to-tree diff against the merge base (libgit2, no
 * checkout). It reports what breaks deployed databases (an edited,
 * deleted or re-identified revision that exists on the base, a second head
 * after the merge, new revisions that hang off something the base does
 * not have), model changes without a revision, committed database
 * passwords, a stale migrations.sum, and the rule engine's findings on the
 * new and changed lines only.
 */
#ifndef MGATE_CICHECK_H
#define MGATE_CICHECK_H

#include "alembic/config.h"
#include "util/finding.h"
#include "lint/lint.h"
#include "alembic/revmap.h"

typedef struct cicheck_opts {
	const mgate_config *cfg;   /* the project as checked out (HEAD) */
	const char *base;          /* the base reference */
	const lint_opts *lint;     /* rules and target for linting new revisions */
	const strvec *model_globs; /* repository-relative globs of model files, e.g. app/models/ ** .py without spaces */
	const char *sum_file;      /* absolute path of the migrations.sum to verify, or NULL */
} cicheck_opts;

typedef struct cicheck_result {
	char base_commit[41], merge_base[41], head_commit[41];
	char *head_name;                          /* branch name, or NULL when detached */
	char *workdir;                            /* the work tree root: findings' paths are relative to it */
	size_t added, modified, deleted, renamed; /* revision files */
	size_t base_heads, merged_heads;
	size_t operations, statements, opaque; /* what the rule engine read of new and changed revisions */
} cicheck_result;

/* Run every check. Findings go to `out`. MG_ENOTFOUND for a base that
 * cannot be resolved or shares no history (the message says how to fetch
 * it), MG_ECONFIG for a project outside the repository. */
int cicheck_run(cicheck_result *res, findings *out, const cicheck_opts *o, mg_error *err);

/* The rule engine's findings on a change not yet committed: the revision
 * files under the version locations that differ from HEAD in the index
 * (`o->base` NULL: what a commit would record, read from the index), or
 * from the merge base of HEAD and `o->base` in the work tree (untracked
 * files included). Findings off the changed lines are kept as suppressed
 * infos, as `ci` keeps them; `res` gets the counts and the work tree. */
int cicheck_lint_uncommitted(cicheck_result *res, findings *out, const cicheck_opts *o, mg_error *err);

void cicheck_result_release(cicheck_result *res);

/*
 * The lines of a migrations.sum for `sd` ordered as `order` (indexes into
 * m->v): "<revision> <sha256>" where each hash covers the previous line's
 * hash and the file's bytes, so an edit, insertion or reorder changes every
 * line after it. `read` returns a file's bytes (from disk or a commit).
 */
typedef int (*cicheck_read_fn)(void *ctx, const char *path, struct buf *out, mg_error *err);
int cicheck_sum(struct buf *out, const revmap *m, const int *order, size_t n, cicheck_read_fn read, void *ctx,
		mg_error *err);

/* True when `path` matches the glob (`*` within a folder, `**` across). */
int cicheck_glob_match(const char *glob, const char *path);

#endif
