/*
 * finding.h: what mgate found wrong, with where and how bad.
 *
 * A finding has a stable id (the rule or check that produced it), a
 * severity (an error closes the gate), the file and line, the revision it
 * concerns, and a message that says what to do.
 */
#ifndef MGATE_FINDING_H
#define MGATE_FINDING_H

#include <stddef.h>

typedef enum finding_severity { SEV_ERROR = 0,
				SEV_WARNING = 1,
				SEV_INFO = 2 } finding_severity;

typedef struct finding {
	char *id;
	finding_severity severity;
	char *path;     /* may be NULL */
	int line;       /* 0 when not tied to a line */
	char *revision; /* may be NULL */
	char *message;
	int col;          /* 0-based column of the subject, or -1 */
	char *why;        /* why it matters (rule findings), or NULL */
	char *fix;        /* the safe alternative, or NULL */
	char *source;     /* the source line, for a caret display, or NULL */
	char *suppressed; /* the reason of the suppression that silences it, or NULL */
	char *table;      /* the table a rule finding concerns, or NULL */
} finding;

typedef struct findings {
	finding *v;
	size_t n, alloc;
} findings;

#define FINDINGS_INIT      \
	{                  \
		NULL, 0, 0 \
	}

void findings_add(findings *f, const char *id, finding_severity sev, const char *path, int line,
		  const char *revision, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
/* Append a copy of `x`, every field of it. */
void findings_add_copy(findings *f, const finding *x);
/* The finding added last (to fill in its optional fields). */
finding *findings_last(findings *f);
/* Findings that count: not suppressed, of severity `sev`. */
size_t findings_count_active(const findings *f, finding_severity sev);
/* Append every finding of `src` to `dst` (no copies) and leave `src` empty. */
void findings_move(findings *dst, findings *src);
size_t findings_count(const findings *f, finding_severity sev);
const char *finding_severity_name(finding_severity s);
/* Free one finding's strings (the finding itself is not freed). */
void finding_release(finding *x);

void findings_release(findings *f);

#endif
