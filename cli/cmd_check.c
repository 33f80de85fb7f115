/* SPDX-License-Identifier: MIT */
/*
 * cmd_check.c - `hostctx check [FILE]`: is this host fit to benchmark
 * (live or a captured tree), or was the run of a record clean.  The
 * checks are the library's table (docs/check.md); this file parses the
 * options, takes the snapshot (and the second reading of the counters
 * for the current steal), prints and picks the exit status.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

static const char check_usage[] =
	"Usage: " PROGRAM_NAME " check [--root=DIR] [--profile=throughput|latency]\n"
	"                     [--interval=SECONDS] [--json] [--strict] [--ignore=ID]...\n"
	"                     [--threshold=ID=VALUE]... [-v] [--no-sandbox] [FILE]\n"
	"Say whether this host is fit to benchmark (read-only, no root needed), or,\n"
	"given a record (FILE, '-' for standard input), whether its run was clean.\n"
	"\n"
	"  -r, --root=DIR       check the tree captured beneath DIR (no sampling;\n"
	"                       default: $HOSTCTX_ROOT, else the live system)\n"
	"  -p, --profile=NAME   throughput (default) or latency: latency makes SMT,\n"
	"                       THP and delay accounting count more\n"
	"  -i, --interval=SECONDS  live: read the CPU times again after SECONDS for\n"
	"                       the current steal (default 0.5; 0: do not sample)\n"
	"  -j, --json           print the report as JSON\n"
	"  -s, --strict         exit 1 on notes too\n"
	"  -x, --ignore=ID      leave this check out (repeatable)\n"
	"  -t, --threshold=ID=VALUE  change a check's threshold (ID.note=VALUE:\n"
	"                       the note level of a two-level check; repeatable)\n"
	"  -v, --verbose        also list the checks that do not apply here\n"
	"  -l, --list           list the checks and exit\n"
	"      --no-sandbox     read without the seccomp sandbox\n"
	"  -h, --help           show this help and exit\n"
	"\n"
	"Exit status: 0 no warning, 1 at least one warning (--strict: or note),\n"
	"2 trouble (bad arguments, unreadable or invalid FILE).\n";

struct check_opts {
	const char *root_dir;
	const char *file;
	double interval;
	bool json;
	bool strict;
	bool verbose;
	bool sandbox;
};

static int bad_threshold(const char *arg, int err)
{
	switch (err) {
	case -ENOENT:
		return cli_usage_error("check: --threshold=%s: unknown check "
				       "(--list names them)", arg);
	case -ENOTSUP:
		return cli_usage_error("check: --threshold=%s: that check has no such "
				       "threshold", arg);
	default:
		return cli_usage_error("check: --threshold=%s: expected ID=VALUE, "
				       "VALUE a number >= 0", arg);
	}
}

static int parse_interval(const char *arg, double *ret)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (!arg[0] || *end || errno || !isfinite(v) || v < 0 || v > 3600)
		return cli_usage_error("check: --interval=%s: expected seconds "
				       "from 0 to 3600", arg);
	*ret = v;
	return -1;
}

static void print_list(void)
{
	for (size_t i = 0; i < hostctx_check_count(); i++)
		printf("%-20s %-14s %s\n", hostctx_check_id(i), hostctx_check_category(i),
		       hostctx_check_inputs(i));
}

/* Returns -1 to go on, else the exit status. */
static int parse_check_opts(int argc, char **argv, struct check_opts *o,
			    struct hostctx_check_config *cfg)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "profile", required_argument, NULL, 'p' },
		{ "interval", required_argument, NULL, 'i' },
		{ "json", no_argument, NULL, 'j' },
		{ "strict", no_argument, NULL, 's' },
		{ "ignore", required_argument, NULL, 'x' },
		{ "threshold", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "list", no_argument, NULL, 'l' },
		{ "no-sandbox", no_argument, NULL, OPT_NO_SANDBOX },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, r;

	*o = (struct check_opts){ .root_dir = hostctx_root_from_env(NULL),
				  .interval = 0.5, .sandbox = true };
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, ":r:p:i:jsx:t:vlh", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (!optarg[0])
				return cli_usage_error("--root: empty directory name");
			o->root_dir = optarg;
			break;
		case 'p':
			if (hostctx_check_config_set_profile(cfg, optarg) < 0)
				return cli_usage_error("check: --profile=%s: expected "
						       "throughput or latency", optarg);
			break;
		case 'i':
			r = parse_interval(optarg, &o->interval);
			if (r >= 0)
				return r;
			break;
		case 'j':
			o->json = true;
			break;
		case 's':
			o->strict = true;
			break;
		case 'x':
			if (hostctx_check_config_ignore(cfg, optarg) < 0)
				return cli_usage_error("check: --ignore=%s: unknown check "
						       "(--list names them)", optarg);
			break;
		case 't':
			r = hostctx_check_config_set_threshold(cfg, optarg);
			if (r < 0)
				return bad_threshold(optarg, r);
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'l':
			print_list();
			return EXIT_SAME;
		case OPT_NO_SANDBOX:
			o->sandbox = false;
			break;
		case 'h':
			cli_print(check_usage);
			return EXIT_SAME;
		default:
			return cli_option_error("check", argv, c);
		}
	}
	if (optind < argc)
		o->file = argv[optind++];
	if (optind < argc)
		return cli_usage_error("check: unexpected operand '%s'", argv[optind]);
	return -1;
}

