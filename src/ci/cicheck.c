/*
 * cicheck.c: the checks of `mgate ci`: three revision sets (merge base,
 * base tip, the merge of the branch into the tip) built from git trees,
 * compared file by file and graph by graph.
 */
#include "ci/cicheck.h"

#include <stdlib.h>
#include <string.h>

#include "db/dburl.h"
#include "python/pytok.h"
#include "alembic/revmap.h"
#include "ci/vcs.h"
#include "util/fs.h"
#include "util/sha256.h"
#include "util/banned.h"

/* ---- small helpers ------------------------------------------------------- */

int cicheck_glob_match(const char *g, const char *p)
{
	for (; *g; g++, p++) {
		if (g[0] == '*' && g[1] == '*') {
			g += 2;
			if (*g == '/')
				g++;
			for (;; p++) {
				if (cicheck_glob_match(g, p))
					return 1;
				if (!*p)
					return 0;
			}
		}
		if (*g == '*') {
			for (;; p++) {
				if (cicheck_glob_match(g + 1, p))
					return 1;
				if (!*p || *p == '/')
					return 0;
			}
		}
		if (!*p || (*g != '?' && *g != *p) || (*g == '?' && *p == '/'))
			return 0;
	}
	return !*p;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* `path` relative to the repository root, or NULL when outside it. */
static char *repo_relative(const char *workdir, const char *path)
{
	size_t n = strlen(workdir);

	if (!strcmp(path, workdir))
		return mg_strdup("");
	if (strncmp(path, workdir, n) || path[n] != '/')
		return NULL;
	return mg_strdup(path + n + 1);
}

static int under_dirs(const char *path, const strvec *dirs)
{
	size_t i, n;

	for (i = 0; i < dirs->n; i++) {
		n = strlen(dirs->v[i]);
		if (!n || (!strncmp(path, dirs->v[i], n) && path[n] == '/'))
			return 1;
	}
	return 0;
}

/* A revision script of a version location (and not in a subfolder unless recursive). */
static int is_revision_path(const char *path, const strvec *dirs, int recursive)
{
	size_t i, n;

	if (!scriptdir_wanted_name(base_name(path)))
		return 0;
	for (i = 0; i < dirs->n; i++) {
		n = strlen(dirs->v[i]);
		if (n && (strncmp(path, dirs->v[i], n) || path[n] != '/'))
			continue;
		if (recursive || !strchr(path + (n ? n + 1 : 0), '/'))
			return 1;
	}
	return 0;
}

/* ---- revision sets from trees -------------------------------------------- */

/* A set of revision files: repository-relative path -> bytes. */
typedef struct fileset {
	strvec paths;
	strvec data; /* NUL-terminated copies */
	size_t *lens;
} fileset;

static int fileset_find(const fileset *s, const char *path)
{
	return strvec_index(&s->paths, path);
}

static void fileset_put(fileset *s, const char *path, const char *data, size_t len)
{
	int at = fileset_find(s, path);

	if (at >= 0) {
		free(s->data.v[at]);
		s->data.v[at] = mg_strndup(data, len);
		s->lens[at] = len;
		return;
	}
	strvec_push(&s->paths, path);
	strvec_push_owned(&s->data, mg_strndup(data, len));
	s->lens = mg_realloc(s->lens, s->paths.n * sizeof(*s->lens));
	s->lens[s->paths.n - 1] = len;
}

static void fileset_remove(fileset *s, const char *path)
{
	int at = fileset_find(s, path);
	size_t last;

	if (at < 0)
		return;
	last = s->paths.n - 1;
	free(s->paths.v[at]);
	free(s->data.v[at]);
	s->paths.v[at] = s->paths.v[last];
	s->data.v[at] = s->data.v[last];
	s->lens[at] = s->lens[last];
	s->paths.n--;
	s->data.n--;
}

static void fileset_release(fileset *s)
{
	strvec_release(&s->paths);
	strvec_release(&s->data);
	free(s->lens);
	memset(s, 0, sizeof(*s));
}

static int read_set(fileset *out, vcs *v, const vcs_commit *c, const strvec *dirs, int recursive, mg_error *err)
{
	size_t i, k;
	int rc = MG_OK;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < dirs->n && rc == MG_OK; i++) {
		vcs_files files;
		if ((rc = vcs_read_dir(&files, v, c, dirs->v[i], recursive, err)) < 0)
			break;
		for (k = 0; k < files.n; k++)
			if (is_revision_path(files.v[k].path, dirs, recursive))
				fileset_put(out, files.v[k].path, files.v[k].data, files.v[k].len);
		vcs_files_release(&files);
	}
	return rc;
}

