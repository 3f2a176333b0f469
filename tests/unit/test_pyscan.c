/*
 * test_pyscan.c: reading revision scripts' module-level values, docstring
 * and function spans as Python would.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "python/pyscan.h"
#include "util/buf.h"

static void scan(pyscan_module *m, const char *src)
{
	assert_int_equal(pyscan_source(m, src, strlen(src), NULL, NULL), 0);
}

static const pyscan_diag *find_diag(const pyscan_module *m, const char *code)
{
	size_t i;
	for (i = 0; i < m->ndiags; i++)
		if (!strcmp(m->diags[i].code, code))
			return &m->diags[i];
	return NULL;
}

static void assert_seq(const pyvalue *v, size_t n, ...)
{
	va_list ap;
	size_t i;
	assert_int_equal(v->kind, PYV_SEQ);
	assert_int_equal(v->items.n, n);
	va_start(ap, n);
	for (i = 0; i < n; i++)
		assert_string_equal(v->items.v[i], va_arg(ap, const char *));
	va_end(ap);
}

static void test_classic_template(void **state)
{
	pyscan_module m;
	(void)state;
	scan(&m, "\"\"\"add users\n\nRevision ID: ab12cd34\nRevises: 0011aa\nCreate Date: x\n\n\"\"\"\n"
		 "from alembic import op\nimport sqlalchemy as sa\n\n"
		 "# revision identifiers, used by Alembic.\nrevision = 'ab12cd34'\ndown_revision = '0011aa'\n"
		 "branch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n    op.add_column('t', sa.Column('x', sa.Integer))\n\n\n"
		 "def downgrade():\n    op.drop_column('t', 'x')\n");
	assert_int_equal(m.ndiags, 0);
	assert_string_equal(m.revision.str, "ab12cd34");
	assert_int_equal(m.revision.line, 12);
	assert_string_equal(m.down_revision.str, "0011aa");
	assert_int_equal(m.branch_labels.kind, PYV_NONE);
	assert_int_equal(m.depends_on.kind, PYV_NONE);
	assert_true(m.has_doc);
	assert_string_equal(m.doc, "add users\n\nRevision ID: ab12cd34\nRevises: 0011aa\nCreate Date: x\n\n");
	assert_int_equal(m.upgrade.line, 18);
	assert_int_equal(m.upgrade.body_line, 19);
	assert_int_equal(m.upgrade.end_line, 19);
	assert_int_equal(m.downgrade.line, 22);
	assert_int_equal(m.downgrade.end_line, 23);
	pyscan_module_release(&m);
}

static void test_typed_template(void **state)
{
	pyscan_module m;
	(void)state;
	scan(&m, "from typing import Sequence, Union\n"
		 "revision: str = \"ff01\"\n"
		 "down_revision: Union[str, Sequence[str], None] = (\"aa\", \"bb\")\n"
		 "branch_labels: Union[str, Sequence[str], None] = ['expand']\n"
		 "depends_on: Union[str, Sequence[str], None] = 'cc',\n"
		 "def upgrade() -> None:\n    pass\n");
	assert_int_equal(m.ndiags, 0);
	assert_string_equal(m.revision.str, "ff01");
	assert_seq(&m.down_revision, 2, "aa", "bb");
	assert_seq(&m.branch_labels, 1, "expand");
	assert_true(m.branch_labels.is_list);
	assert_seq(&m.depends_on, 1, "cc"); /* a trailing comma makes a tuple */
	assert_false(m.has_doc);
	pyscan_module_release(&m);
}

static void test_string_forms(void **state)
{
	pyscan_module m;
	(void)state;
	scan(&m, "revision = u'ab' \"cd\" '''ef'''\ndown_revision = ('x'\n    'y')\n"
		 "branch_labels = r'a\\b'\ndepends_on = ('\\x41\\u00e9\\101',)\n");
	assert_string_equal(m.revision.str, "abcdef");
	assert_string_equal(m.down_revision.str, "xy"); /* parentheses around one string: not a tuple */
	assert_string_equal(m.branch_labels.str, "a\\b");
	assert_seq(&m.depends_on, 1, "A\xc3\xa9"
				     "A");
	pyscan_module_release(&m);
}

static void test_last_assignment_wins(void **state)
{
	pyscan_module m;
	(void)state;
	scan(&m, "revision = 'one'\ndown_revision = None\nrevision = 'two'\n");
	assert_string_equal(m.revision.str, "two");
	assert_int_equal(m.revision.line, 3);
	pyscan_module_release(&m);
}

