/* SPDX-License-Identifier: MIT */
/*
 * cmd_show.c - `hostctx show PATH...`: render sidecar records and
 * snapshot files for humans (every record below a directory).
 */
#include "cli.h"

#include <stdbool.h>
#include <string.h>

static const char show_usage[] =
	"Usage: " PROGRAM_NAME " show [--no-sandbox] PATH...\n"
	"Render sidecar records and snapshot files for humans.  A PATH is a\n"
	"file, a directory (every *" CLI_RECORD_SUFFIX " below it, in sorted order)\n"
	"or '-' (standard input).  With more than one file, each starts with\n"
	"a line '==> FILE <=='.\n"
	"\n"
	"      --no-sandbox  parse without the seccomp sandbox\n"
	"  -h, --help        show this help and exit\n"
	"\n"
	"Exit status: 0 every file shown, 2 trouble (a file that cannot be read\n"
	"is reported and passed over; the others are still shown).\n";

struct show_job {
	bool headings;
	size_t shown;
};

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

static int show_file(const char *path, void *data)
{
	_cleanup_document_ struct hostctx_document *doc = NULL;
	struct show_job *job = data;
	int r;

	if (cli_load_document(path, &doc) < 0)
		return -1;
	if (job->headings)
		printf("%s==> %s <==\n", job->shown ? "\n" : "", cli_display_name(path));
	job->shown++;
	if (hostctx_document_is_sidecar(doc))
		r = cli_render_sidecar(hostctx_document_sidecar(doc));
	else
		r = render_snapshot(hostctx_document_snapshot(doc));
	if (r < 0) {
		cli_file_error(cli_display_name(path), "cannot render: %s", strerror(-r));
		return -1;
	}
	return 0;
}

int cmd_show(int argc, char **argv)
{
	struct show_job job = { 0 };
	bool sandbox;
	int status, failed = 0;

	status = cli_parse_sandbox_opts(argc, argv, "show", show_usage, &sandbox);
	if (status >= 0)
		return status;
	if (optind >= argc)
		return cli_usage_error("show: missing FILE operand");
	if (sandbox && cli_sandbox_listing() < 0)
		return EXIT_TROUBLE;
	job.headings = argc - optind > 1 || cli_is_directory(argv[optind]);
	for (int k = optind; k < argc; k++)
		if (cli_walk_operand(argv[k], show_file, &job) < 0)
			failed = 1;
	return failed ? EXIT_TROUBLE : EXIT_SAME;
}
