/* SPDX-License-Identifier: MIT */
/*
 * cmd_summary.c - `hostctx summary FILE...`: a short report of records
 * (or snapshots) for a CI job page, Markdown for $GITHUB_STEP_SUMMARY or
 * text for a job log (docs/ci.md).  The library writes each file's part;
 * this file shares the size limit between the files and reports the
 * ones it cannot read, like cat(1): the others are still summarised.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <string.h>

/* The whole output, over every file: GitHub shows up to 1 MiB a step. */
#define SUMMARY_LIMIT (64u * 1024)
/*
 * A file's part is an equal share of what is left, but at least this
 * much while it lasts: with many files the first ones are summarised
 * and the rest counted, rather than every one cut to nothing.
 */
#define SUMMARY_PART_FLOOR 4096u
/* Below this a part would say nothing: the rest are only counted. */
#define SUMMARY_PART_MIN 1024u
/* Kept free while files follow: the "N more records" line fits in it. */
#define SUMMARY_LEFT_OUT_ROOM 96u

static const char summary_usage[] =
	"Usage: " PROGRAM_NAME " summary [--format=markdown|text] [--no-sandbox] FILE...\n"
	"Summarise records (or snapshots) for a CI job page: the command and its\n"
	"end, what changed during the run, the run evidence, the check warnings,\n"
	"then the snapshots.  At most 64 KiB in all, whatever the input.\n"
	"FILE '-' reads standard input.\n"
	"\n"
	"  -f, --format=NAME  markdown (default; for $GITHUB_STEP_SUMMARY) or text\n"
	"      --no-sandbox   parse without the seccomp sandbox\n"
	"  -h, --help         show this help and exit\n"
	"\n"
	"Exit status: 0 every FILE summarised, 2 trouble (a FILE that cannot be\n"
	"read is reported and left out; the others are still summarised).\n";

struct summary_opts {
	enum hostctx_summary_format format;
	bool sandbox;
};

/* Returns -1 to go on, else the exit status. */
static int parse_summary_opts(int argc, char **argv, struct summary_opts *o)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "no-sandbox", no_argument, NULL, OPT_NO_SANDBOX },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct summary_opts){ .format = HOSTCTX_SUMMARY_MARKDOWN, .sandbox = true };
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, ":f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "markdown") == 0)
				o->format = HOSTCTX_SUMMARY_MARKDOWN;
			else if (strcmp(optarg, "text") == 0)
				o->format = HOSTCTX_SUMMARY_TEXT;
			else
				return cli_usage_error("summary: --format=%s: expected "
						       "markdown or text", optarg);
			break;
		case OPT_NO_SANDBOX:
			o->sandbox = false;
			break;
		case 'h':
			cli_print(summary_usage);
			return EXIT_SAME;
		default:
			return cli_option_error("summary", argv, c);
		}
	}
	if (optind >= argc)
		return cli_usage_error("summary: missing FILE operand");
	return -1;
}

/* One file's part, in at most budget bytes.  0, or -1 when reported. */
static int summarise_file(const char *path, enum hostctx_summary_format format,
			  size_t budget, size_t *used)
{
	_cleanup_document_ struct hostctx_document *doc = NULL;
	_cleanup_free_ char *text = NULL;
	const char *name = cli_display_name(path);
	int r;

	if (cli_load_document(path, &doc) < 0)
		return -1;
	if (hostctx_document_is_sidecar(doc))
		r = hostctx_sidecar_format_summary(hostctx_document_sidecar(doc), name,
						   format, budget, &text);
	else
		r = hostctx_snapshot_format_summary(hostctx_document_snapshot(doc), name,
						    format, budget, &text);
	if (r < 0) {
		cli_file_error(name, "cannot summarise: %s", strerror(-r));
		return -1;
	}
	cli_print(text);
	*used += strlen(text);
	return 0;
}

/* "N more records not summarised": printed in the room kept for it. */
static void print_left_out(int n)
{
	_cleanup_free_ char *more = NULL;

	if (asprintf(&more, "\n%d more record%s not summarised: the summary is "
		     "limited to 64 KiB\n", n, n == 1 ? "" : "s") >= 0)
		cli_print(more);
}

/*
 * The bytes file k of files may use, used bytes printed so far; 0 when
 * the rest are only to be counted.  While more files follow, room for
 * print_left_out() stays free, so the count is never lost.
 */
static size_t part_budget(int k, int files, size_t used)
{
	size_t reserve = files - k > 1 ? SUMMARY_LEFT_OUT_ROOM : 0;
	size_t separator = k > 0 ? 1 : 0;
	size_t left, budget;

	if (used + separator + reserve >= SUMMARY_LIMIT)
		return 0;
	left = SUMMARY_LIMIT - used - separator - reserve;
	budget = left / (size_t)(files - k);
	if (budget < SUMMARY_PART_FLOOR)
		budget = left < SUMMARY_PART_FLOOR ? left : SUMMARY_PART_FLOOR;
	return budget < SUMMARY_PART_MIN ? 0 : budget;
}

int cmd_summary(int argc, char **argv)
{
	struct summary_opts o;
	size_t used = 0;
	int status = parse_summary_opts(argc, argv, &o);
	int files, failed = 0;

	if (status >= 0)
		return status;
	if (o.sandbox && cli_sandbox_parsing() < 0)
		return EXIT_TROUBLE;
	files = argc - optind;
	for (int k = 0; k < files; k++) {
		size_t budget = part_budget(k, files, used);

		if (budget == 0) {
			print_left_out(files - k);
			break;
		}
		if (k > 0) {
			cli_print("\n");
			used++;
		}
		if (summarise_file(argv[optind + k], o.format, budget, &used) < 0)
			failed = 1;
	}
	return failed ? EXIT_TROUBLE : EXIT_SAME;
}