static void test_constants_and_names(void **state)
{
	pyscan_module m;
	pyscan_names names = { STRVEC_INIT, STRVEC_INIT };
	const char *src = "from app import cli\nfrom app.branches import EXPAND as EXP\nPARENT = 'p1'\nrevision = 'r1'\n"
			  "down_revision = PARENT\nbranch_labels = (cli.CONTRACT_BRANCH,)\ndepends_on = EXP\n";
	(void)state;
	scan(&m, src);
	assert_string_equal(m.down_revision.str, "p1");
	assert_int_equal(m.branch_labels.kind, PYV_BAD);
	assert_non_null(strstr(find_diag(&m, "computed-value")->message, "cli.CONTRACT_BRANCH"));
	pyscan_module_release(&m);

	strvec_push(&names.keys, "cli.CONTRACT_BRANCH");
	strvec_push(&names.values, "contract");
	strvec_push(&names.keys, "app.branches.EXPAND");
	strvec_push(&names.values, "expand");
	assert_int_equal(pyscan_source(&m, src, strlen(src), &names, NULL), 0);
	assert_int_equal(m.ndiags, 0);
	assert_seq(&m.branch_labels, 1, "contract");
	assert_string_equal(m.depends_on.str, "expand"); /* through `from ... import ... as` */
	pyscan_module_release(&m);
	strvec_release(&names.keys);
	strvec_release(&names.values);
}

static void test_computed_values_are_findings(void **state)
{
	pyscan_module m;
	(void)state;
	scan(&m, "import uuid\nrevision = uuid.uuid4().hex[:12]\ndown_revision = f'{revision}x'\n"
		 "branch_labels = 'a' + 'b'\ndepends_on = None\n");
	assert_int_equal(m.revision.kind, PYV_BAD);
	assert_int_equal(m.down_revision.kind, PYV_BAD);
	assert_int_equal(m.branch_labels.kind, PYV_BAD);
	assert_int_equal(m.ndiags, 3);
	assert_int_equal(m.diags[0].line, 2);
	assert_non_null(strstr(m.diags[0].message, "function call"));
	assert_non_null(strstr(m.diags[1].message, "f-string"));
	assert_true(pyscan_has_errors(&m));
	pyscan_module_release(&m);

	/* an f-string without fields is a constant */
	scan(&m, "revision = f'abc{{x}}'\n");
	assert_int_equal(m.ndiags, 0);
	assert_string_equal(m.revision.str, "abc{x}");
	pyscan_module_release(&m);
}

static void test_blocks(void **state)
{
	pyscan_module m;
	(void)state;
	scan(&m, "import os\nrevision = 'a'\nif os.environ.get('X'):\n    down_revision = 'b'\nelse:\n    down_revision = 'c'\n");
	assert_int_equal(m.down_revision.kind, PYV_BAD);
	assert_non_null(find_diag(&m, "conditional-assignment"));
	assert_int_equal(find_diag(&m, "conditional-assignment")->line, 4);
	pyscan_module_release(&m);

	/* assignments inside functions and classes are not module values */
	scan(&m, "revision = 'a'\ndown_revision = None\n\ndef upgrade_x():\n    revision = 'no'\n\n"
		 "class C:\n    down_revision = 'no'\n\n@decorator\ndef upgrade():\n    if x:\n        pass\n    return 1\n"
		 "def downgrade(): pass\n");
	assert_int_equal(m.ndiags, 0);
	assert_string_equal(m.revision.str, "a");
	assert_int_equal(m.down_revision.kind, PYV_NONE);
	assert_int_equal(m.upgrade.line, 11);
	assert_int_equal(m.upgrade.end_line, 14);
	assert_int_equal(m.downgrade.line, 15);
	assert_int_equal(m.downgrade.end_line, 15);
	pyscan_module_release(&m);

	/* try/except around imports is fine when no watched name is set */
	scan(&m, "try:\n    import foo\nexcept ImportError:\n    foo = None\nrevision = 'a'\ndown_revision = None\n");
	assert_int_equal(m.ndiags, 0);
	pyscan_module_release(&m);
}

static void test_real_world_headers(void **state)
{
	pyscan_module m;
	(void)state;
	scan(&m, "# -*- coding: utf-8 -*-\n# Copyright 2020 Example\n#\n# Licensed under the Apache License\n"
		 "\"\"\"empty message\n\nRevision ID: 0042\nRevises: 0041\n\"\"\"\n# caf\xc3\xa9\n"
		 "revision = u'0042'\ndown_revision = u'0041'\n");
	assert_int_equal(m.ndiags, 0);
	assert_string_equal(m.encoding, "utf-8");
	assert_true(m.has_doc);
	assert_string_equal(m.revision.str, "0042");
	pyscan_module_release(&m);
}

