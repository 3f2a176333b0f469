/*
 * test_pytok.c: the Python tokenizer against the token shapes CPython
 * produces.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "python/pytok.h"
#include "util/buf.h"

/* Tokenize `src` into a compact description: "NAME:x OP:= STRING:'a' NEWLINE ...". */
static char *describe(const char *src, size_t len, int *err_line, char **err_msg)
{
	pytok_state st;
	pytok t;
	buf out = BUF_INIT;

	*err_line = 0;
	pytok_init(&st, src, len);
	for (;;) {
		if (pytok_next(&st, &t) < 0) {
			*err_line = st.errline;
			if (err_msg)
				*err_msg = strdup(st.errmsg);
			break;
		}
		if (out.len)
			buf_putc(&out, ' ');
		buf_puts(&out, pytok_type_name(t.type));
		if (t.type == PYTOK_NAME || t.type == PYTOK_OP || t.type == PYTOK_STRING || t.type == PYTOK_NUMBER ||
		    t.type == PYTOK_COMMENT)
			buf_printf(&out, ":%.*s", (int)t.len, t.start);
		if (t.type == PYTOK_ENDMARKER)
			break;
	}
	return buf_detach(&out);
}

static void expect_tokens(const char *src, const char *want)
{
	int line;
	char *got = describe(src, strlen(src), &line, NULL);
	assert_int_equal(line, 0);
	assert_string_equal(got, want);
	free(got);
}

static void expect_error(const char *src, size_t len, int want_line, const char *msg_part)
{
	int line;
	char *msg = NULL;
	char *got = describe(src, len ? len : strlen(src), &line, &msg);
	assert_int_equal(line, want_line);
	assert_non_null(msg);
	assert_non_null(strstr(msg, msg_part));
	free(msg);
	free(got);
}

static void test_simple_assignment(void **state)
{
	(void)state;
	expect_tokens("revision = 'ab12'\n", "NAME:revision OP:= STRING:'ab12' NEWLINE ENDMARKER");
	expect_tokens("x=1", "NAME:x OP:= NUMBER:1 NEWLINE ENDMARKER");
}

/* Every operator and delimiter, longest match first, as Python's own
 * tokenize module splits this text. */
static void test_operators(void **state)
{
	(void)state;
	expect_tokens("x **= a//=b>>=c<<=d[...]**e//f<<g>>h<=i>=j==k!=l->m\n",
		      "NAME:x OP:**= NAME:a OP://= NAME:b OP:>>= NAME:c OP:<<= NAME:d OP:[ OP:... OP:] OP:** NAME:e "
		      "OP:// NAME:f OP:<< NAME:g OP:>> NAME:h OP:<= NAME:i OP:>= NAME:j OP:== NAME:k OP:!= NAME:l "
		      "OP:-> NAME:m NEWLINE ENDMARKER");
	expect_tokens("n+=1;o-=2;p*=3;q/=4;r%=5;s&=6;t|=7;u^=8;v@=w;(y:=z)\n",
		      "NAME:n OP:+= NUMBER:1 OP:; NAME:o OP:-= NUMBER:2 OP:; NAME:p OP:*= NUMBER:3 OP:; NAME:q OP:/= "
		      "NUMBER:4 OP:; NAME:r OP:%= NUMBER:5 OP:; NAME:s OP:&= NUMBER:6 OP:; NAME:t OP:|= NUMBER:7 OP:; "
		      "NAME:u OP:^= NUMBER:8 OP:; NAME:v OP:@= NAME:w OP:; OP:( NAME:y OP::= NAME:z OP:) NEWLINE "
		      "ENDMARKER");
	expect_tokens("z=~a%b^c&d|e@f.g<h>i,-j\n",
		      "NAME:z OP:= OP:~ NAME:a OP:% NAME:b OP:^ NAME:c OP:& NAME:d OP:| NAME:e OP:@ NAME:f OP:. "
		      "NAME:g OP:< NAME:h OP:> NAME:i OP:, OP:- NAME:j NEWLINE ENDMARKER");
	expect_tokens("a = b..c\n", "NAME:a OP:= NAME:b OP:. OP:. NAME:c NEWLINE ENDMARKER");
}

static void test_string_prefixes(void **state)
{
	(void)state;
	expect_tokens("a = r'x' b'y' u'z' f'w' rb'v' BR'u' Rb\"t\" fr's' RF'q'\n",
		      "NAME:a OP:= STRING:r'x' STRING:b'y' STRING:u'z' STRING:f'w' STRING:rb'v' STRING:BR'u' "
		      "STRING:Rb\"t\" STRING:fr's' STRING:RF'q' NEWLINE ENDMARKER");
	/* not prefixes: names followed by strings */
	expect_tokens("ub'x'\n", "NAME:ub STRING:'x' NEWLINE ENDMARKER");
	expect_tokens("bf'x'\n", "NAME:bf STRING:'x' NEWLINE ENDMARKER");
}

static void test_triple_and_escapes(void **state)
{
	(void)state;
	expect_tokens("s = '''a\n'b'\n''' \"\"\"x\"\"\"\n", "NAME:s OP:= STRING:'''a\n'b'\n''' STRING:\"\"\"x\"\"\" NEWLINE ENDMARKER");
	expect_tokens("s = 'it\\'s' \"q\\\"\"\n", "NAME:s OP:= STRING:'it\\'s' STRING:\"q\\\"\" NEWLINE ENDMARKER");
	/* a raw string still cannot end in an escaped quote */
	expect_tokens("s = r'a\\'b'\n", "NAME:s OP:= STRING:r'a\\'b' NEWLINE ENDMARKER");
	/* an empty string then a quote is not a triple quote */
	expect_tokens("s = ''\n", "NAME:s OP:= STRING:'' NEWLINE ENDMARKER");
}

