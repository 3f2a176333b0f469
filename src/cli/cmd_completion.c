/*
 * cmd_completion.c: `mgate completion bash|zsh`: a completion script for
 * the shell. Command names come from the command table when the script is
 * printed; each command's options are asked of `mgate CMD --help` when
 * completing, so the script never drifts from the option tables; so are
 * rule ids (`mgate rules --format json`, for `explain` and `--allow`) and
 * a command's formats (the list its refusal of an unknown one gives).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "util/banned.h"

static const char *const formats[] = { "text", NULL };

static void print_commands(const char *sep)
{
	const cli_command *c;

	for (c = cli_commands; c->name; c++)
		printf("%s%s", c == cli_commands ? "" : sep, c->name);
}

static void print_value_options(void)
{
	size_t i;

	for (i = 0; cli_value_options[i]; i++)
		printf("%s%s", i ? "|" : "", cli_value_options[i]);
}

static void print_bash(void)
{
	printf("# bash completion for mgate: eval \"$(mgate completion bash)\"\n"
	       "_mgate() {\n"
	       "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd= i\n"
	       "    for ((i = 1; i < COMP_CWORD; i++)); do\n"
	       "        case ${COMP_WORDS[i]} in\n"
	       "        ");
	print_value_options();
	printf(") ((i++)) ;;\n"
	       "        -*) ;;\n"
	       "        *) cmd=${COMP_WORDS[i]}; break ;;\n"
	       "        esac\n"
	       "    done\n"
	       "    if [[ $prev == --allow || ( $cmd == explain && $cur != -* ) ]]; then\n"
	       "        COMPREPLY=($(compgen -W \"$(\"${COMP_WORDS[0]}\" rules --format json 2>/dev/null |\n"
	       "            grep -oE '\"id\": *\"[^\"]+\"' | cut -d'\"' -f4)\" -- \"$cur\"))\n"
	       "    elif [[ $prev == --format ]]; then\n"
	       "        COMPREPLY=($(compgen -W \"$(\"${COMP_WORDS[0]}\" ${cmd:-heads} --format '?' 2>&1 |\n"
	       "            sed -n 's/.*expected one of: //p')\" -- \"$cur\"))\n"
	       "    elif [[ -z $cmd && $cur != -* ]]; then\n"
	       "        COMPREPLY=($(compgen -W \"");
	print_commands(" ");
	printf("\" -- \"$cur\"))\n"
	       "    elif [[ $cur == -* ]]; then\n"
	       "        COMPREPLY=($(compgen -W \"$(\"${COMP_WORDS[0]}\" ${cmd:-heads} --help 2>/dev/null |\n"
	       "            grep -oE -- '--[a-z][a-z-]*' | sort -u)\" -- \"$cur\"))\n"
	       "    else\n"
	       "        COMPREPLY=($(compgen -f -- \"$cur\"))\n"
	       "    fi\n"
	       "}\n"
	       "complete -o default -F _mgate mgate\n");
}

static void print_zsh(void)
{
	const cli_command *c;

	printf("#compdef mgate\n"
	       "# zsh completion for mgate: mgate completion zsh > \"${fpath[1]}/_mgate\"\n"
	       "_mgate() {\n"
	       "    local -a commands opts\n"
	       "    commands=(\n");
	for (c = cli_commands; c->name; c++) {
		const char *s;
		printf("        '%s:", c->name);
		for (s = c->summary; *s; s++)
			if (*s == '\'')
				fputs("'\\''", stdout);
			else if (*s == ':')
				fputs("\\:", stdout);
			else
				fputc(*s, stdout);
		printf("'\n");
	}
	printf("    )\n"
	       "    if (( CURRENT == 2 )); then\n"
	       "        _describe -t commands 'mgate command' commands\n"
	       "    elif [[ ${words[CURRENT-1]} == --allow || ( ${words[2]} == explain && $PREFIX != -* ) ]]; then\n"
	       "        opts=(${(f)\"$(${words[1]} rules --format json 2>/dev/null | grep -oE '\"id\": *\"[^\"]+\"' | cut -d'\"' -f4)\"})\n"
	       "        compadd -a opts\n"
	       "    elif [[ ${words[CURRENT-1]} == --format ]]; then\n"
	       "        opts=(${=\"$(${words[1]} ${words[2]} --format '?' 2>&1 | sed -n 's/.*expected one of: //p')\"})\n"
	       "        compadd -a opts\n"
	       "    elif [[ $PREFIX == -* ]]; then\n"
	       "        opts=(${(f)\"$(${words[1]} ${words[2]} --help 2>/dev/null | grep -oE -- '--[a-z][a-z-]*' | sort -u)\"})\n"
	       "        compadd -a opts\n"
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

int cmd_completion(int argc, char **argv)
{
	cli_common common;
	strvec args = STRVEC_INIT;
	cli_option opts[] = { OPT_END_() };
	int rc;

	if ((rc = cli_begin(argc, argv, "completion", "bash|zsh", opts, formats, 1, &common, &args)) != 0)
		goto cleanup;
	if (args.n && !strcmp(args.v[0], "bash")) {
		print_bash();
	} else if (args.n && !strcmp(args.v[0], "zsh")) {
		print_zsh();
	} else {
		fprintf(stderr, "mgate completion: which shell? 'mgate completion bash' or 'mgate completion zsh'\n");
		rc = EXIT_USAGE;
		goto cleanup;
	}
	rc = EXIT_OK;
cleanup:
	strvec_release(&args);
	return rc < 0 ? EXIT_OK : rc;
}