static int cmp_paths(const void *a, const void *b)
{
	return strcmp(**(char *const *const *)a, **(char *const *const *)b);
}

/* Scan a set into scripts (sorted by path, as Alembic >= 1.10 loads them)
 * and build its graph. Load problems become findings in `f` when given. */
static void build_graph(scriptdir *sd, revmap *m, const fileset *s, const char *workdir, const pyscan_names *names,
			findings *f)
{
	findings scratch = FINDINGS_INIT;
	char ***order = mg_calloc(s->paths.n + 1, sizeof(*order));
	size_t i;

	memset(sd, 0, sizeof(*sd));
	for (i = 0; i < s->paths.n; i++)
		order[i] = &s->paths.v[i];
	if (s->paths.n)
		qsort(order, s->paths.n, sizeof(*order), cmp_paths);
	for (i = 0; i < s->paths.n; i++) {
		int at = fileset_find(s, *order[i]);
		buf abs = BUF_INIT;
		buf_printf(&abs, "%s/%s", workdir, s->paths.v[at]);
		scriptdir_add_source(sd, abs.ptr, base_name(s->paths.v[at]), s->data.v[at], s->lens[at], names,
				     f ? f : &scratch);
		buf_release(&abs);
	}
	revmap_build(m, sd, f ? f : &scratch);
	findings_release(&scratch);
	free(order);
}

/* ---- what an edit is ------------------------------------------------------ */

/* True when the two versions have the same code tokens, each without the
 * lines it is told to skip (a: [af, at], b: [bf, bt]; 0: none). */
static int same_code(const char *a, size_t alen, int af, int at, const char *b, size_t blen, int bf, int bt)
{
	strvec ta = STRVEC_INIT, tb = STRVEC_INIT;
	size_t i;
	int same;

	pyscan_code_tokens(&ta, a, alen, af, at);
	pyscan_code_tokens(&tb, b, blen, bf, bt);
	same = ta.n == tb.n;
	for (i = 0; same && i < ta.n; i++)
		same = !strcmp(ta.v[i], tb.v[i]);
	strvec_release(&ta);
	strvec_release(&tb);
	return same;
}

/* True when the two versions differ only in whitespace, comments or the docstring. */
static int cosmetic_edit(const char *a, size_t alen, const char *b, size_t blen)
{
	return same_code(a, alen, 0, 0, b, blen, 0, 0);
}

/* True when the two versions differ only inside downgrade() (beyond
 * whitespace and comments): the way back changed, not what ran. */
static int downgrade_only_edit(const char *a, size_t alen, const char *b, size_t blen, const pyscan_names *names)
{
	int af, at, bf, bt;

	pyscan_downgrade_lines(a, alen, names, &af, &at);
	pyscan_downgrade_lines(b, blen, names, &bf, &bt);
	return af && bf && same_code(a, alen, af, at, b, blen, bf, bt);
}

/* The revision id a file's source declares, or NULL (caller frees). */
static char *declared_revision(const char *src, size_t len, const pyscan_names *names)
{
	pyscan_module m;
	char *rev = NULL;

	pyscan_source(&m, src, len, names, NULL);
	if (m.revision.kind == PYV_STR)
		rev = mg_strdup(m.revision.str);
	pyscan_module_release(&m);
	return rev;
}

/* ---- the checks ----------------------------------------------------------- */

typedef struct run {
	const cicheck_opts *o;
	cicheck_result *res;
	findings *out;
	vcs *v;
	const char *workdir;
	strvec dirs;
	vcs_commit head, tip, mb;
	fileset base_set, tip_set, head_set;
	vcs_changes changes;
	strvec added_revs;
} run;

static char *abs_path(const run *r, const char *rel)
{
	buf b = BUF_INIT;
	buf_printf(&b, "%s/%s", r->workdir, rel);
	return buf_detach(&b);
}

