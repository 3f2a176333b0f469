/*
 * color.h: colour on a terminal, and nowhere else.
 *
 * Errors are red, warnings yellow, passes green. `auto` (the default)
 * colours a stream only when it is a terminal whose TERM is not "dumb" and
 * NO_COLOR is unset or empty; `always` and `never` decide for every
 * stream. Text written to a pipe or a file is the same bytes as without
 * this module.
 */
#ifndef MGATE_REPORT_COLOR_H
#define MGATE_REPORT_COLOR_H

#include <stdio.h>

#include "util/finding.h"

enum report_paint { PAINT_ERROR,
		    PAINT_WARNING,
		    PAINT_PASS,
		    PAINT_BOLD };

/* Set the mode from --color's value (NULL: auto). -1 for a value that is
 * not auto, always or never. */
int report_color_set(const char *mode);

/* The escape that starts `p` on `out`, or "" when `out` is not coloured. */
const char *report_paint_on(FILE *out, enum report_paint p);
/* The escape that ends it, or "". */
const char *report_paint_off(FILE *out);

/* The paint of a severity (infos have none: -1). */
int report_severity_paint(finding_severity s);

/* `word` painted as `p` when `out` is coloured. */
void report_put_painted(FILE *out, enum report_paint p, const char *word);

/* The severity's name, painted. */
void report_put_severity(FILE *out, finding_severity s);

#endif
