/* SPDX-License-Identifier: MIT */
/*
 * summary.c - a record, or a snapshot, as a short report for a CI job
 * page (docs/ci.md): Markdown for $GITHUB_STEP_SUMMARY, or plain text
 * for a job log.  Everything shown comes from the record through the
 * public API (the changes, the evidence, the check table), so new
 * fields and checks appear here without a change.
 *
 * The size is bounded whatever the input: tables stop after a number
 * of rows and cells after a number of bytes, the snapshots are dropped
 * when they would not fit, and as a last resort the text is cut at a
 * line with a note.  GitHub refuses a step summary over 1 MiB; the
 * hostctx command asks for 64 KiB over all its files.
 */
#include "internal.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

#define MAX_CHANGE_ROWS 40
#define MAX_CHECK_ROWS 30
#define MAX_CELL_BYTES 160
#define MIN_SUMMARY_BYTES 256

struct summary {
	FILE *f;
	bool md;
};

/* ---- Markdown spelling ----------------------------------------------- */

/* Text that Markdown and HTML leave as it is, control characters visible. */
static void md_text(FILE *f, const char *s)
{
	_cleanup_free_ char *visible = NULL;

	if (hostctx_quote(s, HOSTCTX_QUOTE_VISIBLE, &visible) < 0)
		return;
	for (const char *p = visible; *p; p++) {
		if (*p == '&')
			fputs("&amp;", f);
		else if (*p == '<')
			fputs("&lt;", f);
		else if (*p == '>')
			fputs("&gt;", f);
		else if (strchr("\\`*_[]|~#!", *p))
			fprintf(f, "\\%c", *p);
		else
			fputc(*p, f);
	}
}

/* The longest run of backticks in s. */
static size_t longest_backtick_run(const char *s)
{
	size_t best = 0, run = 0;

	for (; *s; s++) {
		run = *s == '`' ? run + 1 : 0;
		if (run > best)
			best = run;
	}
	return best;
}

/*
 * s as a code span (CommonMark: a fence longer than any backtick run in
 * it, padded when it starts or ends with one).  In a table cell a '|'
 * still ends the cell, even inside code: GFM wants it escaped there.
 */
static void md_code(FILE *f, const char *text, bool in_table)
{
	_cleanup_free_ char *s = NULL;
	size_t fence;
	bool pad;

	if (hostctx_quote(text, HOSTCTX_QUOTE_VISIBLE, &s) < 0)
		return;
	fence = longest_backtick_run(s) + 1;
	pad = s[0] == '`' || (s[0] && s[strlen(s) - 1] == '`');
	for (size_t i = 0; i < fence; i++)
		fputc('`', f);
	if (pad)
		fputc(' ', f);
	for (const char *p = s; *p; p++) {
		if (*p == '|' && in_table)
			fputs("\\|", f);
		else
			fputc(*p, f);
	}
	if (pad)
		fputc(' ', f);
	for (size_t i = 0; i < fence; i++)
		fputc('`', f);
}

/* Text for a <pre> block: only what HTML would read as markup is escaped. */
static void html_pre_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '&')
			fputs("&amp;", f);
		else if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else
			fputc(*s, f);
	}
}

/* At most MAX_CELL_BYTES of s, cut at a UTF-8 character, "…" when cut. */
static char *cell_cut(const char *s)
{
	size_t n = strlen(s);
	char *out;

	if (n <= MAX_CELL_BYTES)
		return strdup(s);
	n = MAX_CELL_BYTES;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	out = malloc(n + sizeof("…"));
	if (!out)
		return NULL;
	memcpy(out, s, n);
	memcpy(out + n, "…", sizeof("…"));
	return out;
}

/* ---- building blocks -------------------------------------------------- */

static void heading(struct summary *sm, const char *text)
{
	if (sm->md)
		fprintf(sm->f, "\n#### %s\n\n", text);
	else
		fprintf(sm->f, "\n%s:\n", text);
}

