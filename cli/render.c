/* SPDX-License-Identifier: MIT */
/*
 * render.c - a sidecar for humans: a header block describing the run,
 * then the pre and post reports (the library's format, indented) and the
 * changes between them.  Not a stable format: machines read the JSON.
 */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#define LABEL_WIDTH 18

/* "name:" padded to the value column, and at least one blank after it. */
static void label(const char *name)
{
	char with_colon[64];

	snprintf(with_colon, sizeof(with_colon), "%s:", name);
	printf("%-*s ", LABEL_WIDTH - 1, with_colon);
}

/* Continuation lines line up under the value of the line above. */
static void continuation(void)
{
	printf("%-*s", LABEL_WIDTH, "");
}

/* ---- quoting: the library's, so show and summary spell alike ------- */

static void print_quoted(const char *s, enum hostctx_quote_style style)
{
	_cleanup_free_ char *text = NULL;

	if (hostctx_quote(s, style, &text) >= 0)
		fputs(text, stdout);
}

/* Print one word so that pasting it into a shell gives it back. */
static void print_shell_word(const char *s)
{
	print_quoted(s, HOSTCTX_QUOTE_SHELL);
}

/* Text from a file, with control characters made visible. */
static void print_visible(const char *s)
{
	print_quoted(s, HOSTCTX_QUOTE_VISIBLE);
}

/* ---- header lines --------------------------------------------------- */

static void print_timestamp(const char *name, const struct timespec *ts)
{
	struct tm tm;
	char buf[64];

	label(name);
	if (!gmtime_r(&ts->tv_sec, &tm) ||
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
		printf("(invalid: %lld s)\n", (long long)ts->tv_sec);
		return;
	}
	printf("%s.%03ldZ\n", buf, ts->tv_nsec / 1000000);
}

static void print_command(const struct hostctx_sidecar *sc)
{
	size_t argc = hostctx_sidecar_argc(sc);

	label("command");
	if (argc == 0)
		fputs("(unknown)", stdout);
	for (size_t i = 0; i < argc; i++) {
		if (i > 0)
			putchar(' ');
		print_shell_word(hostctx_sidecar_argv(sc, i));
	}
	putchar('\n');
	label("cwd");
	if (hostctx_sidecar_cwd(sc))
		print_shell_word(hostctx_sidecar_cwd(sc));
	else
		fputs("(unknown)", stdout);
	putchar('\n');
}

static void print_exit(const struct hostctx_sidecar *sc)
{
	int code = 0, sig = 0;
	bool core = false;
	const char *name;

	switch (hostctx_sidecar_exit(sc, &code, &sig, &core)) {
	case HOSTCTX_EXIT_CODE:
		label("exit");
		printf("code %d\n", code);
		break;
	case HOSTCTX_EXIT_SIGNAL:
		label("exit");
		name = hostctx_signal_name(sig);
		printf("signal %d", sig);
		if (name)
			printf(" (%s)", name);
		if (core)
			fputs(", core dumped", stdout);
		putchar('\n');
		break;
	case HOSTCTX_EXIT_NONE:
		break;
	}
}

static void print_rusage(const char *name, const struct hostctx_sidecar *sc,
			 enum hostctx_rusage_of which)
{
	struct hostctx_rusage value, *ru = &value;

	if (!hostctx_sidecar_rusage(sc, which, &value))
		return;
	label(name);
	printf("user %.3f s, system %.3f s, max RSS %" PRIu64 " KiB\n",
	       ru->user_seconds, ru->system_seconds, ru->max_rss_kib);
	continuation();
	printf("page faults: %" PRIu64 " minor, %" PRIu64 " major\n",
	       ru->minor_faults, ru->major_faults);
	continuation();
	printf("context switches: %" PRIu64 " voluntary, %" PRIu64
	       " involuntary\n",
	       ru->voluntary_context_switches,
	       ru->involuntary_context_switches);
	continuation();
	printf("block I/O: %" PRIu64 " in, %" PRIu64 " out\n",
	       ru->block_input_ops, ru->block_output_ops);
}

/* An incomplete record, and what this host says of its process. */
static void print_incomplete(const struct hostctx_sidecar *sc)
{
	enum hostctx_run_state state = HOSTCTX_RUN_UNKNOWN;
	long pid = 0;

	fputs("in progress (incomplete record)", stdout);
	(void)hostctx_sidecar_probe(sc, &state);
	(void)hostctx_sidecar_process(sc, &pid, NULL);
	switch (state) {
	case HOSTCTX_RUN_RUNNING:
		printf(": pid %ld is still running", pid);
		break;
	case HOSTCTX_RUN_GONE:
		printf(": pid %ld ended without its end being recorded", pid);
		break;
	case HOSTCTX_RUN_OTHER_BOOT:
		fputs(": of another boot or host", stdout);
		break;
	case HOSTCTX_RUN_UNKNOWN:
		break;
	}
	putchar('\n');
}

