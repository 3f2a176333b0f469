/*
 * json.h: small builders of jansson values that every module shares:
 * strings from any bytes, string lists, and findings.
 *
 * Values are returned as void * (json_t *), so that a header need not
 * include jansson; the caller owns the reference.
 */
#ifndef MGATE_JSON_H
#define MGATE_JSON_H

#include <stdio.h>

#include "util/finding.h"
#include "util/strvec.h"

/* A JSON string from any bytes: invalid UTF-8 becomes U+FFFD. NULL gives
 * JSON null. */
void *json_text(const char *s);

/* A JSON array of strings. */
void *json_strvec(const strvec *sv);
void *json_strlist(const strlist *sl);

/* The findings as a JSON array of {"rule", "severity", "revision", "path",
 * "line", "message"}. */
void *json_findings(const findings *f);

/* `v` written out (JSON_INDENT(2), keys in insertion order) with a newline;
 * -1 when it cannot be encoded. `v` is not freed. */
int json_print(void *v, FILE *out);

#endif