/* One "label: value" row of the facts table (value already spelled). */
static void fact_begin(struct summary *sm, const char *label)
{
	if (sm->md)
		fprintf(sm->f, "| %s | ", label);
	else
		fprintf(sm->f, "  %-10s ", label);
}

static void fact_end(struct summary *sm)
{
	fputs(sm->md ? " |\n" : "\n", sm->f);
}

static void fact_text(struct summary *sm, const char *label, const char *value)
{
	fact_begin(sm, label);
	if (sm->md)
		md_text(sm->f, value);
	else
		hctx_quote_to(sm->f, value, HOSTCTX_QUOTE_VISIBLE);
	fact_end(sm);
}

static void facts_table_head(struct summary *sm)
{
	if (sm->md)
		fputs("\n| | |\n|---|---|\n", sm->f);
}

static const char *snapshot_string(const struct hostctx_snapshot *s, const char *field)
{
	const char *v = NULL;

	return s && hostctx_snapshot_get_string(s, field, &v) >= 0 ? v : NULL;
}

/* "Linux 6.1.0-18-amd64 x86_64, AMD EPYC 7B13, 2 CPUs online": what is there. */
static void host_fact(struct summary *sm, const struct hostctx_snapshot *s)
{
	static const char *const words[] = { "kernel_name", "kernel_release", "arch" };
	const char *model = snapshot_string(s, "cpu_model");
	const char *sep = "";
	uint64_t cpus = 0;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if (!s)
		return;
	f = open_memstream(&text, &len);
	if (!f)
		return;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		const char *w = snapshot_string(s, words[i]);

		if (w && *w) {
			fprintf(f, "%s%s", sep, w);
			sep = " ";
		}
	}
	if (model) {
		fprintf(f, "%s%s", *sep ? ", " : "", model);
		sep = " ";
	}
	if (hostctx_snapshot_get_u64(s, "online_cpus", &cpus) >= 0)
		fprintf(f, "%s%" PRIu64 " CPUs online", *sep ? ", " : "", cpus);
	if (fclose(f) == 0 && text[0])
		fact_text(sm, "host", text);
	free(text);
}

/* ---- the record's facts ------------------------------------------------ */

static void command_title(struct summary *sm, const struct hostctx_sidecar *sc)
{
	char *line = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&line, &len);

	if (!f)
		return;
	hctx_command_line_to(f, sc);
	if (fclose(f) != 0) {
		free(line);
		return;
	}
	if (sm->md) {
		fputs("### hostctx: ", sm->f);
		if (line[0])
			md_code(sm->f, line, false);
		else
			fputs("(unknown command)", sm->f);
		fputc('\n', sm->f);
	} else {
		fprintf(sm->f, "hostctx: %s\n", line[0] ? line : "(unknown command)");
	}
	free(line);
}

static void exit_fact(struct summary *sm, const struct hostctx_sidecar *sc)
{
	int code = 0, sig = 0;
	bool core = false;
	const char *name;
	char text[96];

	if (hostctx_sidecar_exec_error(sc)) {
		snprintf(text, sizeof(text), "could not start (%s)", hostctx_sidecar_exec_error(sc));
	} else if (hostctx_sidecar_refused(sc)) {
		snprintf(text, sizeof(text), "not started: refused (%s)", hostctx_sidecar_refused(sc));
	} else if (!hostctx_sidecar_complete(sc)) {
		enum hostctx_run_state state = HOSTCTX_RUN_UNKNOWN;
		long pid = 0;

		(void)hostctx_sidecar_probe(sc, &state);
		(void)hostctx_sidecar_process(sc, &pid, NULL);
		snprintf(text, sizeof(text), "unknown: the record is not complete%s",
			 state == HOSTCTX_RUN_RUNNING ? " (its process still runs)" :
			 state == HOSTCTX_RUN_GONE ? " (its process ended unrecorded)" : "");
	} else {
		switch (hostctx_sidecar_exit(sc, &code, &sig, &core)) {
		case HOSTCTX_EXIT_CODE:
			snprintf(text, sizeof(text), "code %d", code);
			break;
		case HOSTCTX_EXIT_SIGNAL:
			name = hostctx_signal_name(sig);
			snprintf(text, sizeof(text), "signal %d%s%s%s%s", sig, name ? " (" : "",
				 name ?: "", name ? ")" : "", core ? ", core dumped" : "");
			break;
		case HOSTCTX_EXIT_NONE:
		default:
			snprintf(text, sizeof(text), "unknown");
			break;
		}
	}
	fact_text(sm, "exit", text);
}

