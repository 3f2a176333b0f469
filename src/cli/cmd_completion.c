/*
 * cmd_completion.c: `mgate completion bash|zsh|fish`: a completion script
 * for the shell, and `mgate completion words -- WORD...`, which every
 * script calls: the candidates for the last word of a command line, one per
 * line. The shells only pass the words, so all three complete alike:
 *
 *   the command name            the command table
 *   -x, --option                `mgate CMD --help` (the option table)
 *   --format                    the formats the command accepts
 *   --allow, explain RULE       the rule catalogue's ids
 *   a TARGET, --to, --from,     the project's revision ids, branch labels,
 *   --range                     heads, head and base
 *   restore BACKUP              the backups in the backup folder, newest
 *   help                        commands, and the keys of [mgate]
 *
 * Nothing printed (and exit 1): the shell completes file names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gate/backup.h"
#include "lint/rules.h"
#include "report/findings.h"
#include "util/spawn.h"
#include "util/banned.h"

static const char *const formats[] = { "text", NULL };

static void print_bash(void)
{
	printf("# bash completion for mgate: eval \"$(mgate completion bash)\"\n"
	       "# the candidates come from `mgate completion words -- WORD...`\n"
	       "_mgate() {\n"
	       "    local IFS=$'\\n'\n"
	       "    COMPREPLY=($(\"${COMP_WORDS[0]}\" completion words -- \"${COMP_WORDS[@]:0:COMP_CWORD+1}\" 2>/dev/null))\n"
	       "}\n"
	       "complete -o default -o nospace -F _mgate mgate 2>/dev/null || complete -o default -F _mgate mgate\n");
}

static void print_zsh(void)
{
	printf("#compdef mgate\n"
	       "# zsh completion for mgate: mgate completion zsh > \"${fpath[1]}/_mgate\"\n"
	       "# the candidates come from `mgate completion words -- WORD...`\n"
	       "_mgate() {\n"
	       "    local -a opts\n"
	       "    opts=(${(f)\"$(${words[1]} completion words -- ${words[1,CURRENT]} 2>/dev/null)\"})\n"
	       "    if (( ${#opts} )); then\n"
	       "        compadd -Q -S '' -a opts\n"
	       "    else\n"
	       "        _files\n"
	       "    fi\n"
	       "}\n"
	       "if [[ $zsh_eval_context[-1] == loadautofunc ]]; then\n"
	       "    _mgate \"$@\"\n"
	       "else\n"
	       "    compdef _mgate mgate\n"
	       "fi\n");
}

static void print_fish(void)
{
	const cli_command *c;

	printf("# fish completion for mgate: mgate completion fish > ~/.config/fish/completions/mgate.fish\n"
	       "# the candidates come from `mgate completion words -- WORD...`\n"
	       "function __mgate_words\n"
	       "    set -l words (commandline -opc) (commandline -ct)\n"
	       "    $words[1] completion words -- $words 2>/dev/null\n"
	       "end\n"
	       "complete -c mgate -f -a '(__mgate_words)'\n"
	       "complete -c mgate -n 'test (count (__mgate_words)) -eq 0' -F\n");
	/* the commands' summaries, shown beside their names */
	for (c = cli_commands; c->name; c++) {
		const char *p;
		printf("complete -c mgate -n __fish_use_subcommand -a %s -d '", c->name);
		for (p = c->summary; *p; p++)
			if (*p == '\'' || *p == '\\')
				printf("\\%c", *p);
			else
				putchar(*p);
		printf("'\n");
	}
}

/* ---- candidates ---------------------------------------------------------- */

typedef struct line {
	const char *const *w; /* the words, w[0] "mgate", w[n - 1] the one being completed */
	size_t n;
	const char *cmd; /* the command, or NULL */
	size_t cmd_at;
	const char *prev, *cur;
} line;

static void parse_line(line *l, const char *const *w, size_t n)
{
	size_t i;

	memset(l, 0, sizeof(*l));
	l->w = w;
	l->n = n;
	l->cur = n ? w[n - 1] : "";
	l->prev = n > 1 ? w[n - 2] : "";
	for (i = 1; i + 1 < n; i++) {
		if (w[i][0] == '-') {
			i += cli_takes_value(w[i]) && !strchr(w[i], '=');
			continue;
		}
		l->cmd = w[i];
		l->cmd_at = i;
		break;
	}
}

