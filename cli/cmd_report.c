/* SPDX-License-Identifier: MIT */
/*
 * cmd_report.c - `hostctx report PATH...`: many records from many runs
 * and machines on one screen (docs/fleet.md, "hostctx report").  The
 * library groups and counts (lib/report.c); this file parses the
 * options, walks the inputs (walk.c) one document at a time and prints.
 * A file that cannot be read is reported and left out, like cat(1):
 * the others are still reported, and the exit status says so.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <string.h>

static const char report_usage[] =
	"Usage: " PROGRAM_NAME " report [--by=FIELD,...] [--command=GLOB] [--json] [--tolerance=GLOB=SPEC]... PATH...\n"
	"Group the runs of many records by host configuration (the identity and\n"
	"config fields of each record's pre snapshot) and print, per group, its\n"
	"runs, machine types, kernels, wall times and exit statuses; then the\n"
	"fields that vary across the groups; then the runs that drifted, have\n"
	"bad run evidence or are incomplete (docs/fleet.md).  A PATH is a file, a\n"
	"directory (every *" CLI_RECORD_SUFFIX " below it, in sorted order;\n"
	"symlinked directories are not followed) or '-' (standard input).\n"
	"\n"
	"  -b, --by=FIELD,...  group by these fields' values instead (a field or a\n"
	"                      path: cpu_model, cpufreq_governor, sysctls.vm.swappiness)\n"
	"  -c, --command=GLOB  keep only the runs of a command: GLOB matches the\n"
	"                      command line, its program or the program's name\n"
	"  -j, --json          print JSON (docs/schema/hostctx-report-1.schema.json)\n"
	"  -t, --tolerance=GLOB=SPEC\n"
	"                      runs whose values differ within it share a group\n"
	"                      (SPEC N, N%, any or 0, as diff takes it); repeatable\n"
	"      --tolerances=FILE   tolerances from FILE, lines 'GLOB SPEC'\n"
	"      --no-default-tolerances   drop the built-in total_memory_kib=1%\n"
	"      --no-sandbox    parse without the seccomp sandbox\n"
	"  -h, --help          show this help and exit\n"
	"\n"
	"Exit status: 0 every file reported (bare snapshots are left out with a\n"
	"warning), 2 trouble (a file that cannot be read or parsed is reported and\n"
	"left out; the others are still reported).\n";

struct report_opts {
	const char *by;
	const char *command;
	bool json;
	bool sandbox;
	struct cli_tolerances tolerances;
};

/* Returns -1 to go on, else the exit status. */
static int parse_report_opts(int argc, char **argv, struct report_opts *o)
{
	static const struct option longopts[] = {
		{ "by", required_argument, NULL, 'b' },
		{ "command", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "tolerance", required_argument, NULL, 't' },
		{ "tolerances", required_argument, NULL, OPT_TOLERANCES },
		{ "no-default-tolerances", no_argument, NULL, OPT_NO_DEFAULT_TOLERANCES },
		{ "no-sandbox", no_argument, NULL, OPT_NO_SANDBOX },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct report_opts){ .sandbox = true };
	if (cli_tolerances_init(&o->tolerances, argc) < 0)
		return EXIT_TROUBLE;
	opterr = 0;	/* cli_option_error() names the subcommand */
	optind = 0;
	while ((c = getopt_long(argc, argv, ":b:c:jt:h", longopts, NULL)) != -1) {
		if (cli_tolerances_option(&o->tolerances, c, optarg))
			continue;
		switch (c) {
		case 'b':
			o->by = optarg;
			break;
		case 'c':
			o->command = optarg;
			break;
		case 'j':
			o->json = true;
			break;
		case OPT_NO_SANDBOX:
			o->sandbox = false;
			break;
		case 'h':
			cli_print(report_usage);
			return EXIT_SAME;
		default:
			return cli_option_error("report", argv, c);
		}
	}
	if (optind >= argc)
		return cli_usage_error("report: missing PATH operand");
	return -1;
}