static void time_facts(struct summary *sm, const struct hostctx_sidecar *sc)
{
	struct timespec ts;
	struct tm tm;
	double wall;
	char text[64];

	if (hostctx_sidecar_wall_seconds(sc, &wall)) {
		snprintf(text, sizeof(text), "%.3f s", wall);
		fact_text(sm, "wall time", text);
	}
	if (hostctx_sidecar_time(sc, HOSTCTX_STARTED_AT, &ts) && gmtime_r(&ts.tv_sec, &tm) &&
	    strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm) > 0)
		fact_text(sm, "started", text);
}

static void record_fact(struct summary *sm, const struct hostctx_sidecar *sc, const char *name)
{
	const char *tool = hostctx_sidecar_tool_name(sc);
	const char *version = hostctx_sidecar_tool_version(sc);
	char text[512];

	snprintf(text, sizeof(text), "%s%s%s%s%s%s%s",
		 hostctx_sidecar_complete(sc) ? "complete" : "in progress (incomplete)",
		 tool ? ", by " : "", tool ?: "", version ? " " : "", version ?: "",
		 name ? ", file " : "", name ?: "");
	fact_text(sm, "record", text);
}

/* ---- what changed, what happened, what check says ----------------------- */

static void change_row(struct summary *sm, const struct hostctx_changes *c, size_t i)
{
	_cleanup_free_ char *before = NULL, *after = NULL, *b = NULL, *a = NULL;
	const char *field = hostctx_change_field(c, i);

	if (hostctx_change_value_json(c, i, HOSTCTX_BEFORE, &before) < 0 ||
	    hostctx_change_value_json(c, i, HOSTCTX_AFTER, &after) < 0)
		return;
	b = cell_cut(before);
	a = cell_cut(after);
	if (!b || !a)
		return;
	if (sm->md) {
		fputs("| ", sm->f);
		md_code(sm->f, field, true);
		fputs(" | ", sm->f);
		md_code(sm->f, b, true);
		fputs(" | ", sm->f);
		md_code(sm->f, a, true);
		fputs(" |\n", sm->f);
	} else {
		fputs("  ", sm->f);
		hctx_quote_to(sm->f, field, HOSTCTX_QUOTE_VISIBLE);
		fprintf(sm->f, ": %s -> %s\n", b, a);
	}
}

static int changes_section(struct summary *sm, const struct hostctx_snapshot *pre,
			   const struct hostctx_snapshot *post)
{
	struct hostctx_changes *c = NULL;
	size_t n, shown;
	char title[64];
	int r = hostctx_diff(pre, post, &c);

	if (r < 0)
		return r;
	n = hostctx_changes_count(c);
	if (n == 0) {
		fputs(sm->md ? "\nNothing changed during the run.\n" :
			       "\nnothing changed during the run\n", sm->f);
		hostctx_changes_free(c);
		return 0;
	}
	snprintf(title, sizeof(title), "Changed during the run (%zu)", n);
	heading(sm, title);
	if (sm->md)
		fputs("| field | before | after |\n|---|---|---|\n", sm->f);
	shown = n < MAX_CHANGE_ROWS ? n : MAX_CHANGE_ROWS;
	for (size_t i = 0; i < shown; i++)
		change_row(sm, c, i);
	if (shown < n)
		fprintf(sm->f, "%sand %zu more: hostctx show lists them all\n",
			sm->md ? "\n" : "  ", n - shown);
	hostctx_changes_free(c);
	return 0;
}

