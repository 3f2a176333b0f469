/*
 * ledger.c: hashing revision scripts, and recording and reading what mgate
 * applied (ledger.h). The table itself is the adapters' (db_ops.ledger_*).
 */
#include "gate/ledger.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/run.h"
#include "python/pyscan.h"
#include "util/sha256.h"
#include "util/banned.h"

/* The SHA-256 of the source `src`: of its bytes, or (code) of its code
 * tokens without lines [from, to] (0: none), comments and blank lines left out. */
static int hash_source(char hex[65], const buf *src, int code, int from, int to, mg_error *err)
{
	sha256_ctx c;
	strvec toks = STRVEC_INIT;
	size_t i;
	int rc;

	if ((rc = sha256_init(&c, err)) < 0)
		return rc;
	if (!code) {
		sha256_update(&c, src->ptr, src->len);
	} else {
		pyscan_code_tokens(&toks, src->ptr, src->len, from, to);
		for (i = 0; i < toks.n; i++) {
			sha256_update(&c, toks.v[i], strlen(toks.v[i]));
			sha256_update(&c, "\n", 1);
		}
		strvec_release(&toks);
	}
	return sha256_final(&c, NULL, hex, err);
}

/* What the ledger records for a script, read once: the file's hash, its
 * code's, and its code's outside downgrade(), separated by spaces. */
static int ledger_value(buf *out, const script *s, mg_error *err)
{
	char full[65], all[65], up[65];
	buf src = BUF_INIT;
	int rc;

	if ((rc = script_source(&src, s, err)) == MG_OK && (rc = hash_source(full, &src, 0, 0, 0, err)) == MG_OK &&
	    (rc = hash_source(all, &src, 1, 0, 0, err)) == MG_OK &&
	    (rc = hash_source(up, &src, 1, s->downgrade.line, s->downgrade.end_line, err)) == MG_OK)
		buf_printf(out, "%s %s %s", full, all, up);
	buf_release(&src);
	return rc;
}

int ledger_compare(const script *s, const char *stored, char now[65])
{
	char code[65];
	mg_error err = MG_ERROR_INIT;
	const char *all = strchr(stored, ' '), *up = all ? strchr(all + 1, ' ') : NULL;
	buf src = BUF_INIT;
	int state = LEDGER_EDITED;

	now[0] = 0;
	if (script_source(&src, s, &err) < 0 || hash_source(now, &src, 0, 0, 0, &err) < 0)
		state = LEDGER_MATCHES; /* unreadable: the scan reports it */
	else if (!strncmp(now, stored, 64) && (stored[64] == 0 || stored[64] == ' '))
		state = LEDGER_MATCHES;
	else if (up && hash_source(code, &src, 1, 0, 0, &err) == 0 && !strncmp(code, all + 1, 64))
		state = LEDGER_COSMETIC;
	else if (up && hash_source(code, &src, 1, s->downgrade.line, s->downgrade.end_line, &err) == 0 &&
		 !strcmp(code, up + 1))
		state = LEDGER_DOWNGRADE_EDITED;
	buf_release(&src);
	mg_error_clear(&err);
	return state;
}

/* Write the revisions `v` (indexes into m) that hash, in one transaction. */
static int write_rows(db *d, const db_version_table *vt, const revmap *m, const int *v, size_t n, const char *id,
		      size_t *written, mg_error *err)
{
	strvec revs = STRVEC_INIT, hashes = STRVEC_INIT;
	char *who = run_who();
	size_t i;
	int rc = MG_OK;

	for (i = 0; i < n; i++) {
		buf value = BUF_INIT;
		if (ledger_value(&value, m->v[v[i]].s, err) < 0) {
			buf_release(&value);
			continue;
		}
		strvec_push(&revs, m->v[v[i]].id);
		strvec_push_owned(&hashes, buf_detach(&value));
	}
	if (revs.n)
		rc = d->ops->ledger_write(d, vt, &revs, &hashes, who, id, err);
	if (written)
		*written = revs.n;
	free(who);
	strvec_release(&revs);
	strvec_release(&hashes);
	return rc;
}

int ledger_record(db *d, const db_version_table *vt, const revmap *m, const int *steps, size_t n, const char *id,
		  mg_error *err)
{
	return write_rows(d, vt, m, steps, n, id, NULL, err);
}

int ledger_read(ledger_list *out, db *d, const db_version_table *vt, const revmap *m, mg_error *err)
{
	strvec revs = STRVEC_INIT, hashes = STRVEC_INIT;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = d->ops->ledger_read(d, vt, &revs, &hashes, &out->exists, err)) < 0)
		goto cleanup;
	out->v = mg_calloc(revs.n + 1, sizeof(*out->v));
	for (i = 0; i < revs.n; i++) {
		ledger_entry *e = &out->v[out->n++];
		int x = revmap_index(m, revs.v[i]);
		e->revision = mg_strdup(revs.v[i]);
		e->sha256 = mg_strndup(hashes.v[i], strcspn(hashes.v[i], " "));
		char now[65];
		e->state = x < 0 ? LEDGER_GONE : ledger_compare(m->v[x].s, hashes.v[i], now);
		out->bad += e->state == LEDGER_GONE || e->state == LEDGER_EDITED;
		out->way_back += e->state == LEDGER_DOWNGRADE_EDITED;
	}
