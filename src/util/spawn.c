/*
 * spawn.c: posix_spawnp with pipes read through poll until both close.
 */
#include "util/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/banned.h"

extern char **environ;

#define SPAWN_ERR_CAP (64u * 1024)

/* mgate's environment with `set` applied ("NAME=value" overrides NAME). */
static char **merged_env(const strvec *set)
{
	size_t n = 0, i, k, out = 0;
	char **env;

	while (environ[n])
		n++;
	env = mg_calloc(n + (set ? set->n : 0) + 1, sizeof(*env));
	for (i = 0; i < n; i++) {
		const char *eq = strchr(environ[i], '=');
		size_t len = eq ? (size_t)(eq - environ[i]) : strlen(environ[i]);
		int replaced = 0;
		for (k = 0; set && k < set->n; k++)
			if (!strncmp(set->v[k], environ[i], len) && set->v[k][len] == '=')
				replaced = 1;
		if (!replaced)
			env[out++] = environ[i];
	}
	for (k = 0; set && k < set->n; k++)
		env[out++] = set->v[k];
	env[out] = NULL;
	return env;
}

int spawn_run(int *status, const spawn_opts *o, mg_error *err)
{
	posix_spawn_file_actions_t fa;
	int out_pipe[2] = { -1, -1 }, err_pipe[2] = { -1, -1 }, rc = MG_OK, ws = 0, sp;
	char **env = merged_env(o->env);
	pid_t pid;

	*status = -1;
	posix_spawn_file_actions_init(&fa);
	if (pipe(err_pipe) < 0 || (!o->stdout_path && o->out && pipe(out_pipe) < 0)) {
		rc = mg_error_set(err, MG_EENV, "cannot create a pipe: %s", strerror(errno));
		goto cleanup;
	}
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (o->stdout_path)
		posix_spawn_file_actions_addopen(&fa, 1, o->stdout_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	else if (o->out)
		posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
	else
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2);
	if (out_pipe[0] >= 0)
		posix_spawn_file_actions_addclose(&fa, out_pipe[0]);
	posix_spawn_file_actions_addclose(&fa, err_pipe[0]);
	sp = posix_spawnp(&pid, o->argv[0], &fa, NULL, (char *const *)o->argv, env);
	if (sp != 0) {
		rc = mg_error_set(err, MG_EENV, "cannot run '%s': %s", o->argv[0], strerror(sp));
		goto cleanup;
	}
	close(err_pipe[1]);
	err_pipe[1] = -1;
	if (out_pipe[1] >= 0) {
		close(out_pipe[1]);
		out_pipe[1] = -1;
	}
	for (;;) {
		struct pollfd pf[2];
		nfds_t n = 0;
		char chunk[8192];
		if (err_pipe[0] >= 0)
			pf[n++] = (struct pollfd){ err_pipe[0], POLLIN, 0 };
		if (out_pipe[0] >= 0)
			pf[n++] = (struct pollfd){ out_pipe[0], POLLIN, 0 };
		if (!n)
			break;
		if (poll(pf, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (nfds_t i = 0; i < n; i++) {
			ssize_t got;
			if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			got = read(pf[i].fd, chunk, sizeof(chunk));
			if (got <= 0) {
				close(pf[i].fd);
				if (pf[i].fd == err_pipe[0])
					err_pipe[0] = -1;
				else
					out_pipe[0] = -1;
				continue;
			}
			if (pf[i].fd == err_pipe[0] && o->err && o->err->len < SPAWN_ERR_CAP)
				buf_put(o->err, chunk, (size_t)got);
			else if (pf[i].fd == out_pipe[0] && o->out)
				buf_put(o->out, chunk, (size_t)got);
		}
	}
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	*status = WIFEXITED(ws) ? WEXITSTATUS(ws) : WIFSIGNALED(ws) ? 128 + WTERMSIG(ws)
								    : -1;
cleanup:
	posix_spawn_file_actions_destroy(&fa);
	for (int k = 0; k < 2; k++) {
		if (out_pipe[k] >= 0)
			close(out_pipe[k]);
		if (err_pipe[k] >= 0)
			close(err_pipe[k]);
	}
	free(env);
	return rc;
}

/* ---- two programs, one feeding the other -------------------------------- */

static int wait_status(pid_t pid)
{
	int ws = 0;

	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(ws) ? WEXITSTATUS(ws) : WIFSIGNALED(ws) ? 128 + WTERMSIG(ws)
								 : -1;
}

/* Start `argv` with `in` (or /dev/null) as standard input, `out` (or
 * /dev/null) as standard output and `err_fd` as standard error; `closing`
 * are the parent's pipe ends the child must not hold. */
static int start(pid_t *pid, const char *const *argv, char **env, int in, int out, int err_fd, const int *closing,
		 size_t nclosing, mg_error *err)
{
	posix_spawn_file_actions_t fa;
	size_t i;
	int sp;

	posix_spawn_file_actions_init(&fa);
	if (in >= 0)
		posix_spawn_file_actions_adddup2(&fa, in, 0);
	else
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (out >= 0)
		posix_spawn_file_actions_adddup2(&fa, out, 1);
	else
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
	for (i = 0; i < nclosing; i++)
		if (closing[i] >= 0)
			posix_spawn_file_actions_addclose(&fa, closing[i]);
	sp = posix_spawnp(pid, argv[0], &fa, NULL, (char *const *)argv, env);
	posix_spawn_file_actions_destroy(&fa);
	return sp ? mg_error_set(err, MG_EENV, "cannot run '%s': %s", argv[0], strerror(sp)) : MG_OK;
}

/* Read what is there on `fd` into `into` (capped); 0 at end of file. */
static int drain(int fd, buf *into)
{
	char chunk[8192];
	ssize_t got = read(fd, chunk, sizeof(chunk));

	if (got < 0 && (errno == EINTR || errno == EAGAIN))
		return 1;
	if (got <= 0)
		return 0;
	if (into && into->len < SPAWN_ERR_CAP)
		buf_put(into, chunk, (size_t)got);
	return 1;
}

int spawn_relay(spawn_relay_result *out, const spawn_relay_opts *o, mg_error *err)
{
	enum { P_OUT,
	       P_ERR,
	       C_IN,
	       C_ERR,
	       NFD };
	int fd[NFD] = { -1, -1, -1, -1 }, p_out[2] = { -1, -1 }, p_err[2] = { -1, -1 }, c_in[2] = { -1, -1 },
	    c_err[2] = { -1, -1 }, rc = MG_OK, tail_set = 0;
	char **env = merged_env(o->env);
	pid_t prod = -1, cons = -1;
	struct sigaction ign, old;
	buf pend = BUF_INIT;
	size_t off = 0;

	memset(out, 0, sizeof(*out));
	out->producer = out->consumer = -1;
	if (pipe(p_out) < 0 || pipe(p_err) < 0 || pipe(c_in) < 0 || pipe(c_err) < 0) {
		rc = mg_error_set(err, MG_EENV, "cannot create a pipe: %s", strerror(errno));
		goto cleanup;
	}
	{
		int pc[] = { p_out[0], p_err[0], c_in[0], c_in[1], c_err[0], c_err[1] };
		int cc[] = { c_in[1], c_err[0], p_out[0], p_out[1], p_err[0], p_err[1] };
		if ((rc = start(&prod, o->producer, env, -1, p_out[1], p_err[1], pc, 6, err)) < 0 ||
		    (rc = start(&cons, o->consumer, env, c_in[0], -1, c_err[1], cc, 6, err)) < 0)
			goto cleanup;
	}
	close(p_out[1]), close(p_err[1]), close(c_in[0]), close(c_err[1]);
	p_out[1] = p_err[1] = c_in[0] = c_err[1] = -1;
	fd[P_OUT] = p_out[0], fd[P_ERR] = p_err[0], fd[C_IN] = c_in[1], fd[C_ERR] = c_err[0];
	p_out[0] = p_err[0] = c_in[1] = c_err[0] = -1;
	fcntl(fd[C_IN], F_SETFL, fcntl(fd[C_IN], F_GETFL) | O_NONBLOCK);
	/* a consumer that stops reading must not kill mgate */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &ign, &old);
	if (o->head)
		buf_puts(&pend, o->head);
	while (fd[C_IN] >= 0 || fd[P_ERR] >= 0 || fd[C_ERR] >= 0 || fd[P_OUT] >= 0) {
		struct pollfd pf[NFD];
		int which[NFD];
		nfds_t n = 0, i;
		if (fd[P_OUT] >= 0 && off >= pend.len)
			which[n] = P_OUT, pf[n++] = (struct pollfd){ fd[P_OUT], POLLIN, 0 };
		if (fd[C_IN] >= 0 && off < pend.len)
			which[n] = C_IN, pf[n++] = (struct pollfd){ fd[C_IN], POLLOUT, 0 };
		if (fd[P_ERR] >= 0)
			which[n] = P_ERR, pf[n++] = (struct pollfd){ fd[P_ERR], POLLIN, 0 };
		if (fd[C_ERR] >= 0)
			which[n] = C_ERR, pf[n++] = (struct pollfd){ fd[C_ERR], POLLIN, 0 };
		if (fd[P_OUT] < 0 && fd[P_ERR] < 0 && off >= pend.len && fd[C_IN] >= 0) {
			if (!tail_set) { /* the producer is done: how it ended decides the last words */
				out->producer = wait_status(prod);
				prod = -1;
				buf_truncate(&pend, 0);
				off = 0;
				buf_puts(&pend, out->producer == 0 ? (o->tail_ok ? o->tail_ok : "")
								   : (o->tail_fail ? o->tail_fail : ""));
				tail_set = 1;
				continue;
			}
			close(fd[C_IN]); /* everything is written */
			fd[C_IN] = -1;
			continue;
		}
		if (!n)
			break;
		if (poll(pf, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			rc = mg_error_set(err, MG_EENV, "waiting on '%s': %s", o->producer[0], strerror(errno));
			break;
		}
		for (i = 0; i < n; i++) {
			int k = which[i];
			if (!pf[i].revents)
				continue;
			if (k == C_IN) {
				ssize_t w = write(fd[C_IN], pend.ptr + off, pend.len - off);
				if (w > 0)
					off += (size_t)w;
				else if (w < 0 && errno != EAGAIN && errno != EINTR) { /* the consumer is gone */
					close(fd[C_IN]);
					fd[C_IN] = -1;
				}
			} else if (k == P_OUT) {
				char chunk[65536];
				ssize_t got = read(fd[P_OUT], chunk, sizeof(chunk));
				if (got > 0) {
					buf_truncate(&pend, 0);
					off = 0;
					buf_put(&pend, chunk, (size_t)got);
				} else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
					close(fd[P_OUT]);
					fd[P_OUT] = -1;
				}
			} else if (!drain(fd[k], k == P_ERR ? o->err_producer : o->err_consumer)) {
				close(fd[k]);
				fd[k] = -1;
			}
		}
		if (fd[C_IN] < 0 && fd[P_OUT] >= 0) { /* nobody reads any more: stop reading too */
			close(fd[P_OUT]);
			fd[P_OUT] = -1;
		}
	}
	sigaction(SIGPIPE, &old, NULL);
cleanup:
	for (int k = 0; k < NFD; k++)
		if (fd[k] >= 0)
			close(fd[k]);
	for (int k = 0; k < 2; k++) {
		if (p_out[k] >= 0)
			close(p_out[k]);
		if (p_err[k] >= 0)
			close(p_err[k]);
		if (c_in[k] >= 0)
			close(c_in[k]);
		if (c_err[k] >= 0)
			close(c_err[k]);
	}
	if (prod > 0)
		out->producer = wait_status(prod);
	if (cons > 0)
		out->consumer = wait_status(cons);
	buf_release(&pend);
	free(env);
	return rc;
}

/* The signal mgate received while a streamed child runs (0: none). Signal
 * handlers can only talk through a static flag. */
static volatile sig_atomic_t pending_signal;

static void on_signal(int sig)
{
	pending_signal = sig;
}

/* SIGCHLD only has to interrupt the wait (pselect) when the child ends. */
static void on_child(int sig)
{
	(void)sig;
}

int spawn_stream(int *status, int *signalled, int *timed_out, const char *const *argv, const strvec *env,
		 long timeout, int stdout_to_stderr, mg_error *err)
{
	return spawn_stream_tee(status, signalled, timed_out, argv, env, timeout, stdout_to_stderr, NULL, err);
}

/* Pass what is waiting on the child's stderr pipe (non-blocking) through,
 * keeping a copy. Returns 1 when it read something, 0 when nothing waits,
 * -1 at the end of the pipe. */
static int pump(int fd, buf *copy)
{
	char chunk[4096];
	ssize_t got = read(fd, chunk, sizeof(chunk));

	if (got == 0)
		return -1;
	if (got < 0)
		return 0;
	if (write(2, chunk, (size_t)got) < 0) {
		/* nothing to do: our own stderr is gone */
	}
	if (copy && copy->len < SPAWN_ERR_CAP)
		buf_put(copy, chunk, (size_t)got);
	return 1;
}

int spawn_stream_tee(int *status, int *signalled, int *timed_out, const char *const *argv, const strvec *env,
		     long timeout, int stdout_to_stderr, buf *err_copy, mg_error *err)
{
	posix_spawnattr_t attr;
	posix_spawn_file_actions_t fa;
	struct sigaction sa, old_int, old_term, old_chld;
	char **envp = merged_env(env);
	struct timespec start, now, tick = { 0, 200 * 1000 * 1000 };
	sigset_t block, orig;
	pid_t pid;
	int sp, ws = 0, rc = MG_OK, term_sent = 0, pipefd[2] = { -1, -1 };

	*status = -1;
	*signalled = *timed_out = 0;
	if (err_copy && pipe(pipefd) == 0)
		fcntl(pipefd[0], F_SETFL, fcntl(pipefd[0], F_GETFL) | O_NONBLOCK);
	pending_signal = 0;
	posix_spawnattr_init(&attr);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (pipefd[1] >= 0) {
		posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
		posix_spawn_file_actions_addclose(&fa, pipefd[0]);
		posix_spawn_file_actions_addclose(&fa, pipefd[1]);
	}
	if (stdout_to_stderr)
		posix_spawn_file_actions_adddup2(&fa, 2, 1);
	/* The signals that end the wait stay blocked except inside pselect, so
	 * none can arrive between a check and the wait (and be slept through).
	 * The child starts with mgate's original mask. */
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &orig);
	posix_spawnattr_setsigmask(&attr, &orig);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sa.sa_handler = on_child;
	sigaction(SIGCHLD, &sa, &old_chld);
	sp = posix_spawnp(&pid, argv[0], &fa, &attr, (char *const *)argv, envp);
	if (sp != 0) {
		rc = mg_error_set(err, MG_EENV, "cannot run '%s': %s", argv[0], strerror(sp));
		goto cleanup;
	}
	if (pipefd[1] >= 0) {
		close(pipefd[1]);
		pipefd[1] = -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		pid_t w;
		int more = 0;
		while (pipefd[0] >= 0 && (more = pump(pipefd[0], err_copy)) > 0)
			;
		if (more < 0) { /* the child closed its stderr: stop watching it */
			close(pipefd[0]);
			pipefd[0] = -1;
		}
		w = waitpid(pid, &ws, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			rc = mg_error_set(err, MG_EENV, "lost track of '%s': %s", argv[0], strerror(errno));
			goto cleanup;
		}
		if (pending_signal) {
			kill(pid, pending_signal);
			*signalled = pending_signal;
			pending_signal = 0;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (timeout > 0 && now.tv_sec - start.tv_sec >= timeout && !term_sent) {
			kill(pid, SIGTERM);
			term_sent = 1;
			*timed_out = 1;
		} else if (term_sent && now.tv_sec - start.tv_sec >= timeout + 10) {
			kill(pid, SIGKILL);
		}
		{
			fd_set rd;
			FD_ZERO(&rd);
			if (pipefd[0] >= 0)
				FD_SET(pipefd[0], &rd);
			/* wakes when the child writes, ends, or a signal comes */
			pselect(pipefd[0] >= 0 ? pipefd[0] + 1 : 0, &rd, NULL, NULL, &tick, &orig);
		}
	}
	*status = WIFEXITED(ws) ? WEXITSTATUS(ws) : WIFSIGNALED(ws) ? 128 + WTERMSIG(ws)
								    : -1;
	while (pipefd[0] >= 0 && pump(pipefd[0], err_copy) > 0)
		; /* what is left after it exited (a grandchild still writing is not waited for) */
cleanup:
	for (int k = 0; k < 2; k++)
		if (pipefd[k] >= 0)
			close(pipefd[k]);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGCHLD, &old_chld, NULL);
	sigprocmask(SIG_SETMASK, &orig, NULL);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	free(envp);
	return rc;
}
