/*
 * fuzz_inifile.c: libFuzzer target for INI reading, configparser
 * interpolation, and the rewriting of sqlalchemy.url `mgate rehearse` does
 * (whose output must read back as INI).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alembic/config.h"
#include "alembic/inifile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ini_file f;
	strvec vars = STRVEC_INIT;
	static const char *const keys[] = { "script_location", "version_locations", "sqlalchemy.url", "names", "a" };
	size_t i, s;

	strvec_push(&vars, "here");
	strvec_push(&vars, "/srv/app");
	if (ini_parse_text(&f, "fuzz.ini", (const char *)data, size, NULL) == 0) {
		for (s = 0; s < f.sections.n; s++)
			for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
				char *v = NULL;
				ini_get(&v, &f, f.sections.v[s], keys[i], &vars, NULL);
				free(v);
			}
	}
	ini_file_release(&f);
	{
		char *text = malloc(size + 1);
		buf out = BUF_INIT;
		if (text) {
			memcpy(text, data, size);
			text[size] = 0;
			config_with_url(&out, text, "alembic", "postgresql://u:p%40@h/db");
			ini_parse_text(&f, "rewritten.ini", out.ptr, out.len, NULL);
			ini_file_release(&f);
			free(text);
		}
		buf_release(&out);
	}
	strvec_release(&vars);
	return 0;
}
