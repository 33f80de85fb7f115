/* SPDX-License-Identifier: MIT */
/*
 * cmd_diff.c - `hostctx diff FILE` (pre vs post of one record) and
 * `hostctx diff A B` (two records' post snapshots, or snapshots), with
 * classes, tolerances and "not comparable" (the library's compare.c;
 * docs/hostctx.1).  Exit status as diff(1): 0 same, 1 different, 2
 * trouble; over many records the worst one's.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <string.h>

static const char diff_usage[] =
	"Usage: " PROGRAM_NAME " diff [OPTION]... PATH\n"
	"       " PROGRAM_NAME " diff [OPTION]... A B\n"
	"Compare the pre and post snapshots of a record (each record below a\n"
	"directory PATH), or two files: a record stands for its post snapshot\n"
	"(--pre: its pre), and B may be a directory of records to compare\n"
	"with A one by one.  '-' reads standard input.  The differences are\n"
	"grouped by class: identity, instance, config, telemetry.\n"
	"\n"
	"  -j, --json[=SHAPE]     SHAPE array (default): the differences as a JSON\n"
	"                         array of {\"field\", \"class\", \"before\", \"after\"};\n"
	"                         grouped: an object by class (docs/json-format.md)\n"
	"  -i, --ignore=GLOB      drop differences whose field path matches the\n"
	"                         shell glob (e.g. 'sched_tunables.*'); repeatable\n"
	"  -a, --all              also the telemetry class; for one record, also\n"
	"                         what happened on the host during the run (the\n"
	"                         deltas; with --json an object {\"changes\", \"deltas\"})\n"
	"  -c, --class=LIST       compare these classes only (comma list of\n"
	"                         identity, instance, config, telemetry)\n"
	"  -t, --tolerance=GLOB=SPEC\n"
	"                         let matching fields differ: SPEC N (absolute), N%\n"
	"                         (relative to A), any, or 0 (exact); repeatable,\n"
	"                         the last match wins\n"
	"      --tolerances=FILE  tolerances from FILE, lines 'GLOB SPEC', '#' comments\n"
	"      --no-default-tolerances\n"
	"                         A B: drop the built-in total_memory_kib=1%\n"
	"      --pre              A B: compare the records' pre snapshots\n"
	"  -v, --verbose          also list what is within tolerance, not\n"
	"                         comparable, and A B's instance fields\n"
	"      --no-sandbox       parse without the seccomp sandbox\n"
	"  -h, --help             show this help and exit\n"
	"\n"
	"Exit status: 0 no difference that counts, 1 differences, 2 trouble.\n"
	"Within a tolerance, not comparable or not compared never counts; an\n"
	"instance difference counts for one record only.  heap_state is never\n"
	"compared.\n";

#define OPT_PRE 0x200

enum json_shape { JSON_NONE, JSON_ARRAY, JSON_GROUPED };

struct diff_opts {
	enum json_shape json;
	bool all, pre, verbose, no_sandbox, class_given;
	unsigned classes;
	size_t n_ignore;
	const char **ignore;	/* points into argv */
	struct cli_tolerances tolerances;
	struct hostctx_compare *cmp;	/* made from the above, once */
	size_t n_records;	/* compared so far: headings from the second on */
	bool headings;		/* a directory operand: "==> FILE <==" each */
};

static int parse_classes(const char *list, unsigned *ret)
{
	_cleanup_free_ char *copy = strdup(list);
	char *save = NULL;
	unsigned mask = 0;

	if (!copy)
		return -ENOMEM;
	for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		int cls = 0;

		while (hostctx_class_name(cls) && strcmp(hostctx_class_name(cls), w) != 0)
			cls++;
		if (!hostctx_class_name(cls))
			return -EINVAL;
		mask |= 1u << cls;
	}
	if (!mask)
		return -EINVAL;
	*ret = mask;
	return 0;
}

static int parse_json_shape(const char *arg, enum json_shape *ret)
{
	if (!arg || strcmp(arg, "array") == 0)
		*ret = JSON_ARRAY;
	else if (strcmp(arg, "grouped") == 0)
		*ret = JSON_GROUPED;
	else
		return -EINVAL;
	return 0;
}