static void check_change(run *r, const vcs_change *c)
{
	const pyscan_names *names = &r->o->cfg->names;
	const char *path = c->new_path ? c->new_path : c->old_path;
	int recursive = r->o->cfg->recursive;
	int old_at = c->old_path ? fileset_find(&r->base_set, c->old_path) : -1;
	int new_at = c->new_path ? fileset_find(&r->head_set, c->new_path) : -1;
	char *full = abs_path(r, path), *old_rev = NULL, *new_rev = NULL;

	if (!is_revision_path(path, &r->dirs, recursive) &&
	    !(c->old_path && is_revision_path(c->old_path, &r->dirs, recursive)))
		goto cleanup;
	if (old_at >= 0)
		old_rev = declared_revision(r->base_set.data.v[old_at], r->base_set.lens[old_at], names);
	if (new_at >= 0)
		new_rev = declared_revision(r->head_set.data.v[new_at], r->head_set.lens[new_at], names);
	switch (c->kind) {
	case VCS_ADDED:
		r->res->added++;
		if (new_rev)
			strvec_push(&r->added_revs, new_rev);
		break;
	case VCS_DELETED:
		r->res->deleted++;
		findings_add(r->out, "deleted-applied-revision", SEV_ERROR, full, 0, old_rev,
			     "revision '%s' exists on the base and was deleted: databases that applied it keep it in "
			     "alembic_version and Alembic will fail with \"Can't locate revision\"; restore the file "
			     "(write a new revision that undoes it instead)",
			     old_rev ? old_rev : base_name(path));
		break;
	case VCS_RENAMED:
	case VCS_MODIFIED:
		if (c->kind == VCS_RENAMED)
			r->res->renamed++;
		else
			r->res->modified++;
		if (old_at < 0 || new_at < 0)
			break;
		if (old_rev && new_rev && strcmp(old_rev, new_rev)) {
			findings_add(r->out, "renamed-revision-id", SEV_ERROR, full, 0, new_rev,
				     "the revision id of '%s' changed from '%s' to '%s': databases at '%s' no longer "
				     "match any script; keep the id, and add a new revision for new work",
				     base_name(path), old_rev, new_rev, old_rev);
			break;
		}
		if (r->base_set.lens[old_at] == r->head_set.lens[new_at] &&
		    !memcmp(r->base_set.data.v[old_at], r->head_set.data.v[new_at], r->head_set.lens[new_at]))
			break; /* a pure rename: Alembic goes by the id */
		if (cosmetic_edit(r->base_set.data.v[old_at], r->base_set.lens[old_at], r->head_set.data.v[new_at],
				  r->head_set.lens[new_at]))
			findings_add(r->out, "edited-applied-revision", SEV_INFO, full,
				     c->nadded ? c->added_lines[0] : 0, new_rev,
				     "revision '%s' exists on the base and was edited, in whitespace, comments or its "
				     "docstring only: nothing that runs changed",
				     new_rev ? new_rev : base_name(path));
		else if (downgrade_only_edit(r->base_set.data.v[old_at], r->base_set.lens[old_at],
					     r->head_set.data.v[new_at], r->head_set.lens[new_at], names))
			findings_add(r->out, "edited-applied-revision", SEV_WARNING, full,
				     c->nadded ? c->added_lines[0] : 0, new_rev,
				     "revision '%s' exists on the base and only its downgrade() was edited: this changes "
				     "the way back, not what ran; databases that applied it roll back with the new "
				     "downgrade(), so review it as a new rollback path",
				     new_rev ? new_rev : base_name(path));
		else
			findings_add(r->out, "edited-applied-revision", SEV_ERROR, full,
				     c->nadded ? c->added_lines[0] : 0, new_rev,
				     "revision '%s' exists on the base and its code was edited: databases that already "
				     "applied it will never run the change; revert the edit and put it in a new revision",
				     new_rev ? new_rev : base_name(path));
		break;
	default:
		break;
	}
cleanup:
	free(full);
	free(old_rev);
	free(new_rev);
}

/* The merge of the branch into the base tip: the tip's files with the
 * branch's changes applied. */
static void merged_set(fileset *out, const run *r)
{
	size_t i, k;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < r->tip_set.paths.n; i++)
		fileset_put(out, r->tip_set.paths.v[i], r->tip_set.data.v[i], r->tip_set.lens[i]);
	for (i = 0; i < r->changes.n; i++) {
		const vcs_change *c = &r->changes.v[i];
		if (c->old_path && c->kind != VCS_MODIFIED)
			fileset_remove(out, c->old_path);
		if (c->new_path && (k = (size_t)fileset_find(&r->head_set, c->new_path)) != (size_t)-1)
			fileset_put(out, c->new_path, r->head_set.data.v[k], r->head_set.lens[k]);
	}
}

