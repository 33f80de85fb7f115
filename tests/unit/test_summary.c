/* SPDX-License-Identifier: MIT */
/*
 * quoting and the CI summary (lib/quote.c, lib/summary.c): shell words,
 * visible control characters, Markdown that a value cannot break out of,
 * the size bound at every limit, incomplete records and lone snapshots.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void expect_quote(const char *in, enum hostctx_quote_style style, const char *want)
{
	char *got = NULL;

	assert_int_equal(hostctx_quote(in, style, &got), 0);
	assert_string_equal(got, want);
	free(got);
}

static void quote_styles(void **state)
{
	char *got = NULL;

	(void)state;
	expect_quote("make", HOSTCTX_QUOTE_SHELL, "make");
	expect_quote("-j8", HOSTCTX_QUOTE_SHELL, "-j8");
	expect_quote("a b", HOSTCTX_QUOTE_SHELL, "'a b'");
	expect_quote("it's", HOSTCTX_QUOTE_SHELL, "'it'\\''s'");
	expect_quote("", HOSTCTX_QUOTE_SHELL, "''");
	expect_quote("a\nb", HOSTCTX_QUOTE_SHELL, "$'a\\nb'");
	expect_quote("\x1b[31m'", HOSTCTX_QUOTE_SHELL, "$'\\x1b[31m\\''");
	expect_quote("a b", HOSTCTX_QUOTE_VISIBLE, "a b");
	expect_quote("", HOSTCTX_QUOTE_VISIBLE, "");
	expect_quote("tab\there", HOSTCTX_QUOTE_VISIBLE, "$'tab\\there'");
	expect_quote("del\x7f", HOSTCTX_QUOTE_VISIBLE, "$'del\\x7f'");
	expect_quote("ünïcode", HOSTCTX_QUOTE_SHELL, "'ünïcode'");
	assert_int_equal(hostctx_quote("x", (enum hostctx_quote_style)7, &got), -EINVAL);
	assert_int_equal(hostctx_quote(NULL, HOSTCTX_QUOTE_SHELL, &got), -EINVAL);
}

static struct hostctx_snapshot *snap(const char *tunable)
{
	struct hostctx_snapshot *s = NULL;

	assert_int_equal(hostctx_snapshot_new(&s), 0);
	assert_int_equal(hostctx_snapshot_set_string(s, "kernel_name", "Linux"), 0);
	assert_int_equal(hostctx_snapshot_set_string(s, "kernel_release", "6.1.0<b>"), 0);
	assert_int_equal(hostctx_snapshot_set_string(s, "arch", "x86_64"), 0);
	assert_int_equal(hostctx_snapshot_set_string(s, "cpu_model", "Model `X` | *fast*"), 0);
	assert_int_equal(hostctx_snapshot_set_u64(s, "online_cpus", 4), 0);
	assert_int_equal(hostctx_snapshot_set_object(s, "sched_tunables"), 0);
	assert_int_equal(hostctx_snapshot_set_string(s, "sched_tunables.sched_x", tunable), 0);
	return s;
}

/* A complete record of `echo 'a|b' `x``: sched_x goes from "1|2" to "3". */
static struct hostctx_sidecar *record(bool complete)
{
	static char *const argv[] = { "echo", "a|b", "`x`", NULL };
	struct hostctx_sidecar *sc = NULL;

	assert_int_equal(hostctx_sidecar_new(&sc), 0);
	assert_int_equal(hostctx_sidecar_set_tool(sc, "hostctx-run", "9.9"), 0);
	assert_int_equal(hostctx_sidecar_set_command(sc, 3, argv, "/tmp"), 0);
	hostctx_sidecar_set_snapshot(sc, HOSTCTX_PRE, snap("1|2"));
	if (complete) {
		hostctx_sidecar_set_snapshot(sc, HOSTCTX_POST, snap("3"));
		hostctx_sidecar_set_exit_code(sc, 3);
		hostctx_sidecar_set_wall_seconds(sc, 1.5);
		hostctx_sidecar_set_complete(sc, true);
	}
	return sc;
}

