/* SPDX-License-Identifier: MIT */
/*
 * cmd_show.c - `hostctx show FILE`: render a sidecar or a snapshot file
 * for humans.
 */
#include "cli.h"

#include <getopt.h>
#include <stdbool.h>
#include <string.h>

static const char show_usage[] =
	"Usage: " PROGRAM_NAME " show [--no-sandbox] FILE\n"
	"Render a sidecar record or a snapshot file for humans.\n"
	"FILE '-' reads standard input.\n"
	"\n"
	"      --no-sandbox  parse without the seccomp sandbox\n"
	"  -h, --help        show this help and exit\n";

/* Returns -1 to go on, else the exit status. */
static int parse_show_opts(int argc, char **argv, bool *sandbox)
{
	static const struct option longopts[] = {
		{ "no-sandbox", no_argument, NULL, OPT_NO_SANDBOX },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;	/* cli_option_error() names the subcommand */
	optind = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_NO_SANDBOX:
			*sandbox = false;
			break;
		case 'h':
			cli_print(show_usage);
			return EXIT_SAME;
		default:
			return cli_option_error("show", argv, c);
		}
	}
	if (optind >= argc)
		return cli_usage_error("show: missing FILE operand");
	if (argc - optind > 1)
		return cli_usage_error("show: unexpected operand '%s'",
				       argv[optind + 1]);
	return -1;
}

static int render_snapshot(const struct hostctx_snapshot *s)
{
	_cleanup_free_ char *text = NULL;
	int r;

	r = hostctx_snapshot_format_human(s, &text);
	if (r < 0)
		return r;
	cli_print(text);
	return 0;
}

int cmd_show(int argc, char **argv)
{
	_cleanup_document_ struct hostctx_document *doc = NULL;
	const char *path;
	bool sandbox = true;
	int status, r;

	status = parse_show_opts(argc, argv, &sandbox);
	if (status >= 0)
		return status;
	path = argv[optind];
	if (sandbox && cli_sandbox_parsing() < 0)
		return EXIT_TROUBLE;

	if (cli_load_document(path, &doc) < 0)
		return EXIT_TROUBLE;
	if (hostctx_document_is_sidecar(doc))
		r = cli_render_sidecar(hostctx_document_sidecar(doc));
	else
		r = render_snapshot(hostctx_document_snapshot(doc));
	if (r < 0) {
		cli_file_error(cli_display_name(path), "cannot render: %s",
			       strerror(-r));
		return EXIT_TROUBLE;
	}
	return EXIT_SAME;
}