static void check_graph(run *r)
{
	fileset merged;
	scriptdir tip_sd, merged_sd;
	revmap tip_map, merged_map;
	size_t i, j;

	merged_set(&merged, r);
	build_graph(&tip_sd, &tip_map, &r->tip_set, r->workdir, &r->o->cfg->names, NULL);
	build_graph(&merged_sd, &merged_map, &merged, r->workdir, &r->o->cfg->names, r->out);
	r->res->base_heads = tip_map.heads.n;
	r->res->merged_heads = merged_map.heads.n;
	if (!merged_map.broken && merged_map.heads.n > tip_map.heads.n) {
		buf names = BUF_INIT;
		for (i = 0; i < merged_map.heads.n; i++)
			buf_printf(&names, "%s'%s'", i ? " and " : "", merged_map.v[merged_map.heads.v[i]].id);
		findings_add(r->out, "new-head", SEV_ERROR, NULL, 0, NULL,
			     "after merging into '%s' the revision graph has %zu heads (%s) where the base has %zu: "
			     "`alembic upgrade head` will refuse to run; rebase onto the base and set down_revision to "
			     "its head, or run `alembic merge heads`",
			     r->o->base, merged_map.heads.n, names.ptr, tip_map.heads.n);
		buf_release(&names);
	}
	/* New revisions must hang off revisions the base has (or each other). */
	for (i = 0; i < merged_sd.n; i++) {
		const script *s = &merged_sd.v[i];
		if (strvec_index(&r->added_revs, s->revision) < 0)
			continue;
		for (j = 0; j < s->down.n; j++)
			if (revmap_index(&tip_map, s->down.v[j]) < 0 && strvec_index(&r->added_revs, s->down.v[j]) < 0)
				findings_add(r->out, "down-revision-not-on-base", SEV_ERROR, s->path, s->down_line,
					     s->revision,
					     "new revision '%s' has down_revision '%s', which the base '%s' does not have: "
					     "it depends on work that is not merged; rebase onto the base and point "
					     "down_revision at its head",
					     s->revision, s->down.v[j], r->o->base);
	}
	revmap_release(&tip_map);
	revmap_release(&merged_map);
	scriptdir_release(&tip_sd);
	scriptdir_release(&merged_sd);
	fileset_release(&merged);
}

/* Lint new and changed revisions; on changed files keep the changed lines only. */
static int lint_changes(run *r, mg_error *err)
{
	lint_ctx ctx;
	size_t i, k;
	int rc = MG_OK;

	lint_init(&ctx, r->o->lint);
	for (i = 0; i < r->changes.n && rc == MG_OK; i++) {
		const vcs_change *c = &r->changes.v[i];
		int at = c->new_path ? fileset_find(&r->head_set, c->new_path) : -1;
		findings mine = FINDINGS_INIT;
		scriptdir one;
		if (at < 0 || c->kind == VCS_DELETED)
			continue;
		memset(&one, 0, sizeof(one));
		{
			char *full = abs_path(r, c->new_path);
			scriptdir_add_source(&one, full, base_name(c->new_path), r->head_set.data.v[at],
					     r->head_set.lens[at], &r->o->cfg->names, &mine);
			free(full);
		}
		findings_release(&mine); /* load problems are the graph check's */
		if (one.n) {
			script *s = &one.v[0];
			rc = lint_source(&ctx, &mine, s->path, s->revision, r->head_set.data.v[at], r->head_set.lens[at],
					 &s->upgrade, &s->downgrade, err);
		}
		for (k = 0; k < mine.n; k++) {
			finding *x = &mine.v[k];
			size_t j;
			int changed = c->kind == VCS_ADDED;
			for (j = 0; !changed && j < c->nadded; j++)
				changed = c->added_lines[j] == x->line;
			if (!changed)
				x->severity = SEV_INFO, x->suppressed = x->suppressed ? x->suppressed
										      : mg_strdup("not on a changed line");
		}
		findings_move(r->out, &mine);
		scriptdir_release(&one);
	}
	r->res->operations = ctx.operations;
	r->res->statements = ctx.statements;
	r->res->opaque = ctx.opaque;
	lint_release(&ctx);
	return rc;
}

