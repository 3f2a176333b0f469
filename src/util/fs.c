/*
 * fs.c: file reading, path joining and directory listing.
 */
#include "util/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/banned.h"

/* Read `fd` to its end into `out`; a short read of a regular file is its
 * end. More than `max` bytes is an error. */
static int read_fd(buf *out, int fd, const char *path, size_t max, mg_error *err)
{
	for (;;) {
		size_t want;
		ssize_t n;

		buf_grow(out, 16384);
		want = out->alloc - out->len - 1;
		n = read(fd, out->ptr + out->len, want);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return mg_error_set(err, MG_EENV, "cannot read '%s': %s", path, strerror(errno));
		}
		out->len += (size_t)n;
		out->ptr[out->len] = '\0';
		if (out->len > max)
			return mg_error_set(err, MG_ERR, "'%s' is too large (the limit is %zu bytes)", path, max);
		if ((size_t)n < want)
			return MG_OK;
	}
}

int fs_read_file(buf *out, const char *path, size_t max, mg_error *err)
{
	struct stat st;
	int fd = -1, rc = MG_OK;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = mg_error_set(err, errno == ENOENT ? MG_ENOTFOUND : MG_EENV,
				  "cannot open '%s': %s", path, strerror(errno));
		goto cleanup;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = mg_error_set(err, MG_EENV, "'%s' is not a regular file", path);
		goto cleanup;
	}
	if ((unsigned long long)st.st_size > max) {
		rc = mg_error_set(err, MG_ERR, "'%s' is too large (%lld bytes; the limit is %zu)",
				  path, (long long)st.st_size, max);
		goto cleanup;
	}
	buf_grow(out, (size_t)st.st_size);
	rc = read_fd(out, fd, path, max, err);
cleanup:
	if (fd >= 0)
		close(fd);
	return rc;
}

void fs_join(buf *out, const char *dir, const char *name)
{
	if (name[0] == '/' || !dir[0]) {
		buf_puts(out, name);
		return;
	}
	buf_puts(out, dir);
	if (out->len && out->ptr[out->len - 1] != '/')
		buf_putc(out, '/');
	buf_puts(out, name);
}

void fs_abspath(buf *out, const char *path)
{
	buf tmp = BUF_INIT;
	char cwd[4096];
	size_t start = out->len;
	const char *p, *seg;

	if (path[0] != '/') {
		if (!getcwd(cwd, sizeof(cwd)))
			cwd[0] = '\0';
		fs_join(&tmp, cwd, path);
	} else {
		buf_puts(&tmp, path);
	}
	/* Fold the segments lexically into `out`. */
	buf_putc(out, '/');
	for (p = tmp.ptr; *p;) {
		size_t len;

		while (*p == '/')
			p++;
		seg = p;
		while (*p && *p != '/')
			p++;
		len = (size_t)(p - seg);
		if (len == 0 || (len == 1 && seg[0] == '.'))
			continue;
		if (len == 2 && seg[0] == '.' && seg[1] == '.') {
			char *slash;
			if (out->len - start <= 1)
				continue;
			slash = strrchr(out->ptr + start, '/');
			buf_truncate(out, slash == out->ptr + start ? start + 1 : (size_t)(slash - out->ptr));
			continue;
		}
		if (out->len - start > 1)
			buf_putc(out, '/');
		buf_put(out, seg, len);
	}
	buf_release(&tmp);
}

void fs_dirname(buf *out, const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		buf_putc(out, '.');
	else if (slash == path)
		buf_putc(out, '/');
	else
		buf_put(out, path, (size_t)(slash - path));
}

int fs_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int fs_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

int fs_list_dir(strvec *out, const char *dir, mg_error *err)
{
	buf kinds = BUF_INIT;
	strlist names = STRLIST_INIT;
	arena mem = ARENA_INIT;
	size_t i;
	int rc = fs_list_dir_kinds(&names, &kinds, &mem, dir, err);

	for (i = 0; i < names.n; i++)
		strvec_push(out, names.v[i]);
	strlist_release(&names);
	arena_release(&mem);
	buf_release(&kinds);
	return rc;
}

