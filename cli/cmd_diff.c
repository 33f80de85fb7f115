/* SPDX-License-Identifier: MIT */
/*
 * cmd_diff.c - `hostctx diff FILE` (pre vs post of one record) and
 * `hostctx diff A B` (two records' post snapshots, or snapshots).
 * Exit status as diff(1): 0 same, 1 different, 2 trouble.
 */
#include "cli.h"

#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <stdbool.h>
#include <string.h>

static const char diff_usage[] =
	"Usage: " PROGRAM_NAME " diff [--json] [--ignore=GLOB]... [--all] FILE\n"
	"       " PROGRAM_NAME " diff [--json] [--ignore=GLOB]... A B\n"
	"Compare the pre and post snapshots of one sidecar record, or two\n"
	"files: a sidecar stands for its post snapshot.  FILE '-' reads\n"
	"standard input.\n"
	"\n"
	"  -j, --json         print the changes as a JSON array of\n"
	"                     {\"field\", \"before\", \"after\"}\n"
	"  -i, --ignore=GLOB  drop changes whose field path matches the shell\n"
	"                     glob (e.g. 'hugepages_*', 'sched_tunables.*');\n"
	"                     may be repeated\n"
	"  -a, --all          FILE: also what happened on the host during the run\n"
	"                     (the deltas of its counters; they never change the\n"
	"                     exit status); with --json an object\n"
	"                     {\"changes\": [...], \"deltas\": {...}}\n"
	"      --no-sandbox   parse without the seccomp sandbox\n"
	"  -h, --help         show this help and exit\n"
	"\n"
	"Exit status: 0 no differences, 1 differences, 2 trouble.\n"
	"heap_state is shown but never compared.\n";

struct diff_opts {
	bool json;
	bool all;
	bool no_sandbox;
	size_t n_globs;
	const char **globs;	/* points into argv */
};

/* Returns -1 to go on, else the exit status. */
static int parse_diff_opts(int argc, char **argv, struct diff_opts *o)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "all", no_argument, NULL, 'a' },
		{ "ignore", required_argument, NULL, 'i' },
		{ "no-sandbox", no_argument, NULL, OPT_NO_SANDBOX },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	/* No more globs than arguments: one allocation up front. */
	o->globs = calloc((size_t)argc + 1, sizeof(*o->globs));
	if (!o->globs) {
		cli_error("%s", strerror(ENOMEM));
		return EXIT_TROUBLE;
	}
	opterr = 0;	/* cli_option_error() names the subcommand */
	optind = 0;
	while ((c = getopt_long(argc, argv, ":jai:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			o->json = true;
			break;
		case 'a':
			o->all = true;
			break;
		case 'i':
			o->globs[o->n_globs++] = optarg;
			break;
		case OPT_NO_SANDBOX:
			o->no_sandbox = true;
			break;
		case 'h':
			cli_print(diff_usage);
			return EXIT_SAME;
		default:
			return cli_option_error("diff", argv, c);
		}
	}
	if (optind >= argc)
		return cli_usage_error("diff: missing FILE operand");
	if (argc - optind > 2)
		return cli_usage_error("diff: unexpected operand '%s'",
				       argv[optind + 2]);
	if (o->all && argc - optind == 2)
		return cli_usage_error("diff: --all shows one record's run: give one FILE");
	return -1;
}

/* The snapshot that stands for a file in `diff A B`. */
static const struct hostctx_snapshot *
compared_snapshot(const char *path, const struct hostctx_document *doc)
{
	const struct hostctx_sidecar *sc = hostctx_document_sidecar(doc);
	const struct hostctx_snapshot *post;

	if (!sc)
		return hostctx_document_snapshot(doc);
	post = hostctx_sidecar_snapshot(sc, HOSTCTX_POST);
	if (post)
		return post;
	if (!hostctx_sidecar_complete(sc))
		cli_file_error(cli_display_name(path),
			       "record has no post snapshot (incomplete)");
	else if (hostctx_sidecar_exec_error(sc))
		cli_file_error(cli_display_name(path),
			       "record has no post snapshot (the command did not start: %s)",
			       hostctx_sidecar_exec_error(sc));
	else
		cli_file_error(cli_display_name(path),
			       "record has no post snapshot");
	return NULL;
}

/* pre of the record in `diff FILE`; post comes from compared_snapshot. */
static const struct hostctx_snapshot *
record_pre(const char *path, const struct hostctx_document *doc)
{
	const struct hostctx_sidecar *sc = hostctx_document_sidecar(doc);

	if (!sc) {
		cli_file_error(cli_display_name(path),
			       "a snapshot, not a sidecar record: give a second file to compare it with");
		return NULL;
	}
	if (!hostctx_sidecar_snapshot(sc, HOSTCTX_PRE)) {
		cli_file_error(cli_display_name(path),
			       "record has no pre snapshot");
		return NULL;
	}
	return hostctx_sidecar_snapshot(sc, HOSTCTX_PRE);
}