static void check_models(run *r, mg_error *err)
{
	vcs_changes all;
	strvec none = STRVEC_INIT;
	size_t i, k;

	if (!r->o->model_globs || !r->o->model_globs->n || r->res->added)
		return;
	if (vcs_diff(&all, r->v, &r->mb, &r->head, &none, err) < 0)
		return;
	for (i = 0; i < all.n; i++) {
		const char *p = all.v[i].new_path ? all.v[i].new_path : all.v[i].old_path;
		for (k = 0; k < r->o->model_globs->n; k++)
			if (cicheck_glob_match(r->o->model_globs->v[k], p)) {
				char *full = abs_path(r, p);
				findings_add(r->out, "schema-change-without-revision", SEV_WARNING, full, 0, NULL,
					     "model file '%s' changed but the branch adds no revision: if the schema "
					     "changed, run `alembic revision --autogenerate` and commit the revision",
					     p);
				free(full);
				i = all.n;
				break;
			}
	}
	vcs_changes_release(&all);
}

/* A literal password in a database URL ("scheme://user:secret@host"). */
static int url_with_password(const char *line, size_t *start, size_t *len)
{
	const char *p = strstr(line, "://");

	while (p) {
		const char *u = p + 3, *colon, *at;
		size_t ulen = strcspn(u, " \t\"'\n");
		at = memchr(u, '@', ulen);
		colon = memchr(u, ':', at ? (size_t)(at - u) : 0);
		if (at && colon && at > colon + 1 && colon[1] != '$' && colon[1] != '%' && colon[1] != '{') {
			const char *b = p;
			while (b > line && (b[-1] == '+' || b[-1] == '_' || (b[-1] >= 'a' && b[-1] <= 'z') ||
					    (b[-1] >= '0' && b[-1] <= '9')))
				b--;
			*start = (size_t)(b - line);
			*len = (size_t)(u + ulen - b);
			return 1;
		}
		p = strstr(u, "://");
	}
	return 0;
}

static void report_secret(run *r, const char *rel, int line, const char *url, size_t len)
{
	char *raw = mg_strndup(url, len), *full = abs_path(r, rel);
	buf shown = BUF_INIT;

	dburl_redact(&shown, raw);
	findings_add(r->out, "secret-in-repo", SEV_ERROR, full, line, NULL,
		     "a database password is committed in '%s': %s; take it from the environment "
		     "(MGATE_DATABASE_URL, or %%(DB_PASSWORD)s interpolation in env.py) and rotate it",
		     rel, shown.ptr);
	buf_release(&shown);
	free(raw);
	free(full);
}

static void scan_lines_for_secrets(run *r, const char *rel, const char *data, const int *lines, size_t nlines)
{
	const char *p = data;
	int n = 1;
	size_t k = 0;

	while (*p) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p), s, l;
		char *line = mg_strndup(p, len);
		int wanted = !lines;
		while (lines && k < nlines && lines[k] < n)
			k++;
		if (lines && k < nlines && lines[k] == n)
			wanted = 1;
		if (wanted && url_with_password(line, &s, &l))
			report_secret(r, rel, n, line + s, l);
		free(line);
		if (!e)
			break;
		p = e + 1;
		n++;
	}
}

static void check_secrets(run *r)
{
	size_t i;
	buf ini = BUF_INIT;
	mg_error err = MG_ERROR_INIT;

	if (r->o->cfg->ini_path) {
		char *rel = repo_relative(r->workdir, r->o->cfg->ini_path);
		if (rel && vcs_read_file(&ini, r->v, &r->head, rel, &err) == 0)
			scan_lines_for_secrets(r, rel, ini.ptr, NULL, 0);
		free(rel);
	}
	for (i = 0; i < r->changes.n; i++) {
		const vcs_change *c = &r->changes.v[i];
		buf data = BUF_INIT;
		if (c->new_path && under_dirs(c->new_path, &r->dirs) &&
		    vcs_read_file(&data, r->v, &r->head, c->new_path, &err) == 0)
			scan_lines_for_secrets(r, c->new_path, data.ptr, c->added_lines, c->nadded);
		buf_release(&data);
	}
	buf_release(&ini);
}

/* ---- migrations.sum ------------------------------------------------------- */

