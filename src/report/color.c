/*
 * color.c: colour on a terminal (color.h).
 */
#include "report/color.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/banned.h"

enum { MODE_AUTO,
       MODE_ALWAYS,
       MODE_NEVER };

static int mode = MODE_AUTO;

int report_color_set(const char *value)
{
	if (!value || !strcmp(value, "auto"))
		mode = MODE_AUTO;
	else if (!strcmp(value, "always"))
		mode = MODE_ALWAYS;
	else if (!strcmp(value, "never"))
		mode = MODE_NEVER;
	else
		return -1;
	return 0;
}

static int colored(FILE *out)
{
	const char *no = getenv("NO_COLOR"), *term = getenv("TERM");

	if (mode != MODE_AUTO)
		return mode == MODE_ALWAYS;
	if ((no && *no) || (term && !strcmp(term, "dumb")))
		return 0;
	return out && isatty(fileno(out));
}

const char *report_paint_on(FILE *out, enum report_paint p)
{
	static const char *const sgr[] = { "\033[1;31m", "\033[33m", "\033[32m", "\033[1m" };

	return colored(out) ? sgr[p] : "";
}

const char *report_paint_off(FILE *out)
{
	return colored(out) ? "\033[0m" : "";
}

int report_severity_paint(finding_severity s)
{
	return s == SEV_ERROR ? PAINT_ERROR : s == SEV_WARNING ? PAINT_WARNING
							       : -1;
}

void report_put_painted(FILE *out, enum report_paint p, const char *word)
{
	fprintf(out, "%s%s%s", report_paint_on(out, p), word, report_paint_off(out));
}

void report_put_severity(FILE *out, finding_severity s)
{
	int p = report_severity_paint(s);

	if (p < 0)
		fputs(finding_severity_name(s), out);
	else
		report_put_painted(out, (enum report_paint)p, finding_severity_name(s));
}