static char *summary(const struct hostctx_sidecar *sc, enum hostctx_summary_format f,
		     size_t max)
{
	char *text = NULL;

	assert_int_equal(hostctx_sidecar_format_summary(sc, "r.json", f, max, &text), 0);
	assert_non_null(text);
	assert_true(strlen(text) <= max);
	return text;
}

static void markdown_record(void **state)
{
	struct hostctx_sidecar *sc = record(true);
	char *md = summary(sc, HOSTCTX_SUMMARY_MARKDOWN, 65536);

	(void)state;
	/* the command as shell words in a code span longer than its backticks */
	assert_non_null(strstr(md, "### hostctx: ``echo 'a|b' '`x`'``\n"));
	assert_non_null(strstr(md, "| exit | code 3 |\n"));
	assert_non_null(strstr(md, "| wall time | 1.500 s |\n"));
	/* host text escaped for Markdown and HTML */
	assert_non_null(strstr(md, "6.1.0&lt;b&gt; x86\\_64, Model \\`X\\` \\| \\*fast\\*, 4 CPUs"));
	assert_non_null(strstr(md, "by hostctx-run 9.9, file r.json"));
	/* the change: a '|' inside a cell is escaped even in code */
	assert_non_null(strstr(md, "#### Changed during the run (1)\n"));
	assert_non_null(strstr(md, "| `sched_tunables.sched_x` | `\"1\\|2\"` | `\"3\"` |\n"));
	/* the snapshots, HTML-escaped, last */
	assert_non_null(strstr(md, "<details><summary>The host before the run (pre)</summary>"));
	assert_non_null(strstr(md, "kernel_release: 6.1.0&lt;b&gt;\n"));
	assert_null(strstr(md, "<b>"));
	assert_true(strstr(md, "Changed during") < strstr(md, "<details>"));
	free(md);
	hostctx_sidecar_free(sc);
}

static void text_record(void **state)
{
	struct hostctx_sidecar *sc = record(true);
	char *t = summary(sc, HOSTCTX_SUMMARY_TEXT, 65536);

	(void)state;
	assert_true(strncmp(t, "hostctx: echo 'a|b' '`x`'\n", strlen("hostctx: echo 'a|b' '`x`'\n")) == 0);
	assert_non_null(strstr(t, "  exit       code 3\n"));
	assert_non_null(strstr(t, "  sched_tunables.sched_x: \"1|2\" -> \"3\"\n"));
	assert_non_null(strstr(t, "The host after the run (post):\n  kernel_name: Linux\n"));
	assert_null(strstr(t, "<details>"));
	free(t);
	hostctx_sidecar_free(sc);
}

static void incomplete_record(void **state)
{
	struct hostctx_sidecar *sc = record(false);
	char *md = summary(sc, HOSTCTX_SUMMARY_MARKDOWN, 65536);

	(void)state;
	assert_non_null(strstr(md, "| exit | unknown: the record is not complete |\n"));
	assert_non_null(strstr(md, "in progress (incomplete)"));
	assert_null(strstr(md, "Changed during"));
	assert_non_null(strstr(md, "run-incomplete"));	/* check says why */
	assert_null(strstr(md, "after the run (post)"));
	free(md);
	hostctx_sidecar_free(sc);
}

