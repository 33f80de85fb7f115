/* SPDX-License-Identifier: MIT */
/*
 * cmd_export.c - `hostctx export PATH...`: records as flat rows, NDJSON
 * or CSV, for DuckDB, ClickHouse, BigQuery or sqlite (docs/fleet.md).
 * The library formats each row; walk.c visits the inputs (files,
 * directories, '-').  One record is loaded at a time.  A file that cannot be
 * read is reported and left out, like cat(1): the others are still
 * exported, and the exit status says so.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <string.h>

static const char export_usage[] =
	"Usage: " PROGRAM_NAME " export [--format=ndjson|csv] [--snapshots] [--no-sandbox] PATH...\n"
	"Print records as flat rows for fleet databases (docs/fleet.md): one row\n"
	"per record with the same columns for every row (file, run_*, pre_FIELD,\n"
	"post_FIELD, changes_count, deltas_*).  A PATH is a file, a directory\n"
	"(every *" CLI_RECORD_SUFFIX " below it, in sorted order; symlinked\n"
	"directories are not followed) or '-' (standard input).\n"
	"\n"
	"  -f, --format=NAME  ndjson (default; one JSON object a line) or csv\n"
	"                     (RFC 4180, with a header row)\n"
	"  -s, --snapshots    a row per snapshot (phase pre or post; a bare\n"
	"                     snapshot file is phase snapshot) with FIELD columns\n"
	"      --no-sandbox   parse without the seccomp sandbox\n"
	"  -h, --help         show this help and exit\n"
	"\n"
	"Exit status: 0 every file exported, 2 trouble (a file that cannot be read\n"
	"or parsed is reported and left out; the others are still exported).\n";

struct export_opts {
	enum hostctx_export_format format;
	unsigned flags;
	bool sandbox;
};

/* Returns -1 to go on, else the exit status. */
static int parse_export_opts(int argc, char **argv, struct export_opts *o)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "snapshots", no_argument, NULL, 's' },
		{ "no-sandbox", no_argument, NULL, OPT_NO_SANDBOX },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct export_opts){ .format = HOSTCTX_EXPORT_NDJSON, .sandbox = true };
	opterr = 0;	/* cli_option_error() names the subcommand */
	optind = 0;
	while ((c = getopt_long(argc, argv, ":f:sh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "ndjson") == 0)
				o->format = HOSTCTX_EXPORT_NDJSON;
			else if (strcmp(optarg, "csv") == 0)
				o->format = HOSTCTX_EXPORT_CSV;
			else
				return cli_usage_error("export: --format=%s: expected "
						       "ndjson or csv", optarg);
			break;
		case 's':
			o->flags |= HOSTCTX_EXPORT_SNAPSHOTS;
			break;
		case OPT_NO_SANDBOX:
			o->sandbox = false;
			break;
		case 'h':
			cli_print(export_usage);
			return EXIT_SAME;
		default:
			return cli_option_error("export", argv, c);
		}
	}
	if (optind >= argc)
		return cli_usage_error("export: missing PATH operand");
	return -1;
}

/* The row(s) of one document: the whole text is printed, or nothing. */
static int export_document(const struct hostctx_document *doc, const char *file,
			   const struct export_opts *o, char **ret_text)
{
	if (hostctx_document_is_sidecar(doc))
		return hostctx_sidecar_export(hostctx_document_sidecar(doc), file,
					      o->format, o->flags, ret_text, NULL);
	if (!(o->flags & HOSTCTX_EXPORT_SNAPSHOTS))
		return -EMEDIUMTYPE;
	return hostctx_snapshot_export(hostctx_document_snapshot(doc), file,
				       o->format, o->flags, ret_text, NULL);
}

/* 0, or -1 when the file was reported. */
static int export_file(const char *path, const struct export_opts *o)
{
	_cleanup_document_ struct hostctx_document *doc = NULL;
	_cleanup_free_ char *text = NULL;
	int r;

	if (cli_load_document(path, &doc) < 0)
		return -1;
	r = export_document(doc, path, o, &text);
	if (r == -EMEDIUMTYPE) {
		cli_file_error(cli_display_name(path),
			       "a snapshot, not a record (--snapshots exports snapshots)");
		return -1;
	}
	if (r < 0) {
		cli_file_error(cli_display_name(path), "cannot export: %s", strerror(-r));
		return -1;
	}
	cli_print(text);
	return 0;
}

static int visit_record(const char *path, void *data)
{
	return export_file(path, data);
}

static int print_header(const struct export_opts *o)
{
	_cleanup_free_ char *header = NULL;
	int r = hostctx_export_header(o->format, o->flags, &header);

	if (r < 0) {
		cli_error("cannot write the header: %s", strerror(-r));
		return -1;
	}
	cli_print(header);
	return 0;
}

int cmd_export(int argc, char **argv)
{
	struct export_opts o;
	int status = parse_export_opts(argc, argv, &o);
	int failed = 0;

	if (status >= 0)
		return status;
	if (o.sandbox && cli_sandbox_listing() < 0)
		return EXIT_TROUBLE;
	if (print_header(&o) < 0)
		return EXIT_TROUBLE;
	for (int k = optind; k < argc; k++)
		if (cli_walk_operand(argv[k], visit_record, &o) < 0)
			failed = 1;
	return failed ? EXIT_TROUBLE : EXIT_SAME;
}
