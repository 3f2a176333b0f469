/*
 * error.c: the error context, and allocation wrappers that abort on
 * out-of-memory (mgate has no sensible way to go on without memory, and a
 * half-built revision graph must never be mistaken for a whole one).
 */
#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

int mg_error_set(mg_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

int mg_error_wrap(mg_error *err, const char *fmt, ...)
{
	char prefix[512], old[sizeof(err->msg)];
	va_list ap;

	if (!err)
		return MG_ERR;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	{
		size_t plen = strlen(prefix), olen = strlen(old);
		if (plen > sizeof(err->msg) - 3)
			plen = sizeof(err->msg) - 3;
		memcpy(err->msg, prefix, plen);
		memcpy(err->msg + plen, ": ", 2);
		if (olen > sizeof(err->msg) - plen - 3)
			olen = sizeof(err->msg) - plen - 3;
		memcpy(err->msg + plen + 2, old, olen);
		err->msg[plen + 2 + olen] = '\0';
	}
	return err->code ? err->code : MG_ERR;
}

int mg_fail(mg_error *err, int outcome, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return outcome;
	err->code = outcome == MG_OUT_USAGE     ? MG_ECONFIG
		    : outcome == MG_OUT_BLOCKED ? MG_EFINDINGS
		    : outcome == MG_OUT_ENV     ? MG_EENV
						: MG_ERR;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return outcome;
}

int mg_error_append(mg_error *err, const char *fmt, ...)
{
	size_t len;
	va_list ap;

	if (!err)
		return MG_ERR;
	len = strlen(err->msg);
	va_start(ap, fmt);
	vsnprintf(err->msg + len, sizeof(err->msg) - len, fmt, ap);
	va_end(ap);
	return err->code ? err->code : MG_ERR;
}

int mg_outcome_of(int code)
{
	switch (code) {
	case MG_OK: return MG_OUT_OK;
	case MG_ECONFIG:
	case MG_ENOTFOUND: return MG_OUT_USAGE;
	case MG_EFINDINGS:
	case MG_EAMBIGUOUS: return MG_OUT_BLOCKED;
	default: return MG_OUT_ENV;
	}
}

void mg_error_clear(mg_error *err)
{
	if (!err)
		return;
	err->code = 0;
	err->msg[0] = '\0';
}

_Noreturn void mg_die_oom(void)
{
	fputs("mgate: fatal: out of memory\n", stderr);
	abort();
}

void *mg_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		mg_die_oom();
	return p;
}

void *mg_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		mg_die_oom();
	return p;
}

void *mg_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		mg_die_oom();
	return q;
}

char *mg_strdup(const char *s)
{
	return mg_strndup(s, strlen(s));
}

char *mg_strndup(const char *s, size_t n)
{
	char *p = mg_malloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}