static void print_header(const struct hostctx_sidecar *sc)
{
	const char *mode = hostctx_sidecar_mode(sc);
	const char *tool = hostctx_sidecar_tool_name(sc);
	const char *version = hostctx_sidecar_tool_version(sc);
	struct timespec ts;
	double wall;
	long long left = hostctx_sidecar_descendants_left(sc);

	label("schema");
	printf("%s\n", HOSTCTX_SIDECAR_SCHEMA);
	label("mode");
	printf("%s\n", mode ? mode : "(unknown)");
	if (tool) {
		label("tool");
		print_visible(tool);
		if (version) {
			putchar(' ');
			print_visible(version);
		}
		putchar('\n');
	}
	label("record");
	if (hostctx_sidecar_complete(sc))
		puts("complete");
	else
		print_incomplete(sc);
	print_command(sc);
	if (hostctx_sidecar_time(sc, HOSTCTX_STARTED_AT, &ts))
		print_timestamp("started", &ts);
	if (hostctx_sidecar_time(sc, HOSTCTX_ENDED_AT, &ts))
		print_timestamp("ended", &ts);
	if (hostctx_sidecar_wall_seconds(sc, &wall)) {
		label("wall");
		printf("%.3f s\n", wall);
	}
	print_exit(sc);
	if (hostctx_sidecar_exec_error(sc)) {
		label("exec_error");
		print_visible(hostctx_sidecar_exec_error(sc));
		puts(" (the command could not be started)");
	}
	if (hostctx_sidecar_refused(sc)) {
		label("refused");
		printf("%s (the command was not started: hostctx check "
		       "FILE lists the warnings)\n", hostctx_sidecar_refused(sc));
	}
	print_rusage("rusage", sc, HOSTCTX_RUSAGE_COMMAND);
	print_rusage("rusage (children)", sc, HOSTCTX_RUSAGE_CHILDREN);
	if (left >= 0) {
		label("descendants_left");
		printf("%lld\n", left);
	}
}

/* ---- the snapshots and their changes -------------------------------- */

static int print_snapshot_block(const char *name,
				const struct hostctx_snapshot *s)
{
	_cleanup_free_ char *text = NULL;
	int r;

	r = hostctx_snapshot_format_human(s, &text);
	if (r < 0)
		return r;
	printf("%s:\n", name);
	cli_print_indented(text, "  ");
	return 0;
}

/* Why a record has no post snapshot, for the reader. */
static const char *missing_post_reason(const struct hostctx_sidecar *sc)
{
	if (!hostctx_sidecar_complete(sc))
		return "not taken yet (incomplete record)";
	if (hostctx_sidecar_exec_error(sc) || hostctx_sidecar_refused(sc))
		return "none (the command did not start)";
	return "none";
}

static int print_changes(const struct hostctx_snapshot *pre,
			 const struct hostctx_snapshot *post)
{
	_cleanup_changes_ struct hostctx_changes *changes = NULL;
	_cleanup_free_ char *text = NULL;
	int r;

	/*
	 * heap_state is described in the post report already and is never
	 * compared: the changes block lists compared fields only.
	 */
	r = hostctx_diff(pre, post, &changes);
	if (r < 0)
		return r;
	r = hostctx_changes_format_human(changes, &text);
	if (r < 0)
		return r;
	if (!text[0]) {
		puts("changes: none");
		return 0;
	}
	puts("changes:");
	cli_print(text);
	return 0;
}

/* The run evidence of a complete record (deltas), when there is any. */
static int print_evidence(const struct hostctx_sidecar *sc, const struct hostctx_snapshot *pre,
			  const struct hostctx_snapshot *post)
{
	_cleanup_free_ char *text = NULL;
	int r;

	if (!hostctx_sidecar_complete(sc))
		return 0;
	r = hostctx_evidence_format_human(pre, post, &text);
	if (r < 0 || !text[0])
		return r;
	puts("on the host during the run:");
	cli_print(text);
	return 0;
}

/* --watch-writes: the writes during the run, when they were watched. */
static int print_writes(const struct hostctx_sidecar *sc)
{
	_cleanup_free_ char *text = NULL;
	int r = hostctx_sidecar_format_writes_human(sc, &text);

	if (r < 0 || !text[0])
		return r;
	putchar('\n');
	cli_print(text);
	return 0;
}

int cli_render_sidecar(const struct hostctx_sidecar *sc)
{
	const struct hostctx_snapshot *pre = hostctx_sidecar_snapshot(sc, HOSTCTX_PRE);
	const struct hostctx_snapshot *post = hostctx_sidecar_snapshot(sc, HOSTCTX_POST);
	int r;

	if (hostctx_sidecar_is_reference_pair(sc)) {
		label("format");
		puts("the reference's pre/post pair (no record of the run)");
	} else {
		print_header(sc);
	}
	putchar('\n');
	if (pre) {
		r = print_snapshot_block("pre", pre);
		if (r < 0)
			return r;
	} else {
		puts("pre: none");
	}
	putchar('\n');
	if (post) {
		r = print_snapshot_block("post", post);
		if (r < 0)
			return r;
	} else {
		printf("post: %s\n", missing_post_reason(sc));
	}
	putchar('\n');
	if (pre && post) {
		r = print_changes(pre, post);
		if (r >= 0)
			r = print_evidence(sc, pre, post);
	} else {
		printf("changes: unknown (no %s snapshot)\n", pre ? "post" : "pre");
		r = 0;
	}
	return r < 0 ? r : print_writes(sc);
}