/* The library's evidence lines ("  text\n" each) as list items or as they are. */
static int evidence_section(struct summary *sm, const struct hostctx_snapshot *pre,
			    const struct hostctx_snapshot *post)
{
	_cleanup_free_ char *text = NULL;
	int r = hostctx_evidence_format_human(pre, post, &text);

	if (r < 0 || !text[0])
		return r;
	heading(sm, sm->md ? "On the host during the run" : "on the host during the run");
	for (char *line = text, *nl; *line; line = nl + 1) {
		bool last;

		nl = strchrnul(line, '\n');
		last = *nl == '\0';
		*nl = '\0';
		line += strspn(line, " ");
		if (sm->md) {
			fputs("- ", sm->f);
			md_text(sm->f, line);
			fputc('\n', sm->f);
		} else {
			fprintf(sm->f, "  %s\n", line);
		}
		if (last)
			break;
	}
	return 0;
}

static void check_row(struct summary *sm, const struct hostctx_check_report *rep, size_t i)
{
	const char *status = hostctx_check_status_name(hostctx_check_result_status(rep, i));
	const char *value = hostctx_check_result_value(rep, i);
	const char *message = hostctx_check_result_message(rep, i);
	const char *advice = hostctx_check_result_advice(rep, i);

	if (!sm->md) {
		fprintf(sm->f, "  %-5s %s: %s\n", status, hostctx_check_result_id(rep, i),
			message ?: "");
		return;
	}
	fprintf(sm->f, "| %s | ", status);
	md_code(sm->f, hostctx_check_result_id(rep, i), true);
	fputs(" | ", sm->f);
	md_text(sm->f, value ?: "");
	fputs(" | ", sm->f);
	md_text(sm->f, message ?: "");
	if (advice) {
		fputs(" — ", sm->f);
		md_text(sm->f, advice);
	}
	fputs(" |\n", sm->f);
}

static void check_section(struct summary *sm, const struct hostctx_check_report *rep)
{
	size_t warns = hostctx_check_report_tally(rep, HOSTCTX_CHECK_WARN);
	size_t notes = hostctx_check_report_tally(rep, HOSTCTX_CHECK_NOTE);
	size_t shown = 0;
	char title[96];

	snprintf(title, sizeof(title), "hostctx check: %zu warning%s, %zu note%s", warns,
		 warns == 1 ? "" : "s", notes, notes == 1 ? "" : "s");
	heading(sm, title);
	if (warns + notes == 0) {
		fputs(sm->md ? "Every check passed or does not apply.\n" :
			       "  every check passed or does not apply\n", sm->f);
		return;
	}
	if (sm->md)
		fputs("| | check | value | |\n|---|---|---|---|\n", sm->f);
	for (int level = HOSTCTX_CHECK_WARN; level >= HOSTCTX_CHECK_NOTE; level--)
		for (size_t i = 0; i < hostctx_check_report_count(rep); i++) {
			if ((int)hostctx_check_result_status(rep, i) != level)
				continue;
			if (shown++ < MAX_CHECK_ROWS)
				check_row(sm, rep, i);
		}
}

/* ---- the snapshots, last because they are the first to go -------------- */

