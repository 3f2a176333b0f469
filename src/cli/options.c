/*
 * options.c: option parsing from tables, and --help generated from the
 * same tables so the two never drift.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report/color.h"
#include "util/buf.h"
#include "util/banned.h"

#define NCOMMON 11

static void common_table(cli_option out[NCOMMON], cli_common *c)
{
	cli_option t[] = {
		OPT_STRING_('c', "config", &c->config, "PATH", "alembic.ini to read (default ./alembic.ini)"),
		OPT_STRING_('n', "name", &c->name, "SECTION", "ini section of the Alembic settings (default alembic)"),
		OPT_STRING_(0, "script-location", &c->script_location, "DIR", "the migrations folder; no ini needed"),
		OPT_STRING_(0, "alembic-version", &c->alembic_version, "X.Y",
			    "follow this Alembic release's loading rules (default: detected)"),
		OPT_STRING_(0, "format", &c->format, "FMT", "output format (see the command)"),
		OPT_FLAG_('q', "quiet", &c->quiet, "print error findings only, not warnings"),
		OPT_STRING_(0, "log-format", &c->log_format, "FMT", "mgate's own log lines on stderr: text or json"),
		OPT_STRING_(0, "color", &c->color, "WHEN", "colour: auto (a terminal, unless NO_COLOR is set), always or never"),
		OPT_FLAG_(0, "no-cache", &c->no_cache, "read every script again instead of using the scan cache"),
		OPT_FLAG_('h', "help", &c->help, "show this help"),
		OPT_END_(),
	};
	memcpy(out, t, sizeof(t));
}

static const cli_option *find_opt(const cli_option *tabs[2], const char *lng, size_t lnglen, char shrt)
{
	int t;
	const cli_option *o;

	for (t = 0; t < 2; t++)
		for (o = tabs[t]; o && o->type != OPT_END; o++) {
			if (lng && o->long_name && strlen(o->long_name) == lnglen && !strncmp(o->long_name, lng, lnglen))
				return o;
			if (!lng && shrt && o->short_name == shrt)
				return o;
		}
	return NULL;
}

static void print_options(FILE *out, const cli_option *opts)
{
	const cli_option *o;

	for (o = opts; o && o->type != OPT_END; o++) {
		buf left = BUF_INIT;
		if (o->short_name)
			buf_printf(&left, "-%c, ", o->short_name);
		else
			buf_puts(&left, "    ");
		buf_printf(&left, "--%s", o->long_name);
		if (o->type == OPT_STRING)
			buf_printf(&left, " %s", o->argh ? o->argh : "VALUE");
		fprintf(out, "    %-30s %s\n", left.ptr, o->help);
		buf_release(&left);
	}
}

void cli_help(FILE *out, const char *cmd, const char *usage, const cli_option *opts)
{
	cli_common dummy;
	cli_option common[NCOMMON];

	memset(&dummy, 0, sizeof(dummy));
	common_table(common, &dummy);
	fprintf(out, "usage: mgate %s %s\n\n", cmd, usage);
	if (opts && opts->type != OPT_END) {
		fprintf(out, "options:\n");
		print_options(out, opts);
		fputc('\n', out);
	}
	fprintf(out, "common options:\n");
	print_options(out, common);
}

int cli_parse(int argc, char **argv, const char *cmd, const char *usage, const cli_option *opts,
	      cli_common *common, strvec *args)
{
	cli_option ctab[NCOMMON];
	const cli_option *tabs[2];
	int i, only_args = 0;

	common_table(ctab, common);
	tabs[0] = opts;
	tabs[1] = ctab;
	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *val = NULL;
		const cli_option *o;
		if (only_args || a[0] != '-' || !a[1]) {
			strvec_push(args, a);
			continue;
		}
		if (!strcmp(a, "--")) {
			only_args = 1;
			continue;
		}
		if (a[1] == '-') {
			const char *eq = strchr(a + 2, '=');
			size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
			o = find_opt(tabs, a + 2, len, 0);
			if (!o) {
				fprintf(stderr, "mgate %s: unknown option '%s'\n", cmd, a);
				goto usage;
			}
			if (eq)
				val = eq + 1;
		} else {
			o = find_opt(tabs, NULL, 0, a[1]);
			if (!o) {
				fprintf(stderr, "mgate %s: unknown option '%s'\n", cmd, a);
				goto usage;
			}
			if (a[2])
				val = a + 2;
		}
		if (o->type == OPT_FLAG) {
			if (val) {
				fprintf(stderr, "mgate %s: option '--%s' takes no value\n", cmd, o->long_name);
				goto usage;
			}
			*(int *)o->value = 1;
			continue;
		}
		if (!val) {
			if (i + 1 >= argc) {
				fprintf(stderr, "mgate %s: option '--%s' needs a value\n", cmd, o->long_name);
				goto usage;
			}
			val = argv[++i];
		}
		if (!*val) {
			/* no option takes an empty value: "--to ''" must not mean base */
			fprintf(stderr, "mgate %s: option '--%s' needs a value, not an empty string\n", cmd, o->long_name);
			goto usage;
		}
		*(const char **)o->value = val;
	}
	if (common->help) {
		cli_help(stdout, cmd, usage, opts);
		return -1;
	}
	return 0;
usage:
	fprintf(stderr, "run 'mgate %s --help' for the options\n", cmd);
	return EXIT_USAGE;
}

int cli_begin(int argc, char **argv, const char *cmd, const char *usage, const cli_option *opts,
	      const char *const *formats, size_t max_args, cli_common *common, strvec *args)
{
	int rc;

	memset(common, 0, sizeof(*common));
	if ((rc = cli_parse(argc, argv, cmd, usage, opts, common, args)) != 0)
		return rc;
	if ((rc = cli_log_init(cmd, common->log_format)) != 0)
		return rc;
	if (report_color_set(common->color) < 0) {
		fprintf(stderr, "mgate %s: --color '%s': expected auto, always or never\n", cmd, common->color);
		return EXIT_USAGE;
	}
	if (args->n > max_args) {
		fprintf(stderr, "mgate %s: unexpected argument '%s'\n", cmd, args->v[max_args]);
		return EXIT_USAGE;
	}
	if (!common->format)
		common->format = formats[0];
	return cli_check_format(common->format, formats, cmd);
}

int cli_format_given(int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++)
		if (!strcmp(argv[i], "--format") || !strncmp(argv[i], "--format=", 9))
			return 1;
	return 0;
}
