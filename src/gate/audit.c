/*
 * audit.c: JSON lines with O_APPEND (one write per line), size rotation.
 */
#include "gate/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/fs.h"
#include "util/banned.h"

#define AUDIT_KEEP 5

void audit_new_id(char out[17])
{
	unsigned char r[8];
	int fd = open("/dev/urandom", O_RDONLY);
	size_t i;

	if (fd < 0 || read(fd, r, sizeof(r)) != (ssize_t)sizeof(r)) {
		unsigned long long t = (unsigned long long)time(NULL) ^ ((unsigned long long)getpid() << 32);
		memcpy(r, &t, sizeof(r));
	}
	if (fd >= 0)
		close(fd);
	for (i = 0; i < 8; i++)
		snprintf(out + 2 * i, 3, "%02x", r[i]);
}

char *audit_who(void)
{
	struct passwd *pw = getpwuid(getuid());
	const char *user = pw && pw->pw_name ? pw->pw_name : getenv("USER");
	const char *actor = getenv("GITHUB_ACTOR"), *ci = getenv("CI");
	buf b = BUF_INIT;

	buf_puts(&b, user ? user : "unknown");
	if ((ci && *ci) || actor) {
		buf_puts(&b, " (CI");
		if (actor)
			buf_printf(&b, ", GITHUB_ACTOR=%s", actor);
		buf_putc(&b, ')');
	}
	return buf_detach(&b);
}

static void rotate(const char *path)
{
	buf from = BUF_INIT, to = BUF_INIT;
	int k;

	for (k = AUDIT_KEEP - 1; k >= 0; k--) {
		buf_truncate(&from, 0);
		buf_truncate(&to, 0);
		if (k)
			buf_printf(&from, "%s.%d", path, k);
		else
			buf_puts(&from, path);
		buf_printf(&to, "%s.%d", path, k + 1);
		rename(from.ptr, to.ptr); /* a missing generation is fine */
	}
	buf_release(&from);
	buf_release(&to);
}

int audit_append(const char *path, void *entry, long long max_bytes, mg_error *err)
{
	struct stat st;
	char *line = json_dumps((json_t *)entry, JSON_COMPACT | JSON_PRESERVE_ORDER);
	buf b = BUF_INIT;
	int fd, rc = MG_OK;
	ssize_t w;

	if (!line)
		return mg_error_set(err, MG_ERR, "cannot encode the audit entry");
	if (max_bytes > 0 && stat(path, &st) == 0 && st.st_size > max_bytes)
		rotate(path);
	buf_printf(&b, "%s\n", line);
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0600)) < 0) {
		rc = mg_error_set(err, MG_EENV, "cannot write the audit log '%s': %s", path, strerror(errno));
		goto cleanup;
	}
	w = write(fd, b.ptr, b.len);
	if (w != (ssize_t)b.len || fsync(fd) < 0)
		rc = mg_error_set(err, MG_EENV, "cannot write the audit log '%s': %s", path, strerror(errno));
	close(fd);
cleanup:
	free(line);
	buf_release(&b);
	return rc;
}

/* The entries of one file that match, appended to `out` oldest first. */
static void read_entries(json_t *out, const char *path, const char *command, const char *database)
{
	buf text = BUF_INIT;
	mg_error err = MG_ERROR_INIT;
	const char *p, *nl;

	if (fs_read_file(&text, path, 256u * 1024 * 1024, &err) < 0) {
		buf_release(&text);
		return;
	}
	for (p = text.ptr; p && *p; p = nl ? nl + 1 : NULL) {
		json_t *e;
		const char *c, *d;
		nl = strchr(p, '\n');
		e = json_loadb(p, nl ? (size_t)(nl - p) : strlen(p), 0, NULL);
		c = json_string_value(json_object_get(e, "command"));
		d = json_string_value(json_object_get(e, "database"));
		if (json_is_object(e) && c && (!command || !strcmp(c, command)) &&
		    (!database || (d && !strcmp(d, database))))
			json_array_append(out, e);
		json_decref(e);
	}
	buf_release(&text);
}

void *audit_read(const char *path, const char *command, const char *database)
{
	json_t *out = json_array();
	int k;

	for (k = AUDIT_KEEP; k >= 0; k--) {
		buf p = BUF_INIT;
		if (k)
			buf_printf(&p, "%s.%d", path, k);
		else
			buf_puts(&p, path);
		read_entries(out, p.ptr, command, database);
		buf_release(&p);
	}
	return out;
}