static int snapshot_block(struct summary *sm, const char *title,
			  const struct hostctx_snapshot *s)
{
	_cleanup_free_ char *text = NULL;
	int r = hostctx_snapshot_format_human(s, &text);

	if (r < 0)
		return r;
	if (sm->md) {
		fprintf(sm->f, "\n<details><summary>%s</summary>\n\n<pre>\n", title);
	} else {
		fprintf(sm->f, "\n%s:\n", title);
	}
	/* line by line, so that a control character in a value stays visible */
	for (char *line = text, *nl; *line; line = nl + 1) {
		bool last;

		nl = strchrnul(line, '\n');
		last = *nl == '\0';
		*nl = '\0';
		if (sm->md) {
			_cleanup_free_ char *visible = NULL;

			if (hostctx_quote(line, HOSTCTX_QUOTE_VISIBLE, &visible) < 0)
				return -ENOMEM;
			html_pre_text(sm->f, visible);
			fputc('\n', sm->f);
		} else {
			fputs("  ", sm->f);
			hctx_quote_to(sm->f, line, HOSTCTX_QUOTE_VISIBLE);
			fputc('\n', sm->f);
		}
		if (last)
			break;
	}
	if (sm->md)
		fputs("</pre>\n</details>\n", sm->f);
	return 0;
}

/* ---- putting it together, within the size -------------------------------- */

/* Cut text at the last line that leaves room for the note; no more than max. */
static void cut_to_fit(char *text, size_t *len, size_t max, bool md)
{
	static const char note_md[] = "\n*(cut: the summary is limited in size; "
				      "hostctx show prints the record in full)*\n";
	static const char note_text[] = "\n(cut: the summary is limited in size; "
					"hostctx show prints the record in full)\n";
	const char *note = md ? note_md : note_text;
	size_t room = max - strlen(note), n = room;

	while (n > 0 && text[n - 1] != '\n')
		n--;
	if (n == 0)	/* one huge line: cut inside it, at a character */
		for (n = room; n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80; n--)
			;
	memcpy(text + n, note, strlen(note) + 1);
	*len = n + strlen(note);
}

typedef int (*summary_part)(struct summary *sm, const void *arg);

/* One part of the summary into a new text (*ret_text, *ret_len). */
static int render_part(bool md, summary_part part, const void *arg, char **ret_text,
		       size_t *ret_len)
{
	struct summary sm = { .md = md };
	int r;

	sm.f = open_memstream(ret_text, ret_len);
	if (!sm.f)
		return -ENOMEM;
	r = part(&sm, arg);
	if (fclose(sm.f) != 0 && r >= 0)
		r = -ENOMEM;
	if (r < 0) {
		free(*ret_text);
		*ret_text = NULL;
	}
	return r;
}

/* main, then extra when both fit in max_bytes; the text is cut to max at worst. */
static int summary_build(bool md, size_t max_bytes, summary_part main_part,
			 summary_part extra_part, const void *arg, char **ret_text)
{
	static const char left_out_md[] = "\n*(the snapshots are left out to keep the "
					  "summary short: hostctx show FILE prints them)*\n";
	static const char left_out_text[] = "\n(the snapshots are left out to keep the "
					    "summary short: hostctx show FILE prints them)\n";
	_cleanup_free_ char *extra = NULL;
	char *text = NULL, *all;
	size_t len = 0, extra_len = 0, tail_len;
	const char *tail;
	int r = render_part(md, main_part, arg, &text, &len);

	if (r < 0)
		return r;
	r = render_part(md, extra_part, arg, &extra, &extra_len);
	if (r < 0) {
		free(text);
		return r;
	}
	tail = extra;
	tail_len = extra_len;
	if (len + extra_len > max_bytes) {
		tail = md ? left_out_md : left_out_text;
		tail_len = strlen(tail);
	}
	all = realloc(text, len + tail_len + 1);
	if (!all) {
		free(text);
		return -ENOMEM;
	}
	memcpy(all + len, tail, tail_len + 1);
	len += tail_len;
	if (len > max_bytes)
		cut_to_fit(all, &len, max_bytes, md);
	*ret_text = all;
	return 0;
}

struct record_job {
	const struct hostctx_sidecar *sc;
	const struct hostctx_snapshot *s;	/* a lone snapshot */
	const char *name;
};

