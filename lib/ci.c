/* SPDX-License-Identifier: MIT */
/*
 * ci.c - what a record says to a CI system at the end of a run
 * (docs/ci.md): on GitHub Actions, workflow-command annotations for the
 * check's warnings (drift during the run is one of them); on GitLab, a
 * collapsed job-log section holding the text summary.  The job summary
 * file itself is hostctx_sidecar_format_summary()'s Markdown.
 */
#include "internal.h"

#include <errno.h>
#include <string.h>

/* A few, as the users asked: annotations are for a glance. */
#define CI_MAX_ANNOTATIONS 5
#define CI_LOG_SUMMARY_BYTES (64u * 1024)

HCTX_EXPORT int hostctx_ci_parse(const char *name, char *const *envp,
				 enum hostctx_ci_system *ret)
{
	const char *v;

	if (!name || strcmp(name, "none") == 0)
		*ret = HOSTCTX_CI_NONE;
	else if (strcmp(name, "github") == 0)
		*ret = HOSTCTX_CI_GITHUB;
	else if (strcmp(name, "gitlab") == 0)
		*ret = HOSTCTX_CI_GITLAB;
	else if (strcmp(name, "auto") == 0) {
		/* the variables each runner sets to "true" in every job */
		v = hostctx_env_value(envp, "GITHUB_ACTIONS");
		if (v && strcmp(v, "true") == 0) {
			*ret = HOSTCTX_CI_GITHUB;
			return 0;
		}
		v = hostctx_env_value(envp, "GITLAB_CI");
		*ret = v && strcmp(v, "true") == 0 ? HOSTCTX_CI_GITLAB : HOSTCTX_CI_NONE;
	} else {
		return -EINVAL;
	}
	return 0;
}

/*
 * A workflow command's text: '%', CR and LF are escaped in the message,
 * and ':' and ',' too in a property (they end it).  GitHub's own
 * toolkit (@actions/core, escapeData and escapeProperty) does the same.
 */
static void workflow_escaped(FILE *f, const char *s, bool property)
{
	for (; *s; s++) {
		if (*s == '%')
			fputs("%25", f);
		else if (*s == '\r')
			fputs("%0D", f);
		else if (*s == '\n')
			fputs("%0A", f);
		else if (property && *s == ':')
			fputs("%3A", f);
		else if (property && *s == ',')
			fputs("%2C", f);
		else
			fputc(*s, f);
	}
}

static void annotation(FILE *f, const char *title, const char *message, const char *advice)
{
	fputs("::warning title=", f);
	workflow_escaped(f, title, true);
	fputs("::", f);
	workflow_escaped(f, message, false);
	if (advice) {
		fputs(" (", f);
		workflow_escaped(f, advice, false);
		fputc(')', f);
	}
	fputc('\n', f);
}

static void github_annotations(FILE *f, const struct hostctx_check_report *rep,
			       const char *name)
{
	size_t warns = hostctx_check_report_tally(rep, HOSTCTX_CHECK_WARN), shown = 0;
	char title[96], more[256];

	for (size_t i = 0; i < hostctx_check_report_count(rep); i++) {
		if (hostctx_check_result_status(rep, i) != HOSTCTX_CHECK_WARN)
			continue;
		if (shown + 1 == CI_MAX_ANNOTATIONS && warns > CI_MAX_ANNOTATIONS) {
			snprintf(more, sizeof(more), "%zu more warnings: hostctx check %s lists them",
				 warns - shown, name ? name : "FILE");
			annotation(f, "hostctx", more, NULL);
			return;
		}
		snprintf(title, sizeof(title), "hostctx check: %s", hostctx_check_result_id(rep, i));
		annotation(f, title, hostctx_check_result_message(rep, i) ?: "",
			   hostctx_check_result_advice(rep, i));
		shown++;
	}
}

static void gitlab_section(FILE *f, const struct hostctx_check_report *rep,
			   const char *summary, long when)
{
	size_t warns = rep ? hostctx_check_report_tally(rep, HOSTCTX_CHECK_WARN) : 0;
	size_t notes = rep ? hostctx_check_report_tally(rep, HOSTCTX_CHECK_NOTE) : 0;

	/* GitLab's collapsible sections: docs.gitlab.com, "CI/CD job logs" */
	fprintf(f, "\033[0Ksection_start:%ld:hostctx[collapsed=true]\r\033[0K"
		"hostctx: %zu warning%s, %zu note%s\n", when, warns, warns == 1 ? "" : "s",
		notes, notes == 1 ? "" : "s");
	fputs(summary, f);
	fprintf(f, "\033[0Ksection_end:%ld:hostctx\r\033[0K\n", when);
}

HCTX_EXPORT int hostctx_ci_format_log(const struct hostctx_sidecar *sc, const char *name,
				      enum hostctx_ci_system ci, long when, char **ret_text)
{
	struct hostctx_check_report *rep = NULL;
	_cleanup_free_ char *summary = NULL;
	size_t len = 0;
	FILE *f;
	int r;

	if (!sc || (ci != HOSTCTX_CI_NONE && ci != HOSTCTX_CI_GITHUB && ci != HOSTCTX_CI_GITLAB))
		return -EINVAL;
	r = hctx_check_record_here(sc, &rep);
	if (r >= 0 && ci == HOSTCTX_CI_GITLAB)
		r = hostctx_sidecar_format_summary(sc, name, HOSTCTX_SUMMARY_TEXT,
						   CI_LOG_SUMMARY_BYTES, &summary);
	f = r >= 0 ? open_memstream(ret_text, &len) : NULL;
	if (r >= 0 && !f)
		r = -ENOMEM;
	if (r < 0) {
		hostctx_check_report_free(rep);
		return r;
	}
	if (ci == HOSTCTX_CI_GITHUB && rep)
		github_annotations(f, rep, name);
	else if (ci == HOSTCTX_CI_GITLAB)
		gitlab_section(f, rep, summary, when);
	hostctx_check_report_free(rep);
	return fclose(f) == 0 ? 0 : -ENOMEM;
}