/* Every limit holds, with the snapshots dropped first, then a cut said so. */
static void bounded(void **state)
{
	struct hostctx_sidecar *sc = record(true);
	struct hostctx_snapshot *pre = (struct hostctx_snapshot *)hostctx_sidecar_snapshot(sc, HOSTCTX_PRE);
	char big[20000];
	char *text;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(hostctx_snapshot_set_string(pre, "kernel_cmdline", big), 0);
	text = summary(sc, HOSTCTX_SUMMARY_MARKDOWN, 65536);
	assert_non_null(strstr(text, "<details>"));
	free(text);
	text = summary(sc, HOSTCTX_SUMMARY_MARKDOWN, 8192);
	assert_null(strstr(text, "<details>"));
	assert_non_null(strstr(text, "the snapshots are left out"));
	assert_non_null(strstr(text, "Changed during the run"));
	free(text);
	for (size_t max = 256; max < 3000; max += 97) {
		text = summary(sc, max % 2 ? HOSTCTX_SUMMARY_TEXT : HOSTCTX_SUMMARY_MARKDOWN, max);
		assert_non_null(strstr(text, "hostctx"));
		free(text);
	}
	text = summary(sc, HOSTCTX_SUMMARY_MARKDOWN, 300);
	assert_non_null(strstr(text, "(cut: the summary is limited in size"));
	free(text);
	assert_int_equal(hostctx_sidecar_format_summary(sc, NULL, HOSTCTX_SUMMARY_TEXT, 255, &text),
			 -EINVAL);
	assert_int_equal(hostctx_sidecar_format_summary(sc, NULL, (enum hostctx_summary_format)2,
							4096, &text), -EINVAL);
	hostctx_sidecar_free(sc);
}

/* Many changes: the table stops, and says how many more there are. */
static void many_changes(void **state)
{
	struct hostctx_sidecar *sc = record(true);
	struct hostctx_snapshot *post = (struct hostctx_snapshot *)hostctx_sidecar_snapshot(sc, HOSTCTX_POST);
	char key[64], *md;

	(void)state;
	for (int i = 0; i < 100; i++) {
		snprintf(key, sizeof(key), "sched_tunables.sched_new%03d", i);
		assert_int_equal(hostctx_snapshot_set_string(post, key, "1"), 0);
	}
	md = summary(sc, HOSTCTX_SUMMARY_MARKDOWN, 65536);
	assert_non_null(strstr(md, "#### Changed during the run (101)\n"));
	assert_non_null(strstr(md, "and 61 more: hostctx show lists them all\n"));
	free(md);
	hostctx_sidecar_free(sc);
}

/* A field that ends with a backtick: the code span is padded. */
static void code_span_padding(void **state)
{
	struct hostctx_sidecar *sc = record(true);
	struct hostctx_snapshot *post = (struct hostctx_snapshot *)hostctx_sidecar_snapshot(sc, HOSTCTX_POST);
	char *md;

	(void)state;
	assert_int_equal(hostctx_snapshot_set_string(post, "sched_tunables.`odd`", "1"), 0);
	md = summary(sc, HOSTCTX_SUMMARY_MARKDOWN, 65536);
	assert_non_null(strstr(md, "| `` sched_tunables.`odd` `` | `null` | `\"1\"` |\n"));
	free(md);
	hostctx_sidecar_free(sc);
}

static void lone_snapshot(void **state)
{
	struct hostctx_snapshot *s = snap("1");
	char *md = NULL;

	(void)state;
	assert_int_equal(hostctx_snapshot_format_summary(s, "s.json", HOSTCTX_SUMMARY_MARKDOWN,
							 65536, &md), 0);
	assert_non_null(strstr(md, "### hostctx: a snapshot of the host\n"));
	assert_non_null(strstr(md, "| file | s.json |\n"));
	assert_non_null(strstr(md, "#### hostctx check: "));
	assert_non_null(strstr(md, "<details><summary>The host</summary>"));
	free(md);
	hostctx_snapshot_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(quote_styles),
		cmocka_unit_test(markdown_record),
		cmocka_unit_test(text_record),
		cmocka_unit_test(incomplete_record),
		cmocka_unit_test(bounded),
		cmocka_unit_test(many_changes),
		cmocka_unit_test(code_span_padding),
		cmocka_unit_test(lone_snapshot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
