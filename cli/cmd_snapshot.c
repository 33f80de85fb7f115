/* SPDX-License-Identifier: MIT */
/*
 * cmd_snapshot.c - `hostctx snapshot [--root=DIR] [--human]`: one
 * snapshot of the live host (or of a captured tree) on stdout.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <string.h>

static const char snapshot_usage[] =
	"Usage: " PROGRAM_NAME " snapshot [--root=DIR] [--fields=GROUPS] [--redact]\n"
	"                        [--human|--explain] [--no-sandbox]\n"
	"Print one snapshot of the host's tunable state, as JSON.\n"
	"\n"
	"  -r, --root=DIR  read /proc and /sys beneath DIR instead of /\n"
	"                  (default: $HOSTCTX_ROOT, else the live system)\n"
	"  -f, --fields=GROUPS  read only these field groups (comma-separated;\n"
	"                  'seed' = the reference's fields, 'all' = every field;\n"
	"                  default: $HOSTCTX_FIELDS, else all); --fields=help lists them\n"
	"      --redact    leave out what should not go public: boot_id, CPU\n"
	"                  vulnerabilities and microcode; secrets in the kernel\n"
	"                  command line replaced (default: on if $HOSTCTX_REDACT=1)\n"
	"  -H, --human     print the report for humans instead of JSON\n"
	"  -e, --explain   print, for each absent field, the path tried and\n"
	"                  why it could not be read\n"
	"      --no-sandbox  read without the seccomp sandbox\n"
	"  -h, --help      show this help and exit\n";

struct snapshot_opts {
	const char *root_dir;	/* NULL: live */
	const char *fields;	/* NULL: all */
	bool redact;
	bool human;
	bool explain;
	bool sandbox;
};

/* Returns -1 to go on, else the exit status. */
static int parse_snapshot_opts(int argc, char **argv, struct snapshot_opts *o)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "fields", required_argument, NULL, 'f' },
		{ "redact", no_argument, NULL, OPT_REDACT },
		{ "human", no_argument, NULL, 'H' },
		{ "explain", no_argument, NULL, 'e' },
		{ "no-sandbox", no_argument, NULL, OPT_NO_SANDBOX },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	o->root_dir = hostctx_root_from_env(NULL);
	o->fields = hostctx_env_value(NULL, "HOSTCTX_FIELDS");
	if (cli_redact_from_env(&o->redact) < 0)
		return EXIT_TROUBLE;
	o->human = false;
	o->explain = false;
	o->sandbox = true;
	opterr = 0;	/* cli_option_error() names the subcommand */
	optind = 0;	/* full re-initialisation: the ordering mode too */
	while ((c = getopt_long(argc, argv, ":r:f:Heh", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (!optarg[0])
				return cli_usage_error("--root: empty directory name");
			o->root_dir = optarg;	/* the option beats the environment */
			break;
		case 'f':
			if (strcmp(optarg, "help") == 0) {
				cli_print_groups();
				return EXIT_SAME;
			}
			o->fields = optarg;
			break;
		case OPT_REDACT:
			o->redact = true;
			break;
		case 'H':
			o->human = true;
			break;
		case 'e':
			o->explain = true;
			break;
		case OPT_NO_SANDBOX:
			o->sandbox = false;
			break;
		case 'h':
			cli_print(snapshot_usage);
			return EXIT_SAME;
		default:
			return cli_option_error("snapshot", argv, c);
		}
	}
	if (optind < argc)
		return cli_usage_error("snapshot: unexpected operand '%s'",
				       argv[optind]);
	if (o->human && o->explain)
		return cli_usage_error("snapshot: --human and --explain exclude each other");
	return -1;
}

static int print_snapshot(const struct hostctx_snapshot *s, bool human)
{
	_cleanup_free_ char *text = NULL;
	int r;

	if (human)
		r = hostctx_snapshot_format_human(s, &text);
	else
		r = hostctx_snapshot_to_json(s, &text, NULL);
	if (r < 0)
		return r;
	cli_print(text);
	return 0;
}

/* One line per absent field: "FIELD: PATH: REASON". */
static void print_explanation(const struct hostctx_snapshot *s)
{
	for (size_t i = 0; i < hostctx_field_count(); i++) {
		const char *name = hostctx_field_name(i), *path = NULL;
		int err = hostctx_snapshot_why(s, name, &path);

		if (hostctx_snapshot_type(s, name) != HOSTCTX_TYPE_ABSENT)
			continue;
		printf("%s: %s%s%s\n", name, path ? path : "", path ? ": " : "",
		       err == 0 ? "not read by a snapshot" :
		       err == ENOENT ? "not present on this machine" : strerror(err));
	}
}

/* HOSTCTX_DEBUG=1: the library's reports, one line each on stderr. */
static void debug_line(void *userdata, const char *message)
{
	cli_error("debug: %s", message);
}

int cmd_snapshot(int argc, char **argv)
{
	struct snapshot_opts o;
	struct hostctx_root *root = NULL;
	_cleanup_snapshot_ struct hostctx_snapshot *s = NULL;
	int status, r;

	status = parse_snapshot_opts(argc, argv, &o);
	if (status >= 0)
		return status;
	if (o.sandbox && cli_sandbox_snapshot() < 0)
		return EXIT_TROUBLE;

	r = hostctx_root_open(o.root_dir, &root);
	if (r < 0) {
		cli_file_error(o.root_dir ? o.root_dir : "/",
			       "cannot open root: %s", strerror(-r));
		return EXIT_TROUBLE;
	}
	hostctx_root_set_log(root, debug_line, NULL);
	hostctx_root_set_redact(root, o.redact);
	hostctx_root_set_threads(root, CLI_READ_THREADS);
	r = hostctx_root_select(root, o.fields);
	if (r < 0) {
		hostctx_root_close(root);
		return cli_fields_error(o.fields, r);
	}
	r = hostctx_snapshot_take(root, &s);
	if (r >= 0 && o.explain)
		print_explanation(s);
	else if (r >= 0)
		r = print_snapshot(s, o.human);
	if (r < 0)
		cli_error("cannot take a snapshot: %s", strerror(-r));
	hostctx_root_close(root);
	return r < 0 ? EXIT_TROUBLE : EXIT_SAME;
}
