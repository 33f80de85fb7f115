/* SPDX-License-Identifier: MIT */
/*
 * cmd_metrics.c - `hostctx metrics FILE`: a sidecar record or a snapshot
 * as OpenMetrics text (docs/metrics.md), for GitLab's
 * artifacts:reports:metrics and other scrapers of that format.
 */
#include "cli.h"

#include <stdbool.h>
#include <string.h>

static const char metrics_usage[] =
	"Usage: " PROGRAM_NAME " metrics [--no-sandbox] FILE\n"
	"Print a sidecar record or a snapshot file as OpenMetrics text: its\n"
	"numbers as gauges, a record's run facts and deltas (docs/metrics.md).\n"
	"FILE '-' reads standard input.\n"
	"\n"
	"      --no-sandbox  parse without the seccomp sandbox\n"
	"  -h, --help        show this help and exit\n"
	"\n"
	"Exit status: 0 success, 2 trouble (bad arguments, unreadable or invalid FILE).\n";

static int document_metrics(const struct hostctx_document *doc, char **ret_text)
{
	if (hostctx_document_is_sidecar(doc))
		return hostctx_sidecar_to_openmetrics(hostctx_document_sidecar(doc),
						      ret_text, NULL);
	return hostctx_snapshot_to_openmetrics(hostctx_document_snapshot(doc),
					       ret_text, NULL);
}

int cmd_metrics(int argc, char **argv)
{
	_cleanup_document_ struct hostctx_document *doc = NULL;
	_cleanup_free_ char *text = NULL;
	const char *path;
	bool sandbox;
	int status, r;

	status = cli_parse_one_file(argc, argv, "metrics", metrics_usage, &sandbox);
	if (status >= 0)
		return status;
	path = argv[optind];
	if (sandbox && cli_sandbox_parsing() < 0)
		return EXIT_TROUBLE;

	if (cli_load_document(path, &doc) < 0)
		return EXIT_TROUBLE;
	r = document_metrics(doc, &text);
	if (r < 0) {
		cli_file_error(cli_display_name(path), "cannot write metrics: %s",
			       strerror(-r));
		return EXIT_TROUBLE;
	}
	cli_print(text);
	return EXIT_SAME;
}
