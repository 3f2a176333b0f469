/*
 * spawn.h: run a program with argv (posix_spawnp, never a shell) and wait
 * for it.
 *
 * Extra environment variables are added to (or replace those of) mgate's
 * own environment; secrets such as a database password travel that way,
 * never on the command line where `ps` shows them. Standard input is
 * /dev/null; standard output goes to a file or is discarded; standard
 * error is captured (up to a cap) for the error message.
 */
#ifndef MGATE_SPAWN_H
#define MGATE_SPAWN_H

#include "util/buf.h"
#include "util/error.h"
#include "util/strvec.h"

typedef struct spawn_opts {
	const char *const *argv; /* argv[0] is looked up in PATH */
	const strvec *env;       /* "NAME=value" entries to set, or NULL */
	const char *stdout_path; /* write standard output here (created 0600), or NULL */
	buf *out;                /* or capture it here (when stdout_path is NULL), or NULL to discard */
	buf *err;                /* standard error, capped at 64 KiB, or NULL */
} spawn_opts;

/*
 * Run and wait. *status is the exit code (128 + signal number when it was
 * killed). MG_EENV when the program cannot be started (not installed).
 */
int spawn_run(int *status, const spawn_opts *o, mg_error *err);

/*
 * Run a program whose output goes straight to mgate's own standard output
 * and error (streamed), in its own process group. SIGINT and SIGTERM sent
 * to mgate meanwhile are forwarded to it, and *signalled is set; after
 * `timeout` seconds (0: none) it gets SIGTERM, and SIGKILL 10 seconds
 * later (*timed_out is set). With `stdout_to_stderr` its standard output
 * goes to mgate's standard error (so it cannot mix into a JSON report).
 * *status as for spawn_run.
 */
int spawn_stream(int *status, int *signalled, int *timed_out, const char *const *argv, const strvec *env,
		 long timeout, int stdout_to_stderr, mg_error *err);

/* The same, also keeping (up to 64 KiB of) the child's standard error in
 * `err_copy` while it is passed through. */
int spawn_stream_tee(int *status, int *signalled, int *timed_out, const char *const *argv, const strvec *env,
		     long timeout, int stdout_to_stderr, buf *err_copy, mg_error *err);

/* Two programs at once, the first's standard output fed to the second's
 * standard input by mgate: first `head`, then what the producer writes,
 * then `tail_ok` when the producer exited 0, else `tail_fail` (so a
 * consumer such as psql commits only what was produced whole). The
 * consumer's standard output is discarded; both standard errors are kept
 * (capped). Neither is run through a shell. */
typedef struct spawn_relay_opts {
	const char *const *producer, *const *consumer;
	const strvec *env;
	const char *head, *tail_ok, *tail_fail;
	buf *err_producer, *err_consumer; /* may be NULL */
} spawn_relay_opts;

typedef struct spawn_relay_result {
	int producer, consumer; /* exit statuses as spawn_run's (-1: not started) */
} spawn_relay_result;

/* MG_EENV when a program cannot be started; the statuses say how each ended. */
int spawn_relay(spawn_relay_result *out, const spawn_relay_opts *o, mg_error *err);

#endif
