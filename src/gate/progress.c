/*
 * progress.c: sending progress to the caller's callbacks (progress.h).
 */
#include "gate/progress.h"

#include <stdarg.h>
#include <stdlib.h>

#include "util/buf.h"
#include "util/banned.h"

void progress_line(const progress *p, int level, const char *fmt, ...)
{
	buf b = BUF_INIT;
	va_list ap;

	if (!p || !p->line)
		return;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	p->line(p->ctx, level, b.ptr);
	buf_release(&b);
}

void progress_running(const progress *p, const strvec *argv)
{
	if (p && p->running)
		p->running(p->ctx, argv);
}
