/* SPDX-License-Identifier: MIT */
/*
 * options.c - the command line.  Options stop at the first operand
 * ("+" in the getopt string, as timeout(1) and time(1) do), so
 * `hostctx-run ls -l` runs `ls -l`; `--` is accepted too.
 */
#include "run.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_NEXT_TO = 0x100,
	OPT_ROOT,
	OPT_STRICT,
	OPT_FSYNC,
	OPT_WAIT_DESCENDANTS,
	OPT_FIELDS,
	OPT_REDACT,
	OPT_CHECK,
	OPT_CI,
	OPT_WATCH_WRITES,
};

static const struct option long_options[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "next-to", required_argument, NULL, OPT_NEXT_TO },
	{ "output-dir", required_argument, NULL, 'O' },
	{ "root", required_argument, NULL, OPT_ROOT },
	{ "fields", required_argument, NULL, OPT_FIELDS },
	{ "redact", no_argument, NULL, OPT_REDACT },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "fsync", no_argument, NULL, OPT_FSYNC },
	{ "wait-descendants", optional_argument, NULL, OPT_WAIT_DESCENDANTS },
	{ "check", optional_argument, NULL, OPT_CHECK },
	{ "ci", required_argument, NULL, OPT_CI },
	{ "watch-writes", no_argument, NULL, OPT_WATCH_WRITES },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static const char usage_text[] =
"Usage: hostctx-run [OPTION]... [--] COMMAND [ARG]...\n"
"Run COMMAND and record the host's tunable state (/proc, /sys) before and\n"
"after it in a JSON sidecar file.  COMMAND's stdio, terminal, signals and\n"
"exit status pass through unchanged.\n"
"\n"
"  -o, --output=FILE        write the record to FILE (replaced atomically)\n"
"      --next-to=FILE       write the record to FILE.hostctx.json\n"
"  -O, --output-dir=DIR     write a new record in DIR (created if missing)\n"
"      --root=DIR           read /proc and /sys beneath DIR\n"
"      --fields=GROUPS      record only these field groups (comma-separated;\n"
"                           'seed' = the reference's fields; default: all;\n"
"                           `hostctx snapshot --fields=help` lists them)\n"
"      --redact             leave out of the record what should not go\n"
"                           public (boot_id, CPU vulnerabilities, microcode,\n"
"                           secrets in the kernel command line)\n"
"  -v, --verbose            print the host changes on stderr after the run\n"
"  -q, --quiet              print no warnings\n"
"      --strict             exit 125 when the record cannot be written\n"
"                           and COMMAND succeeded\n"
"      --fsync              flush the record to disk before exiting\n"
"      --wait-descendants[=SECONDS]\n"
"                           wait for every descendant of COMMAND before the\n"
"                           post snapshot, at most SECONDS (default 60)\n"
"      --check[=warn|refuse]\n"
"                           check the host first (as `hostctx check`): warn\n"
"                           (the default) prints its warnings on stderr and\n"
"                           runs COMMAND; refuse does not start COMMAND when\n"
"                           there is a warning (exit 125, the record says why)\n"
"      --ci=github|gitlab|auto|none\n"
"                           at the end, show the record to the CI system:\n"
"                           github appends a summary to $GITHUB_STEP_SUMMARY\n"
"                           and prints the check's warnings as annotations on\n"
"                           stderr; gitlab prints a collapsed summary section\n"
"                           on stderr; auto picks from $GITHUB_ACTIONS and\n"
"                           $GITLAB_CI (default: none)\n"
"      --watch-writes       record who wrote /proc/sys and the snapshot's /sys\n"
"                           settings during the run (as root: with pids)\n"
"  -h, --help               show this help and exit\n"
"  -V, --version            show the version and exit\n"
"\n"
"Without -o, --next-to or -O the record goes to $HOSTCTX_OUTPUT (a file),\n"
"else a new file in $HOSTCTX_DIR, else in the current directory, named\n"
"COMMAND-yyyymmddThhmmssZ-PID.hostctx.json.  $HOSTCTX_ROOT acts as --root,\n"
"$HOSTCTX_FIELDS as --fields, HOSTCTX_REDACT=1 as --redact,\n"
"HOSTCTX_CHECK=warn|refuse as --check, HOSTCTX_CI as --ci,\n"
"HOSTCTX_WATCH=1 as --watch-writes.\n"
"\n"
"Exit status: COMMAND's (or COMMAND's fatal signal); 125 bad usage or\n"
"COMMAND could not be started; 126 COMMAND not executable; 127 COMMAND\n"
"not found.\n";

/* Print on stdout; a failed write is our failure. */
static enum run_parse_result print_stdout(const char *text)
{
	if (fputs(text, stdout) == EOF || fflush(stdout) == EOF) {
		run_error("write error: %s", strerror(errno));
		return RUN_PARSE_USAGE;
	}
	return RUN_PARSE_DONE;
}

static int parse_seconds(const char *arg, double *ret)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !isfinite(v) || v < 0 || v > 1e9)
		return -EINVAL;
	*ret = v;
	return 0;
}

static bool is_empty(const char *s)
{
	return s && !*s;
}

static void usage_hint(void)
{
	run_error("try '%s --help' for more information", RUN_PROGRAM);
}

/* A switch in the environment: unset, "" or "0" off, "1" on, else bad usage. */
static int switch_from_env(const char *name, bool *ret)
{
	const char *v = hostctx_env_value(NULL, name);

	*ret = v && strcmp(v, "1") == 0;
	if (!v || *ret || strcmp(v, "0") == 0)
		return 0;
	run_error("%s: '%s' is neither 0 nor 1", name, v);
	return -EINVAL;
}

