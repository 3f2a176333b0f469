/*
 * parse.h: the one set of helpers that turn text a user gave (an option,
 * a setting, an environment variable) into a typed value, or refuse it.
 *
 * Each returns 0, or -1 with *expected set to words saying what would be
 * accepted ("a whole number from 1 to 3600"), for the caller's message,
 * which names the option or key and quotes the value. Empty strings,
 * junk after a number, signs where none make sense, and overflow are
 * all refused.
 */
#ifndef MGATE_PARSE_H
#define MGATE_PARSE_H

/* A whole number in [min, max]: decimal digits, with a leading '-' only
 * when min < 0. */
int parse_long(long long *out, const char *s, long long min, long long max, const char **expected);

/* true/false, yes/no, on/off, 1/0, any case. */
int parse_bool(int *out, const char *s, const char **expected);

/* A PostgreSQL duration setting's value as lock_timeout takes it: a whole
 * number with an optional unit (us, ms, s, min, h, d), e.g. "5s", "500ms",
 * "0". Nothing else: it goes into PGOPTIONS. */
int parse_pg_duration(const char *s, const char **expected);

/* A span of time in seconds: a whole number and an optional unit (s,
 * min, h, d); a bare number counts in `bare_unit_s` seconds (3600: hours).
 * The result must lie in [min_s, max_s]. */
int parse_age(long long *out, const char *s, long long bare_unit_s, long long min_s, long long max_s,
	      const char **expected);

/* A name for an environment variable: a letter or '_', then letters,
 * digits and '_'. */
int parse_env_name(const char *s, const char **expected);

/* A table or schema name as a database keeps it: not empty, and at most
 * 63 bytes (PostgreSQL cuts longer names, so the name asked for would
 * never be found). */
int parse_sql_name(const char *s, const char **expected);

/* A target dialect: postgresql (also postgres) or sqlite; *out gets the
 * canonical name. */
int parse_dialect(const char **out, const char *s, const char **expected);

/* A PostgreSQL major version from 9 to 99: "15", or "15.4". */
int parse_pg_major(int *out, const char *s, const char **expected);

#endif
