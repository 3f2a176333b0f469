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
