/*
 * test_inifile.c: INI reading with configparser's rules on top of inih.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "alembic/inifile.h"
#include "util/buf.h"
#include "util/fs.h"

static int parse(ini_file *f, const char *text, mg_error *err)
{
	return ini_parse_text(f, "test.ini", text, strlen(text), err);
}

static char *get(const ini_file *f, const char *sec, const char *key, mg_error *err)
{
	strvec vars = STRVEC_INIT;
	char *v = NULL;
	strvec_push(&vars, "here");
	strvec_push(&vars, "/srv/app");
	ini_get(&v, f, sec, key, &vars, err);
	strvec_release(&vars);
	return v;
}

static void test_basic_and_case(void **state)
{
	ini_file f;
	mg_error err = MG_ERROR_INIT;
	char *v;
	(void)state;
	assert_int_equal(parse(&f, "# comment\n; other\n[alembic]\nScript_Location = migrations\nsqlalchemy.url: sqlite:///x.db\n", &err), 0);
	v = get(&f, "alembic", "script_location", &err);
	assert_string_equal(v, "migrations");
	free(v);
	v = get(&f, "alembic", "sqlalchemy.url", &err);
	assert_string_equal(v, "sqlite:///x.db");
	free(v);
	assert_int_equal(ini_find(&f, "alembic", "script_location")->line, 4);
	assert_null(get(&f, "alembic", "absent", &err));
	ini_file_release(&f);
}

static void test_values_keep_semicolons_and_hashes(void **state)
{
	ini_file f;
	mg_error err = MG_ERROR_INIT;
	char *v;
	(void)state;
	/* configparser has no inline comments: all of this is the value */
	assert_int_equal(parse(&f, "[a]\nsep = ;\nurl = postgresql://u:p ;w@h/db\nx = os  # Use os.pathsep.\n", &err), 0);
	v = get(&f, "a", "sep", &err);
	assert_string_equal(v, ";");
	free(v);
	v = get(&f, "a", "url", &err);
	assert_string_equal(v, "postgresql://u:p ;w@h/db");
	free(v);
	v = get(&f, "a", "x", &err);
	assert_string_equal(v, "os  # Use os.pathsep.");
	free(v);
	ini_file_release(&f);
}

static void test_long_lines_and_continuations(void **state)
{
	ini_file f;
	mg_error err = MG_ERROR_INIT;
	buf text = BUF_INIT, want = BUF_INIT;
	char *v;
	int i;
	(void)state;
	for (i = 0; i < 60; i++)
		buf_printf(&want, "%s/path/number/%d", i ? " " : "", i);
	buf_printf(&text, "[a]\nversion_locations = %s\nmulti =\n    one\n\n    two\nafter = 1\nm =\n  one\n# c\n  two\n", want.ptr);
	assert_int_equal(parse(&f, text.ptr, &err), 0);
	v = get(&f, "a", "version_locations", &err);
	assert_string_equal(v, want.ptr); /* longer than inih's 200-byte line */
	free(v);
	v = get(&f, "a", "multi", &err);
	assert_string_equal(v, "\none\n\ntwo"); /* as configparser: the blank line is kept */
	free(v);
	v = get(&f, "a", "m", &err);
	assert_string_equal(v, "\none\ntwo"); /* a comment line drops out */
	free(v);
	v = get(&f, "a", "after", &err);
	assert_string_equal(v, "1");
	free(v);
	ini_file_release(&f);
	buf_release(&text);
	buf_release(&want);
}

static void test_interpolation(void **state)
{
	ini_file f;
	mg_error err = MG_ERROR_INIT;
	char *v;
	(void)state;
	assert_int_equal(parse(&f, "[DEFAULT]\nroot = %(here)s/db\n[a]\nloc = %(ROOT)s/migrations\npct = 100%%\n"
				   "bad = %(nope)s\nsyntax = 50%\nloop1 = %(loop2)s\nloop2 = %(loop1)s\n",
			       &err),
			 0);
	v = get(&f, "a", "loc", &err);
	assert_string_equal(v, "/srv/app/db/migrations");
	free(v);
	v = get(&f, "a", "pct", &err);
	assert_string_equal(v, "100%");
	free(v);
	assert_null(get(&f, "a", "bad", &err));
	assert_non_null(strstr(err.msg, "'%(nope)s'"));
	assert_null(get(&f, "a", "syntax", &err));
	assert_non_null(strstr(err.msg, "must be followed by"));
	assert_null(get(&f, "a", "loop1", &err));
	assert_non_null(strstr(err.msg, "too deeply"));
	ini_file_release(&f);
}

static void test_errors_name_the_line(void **state)
{
	ini_file f;
	mg_error err = MG_ERROR_INIT;
	(void)state;
	assert_int_equal(parse(&f, "[a]\nx = 1\nX = 2\n", &err), MG_ECONFIG);
	assert_non_null(strstr(err.msg, "test.ini:3:"));
	assert_non_null(strstr(err.msg, "already exists"));
	ini_file_release(&f);
	assert_int_equal(parse(&f, "[a]\nx = 1\n[b]\n[a]\n", &err), MG_ECONFIG);
	assert_non_null(strstr(err.msg, "test.ini:4:"));
	ini_file_release(&f);
	assert_int_equal(parse(&f, "x = 1\n", &err), MG_ECONFIG);
	assert_non_null(strstr(err.msg, "before any [section]"));
	ini_file_release(&f);
	assert_int_equal(parse(&f, "[a]\nx = 1\njunk line\n", &err), MG_ECONFIG);
	assert_non_null(strstr(err.msg, "test.ini:3:"));
	ini_file_release(&f);
	assert_int_equal(ini_parse_text(&f, "nul.ini", "[a]\0x=1\n", 8, &err), MG_ECONFIG);
	ini_file_release(&f);
}

/* Found by fuzz_inifile: a parse error with no error context crashed. */
static void test_regress_null_error_context(void **state)
{
	ini_file f;
	buf text = BUF_INIT;
	(void)state;
	assert_int_equal(fs_read_file(&text, MGATE_SOURCE_DIR "/fuzz/corpus/inifile/regress-null-err.ini", 1 << 20, NULL), 0);
	ini_parse_text(&f, "x.ini", text.ptr, text.len, NULL);
	ini_file_release(&f);
	assert_int_equal(ini_parse_text(&f, "x.ini", "[a]\nk = 1\nk = 2\n", 16, NULL), MG_ECONFIG);
	ini_file_release(&f);
	buf_release(&text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic_and_case),
		cmocka_unit_test(test_values_keep_semicolons_and_hashes),
		cmocka_unit_test(test_long_lines_and_continuations),
		cmocka_unit_test(test_interpolation),
		cmocka_unit_test(test_errors_name_the_line),
		cmocka_unit_test(test_regress_null_error_context),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