static void test_docstring_mismatch(void **state)
{
	pyscan_module m;
	(void)state;
	scan(&m, "\"\"\"x\n\nRevision ID: aaaa\nRevises: bbbb, cccc\n\"\"\"\nrevision = 'aaaa'\ndown_revision = ('bbbb', 'dddd')\n");
	assert_int_equal(m.ndiags, 1);
	assert_string_equal(m.diags[0].code, "docstring-mismatch");
	assert_int_equal(m.diags[0].severity, PYSCAN_INFO); /* Alembic ignores the docstring */
	assert_int_equal(m.diags[0].line, 7);
	assert_false(pyscan_has_errors(&m));
	pyscan_module_release(&m);

	scan(&m, "\"\"\"Revision ID: zzzz\nRevises: \n\"\"\"\nrevision = 'aaaa'\ndown_revision = None\n");
	assert_int_equal(m.ndiags, 1);
	assert_non_null(strstr(m.diags[0].message, "zzzz"));
	pyscan_module_release(&m);
}

static void test_encodings(void **state)
{
	pyscan_module m;
	(void)state;
	/* invalid UTF-8 with no declaration: Python refuses the file */
	scan(&m, "revision = 'a'\n# caf\xe9\ndown_revision = None\n");
	assert_non_null(find_diag(&m, "encoding-error"));
	assert_int_equal(find_diag(&m, "encoding-error")->line, 2);
	pyscan_module_release(&m);

	/* a Latin-1 declaration makes the same bytes fine, and decodes values */
	scan(&m, "# -*- coding: latin-1 -*-\nrevision = 'caf\xe9'\ndown_revision = None\n");
	assert_int_equal(m.ndiags, 0);
	assert_string_equal(m.revision.str, "caf\xc3\xa9");
	pyscan_module_release(&m);

	/* the cookie on line 2 counts only after a comment line */
	scan(&m, "x = 1\n# coding: latin-1\nrevision = 'caf\xe9'\n");
	assert_non_null(find_diag(&m, "encoding-error"));
	pyscan_module_release(&m);

	/* a name Python does not know, a codec that is not a text encoding, and
	 * one that does not keep ASCII: Alembic cannot import any of them */
	{
		static const char *const refused[] = { "klingon", "rot13", "hex", "utf-16", "cp500", "euc.jp", "mbcs" };
		size_t i;
		for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
			char src[128];
			snprintf(src, sizeof(src), "#!/usr/bin/env python\n# -*- coding: %s -*-\nrevision = 'a'\n",
				 refused[i]);
			scan(&m, src);
			assert_non_null(find_diag(&m, "encoding-error"));
			assert_int_equal(find_diag(&m, "encoding-error")->line, 2);
			assert_non_null(strstr(find_diag(&m, "encoding-error")->message, refused[i]));
			pyscan_module_release(&m);
		}
	}
	/* spellings Python reads: aliases in any case, '-' or '_' or '.', and
	 * the tokenizer's own utf-8 and latin-1 prefixes */
	{
		static const char *const read[] = { "CP1252", "euc-jp", "Shift_JIS", "iso8859-15", "UTF8", "utf_8_sig",
						    "utf-8-anything", "Latin-1-x", "646", "iso8859.1", "u8" };
		size_t i;
		for (i = 0; i < sizeof(read) / sizeof(read[0]); i++) {
			char src[128];
			snprintf(src, sizeof(src), "# coding=%s\nrevision = 'a'\n", read[i]);
			scan(&m, src);
			if (find_diag(&m, "encoding-error"))
				fail_msg("'%s' refused: %s", read[i], find_diag(&m, "encoding-error")->message);
			assert_string_equal(m.revision.str, "a");
			pyscan_module_release(&m);
		}
	}
	/* after a BOM, only the tokenizer's own spellings of utf-8 */
	scan(&m, "\xEF\xBB\xBF# coding: utf8\nrevision = 'a'\n");
	assert_non_null(find_diag(&m, "encoding-error"));
	assert_non_null(strstr(find_diag(&m, "encoding-error")->message, "utf8 with BOM"));
	pyscan_module_release(&m);
	scan(&m, "\xEF\xBB\xBF# coding: UTF_8\nrevision = 'a'\n");
	assert_null(find_diag(&m, "encoding-error"));
	pyscan_module_release(&m);

	/* a known encoding mgate does not decode: a warning, only where a
	 * non-ASCII byte is */
	scan(&m, "# coding: cp1252\nrevision = 'a'\n# \x93quoted\x94\n");
	assert_null(find_diag(&m, "encoding-error"));
	assert_non_null(find_diag(&m, "encoding-unsupported"));
	assert_int_equal(find_diag(&m, "encoding-unsupported")->line, 3);
	pyscan_module_release(&m);

	/* bytes are not str */
	scan(&m, "revision = b'abc'\n");
	assert_int_equal(m.revision.kind, PYV_BAD);
	pyscan_module_release(&m);
}

