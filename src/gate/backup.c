/*
 * backup.c: taking backups through the adapters, and reading, writing and
 * verifying their manifests (JSON).
 */
#include "gate/backup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "version.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/banned.h"

#define MANIFEST_SUFFIX ".manifest.json"
#define TEMP_PREFIX ".tmp-"

const char *backup_status_name(int status)
{
	switch (status) {
	case BACKUP_OK: return "ok";
	case BACKUP_MISSING: return "missing";
	case BACKUP_SIZE: return "size mismatch";
	case BACKUP_CHECKSUM: return "checksum mismatch";
	case BACKUP_BAD_MANIFEST: return "unreadable manifest";
	default: return "incomplete";
	}
}

/* A file-name-safe stem from the identity: the database's own name. */
static void name_stem(buf *out, const char *identity)
{
	const char *p = strrchr(identity, '/');
	const char *s = p ? p + 1 : identity;
	size_t i;

	for (i = 0; s[i] && i < 60; i++) {
		char c = s[i];
		if (c == '.' && i > 0 && (!strcmp(s + i, ".db") || !strcmp(s + i, ".sqlite") || !strcmp(s + i, ".sqlite3")))
			break;
		buf_putc(out, (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'
				      ? c
				      : '_');
	}
	if (!out->len)
		buf_puts(out, "database");
}

static int make_dir(const char *dir, mg_error *err)
{
	if (fs_is_dir(dir))
		return MG_OK;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return mg_error_set(err, MG_EENV, "cannot create the backup folder '%s': %s", dir, strerror(errno));
	return MG_OK;
}

static json_t *manifest_json(const backup_info *b)
{
	json_t *o = json_object();
	const char *slash = strrchr(b->path, '/');

	json_object_set_new(o, "file", json_string(slash ? slash + 1 : b->path));
	json_object_set_new(o, "format", json_string(b->format));
	json_object_set_new(o, "created_at", json_string(b->created_at));
	json_object_set_new(o, "created", json_integer(b->created));
	json_object_set_new(o, "size", json_integer(b->size));
	json_object_set_new(o, "sha256", json_string(b->sha256));
	json_object_set_new(o, "database_identity", json_string(b->identity));
	json_object_set_new(o, "database", json_string(b->database));
	json_object_set_new(o, "revisions", json_strvec(&b->revisions));
	json_object_set_new(o, "mgate_version", json_string(b->mgate_version));
	json_object_set_new(o, "duration_ms", json_integer(b->duration_ms));
	json_object_set_new(o, "writes_counter", b->writes >= 0 ? json_integer(b->writes) : json_null());
	return o;
}

int backup_take(backup_info *out, db *d, const db_version_table *vt, const char *dir, const strvec *revisions,
		const char *mgate_version, void (*progress)(double, void *), void *ctx, mg_error *err)
{
	buf identity = BUF_INIT, stem = BUF_INIT, tmp = BUF_INIT, final = BUF_INIT, mpath = BUF_INIT;
	char stamp[32], iso[32];
	time_t now = time(NULL);
	struct tm tm;
	struct timespec t0, t1;
	json_t *j = NULL;
	char *text = NULL;
	int fd, rc, n;

	memset(out, 0, sizeof(*out));
	if ((rc = make_dir(dir, err)) < 0 || (rc = d->ops->identity(d, &identity, err)) < 0)
		goto cleanup;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
	name_stem(&stem, identity.ptr);
	for (n = 1;; n++) {
		buf_truncate(&final, 0);
		buf_printf(&final, "%s/%s-%s%s%.0d.%s", dir, stem.ptr, stamp, n > 1 ? "-" : "", n > 1 ? n : 0,
			   !strcmp(d->ops->name, "sqlite") ? "sqlite3" : "dump");
		buf_truncate(&mpath, 0);
		buf_printf(&mpath, "%s" MANIFEST_SUFFIX, final.ptr);
		if (!fs_exists(final.ptr) && !fs_exists(mpath.ptr))
			break; /* neither a backup nor a manifest (of a vanished backup) by that name */
	}
	buf_printf(&tmp, "%s/" TEMP_PREFIX "%s", dir, strrchr(final.ptr, '/') + 1);
	if ((fd = open(tmp.ptr, O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0) {
		rc = mg_error_set(err, MG_EENV, "cannot create '%s': %s", tmp.ptr, strerror(errno));
		goto cleanup;
	}
	close(fd);
	out->writes = db_writes_counter(d, vt);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((rc = d->ops->backup(d, tmp.ptr, progress, ctx, err)) < 0 ||
	    (rc = sha256_file(out->sha256, &out->size, tmp.ptr, err)) < 0)
		goto fail;
	if (fs_fsync(tmp.ptr, 0) < 0 || rename(tmp.ptr, final.ptr) < 0) {
		rc = mg_error_set(err, MG_EENV, "cannot put the backup in place at '%s': %s", final.ptr, strerror(errno));
		goto fail;
	}
	fs_fsync(dir, 1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	out->duration_ms = (t1.tv_sec - t0.tv_sec) * 1000LL + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	out->path = mg_strdup(final.ptr);
	out->format = mg_strdup(!strcmp(d->ops->name, "sqlite") ? "sqlite" : "pg_dump-custom");
	out->created_at = mg_strdup(iso);
	out->created = (long long)now;
	out->identity = buf_detach(&identity);
	out->database = mg_strdup(d->redacted);
	strvec_copy(&out->revisions, revisions);
	out->mgate_version = mg_strdup(mgate_version);
	j = manifest_json(out);
	text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (!text || (rc = fs_write_atomic(mpath.ptr, text, strlen(text), 0600, err)) < 0) {
		unlink(final.ptr); /* a backup without its manifest must not look valid */
		rc = rc < 0 ? rc : mg_error_set(err, MG_ERR, "cannot write the manifest");
		goto cleanup;
	}
	out->manifest_path = buf_detach(&mpath);
	rc = MG_OK;
	goto cleanup;
fail:
	unlink(tmp.ptr);
cleanup:
	if (rc < 0)
		backup_info_release(out);
	free(text);
	json_decref(j);
	buf_release(&identity);
	buf_release(&stem);
	buf_release(&tmp);
	buf_release(&final);
	buf_release(&mpath);
	return rc;
}

int backup_database(backup_info *out, buf *where, const char *url, const db_version_table *vt, const char *dir,
		    void (*progress)(double done, void *ctx), void *ctx, mg_error *err)
{
	strvec rows = STRVEC_INIT;
	db *d = NULL;
	int exists = 0, rc;

	memset(out, 0, sizeof(*out));
	if ((rc = db_open(&d, url, err)) < 0)
		return rc;
	buf_puts(where, d->redacted);
	if ((rc = d->ops->read_versions(d, vt, &rows, &exists, err)) == MG_OK)
		rc = backup_take(out, d, vt, dir, &rows, MGATE_VERSION, progress, ctx, err);
	strvec_release(&rows);
	db_close(d);
	return rc < 0 ? MG_EENV : MG_OK;
}

static const char *jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Read one manifest; problems are the entry's status, never an error. */
static void read_manifest(backup_info *b, const char *dir, const char *name, int verify)
{
	buf path = BUF_INIT, file = BUF_INIT;
	json_error_t jerr;
	json_t *o, *revs;
	mg_error err = MG_ERROR_INIT;
	size_t i;

	memset(b, 0, sizeof(*b));
	b->writes = -1;
	buf_printf(&path, "%s/%s", dir, name);
	b->manifest_path = buf_detach(&path);
	o = json_load_file(b->manifest_path, 0, &jerr);
	if (!o || !jstr(o, "file") || !jstr(o, "sha256") || strchr(jstr(o, "file"), '/') ||
	    strlen(jstr(o, "sha256")) != 64) {
		b->status = BACKUP_BAD_MANIFEST;
		b->problem = mg_strdup(o ? "a required field is missing or wrong" : jerr.text);
		b->path = mg_strndup(b->manifest_path, strlen(b->manifest_path) - strlen(MANIFEST_SUFFIX));
		json_decref(o);
		return;
	}
	buf_printf(&file, "%s/%s", dir, jstr(o, "file"));
	b->path = buf_detach(&file);
	b->format = mg_strdup(jstr(o, "format") ? jstr(o, "format") : "?");
	b->created_at = mg_strdup(jstr(o, "created_at") ? jstr(o, "created_at") : "?");
	b->created = json_integer_value(json_object_get(o, "created"));
	b->size = json_integer_value(json_object_get(o, "size"));
	memcpy(b->sha256, jstr(o, "sha256"), 65);
	b->identity = mg_strdup(jstr(o, "database_identity") ? jstr(o, "database_identity") : "?");
	b->database = mg_strdup(jstr(o, "database") ? jstr(o, "database") : "?");
	b->mgate_version = mg_strdup(jstr(o, "mgate_version") ? jstr(o, "mgate_version") : "?");
	b->duration_ms = json_integer_value(json_object_get(o, "duration_ms"));
	b->writes = json_is_integer(json_object_get(o, "writes_counter")) ? json_integer_value(json_object_get(o, "writes_counter"))
									  : -1;
	revs = json_object_get(o, "revisions");
	for (i = 0; json_is_array(revs) && i < json_array_size(revs); i++)
		if (json_is_string(json_array_get(revs, i)))
			strvec_push(&b->revisions, json_string_value(json_array_get(revs, i)));
	json_decref(o);
	if (!fs_exists(b->path)) {
		b->status = BACKUP_MISSING;
		b->problem = mg_strdup("the backup file is gone");
	} else if (verify) {
		char hex[SHA256_HEX];
		long long size = 0;
		if (sha256_file(hex, &size, b->path, &err) < 0) {
			b->status = BACKUP_MISSING;
			b->problem = mg_strdup(err.msg);
		} else if (size != b->size) {
			b->status = BACKUP_SIZE;
			buf_printf(&file, "%lld bytes, the manifest says %lld", size, b->size);
			b->problem = buf_detach(&file);
		} else if (strcmp(hex, b->sha256)) {
			b->status = BACKUP_CHECKSUM;
			b->problem = mg_strdup("its SHA-256 differs from the manifest's: the file was changed or damaged");
		}
	}
}

static int newest_first(const void *a, const void *b)
{
	const backup_info *x = a, *y = b;
	if (x->created != y->created)
		return x->created < y->created ? 1 : -1;
	return strcmp(y->path ? y->path : "", x->path ? x->path : "");
}

int backup_list_dir(backup_list *out, const char *dir, int verify, mg_error *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	memset(out, 0, sizeof(*out));
	if (!d)
		return mg_error_set(err, MG_ENOTFOUND, "backup folder '%s' does not exist", dir);
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		int manifest = n > strlen(MANIFEST_SUFFIX) && !strcmp(e->d_name + n - strlen(MANIFEST_SUFFIX), MANIFEST_SUFFIX);
		int temp = !strncmp(e->d_name, TEMP_PREFIX, strlen(TEMP_PREFIX));
		backup_info *b;
		if (!manifest && !temp)
			continue;
		if (out->n == out->alloc) {
			out->alloc = out->alloc ? out->alloc * 2 : 8;
			out->v = mg_realloc(out->v, out->alloc * sizeof(*out->v));
		}
		b = &out->v[out->n++];
		if (manifest) {
			read_manifest(b, dir, e->d_name, verify);
		} else {
			buf p = BUF_INIT;
			memset(b, 0, sizeof(*b));
			buf_printf(&p, "%s/%s", dir, e->d_name);
			b->path = buf_detach(&p);
			b->status = BACKUP_INCOMPLETE;
			b->problem = mg_strdup("left by an interrupted or failed backup; safe to delete");
		}
	}
	closedir(d);
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), newest_first);
	return MG_OK;
}

int backup_newest(backup_info *out, const char *dir, const char *identity, int verify, const strvec *at)
{
	backup_list l;
	mg_error err = MG_ERROR_INIT;
	size_t i, pick = (size_t)-1;

	memset(out, 0, sizeof(*out));
	if (!dir || !identity || backup_list_dir(&l, dir, verify, &err) < 0)
		return MG_ENOTFOUND;
	for (i = 0; i < l.n; i++) {
		const backup_info *b = &l.v[i];
		if (b->status != BACKUP_OK || !b->identity || strcmp(b->identity, identity))
			continue;
		if (pick == (size_t)-1)
			pick = i; /* the newest of all, unless one at `at` comes */
		if (!at || strvec_same_set(&b->revisions, at)) {
			pick = i;
			break;
		}
	}
	if (pick != (size_t)-1) {
		*out = l.v[pick];
		memset(&l.v[pick], 0, sizeof(l.v[pick]));
	}
	backup_list_release(&l);
	return pick != (size_t)-1 ? 0 : MG_ENOTFOUND;
}

long long db_writes_counter(db *d, const db_version_table *vt)
{
	mg_error err = MG_ERROR_INIT;
	db_counts c;
	long long n = 0;
	size_t i;

	if (strcmp(d->ops->name, "postgresql") || d->ops->table_counts(d, vt, 0, &c, &err) < 0)
		return -1;
	for (i = 0; i < c.n; i++)
		n += c.v[i].ins + c.v[i].upd + c.v[i].del;
	db_counts_release(&c);
	return n;
}

int backup_load(backup_info *out, const char *path, int verify, mg_error *err)
{
	buf abs = BUF_INIT, dir = BUF_INIT, name = BUF_INIT;
	size_t n;
	int rc = MG_OK;

	memset(out, 0, sizeof(*out));
	fs_abspath(&abs, path);
	n = abs.len;
	if (n > strlen(MANIFEST_SUFFIX) && !strcmp(abs.ptr + n - strlen(MANIFEST_SUFFIX), MANIFEST_SUFFIX))
		buf_truncate(&abs, n - strlen(MANIFEST_SUFFIX));
	fs_dirname(&dir, abs.ptr);
	buf_printf(&name, "%s" MANIFEST_SUFFIX, strrchr(abs.ptr, '/') + 1);
	if (!fs_exists(abs.ptr) && !fs_exists(path)) {
		rc = mg_error_set(err, MG_ENOTFOUND, "backup '%s' does not exist", path);
		goto cleanup;
	}
	{
		buf m = BUF_INIT;
		buf_printf(&m, "%s/%s", dir.ptr, name.ptr);
		if (!fs_exists(m.ptr))
			rc = mg_error_set(err, MG_ENOTFOUND, "backup '%s' has no manifest ('%s'); mgate only restores backups "
							     "it can prove",
					  path, m.ptr);
		buf_release(&m);
		if (rc < 0)
			goto cleanup;
	}
	read_manifest(out, dir.ptr, name.ptr, verify);
cleanup:
	buf_release(&abs);
	buf_release(&dir);
	buf_release(&name);
	return rc;
}

int backup_restorable(const backup_info *b, const char *url, const char *identity, mg_error *err)
{
	db_url u;
	buf red = BUF_INIT;
	int rc;

	if ((rc = dburl_parse(&u, url, err)) < 0)
		return rc;
	dburl_redact(&red, url);
	if (b->status != BACKUP_OK)
		rc = mg_error_set(err, MG_ERR, "refusing to restore '%s': %s; nothing was changed", b->path,
				  b->problem ? b->problem : backup_status_name(b->status));
	else if (strcmp(b->format ? b->format : "?", u.dialect == DB_SQLITE ? "sqlite" : "pg_dump-custom"))
		rc = mg_error_set(err, MG_ERR, "refusing to restore '%s': it is a %s backup and %s is not; nothing was "
					       "changed",
				  b->path, b->format ? b->format : "?", red.ptr);
	else if (identity && strcmp(identity, b->identity ? b->identity : "?"))
		rc = mg_error_set(err, MG_ERR, "refusing to restore '%s' over %s: the backup is of another database (%s; "
					       "the target is %s); nothing was changed",
				  b->path, red.ptr, b->identity ? b->identity : "?",
				  identity);
	dburl_release(&u);
	buf_release(&red);
	return rc;
}

int backup_restore(const backup_info *b, const char *url, const char *identity, int in_place, char **kept,
		   mg_error *err)
{
	db_url u;
	buf red = BUF_INIT, keep = BUF_INIT;
	int rc;

	*kept = NULL;
	if ((rc = backup_restorable(b, url, identity, err)) < 0 || (rc = dburl_parse(&u, url, err)) < 0)
		return rc;
	dburl_redact(&red, url);
	if (u.dialect == DB_SQLITE && in_place) {
		char stamp[32];
		time_t now = time(NULL);
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
		buf_printf(&keep, "%s.pre-restore-%s", u.sqlite_path, stamp);
	}
	rc = db_ops_for(&u)->restore(&u, red.ptr, b->path, keep.len ? keep.ptr : NULL, !in_place, err);
	if (rc == 0 && keep.len && fs_exists(keep.ptr))
		*kept = buf_detach(&keep);
	dburl_release(&u);
	buf_release(&red);
	buf_release(&keep);
	return rc;
}

void backup_info_release(backup_info *b)
{
	if (!b)
		return;
	free(b->path);
	free(b->manifest_path);
	free(b->format);
	free(b->created_at);
	free(b->identity);
	free(b->database);
	strvec_release(&b->revisions);
	free(b->mgate_version);
	free(b->problem);
	memset(b, 0, sizeof(*b));
}

void backup_list_release(backup_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n; i++)
		backup_info_release(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}
