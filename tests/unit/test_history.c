/*
 * test_history.c: the audit log read back as a history: entries written
 * by audit.c come back as events with what closed the gate, the overrides,
 * Alembic's exit and where it stopped; the rotated files are read oldest
 * first; lines that are not entries (one JSON object, with a time) are
 * counted and skipped; the database
 * filter, the window (--since, which still finds the last drill), the
 * newest-first ring of kept events, the causes by frequency, and days
 * turned into weeks for a long window.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gate/audit.h"
#include "gate/history.h"
#include "testutil.h"

static char *dir;

static int setup(void **state)
{
	(void)state;
	dir = tu_tempdir();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tu_rmrf(dir);
	free(dir);
	return 0;
}

static void test_round_trip(void **state)
{
	char *path = tu_printf("%s/audit.jsonl", dir);
	audit_sink sink = { path, 0, 0, NULL, NULL };
	strvec from = STRVEC_INIT, after = STRVEC_INIT, allow = STRVEC_INIT;
	audit_head h = { "check", "00000000000000aa", "sqlite:///app.db", &from };
	checklist_result g;
	findings none = FINDINGS_INIT;
	audit_upgrade u;
	audit_drill dr = { "/b/app.sqlite3", "sqlite:////tmp/x.db", NULL, &none, 5, 6, 7, 18, 0 };
	history hi;
	history_opts o = { "sqlite:///app.db", 0, 10 };
	mg_error err = MG_ERROR_INIT;

	(void)state;
	memset(&g, 0, sizeof(g));
	memset(&u, 0, sizeof(u));
	strvec_push(&from, "r1");
	strvec_push(&after, "r1");
	strvec_push(&allow, "set-not-null");
	g.n = 2;
	g.checks[0].name = "rules";
	g.checks[0].status = GATE_FAIL;
	g.checks[0].summary = strdup("1 error");
	findings_add(&g.checks[0].found, "drop-column", SEV_ERROR, "x.py", 3, "r2", "drops users.email");
	g.checks[1].name = "backup";
	g.checks[1].status = GATE_FAIL;
	g.checks[1].summary = strdup("no backup");
	u.gate.target = "heads";
	u.gate.result = &g;
	audit_write_check(&sink, &h, &u.gate, 1, NULL); /* closed by a rule and a check */
	g.open = 1;
	g.checks[0].status = g.checks[1].status = GATE_PASS;
	u.gate.allow = &allow;
	u.gate.allow_reason = "small table";
	u.alembic_ran = 1;
	u.alembic_exit = 1;
	u.after = &after;
	u.stopped_in = "r2";
	u.verification = &none;
	u.total_ms = 812.5;
	u.exit = 4;
	h.command = "upgrade";
	h.id = "00000000000000bb";
	audit_write_upgrade(&sink, &h, &u, NULL); /* Alembic failed in r2 */
	h.command = "drill";
	h.id = "00000000000000cc";
	audit_write_drill(&sink, &h, &dr, NULL);
	h.database = "sqlite:///other.db"; /* another database's entry is left out */
	audit_write_drill(&sink, &h, &dr, NULL);

	assert_int_equal(history_read(&hi, path, &o, &err), 0);
	assert_int_equal(hi.files, 1);
	assert_int_equal(hi.total, 3);
	assert_int_equal(hi.nevents, 3);
	assert_int_equal(hi.failures, 2);
	assert_string_equal(hi.events[0].command, "drill"); /* newest first */
	assert_int_equal(hi.events[0].status, HISTORY_OK);
	assert_true(hi.events[0].ms == 18);
	assert_non_null(hi.events[0].host);
	assert_string_equal(hi.events[1].id, "00000000000000bb");
	assert_int_equal(hi.events[1].status, HISTORY_FAILED);
	assert_string_equal(hi.events[1].result, "Alembic failed");
	assert_int_equal(hi.events[1].alembic_exit, 1);
	assert_string_equal(hi.events[1].detail, "r2");
	assert_true(hi.events[1].ms == 812.5);
	assert_int_equal(hi.events[1].overrides.n, 1);
	assert_string_equal(hi.events[1].overrides.v[0], "allow set-not-null: small table");
	assert_int_equal(hi.events[2].status, HISTORY_BLOCKED);
	assert_int_equal(hi.events[2].blocking.n, 2);
	assert_string_equal(hi.events[2].blocking.v[0], "drop-column (r2): drops users.email");
	assert_string_equal(hi.events[2].blocking.v[1], "backup: no backup");
	assert_int_equal(hi.counts[HK_CHECK][HISTORY_BLOCKED], 1);
	assert_int_equal(hi.counts[HK_UPGRADE][HISTORY_FAILED], 1);
	assert_int_equal(hi.counts[HK_DRILL][HISTORY_OK], 1);
	/* r2 caused both failures: it leads; exit codes, the rule and the check follow */
	assert_true(hi.ncauses == 5);
	assert_string_equal(hi.causes[0].key, "revision:r2");
	assert_int_equal(hi.causes[0].count, 2);
	assert_string_equal(hi.causes[0].last_id, "00000000000000bb");
	assert_int_equal(hi.nperiods, 1);
	assert_false(hi.weekly);
	assert_true(hi.last_drill_ok > 0);
	history_release(&hi);
	/* keep 1: the newest only, all still counted */
	o.keep = 1;
	assert_int_equal(history_read(&hi, path, &o, &err), 0);
	assert_int_equal(hi.nevents, 1);
	assert_int_equal(hi.total, 3);
	assert_string_equal(hi.events[0].command, "drill");
	history_release(&hi);
	checklist_result_release(&g);
	findings_release(&none);
	strvec_release(&from);
	strvec_release(&after);
	strvec_release(&allow);
	free(path);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_files_window_and_weeks(void **state)
{
	char *live = tu_printf("%s/audit.jsonl", dir), *old = tu_printf("%s/audit.jsonl.2", dir);
	history hi;
	history_opts o = { NULL, 0, 3 };
	mg_error err = MG_ERROR_INIT;

	(void)state;
	/* the rotated file: a passing drill and a closed check, in March */
	write_file(old, "{\"time\":\"2026-03-02T10:00:00Z\",\"command\":\"drill\",\"result\":\"pass\",\"exit\":0}\n"
			"{\"time\":\"2026-03-03T10:00:00Z\",\"command\":\"check\",\"verdict\":\"closed\",\"checks\":"
			"[{\"name\":\"backup\",\"status\":\"fail\",\"summary\":\"none\"}],\"exit\":1}\n");
	/* the live file, in June, with lines that are not entries */
	write_file(live, "not json\n[1]\n{\"command\":\"check\"}\n{\"time\":\"2026-06-31T00:00:00Z\",\"command\":\"x\"}\n"
			 "{\"time\":\"2026-06-01T09:00:00Z\",\"command\":\"upgrade\",\"verdict\":\"open\",\"alembic_ran\":true,"
			 "\"alembic_exit\":0,\"exit\":5,\"total_ms\":10}\n"
			 "{\"time\":\"2026-06-02T09:00:00Z\",\"command\":\"restore\",\"exit\":0} trailing\n"
			 "{\"time\":\"2026-06-02T09:00:00Z\",\"command\":\"restore\"}{\"time\":\"x\"}\n"
			 "{\"time\":\"2026-06-03T09:00:00Z\",\"command\":\"rollback\",\"alembic_exit\":null,\"exit\":3}\n\n");
	assert_int_equal(history_read(&hi, live, &o, &err), 0);
	assert_int_equal(hi.files, 2);
	assert_int_equal(hi.total, 4);
	assert_int_equal(hi.skipped, 6); /* a second object on a line is not an entry either */
	/* the old check, written before "blocking": its failed checks close it */
	assert_int_equal(hi.counts[HK_CHECK][HISTORY_BLOCKED], 1);
	assert_int_equal(hi.counts[HK_UPGRADE][HISTORY_UNVERIFIED], 1);
	assert_int_equal(hi.counts[HK_ROLLBACK][HISTORY_FAILED], 1);
	assert_int_equal(hi.nevents, 3);
	assert_string_equal(hi.events[0].command, "rollback");
	assert_int_equal(hi.events[0].alembic_exit, -1);
	assert_string_equal(hi.events[1].command, "upgrade");
	assert_string_equal(hi.events[2].command, "check");
	assert_string_equal(hi.events[2].blocking.v[0], "backup: none");
	assert_true(hi.weekly); /* March to June: weeks, each starting on a Monday */
	for (size_t i = 0; i < hi.nperiods; i++) {
		time_t t = (time_t)hi.periods[i].start;
		struct tm tm;
		gmtime_r(&t, &tm);
		assert_int_equal(tm.tm_wday, 1);
	}
	assert_int_equal(hi.nperiods, 2); /* the weeks of 2 March and of 1 June */
	history_release(&hi);
	/* a window from May: the March entries are older, the drill is still found */
	o.since = 1777593600; /* 2026-05-01 */
	assert_int_equal(history_read(&hi, live, &o, &err), 0);
	assert_int_equal(hi.total, 2);
	assert_int_equal(hi.older, 2);
	assert_int_equal(hi.counts[HK_DRILL][HISTORY_OK], 0);
	assert_true(hi.last_drill_ok == 1772445600); /* 2026-03-02T10:00:00Z */
	assert_false(hi.weekly);
	history_release(&hi);
	/* no log at all is an empty history */
	assert_int_equal(history_read(&hi, "/nonexistent/audit.jsonl", &o, &err), 0);
	assert_int_equal(hi.total, 0);
	assert_int_equal(hi.files, 0);
	history_release(&hi);
	history_release(NULL);
	free(live);
	free(old);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_files_window_and_weeks, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