cleanup:
	strvec_release(&revs);
	strvec_release(&hashes);
	return rc;
}

void ledger_list_release(ledger_list *l)
{
	size_t i;

	for (i = 0; l && i < l->n; i++) {
		free(l->v[i].revision);
		free(l->v[i].sha256);
	}
	if (l) {
		free(l->v);
		memset(l, 0, sizeof(*l));
	}
}

/* The revisions applied at the version rows `rows`, in upgrade order
 * (*v, *n; free *v). MG_EFINDINGS when a row names no script. */
static int applied_at(int **v, size_t *n, const revmap *m, const strvec *rows, mg_error *err)
{
	strvec unknown = STRVEC_INIT;
	int *cur = mg_calloc(rows->n + 1, sizeof(int)), rc = MG_OK;
	size_t ncur = revmap_indexes(cur, &unknown, m, rows);

	*v = NULL;
	*n = 0;
	if (unknown.n)
		rc = mg_error_set(err, MG_EFINDINGS, "the database is at revision '%s', which no script defines", unknown.v[0]);
	else if (ncur && revmap_upgrade_order(v, n, m, cur, ncur, NULL, 0, err) < 0)
		rc = err->code = MG_EFINDINGS;
	free(cur);
	strvec_release(&unknown);
	return rc;
}

int ledger_after_restore(ledger_restored *out, db *d, const db_version_table *vt, const revmap *m, const strvec *rows,
			 const strvec *pre_revs, const strvec *pre_hashes, const char *id, mg_error *err)
{
	strvec revs = STRVEC_INIT, hashes = STRVEC_INIT, carry = STRVEC_INIT, carry_hash = STRVEC_INIT;
	int *applied = NULL, *missing = NULL, exists = 0, rc;
	size_t napplied = 0, nmissing = 0, i;
	char *who = NULL;

	memset(out, 0, sizeof(*out));
	if (m->broken)
		return mg_error_set(err, MG_EFINDINGS, "the revision graph is broken");
	if ((rc = applied_at(&applied, &napplied, m, rows, err)) < 0 ||
	    (rc = d->ops->ledger_read(d, vt, &revs, &hashes, &exists, err)) < 0)
		goto cleanup;
	missing = mg_calloc(napplied + 1, sizeof(int));
	for (i = 0; i < napplied; i++) {
		const char *rev = m->v[applied[i]].id;
		int at = pre_revs ? strvec_index(pre_revs, rev) : -1;
		if (strvec_index(&revs, rev) >= 0) {
			out->kept++;
		} else if (at >= 0) {
			strvec_push(&carry, rev);
			strvec_push(&carry_hash, pre_hashes->v[at]);
		} else {
			missing[nmissing++] = applied[i];
		}
	}
	for (i = 0; pre_revs && i < pre_revs->n; i++) {
		int x = revmap_index(m, pre_revs->v[i]);
		size_t k;
		int still = 0;
		for (k = 0; x >= 0 && k < napplied && !still; k++)
			still = applied[k] == x;
		if (!still && strvec_index(&out->dropped, pre_revs->v[i]) < 0)
			strvec_push(&out->dropped, pre_revs->v[i]);
	}
	who = run_who();
	if (carry.n && (rc = d->ops->ledger_write(d, vt, &carry, &carry_hash, who, id, err)) < 0)
		goto cleanup;
	out->carried = carry.n;
	rc = write_rows(d, vt, m, missing, nmissing, id, &out->recorded, err);
cleanup:
	free(who);
	free(applied);
	free(missing);
	strvec_release(&revs);
	strvec_release(&hashes);
	strvec_release(&carry);
	strvec_release(&carry_hash);
	return rc;
}

void ledger_restored_release(ledger_restored *r)
{
	if (r)
		strvec_release(&r->dropped);
}

int ledger_baseline(size_t *recorded, size_t *already, db *d, const db_version_table *vt, const revmap *m,
		    const strvec *rows, mg_error *err)
{
	strvec revs = STRVEC_INIT, hashes = STRVEC_INIT;
	int *applied = NULL, *missing = NULL, exists = 0, rc;
	size_t napplied = 0, nmissing = 0, i;
	char id[17];

	*recorded = *already = 0;
	if (m->broken) {
		rc = mg_error_set(err, MG_EFINDINGS, "the revision graph is broken (see above)");
		goto cleanup;
	}
	if ((rc = d->ops->ledger_read(d, vt, &revs, &hashes, &exists, err)) < 0 ||
	    (rc = applied_at(&applied, &napplied, m, rows, err)) < 0)
		goto cleanup;
	missing = mg_calloc(napplied + 1, sizeof(int));
	for (i = 0; i < napplied; i++)
		if (strvec_index(&revs, m->v[applied[i]].id) < 0)
			missing[nmissing++] = applied[i];
	run_new_id(id);
	if ((rc = write_rows(d, vt, m, missing, nmissing, id, recorded, err)) == MG_OK)
		*already = napplied - *recorded;
cleanup:
	free(applied);
	free(missing);
	strvec_release(&revs);
	strvec_release(&hashes);
	return rc;
}
