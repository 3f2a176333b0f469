/*
 * test_spawn.c: child processes run with argv (no shell in mgate), their
 * exit status, the copy of their stderr, the time limit, and a child that
 * closes its stderr early (the wait must still end with the child); and
 * the relay of one program into another: head, the producer's output, and
 * the tail its exit status chooses, with a large output, a failing
 * producer and a consumer that stops reading.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/spawn.h"

static void test_status_and_stderr_copy(void **state)
{
	const char *argv[] = { "/bin/sh", "-c", "echo to-stderr >&2; exit 3", NULL };
	buf copy = BUF_INIT;
	mg_error err = MG_ERROR_INIT;
	int status = 0, sig = 0, timed_out = 0;

	(void)state;
	assert_int_equal(spawn_stream_tee(&status, &sig, &timed_out, argv, NULL, 0, 1, &copy, &err), 0);
	assert_int_equal(status, 3);
	assert_int_equal(timed_out, 0);
	assert_true(strstr(copy.ptr, "to-stderr") != NULL);
	buf_release(&copy);
}

static void test_closed_stderr(void **state)
{
	const char *argv[] = { "/bin/sh", "-c", "exec 2>&-; sleep 0.2; exit 7", NULL };
	buf copy = BUF_INIT;
	mg_error err = MG_ERROR_INIT;
	int status = 0, sig = 0, timed_out = 0;

	(void)state;
	assert_int_equal(spawn_stream_tee(&status, &sig, &timed_out, argv, NULL, 0, 0, &copy, &err), 0);
	assert_int_equal(status, 7);
	buf_release(&copy);
}

static void test_timeout(void **state)
{
	const char *argv[] = { "/bin/sleep", "30", NULL };
	mg_error err = MG_ERROR_INIT;
	int status = 0, sig = 0, timed_out = 0;

	(void)state;
	assert_int_equal(spawn_stream(&status, &sig, &timed_out, argv, NULL, 1, 0, &err), 0);
	assert_int_equal(timed_out, 1);
	assert_int_equal(status, 128 + 15);
}

static void test_missing_program(void **state)
{
	const char *argv[] = { "mgate-no-such-program", NULL };
	mg_error err = MG_ERROR_INIT;
	int status = 0, sig = 0, timed_out = 0;

	(void)state;
	assert_int_equal(spawn_stream(&status, &sig, &timed_out, argv, NULL, 0, 0, &err), MG_EENV);
	assert_true(strstr(err.msg, "mgate-no-such-program") != NULL);
}

/* Relay `producer`'s script into a consumer that writes what it reads to a
 * file; returns the file's bytes. */
static void relay(buf *got, spawn_relay_result *res, const char *producer, const char *consumer_script)
{
	char path[] = "/tmp/mgate-relay-XXXXXX";
	int fd = mkstemp(path);
	buf cons = BUF_INIT;
	const char *p[] = { "/bin/sh", "-c", producer, NULL };
	const char *c[] = { "/bin/sh", "-c", NULL, NULL };
	spawn_relay_opts o;
	mg_error err = MG_ERROR_INIT;

	assert_true(fd >= 0);
	close(fd);
	buf_printf(&cons, consumer_script, path);
	c[2] = cons.ptr;
	memset(&o, 0, sizeof(o));
	o.producer = p;
	o.consumer = c;
	o.head = "HEAD\n";
	o.tail_ok = "OK\n";
	o.tail_fail = "FAIL\n";
	assert_int_equal(spawn_relay(res, &o, &err), 0);
	assert_int_equal(fs_read_file(got, path, 64u << 20, &err), 0);
	unlink(path);
	buf_release(&cons);
}

static void test_relay(void **state)
{
	spawn_relay_result res;
	buf got = BUF_INIT;

	(void)state;
	relay(&got, &res, "echo one; echo two", "cat > %s");
	assert_int_equal(res.producer, 0);
	assert_int_equal(res.consumer, 0);
	assert_string_equal(got.ptr, "HEAD\none\ntwo\nOK\n");
	buf_truncate(&got, 0);

	/* a producer that fails part-way: the consumer gets the failure's tail */
	relay(&got, &res, "echo one; echo broken >&2; exit 3", "cat > %s");
	assert_int_equal(res.producer, 3);
	assert_string_equal(got.ptr, "HEAD\none\nFAIL\n");
	buf_truncate(&got, 0);

	/* 8 MB through the pipes, more than any pipe holds */
	relay(&got, &res, "head -c 8000000 /dev/zero | tr '\\0' x", "cat > %s");
	assert_int_equal(res.producer, 0);
	assert_int_equal(got.len, strlen("HEAD\n") + 8000000 + strlen("OK\n"));
	buf_truncate(&got, 0);

	/* a consumer that stops reading: neither side hangs */
	relay(&got, &res, "head -c 8000000 /dev/zero", "head -c 3 > %s");
	assert_int_equal(res.consumer, 0);
	assert_int_not_equal(res.producer, 0); /* it lost its reader */
	assert_string_equal(got.ptr, "HEA");
	buf_release(&got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_and_stderr_copy),
		cmocka_unit_test(test_closed_stderr),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_missing_program),
		cmocka_unit_test(test_relay),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
