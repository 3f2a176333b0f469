/*
 * progress.h: how a long core operation (an upgrade, a rollback, a drill)
 * tells its caller what happens while it happens, without printing: the
 * CLI passes callbacks that print, a test passes callbacks that record.
 *
 * Every callback may be NULL, and so may the whole struct.
 */
#ifndef MGATE_PROGRESS_H
#define MGATE_PROGRESS_H

#include "util/strvec.h"

struct checklist_result;

enum progress_level {
	PROGRESS_OUT,  /* a line of the operation's own report (the CLI prints it on standard output) */
	PROGRESS_LOG,  /* a line about what mgate is doing (standard error) */
	PROGRESS_NOTE, /* something the user should know, from the command (standard error, after its name) */
	PROGRESS_WARN  /* something went wrong that does not stop the operation (standard error) */
};

typedef struct progress {
	/* the checklist's verdict on `where` (the database, redacted) and
	 * `target`, before anything is changed */
	void (*checklist)(void *ctx, const struct checklist_result *r, const char *target, const char *where,
			  const char *correlation_id);
	/* a program (Alembic) is about to run; its output follows on the terminal */
	void (*running)(void *ctx, const strvec *argv);
	/* one line of text, without its newline */
	void (*line)(void *ctx, int level, const char *text);
	void *ctx;
} progress;

/* Send a formatted line to p->line (nothing when there is none). */
void progress_line(const progress *p, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void progress_running(const progress *p, const strvec *argv);

#endif