static void sleep_seconds(double s)
{
	struct timespec t = { .tv_sec = (time_t)s,
			      .tv_nsec = (long)((s - (double)(time_t)s) * 1e9) };

	while (nanosleep(&t, &t) < 0 && errno == EINTR)
		;
}

/* The host (or tree): one snapshot, and live a second reading of the counters. */
static int check_host(const struct check_opts *o, const struct hostctx_check_config *cfg,
		      struct hostctx_check_report **rep)
{
	struct hostctx_root *root = NULL;
	_cleanup_snapshot_ struct hostctx_snapshot *s = NULL, *sample = NULL;
	int r;

	r = hostctx_root_open(o->root_dir, &root);
	if (r < 0) {
		cli_file_error(o->root_dir ? o->root_dir : "/", "cannot open root: %s",
			       strerror(-r));
		return -1;
	}
	hostctx_root_set_threads(root, CLI_READ_THREADS);
	r = hostctx_snapshot_take(root, &s);
	if (r >= 0 && o->interval > 0 && hostctx_root_is_live(root)) {
		sleep_seconds(o->interval);
		r = hostctx_root_select(root, "counters");
		if (r >= 0)
			r = hostctx_snapshot_take(root, &sample);
	}
	if (r >= 0)
		r = hostctx_check_snapshot(cfg, s, sample, rep);
	hostctx_root_close(root);
	if (r < 0)
		cli_error("cannot check the host: %s", strerror(-r));
	return r < 0 ? -1 : 0;
}

static int check_file(const char *path, struct hostctx_check_config *cfg,
		      struct hostctx_check_report **rep)
{
	_cleanup_document_ struct hostctx_document *doc = NULL;
	enum hostctx_run_state state;
	int r;

	if (cli_load_document(path, &doc) < 0)
		return -1;
	if (hostctx_document_is_sidecar(doc)) {
		const struct hostctx_sidecar *sc = hostctx_document_sidecar(doc);

		/* an incomplete record: is its process still running here? */
		if (hostctx_sidecar_probe(sc, &state) == 0)
			hostctx_check_config_set_run_state(cfg, state);
		r = hostctx_check_sidecar(cfg, sc, rep);
	} else
		r = hostctx_check_snapshot(cfg, hostctx_document_snapshot(doc), NULL, rep);
	if (r == -ENODATA)
		cli_file_error(cli_display_name(path), "the record has no pre snapshot");
	else if (r < 0)
		cli_file_error(cli_display_name(path), "cannot check: %s", strerror(-r));
	return r < 0 ? -1 : 0;
}

static int print_report(const struct hostctx_check_report *rep, const struct check_opts *o)
{
	_cleanup_free_ char *text = NULL;
	int r;

	if (o->json) {
		r = hostctx_check_report_to_json(rep, o->file ? cli_display_name(o->file) : "live",
						 o->verbose, &text, NULL);
		if (r < 0)
			return -1;
		cli_print(text);
		return 0;
	}
	r = hostctx_check_report_format_human(rep, o->verbose ? HOSTCTX_CHECK_NA :
								HOSTCTX_CHECK_OK, &text);
	if (r < 0)
		return -1;
	cli_print(text);
	printf("%zu warning(s), %zu note(s), %zu unknown; profile %s\n",
	       hostctx_check_report_tally(rep, HOSTCTX_CHECK_WARN),
	       hostctx_check_report_tally(rep, HOSTCTX_CHECK_NOTE),
	       hostctx_check_report_tally(rep, HOSTCTX_CHECK_UNKNOWN),
	       hostctx_check_report_profile(rep));
	return 0;
}

int cmd_check(int argc, char **argv)
{
	struct hostctx_check_config *cfg = NULL;
	struct hostctx_check_report *rep = NULL;
	struct check_opts o;
	int status, r;

	if (hostctx_check_config_new(&cfg) < 0) {
		cli_error("%s", strerror(ENOMEM));
		return EXIT_TROUBLE;
	}
	status = parse_check_opts(argc, argv, &o, cfg);
	if (status < 0 && o.sandbox &&
	    (o.file ? cli_sandbox_parsing() : cli_sandbox_snapshot()) < 0)
		status = EXIT_TROUBLE;
	if (status < 0) {
		r = o.file ? check_file(o.file, cfg, &rep) : check_host(&o, cfg, &rep);
		if (r == 0 && print_report(rep, &o) < 0) {
			cli_error("cannot format the report: %s", strerror(ENOMEM));
			r = -1;
		}
		if (r < 0)
			status = EXIT_TROUBLE;
		else if (hostctx_check_report_tally(rep, HOSTCTX_CHECK_WARN) ||
			 (o.strict && hostctx_check_report_tally(rep, HOSTCTX_CHECK_NOTE)))
			status = EXIT_DIFFERENT;
		else
			status = EXIT_SAME;
	}
	hostctx_check_report_free(rep);
	hostctx_check_config_free(cfg);
	return status;
}
