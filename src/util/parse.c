/*
 * parse.c: typed values from user text, or a refusal (see parse.h).
 */
#include "util/parse.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/banned.h"

int parse_long(long long *out, const char *s, long long min, long long max, const char **expected)
{
	static _Thread_local char words[96];
	unsigned long long v = 0, limit;
	const char *p = s;
	int neg = 0;

	snprintf(words, sizeof(words), "a whole number from %lld to %lld", min, max);
	*expected = words;
	if (!s)
		return -1;
	if (*p == '-' && min < 0) {
		neg = 1;
		p++;
	}
	if (!isdigit((unsigned char)*p))
		return -1; /* empty, a sign where none is allowed, junk */
	limit = neg ? (unsigned long long)-(min + 1) + 1 : (unsigned long long)max;
	for (; isdigit((unsigned char)*p); p++) {
		unsigned d = (unsigned)(*p - '0');
		if (v > (limit - d) / 10)
			return -1; /* beyond the range, whatever follows */
		v = v * 10 + d;
	}
	if (*p)
		return -1;
	*out = !neg ? (long long)v : v ? -(long long)(v - 1) - 1
				       : 0;
	return *out < min || *out > max ? -1 : 0;
}

int parse_bool(int *out, const char *s, const char **expected)
{
	static const char *const yes[] = { "true", "yes", "on", "1" }, *const no[] = { "false", "no", "off", "0" };
	size_t i;

	*expected = "true or false (also yes/no, on/off, 1/0)";
	for (i = 0; s && i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = 1;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

int parse_pg_duration(const char *s, const char **expected)
{
	static const char *const units[] = { "", "us", "ms", "s", "min", "h", "d" };
	const char *p = s;
	size_t i;

	*expected = "a whole number with an optional unit (us, ms, s, min, h, d), such as 5s or 500ms";
	if (!s || !isdigit((unsigned char)*p) || strlen(s) > 20)
		return -1;
	while (isdigit((unsigned char)*p))
		p++;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(p, units[i]))
			return 0;
	return -1;
}

int parse_age(long long *out, const char *s, long long bare_unit_s, long long min_s, long long max_s,
	      const char **expected)
{
	static const struct {
		const char *name;
		long long s;
	} units[] = { { "s", 1 }, { "min", 60 }, { "h", 3600 }, { "d", 86400 } };
	static _Thread_local char words[160];
	char digits[24];
	const char *p = s, *e;
	long long n, scale = bare_unit_s;
	size_t i, len;

	snprintf(words, sizeof(words), "a whole number with an optional unit (s, min, h, d; a bare number is %s), from "
				       "%lld s to %lld s",
		 bare_unit_s == 3600 ? "hours" : bare_unit_s == 86400 ? "days"
								      : "seconds",
		 min_s, max_s);
	*expected = words;
	if (!s || !isdigit((unsigned char)*p))
		return -1;
	for (e = p; isdigit((unsigned char)*e); e++)
		;
	len = (size_t)(e - p);
	if (len >= sizeof(digits))
		return -1;
	memcpy(digits, p, len);
	digits[len] = 0;
	if (*e) {
		for (i = 0, scale = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (!strcmp(e, units[i].name))
				scale = units[i].s;
		if (!scale)
			return -1;
	}
	if (parse_long(&n, digits, 0, max_s / scale, expected) < 0) {
		*expected = words;
		return -1;
	}
	*expected = words;
	*out = n * scale;
	return *out < min_s || *out > max_s ? -1 : 0;
}

int parse_env_name(const char *s, const char **expected)
{
	const char *p = s;

	*expected = "an environment variable's name (letters, digits and _, not starting with a digit)";
	if (!s || !(isalpha((unsigned char)*p) || *p == '_'))
		return -1;
	for (; *p; p++)
		if (!(isalnum((unsigned char)*p) || *p == '_'))
			return -1;
	return 0;
}

int parse_sql_name(const char *s, const char **expected)
{
	*expected = "a table or schema name of 1 to 63 bytes";
	return s && *s && strlen(s) <= 63 ? 0 : -1;
}

int parse_dialect(const char **out, const char *s, const char **expected)
{
	*expected = "postgresql or sqlite";
	if (s && (!strcmp(s, "postgresql") || !strcmp(s, "postgres")))
		*out = "postgresql";
	else if (s && !strcmp(s, "sqlite"))
		*out = "sqlite";
	else
		return -1;
	return 0;
}

int parse_pg_major(int *out, const char *s, const char **expected)
{
	const char *dot = s ? strchr(s, '.') : NULL;
	char major[8];
	long long v;

	*expected = "a PostgreSQL major version such as 15";
	if (!s || (dot && (size_t)(dot - s) >= sizeof(major)) || (!dot && strlen(s) >= sizeof(major)))
		return -1;
	snprintf(major, sizeof(major), "%.*s", dot ? (int)(dot - s) : (int)strlen(s), s);
	if (dot) { /* "15.4": a minor version, digits only */
		const char *q = dot + 1;
		if (!isdigit((unsigned char)*q))
			return -1;
		while (isdigit((unsigned char)*q))
			q++;
		if (*q)
			return -1;
	}
	if (parse_long(&v, major, 9, 99, &(const char *){ NULL }) < 0)
		return -1;
	*out = (int)v;
	return 0;
}