/* The value of an option given on the line (`-c X`, `--config X`, `--config=X`). */
static const char *line_option(const line *l, const char *shrt, const char *lng)
{
	size_t i, n = strlen(lng);

	for (i = 1; i + 1 < l->n; i++) {
		if (!strncmp(l->w[i], lng, n) && l->w[i][n] == '=')
			return l->w[i] + n + 1;
		if (((shrt && !strcmp(l->w[i], shrt)) || !strcmp(l->w[i], lng)) && i + 2 < l->n)
			return l->w[i + 1];
	}
	return NULL;
}

static void offer(const line *l, const char *word)
{
	if (word && !strncmp(word, l->cur, strlen(l->cur)))
		printf("%s\n", word);
}

/* What `mgate ARGS...` prints (standard output and error together). */
static void run_self(buf *out, const char *a, const char *b, const char *c)
{
	const char *argv[] = { "/proc/self/exe", a, b, c, NULL };
	spawn_opts o;
	mg_error err = MG_ERROR_INIT;
	int status;

	memset(&o, 0, sizeof(o));
	o.argv = argv;
	o.out = out;
	o.err = out;
	spawn_run(&status, &o, &err);
	mg_error_clear(&err);
}

static void offer_options(const line *l)
{
	buf help = BUF_INIT;
	strvec seen = STRVEC_INIT;
	const char *p;

	run_self(&help, l->cmd ? l->cmd : "heads", "--help", NULL);
	for (p = help.ptr ? help.ptr : ""; (p = strstr(p, " -")) != NULL;) {
		const char *e = ++p;
		char word[64];
		while (*e == '-' || (*e >= 'a' && *e <= 'z') || (*e >= '0' && *e <= '9'))
			e++;
		if (e - p > 1 && (size_t)(e - p) < sizeof(word) && (*e == ' ' || *e == ',' || *e == '\n')) {
			memcpy(word, p, (size_t)(e - p));
			word[e - p] = 0;
			if ((word[1] == '-' || !word[2]) && strvec_index(&seen, word) < 0) {
				strvec_push(&seen, word);
				offer(l, word);
			}
		}
		p = e;
	}
	strvec_release(&seen);
	buf_release(&help);
}

static void offer_formats(const line *l)
{
	buf out = BUF_INIT;
	char *p, *tok, *save = NULL;

	run_self(&out, l->cmd ? l->cmd : "heads", "--format", "?");
	if (out.ptr && (p = strstr(out.ptr, "expected one of:")) != NULL) {
		p += strlen("expected one of:");
		for (tok = strtok_r(p, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save))
			offer(l, tok);
	}
	buf_release(&out);
}

static int load_quietly(project *p, const line *l)
{
	project_opts po;
	mg_error err = MG_ERROR_INIT;
	int rc;

	memset(&po, 0, sizeof(po));
	po.config.ini_path = line_option(l, "-c", "--config");
	po.config.section = line_option(l, "-n", "--name");
	po.config.script_location = line_option(l, NULL, "--script-location");
	rc = project_load(p, &po, &err);
	mg_error_clear(&err);
	return rc;
}

static void offer_revisions(const line *l)
{
	project p;
	size_t i, k;

	memset(&p, 0, sizeof(p));
	offer(l, "heads");
	offer(l, "head");
	offer(l, "base");
	if (load_quietly(&p, l) == MG_OK) {
		for (i = 0; i < p.map.n; i++) {
			offer(l, p.map.v[i].id);
			for (k = 0; k < p.map.v[i].s->labels.n; k++) {
				buf at = BUF_INIT;
				buf_printf(&at, "%s@head", p.map.v[i].s->labels.v[k]);
				offer(l, p.map.v[i].s->labels.v[k]);
				offer(l, at.ptr);
				buf_release(&at);
			}
		}
	}
	project_release(&p);
}

static void offer_backups(const line *l)
{
	project p;
	backup_list bl;
	buf cwd = BUF_INIT;
	mg_error err = MG_ERROR_INIT;
	const char *dir = line_option(l, NULL, "--backup-dir");
	size_t i;

	memset(&p, 0, sizeof(p));
	offer(l, "newest");
	if (!dir && load_quietly(&p, l) == MG_OK)
		dir = p.cfg.settings.backup_dir;
	if (dir && backup_list_dir(&bl, dir, 0, &err) == MG_OK) {
		for (i = 0; i < bl.n; i++)
			if (bl.v[i].status != BACKUP_INCOMPLETE)
				offer(l, report_display_path(bl.v[i].path, &cwd));
		backup_list_release(&bl);
	}
	mg_error_clear(&err);
	buf_release(&cwd);
	project_release(&p);
}

