/*
 * log.c: `--log-format json`: mgate's own log lines as JSON objects.
 *
 * Everything mgate writes to its standard error goes through one FILE;
 * with --log-format json (or MGATE_LOG_FORMAT=json) that FILE is replaced
 * by a stream that turns each complete line into one JSON object:
 * {"time", "level", "command", "correlation_id", "revision", "message"}.
 * The level comes from the line ("warning:" is a warning, a line naming
 * the command is an error, the rest is info). Child processes (Alembic,
 * pg_dump, smoke commands) write to the real descriptor and are not
 * rewritten: their output is theirs.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "util/json.h"
#include "util/buf.h"
#include "util/banned.h"

static struct {
	char command[32];
	char id[17];
	char revision[128];
	buf line;
	FILE *real;
} logst;

void cli_log_context(const char *correlation_id, const char *revision)
{
	if (correlation_id)
		snprintf(logst.id, sizeof(logst.id), "%s", correlation_id);
	if (revision)
		snprintf(logst.revision, sizeof(logst.revision), "%s", revision);
}

static const char *level_of(const char *msg)
{
	if (strstr(msg, "warning:"))
		return "warning";
	if (!strncmp(msg, "mgate", 5))
		return "error";
	return "info";
}

static void emit(const char *msg, size_t n)
{
	json_t *o = json_object();
	char ts[32], *text;
	time_t now = time(NULL);
	struct tm tm;
	buf m = BUF_INIT;
	const char *colon;

	buf_put(&m, msg, n);
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_set_new(o, "time", json_string(ts));
	json_object_set_new(o, "level", json_string(level_of(m.ptr)));
	json_object_set_new(o, "command", json_string(logst.command));
	json_object_set_new(o, "correlation_id", logst.id[0] ? json_string(logst.id) : json_null());
	json_object_set_new(o, "revision", logst.revision[0] ? json_text(logst.revision) : json_null());
	/* "mgate upgrade: the message" -> "the message" */
	colon = !strncmp(m.ptr, "mgate", 5) ? strstr(m.ptr, ": ") : NULL;
	json_object_set_new(o, "message", json_text(colon ? colon + 2 : m.ptr));
	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (text)
		fprintf(logst.real, "%s\n", text);
	fflush(logst.real);
	free(text);
	json_decref(o);
	buf_release(&m);
}

static ssize_t log_write(void *cookie, const char *data, size_t size)
{
	size_t i, start = 0;

	(void)cookie;
	for (i = 0; i < size; i++)
		if (data[i] == '\n') {
			buf_put(&logst.line, data + start, i - start);
			if (logst.line.len)
				emit(logst.line.ptr, logst.line.len);
			buf_truncate(&logst.line, 0);
			start = i + 1;
		}
	buf_put(&logst.line, data + start, size - start);
	return (ssize_t)size;
}

static int log_close(void *cookie)
{
	(void)cookie;
	if (logst.line.len)
		emit(logst.line.ptr, logst.line.len);
	buf_release(&logst.line);
	return 0;
}

int cli_log_init(const char *command, const char *format)
{
	cookie_io_functions_t io = { NULL, log_write, NULL, log_close };
	FILE *f;

	if (!format)
		format = getenv("MGATE_LOG_FORMAT");
	if (!format || !strcmp(format, "text"))
		return 0;
	if (strcmp(format, "json")) {
		fprintf(stderr, "mgate %s: --log-format takes text or json, not '%s'\n", command, format);
		return EXIT_USAGE;
	}
	if (logst.real)
		return 0;
	snprintf(logst.command, sizeof(logst.command), "%s", command);
	if (!(f = fopencookie(NULL, "w", io)))
		return 0;
	setvbuf(f, NULL, _IONBF, 0);
	logst.real = stderr;
	stderr = f;
	return 0;
}

void cli_log_finish(void)
{
	if (!logst.real)
		return;
	fclose(stderr);
	stderr = logst.real;
	logst.real = NULL;
}