static void test_comments_and_continuations(void **state)
{
	(void)state;
	expect_tokens("# hello\nx = 1  # tail\n", "COMMENT:# hello NL NAME:x OP:= NUMBER:1 COMMENT:# tail NEWLINE ENDMARKER");
	expect_tokens("x = 1 + \\\n    2\n", "NAME:x OP:= NUMBER:1 OP:+ NUMBER:2 NEWLINE ENDMARKER");
	expect_tokens("x = (1,\n  2)\n", "NAME:x OP:= OP:( NUMBER:1 OP:, NL NUMBER:2 OP:) NEWLINE ENDMARKER");
	expect_tokens("x = [\n  # c\n  'a',\n]\n", "NAME:x OP:= OP:[ NL COMMENT:# c NL STRING:'a' OP:, NL OP:] NEWLINE ENDMARKER");
}

static void test_indentation(void **state)
{
	(void)state;
	expect_tokens("def f():\n    x = 1\n\n    # c\n    y = 2\nz = 3\n",
		      "NAME:def NAME:f OP:( OP:) OP:: NEWLINE INDENT NAME:x OP:= NUMBER:1 NEWLINE NL COMMENT:# c NL "
		      "NAME:y OP:= NUMBER:2 NEWLINE DEDENT NAME:z OP:= NUMBER:3 NEWLINE ENDMARKER");
	/* tabs used consistently */
	expect_tokens("if x:\n\ty = 1\n\tz = 2\n",
		      "NAME:if NAME:x OP:: NEWLINE INDENT NAME:y OP:= NUMBER:1 NEWLINE NAME:z OP:= NUMBER:2 NEWLINE DEDENT ENDMARKER");
	/* dedents at end of file, without a final newline */
	expect_tokens("if x:\n  if y:\n    z", "NAME:if NAME:x OP:: NEWLINE INDENT NAME:if NAME:y OP:: NEWLINE INDENT NAME:z NEWLINE DEDENT DEDENT ENDMARKER");
}

static void test_line_endings_and_bom(void **state)
{
	(void)state;
	expect_tokens("\xEF\xBB\xBFx = 1\r\ny = 2\r", "NAME:x OP:= NUMBER:1 NEWLINE NAME:y OP:= NUMBER:2 NEWLINE ENDMARKER");
	expect_tokens("if a:\r\n    b = 1\r\nc = 2\r\n", "NAME:if NAME:a OP:: NEWLINE INDENT NAME:b OP:= NUMBER:1 NEWLINE DEDENT NAME:c OP:= NUMBER:2 NEWLINE ENDMARKER");
}

static void test_non_utf8_bytes_in_comments(void **state)
{
	(void)state;
	/* the tokenizer passes bytes through; decoding is pyscan's job */
	expect_tokens("# caf\xe9\nx = 1\n", "COMMENT:# caf\xe9 NL NAME:x OP:= NUMBER:1 NEWLINE ENDMARKER");
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("x = 'abc\ny = 1\n", 0, 1, "unterminated string literal");
	expect_error("a = 1\nx = '''abc\n\n", 0, 2, "unterminated triple-quoted");
	expect_error("x = (1,\n2\n", 0, 1, "'(' was never closed");
	expect_error("x = 1)\n", 0, 1, "unmatched ')'");
	expect_error("x = [1)\n", 0, 1, "does not match");
	expect_error("x = $\n", 0, 1, "invalid character '$'");
	expect_error("if x:\n        a = 1\n\tb = 2\n", 0, 3, "inconsistent use of tabs");
	expect_error("if x:\n\ty = 1\n        z = 2\n", 0, 3, "inconsistent use of tabs");
	expect_error("if x:\n    a = 1\n  b = 2\n", 0, 3, "unindent does not match");
	expect_error("x = 1\0\n", 7, 1, "null bytes");
	expect_error("x = 1 \\ y\n", 0, 1, "after line continuation");
}

static void test_huge_file(void **state)
{
	size_t n = 10u * 1024 * 1024, i = 0;
	char *src = malloc(n + 1);
	pytok_state st;
	pytok t;
	size_t tokens = 0;
	static const char line[] = "value_%d = ('abc', \"def\")  # comment\n";

	(void)state;
	while (i + sizeof(line) < n) {
		memcpy(src + i, line, sizeof(line) - 1);
		i += sizeof(line) - 1;
	}
	src[i] = '\0';
	pytok_init(&st, src, i);
	while (pytok_next(&st, &t) == 0 && t.type != PYTOK_ENDMARKER)
		tokens++;
	assert_int_equal(t.type, PYTOK_ENDMARKER);
	assert_true(tokens > 1000000);
	free(src);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple_assignment),
		cmocka_unit_test(test_operators),
		cmocka_unit_test(test_string_prefixes),
		cmocka_unit_test(test_triple_and_escapes),
		cmocka_unit_test(test_comments_and_continuations),
		cmocka_unit_test(test_indentation),
		cmocka_unit_test(test_line_endings_and_bom),
		cmocka_unit_test(test_non_utf8_bytes_in_comments),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_huge_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
