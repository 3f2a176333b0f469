/*
 * fuzz_dburl.c: libFuzzer target for database URL parsing and redaction.
 * A password given in the URL must never survive redaction.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "db/dburl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	db_url u;
	buf red = BUF_INIT;
	strvec k = STRVEC_INIT, v = STRVEC_INIT;

	memcpy(s, data, size);
	s[size] = '\0';
	dburl_redact(&red, s);
	if (dburl_parse(&u, s, NULL) == 0) {
		/* the password must be gone from the redacted URL's user-info */
		const char *sep = strstr(red.ptr, "://");
		if (u.password && *u.password && sep) {
			const char *auth = sep + 3, *end = auth, *at = NULL, *p;
			while (*end && *end != '/' && *end != '?')
				end++;
			for (p = auth; p < end; p++)
				if (*p == '@')
					at = p;
			/* the contract: with a password, the user-info ends in ":***" */
			if (!at || at - auth < 4 || memcmp(at - 4, ":***", 4))
				__builtin_trap();
		}
		if (u.dialect == DB_POSTGRESQL)
			dburl_libpq_params(&k, &v, &u);
	}
	dburl_release(&u);
	strvec_release(&k);
	strvec_release(&v);
	buf_release(&red);
	free(s);
	return 0;
}