int cicheck_sum(buf *out, const revmap *m, const int *order, size_t n, cicheck_read_fn read, void *ctx,
		mg_error *err)
{
	unsigned char prev[32] = { 0 };
	char hex[SHA256_HEX];
	size_t i;
	int rc = MG_OK;

	buf_puts(out, "# migrations.sum: written by `mgate sum`; each line hashes the previous one and the "
		      "revision file, in upgrade order\n");
	for (i = 0; i < n && rc == MG_OK; i++) {
		const revnode *r = &m->v[order[i]];
		buf data = BUF_INIT;
		sha256_ctx c;
		if ((rc = read(ctx, r->s->path, &data, err)) == MG_OK && (rc = sha256_init(&c, err)) == MG_OK) {
			sha256_update(&c, prev, sizeof(prev));
			sha256_update(&c, data.ptr, data.len);
			if ((rc = sha256_final(&c, prev, hex, err)) == MG_OK)
				buf_printf(out, "%s %s\n", r->id, hex);
		}
		buf_release(&data);
	}
	return rc;
}

typedef struct tree_reader {
	run *r;
} tree_reader;

static int read_from_head(void *ctx, const char *path, buf *out, mg_error *err)
{
	run *r = ((tree_reader *)ctx)->r;
	char *rel = repo_relative(r->workdir, path);
	int at = rel ? fileset_find(&r->head_set, rel) : -1;

	free(rel);
	if (at < 0)
		return mg_error_set(err, MG_ENOTFOUND, "'%s' is not in HEAD", path);
	buf_put(out, r->head_set.data.v[at], r->head_set.lens[at]);
	return MG_OK;
}

static void check_sum(run *r, mg_error *err)
{
	scriptdir sd;
	revmap m;
	buf want = BUF_INIT, have = BUF_INIT;
	int *order = NULL;
	size_t n = 0;
	tree_reader tr = { r };
	char *full, *rel;

	if (!r->o->sum_file)
		return;
	if (!(rel = repo_relative(r->workdir, r->o->sum_file))) {
		findings_add(r->out, "migrations-sum-missing", SEV_ERROR, r->o->sum_file, 0, NULL,
			     "'%s' is outside the repository", r->o->sum_file);
		return;
	}
	full = abs_path(r, rel);
	build_graph(&sd, &m, &r->head_set, r->workdir, &r->o->cfg->names, NULL);
	if (m.broken || revmap_upgrade_order(&order, &n, &m, m.real_heads.v, m.real_heads.n, NULL, 0, err) < 0 ||
	    cicheck_sum(&want, &m, order, n, read_from_head, &tr, err) < 0)
		goto cleanup;
	if (vcs_read_file(&have, r->v, &r->head, rel, err) < 0) {
		findings_add(r->out, "migrations-sum-missing", SEV_ERROR, full, 0, NULL,
			     "'%s' is enabled in [mgate] but not committed; run `mgate sum` and commit it", rel);
		goto cleanup;
	}
	if (strcmp(want.ptr, have.ptr)) {
		const char *a = want.ptr, *b = have.ptr;
		int line = 1;
		while (*a && *a == *b) {
			if (*a == '\n')
				line++;
			a++;
			b++;
		}
		findings_add(r->out, "migrations-sum-mismatch", SEV_ERROR, full, line, NULL,
			     "'%s' does not match the revision files from line %d on: a revision was edited, inserted "
			     "or reordered (or the file has a merge conflict); check the history, then run `mgate sum`",
			     rel, line);
	}
cleanup:
	free(full);
	free(rel);
	free(order);
	buf_release(&want);
	buf_release(&have);
	revmap_release(&m);
	scriptdir_release(&sd);
}

/* ---- the run -------------------------------------------------------------- */

/* A run writing to `res` and `out`: the project's repository opened, its
 * version locations as `r->dirs`. */
static int open_repo(run *r, cicheck_result *res, findings *out, const cicheck_opts *o, mg_error *err)
{
	size_t i;
	int rc;

	memset(res, 0, sizeof(*res));
	memset(r, 0, sizeof(*r));
	r->o = o;
	r->res = res;
	r->out = out;
	if ((rc = vcs_open(&r->v, r->o->cfg->here ? r->o->cfg->here : ".", err)) < 0)
		return rc == MG_ENOTFOUND ? (err->code = MG_ECONFIG) : rc; /* the message stays */
	r->workdir = vcs_workdir(r->v);
	r->res->workdir = mg_strdup(r->workdir);
	for (i = 0; i < r->o->cfg->version_locations.n; i++) {
		char *rel = repo_relative(r->workdir, r->o->cfg->version_locations.v[i]);
		if (!rel)
			return mg_error_set(err, MG_ECONFIG, "version location '%s' is outside the repository '%s'",
					    r->o->cfg->version_locations.v[i], r->workdir);
		strvec_push_owned(&r->dirs, rel);
	}
	return MG_OK;
}