static void offer_rules(const line *l)
{
	ruleset rs;
	mg_error err = MG_ERROR_INIT;
	size_t i;

	memset(&rs, 0, sizeof(rs));
	if (ruleset_load_project(&rs, line_option(l, NULL, "--rules"), NULL, &err) == MG_OK)
		for (i = 0; i < rs.n; i++)
			offer(l, rs.v[i].id);
	ruleset_release(&rs);
	mg_error_clear(&err);
}

/* Commands whose positional argument is a revision target. */
static int takes_target(const char *cmd)
{
	static const char *const v[] = { "status", "check", "upgrade", "verify", "plan", "rehearse", NULL };
	size_t i;

	for (i = 0; cmd && v[i]; i++)
		if (!strcmp(cmd, v[i]))
			return 1;
	return 0;
}

static int complete_words(const char *const *words, size_t n)
{
	const cli_command *c;
	line l;
	size_t i;

	parse_line(&l, words, n);
	if (!strcmp(l.prev, "--format") || !strcmp(l.prev, "--log-format") || !strcmp(l.prev, "--color")) {
		if (!strcmp(l.prev, "--format"))
			offer_formats(&l);
		else if (!strcmp(l.prev, "--log-format"))
			offer(&l, "text"), offer(&l, "json");
		else
			offer(&l, "auto"), offer(&l, "always"), offer(&l, "never");
	} else if (!strcmp(l.prev, "--allow") || (l.cmd && !strcmp(l.cmd, "explain") && l.cur[0] != '-')) {
		offer_rules(&l);
	} else if (!strcmp(l.prev, "--to") || !strcmp(l.prev, "--from") || !strcmp(l.prev, "--range") ||
		   (takes_target(l.cmd) && l.cur[0] != '-' && !cli_takes_value(l.prev))) {
		offer_revisions(&l);
	} else if (!strcmp(l.prev, "--via")) {
		offer(&l, "downgrade"), offer(&l, "restore");
	} else if (!strcmp(l.prev, "--dialect")) {
		offer(&l, "postgresql"), offer(&l, "sqlite");
	} else if (l.cmd && !strcmp(l.cmd, "restore") && l.cur[0] != '-' && !cli_takes_value(l.prev)) {
		offer_backups(&l);
	} else if (l.cmd && !strcmp(l.cmd, "help") && l.cur[0] != '-') {
		for (c = cli_commands; c->name; c++)
			offer(&l, c->name);
		for (i = 0; i < config_key_count(); i++)
			offer(&l, config_key(i, NULL));
	} else if (l.cmd && !strcmp(l.cmd, "completion") && l.cur[0] != '-') {
		offer(&l, "bash"), offer(&l, "zsh"), offer(&l, "fish");
	} else if (l.cur[0] == '-') {
		offer_options(&l);
	} else if (!l.cmd) {
		for (c = cli_commands; c->name; c++)
			offer(&l, c->name);
	} else {
		return 1; /* file names */
	}
	return EXIT_OK;
}

int cmd_completion(int argc, char **argv)
{
	cli_common common;
	strvec args = STRVEC_INIT;
	cli_option opts[] = { OPT_END_() };
	int rc;

	if ((rc = cli_begin(argc, argv, "completion", "bash|zsh|fish | words -- WORD...", opts, formats, 100000, &common,
			    &args)) != 0)
		goto cleanup;
	if (args.n && !strcmp(args.v[0], "words")) {
		rc = complete_words((const char *const *)args.v + 1, args.n - 1);
		goto cleanup;
	}
	if (args.n != 1) {
		fprintf(stderr, "mgate completion: which shell? 'mgate completion bash', 'zsh' or 'fish'\n");
		rc = EXIT_USAGE;
		goto cleanup;
	}
	if (!strcmp(args.v[0], "bash")) {
		print_bash();
	} else if (!strcmp(args.v[0], "zsh")) {
		print_zsh();
	} else if (!strcmp(args.v[0], "fish")) {
		print_fish();
	} else {
		fprintf(stderr, "mgate completion: unknown shell '%s'; expected bash, zsh or fish\n", args.v[0]);
		rc = EXIT_USAGE;
		goto cleanup;
	}
	rc = EXIT_OK;
cleanup:
	strvec_release(&args);
	return rc < 0 ? EXIT_OK : rc;
}