static int check_part(struct summary *sm, const struct record_job *job)
{
	struct hostctx_check_config *cfg = NULL;
	struct hostctx_check_report *rep = NULL;
	int r;

	if (job->sc) {
		r = hctx_check_record_here(job->sc, &rep);
	} else {
		r = hostctx_check_config_new(&cfg);
		if (r == 0)
			r = hostctx_check_snapshot(cfg, job->s, NULL, &rep);
		hostctx_check_config_free(cfg);
	}
	if (r >= 0 && rep)
		check_section(sm, rep);
	hostctx_check_report_free(rep);
	return r < 0 ? r : 0;
}

static int record_main(struct summary *sm, const void *arg)
{
	const struct record_job *job = arg;
	const struct hostctx_sidecar *sc = job->sc;
	const struct hostctx_snapshot *pre = hostctx_sidecar_snapshot(sc, HOSTCTX_PRE);
	const struct hostctx_snapshot *post = hostctx_sidecar_snapshot(sc, HOSTCTX_POST);
	int r = 0;

	command_title(sm, sc);
	facts_table_head(sm);
	exit_fact(sm, sc);
	time_facts(sm, sc);
	host_fact(sm, pre ? pre : post);
	record_fact(sm, sc, job->name);
	if (pre && post) {
		r = changes_section(sm, pre, post);
		if (r >= 0 && hostctx_sidecar_complete(sc))
			r = evidence_section(sm, pre, post);
	}
	return r < 0 ? r : check_part(sm, job);
}

static int record_extra(struct summary *sm, const void *arg)
{
	const struct record_job *job = arg;
	const struct hostctx_snapshot *pre = hostctx_sidecar_snapshot(job->sc, HOSTCTX_PRE);
	const struct hostctx_snapshot *post = hostctx_sidecar_snapshot(job->sc, HOSTCTX_POST);
	int r = 0;

	if (pre)
		r = snapshot_block(sm, "The host before the run (pre)", pre);
	if (r >= 0 && post)
		r = snapshot_block(sm, "The host after the run (post)", post);
	return r;
}

static int snapshot_main(struct summary *sm, const void *arg)
{
	const struct record_job *job = arg;

	fprintf(sm->f, sm->md ? "### hostctx: a snapshot of the host\n" :
				"hostctx: a snapshot of the host\n");
	facts_table_head(sm);
	host_fact(sm, job->s);
	if (job->name)
		fact_text(sm, "file", job->name);
	return check_part(sm, job);
}

static int snapshot_extra(struct summary *sm, const void *arg)
{
	const struct record_job *job = arg;

	return snapshot_block(sm, "The host", job->s);
}

static bool format_ok(enum hostctx_summary_format format, size_t max_bytes)
{
	return (format == HOSTCTX_SUMMARY_MARKDOWN || format == HOSTCTX_SUMMARY_TEXT) &&
	       max_bytes >= MIN_SUMMARY_BYTES;
}

HCTX_EXPORT int hostctx_sidecar_format_summary(const struct hostctx_sidecar *sc,
					       const char *name,
					       enum hostctx_summary_format format,
					       size_t max_bytes, char **ret_text)
{
	struct record_job job = { .sc = sc, .name = name };

	if (!sc || !format_ok(format, max_bytes))
		return -EINVAL;
	return summary_build(format == HOSTCTX_SUMMARY_MARKDOWN, max_bytes, record_main,
			     record_extra, &job, ret_text);
}

HCTX_EXPORT int hostctx_snapshot_format_summary(const struct hostctx_snapshot *s,
						const char *name,
						enum hostctx_summary_format format,
						size_t max_bytes, char **ret_text)
{
	struct record_job job = { .s = s, .name = name };

	if (!s || !format_ok(format, max_bytes))
		return -EINVAL;
	return summary_build(format == HOSTCTX_SUMMARY_MARKDOWN, max_bytes, snapshot_main,
			     snapshot_extra, &job, ret_text);
}
