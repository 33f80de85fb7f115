/* SPDX-License-Identifier: MIT */
/*
 * cmd_show.c - `hostctx show FILE`: render a sidecar or a snapshot file
 * for humans.
 */
#include "cli.h"

#include <stdbool.h>
#include <string.h>

static const char show_usage[] =
	"Usage: " PROGRAM_NAME " show [--no-sandbox] FILE\n"
	"Render a sidecar record or a snapshot file for humans.\n"
	"FILE '-' reads standard input.\n"
	"\n"
	"      --no-sandbox  parse without the seccomp sandbox\n"
	"  -h, --help        show this help and exit\n";

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
	bool sandbox;
	int status, r;

	status = cli_parse_one_file(argc, argv, "show", show_usage, &sandbox);
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
