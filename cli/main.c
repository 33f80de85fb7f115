/* SPDX-License-Identifier: MIT */
/*
 * main.c - `hostctx SUBCOMMAND ...`: dispatch, --help and --version.
 *
 * Options of hostctx itself come before the subcommand; each subcommand
 * parses its own options GNU-style (anywhere among the operands, `--`
 * ends them).
 */
#include "cli.h"

#include <getopt.h>
#include <string.h>

static const char main_usage[] =
	"Usage: " PROGRAM_NAME " SUBCOMMAND [OPTION]... [FILE]...\n"
	"Snapshot, show and compare the host's tunable state.\n"
	"\n"
	"Subcommands:\n"
	"  snapshot [--root=DIR] [--fields=GROUPS] [--redact] [--human]\n"
	"                                    print one snapshot (JSON)\n"
	"  show FILE                         render a sidecar or snapshot\n"
	"  diff [--json] [--ignore=GLOB]... FILE | A B\n"
	"                                    compare pre and post of a record,\n"
	"                                    or two records or snapshots\n"
	"  check [--root=DIR] [--profile=P] [--json] [FILE]\n"
	"                                    is the host fit to benchmark, was a\n"
	"                                    recorded run clean\n"
	"  summary [--format=markdown|text] FILE...\n"
	"                                    a short report for a CI job page\n"
	"  metrics FILE                      a record or snapshot as OpenMetrics text\n"
	"  junit JUNIT.xml SIDECAR           add the record's host to every\n"
	"                                    <testsuite> of a JUnit XML file\n"
	"  export [--format=ndjson|csv] [--snapshots] PATH...\n"
	"                                    records as flat rows for fleet\n"
	"                                    databases (docs/fleet.md)\n"
	"  report [--by=FIELD,...] [--command=GLOB] [--json] PATH...\n"
	"                                    many records grouped by host\n"
	"                                    configuration (docs/fleet.md)\n"
	"\n"
	"Options:\n"
	"  -h, --help     show this help and exit\n"
	"  -V, --version  show the version and exit\n"
	"\n"
	"'" PROGRAM_NAME " SUBCOMMAND --help' describes each subcommand.\n"
	"Exit status: 0 success (diff: same; check: no warning), 1 diff: different\n"
	"(check: warnings), 2 trouble.\n"
	"Environment: HOSTCTX_ROOT, HOSTCTX_FIELDS and HOSTCTX_REDACT=1 are the\n"
	"default --root, --fields and --redact of snapshot.\n";

struct subcommand {
	const char *name;
	int (*run)(int argc, char **argv);
};

static const struct subcommand subcommands[] = {
	{ "snapshot", cmd_snapshot },
	{ "show", cmd_show },
	{ "diff", cmd_diff },
	{ "check", cmd_check },
	{ "summary", cmd_summary },
	{ "metrics", cmd_metrics },
	{ "junit", cmd_junit },
	{ "export", cmd_export },
	{ "report", cmd_report },
};

/* Returns -1 to go on with the subcommand at argv[optind]. */
static int parse_main_opts(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	/* '+': stop at the subcommand, its options are its own. */
	while ((c = getopt_long(argc, argv, "+hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			cli_print(main_usage);
			return EXIT_SAME;
		case 'V':
			cli_print(PROGRAM_NAME " " HOSTCTX_VERSION "\n");
			return EXIT_SAME;
		default:
			return cli_usage_hint();
		}
	}
	if (optind >= argc)
		return cli_usage_error("missing subcommand");
	return -1;
}

static int run_subcommand(int argc, char **argv)
{
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++) {
		if (strcmp(argv[0], subcommands[i].name) == 0) {
			/* getopt's own complaints name the program. */
			argv[0] = (char *)PROGRAM_NAME;
			return subcommands[i].run(argc, argv);
		}
	}
	return cli_usage_error("unknown subcommand '%s'", argv[0]);
}

int main(int argc, char **argv)
{
	int status;

	if (argc < 1)
		return EXIT_TROUBLE;
	/* Messages from getopt say "hostctx:", whatever the path. */
	argv[0] = (char *)PROGRAM_NAME;
	status = parse_main_opts(argc, argv);
	if (status < 0)
		status = run_subcommand(argc - optind, argv + optind);
	if (cli_close_stdout() < 0)
		status = EXIT_TROUBLE;
	return status;
}
