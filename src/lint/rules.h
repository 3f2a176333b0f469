/*
 * rules.h: the rule catalogue, loaded from INI files at run time.
 *
 * Each section of a `*.ini` file in a rules folder is one rule: an id, a
 * severity, what it matches (`op:<operation>`, `sql:<statement class>`,
 * `builtin:<detector>`, or a PCRE2 `pattern` over SQL statements), a
 * `when` predicate over the facts of the matched subject, the dialects and
 * PostgreSQL versions it applies to, and the message, why and fix texts.
 * docs/rules.md documents the format; docs/rules/<id>.md each rule.
 *
 * A project's own folder is loaded over the built-in one: a section with
 * a known id changes only the keys it sets, a new id adds a rule.
 */
#ifndef MGATE_RULES_H
#define MGATE_RULES_H

#include <stddef.h>

#include "util/finding.h"
#include "util/error.h"
#include "util/strvec.h"

enum { RULE_UPGRADE = 1,
       RULE_DOWNGRADE = 2 };
enum { RULE_POSTGRESQL = 1,
       RULE_SQLITE = 2 };

typedef struct rule_expr rule_expr;

typedef struct rule {
	char *id;
	finding_severity severity;
	int disabled;
	int has_strict;
	finding_severity strict_severity; /* under --strict, when has_strict */
	strvec ops, sql, builtins;        /* from `match` */
	char *pattern_src;
	void *pattern; /* compiled PCRE2 code */
	char *when_src;
	rule_expr *when;
	unsigned dialects;  /* RULE_* bits; 0: every dialect */
	int pg_min, pg_max; /* 0: unbounded */
	unsigned scope;     /* RULE_UPGRADE / RULE_DOWNGRADE bits */
	char *message, *why, *fix;
	char *file; /* where it was (last) defined */
	int line;
} rule;

typedef struct ruleset {
	rule *v;
	size_t n, alloc;
} ruleset;

/*
 * Load every `*.ini` in `dir` (sorted by name) into `rs`, over what it
 * holds. MG_ECONFIG names the file, line and rule for bad input: an
 * unknown key, a bad severity, a `when` that does not parse, a pattern
 * that does not compile, a rule that matches nothing. MG_ENOTFOUND when
 * the folder does not exist.
 */
int ruleset_load_dir(ruleset *rs, const char *dir, mg_error *err);

/* Load one file (see ruleset_load_dir). */
int ruleset_load_file(ruleset *rs, const char *path, mg_error *err);
/* Load rules from `len` bytes of INI text; `path` names it in messages. */
int ruleset_load_text(ruleset *rs, const char *path, const char *text, size_t len, mg_error *err);

const rule *ruleset_find(const ruleset *rs, const char *id);

/* Set a rule's severity from config: "error", "warning", "info" or "off".
 * MG_ENOTFOUND for an unknown id, MG_ECONFIG for a bad value. */
int ruleset_configure(ruleset *rs, const char *id, const char *value, mg_error *err);

/* The severity a rule reports with (its strict one under --strict). */
finding_severity rule_severity(const rule *r, int strict);

/*
 * The built-in rules folder: $MGATE_RULES_DIR, else `rules` beside the
 * executable, in ../share/mgate/rules relative to it, or in the source
 * tree the build came from. Returns a heap string or NULL.
 */
char *rules_default_dir(void);

struct mgate_config;

/*
 * The catalogue a project judges by: the built-in folder, then the
 * project's rules folder (`dir`, else `rules` in [mgate]), then the
 * `rule.<id>` severities of [mgate]. `cfg` may be NULL. MG_EENV when the
 * built-in folder is not found; MG_ECONFIG for a bad rule file, a missing
 * project folder or a bad `rule.<id>` (the message names the file and
 * line).
 */
int ruleset_load_project(ruleset *out, const char *dir, const struct mgate_config *cfg, mg_error *err);

/* Compile a `when` predicate. MG_ECONFIG with the position on error. */
int rule_expr_compile(rule_expr **out, const char *src, mg_error *err);

/* Evaluate against facts: `lookup` returns a fact's value or NULL. */
typedef const char *(*rule_lookup_fn)(void *ctx, const char *key);
int rule_expr_eval(const rule_expr *e, rule_lookup_fn lookup, void *ctx);

void rule_expr_free(rule_expr *e);
void ruleset_release(ruleset *rs);

#endif
