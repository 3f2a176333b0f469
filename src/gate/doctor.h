/*
 * doctor.h: what mgate resolved and whether each piece works, one line
 * each, OK or the problem with its fix, in a form that can go straight
 * into an incident ticket: the libraries, the configuration, the script
 * locations, the revisions, Alembic, the rules, the database and its
 * version table, the backups, the checks the gate will run.
 */
#ifndef MGATE_DOCTOR_H
#define MGATE_DOCTOR_H

#include "alembic/project.h"

typedef struct doctor_line {
	int ok;
	char *what;   /* "database", "alembic" ... */
	char *detail; /* what was found */
	char *fix;    /* what to do, for a problem (or NULL) */
} doctor_line;

typedef struct doctor_report {
	doctor_line *v;
	size_t n, alloc;
	int problems;
	char *root; /* the project's folder, when one was found */
} doctor_report;

/* Look at everything; `db_url` is --db and `scratch_url` --scratch-url
 * (either may be NULL). */
void doctor_run(doctor_report *out, const project_opts *po, const char *db_url, const char *scratch_url);
void doctor_report_release(doctor_report *r);

#endif
