/*
 * spawn.c: posix_spawnp with pipes read through poll until both close.
 */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "banned.h"

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
	*status = WIFEXITED(ws) ? WEXITSTATUS(ws) : WIFSIGNALED(ws) ? 128 + WTERMSIG(ws) : -1;
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
