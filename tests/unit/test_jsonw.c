/*
 * test_jsonw.c: the streaming writer must produce byte for byte what
 * jansson's canonical dump (sorted keys, two-space indent) gives for the
 * same document, so that streamed snapshots and dumped ones never differ.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/jsonw.h"

static char *canonical(json_t *j)
{
	char *text = json_dumps(j, JSON_SORT_KEYS | JSON_INDENT(2) | JSON_ENCODE_ANY), *out;
	size_t n = strlen(text);

	out = malloc(n + 2);
	memcpy(out, text, n);
	out[n] = '\n';
	out[n + 1] = '\0';
	free(text);
	json_decref(j);
	return out;
}

static void test_same_as_jansson(void **state)
{
	static const char tricky[] = "q\"b\\s/ \b\f\n\r\t \x01\x1f\x7f \xc3\xa9 \xe2\x80\xa8 \xf0\x9f\x98\x80";
	char *mem = NULL, *want;
	size_t len = 0;
	FILE *f = open_memstream(&mem, &len);
	jsonw w;
	json_t *j = json_object(), *t = json_object(), *cols = json_array();

	(void)state;
	/* the document, as a tree */
	json_object_set_new(j, "a_empty_object", json_object());
	json_object_set_new(j, "b_empty_array", json_array());
	json_array_append_new(cols, json_string("id"));
	json_array_append_new(cols, json_null());
	json_array_append_new(cols, json_object());
	json_object_set_new(t, "columns", cols);
	json_object_set_new(t, "n", json_integer(-9007199254740993LL));
	json_object_set_new(t, "yes", json_true());
	json_object_set_new(t, "no", json_false());
	json_object_set_new(j, "c_table", t);
	json_object_set_new(j, "d_text", json_string(tricky));
	want = canonical(j);

	/* the same, streamed with keys in sorted order */
	jsonw_init(&w, f);
	jsonw_object_begin(&w);
	jsonw_key(&w, "a_empty_object");
	jsonw_object_begin(&w);
	jsonw_object_end(&w);
	jsonw_key(&w, "b_empty_array");
	jsonw_array_begin(&w);
	jsonw_array_end(&w);
	jsonw_key(&w, "c_table");
	jsonw_object_begin(&w);
	jsonw_key(&w, "columns");
	jsonw_array_begin(&w);
	jsonw_string(&w, "id");
	jsonw_string(&w, NULL);
	jsonw_object_begin(&w);
	jsonw_object_end(&w);
	jsonw_array_end(&w);
	jsonw_key(&w, "n");
	jsonw_int(&w, -9007199254740993LL);
	jsonw_key(&w, "no");
	jsonw_bool(&w, 0);
	jsonw_key(&w, "yes");
	jsonw_bool(&w, 1);
	jsonw_object_end(&w);
	jsonw_key(&w, "d_text");
	jsonw_string(&w, tricky);
	jsonw_object_end(&w);
	assert_int_equal(jsonw_finish(&w), 0);
	fclose(f);
	assert_string_equal(mem, want);
	free(mem);
	free(want);
}

static void test_bad_utf8_and_scalars(void **state)
{
	char *mem = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&mem, &len);
	jsonw w;
	json_error_t e;
	json_t *back;

	(void)state;
	jsonw_init(&w, f);
	jsonw_string(&w, "a\xff"
			 "b\xc3");
	assert_int_equal(jsonw_finish(&w), 0);
	fclose(f);
	assert_string_equal(mem, "\"a\xef\xbf\xbd"
				 "b\xef\xbf\xbd\"\n");
	back = json_loads(mem, JSON_DECODE_ANY, &e); /* well-formed JSON after all */
	assert_non_null(back);
	json_decref(back);
	free(mem);
}

static void test_unbalanced_is_an_error(void **state)
{
	FILE *f = fopen("/dev/null", "w");
	jsonw w;

	(void)state;
	jsonw_init(&w, f);
	jsonw_object_begin(&w);
	assert_int_equal(jsonw_finish(&w), -1);
	jsonw_init(&w, f);
	jsonw_array_end(&w); /* closing what was never opened */
	assert_int_equal(jsonw_finish(&w), -1);
	{
		int i;
		jsonw_init(&w, f);
		for (i = 0; i < JSONW_MAX_DEPTH + 3; i++)
			jsonw_array_begin(&w);
		for (i = 0; i < JSONW_MAX_DEPTH + 3; i++)
			jsonw_array_end(&w);
		assert_int_equal(jsonw_finish(&w), -1); /* too deep: refused, never out of bounds */
	}
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_as_jansson),
		cmocka_unit_test(test_bad_utf8_and_scalars),
		cmocka_unit_test(test_unbalanced_is_an_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