/* "warn" or "refuse" (NULL: warn); what names them is the caller's. */
static int parse_check_mode(const char *arg, enum run_check *ret)
{
	if (!arg || strcmp(arg, "warn") == 0)
		*ret = RUN_CHECK_WARN;
	else if (strcmp(arg, "refuse") == 0)
		*ret = RUN_CHECK_REFUSE;
	else
		return -EINVAL;
	return 0;
}

/* HOSTCTX_CHECK: unset or "" no check, else as --check=. */
static int check_from_env(enum run_check *ret)
{
	const char *v = hostctx_env_value(NULL, "HOSTCTX_CHECK");

	if (!v || !*v)
		return 0;
	if (parse_check_mode(v, ret) == 0)
		return 0;
	run_error("HOSTCTX_CHECK: '%s' is neither warn nor refuse", v);
	return -EINVAL;
}

/* HOSTCTX_CI: unset or "" none, else as --ci=. */
static int ci_from_env(enum hostctx_ci_system *ret)
{
	const char *v = hostctx_env_value(NULL, "HOSTCTX_CI");

	if (hostctx_ci_parse(v, NULL, ret) == 0)
		return 0;
	run_error("HOSTCTX_CI: '%s' is none of github, gitlab, auto, none", v);
	return -EINVAL;
}

/*
 * What getopt found wrong (opterr is 0: the words are ours).  arg is
 * the word just read; a short option is named by optopt, since arg may
 * be the word before a cluster such as -xq.
 */
static void report_bad_option(int c, const char *arg)
{
	bool is_long = strncmp(arg, "--", 2) == 0;

	if (c == ':' && is_long)
		run_error("option '%s' requires an argument", arg);
	else if (c == ':')
		run_error("option requires an argument -- '%c'", optopt);
	else if (optopt == 0)
		run_error("unrecognized or ambiguous option '%s'", arg);
	else if (is_long && strchr(arg, '='))
		run_error("option '%.*s' takes no argument",
			  (int)(strchr(arg, '=') - arg), arg);
	else
		run_error("invalid option -- '%c'", optopt);
	usage_hint();
}

enum run_parse_result run_parse_options(int argc, char **argv,
					struct run_options *ret)
{
	struct run_options o = {
		.wait_limit_seconds = RUN_WAIT_DESCENDANTS_DEFAULT,
	};
	bool ci_given = false;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:o:O:vqhV", long_options,
				NULL)) != -1) {
		switch (c) {
		case 'o':
			o.output_file = optarg;
			break;
		case OPT_NEXT_TO:
			o.next_to = optarg;
			break;
		case 'O':
			o.output_dir = optarg;
			break;
		case OPT_ROOT:
			o.root = optarg;
			break;
		case OPT_FIELDS:
			o.fields = optarg;
			break;
		case OPT_REDACT:
			o.redact = true;
			break;
		case 'v':
			o.verbose = true;
			break;
		case 'q':
			o.quiet = true;
			break;
		case OPT_STRICT:
			o.strict = true;
			break;
		case OPT_FSYNC:
			o.fsync = true;
			break;
		case OPT_WAIT_DESCENDANTS:
			o.wait_descendants = true;
			if (optarg &&
			    parse_seconds(optarg, &o.wait_limit_seconds) < 0) {
				run_error("invalid --wait-descendants limit: '%s'",
					  optarg);
				return RUN_PARSE_USAGE;
			}
			break;
		case OPT_CHECK:
			if (parse_check_mode(optarg, &o.check) < 0) {
				run_error("invalid --check mode: '%s' (warn or refuse)", optarg);
				return RUN_PARSE_USAGE;
			}
			break;
		case OPT_CI:
			if (hostctx_ci_parse(optarg, NULL, &o.ci) < 0) {
				run_error("invalid --ci system: '%s' (github, gitlab, auto or none)",
					  optarg);
				return RUN_PARSE_USAGE;
			}
			ci_given = true;
			break;
		case OPT_WATCH_WRITES:
			o.watch_writes = true;
			break;
		case 'h':
			return print_stdout(usage_text);
		case 'V':
			return print_stdout(RUN_PROGRAM " (hostctx) "
					    HOSTCTX_VERSION "\n");
		default:
			report_bad_option(c, argv[optind - 1]);
			return RUN_PARSE_USAGE;
		}
	}
	if (optind >= argc) {
		run_error("missing COMMAND");
		usage_hint();
		return RUN_PARSE_USAGE;
	}
	if (is_empty(o.output_file) || is_empty(o.next_to) ||
	    is_empty(o.output_dir) || is_empty(o.root)) {
		run_error("an empty file or directory name was given");
		return RUN_PARSE_USAGE;
	}
	if (!o.root)
		o.root = hostctx_root_from_env(NULL);
	if (!o.fields)
		o.fields = hostctx_env_value(NULL, "HOSTCTX_FIELDS");
	if (!o.redact && switch_from_env("HOSTCTX_REDACT", &o.redact) < 0)
		return RUN_PARSE_USAGE;
	if (!o.watch_writes && switch_from_env("HOSTCTX_WATCH", &o.watch_writes) < 0)
		return RUN_PARSE_USAGE;
	if (o.check == RUN_CHECK_NONE && check_from_env(&o.check) < 0)
		return RUN_PARSE_USAGE;
	if (!ci_given && ci_from_env(&o.ci) < 0)
		return RUN_PARSE_USAGE;
	o.cmd_argc = argc - optind;
	o.cmd_argv = argv + optind;
	*ret = o;
	return RUN_PARSE_RUN;
}