/* --by's fields, one at a time: EXIT_TROUBLE (reported) or -1 to go on. */
static int set_group_by(struct hostctx_report *rep, const char *list)
{
	_cleanup_free_ char *copy = strdup(list);
	char *save = NULL;
	int n = 0;

	if (!copy) {
		cli_error("out of memory");
		return EXIT_TROUBLE;
	}
	for (char *f = strtok_r(copy, ",", &save); f; f = strtok_r(NULL, ",", &save), n++) {
		int r = hostctx_report_group_by(rep, f);

		if (r == -EINVAL)
			return cli_usage_error("report: --by: no such field: %s", f);
		if (r < 0) {
			cli_error("report: --by: %s", strerror(-r));
			return EXIT_TROUBLE;
		}
	}
	if (n == 0)
		return cli_usage_error("report: --by: no field named");
	return -1;
}

/* The tolerances of the grouping: EXIT_TROUBLE (reported) or -1 to go on. */
static int set_tolerances(struct hostctx_report *rep, const struct report_opts *o)
{
	struct hostctx_compare *cmp = NULL;
	int r = hostctx_compare_new(HOSTCTX_COMPARE_FILES, &cmp);

	if (r < 0) {
		cli_error("%s", strerror(-r));
		return EXIT_TROUBLE;
	}
	if (cli_tolerances_apply(&o->tolerances, "report", true, cmp) < 0) {
		hostctx_compare_free(cmp);
		return EXIT_TROUBLE;
	}
	r = hostctx_report_set_compare(rep, cmp);
	if (r < 0) {
		cli_error("%s", strerror(-r));
		return EXIT_TROUBLE;
	}
	return -1;
}

static int configure(struct hostctx_report *rep, const struct report_opts *o)
{
	int status = o->by ? set_group_by(rep, o->by) : -1;

	if (status < 0)
		status = set_tolerances(rep, o);

	if (status < 0 && o->command && hostctx_report_set_command(rep, o->command) < 0) {
		cli_error("out of memory");
		status = EXIT_TROUBLE;
	}
	return status;
}

/* 0, or -1 when the file was reported as trouble (a warning is not). */
static int visit_record(const char *path, void *data)
{
	_cleanup_document_ struct hostctx_document *doc = NULL;
	struct hostctx_report *rep = data;
	int r;

	if (cli_load_document(path, &doc) < 0) {
		hostctx_report_add_unreadable(rep);
		return -1;
	}
	r = hostctx_report_add(rep, doc, path);
	if (r == -EMEDIUMTYPE)
		cli_file_error(cli_display_name(path), "a snapshot, not a record: left out");
	else if (r == -ENODATA)
		cli_file_error(cli_display_name(path), "a record without a snapshot: left out");
	else if (r < 0) {
		cli_file_error(cli_display_name(path), "cannot report: %s", strerror(-r));
		return -1;
	}
	return 0;
}

static int print_report(const struct hostctx_report *rep, bool json)
{
	_cleanup_free_ char *text = NULL;
	int r = json ? hostctx_report_to_json(rep, &text, NULL) :
		       hostctx_report_format_text(rep, &text);

	if (r < 0) {
		cli_error("cannot write the report: %s", strerror(-r));
		return -1;
	}
	cli_print(text);
	return 0;
}

static void report_freep(struct hostctx_report **rep)
{
	hostctx_report_free(*rep);
}

static int run_report(const struct report_opts *o, int argc, char **argv)
{
	__attribute__((cleanup(report_freep))) struct hostctx_report *rep = NULL;
	int status, failed = 0;

	if (hostctx_report_new(&rep) < 0) {
		cli_error("out of memory");
		return EXIT_TROUBLE;
	}
	status = configure(rep, o);
	if (status >= 0)
		return status;
	if (o->sandbox && cli_sandbox_listing() < 0)
		return EXIT_TROUBLE;
	for (int k = optind; k < argc; k++)
		if (cli_walk_operand(argv[k], visit_record, rep) < 0)
			failed = 1;
	if (print_report(rep, o->json) < 0)
		return EXIT_TROUBLE;
	return failed ? EXIT_TROUBLE : EXIT_SAME;
}

int cmd_report(int argc, char **argv)
{
	struct report_opts o;
	int status = parse_report_opts(argc, argv, &o);

	if (status < 0)
		status = run_report(&o, argc, argv);
	cli_tolerances_clear(&o.tolerances);
	return status;
}