/*
 * Only the changes are printed: heap_state is never compared (show
 * renders it), so what is printed is exactly what sets the status.
 */
static int print_changes(const struct diff_opts *o,
			 const struct hostctx_changes *changes)
{
	_cleanup_free_ char *text = NULL;
	int r;

	if (o->json)
		r = hostctx_changes_to_json(changes, &text, NULL);
	else
		r = hostctx_changes_format_human(changes, &text);
	if (r < 0)
		return r;
	cli_print(text);
	return 0;
}

/* --all, human: the run's evidence under a heading, when there is any. */
static int print_evidence(const struct hostctx_snapshot *pre,
			  const struct hostctx_snapshot *post)
{
	_cleanup_free_ char *text = NULL;
	int r = hostctx_evidence_format_human(pre, post, &text);

	if (r < 0)
		return r;
	if (text[0]) {
		cli_print("on the host during the run:\n");
		cli_print(text);
	}
	return 0;
}

/* --all --json: {"changes": [...], "deltas": {...}} from the two texts. */
static int print_json_all(const struct hostctx_changes *changes,
			  const struct hostctx_snapshot *pre,
			  const struct hostctx_snapshot *post)
{
	_cleanup_free_ char *changes_text = NULL, *evidence_text = NULL;
	size_t changes_len = 0, evidence_len = 0;
	int r = hostctx_changes_to_json(changes, &changes_text, &changes_len);

	if (r == 0)
		r = hostctx_evidence_to_json(pre, post, &evidence_text, &evidence_len);
	if (r < 0)
		return r;
	/* both end with a newline; the evidence is an object: open it up */
	changes_text[changes_len - 1] = '\0';
	printf("{\"changes\": %s%s%s", changes_text,
	       evidence_len > 3 ? ", " : "", evidence_len > 3 ? evidence_text + 1 : "}\n");
	return 0;
}

static int compare(const struct diff_opts *o, const struct hostctx_snapshot *a,
		   const struct hostctx_snapshot *b)
{
	_cleanup_changes_ struct hostctx_changes *changes = NULL;
	int r;

	r = hostctx_diff(a, b, &changes);
	if (r >= 0)
		hostctx_changes_filter(changes, o->globs, o->n_globs);
	if (r >= 0 && o->all && o->json) {
		r = print_json_all(changes, a, b);
	} else if (r >= 0) {
		r = print_changes(o, changes);
		if (r >= 0 && o->all)
			r = print_evidence(a, b);
	}
	if (r < 0) {
		cli_error("cannot compare: %s", strerror(-r));
		return EXIT_TROUBLE;
	}
	return hostctx_changes_count(changes) > 0 ? EXIT_DIFFERENT : EXIT_SAME;
}

static int diff_one_record(const struct diff_opts *o, const char *path)
{
	_cleanup_document_ struct hostctx_document *doc = NULL;
	const struct hostctx_snapshot *pre, *post;

	if (cli_load_document(path, &doc) < 0)
		return EXIT_TROUBLE;
	pre = record_pre(path, doc);
	if (!pre)
		return EXIT_TROUBLE;
	post = compared_snapshot(path, doc);
	if (!post)
		return EXIT_TROUBLE;
	return compare(o, pre, post);
}

static int diff_two_files(const struct diff_opts *o, const char *path_a,
			  const char *path_b)
{
	_cleanup_document_ struct hostctx_document *doc_a = NULL;
	_cleanup_document_ struct hostctx_document *doc_b = NULL;
	const struct hostctx_snapshot *a, *b;

	if (cli_load_document(path_a, &doc_a) < 0)
		return EXIT_TROUBLE;
	a = compared_snapshot(path_a, doc_a);
	if (!a)
		return EXIT_TROUBLE;
	if (cli_load_document(path_b, &doc_b) < 0)
		return EXIT_TROUBLE;
	b = compared_snapshot(path_b, doc_b);
	if (!b)
		return EXIT_TROUBLE;
	return compare(o, a, b);
}

int cmd_diff(int argc, char **argv)
{
	struct diff_opts o = { 0 };
	int status;

	status = parse_diff_opts(argc, argv, &o);
	if (status < 0 && !o.no_sandbox && cli_sandbox_parsing() < 0)
		status = EXIT_TROUBLE;
	if (status < 0) {
		if (argc - optind == 1)
			status = diff_one_record(&o, argv[optind]);
		else
			status = diff_two_files(&o, argv[optind],
						argv[optind + 1]);
	}
	free(o.globs);
	return status;
}