int fs_list_dir_kinds(strlist *out, buf *kinds, arena *mem, const char *dir, mg_error *err)
{
	DIR *d;
	struct dirent *de;

	d = opendir(dir);
	if (!d)
		return mg_error_set(err, errno == ENOENT ? MG_ENOTFOUND : MG_EENV,
				    "cannot list '%s': %s", dir, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		char kind = FS_OTHER;
		struct stat st;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (de->d_type == DT_REG) {
			kind = FS_FILE;
		} else if (de->d_type == DT_DIR) {
			kind = FS_DIR;
		} else if ((de->d_type == DT_LNK || de->d_type == DT_UNKNOWN) &&
			   fstatat(dirfd(d), de->d_name, &st, 0) == 0) {
			if (S_ISREG(st.st_mode))
				kind = FS_FILE;
			else if (S_ISDIR(st.st_mode))
				kind = de->d_type == DT_LNK ? FS_DIR_LINK : FS_DIR;
			if (de->d_type == DT_UNKNOWN && S_ISDIR(st.st_mode) &&
			    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
				kind = FS_DIR_LINK;
		}
		strlist_push(out, arena_strdup(mem, de->d_name));
		buf_putc(kinds, kind);
	}
	closedir(d);
	return MG_OK;
}

int fs_read_regular(buf *out, const char *path, size_t max, mg_error *err)
{
	int fd, rc;

	/* O_NONBLOCK: should the file have become a FIFO, never wait on it */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return mg_error_set(err, errno == ENOENT ? MG_ENOTFOUND : MG_EENV, "cannot open '%s': %s", path,
				    strerror(errno));
	rc = read_fd(out, fd, path, max, err);
	close(fd);
	return rc;
}

int fs_fsync(const char *path, int is_dir)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | (is_dir ? O_DIRECTORY : 0)), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int fs_atomic_open(fs_atomic *a, const char *path, int mode, mg_error *err)
{
	buf tmp = BUF_INIT;
	int fd;

	memset(a, 0, sizeof(*a));
	buf_printf(&tmp, "%s.%ld.tmp", path, (long)getpid());
	fd = open(tmp.ptr, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0 || !(a->f = fdopen(fd, "w"))) {
		int e = errno;
		if (fd >= 0) {
			close(fd);
			unlink(tmp.ptr);
		}
		buf_release(&tmp);
		return mg_error_set(err, MG_EENV, "cannot write '%s': %s", path, strerror(e));
	}
	a->tmp = buf_detach(&tmp);
	a->path = mg_strdup(path);
	return MG_OK;
}

static void atomic_end(fs_atomic *a)
{
	free(a->tmp);
	free(a->path);
	memset(a, 0, sizeof(*a));
}

void fs_atomic_abort(fs_atomic *a)
{
	if (a->f) {
		fclose(a->f);
		unlink(a->tmp);
	}
	atomic_end(a);
}

int fs_atomic_commit(fs_atomic *a, mg_error *err)
{
	int rc = MG_OK, e;

	if (fflush(a->f) != 0 || ferror(a->f) || fsync(fileno(a->f)) != 0) {
		e = errno ? errno : EIO;
		rc = mg_error_set(err, MG_EENV, "cannot write '%s': %s", a->path, strerror(e));
		fs_atomic_abort(a);
		return rc;
	}
	if (fclose(a->f) != 0 || rename(a->tmp, a->path) != 0) {
		rc = mg_error_set(err, MG_EENV, "cannot write '%s': %s", a->path, strerror(errno));
		unlink(a->tmp);
	}
	atomic_end(a);
	return rc;
}

int fs_write_atomic(const char *path, const char *data, size_t len, int mode, mg_error *err)
{
	fs_atomic a;
	int rc;

	if ((rc = fs_atomic_open(&a, path, mode, err)) < 0)
		return rc;
	if (len && fwrite(data, 1, len, a.f) != len) {
		int e = errno;
		fs_atomic_abort(&a);
		return mg_error_set(err, MG_EENV, "cannot write '%s': %s", path, strerror(e));
	}
	return fs_atomic_commit(&a, err);
}