/* One option; -1 to go on, else the exit status. */
static int take_option(int c, char **argv, struct diff_opts *o)
{
	if (cli_tolerances_option(&o->tolerances, c, optarg))
		return -1;
	switch (c) {
	case 'j':
		if (parse_json_shape(optarg, &o->json) < 0)
			return cli_usage_error("diff: --json=%s: expected array or grouped", optarg);
		break;
	case 'a':
		o->all = true;
		break;
	case 'i':
		o->ignore[o->n_ignore++] = optarg;
		break;
	case 'c':
		if (parse_classes(optarg, &o->classes) < 0)
			return cli_usage_error("diff: --class=%s: expected a comma list of "
					       "identity, instance, config, telemetry", optarg);
		o->class_given = true;
		break;
	case OPT_PRE:
		o->pre = true;
		break;
	case 'v':
		o->verbose = true;
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
	return -1;
}

/* Returns -1 to go on, else the exit status. */
static int parse_diff_opts(int argc, char **argv, struct diff_opts *o)
{
	static const struct option longopts[] = {
		{ "json", optional_argument, NULL, 'j' },
		{ "all", no_argument, NULL, 'a' },
		{ "ignore", required_argument, NULL, 'i' },
		{ "class", required_argument, NULL, 'c' },
		{ "tolerance", required_argument, NULL, 't' },
		{ "tolerances", required_argument, NULL, OPT_TOLERANCES },
		{ "no-default-tolerances", no_argument, NULL, OPT_NO_DEFAULT_TOLERANCES },
		{ "pre", no_argument, NULL, OPT_PRE },
		{ "verbose", no_argument, NULL, 'v' },
		{ "no-sandbox", no_argument, NULL, OPT_NO_SANDBOX },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, status = -1;

	/* No more globs than arguments: one allocation up front. */
	o->ignore = calloc((size_t)argc + 1, sizeof(*o->ignore));
	if (!o->ignore) {
		cli_error("%s", strerror(ENOMEM));
		return EXIT_TROUBLE;
	}
	if (cli_tolerances_init(&o->tolerances, argc) < 0)
		return EXIT_TROUBLE;
	opterr = 0;	/* cli_option_error() names the subcommand */
	optind = 0;
	while (status < 0 && (c = getopt_long(argc, argv, ":j::ai:c:t:vh", longopts, NULL)) != -1)
		status = take_option(c, argv, o);
	if (status >= 0)
		return status;
	if (optind >= argc)
		return cli_usage_error("diff: missing FILE operand");
	if (argc - optind > 2)
		return cli_usage_error("diff: unexpected operand '%s'", argv[optind + 2]);
	if (o->pre && argc - optind == 1)
		return cli_usage_error("diff: --pre compares two files: give A and B");
	if (o->all)
		o->classes |= 1u << HOSTCTX_CLASS_TELEMETRY;
	return -1;
}

/* ---- the options as the library takes them ----------------------------- */

/* Built-in defaults first, the file, then the flags: the last match wins. */
static int make_compare(const struct diff_opts *o, enum hostctx_compare_form form,
			struct hostctx_compare **ret)
{
	struct hostctx_compare *cmp = NULL;
	int r = hostctx_compare_new(form, &cmp);

	for (size_t i = 0; r == 0 && i < o->n_ignore; i++)
		r = hostctx_compare_add_ignore(cmp, o->ignore[i]);
	if (r < 0) {
		cli_error("%s", strerror(-r));
		hostctx_compare_free(cmp);
		return -1;
	}
	if (cli_tolerances_apply(&o->tolerances, "diff", form == HOSTCTX_COMPARE_FILES,
				 cmp) < 0) {
		hostctx_compare_free(cmp);
		return -1;
	}
	if (o->class_given)
		hostctx_compare_set_classes(cmp, o->classes);
	else if (o->all)
		hostctx_compare_set_classes(cmp, o->classes | (1u << HOSTCTX_CLASS_IDENTITY) |
						      (1u << HOSTCTX_CLASS_INSTANCE) |
						      (1u << HOSTCTX_CLASS_CONFIG));
	*ret = cmp;
	return 0;
}

/* ---- which snapshots ---------------------------------------------------- */

static const char *missing_side_reason(const struct hostctx_sidecar *sc)
{
	if (!hostctx_sidecar_complete(sc))
		return " (incomplete)";
	if (hostctx_sidecar_exec_error(sc))
		return " (the command did not start)";
	return "";
}

/* The snapshot that stands for a file in `diff A B`. */
static const struct hostctx_snapshot *
compared_snapshot(const char *path, const struct hostctx_document *doc, bool pre)
{
	const struct hostctx_sidecar *sc = hostctx_document_sidecar(doc);
	enum hostctx_phase phase = pre ? HOSTCTX_PRE : HOSTCTX_POST;
	const struct hostctx_snapshot *s;

	if (!sc)
		return hostctx_document_snapshot(doc);
	s = hostctx_sidecar_snapshot(sc, phase);
	if (!s)
		cli_file_error(cli_display_name(path), "record has no %s snapshot%s",
			       pre ? "pre" : "post", missing_side_reason(sc));
	return s;
}

/* ---- printing ----------------------------------------------------------- */

static void print_heading(struct diff_opts *o, const char *label)
{
	if (o->headings)
		printf("%s==> %s <==\n", o->n_records ? "\n" : "", label);
	o->n_records++;
}

/* --all, human: a run's evidence under a heading, when there is any. */
static int print_evidence(const char *whose, const struct hostctx_snapshot *pre,
			  const struct hostctx_snapshot *post)
{
	_cleanup_free_ char *text = NULL;
	int r = hostctx_evidence_format_human(pre, post, &text);

	if (r < 0)
		return r;
	if (text[0]) {
		printf("on the host during %s:\n", whose);
		cli_print(text);
	}
	return 0;
}

/* --all --json on one record: {"changes": [...], "deltas": {...}}. */
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

static int print_comparison(const struct diff_opts *o, const struct hostctx_changes *c,
			    const struct hostctx_snapshot *pre,
			    const struct hostctx_snapshot *post)
{
	_cleanup_free_ char *text = NULL;
	int r;

	if (o->json == JSON_ARRAY && o->all && pre)
		return print_json_all(c, pre, post);
	if (o->json == JSON_ARRAY)
		r = hostctx_changes_to_json(c, &text, NULL);
	else if (o->json == JSON_GROUPED)
		r = hostctx_changes_to_grouped_json(c, &text, NULL);
	else
		r = hostctx_changes_format_grouped(c, o->verbose ? HOSTCTX_GROUPED_VERBOSE : 0,
						   &text);
	if (r < 0)
		return r;
	cli_print(text);
	if (o->json == JSON_NONE && o->all && pre)
		return print_evidence("the run", pre, post);
	return 0;
}

/* ---- the two forms ------------------------------------------------------ */

static int compare(const struct diff_opts *o, const struct hostctx_snapshot *a,
		   const struct hostctx_snapshot *b, const struct hostctx_snapshot *run_pre)
{
	_cleanup_changes_ struct hostctx_changes *changes = NULL;
	int r = hostctx_compare_snapshots(o->cmp, a, b, &changes);

	if (r >= 0)
		r = print_comparison(o, changes, run_pre, run_pre ? b : NULL);
	if (r < 0) {
		cli_error("cannot compare: %s", strerror(-r));
		return EXIT_TROUBLE;
	}
	return hostctx_changes_differ(changes) ? EXIT_DIFFERENT : EXIT_SAME;
}

static int diff_one_record(struct diff_opts *o, const char *path)
{
	_cleanup_document_ struct hostctx_document *doc = NULL;
	const struct hostctx_sidecar *sc;
	const struct hostctx_snapshot *pre, *post;

	if (cli_load_document(path, &doc) < 0)
		return EXIT_TROUBLE;
	sc = hostctx_document_sidecar(doc);
	if (!sc) {
		cli_file_error(cli_display_name(path),
			       "a snapshot, not a sidecar record: give a second file to compare it with");
		return EXIT_TROUBLE;
	}
	pre = hostctx_sidecar_snapshot(sc, HOSTCTX_PRE);
	if (!pre) {
		cli_file_error(cli_display_name(path), "record has no pre snapshot");
		return EXIT_TROUBLE;
	}
	post = compared_snapshot(path, doc, false);
	if (!post)
		return EXIT_TROUBLE;
	print_heading(o, cli_display_name(path));
	return compare(o, pre, post, pre);
}

/* A's producer beside B's: presence differences count only between equals. */
static int set_producers(struct hostctx_compare *cmp, const struct hostctx_document *a,
			 const struct hostctx_document *b)
{
	_cleanup_free_ char *pa = NULL, *pb = NULL;
	int r = hostctx_document_producer(a, &pa);

	if (r == 0)
		r = hostctx_document_producer(b, &pb);
	if (r == 0)
		r = hostctx_compare_set_producers(cmp, pa, pb);
	return r;
}

/* --all, human, two files: each record's own run evidence. */
static int print_files_evidence(const struct hostctx_document *doc, const char *name)
{
	const struct hostctx_sidecar *sc = hostctx_document_sidecar(doc);
	_cleanup_free_ char *whose = NULL;

	if (!sc || !hostctx_sidecar_snapshot(sc, HOSTCTX_PRE) ||
	    !hostctx_sidecar_snapshot(sc, HOSTCTX_POST))
		return 0;
	if (asprintf(&whose, "%s's run", name) < 0)
		return -ENOMEM;
	return print_evidence(whose, hostctx_sidecar_snapshot(sc, HOSTCTX_PRE),
			      hostctx_sidecar_snapshot(sc, HOSTCTX_POST));
}

struct files_job {
	struct diff_opts *o;
	const char *path_a;
	const struct hostctx_document *doc_a;
	const struct hostctx_snapshot *a;
	int status;
};

/* Keep the worst status of the walk; -1 (reported) for trouble. */
static int keep_worst(int *status, int this_one)
{
	if (this_one > *status)
		*status = this_one;
	return this_one == EXIT_TROUBLE ? -1 : 0;
}

static int worse(struct files_job *job, int status)
{
	return keep_worst(&job->status, status);
}

static int compare_with_a(const char *path_b, void *data)
{
	struct files_job *job = data;
	_cleanup_document_ struct hostctx_document *doc_b = NULL;
	const struct hostctx_snapshot *b;
	int status, r;

	if (cli_load_document(path_b, &doc_b) < 0)
		return worse(job, EXIT_TROUBLE);
	b = compared_snapshot(path_b, doc_b, job->o->pre);
	if (!b)
		return worse(job, EXIT_TROUBLE);
	r = set_producers(job->o->cmp, job->doc_a, doc_b);
	if (r < 0) {
		cli_error("%s", strerror(-r));
		return worse(job, EXIT_TROUBLE);
	}
	print_heading(job->o, cli_display_name(path_b));
	status = compare(job->o, job->a, b, NULL);
	if (status != EXIT_TROUBLE && job->o->all && job->o->json == JSON_NONE &&
	    (print_files_evidence(job->doc_a, "A") < 0 || print_files_evidence(doc_b, "B") < 0))
		status = EXIT_TROUBLE;
	return worse(job, status);
}

static int diff_two_files(struct diff_opts *o, const char *path_a, const char *path_b)
{
	_cleanup_document_ struct hostctx_document *doc_a = NULL;
	struct files_job job = { .o = o, .path_a = path_a };

	if (cli_is_directory(path_a)) {
		cli_file_error(path_a, "a directory: A is the one file the others are compared with");
		return EXIT_TROUBLE;
	}
	if (cli_load_document(path_a, &doc_a) < 0)
		return EXIT_TROUBLE;
	job.doc_a = doc_a;
	job.a = compared_snapshot(path_a, doc_a, o->pre);
	if (!job.a)
		return EXIT_TROUBLE;
	o->headings = cli_is_directory(path_b);
	if (cli_walk_operand(path_b, compare_with_a, &job) < 0)
		return EXIT_TROUBLE;
	return job.status;
}

struct records_job {
	struct diff_opts *o;
	int status;
};

static int diff_visited_record(const char *path, void *data)
{
	struct records_job *job = data;

	return keep_worst(&job->status, diff_one_record(job->o, path));
}

static int diff_records(struct diff_opts *o, const char *path)
{
	struct records_job job = { .o = o };

	o->headings = cli_is_directory(path);
	if (cli_walk_operand(path, diff_visited_record, &job) < 0)
		return EXIT_TROUBLE;
	return job.status;
}

int cmd_diff(int argc, char **argv)
{
	struct diff_opts o = { .classes = 0 };
	int status;

	status = parse_diff_opts(argc, argv, &o);
	if (status < 0 && !o.no_sandbox && cli_sandbox_listing() < 0)
		status = EXIT_TROUBLE;
	if (status < 0 && make_compare(&o, argc - optind == 1 ? HOSTCTX_COMPARE_RUN
							       : HOSTCTX_COMPARE_FILES,
				       &o.cmp) < 0)
		status = EXIT_TROUBLE;
	if (status < 0) {
		if (argc - optind == 1)
			status = diff_records(&o, argv[optind]);
		else
			status = diff_two_files(&o, argv[optind], argv[optind + 1]);
	}
	hostctx_compare_free(o.cmp);
	free(o.ignore);
	cli_tolerances_clear(&o.tolerances);
	return status;
}
