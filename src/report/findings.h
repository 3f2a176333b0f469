/*
 * findings.h: findings written for people and for machines.
 *
 * Text groups them by revision with the source line and a caret; JSON is
 * written one finding at a time (memory does not grow with the report);
 * SARIF 2.1.0 feeds code scanning; GitHub workflow commands annotate a
 * pull request; JUnit XML feeds test reports. Paths under the current
 * folder are shown relative to it.
 */
#ifndef MGATE_REPORT_FINDINGS_H
#define MGATE_REPORT_FINDINGS_H

#include <stdio.h>

#include "lint/rules.h"
#include "util/buf.h"
#include "util/finding.h"

/* `path` relative to the current directory when it is under it (a pointer
 * into `path`). `cwd` starts empty and caches the directory between calls. */
const char *report_display_path(const char *path, buf *cwd);

/* Text grouped by revision, with source line and caret; warnings, why
 * and fix left out when `quiet`; suppressed findings listed at the end
 * (with their messages when `verbose`). */
void report_text(FILE *out, const findings *f, int quiet, int verbose);

/* The document `name` (doc.h) `{"schema", "root", "findings": [...],
 * "summary": <summary>}`, paths relative to `root` (summary: a json_t *,
 * freed). */
void report_json_stream(FILE *out, const char *name, const char *root, const findings *f, void *summary);

/* A SARIF 2.1.0 log, with each rule's texts from `rules` (may be NULL). */
void report_sarif(FILE *out, const findings *f, const ruleset *rules);

/* GitLab's Code Quality report (Code Climate issues): one issue per
 * unsuppressed finding, with a fingerprint that survives line moves and is
 * unique in the report; a finding with no file is placed at
 * `fallback_path` (the project's ini). */
void report_codeclimate(FILE *out, const findings *f, const char *fallback_path);

/* GitHub workflow commands (::error file=...,line=...::message). */
void report_github(FILE *out, const findings *f);

/* JUnit XML: one test case per unsuppressed finding, errors as failures. */
void report_junit(FILE *out, const findings *f, const char *suite);

#endif