static void run_release(run *r)
{
	fileset_release(&r->base_set);
	fileset_release(&r->tip_set);
	fileset_release(&r->head_set);
	vcs_changes_release(&r->changes);
	strvec_release(&r->dirs);
	strvec_release(&r->added_revs);
	vcs_free(r->v);
}

int cicheck_run(cicheck_result *res, findings *out, const cicheck_opts *o, mg_error *err)
{
	run r;
	buf name = BUF_INIT;
	size_t i;
	int rc;

	if ((rc = open_repo(&r, res, out, o, err)) < 0)
		goto cleanup;
	if ((rc = vcs_resolve(&r.head, r.v, "HEAD", err)) < 0 || (rc = vcs_resolve(&r.tip, r.v, o->base, err)) < 0 ||
	    (rc = vcs_merge_base(&r.mb, r.v, &r.head, &r.tip, err)) < 0)
		goto cleanup;
	memcpy(res->base_commit, r.tip.id, 41);
	memcpy(res->merge_base, r.mb.id, 41);
	memcpy(res->head_commit, r.head.id, 41);
	if (!vcs_head_detached(r.v, &name))
		res->head_name = buf_detach(&name);
	if ((rc = read_set(&r.base_set, r.v, &r.mb, &r.dirs, o->cfg->recursive, err)) < 0 ||
	    (rc = read_set(&r.tip_set, r.v, &r.tip, &r.dirs, o->cfg->recursive, err)) < 0 ||
	    (rc = read_set(&r.head_set, r.v, &r.head, &r.dirs, o->cfg->recursive, err)) < 0 ||
	    (rc = vcs_diff(&r.changes, r.v, &r.mb, &r.head, &r.dirs, err)) < 0)
		goto cleanup;
	for (i = 0; i < r.changes.n; i++)
		check_change(&r, &r.changes.v[i]);
	check_graph(&r);
	if ((rc = lint_changes(&r, err)) < 0)
		goto cleanup;
	check_models(&r, err);
	check_secrets(&r);
	check_sum(&r, err);
	rc = MG_OK;
cleanup:
	buf_release(&name);
	run_release(&r);
	return rc;
}

int cicheck_lint_uncommitted(cicheck_result *res, findings *out, const cicheck_opts *o, mg_error *err)
{
	run r;
	vcs_commit from;
	size_t i;
	int rc;

	if ((rc = open_repo(&r, res, out, o, err)) < 0)
		goto cleanup;
	if (o->base && ((rc = vcs_resolve(&r.tip, r.v, o->base, err)) < 0 ||
			(rc = vcs_resolve(&r.head, r.v, "HEAD", err)) < 0 ||
			(rc = vcs_merge_base(&from, r.v, &r.head, &r.tip, err)) < 0))
		goto cleanup;
	if ((rc = vcs_diff_uncommitted(&r.changes, r.v, o->base ? &from : NULL, &r.dirs, err)) < 0)
		goto cleanup;
	/* the changed revision files as they would be committed */
	for (i = 0; i < r.changes.n; i++) {
		const char *path = r.changes.v[i].new_path;
		buf data = BUF_INIT;
		char *full;
		if (!path || !is_revision_path(path, &r.dirs, o->cfg->recursive))
			continue;
		full = abs_path(&r, path);
		rc = o->base ? fs_read_file(&data, full, FS_MAX_FILE, err) : vcs_read_staged(&data, r.v, path, err);
		free(full);
		if (rc == MG_OK)
			fileset_put(&r.head_set, path, data.ptr ? data.ptr : "", data.len);
		buf_release(&data);
		if (rc < 0)
			goto cleanup;
		res->modified += r.changes.v[i].kind != VCS_ADDED;
		res->added += r.changes.v[i].kind == VCS_ADDED;
	}
	rc = lint_changes(&r, err);
cleanup:
	run_release(&r);
	return rc;
}

void cicheck_result_release(cicheck_result *res)
{
	if (!res)
		return;
	free(res->head_name);
	res->head_name = NULL;
	free(res->workdir);
	res->workdir = NULL;
}