static void test_syntax_errors(void **state)
{
	pyscan_module m;
	(void)state;
	scan(&m, "revision = 'a\ndown_revision = None\n");
	assert_non_null(find_diag(&m, "syntax-error"));
	assert_int_equal(find_diag(&m, "syntax-error")->line, 1);
	pyscan_module_release(&m);

	scan(&m, "revision = 'a'\n  down_revision = None\n");
	assert_string_equal(find_diag(&m, "syntax-error")->message, "unexpected indent");
	pyscan_module_release(&m);

	scan(&m, "def upgrade():\npass\n");
	assert_non_null(strstr(find_diag(&m, "syntax-error")->message, "expected an indented block"));
	pyscan_module_release(&m);
}

static void test_huge_file(void **state)
{
	size_t n = 10u * 1024 * 1024, i;
	buf src = BUF_INIT;
	pyscan_module m;
	(void)state;
	buf_puts(&src, "revision = 'big'\ndown_revision = None\ndef upgrade():\n");
	for (i = 0; src.len < n; i++)
		buf_printf(&src, "    op.execute(\"UPDATE t SET c = %zu WHERE id = %zu\")  # row %zu\n", i, i, i);
	buf_puts(&src, "def downgrade():\n    pass\n");
	assert_int_equal(pyscan_source(&m, src.ptr, src.len, NULL, NULL), 0);
	assert_int_equal(m.ndiags, 0);
	assert_string_equal(m.revision.str, "big");
	assert_int_equal(m.upgrade.end_line, (int)i + 3);
	assert_int_equal(m.downgrade.line, (int)i + 4);
	pyscan_module_release(&m);
	buf_release(&src);
}

/* Found by fuzz_pyscan: `import x as` with nothing after looped forever. */
static void test_regress_import_as(void **state)
{
	pyscan_module m;
	(void)state;
	scan(&m, "import as\nimport a as\nimport a.b as c, d\nfrom m import\nrevision = 'r'\n");
	assert_string_equal(m.revision.str, "r");
	pyscan_module_release(&m);
}

static void test_decode_string(void **state)
{
	buf out = BUF_INIT;
	int fields;
	mg_error err = MG_ERROR_INIT;
	(void)state;
	assert_int_equal(pyscan_decode_string(&out, "'a\\tb\\\nc'", 9, &fields, 0, &err), 0);
	assert_string_equal(out.ptr, "a\tbc");
	buf_truncate(&out, 0);
	assert_int_equal(pyscan_decode_string(&out, "'\\x4'", 5, &fields, 0, &err), -1);
	assert_non_null(strstr(err.msg, "truncated"));
	buf_truncate(&out, 0);
	assert_int_equal(pyscan_decode_string(&out, "f'{x}'", 6, &fields, 0, &err), 0);
	assert_true(fields);
	/* runs of plain bytes between the bytes that need a look */
	buf_truncate(&out, 0);
	assert_int_equal(pyscan_decode_string(&out, "f'ab{{c}}de'", 12, &fields, 0, &err), 0);
	assert_string_equal(out.ptr, "ab{c}de");
	assert_false(fields);
	buf_truncate(&out, 0);
	assert_int_equal(pyscan_decode_string(&out, "r'a\\nb\\\\'", 9, &fields, 0, &err), 0);
	assert_string_equal(out.ptr, "a\\nb\\\\");
	buf_truncate(&out, 0);
	assert_int_equal(pyscan_decode_string(&out, "'''one\r\ntwo\rthree'''", 20, &fields, 0, &err), 0);
	assert_string_equal(out.ptr, "one\ntwo\nthree");
	buf_truncate(&out, 0);
	assert_int_equal(pyscan_decode_string(&out, "'caf\xe9 {x}'", 10, &fields, 1, &err), 0);
	assert_string_equal(out.ptr, "caf\xc3\xa9 {x}");
	buf_truncate(&out, 0);
	assert_int_equal(pyscan_decode_string(&out, "b'ok\xe9'", 6, &fields, 0, &err), -1);
	buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classic_template),
		cmocka_unit_test(test_typed_template),
		cmocka_unit_test(test_string_forms),
		cmocka_unit_test(test_last_assignment_wins),
		cmocka_unit_test(test_constants_and_names),
		cmocka_unit_test(test_computed_values_are_findings),
		cmocka_unit_test(test_blocks),
		cmocka_unit_test(test_real_world_headers),
		cmocka_unit_test(test_docstring_mismatch),
		cmocka_unit_test(test_encodings),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_huge_file),
		cmocka_unit_test(test_decode_string),
		cmocka_unit_test(test_regress_import_as),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
